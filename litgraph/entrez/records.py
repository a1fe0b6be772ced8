"""Read-only views of E-utilities replies.

The client (``litgraph.entrez``) checks the raw bytes of a reply first
(status, HTML, ``<ERROR>``, truncation) and only then hands them to the
parsers here.  Records stay faithful to PubMed's data model: several DOIs or
authors are kept as lists and unknown fields stay ``None``.

Two parsers read every XML reply into the same values:

- the hot path uses ``xml.etree.ElementTree`` (expat): about five times
  faster than Bio.Entrez on a 200-record efetch reply, and it needs no DTD, so
  an ``http://`` or unknown DOCTYPE parses offline like any other.  No DTD is
  fetched and no external entity resolved; a reply declaring entities of its
  own is refused (``ReplyShapeError``);
- ``*_reference`` functions read the same replies with ``Bio.Entrez.read``,
  the library everyone uses: tests require both to give identical records on
  every fixture reply.

Each parser checks the root element (``PubmedArticleSet``, ``eSearchResult``,
``eLinkResult``, ``eSummaryResult``): any other document is a
``ReplyShapeError`` naming what came, never "no records".
"""

import functools
import html
import io
import os
import re
from dataclasses import dataclass, field
from typing import Optional
from xml.etree import ElementTree

from ..errors import ReplyShapeError

_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
_SYSTEM_ID = re.compile(rb'(<!DOCTYPE\s+\w+[^>]*?")((?:https?|ftp)://[^"]*/)?([^"/]+\.dtd)(")', re.I)


@dataclass
class PubmedRecord:
    """One PubMed record (journal article or Bookshelf chapter) as efetch gives it."""

    pmid: str
    doi: Optional[str] = None  # the first DOI (ArticleIdList first, then valid ELocationIDs), lower case
    pmcid: Optional[str] = None
    title: Optional[str] = None  # inline markup (<i>, <sub>...) dropped, its text kept in place
    journal: Optional[str] = None
    journal_iso: Optional[str] = None
    journal_medline_ta: Optional[str] = None  # MedlineJournalInfo/MedlineTA, NLM's title abbreviation
    year: Optional[int] = None  # a book chapter's own date (ContributionDate) before the book's
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    authors: list = field(default_factory=list)  # "Miller JS", or a collective name
    publication_types: list = field(default_factory=list)
    language: Optional[str] = None
    is_book: bool = False
    book_title: Optional[str] = None
    comments_corrections: list = field(default_factory=list)  # (reftype, pmid|None, refsource)
    references: list = field(default_factory=list)  # PMIDs: ReferenceList, then RefType="Cites"
    retracted: bool = False
    errata: list = field(default_factory=list)  # PMIDs (or RefSource text) of errata
    dois: list = field(default_factory=list)  # every DOI the record carries, lower case
    fetched_at: Optional[str] = None  # when the reply was fetched from the network (UTC ISO)
    editors: list = field(default_factory=list)  # a book's editors: never its authors


def normalise_title(title) -> str:
    """Lower-case words of a title without markup, punctuation or a trailing period.

    Markup is dropped without a space, so ``CO<sub>2</sub>`` stays one word.

    >>> normalise_title("Primary <i>leiomyosarcoma</i> of the kidney: a study.")
    'primary leiomyosarcoma of the kidney a study'
    >>> normalise_title("Effects of CO<sub>2</sub> on uptake")
    'effects of co2 on uptake'
    """
    if not title:
        return ""
    text = html.unescape(_TAG.sub("", str(title))).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def _clean(text) -> Optional[str]:
    """Text with runs of white space made one space, stripped; None when nothing is left."""
    if text is None:
        return None
    text = _SPACES.sub(" ", str(text)).strip()
    return text or None


def _year_of(raw) -> Optional[int]:
    match = _YEAR.search(str(raw or ""))
    return int(match.group(1)) if match else None


def _pages_of(medline, start, end) -> Optional[str]:
    if medline:
        return medline
    if start and end:
        return f"{start}-{end}"
    return start


