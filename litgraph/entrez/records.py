"""Read-only views of E-utilities replies, built from ``Bio.Entrez.read`` results.

The client in ``entrez.py`` checks the raw bytes of a reply first (status,
HTML, ``<ERROR>``, truncation) and only then hands them to the parsers here.
Records stay faithful to PubMed's data model: several DOIs or authors are kept
as lists, unknown fields stay ``None``, titles keep NCBI's inline markup (use
``normalise_title`` to compare them).
"""

import functools
import io
import os
import re
from xml.etree import ElementTree
from dataclasses import dataclass, field
from typing import Optional

from Bio import Entrez

_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass
class PubmedRecord:
    """One PubMed record (journal article or Bookshelf chapter) as efetch gives it."""

    pmid: str
    doi: Optional[str] = None  # the first DOI (ELocationID first, then ArticleIdList), lower case
    pmcid: Optional[str] = None
    title: Optional[str] = None
    journal: Optional[str] = None
    journal_iso: Optional[str] = None
    journal_medline_ta: Optional[str] = None  # MedlineJournalInfo/MedlineTA, NLM's title abbreviation
    year: Optional[int] = None
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    authors: list = field(default_factory=list)  # "Miller JS", or a collective name
    publication_types: list = field(default_factory=list)
    language: Optional[str] = None
    is_book: bool = False
    book_title: Optional[str] = None
    comments_corrections: list = field(default_factory=list)  # (reftype, pmid|None, refsource)
    references: list = field(default_factory=list)  # PMIDs from PubmedData/ReferenceList
    retracted: bool = False
    errata: list = field(default_factory=list)  # PMIDs (or RefSource text) of errata
    dois: list = field(default_factory=list)  # every DOI the record carries, lower case
    fetched_at: Optional[str] = None  # when the reply was fetched from the network (UTC ISO)


def normalise_title(title) -> str:
    """Lower-case words of a title without markup, punctuation or a trailing period.

    >>> normalise_title("Primary <i>leiomyosarcoma</i> of the kidney: a study.")
    'primary leiomyosarcoma of the kidney a study'
    """
    if not title:
        return ""
    text = _TAG.sub(" ", str(title)).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def read_xml(content: bytes, ignore_errors=False):
    """Parse an E-utilities XML reply with Bio.Entrez (validation off: NCBI adds elements)."""
    return Entrez.read(io.BytesIO(content), validate=False, ignore_errors=ignore_errors)


def _text(value) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _year(pubdate) -> Optional[int]:
    if not pubdate:
        return None
    raw = pubdate.get("Year") or pubdate.get("MedlineDate") or ""
    match = re.search(r"\b(1[6-9]\d\d|20\d\d)\b", str(raw))
    return int(match.group(1)) if match else None


def _ids_of_type(id_list, kind) -> list:
    out = []
    for item in id_list or []:
        attrs = getattr(item, "attributes", {}) or {}
        if attrs.get("IdType", attrs.get("EIdType")) == kind and _text(item):
            out.append(str(item).strip())
    return out


def _authors(author_list) -> list:
    names = []
    for author in author_list or []:
        if not isinstance(author, dict):
            continue
        if author.get("CollectiveName"):
            names.append(str(author["CollectiveName"]).strip())
            continue
        last = _text(author.get("LastName"))
        if not last:
            continue
        initials = _text(author.get("Initials"))
        names.append(f"{last} {initials}" if initials else last)
    return names


def _pages(pagination) -> Optional[str]:
    if not pagination:
        return None
    if pagination.get("MedlinePgn"):
        return _text(pagination["MedlinePgn"])
    start, end = _text(pagination.get("StartPage")), _text(pagination.get("EndPage"))
    if start and end:
        return f"{start}-{end}"
    return start


def _references(reference_lists) -> list:
    pmids = []
    for ref_list in reference_lists or []:
        for reference in ref_list.get("Reference", []):
            for pmid in _ids_of_type(reference.get("ArticleIdList"), "pubmed"):
                if pmid.isdigit() and pmid not in pmids:
                    pmids.append(pmid)
        for pmid in _references(ref_list.get("ReferenceList", [])):
            if pmid not in pmids:
                pmids.append(pmid)
    return pmids


