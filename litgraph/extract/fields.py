"""Read identifiers and bibliographic fields out of one citation's text.

Pure functions used by ``extract.py``: they take the words a document used for
one reference and return what those words state, nothing more.  A field the
text does not state stays ``None``.

>>> find_identifiers("doi: 10.1097/PAS.0b013e3181cad8c9. Epub [PubMed PMID: 20090506]")
{'pmid': '20090506', 'doi': '10.1097/pas.0b013e3181cad8c9'}
>>> parse_short_citation("Mod Pathol 2021;34:758")["pages"]
'758'
"""

import dataclasses
import functools
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Optional

from . import identifiers
from .citation import parse_citation

MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "2010 Feb:34(2):238-42", "2003; 3(9):685-94", "1996 Feb;32A(2):269-73", "2002 Nov 19:2():13",
# "2015 Jul-Aug:16(4):853-9", "2023; 16(11)"
JOURNAL_DATE_RE = re.compile(
    r"(?P<year>(?:19|20)\d{2})"
    rf"(?:\s+{MONTHS}(?:\s*[-\u2013/]\s*{MONTHS})?(?:\s+\d{{1,2}})?)?"
    r"\s*[;:]\s*(?P<volume>\d+[A-Za-z]?)?"
    r"(?:\s*\((?P<issue>[^()]{0,12})\))?"
    r"(?:\s*:\s*(?P<pages>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-\u2013\u2014]\s*[A-Za-z]?\d+[A-Za-z]?)?))?"
)
# "Mod Pathol 2021;34:758", "Virchows Arch 2020;477:219", "Eur J Cancer 1996 Feb;32A(2):269-73"
SHORT_CITATION_RE = re.compile(
    r"^(?P<journal>[A-Z][A-Za-z&.'\- ]{1,60}?)\s+(?P<year>(?:19|20)\d{2})"
    rf"(?:\s+{MONTHS}(?:\s+\d{{1,2}})?)?"
    r"\s*;\s*(?P<volume>\d+[A-Za-z]?)(?:\((?P<issue>[^()]{1,12})\))?"
    r"(?:\s*:\s*(?P<pages>[A-Za-z]?\d+(?:\s*[-\u2013\u2014]\s*\d+)?))?\s*\.?$"
)
# "Sarcoma, Vol 7, Nos. 3-4/September-December 2003 pp159 - 165"
VOLUME_WORDS_RE = re.compile(
    r"^(?P<journal>[A-Z][A-Za-z&.' ]{1,60}?),\s*Vol\.?\s*(?P<volume>\d+)"
    r"(?:,\s*Nos?\.?\s*(?P<issue>\d+(?:\s*[-\u2013]\s*\d+)?))?"
    r".*?(?P<year>(?:19|20)\d{2})"
    r"(?:.*?\bpp?\.?\s*(?P<pages>\d+(?:\s*[-\u2013]\s*\d+)?))?",
)
INITIALS = re.compile(r"^[A-Z\u00c0-\u00de]{1,3}$")
NAME_SUFFIXES = {"Jr", "Sr", "II", "III", "IV", "2nd", "3rd"}
CORPORATE_WORDS = re.compile(
    r"\b(Group|Network|Society|Committee|Association|Consortium|Collaborat\w*|Institute|"
    r"Organi[sz]ation|Panel|Workgroup|Working|Council|Foundation)\b", re.I)
SURNAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos"}


def find_identifiers(text: str) -> dict:
    """Return the PMID, DOI and PMC id a text states, in normal form.

    Junk that looks like an identifier (PMID 0, a 20-digit number, a DOI with a
    control character) is simply not an identifier: it is left out. For ISBNs
    and URLs too, see ``litgraph.extract.identifiers``.
    """
    return {k: v for k, v in identifiers.find_identifiers(text).items()
            if k in ("pmid", "doi", "pmcid")}


_EPUB_DATE = re.compile(r"\bEpub\b(?:\s+(?:19|20)\d{2}(?:\s+\w{3}(?:\s+\d{1,2})?)?)?")
_VIEW_AT_END = re.compile(r"\bView\s*$")
_SPACES = re.compile(r"\s+")
_PAGE_DASH = re.compile(r"\s*[-\u2013\u2014]\s*")
_SEGMENT_BREAK = re.compile(r"(?<=[.?!])\s+|\s+\.\s+")


