"""Identifiers a reference entry states: PMID, PMC id, DOI, ISBN and URL.

Each identifier is taken only where the text labels it (``PMID:``, ``doi``,
``ISBN``) or where it sits in a URL of the service that issues it: a bare
number is never a PMID, so telephone numbers, dates and ICD codes are not
identifiers. Every value comes back in the normal form of ``litgraph.ids``.

>>> find_identifiers("2009;34(3):648-654. doi:10.5555/synth.20976. PMID: 900019720.")
{'pmid': '900019720', 'doi': '10.5555/synth.20976'}
>>> find_identifiers("https://pubmed.ncbi.nlm.nih.gov/900017324/")
{'pmid': '900017324'}
"""

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote

from ..errors import IdentifierError
from ..ids import normalise_doi, normalise_isbn, normalise_pmcid, normalise_pmid

_NUM = r"([0-9]{1,25})(?![0-9])(?!\.[0-9])"
PMID_RE = re.compile(
    # PMID: 1, PMID:1, PMID 1, PubMed PMID: 1, PubMed ID 1, [PubMed: 1], pmid = {1}
    r"(?:\bPMID|\bPubMed(?:\s*(?:PMID|ID|Id))?)\s*(?:[:=#]\s*)?[\[{\"']?\s*" + _NUM
    + r"|pubmed\.ncbi\.nlm\.nih\.gov/(?:\?term=)?" + _NUM
    + r"|ncbi\.nlm\.nih\.gov/pubmed/(?:\?term=)?" + _NUM
    + r"|europepmc\.org/(?:abstract|article)/MED/" + _NUM,
    re.I,
)
PMC_RE = re.compile(
    r"\bPMC(?:ID)?\s*(?:[:=#]\s*)?[\[{\"']?\s*(?:PMC)?([0-9]{1,12})(?![0-9])", re.I)
# A DOI runs to the first space, quote, angle bracket or brace; in a URL also to ? # &.
DOI_RE = re.compile(
    r"(?:\bdoi\b\s*(?:[:=]\s*)?[{\"']?\s*|https?://(?:dx\.)?doi\.org/|\bdoi\.org/)?"
    r"\b(10(?:\.|%2E)[0-9]{4,9}(?:/|%2F)[^\s\"<>{}]+)", re.I)
ISBN_RE = re.compile(
    r"\bISBN(?:-1[03])?\s*:?\s*((?:97[89][\s-]?)?[0-9][0-9\s-]{7,15}[0-9Xx])(?![0-9])"
    r"|(?<![0-9-])(97[89]-[0-9]{1,5}-[0-9]{1,7}-[0-9]{1,7}-[0-9])(?![0-9-])", re.I)
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"{}]+", re.I)
# URLs that only carry an identifier already read (they are not the work's own URL).
_ID_URL = re.compile(r"//(?:dx\.)?doi\.org/|pubmed|/pmc/|pmc\.ncbi|europepmc\.org", re.I)
# Path tails that publishers add after a DOI in their URLs.
_DOI_URL_TAIL = re.compile(r"/(?:full|abstract|pdf|epdf|pdfdirect|fulltext|html|meta|summary|"
                           r"references|figures|tables|supplemental|suppl_file)(?:/.*)?$", re.I)
_ANY_ID = re.compile(r"pmid|pubmed|10\.|10%2e|pmc|isbn|97[89]-|https?:|www\.", re.I)
# The non-ASCII characters IGNORECASE takes for an ASCII letter (\u0130 and \u0131 for i,
# \u017f for s, the Kelvin sign for k): str.lower() does not fold them so, and a text holding
# one is not pre-checked by its lower-cased words (holds_lookalike).
IGNORECASE_LOOKALIKES = "\u0130\u0131\u017f\u212a"
_ASCII_LOOKALIKES = re.compile(f"[{IGNORECASE_LOOKALIKES}]")
# Every DOI_RE match holds this (the registrant's first four digits); without IGNORECASE it
# is found by a fast scan for "10".
_DOI_HINT = re.compile(r"10(?:\.|%2[Ee])[0-9]{4}")
_URL_BEFORE = re.compile(r"https?://\S*$")
_URL_QUERY = re.compile(r"[?#&]")


