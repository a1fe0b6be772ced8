"""litgraph check: the curation report over a built database and references.yaml."""

import json

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from curation_db import (MEAN_AGE_CLAIM, QUOTED_KEY, STATPEARLS, copy_curation_db,
                         copy_demo_project, offline_build, reference_set)
from litgraph.check import (CHECKS, KINDS, CheckReport, Finding, check_duplicate_sources,
                            check_restatements, render_text, run_checks)
from litgraph.cli import cli
from litgraph.store import open_db


@pytest.fixture
def db(tmp_path, tmp_path_factory):
    return open_db(copy_curation_db(tmp_path_factory, tmp_path / "litgraph.db"))


def summary(report):
    return [(f.severity, f.kind, f.subject) for f in report.findings]


def test_every_kind_of_finding_most_serious_first(db):
    report = run_checks(db, reference_set())
    assert summary(report) == [
        ("error", "retracted-source", "synthetic-retracted"),
        ("error", "claim-on-retracted-source", "001-c40"),
        ("error", "unresolved", "bloch-cancer-site"),
        ("error", "conflict", "synthetic-conflict"),
        ("error", "duplicate", "miller2010"),
        ("warning", "erratum", "synthetic-erratum"),
        ("warning", "claim-without-source", "001-c41"),
        ("warning", "low-level-claim", "001-c30"),
        # a level-3 source beside one of unknown level, or unknown levels only
        ("warning", "unknown-level-claim", "001-c26"),
        ("warning", "unknown-level-claim", "001-c27"),
        ("warning", "unknown-level-claim", "001-c40"),
        ("warning", "unknown-level-claim", "001-c43"),
        ("warning", "level-disagreement", "synthetic-disagreeing"),
        ("warning", "citation-not-in-references", "not-in-yaml"),
        ("warning", "stale", "synthetic-stale"),
        ("info", "claim-without-source", "000-c5"),
    ]
    assert report.counts == {"error": 5, "warning": 10, "info": 1}
    assert not report.clean and report.exit_code == 1


def test_unresolved_reference_carries_its_reason_and_where_it_is_cited(db):
    [finding] = run_checks(db, reference_set()).of_kind("unresolved")
    assert finding.as_dict() == {
        "kind": "unresolved", "severity": "error", "subject": "bloch-cancer-site",
        "message": "bloch-cancer-site is unresolved: no PMID, DOI or journal citation; title search "
                   "found nothing (cited as \"Bloch Cancer Site\")",
        "details": {"reason": "no PMID, DOI or journal citation; title search found nothing",
                    "cited_as": "Bloch Cancer Site", "pmid": None, "doi": None,
                    "cited_in": [f"{STATPEARLS}:195"]},
    }


def test_a_retracted_source_names_the_claims_that_rest_on_it(db):
    report = run_checks(db, reference_set())
    [source] = report.of_kind("retracted-source")
    assert source.message == ("synthetic-retracted (PMID 989000001, DOI 10.5555/synthetic.retracted) is "
                              "retracted: PubMed publication type 'Retracted Publication'; 1 claim(s) "
                              "rest on it")
    assert source.details["claims"] == ["001-c40"]
    [claim] = report.of_kind("claim-on-retracted-source")
    assert claim.details == {"source": "synthetic-retracted", "document": STATPEARLS, "line": 40,
                             "section": "Evaluation",
                             "text": "SYNTHETIC claim resting on a retracted record."}


def test_a_retraction_notice_alone_is_enough(db):
    db["sources"].update("synthetic-retracted", {"publication_types": '["Journal Article"]'})
    [finding] = run_checks(db, reference_set()).of_kind("retracted-source")
    assert "RetractionIn" in finding.message


