"""The database's shape: the table set, primary and foreign keys, and ensure_db_shape on an
empty, a current and an older database."""

import sqlite3

import pytest
import sqlite_utils

from litgraph.store import FTS, INDEXES, TABLES, column_order, ensure_db_shape, open_db

# The tables the issues name as contracts (Datasette pages, canned queries and exports read them).
CONTRACT_TABLES = {"documents", "sources", "citations", "claims", "claim_sources",
                   "evidence_declarations", "nodes", "links", "metrics", "cocitations", "couplings",
                   "document_cohesion", "claim_alignments", "build_info"}


def schema(db) -> dict:
    """name -> CREATE statement of every table, index and trigger."""
    return {r[0]: r[1] for r in db.execute(
        "select name, sql from sqlite_master where sql is not null order by name").fetchall()}


def test_a_new_database_has_exactly_the_tables_of_the_schema(tmp_path):
    db = open_db(tmp_path / "litgraph.db")
    fts_tables = {t for t in db.table_names() if "_fts" in t}
    assert set(db.table_names()) - fts_tables == set(TABLES)
    assert CONTRACT_TABLES <= set(TABLES)
    # Full-text search on exactly the tables FTS names, and nothing else.
    assert {t for t in fts_tables if t.endswith("_fts")} == {f"{t}_fts" for t in FTS}
    for name, (columns, pk, _fks) in TABLES.items():
        table = db[name]
        assert list(table.columns_dict) == list(column_order(name)), name
        assert set(column_order(name)) == set(columns), name
        assert table.pks == ([pk] if isinstance(pk, str) else list(pk)), name


def test_the_sources_table_shows_key_facts_and_their_reasons_first(tmp_path):
    """What a reviewer reads first on the sources page, before the long and rare columns:
    the status and identity verdicts sit next to their reasons, not at the far right."""
    columns = list(open_db(tmp_path / "litgraph.db")["sources"].columns_dict)
    assert columns[:9] == ["id", "title", "year", "journal", "status", "evidence_level",
                           "identity", "status_reason", "identity_reason"]


