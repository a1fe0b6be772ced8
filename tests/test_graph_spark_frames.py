"""The Spark engine's distributed path (DataFrame operations only) gives the NetworkX engine's rows.

Local mode, two cores; skipped with the reason only where pyspark or Java is
missing (test_graph_spark's rules).
"""

import random

import pytest

from test_graph_spark import bulk_file, networkx_rows, random_graph, spark  # noqa: F401

from litgraph.graph import spark as engine  # noqa: E402
from litgraph.errors import InputError  # noqa: E402
from litgraph.graph import spark_frames  # noqa: E402


def assert_same(spark, nodes, links, set_nodes, listed, engine_name="spark; betweenness "
                "networkx-scipy", **options):
    """The distributed path on ``links`` as given; NetworkX on the links the engine keeps
    (no self-links, only between known nodes; duplicates and origins count once)."""
    known = {node["id"] for node in nodes}
    kept = [link for link in links if link[0] != link[1] and link[0] in known and link[1] in known]
    metrics, cocitations, couplings, cohesion = networkx_rows(nodes, kept, set_nodes, listed)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    result = spark_frames.compute_frame_metrics(spark, frames, top=50, **options)
    rows = list(result.metric_rows())
    assert [r["node_id"] for r in rows] == [r["node_id"] for r in metrics]
    for ours, theirs in zip(rows, metrics):
        for column in ("kind", "in_degree", "out_degree", "in_degree_set", "out_degree_set",
                       "component", "betweenness_method"):
            assert ours[column] == theirs[column], (ours["node_id"], column)
        assert abs(ours["pagerank"] - theirs["pagerank"]) < 1e-6, ours["node_id"]
        if theirs["betweenness"] is not None and ours["betweenness"] is not None:
            assert ours["betweenness"] == pytest.approx(theirs["betweenness"], abs=1e-9)
        assert ours["engine"] == engine_name
    assert result.cocitations == cocitations
    assert result.couplings == couplings
    assert result.cohesion == cohesion
    assert result.edges == len({(a, b) for a, b, _o in kept})
    return result


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_graphs_give_the_networkx_rows(spark, seed):  # noqa: F811
    rng = random.Random(seed)
    nodes, links, set_nodes, listed = random_graph(rng.randrange(20, 120), rng.randrange(30, 300),
                                                   seed=seed)
    result = assert_same(spark, nodes, links, set_nodes, listed)
    assert result.pagerank_iterations > 1 and result.component_iterations >= 1


def test_self_links_duplicates_and_unknown_nodes_are_left_out(spark):  # noqa: F811
    nodes, links, set_nodes, listed = random_graph(40, 80, seed=5)
    ids = [node["id"] for node in nodes]
    noisy = (links + [(ids[0], ids[0], "document"), (ids[3], ids[3], "elink-refs")]
             + [(a, b, "pubmed-refs") for a, b, _o in links[:20]]  # the same pair, another origin
             + links[:10]  # the same row twice
             + [(ids[1], "nowhere", "document"), ("nowhere", ids[2], "document")])
    assert_same(spark, nodes, noisy, set_nodes, listed)


def test_a_single_link(spark):  # noqa: F811
    nodes = [{"id": "a", "kind": "source"}, {"id": "b", "kind": "external"}]
    result = assert_same(spark, nodes, [("a", "b", "document")], {"a"}, {"d": {"a", "b"}})
    rows = {r["node_id"]: (r["in_degree"], r["out_degree"], r["component"])
            for r in result.metric_rows()}
    assert rows == {"a": (0, 1, 0), "b": (1, 0, 0)}
    assert result.cocitations == [] and result.couplings == []
    assert result.cohesion == [{"document_id": "d", "sources": 2, "citing_pairs": 1,
                                "density": 0.5}]


def test_nodes_without_links(spark):  # noqa: F811
    nodes = [{"id": i, "kind": "source"} for i in "cab"]
    result = assert_same(spark, nodes, [], {"a"}, {"empty": set()})
    assert [(r["node_id"], r["component"]) for r in result.metric_rows()] == [
        ("a", 0), ("b", 1), ("c", 2)]


def test_the_empty_graph_has_no_rows(spark):  # noqa: F811
    frames = engine.frames_from_rows(spark, [], [], set(), {})
    result = spark_frames.compute_frame_metrics(spark, frames)
    assert list(result.metric_rows()) == []
    assert (result.cocitations, result.couplings, result.cohesion, result.edges) == ([], [], [], 0)


