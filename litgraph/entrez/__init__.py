"""One client for NCBI E-utilities: session, cache, throttle, retries, batching.

Layers, bottom up:

- ``credentials`` (redaction, credentials out of URLs, cache keys), ``pacing``
  (the process-wide ``Throttle``, the ``CircuitBreaker``) and ``replies``
  (what a raw reply says before parsing: usable, transient or permanent);
- ``transport``: a ``requests`` session (a requests-cache ``CachedSession`` on
  SQLite when a cache path is given) whose HTTP adapter waits for the
  throttle, so cache hits cost no time and no request; ``_call`` sends one
  request, checks the raw reply before parsing or caching it, retries with
  back-off and raises EntrezError at the end; ``_each`` keeps up to
  ``concurrency`` requests in flight; requests asked ahead (``links_ahead``)
  take the throttle's slots only when the caller's own leave them free;
- ``parser``: a child process that reads large replies on another core;
- ``records`` (ElementTree views of the replies; ``reference`` reads the same
  with Bio.Entrez for the tests) and ``batching`` (``BatchSizes``);
- the E-utilities verbs here: ``fetch_pubmed``, ``search_ids``,
  ``citation_match``, ``elink``/``links``, ``pmids_of_pmcids``, ``summaries``, which
  batch and map results back by identifier.

``tool``, ``email`` and ``api_key`` are never part of a cache key and never
stored: ``cache_key`` leaves them out of keys, requests-cache redacts them
(``ignored_parameters``) from the stored request and reply, and every logged
text goes through ``redact``.

>>> client = EntrezClient("http://127.0.0.1:8002/entrez/eutils/", rate=0)
>>> client.stats["network_requests"]
0
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Optional

from .records import (PubmedRecord, SearchResult, normalise_title, parse_ecitmatch,
                      parse_elink, parse_esearch, parse_esummary, parse_pubmed)
from .batching import NCBI_MAX_IDS, BatchSizes  # noqa: F401
from .credentials import cache_key, redact, split_credentials  # noqa: F401
from .pacing import PROCESS_THROTTLE, CircuitBreaker, Throttle  # noqa: F401
from .replies import is_permanent, reply_problem
from .transport import POST_FROM_IDS, Transport
from ..errors import EntrezError, PermanentEntrezError

NOT_FOUND_SECONDS = 24 * 3600  # how long a "PMID not found" answer is reused from the cache

# The link names the citation graph asks elink about for each PMID: the works it cites,
# and the works citing it (here, not in the graph package: a build asks them ahead
# without loading NetworkX).
REFS_LINK = "pubmed_pubmed_refs"
CITEDIN_LINK = "pubmed_pubmed_citedin"
GRAPH_LINK_NAMES = (REFS_LINK, CITEDIN_LINK)

__all__ = ["EntrezClient", "BatchSizes", "PubmedRecord", "FetchResult", "CitationQuery", "SearchResult",
           "Throttle", "CircuitBreaker", "normalise_title", "redact", "reply_problem",
           "is_permanent"]

@dataclass
class FetchResult:
    """What efetch gave for a list of PMIDs."""

    records: dict = field(default_factory=dict)  # pmid -> PubmedRecord
    missing: set = field(default_factory=set)  # asked for twice, returned neither time
    failed: dict = field(default_factory=dict)  # pmid -> reason (retries exhausted)
    permanent: set = field(default_factory=set)  # failed PMIDs whose request E-utilities refused


@dataclass
class CitationQuery:
    """One journal citation for ECitMatch; ``key`` is the caller's own name for it."""

    key: str
    journal: str
    year: Optional[int] = None
    volume: Optional[str] = None
    first_page: Optional[str] = None
    author: Optional[str] = None


