"""Identity verification: each tolerance, each perturbation, the stored columns, the CLI end to end.

The unit tests compare SourceEntry values with PubmedRecords built from the
stand-in's fixture facts for PMID 20090506 (seed 001's reference [1]); the end
to end tests build small projects with ``litgraph build --offline`` and read
the database and ``litgraph check`` the way a curator does.
"""

import json
import sqlite3
from dataclasses import replace

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from litgraph.check import run_checks
from litgraph.cli import cli
from litgraph.entrez import FetchResult
from litgraph.entrez.records import PubmedRecord, parse_pubmed
from litgraph.identity import (fold, journals_agree, surname, surnames_agree, verdict_of,
                               verify_identity)
from litgraph.model import ReferenceSet, Resolution, SourceEntry
from litgraph.resolve import EntrezService
from litgraph.store import TABLES, ensure_db_shape
from litgraph.store.sources import save_resolutions

MILLER = PubmedRecord(
    "20090506", doi="10.1097/pas.0b013e3181cad8c9",
    title="Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases.",
    journal="The American journal of surgical pathology", journal_iso="Am J Surg Pathol",
    year=2010, volume="34", issue="2", pages="238-42",
    authors=["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"])
CITED = SourceEntry(
    "miller-2010", doi="10.1097/PAS.0b013e3181cad8c9",
    title="Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases",
    authors=["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"],
    journal="Am J Surg Pathol", year=2010, volume="34", issue="2", pages="238-42")
KENDAL = SourceEntry(
    "kendal-2007", doi="10.1097/PAS.0b013e3181cad8c9", title="The role of sunlight in tooth decay",
    authors=["Kendal WS"], journal="Lancet", year=2007, volume="14", issue="1", pages="3435-3440")
ALL_AGREE = "agrees: title, first author, authors, year, journal, volume, first page"


def verdict(entry, record=MILLER):
    identity = verify_identity(entry, record)
    return identity.verdict, identity.reason


# ---------------------------------------------------------------- tolerances

def test_the_true_citation_is_verified_field_by_field():
    identity = verify_identity(CITED, MILLER)
    assert (identity.verdict, identity.reason) == ("verified", ALL_AGREE)
    assert [(c.name, c.agrees) for c in identity.checks] == [
        ("title", True), ("first author", True), ("authors", True), ("year", True),
        ("journal", True), ("volume", True), ("first page", True)]


@pytest.mark.parametrize("variation", [
    # journal abbreviated, or written out in full against the ISO abbreviation
    dict(journal="The American Journal of Surgical Pathology"),
    dict(journal="Am. J. Surg. Pathol."),
    dict(journal="American journal of surgical pathology"),
    # subtitle dropped, trailing period, case, inline markup, accents
    dict(title="Primary leiomyosarcoma of the kidney"),
    dict(title="Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases."),
    dict(title="PRIMARY LEIOMYOSARCOMA OF THE KIDNEY: A CLINICOPATHOLOGIC STUDY OF 27 CASES"),
    dict(title="Primary <i>leiomyosarcoma</i> of the kidney: a clinicopathologic study of 27 cases"),
    dict(title="Primary leiomyosarcomá of the kidney: a clinicopathologic study of 27 cases"),
    # et al., authors as "Surname, I." or forename first
    dict(authors=["Miller JS", "Zhou M", "Brimo F", "et al"]),
    dict(authors=["Miller, J. S.", "Zhou, M."]),
    dict(authors=["Jonathan S. Miller", "Ming Zhou"]),
    # epub versus print year, in both directions
    dict(year=2009), dict(year=2011),
    # pages written in full, volume with a supplement
    dict(pages="238-242"), dict(volume="34 Suppl 1"),
])
def test_what_real_citations_do_is_tolerated(variation):
    assert verdict(replace(CITED, **variation)) == ("verified", ALL_AGREE)


@pytest.mark.parametrize("authors", [["Miller JS", "et al."], ["Miller JS et al"], ["Miller JS"]])
def test_et_al_alone_leaves_only_the_first_author_to_compare(authors):
    assert verdict(replace(CITED, authors=authors)) == (
        "verified", "agrees: title, first author, year, journal, volume, first page")


