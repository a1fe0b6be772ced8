"""A fixture record as NCBI's ``PubmedArticle`` or ``PubmedBookArticle`` element (ElementTree, DTD order)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from .catalogue import Catalogue
from .records import Record

LANGUAGE_NAMES = {"eng": "English", "dut": "Dutch", "fre": "French", "ger": "German", "spa": "Spanish"}
INLINE_MARKUP = frozenset({"i", "b", "u", "sub", "sup"})


def _sub(parent: ET.Element, tag: str, value=None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if value is not None:
        element.text = str(value)
    return element


def _marked_up(parent: ET.Element, tag: str, value: str) -> ET.Element:
    """An element whose text may hold NCBI's inline markup (``CO<sub>2</sub>``, ``<i>``)."""
    try:
        fragment = ET.fromstring(f"<{tag}>{value}</{tag}>")
    except ET.ParseError:
        fragment = None
    if fragment is None or any(e.tag not in INLINE_MARKUP or len(e) for e in fragment):
        return _sub(parent, tag, value)  # plain text (escaped), as the source wrote it
    parent.append(fragment)
    return fragment


def _authors(parent: ET.Element, authors, complete=None, list_type=None) -> None:
    if not authors:
        return
    attributes = {}
    if list_type:
        attributes["Type"] = list_type
    if complete is not None:
        attributes["CompleteYN"] = "Y" if complete else "N"
    author_list = _sub(parent, "AuthorList", **attributes)
    for author in authors:
        element = _sub(author_list, "Author", ValidYN="Y")
        if author.collective_name:
            _sub(element, "CollectiveName", author.collective_name)
            continue
        _sub(element, "LastName", author.last_name)
        for tag, value in (("ForeName", author.fore_name), ("Initials", author.initials),
                           ("Suffix", author.suffix)):
            if value:
                _sub(element, tag, value)


def _pub_date(parent: ET.Element, record: Record, tag: str = "PubDate") -> None:
    if record.medline_date:
        _sub(_sub(parent, tag), "MedlineDate", record.medline_date)
        return
    if not record.year:
        return
    date = _sub(parent, tag)
    _sub(date, "Year", record.year)
    if record.month:
        _sub(date, "Month", record.month)
        if record.day:
            _sub(date, "Day", f"{record.day:02d}")


def _journal(parent: ET.Element, catalogue: Catalogue, record: Record) -> None:
    iso = catalogue.iso_abbreviation(record)
    if not (record.volume or record.issue or record.year or record.medline_date
            or record.journal or iso):
        return
    journal = _sub(parent, "Journal")
    if record.volume or record.issue or record.year or record.medline_date:
        issue = _sub(journal, "JournalIssue")
        if record.volume:
            _sub(issue, "Volume", record.volume)
        if record.issue:
            _sub(issue, "Issue", record.issue)
        _pub_date(issue, record)
    if record.journal:
        _sub(journal, "Title", record.journal)
    if iso:
        _sub(journal, "ISOAbbreviation", iso)


def _article_ids(parent: ET.Element, record: Record) -> None:
    ids = _sub(parent, "ArticleIdList")
    _sub(ids, "ArticleId", record.pmid, IdType="pubmed")
    if record.doi:
        _sub(ids, "ArticleId", record.doi, IdType="doi")
    if record.pmcid:
        _sub(ids, "ArticleId", record.pmcid, IdType="pmc")


def citation_text(catalogue: Catalogue, pmid: str) -> str:
    """A plain citation of a cited record, built from its stated fields only."""
    number = catalogue.synthetic_number(pmid)
    if number:
        return catalogue.synthetic.citation(number)
    record = catalogue.get(pmid)
    if record is None:
        return ""
    pieces = []
    if record.authors:
        pieces.append(", ".join(a.display for a in record.authors) + ".")
    if record.title:
        pieces.append(record.title.rstrip(".") + ".")
    source = catalogue.iso_abbreviation(record) or record.journal or record.book_title
    where = ""
    if record.year:
        where = str(record.year)
    if record.volume:
        where += f";{record.volume}"
        if record.issue:
            where += f"({record.issue})"
    if record.pages:
        where += f":{record.pages}"
    if source:
        pieces.append(f"{source}. {where}." if where else f"{source}.")
    return " ".join(pieces)