class EntrezClient(Transport):
    """A polite, cached, retrying client for E-utilities (NCBI or the stand-in).

    See ``Transport`` for the options (rate, cache, concurrency, batch sizes).
    """

    # ------------------------------------------------------------ verbs

    def _batches(self, pmids, endpoint="efetch"):
        # by length, then as text: a stable sort by len after a plain sort gives the order of
        # key=(len, text) without a lambda and a tuple per ID
        ids = sorted({str(p) for p in pmids})
        ids.sort(key=len)
        size = self.batch(endpoint)
        for start in range(0, len(ids), size):
            yield ids[start:start + size]

    def fetch_ahead(self, pmids, refresh=False) -> None:
        """Start fetching the PMIDs among ``pmids`` that fill whole efetch batches, in the
        background, and return at once; ``fetch_pubmed`` takes what they gave.

        Resolution knows the stated PMIDs before its searches answer, and the searched
        ones only after.  Whole batches of the first, fetched beside the searches, cost no
        request more than fetching all of them later (the PMIDs left over go with the
        searched ones), and their replies come, and are read, while the searches are on
        their way.  ``refresh`` as for ``fetch_pubmed``.
        """
        ids = [pmid for batch in self._batches(pmids, "efetch") for pmid in batch]
        whole = ids[:len(ids) - len(ids) % self.batch("efetch")]
        if not whole:
            return
        with self._lock:
            if self._fetch_pool is None:
                self._fetch_pool = ThreadPoolExecutor(1, thread_name_prefix="entrez-fetch-ahead")
            future = self._fetch_pool.submit(self._fetch_pubmed, whole, refresh, False)
            self._fetched_ahead.append((frozenset(whole), future))

    def fetch_pubmed(self, pmids, refresh=False, progress=False) -> FetchResult:
        """Fetch PubMed records (efetch, XML) for PMIDs, ``batch("efetch")`` per request.

        PMIDs asked for but not returned are ``missing``; those whose batch
        failed after every retry are in ``failed`` with the reason.  Records
        are keyed by the PMID inside each record, never by position.
        ``refresh`` True bypasses the cache for every batch; a collection of
        PMIDs bypasses it only for the batches holding one of them.
        ``progress`` a progress hook for this call (litgraph.progress); anything
        else means the client's own hook, if it has one.

        A "not found" is not final: PMIDs a batch left out are asked again
        once, together, and that answer is reused from the cache for
        ``NOT_FOUND_SECONDS`` only.

        With a cache, the records fetched are held until a later call asks for
        them once more (the graph stage asks for the records resolve fetched,
        in batches of its own), and handed out then without reading the cache
        or parsing again; a refreshed PMID is always fetched.

        What ``fetch_ahead`` fetched of these PMIDs is taken from its answers (waited for
        once the other PMIDs are fetched).
        """
        wanted = {str(p) for p in pmids}
        with self._lock:
            ahead, self._fetched_ahead = self._fetched_ahead, []
        result = self._fetch_pubmed(wanted.difference(*(asked for asked, _ in ahead)),
                                    refresh, progress)
        for _asked, future in ahead:
            early = future.result()
            result.records.update((p, r) for p, r in early.records.items() if p in wanted)
            result.failed.update((p, why) for p, why in early.failed.items() if p in wanted)
            result.permanent |= early.permanent & wanted
            result.missing |= early.missing & wanted
        return result

    def _fetch_pubmed(self, pmids, refresh, progress) -> FetchResult:
        """``fetch_pubmed`` of ``pmids`` without what was fetched ahead."""
        result = FetchResult()
        stale = set(map(str, refresh)) if isinstance(refresh, (set, frozenset, list, tuple)) else None
        pmids = {str(p) for p in pmids}
        if stale is not None or not refresh:  # refresh=True: nothing held is handed out
            held = self._take_held(pmids - (stale or set()))
            if held:
                self._count("cache_hits")
                result.records.update(held)
                pmids -= set(held)

        def fetch(batch, again=False, force=None):
            params = [("db", "pubmed"), ("retmode", "xml"), ("id", ",".join(batch))]
            post = len(batch) >= POST_FROM_IDS or None
            if force is None:
                force = bool(stale & set(batch)) if stale is not None else bool(refresh)
            # the second ask is reused for a day, and cached apart from the first reply even
            # for the same batch: a batch PubMed left out whole is asked twice
            return self._call("efetch.fcgi", params, parse_pubmed, post=post, refresh=force,
                              expire_after=NOT_FOUND_SECONDS if again else None, again=again)

        def take(outcomes, confirming=False):
            for batch, outcome in outcomes:
                if isinstance(outcome, EntrezError):
                    if not confirming:  # a failed second look leaves the first answer standing
                        result.failed.update({pmid: str(outcome) for pmid in batch})
                        if isinstance(outcome, PermanentEntrezError):
                            result.permanent.update(batch)
                    continue
                records, fetched_at = outcome
                asked = set(batch)
                for record in records:
                    if record.pmid in asked:
                        record.fetched_at = fetched_at
                        result.records[record.pmid] = record
                        if self.cache_path:
                            self._held[record.pmid] = record

        batches = list(self._batches(pmids, "efetch"))
        take(self._each(fetch, batches, "Fetching PubMed records", progress))
        missing = {p for batch in batches for p in batch} - set(result.records) - set(result.failed)
        if missing:
            again = list(self._batches(missing, "efetch"))
            take(self._each(lambda batch: fetch(batch, again=True), again),
                 confirming=True)
        result.missing = ({p for batch in batches for p in batch}
                          - set(result.records) - set(result.failed))
        self._let_ahead_go()  # when no request of this fetch went out (all held), nothing else did
        return result

    def _take_held(self, pmids) -> dict:
        """The held records of ``pmids``, no longer held."""
        with self._lock:
            return {p: self._held.pop(p) for p in pmids if p in self._held}

    def search(self, term: str, retmax: int = 20) -> SearchResult:
        """One esearch in PubMed; raises EntrezError when it fails after every retry."""
        params = [("db", "pubmed"), ("term", term), ("retmax", str(min(max(retmax, 1), 10000)))]
        result, _ = self._call("esearch.fcgi", params, parse_esearch)
        return result

    def search_ids(self, terms, per_term: int = 5) -> list:
        """PMIDs matching any of ``terms``, OR'ed into as few esearch requests as possible.

        ``batch("esearch")`` terms go into one request, fewer when their
        answer could pass esearch's 10,000 IDs (``per_term`` each, plus 20).
        Nothing ties a returned PMID to the term that found it: callers fetch
        the records and match them back by DOI or title.  Raises EntrezError.
        """
        terms = [f"({t})" for t in dict.fromkeys(terms) if t]
        size = max(1, min(self.batch("esearch"), (NCBI_MAX_IDS - 20) // max(per_term, 1)))
        groups = [terms[start:start + size] for start in range(0, len(terms), size)]
        found = {}
        for _group, ids in self._each(lambda group: self._search_group(group, per_term), groups,
                                      "Searching PubMed"):
            if isinstance(ids, EntrezError):
                raise ids
            found.update(dict.fromkeys(ids))
        return list(found)

    def _search_group(self, group, per_term) -> list:
        """esearch for OR'ed terms; when the union overflows retmax (one broad term can crowd
        out the others' matches), search each half again rather than lose matches."""
        result = self.search(" OR ".join(group), retmax=per_term * len(group) + 20)
        if result.count <= len(result.ids) or len(group) == 1:
            return result.ids
        middle = len(group) // 2
        return self._search_group(group[:middle], per_term) + \
            self._search_group(group[middle:], per_term)

    @staticmethod
    def doi_term(doi: str) -> str:
        """The esearch term for one DOI: ``"<doi>"[aid]`` (quoted: DOIs hold ()[];)."""
        return '"' + doi.replace('"', "") + '"[aid]'

    def search_dois(self, dois) -> list:
        """PMIDs of the given DOIs, all OR'ed together; map back with record.dois."""
        return self.search_ids([self.doi_term(d) for d in dois], per_term=2)

    def citation_match(self, citations) -> dict:
        """``{citation.key: PMID or NCBI's words}`` for journal citations, in one ECitMatch request.

        Lines are matched back by a key of our own (``c1``, ``c2``...), so
        missing or reordered lines do no harm; a citation without a line gets
        ``"no answer"``.  Raises EntrezError when the request fails.
        """
        citations = list(citations)
        if not citations:
            return {}
        own_keys = {}
        lines = []
        for number, citation in enumerate(citations, 1):
            own = f"c{number}"
            own_keys[own] = citation.key
            fields = [citation.journal, citation.year, citation.volume, citation.first_page,
                      citation.author, own]
            clean = [re.sub(r"[|\r\n]+", " ", str(f or "")).strip().lower() for f in fields]
            lines.append("|".join(clean) + "|")
        params = [("db", "pubmed"), ("retmode", "xml"), ("bdata", "\r".join(lines))]
        answers, _ = self._call("ecitmatch.cgi", params,
                                lambda content: parse_ecitmatch(content.decode("utf-8", "replace"),
                                                                own_keys))
        return {own_keys[own]: answer for own, answer in answers.items()}

    def elink(self, pmids, linkname) -> dict:
        """``{pmid: [linked PMIDs]}`` for one link name, one ``id=`` per PMID, batched.

        Each PMID takes the links of the LinkSet about it alone.  A PMID the
        reply answers only inside a by-group LinkSet (several Ids, their links
        merged), or not at all, is asked again in a request of its own; LinkSets
        about PMIDs not asked for are ignored.
        """
        return self.links(pmids, (linkname,))[linkname]

    def links(self, pmids, linknames) -> dict:
        """``{linkname: {pmid: [linked PMIDs]}}``: ``elink`` for several link names, all their
        batches in flight together (one request per batch and link name).

        What ``links_ahead`` asked about these PMIDs is taken from its answers (waiting
        for them if need be); only the other PMIDs are asked now.  An answer ahead that
        failed is asked again here, where a failure raises as it would have.
        """
        linknames = tuple(dict.fromkeys(linknames))
        self._let_ahead_go()
        order = [pmid for batch in self._batches(pmids, "elink") for pmid in batch]
        wanted = set(order)
        taken = {linkname: {} for linkname in linknames}
        for linkname in linknames:
            for asked, future in self._take_ahead(linkname):
                try:
                    answers = future.result()[linkname]
                except EntrezError:
                    continue
                taken[linkname].update((p, answers[p]) for p in asked & wanted if p in answers)
        still = {}  # the PMIDs still to ask -> the link names they are missing for
        for linkname in linknames:
            rest = tuple(p for p in order if p not in taken[linkname])
            if rest:
                still.setdefault(rest, []).append(linkname)
        for rest, names in still.items():
            for linkname, found in self._ask_links(rest, tuple(names)).items():
                taken[linkname].update(found)
        return {linkname: {p: taken[linkname][p] for p in order} for linkname in linknames}

    def links_ahead(self, pmids, linknames) -> None:
        """Ask ``links(pmids, linknames)`` in the background, behind the caller's next
        requests, and return at once.

        Resolution asks ahead for every PMID it is about to fetch, so that elink's
        requests go out beside efetch's rather than after verification.  They wait
        until the caller's next request is queued at the throttle or answered from the
        cache (or its next fetch ends, or it asks for links), and then take only the start slots
        the caller's own requests leave free: efetch's replies, the largest, come
        first and are read while elink's are on their way.  A later ``links`` call
        takes the answers for the PMIDs it asks about; the answers of PMIDs it does
        not ask about (a candidate that did not verify) are dropped then.  A reply the
        cache holds is not read ahead (``Transport._call``): ``links`` reads it when asked.
        """
        linknames = tuple(dict.fromkeys(linknames))
        pmids = frozenset(str(p) for p in pmids)
        if not pmids or not linknames:
            return
        go = threading.Event()
        with self._lock:
            if self._ahead_pool is None:
                self._ahead_pool = ThreadPoolExecutor(1, thread_name_prefix="entrez-ahead")
            self._ahead_waiting.append(go)
            future = self._ahead_pool.submit(self._ask_ahead, go, pmids, linknames)
            for linkname in linknames:
                self._ahead.setdefault(linkname, []).append((pmids, future))

    def settle_ahead(self) -> None:
        """Wait for the links asked ahead that no ``links`` call took (PMIDs that did not
        resolve, a graph kept as it was), then drop them: their requests end, and land in
        the cache, before a build stamps what the cache holds."""
        self._let_ahead_go()
        with self._lock:
            futures = [future for entries in self._ahead.values() for _, future in entries]
            self._ahead.clear()
        for future in futures:
            try:
                future.result()
            except EntrezError:
                pass  # asked in the background for a graph that did not need the answer

    def _take_ahead(self, linkname) -> list:
        with self._lock:
            return self._ahead.pop(linkname, [])

    def _ask_ahead(self, go, pmids, linknames) -> dict:
        go.wait()
        return self._ask_links(pmids, linknames, ahead=True)

    def _ask_links(self, pmids, linknames, ahead=False) -> dict:
        """``links`` without the answers asked ahead: the requests themselves (``ahead``: in
        the background, behind the caller's requests, without a progress line of their own)."""
        def link(item):
            linkname, batch = item
            dbto = linkname.split("_")[1] if linkname.count("_") >= 2 else "pubmed"
            params = [("dbfrom", "pubmed"), ("db", dbto), ("linkname", linkname)]
            params += [("id", pmid) for pmid in batch]
            found, _ = self._call("elink.fcgi", params, partial(parse_elink, linkname=linkname),
                                  post=len(batch) >= POST_FROM_IDS or None, behind=ahead)
            return found

        batches = list(self._batches(pmids, "elink"))
        work = [(linkname, batch) for linkname in linknames for batch in batches]
        out = {linkname: {} for linkname in linknames}
        label = None if ahead else f"Linking ({', '.join(linknames)})"
        for (linkname, batch), found in self._each(link, work, label):
            if isinstance(found, EntrezError):
                raise found
            if found is None:
                continue  # asked ahead, in the cache: ``links`` reads it if it is needed
            for pmid in batch:
                if pmid not in found and len(batch) > 1:
                    found.update(link((linkname, [pmid])))
                out[linkname][pmid] = found.get(pmid, [])
        return out

    def pmids_of_pmcids(self, pmcids) -> dict:
        """``{PMCID: [PMIDs]}``: the PubMed records of PMC articles, by elink from pmc to pubmed
        (``pmc_pubmed``), one ``id=`` per PMC number, batched as elink's.  A PMCID PubMed
        links to nothing gets ``[]``; a PMCID a batch's reply leaves out is asked alone."""
        numbers = {str(pmcid)[3:]: str(pmcid) for pmcid in pmcids}  # "PMC123" -> "123"

        def link(batch):
            params = [("dbfrom", "pmc"), ("db", "pubmed"), ("linkname", "pmc_pubmed")]
            params += [("id", number) for number in batch]
            found, _ = self._call("elink.fcgi", params, partial(parse_elink, linkname="pmc_pubmed"),
                                  post=len(batch) >= POST_FROM_IDS or None)
            return found

        out = {}
        for batch, found in self._each(link, self._batches(numbers, "elink")):
            if isinstance(found, EntrezError):
                raise found
            for number in batch:
                if number not in found and len(batch) > 1:
                    found.update(link([number]))
                out[numbers[number]] = found.get(number, [])
        return out

    def summaries(self, pmids) -> dict:
        """``{pmid: {title, year, journal, authors, doi, publication_types}}`` from esummary."""
        def summary(batch):
            params = [("db", "pubmed"), ("id", ",".join(batch))]
            found, _ = self._call("esummary.fcgi", params, parse_esummary,
                                  post=len(batch) >= POST_FROM_IDS or None)
            return found

        out = {}
        for _batch, found in self._each(summary, self._batches(pmids, "esummary"),
                                        "Summaries of linked works"):
            if isinstance(found, EntrezError):
                raise found
            out.update(found)
        return out
