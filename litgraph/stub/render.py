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
from .articles import LANGUAGE_NAMES, _sub, book_article, pubmed_article
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
    return _document_text(ET.tostring(root, encoding="unicode"), doctype, declaration, shapes)


def _document_text(body: str, doctype: str, declaration: str = XML_DECLARATION_UTF8,
                   shapes=frozenset()) -> str:
    if "http-dtd" in shapes:
        doctype = (doctype.replace("https://dtd.nlm.nih.gov/ncbi/pubmed/out/",
                                   "http://www.ncbi.nlm.nih.gov/corehtml/query/DTD/")
                   .replace("https://eutils.ncbi.nlm.nih.gov/", "http://eutils.ncbi.nlm.nih.gov/"))
    return declaration + doctype + body + "\n"


def wrong_root_xml() -> str:
    """An eInfoResult: a well-formed reply that is not the document asked for."""
    root = ET.Element("eInfoResult")
    databases = _sub(root, "DbList")
    for name in ("pubmed", "pmc", "books"):
        _sub(databases, "DbName", name)
    return _document(root, EINFO_DOCTYPE)


# ---------------------------------------------------------------- efetch

# Shapes that change how one record or one LinkSet is written (the others act on whole answers).
RECORD_SHAPES = frozenset({"cites", "invalid-elocation"})
LINK_SET_SHAPES = frozenset({"id-errors"})
_CHILDREN = "\x00children\x00"  # where the cached fragments go inside the library-written root


def _with_children(root: ET.Element, fragments: list[str]) -> ET.Element | str:
    """``root`` serialized by the library around ``fragments`` (children serialized before)."""
    if not fragments:
        return ET.tostring(root, encoding="unicode")
    root.text = _CHILDREN
    return ET.tostring(root, encoding="unicode").replace(_CHILDREN, "".join(fragments), 1)


def _cached(catalogue: Catalogue, key: tuple, build) -> str:
    """The serialized element ``build(holder)`` adds to a holder, made once per ``key``."""
    text = catalogue.rendered.get(key)
    if text is None:
        holder = ET.Element("holder")
        build(holder)
        text = "".join(ET.tostring(child, encoding="unicode") for child in holder)
        catalogue.rendered[key] = text
    return text


def record_xml(catalogue: Catalogue, record: Record, shapes=frozenset()) -> str:
    """One record's ``PubmedArticle`` (or ``PubmedBookArticle``) element, serialized once."""
    shapes = frozenset(shapes) & RECORD_SHAPES
    writer = book_article if record.kind == "book-article" else pubmed_article
    return _cached(catalogue, ("record", record.pmid, shapes),
                   lambda holder: writer(holder, catalogue, record, shapes))


def efetch_xml(catalogue: Catalogue, pmids: list[str], shapes=frozenset()) -> str:
    """The PubmedArticleSet for the known PMIDs among ``pmids`` (unknown ones are left out)."""
    fragments = []
    record_shapes = frozenset(shapes) & RECORD_SHAPES
    for pmid in pmids:
        # A record serialized before (``prerender``) is not made again: a synthetic record
        # is drawn anew on each ``catalogue.get``, 50 µs of the stand-in's time per record
        text = catalogue.rendered.get(("record", pmid, record_shapes))
        if text is None:
            record = catalogue.get(pmid)
            if record is None:
                continue
            text = record_xml(catalogue, record, shapes)
        fragments.append(text)
    if "omit" in shapes and len(fragments) > 1:
        fragments = fragments[:-1]
    body = _with_children(ET.Element("PubmedArticleSet"), fragments)
    return _document_text(body, PUBMED_DOCTYPE, XML_DECLARATION, shapes)


def efetch_error_xml(message: str, shapes=frozenset()) -> str:
    """NCBI's eFetchResult error document (root name differs from the DOCTYPE name, as NCBI's does)."""
    root = ET.Element("eFetchResult")
    root.text = "\n\t"
    _sub(root, "ERROR", message).tail = "\n"
    return _document(root, EFETCH_ERROR_DOCTYPE, shapes=shapes)


# ---------------------------------------------------------------- esearch

def esearch_xml(result: SearchResult, retstart: int, retmax: int, shapes=frozenset(),
                history=None) -> str:
    """eSearchResult in NCBI's element order; zero hits carry NCBI's error and warning lists.
    ``history`` ``(query_key, WebEnv)`` (``usehistory=y``) comes before the IdList, as NCBI's."""
    page = result.pmids[retstart:retstart + retmax]
    root = ET.Element("eSearchResult")
    _sub(root, "Count", len(result.pmids))
    _sub(root, "RetMax", len(page))
    _sub(root, "RetStart", retstart)
    if history:
        _sub(root, "QueryKey", history[0])
        _sub(root, "WebEnv", history[1])
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


