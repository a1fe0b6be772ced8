"""The SQLite database: its shape, and one ``save_*`` function per entity.

``ensure_db_shape(db)`` creates every table, column, index, foreign key and
full-text index idempotently from the TABLES constant below; it is safe to
call on every run.  Writes go through ``save_*`` functions inside
``db.atomic()`` transactions so that a crash loses at most the batch in flight;
those of the reference set and its resolution are in ``store.sources``.
"""

import json
import os
import sqlite3
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from filelock import FileLock, Timeout

from ..errors import BuildLockedError, DatabaseError

# table -> (columns, primary key, foreign keys).  Column order is the order a
# reviewer sees in Datasette, so the columns people read first come first.
TABLES = {
    "documents": (
        {"id": str, "title": str, "kind": str, "path": str, "source_id": str, "restates": str,
         "sha256": str},
        "id",
        [("source_id", "sources", "id"), ("restates", "documents", "id")],
    ),
    "sources": (
        {"id": str, "title": str, "authors": str, "journal": str, "year": int, "volume": str,
         "issue": str, "pages": str, "pmid": str, "doi": str, "pmcid": str,
         "publication_types": str, "evidence_level": int, "evidence_basis": str,
         "declared_level": int, "inferred_level": int, "level_disagreement": int,
         "status": str, "status_reason": str, "resolved_by": str,
         "identity": str, "identity_reason": str, "retracted": int,
         "errata": str, "cited_as": str, "kind": str, "excluded": int, "stale": int, "note": str,
         "fetched_at": str, "failure": str},
        "id",
        [],
    ),
    "citations": (
        {"document_id": str, "source_id": str, "label": str, "line": int, "raw": str},
        ("document_id", "source_id", "line"),
        [("document_id", "documents", "id"), ("source_id", "sources", "id")],
    ),
    "claims": (
        {"id": str, "document_id": str, "section": str, "text": str, "line": int,
         "evidence_level": int, "markers_without_entry": str},
        "id",
        [("document_id", "documents", "id")],
    ),
    "claim_sources": (
        {"claim_id": str, "source_id": str},
        ("claim_id", "source_id"),
        [("claim_id", "claims", "id"), ("source_id", "sources", "id")],
    ),
    "evidence_declarations": (
        {"source_id": str, "document_id": str, "line": int, "level": int, "label": str,
         "scheme": str},
        ("source_id", "document_id", "line"),
        [("source_id", "sources", "id"), ("document_id", "documents", "id")],
    ),
    # The citation graph.  A node is a source, a document that is not itself a
    # publication, or an external work reached through E-utilities links.
    "nodes": (
        {"id": str, "kind": str, "title": str, "year": int, "pmid": str, "doi": str,
         "evidence_level": int, "synthetic": int},
        "id",
        [],
    ),
    "links": (
        {"citing_id": str, "cited_id": str, "origin": str},
        ("citing_id", "cited_id", "origin"),
        [],
    ),
    "metrics": (
        {"node_id": str, "kind": str, "in_degree": int, "out_degree": int,
         "in_degree_set": int, "out_degree_set": int, "pagerank": float,
         "betweenness": float, "betweenness_method": str, "component": int, "engine": str},
        "node_id",
        [],
    ),
    # Pairs of nodes (top pairs only, see litgraph.graph.metrics) and, per
    # document, how many of its sources cite one another.
    "cocitations": (
        {"source_a": str, "source_b": str, "count": int},
        ("source_a", "source_b"),
        [],
    ),
    "couplings": (
        {"source_a": str, "source_b": str, "strength": int},
        ("source_a", "source_b"),
        [],
    ),
    "document_cohesion": (
        {"document_id": str, "sources": int, "citing_pairs": int, "density": float},
        "document_id",
        [],
    ),
    # Restatements (issue #9, litgraph.align.storage): each sentence of a rewrite
    # and the source sentences it restates, rank 1 the best.  matched_claim_id
    # is NULL when nothing matches or the matched sentence cites nothing and so
    # is not a stored claim; matched_text names it either way.
    "claim_alignments": (
        {"claim_id": str, "rank": int, "matched_claim_id": str, "score": float, "status": str,
         "sentence_status": str, "explanation": str, "matched_text": str, "matched_line": int,
         "sources": str,
         # the restating claim's document and line, copied so that the issues list
         # reads in document order from an index instead of sorting every row
         "document_id": str, "line": int},
        ("claim_id", "rank"),
        [("claim_id", "claims", "id"), ("matched_claim_id", "claims", "id")],
    ),
    "build_info": (
        {"key": str, "value": str},
        "key",
        [],
    ),
}

