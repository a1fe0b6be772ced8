"""The Spark engine gives the NetworkX engine's rows (local mode, two cores).

Skipped with the reason only where pyspark or Java is missing; under CI=true
a missing engine fails instead (make test installs both).
"""

import os
import random
import shutil

import pytest

from litgraph.graph import to_networkx
from litgraph.graph.metrics import (cocitation_pairs, compute_metrics, coupling_pairs,
                                    document_cohesion)

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                              "(pip install -e '.[spark]')") if not os.environ.get("CI") else None
if shutil.which("java") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI=true: the Spark tests need Java (bash scripts/ensure-java.sh)")
    pytest.skip("no Java runtime: run bash scripts/ensure-java.sh", allow_module_level=True)

from litgraph.graph import spark as engine  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = engine.spark_session("local[2]", config={"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()


def random_graph(n, m, seed, set_fraction=0.3, documents=5):
    rng = random.Random(seed)
    ids = [f"w{i:05d}" for i in range(n)]
    links = set()
    while len(links) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            links.add((ids[a], ids[b], rng.choice(("document", "elink-refs"))))
    set_nodes = {i for i in ids if rng.random() < set_fraction}
    nodes = [{"id": i, "kind": "source" if i in set_nodes else "external"} for i in ids]
    listed = {f"doc{d}": set(rng.sample(sorted(set_nodes), min(8, len(set_nodes))))
              for d in range(documents)}
    return nodes, sorted(links), set_nodes, listed


def networkx_rows(nodes, links, set_nodes, listed):
    G = to_networkx(nodes, links)
    return (compute_metrics(G, set_nodes), cocitation_pairs(G, top=50),
            coupling_pairs(G, top=50), document_cohesion(G, listed))


def assert_same(spark, nodes, links, set_nodes, listed):
    metrics, cocitations, couplings, cohesion = networkx_rows(nodes, links, set_nodes, listed)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    result = engine.compute_spark_metrics(spark, frames, top=50)
    rows = list(result.metric_rows())
    assert [r["node_id"] for r in rows] == [r["node_id"] for r in metrics]
    for ours, theirs in zip(rows, metrics):
        for column in ("kind", "in_degree", "out_degree", "in_degree_set", "out_degree_set",
                       "component", "betweenness_method"):
            assert ours[column] == theirs[column], (ours["node_id"], column)
        assert abs(ours["pagerank"] - theirs["pagerank"]) < 1e-6, ours["node_id"]
        assert ours["betweenness"] == pytest.approx(theirs["betweenness"], abs=1e-9)
        assert ours["engine"] == "spark; betweenness networkx-scipy"
    assert result.cocitations == cocitations
    assert result.couplings == couplings
    assert result.cohesion == cohesion
    return result


def test_a_small_graph_gives_the_networkx_rows(spark):
    nodes, links, set_nodes, listed = random_graph(60, 150, seed=1)
    result = assert_same(spark, nodes, links, set_nodes, listed)
    assert result.pagerank_iterations > 1


def test_several_components_are_numbered_largest_first(spark):
    # Two triangles and a pair and a lone node: sizes 3, 3, 2, 1.
    links = [("b", "a", "document"), ("c", "b", "document"), ("a", "c", "document"),
             ("x", "y", "document"), ("y", "z", "document"), ("p", "q", "document")]
    nodes = [{"id": i, "kind": "source"} for i in "abcpqxyzl"]
    result = assert_same(spark, nodes, links, {"a", "x"}, {"d": {"a", "b", "c"}})
    component = {r["node_id"]: r["component"] for r in result.metric_rows()}
    assert component == {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "z": 1, "p": 2, "q": 2, "l": 3}


def test_the_empty_graph_has_no_rows(spark):
    frames = engine.frames_from_rows(spark, [], [], set(), {})
    result = engine.compute_spark_metrics(spark, frames)
    assert list(result.metric_rows()) == [] and result.cocitations == []
