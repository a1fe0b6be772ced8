"""The SQLite database: its shape, and one ``save_*`` function per entity.

``ensure_db_shape(db)`` creates every table, column, index, foreign key and
full-text index idempotently from the TABLES constant below; it is safe to
call on every run.  Writes go through ``save_*`` functions inside
``db.atomic()`` transactions so that a crash loses at most the batch in flight.
"""

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from filelock import FileLock, Timeout

from .errors import BuildLockedError, DatabaseError

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
         "status": str, "status_reason": str, "resolved_by": str, "retracted": int,
         "errata": str, "cited_as": str, "kind": str, "excluded": int, "stale": int, "note": str,
         "fetched_at": str},
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
         "evidence_level": int},
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
         "betweenness": float, "betweenness_method": str, "component": int},
        "node_id",
        [],
    ),
    # Pairs of nodes (top pairs only, see litgraph.graph_metrics) and, per
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
    "build_info": (
        {"key": str, "value": str},
        "key",
        [],
    ),
}

INDEXES = [
    ("sources", ["pmid"]),
    ("sources", ["doi"]),
    ("sources", ["status"]),
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
    ("nodes", ["kind"]),
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


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create every table, missing column, index and full-text index. Idempotent."""
    for name, (columns, pk, _fks) in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(columns, pk=pk)
        else:
            have = set(table.columns_dict)
            for column, kind in columns.items():
                if column not in have:
                    table.add_column(column, kind)
    for name, (_columns, _pk, fks) in TABLES.items():
        existing = {(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys}
        missing = [fk for fk in fks if fk not in existing]
        if missing:
            db.add_foreign_keys([(name, *fk) for fk in missing])
    for table, columns in INDEXES:
        db[table].create_index(columns, if_not_exists=True)
    for table, columns in FTS.items():
        if not db[table].detect_fts():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")


def as_json(value):
    """Store a list as JSON text (None stays None) so Datasette shows it as a list."""
    if value is None:
        return None
    return json.dumps(list(value), ensure_ascii=False)


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def set_build_info(db: sqlite_utils.Database, **values) -> None:
    """Record facts about the build (built_at, counts, versions) in build_info."""
    db["build_info"].upsert_all(
        [{"key": k, "value": str(v)} for k, v in values.items()], pk="key"
    )


@contextmanager
def build_lock(db_path, timeout: float = 0):
    """Hold an exclusive lock beside the database for the length of a build.

    A second build on the same database stops at once with BuildLockedError
    (or waits ``timeout`` seconds first) instead of interleaving its writes.
    """
    lock_path = str(db_path) + ".lock"
    os.makedirs(os.path.dirname(os.path.abspath(lock_path)), exist_ok=True)
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
