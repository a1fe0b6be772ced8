"""Concurrency: two builds on one database never interleave; the second stops with a clear line.

The stand-in (in the test's process; the builds each in their own) answers with
300 ms of latency so the first build is still running when the second starts,
then without, so that the first finishes quickly.  store.build_lock (held by
pipeline.run_build) makes the second build stop at once with "another litgraph
build is using ...".
"""

import time
from contextlib import contextmanager

import pytest

from litgraph.stub.server import StandIn
from reliability_helpers import (assert_one_line_error, build_args, db_tables, duplicate_rows,
                                 integrity_problems, new_project, requests_served, run_litgraph,
                                 start_litgraph)


@pytest.fixture(scope="module")
def clean_rows(built_from_documents):
    """A clean build's rows and references.yaml (built once per session, see conftest.py)."""
    return built_from_documents.rows, built_from_documents.references


def wait_for_requests(stub, process, count=1, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if requests_served(stub.stats()) >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the first build made no request")


@contextmanager
def first_build_running(stub, project):
    """Start a build, yield it once it has asked the stand-in something, then let it finish.

    The first build must succeed; it is killed if it hangs.
    """
    first = start_litgraph(build_args(offline=False, eutils_url=stub.base_url), project)
    try:
        wait_for_requests(stub, first)
        yield first
        stub.latency_ms = 0
        _out, err = first.communicate(timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
    assert first.returncode == 0, err


def assert_sound(project, clean_rows):
    rows, references = clean_rows
    db_path = project / "db" / "litgraph.db"
    assert integrity_problems(db_path) == []
    assert duplicate_rows(db_path) == {}
    assert db_tables(db_path) == rows
    assert (project / "references.yaml").read_bytes() == references


def test_second_build_stops_while_the_first_runs(tmp_path, clean_rows):
    project = new_project(tmp_path / "project")
    with StandIn(rate_limit=None, latency_ms=300) as stub:
        with first_build_running(stub, project):
            started = time.monotonic()
            second = run_litgraph(build_args(offline=False, eutils_url=stub.base_url), project,
                                  timeout=60)
            stopped_after = time.monotonic() - started
            line = assert_one_line_error(second, "db/litgraph.db", "another litgraph build",
                                         codes=(1,))
            assert "lock" in line
            assert stopped_after < 20, stopped_after  # it stops at once, it does not wait
    assert_sound(project, clean_rows)


def test_two_builds_started_together_one_wins(tmp_path, clean_rows):
    project = new_project(tmp_path / "project")
    with StandIn(rate_limit=None, latency_ms=100) as stub:
        processes = [start_litgraph(build_args(offline=False, eutils_url=stub.base_url), project)
                     for _ in range(2)]
        results = []
        try:
            for process in processes:
                out, err = process.communicate(timeout=240)
                results.append((process.returncode, out, err))
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=30)
    codes = sorted(code for code, _out, _err in results)
    assert codes in ([0, 0], [0, 1]), results
    for code, _out, err in results:
        assert "Traceback" not in err
        if code == 1:
            lines = [line for line in err.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("Error: another litgraph build"), lines
    assert_sound(project, clean_rows)


def test_builds_on_two_databases_run_side_by_side(tmp_path, clean_rows):
    # The lock belongs to one database: builds of two projects do not block each other.
    projects = [new_project(tmp_path / name) for name in ("one", "two")]
    with StandIn(rate_limit=None, latency_ms=100) as stub:
        processes = [start_litgraph(build_args(offline=False, eutils_url=stub.base_url), p)
                     for p in projects]
        for process in processes:
            _out, err = process.communicate(timeout=240)
            assert process.returncode == 0, err
    for project in projects:
        assert_sound(project, clean_rows)


@pytest.mark.parametrize("command", ["resolve", "graph"])
def test_resolve_or_graph_while_a_build_runs_stops(tmp_path, clean_rows, command):
    # resolve and graph write the same tables as build: they wait for no build either.
    project = new_project(tmp_path / "project")
    with StandIn(rate_limit=None, latency_ms=300) as stub:
        with first_build_running(stub, project):
            args = [command, "-q", "--db", "db/litgraph.db", "--eutils-url", stub.base_url]
            if command == "resolve":
                args += ["--references", "references.yaml"]
            second = run_litgraph(args, project, timeout=60)
            assert_one_line_error(second, "db/litgraph.db", "another litgraph build", codes=(1,))
    assert_sound(project, clean_rows)