def esearch_json(result: SearchResult, retstart: int, retmax: int, history=None) -> str:
    """esearch ``retmode=json``: lower-case keys, numbers as strings."""
    page = result.pmids[retstart:retstart + retmax]
    body = {"count": str(len(result.pmids)), "retmax": str(len(page)), "retstart": str(retstart)}
    if history:
        body.update(querykey=str(history[0]), webenv=history[1])
    body.update(idlist=page, translationset=[], querytranslation=result.translation)
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


def _link_set(parent: ET.Element, catalogue: Catalogue, ids: list[str], link_names, shapes,
              dbfrom="pubmed") -> None:
    link_set = _sub(parent, "LinkSet")
    _sub(link_set, "DbFrom", dbfrom)
    id_list = _sub(link_set, "IdList")
    for pmid in ids:
        _sub(id_list, "Id", pmid)
    lookups = {"pubmed_pubmed_refs": catalogue.refs, "pubmed_pubmed_citedin": catalogue.citedin} \
        if dbfrom == "pubmed" else {  # a PMC article's PubMed record, by its PMC number
            "pmc_pubmed": lambda number: catalogue.pmids_for_pmcid(f"pmc{number}")}
    for link_name in link_names:
        lookup = lookups.get(link_name)
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
    if "id-errors" in shapes and len(ids) == 1 and dbfrom == "pubmed" and not catalogue.has(ids[0]):
        _sub(link_set, "ERROR", f"UID={ids[0]}: no such record (stand-in)")


def elink_xml(catalogue: Catalogue, id_groups: list[list[str]], link_names, shapes=frozenset(),
              dbfrom="pubmed") -> str:
    """eLinkResult: one LinkSet per ``id`` parameter; the ids of one comma list share a LinkSet
    (with ``group-links``, every id shares one).  ``dbfrom`` "pmc": the ids are PMC numbers."""
    if "group-links" in shapes and len(id_groups) > 1:
        id_groups = [[pmid for group in id_groups for pmid in group]]
    names, own = tuple(link_names), frozenset(shapes) & LINK_SET_SHAPES
    fragments = [_cached(catalogue, ("links", dbfrom, tuple(group), names, own),
                         lambda holder, group=group: _link_set(holder, catalogue, group, names, own,
                                                               dbfrom))
                 for group in id_groups]
    body = _with_children(ET.Element("eLinkResult"), fragments)
    return _document_text(body, ELINK_DOCTYPE, shapes=shapes)


def elink_json(catalogue: Catalogue, id_groups: list[list[str]], link_names,
               shapes=frozenset(), dbfrom="pubmed") -> str:
    """elink's ``retmode=json`` answer for ``cmd=neighbor``: the same LinkSets as
    ``elink_xml``, as NCBI writes them in JSON (``linksets``, each with ``dbfrom``, ``ids``
    and, when it has links, ``linksetdbs`` of ``dbto``, ``linkname`` and ``links`` as strings)."""
    root = ET.fromstring(elink_xml(catalogue, id_groups, link_names, shapes, dbfrom).split("\n", 2)[2])
    linksets = []
    for link_set in root.findall("LinkSet"):
        entry = {"dbfrom": link_set.findtext("DbFrom"),
                 "ids": [e.text for e in link_set.findall("IdList/Id")]}
        dbs = [{"dbto": db.findtext("DbTo"), "linkname": db.findtext("LinkName"),
                "links": [e.text for e in db.findall("Link/Id")]}
               for db in link_set.findall("LinkSetDb")]
        if dbs:
            entry["linksetdbs"] = dbs
        linksets.append(entry)
    return json.dumps({"header": {"type": "elink", "version": "0.3"}, "linksets": linksets},
                      separators=(",", ":"))


def prerender(catalogue: Catalogue, link_names=LINK_NAMES) -> int:
    """Serialize every record, and every PMID's LinkSet for each link name and for all of them,
    ahead of requests (benchmarks: the stand-in's own Python time is not NCBI's); returns the
    number of records."""
    count = 0
    for record in catalogue.all_records():
        record_xml(catalogue, record)
        for names in [(name,) for name in link_names] + [tuple(link_names)]:
            _cached(catalogue, ("links", "pubmed", (record.pmid,), names, frozenset()),
                    lambda holder, names=names, pmid=record.pmid: _link_set(
                        holder, catalogue, [pmid], names, frozenset()))
        count += 1
    return count


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