def _finish(record: PubmedRecord, dois: list, pmcids: list, cites: list) -> PubmedRecord:
    seen = []
    for doi in dois:
        doi = (doi or "").strip().lower()
        if doi and doi not in seen:
            seen.append(doi)
    record.dois = seen
    record.doi = seen[0] if seen else None
    record.pmcid = pmcids[0] if pmcids else None
    for pmid in cites:
        if pmid not in record.references:
            record.references.append(pmid)
    record.retracted = ("Retracted Publication" in record.publication_types
                        or any(c[0] == "RetractionIn" for c in record.comments_corrections))
    record.errata = [c[1] or c[2] for c in record.comments_corrections if c[0] == "ErratumIn"]
    return record


def _cited(comments) -> list:
    """PMIDs of ``CommentsCorrections RefType="Cites"``: the record's reference list in older
    and many current records (other RefTypes keep their own meaning)."""
    return [pmid for ref_type, pmid, _source in comments if ref_type == "Cites" and pmid]


def _digits(text) -> Optional[str]:
    text = (text or "").strip()
    return text if text.isdigit() else None


# ---------------------------------------------------------------- ElementTree (hot path)

def parse_root(content: bytes, expected, what: str):
    """The root element of an XML reply, after checking it is one of ``expected``.

    No DTD is read and no external entity resolved (expat does neither for
    ElementTree); a reply that declares entities is refused before parsing.
    """
    if _ENTITY_DECLARATION.search(content[:4096]) or b"<!ENTITY" in content:
        raise ReplyShapeError(f"{what} reply declares XML entities: refused")
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise ReplyShapeError(f"{what} reply is not well-formed XML ({exc})") from None
    if root.tag not in expected:
        raise ReplyShapeError(f"{what} reply is a {root.tag} document, not "
                              f"{' or '.join(expected)}")
    return root


def _et_text(element) -> Optional[str]:
    """Text of an element with its inline markup's text kept in place (no spaces added)."""
    if element is None:
        return None
    return _clean("".join(element.itertext()))


def _et_find_text(element, path) -> Optional[str]:
    return _et_text(element.find(path)) if element is not None else None


def _et_ids(id_list, kind) -> list:
    if id_list is None:
        return []
    return [_clean(item.text) for item in id_list
            if item.get("IdType", "pubmed") == kind and _clean(item.text)]


def _et_authors(author_list) -> list:
    names = []
    for author in author_list.findall("Author") if author_list is not None else []:
        collective = _et_find_text(author, "CollectiveName")
        if collective:
            names.append(collective)
            continue
        last = _et_find_text(author, "LastName")
        if not last:
            continue
        initials = _et_find_text(author, "Initials")
        names.append(f"{last} {initials}" if initials else last)
    return names


def _et_pub_year(pubdate) -> Optional[int]:
    if pubdate is None:
        return None
    return _year_of(_et_find_text(pubdate, "Year") or _et_find_text(pubdate, "MedlineDate"))


def _et_references(parent) -> list:
    pmids = []
    for ref_list in parent.findall("ReferenceList") if parent is not None else []:
        for reference in ref_list.findall("Reference"):
            for pmid in _et_ids(reference.find("ArticleIdList"), "pubmed"):
                if pmid.isdigit() and pmid not in pmids:
                    pmids.append(pmid)
        for pmid in _et_references(ref_list):
            if pmid not in pmids:
                pmids.append(pmid)
    return pmids


def _et_comments(citation) -> list:
    out = []
    for item in citation.findall("CommentsCorrectionsList/CommentsCorrections"):
        out.append((item.get("RefType"), _digits(_et_find_text(item, "PMID")),
                    _et_find_text(item, "RefSource")))
    return out