@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: its name, normal form and where it was written."""

    name: str  # pmid, pmcid, doi, isbn, url
    value: str
    start: int
    end: int


def _doi_candidate(text, match):
    raw = match.group(1)
    in_url = "/" in text[max(0, match.start() - 1): match.start() + 1] or \
        bool(_URL_BEFORE.search(text[: match.start(1)]))
    if "%" in raw:
        raw = unquote(raw)
    if in_url:
        raw = _URL_QUERY.split(raw, maxsplit=1)[0]
        raw = _DOI_URL_TAIL.sub("", raw)
    return raw


def holds_lookalike(text) -> bool:
    """Whether ``text`` holds a character IGNORECASE matches as an ASCII letter that
    ``str.lower()`` does not fold to one: a pre-check by lower-cased words cannot judge it."""
    return not text.isascii() and _ASCII_LOOKALIKES.search(text) is not None


def _kinds_present(text):
    """The identifier kinds whose pattern may match ``text``, by substring tests on its lower
    case: every match of PMID_RE holds pmid, pubmed or europepmc, of PMC_RE pmc, and so on.
    A pattern left out cannot match; one kept may still find nothing. Every kind is kept
    when the text holds a character the tests cannot judge (holds_lookalike)."""
    if holds_lookalike(text):
        return {"pmid", "pmcid", "doi", "isbn", "url"} if _ANY_ID.search(text) else set()
    lower = text.lower()
    kinds = set()
    if "pmid" in lower or "pubmed" in lower or "europepmc" in lower:
        kinds.add("pmid")
    if "pmc" in lower:
        kinds.add("pmcid")
    if ("10." in text or "10%2" in text) and _DOI_HINT.search(text):
        kinds.add("doi")
    if "isbn" in lower or "978-" in text or "979-" in text:
        kinds.add("isbn")
    if "http" in lower or "www." in lower:
        kinds.add("url")
    return kinds


# A DOI cut by a line break ("doi:10.1016/j.hoc." / "2013.07.002"): its first line ends after
# the prefix or on a dot, slash, hyphen or underscore, and the next goes on in lower case or
# digits, or with a capitalised token that holds a dot or digit ("PAS.0b013e...") and is no
# label ("PMID:", "Available").
_BROKEN_DOI = re.compile(r"(\b10\.[0-9]{4,9}/(?:[^\s\"<>{}]*[./_-])?)[ \t]*\n[ \t]*"
                         r"(?=[a-z0-9]|[A-Z][A-Z0-9]*[.\d])")


def mend_line_breaks(text: str) -> str:
    """``text`` with each DOI a line break cut joined again (the other line breaks kept)."""
    return _BROKEN_DOI.sub(r"\1", text) if "\n" in text else text


def join_lines(lines) -> str:
    """The lines of one entry as one text, a DOI that runs onto the next line whole."""
    return mend_line_breaks("\n".join(line.strip() for line in lines)).replace("\n", " ")


def identifiers_in(text: str) -> list:
    """Every identifier in ``text`` with its span, in order of appearance.

    Junk that looks like an identifier (PMID 0, a 20-digit number, a DOI with
    a control character, an ISBN with a wrong check digit) is left out.
    """
    return list(_identifiers_in(str(text or "")))


@functools.lru_cache(maxsize=4096)
def _identifiers_in(text: str) -> tuple:
    """``identifiers_in`` as a cached tuple: an entry's text is read for identifiers several
    times over (its line, its fields, what is left once they are stripped)."""
    kinds = _kinds_present(text)
    if not kinds:
        return ()
    found = []

    def add(name, normalise, raw, start, end):
        try:
            found.append(Identifier(name, normalise(raw), start, end))
        except IdentifierError:
            pass

    for match in PMID_RE.finditer(text) if "pmid" in kinds else ():
        value = next(g for g in match.groups() if g is not None)
        add("pmid", normalise_pmid, value, match.start(), match.end())
    for match in PMC_RE.finditer(text) if "pmcid" in kinds else ():
        add("pmcid", normalise_pmcid, match.group(1), match.start(), match.end())
    for match in DOI_RE.finditer(text) if "doi" in kinds else ():
        add("doi", normalise_doi, _doi_candidate(text, match), match.start(), match.end())
    for match in ISBN_RE.finditer(text) if "isbn" in kinds else ():
        add("isbn", normalise_isbn, match.group(1) or match.group(2), match.start(), match.end())
    taken = [(i.start, i.end) for i in found]
    for match in URL_RE.finditer(text) if "url" in kinds else ():
        url = match.group(0)
        while url and url[-1] in ".,;:)]'":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if _ID_URL.search(url):
            continue
        found.append(Identifier("url", url, match.start(), match.start() + len(url)))
        taken.append((match.start(), match.start() + len(url)))
    found.sort(key=lambda i: (i.start, i.name))
    return tuple(found)


def find_identifiers(text: str) -> dict:
    """The first PMID, DOI, PMC id and ISBN a text states, in normal form (no URLs).

    The keys are those of the identifiers present, in the order pmid, doi,
    pmcid, isbn.
    """
    found = {}
    order = ("pmid", "doi", "pmcid", "isbn")
    by_name = {}
    for ident in identifiers_in(text):
        if ident.name in order:
            by_name.setdefault(ident.name, ident.value)
    for name in order:
        if name in by_name:
            found[name] = by_name[name]
    return found


def first_url(text: str):
    """The first URL of a text that is not just an identifier's address, or None."""
    for ident in identifiers_in(text):
        if ident.name == "url":
            return ident.value
    return None


