"""Bio.Entrez readings of the same replies: the reference the fast parsers in ``records`` are held to."""

import functools
import html
import io
import os
import re
from typing import Optional

from ..errors import ReplyShapeError
from .records import (_TAG, PubmedRecord, SearchResult, _cited, _clean, _digits, _finish,
                      _pages_of, _person, _summary, _year_of)

_SYSTEM_ID = re.compile(rb'(<!DOCTYPE\s+\w+[^>]*?")((?:https?|ftp)://[^"]*/)?([^"/]+\.dtd)(")', re.I)


def with_secure_system_id(content: bytes) -> bytes:
    """The reply with its DOCTYPE system id pointed at NCBI over https, keeping the DTD's file
    name: Bio.Entrez 1.88 refuses ``http://`` and ftp ids ("Expected secure URL to NCBI")
    and looks DTDs up by file name anyway."""
    head = content[:1000]
    fixed = _SYSTEM_ID.sub(lambda m: m.group(1) + b"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/"
                           + m.group(3) + m.group(4), head, count=1)
    return fixed + content[1000:]


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
    head = content[:1000]
    match = _PUBMED_DTD.search(head)
    known = _known_pubmed_dtds()
    if not match or not known or match.group(0).decode() in known:
        return content
    return head.replace(match.group(0), known[0].encode(), 1) + content[1000:]


def read_xml(content: bytes, ignore_errors=False):
    """Parse an E-utilities XML reply with Bio.Entrez, offline: validation off (NCBI adds
    elements), the system id made secure, a newer PubMed DTD mapped to a bundled one, and
    text escaped so that inline markup can be told from the text's own ``<``."""
    from Bio import Entrez

    content = with_known_pubmed_dtd(with_secure_system_id(content))
    return Entrez.read(io.BytesIO(content), validate=False, ignore_errors=ignore_errors,
                       escape=True)


def _bio_text(value) -> Optional[str]:
    """Bio.Entrez's escaped text (inline markup kept raw) as plain text."""
    if value is None:
        return None
    return _clean(html.unescape(_TAG.sub("", str(value))))


def _bio_ids(id_list, kind) -> list:
    out = []
    for item in id_list or []:
        attrs = getattr(item, "attributes", {}) or {}
        if attrs.get("IdType", "pubmed") == kind and _bio_text(item):
            out.append(_bio_text(item))
    return out


def _bio_authors(author_list) -> list:
    names = []
    for author in author_list or []:
        if not isinstance(author, dict):
            continue
        if _bio_text(author.get("CollectiveName")):
            names.append(_bio_text(author["CollectiveName"]))
            continue
        last = _bio_text(author.get("LastName"))
        if not last:
            continue
        names.append(_person(last, _bio_text(author.get("Initials")),
                             _bio_text(author.get("Suffix"))))
    return names


def _bio_author_lists(value) -> list:
    """Bio.Entrez gives one AuthorList as a list of authors, several as a list of lists."""
    if not value:
        return []
    if getattr(value, "attributes", None) is not None and all(isinstance(a, dict) for a in value):
        return [value]
    return [v for v in value if isinstance(v, list)]


def _list_type(author_list) -> str:
    return (getattr(author_list, "attributes", {}) or {}).get("Type", "authors")


def _bio_year(pubdate) -> Optional[int]:
    if not pubdate:
        return None
    return _year_of(_bio_text(pubdate.get("Year")) or _bio_text(pubdate.get("MedlineDate")))


def _bio_pages(pagination) -> Optional[str]:
    if not pagination:
        return None
    return _pages_of(_bio_text(pagination.get("MedlinePgn")), _bio_text(pagination.get("StartPage")),
                     _bio_text(pagination.get("EndPage")))


def _bio_references(reference_lists) -> list:
    pmids = []
    for ref_list in reference_lists or []:
        for reference in ref_list.get("Reference", []):
            for pmid in _bio_ids(reference.get("ArticleIdList"), "pubmed"):
                if pmid.isdigit() and pmid not in pmids:
                    pmids.append(pmid)
        for pmid in _bio_references(ref_list.get("ReferenceList", [])):
            if pmid not in pmids:
                pmids.append(pmid)
    return pmids


def _bio_comments(comments_list) -> list:
    out = []
    for item in comments_list or []:
        attrs = getattr(item, "attributes", {}) or {}
        out.append((attrs.get("RefType"), _digits(_bio_text(item.get("PMID"))),
                    _bio_text(item.get("RefSource"))))
    return out


