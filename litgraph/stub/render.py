"""Answer bodies of the stand-in, in NCBI's formats and with NCBI's DOCTYPE lines.

Elements are built with ``xml.etree.ElementTree`` (escaping is the library's
job) and follow the DTD order; an element whose value no source states is left
out rather than filled in.  By default every XML answer carries the DOCTYPE
NCBI sends today (an ``https`` system id on an ``nlm.nih.gov`` host), so
Biopython 1.88 parses it offline with the DTDs it bundles.

``shapes`` (see ``SHAPES``) turn on the other shapes NCBI's real replies take,
one by one, so that clients can be tested against each.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from .query import SearchResult
from .catalogue import Catalogue
from .records import Record

XML_DECLARATION = '<?xml version="1.0" ?>\n'
XML_DECLARATION_UTF8 = '<?xml version="1.0" encoding="UTF-8" ?>\n'
PUBMED_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                  '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')
EFETCH_ERROR_DOCTYPE = ('<!DOCTYPE eEfetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
                        '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n')
ESEARCH_DOCTYPE = ('<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
                   '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n')
ESUMMARY_DOCTYPE = ('<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD esummary v1 20041029//EN" '
                    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">\n')
ELINK_DOCTYPE = ('<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD elink 20101123//EN" '
                 '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n')
EINFO_DOCTYPE = ('<!DOCTYPE eInfoResult PUBLIC "-//NLM//DTD einfo 20190110//EN" '
                 '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20190110/einfo.dtd">\n')
LANGUAGE_NAMES = {"eng": "English", "dut": "Dutch", "fre": "French", "ger": "German", "spa": "Spanish"}
INLINE_MARKUP = frozenset({"i", "b", "u", "sub", "sup"})

# The shapes of NCBI's real replies the stand-in can take (off by default).
SHAPES = {
    "cites": "reference lists as CommentsCorrections RefType=\"Cites\" instead of ReferenceList",
    "http-dtd": "DOCTYPE lines with http:// system ids (older replies; Biopython 1.88 refuses them)",
    "invalid-elocation": "a DOI'd article's ELocationID is ValidYN=\"N\" with another DOI; the DOI "
                         "only in ArticleIdList",
    "omit": "an efetch of several known PMIDs silently leaves the last of them out",
    "group-links": "elink answers one LinkSet for all ids, links merged, even for repeated id=",
    "id-errors": "elink answers an unknown PMID with a LinkSet carrying its own <ERROR>",
    "wrong-root": "efetch, esearch, esummary and elink answer an eInfoResult document",
    "shuffled-citations": "ecitmatch answers lines in reverse order, echoing the journal and "
                          "author in capitals, and leaves out lines it cannot match",
}


def _document(root: ET.Element, doctype: str, declaration: str = XML_DECLARATION_UTF8,
              shapes=frozenset()) -> str:
    if "http-dtd" in shapes:
        doctype = (doctype.replace("https://dtd.nlm.nih.gov/ncbi/pubmed/out/",
                                   "http://www.ncbi.nlm.nih.gov/corehtml/query/DTD/")
                   .replace("https://eutils.ncbi.nlm.nih.gov/", "http://eutils.ncbi.nlm.nih.gov/"))
    return declaration + doctype + ET.tostring(root, encoding="unicode") + "\n"


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


def wrong_root_xml() -> str:
    """An eInfoResult: a well-formed reply that is not the document asked for."""
    root = ET.Element("eInfoResult")
    databases = _sub(root, "DbList")
    for name in ("pubmed", "pmc", "books"):
        _sub(databases, "DbName", name)
    return _document(root, EINFO_DOCTYPE)


# ---------------------------------------------------------------- efetch

def efetch_xml(catalogue: Catalogue, pmids: list[str], shapes=frozenset()) -> str:
    """The PubmedArticleSet for the known PMIDs among ``pmids`` (unknown ones are left out)."""
    known = [p for p in pmids if catalogue.get(p) is not None]
    if "omit" in shapes and len(known) > 1:
        known = known[:-1]
    root = ET.Element("PubmedArticleSet")
    for pmid in known:
        record = catalogue.get(pmid)
        if record.kind == "book-article":
            book_article(root, catalogue, record, shapes)
        else:
            pubmed_article(root, catalogue, record, shapes)
    return _document(root, PUBMED_DOCTYPE, XML_DECLARATION, shapes)


def efetch_error_xml(message: str, shapes=frozenset()) -> str:
    """NCBI's eFetchResult error document (root name differs from the DOCTYPE name, as NCBI's does)."""
    root = ET.Element("eFetchResult")
    root.text = "\n\t"
    _sub(root, "ERROR", message).tail = "\n"
    return _document(root, EFETCH_ERROR_DOCTYPE, shapes=shapes)


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


# ---------------------------------------------------------------- esearch

def esearch_xml(result: SearchResult, retstart: int, retmax: int, shapes=frozenset()) -> str:
    """eSearchResult in NCBI's element order; zero hits carry NCBI's error and warning lists."""
    page = result.pmids[retstart:retstart + retmax]
    root = ET.Element("eSearchResult")
    _sub(root, "Count", len(result.pmids))
    _sub(root, "RetMax", len(page))
    _sub(root, "RetStart", retstart)
    ids = _sub(root, "IdList")
    for pmid in page:
        _sub(ids, "Id", pmid)
    _sub(root, "TranslationSet")
    _sub(root, "QueryTranslation", result.translation)
    phrases = result.phrases_not_found if not result.pmids else []
    if phrases or result.fields_not_found:
        errors = _sub(root, "ErrorList")
        for phrase in phrases:
            _sub(errors, "PhraseNotFound", phrase)
        for name in result.fields_not_found:
            _sub(errors, "FieldNotFound", name)
    if not result.pmids:
        _sub(_sub(root, "WarningList"), "OutputMessage", "No items found.")
    return _document(root, ESEARCH_DOCTYPE, shapes=shapes)


def esearch_json(result: SearchResult, retstart: int, retmax: int) -> str:
    """esearch ``retmode=json``: lower-case keys, numbers as strings."""
    page = result.pmids[retstart:retstart + retmax]
    body = {"count": str(len(result.pmids)), "retmax": str(len(page)), "retstart": str(retstart),
            "idlist": page, "translationset": [], "querytranslation": result.translation}
    phrases = result.phrases_not_found if not result.pmids else []
    if phrases or result.fields_not_found:
        body["errorlist"] = {"phrasesnotfound": phrases, "fieldsnotfound": result.fields_not_found}
    if not result.pmids:
        body["warninglist"] = {"phrasesignored": [], "quotedphrasesnotfound": [],
                               "outputmessages": ["No items found."]}
    return json.dumps({"header": {"type": "esearch", "version": "0.3"}, "esearchresult": body})


def _error_document(root_tag: str, doctype: str, message: str, shapes=frozenset()) -> str:
    root = ET.Element(root_tag)
    _sub(root, "ERROR", message)
    return _document(root, doctype, shapes=shapes)


def esearch_error_xml(message: str, shapes=frozenset()) -> str:
    return _error_document("eSearchResult", ESEARCH_DOCTYPE, message, shapes)


def esearch_error_json(message: str) -> str:
    return json.dumps({"header": {"type": "esearch", "version": "0.3"}, "esearchresult": {"ERROR": message}})


# ---------------------------------------------------------------- esummary

def _item(parent: ET.Element, name: str, kind: str, value=None) -> ET.Element:
    return _sub(parent, "Item", "" if value is None and kind != "List" else value, Name=name,
                Type=kind)


def esummary_xml(catalogue: Catalogue, uids: list[str], shapes=frozenset()) -> str:
    """eSummaryResult version 1.0: a DocSum per known UID, NCBI's ERROR per unknown one."""
    root = ET.Element("eSummaryResult")
    for uid in uids:
        record = catalogue.get(uid)
        if record is None:
            _sub(root, "ERROR", f"UID={uid}: cannot get document summary")
            continue
        summary = _sub(root, "DocSum")
        _sub(summary, "Id", record.pmid)
        _item(summary, "PubDate", "Date", record.pub_date or "")
        _item(summary, "Source", "String", catalogue.iso_abbreviation(record) or record.journal
              or record.book_title or "")
        authors = _item(summary, "AuthorList", "List")
        for author in record.authors:
            _item(authors, "Author", "String", author.display)
        if record.authors:
            _item(summary, "LastAuthor", "String", record.authors[-1].display)
        _item(summary, "Title", "String", record.title or "")
        _item(summary, "Volume", "String", record.volume or "")
        _item(summary, "Issue", "String", record.issue or "")
        _item(summary, "Pages", "String", record.pages or "")
        languages = _item(summary, "LangList", "List")
        if record.language:
            _item(languages, "Lang", "String", LANGUAGE_NAMES.get(record.language, record.language))
        types = _item(summary, "PubTypeList", "List")
        for kind in record.publication_types:
            _item(types, "PubType", "String", kind)
        ids = _item(summary, "ArticleIds", "List")
        _item(ids, "pubmed", "String", record.pmid)
        if record.doi:
            _item(ids, "doi", "String", record.doi)
        if record.pmcid:
            _item(ids, "pmc", "String", record.pmcid)
        if record.doi:
            _item(summary, "DOI", "String", record.doi)
        _item(summary, "FullJournalName", "String", record.journal or "")
    return _document(root, ESUMMARY_DOCTYPE, shapes=shapes)