def test_duplicates_are_found_by_pmid_doi_and_title(db):
    [by_pmid] = check_duplicate_sources(db, None)
    assert by_pmid.details == {"keys": ["miller2010", "synthetic-duplicate"],
                               "reasons": ["same PMID 20090506"]}
    db["sources"].update("synthetic-duplicate", {"pmid": None})
    assert check_duplicate_sources(db, None) == []
    db["sources"].update("synthetic-duplicate", {"doi": "10.1097/PAS.0B013E3181CAD8C9"})
    assert check_duplicate_sources(db, None)[0].details["reasons"] == [
        "same DOI 10.1097/pas.0b013e3181cad8c9"]
    db["sources"].update("synthetic-duplicate", {"doi": None, "title": "Primary leiomyosarcoma of "
                         "the kidney: A clinicopathologic study of 27 cases."})
    assert check_duplicate_sources(db, None)[0].details["keys"] == ["miller2010", "synthetic-duplicate"]
    db["sources"].update("synthetic-duplicate", {"year": 2011})
    assert check_duplicate_sources(db, None) == []


def test_a_source_whose_identifiers_name_another_work_is_not_called_its_duplicate(db):
    """synthetic-duplicate states miller2010's PMID: a duplicate while that is all it says, but
    not once its record proves another work (mismatch) or its PMID and DOI disagree
    (conflict): those findings say to correct the identifier, not to merge two works."""
    assert check_duplicate_sources(db, None)[0].details["keys"] == [
        "miller2010", "synthetic-duplicate"]
    db["sources"].update("synthetic-duplicate", {"identity": "mismatch"})
    assert check_duplicate_sources(db, None) == []
    db["sources"].update("synthetic-duplicate", {"identity": None, "status": "conflict"})
    assert check_duplicate_sources(db, None) == []
    db["sources"].update("synthetic-duplicate", {"title": "Primary leiomyosarcoma of the "
                         "kidney: a clinicopathologic study of 27 cases", "year": 2010})
    assert check_duplicate_sources(db, None)[0].details["reasons"] == [  # its own words still
        "same title and year 'Primary leiomyosarcoma of the kidney: a clinicopathologic study "
        "of 27 cases', 2010"]


def test_excluding_the_unresolved_source_makes_the_report_clean_of_it(tmp_path, tmp_path_factory):
    db = open_db(copy_curation_db(tmp_path_factory, tmp_path / "litgraph.db",
                                  excluded=["bloch-cancer-site"]))
    report = run_checks(db, reference_set(excluded=["bloch-cancer-site"]))
    assert report.of_kind("unresolved") == []
    [excluded] = report.of_kind("excluded")
    assert excluded.severity == "info"
    assert excluded.message == ("bloch-cancer-site excluded by curator: a website, not a citable work; "
                                f"still cited at {STATPEARLS}:195")
    [only_excluded] = [f for f in report.of_kind("claim-without-source") if f.subject == "001-c43"]
    assert only_excluded.severity == "warning"
    assert "cites only excluded source(s) bloch-cancer-site" in only_excluded.message


def test_an_exclusion_in_references_yaml_counts_before_the_rebuild(db):
    report = run_checks(db, reference_set(excluded=["bloch-cancer-site"]))
    assert report.of_kind("unresolved") == []
    assert [f.subject for f in report.of_kind("excluded")] == ["bloch-cancer-site"]


def test_a_clean_database_exits_zero(db):
    for key in ["synthetic-retracted", "bloch-cancer-site", "synthetic-conflict",
                "synthetic-duplicate"]:
        db["sources"].update(key, {"excluded": 1})
    report = run_checks(db, reference_set())
    assert report.errors == [] and report.clean and report.exit_code == 0
    assert report.counts["error"] == 0 and report.counts["warning"] > 0


def test_patient_page_claims_without_sources_are_information_only(db):
    report = run_checks(db, reference_set())
    [patient] = [f for f in report.findings if f.subject == "000-c5"]
    assert patient.severity == "info"
    assert patient.message.endswith("cites no source (the document has no references): "
                                    "\"It usually affects people between 50 to 60 years old, with "
                                    "women bein\u2026\"")


