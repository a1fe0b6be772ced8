"""Hostile input (issue 16): nothing litgraph reads or receives can hang it, lose a curator's
edit, replace a file it should not, or publish a wrong answer as fact.

Each test here failed before its fix.  Most run in-process (CliRunner, library calls); the
ones that hung or crashed the process before run litgraph as a subprocess with a timeout.
"""

import errno
import io
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph import references as references_module
from litgraph.cli import cli
from litgraph.errors import DocumentError, ReferencesFileError
from litgraph.evidence import load_level_map
from litgraph.references import read_reference_set, update_from_documents
from reliability_helpers import DOCUMENTS, assert_one_line_error, run_litgraph

ONE_DOCUMENT = "004_0ac93ed9c6525e3e"
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # the shortest seed document: quick to extract

# 458 bytes that expand to 9**9 strings when every alias is followed.
BILLION_LAUGHS = """\
documents: {}
sources:
  lol-2000:
    title: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    note: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    journal: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    volume: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    issue: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    pages: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    kind: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    cited_as: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


@pytest.fixture
def one_document(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    shutil.copy(DOCUMENTS / f"{ONE_DOCUMENT}.txt", folder)
    return folder


def one_line(message: str, *names):
    assert "\n" not in message and len(message) < 400, message
    for name in names:
        assert name in message, (name, message)


# ---------------------------------------------------------------- YAML aliases ("billion laughs")

def test_billion_laughs_references_yaml_is_refused_at_once(tmp_path, one_document):
    (tmp_path / "references.yaml").write_text(BILLION_LAUGHS)
    proc = run_litgraph(["extract", "--references", "references.yaml", "documents"], tmp_path,
                        timeout=60)
    line = assert_one_line_error(proc, "references.yaml", "line 5", "alias")
    assert "*a" in line
    assert (tmp_path / "references.yaml").read_text() == BILLION_LAUGHS


def test_any_alias_in_references_yaml_is_refused(tmp_path):
    path = tmp_path / "references.yaml"
    path.write_text("sources:\n  a-2000:\n    title: &t A title\n  b-2001:\n    title: *t\n")
    with pytest.raises(ReferencesFileError) as caught:
        read_reference_set(path)
    one_line(str(caught.value), str(path), "line 5", "*t")


def test_alias_in_evidence_levels_file_is_refused(tmp_path):
    path = tmp_path / "evidence-levels.yaml"
    path.write_text("publication_types:\n  Meta-Analysis: &one 1\n  Review: *one\n")
    with pytest.raises(ReferencesFileError) as caught:
        load_level_map(path)
    one_line(str(caught.value), str(path), "line 3", "alias")


def test_litgraph_never_writes_an_alias(tmp_path, one_document):
    """Two entries holding the same object would be dumped as an anchor and an alias."""
    references = tmp_path / "references.yaml"
    update_from_documents([one_document], references)
    data = references_module._load_raw(references)
    shared = ["Shared", "Author"]
    keys = list(data["sources"])[:2]
    for key in keys:
        data["sources"][key]["authors"] = shared
    references_module.write_atomically(references, references_module._dump(data))
    assert "&id" not in references.read_text()
    read_reference_set(references)  # and so it reads back


# ---------------------------------------------------------------- wrong types, one line each

@pytest.mark.parametrize("case, text, named", [
    ("line: abc", "sources:\n  a-2000:\n    seen:\n    - {document: d, line: abc}\n",
     ["line 4", "a-2000", "line must be a whole number"]),
    ("line: .inf", "sources:\n  a-2000:\n    seen:\n    - {document: d, line: .inf}\n",
     ["line 4", "a-2000", "inf"]),
    ("line: [1]", "sources:\n  a-2000:\n    seen:\n    - {document: d, line: [1]}\n",
     ["line 4", "a-2000", "a list"]),
    ("claim line: abc", "claims:\n  d:1:\n    text: t\n    line: abc\n",
     ["line 4", "d:1", "line must be a whole number"]),
    ("declared level line", "sources:\n  a-2000:\n    declared_levels:\n"
     "    - {level: 2, document: d, line: 1e999}\n", ["line 4", "a-2000"]),
    ("year 10^23", "sources:\n  a-2000:\n    year: 100000000000000000000000\n",
     ["line 3", "a-2000", "year must be a whole number 1..9999"]),
    ("10,000-deep list", "sources:\n  a-2000:\n    title: " + "[" * 10000 + "]" * 10000 + "\n",
     ["line 3", "nested more than"]),
    ("duplicate top-level key", "sources:\n  a-2000:\n    note: " + "x" * 40000
     + "\nsources:\n  b-2001: {}\n", ["line 4", "duplicate key 'sources'"]),
])
def test_wrong_types_in_references_yaml_name_the_key_and_line(tmp_path, case, text, named):
    path = tmp_path / "references.yaml"
    path.write_text(text)
    with pytest.raises(ReferencesFileError) as caught:
        read_reference_set(path)
    one_line(str(caught.value), str(path), *named)


def test_wrong_type_in_references_yaml_through_the_cli(tmp_path, one_document):
    (tmp_path / "references.yaml").write_text("sources:\n  a-2000:\n    year: " + "9" * 23 + "\n")
    result = CliRunner().invoke(cli, ["extract", "--references",
                                      str(tmp_path / "references.yaml"), str(one_document)])
    assert_one_line_error(result, "references.yaml", "line 3", "year")


# ---------------------------------------------------------------- a curator's save meanwhile

def test_curator_save_during_extract_is_never_overwritten(tmp_path, one_document, monkeypatch):
    references = tmp_path / "references.yaml"
    update_from_documents([one_document], references)
    shutil.copy(DOCUMENTS / "003_84a12a3a6530e696.txt", one_document)  # extract will change it
    original = references_module.extracting
    curator = references.read_text() + "# saved by a curator while extract ran\n"

    @contextmanager
    def extract_while_curator_saves(paths, boilerplate=None, cache=None):
        with original(paths, boilerplate, cache=cache) as results:
            def and_the_curator_saves():
                done = results()
                references.write_text(curator)
                return done
            yield and_the_curator_saves

    monkeypatch.setattr(references_module, "extracting", extract_while_curator_saves)
    with pytest.raises(ReferencesFileError) as caught:
        update_from_documents([one_document], references)
    one_line(str(caught.value), str(references), "references.yaml.litgraph-new", "again")
    assert references.read_text() == curator
    ours = (tmp_path / "references.yaml.litgraph-new").read_text()
    assert "003_84a12a3a6530e696" in ours and "saved by a curator" not in ours


def test_curator_save_during_resolve_write_back_is_kept(tmp_path, one_document, monkeypatch):
    from litgraph.model import Resolution

    references = tmp_path / "references.yaml"
    update_from_documents([one_document], references)
    key = next(s.key for s in read_reference_set(references).sources if not s.pmid)
    curator = references.read_text() + "# a curator's save\n"
    from litgraph.references import yamlio
    replace = yamlio.replace_text_file

    def replace_while_curator_saves(*args, **kwargs):  # saved after litgraph read the file
        references.write_text(curator)
        return replace(*args, **kwargs)

    monkeypatch.setattr(yamlio, "replace_text_file", replace_while_curator_saves)

    class Record:
        pmid, doi, pmcid = "989999901", None, None

    with pytest.raises(ReferencesFileError, match="litgraph-new"):
        references_module.record_resolutions(
            references, [Resolution(key=key, status="resolved", record=Record(),
                                    resolved_by="test")])
    assert references.read_text() == curator
    assert "989999901" in (tmp_path / "references.yaml.litgraph-new").read_text()


def test_symlinked_references_yaml_is_written_through(tmp_path, one_document):
    target = tmp_path / "curation" / "refs.yaml"
    target.parent.mkdir()
    target.write_text("documents: {}\n")
    link = tmp_path / "references.yaml"
    link.symlink_to(target)
    update_from_documents([one_document], link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert ONE_DOCUMENT in target.read_text()
    assert sorted(p.name for p in target.parent.iterdir()) == ["refs.yaml"]


def test_full_disk_while_writing_references_names_the_file(tmp_path, one_document, monkeypatch):
    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(references_module.os, "fsync", full)
    references = tmp_path / "references.yaml"
    result = CliRunner().invoke(cli, ["extract", "--references", str(references),
                                      str(one_document)])
    assert_one_line_error(result, str(references), "No space left on device")
    assert not references.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# ---------------------------------------------------------------- document names

def test_document_name_that_is_not_utf8_is_refused_by_name(tmp_path, one_document):
    bad = os.fsdecode(bytes(one_document) + b"/caf\xe9.txt")
    Path(bad).write_text("A note.\n")
    references = tmp_path / "references.yaml"
    with pytest.raises(DocumentError) as caught:
        update_from_documents([one_document], references)
    one_line(str(caught.value), "caf\\xe9.txt", "not valid UTF-8")
    assert not references.exists()


# ---------------------------------------------------------------- the published site

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import asyncio

    from litgraph.publish import make_datasette
    from publish_data import make_publish_db

    db_path = make_publish_db(tmp_path_factory.mktemp("hostile-site") / "litgraph.db")
    datasette = make_datasette(db_path)
    asyncio.run(datasette.invoke_startup())
    return datasette, db_path


def get(datasette, path):
    import asyncio

    async def fetch():
        return await datasette.client.get(path)
    return asyncio.run(fetch())


def sql_json(datasette, sql, shape=""):
    from urllib.parse import quote

    return get(datasette, f"/litgraph.json?sql={quote(sql)}{shape}")


@pytest.mark.parametrize("sql, error", [
    ("select length(printf('%.*c', 900000000, 'x'))", "string or blob too big"),
    ("select length(format('%900000000d', 1))", "string or blob too big"),
    ("select length(printf('%s %.*c', 'a', '900000000', 'x'))", "string or blob too big"),
    ("select length(randomblob(900000000))", "string or blob too big"),
    ("select length(zeroblob(900000000))", "string or blob too big"),
    ("select length(group_concat(hex(zeroblob(40000)))) from (select 1 union all select 2)",
     "string or blob too big"),
    ("select length(replace(hex(zeroblob(40000)), '0', hex(zeroblob(40000))))",
     "string or blob too big"),
])
def test_expensive_sql_is_refused_by_the_site(site, sql, error):
    datasette, _ = site
    answer = sql_json(datasette, sql)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["ok"] is False and answer.json()["error"] == error


def test_quadratic_string_functions_stay_correct_and_linear(site):
    """instr/replace/trim are replaced by linear versions: same answers as SQLite's own."""
    import sqlite3

    datasette, _ = site
    sql = ("select instr('abcabc', 'ca') as a, instr(x'010203', x'03') as b, instr(12345, 34) as c,"
           " replace('aXbXc', 'X', '--') as d, replace('abc', '', 'z') as e,"
           " trim('xxhixx', 'x') as f, ltrim('xyhi', 'yx') as g, rtrim('hi  ', ' ') as h,"
           " trim(' a ') as i, instr(null, 'a') as j, printf('%5.2f|%-4s|%%|%d', 3.14159, 'ab', 7)"
           " as l, format('%.*c', 3, 'x') as m, length(instr(replace(hex(zeroblob(49990)),"
           " '0', 'x'), replace(hex(zeroblob(24990)), '0', 'x') || 'y')) as k")
    answer = sql_json(datasette, sql, "&_shape=array")
    assert answer.status_code == 200, answer.text[:300]
    oracle = sqlite3.connect(":memory:")
    oracle.row_factory = sqlite3.Row
    assert answer.json() == [dict(oracle.execute(sql).fetchone())]