def esummary_error_xml(message: str, shapes=frozenset()) -> str:
    return _error_document("eSummaryResult", ESUMMARY_DOCTYPE, message, shapes)


# ---------------------------------------------------------------- elink

LINK_NAMES = ("pubmed_pubmed_refs", "pubmed_pubmed_citedin")


def _link_set(parent: ET.Element, catalogue: Catalogue, ids: list[str], link_names, shapes) -> None:
    link_set = _sub(parent, "LinkSet")
    _sub(link_set, "DbFrom", "pubmed")
    id_list = _sub(link_set, "IdList")
    for pmid in ids:
        _sub(id_list, "Id", pmid)
    for link_name in link_names:
        lookup = {"pubmed_pubmed_refs": catalogue.refs,
                  "pubmed_pubmed_citedin": catalogue.citedin}.get(link_name)
        linked: set[str] = set()
        for pmid in ids if lookup else ():
            linked.update(lookup(pmid))
        if not linked:
            continue
        link_db = _sub(link_set, "LinkSetDb")
        _sub(link_db, "DbTo", "pubmed")
        _sub(link_db, "LinkName", link_name)
        for pmid in sorted(linked, key=int, reverse=True):
            _sub(_sub(link_db, "Link"), "Id", pmid)
    if "id-errors" in shapes and len(ids) == 1 and not catalogue.has(ids[0]):
        _sub(link_set, "ERROR", f"UID={ids[0]}: no such record (stand-in)")