def test_a_database_an_older_litgraph_built_is_checked_read_only_without_the_later_columns(
        tmp_path, tmp_path_factory):
    """A claims table without markers_without_entry (an older build): check, which opens the
    database read-only and adds nothing, reads the column as empty and finds the same."""
    from litgraph.report import open_existing_db

    path = copy_curation_db(tmp_path_factory, tmp_path / "litgraph.db")
    expected = summary(run_checks(open_existing_db(path), reference_set()))
    older = open_db(path)
    older.execute("drop view weak_claims")
    older.execute("alter table claims drop column markers_without_entry")
    older.conn.commit()
    older.conn.close()
    read_only = open_existing_db(path)
    assert "markers_without_entry" not in read_only["claims"].columns_dict
    assert summary(run_checks(read_only, reference_set())) == expected


def test_a_claim_with_a_stronger_or_unknown_level_is_not_low_level(db):
    report = run_checks(db, reference_set())
    subjects = [f.subject for f in report.of_kind("low-level-claim")]
    assert subjects == ["001-c30"]  # 001-c27 also cites ozturk2015, whose level is unknown
    db["sources"].update("ozturk2015", {"evidence_level": 4})
    subjects = [f.subject for f in run_checks(db, reference_set()).of_kind("low-level-claim")]
    assert subjects == ["001-c27", "001-c30"]
    [mean_age] = [f for f in run_checks(db, None).of_kind("low-level-claim") if f.subject == "001-c27"]
    assert mean_age.details == {"document": STATPEARLS, "line": 27, "text": MEAN_AGE_CLAIM,
                                "sources": {"miller2010": 3, "ozturk2015": 4},
                                "reason": "best source is low-level evidence", "inherited_from": []}


def test_level_disagreement_and_erratum_say_what_differs(db):
    report = run_checks(db, reference_set())
    [disagreement] = report.of_kind("level-disagreement")
    assert disagreement.message == ("synthetic-disagreeing (PMID 989000004): declared level 2 but "
                                    "inferred level 4 from Case Reports; using level 2 (declared); "
                                    "set level: in references.yaml to settle it")
    [erratum] = report.of_kind("erratum")
    assert erratum.message == ("synthetic-erratum (PMID 989000002) has an erratum: "
                               "Synthetic J. 2021;1:2 PMID 989000003")
    # as resolve stores them: the ErratumIn RefSource, or the erratum's PMID
    db["sources"].update("synthetic-erratum", {"errata": '["989000003", "Synthetic J. 2021;1:3"]'})
    [erratum] = run_checks(db, None).of_kind("erratum")
    assert erratum.message.endswith("has an erratum: PMID 989000003; Synthetic J. 2021;1:3")


def test_without_a_reference_set_the_comparisons_are_skipped(db):
    report = run_checks(db, None)
    assert report.of_kind("citation-not-in-references") == []
    assert [f.subject for f in report.of_kind("stale")] == ["synthetic-stale"]


def test_restatement_findings_come_from_claim_alignments(db):
    assert check_restatements(db, None) == []  # no alignments: nothing, no error
    db["claim_alignments"].insert_all([
        {"claim_id": "000-c5", "rank": 1, "matched_claim_id": "001-c27", "score": 0.61,
         "status": "number-mismatch", "explanation": "50 to 60 years vs mean 58.5 (range 22-85)"},
        {"claim_id": "000-c5", "rank": 2, "matched_claim_id": "001-c26", "score": 0.2,
         "status": "unsupported", "explanation": "second best"},
        {"claim_id": "001-c41", "rank": 1, "matched_claim_id": "001-c27", "score": 0.9,
         "status": "supported", "explanation": "same"},
    ])
    [finding] = run_checks(db, reference_set()).of_kind("restatement")
    assert finding.severity == "warning" and finding.subject == "000-c5"
    assert finding.message == ("claim 000-c5 (000_d77120f9981d4803:5) states a number its original "
                               "does not (best match 001-c27): 50 to 60 years vs mean 58.5 "
                               "(range 22-85)")


