"""The E-utilities stand-in answers like NCBI, from fixture records only.

Every XML answer is parsed with Bio.Entrez.read, offline, as a client would.
"""

import io
import re
from pathlib import Path

import pytest
import requests
from Bio import Entrez
from ruamel.yaml import YAML

from litgraph.errors import InputError
from litgraph.stub.records import (DEFAULT_RECORDS_PATH, RECORD_FIELDS, TEST_RECORDS_PATH, StubDataError,
                                   load_records, parse_author)
from litgraph.stub.server import StandIn, build_catalogue

ROOT = Path(__file__).resolve().parent.parent
DOC_001 = ROOT / "documents" / "001_a7b665464bb06ded.txt"
DOC_002 = ROOT / "documents" / "002_a0fffd84c40c4f80.txt"
DOC_004 = ROOT / "documents" / "004_0ac93ed9c6525e3e.txt"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

PUBMED_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                  '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')
ESEARCH_DOCTYPE = ('<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
                   '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">')
ESUMMARY_DOCTYPE = ('<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD esummary v1 20041029//EN" '
                    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">')
ELINK_DOCTYPE = ('<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD elink 20101123//EN" '
                 '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">')


@pytest.fixture(scope="module")
def stand_in():
    with StandIn(rate_limit=None, faults="") as server:
        yield server


@pytest.fixture(scope="module")
def test_stand_in():
    with StandIn(rate_limit=None, faults="", records=[DEFAULT_RECORDS_PATH, TEST_RECORDS_PATH]) as server:
        yield server


def parse(response):
    return Entrez.read(io.BytesIO(response.content))


def get(server, endpoint, **params):
    return requests.get(server.base_url + endpoint, params=params, timeout=10)


def post(server, endpoint, body):
    return requests.post(server.base_url + endpoint, data=body, headers=FORM, timeout=10)


def document_pmids(path, pattern):
    return re.findall(pattern, path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- fixture records

def test_every_fixture_record_has_only_allowed_fields_and_provenance_for_each():
    data = YAML(typ="safe").load(DEFAULT_RECORDS_PATH.read_text(encoding="utf-8"))
    assert len(data["records"]) == 29
    for entry in data["records"]:
        assert set(entry) <= RECORD_FIELDS, entry["pmid"]
        assert "abstract" not in entry
        assert not entry.get("synthetic"), entry["pmid"]
        provenance = entry["provenance"]
        for name in set(entry) - {"provenance", "kind"}:
            assert name in provenance or "default" in provenance, (entry["pmid"], name)
        assert all(isinstance(v, str) and v.strip() for v in provenance.values())


def test_default_records_hold_no_synthetic_record_and_leave_unidentified_works_out():
    records = load_records()
    assert not [r for r in records if r.synthetic or r.pmid.startswith("99")]
    dois = {r.doi.lower() for r in records if r.doi}
    for left_out in ["10.1038/nrc1168", "10.1200/jco.2004.11.037", "10.1097/cco.0b013e3283622c77",
                     "10.1016/s0140-6736(16)30587-6", "10.1080/13577140310001650321"]:
        assert left_out not in dois


def test_the_pmid_only_record_holds_nothing_but_its_pmid():
    record = {r.pmid: r for r in load_records()}["11283938"]
    assert (record.title, record.authors, record.journal, record.journal_iso, record.year, record.doi,
            record.publication_types, record.language) == (None, (), None, None, None, None, (), None)


def test_loader_names_file_and_record_for_an_unknown_field(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text("records:\n  - pmid: 123\n    abstract: made up\n    provenance: {default: x}\n")
    with pytest.raises(StubDataError, match=r"records\.yaml: record 1 \(PMID 123\): unknown field\(s\) \['abstract'\]"):
        load_records(path)


def test_loader_refuses_a_field_without_provenance(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text("records:\n  - pmid: 123\n    title: T\n    provenance: {pmid: doc}\n")
    with pytest.raises(StubDataError, match=r"no provenance for \['title'\]"):
        load_records(path)


def test_loader_refuses_a_duplicate_pmid(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text("records:\n  - {pmid: 5, provenance: {default: a}}\n  - {pmid: 5, provenance: {default: b}}\n")
    with pytest.raises(StubDataError, match="PMID 5 appears twice"):
        build_catalogue(path)


@pytest.mark.parametrize("written, expected", [
    ("Miller JS", ("Miller", "JS", None, None)),
    ("Lavengood RW Jr", ("Lavengood", "RW", "Jr", None)),
    ("Pavlovic Djokic S", ("Pavlovic Djokic", "S", None, None)),
    ("Öztürk H", ("Öztürk", "H", None, None)),
    ("Trans-Atlantic RPS Working Group", (None, None, None, "Trans-Atlantic RPS Working Group")),
])
def test_authors_are_read_as_the_documents_write_them(written, expected):
    author = parse_author(written)
    assert (author.last_name, author.initials, author.suffix, author.collective_name) == expected


# ---------------------------------------------------------------- efetch

def test_every_pmid_document_001_states_is_served_by_efetch_post(stand_in):
    pmids = document_pmids(DOC_001, r"\[PubMed PMID: (\d+)\]")
    assert len(pmids) == 17
    response = post(stand_in, "efetch.fcgi", "db=pubmed&retmode=xml&id=" + "%2C".join(pmids))
    served = [a["MedlineCitation"]["PMID"] for a in parse(response)["PubmedArticle"]]
    assert served == pmids


def test_every_pmid_documents_002_and_004_state_is_served(stand_in):
    pmids = document_pmids(DOC_002, r"Fetch PMID: (\d+)") + document_pmids(DOC_004, r"PMID: (\d+)")
    assert pmids == ["11283938", "8664040", "7731476", "27882721", "40051557", "38634045", "37977843",
                     "37752948", "37720343"]
    result = parse(get(stand_in, "efetch.fcgi", db="pubmed", retmode="xml", id=",".join(pmids)))
    assert [a["MedlineCitation"]["PMID"] for a in result["PubmedArticle"]] == pmids


def test_efetch_journal_article_whole_record(stand_in):
    response = get(stand_in, "efetch.fcgi", db="pubmed", id="20090506", retmode="xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert response.text.splitlines()[:2] == ['<?xml version="1.0" ?>', PUBMED_DOCTYPE]
    article = parse(response)["PubmedArticle"][0]
    citation = article["MedlineCitation"]
    assert citation["PMID"] == "20090506" and citation["PMID"].attributes == {"Version": "1"}
    body = citation["Article"]
    assert body["Journal"] == {"JournalIssue": {"Volume": "34", "Issue": "2",
                                                "PubDate": {"Year": "2010", "Month": "Feb"}},
                               "Title": "The American journal of surgical pathology",
                               "ISOAbbreviation": "Am J Surg Pathol"}
    assert body["ArticleTitle"] == "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases"
    assert body["Pagination"] == {"MedlinePgn": "238-42"}
    assert body["ELocationID"] == ["10.1097/PAS.0b013e3181cad8c9"]
    assert body["ELocationID"][0].attributes == {"EIdType": "doi", "ValidYN": "Y"}
    assert [(a["LastName"], a["Initials"]) for a in body["AuthorList"]] == [
        ("Miller", "JS"), ("Zhou", "M"), ("Brimo", "F"), ("Guo", "CC"), ("Epstein", "JI")]
    assert body["Language"] == ["eng"]
    assert body["PublicationTypeList"] == ["Journal Article", "Multicenter Study"]
    ids = article["PubmedData"]["ArticleIdList"]
    assert [(i, i.attributes["IdType"]) for i in ids] == [("20090506", "pubmed"),
                                                          ("10.1097/PAS.0b013e3181cad8c9", "doi")]
    assert "Abstract" not in body and "ReferenceList" not in article["PubmedData"] or \
        article["PubmedData"]["ReferenceList"] == []


def test_efetch_dutch_consensus_article_and_collective_author(stand_in):
    result = parse(get(stand_in, "efetch.fcgi", db="pubmed", id="7731476,25316486"))
    dutch, group = (a["MedlineCitation"]["Article"] for a in result["PubmedArticle"])
    assert dutch["Language"] == ["dut"]
    assert dutch["PublicationTypeList"] == ["Consensus Development Conference", "Review"]
    assert dutch["Journal"]["ISOAbbreviation"] == "Ned Tijdschr Geneeskd"
    assert dutch["Journal"]["JournalIssue"]["PubDate"] == {"Year": "1995", "Month": "Apr", "Day": "22"}
    assert [a["LastName"] for a in dutch["AuthorList"]] == ["Van Geel", "Van Unnik", "Keus"]
    assert group["AuthorList"][0]["CollectiveName"] == "Trans-Atlantic RPS Working Group"


def test_efetch_pmid_only_record_parses_with_an_empty_title(stand_in):
    article = parse(get(stand_in, "efetch.fcgi", db="pubmed", id="11283938"))["PubmedArticle"][0]
    body = article["MedlineCitation"]["Article"]
    assert body == {"ArticleTitle": "", "Language": [], "ArticleDate": [], "ELocationID": []}
    assert list(article["PubmedData"]["ArticleIdList"]) == ["11283938"]


def test_efetch_statpearls_chapter_is_a_book_article_citing_document_001_references(stand_in):
    result = parse(get(stand_in, "efetch.fcgi", db="pubmed", id="32491531"))
    assert result["PubmedArticle"] == []
    book = result["PubmedBookArticle"][0]["BookDocument"]
    assert book["PMID"] == "32491531"
    assert book["ArticleTitle"] == "Renal Leiomyosarcoma"
    assert book["Book"]["BookTitle"] == "StatPearls"
    assert (book["AuthorList"][0][0]["LastName"], book["AuthorList"][0][0]["ForeName"]) == ("Zafar", "Rabia")
    references = book["ReferenceList"][0]["Reference"]
    assert [r["ArticleIdList"][0] for r in references] == document_pmids(DOC_001, r"\[PubMed PMID: (\d+)\]")
    assert references[0]["Citation"] == ("Miller JS, Zhou M, Brimo F, Guo CC, Epstein JI. Primary leiomyosarcoma "
                                         "of the kidney: a clinicopathologic study of 27 cases. Am J Surg Pathol. "
                                         "2010;34(2):238-42.")


def test_efetch_keeps_seed_004_reference_list_with_dois(stand_in):
    article = parse(get(stand_in, "efetch.fcgi", db="pubmed", id="27882721"))["PubmedArticle"][0]
    references = article["PubmedData"]["ReferenceList"][0]["Reference"]
    assert [[(i, i.attributes["IdType"]) for i in r["ArticleIdList"]] for r in references] == [
        [("10.1038/nrc1168", "doi")],
        [("10.1200/JCO.2004.11.037", "doi")],
        [("10.1016/j.hoc.2013.07.002", "doi"), ("24093170", "pubmed")],
        [("10.1097/CCO.0b013e3283622c77", "doi")],
        [("10.1016/S0140-6736(16)30587-6", "doi"), ("PMC5647653", "pmc")],
    ]


def test_efetch_leaves_unknown_ids_out_and_answers_ncbi_error_when_none_is_valid(stand_in):
    result = parse(get(stand_in, "efetch.fcgi", db="pubmed", id="99999999,20090506,abc"))
    assert [a["MedlineCitation"]["PMID"] for a in result["PubmedArticle"]] == ["20090506"]
    empty = parse(get(stand_in, "efetch.fcgi", db="pubmed", id="99999999"))
    assert empty == {"PubmedArticle": [], "PubmedBookArticle": []}
    invalid = get(stand_in, "efetch.fcgi", db="pubmed", id="abc")
    assert invalid.status_code == 200
    assert "<eFetchResult>\n\t<ERROR>ID list is empty! Possibly it has no correct IDs.</ERROR>" in invalid.text
    assert 'eEfetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN"' in invalid.text


def test_title_and_author_text_is_xml_escaped(stand_in):
    response = get(stand_in, "efetch.fcgi", db="pubmed", id="17090186")
    assert "<Title>Archives of pathology &amp; laboratory medicine</Title>" in response.text
    journal = parse(response)["PubmedArticle"][0]["MedlineCitation"]["Article"]["Journal"]
    assert journal["Title"] == "Archives of pathology & laboratory medicine"


# ---------------------------------------------------------------- esearch

def test_esearch_ored_dois_case_insensitive_over_get_and_post(stand_in):
    term = ('"10.1097/pas.0b013e3181cad8c9"[aid] OR "10.1007/S00428-020-02774-Z"[lid] '
            'OR "10.1038/nrc1168"[aid] OR 10.1016/S0140-6736(16)30587-6[doi]')
    by_get = get(stand_in, "esearch.fcgi", db="pubmed", term=term)
    assert by_get.text.splitlines()[1] == ESEARCH_DOCTYPE
    result = parse(by_get)
    assert (result["Count"], result["RetMax"], result["RetStart"], result["IdList"]) == (
        "2", "2", "0", ["32078043", "20090506"])
    assert "ErrorList" not in result
    by_post = parse(post(stand_in, "esearch.fcgi", "db=pubmed&term=" + requests.utils.quote(term)))
    assert by_post["IdList"] == result["IdList"]


def test_esearch_title_author_year_query_and_its_negative(stand_in):
    hit = parse(get(stand_in, "esearch.fcgi", db="pubmed",
                    term="(leiomyosarcoma[ti] AND kidney[ti] AND deyrup at[au] AND 2004[dp])"))
    assert hit["IdList"] == ["15043306"]
    wrong_year = parse(get(stand_in, "esearch.fcgi", db="pubmed",
                           term="(leiomyosarcoma[ti] AND kidney[ti] AND deyrup at[au] AND 2005[dp])"))
    assert wrong_year["Count"] == "0" and wrong_year["IdList"] == []
    ored = parse(get(stand_in, "esearch.fcgi", db="pubmed",
                     term="(leiomyosarcoma[ti] AND kidney[ti]) OR (renal[ti] AND vein[ti])"))
    assert ored["IdList"] == ["28265233", "20090506", "17268912", "17203356", "15043306", "4819688"]


def test_esearch_quoted_phrase_author_initials_and_truncation(stand_in):
    phrase = parse(get(stand_in, "esearch.fcgi", db="pubmed", term='"renal leiomyosarcoma"[ti]'))
    assert phrase["IdList"] == ["32491531", "24179654", "22346103"]
    assert parse(get(stand_in, "esearch.fcgi", db="pubmed", term="serrano c[au]"))["IdList"] == ["24093170"]
    assert parse(get(stand_in, "esearch.fcgi", db="pubmed", term="serrano x[au]"))["IdList"] == []
    assert parse(get(stand_in, "esearch.fcgi", db="pubmed", term="nephron*[ti] OR biops*[ti]"))["IdList"] == [
        "30656989", "25190132"]
    assert parse(get(stand_in, "esearch.fcgi", db="pubmed", term="24093170[uid]"))["IdList"] == ["24093170"]


def test_esearch_zero_hits_and_unknown_field_as_ncbi(stand_in):
    response = get(stand_in, "esearch.fcgi", db="pubmed", term="abcXYZ")
    result = parse(response)
    assert (result["Count"], result["IdList"]) == ("0", [])
    assert result["ErrorList"] == {"PhraseNotFound": ["abcXYZ"], "FieldNotFound": []}
    assert result["WarningList"]["OutputMessage"] == ["No items found."]
    bad_field = parse(get(stand_in, "esearch.fcgi", db="pubmed", term="kidney[zz]"))
    assert bad_field["ErrorList"]["FieldNotFound"] == ["zz"]


def test_esearch_retmax_retstart_and_json(stand_in):
    term = "leiomyosarcoma[ti]"
    everything = parse(get(stand_in, "esearch.fcgi", db="pubmed", term=term))
    page = parse(get(stand_in, "esearch.fcgi", db="pubmed", term=term, retmax="2", retstart="1"))
    assert (page["Count"], page["RetMax"], page["RetStart"]) == (everything["Count"], "2", "1")
    assert page["IdList"] == everything["IdList"][1:3]
    answer = get(stand_in, "esearch.fcgi", db="pubmed", term=term, retmode="json", retmax="2")
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": {
        "count": everything["Count"], "retmax": "2", "retstart": "0", "idlist": everything["IdList"][:2],
        "translationset": [], "querytranslation": '"leiomyosarcoma"[Title]'}}


def test_esearch_without_term_is_an_error_element(stand_in):
    with pytest.raises(RuntimeError, match="Empty term and query_key - nothing todo"):
        parse(get(stand_in, "esearch.fcgi", db="pubmed"))


# ---------------------------------------------------------------- esummary

def test_esummary_docsum_and_error_for_unknown_uid(stand_in):
    response = get(stand_in, "esummary.fcgi", db="pubmed", id="24093170")
    assert response.text.splitlines()[1] == ESUMMARY_DOCTYPE
    summary = parse(response)[0]
    assert {k: summary[k] for k in ("Id", "PubDate", "Source", "AuthorList", "Title", "Volume", "Issue",
                                    "Pages", "DOI", "FullJournalName", "LangList", "PubTypeList")} == {
        "Id": "24093170", "PubDate": "2013 Oct", "Source": "Hematol Oncol Clin North Am",
        "AuthorList": ["Serrano C", "George S"], "Title": "Leiomyosarcoma", "Volume": "27", "Issue": "5",
        "Pages": "957-74", "DOI": "10.1016/j.hoc.2013.07.002",
        "FullJournalName": "Hematology/oncology clinics of North America", "LangList": ["English"],
        "PubTypeList": ["Journal Article"]}
    mixed = post(stand_in, "esummary.fcgi", "db=pubmed&id=24093170%2C99999999")
    with pytest.raises(RuntimeError, match="UID=99999999: cannot get document summary"):
        parse(mixed)
    lenient = Entrez.read(io.BytesIO(mixed.content), ignore_errors=True)
    assert lenient[0]["Id"] == "24093170"


# ---------------------------------------------------------------- elink

def test_elink_repeated_ids_give_one_linkset_each(stand_in):
    params = [("dbfrom", "pubmed"), ("db", "pubmed"), ("linkname", "pubmed_pubmed_citedin"),
              ("id", "27882721"), ("id", "20090506"), ("id", "99999999")]
    response = requests.get(stand_in.base_url + "elink.fcgi", params=params, timeout=10)
    assert response.text.splitlines()[1] == ELINK_DOCTYPE
    link_sets = parse(response)
    assert [ls["IdList"] for ls in link_sets] == [["27882721"], ["20090506"], ["99999999"]]
    assert [[link["Id"] for link in ls["LinkSetDb"][0]["Link"]] for ls in link_sets[:2]] == [
        ["40051557", "38634045", "37977843", "37752948", "37720343"], ["32491531"]]
    assert link_sets[0]["LinkSetDb"][0]["LinkName"] == "pubmed_pubmed_citedin"
    assert link_sets[2]["LinkSetDb"] == []


def test_elink_comma_list_gives_one_merged_linkset_over_post(stand_in):
    link_sets = parse(post(stand_in, "elink.fcgi", "dbfrom=pubmed&db=pubmed&linkname=pubmed_pubmed_citedin"
                                                   "&id=27882721%2C20090506"))
    assert len(link_sets) == 1
    assert link_sets[0]["IdList"] == ["27882721", "20090506"]
    assert [link["Id"] for link in link_sets[0]["LinkSetDb"][0]["Link"]] == [
        "40051557", "38634045", "37977843", "37752948", "37720343", "32491531"]


def test_elink_refs_come_from_the_reference_lists(stand_in):
    link_sets = parse(get(stand_in, "elink.fcgi", dbfrom="pubmed", db="pubmed",
                          linkname="pubmed_pubmed_refs", id="32491531"))
    refs = [link["Id"] for link in link_sets[0]["LinkSetDb"][0]["Link"]]
    assert refs == sorted(document_pmids(DOC_001, r"\[PubMed PMID: (\d+)\]"), key=int, reverse=True)
    without_name = parse(get(stand_in, "elink.fcgi", dbfrom="pubmed", id="27882721"))
    assert [(db["LinkName"], [link["Id"] for link in db["Link"]]) for db in without_name[0]["LinkSetDb"]] == [
        ("pubmed_pubmed_refs", ["24093170"]),
        ("pubmed_pubmed_citedin", ["40051557", "38634045", "37977843", "37752948", "37720343"])]


# ---------------------------------------------------------------- ecitmatch

def test_ecitmatch_get_with_trailing_pipes_and_cr_separators(stand_in):
    bdata = ("am j surg pathol|2010|34|238|miller js|first|\r"
             "hematology/oncology clinics of north america|2013|27|957|serrano c|second|\r"
             "mod pathol|2021|34|758||third|\r"
             "journal of imaginary results|2000|1|1||fourth|")
    response = get(stand_in, "ecitmatch.cgi", db="pubmed", retmode="xml", bdata=bdata)
    assert response.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert response.text.splitlines() == [
        "am j surg pathol|2010|34|238|miller js|first|20090506",
        "hematology/oncology clinics of north america|2013|27|957|serrano c|second|24093170",
        "mod pathol|2021|34|758||third|NOT_FOUND",
        "journal of imaginary results|2000|1|1||fourth|NOT_FOUND;INVALID_JOURNAL"]


def test_ecitmatch_post_biopython_form_reordered_blank_lines_and_wrong_author(stand_in):
    # Biopython's form: no trailing "|", "+" for spaces, %0D between citations.
    body = ("db=pubmed&retmode=xml&bdata=virchows+arch|2020|477|219|nobody+x|b%0D%0D"
            "The+American+Journal+of+Surgical+Pathology|2004|28|178|deyrup+at|a%0D"
            "urology|1974|3|271|niceta+p|c")
    response = post(stand_in, "ecitmatch.cgi", body)
    assert response.text.splitlines() == [
        "virchows arch|2020|477|219|nobody x|b|32078043",
        "The American Journal of Surgical Pathology|2004|28|178|deyrup at|a|15043306",
        "urology|1974|3|271|niceta p|c|NOT_FOUND"]


def test_ecitmatch_ambiguous_unless_the_author_decides(test_stand_in):
    response = get(test_stand_in, "ecitmatch.cgi", db="pubmed", retmode="xml",
                   bdata="synth test j|2004|8|100||k1|\rsynthetic test journal|2004|8|100|testbeta e|k2|")
    assert response.text.splitlines() == ["synth test j|2004|8|100||k1|AMBIGUOUS (2 citations)",
                                          "synthetic test journal|2004|8|100|testbeta e|k2|990000006"]


# ---------------------------------------------------------------- test-only records

def test_test_records_carry_retraction_erratum_and_a_doi_conflict(test_stand_in):
    result = parse(get(test_stand_in, "efetch.fcgi", db="pubmed", id="990000001,990000003"))
    retracted, corrected = (a["MedlineCitation"] for a in result["PubmedArticle"])
    assert "Retracted Publication" in retracted["Article"]["PublicationTypeList"]
    links = retracted["CommentsCorrectionsList"]
    assert [(c.attributes["RefType"], c["RefSource"], c["PMID"]) for c in links] == [
        ("RetractionIn", "Synth Test J. 2002;6(1):1", "990000002")]
    assert corrected["CommentsCorrectionsList"][0].attributes["RefType"] == "ErratumIn"
    conflict = parse(get(test_stand_in, "esearch.fcgi", db="pubmed", term='"10.5555/test.conflict"[aid]'))
    assert conflict["IdList"] == ["990000008", "990000007"]


def test_test_records_stay_out_of_the_default_stand_in(stand_in):
    assert parse(get(stand_in, "efetch.fcgi", db="pubmed", id="990000001")) == {
        "PubmedArticle": [], "PubmedBookArticle": []}


# ---------------------------------------------------------------- HTTP surface

def test_stats_count_each_endpoint_and_reset(tmp_path):
    with StandIn(rate_limit=None, faults="") as server:
        get(server, "efetch.fcgi", db="pubmed", id="20090506")
        get(server, "efetch.fcgi", db="pubmed", id="24093170")
        post(server, "esearch.fcgi", "db=pubmed&term=kidney")
        get(server, "ecitmatch.cgi", db="pubmed", bdata="x|1|1|1||k|")
        get(server, "einfo.fcgi")
        expected = {"efetch.fcgi": 2, "esearch.fcgi": 1, "ecitmatch.cgi": 1, "einfo.fcgi": 1}
        assert requests.get(server.stats_url, timeout=10).json() == expected
        assert server.stats() == expected
        requests.post(server.stats_url.replace("_stats", "_reset"), timeout=10)
        assert server.stats() == {}


def test_unknown_endpoint_is_a_404_html_page(stand_in):
    response = get(stand_in, "epost.fcgi", db="pubmed", id="1")
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")


def test_wrong_database_is_an_ncbi_error(stand_in):
    with pytest.raises(RuntimeError, match="Invalid db name specified: gds"):
        parse(get(stand_in, "esearch.fcgi", db="gds", term="kidney"))


def test_answers_say_they_are_not_ncbi(stand_in):
    response = get(stand_in, "efetch.fcgi", db="pubmed", id="20090506")
    assert response.headers["X-Litgraph-Stand-In"] == "fixture records, not NCBI"


def test_stand_in_refuses_a_non_loopback_host():
    with pytest.raises(InputError, match="loopback only"):
        StandIn(host="0.0.0.0", rate_limit=None).start()


def test_every_fixture_fact_is_written_in_a_document_or_the_extra_facts():
    # The facts the documents do not state, each with the public page it was seen on.
    extra_facts = ROOT / "tests" / "fixtures" / "extra-reference-facts.yaml"
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "documents").glob("*.txt")))
    sources += extra_facts.read_text(encoding="utf-8")
    for record in load_records():
        facts = [record.pmid, record.title, record.doi, record.journal, record.journal_iso, record.volume,
                 record.issue, record.pages, record.pmcid[3:] if record.pmcid else None,
                 str(record.year) if record.year else None]
        facts += [a.display if not a.fore_name else a.fore_name + " " + a.last_name for a in record.authors]
        facts += list(record.all_cited_pmids) + [r.doi for r in record.references]
        for fact in filter(None, facts):
            assert fact in sources, (record.pmid, fact)


@pytest.mark.parametrize("shapes", [frozenset(), frozenset({"omit"}), frozenset({"cites"})])
def test_efetch_answers_the_same_before_and_after_the_benchmarks_prerender(shapes):
    """``prerender`` only saves the stand-in's time: the same PubmedArticleSet, in the order
    asked, unknown PMIDs left out, the ``omit`` shape still dropping the last known record."""
    from litgraph.stub import render
    from litgraph.stub.synthetic import synthetic_pmid

    pmids = [synthetic_pmid(n) for n in (7, 3, 12)] + ["1"] + [synthetic_pmid(5)]
    before = render.efetch_xml(build_catalogue(synthetic=20), pmids, shapes)
    prerendered = build_catalogue(synthetic=20)
    render.prerender(prerendered)
    after = render.efetch_xml(prerendered, pmids, shapes)
    assert after == before
    served = [a["MedlineCitation"]["PMID"] for a in Entrez.read(io.BytesIO(after.encode()))["PubmedArticle"]]
    expected = [p for p in pmids if p != "1"]
    assert served == (expected[:-1] if "omit" in shapes else expected)