def elink_xml(catalogue: Catalogue, id_groups: list[list[str]], link_names, shapes=frozenset()) -> str:
    """eLinkResult: one LinkSet per ``id`` parameter; the ids of one comma list share a LinkSet
    (with ``group-links``, every id shares one)."""
    if "group-links" in shapes and len(id_groups) > 1:
        id_groups = [[pmid for group in id_groups for pmid in group]]
    root = ET.Element("eLinkResult")
    for group in id_groups:
        _link_set(root, catalogue, group, link_names, shapes)
    return _document(root, ELINK_DOCTYPE, shapes=shapes)


def elink_error_xml(message: str, shapes=frozenset()) -> str:
    return _error_document("eLinkResult", ELINK_DOCTYPE, message, shapes)


# ---------------------------------------------------------------- ecitmatch

def ecitmatch_text(catalogue: Catalogue, bdata: str, shapes=frozenset()) -> str:
    """One answer line per input citation: the fields echoed, then the PMID or NCBI's miss marker."""
    lines = []
    for raw in bdata.replace("\r\n", "\r").replace("\n", "\r").split("\r"):
        if not raw.strip():
            continue
        fields = raw.split("|")
        if fields and fields[-1] == "" and len(fields) > 6:
            fields = fields[:-1]  # the trailing "|" NCBI's documentation asks for
        fields = (fields + [""] * 6)[:6]
        journal, year, volume, first_page, author, key = (f.strip() for f in fields)
        status, pmids = catalogue.match_citation(journal, year, volume, first_page, author)
        if status == "found":
            answer = pmids[0]
        elif status == "ambiguous":
            answer = f"AMBIGUOUS ({len(pmids)} citations)"
        elif status == "invalid_journal":
            answer = "NOT_FOUND;INVALID_JOURNAL"
        else:
            answer = "NOT_FOUND"
        if "shuffled-citations" in shapes:
            if not answer.isdigit():
                continue  # some inputs get no line at all
            journal, author = journal.upper(), author.upper()
        echoed = "|".join((journal, year, volume, first_page, author, key))
        lines.append(f"{echoed}|{answer}")
    if "shuffled-citations" in shapes:
        lines.reverse()
    return "".join(line + "\n" for line in lines)


def html_error_page(title: str) -> str:
    """An HTML error page like those NCBI's front end serves during outages."""
    root = ET.Element("html")
    _sub(_sub(root, "head"), "title", title)
    body = _sub(root, "body")
    _sub(body, "h1", title, **{"class": "error"})
    _sub(body, "p", "E-utilities stand-in (litgraph): injected HTML error page, not NCBI.")
    return "<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html") + "\n"