def test_fields_the_document_does_not_state_are_not_compared():
    entry = SourceEntry("m", title="Primary leiomyosarcoma of the kidney", year=2010)
    assert verdict(entry) == ("verified", "agrees: title, year")
    assert verdict(SourceEntry("bare", pmid="20090506")) == (
        None, "nothing to compare: the document states only an identifier (no title, author, "
              "year, journal, volume or page)")
    assert verdict(SourceEntry("t", title="Something"), PubmedRecord("1")) == (
        None, "nothing to compare: the record gives none of the fields the document states")


@pytest.mark.parametrize("label", ["Full text at", "View article on PubMed", "Free full text"])
def test_a_links_label_read_as_a_title_is_not_compared(label):
    """A web page's entry that is only a link ("Full text at PMC") gave the title "Full text
    at": compared with the record's, the right record was called a mismatch."""
    assert verdict(SourceEntry("link", pmcid="PMC900001", title=label)) == (
        None, "nothing to compare: the document states only an identifier (no title, author, "
              "year, journal, volume or page)")
    assert verdict(SourceEntry("link", title=label, year=2010)) == ("verified", "agrees: year")


def test_a_translated_title_in_brackets_agrees_with_the_title_the_document_gives():
    record = PubmedRecord("1", title="[Renal leiomyosarcoma: a case report].")
    assert verdict(SourceEntry("t", title="Renal leiomyosarcoma: a case report"), record) == (
        "verified", "agrees: title")
    stated = SourceEntry("t", title="Renal leiomyosarcoma: a case report [Article in Dutch]")
    assert verdict(stated, PubmedRecord("1", title="Renal leiomyosarcoma: a case report.")) == (
        "verified", "agrees: title")


@pytest.mark.parametrize("text, folded", [
    ("Straße und Ørsted: Łódź, Æsop, œuvre, ıi", "strasse und orsted lodz aesop oeuvre ii"),
    ("caf&eacute; &amp; cr\u00e8me", "cafe creme"),  # an entity that becomes an accent
    ("  Plain   ASCII, with-punctuation!  ", "plain ascii with punctuation"),
    ("Müller", "muller"), ("Mu\u0308ller", "muller"),  # composed and decomposed alike
    (2019, "2019"), (None, ""),
])
def test_fold_reads_accents_entities_and_plain_text_alike(text, folded):
    assert fold(text) == folded
    assert fold(text) == folded  # the second answer comes from the cache and agrees


def test_inline_markup_and_entities_never_split_a_word():
    record = PubmedRecord("1", title="CO<sub>2</sub> retention &amp; <i>in vivo</i> imaging")
    assert fold(record.title) == "co2 retention in vivo imaging"
    assert verdict(SourceEntry("c", title="CO2 retention & in vivo imaging"), record) == (
        "verified", "agrees: title")


def test_journal_abbreviations_against_every_form_the_record_gives():
    record = PubmedRecord("1", journal="Archives of pathology & laboratory medicine",
                          journal_medline_ta="Arch Pathol Lab Med")
    for stated in ("Arch Pathol Lab Med", "Archives of Pathology and Laboratory Medicine",
                   "Arch. Pathol. Lab. Med."):
        assert verdict(SourceEntry("j", journal=stated), record) == ("verified", "agrees: journal")
    assert journals_agree("J Natl Cancer Inst", "Journal of the National Cancer Institute")
    assert journals_agree("Int Urol Nephrol", "International urology and nephrology")
    assert journals_agree("Proc Natl Acad Sci U S A",
                          "Proceedings of the National Academy of Sciences of the United States of "
                          "America")
    assert journals_agree("N Engl J Med", "The New England journal of medicine")
    assert journals_agree("Journal of Clinical Oncology", "Journal of clinical oncology : official "
                          "journal of the American Society of Clinical Oncology")
    assert journals_agree("StatPearls [Internet]", "StatPearls")
    assert not journals_agree("Lancet", "Lancet Oncology")
    assert not journals_agree("Ann Surg", "Ann Surg Oncol")
    assert not journals_agree("J Urol", "Eur Urol")


@pytest.mark.parametrize("written_out, abbreviated", [
    # ISO 4 leaves out articles, prepositions and conjunctions in every language
    ("Nederlands Tijdschrift voor Geneeskunde", "Ned Tijdschr Geneeskd"),
    ("Archives des Maladies du Coeur et des Vaisseaux", "Arch Mal Coeur Vaiss"),
    ("Giornale Italiano di Cardiologia", "G Ital Cardiol"),
    ("Zeitschrift für Kardiologie", "Z Kardiol"),
    ("Revista Española de Cardiología", "Rev Esp Cardiol"),
    # and writes a hyphenated word as one, or the other way round
    ("Exploration of Targeted Anti-tumor Therapy", "Explor Target Antitumor Ther"),
    ("Anticancer Drugs", "Anti-Cancer Drugs"),
])
def test_written_out_journal_names_in_other_languages_and_with_hyphens_agree(written_out,
                                                                            abbreviated):
    assert journals_agree(written_out, abbreviated) and journals_agree(abbreviated, written_out)