def test_restatements_use_the_sentence_status_when_alignment_stores_one(db):
    db["claim_alignments"].insert_all([
        {"claim_id": "000-c5", "rank": 1, "matched_claim_id": None, "score": 0.5,
         "status": "uncited-in-source", "sentence_status": "uncited-in-source",
         "explanation": None, "matched_text": "The grade is another important prognostic indicator.",
         "matched_line": 85, "sources": "[]"},
        {"claim_id": "001-c41", "rank": 1, "matched_claim_id": "001-c27", "score": 0.7,
         "status": "unsupported", "sentence_status": "supported", "explanation": "close enough",
         "matched_text": None, "matched_line": 27, "sources": "[]"},
    ])
    [finding] = check_restatements(db, None)
    assert (finding.severity, finding.subject, finding.details["status"]) == (
        "info", "000-c5", "uncited-in-source")
    assert finding.message == ("claim 000-c5 (000_d77120f9981d4803:5) matches a sentence its "
                               "original does not cite (best match \"The grade is another "
                               "important prognostic indicat\u2026\"): It usually affects people "
                               "between 50 to 60 years old, with\u2026")


def test_a_hostile_key_is_matched_literally(db):
    db["sources"].update(QUOTED_KEY, {"retracted": 1})
    report = run_checks(db, reference_set())
    assert [f.subject for f in report.of_kind("retracted-source")] == [QUOTED_KEY,
                                                                       "synthetic-retracted"]
    assert [f.subject for f in report.of_kind("claim-on-retracted-source")] == ["001-c42", "001-c40"]
    assert db["claims"].count == 8


def test_text_report_is_grouped_by_severity_then_kind_and_can_be_capped(db):
    report = run_checks(db, reference_set())
    text = render_text(report)
    lines = text.splitlines()
    assert lines[0] == "litgraph check: 5 errors, 10 warnings, 1 info"
    headings = [line.strip() for line in lines if line and not line.startswith("    ")]
    assert headings[1:] == [
        "ERRORS", "Retracted sources (1)", "Claims resting on retracted sources (1)",
        "Unresolved references (1)", "PMID/DOI conflicts (1)",
        "Duplicate sources (one work under several keys) (1)",
        "WARNINGS", "Sources with errata (1)", "Claims with no source (1)",
        "Claims resting only on low-level evidence (1)",
        "Claims whose sources have no known level above low-level evidence (4)",
        "Declared and inferred evidence levels disagree (1)", "Citations references.yaml lacks (1)",
        "Stale sources (no document cites them any more) (1)",
        "INFO", "Claims with no source (1)"]
    assert "    - synthetic-stale is stale: no document cites it any more; delete it from " \
           "references.yaml or mark it exclude: true" in lines
    capped = render_text(CheckReport([Finding("stale", "warning", f"k{n}", f"k{n} is stale")
                                      for n in range(5)]), limit=2)
    assert capped.splitlines() == [
        "litgraph check: 0 errors, 5 warnings, 0 info \u2014 clean", "", "WARNINGS",
        "  Stale sources (no document cites them any more) (5)", "    - k0 is stale",
        "    - k1 is stale", "    \u2026 and 3 more (--all or --json)"]


def test_json_form_is_plain_data(db):
    data = run_checks(db, reference_set()).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["clean"] is False and data["counts"]["error"] == 5


def test_every_check_is_a_function_of_db_and_refset_with_a_known_kind(db):
    for check in CHECKS:
        for finding in check(db, reference_set()):
            assert finding.kind in KINDS and finding.severity in ("error", "warning", "info")


# ---------------------------------------------------------------- on a real offline build

