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
  own is refused (``ReplyShapeError``); ``xmlread`` holds these checks, and
  reads an efetch reply in pieces; an elink reply in elink's plain grammar is
  scanned without a tree (``linkscan``), any other read by ElementTree;
- ``litgraph.entrez.reference`` reads the same replies with ``Bio.Entrez.read``,
  the library everyone uses: tests require both to give identical records on
  every fixture reply.

Each parser checks the root element (``PubmedArticleSet``, ``eSearchResult``,
``eLinkResult``, ``eSummaryResult``): any other document is a
``ReplyShapeError`` naming what came, never "no records".
"""

import html
import re
from dataclasses import dataclass, field
from typing import Optional

from ..errors import ReplyShapeError
from .linkscan import scan_links
from .xmlread import check_root, ended_children, parse_root

_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")


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
    text = " ".join(str(text).split())  # str.split and re's \s agree on what white space is
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
    known = set(record.references)  # a set, not the list, for the test: 40-53 Cites a record
    for pmid in cites:
        if pmid not in known:
            known.add(pmid)
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

def _et_find_text(element, tag) -> Optional[str]:
    """The cleaned text of ``element``'s child ``tag``, its inline markup's text kept in place
    (no spaces added): the parsers' most frequent step."""
    if element is None:
        return None
    element = element.find(tag)
    if element is None:
        return None
    # no inline markup: the element's own text; _clean written out (called ~50 times a record)
    text = "".join(element.itertext()) if len(element) else element.text
    return " ".join(text.split()) or None if text else None


def _et_id(element) -> Optional[str]:
    """``_clean(element.text)``, the text as it is when it is all digits (a PMID needs no
    cleaning: digits hold no white space)."""
    text = element.text
    return text if text and text.isdigit() else _clean(text)


def _et_all(element, outer, inner) -> list:
    """``element.findall("outer/inner")`` by two one-step finds (C speed, no ElementPath)."""
    if element is None:
        return []
    return [item for group in element.findall(outer) for item in group.findall(inner)]


def _et_ids(id_list, kind) -> list:
    if id_list is None:
        return []
    ids = []
    for item in id_list:
        if item.get("IdType", "pubmed") == kind:
            text = _et_id(item)
            if text:
                ids.append(text)
    return ids


def _et_id_texts(parent, outer) -> list:
    """The non-empty cleaned texts of ``parent/outer/Id`` (an IdList's PMIDs)."""
    ids = []
    for group in parent.findall(outer):
        for item in group.findall("Id"):
            text = _et_id(item)
            if text:
                ids.append(text)
    return ids


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
        names.append(_person(last, _et_find_text(author, "Initials"),
                             _et_find_text(author, "Suffix")))
    return names


def _person(last, initials, suffix) -> str:
    """An author as PubMed shows one: "Lavengood RW Jr" (last name, initials, suffix)."""
    return " ".join(part for part in (last, initials, suffix) if part)


def _et_pub_year(pubdate) -> Optional[int]:
    if pubdate is None:
        return None
    return _year_of(_et_find_text(pubdate, "Year") or _et_find_text(pubdate, "MedlineDate"))


def _et_references(parent) -> list:
    found = {}  # insertion-ordered: the PMIDs in the order first met, each once
    if parent is not None:
        _et_collect_references(parent, found)
    return list(found)


def _et_collect_references(parent, found: dict) -> None:
    """PMIDs of ``parent``'s ReferenceLists into ``found``: each list's own References first,
    then the lists nested in it, depth first (one dict for all levels, no list membership
    tests)."""
    for ref_list in parent.findall("ReferenceList"):
        for reference in ref_list.findall("Reference"):
            id_list = reference.find("ArticleIdList")
            for item in id_list if id_list is not None else ():
                if item.get("IdType", "pubmed") == "pubmed":
                    pmid = _et_id(item)
                    if pmid and pmid.isdigit():
                        found[pmid] = None
        _et_collect_references(ref_list, found)