def test_words_left_out_of_journal_names_do_not_make_other_journals_agree():
    assert not journals_agree("Tijdschrift voor Urologie", "Tijdschr Neurol")
    assert not journals_agree("Anti-Cancer Drugs", "Cancer Drugs")
    assert not journals_agree("Archives des Maladies du Coeur", "Arch Mal Prof Environ")


def test_surnames_in_the_forms_documents_write_them():
    assert surname("Lavengood RW Jr") == ["lavengood"]
    assert surname("Van Geel AN") == ["van", "geel"]
    assert surnames_agree("Albert N. Van Geel", "Van Geel AN")
    assert surnames_agree("Zhang Wei", "Zhang W")
    assert surnames_agree("Turkeri L", "Türkeri L")
    assert surnames_agree("Karaosmanoglu AD", "Karaosmanoğlu AD")
    assert surnames_agree("Trans-Atlantic RPS Working Group", "Trans-Atlantic RPS Working Group")
    assert not surnames_agree("Zhou M", "Zhao M")
    assert not surnames_agree("Kendal WS", "Miller JS")


# ---------------------------------------------------------------- perturbations, field by field

def test_a_wrong_title_alone_is_partial_with_its_similarity():
    wrong = replace(CITED, title="Renal leiomyosarcoma: a diagnostic challenge")
    assert verdict(wrong) == (
        "partial", 'title 0.51 similar: "Renal leiomyosarcoma: a diagnostic..." vs '
                   '"Primary leiomyosarcoma of the kidney: a..."; agrees: first author, authors, '
                   'year, journal, volume, first page')


def test_a_different_subtitle_is_not_a_dropped_one():
    other = replace(CITED, title="Primary leiomyosarcoma of the kidney: outcomes of surgery")
    assert verdict(other)[0] == "partial"