SYNTHETIC_REVIEW = """Synthetic Test Review

Introduction

This synthetic sentence rests on a retracted trial.[1] This synthetic sentence cites a record with an erratum.[2]

References


[1]

Testauthor A, Testauthor B. Synthetic test record 1: a retracted trial. Synthetic Test Journal. 2001:5(1):10-19. doi: 10.5555/test.1. Epub     [PubMed PMID: 990000001]


[2]

Testauthor C. Synthetic test record 3: an article with an erratum. Synthetic Test Journal. 2003:7():20-29. doi: 10.5555/test.3. Epub     [PubMed PMID: 990000003]
"""


def cli_check(project, *extra):
    return CliRunner().invoke(cli, ["check", "--db", str(project / "db" / "litgraph.db"),
                                    "--references", str(project / "references.yaml"), *extra])


@pytest.fixture
def demo_project(tmp_path, tmp_path_factory):
    """A private copy of the demo project (five seed documents, references.yaml) built offline."""
    return copy_demo_project(tmp_path_factory, tmp_path / "demo")


def test_demo_check_lists_unresolved_references_with_reasons_and_exits_1(demo_project):
    result = cli_check(demo_project, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    unresolved = {f["subject"]: f["details"]["reason"] for f in report["findings"]
                  if f["kind"] == "unresolved"}
    db = open_db(demo_project / "db" / "litgraph.db")
    expected = {r["id"]: r["status_reason"] for r in db.query(
        "select id, status_reason from sources where status = 'unresolved' and excluded = 0")}
    assert unresolved == expected and unresolved
    assert all(reason for reason in unresolved.values())
    assert report["counts"]["error"] == len([f for f in report["findings"]
                                             if f["severity"] == "error"])


def test_after_the_curator_excludes_them_and_rebuilds_check_exits_0(demo_project):
    project = demo_project
    report = json.loads(cli_check(project, "--json").stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    to_exclude = {f["subject"]: f["message"] for f in errors if f["kind"] != "duplicate"}
    for f in errors:
        if f["kind"] == "duplicate":  # keep the first key of a duplicate group
            to_exclude.update({key: f["message"] for key in f["details"]["keys"][1:]})
    yaml = YAML()
    references = project / "references.yaml"
    data = yaml.load(references.read_text(encoding="utf-8"))
    for key in to_exclude:
        data["sources"][key]["exclude"] = True
        data["sources"][key]["note"] = f"curator: not in PubMed, kept out ({key})"
    with open(references, "w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    offline_build(project)
    result = cli_check(project, "--json")
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout)
    assert after["clean"] is True and after["counts"]["error"] == 0
    excluded = {f["subject"]: f["details"]["note"] for f in after["findings"] if f["kind"] == "excluded"}
    assert excluded == {key: f"curator: not in PubMed, kept out ({key})" for key in to_exclude}
    # the rebuild kept the curator's edits
    kept = yaml.load(references.read_text(encoding="utf-8"))["sources"]
    assert all(kept[key]["exclude"] is True for key in to_exclude)
    text = cli_check(project)
    assert text.exit_code == 0 and text.output.splitlines()[0].endswith("\u2014 clean")


def test_a_retracted_stand_in_record_is_named_with_the_claims_resting_on_it(tmp_path):
    from litgraph.stub.records import DEFAULT_RECORDS_PATH, TEST_RECORDS_PATH

    project = tmp_path / "project"
    (project / "documents").mkdir(parents=True)
    (project / "documents" / "synthetic-review.txt").write_text(SYNTHETIC_REVIEW, encoding="utf-8")
    offline_build(project, records=[DEFAULT_RECORDS_PATH, TEST_RECORDS_PATH])
    result = cli_check(project, "--json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    [retracted] = [f for f in findings if f["kind"] == "retracted-source"]
    assert retracted["details"]["pmid"] == "990000001"
    assert retracted["details"]["title"] == "Synthetic test record 1: a retracted trial"
    [claim] = [f for f in findings if f["kind"] == "claim-on-retracted-source"]
    assert claim["details"]["text"] == "This synthetic sentence rests on a retracted trial."
    assert claim["details"]["source"] == retracted["subject"]
    assert retracted["details"]["claims"] == [claim["subject"]]
    [erratum] = [f for f in findings if f["kind"] == "erratum"]
    assert erratum["message"].endswith("has an erratum: PMID 990000004")
    text = cli_check(project).output
    assert "Claims resting on retracted sources (1)" in text
    assert "rests on retracted source" in text and "a retracted trial" in text


def test_a_curators_level_settles_a_level_disagreement(db):
    assert [f.subject for f in run_checks(db, None).of_kind("level-disagreement")] == [
        "synthetic-disagreeing"]
    db["sources"].update("synthetic-disagreeing", {"evidence_level": 4, "evidence_basis": "curator"})
    assert run_checks(db, None).of_kind("level-disagreement") == []


def test_a_rewrite_sentence_inherits_the_level_of_what_it_restates(db):
    db["claim_alignments"].insert({"claim_id": "000-c5", "rank": 1, "matched_claim_id": "001-c30",
                                   "score": 0.6, "status": "supported",
                                   "sentence_status": "supported", "explanation": "test"})
    report = run_checks(db, reference_set())
    assert "000-c5" not in [f.subject for f in report.of_kind("claim-without-source")]
    [inherited] = [f for f in report.of_kind("low-level-claim") if f.subject == "000-c5"]
    assert inherited.details["inherited_from"] == ["001-c30"]
    assert "(miller2010 level 3, inherited from 001-c30)" in inherited.message


def test_restatement_headings_count_only_what_they_say(db):
    db["claim_alignments"].insert_all([
        {"claim_id": "000-c5", "rank": 1, "matched_claim_id": None, "score": 0.5,
         "status": "uncited-in-source", "sentence_status": "uncited-in-source",
         "explanation": "the source sentence cites nothing", "matched_text": "SYNTHETIC."},
        {"claim_id": "001-c41", "rank": 1, "matched_claim_id": None, "score": 0.1,
         "status": "unsupported", "sentence_status": "unsupported",
         "explanation": "no source sentence scores 0.18 or more"}])
    report = run_checks(db, None)
    assert [f.subject for f in report.of_kind("restatement")] == ["001-c41"]
    assert [f.subject for f in report.of_kind("restatement-uncited")] == ["000-c5"]
    text = render_text(report, limit=20)
    assert "  Restated claims that do not match their original (1)" in text.splitlines()
    assert "  Restated claims whose original sentence cites nothing (1)" in text.splitlines()


def test_information_is_counted_not_listed_so_errors_come_first_and_stay_visible(db):
    findings = [Finding("excluded", "info", f"k{n}", f"k{n} excluded by curator") for n in range(170)]
    findings.append(Finding("unresolved", "error", "u", "u is unresolved"))
    report = CheckReport(findings)
    lines = render_text(report, limit=20).splitlines()
    assert lines[:4] == ["litgraph check: 1 error, 0 warnings, 170 info", "", "ERRORS",
                         "  Unresolved references (1)"]
    assert lines[-3:] == ["INFO", "  Excluded by curator (170)", "  (listed with --all or --json)"]
    assert len(render_text(report).splitlines()) > 170  # --all lists them


def test_an_unsupported_sentence_names_the_closest_by_line_never_an_invented_id():
    from litgraph.align import Sentence, align

    rewrite = [Sentence("r1", "Patients often enjoy gardening on weekends with friends.")]
    original = [Sentence("doc:L56.1", "Weekends are when patients enjoy the clinic garden.", [], 56)]
    [alignment] = align(rewrite, original, {"match": 0.99})
    assert alignment.status == "unsupported"
    assert "doc:L56.1" not in alignment.explanation
    assert "the closest, line 56 of the original, scores" in alignment.explanation
