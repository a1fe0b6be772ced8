"""The whole build as a curator runs it: `litgraph build --offline`, twice, and with settings."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from litgraph.cli import cli
from litgraph.pipeline import RESOLVE_KEPT
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
def project(built_project):
    """A private copy of the demo project, built once per session (conftest.built_demo)."""
    return built_project


def test_a_first_build_stores_the_reference_set_and_writes_identifiers_back(built_from_documents):
    # The session's first build ran extract, resolve and graph in a project of documents alone.
    built_demo = built_from_documents
    rows = built_demo.rows
    refs = YAML(typ="safe").load(built_demo.references)
    documents = sorted(p.stem for p in (ROOT / "documents").glob("*.txt"))
    assert sorted(r[0] for r in rows["documents"]) == documents
    assert sorted(r[0] for r in rows["sources"]) == sorted(refs["sources"])
    stages = {part["stage"]: part["counts"] for part in built_demo.report["stages"]}
    conn = sqlite3.connect(built_demo.path / "db" / "litgraph.db")
    statuses = dict(conn.execute("select status, count(*) from sources group by status").fetchall())
    conn.close()
    assert {k: stages["resolve"][k] for k in statuses} == statuses
    # resolve writes the identifiers it found back, each with resolved_by; extract wrote none.
    extracted = YAML(typ="safe").load(built_demo.after_extract)
    assert not any(s.get("resolved_by") for s in extracted["sources"].values())
    written_back = [k for k, s in refs["sources"].items() if s.get("resolved_by")]
    assert written_back and set(written_back) <= set(extracted["sources"])
    assert stages["graph"]["nodes"] == len(rows["nodes"])
    assert stages["graph"]["links"] == len(rows["links"])
    assert stages["extract"]["claims"] == len(rows["claims"])


def test_a_second_build_changes_no_row_and_not_references_yaml(project, built_demo):
    db_path = project / "db" / "litgraph.db"
    conn = sqlite3.connect(db_path)
    eutils = conn.execute("select value from build_info where key = 'eutils'").fetchone()[0]
    conn.close()
    assert eutils == "E-utilities stand-in: fixture records, not NCBI"
    rows, fetched = table_rows(db_path)
    second = build(project)
    assert second.exit_code == 0, second.output
    again, fetched_again = table_rows(db_path)
    for table in rows:  # table by table, so that a failure names the table that changed
        assert again[table] == rows[table], table
    assert fetched_again == fetched
    assert (project / "references.yaml").read_bytes() == built_demo.references


def test_a_rebuild_writes_only_the_sources_rows_that_change(project):
    """A rebuild rewrites no sources row that would store the same values (nor its indexes
    and full-text entries); a curator's note on one source writes that row alone."""
    db_path = project / "db" / "litgraph.db"
    conn = sqlite3.connect(db_path)
    conn.executescript("""
        CREATE TABLE written (id TEXT);
        CREATE TRIGGER count_written AFTER UPDATE ON sources BEGIN
            INSERT INTO written VALUES (new.id); END;
    """)
    conn.close()

    def written_by(*extra):
        assert build(project, *extra).exit_code == 0
        conn = sqlite3.connect(db_path)
        ids = sorted({row[0] for row in conn.execute("select id from written")})
        conn.execute("delete from written")
        conn.commit()
        conn.close()
        return ids

    before, _ = table_rows(db_path)
    assert written_by() == []
    assert table_rows(db_path)[0]["sources"] == before["sources"]
    references = project / "references.yaml"
    text = references.read_text(encoding="utf-8")
    key = YAML(typ="safe").load(text)["sources"].popitem()[0]
    references.write_text(text.replace(f"\n  {key}:\n", f"\n  {key}:\n    note: checked\n", 1),
                          encoding="utf-8")
    assert written_by() == [key]
    conn = sqlite3.connect(db_path)
    assert conn.execute("select note from sources where id = ?", [key]).fetchone() == ("checked",)
    conn.close()


def test_restatement_thresholds_come_from_references_yaml_settings(project):
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
    # each part's wall time, within the build's own
    parts = [part["seconds"] for part in summary["stages"]]
    assert min(parts) >= 0 and sum(parts) <= summary["seconds"] + 0.01


def test_an_empty_references_yaml_never_empties_the_database(project):
    db_path = project / "db" / "litgraph.db"
    before, _ = table_rows(db_path)
    (project / "references.yaml").write_text("# oops: everything deleted\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", "--offline", "-q", "--db", str(db_path),
                                      "--references", str(project / "references.yaml")])
    assert result.exit_code == 2
    assert "holds no documents and no sources" in result.output
    assert table_rows(db_path)[0] == before