def test_a_wrong_first_author_alone_is_partial():
    wrong = replace(CITED, authors=["Deyrup AT", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"])
    assert verdict(wrong) == ("partial", "first author Deyrup vs Miller; agrees: title, authors, "
                                         "year, journal, volume, first page")


def test_a_wrong_year_alone_is_partial_and_one_year_off_is_not_wrong():
    assert verdict(replace(CITED, year=2007)) == (
        "partial", "year 2007 vs 2010; agrees: title, first author, authors, journal, volume, "
                   "first page")
    assert verdict(replace(CITED, year=2008))[0] == "partial"
    assert verdict(replace(CITED, year=2011))[0] == "verified"


def test_other_authors_not_on_the_record_are_named():
    wrong = replace(CITED, authors=["Miller JS", "Zhou M", "Singer S", "Demetri GD"])
    assert verdict(wrong) == (
        "partial", "authors 2 of 3 others not on the record: Singer, Demetri; agrees: title, "
                   "first author, year, journal, volume, first page")


def test_wrong_volume_and_page_together_are_a_mismatch():
    wrong = replace(CITED, volume="14", pages="3435-3440")
    assert verdict(wrong) == (
        "mismatch", "volume 14 vs 34; first page 3435 vs 238; agrees: title, first author, "
                    "authors, year, journal")


def test_the_fabricated_citation_names_every_differing_field():
    assert verdict(KENDAL) == (
        "mismatch", 'title 0.35 similar: "The role of sunlight in tooth decay" vs "Primary '
                    'leiomyosarcoma of the kidney: a..."; first author Kendal vs Miller; year 2007 '
                    'vs 2010; journal Lancet vs Am J Surg Pathol; volume 14 vs 34; first page 3435 '
                    'vs 238')


def test_everything_stated_differing_is_a_mismatch_even_when_it_is_one_field():
    assert verdict(SourceEntry("t", title="The role of sunlight in tooth decay")) == (
        "mismatch", 'title 0.35 similar: "The role of sunlight in tooth decay" vs "Primary '
                    'leiomyosarcoma of the kidney: a..."')


def test_identifiers_swapped_between_two_entries_are_both_mismatches():
    deyrup = PubmedRecord("15043306", title="Leiomyosarcoma of the kidney: a clinicopathologic study",
                          authors=["Deyrup AT", "Montgomery E", "Fisher C"],
                          journal="The American journal of surgical pathology", year=2004,
                          volume="28", issue="2", pages="178-82")
    cited_deyrup = SourceEntry("deyrup-2004", title=deyrup.title, authors=list(deyrup.authors),
                               journal="Am J Surg Pathol", year=2004, volume="28", pages="178-82")
    # each citation now leads to the other's record: same journal, every other field differs
    for entry, record in ((CITED, deyrup), (cited_deyrup, MILLER)):
        identity = verify_identity(entry, record)
        assert identity.verdict == "mismatch"
        assert identity.differing == ["title", "first author", "authors", "year", "volume",
                                      "first page"]
        assert identity.agreeing == ["journal"]


def test_verdict_rules():
    from litgraph.identity import FieldCheck

    def checks(*agrees):
        return [FieldCheck(f"f{i}", a, "", "", "") for i, a in enumerate(agrees)]

    assert verdict_of([]) is None
    assert verdict_of(checks(True, True)) == "verified"
    assert verdict_of(checks(True, False)) == "partial"
    assert verdict_of(checks(False)) == "mismatch"
    assert verdict_of(checks(True, True, False, False)) == "mismatch"


def test_a_record_parsed_from_efetch_xml_keeps_its_medline_ta():
    xml = (b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
           b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
           b'<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
           b'<PMID Version="1">980000001</PMID><Article PubModel="Print"><Journal>'
           b'<JournalIssue CitedMedium="Print"><PubDate><Year>2020</Year></PubDate></JournalIssue>'
           b'<Title>Synthetic journal of tests</Title><ISOAbbreviation>Synth J Tests'
           b'</ISOAbbreviation></Journal><ArticleTitle>Synthetic title.</ArticleTitle></Article>'
           b'<MedlineJournalInfo><Country>Nowhere</Country><MedlineTA>Synth J Tests Abbr</MedlineTA>'
           b'</MedlineJournalInfo></MedlineCitation></PubmedArticle></PubmedArticleSet>')
    record = parse_pubmed(xml)[0]
    assert (record.journal, record.journal_iso, record.journal_medline_ta) == (
        "Synthetic journal of tests", "Synth J Tests", "Synth J Tests Abbr")


# ---------------------------------------------------------------- storing

def test_ensure_db_shape_adds_the_identity_columns_to_an_older_database(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    older = {k: v for k, v in TABLES["sources"][0].items() if k not in ("identity", "identity_reason")}
    db["sources"].create(older, pk="id")
    db["sources"].insert({"id": "kept", "title": "A title", "status": "resolved"})
    ensure_db_shape(db)
    assert {"identity": "TEXT", "identity_reason": "TEXT"}.items() <= {
        c.name: c.type for c in db["sources"].columns}.items()
    assert db["sources"].get("kept")["title"] == "A title"
    assert ["identity"] in [i.columns for i in db["sources"].indexes]


def test_save_resolutions_stores_the_verdict_only_for_a_resolved_source(tmp_path):
    db = sqlite_utils.Database(tmp_path / "t.db")
    ensure_db_shape(db)
    refset = ReferenceSet(sources=[KENDAL, CITED, SourceEntry("gone", pmid="1")])
    changes = save_resolutions(db, refset, [
        Resolution("kendal-2007", "resolved", resolved_by="doi", record=MILLER,
                   identity="mismatch", identity_reason="as resolve gave it"),
        Resolution("miller-2010", "resolved", resolved_by="doi", record=MILLER),  # not yet verified
        Resolution("gone", "unresolved", "PMID not found in PubMed (PMID 1)", identity="verified",
                   identity_reason="never stored for an unresolved source")])
    assert changes == []
    rows = {r["id"]: (r["identity"], r["identity_reason"]) for r in db["sources"].rows}
    assert rows == {"kendal-2007": ("mismatch", "as resolve gave it"),
                    "miller-2010": ("verified", ALL_AGREE), "gone": (None, None)}
    # a later run finding a mismatch where there was none says so
    changes = save_resolutions(db, refset, [Resolution(
        "miller-2010", "resolved", resolved_by="doi", record=MILLER, identity="mismatch",
        identity_reason="year 2007 vs 2010; volume 14 vs 34")])
    assert changes == ["miller-2010: the record is not the work cited (identity mismatch): "
                       "year 2007 vs 2010; volume 14 vs 34"]


def test_check_mismatch_is_an_error_and_partial_a_warning(tmp_path):
    db = sqlite_utils.Database(tmp_path / "t.db")
    ensure_db_shape(db)
    wrong_year = replace(CITED, key="wrong-year", year=2007)
    save_resolutions(db, ReferenceSet(sources=[KENDAL, wrong_year, CITED]), [
        Resolution(s.key, "resolved", resolved_by="doi", record=MILLER)
        for s in (KENDAL, wrong_year, CITED)])
    report = run_checks(db, None)
    found = [(f.kind, f.severity, f.subject) for f in report.findings
             if f.kind.startswith("identity")]
    assert found == [("identity-mismatch", "error", "kendal-2007"),
                     ("identity-partial", "warning", "wrong-year")]
    message = report.of_kind("identity-mismatch")[0].message
    assert message.startswith("kendal-2007 (PMID 20090506, DOI 10.1097/pas.0b013e3181cad8c9) is "
                              "not the work the document cites: title 0.35 similar: ")
    assert report.exit_code == 1


# ---------------------------------------------------------------- end to end, through the CLI

FABRICATED = ("1. Kendal WS. The role of sunlight in tooth decay. Lancet. 2007;14(1):3435-3440. "
              "doi: 10.1097/PAS.0b013e3181cad8c9")
TRUE = ("1. Miller JS, Zhou M, Brimo F, Guo CC, Epstein JI. Primary leiomyosarcoma of the kidney: "
        "a clinicopathologic study of 27 cases. Am J Surg Pathol. 2010;34(2):238-42. "
        "doi: 10.1097/PAS.0b013e3181cad8c9")


def project_with(folder, reference):
    (folder / "documents").mkdir(parents=True)
    (folder / "documents" / "review.txt").write_text(
        "A short review\n\nThe tumour is rare and is treated by surgery [1].\n\nReferences\n"
        f"{reference}\n", encoding="utf-8")
    return folder


def build(project):
    return CliRunner().invoke(cli, [
        "build", str(project / "documents"), "--offline", "-q",
        "--db", str(project / "db" / "litgraph.db"),
        "--references", str(project / "references.yaml")])


def check(project, *extra):
    return CliRunner().invoke(cli, ["check", "--db", str(project / "db" / "litgraph.db"),
                                    "--references", str(project / "references.yaml"), *extra])


def sources(project):
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    conn.row_factory = sqlite3.Row
    rows = {r["id"]: dict(r) for r in conn.execute("select * from sources")}
    conn.close()
    return rows


def test_a_real_doi_under_an_invented_citation_ends_mismatch_and_fails_check(tmp_path):
    project = project_with(tmp_path, FABRICATED)
    result = build(project)
    assert result.exit_code == 0, result.output
    row = sources(project)["kendal-2007"]
    assert (row["status"], row["pmid"], row["identity"]) == ("resolved", "20090506", "mismatch")
    assert row["identity_reason"] == (
        'title 0.35 similar: "The role of sunlight in tooth decay" vs "Primary leiomyosarcoma of '
        'the kidney: a..."; first author Kendal vs Miller; year 2007 vs 2010; journal Lancet vs '
        'Am J Surg Pathol; volume 14 vs 34; first page 3435 vs 238; candidate: none found by '
        'citation or title search')
    checked = check(project)
    assert checked.exit_code == 1, checked.output
    lines = [line.strip() for line in checked.output.splitlines()]
    assert "Records that are not the work the document cites (1)" in lines
    assert ("- kendal-2007 (PMID 20090506, DOI 10.1097/pas.0b013e3181cad8c9) is not the work the "
            "document cites: " + row["identity_reason"]) in lines
    findings = json.loads(check(project, "--json").output)["findings"]
    assert [(f["kind"], f["subject"]) for f in findings if f["severity"] == "error"] == [
        ("identity-mismatch", "kendal-2007")]
    # the stated DOI stays as the document gave it: litgraph never replaces it by itself
    assert "doi: 10.1097/pas.0b013e3181cad8c9" in (project / "references.yaml").read_text()


def test_the_same_doi_under_its_true_citation_ends_verified_and_check_is_clean(tmp_path):
    project = project_with(tmp_path, TRUE)
    assert build(project).exit_code == 0
    row = sources(project)["miller-2010"]
    assert (row["status"], row["identity"], row["identity_reason"]) == (
        "resolved", "verified", ALL_AGREE)
    checked = check(project)
    assert checked.exit_code == 0, checked.output
    assert "identity" not in checked.output.lower()


def test_a_curators_evidence_levels_yaml_changes_the_published_level(tmp_path):
    project = project_with(tmp_path, TRUE)
    assert build(project).exit_code == 0
    row = sources(project)["miller-2010"]  # Multicenter Study: level 2 in the package's map
    assert (row["evidence_level"], row["evidence_basis"], row["inferred_level"]) == (
        2, "inferred", 2)
    (project / "evidence-levels.yaml").write_text(
        "publication_types:\n  Multicenter Study: 4\n", encoding="utf-8")
    assert build(project).exit_code == 0
    row = sources(project)["miller-2010"]
    assert (row["evidence_level"], row["evidence_basis"], row["inferred_level"]) == (
        4, "inferred", 4)


def test_the_published_site_facets_lists_and_shows_the_verdict(tmp_path):
    import asyncio
    import html as html_module

    from litgraph.publish import make_datasette

    project = project_with(tmp_path, FABRICATED)
    assert build(project).exit_code == 0
    reason = sources(project)["kendal-2007"]["identity_reason"]
    datasette = make_datasette(project / "db" / "litgraph.db")
    asyncio.run(datasette.invoke_startup())

    def get(path):
        response = asyncio.run(datasette.client.get(path))
        assert response.status_code == 200, (path, response.text[:300])
        return response

    facets = get("/litgraph/sources.json").json()["facet_results"]["identity"]["results"]
    assert [(f["value"], f["count"]) for f in facets] == [("mismatch", 1)]
    listed = get("/litgraph/identity_mismatches.json?_shape=array").json()
    assert [(r["source"], r["pmid"], r["identity_reason"], r["record_title"]) for r in listed] == [
        ("kendal-2007", "20090506", reason,
         "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases")]
    page = html_module.unescape(get("/litgraph/sources/kendal-2007").text)
    assert "<h2>Is this record the work the document cites? (1)</h2>" in page
    section = page[page.index("Is this record the work the document cites?"):]
    assert '<td class="col-identity">mismatch</td>' in section
    assert f'<td class="col-identity_reason">{reason}</td>' in section
    assert "The role of sunlight in tooth decay" in section  # what the document states


WRONG_PMID = ("2. Deyrup AT, Montgomery E, Fisher C. Leiomyosarcoma of the kidney: a "
              "clinicopathologic study. Am J Surg Pathol. 2004;28(2):178-82. PMID: 20090506")


def test_a_record_that_is_not_the_work_cited_is_shown_for_review_and_feeds_nothing_else(tmp_path):
    """Deyrup 2004 cited with Miller 2010's PMID, beside Miller 2010 cited rightly: the
    mismatch is shown, but Miller's record must not become Deyrup's identifiers, evidence,
    links, bibliography entry or a reason to merge the two."""
    project = project_with(tmp_path, TRUE + "\n" + WRONG_PMID)
    assert build(project).exit_code == 0
    rows = sources(project)
    assert (rows["miller-2010"]["identity"], rows["deyrup-2004"]["identity"]) == (
        "verified", "mismatch")
    # references.yaml: Miller's DOI is not written into Deyrup's entry as found
    written = yaml.safe_load((project / "references.yaml").read_text())["sources"]
    assert written["deyrup-2004"]["pmid"] == "20090506"  # as the document states it
    assert "doi" not in written["deyrup-2004"] and "resolved_by" not in written["deyrup-2004"]
    # evidence: not inferred from Miller's publication types (Multicenter Study: level 2)
    assert rows["miller-2010"]["inferred_level"] == 2
    assert rows["deyrup-2004"]["inferred_level"] != 2
    # the graph: PubMed's links of PMID 20090506 belong to miller-2010 only
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    linked = {row[0] for row in conn.execute(
        "select citing_id from links where origin != 'document' union "
        "select cited_id from links where origin != 'document'")}
    nodes = {row[0]: row[1:] for row in conn.execute(
        "select id, title, year, pmid, doi from nodes where id in ('miller-2010', 'deyrup-2004')")}
    conn.close()
    assert "miller-2010" in linked and "deyrup-2004" not in linked
    # ... and Deyrup's node is not labelled with Miller's title, year or identifiers
    assert nodes["miller-2010"][2] == "20090506"
    assert nodes["deyrup-2004"] == (None, None, None, None)
    # check: the mismatch is an error; the two keys are not "the same work"
    findings = json.loads(check(project, "--json").output)["findings"]
    assert ("identity-mismatch", "deyrup-2004") in {(f["kind"], f["subject"]) for f in findings}
    assert not [f for f in findings if f["kind"] == "duplicate"]
    # export: Deyrup's entry holds what the document cited and a warning, not Miller's record
    exported = CliRunner().invoke(cli, ["export", "--db", str(project / "db" / "litgraph.db"),
                                        "--format", "bibtex"])
    assert exported.exit_code == 0, exported.output
    import bibtexparser

    entries = {e.key: {k: f.value for k, f in e.fields_dict.items()}
               for e in bibtexparser.parse_string(exported.output).entries}
    deyrup = entries["deyrup-2004"]
    assert "27 cases" not in deyrup.get("title", "") and "pmid" not in deyrup and "doi" not in deyrup
    assert "identity mismatch" in deyrup["note"]
    assert "Deyrup AT" in deyrup.get("title", "") + deyrup["note"]  # as the document cites it
    assert entries["miller-2010"]["pmid"] == "20090506"


@pytest.mark.parametrize("stated, reason", [
    ("doi: 10.1097/PAS.0b013e3181cad8c0", "DOI not found in PubMed"),  # last digit mistyped
    ("PMID: 20090507", "PMID not found in PubMed"),
])
def test_a_mistyped_identifier_stays_unresolved_and_names_the_record_the_citation_means(
        tmp_path, stated, reason):
    """The citation itself identifies Miller 2010: the reason names it as a candidate for the
    curator (the stated identifier is not replaced, nor the record taken for the work)."""
    project = project_with(tmp_path, TRUE.replace("doi: 10.1097/PAS.0b013e3181cad8c9", stated))
    assert build(project).exit_code == 0
    (row,) = sources(project).values()
    assert (row["status"], row["pmid"], row["identity"]) == ("unresolved", stated.split()[-1]
                                                             if "PMID" in stated else None, None)
    assert row["status_reason"].startswith(reason)
    assert ('candidate: PMID 20090506 "Primary leiomyosarcoma of the kidney: a clinicopathologic '
            'study of 27 cases"') in row["status_reason"]


def test_the_module_examples_run():
    import doctest

    import litgraph.identity

    result = doctest.testmod(litgraph.identity)
    assert result.attempted >= 4 and result.failed == 0


def test_save_reference_set_infers_levels_through_the_curators_map(tmp_path):
    from litgraph.evidence import load_level_map
    from litgraph.store.sources import save_reference_set

    references = tmp_path / "references.yaml"
    references.write_text("sources: {}\n", encoding="utf-8")
    entry = SourceEntry("case-2020", title="Renal leiomyosarcoma: a case report", year=2020)
    db = sqlite_utils.Database(tmp_path / "t.db")
    ensure_db_shape(db)
    save_reference_set(db, ReferenceSet(sources=[entry], level_map=load_level_map(references)))
    assert db["sources"].get("case-2020")["inferred_level"] == 3  # the package's title cue
    (tmp_path / "evidence-levels.yaml").write_text(
        "title_cues:\n  - {pattern: 'case report', level: 5, design: single case}\n",
        encoding="utf-8")
    save_reference_set(db, ReferenceSet(sources=[entry], level_map=load_level_map(references)))
    row = db["sources"].get("case-2020")
    assert (row["evidence_level"], row["evidence_basis"], row["inferred_level"]) == (
        5, "inferred", 5)


# ------------------------------------------- one identifier cited as two works
def _cited_twice(fabricated_raw):
    from litgraph.model import Sighting
    true_raw = ("Miller JS, Zhou M, Brimo F, Guo CC, Epstein JI. Primary leiomyosarcoma of the "
                "kidney: a clinicopathologic study of 27 cases. Am J Surg Pathol. 2010;34(2):238-42.")
    return replace(CITED, cited_as=true_raw, seen=[
        Sighting("001_review", 107, true_raw, "[1]"),
        Sighting("010_patient_page", 21, fabricated_raw, "[^fake]")])


FABRICATED_RAW = ("Kendal, R., & Morrow, P. (2007). The role of sunlight in tooth decay. "
                  "The Lancet, 14, 3435\u20133440. https://doi.org/10.1097/PAS.0b013e3181cad8c9")


def test_a_second_citation_of_the_same_doi_under_another_work_is_found():
    from litgraph.identity import mismatched_sighting
    sighting, stated, identity = mismatched_sighting(_cited_twice(FABRICATED_RAW), MILLER)
    assert (sighting.document, sighting.line) == ("010_patient_page", 21)
    assert (stated.title, stated.authors, stated.year) == (
        "The role of sunlight in tooth decay", ["Kendal R", "Morrow P"], 2007)
    assert identity.verdict == "mismatch"
    assert identity.differing == ["title", "first author", "authors", "year", "journal", "volume",
                                  "first page"]


def test_second_citations_of_the_same_work_or_stating_too_little_are_not_mismatches():
    from litgraph.identity import mismatched_sighting
    same_work = ("Miller, J. S., Zhou, M., Brimo, F., Guo, C. C., & Epstein, J. I. (2010). Primary "
                 "leiomyosarcoma of the kidney: A clinicopathologic study of 27 cases. The American "
                 "Journal of Surgical Pathology, 34(2), 238\u2013242.")
    assert mismatched_sighting(_cited_twice(same_work), MILLER) is None
    assert mismatched_sighting(_cited_twice("View"), MILLER) is None  # a link text, no fields
    assert mismatched_sighting(replace(CITED, seen=[]), MILLER) is None


class _NoCandidates(EntrezService):
    """A client whose searches find nothing (the candidate search is not under test here)."""

    base_url, stats, reached, last_failure, stand_in = "http://127.0.0.1:9/", {}, 0, None, False

    def citation_match(self, citations):
        return {}

    def search_ids(self, terms):
        return []

    def search_dois(self, dois):
        return []

    def fetch_pubmed(self, pmids, refresh=False, progress=False):
        return FetchResult()


def test_resolve_gives_the_source_the_mismatch_and_names_where_the_other_work_is_cited():
    from litgraph.resolve import verify_identities
    entry = _cited_twice(FABRICATED_RAW)
    resolution = Resolution("miller-2010", "resolved", "by DOI", record=MILLER)
    verify_identities([entry], [resolution], _NoCandidates())
    assert resolution.identity == "mismatch"
    assert resolution.identity_reason.startswith(
        "010_patient_page line 21 cites this identifier as another work: title 0.35 similar: "
        "\"The role of sunlight in tooth decay\" vs ")
    assert resolution.identity_reason.endswith(
        "; candidate: none found by citation or title search")
    true_only = replace(entry, seen=entry.seen[:1])
    resolution = Resolution("miller-2010", "resolved", "by DOI", record=MILLER)
    verify_identities([true_only], [resolution], _NoCandidates())
    assert (resolution.identity, resolution.identity_reason) == ("verified", ALL_AGREE)


def test_the_source_page_shows_the_citation_that_names_another_work():
    from litgraph.publish import ROW_SECTIONS
    from litgraph.resolve import verify_identities
    entry = _cited_twice(FABRICATED_RAW)
    resolution = Resolution("miller-2010", "resolved", "by DOI", record=MILLER)
    verify_identities([entry], [resolution], _NoCandidates())
    db = sqlite_utils.Database(memory=True)
    db["sources"].insert({"id": "miller-2010", "status": "resolved", "cited_as": entry.cited_as,
                          "identity": resolution.identity,
                          "identity_reason": resolution.identity_reason, "title": MILLER.title,
                          "authors": None, "journal": "Am J Surg Pathol", "year": 2010,
                          "volume": "34", "pages": "238-42"}, pk="id")
    db["citations"].insert_all([{"document_id": s.document, "source_id": "miller-2010",
                                 "line": s.line, "raw": s.raw} for s in entry.seen])
    panel, = [s for s in ROW_SECTIONS if s.title.startswith("Is this record the work")]

    def states():
        return [r["the_document_states"] for r in db.query(panel.sql, {"id": "miller-2010"})]

    assert states() == [FABRICATED_RAW]
    # verified (or a mismatch of the first citation): the first citation, as before
    db["sources"].update("miller-2010", {"identity": "verified", "identity_reason": ALL_AGREE})
    assert states() == [entry.cited_as]
