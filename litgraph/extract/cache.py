"""What extraction found in each document, kept by the document's bytes: ``ExtractionCache``.

A build reads every document again whenever references.yaml changed (a curator's
note is enough), since extract merges what it finds into that file.  A document whose
bytes, name, boilerplate profile and litgraph version are those of an earlier reading
gives the same ``ExtractedDocument``: the build takes it from here instead of reading
the document again.  Measured with ``bench/resolve.py`` (5,000 references in 10
documents): see the README's design section.

The cache is a SQLite file beside the database (``cache_path_for``), holding one
pickled ``ExtractedDocument`` per key, written by litgraph only and never published.
Anything wrong with it (missing, locked, corrupt, written by another version) makes a
miss, never an error: the document is read as if there were no cache.  After a build it
holds the readings of that build's documents and no others.
"""

import hashlib
import logging
import pickle
import sqlite3
from functools import lru_cache
from pathlib import Path

from ..errors import DocumentError
from .readers import read_bytes

log = logging.getLogger(__name__)


def cache_path_for(db_path) -> Path:
    """The extraction cache kept beside the database at ``db_path``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + "-extracted.sqlite")


@lru_cache(maxsize=1)
def package_digest() -> str:
    """A SHA-256 of every file of the litgraph package (code and the data it reads, such as
    the bundled boilerplate profile), by name and bytes."""
    import litgraph

    digest = hashlib.sha256()
    package = Path(litgraph.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class ExtractionCache:
    """Readings of documents by ``key``: get, put, and keep only the keys of one build."""

    def __init__(self, path):
        self.path = Path(path)
        self._conn = None

    def key(self, document, boilerplate=None):
        """The key of ``document`` as it is now (its bytes, its path, the curator's profile,
        litgraph's files), or None when it cannot be read (its reading names the problem)."""
        try:
            data = read_bytes(document)
            profile = Path(boilerplate).read_bytes() if boilerplate else b""
        except (DocumentError, OSError):
            return None
        digest = hashlib.sha256(package_digest().encode())
        for part in (str(Path(document)).encode(), profile, data):
            digest.update(b"\0" + hashlib.sha256(part).digest())
        return digest.hexdigest()

    def get(self, key):
        """The ExtractedDocument kept under ``key``, or None."""
        conn = self._open()
        if conn is None or key is None:
            return None
        try:
            row = conn.execute("SELECT reading FROM readings WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception as exc:  # noqa: BLE001  (a corrupt row is a miss, whatever it raises)
            log.info("%s: a reading not used (%s)", self.path, exc)
            return None

    def put(self, key, extracted) -> None:
        conn = self._open()
        if conn is None or key is None:
            return
        try:
            with conn:
                conn.execute("INSERT OR REPLACE INTO readings (key, reading) VALUES (?, ?)",
                             (key, pickle.dumps(extracted, protocol=pickle.HIGHEST_PROTOCOL)))
        except (sqlite3.Error, pickle.PicklingError, TypeError) as exc:
            log.info("%s: a reading not kept (%s)", self.path, exc)

    def keep_only(self, keys) -> None:
        """Drop every reading but those under ``keys`` (the documents of this build)."""
        conn = self._open()
        if conn is None:
            return
        try:
            with conn:
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
                conn.execute("DELETE FROM kept")
                conn.executemany("INSERT OR IGNORE INTO kept VALUES (?)",
                                 [(k,) for k in keys if k])
                conn.execute("DELETE FROM readings WHERE key NOT IN (SELECT key FROM kept)")
        except sqlite3.Error as exc:
            log.info("%s: old readings not dropped (%s)", self.path, exc)

    def close(self) -> None:
        if self._conn:
            self._conn.close()
        self._conn = None

    def _open(self):
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5)
                conn.execute("CREATE TABLE IF NOT EXISTS readings "
                             "(key TEXT PRIMARY KEY, reading BLOB NOT NULL)")
            except (sqlite3.Error, OSError) as exc:
                log.info("%s: no extraction cache (%s)", self.path, exc)
                self._conn = False
            else:
                self._conn = conn
        return self._conn or None
