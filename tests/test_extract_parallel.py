"""Many documents extracted in worker processes give exactly what one process gives.

Workers are forked only from a process running no other thread, so these tests run
litgraph in a process of its own (pytest's workers run threads of their own).
"""

import json
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from reliability_helpers import is_running

from litgraph.extract import parallel
from litgraph.extract.parallel import extract_documents

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"

# Extract the folder alone and in two workers; print what each gave, comparably.
BOTH_WAYS = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from litgraph.extract import parallel
    parallel.PARALLEL_MIN_BYTES = 0
    used = []
    pool = parallel.ProcessPoolExecutor
    parallel.ProcessPoolExecutor = lambda *a, **k: used.append(1) or pool(*a, **k)
    {setup}
    files = sorted(Path(sys.argv[1]).iterdir())
    def shown(results):
        return [[str(p), type(d).__name__, repr(d) if isinstance(d, Exception) else repr(vars(d))]
                for p, d in results]
    alone = shown(parallel.extract_documents(files, workers=1))
    together = shown(parallel.extract_documents(files, workers=2))
    print(json.dumps({{"alone": alone, "together": together, "workers_used": len(used)}}))
""")


def both_ways(folder, setup=""):
    done = subprocess.run([sys.executable, "-c", BOTH_WAYS.format(setup=setup), str(folder)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def corpus(tmp_path) -> Path:
    """The seeds, the other styles' fixtures, and a Word file that is not one."""
    folder = tmp_path / "documents"
    shutil.copytree(ROOT / "documents", folder)
    for path in FIXTURE_DOCUMENTS.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a zip archive")
    return folder


def test_documents_extracted_in_workers_are_what_one_process_extracts(tmp_path):
    result = both_ways(corpus(tmp_path))
    assert result["workers_used"] == 1
    assert result["together"] == result["alone"]
    kinds = {name.rsplit("/", 1)[-1]: kind for name, kind, _ in result["alone"]}
    assert kinds["broken.docx"] == "UnreadableDocumentError"  # in its place, not raised
    assert sum(kind == "ExtractedDocument" for kind in kinds.values()) == len(kinds) - 1


def test_a_worker_that_dies_leaves_the_work_to_this_process(tmp_path):
    dies_in_workers = textwrap.dedent("""
        parent = os.getpid()
        extract_one = parallel._extract_one
        def dies(*args):
            if os.getpid() != parent:
                os._exit(9)  # killed, out of memory
            return extract_one(*args)
        parallel._extract_one = dies
    """)
    result = both_ways(corpus(tmp_path), setup=dies_in_workers)
    assert result["workers_used"] == 1
    assert result["together"] == result["alone"]


def test_with_another_thread_running_no_worker_is_forked(tmp_path, monkeypatch):
    def forked(*args, **kwargs):
        raise AssertionError("forked while another thread ran")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", forked)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    stop = threading.Event()
    running = threading.Thread(target=stop.wait)
    running.start()
    try:
        results = extract_documents(sorted(corpus(tmp_path).iterdir()), workers=2)
    finally:
        stop.set()
        running.join()
    assert len(results) == len(list((tmp_path / "documents").iterdir()))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_build_that_forked_them_is_killed(tmp_path):
    """A build killed outright (SIGKILL) leaves no worker behind, waiting forever."""
    import os
    import signal
    import time

    slow_workers = textwrap.dedent("""
        import os, sys, time
        from pathlib import Path
        from litgraph.extract import parallel
        parallel.PARALLEL_MIN_BYTES = 0
        parent = os.getpid()
        extract_one = parallel._extract_one
        def slow(*args):
            if os.getpid() != parent:
                time.sleep(60)  # a long document: the build is killed meanwhile
            return extract_one(*args)
        parallel._extract_one = slow
        with parallel.extracting(sorted(Path(sys.argv[1]).iterdir()), workers=2) as results:
            time.sleep(1)  # the workers have started
            print("extracting", flush=True)
            results()
    """)
    build = subprocess.Popen([sys.executable, "-c", slow_workers, str(corpus(tmp_path))],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert build.stdout.readline().strip() == "extracting"
        workers = _children(build.pid)
        assert len(workers) == 2
    finally:
        build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if is_running(pid)]
    for pid in alive:  # never leave them to the next test, whatever happened
        os.kill(pid, signal.SIGKILL)
    assert alive == []


def _children(pid) -> list:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
