"""The stand-in's E-utilities: request parameters in, an Answer (status, type, body) out.

No HTTP here: :func:`answer` is a pure function of the catalogue, the
endpoint name and the request parameters, so it is tested without a socket.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import InputError
from . import render
from .query import QueryTooComplex, search
from .catalogue import Catalogue

XML = "text/xml; charset=UTF-8"
JSON = "application/json; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"
HTML = "text/html; charset=UTF-8"
ENDPOINTS = ("efetch.fcgi", "esearch.fcgi", "esummary.fcgi", "elink.fcgi", "ecitmatch.cgi")
DEFAULT_RETMAX = 20
MAX_RETMAX = 10_000


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, Content-Type and body text."""

    status: int
    content_type: str
    body: str


def values(params: list[tuple[str, str]], name: str) -> list[str]:
    """Every value of parameter ``name`` (repeated parameters keep their order)."""
    return [value for key, value in params if key == name]


def first(params: list[tuple[str, str]], name: str, default: str = "") -> str:
    found = values(params, name)
    return found[0].strip() if found else default


def id_list(raw_values: list[str]) -> list[str]:
    """UIDs from ``id`` values (comma lists, decoded %2C), digits only, leading zeros dropped, de-duplicated."""
    found: dict[str, None] = {}
    for raw in raw_values:
        for part in raw.split(","):
            part = part.strip()
            if part.isdigit() and part.lstrip("0"):
                found.setdefault(part.lstrip("0"))
    return list(found)


def answer(catalogue: Catalogue, endpoint: str, params: list[tuple[str, str]],
           shapes=frozenset()) -> Answer:
    """Answer one E-utilities request as NCBI would, from the catalogue, in the reply
    ``shapes`` asked for (``render.SHAPES``)."""
    if "wrong-root" in shapes and endpoint in ("efetch.fcgi", "esearch.fcgi", "esummary.fcgi",
                                               "elink.fcgi"):
        return Answer(200, XML, render.wrong_root_xml())
    handler = {
        "efetch.fcgi": efetch,
        "esearch.fcgi": esearch,
        "esummary.fcgi": esummary,
        "elink.fcgi": elink,
        "ecitmatch.cgi": ecitmatch,
    }.get(endpoint)
    if handler is None:
        return Answer(404, HTML, render.html_error_page(f"404 Not Found: {endpoint}"))
    return handler(catalogue, params, frozenset(shapes))


def _db_error(params, name="db") -> str | None:
    db = first(params, name, "pubmed").lower()
    return None if db == "pubmed" else f"Invalid db name specified: {db}"


RETTYPES_AS_XML = ("", "xml", "abstract")  # what clients send for PubMed's XML


def efetch(catalogue: Catalogue, params, shapes=frozenset()) -> Answer:
    """PubmedArticleSet for the known ids; NCBI's eFetchResult error when none is valid.

    Takes what other clients send: ``id`` as one comma list or repeated, by GET
    or POST, with ``retmode=xml`` and any ``rettype`` PubMed answers in XML, or
    ``rettype=xml`` with any ``retmode``.
    """
    problem = _db_error(params)
    if problem:
        return Answer(200, XML, render.efetch_error_xml(problem, shapes))
    retmode = first(params, "retmode", "xml").lower()
    rettype = first(params, "rettype").lower()
    # rettype=xml is XML whatever the retmode: metapub asks rettype=xml&retmode=text and
    # parses NCBI's answer as XML.
    if not (rettype == "xml" or (retmode == "xml" and rettype in RETTYPES_AS_XML)):
        return Answer(200, XML, render.efetch_error_xml(
            f"retmode={retmode} rettype={rettype} is not served by the litgraph stand-in "
            "(only XML)", shapes))
    pmids = id_list(values(params, "id"))
    if not pmids:
        return Answer(200, XML, render.efetch_error_xml(
            "ID list is empty! Possibly it has no correct IDs.", shapes))
    return Answer(200, XML, render.efetch_xml(catalogue, pmids, shapes))


def _int_param(params, name, default, upper) -> int:
    raw = first(params, name, str(default))
    if not raw.isdigit():
        raise InputError(f"'{name}' must be a whole number, not {raw!r}")
    return min(int(raw), upper)


