"""Crashes: a build killed (SIGKILL) at several points loses nothing and the next run completes.

The stand-in runs in the test's process (the build in its own) with 300 ms of
latency per answer, so each E-utilities request is in flight long enough to
kill the build while it waits: the kill points are named by what the stand-in
has served (the first efetch, the first elink...), not by wall-clock guesses.
The build that recovers meets it without latency.  After each kill:

- references.yaml is absent, or byte-identical to the version extract writes,
  or to the final version resolve writes back: never a mix;
- the database (when there is one) passes PRAGMA integrity_check;
- a second build completes, and its database has no duplicate rows and
  equals a clean build's, row for row.
"""

import signal
import time

import pytest

from demo_project import copy_built
from litgraph.stub.server import StandIn
from reliability_helpers import (build_args, db_tables, duplicate_rows, integrity_problems,
                                 new_project, run_litgraph, start_litgraph)

LATENCY_MS = 300


@pytest.fixture(scope="module")
def clean(built_from_documents):
    """What a clean, uninterrupted build produces (built once per session, see conftest.py):
    references.yaml as extract writes it and as the build leaves it, the rows, the requests."""
    return {
        "after_extract": built_from_documents.after_extract,
        "final": built_from_documents.references,
        "rows": built_from_documents.rows,
        "served": built_from_documents.served,
    }


def served(stats, endpoint) -> int:
    return int(stats.get(endpoint, 0) or 0)


# name -> (predicate on the stand-in's counts, seconds to wait once it holds) before SIGKILL.
# A clean build asks: ecitmatch, esearch x2, efetch (resolve); elink x2, esummary (graph).
KILL_POINTS = {
    "ecitmatch": (lambda s: served(s, "ecitmatch.cgi") >= 1, 0),
    "efetch": (lambda s: served(s, "efetch.fcgi") >= 1, 0),
    "second-elink": (lambda s: served(s, "elink.fcgi") >= 2, 0),
    # The last answer arrives after LATENCY_MS: the build is then saving the graph.
    "graph-save": (lambda s: served(s, "esummary.fcgi") >= 1, LATENCY_MS / 1000 + 0.05),
}


def kill_when(process, stub, point, timeout=120) -> bool:
    """SIGKILL ``process`` at kill point ``point``; False if it finished first."""
    predicate, delay = point
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if predicate(stub.stats()):
            time.sleep(delay)
            if process.poll() is not None:
                return False
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return True
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=30)
    raise AssertionError("the build neither reached the kill point nor finished")


def assert_recovers(project, clean, stub):
    references = project / "references.yaml"
    if references.exists():
        assert references.read_bytes() in (clean["after_extract"], clean["final"]), \
            "references.yaml is neither the extracted nor the final version"
    db_path = project / "db" / "litgraph.db"
    if db_path.exists():
        assert integrity_problems(db_path) == []
    stub.latency_ms = 0  # the kill needed it; the rebuild does not
    again = run_litgraph(build_args(offline=False, eutils_url=stub.base_url), project, timeout=300)
    assert again.returncode == 0, again.stderr
    assert integrity_problems(db_path) == []
    assert duplicate_rows(db_path) == {}
    assert db_tables(db_path) == clean["rows"]
    assert references.read_bytes() == clean["final"]


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_build_killed_during_resolve_or_graph_recovers(tmp_path, clean, point):
    if not KILL_POINTS[point][0](clean["served"]):
        pytest.fail(f"a clean build never reaches {point}: {clean['served']}")
    project = new_project(tmp_path / "project")
    with StandIn(rate_limit=None, latency_ms=LATENCY_MS) as stub:
        process = start_litgraph(build_args(offline=False, eutils_url=stub.base_url), project)
        assert kill_when(process, stub, KILL_POINTS[point]), "the build finished before the kill"
        assert_recovers(project, clean, stub)


@pytest.mark.parametrize("delay", [0.8])
def test_build_killed_early_recovers(tmp_path, clean, delay):
    # Early kills land in start-up or extract, before any request.
    project = new_project(tmp_path / "project")
    with StandIn(rate_limit=None, latency_ms=LATENCY_MS) as stub:
        process = start_litgraph(build_args(offline=False, eutils_url=stub.base_url), project)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert_recovers(project, clean, stub)


def test_build_killed_twice_then_rebuilt_over_an_existing_database(tmp_path, clean,
                                                                  built_from_documents):
    # A database from a finished build, then a rebuild killed during graph, then a
    # rebuild killed during resolve: the stored rows survive both and the last run completes.
    project = copy_built(built_from_documents, tmp_path / "project")
    (project / "db" / "http-cache.sqlite").unlink()  # make the rebuilds ask the network again
    for point in ("second-elink", "efetch"):
        with StandIn(rate_limit=None, latency_ms=LATENCY_MS) as stub:
            process = start_litgraph(build_args(offline=False, eutils_url=stub.base_url), project)
            if kill_when(process, stub, KILL_POINTS[point]):
                assert integrity_problems(project / "db" / "litgraph.db") == []
                assert db_tables(project / "db" / "litgraph.db")["sources"] == clean["rows"]["sources"]
    with StandIn(rate_limit=None) as stub:
        assert_recovers(project, clean, stub)
