"""Security: the API key stays secret, Datasette is read-only and bounded, CLI SQL is parameterised."""

import asyncio
import sqlite3
import time
from urllib.parse import quote

import pytest
from ruamel.yaml import YAML

from litgraph.publish import canned_query_names, make_datasette
from demo_project import copy_built
from reliability_helpers import (build_args, clean_env, db_all_rows, new_project, run_in_process,
                                 run_litgraph)

API_KEY = "lgTESTKEY0c4f2e9a7b5d3"  # an invented key: anything resembling it is a leak
EMAIL = "curator-7f3a@example.org"


@pytest.fixture(scope="module")
def keyed_build(tmp_path_factory):
    """A full offline build run with NCBI_API_KEY and NCBI_EMAIL set and every request logged."""
    project = new_project(tmp_path_factory.mktemp("keyed") / "project")
    env = clean_env(NCBI_API_KEY=API_KEY, NCBI_EMAIL=EMAIL)
    args = [a for a in build_args() if a != "-q"]
    proc = run_litgraph([args[0], "-vv", *args[1:]], cwd=project, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (project / "build.log").write_text(proc.stdout + proc.stderr)
    # A second, warm run (cache hits are logged differently) and a resolve --refresh.
    again = run_litgraph(["resolve", "-vv", "--offline", "--refresh", "--max-age", "0d", "--db",
                          "db/litgraph.db", "--references", "references.yaml"], project, env=env)
    (project / "refresh.log").write_text(again.stdout + again.stderr)
    assert again.returncode == 0, again.stderr
    return project


def _get(datasette, path):
    async def fetch():
        return await datasette.client.get(path)
    return asyncio.run(fetch())


def _post(datasette, path, **kwargs):
    async def send():
        return await datasette.client.post(path, **kwargs)
    return asyncio.run(send())


def test_build_sent_the_key_and_logged_it_redacted(keyed_build):
    # At -vv every request is logged, so the searches below look where a key would be;
    # the request lines show the key was sent, with its value blanked.
    log = (keyed_build / "build.log").read_text()
    assert "efetch.fcgi" in log
    assert "api_key=REDACTED" in log
    assert "email=REDACTED" in log


def test_api_key_and_email_are_in_no_file_the_project_writes(keyed_build):
    written = [p for p in keyed_build.rglob("*") if p.is_file()
               and not p.is_relative_to(keyed_build / "documents")]
    names = {p.name for p in written}
    assert {"litgraph.db", "http-cache.sqlite", "references.yaml", "build.log"} <= names, names
    for path in written:
        content = path.read_bytes()
        for secret in (API_KEY, EMAIL):
            assert secret.encode() not in content, f"{secret} found in {path}"
            assert quote(secret).encode() not in content, f"{secret} (URL-encoded) found in {path}"


def test_api_key_is_in_no_published_page(keyed_build):
    datasette = make_datasette(keyed_build / "db" / "litgraph.db")
    paths = ["/", "/litgraph", "/litgraph/sources", "/litgraph/claims", "/litgraph/build_info",
             "/litgraph/build_info.json", "/-/metadata.json", "/-/settings.json", "/-/plugins.json",
             "/-/citation-graph", "/-/citation-graph.json"]
    paths += [f"/litgraph/{name}" for name in canned_query_names()
              if name not in ("claims_for_source", "sources_for_claim")]
    conn = sqlite3.connect(keyed_build / "db" / "litgraph.db")
    source_id = conn.execute("SELECT id FROM sources WHERE status = 'resolved' LIMIT 1").fetchone()[0]
    conn.close()
    paths += [f"/litgraph/sources/{quote(source_id, safe='')}",
              f"/litgraph/claims_for_source?source={quote(source_id)}"]
    for path in paths:
        response = _get(datasette, path)
        assert response.status_code == 200, (path, response.status_code)
        for secret in (API_KEY, EMAIL):
            assert secret not in response.text, f"{secret} in {path}"


# ------------------------------------------------------------------ Datasette is read-only

@pytest.fixture
def small_db(tmp_path):
    """A litgraph-shaped database with a few synthetic rows."""
    from litgraph.store import open_db

    path = tmp_path / "litgraph.db"
    db = open_db(path)
    db["documents"].insert({"id": "doc-a", "title": "Synthetic document A", "kind": "clinical-review",
                            "path": "documents/doc-a.txt"}, pk="id")
    db["sources"].insert_all([
        {"id": f"src-{i}", "title": f"Synthetic source {i}", "status": "resolved",
         "pmid": str(90000000 + i), "evidence_level": 1 + i % 5} for i in range(30)], pk="id")
    db["claims"].insert({"id": "claim-1", "document_id": "doc-a", "text": "A synthetic claim.",
                         "line": 3}, pk="id")
    db["claim_sources"].insert({"claim_id": "claim-1", "source_id": "src-1"},
                               pk=("claim_id", "source_id"))
    db.conn.close()
    return path


WRITE_SQL = [
    "INSERT INTO sources (id, title) VALUES ('evil', 'evil')",
    "UPDATE sources SET title = 'changed'",
    "DELETE FROM sources",
    "DROP TABLE sources",
    "CREATE TABLE evil (x)",
    "ATTACH DATABASE '/tmp/evil.db' AS evil",
    "PRAGMA writable_schema = 1",
    "select 1; DELETE FROM sources",
]


@pytest.mark.parametrize("sql", WRITE_SQL)
def test_datasette_refuses_writes_in_sql(small_db, sql):
    before = db_all_rows(small_db)
    datasette = make_datasette(small_db)
    response = _get(datasette, f"/litgraph.json?sql={quote(sql)}")
    assert response.status_code in (400, 403), (sql, response.status_code, response.text[:200])
    assert db_all_rows(small_db) == before


@pytest.mark.parametrize("path, body", [
    ("/litgraph/sources/-/insert", {"row": {"id": "evil", "title": "evil"}}),
    ("/litgraph/sources/-/upsert", {"rows": [{"id": "src-1", "title": "changed"}]}),
    ("/litgraph/sources/src-1/-/update", {"update": {"title": "changed"}}),
    ("/litgraph/sources/src-1/-/delete", {}),
    ("/litgraph/sources/-/drop", {"confirm": True}),
    ("/litgraph/-/create", {"table": "evil", "row": {"x": 1}}),
    ("/litgraph/weak_evidence_claims", {}),
    ("/-/citation-graph.json", {}),
])
def test_datasette_refuses_write_requests(small_db, path, body):
    before = db_all_rows(small_db)
    datasette = make_datasette(small_db)
    response = _post(datasette, path, json=body)
    assert response.status_code in (400, 403, 404, 405), (path, response.status_code)
    assert db_all_rows(small_db) == before


def test_datasette_stops_a_runaway_query(small_db):
    datasette = make_datasette(small_db)
    runaway = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
               "SELECT count(*) FROM n")
    start = time.monotonic()
    response = _get(datasette, f"/litgraph.json?sql={quote(runaway)}")
    elapsed = time.monotonic() - start
    assert response.status_code == 400
    assert "interrupted" in response.text.lower() or "time limit" in response.text.lower()
    assert elapsed < 10, elapsed  # the limit is 1 s; 10 s leaves room for a slow machine


