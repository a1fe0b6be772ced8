"""The ElementTree parsers' shortcuts, on replies written to reach them, held to Bio.Entrez.

The hot loops take an all-digits text as it is (a PMID needs no white-space
folding), gather reference PMIDs of nested ReferenceLists into one ordered dict,
and read DOIs and PMCIDs in one pass.  The replies below give those shortcuts
what they must leave to the slow path: padded and empty IDs, non-ASCII digits,
repeated and nested references, repeated LinkSets.  ``reply_problem`` looks for
the answer markers before the case-blind ``<ERROR>`` search: its verdicts stay.
"""

import pytest

from litgraph.entrez.records import parse_elink, parse_esearch, parse_pubmed
from litgraph.entrez.reference import (parse_elink_reference, parse_esearch_reference,
                                       parse_pubmed_reference)
from litgraph.entrez.replies import reply_problem

PUBMED_HEAD = ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
               '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')
ELINK_HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD '
              'elink 20101123//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n')
ESEARCH_HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD '
                'esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n')


def ids(*pairs):
    return "".join(f'<ArticleId IdType="{kind}">{text}</ArticleId>' for kind, text in pairs)


def reference(*pmids):
    return f"<Reference><Citation>c</Citation><ArticleIdList>{ids(*(('pubmed', p) for p in pmids))}" \
           "</ArticleIdList></Reference>"


def article(pmid, article_ids, references, comments=""):
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
            '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><Volume>3</Volume>'
            '<PubDate><Year>2001</Year></PubDate></JournalIssue><Title>J  Synth\n</Title></Journal>'
            '<ArticleTitle>A title</ArticleTitle><ELocationID EIdType="doi" ValidYN="Y"> 10.5555/E </ELocationID>'
            '<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Lee</LastName><Initials>M</Initials>'
            '</Author></AuthorList><Language>eng</Language><PublicationTypeList><PublicationType UI="D016428">'
            ' Journal  Article</PublicationType></PublicationTypeList></Article>'
            f'<CommentsCorrectionsList>{comments}</CommentsCorrectionsList></MedlineCitation>'
            f'<PubmedData><ArticleIdList>{article_ids}</ArticleIdList>{references}</PubmedData></PubmedArticle>')


def cites(pmid):
    return f'<CommentsCorrections RefType="Cites"><RefSource>x</RefSource><PMID Version="1">{pmid}</PMID>' \
           '</CommentsCorrections>'


EFETCH = (PUBMED_HEAD + "<PubmedArticleSet>" + article(
    " 990000101\n",
    ids(("pubmed", "990000101"), ("doi", " 10.5555/A "), ("pmc", "PMC7"), ("doi", "10.5555/b"),
        ("pmc", "PMC8"), ("doi", "10.5555/a")),
    "<ReferenceList>" + reference(" 11 ", "²", "١٢", "12", "11", "1 4", "")
    + "<ReferenceList>" + reference("16", "12")
    + "<ReferenceList>" + reference("17") + "</ReferenceList></ReferenceList>"
    + reference("18") + "</ReferenceList><ReferenceList>" + reference("19", "16") + "</ReferenceList>",
    cites(" 21 ") + cites("١٢٣") + cites("11") + cites("")) + article(
    "990000102", ids(("pmc", " "), ("doi", "")), "") + "</PubmedArticleSet>").encode()


def test_ids_padded_or_in_other_digits_read_as_before_and_as_bio_entrez_reads_them():
    fast, reference_records = parse_pubmed(EFETCH), parse_pubmed_reference(EFETCH)
    assert [vars(r) for r in fast] == [vars(r) for r in reference_records]
    first, second = fast
    assert first.pmid == "990000101"
    # each list's own references, then the lists nested in it, each PMID once; "²" and "١٢"
    # are digits to str.isdigit, as they were; then the CommentsCorrections Cites
    assert first.references == ["11", "²", "١٢", "12", "18", "16", "17", "19", "21", "١٢٣"]
    assert first.dois == ["10.5555/a", "10.5555/b", "10.5555/e"] and first.pmcid == "PMC7"
    assert first.journal == "J Synth" and first.publication_types == ["Journal Article"]
    assert (second.pmid, second.pmcid, second.dois, second.references) == ("990000102", None,
                                                                            ["10.5555/e"], [])


def link_set(pmid_ids, links, linkname="pubmed_pubmed_citedin"):
    id_list = "".join(f"<Id>{i}</Id>" for i in pmid_ids)
    link_list = "".join(f"<Link><Id>{i}</Id></Link>" for i in links)
    return (f"<LinkSet><DbFrom>pubmed</DbFrom><IdList>{id_list}</IdList><LinkSetDb><DbTo>pubmed</DbTo>"
            f"<LinkName>{linkname}</LinkName>{link_list}</LinkSetDb></LinkSet>")


ELINK = (ELINK_HEAD + "<eLinkResult>" + link_set([" 1 "], ["5", " 6 ", "²", "5", "", "7"])
         + link_set(["1"], ["6", "10"]) + link_set(["1"], ["3"], "pubmed_pubmed_refs")
         + link_set(["2", "3"], ["6"]) + link_set(["4", " "], ["8\n"]) + link_set(["٣"], [])
         + "</eLinkResult>").encode()


def test_links_padded_repeated_or_in_other_digits_read_as_before_and_as_bio_entrez_reads_them():
    for linkname in ("pubmed_pubmed_citedin", "pubmed_pubmed_refs"):
        assert parse_elink(ELINK, linkname) == parse_elink_reference(ELINK, linkname)
    assert parse_elink(ELINK, "pubmed_pubmed_citedin") == {
        "1": ["5", "6", "²", "7", "10"], "4": ["8"], "٣": []}
    assert parse_elink(ELINK, "pubmed_pubmed_refs") == {"1": ["3"], "4": [], "٣": []}


def test_search_ids_padded_or_empty_read_as_before_and_as_bio_entrez_reads_them():
    reply = (ESEARCH_HEAD + "<eSearchResult><Count>3</Count><RetMax>3</RetMax><RetStart>0</RetStart>"
             "<IdList><Id> 1</Id><Id></Id><Id>²</Id><Id>2\n</Id></IdList><TranslationSet/>"
             "<QueryTranslation>x</QueryTranslation></eSearchResult>").encode()
    assert parse_esearch(reply) == parse_esearch_reference(reply)
    assert parse_esearch(reply).ids == ["1", "²", "2"]


@pytest.mark.parametrize("body, problem", [
    # an <ERROR> beside answers is about one identifier (looked for only when no answer is there)
    (b"<eSummaryResult><ERROR>UID=1: cannot get document summary</ERROR><DocSum><Id>2</Id>"
     b"</DocSum></eSummaryResult>", None),
    (b"<eLinkResult><LinkSet><ERROR>x</ERROR></LinkSet></eLinkResult>", None),
    (b"<eSearchResult><error> Invalid query </error></eSearchResult>", "E-utilities error: Invalid query"),
    # the root's closing tag, else an empty root element (checked only when there is no closing tag)
    (b'<?xml version="1.0"?>\n<eLinkResult />\n', None),
    (b'<?xml version="1.0"?>\n<eLinkResult><LinkSet>', "truncated XML"),
    (b'<?xml version="1.0"?>\n<eLinkResult/> <x/>', "truncated XML"),
])
def test_reply_checks_in_their_cheaper_order_give_the_same_verdicts(body, problem):
    assert reply_problem(200, body, "text/xml") == problem