def strip_identifiers(text: str) -> str:
    """The text without its identifier phrases, URLs and their lead-in words."""
    return _strip_identifiers(str(text or ""))


@functools.lru_cache(maxsize=4096)
def _strip_identifiers(text):
    # cached: an entry's line is stripped by the entry reader and again by parse_full_citation
    text = identifiers.strip_identifiers(text)
    text = _EPUB_DATE.sub(" ", text)
    text = _VIEW_AT_END.sub(" ", text.strip())
    return _SPACES.sub(" ", text).strip(" .;,")


def _clean(value):
    if value is None:
        return None
    value = _SPACES.sub(" ", str(value)).strip(" .,;:")
    return value or None


def _pages(value):
    value = _clean(value)
    if value is None:
        return None
    return _PAGE_DASH.sub("-", value)


def parse_short_citation(text: str):
    """Fields of a journal citation such as ``Mod Pathol 2021;34:758``, or None."""
    match = SHORT_CITATION_RE.match(text.strip())
    if not match:
        return None
    journal = _clean(match.group("journal"))
    if not journal or len(journal.split()) > 8:
        return None
    if any(len(part.split()) > 1 for part in journal.split(". ")[:-1]):
        return None  # "Petrov C. Made-up trial. Fict Orthop": authors and a title, not a journal
    return {
        "journal": journal,
        "year": int(match.group("year")),
        "volume": match.group("volume"),
        "issue": _clean(match.group("issue")),
        "pages": _pages(match.group("pages")),
    }


def split_authors(text: str) -> list:
    """Split an author list (``Miller JS, Zhou M`` or ``Albert N. Van Geel, ...``)."""
    text = text.strip().rstrip(".").strip()
    text = re.sub(r"\s+et\s+al\.?$", "", text)
    parts = [p.strip() for p in re.split(r",|;|\band\b", text) if p.strip()]
    return [re.sub(r"\s+", " ", p) for p in parts]


def looks_like_authors(text: str) -> bool:
    """True for ``Miller JS, Zhou M, Brimo F`` and ``Robert Grimer, Aneel Bhangu``."""
    text = text.strip().rstrip(".")
    if not text or len(text) > 600 or re.search(r"\d", text):
        return False
    if CORPORATE_WORDS.search(text) and len(text.split()) <= 8:
        return True
    names = split_authors(text)
    if not names:
        return False
    good = 0
    for name in names:
        words = name.replace(".", ". ").split()
        if not 1 <= len(words) <= 6:
            return False
        if all(w[:1].isupper() or w.lower() in SURNAME_PARTICLES or w in NAME_SUFFIXES
               for w in words):
            good += 1
    return good == len(names)


def surname(author: str):
    """The family name of one author as written (``Miller JS`` -> ``Miller``)."""
    words = [w for w in author.replace(".", ". ").split() if w not in NAME_SUFFIXES]
    if not words:
        return None
    if CORPORATE_WORDS.search(author):
        return " ".join(w for w in words if not INITIALS.match(w) or len(w) > 1)
    if len(words) > 1 and INITIALS.match(words[-1].rstrip(".")):
        # "Van Geel AN": everything before the initials
        return " ".join(words[:-1])
    # "Albert N. Van Geel": the last word, with particles before it
    out = [words[-1]]
    for word in reversed(words[:-1]):
        if word.lower() in SURNAME_PARTICLES:
            out.insert(0, word)
        else:
            break
    return " ".join(out)


_SLUG_WORD = re.compile(r"[a-z0-9]+")


def slug(text: str, max_words: int = 6) -> str:
    """ASCII, lower case, words joined by hyphens: ``Öztürk`` -> ``ozturk``."""
    text = str(text)
    if not text.isascii():  # an ASCII text is its own decomposition
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(_SLUG_WORD.findall(text.lower())[:max_words])