def test_every_foreign_key_of_the_schema_is_declared(tmp_path):
    db = open_db(tmp_path / "litgraph.db")
    for name, (_columns, _pk, fks) in TABLES.items():
        declared = {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
        assert declared == set(fks), name
    # Every foreign key points at a table of the schema and at its primary key.
    for name, (_columns, _pk, fks) in TABLES.items():
        for _column, other_table, other_column in fks:
            assert other_table in TABLES
            assert db[other_table].pks == [other_column]


def test_every_index_of_the_schema_exists(tmp_path):
    db = open_db(tmp_path / "litgraph.db")
    for table, columns in INDEXES:
        assert columns in [index.columns for index in db[table].indexes], (table, columns)


def test_ensure_db_shape_twice_changes_nothing(tmp_path):
    db = open_db(tmp_path / "litgraph.db")
    before = schema(db)
    ensure_db_shape(db)
    assert schema(db) == before


def test_the_built_demo_keeps_every_foreign_key(built_demo):
    conn = sqlite3.connect(f"file:{built_demo.path / 'db' / 'litgraph.db'}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def older_database(path):
    """A database as an older litgraph left it, made by hand: fewer columns, no foreign keys,
    no indexes, no full-text search, no claim_alignments table, and rows a curator relies on."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE documents (id TEXT PRIMARY KEY, title TEXT, kind TEXT, path TEXT);
        CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT, pmid TEXT, status TEXT);
        CREATE TABLE claims (id TEXT PRIMARY KEY, document_id TEXT, text TEXT, line INTEGER);
        CREATE TABLE claim_sources (claim_id TEXT, source_id TEXT,
                                    PRIMARY KEY (claim_id, source_id));
        INSERT INTO documents VALUES ('doc-old', 'Synthetic older document', 'clinical-review',
                                      'documents/doc-old.txt');
        INSERT INTO sources VALUES ('old-2001', 'Synthetic older source', '900000001', 'resolved');
        INSERT INTO claims VALUES ('doc-old:1', 'doc-old', 'A synthetic older claim.', 4);
        INSERT INTO claim_sources VALUES ('doc-old:1', 'old-2001');
    """)
    conn.commit()
    conn.close()


def test_ensure_db_shape_brings_an_older_database_up_to_date_and_keeps_its_rows(tmp_path):
    path = tmp_path / "older.db"
    older_database(path)
    db = sqlite_utils.Database(path)
    ensure_db_shape(db)

    assert set(TABLES) <= set(db.table_names())
    for name, (columns, _pk, fks) in TABLES.items():
        assert set(columns) <= set(db[name].columns_dict), name
        declared = {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
        assert declared == set(fks), name
    # The old rows are all there, new columns empty.
    assert list(db["sources"].rows) == [dict(
        {column: None for column in TABLES["sources"][0]},
        id="old-2001", title="Synthetic older source", pmid="900000001", status="resolved")]
    assert db["claim_sources"].count == 1 and db["claims"].get("doc-old:1")["line"] == 4
    # Full-text search was added and holds the rows that were already there.
    assert [r["id"] for r in db["sources"].search("older")] == ["old-2001"]
    assert [r["id"] for r in db["claims"].search("synthetic")] == ["doc-old:1"]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # And a second pass finds nothing left to do.
    before = schema(db)
    ensure_db_shape(db)
    assert schema(db) == before


def test_save_graph_writes_each_row_by_column_name_and_replaces_the_last_graph(tmp_path):
    from litgraph.store import GRAPH_TABLES, save_graph

    db = open_db(tmp_path / "g.db")
    # Dict rows in any key order (a missing column stored NULL); tuple rows in TABLES' order.
    save_graph(db,
               nodes=[{"kind": "source", "id": "a", "year": 2001},
                      ("b", "external", "B", None, "900000002", None, None, 1)],
               links=iter([("a", "b", "document"), ("b", "a", "elink-refs")]),
               metrics=[{"pagerank": 0.5, "node_id": "a", "engine": "networkx"}],
               cocitations=[{"source_b": "b", "source_a": "a", "count": 2}],
               couplings=[("a", "b", 1)],
               cohesion=[{"document_id": "d", "sources": 2, "citing_pairs": 1, "density": 0.5}])
    assert [tuple(r) for r in db.execute("select * from nodes order by id").fetchall()] == [
        ("a", "source", None, 2001, None, None, None, None),
        ("b", "external", "B", None, "900000002", None, None, 1)]
    assert db.execute("select node_id, pagerank, engine, kind from metrics").fetchall() == [
        ("a", 0.5, "networkx", None)]
    assert db.execute("select * from cocitations").fetchall() == [("a", "b", 2)]
    save_graph(db, [{"id": "c", "kind": "document"}], [])
    assert {t: db.execute(f"select count(*) from [{t}]").fetchone()[0] for t in GRAPH_TABLES} == {
        "nodes": 1, "links": 0, "metrics": 0, "cocitations": 0, "couplings": 0,
        "document_cohesion": 0}


def test_save_graph_rebuilds_the_indexes_it_drops_and_a_failed_write_changes_nothing(tmp_path):
    """The graph's secondary indexes are dropped for the write and built again over the new
    rows; a write that fails half-way leaves the old graph, its indexes and the cache size."""
    from litgraph.store import save_graph

    db = open_db(tmp_path / "g.db")
    ensure_db_shape(db)
    before = schema(db)
    cache_size = db.execute("pragma cache_size").fetchone()[0]
    save_graph(db, [{"id": "a", "kind": "source"}, {"id": "b", "kind": "source"}],
               [("a", "b", "document")])
    assert schema(db) == before
    plan = " ".join(str(r) for r in db.execute(
        "explain query plan select citing_id from links where cited_id = 'b'").fetchall())
    assert "idx_links_cited_id" in plan

    def broken_links():
        yield ("b", "a", "document")
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        save_graph(db, [{"id": "z", "kind": "source"}], broken_links())
    assert db.execute("select citing_id, cited_id from links").fetchall() == [("a", "b")]
    assert [r[0] for r in db.execute("select id from nodes order by id")] == ["a", "b"]
    assert schema(db) == before
    assert db.execute("pragma cache_size").fetchone()[0] == cache_size


def test_read_commands_open_the_database_read_only_and_never_shape_it(tmp_path, monkeypatch):
    """status, check, claims, sources and export read through a connection that refuses
    writes (SQLite's mode=ro, so it holds for root too), and never through open_db or
    ensure_db_shape, which write."""
    from click.testing import CliRunner
    from publish_data import make_publish_db

    import litgraph.store as store
    from litgraph.cli import cli

    path = make_publish_db(tmp_path / "litgraph.db")
    opened = []

    def recording_open_existing_db(db_path, _open=store.open_existing_db):
        opened.append(_open(db_path))
        return opened[-1]

    def refuse(*args, **kwargs):
        raise AssertionError("a read command asked for a writable database")

    monkeypatch.setattr(store, "open_existing_db", recording_open_existing_db)
    monkeypatch.setattr(store, "open_db", refuse)
    monkeypatch.setattr(store, "ensure_db_shape", refuse)
    commands = (["status"], ["check", "--references", str(tmp_path / "none.yaml")],
                ["claims", "--source", "beardo2013"], ["sources", "--claim", "leiomyosarcoma"],
                ["export", "--format", "gexf"])
    for args in commands:
        result = CliRunner().invoke(cli, [*args, "--db", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (args, result.output)
    assert len(opened) == len(commands)
    for db in opened:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("insert into build_info (key, value) values ('x', 'y')")


def test_datasette_serves_the_database_immutable(tmp_path):
    from publish_data import make_publish_db

    from litgraph.publish import DATABASE_NAME, make_datasette

    datasette = make_datasette(make_publish_db(tmp_path / "litgraph.db"))
    database = datasette.get_database(DATABASE_NAME)
    assert not database.is_mutable
    conn = database.connect()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("insert into build_info (key, value) values ('x', 'y')")
    conn.close()


def test_a_database_of_this_shape_is_opened_without_asking_sqlite_anything_more(tmp_path, monkeypatch):
    """ensure_db_shape stamps SQLite's user_version with the shape's fingerprint; a database
    that carries it is not inspected again, one that does not (older, or changed by hand
    after a litgraph of another shape) is brought up to date and stamped."""
    import litgraph.store as store

    db = open_db(tmp_path / "a.db")
    assert db.execute("pragma user_version").fetchone()[0] == store.schema_fingerprint()
    db.execute("drop index idx_links_cited_id")
    ensure_db_shape(db)  # same fingerprint: trusted, nothing asked
    assert "idx_links_cited_id" not in {i.name for i in db["links"].indexes}
    db.execute("pragma user_version = 0")  # as an older litgraph left it
    ensure_db_shape(db)
    assert "idx_links_cited_id" in {i.name for i in db["links"].indexes}
    assert db.execute("pragma user_version").fetchone()[0] == store.schema_fingerprint()

    before = store.schema_fingerprint()
    monkeypatch.setitem(store.TABLES, "links", (
        {**store.TABLES["links"][0], "weight": int}, *store.TABLES["links"][1:]))
    assert store.schema_fingerprint() != before
    ensure_db_shape(db)  # a new column in TABLES: the stamp differs, the column is added
    assert "weight" in db["links"].columns_dict
