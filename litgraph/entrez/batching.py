"""How many identifiers or terms go into one E-utilities request: ``BatchSizes`` and its defaults."""

from dataclasses import dataclass, fields, replace

from ..errors import InputError

# NCBI's ceilings: efetch and esearch return at most 10,000 records or IDs per request
# (retmax); elink and esummary publish no maximum, but ask for POST above ~200 UIDs.
NCBI_MAX_IDS = 10_000


@dataclass(frozen=True)
class BatchSizes:
    """Identifiers (or search terms) per request, per E-utility.

    The defaults were measured with ``bench/resolve.py --sweep`` (see the
    README's "Batch sizes"): elink at 10,000 PMIDs (its replies are small, and
    each request saved is a throttle slot), efetch at half NCBI's largest batch
    (a real record, with its abstract, is several times a synthetic one, and a
    reply is held whole while it is read).

    >>> BatchSizes.parse("efetch=2000, elink=500").efetch
    2000
    >>> BatchSizes.parse("efetch=20000")
    Traceback (most recent call last):
    ...
    litgraph.errors.InputError: batch size efetch=20000: expected 1 to 10000 (NCBI's largest)
    """

    efetch: int = 5000  # PMIDs per efetch (POST from 200 IDs)
    elink: int = 10000  # PMIDs per elink, each its own id= (one LinkSet per PMID)
    esummary: int = 500  # PMIDs per esummary (not measured: NCBI's cap for its JSON form)
    esearch: int = 5000  # terms OR'ed into one esearch, fewer when retmax could not hold them

    @classmethod
    def parse(cls, spec) -> "BatchSizes":
        """``BatchSizes`` from ``"efetch=2000,elink=500"``, a mapping, or one already made."""
        if spec is None or isinstance(spec, BatchSizes):
            return spec or cls()
        items = spec.items() if isinstance(spec, dict) else (
            item.partition("=")[::2] for item in str(spec).split(",") if item.strip())
        sizes = {}
        known = {f.name for f in fields(cls)}
        for name, value in items:
            name = str(name).strip().lower()
            if name not in known:
                raise InputError(f"unknown batch size {name!r} (known: {', '.join(sorted(known))})")
            text = str(value).strip()
            if not text.isdigit() or not 1 <= int(text) <= NCBI_MAX_IDS:
                raise InputError(f"batch size {name}={text}: expected 1 to {NCBI_MAX_IDS} "
                                 "(NCBI's largest)")
            sizes[name] = int(text)
        return replace(cls(), **sizes)

    def get(self, endpoint: str) -> int:
        return getattr(self, endpoint)