def esearch(catalogue: Catalogue, params, shapes=frozenset()) -> Answer:
    """eSearchResult (XML, or JSON with retmode=json) for the term."""
    as_json = first(params, "retmode").lower() == "json"

    def error(message):
        if as_json:
            return Answer(200, JSON, render.esearch_error_json(message))
        return Answer(200, XML, render.esearch_error_xml(message, shapes))

    problem = _db_error(params)
    if problem:
        return error(problem)
    term = first(params, "term")
    if not term:
        return error("Empty term and query_key - nothing todo")
    try:
        retmax = _int_param(params, "retmax", DEFAULT_RETMAX, MAX_RETMAX)
        retstart = _int_param(params, "retstart", 0, 10 ** 9)
        if retstart > 9998:
            return error("'retstart' cannot be larger than 9998. For PubMed, ESearch can only "
                         "retrieve the first 9,999 records matching the query.")
        result = search(catalogue, term)
    except QueryTooComplex:
        raise  # a bad request: the server answers 400
    except InputError as problem:
        return error(str(problem))
    history = _history(params, term)
    if as_json:
        return Answer(200, JSON, render.esearch_json(result, retstart, retmax, history))
    return Answer(200, XML, render.esearch_xml(result, retstart, retmax, shapes, history))


def _history(params, term: str):
    """``(query_key, WebEnv)`` for ``usehistory=y``: the WebEnv sent, or one named after the term.

    The stand-in keeps no history: a later request pages through the search by
    sending its term again (as entrezpy does); efetch by ``query_key`` is not served.
    """
    if first(params, "usehistory").lower() != "y":
        return None
    webenv = first(params, "WebEnv") or "MCID_" + hashlib.sha256(term.encode()).hexdigest()[:24]
    return first(params, "query_key") or "1", webenv


def esummary(catalogue: Catalogue, params, shapes=frozenset()) -> Answer:
    """eSummaryResult version 1.0."""
    problem = _db_error(params)
    if problem:
        return Answer(200, XML, render.esummary_error_xml(problem, shapes))
    if first(params, "version", "1.0") != "1.0" or first(params, "retmode", "xml").lower() != "xml":
        return Answer(200, XML, render.esummary_error_xml(
            "the litgraph stand-in serves esummary version 1.0 XML only", shapes))
    uids = id_list(values(params, "id"))
    if not uids:
        return Answer(200, XML, render.esummary_error_xml("Empty id list - nothing todo", shapes))
    return Answer(200, XML, render.esummary_xml(catalogue, uids, shapes))


def elink(catalogue: Catalogue, params, shapes=frozenset()) -> Answer:
    """eLinkResult with pubmed_pubmed_refs / pubmed_pubmed_citedin links, or from pmc to pubmed
    the PubMed record of each PMC number (pmc_pubmed); JSON with retmode=json."""
    dbfrom = first(params, "dbfrom", "pubmed").lower()
    problem = (None if dbfrom == "pmc" else _db_error(params, "dbfrom")) or _db_error(params, "db")
    if problem:
        return Answer(200, XML, render.elink_error_xml(problem, shapes))
    command = first(params, "cmd", "neighbor")
    if command != "neighbor":
        return Answer(200, XML, render.elink_error_xml(
            f"cmd={command} is not served by the litgraph stand-in (only cmd=neighbor)", shapes))
    groups = [group for group in (id_list([raw]) for raw in values(params, "id")) if group]
    if not groups:
        return Answer(200, XML, render.elink_error_xml("Empty id list - nothing todo", shapes))
    link_name = first(params, "linkname")
    link_names = (link_name,) if link_name else \
        ("pmc_pubmed",) if dbfrom == "pmc" else render.LINK_NAMES
    if first(params, "retmode").lower() == "json":
        return Answer(200, JSON, render.elink_json(catalogue, groups, link_names, shapes, dbfrom))
    return Answer(200, XML, render.elink_xml(catalogue, groups, link_names, shapes, dbfrom))


def ecitmatch(catalogue: Catalogue, params, shapes=frozenset()) -> Answer:
    """Plain text, one line per citation, even with retmode=xml (as NCBI does)."""
    bdata = first(params, "bdata")
    if not bdata:
        return Answer(200, TEXT, "")
    return Answer(200, TEXT, render.ecitmatch_text(catalogue, "\r".join(values(params, "bdata")),
                                                   shapes))