def test_custom_sql_beyond_the_limit_in_flight_gets_429(site):
    import asyncio

    from litgraph.plugin import asgi_wrapper

    datasette, _ = site
    release = asyncio.Event()
    started = []

    async def slow_app(scope, receive, send):
        started.append(scope["query_string"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = asgi_wrapper(datasette)(slow_app)
    limit = datasette.plugin_config("litgraph")["max_custom_sql"]

    async def request(query):
        sent = []

        async def send(message):
            sent.append(message)
        scope = {"type": "http", "method": "GET", "path": "/litgraph", "query_string": query}
        await app(scope, None, send)
        return sent[0]["status"]

    async def scenario():
        running = [asyncio.ensure_future(request(b"sql=select+1")) for _ in range(limit)]
        await asyncio.sleep(0.05)
        refused = await request(b"sql=select+2")
        page = asyncio.ensure_future(request(b"_sort=id"))  # not custom SQL: never refused
        await asyncio.sleep(0.05)
        release.set()
        return refused, [await r for r in running], await page

    refused, served, page = asyncio.run(scenario())
    assert (refused, served, page) == (429, [200] * limit, 200)


@pytest.mark.parametrize("path", ["/litgraph/sources?_sort=nonexistent",
                                  "/litgraph/claims.json?_sort_desc=nonexistent"])
def test_sort_by_a_missing_column_is_a_400(site, path):
    datasette, _ = site
    answer = get(datasette, path)
    assert answer.status_code == 400
    assert "Cannot sort table by nonexistent" in answer.text


def test_databases_json_does_not_show_the_database_path(site):
    datasette, db_path = site
    for path in ("/-/databases.json", "/-/databases"):
        answer = get(datasette, path)
        assert answer.status_code == 200
        assert str(db_path.parent) not in answer.text
        assert [d["name"] for d in answer.json()] == ["litgraph"]
        assert "path" not in answer.json()[0]


def test_build_into_the_database_being_served_is_refused(tmp_path, one_document):
    from litgraph.store import serve_lock

    db_path = tmp_path / "db" / "litgraph.db"
    db_path.parent.mkdir()
    with serve_lock(db_path):
        result = CliRunner().invoke(cli, ["build", "-q", "--offline", "--db", str(db_path),
                                          "--references", str(tmp_path / "references.yaml"),
                                          str(one_document)])
    assert_one_line_error(result, str(db_path), "being served", "litgraph serve")
    assert not db_path.exists() and not (tmp_path / "references.yaml").exists()


# ---------------------------------------------------------------- read-only commands

@pytest.fixture
def foreign_db(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table papers (id text primary key, title text)")
    conn.commit()
    conn.close()
    return path


def _schema(path):
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(r[0] for r in conn.execute("select name from sqlite_master"))
    finally:
        conn.close()


@pytest.mark.parametrize("args", [["status"], ["check"], ["claims", "--source", "912345678"],
                                  ["sources", "--claim", "anything"],
                                  ["export", "--format", "json"]])
@pytest.mark.parametrize("kind", ["foreign", "empty"])
def test_read_only_commands_refuse_a_database_that_is_not_litgraphs(tmp_path, foreign_db, args,
                                                                    kind):
    path = foreign_db if kind == "foreign" else tmp_path / "empty.db"
    if kind == "empty":
        path.write_bytes(b"")
    before, schema = path.read_bytes(), _schema(path)
    result = CliRunner().invoke(cli, [*args, "--db", str(path)])
    assert_one_line_error(result, str(path), "not a litgraph database")
    assert path.read_bytes() == before and _schema(path) == schema


def test_read_only_commands_never_write_the_database(tmp_path):
    """status, check, claims, sources and export open the file read-only (a chmod-proof check:
    the database's bytes and modification time stay as they were)."""
    import sqlite3

    from publish_data import make_publish_db

    path = make_publish_db(tmp_path / "litgraph.db")
    conn = sqlite3.connect(path)  # as a database made by an older litgraph: one index short
    conn.execute("drop index idx_sources_year")
    conn.commit()
    conn.close()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    runner = CliRunner()
    for args in (["status"], ["check", "--references", str(tmp_path / "none.yaml")],
                 ["claims", "--source", "beardo2013"], ["sources", "--claim", "leiomyosarcoma"],
                 ["export", "--format", "gexf"]):
        result = runner.invoke(cli, [*args, "--db", str(path)])
        assert "Error" not in result.output, (args, result.output)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["litgraph.db"]


# ---------------------------------------------------------------- export --output

@pytest.fixture
def graph_db(tmp_path):
    from publish_data import make_publish_db

    return make_publish_db(tmp_path / "db" / "litgraph.db")


def export_to(db_path, output, fmt="graphml", cwd=None):
    """``litgraph export`` run in ``cwd`` (the database's project folder by default)."""
    old = os.getcwd()
    os.chdir(cwd or Path(db_path).parent.parent)
    try:
        return CliRunner().invoke(cli, ["export", "--db", str(db_path), "--format", fmt,
                                        "--output", str(output)])
    finally:
        os.chdir(old)


def test_export_streams_to_a_fifo_instead_of_replacing_it(tmp_path, graph_db):
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = export_to(graph_db, fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].startswith(b"<graphml")


def _character_device(path, major, minor):
    """A private copy of a device node (1,3 is null, 1,7 full): a broken export replaces
    this one, never the system's /dev/null.  Skips where device nodes cannot be made."""
    import stat

    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


def test_export_writes_to_a_character_device_without_replacing_it(tmp_path, graph_db):
    import stat

    null = _character_device(tmp_path / "null", 1, 3)
    result = export_to(graph_db, null)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(null.lstat().st_mode)
    full = _character_device(tmp_path / "full", 1, 7)  # a device that is always full
    result = export_to(graph_db, full)
    assert_one_line_error(result, str(full), "No space left on device")
    assert stat.S_ISCHR(full.lstat().st_mode)


def test_export_refuses_the_projects_own_inputs(tmp_path, graph_db):
    project = graph_db.parent.parent
    (project / "references.yaml").write_text("documents: {}\n")
    (project / "documents").mkdir()
    (project / "documents" / "a.txt").write_text("A document.\n")
    for output in ("db/litgraph.db", "references.yaml", "documents/a.txt", "documents/new.xml",
                   "db/http-cache.sqlite"):
        before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
        result = export_to("db/litgraph.db", output, cwd=project)
        assert_one_line_error(result, output, "project's own inputs")
        assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_export_through_a_symlink_replaces_its_target(tmp_path, graph_db):
    target = tmp_path / "out" / "graph.graphml"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "graph.graphml"
    link.symlink_to(target)
    result = export_to(graph_db, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text().startswith("<graphml")


# ---------------------------------------------------------------- what reports and exports show

@pytest.fixture
def hostile_db(tmp_path):
    import sqlite3

    from publish_data import make_publish_db

    path = make_publish_db(tmp_path / "db" / "litgraph.db")
    conn = sqlite3.connect(path)
    conn.execute("update nodes set title = 'Bad\x01title\x0b with \x1f controls' "
                 "where id = (select min(id) from nodes)")
    conn.execute("update sources set title = '<img src=x onerror=alert(1)> [see](javascript:"
                 "alert(1)) `code`' where id = 'beardo2013'")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_export_with_control_characters_is_valid_xml(hostile_db, fmt):
    import xml.etree.ElementTree as ET

    import networkx as nx

    from litgraph.export import export, open_existing_db

    out = io.StringIO()
    export(open_existing_db(hostile_db), fmt, out)
    ET.fromstring(out.getvalue())  # well-formed XML
    G = (nx.parse_graphml if fmt == "graphml" else nx.read_gexf)(
        out.getvalue() if fmt == "graphml" else io.BytesIO(out.getvalue().encode()))
    titles = [a.get("title") or a.get("label") for _, a in G.nodes(data=True)]
    assert any(t.startswith("Bad\ufffdtitle") for t in titles), titles
    assert not any(NOT_XML_CHARS.search(t) for t in titles if t)


def test_sources_markdown_shows_links_and_html_as_text(hostile_db):
    from markdown_it import MarkdownIt

    result = CliRunner().invoke(cli, ["sources", "--db", str(hostile_db), "--markdown",
                                      "--claim", "complete surgical excision"])
    assert result.exit_code == 0, result.output
    assert "beardo2013" in result.output
    html = MarkdownIt("commonmark").enable("table").render(result.output)
    assert "<img" not in html and "<a " not in html and "<code>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "javascript:" in html


@pytest.mark.parametrize("query", ["a" * 120_000, "100%", "under_score", "%"])
def test_sources_with_any_query_text_answers_in_one_line(hostile_db, query):
    result = CliRunner().invoke(cli, ["sources", "--db", str(hostile_db), "--claim", query])
    if query == "%":  # claims holding a literal percent sign, not every claim
        assert result.exit_code == 0, result.output
        assert all("%" in line for line in result.output.splitlines()[2:] if line.startswith("0"))
    else:
        assert_one_line_error(result, "no claim matches")