def _et_article(article) -> PubmedRecord:
    citation = article.find("MedlineCitation")
    art = citation.find("Article")
    journal = art.find("Journal") if art is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    data = article.find("PubmedData")
    pagination = art.find("Pagination") if art is not None else None
    comments = _et_comments(citation)
    record = PubmedRecord(
        pmid=_et_find_text(citation, "PMID"),
        title=_et_find_text(art, "ArticleTitle"),
        journal=_et_find_text(journal, "Title"),
        journal_iso=_et_find_text(journal, "ISOAbbreviation"),
        journal_medline_ta=_et_find_text(citation, "MedlineJournalInfo/MedlineTA"),
        year=_et_pub_year(issue.find("PubDate")) if issue is not None else None,
        volume=_et_find_text(issue, "Volume"),
        issue=_et_find_text(issue, "Issue"),
        pages=_pages_of(_et_find_text(pagination, "MedlinePgn"),
                        _et_find_text(pagination, "StartPage"),
                        _et_find_text(pagination, "EndPage")) if pagination is not None else None,
        authors=[name for author_list in (art.findall("AuthorList") if art is not None else [])
                 if author_list.get("Type", "authors") == "authors"
                 for name in _et_authors(author_list)],
        publication_types=[_clean(t.text) or "" for t in
                           (art.findall("PublicationTypeList/PublicationType")
                            if art is not None else [])],
        language=_et_find_text(art, "Language"),
        comments_corrections=comments,
        references=_et_references(data),
    )
    id_list = data.find("ArticleIdList") if data is not None else None
    dois = _et_ids(id_list, "doi") + [
        _clean(e.text) for e in (art.findall("ELocationID") if art is not None else [])
        if e.get("EIdType") == "doi" and e.get("ValidYN", "Y") != "N" and _clean(e.text)]
    return _finish(record, dois, _et_ids(id_list, "pmc"), _cited(comments))


def _et_book(book) -> PubmedRecord:
    document = book.find("BookDocument")
    about = document.find("Book")
    data = book.find("PubmedBookData")
    lists = [(a, True) for a in document.findall("AuthorList")]
    lists += [(a, False) for a in (about.findall("AuthorList") if about is not None else [])]
    chapter = document.find("ArticleTitle") is not None
    authors, editors = [], []
    for author_list, own in lists:
        if author_list.get("Type", "authors") == "editors":
            editors.extend(_et_authors(author_list))
        elif own or not chapter:  # a chapter's authors are its own, never the book's
            authors.extend(_et_authors(author_list))
    contribution = document.find("ContributionDate")
    record = PubmedRecord(
        pmid=_et_find_text(document, "PMID"),
        title=_et_find_text(document, "ArticleTitle") or _et_find_text(about, "BookTitle"),
        year=(_et_pub_year(contribution) if contribution is not None else None)
        or (_et_pub_year(about.find("PubDate")) if about is not None else None),
        authors=list(dict.fromkeys(authors)),
        editors=list(dict.fromkeys(editors)),
        publication_types=[_clean(t.text) or "" for t in document.findall("PublicationType")],
        language=_et_find_text(document, "Language"),
        is_book=True,
        book_title=_et_find_text(about, "BookTitle"),
        references=_et_references(document),
    )
    ids = []
    for parent in (document, data):
        id_list = parent.find("ArticleIdList") if parent is not None else None
        ids.extend(id_list if id_list is not None else [])
    return _finish(record, _et_ids(ids, "doi"), _et_ids(ids, "pmc"), [])


def parse_pubmed(content: bytes) -> list:
    """PubmedRecords from an efetch ``db=pubmed retmode=xml`` reply (articles and books)."""
    root = parse_root(content, ("PubmedArticleSet",), "efetch")
    records = []
    for child in root:
        if child.tag == "PubmedArticle":
            records.append(_et_article(child))
        elif child.tag == "PubmedBookArticle":
            records.append(_et_book(child))
    # Bio.Entrez lists articles first, then books: keep the same order
    return [r for r in records if not r.is_book] + [r for r in records if r.is_book]


@dataclass
class SearchResult:
    """An esearch reply: the matching PMIDs (in NCBI's order) and the total count."""

    ids: list
    count: int
    phrases_not_found: list = field(default_factory=list)


def parse_esearch(content: bytes) -> SearchResult:
    root = parse_root(content, ("eSearchResult",), "esearch")
    return SearchResult(ids=[_clean(i.text) for i in root.findall("IdList/Id") if _clean(i.text)],
                        count=int(_et_find_text(root, "Count") or 0),
                        phrases_not_found=[_clean(p.text) or "" for p in
                                           root.findall("ErrorList/PhraseNotFound")])