# What the graph stage reads of the tables a build fills (``graph_rows``, which
# graph.links.read_reference_graph reads): the graph is a function of them, the E-utilities
# replies, the options and the code, so a build skips it when they hash as before
# (pipeline.graph_inputs_stamp).  A document's text, a citation's line or a source's
# journal changes no node or link; a citation's label counts for the way it points alone.
GRAPH_COLUMNS = {
    "sources": ("id", "title", "year", "pmid", "doi", "evidence_level", "status", "identity",
                "excluded", "stale"),
    "documents": ("id", "title", "source_id"),
    "citations": ("document_id", "source_id", "label"),
}


def graph_rows(db, table: str) -> list:
    """The distinct rows of ``GRAPH_COLUMNS[table]`` (dicts), in the order of those columns;
    a citation's ``label`` given as its ``direction`` (``model.citation_direction``)."""
    from ..model import citation_direction

    names = ", ".join(f"[{c}]" for c in GRAPH_COLUMNS[table])
    rows = db.query(f"select distinct {names} from [{table}] order by {names}")
    if table != "citations":
        return list(rows)
    pointed = {(r["document_id"], r["source_id"], citation_direction(r["label"])) for r in rows}
    return [{"document_id": document, "source_id": source, "direction": direction}
            for document, source, direction in sorted(pointed)]


# Columns a reviewer reads first, in this order, before the rest of TABLES' order
# (a column not in the table is skipped, so a stage may add it later).
FIRST_COLUMNS = {
    # key facts first, then the two reasons that explain status and identity
    "sources": ("id", "title", "year", "journal", "status", "evidence_level", "identity",
                "status_reason", "identity_reason"),
}


def column_order(name: str) -> dict:
    """The columns of table ``name`` in the order it is created with (FIRST_COLUMNS first)."""
    columns = TABLES[name][0]
    first = [c for c in FIRST_COLUMNS.get(name, ()) if c in columns]
    return {**{c: columns[c] for c in first}, **{c: k for c, k in columns.items() if c not in first}}


INDEXES = [
    ("sources", ["pmid"]),
    ("sources", ["doi"]),
    ("sources", ["status"]),
    ("sources", ["identity"]),  # the identity facet and identity_mismatches
    ("sources", ["status", "id"]),  # covering: unresolved_references lists by status, then key
    ("citations", ["source_id"]),
    ("claims", ["document_id"]),
    ("claim_sources", ["source_id"]),
    ("links", ["cited_id"]),
    # publish: Datasette facets, canned queries and the graph route (issue #6)
    ("sources", ["evidence_level"]),
    ("sources", ["evidence_basis"]),
    ("sources", ["year"]),
    ("sources", ["journal"]),
    ("claims", ["section"]),
    ("claims", ["evidence_level"]),
    ("claims", ["document_id", "line"]),
    ("metrics", ["kind", "in_degree_set", "pagerank"]),
    ("metrics", ["pagerank"]),
    ("nodes", ["kind", "id"]),
    ("claim_alignments", ["sentence_status"]),
    ("claim_alignments", ["matched_claim_id"]),
    ("claim_alignments", ["rank", "document_id", "line"]),
]

FTS = {
    "sources": ["title", "journal", "authors"],
    "claims": ["text", "section"],
}