def test_max_list_leaves_long_lists_out_as_networkx_does(spark):  # noqa: F811
    from litgraph.graph import to_networkx
    from litgraph.graph.metrics import cocitation_pairs, coupling_pairs

    nodes, links, set_nodes, listed = random_graph(30, 200, seed=9)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    G = to_networkx(nodes, links)
    for max_list in (2, 5):
        result = spark_frames.compute_frame_metrics(spark, frames, top=40, max_list=max_list,
                                                    betweenness_max_links=0)
        assert result.cocitations == cocitation_pairs(G, top=40, max_list=max_list)
        assert result.couplings == coupling_pairs(G, top=40, max_list=max_list)
    assert result.cocitations != cocitation_pairs(G, top=40)  # the bound did leave lists out
    assert next(result.metric_rows())["betweenness_method"].startswith("not computed")


def test_the_demo_with_bulk_links_gives_the_networkx_rows(built_project, spark):  # noqa: F811
    from litgraph.graph import GraphInputs, read_links
    from litgraph.store import open_db

    db_path = built_project / "db" / "litgraph.db"
    links_file = built_project / "links.csv"
    assert bulk_file(links_file, db_path) > 10
    graph = read_links(open_db(db_path), GraphInputs(links_from=str(links_file)))
    nodes = [graph.nodes[k] for k in sorted(graph.nodes)]
    links = sorted(graph.links)
    assert len(links) > 50
    assert_same(spark, nodes, links, graph.set_nodes, graph.documents)


def test_a_100000_node_graph_gives_the_networkx_rows(spark):  # noqa: F811
    nodes, links, set_nodes, listed = random_graph(100_000, 150_000, seed=7, set_fraction=0.1,
                                                   documents=20)
    result = assert_same(spark, nodes, links, set_nodes, listed)
    assert result.pagerank_iterations >= 2 and result.component_iterations >= 2


def test_compute_spark_metrics_takes_the_distributed_path_when_asked(spark):  # noqa: F811
    nodes, links, set_nodes, listed = random_graph(50, 120, seed=11)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    driver = engine.compute_spark_metrics(spark, frames, top=30)
    distributed = engine.compute_spark_metrics(spark, frames, top=30, mode="distributed")
    assert isinstance(distributed, spark_frames.FrameMetrics)
    assert (driver.mode, distributed.mode, driver.components) == (
        "driver", "distributed", distributed.components)
    ours, theirs = list(distributed.metric_rows()), list(driver.metric_rows())
    columns = ("node_id", "kind", "in_degree", "out_degree", "in_degree_set", "out_degree_set",
               "component", "betweenness_method")
    assert [[r[c] for c in columns] for r in ours] == [[r[c] for c in columns] for r in theirs]
    assert max(abs(a["pagerank"] - b["pagerank"]) for a, b in zip(ours, theirs)) < 1e-6
    assert (distributed.cocitations, distributed.couplings, distributed.cohesion, distributed.edges) \
        == (driver.cocitations, driver.couplings, driver.cohesion, driver.edges)
    assert (distributed.count, distributed.components, distributed.betweenness_method) == (
        50, len({r["component"] for r in theirs}), driver.betweenness_method)
    tables = list(distributed.metric_tables(batch=20))
    assert [t.num_rows for t in tables] == [20, 20, 10]
    assert tables[0].column("node_id").to_pylist() == [r["node_id"] for r in ours[:20]]
    with pytest.raises(InputError, match="Spark mode 'cluster'"):
        engine.compute_spark_metrics(spark, frames, mode="cluster")


def test_auto_mode_keeps_the_links_on_the_driver_only_while_they_fit_its_memory():
    from types import SimpleNamespace

    def session(memory):
        return SimpleNamespace(conf=SimpleNamespace(get=lambda key, default: memory))

    budget_links = int(engine._bytes("8g") * engine.DRIVER_SHARE) // engine.DRIVER_BYTES_PER_LINK
    assert engine.choose_mode(session("8g"), budget_links) == "driver"
    assert engine.choose_mode(session("8g"), budget_links + 1) == "distributed"
    assert engine.choose_mode(session("1g"), 100_000_000) == "distributed"  # 2.4 GB of links
    assert engine.choose_mode(session("16g"), 100_000_000) == "driver"
