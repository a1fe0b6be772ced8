"""The whole build as a curator runs it: `litgraph build --offline`, twice, and with settings."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph.cli import cli
from litgraph.store import TABLES

ROOT = Path(__file__).resolve().parent.parent


def table_rows(db_path):
    """Every row of every litgraph table, sorted, with build times left out."""
    conn = sqlite3.connect(db_path)
    rows = {}
    for table in TABLES:
        if table == "build_info":
            continue
        found = conn.execute(f"select * from [{table}]").fetchall()
        rows[table] = sorted(found, key=repr)
    fetched = [r[0] for r in conn.execute("select fetched_at from sources")]
    conn.close()
    return rows, fetched


def build(project, *extra):
    result = CliRunner().invoke(cli, [
        "build", str(project / "documents"), "--offline", "-q",
        "--db", str(project / "db" / "litgraph.db"),
        "--references", str(project / "references.yaml"), *extra])
    return result


@pytest.fixture
def project(tmp_path, documents_dir):
    shutil.copyfile(ROOT / "references.yaml", tmp_path / "references.yaml")
    return tmp_path


def test_build_offline_writes_every_table_and_a_second_run_changes_no_row(project):
    first = build(project)
    assert first.exit_code == 0, first.output
    db_path = project / "db" / "litgraph.db"
    rows, _ = table_rows(db_path)
    for table in ("documents", "sources", "citations", "claims", "claim_sources", "links",
                  "nodes", "metrics", "claim_alignments"):
        assert rows[table], f"{table} is empty after a build"
    assert len(rows["documents"]) == 5
    conn = sqlite3.connect(db_path)
    eutils = conn.execute("select value from build_info where key = 'eutils'").fetchone()[0]
    conn.close()
    assert eutils == "E-utilities stand-in: fixture records, not NCBI"
    statuses = {row[0]: row for row in rows["sources"]}
    assert len(statuses) == len(rows["sources"])  # one row per source key

    yaml_before = (project / "references.yaml").read_text(encoding="utf-8")
    second = build(project)
    assert second.exit_code == 0, second.output
    assert table_rows(db_path)[0] == rows
    assert (project / "references.yaml").read_text(encoding="utf-8") == yaml_before


def test_restatement_thresholds_come_from_references_yaml_settings(project):
    assert build(project).exit_code == 0
    db_path = project / "db" / "litgraph.db"
    conn = sqlite3.connect(db_path)
    count = "select count(distinct claim_id) from claim_alignments where sentence_status = ?"
    supported = conn.execute(count, ["supported"]).fetchone()[0]
    conn.close()
    assert supported > 20

    references = project / "references.yaml"
    references.write_text(references.read_text(encoding="utf-8")
                          + "settings:\n  restatement:\n    match: 0.99\n", encoding="utf-8")
    assert build(project).exit_code == 0
    conn = sqlite3.connect(db_path)
    strict = conn.execute(count, ["supported"]).fetchone()[0]
    conn.close()
    assert strict < supported
    assert "match: 0.99" in references.read_text(encoding="utf-8")  # the curator's setting stays


def test_an_unknown_restatement_setting_is_one_line_naming_it(project):
    references = project / "references.yaml"
    references.write_text(references.read_text(encoding="utf-8")
                          + "settings:\n  restatement:\n    matchh: 0.5\n", encoding="utf-8")
    result = build(project)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "matchh" in lines[0]
    assert "Traceback" not in result.output


def test_build_json_summary_reports_each_stage(project):
    result = CliRunner().invoke(cli, [
        "build", str(project / "documents"), "--offline", "-q", "--json",
        "--db", str(project / "db" / "litgraph.db"),
        "--references", str(project / "references.yaml")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{"):])
    assert [part["stage"] for part in summary["stages"]] == ["extract", "resolve", "graph"]
    resolve = summary["stages"][1]["counts"]
    assert resolve["resolved"] + resolve["unresolved"] + resolve.get("conflict", 0) == 40


def test_an_empty_references_yaml_never_empties_the_database(project):
    assert build(project).exit_code == 0
    db_path = project / "db" / "litgraph.db"
    before, _ = table_rows(db_path)
    (project / "references.yaml").write_text("# oops: everything deleted\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", "--offline", "-q", "--db", str(db_path),
                                      "--references", str(project / "references.yaml")])
    assert result.exit_code == 2
    assert "holds no documents and no sources" in result.output
    assert table_rows(db_path)[0] == before


def test_an_unreachable_eutils_changes_nothing_stored(project, monkeypatch):
    from litgraph.entrez import EntrezClient

    assert build(project).exit_code == 0
    monkeypatch.setitem(EntrezClient.__init__.__kwdefaults__, "sleep", lambda seconds: None)
    db_path = project / "db" / "litgraph.db"
    before, _ = table_rows(db_path)
    assert before["claim_alignments"]
    result = CliRunner().invoke(cli, ["resolve", "-q", "--db", str(db_path),
                                      "--eutils-url", "http://127.0.0.1:9/entrez/eutils/",
                                      "--cache", str(project / "fresh-cache.sqlite"),
                                      "--references", str(project / "references.yaml")])
    assert result.exit_code == 1
    assert table_rows(db_path)[0] == before