_LEADIN = re.compile(
    r"(?:\[?\s*(?:PubMed|PMID|PMCID|PMC|DOI|ISBN(?:-1[03])?|Available\s+(?:from|at|online)|"
    r"Accessed|URL|Retrieved\s+from|Epub(?:\s+ahead\s+of\s+print)?)\s*[:=]?\s*)+$", re.I)


_EMPTY_BRACKETS = re.compile(r"\[\s*\]|\(\s*\)|\{\s*\}")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:])")
_PUNCT_RUN = re.compile(r"([.;,])(?:\s+[.;,])+")


def strip_identifiers(text: str) -> str:
    """The text without its identifier phrases, URLs and their lead-in words.

    >>> strip_identifiers("Lancet. 2016;388:488-97. doi: 10.1016/S0140-6736(16)30587-6. PMID: 1.")
    'Lancet. 2016;388:488-97'
    """
    return _strip_identifiers(str(text or ""))


@functools.lru_cache(maxsize=4096)
def _strip_identifiers(text):
    # cached: the same entry text is stripped by each parser that reads it
    spans = [(i.start, i.end) for i in _identifiers_in(text)]
    if "url" in _kinds_present(text):
        spans += [(m.start(), m.end()) for m in URL_RE.finditer(text)]
    if not spans:
        return _tidy(text)
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            last = max(last, end)
            continue
        piece = text[last:start]
        if out:
            piece = piece.lstrip("]}\"'")
        piece = _drop_leadin(piece.rstrip(" [({\"'")).rstrip()
        out.append(piece)
        last = end
    out.append(text[last:].lstrip("]}\"'"))
    joined = " ".join(p.strip() for p in out)
    joined = _EMPTY_BRACKETS.sub(" ", joined)
    return _tidy(joined)


def _leadin_char(char):
    """Whether ``char`` can be part of a _LEADIN match (IGNORECASE letters, digits, space, [:=-)."""
    return char.isspace() or (char.isascii() and (char.isalnum() or char in "[:=-")) \
        or char in IGNORECASE_LOOKALIKES


def _drop_leadin(piece):
    """``_LEADIN.sub("", piece)``, searched for only in the run of lead-in characters that ends
    the piece: a match runs to the end, so it cannot start before that run (and searching
    every position of a long piece was the slow part of strip_identifiers)."""
    start = len(piece)
    while start and _leadin_char(piece[start - 1]):
        start -= 1
    match = _LEADIN.search(piece, start)
    # one match at most: it ends at the end, or before a final newline that cannot start one
    return piece[:match.start()] + piece[match.end():] if match else piece


def _tidy(text):
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _PUNCT_RUN.sub(r"\1", text)
    return text.strip(" .;,")