def _comments(comments_list) -> list:
    out = []
    for item in comments_list or []:
        attrs = getattr(item, "attributes", {}) or {}
        pmid = _text(item.get("PMID"))
        out.append((attrs.get("RefType"), pmid if pmid and pmid.isdigit() else None,
                    _text(item.get("RefSource"))))
    return out


def _finish(record: PubmedRecord, dois: list, pmcids: list) -> PubmedRecord:
    seen = []
    for doi in dois:
        doi = doi.strip().lower()
        if doi and doi not in seen:
            seen.append(doi)
    record.dois = seen
    record.doi = seen[0] if seen else None
    record.pmcid = pmcids[0] if pmcids else None
    record.retracted = ("Retracted Publication" in record.publication_types
                        or any(c[0] == "RetractionIn" for c in record.comments_corrections))
    record.errata = [c[1] or c[2] for c in record.comments_corrections if c[0] == "ErratumIn"]
    return record


def _article(article) -> PubmedRecord:
    citation = article["MedlineCitation"]
    art = citation.get("Article", {})
    journal = art.get("Journal", {})
    issue = journal.get("JournalIssue", {})
    data = article.get("PubmedData", {})
    languages = art.get("Language", [])
    record = PubmedRecord(
        pmid=str(citation["PMID"]).strip(),
        title=_text(art.get("ArticleTitle")),
        journal=_text(journal.get("Title")),
        journal_iso=_text(journal.get("ISOAbbreviation")),
        journal_medline_ta=_text((citation.get("MedlineJournalInfo") or {}).get("MedlineTA")),
        year=_year(issue.get("PubDate")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        pages=_pages(art.get("Pagination")),
        authors=_authors(art.get("AuthorList")),
        publication_types=[str(t).strip() for t in art.get("PublicationTypeList", [])],
        language=_text(languages[0]) if languages else None,
        comments_corrections=_comments(citation.get("CommentsCorrectionsList")),
        references=_references(data.get("ReferenceList")),
    )
    dois = _ids_of_type(art.get("ELocationID"), "doi") + _ids_of_type(data.get("ArticleIdList"), "doi")
    return _finish(record, dois, _ids_of_type(data.get("ArticleIdList"), "pmc"))


def _book(book) -> PubmedRecord:
    document = book["BookDocument"]
    about = document.get("Book", {})
    data = book.get("PubmedBookData", {})
    authors = []
    for author_list in document.get("AuthorList", []) or about.get("AuthorList", []):
        authors.extend(_authors(author_list))
    languages = document.get("Language", [])
    record = PubmedRecord(
        pmid=str(document["PMID"]).strip(),
        title=_text(document.get("ArticleTitle")) or _text(about.get("BookTitle")),
        year=_year(about.get("PubDate")),
        authors=authors,
        publication_types=[str(t).strip() for t in document.get("PublicationType", [])],
        language=_text(languages[0]) if languages else None,
        is_book=True,
        book_title=_text(about.get("BookTitle")),
        references=_references(document.get("ReferenceList")),
    )
    ids = list(document.get("ArticleIdList", [])) + list(data.get("ArticleIdList", []))
    return _finish(record, _ids_of_type(ids, "doi"), _ids_of_type(ids, "pmc"))


_PUBMED_DTD = re.compile(rb"pubmed_(\d{6})\.dtd")


@functools.lru_cache(maxsize=1)
def _known_pubmed_dtds() -> tuple:
    """PubMed DTD names Bio.Entrez has on disk (bundled, or in its local cache)."""
    from Bio.Entrez.Parser import DataHandler

    names = set()
    for folder in (DataHandler.global_dtd_dir, DataHandler.local_dtd_dir):
        try:
            names.update(n for n in os.listdir(folder) if _PUBMED_DTD.fullmatch(n.encode()))
        except OSError:
            continue
    # newest first: the names carry yymmdd
    return tuple(sorted(names, key=lambda n: n[7:13], reverse=True))


def with_known_pubmed_dtd(content: bytes) -> bytes:
    """The reply with its PubMed DTD name swapped for the newest one on disk, when NCBI names
    a newer one (e.g. pubmed_260101.dtd, which Biopython 1.88 does not bundle), so that
    Bio.Entrez never downloads a DTD; validation is off, so new elements are skipped."""
    head = content[:600]
    match = _PUBMED_DTD.search(head)
    known = _known_pubmed_dtds()
    if not match or not known or match.group(0).decode() in known:
        return content
    return head.replace(match.group(0), known[0].encode(), 1) + content[600:]


def parse_pubmed(content: bytes) -> list:
    """PubmedRecords from an efetch ``db=pubmed retmode=xml`` reply (articles and books)."""
    data = read_xml(with_known_pubmed_dtd(content))
    if not isinstance(data, dict):
        raise ValueError("efetch reply is not a PubmedArticleSet")
    return ([_article(a) for a in data.get("PubmedArticle", [])]
            + [_book(b) for b in data.get("PubmedBookArticle", [])])


@dataclass
class SearchResult:
    """An esearch reply: the matching PMIDs (in NCBI's order) and the total count."""

    ids: list
    count: int
    phrases_not_found: list = field(default_factory=list)


def parse_esearch(content: bytes) -> SearchResult:
    data = read_xml(content)
    errors = data.get("ErrorList") or {}
    return SearchResult(ids=[str(i) for i in data.get("IdList", [])],
                        count=int(data.get("Count", 0) or 0),
                        phrases_not_found=[str(p) for p in errors.get("PhraseNotFound", [])])


def parse_elink(content: bytes, linkname: str) -> dict:
    """``{pmid: [linked pmids]}`` from an elink reply sent with one ``id=`` per PMID.

    Read with ElementTree rather than Bio.Entrez: elink replies for 200 PMIDs
    hold thousands of links, and this flat shape needs no DTD (Bio.Entrez
    took 80% of a warm 5,000-reference run here).  The reply's bytes are
    checked by the client before this runs.
    """
    root = ElementTree.fromstring(content)
    if root.tag != "eLinkResult":
        raise ValueError(f"elink reply is not an eLinkResult but {root.tag}")
    links = {}
    for link_set in root.iter("LinkSet"):
        ids = [(i.text or "").strip() for i in link_set.findall("IdList/Id")]
        ids = [i for i in ids if i]
        if not ids:
            continue
        found = {}
        for link_db in link_set.findall("LinkSetDb"):
            if (link_db.findtext("LinkName") or "").strip() == linkname:
                for link in link_db.findall("Link/Id"):
                    if link.text and link.text.strip():
                        found[link.text.strip()] = None
        for pmid in ids:
            links[pmid] = list(dict.fromkeys(links.get(pmid, []) + list(found)))
    return links


def parse_esummary(content: bytes) -> dict:
    """``{pmid: {title, year, journal, authors, doi, publication_types}}`` from esummary (v1 XML)."""
    out = {}
    for summary in read_xml(content, ignore_errors=True):
        if not isinstance(summary, dict):
            continue  # an <ERROR> for a UID esummary does not know
        pmid = str(summary.get("Id", "")).strip()
        if not pmid:
            continue
        article_ids = summary.get("ArticleIds") or {}
        doi = _text(summary.get("DOI")) or _text(article_ids.get("doi") if isinstance(article_ids, dict) else None)
        out[pmid] = {
            "pmid": pmid,
            "title": _text(summary.get("Title")),
            "year": _year({"Year": summary.get("PubDate")}),
            "journal": _text(summary.get("Source")) or _text(summary.get("FullJournalName")),
            "authors": [str(a) for a in summary.get("AuthorList", [])],
            "doi": doi.lower() if doi else None,
            "publication_types": [str(t) for t in summary.get("PubTypeList", [])],
        }
    return out


def parse_ecitmatch(text: str, keys) -> dict:
    """``{key: result}`` from ecitmatch's text lines, found by key, never by position.

    The result is the PMID, or NCBI's words (``NOT_FOUND``, ``AMBIGUOUS ...``);
    a key with no line at all gets ``"no answer"``.
    """
    keys = set(keys)
    results = {}
    for line in text.splitlines():
        fields = [f.strip() for f in line.strip().split("|")]
        for index, value in enumerate(fields):
            if value in keys:
                tail = [f for f in fields[index + 1:] if f]
                results[value] = tail[0] if tail else "no answer"
                break
    return {key: results.get(key, "no answer") for key in keys}