def _cited(catalogue: Catalogue, record: Record) -> list:
    """(citation text, pmid, doi, pmcid) of each work the record cites, in order."""
    rows, listed = [], set()
    for reference in record.references:
        rows.append((reference.citation, reference.pmid, reference.doi, reference.pmcid))
        if reference.pmid:
            listed.add(reference.pmid)
    for pmid in record.cites_pmids:
        if pmid not in listed:
            rows.append((citation_text(catalogue, pmid), pmid, None, None))
    return rows


def _reference_list(parent: ET.Element, catalogue: Catalogue, record: Record) -> None:
    rows = _cited(catalogue, record)
    if not rows:
        return
    references = _sub(parent, "ReferenceList")
    for citation, pmid, doi, pmcid in rows:
        reference = _sub(references, "Reference")
        _marked_up(reference, "Citation", citation)
        if doi or pmcid or pmid:
            ids = _sub(reference, "ArticleIdList")
            for value, kind in ((doi, "doi"), (pmcid, "pmc"), (pmid, "pubmed")):
                if value:
                    _sub(ids, "ArticleId", value, IdType=kind)


def _comments_corrections(parent: ET.Element, catalogue: Catalogue, record: Record, shapes) -> None:
    rows = [(item.ref_type, item.ref_source, item.pmid) for item in record.comments_corrections]
    if "cites" in shapes:  # the reference list as older records carry it
        rows += [("Cites", citation, pmid) for citation, pmid, _doi, _pmc in
                 _cited(catalogue, record)]
    if not rows:
        return
    comments = _sub(parent, "CommentsCorrectionsList")
    for ref_type, ref_source, pmid in rows:
        item = _sub(comments, "CommentsCorrections", RefType=ref_type)
        _sub(item, "RefSource", ref_source)
        if pmid:
            _sub(item, "PMID", pmid, Version="1")


def pubmed_article(parent: ET.Element, catalogue: Catalogue, record: Record, shapes=frozenset()):
    """One PubmedArticle, with only the elements whose values a source states."""
    article_element = _sub(parent, "PubmedArticle")
    citation = _sub(article_element, "MedlineCitation")
    _sub(citation, "PMID", record.pmid, Version="1")
    article = _sub(citation, "Article")
    _journal(article, catalogue, record)
    _marked_up(article, "ArticleTitle", record.title or "")
    if record.pages:
        _sub(_sub(article, "Pagination"), "MedlinePgn", record.pages)
    if record.doi:
        if "invalid-elocation" in shapes:
            _sub(article, "ELocationID", f"10.5555/invalid-elocation.{record.pmid}",
                 EIdType="doi", ValidYN="N")
        else:
            _sub(article, "ELocationID", record.doi, EIdType="doi", ValidYN="Y")
    _authors(article, record.authors, record.authors_complete)
    if record.language:
        _sub(article, "Language", record.language)
    if record.publication_types:
        types = _sub(article, "PublicationTypeList")
        for kind in record.publication_types:
            _sub(types, "PublicationType", kind)
    _comments_corrections(citation, catalogue, record, shapes)
    data = _sub(article_element, "PubmedData")
    _article_ids(data, record)
    if "cites" not in shapes:
        _reference_list(data, catalogue, record)
    return article_element


def book_article(parent: ET.Element, catalogue: Catalogue, record: Record, shapes=frozenset()):
    """One PubmedBookArticle (a Bookshelf chapter such as StatPearls): the book's editors in
    ``Book``, the chapter's own authors and ContributionDate in ``BookDocument``."""
    book_element = _sub(parent, "PubmedBookArticle")
    document = _sub(book_element, "BookDocument")
    _sub(document, "PMID", record.pmid, Version="1")
    _sub(document, "ArticleIdList")
    book = _sub(document, "Book")
    if record.book_title:
        _marked_up(book, "BookTitle", record.book_title)
    _pub_date(book, record)
    _authors(book, record.editors, list_type="editors")
    if record.title:
        _marked_up(document, "ArticleTitle", record.title)
    if record.language:
        _sub(document, "Language", record.language)
    _authors(document, record.authors, list_type="authors")
    for kind in record.publication_types:
        _sub(document, "PublicationType", kind)
    if record.contribution_year:
        _sub(_sub(document, "ContributionDate"), "Year", record.contribution_year)
    _reference_list(document, catalogue, record)
    data = _sub(book_element, "PubmedBookData")
    _article_ids(data, record)
    return book_element
