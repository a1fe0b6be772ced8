"""Many documents extracted at once, on every core: ``extract_documents``, ``extracting``.

Extraction is Python work per document (reading a PDF or a Word file, finding
entries, parsing each citation), independent from one document to the next.
When the documents are many and large enough to repay starting worker
processes, they are shared out among up to one worker per core, the largest
first; the results come back in the documents' order, exactly as one process
would give them (a test compares both).  Workers are forked from this process,
which has litgraph loaded already, and only while it runs no other thread (a
fork copies one thread: a lock another held would stay held).  Spawning fresh
interpreters instead would run a caller's unguarded script again in each.
Below ``PARALLEL_MIN_BYTES``, on one core, with other threads running, or where
worker processes cannot start, the documents are read here, one after another.

Measured on synthetic documents (500 journal references each, 2 cores, two runs
each): 20,000 references in 40 files, 4.51 and 4.79 s in one process, 2.74 and
2.85 s in two; 6,500 in 13 files, 1.29 and 1.30 s against 0.76 and 0.77 s.

``extracting`` starts the workers and lets the caller work meanwhile: a build
reads and checks references.yaml while the documents are read (merging the 40
files of a 20,000-source project into its file, five runs each: median 9.89 s against
10.76 s one after the other).
"""

import multiprocessing
import os
import threading
import time
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import DocumentError
from . import extract_document

# Below this many bytes of documents, one process is quicker than forking workers and
# sending the results back.  Measured on journal reference lists in text, 3 files each,
# 2 cores, a fresh process per run: 9 KB 18 ms alone against 29 ms in workers; 36 KB
# 37 against 45 ms; the demo's 5 documents (86 KB) 107 against 72 ms.
PARALLEL_MIN_BYTES = 64_000


def extract_documents(paths, boilerplate=None, workers=None, cache=None) -> list:
    """(path, ExtractedDocument or DocumentError) for each of ``paths``, in their order.

    A document that cannot be read gives its DocumentError in place of the document
    (the caller decides whether that stops everything); any other error is raised.
    ``workers``: how many processes at most (default: the cores this process may use).
    ``cache``: an ``ExtractionCache`` (``extracting``).
    """
    with extracting(paths, boilerplate, workers, cache) as results:
        return results()


@contextmanager
def extracting(paths, boilerplate=None, workers=None, cache=None):
    """Start extracting ``paths``; yield a function that returns ``extract_documents``'s list.

    In worker processes the documents are read while the caller works inside the block
    (a build reads references.yaml meanwhile); in this process, when the function is called.
    Leaving the block early cancels what has not started.  With a ``cache``
    (``ExtractionCache``), a document read before with the same bytes is taken from it,
    every other reading is kept there, and the cache then holds these documents' alone.
    """
    paths = [Path(p) for p in paths]
    profile = cache.profile_of(boilerplate) if cache is not None else None
    keys = {path: cache.key(path, profile) for path in paths} if cache is not None else {}
    known = {path: doc for path, doc in ((p, cache.reading(k)) for p, k in keys.items())
             if doc is not None}
    to_read = [path for path in paths if path not in known]
    if cache is not None:
        cache.close()  # no SQLite connection open across a fork; reopened to keep the readings
    workers = workers or _cores()
    pool, futures = None, {}
    if (workers > 1 and len(to_read) > 1 and _total_bytes(to_read) >= PARALLEL_MIN_BYTES
            and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        try:
            pool = ProcessPoolExecutor(min(workers, len(to_read)),
                                       mp_context=multiprocessing.get_context("fork"),
                                       initializer=_end_with, initargs=(os.getpid(),))
            for path in sorted(to_read, key=_size, reverse=True):  # the largest first
                futures[path] = pool.submit(_extract_one, path, boilerplate)
        except (OSError, BrokenProcessPool):  # no worker could start: one process
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            pool = None

    def read() -> dict:
        if pool is not None:
            try:
                return {path: futures[path].result() for path in to_read}
            except BrokenProcessPool:
                pass  # a worker died (killed, out of memory): one process
        return {path: _extract_one(path, boilerplate) for path in to_read}

    def results() -> list:
        found = read()
        if cache is not None:
            for path, doc in found.items():
                unchanged = cache.key(path, profile) == keys[path]  # while it was read
                if unchanged and not isinstance(doc, DocumentError):
                    cache.put(keys[path], doc)
            cache.keep_only(keys.values())
        return [(path, known[path] if path in known else found[path]) for path in paths]

    try:
        yield results
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _end_with(parent: int) -> None:
    """In a worker: end as soon as ``parent``, the process that forked it, has ended.

    A build killed outright (SIGKILL, the out-of-memory killer) cannot stop its
    workers, and a worker waiting for work would wait forever: its siblings hold the
    queue's pipe open.  A thread of the worker's own looks for its parent twice a second.
    """
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="litgraph-parent-watch", daemon=True).start()


def _extract_one(path, boilerplate):
    try:
        return extract_document(path, boilerplate=boilerplate)
    except DocumentError as exc:
        return exc


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # its reader names the problem


def _total_bytes(paths) -> int:
    return sum(_size(path) for path in paths)