def open_db(path) -> sqlite_utils.Database:
    """Open (creating its folder) the database at ``path`` and make sure of its shape."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout = 30000")
        ensure_db_shape(db)
    except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
        raise DatabaseError(f"cannot open database {path}: {exc}") from exc
    return db


# The tables every litgraph database holds (ensure_db_shape makes them all on the first
# write); a file without them is someone else's database.
LITGRAPH_TABLES = ("documents", "sources", "citations", "claims", "claim_sources", "build_info")


def open_existing_db(path) -> sqlite_utils.Database:
    """Open a database a build made, read-only, for the commands that only read.

    Nothing is created or changed: a missing file is an InputError (never a
    new empty database), and a file that is not SQLite or holds no litgraph
    tables (another program's database, an empty file) is refused with one
    line, never given litgraph's tables.
    """
    from urllib.parse import quote

    from ..errors import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"database {path} not found: build it first (litgraph build) or pass --db")
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        conn.execute("PRAGMA busy_timeout = 30000")
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot read database {path}: {exc}") from None
    missing = [t for t in LITGRAPH_TABLES if t not in tables]
    if missing:
        conn.close()
        raise InputError(f"{path} is not a litgraph database (no table {', '.join(missing)}): "
                         "build one with `litgraph build` or pass --db")
    return sqlite_utils.Database(conn)


def _creation_order() -> list:
    """TABLES' names, each after the tables its foreign keys name."""
    order = []
    while len(order) < len(TABLES):
        ready = [name for name, (_c, _pk, fks) in TABLES.items() if name not in order
                 and all(other in order or other == name for _col, other, _oc in fks)]
        if not ready:
            raise ValueError("TABLES' foreign keys form a cycle")
        order.extend(ready)
    return order


def schema_fingerprint() -> int:
    """A number that changes whenever TABLES, INDEXES, FTS or the finding views change.

    ensure_db_shape stores it as SQLite's ``user_version``; a database that carries it
    already has this shape, and opening it asks SQLite nothing more.
    """
    from ..findings import VIEWS, view_sql

    shape = repr(([(n, list(c.items()), pk, fks) for n, (c, pk, fks) in TABLES.items()],
                  INDEXES, FTS, FIRST_COLUMNS, [view_sql(v) for v in VIEWS]))
    return zlib.crc32(shape.replace("<class ", "").encode("utf-8")) & 0x7FFFFFFF or 1


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create every table, missing column, index and full-text index. Idempotent."""
    fingerprint = schema_fingerprint()
    if db.execute("pragma user_version").fetchone()[0] == fingerprint:
        return  # made by this very shape: nothing to add
    from ..findings import ensure_views

    with db.atomic():  # one commit for the tables, columns and indexes, not one per statement
        for name in _creation_order():
            columns, pk, fks = TABLES[name]
            table = db[name]
            if not table.exists():  # keys given at creation: adding them later rewrites the table
                table.create(column_order(name), pk=pk, foreign_keys=fks)
            else:
                have = set(table.columns_dict)
                for column, kind in columns.items():
                    if column not in have:
                        table.add_column(column, kind)
        for table, columns in INDEXES:
            db[table].create_index(columns, if_not_exists=True)
    for name, (_columns, _pk, fks) in TABLES.items():  # an older database's missing keys
        existing = {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
        missing = [fk for fk in fks if fk not in existing]
        if missing:
            db.add_foreign_keys([(name, *fk) for fk in missing])
    for table, columns in FTS.items():  # enable_fts runs a script, which commits on its own
        if not db[table].detect_fts():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    with db.atomic():
        ensure_views(db)  # the findings the web and `litgraph check` share
    db.execute(f"pragma user_version = {int(fingerprint)}")


def as_json(value):
    """Store a list as JSON text (None stays None) so Datasette shows it as a list."""
    if value is None:
        return None
    return json.dumps(list(value), ensure_ascii=False)


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def stored_time(text):
    """A time as the database stores it (``now_utc``, a reply's ``fetched_at``), in UTC
    (one without a zone is taken as UTC); None for none, or for text that is not a time."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def set_build_info(db: sqlite_utils.Database, **values) -> None:
    """Record facts about the build (built_at, counts, versions) in build_info."""
    db["build_info"].upsert_all(
        [{"key": k, "value": str(v)} for k, v in values.items()], pk="key"
    )


def get_build_info(db_path) -> dict:
    """build_info as ``{key: value}`` ({} when the database or table is not there yet)."""
    import sqlite3

    if not Path(db_path).is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
        try:
            return build_info_in(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def build_info_in(db) -> dict:
    """build_info as ``{key: value}``, read through ``db`` (a connection or a Database), in
    its transaction when one is open."""
    return dict(db.execute("SELECT key, value FROM build_info").fetchall())


@contextmanager
def build_lock(db_path, timeout: float = 0):
    """Hold an exclusive lock beside the database for the length of a build.

    A second build on the same database stops at once with BuildLockedError
    (or waits ``timeout`` seconds first) instead of interleaving its writes.
    """
    lock_path = str(db_path) + ".lock"
    os.makedirs(os.path.dirname(os.path.abspath(lock_path)), exist_ok=True)
    refuse_if_served(db_path)
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise BuildLockedError(
            f"another litgraph build is using {db_path} (lock {lock_path}); wait for it to finish"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _serve_lock_path(db_path) -> str:
    return str(db_path) + ".serve.lock"


@contextmanager
def serve_lock(db_path):
    """Held by ``litgraph serve`` while it publishes ``db_path`` (Datasette reads it as
    immutable: a build writing it meanwhile would publish a half-written or stale file)."""
    lock = FileLock(_serve_lock_path(db_path))
    try:
        lock.acquire(timeout=0.1)
    except Timeout:  # another server holds it
        raise
    except OSError:  # a read-only folder: no build can write there either
        yield
        return
    try:
        yield
    finally:
        lock.release()


def refuse_if_served(db_path) -> None:
    """BuildLockedError when ``litgraph serve`` is publishing ``db_path`` right now."""
    path = _serve_lock_path(db_path)
    if not os.path.exists(path):
        return
    probe = FileLock(path)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        raise BuildLockedError(
            f"{db_path} is being served by `litgraph serve`: stop it first, or build into "
            "another file (--db) and serve that") from None
    probe.release()


# ---------------------------------------------------------------- the citation graph

# The tables the graph stage replaces together (litgraph.graph), in the order they are written.
GRAPH_TABLES = ("nodes", "links", "metrics", "cocitations", "couplings", "document_cohesion")
GRAPH_WRITE_CACHE_KIB = 32_768  # SQLite page cache while the graph is written (32 MiB at most)


def _insert_graph_rows(db: sqlite_utils.Database, table: str, rows) -> None:
    """Insert ``rows`` into a graph table, naming its columns (TABLES' order).

    A dict row is read by those column names (a missing one is NULL); a tuple
    row gives them in that order.  Rows are streamed to SQLite one at a time,
    so a generator of millions never sits in memory whole.
    """
    columns = tuple(TABLES[table][0])
    sql = (f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"values ({', '.join('?' for _ in columns)})")

    def values(row):
        return tuple(map(row.get, columns)) if isinstance(row, dict) else tuple(row)

    # a tuple goes as it is: links are hundreds of thousands of them
    db.conn.executemany(sql, (row if row.__class__ is tuple else values(row) for row in rows))


def save_graph(db: sqlite_utils.Database, nodes, links, metrics=(), cocitations=(), couplings=(),
               cohesion=(), build_info=None) -> None:
    """Replace the whole stored graph (GRAPH_TABLES) in one transaction.

    ``nodes``, ``metrics``, ``cocitations``, ``couplings`` and ``cohesion`` are
    rows of their tables (dicts, or tuples in TABLES' column order); ``links``
    are (citing_id, cited_id, origin) triples.  Any iterable will do.  On any
    error nothing changes: readers see the old graph or the new one, never half.
    ``build_info`` (a mapping) is set in build_info in the same transaction.
    """
    conn = db.conn
    marks = ", ".join("?" for _ in GRAPH_TABLES)
    # The secondary indexes are built once over the new rows, not updated row by row
    # (random inserts into a text index are most of a 10-million-link write).
    indexes = conn.execute(f"select name, sql from sqlite_master where type = 'index' "
                           f"and sql is not null and tbl_name in ({marks})", GRAPH_TABLES).fetchall()
    cache_size = conn.execute("pragma cache_size").fetchone()[0]
    conn.execute(f"pragma cache_size = -{GRAPH_WRITE_CACHE_KIB}")
    try:
        with db.atomic():
            for name, _sql in indexes:
                conn.execute(f"drop index [{name}]")
            for table in GRAPH_TABLES:
                conn.execute(f"delete from [{table}]")
            for table, rows in zip(GRAPH_TABLES, (nodes, links, metrics, cocitations, couplings,
                                                  cohesion)):
                _insert_graph_rows(db, table, rows)
            for _name, sql in indexes:
                conn.execute(sql)
            if build_info:
                set_build_info(db, **build_info)
    finally:
        conn.execute(f"pragma cache_size = {int(cache_size)}")