def _bio_article(article) -> PubmedRecord:
    citation = article["MedlineCitation"]
    art = citation.get("Article", {})
    journal = art.get("Journal", {})
    issue = journal.get("JournalIssue", {})
    data = article.get("PubmedData", {})
    languages = art.get("Language", [])
    comments = _bio_comments(citation.get("CommentsCorrectionsList"))
    authors = []
    for author_list in _bio_author_lists(art.get("AuthorList")):
        if _list_type(author_list) == "authors":
            authors.extend(_bio_authors(author_list))
    record = PubmedRecord(
        pmid=_bio_text(citation["PMID"]),
        title=_bio_text(art.get("ArticleTitle")),
        journal=_bio_text(journal.get("Title")),
        journal_iso=_bio_text(journal.get("ISOAbbreviation")),
        journal_medline_ta=_bio_text((citation.get("MedlineJournalInfo") or {}).get("MedlineTA")),
        year=_bio_year(issue.get("PubDate")),
        volume=_bio_text(issue.get("Volume")),
        issue=_bio_text(issue.get("Issue")),
        pages=_bio_pages(art.get("Pagination")),
        authors=authors,
        publication_types=[_bio_text(t) or "" for t in art.get("PublicationTypeList", [])],
        language=_bio_text(languages[0]) if languages else None,
        comments_corrections=comments,
        references=_bio_references(data.get("ReferenceList")),
    )
    dois = _bio_ids(data.get("ArticleIdList"), "doi") + [
        _bio_text(e) for e in art.get("ELocationID", [])
        if (getattr(e, "attributes", {}) or {}).get("EIdType") == "doi"
        and (getattr(e, "attributes", {}) or {}).get("ValidYN", "Y") != "N" and _bio_text(e)]
    return _finish(record, dois, _bio_ids(data.get("ArticleIdList"), "pmc"), _cited(comments))


def _bio_book(book) -> PubmedRecord:
    document = book["BookDocument"]
    about = document.get("Book", {})
    data = book.get("PubmedBookData", {})
    chapter = document.get("ArticleTitle") is not None
    authors, editors = [], []
    lists = [(a, True) for a in _bio_author_lists(document.get("AuthorList"))]
    lists += [(a, False) for a in _bio_author_lists(about.get("AuthorList"))]
    for author_list, own in lists:
        if _list_type(author_list) == "editors":
            editors.extend(_bio_authors(author_list))
        elif own or not chapter:
            authors.extend(_bio_authors(author_list))
    languages = document.get("Language", [])
    record = PubmedRecord(
        pmid=_bio_text(document["PMID"]),
        title=_bio_text(document.get("ArticleTitle")) or _bio_text(about.get("BookTitle")),
        year=_bio_year(document.get("ContributionDate")) or _bio_year(about.get("PubDate")),
        authors=list(dict.fromkeys(authors)),
        editors=list(dict.fromkeys(editors)),
        publication_types=[_bio_text(t) or "" for t in document.get("PublicationType", [])],
        language=_bio_text(languages[0]) if languages else None,
        is_book=True,
        book_title=_bio_text(about.get("BookTitle")),
        references=_bio_references(document.get("ReferenceList")),
    )
    ids = list(document.get("ArticleIdList", [])) + list(data.get("ArticleIdList", []))
    return _finish(record, _bio_ids(ids, "doi"), _bio_ids(ids, "pmc"), [])


def parse_pubmed_reference(content: bytes) -> list:
    """``parse_pubmed`` done with Bio.Entrez: the reference the fast parser is held to."""
    data = read_xml(content)
    if not isinstance(data, dict) or not ({"PubmedArticle", "PubmedBookArticle"} & set(data)):
        raise ReplyShapeError("efetch reply is not a PubmedArticleSet")
    return ([_bio_article(a) for a in data.get("PubmedArticle", [])]
            + [_bio_book(b) for b in data.get("PubmedBookArticle", [])])


def parse_esearch_reference(content: bytes) -> SearchResult:
    """``parse_esearch`` done with Bio.Entrez."""
    data = read_xml(content)
    errors = data.get("ErrorList") or {}
    return SearchResult(ids=[_bio_text(i) for i in data.get("IdList", []) if _bio_text(i)],
                        count=int(data.get("Count", 0) or 0),
                        phrases_not_found=[_bio_text(p) or "" for p in
                                           errors.get("PhraseNotFound", [])])


def parse_elink_reference(content: bytes, linkname: str) -> dict:
    """``parse_elink`` done with Bio.Entrez."""
    links = {}
    for link_set in read_xml(content, ignore_errors=True):
        if not isinstance(link_set, dict):
            continue
        ids = [i for i in (_bio_text(x) for x in link_set.get("IdList", [])) if i]
        if len(ids) != 1:
            continue
        found = links.setdefault(ids[0], [])
        for link_db in link_set.get("LinkSetDb", []):
            if _bio_text(link_db.get("LinkName")) == linkname:
                for link in link_db.get("Link", []):
                    pmid = _bio_text(link.get("Id"))
                    if pmid and pmid not in found:
                        found.append(pmid)
    return links


def parse_esummary_reference(content: bytes) -> dict:
    """``parse_esummary`` done with Bio.Entrez."""
    out = {}
    for summary in read_xml(content, ignore_errors=True):
        if not isinstance(summary, dict):
            continue  # an <ERROR> for a UID esummary does not know
        pmid = _bio_text(summary.get("Id"))
        if not pmid:
            continue
        items = {}
        for name, value in summary.items():
            if name == "Id":
                continue
            if name == "ArticleIds" and isinstance(value, dict):
                items[name] = {k: _bio_text(v) for k, v in value.items()}
            elif isinstance(value, list):
                items[name] = [_bio_text(v) or "" for v in value]
            else:
                items[name] = _bio_text(value)
        out[pmid] = _summary(pmid, items)
    return out