def test_datasette_caps_returned_rows(small_db):
    datasette = make_datasette(small_db)
    many = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 5000) "
            "SELECT x FROM n")
    response = _get(datasette, f"/litgraph.json?sql={quote(many)}&_shape=objects")
    assert response.status_code == 200
    data = response.json()
    assert len(data["rows"]) == 1000
    assert data["truncated"] is True


# ------------------------------------------------------------------ CLI SQL is parameterised

HOSTILE_KEY = "o'brien\"2010; DROP TABLE sources; --"


def test_source_key_with_quotes_and_semicolon_survives_the_cli(built_from_documents, tmp_path):
    from litgraph.store import open_db

    project = copy_built(built_from_documents, tmp_path / "project")
    references = project / "references.yaml"
    yaml = YAML()
    data = yaml.load(references.read_text(encoding="utf-8"))
    old_key = next(k for k, s in data["sources"].items() if s.get("pmid") == "20090506")
    position = list(data["sources"]).index(old_key)
    data["sources"].insert(position, HOSTILE_KEY, data["sources"].pop(old_key))
    for claim in (data.get("claims") or {}).values():
        if old_key in (claim.get("sources") or []):
            claim["sources"] = [HOSTILE_KEY if k == old_key else k for k in claim["sources"]]
    with open(references, "w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    resolved = run_in_process(["resolve", "-q", "--offline", "--db", "db/litgraph.db", "--references",
                             "references.yaml"], project)
    assert resolved.returncode == 0, resolved.stderr
    db = open_db(project / "db" / "litgraph.db")
    row = db["sources"].get(HOSTILE_KEY)
    assert row["pmid"] == "20090506" and row["status"] == "resolved"
    assert db["sources"].count > 1
    db.conn.close()
    claims = run_in_process(["claims", "--db", "db/litgraph.db", HOSTILE_KEY], project)
    assert claims.returncode == 0, claims.stderr
    assert "58.5" in claims.stdout
    assert "Traceback" not in claims.stderr
    db = open_db(project / "db" / "litgraph.db")
    assert db["sources"].exists() and db["sources"].count > 1