def parse_elink(content: bytes, linkname: str) -> dict:
    """``{pmid: [linked pmids]}`` from an elink reply, for LinkSets about one PMID each.

    A LinkSet whose IdList holds several PMIDs is a by-group answer (NCBI's
    reply to a comma-joined ``id``): its links belong to the group, not to each
    member, so none is credited to any of them; the caller asks those PMIDs
    again, one ``id`` each.
    """
    root = parse_root(content, ("eLinkResult",), "elink")
    links = {}
    for link_set in root.findall("LinkSet"):
        ids = [i for i in (_clean(e.text) for e in link_set.findall("IdList/Id")) if i]
        if len(ids) != 1:
            continue
        found = links.setdefault(ids[0], [])
        for link_db in link_set.findall("LinkSetDb"):
            if _et_find_text(link_db, "LinkName") == linkname:
                for link in link_db.findall("Link/Id"):
                    pmid = _clean(link.text)
                    if pmid and pmid not in found:
                        found.append(pmid)
    return links


def _summary(pmid, items) -> dict:
    doi = items.get("DOI") or items.get("ArticleIds", {}).get("doi")
    return {"pmid": pmid, "title": items.get("Title"),
            "year": _year_of(items.get("PubDate")),
            "journal": items.get("Source") or items.get("FullJournalName"),
            "authors": items.get("AuthorList", []), "doi": doi.lower() if doi else None,
            "publication_types": items.get("PubTypeList", [])}


def _et_items(parent) -> dict:
    items = {}
    for item in parent.findall("Item"):
        if item.get("Type") == "List":
            children = item.findall("Item")
            if item.get("Name") == "ArticleIds":
                items["ArticleIds"] = {c.get("Name"): _clean(c.text) for c in children}
            else:
                items[item.get("Name")] = [_clean(c.text) or "" for c in children]
        else:
            items[item.get("Name")] = _clean(item.text)
    return items


def parse_esummary(content: bytes) -> dict:
    """``{pmid: {title, year, journal, authors, doi, publication_types}}`` from esummary (v1 XML).

    An ``<ERROR>`` about one UID (esummary's answer for a UID it does not
    know) leaves the other summaries standing.
    """
    root = parse_root(content, ("eSummaryResult",), "esummary")
    out = {}
    for summary in root.findall("DocSum"):
        pmid = _et_find_text(summary, "Id")
        if pmid:
            out[pmid] = _summary(pmid, _et_items(summary))
    return out


def parse_ecitmatch(text: str, keys) -> dict:
    """``{key: result}`` from ecitmatch's text lines, found by the key sent, never by position.

    NCBI echoes each citation with the key in the field before the result;
    the echoed journal, author or spacing may differ from what was sent, so
    only the key is trusted (found from the end of the line, case-insensitively).
    The result is the PMID, or NCBI's words (``NOT_FOUND``, ``AMBIGUOUS ...``);
    a key with no line at all gets ``"no answer"``.

    >>> parse_ecitmatch("SCIENCE|1987|235|182|PALMENBERG AC|LG-1|3026048\\n", ["lg-1", "lg-2"])
    {'lg-1': '3026048', 'lg-2': 'no answer'}
    """
    wanted = {str(k).strip().lower(): k for k in keys}
    results = {}
    for line in text.splitlines():
        fields = [f.strip() for f in line.strip().split("|")]
        while fields and not fields[-1]:
            fields.pop()
        for index in range(len(fields) - 1, -1, -1):
            key = wanted.get(fields[index].lower())
            if key is not None:
                tail = [f for f in fields[index + 1:] if f]
                results.setdefault(key, tail[-1] if tail else "no answer")
                break
    return {key: results.get(key, "no answer") for key in wanted.values()}


# ---------------------------------------------------------------- Bio.Entrez (reference)

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
        initials = _bio_text(author.get("Initials"))
        names.append(f"{last} {initials}" if initials else last)
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
