"""What a step gave for some bytes, kept on disk by their digest: ``Kept``.

Two steps of a build give the same result for the same bytes and the same litgraph:
reading a document (``extract.cache``) and reading a large E-utilities reply
(``entrez.parser.Readers``), and a build repeats both whenever references.yaml changed
(a curator's note is enough).  ``Kept`` is a SQLite file of pickled results by key,
beside the database or the HTTP cache, written by litgraph only and never published.
Every key starts from ``package_digest``: another version of litgraph finds nothing.
Anything wrong with the file (missing, locked, corrupt, not SQLite) is a miss, never
an error: the step is done as if nothing were kept.  Safe from several threads.
"""

import hashlib
import logging
import pickle
import sqlite3
import threading
import time
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
MISSING = object()  # what ``get`` gives for a key it does not hold (a result may be None)


@lru_cache(maxsize=1)
def package_digest() -> str:
    """A SHA-256 of every file of the litgraph package (code, and the data it reads, such as
    the bundled boilerplate profile), by name and bytes: the build's stamps and the kept
    results' keys hold it, so that another litgraph does the work again."""
    import litgraph

    digest = hashlib.sha256()
    package = Path(litgraph.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key_of(*parts: bytes) -> str:
    """The key of a result computed from ``parts`` by this litgraph."""
    digest = hashlib.sha256(package_digest().encode())
    for part in parts:
        digest.update(b"\0" + hashlib.sha256(part).digest())
    return digest.hexdigest()


class Kept:
    """Results by key in the SQLite file at ``path`` (made on first use)."""

    def __init__(self, path):
        self.path = Path(path)
        self._conn = None
        self._lock = threading.Lock()

    def get(self, key):
        """The result kept under ``key``, or MISSING."""
        with self._lock:
            conn = self._open()
            if conn is None or key is None:
                return MISSING
            try:
                row = conn.execute("SELECT result FROM kept WHERE key = ?", (key,)).fetchone()
                if row is None:
                    return MISSING
                with conn:
                    conn.execute("UPDATE kept SET used = ? WHERE key = ?", (int(time.time()), key))
                return pickle.loads(row[0])
            except Exception as exc:  # noqa: BLE001  (a corrupt row is a miss, whatever it raises)
                log.info("%s: a kept result not used (%s)", self.path, exc)
                return MISSING

    def put(self, key, result) -> None:
        with self._lock:
            conn = self._open()
            if conn is None or key is None:
                return
            try:
                blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                with conn:
                    conn.execute("INSERT OR REPLACE INTO kept (key, result, used) VALUES (?, ?, ?)",
                                 (key, blob, int(time.time())))
            except (sqlite3.Error, pickle.PicklingError, TypeError, AttributeError) as exc:
                log.info("%s: a result not kept (%s)", self.path, exc)

    def keep_only(self, keys) -> None:
        """Drop every result but those under ``keys``."""
        self._drop("key NOT IN (SELECT key FROM wanted)", [k for k in keys if k])

    def forget_unused(self, days: float) -> None:
        """Drop the results no ``get`` or ``put`` touched for ``days``."""
        self._drop("used < ?", None, int(time.time() - days * 86400))

    def close(self) -> None:
        with self._lock:
            if self._conn:
                self._conn.close()
            self._conn = None

    def _drop(self, where, wanted=None, *params) -> None:
        with self._lock:
            conn = self._open()
            if conn is None:
                return
            try:
                with conn:
                    if wanted is not None:
                        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted "
                                     "(key TEXT PRIMARY KEY)")
                        conn.execute("DELETE FROM wanted")
                        conn.executemany("INSERT OR IGNORE INTO wanted VALUES (?)",
                                         [(k,) for k in wanted])
                    conn.execute(f"DELETE FROM kept WHERE {where}", params)
            except sqlite3.Error as exc:
                log.info("%s: old results not dropped (%s)", self.path, exc)

    def _open(self):
        if self._conn is None:
            conn = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
                conn.execute("CREATE TABLE IF NOT EXISTS kept "
                             "(key TEXT PRIMARY KEY, result BLOB NOT NULL, used INTEGER NOT NULL)")
            except (sqlite3.Error, OSError) as exc:
                log.info("%s: nothing kept (%s)", self.path, exc)
                if conn is not None:
                    conn.close()
                self._conn = False
            else:
                self._conn = conn
        return self._conn or None
