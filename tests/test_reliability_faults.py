"""Faults: a build against a misbehaving stand-in ends with exactly a clean build's rows.

The stand-in injects 429s, 5xx, timeouts (answers slower than the client's
timeout), slow answers, truncated XML, HTML error pages and HTTP 200 with an
``<ERROR>`` body at the rates below.  The client (short timeout, short
back-off, throttle off, and 429s that ask for no wait: the tests are not about
the rate) retries its way through; nothing bad may reach the HTTP cache; a stand-in that fails every
request ends the run with every affected source unresolved with a reason that
names the failure, and a later healthy run picks them up.

The fault draws are deterministic for a given request order (the stand-in
seeds them), and the client asks in a fixed order, so each run is the same.
"""

import pytest

from litgraph.entrez import EntrezClient, reply_problem
from litgraph.pipeline import run_build
from litgraph.stub.faults import parse_faults
from litgraph.stub.server import StandIn
from demo_project import copy_built
from reliability_helpers import (db_tables, duplicate_rows, free_port, integrity_problems,
                                 new_project)

FAULTS = ("429=0.15,500=0.1,timeout=0.05,slow=0.05,truncate=0.05,html=0.05,error=0.05,"
          "seed=8,slow_ms=400,timeout_ms=4000,retry_after=0")
CLIENT_TIMEOUT_S = 1.5


def build(project, stand_in, cache="http-cache.sqlite", max_tries=10, timeout=CLIENT_TIMEOUT_S):
    """Build ``project`` (laid out as conftest's) in this process against ``stand_in``."""
    client = EntrezClient(stand_in.base_url, cache_path=project / "db" / cache, rate=0,
                          timeout=timeout, backoff=0.02, max_tries=max_tries)
    with client:
        report = run_build([str(project / "documents")], project / "db" / "litgraph.db",
                           project / "references.yaml", client)
    return report, client.stats


def stand_in_stats(stand_in):
    import requests

    return requests.get(stand_in.base_url.split("/entrez/")[0] + "/_stats", timeout=10).json()


def cached_problems(cache_path) -> list:
    """Every cached reply that is not a good E-utilities answer."""
    import requests_cache

    session = requests_cache.CachedSession(str(cache_path), backend="sqlite")
    problems = []
    count = 0
    for response in session.cache.responses.values():
        count += 1
        endpoint = response.url.split("?")[0].rsplit("/", 1)[-1]
        kind = "text" if endpoint.startswith("ecitmatch") else "xml"
        problem = reply_problem(response.status_code, response.content,
                                response.headers.get("Content-Type", ""), kind)
        if problem:
            problems.append((endpoint, problem))
    session.close()
    assert count > 0, "nothing was cached at all"
    return problems


@pytest.fixture(scope="module")
def clean(built_from_documents):
    """A clean build's rows and references.yaml (built once per session, see conftest.py)."""
    return {"rows": built_from_documents.rows, "references": built_from_documents.references}


@pytest.fixture
def built_project_copy(built_from_documents, tmp_path):
    return copy_built(built_from_documents, tmp_path / "project")


def test_build_under_faults_equals_a_clean_build_and_a_warm_rebuild_asks_nothing(tmp_path, clean):
    project = new_project(tmp_path / "project")
    port = free_port()  # the same URL both times: the cache is keyed by it
    with StandIn(rate_limit=None, port=port, faults=parse_faults(FAULTS)) as stand_in:
        report, stats = build(project, stand_in)
        served = stand_in_stats(stand_in)
    assert stats["retries"] > 0, (stats, served)  # the faults really happened
    assert stats["failures"] == 0, report.as_dict()
    assert db_tables(project / "db" / "litgraph.db") == clean["rows"]
    assert (project / "references.yaml").read_bytes() == clean["references"]
    assert integrity_problems(project / "db" / "litgraph.db") == []
    assert duplicate_rows(project / "db" / "litgraph.db") == {}
    assert cached_problems(project / "db" / "http-cache.sqlite") == []
    # A broken stand-in in the good one's place proves that the warm run asks nothing.
    with StandIn(rate_limit=None, port=port, faults=parse_faults("500=1.0")) as broken:
        _report, stats = build(project, broken)
    assert stats["network_requests"] == 0, stats
    assert db_tables(project / "db" / "litgraph.db") == clean["rows"]


@pytest.mark.parametrize("fault, timeout", [
    ("500=0.5,503=0.5", CLIENT_TIMEOUT_S),
    ("429=1.0,retry_after=0", CLIENT_TIMEOUT_S),
    ("html=0.25,error=0.25,truncate=0.25,empty=0.25", CLIENT_TIMEOUT_S),
    # every answer comes after 4 s: any client timeout under that sees only timeouts
    ("timeout=1.0,timeout_ms=4000", 0.25),
])
def test_exhausted_retries_are_reported_and_a_later_run_recovers(tmp_path, clean, fault, timeout):
    project = new_project(tmp_path / "project")
    with StandIn(rate_limit=None, faults=parse_faults(fault)) as broken:
        report, stats = build(project, broken, max_tries=2, timeout=timeout)
    assert stats["failures"] > 0
    text = report.summary()
    resolve_part = report.as_dict()["stages"][1]
    assert resolve_part["counts"].get("unresolved", 0) > 0, text
    assert resolve_part["counts"].get("resolved", 0) == 0, text
    import sqlite3

    conn = sqlite3.connect(project / "db" / "litgraph.db")
    reasons = [r[0] for r in conn.execute(
        "SELECT status_reason FROM sources WHERE status = 'unresolved' AND pmid IS NOT NULL")]
    conn.close()
    assert reasons and all("try again later" in r and "failed after 2 tries" in r for r in reasons), \
        reasons
    assert cached_problems_or_empty(project / "db" / "http-cache.sqlite") == []
    with StandIn(rate_limit=None) as healthy:
        build(project, healthy)
    assert db_tables(project / "db" / "litgraph.db") == clean["rows"]


def cached_problems_or_empty(cache_path):
    try:
        return cached_problems(cache_path)
    except AssertionError:
        return []  # nothing cached is fine when every request failed


def test_failing_rebuild_keeps_what_an_earlier_build_resolved(built_project_copy):
    project = built_project_copy
    before = db_tables(project / "db" / "litgraph.db")
    with StandIn(rate_limit=None, faults=parse_faults("500=1.0")) as broken:
        build(project, broken, cache="other-cache.sqlite", max_tries=2)
    after = db_tables(project / "db" / "litgraph.db")
    assert after["sources"] == before["sources"]
