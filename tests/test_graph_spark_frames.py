"""The Spark engine's two paths (links on the driver; DataFrame operations only) give the
NetworkX engine's rows.

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


def test_the_empty_graph_has_no_rows(spark):  # noqa: F811
    frames = engine.frames_from_rows(spark, [], [], set(), {})
    result = spark_frames.compute_frame_metrics(spark, frames)
    assert list(result.metric_rows()) == []
    assert (result.cocitations, result.couplings, result.cohesion, result.edges) == ([], [], [], 0)


def test_the_pair_step_leaves_long_lists_out_as_networkx_does(spark):  # noqa: F811
    from litgraph.graph import to_networkx
    from litgraph.graph.metrics import cocitation_pairs, coupling_pairs

    # The pair step alone: the whole run with a bound is in the 100,000-node test below.
    nodes, links, set_nodes, listed = random_graph(30, 200, seed=9)
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    G = to_networkx(nodes, links)
    indexed, count = spark_frames._index_nodes(frames.nodes, spark_frames._parts(spark))
    numbered = spark_frames._number_links(frames.links, indexed, spark_frames._parts(spark))
    for max_list in (2, 5):
        for name, item, listed_by, column, expected in (
                ("co-citation", "t", "s", "count", cocitation_pairs(G, top=40, max_list=max_list)),
                ("coupling", "s", "t", "strength", coupling_pairs(G, top=40, max_list=max_list))):
            found = spark_frames.top_pairs(numbered, item, listed_by, top=40, max_list=max_list)
            assert spark_frames._named_pairs(indexed, found, column) == expected, (name, max_list)
    assert cocitation_pairs(G, top=40, max_list=2) != cocitation_pairs(G, top=40)  # lists left out
    # Betweenness over its bound of links is not computed, and the run says so.
    assert spark_frames._betweenness(spark, indexed, numbered, count, 200, exact_max=5000,
                                     sample_k=500, seed=0, max_links=199) == (
        None, "not computed: over 199 links (spark engine)")


def several_components():
    """Two triangles, a pair and a lone node: sizes 3, 3, 2, 1."""
    links = [("b", "a", "document"), ("c", "b", "document"), ("a", "c", "document"),
             ("x", "y", "document"), ("y", "z", "document"), ("p", "q", "document")]
    nodes = [{"id": i, "kind": "source"} for i in "abcpqxyzl"]
    return nodes, links, {"a", "x"}, {"d": {"a", "b", "c"}, "empty": set()}


def one_link():
    """One link, three nodes without links, and a document that lists nothing."""
    nodes = [{"id": i, "kind": "source"} for i in "aecdb"]
    return nodes, [("a", "b", "document")], {"a"}, {"d": {"a", "b"}, "empty": set()}


def test_a_100000_node_graph_and_small_ones_give_the_networkx_rows_on_both_paths(spark):  # noqa: F811
    # One graph of 100,000 nodes, random small ones, a noisy one and two drawn by hand,
    # side by side in one graph: a Spark run costs seconds whatever its size.
    graphs = [random_graph(100_000, 150_000, seed=7, set_fraction=0.1, documents=20),
              random_graph(60, 150, seed=1)]
    for seed in (2, 3, 4, 5):
        rng = random.Random(seed)
        graphs.append(random_graph(rng.randrange(20, 120), rng.randrange(30, 300), seed=seed))
    graphs += [noisy_graph(), several_components(), one_link()]
    nodes, links, set_nodes, listed = disjoint_union(*graphs)
    # Betweenness from 50 sources (each engine draws the same ones); a list of more than six
    # nodes is left out of the pairs (the small dense graphs have many).
    options = {"sample_k": 50, "max_list": 6}
    expected = networkx_expected(nodes, links, set_nodes, listed, top=400, **options)
    metrics = expected[0][0]
    assert max(r["out_degree"] for r in metrics) > 6 and max(r["in_degree"] for r in metrics) > 6
    frames = engine.frames_from_rows(spark, nodes, links, set_nodes, listed)
    driver = engine.compute_spark_metrics(spark, frames, top=400, mode="driver", **options)
    assert driver.mode == "driver" and driver.pagerank_iterations >= 2
    assert_rows_match(driver, expected, DRIVER)
    distributed = engine.compute_spark_metrics(spark, frames, top=400, mode="distributed",
                                               **options)
    assert distributed.pagerank_iterations >= 2 and distributed.component_iterations >= 2
    assert distributed.components >= len(graphs)
    assert_rows_match(distributed, expected, DISTRIBUTED)

    rows = list(distributed.metric_rows())
    tables = list(distributed.metric_tables(batch=10_000))  # what the store writes, in batches
    assert [t.num_rows for t in tables] == [min(10_000, len(rows) - i)
                                            for i in range(0, len(rows), 10_000)]
    assert [n for t in tables for n in t.column("node_id").to_pylist()] == [
        r["node_id"] for r in rows]

    # The hand-drawn graphs, read off by hand.  Components are numbered over the whole
    # graph, largest first, ties by smallest node id.
    by_node = {r["node_id"]: r for r in rows}
    hand = len(graphs) - 2
    component = {node: by_node[f"g{hand}-{node}"]["component"] for node in "abcpqxyzl"}
    assert (component["a"] == component["b"] == component["c"] < component["x"]
            == component["y"] == component["z"] < component["p"] == component["q"]
            < component["l"])
    one = {node: by_node[f"g{hand + 1}-{node}"] for node in "abcde"}
    assert {node: (r["in_degree"], r["out_degree"]) for node, r in one.items()} == {
        "a": (0, 1), "b": (1, 0), "c": (0, 0), "d": (0, 0), "e": (0, 0)}
    assert (one["a"]["component"] == one["b"]["component"] < one["c"]["component"]
            < one["d"]["component"] < one["e"]["component"])
    cohesion = {r["document_id"]: r for r in distributed.cohesion}
    assert cohesion[f"g{hand + 1}-d"] == {"document_id": f"g{hand + 1}-d", "sources": 2,
                                          "citing_pairs": 1, "density": 0.5}
    assert cohesion[f"g{hand + 1}-empty"] == {"document_id": f"g{hand + 1}-empty", "sources": 0,
                                              "citing_pairs": 0, "density": None}


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