def test_an_unreachable_eutils_changes_nothing_stored(project, monkeypatch):
    from entrez_fake import client_without_waits

    client_without_waits(monkeypatch)
    db_path = project / "db" / "litgraph.db"
    before, _ = table_rows(db_path)
    assert before["claim_alignments"]
    result = CliRunner().invoke(cli, ["resolve", "-q", "--db", str(db_path),
                                      "--eutils-url", "http://127.0.0.1:9/entrez/eutils/",
                                      "--cache", str(project / "fresh-cache.sqlite"),
                                      "--references", str(project / "references.yaml")])
    assert result.exit_code == 1
    assert table_rows(db_path)[0] == before


def build_json(project):
    result = build(project, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{"):])
    return {part["stage"]: part for part in summary["stages"]}


def test_a_rebuild_keeps_the_graph_until_something_it_reads_changes(project):
    db_path = project / "db" / "litgraph.db"
    before, _ = table_rows(db_path)
    again = build_json(project)
    assert again["graph"]["messages"] == ["unchanged since the last build: not rebuilt"]
    assert again["graph"]["counts"]["nodes"] == len(before["nodes"])
    rows = table_rows(db_path)[0]
    assert {t: rows[t] for t in GRAPH_TABLES} == {t: before[t] for t in GRAPH_TABLES}

    # A curator excludes a cited source: the sources rows change, so the graph is built again.
    refs = YAML(typ="safe").load((project / "references.yaml").read_text(encoding="utf-8"))
    key = next(k for k, s in refs["sources"].items() if s.get("pmid") and not s.get("exclude"))
    text = (project / "references.yaml").read_text(encoding="utf-8")
    text = text.replace(f"\n  {key}:\n", f"\n  {key}:\n    exclude: true\n", 1)
    (project / "references.yaml").write_text(text, encoding="utf-8")
    edited = build_json(project)
    assert "unchanged since the last build: not rebuilt" not in edited["graph"]["messages"]
    after, _ = table_rows(db_path)
    assert [n for n in after["nodes"] if n[0] == key] == []
    assert [n for n in before["nodes"] if n[0] == key] != []


GRAPH_TABLES = ("nodes", "links", "metrics", "cocitations", "couplings", "document_cohesion")


def test_a_sentence_added_to_a_document_keeps_the_graph_it_would_build_again(project):
    # An author adds a sentence near the top of a document: every citation below it moves
    # down a line and the document's digest changes, but no node or link does.  The build
    # keeps the graph, and the graph it keeps is the one built afresh from the new rows.
    db_path = project / "db" / "litgraph.db"
    lines = lambda: sorted(table_rows(db_path)[0]["citations"])  # noqa: E731
    cited_before = lines()
    document = next(p for p in sorted((project / "documents").iterdir())
                    if p.name.startswith("002_"))
    text = document.read_text(encoding="utf-8").split("\n")
    text.insert(1, "A sentence an author added, citing nothing.")
    document.write_text("\n".join(text), encoding="utf-8")

    edited = build_json(project)
    assert edited["graph"]["messages"] == ["unchanged since the last build: not rebuilt"]
    assert lines() != cited_before  # the citations' lines did change
    kept = {t: table_rows(db_path)[0][t] for t in GRAPH_TABLES}

    result = CliRunner().invoke(cli, ["graph", "--offline", "--db", str(db_path), "-q"])
    assert result.exit_code == 0, result.output
    assert {t: table_rows(db_path)[0][t] for t in GRAPH_TABLES} == kept


def test_a_curator_save_during_a_build_stops_it_before_the_database_changes(tmp_path,
                                                                             monkeypatch):
    # extract's references.yaml is written while resolution asks E-utilities: a curator who
    # saves the file meanwhile keeps theirs, and the database gets nothing of litgraph's merge.
    import shutil

    from litgraph.references import yamlio

    project = tmp_path / "project"
    shutil.copytree(ROOT / "documents", project / "documents")
    references = project / "references.yaml"
    curator = "# the curator's own start\ndocuments: {}\n"
    replace = yamlio.replace_text_file

    def replace_while_curator_saves(*args, **kwargs):
        references.write_text(curator, encoding="utf-8")
        return replace(*args, **kwargs)

    monkeypatch.setattr(yamlio, "replace_text_file", replace_while_curator_saves)
    result = build(project)
    assert result.exit_code == 2, result.output
    assert "references.yaml.litgraph-new" in result.output
    assert references.read_text(encoding="utf-8") == curator
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
              for t in ("sources", "documents", "citations", "claims")}
    conn.close()
    assert counts == {"sources": 0, "documents": 0, "citations": 0, "claims": 0}


def test_the_graph_stamp_follows_what_the_graph_reads_not_when_a_reply_came(project):
    from litgraph.pipeline import graph_inputs_stamp
    from litgraph.store import open_db

    db = open_db(project / "db" / "litgraph.db")
    key = db.execute("select id from sources where status = 'resolved' limit 1").fetchone()[0]
    stamp = graph_inputs_stamp(db, None, depth=1, cap=500)
    db.execute("update sources set fetched_at = '2026-01-01T00:00:00+00:00' where id = ?", [key])
    assert graph_inputs_stamp(db, None, depth=1, cap=500) == stamp
    assert graph_inputs_stamp(db, None, depth=2, cap=500) != stamp
    # a citation's label counts for the way it points, the one thing the graph reads of it
    cited = db.execute("select document_id, source_id, line from citations "
                       "where label not like '%cit%' limit 1").fetchone()
    where = "document_id = ? and source_id = ? and line = ?"
    db.execute(f"update citations set label = 'a label never seen' where {where}", cited)
    assert graph_inputs_stamp(db, None, depth=1, cap=500) == stamp
    db.execute(f"update citations set label = 'Cited by' where {where}", cited)
    cited_by = graph_inputs_stamp(db, None, depth=1, cap=500)
    assert cited_by != stamp
    db.execute("update sources set year = year + 1 where id = ?", [key])
    assert graph_inputs_stamp(db, None, depth=1, cap=500) not in (stamp, cited_by)


def test_every_column_outside_the_stamp_leaves_the_graph_as_it_is(project):
    # The stamp covers store.GRAPH_COLUMNS only: whatever else a row holds, the graph built
    # from it is the same.  Every other column of those tables is overwritten here.
    from litgraph.pipeline import graph_inputs_stamp
    from litgraph.store import GRAPH_COLUMNS, open_db

    db_path = project / "db" / "litgraph.db"
    before = {t: table_rows(db_path)[0][t] for t in GRAPH_TABLES}
    db = open_db(db_path)
    stamp = graph_inputs_stamp(db, None, depth=1, cap=500)
    for table, read in GRAPH_COLUMNS.items():
        for column, kind in TABLES[table][0].items():
            if column in read:
                continue
            value = "'other ' || rowid" if kind is str else f"coalesce([{column}], 0) + 1000"
            db.execute(f"update [{table}] set [{column}] = {value}")
    db.conn.commit()
    assert graph_inputs_stamp(db, None, depth=1, cap=500) == stamp

    result = CliRunner().invoke(cli, ["graph", "--offline", "--db", str(db_path), "-q"])
    assert result.exit_code == 0, result.output
    assert {t: table_rows(db_path)[0][t] for t in GRAPH_TABLES} == before


def test_a_corrupt_pdf_in_the_folder_is_named_and_the_build_goes_on(project):
    """A damaged PDF among the documents: build names it (one line, the reason), builds the
    rest, and names it again when a rebuild skips extract (nothing changed)."""
    (project / "documents" / "zz_damaged.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    rows_before, _ = table_rows(project / "db" / "litgraph.db")
    for _run in range(2):
        result = CliRunner().invoke(cli, [
            "build", str(project / "documents"), "--offline",
            "--db", str(project / "db" / "litgraph.db"),
            "--references", str(project / "references.yaml")])
        assert result.exit_code == 0, result.output
        named = [line.strip() for line in result.output.splitlines() if "zz_damaged" in line]
        assert len(named) == 1
        assert named[0].startswith(f"{project / 'documents' / 'zz_damaged.pdf'}: not read (")
    assert "zz_damaged" not in (project / "references.yaml").read_text(encoding="utf-8")
    rows_after, _ = table_rows(project / "db" / "litgraph.db")
    assert rows_after["documents"] == rows_before["documents"]


def test_a_text_file_that_cannot_be_read_is_named_until_it_is_fixed_then_built(project):
    """A note saved as Latin-1 among the documents: build names it (its line and byte) and
    stores the rest as before, names it again when a rebuild skips extract (nothing changed),
    and reads it once it is saved again as UTF-8."""
    db_path = project / "db" / "litgraph.db"
    rows_before, _ = table_rows(db_path)
    note = project / "documents" / "zz_note.txt"
    words = ("A note\n\nThe caf\u00e9 study found less pain [1].\n\nReferences\n\n"
             "[1] Okafor N. An invented renal series. Synth J Urol. 2014;3:1-9.\n")
    note.write_bytes(words.encode("latin-1"))
    for _run in range(2):
        summary = build_json(project)
        assert summary["extract"]["messages"] == [
            f"{note}: not read (line 3: not valid UTF-8 (byte 15))"]
    rows_after, _ = table_rows(db_path)
    assert rows_after["documents"] == rows_before["documents"]
    assert rows_after["claims"] == rows_before["claims"]
    note.write_text(words, encoding="utf-8")
    fixed = build_json(project)
    assert fixed["extract"]["messages"] == []
    assert fixed["extract"]["counts"]["new_sources"] == 1
    rows_fixed, _ = table_rows(db_path)
    assert {r[0] for r in rows_fixed["documents"]} == \
        {r[0] for r in rows_before["documents"]} | {"zz_note"}


def test_a_folder_whose_every_document_cannot_be_read_keeps_what_is_stored(project):
    """Every document damaged at once (a NUL byte in each): each is named, and the database and
    references.yaml keep what the documents said when they could be read."""
    db_path = project / "db" / "litgraph.db"
    rows_before, _ = table_rows(db_path)
    references_before = (project / "references.yaml").read_bytes()
    documents = sorted((project / "documents").iterdir())
    for path in documents:
        path.write_bytes(b"\x00" + path.read_bytes())
    summary = build_json(project)
    assert summary["extract"]["messages"] == [
        f"{path}: not read (line 1: binary file (NUL byte), not a text document)"
        for path in documents]
    assert summary["extract"]["counts"]["documents"] == 0
    rows_after, _ = table_rows(db_path)
    # Alignment reads the documents' text itself: unreadable now, each restatement is aligned
    # to the stored claims alone (its note says so).  Everything else is as it was.
    for table in set(rows_before) - {"claim_alignments"}:
        assert rows_after[table] == rows_before[table], table
    assert (project / "references.yaml").read_bytes() == references_before


def test_a_first_build_from_documents_none_of_which_can_be_read_stores_nothing(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "blank.txt").write_text("  \n")
    (documents / "binary.md").write_bytes(b"# Notes\n\x00\x01")
    result = build(tmp_path)
    assert result.exit_code == 2
    assert "holds no documents and no sources; nothing stored was changed" in result.output


def test_a_rebuild_reports_the_folder_as_it_is_now_and_nothing_new(project):
    """A rebuild that skips extract says so truthfully: no new sources, and the files it does
    not read as they are now, not as the last build found them."""
    documents = project / "documents"
    (documents / "notes.bin").write_bytes(b"\x00 not a document")
    (documents / "zz_new.md").write_text(
        "# A new note\n\nA made-up finding [1].\n\n## References\n\n"
        "1. Okafor N. An invented renal series. Synth J Urol. 2014;3:1-9.\n", encoding="utf-8")
    first = build_json(project)
    assert any("notes.bin: not read" in m for m in first["extract"]["messages"])
    assert first["extract"]["counts"]["new_sources"] == 1
    again = build_json(project)  # nothing changed
    assert again["extract"]["counts"]["new_sources"] == 0
    assert {k: v for k, v in again["extract"]["counts"].items() if k != "new_sources"} == \
        {k: v for k, v in first["extract"]["counts"].items() if k != "new_sources"}
    (documents / "notes.bin").unlink()
    (documents / "photo.jpeg").write_bytes(b"\xff\xd8 not a document either")
    later = build_json(project)
    named = [m for m in later["extract"]["messages"] if ": not read (" in m]
    assert [m.split(": not read (")[0] for m in named] == [str(documents / "photo.jpeg")]
    assert later["extract"]["counts"]["new_sources"] == 0


def test_a_first_build_writes_references_yaml_once_holding_what_resolve_found(tmp_path,
                                                                            monkeypatch):
    from litgraph.references import yamlio
    from reliability_helpers import new_project

    two_steps = new_project(tmp_path / "two-steps")  # extract, then resolve's write-back
    extracted = CliRunner().invoke(cli, ["extract", str(two_steps / "documents"), "-q",
                                         "--references", str(two_steps / "references.yaml")])
    assert extracted.exit_code == 0, extracted.output
    resolved = CliRunner().invoke(cli, ["resolve", "--offline", "-q",
                                        "--db", str(two_steps / "db" / "litgraph.db"),
                                        "--references", str(two_steps / "references.yaml")])
    assert resolved.exit_code == 0, resolved.output

    project = new_project(tmp_path / "build")
    writes = []
    replace = yamlio.replace_text_file
    monkeypatch.setattr(yamlio, "replace_text_file",
                        lambda path, *args: writes.append(path) or replace(path, *args))
    result = build(project)
    assert result.exit_code == 0, result.output
    assert [Path(p).name for p in writes] == ["references.yaml"]  # one write, not two
    built = (project / "references.yaml").read_text(encoding="utf-8")
    assert built == (two_steps / "references.yaml").read_text(encoding="utf-8")
    assert any(s.get("resolved_by") for s in YAML(typ="safe").load(built)["sources"].values())


def test_a_build_that_cannot_reach_eutils_still_writes_what_extract_found(tmp_path, monkeypatch,
                                                                         built_from_documents):
    from entrez_fake import client_without_waits
    from reliability_helpers import new_project

    client_without_waits(monkeypatch)
    project = new_project(tmp_path / "project")
    result = CliRunner().invoke(cli, [
        "build", str(project / "documents"), "-q", "--db", str(project / "db" / "litgraph.db"),
        "--references", str(project / "references.yaml"),
        "--cache", str(project / "db" / "http-cache.sqlite"),
        "--eutils-url", "http://127.0.0.1:9/entrez/eutils/"])
    assert result.exit_code == 1
    assert (project / "references.yaml").read_bytes() == built_from_documents.after_extract


def test_a_build_asks_elink_ahead_and_its_graph_takes_the_answers(tmp_path, monkeypatch):
    """elink goes out beside efetch: the graph stage asks nothing about the PMIDs asked
    ahead, and still stores both link directions; a rebuild that reads no document asks
    nothing ahead."""
    from litgraph.entrez import EntrezClient
    from reliability_helpers import new_project

    ahead, asked_later = [], []
    links_ahead, ask_links = EntrezClient.links_ahead, EntrezClient._ask_links

    def record_ahead(client, pmids, linknames):
        ahead.append((set(pmids), tuple(linknames)))
        return links_ahead(client, pmids, linknames)

    def record_asks(client, pmids, linknames, ahead=False):
        if not ahead:
            asked_later.append(set(pmids))
        return ask_links(client, pmids, linknames, ahead)

    monkeypatch.setattr(EntrezClient, "links_ahead", record_ahead)
    monkeypatch.setattr(EntrezClient, "_ask_links", record_asks)
    project = new_project(tmp_path / "project")
    assert build(project).exit_code == 0
    db = sqlite3.connect(project / "db" / "litgraph.db")
    resolved = {str(p) for (p,) in db.execute("select pmid from sources where pmid is not null")}
    assert [names for _pmids, names in ahead] == [("pubmed_pubmed_refs", "pubmed_pubmed_citedin")]
    assert resolved and resolved <= ahead[0][0]
    assert not any(asked & resolved for asked in asked_later)
    origins = {o for (o,) in db.execute("select distinct origin from links")}
    assert {"elink-refs", "elink-citedin"} <= origins
    ahead.clear()
    assert build(project).exit_code == 0
    assert ahead == []


def test_a_rebuild_that_changes_nothing_loads_no_graph_or_alignment_library(project):
    """A rebuild with nothing to do stays quick: NetworkX (with SciPy, half a second to
    load) is loaded only by a graph stage that runs, scikit-learn (0.7 s) only by an
    alignment that runs."""
    import subprocess
    import sys

    for _ in range(2):  # whatever the copy needs, done (a graph that met a failure: again)
        assert build(project).exit_code == 0
    args = ["build", str(project / "documents"), "--offline", "-q", "--json",
            "--db", str(project / "db" / "litgraph.db"),
            "--references", str(project / "references.yaml")]
    code = ("import sys\nfrom litgraph.cli import cli\n"
            f"cli({args!r}, standalone_mode=False)\n"
            "print('networkx' in sys.modules, 'sklearn' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False False", result.stdout


RESTATING, RESTATED = "000_d77120f9981d4803", "001_a7b665464bb06ded"  # the demo's one pair


def alignments(db_path):
    return table_rows(db_path)[0]["claim_alignments"]


def test_a_rebuild_aligns_again_when_the_rewrite_changes_as_a_fresh_alignment_would(project):
    import shutil

    import sqlite_utils

    from litgraph.align.storage import align_documents

    db_path = project / "db" / "litgraph.db"
    before = alignments(db_path)
    assert before
    rewrite = project / "documents" / f"{RESTATING}.txt"
    lines = rewrite.read_text(encoding="utf-8").split("\n")
    lines[2:2] = ["Renal leiomyosarcoma is treated by a sarcoma team.", ""]
    rewrite.write_text("\n".join(lines), encoding="utf-8")
    assert build(project).exit_code == 0
    after = alignments(db_path)
    assert after != before

    shutil.copy(db_path, project / "fresh.db")
    fresh = sqlite_utils.Database(project / "fresh.db")
    align_documents(fresh, base_dir=project)
    fresh.conn.close()
    assert alignments(project / "fresh.db") == after


def test_the_alignment_stamp_follows_what_alignment_reads(project):
    from litgraph.align.storage import alignment_inputs_stamp
    from litgraph.store import open_db

    db = open_db(project / "db" / "litgraph.db")
    stamp = lambda thresholds=None: alignment_inputs_stamp(db, thresholds, project)  # noqa: E731
    first = stamp()
    # what alignment never reads: a claim's section and level, a document's title and digest
    db.execute("update claims set section = 'elsewhere', evidence_level = 5")
    db.execute("update documents set title = 'retitled', sha256 = 'x'")
    assert stamp() == first
    assert stamp({"match": 0.9}) != first
    # the restated document's text, uncited sentences included, is read from its file
    restated = project / "documents" / f"{RESTATED}.txt"
    text = restated.read_text(encoding="utf-8")
    restated.write_text(text.replace(" ", "  ", 1), encoding="utf-8")
    assert stamp() != first
    restated.write_text(text, encoding="utf-8")
    assert stamp() == first
    db.execute("update claims set text = text || ' More.' where document_id = ?", [RESTATING])
    assert stamp() != first


def steady(project):
    """The project rebuilt until a build finds nothing to do (a copy's first build reads its
    documents again: their paths changed)."""
    for _ in range(2):
        parts = build_json(project)
    assert parts["resolve"]["messages"] == [RESOLVE_KEPT], parts["resolve"]
    return parts


def resolved_again(parts) -> bool:
    return RESOLVE_KEPT not in parts["resolve"]["messages"]


def add_to_a_source(project, line: str):
    """A curator adds ``line`` (e.g. ``note: ...``) to the first source with a PMID in
    references.yaml; returns that source's key and the file's text before."""
    references = project / "references.yaml"
    before = references.read_text(encoding="utf-8")
    key = next(k for k, s in YAML(typ="safe").load(before)["sources"].items() if s.get("pmid"))
    references.write_text(before.replace(f"\n  {key}:\n", f"\n  {key}:\n    {line}\n", 1),
                          encoding="utf-8")
    return key, before


def test_a_rebuild_with_nothing_changed_asks_and_reads_no_reply(project):
    db_path = project / "db" / "litgraph.db"
    first = build_json(project)
    rows = table_rows(db_path)
    again = steady(project)
    assert again["resolve"]["counts"]["requests"] == 0
    assert again["resolve"]["counts"]["cache_hits"] == 0  # not even from the cache
    assert {k: v for k, v in again["resolve"]["counts"].items()
            if k not in ("requests", "cache_hits")} == \
        {k: v for k, v in first["resolve"]["counts"].items() if k not in ("requests", "cache_hits")}
    assert table_rows(db_path) == rows


def test_a_curators_edit_to_references_yaml_is_resolved_and_stored(project):
    steady(project)
    key, _ = add_to_a_source(project, "note: checked against the PDF")
    parts = build_json(project)
    assert resolved_again(parts) and parts["resolve"]["counts"]["cache_hits"] > 0
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    assert conn.execute("select note from sources where id = ?", [key]).fetchone() == (
        "checked against the PDF",)
    conn.close()


@pytest.mark.parametrize("change", ["a reply it used expired", "the cache was deleted",
                                    "litgraph resolve ran alone", "the level mapping changed"])
def test_a_build_resolves_again_when_what_it_read_may_have_changed(project, change):
    db_path = project / "db" / "litgraph.db"
    steady(project)
    if change == "a reply it used expired":
        conn = sqlite3.connect(db_path)
        conn.execute("update build_info set value = '2020-01-01T00:00:00+00:00' "
                     "where key = 'resolve_reused_until'")
        assert conn.total_changes == 1
        conn.commit()
        conn.close()
    elif change == "the cache was deleted":
        (project / "db" / "http-cache.sqlite").unlink()
    elif change == "litgraph resolve ran alone":
        result = CliRunner().invoke(cli, ["resolve", "--offline", "-q", "--db", str(db_path),
                                          "--references", str(project / "references.yaml")])
        assert result.exit_code == 0, result.output
    else:
        from litgraph.evidence import PACKAGE_MAP

        levels = PACKAGE_MAP.read_text(encoding="utf-8")
        (project / "evidence-levels.yaml").write_text(levels + "\n", encoding="utf-8")
    parts = build_json(project)
    assert resolved_again(parts), change
    assert parts["resolve"]["counts"]["cache_hits"] + parts["resolve"]["counts"]["requests"] > 0
    assert not resolved_again(build_json(project))  # and then it holds again


def test_a_resolution_that_met_a_failure_is_done_again_by_the_next_build(project, monkeypatch):
    import litgraph.pipeline as pipeline

    steady(project)
    (project / "db" / "http-cache.sqlite").unlink()  # this build must ask
    resolve_and_save = pipeline.resolve_and_save

    def failing_once(db_path, references_path, client, *args, **kwargs):
        client.stats["failures"] += 1  # as a batch that failed after every retry counts it
        return resolve_and_save(db_path, references_path, client, *args, **kwargs)

    monkeypatch.setattr(pipeline, "resolve_and_save", failing_once)
    assert resolved_again(build_json(project))
    monkeypatch.setattr(pipeline, "resolve_and_save", resolve_and_save)
    assert resolved_again(build_json(project))
    assert not resolved_again(build_json(project))


def test_a_build_stopped_after_saving_its_resolution_leaves_no_stamp_for_it(project,
                                                                            monkeypatch):
    # A curator's note is resolved and saved, then the build is killed before it stamps
    # what it resolved; the curator takes the note back out.  The earlier stamp must not
    # stand for rows that hold the note: the next build resolves, and the note goes.
    import litgraph.pipeline as pipeline

    steady(project)
    key, before = add_to_a_source(project, "note: kept?")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_graph_unless_unchanged", stopped)
    assert build(project).exit_code != 0
    monkeypatch.undo()
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    assert conn.execute("select note from sources where id = ?", [key]).fetchone() == ("kept?",)
    (project / "references.yaml").write_text(before, encoding="utf-8")
    assert resolved_again(build_json(project))
    assert conn.execute("select note from sources where id = ?", [key]).fetchone() == (None,)
    conn.close()


def test_replies_the_graph_adds_to_the_cache_leave_resolution_kept(project, monkeypatch):
    # The graph stage may ask E-utilities what no earlier build asked (a deeper graph, a
    # link it could not get before): the cache then holds more replies than resolution was
    # stamped with, none of them resolution's.  The build stamps the cache as it leaves it,
    # so the next one keeps resolution.
    import litgraph.pipeline as pipeline

    steady(project)
    graph = pipeline._graph_unless_unchanged

    def graph_asking_something_new(db_path, client, *args):
        report = graph(db_path, client, *args)
        client.search("synthetic search the graph made")  # a reply new to the cache
        return report

    monkeypatch.setattr(pipeline, "_graph_unless_unchanged", graph_asking_something_new)
    assert not resolved_again(build_json(project))
    monkeypatch.undo()
    assert not resolved_again(build_json(project))


@pytest.mark.parametrize("saved", ["a document", "references.yaml"])
def test_a_file_saved_during_a_build_is_read_by_the_next_one(project, monkeypatch, saved):
    # An author saves a document, or a curator references.yaml, while a build runs (here:
    # during its graph stage).  That build read the files before: the next one must read
    # them again, not take them for the ones it stamped, and store what they now say.
    import litgraph.pipeline as pipeline

    steady(project)
    graph = pipeline._graph_unless_unchanged
    sentence = "An author saved this sentence while a build ran."

    def graph_while_a_file_is_saved(*args):
        if saved == "a document":
            rewrite = project / "documents" / f"{RESTATING}.txt"
            lines = rewrite.read_text(encoding="utf-8").split("\n")
            lines[2:2] = [sentence, ""]
            rewrite.write_text("\n".join(lines), encoding="utf-8")
        else:
            add_to_a_source(project, "note: saved while a build ran")
        return graph(*args)

    monkeypatch.setattr(pipeline, "_graph_unless_unchanged", graph_while_a_file_is_saved)
    assert build(project).exit_code == 0
    monkeypatch.undo()
    assert build(project).exit_code == 0
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    if saved == "a document":
        found = conn.execute("select count(*) from claims where text = ?", [sentence]).fetchone()
    else:
        found = conn.execute("select count(*) from sources where note = ?",
                             ["saved while a build ran"]).fetchone()
    conn.close()
    assert found == (1,)


def test_a_build_citing_a_pmid_pubmed_lacks_is_kept_by_the_next_one(tmp_path):
    # Resolution asks elink ahead for every PMID it fetches; a PMID that PubMed lacks never
    # reaches the graph, which would leave that request running past the build's stamp of
    # the cache.  The build waits for it first, so the next build keeps resolution.
    project = tmp_path / "project"
    (project / "documents").mkdir(parents=True)
    (project / "documents" / "note.md").write_text(
        "# A synthetic note\n\nA synthetic statement cites a record PubMed lacks [1].\n\n"
        "## References\n\n1. Synthetic A. A synthetic title. Synth J. 2020;1:1-2. "
        "PMID: 99900001\n", encoding="utf-8")
    first = build_json(project)
    assert first["resolve"]["counts"].get("unresolved") == 1
    assert not resolved_again(build_json(project))


def test_a_build_that_merged_the_documents_reads_references_yaml_once(project, monkeypatch):
    # After a curator's edit, extract loads references.yaml to merge the documents into it
    # (and finds nothing to change); resolution takes that data instead of parsing the
    # file a second time.
    import litgraph.references as references

    steady(project)
    add_to_a_source(project, "note: read once")
    reads = []
    read = references.read_reference_set
    monkeypatch.setattr(references, "read_reference_set",
                        lambda path: reads.append(path) or read(path))
    parts = build_json(project)
    assert resolved_again(parts) and reads == []
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    assert conn.execute("select count(*) from sources where note = 'read once'").fetchone() == (1,)
    conn.close()


def test_a_build_stopped_after_saving_its_graph_leaves_no_stamp_for_it(project, monkeypatch):
    # The graph of a set with one source excluded is saved, then the build is killed before
    # it stamps it; the curator takes the exclusion back: the next build builds the graph.
    import litgraph.pipeline as pipeline

    steady(project)
    key, before = add_to_a_source(project, "exclude: true")
    run_graph = pipeline.run_graph

    def saved_then_stopped(*args, **kwargs):
        run_graph(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_graph", saved_then_stopped)
    assert build(project).exit_code != 0
    monkeypatch.undo()
    conn = sqlite3.connect(project / "db" / "litgraph.db")
    assert conn.execute("select count(*) from nodes where id = ?", [key]).fetchone() == (0,)
    (project / "references.yaml").write_text(before, encoding="utf-8")
    parts = build_json(project)
    assert parts["graph"]["messages"] != ["unchanged since the last build: not rebuilt"]
    assert conn.execute("select count(*) from nodes where id = ?", [key]).fetchone() == (1,)
    conn.close()


def documents_read(monkeypatch) -> list:
    """The documents extraction reads from here on (in this process: the tests run threads,
    so no worker is forked)."""
    import litgraph.extract.parallel as parallel

    read, extract_one = [], parallel._extract_one
    monkeypatch.setattr(parallel, "_extract_one",
                        lambda path, profile: read.append(path.name) or extract_one(path, profile))
    return read


def test_a_curators_note_is_merged_without_reading_the_documents_again(project, monkeypatch):
    from litgraph.extract.cache import ExtractionCache, cache_path_for

    steady(project)
    read = documents_read(monkeypatch)
    key, _ = add_to_a_source(project, "note: checked against the PDF")
    noted = build_json(project)
    assert read == [] and noted["extract"]["counts"]["documents"] == 5
    assert resolved_again(noted)
    # one reading per document, kept beside the database, and none other
    cache = ExtractionCache(cache_path_for(project / "db" / "litgraph.db"))
    documents = sorted((project / "documents").iterdir())
    assert all(cache.reading(cache.key(path)) is not None for path in documents)
    assert cache._open().execute("select count(*) from kept").fetchone() == (5,)
    cache.close()

    # an author's edit to one document: that one is read again, and only it
    document = documents[1]
    document.write_text(document.read_text(encoding="utf-8") + "\nOne more line.\n",
                        encoding="utf-8")
    build_json(project)
    assert read == [document.name]

    # a curator's boilerplate profile changes what every document gives: all read again
    (project / "boilerplate.yaml").write_text("sentences:\n  - one more line\n",
                                              encoding="utf-8")
    build_json(project)
    assert sorted(read[1:]) == [path.name for path in documents]


def test_a_merge_from_readings_kept_is_the_merge_from_the_documents(tmp_path):
    from litgraph.extract.cache import ExtractionCache
    from litgraph.references import merge_documents
    from litgraph.references.yamlio import _content

    documents = tmp_path / "documents"
    shutil.copytree(ROOT / "documents", documents)
    references = tmp_path / "references.yaml"
    cache = ExtractionCache(tmp_path / "readings.sqlite")
    first = merge_documents([documents], references, cache)  # reads, and keeps the readings
    again = merge_documents([documents], references, cache)  # takes them
    fresh = merge_documents([documents], references)
    cache.close()
    assert _content(first.data) == _content(again.data) == _content(fresh.data)
    assert again.report.counts == fresh.report.counts


def test_an_unusable_extraction_cache_is_read_around(project, monkeypatch):
    from litgraph.extract.cache import ExtractionCache, cache_path_for

    steady(project)
    path = cache_path_for(project / "db" / "litgraph.db")
    cache = ExtractionCache(path)
    with cache._open() as conn:  # a reading that no longer unpickles: read again
        conn.execute("update kept set result = x'00'")
    cache.close()
    read = documents_read(monkeypatch)
    add_to_a_source(project, "note: first")
    build_json(project)
    assert len(read) == 5
    path.write_bytes(b"not a database")  # not SQLite at all: no cache, and left as it is
    add_to_a_source(project, "level: 2")
    build_json(project)
    assert len(read) == 10 and path.read_bytes() == b"not a database"


def test_a_document_changed_while_it_was_read_is_not_kept(tmp_path, monkeypatch):
    import litgraph.extract.parallel as parallel
    from litgraph.extract.cache import ExtractionCache

    document = tmp_path / "note.md"
    document.write_text("# A note\n\nAspirin helps [1].\n\n## References\n\n"
                        "1. Smith AB. A trial of aspirin. Lancet. 2001;357:100-5. PMID: 11111111\n",
                        encoding="utf-8")
    cache = ExtractionCache(tmp_path / "readings.sqlite")
    key = cache.key(document)
    extract_one = parallel._extract_one

    def read_then_saved(path, profile):
        found = extract_one(path, profile)
        path.write_text(path.read_text(encoding="utf-8") + "Saved meanwhile.\n", encoding="utf-8")
        return found

    monkeypatch.setattr(parallel, "_extract_one", read_then_saved)
    [(_, found)] = parallel.extract_documents([document], cache=cache)
    assert found.references and cache.reading(key) is None
    assert cache.reading(cache.key(document)) is None
    cache.close()