def _et_comments(citation) -> list:
    out = []
    for item in _et_all(citation, "CommentsCorrectionsList", "CommentsCorrections"):
        pmid = _et_find_text(item, "PMID")  # cleaned: _digits' strip would find nothing to do
        out.append((item.get("RefType"), pmid if pmid and pmid.isdigit() else None,
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
        journal_medline_ta=_et_find_text(citation.find("MedlineJournalInfo"), "MedlineTA"),
        year=_et_pub_year(issue.find("PubDate")) if issue is not None else None,
        volume=_et_find_text(issue, "Volume"),
        issue=_et_find_text(issue, "Issue"),
        pages=_pages_of(_et_find_text(pagination, "MedlinePgn"),
                        _et_find_text(pagination, "StartPage"),
                        _et_find_text(pagination, "EndPage")) if pagination is not None else None,
        authors=[name for author_list in (art.findall("AuthorList") if art is not None else [])
                 if author_list.get("Type", "authors") == "authors"
                 for name in _et_authors(author_list)],
        publication_types=[_et_id(t) or "" for t in
                           (_et_all(art, "PublicationTypeList", "PublicationType")
                            if art is not None else [])],
        language=_et_find_text(art, "Language"),
        comments_corrections=comments,
        references=_et_references(data),
    )
    id_list = data.find("ArticleIdList") if data is not None else None
    dois, pmcids = [], []
    for item in id_list if id_list is not None else ():  # one pass for both kinds
        kind = item.get("IdType", "pubmed")
        if kind == "doi" or kind == "pmc":
            text = _et_id(item)
            if text:
                (dois if kind == "doi" else pmcids).append(text)
    for e in art.findall("ELocationID") if art is not None else ():
        if e.get("EIdType") == "doi" and e.get("ValidYN", "Y") != "N":
            text = _clean(e.text)
            if text:
                dois.append(text)
    return _finish(record, dois, pmcids, _cited(comments))


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
    records = []
    for child in ended_children(content, ("PubmedArticleSet",), "efetch",
                                ("PubmedArticle", "PubmedBookArticle")):
        records.append(_et_article(child) if child.tag == "PubmedArticle" else _et_book(child))
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
    return SearchResult(ids=_et_id_texts(root, "IdList"),
                        count=int(_et_find_text(root, "Count") or 0),
                        phrases_not_found=[_clean(p.text) or "" for p in
                                           _et_all(root, "ErrorList", "PhraseNotFound")])


def parse_elink(content: bytes, linkname: str) -> dict:
    """``{pmid: [linked pmids]}`` from an elink reply, for LinkSets about one PMID each.

    A LinkSet whose IdList holds several PMIDs is a by-group answer (NCBI's
    reply to a comma-joined ``id``): its links belong to the group, not to each
    member, so none is credited to any of them; the caller asks those PMIDs
    again, one ``id`` each.
    """
    check_root(content, ("eLinkResult",), "elink")
    scanned = scan_links(content, linkname)  # a reply in elink's plain grammar, without a tree
    return scanned if scanned is not None else parse_elink_elementtree(content, linkname)


def parse_elink_elementtree(content: bytes, linkname: str) -> dict:
    """``parse_elink`` read by ElementTree: every reply, whatever its shape."""
    links = {}
    same = {}  # each PMID's text once per reply: a work is linked from many lists
    for link_set in ended_children(content, ("eLinkResult",), "elink", ("LinkSet",)):
        ids = _et_id_texts(link_set, "IdList")
        if len(ids) != 1:
            continue
        found = links.setdefault(ids[0], [])
        seen = set(found)
        for link_db in link_set.findall("LinkSetDb"):
            if _et_find_text(link_db, "LinkName") != linkname:
                continue
            # ~400,000 links in a 20,000-PMID run: the loop is written out, PMIDs taken as they are
            for link in link_db.findall("Link"):
                for item in link.findall("Id"):
                    pmid = item.text
                    if not (pmid and pmid.isdigit()):
                        pmid = _clean(pmid)
                    if pmid and pmid not in seen:
                        seen.add(pmid)
                        found.append(same.setdefault(pmid, pmid))
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
