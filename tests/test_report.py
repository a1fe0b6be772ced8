"""litgraph claims / sources / status: the queries, their renderings and the commands."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from curation_db import (MEAN_AGE_CLAIM, PATIENT_PAGE, QUOTED_KEY, STATPEARLS, copy_curation_db,
                         copy_demo_project)
from litgraph.store import open_db
from litgraph.cli import cli
from litgraph.errors import InputError
from litgraph.report import (claims_for_source, find_sources, render_markdown, render_status,
                             render_table, sources_for_claim, status_summary)


@pytest.fixture
def db_path(tmp_path, tmp_path_factory):
    return copy_curation_db(tmp_path_factory, tmp_path / "litgraph.db")


@pytest.fixture
def db(db_path):
    from litgraph.store import open_db

    return open_db(db_path)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ---------------------------------------------------------------- claims --source

@pytest.mark.parametrize("query", ["20090506", "PMID: 20090506", "miller2010",
                                   "https://doi.org/10.1097/PAS.0b013e3181cad8c9",
                                   "doi:10.1097/pas.0b013e3181cad8c9"])
def test_a_source_is_found_by_pmid_doi_or_key(db, query):
    keys = [row["id"] for row in find_sources(db, query)]
    # the same PMID also sits under a duplicate key: both are found by PMID
    assert keys == (["miller2010"] if query == "miller2010" or "10.1097" in query
                    else ["miller2010", "synthetic-duplicate"])


def test_claims_citing_miller_2010_include_the_mean_age_claim(db):
    rows = claims_for_source(db, "miller2010")
    assert [r["claim"] for r in rows] == ["001-c26", "001-c27", "001-c30"]
    assert rows[1] == {"source": "miller2010", "pmid": "20090506",
                       "doi": "10.1097/pas.0b013e3181cad8c9", "level": 3, "evidence_basis": "declared",
                       "claim": "001-c27",
                       "document": STATPEARLS, "document_title": "Renal Leiomyosarcoma",
                       "section": "Epidemiology", "line": 27, "text": MEAN_AGE_CLAIM,
                       "evidence_level": None, "inherited": 0, "inherited_from": None,
                       "identity": None, "identity_reason": None}


def test_an_unknown_source_is_a_clear_input_error(db):
    with pytest.raises(InputError, match="no source matches '912345678'"):
        claims_for_source(db, "912345678")
    with pytest.raises(InputError, match="an empty source"):
        claims_for_source(db, "  ")
    assert claims_for_source(db, "synthetic-stale") == []


def test_a_key_with_quotes_and_semicolons_is_matched_literally(db_path, db):
    assert [r["claim"] for r in claims_for_source(db, QUOTED_KEY)] == ["001-c42"]
    result = run("claims", "--db", db_path, "--source", QUOTED_KEY, "--json")
    assert result.exit_code == 0, result.output
    assert [r["claim"] for r in json.loads(result.output)] == ["001-c42"]
    result = run("sources", "--db", db_path, "--claim", "'; drop table claims;--", "--json")
    assert result.exit_code == 2 and "no claim matches" in result.output
    assert db["claims"].count == 8 and db["sources"].count == 12


def test_claims_command_as_text_names_level_document_title_section_and_text(db_path):
    result = run("claims", "--db", db_path, "--source", "20090506")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        "miller2010 (PMID 20090506): evidence level 3 (declared), identity unchecked",
        "  001-c26  Renal Leiomyosarcoma \u203a Epidemiology, line 27",
        "      While leiomyosarcoma (LMS) is the most common sarcoma that occurs within the kidney, it",
        "      remains an exceedingly rare tumor, accounting for only 0.1% of renal malignancies."]
    assert "58.5 (range 22-85)." in result.output
    assert all(len(line) <= 100 for line in lines)


def test_claims_command_as_markdown_and_json(db_path):
    result = run("claims", "--db", db_path, "--source", "20090506", "--markdown")
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "| source | level | identity | claim | document_title | section | line | text | "
        "inherited_from |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    assert (f"| miller2010 | 3 |  | 001-c27 | Renal Leiomyosarcoma | Epidemiology | 27 | "
            f"{MEAN_AGE_CLAIM} |  |" in result.output.splitlines())
    rows = json.loads(run("claims", "--db", db_path, "--source", "20090506", "--json").output)
    assert [r["claim"] for r in rows] == ["001-c26", "001-c27", "001-c30"]
    both = run("claims", "--db", db_path, "--source", "20090506", "--json", "--markdown")
    assert both.exit_code == 2 and "exclusive" in both.output


def test_claims_command_errors_are_one_line(db_path, tmp_path):
    result = run("claims", "--db", db_path, "--source", "989999999")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: no source matches '989999999': give a PMID, DOI, PMC id or references.yaml key"]
    missing = tmp_path / "none.db"
    result = run("claims", "--db", missing, "--source", "1")
    assert result.exit_code == 2 and str(missing) in result.output
    assert not missing.exists()  # a read command never creates a database
    empty = run("claims", "--db", db_path, "--source", "synthetic-stale")
    assert empty.exit_code == 0 and empty.output == "No claim cites synthetic-stale.\n"


# ---------------------------------------------------------------- sources --claim

def test_sources_behind_a_claim_by_id_and_by_words(db):
    by_id = sources_for_claim(db, "001-c27")
    assert [(r["source"], r["level"], r["status"]) for r in by_id] == [
        ("miller2010", 3, "resolved"), ("ozturk2015", None, "resolved")]
    assert by_id == sources_for_claim(db, "mean age at DIAGNOSIS of 58.5")
    assert by_id[0]["title"] == ("Primary leiomyosarcoma of the kidney: a clinicopathologic study "
                                 "of 27 cases")
    nothing = sources_for_claim(db, "001-c41")
    assert nothing == [{"claim": "001-c41", "document": STATPEARLS,
                        "document_title": "Renal Leiomyosarcoma", "section": "Evaluation",
                        "line": 41, "claim_text": "SYNTHETIC claim with no marker.", "source": None}]
    with pytest.raises(InputError, match="no claim matches '100%'"):
        sources_for_claim(db, "100%")  # % is a character here, not a wildcard


def test_sources_command_text_and_markdown(db_path):
    result = run("sources", "--db", db_path, "--claim", "58.5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"001-c27  Renal Leiomyosarcoma \u203a Epidemiology, line 27",
        "    The typical presentation is between the 4th and 6th decades of life with a mean age at",
        "    diagnosis of 58.5 (range 22-85).",
        "  Sources:"]
    assert lines[4].split() == ["source", "level", "status", "identity", "year", "pmid", "title"]
    assert lines[6].split()[:7] == ["miller2010", "3", "(declared)", "resolved", "unchecked", "2010",
                                    "20090506"]
    assert lines[-1].split()[:4] == ["ozturk2015", "unknown", "resolved", "unchecked"]
    md = run("sources", "--db", db_path, "--claim", "001-c27", "--markdown").output.splitlines()
    assert md[2] == (f"| 001-c27 | Renal Leiomyosarcoma | Epidemiology | {MEAN_AGE_CLAIM} | "
                     "miller2010 | 3 | resolved |  | 20090506 | Primary leiomyosarcoma of the kidney: "
                     "a clinicopathologic study of 27 cases |  |")


def test_sources_and_claims_show_the_identity_verdict(db, db_path):
    """Whether the record is the work the document cites (sources.identity, litgraph.identity)
    shows beside the evidence level in both commands, as text, Markdown and JSON."""
    reason = 'title 0.35 similar: "Renal tumours" vs "Uterine tumours"'
    with db.conn:
        db.execute("update sources set identity = 'verified' where id = 'miller2010'")
        db.execute("update sources set identity = 'mismatch', identity_reason = ? "
                   "where id = 'ozturk2015'", [reason])
    lines = run("sources", "--db", db_path, "--claim", "001-c27").output.splitlines()
    assert lines[6].split()[:5] == ["miller2010", "3", "(declared)", "resolved", "verified"]
    assert lines[-1].split()[:4] == ["ozturk2015", "unknown", "resolved", "mismatch"]
    rows = json.loads(run("sources", "--db", db_path, "--claim", "001-c27", "--json").output)
    assert [(r["source"], r["identity"], r["identity_reason"]) for r in rows] == [
        ("miller2010", "verified", None), ("ozturk2015", "mismatch", reason)]
    md = run("sources", "--db", db_path, "--claim", "001-c27", "--markdown").output.splitlines()
    assert "| miller2010 | 3 | resolved | verified | 20090506 |" in md[2]
    claims = run("claims", "--db", db_path, "--source", "ozturk2015").output.splitlines()
    assert claims[0] == "ozturk2015 (PMID 25663853): evidence level unknown, identity mismatch"
    rows = json.loads(run("claims", "--db", db_path, "--source", "miller2010", "--json").output)
    assert {r["identity"] for r in rows} == {"verified"}


def restate(db, claim_id, original_id, status="supported"):
    db["claim_alignments"].insert({"claim_id": claim_id, "rank": 1, "matched_claim_id": original_id,
                                   "score": 0.6, "status": status, "sentence_status": status,
                                   "explanation": "test", "document_id": PATIENT_PAGE, "line": 5})


def test_a_rewrite_sentence_inherits_the_sources_of_the_claim_it_restates(db, db_path):
    assert sources_for_claim(db, "000-c5")[0]["source"] is None  # before: restates nothing
    restate(db, "000-c5", "001-c27")
    rows = sources_for_claim(db, "000-c5")
    assert [(r["source"], r["level"], r["inherited"], r["inherited_from"]) for r in rows] == [
        ("miller2010", 3, 1, "001-c27"), ("ozturk2015", None, 1, "001-c27")]
    inheriting = [r for r in claims_for_source(db, "miller2010") if r["inherited"]]
    assert [(r["claim"], r["inherited_from"]) for r in inheriting] == [("000-c5", "001-c27")]
    text = run("sources", "--db", db_path, "--claim", "000-c5").output.splitlines()
    assert text[0] == f"000-c5  What is Renal Leiomyosarcoma?, line 5"
    assert "  Sources (inherited from 001-c27, the original it restates):" in text
    claims_text = run("claims", "--db", db_path, "--source", "miller2010").output
    assert ("  000-c5  What is Renal Leiomyosarcoma?, line 5 \u2014 inherited from 001-c27"
            in claims_text.splitlines())


# ---------------------------------------------------------------- status

def make_cache(path, responses):
    conn = sqlite3.connect(path)
    conn.execute("create table responses (key text primary key, value blob, expires integer)")
    conn.executemany("insert into responses values (?, ?, null)",
                     [(f"k{n}", b"x" * 100) for n in range(responses)])
    conn.commit()
    conn.close()


def test_status_counts_everything_once(db, tmp_path):
    make_cache(tmp_path / "http-cache.sqlite", 3)
    summary = status_summary(db, tmp_path / "http-cache.sqlite")
    cache = summary.pop("cache")
    assert summary == {
        "documents": 2,
        "sources": {"total": 12, "by_status": {"conflict": 1, "resolved": 10, "unresolved": 1},
                    "by_identity": {},  # curation_db.py: no verdict stored
                    "by_evidence_level": {1: 1, 2: 1, 3: 1, "unknown": 9},
                    # curation_db.py: level 1 set by the curator, 2 and 3 declared by documents
                    "evidence_basis_by_level": {1: {"curator": 1}, 2: {"declared": 1},
                                                3: {"declared": 1}},
                    "excluded": 0, "stale": 1, "retracted": 1},
        "claims": {"total": 8, "with_sources": 6, "without_sources": 2, "inheriting_sources": 0},
        "edges": {"total": 12, "distinct": 12, "by_origin": {"document": 11, "elink-refs": 1}},
        "built_at": "2026-11-22T06:30:00+00:00", "resolved_at": "2026-11-22T06:29:00+00:00",
        "graph_built_at": "2026-11-22T06:30:00+00:00", "eutils": None,
    }
    assert cache["responses"] == 3
    assert cache["bytes"] == (tmp_path / "http-cache.sqlite").stat().st_size
    assert (cache["requests"], cache["cache_hits"], cache["hit_rate"]) == (12, 36, 0.75)


def test_status_screen_text(db, tmp_path):
    summary = status_summary(db, tmp_path / "http-cache.sqlite")
    assert render_status(summary).splitlines() == [
        "documents: 2",
        "sources:   12 (conflict 1, resolved 10, unresolved 1; excluded 0, stale 1, retracted 1)",
        "identity:  none checked (whether each resolved record is the work the documents cite)",
        "evidence:  level 1: 1 (curator 1), level 2: 1 (declared 1), level 3: 1 (declared 1), "
        "unknown: 9",
        "claims:    8 (citing sources 6, citing none 2, of which 0 inherit sources from the "
        "sentence they restate)",
        "edges:     12 citing \u2192 cited pairs (what the graph page draws), stated by 12 links, "
        "one per origin (document 11, elink-refs 1)",
        "built:     2026-11-22T06:30:00+00:00 (resolved 2026-11-22T06:29:00+00:00, graph "
        "2026-11-22T06:30:00+00:00)",
        f"cache:     {tmp_path / 'http-cache.sqlite'} (none yet); hit rate 75% in the last build "
        "(36 of 48 requests from the cache)",
    ]
    db["build_info"].upsert({"key": "eutils", "value": "E-utilities stand-in: fixture records, "
                                                       "not NCBI"}, pk="key")
    summary = status_summary(db, tmp_path / "http-cache.sqlite")
    assert render_status(summary).splitlines()[-1] == (
        "eutils:    E-utilities stand-in: fixture records, not NCBI")


def test_status_counts_each_identity_verdict(db, tmp_path):
    resolved = [r["id"] for r in db.query("select id from sources where status = 'resolved' "
                                          "order by id")]
    for key, verdict in zip(resolved, ["mismatch", "verified", "verified", "partial"]):
        db["sources"].update(key, {"identity": verdict})
    summary = status_summary(db, None)
    assert summary["sources"]["by_identity"] == {"mismatch": 1, "partial": 1, "verified": 2}
    assert render_status(summary).splitlines()[2] == (
        "identity:  mismatch 1, partial 1, verified 2 (whether each resolved record is the work "
        "the documents cite)")


def test_status_of_a_database_never_built(tmp_path):
    from litgraph.store import open_db

    db = open_db(tmp_path / "empty.db")
    text = render_status(status_summary(db, None))
    assert text.splitlines()[-2:] == [
        "built:     never (no complete build recorded)",
        "cache:     no cache; hit rate unknown (the last build recorded no request counts)"]


def test_status_command_json_and_text(db_path, tmp_path):
    make_cache(tmp_path / "http-cache.sqlite", 2)
    result = run("status", "--db", db_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["cache"]["path"] == str(tmp_path / "http-cache.sqlite")
    assert data["cache"]["responses"] == 2 and data["documents"] == 2
    text = run("status", "--db", db_path)
    assert text.exit_code == 0 and text.output.startswith("documents: 2\n")
    assert "2 responses; hit rate 75%" in text.output


# ---------------------------------------------------------------- check command

def test_check_command_exit_codes_and_json(db_path, tmp_path):
    result = run("check", "--db", db_path, "--references", tmp_path / "none.yaml", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["clean"] is False
    assert [f["subject"] for f in data["findings"] if f["kind"] == "unresolved"] == [
        "bloch-cancer-site"]
    assert "none.yaml not found" in result.stderr
    quiet = run("check", "--db", db_path, "--references", tmp_path / "none.yaml", "-q")
    assert quiet.exit_code == 1
    assert "WARNINGS" not in quiet.output and "ERRORS" in quiet.output
    assert quiet.stderr == ""


# ---------------------------------------------------------------- renderers

def test_table_wraps_long_text_and_keeps_columns_aligned():
    rows = [{"claim": "c1", "text": "word " * 30}, {"claim": "c22", "text": "short"}]
    lines = render_table(rows, ["claim", "text"], wrap={"text": 40}).splitlines()
    assert lines[0] == "claim  text"
    assert lines[2].startswith("c1     word word")
    assert all(len(line) <= 7 + 40 for line in lines)
    assert lines[-1] == "c22    short"
    assert len(lines) == 2 + 4 + 1  # header, rule, 150 characters in 40-wide lines, short


def test_markdown_escapes_pipes_and_flattens_newlines():
    text = render_markdown([{"a": "x | y\nz", "b": None}], ["a", "b"])
    assert text.splitlines()[2] == "| x \\| y z |  |"


def test_source_and_claim_may_be_given_as_arguments(db_path):
    by_argument = run("claims", "--db", db_path, "20090506", "--json")
    assert by_argument.exit_code == 0
    assert by_argument.output == run("claims", "--db", db_path, "--source", "20090506",
                                     "--json").output
    assert json.loads(run("sources", "--db", db_path, "001-c27", "--json").output)[0]["source"] == \
        "miller2010"
    for args in (["claims"], ["sources"], ["sources", "001-c27", "--claim", "001-c26"]):
        result = run(*args, "--db", db_path)
        assert result.exit_code == 2 and "Traceback" not in result.output


# ---------------------------------------------------------------- on the demo build

def test_claims_of_pmid_20090506_in_the_demo_include_the_mean_age_claim(tmp_path, tmp_path_factory):
    project = copy_demo_project(tmp_path_factory, tmp_path / "demo")
    db_path = project / "db" / "litgraph.db"
    rows = json.loads(run("claims", "--db", db_path, "--source", "20090506", "--json").output)
    db = open_db(db_path)
    expected = [r["claim_id"] for r in db.query(
        "select claim_sources.claim_id from claim_sources join sources on sources.id = "
        "claim_sources.source_id join claims on claims.id = claim_sources.claim_id "
        "where sources.pmid = '20090506'")]
    own = [r for r in rows if not r["inherited"]]
    assert sorted(r["claim"] for r in own) == sorted(expected) and len(own) >= 2
    assert {r["document"] for r in own} == {STATPEARLS}
    # sentences of the plain-language rewrite inherit the source from the claims they restate
    inherited = [r for r in rows if r["inherited"]]
    assert {r["document"] for r in inherited} == {PATIENT_PAGE}
    assert {r["inherited_from"] for r in inherited} <= set(expected)
    [mean_age] = [r for r in own if "58.5" in r["text"]]
    assert mean_age["text"] == MEAN_AGE_CLAIM and mean_age["line"] == 27
    table = run("claims", "--db", db_path, "--source", "20090506")
    assert table.exit_code == 0 and "58.5 (range 22-85)." in table.output
    behind = json.loads(run("sources", "--db", db_path, "--claim", "mean age at diagnosis of 58.5",
                            "--json").output)
    assert "20090506" in [r["pmid"] for r in behind]
    status = run("status", "--db", db_path)
    assert status.exit_code == 0
    assert status.output.startswith("documents: 5\n")
    pairs = db.execute("select count(*) from (select distinct citing_id, cited_id from links)").fetchone()[0]
    links = db.execute("select count(*) from links").fetchone()[0]
    assert pairs < links  # several origins state the same edge
    assert (f"edges:     {pairs} citing \u2192 cited pairs (what the graph page draws), stated by "
            f"{links} links, one per origin") in status.output
    inheriting = db.execute("select count(distinct claim_id) from claim_alignments a where "
                            "matched_claim_id in (select claim_id from claim_sources) and claim_id "
                            "not in (select claim_id from claim_sources)").fetchone()[0]
    assert inheriting > 0 and f"of which {inheriting} inherit sources" in status.output
    cache = json.loads(run("status", "--db", db_path, "--json").output)["cache"]
    info = {r["key"]: r["value"] for r in db["build_info"].rows}
    assert (cache["requests"], cache["cache_hits"]) == (int(info["requests"]), int(info["cache_hits"]))
    assert cache["hit_rate"] == round(cache["cache_hits"] / (cache["cache_hits"] + cache["requests"]), 4)
    assert f"hit rate {cache['hit_rate']:.0%} in the last build" in status.output


def test_read_commands_refuse_a_missing_database_in_one_line(tmp_path):
    missing = tmp_path / "db" / "none.db"
    for args in (["check"], ["status"], ["sources", "001-c27"], ["claims", "20090506"]):
        result = run(*args, "--db", missing)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.strip().splitlines() == [
            f"Error: database {missing} not found: build it first (litgraph build) or pass --db"]
    assert not missing.parent.exists()


def test_check_all_shows_every_finding_of_a_kind(db_path, tmp_path):
    from litgraph.store import open_db

    db = open_db(db_path)
    db["sources"].insert_all([{"id": f"stale-{n:02d}", "stale": 1, "status": "resolved"}
                              for n in range(25)])
    db.conn.close()
    capped = run("check", "--db", db_path, "--references", tmp_path / "none.yaml").stdout
    assert "    \u2026 and 6 more (--all or --json)" in capped.splitlines()
    full = run("check", "--db", db_path, "--references", tmp_path / "none.yaml", "--all").stdout
    assert "more (--all or --json)" not in full
    assert "    - stale-24 is stale: no document cites it any more; delete it from references.yaml " \
           "or mark it exclude: true" in full.splitlines()
