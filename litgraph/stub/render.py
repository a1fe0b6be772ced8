"""Answer bodies of the stand-in, in NCBI's formats and with NCBI's DOCTYPE lines.

Every XML answer carries the DOCTYPE NCBI sends (an ``https`` system id on an
``nlm.nih.gov`` host), so Biopython 1.88 parses it offline with the DTDs it
bundles. Elements follow the DTD order; an element whose value no source
states is left out rather than filled in.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from .query import SearchResult
from .records import Catalogue, Record

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
LANGUAGE_NAMES = {"eng": "English", "dut": "Dutch", "fre": "French", "ger": "German", "spa": "Spanish"}


def text(value) -> str:
    """XML-escape element text."""
    return escape(str(value))


# ---------------------------------------------------------------- efetch

def efetch_xml(catalogue: Catalogue, pmids: list[str]) -> str:
    """The PubmedArticleSet for the known PMIDs among ``pmids`` (unknown ones are left out)."""
    parts = [XML_DECLARATION, PUBMED_DOCTYPE, "<PubmedArticleSet>\n"]
    for pmid in pmids:
        record = catalogue.get(pmid)
        if record is None:
            continue
        if record.kind == "book-article":
            parts.append(book_article_xml(catalogue, record))
        else:
            parts.append(pubmed_article_xml(catalogue, record))
    parts.append("</PubmedArticleSet>\n")
    return "".join(parts)


def efetch_error_xml(message: str) -> str:
    """NCBI's eFetchResult error document (root name differs from the DOCTYPE name, as NCBI's does)."""
    return (XML_DECLARATION_UTF8 + EFETCH_ERROR_DOCTYPE
            + f"<eFetchResult>\n\t<ERROR>{text(message)}</ERROR>\n</eFetchResult>\n")


def _authors_xml(record: Record, list_attrs: str = "") -> str:
    if not record.authors:
        return ""
    if record.authors_complete is not None:
        list_attrs += f' CompleteYN="{"Y" if record.authors_complete else "N"}"'
    rows = [f"<AuthorList{list_attrs}>"]
    for author in record.authors:
        if author.collective_name:
            rows.append(f'<Author ValidYN="Y"><CollectiveName>{text(author.collective_name)}</CollectiveName></Author>')
            continue
        inner = f"<LastName>{text(author.last_name)}</LastName>"
        if author.fore_name:
            inner += f"<ForeName>{text(author.fore_name)}</ForeName>"
        if author.initials:
            inner += f"<Initials>{text(author.initials)}</Initials>"
        if author.suffix:
            inner += f"<Suffix>{text(author.suffix)}</Suffix>"
        rows.append(f'<Author ValidYN="Y">{inner}</Author>')
    rows.append("</AuthorList>")
    return "\n".join(rows) + "\n"


def _pub_date_xml(record: Record) -> str:
    if record.medline_date:
        return f"<PubDate><MedlineDate>{text(record.medline_date)}</MedlineDate></PubDate>"
    if not record.year:
        return ""
    inner = f"<Year>{record.year}</Year>"
    if record.month:
        inner += f"<Month>{record.month}</Month>"
        if record.day:
            inner += f"<Day>{record.day:02d}</Day>"
    return f"<PubDate>{inner}</PubDate>"


def _journal_xml(catalogue: Catalogue, record: Record) -> str:
    issue_parts = ""
    if record.volume:
        issue_parts += f"<Volume>{text(record.volume)}</Volume>"
    if record.issue:
        issue_parts += f"<Issue>{text(record.issue)}</Issue>"
    issue_parts += _pub_date_xml(record)
    inner = f"<JournalIssue>{issue_parts}</JournalIssue>\n" if issue_parts else ""
    if record.journal:
        inner += f"<Title>{text(record.journal)}</Title>\n"
    iso = catalogue.iso_abbreviation(record)
    if iso:
        inner += f"<ISOAbbreviation>{text(iso)}</ISOAbbreviation>\n"
    return f"<Journal>\n{inner}</Journal>\n" if inner else ""


def _article_ids_xml(record: Record) -> str:
    rows = [f'<ArticleId IdType="pubmed">{record.pmid}</ArticleId>']
    if record.doi:
        rows.append(f'<ArticleId IdType="doi">{text(record.doi)}</ArticleId>')
    if record.pmcid:
        rows.append(f'<ArticleId IdType="pmc">{text(record.pmcid)}</ArticleId>')
    return "<ArticleIdList>\n" + "\n".join(rows) + "\n</ArticleIdList>\n"


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


def _reference_list_xml(catalogue: Catalogue, record: Record) -> str:
    rows = []
    listed = set()
    for reference in record.references:
        ids = ""
        if reference.doi:
            ids += f'<ArticleId IdType="doi">{text(reference.doi)}</ArticleId>'
        if reference.pmcid:
            ids += f'<ArticleId IdType="pmc">{text(reference.pmcid)}</ArticleId>'
        if reference.pmid:
            ids += f'<ArticleId IdType="pubmed">{reference.pmid}</ArticleId>'
            listed.add(reference.pmid)
        id_list = f"<ArticleIdList>{ids}</ArticleIdList>" if ids else ""
        rows.append(f"<Reference><Citation>{text(reference.citation)}</Citation>{id_list}</Reference>")
    for pmid in record.cites_pmids:
        if pmid in listed:
            continue
        rows.append(f"<Reference><Citation>{text(citation_text(catalogue, pmid))}</Citation>"
                    f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></Reference>')
    if not rows:
        return ""
    return "<ReferenceList>\n" + "\n".join(rows) + "\n</ReferenceList>\n"


def _publication_types_xml(record: Record) -> str:
    return "".join(f"<PublicationType>{text(t)}</PublicationType>" for t in record.publication_types)


def pubmed_article_xml(catalogue: Catalogue, record: Record) -> str:
    """One PubmedArticle, with only the elements whose values a source states."""
    article = _journal_xml(catalogue, record)
    article += f"<ArticleTitle>{text(record.title or '')}</ArticleTitle>\n"
    if record.pages:
        article += f"<Pagination><MedlinePgn>{text(record.pages)}</MedlinePgn></Pagination>\n"
    if record.doi:
        article += f'<ELocationID EIdType="doi" ValidYN="Y">{text(record.doi)}</ELocationID>\n'
    article += _authors_xml(record)
    if record.language:
        article += f"<Language>{text(record.language)}</Language>\n"
    if record.publication_types:
        article += f"<PublicationTypeList>{_publication_types_xml(record)}</PublicationTypeList>\n"
    citation = f'<PMID Version="1">{record.pmid}</PMID>\n<Article>\n{article}</Article>\n'
    if record.comments_corrections:
        rows = []
        for item in record.comments_corrections:
            pmid = f'<PMID Version="1">{item.pmid}</PMID>' if item.pmid else ""
            rows.append(f'<CommentsCorrections RefType="{item.ref_type}">'
                        f"<RefSource>{text(item.ref_source)}</RefSource>{pmid}</CommentsCorrections>")
        citation += "<CommentsCorrectionsList>\n" + "\n".join(rows) + "\n</CommentsCorrectionsList>\n"
    data = _article_ids_xml(record) + _reference_list_xml(catalogue, record)
    return (f"<PubmedArticle>\n<MedlineCitation>\n{citation}</MedlineCitation>\n"
            f"<PubmedData>\n{data}</PubmedData>\n</PubmedArticle>\n")


def book_article_xml(catalogue: Catalogue, record: Record) -> str:
    """One PubmedBookArticle (a Bookshelf chapter such as StatPearls)."""
    document = f'<PMID Version="1">{record.pmid}</PMID>\n<ArticleIdList></ArticleIdList>\n'
    book = ""
    if record.book_title:
        book += f"<BookTitle>{text(record.book_title)}</BookTitle>"
    book += _pub_date_xml(record)
    document += f"<Book>{book}</Book>\n"
    if record.title:
        document += f"<ArticleTitle>{text(record.title)}</ArticleTitle>\n"
    if record.language:
        document += f"<Language>{text(record.language)}</Language>\n"
    document += _authors_xml(record, ' Type="authors"')
    document += _publication_types_xml(record)
    document += _reference_list_xml(catalogue, record)
    return (f"<PubmedBookArticle>\n<BookDocument>\n{document}</BookDocument>\n"
            f"<PubmedBookData>\n{_article_ids_xml(record)}</PubmedBookData>\n</PubmedBookArticle>\n")


# ---------------------------------------------------------------- esearch

def esearch_xml(result: SearchResult, retstart: int, retmax: int) -> str:
    """eSearchResult in NCBI's element order; zero hits carry NCBI's error and warning lists."""
    page = result.pmids[retstart:retstart + retmax]
    rows = [f"<Count>{len(result.pmids)}</Count>", f"<RetMax>{len(page)}</RetMax>",
            f"<RetStart>{retstart}</RetStart>"]
    if page:
        rows.append("<IdList>\n" + "\n".join(f"<Id>{p}</Id>" for p in page) + "\n</IdList>")
    else:
        rows.append("<IdList/>")
    rows.append("<TranslationSet/>")
    rows.append(f"<QueryTranslation>{text(result.translation)}</QueryTranslation>")
    errors = ""
    if not result.pmids:
        errors += "".join(f"<PhraseNotFound>{text(p)}</PhraseNotFound>" for p in result.phrases_not_found)
    errors += "".join(f"<FieldNotFound>{text(f)}</FieldNotFound>" for f in result.fields_not_found)
    if errors:
        rows.append(f"<ErrorList>{errors}</ErrorList>")
    if not result.pmids:
        rows.append("<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>")
    return XML_DECLARATION_UTF8 + ESEARCH_DOCTYPE + "<eSearchResult>" + "\n".join(rows) + "</eSearchResult>\n"


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


def esearch_error_xml(message: str) -> str:
    return XML_DECLARATION_UTF8 + ESEARCH_DOCTYPE + f"<eSearchResult><ERROR>{text(message)}</ERROR></eSearchResult>\n"


def esearch_error_json(message: str) -> str:
    return json.dumps({"header": {"type": "esearch", "version": "0.3"}, "esearchresult": {"ERROR": message}})


# ---------------------------------------------------------------- esummary

def _item(name: str, kind: str, value: str) -> str:
    return f'\t<Item Name="{name}" Type="{kind}">{text(value)}</Item>\n'


def esummary_xml(catalogue: Catalogue, uids: list[str]) -> str:
    """eSummaryResult version 1.0: a DocSum per known UID, NCBI's ERROR per unknown one."""
    parts = [XML_DECLARATION_UTF8, ESUMMARY_DOCTYPE, "<eSummaryResult>\n"]
    for uid in uids:
        record = catalogue.get(uid)
        if record is None:
            parts.append(f"<ERROR>UID={text(uid)}: cannot get document summary</ERROR>\n")
            continue
        rows = [f"<DocSum>\n\t<Id>{record.pmid}</Id>\n"]
        rows.append(_item("PubDate", "Date", record.pub_date or ""))
        rows.append(_item("Source", "String", catalogue.iso_abbreviation(record) or record.journal
                          or record.book_title or ""))
        authors = "".join(f'\t\t<Item Name="Author" Type="String">{text(a.display)}</Item>\n'
                          for a in record.authors)
        rows.append(f'\t<Item Name="AuthorList" Type="List">\n{authors}\t</Item>\n' if authors
                    else '\t<Item Name="AuthorList" Type="List"></Item>\n')
        if record.authors:
            rows.append(_item("LastAuthor", "String", record.authors[-1].display))
        rows.append(_item("Title", "String", record.title or ""))
        rows.append(_item("Volume", "String", record.volume or ""))
        rows.append(_item("Issue", "String", record.issue or ""))
        rows.append(_item("Pages", "String", record.pages or ""))
        languages = ""
        if record.language:
            languages = (f'\t\t<Item Name="Lang" Type="String">'
                         f"{text(LANGUAGE_NAMES.get(record.language, record.language))}</Item>\n")
        rows.append(f'\t<Item Name="LangList" Type="List">\n{languages}\t</Item>\n')
        types = "".join(f'\t\t<Item Name="PubType" Type="String">{text(t)}</Item>\n'
                        for t in record.publication_types)
        rows.append(f'\t<Item Name="PubTypeList" Type="List">\n{types}\t</Item>\n')
        ids = f'\t\t<Item Name="pubmed" Type="String">{record.pmid}</Item>\n'
        if record.doi:
            ids += f'\t\t<Item Name="doi" Type="String">{text(record.doi)}</Item>\n'
        if record.pmcid:
            ids += f'\t\t<Item Name="pmc" Type="String">{text(record.pmcid)}</Item>\n'
        rows.append(f'\t<Item Name="ArticleIds" Type="List">\n{ids}\t</Item>\n')
        if record.doi:
            rows.append(_item("DOI", "String", record.doi))
        rows.append(_item("FullJournalName", "String", record.journal or ""))
        rows.append("</DocSum>\n")
        parts.extend(rows)
    parts.append("</eSummaryResult>\n")
    return "".join(parts)


