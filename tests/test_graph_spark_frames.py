"""The Spark engine's distributed path (DataFrame operations only) gives the NetworkX engine's rows.

Local mode, two cores; skipped with the reason only where pyspark or Java is
missing (test_graph_spark's rules).
"""

import random

import pytest

from test_graph_spark import networkx_rows, random_graph, spark  # noqa: F401

from litgraph.graph import spark as engine  # noqa: E402
from litgraph.errors import InputError  # noqa: E402
from litgraph.graph import spark_frames  # noqa: E402


DISTRIBUTED = "spark; betweenness networkx-scipy"
DRIVER = "spark; degrees, pagerank, components scipy; betweenness networkx-scipy"


def networkx_expected(nodes, links, set_nodes, listed, top=50, **metric_options):
    """NetworkX's rows on the links the engine keeps (no self-links, only between known
    nodes; duplicates and origins count once), and the number of distinct edges."""
    known = {node["id"] for node in nodes}
    kept = [link for link in links if link[0] != link[1] and link[0] in known and link[1] in known]
    return (networkx_rows(nodes, kept, set_nodes, listed, top=top, **metric_options),
            len({(a, b) for a, b, _o in kept}))


def assert_rows_match(result, expected, engine_name):
    (metrics, cocitations, couplings, cohesion), edges = expected
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
    assert result.edges == edges


def assert_same(spark, nodes, links, set_nodes, listed, top=50, **options):
    """The distributed path, as ``compute_spark_metrics(mode="distributed")`` takes it, on
    ``links`` as given, against NetworkX."""
    expected = networkx_expected(nodes, links, set_nodes, listed, top=top)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    result = engine.compute_spark_metrics(spark, frames, top=top, mode="distributed", **options)
    assert isinstance(result, spark_frames.FrameMetrics) and result.mode == "distributed"
    assert_rows_match(result, expected, DISTRIBUTED)
    return result


def disjoint_union(*graphs):
    """Several graphs as one, each node id prefixed by its graph's place: a Spark run costs
    seconds whatever its size, so one run checks them all (NetworkX sees the same union)."""
    nodes, links, set_nodes, listed = [], [], set(), {}
    for k, (g_nodes, g_links, g_set, g_listed) in enumerate(graphs):
        name = f"g{k}-".__add__
        nodes += [{**node, "id": name(node["id"])} for node in g_nodes]
        links += [(name(a), name(b), *rest) for a, b, *rest in g_links]
        set_nodes |= {name(node) for node in g_set}
        listed.update({name(doc): {name(n) for n in members} for doc, members in g_listed.items()})
    return nodes, links, set_nodes, listed


def noisy_graph():
    """A random graph with self-links, one pair under two origins, repeated rows and links
    to and from an unknown node."""
    nodes, links, set_nodes, listed = random_graph(40, 80, seed=5)
    ids = [node["id"] for node in nodes]
    noisy = (links + [(ids[0], ids[0], "document"), (ids[3], ids[3], "elink-refs")]
             + [(a, b, "pubmed-refs") for a, b, _o in links[:20]]  # the same pair, another origin
             + links[:10]  # the same row twice
             + [(ids[1], "nowhere", "document"), ("nowhere", ids[2], "document")])
    return nodes, noisy, set_nodes, listed


def test_random_and_noisy_graphs_give_the_networkx_rows(spark):  # noqa: F811
    graphs = []
    for seed in (1, 2, 3, 4):
        rng = random.Random(seed)
        graphs.append(random_graph(rng.randrange(20, 120), rng.randrange(30, 300), seed=seed))
    graphs.append(noisy_graph())
    result = assert_same(spark, *disjoint_union(*graphs), top=400)
    assert result.pagerank_iterations > 1 and result.component_iterations >= 1
    assert result.components >= len(graphs)
    rows = list(result.metric_rows())
    tables = list(result.metric_tables(batch=100))  # what the store writes, in batches
    assert [t.num_rows for t in tables] == [min(100, len(rows) - i) for i in range(0, len(rows), 100)]
    assert [n for t in tables for n in t.column("node_id").to_pylist()] == [
        r["node_id"] for r in rows]


def test_a_single_link_and_nodes_without_links(spark):  # noqa: F811
    nodes = [{"id": i, "kind": "source"} for i in "aecdb"]
    result = assert_same(spark, nodes, [("a", "b", "document")], {"a"},
                         {"d": {"a", "b"}, "empty": set()})
    rows = {r["node_id"]: (r["in_degree"], r["out_degree"], r["component"])
            for r in result.metric_rows()}
    assert rows == {"a": (0, 1, 0), "b": (1, 0, 0), "c": (0, 0, 1), "d": (0, 0, 2),
                    "e": (0, 0, 3)}
    assert result.cocitations == [] and result.couplings == []
    assert result.cohesion == [{"document_id": "d", "sources": 2, "citing_pairs": 1,
                                "density": 0.5},
                               {"document_id": "empty", "sources": 0, "citing_pairs": 0,
                                "density": None}]


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
    result = spark_frames.compute_frame_metrics(spark, frames, top=40, max_list=2,
                                                betweenness_max_links=0)
    assert result.cocitations == cocitation_pairs(G, top=40, max_list=2)
    assert result.couplings == coupling_pairs(G, top=40, max_list=2)
    assert result.cocitations != cocitation_pairs(G, top=40)  # the bound did leave lists out
    assert next(result.metric_rows())["betweenness_method"].startswith("not computed")
    # Another bound, through the pair step alone (the rest of the run does not depend on it).
    indexed, _count = spark_frames._index_nodes(frames.nodes, spark_frames._parts(spark))
    numbered = spark_frames._number_links(frames.links, indexed, spark_frames._parts(spark))
    for name, item, listed_by, column, expected in (
            ("co-citation", "t", "s", "count", cocitation_pairs(G, top=40, max_list=5)),
            ("coupling", "s", "t", "strength", coupling_pairs(G, top=40, max_list=5))):
        found = spark_frames.top_pairs(numbered, item, listed_by, top=40, max_list=5)
        assert spark_frames._named_pairs(indexed, found, column) == expected, name


def test_a_100000_node_graph_gives_the_networkx_rows_on_both_paths(spark):  # noqa: F811
    nodes, links, set_nodes, listed = random_graph(100_000, 150_000, seed=7, set_fraction=0.1,
                                                   documents=20)
    sampled = {"sample_k": 50}  # betweenness from 50 sources: each engine draws the same ones
    expected = networkx_expected(nodes, links, set_nodes, listed, **sampled)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    driver = engine.compute_spark_metrics(spark, frames, top=50, mode="driver", **sampled)
    assert driver.mode == "driver" and driver.pagerank_iterations >= 2
    assert_rows_match(driver, expected, DRIVER)
    distributed = engine.compute_spark_metrics(spark, frames, top=50, mode="distributed", **sampled)
    assert distributed.pagerank_iterations >= 2 and distributed.component_iterations >= 2
    assert_rows_match(distributed, expected, DISTRIBUTED)


def test_an_unknown_spark_mode_is_refused(spark):  # noqa: F811
    frames = engine.frames_from_rows(spark, [{"id": "a", "kind": "source"}], [], {"a"}, {})
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