def parse_full_citation(text: str) -> dict:
    """Fields of a ``Authors. Title. Journal. Year;Vol(Issue):Pages`` citation.

    Works for the NLM style of reference lists and of PubMed pages; what it
    cannot place stays absent. A chapter, book or proceedings paper (``In:``
    editors, a publisher) is read by ``parse_reference``, which knows those
    shapes.
    """
    other = parse_reference(text)
    if other.kind in ("chapter", "book", "conference-abstract") and other.title and other.year:
        keys = ("year", "year_suffix", "volume", "issue", "pages", "authors", "journal", "title",
                "publisher")
        return {k: v for k, v in other.as_dict().items() if k in keys}
    fields = {}
    body = strip_identifiers(text)
    date = None
    for match in JOURNAL_DATE_RE.finditer(body):
        if match.group("volume") or match.group("pages") or match.group("issue"):
            date = match
            break
    before = body[: date.start()] if date else body
    if date:
        fields["year"] = int(date.group("year"))
        fields["volume"] = date.group("volume")
        fields["issue"] = _clean(date.group("issue"))
        fields["pages"] = _pages(date.group("pages"))
    segments = [s.strip() for s in _SEGMENT_BREAK.split(before.strip()) if s.strip()]
    if segments and looks_like_authors(segments[0]):
        fields["authors"] = split_authors(segments[0])
        segments = segments[1:]
    if date and segments:
        fields["journal"] = _clean(segments[-1])
        segments = segments[:-1]
    if segments:
        fields["title"] = _clean(" ".join(segments))
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


def parse_authors_then_journal(text: str):
    """``Cui H, Xu Q, Zhang S J Hepatocell Carcinoma. 2025; 12:459-465.`` (PubMed pages).

    Returns the fields, or None when the line is not of that shape.
    """
    body = strip_identifiers(text)
    date = JOURNAL_DATE_RE.search(body)
    if not date:
        return None
    head = body[: date.start()].strip().rstrip(".").strip()
    parts = [p.strip() for p in head.split(",")]
    last = re.match(r"^(?P<name>.+?\s[A-Z]{1,3})\s+(?P<journal>[A-Za-z].+)$", parts[-1])
    if not last:
        return None
    authors = parts[:-1] + [last.group("name")]
    if not all(re.match(r"^[^\d,.:;]+\s[A-Z]{1,3}$", a) for a in authors):
        return None
    return {
        "authors": authors,
        "journal": _clean(last.group("journal")),
        "year": int(date.group("year")),
        "volume": date.group("volume"),
        "issue": _clean(date.group("issue")),
        "pages": _pages(date.group("pages")),
    }


# ---------------------------------------------------------------- one whole entry

@dataclass
class ReferenceFields:
    """What one reference entry states, whatever its style.

    ``authors`` are ``"Surname AB"`` strings in the order written (a corporate
    author kept whole, ``et al.`` dropped); ``journal`` is the journal or other
    container (book, proceedings, web site); ``kind`` is one of article, book,
    chapter, conference-abstract, guideline, web, or None when not evident.
    """

    pmid: Optional[str] = None
    pmcid: Optional[str] = None
    doi: Optional[str] = None
    isbn: Optional[str] = None
    url: Optional[str] = None
    authors: list = field(default_factory=list)
    title: Optional[str] = None
    journal: Optional[str] = None
    year: Optional[int] = None
    year_suffix: Optional[str] = None
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    publisher: Optional[str] = None
    kind: Optional[str] = None

    def as_dict(self) -> dict:
        """The fields it states, absent ones left out."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", [])}


def parse_reference(text: str) -> ReferenceFields:
    """Identifiers and bibliographic fields of one whole reference entry, in any style.

    Never raises on odd text: what cannot be placed stays empty.

    >>> parse_reference("Lee M, Brown T. Imaging of sarcoma. Int J Oncol. 2019;34(3):648-54. PMID: 900000001.").journal
    'Int J Oncol'
    """
    return ReferenceFields(**{k: list(v) if isinstance(v, tuple) else v
                              for k, v in _parsed_fields(str(text or ""))})


@functools.lru_cache(maxsize=4096)
def _parsed_fields(text: str) -> tuple:
    """``parse_citation``'s known fields as an immutable, cached answer (an entry is read
    more than once while its document is segmented)."""
    try:
        found = parse_citation(text)
    except (RecursionError, ValueError, TypeError, IndexError):  # odd text: nothing placed
        found = {}
    known = {f.name for f in dataclasses.fields(ReferenceFields)}
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in found.items() if k in known)