# ---------------------------------------------------------------- elink

LINK_NAMES = ("pubmed_pubmed_refs", "pubmed_pubmed_citedin")


def _link_set_xml(catalogue: Catalogue, ids: list[str], link_names) -> str:
    id_list = "".join(f"<Id>{text(i)}</Id>" for i in ids)
    link_sets = ""
    for link_name in link_names:
        linked: set[str] = set()
        lookup = {"pubmed_pubmed_refs": catalogue.refs, "pubmed_pubmed_citedin": catalogue.citedin}.get(link_name)
        for pmid in ids if lookup else ():
            linked.update(lookup(pmid))
        if not linked:
            continue
        links = "".join(f"<Link><Id>{p}</Id></Link>" for p in sorted(linked, key=int, reverse=True))
        link_sets += (f"\t<LinkSetDb>\n\t\t<DbTo>pubmed</DbTo>\n\t\t<LinkName>{link_name}</LinkName>\n"
                      f"\t\t{links}\n\t</LinkSetDb>\n")
    return (f"<LinkSet>\n\t<DbFrom>pubmed</DbFrom>\n\t<IdList>{id_list}</IdList>\n"
            f"{link_sets}</LinkSet>\n")


def elink_xml(catalogue: Catalogue, id_groups: list[list[str]], link_names) -> str:
    """eLinkResult: one LinkSet per ``id`` parameter; the ids of one comma list share a LinkSet."""
    body = "".join(_link_set_xml(catalogue, group, link_names) for group in id_groups)
    return XML_DECLARATION_UTF8 + ELINK_DOCTYPE + f"<eLinkResult>\n{body}</eLinkResult>\n"


def elink_error_xml(message: str) -> str:
    return XML_DECLARATION_UTF8 + ELINK_DOCTYPE + f"<eLinkResult><ERROR>{text(message)}</ERROR></eLinkResult>\n"


def esummary_error_xml(message: str) -> str:
    return XML_DECLARATION_UTF8 + ESUMMARY_DOCTYPE + f"<eSummaryResult><ERROR>{text(message)}</ERROR></eSummaryResult>\n"


# ---------------------------------------------------------------- ecitmatch

def ecitmatch_text(catalogue: Catalogue, bdata: str) -> str:
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
        echoed = "|".join((journal, year, volume, first_page, author, key))
        lines.append(f"{echoed}|{answer}")
    return "".join(line + "\n" for line in lines)


def html_error_page(title: str) -> str:
    """An HTML error page like those NCBI's front end serves during outages."""
    return ("<!DOCTYPE html>\n<html><head><title>" + text(title) + "</title></head>\n"
            '<body><h1 class="error">' + text(title) + "</h1>\n"
            "<p>E-utilities stand-in (litgraph): injected HTML error page, not NCBI.</p></body></html>\n")
