"""The citation graph: links by origin, external works, metrics, atomic replacement."""

import itertools
import math
import random
import sqlite3
import threading
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litgraph.entrez import FetchResult
from litgraph.errors import EntrezError, InputError
from litgraph.graph import (LinkClient, build_graph, citation_direction, read_reference_graph,
                            to_networkx)
from litgraph.graph.metrics import (adjacency_matrix, betweenness_scores, cocitation_pairs,
                                    compute_metrics, coupling_pairs, document_cohesion, node_order)
from litgraph.store import open_db, save_graph

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ a small hand-built corpus
#
# Taken from seed 004 (the PubMed record page of PMID 27882721) and seed 001,
# which both list Serrano & George 2013 (PMID 24093170).  Only identifiers the
# documents state are used.

PAGE = "004_0ac93ed9c6525e3e"
REVIEW = "001_a7b665464bb06ded"
CITING = ["40051557", "38634045", "37977843", "37752948", "37720343"]  # "Citing Articles"
SOURCES = [
    {"id": "pmid-27882721", "pmid": "27882721", "title": "Survival of Patients with Metastatic "
     "Leiomyosarcoma: the MD Anderson Clinical Center for Targeted Therapy Experience", "year": 2016},
    {"id": "helman-2003", "doi": "10.1038/nrc1168", "title": "Mechanisms of sarcoma development",
     "year": 2003},
    {"id": "grothey-2004", "doi": "10.1200/jco.2004.11.037", "year": 2004},
    {"id": "serrano-2013", "pmid": "24093170", "doi": "10.1016/j.hoc.2013.07.002",
     "title": "Leiomyosarcoma", "year": 2013, "evidence_level": 5},
    {"id": "bathan-2013", "doi": "10.1097/cco.0b013e3283622c77", "year": 2013},
    {"id": "tap-2016", "doi": "10.1016/s0140-6736(16)30587-6", "year": 2016},
    {"id": "miller-2010", "pmid": "20090506", "doi": "10.1097/pas.0b013e3181cad8c9", "year": 2010},
] + [{"id": f"pmid-{p}", "pmid": p} for p in CITING]
CITED_BY_PAGE = ["helman-2003", "grothey-2004", "serrano-2013", "bathan-2013", "tap-2016"]


def make_db(path):
    db = open_db(path)
    db["sources"].insert_all([{**s, "status": "resolved" if s.get("pmid") else "unresolved"}
                              for s in SOURCES], pk="id")
    db["documents"].insert_all([
        {"id": PAGE, "title": "PMID 27882721 record page", "kind": "pubmed-record",
         "source_id": "pmid-27882721"},
        {"id": REVIEW, "title": "Renal Leiomyosarcoma", "kind": "clinical-review"},
    ], pk="id")
    rows = [{"document_id": PAGE, "source_id": f"pmid-{p}", "label": "Citing Articles",
             "line": 10 + i} for i, p in enumerate(CITING)]
    rows += [{"document_id": PAGE, "source_id": s, "label": f"{i + 1}.", "line": 40 + i}
             for i, s in enumerate(CITED_BY_PAGE)]
    rows += [{"document_id": REVIEW, "source_id": "serrano-2013", "label": "[7]", "line": 135},
             {"document_id": REVIEW, "source_id": "miller-2010", "label": "[3]", "line": 120}]
    db["citations"].insert_all(rows, pk=("document_id", "source_id", "line"))
    return db


class FakeClient:
    """Answers like EntrezClient (litgraph.graph.LinkClient) from a small link table, counting calls."""

    def __init__(self, refs=None, citedin=None, references=None, summaries=None, fail=()):
        self.refs, self.citedin = refs or {}, citedin or {}
        self.references, self.summary = references or {}, summaries or {}
        self.calls, self.fail = [], set(fail)

    def elink(self, pmids, linkname):
        self.calls.append(("elink", linkname, tuple(pmids)))
        if linkname in self.fail:
            raise EntrezError(f"elink {linkname}: HTTP 500 after 6 tries")
        table = self.refs if linkname == "pubmed_pubmed_refs" else self.citedin
        return {p: list(table.get(p, [])) for p in pmids}

    def fetch_pubmed(self, pmids):
        self.calls.append(("efetch", tuple(pmids)))

        class Record:  # the one field of a PubmedRecord the graph reads
            def __init__(self, references):
                self.references = references

        return FetchResult(records={p: Record(self.references[p]) for p in pmids
                                    if p in self.references})

    def summaries(self, pmids):
        self.calls.append(("esummary", tuple(pmids)))
        return {p: self.summary[p] for p in pmids if p in self.summary}


def test_the_fake_and_the_real_client_both_implement_link_client():
    from litgraph.entrez import EntrezClient

    class NoSummaries:  # a client the graph could not ask for the externals' titles
        def elink(self, pmids, linkname):
            return {}

        def fetch_pubmed(self, pmids):
            return FetchResult()

    assert isinstance(FakeClient(), LinkClient)
    with EntrezClient("http://127.0.0.1:9/entrez/eutils/", rate=0) as client:
        assert isinstance(client, LinkClient)
    assert not isinstance(NoSummaries(), LinkClient)


def rows(db, sql, params=()):
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


# ------------------------------------------------------------------ document links

def test_citation_direction_reads_the_label():
    assert citation_direction("Citing Articles") == "cited-by"
    assert citation_direction("Cited by") == "cited-by"
    assert citation_direction("[12]") == "cites"
    assert citation_direction("3.") == "cites"
    assert citation_direction(None) == "cites"


def test_document_links_follow_the_record_page_and_merge_a_shared_source(tmp_path):
    db = make_db(tmp_path / "g.db")
    counts = build_graph(db, None)
    links = rows(db, "select citing_id, cited_id, origin from links order by 1, 2")
    expected = sorted(
        [(f"pmid-{p}", "pmid-27882721", "document") for p in CITING]
        + [("pmid-27882721", s, "document") for s in CITED_BY_PAGE]
        + [(REVIEW, "miller-2010", "document"), (REVIEW, "serrano-2013", "document")]
    )
    assert links == expected
    # Serrano 2013 is one node with two incoming document edges.
    assert rows(db, "select citing_id from links where cited_id = 'serrano-2013' order by 1") == [
        (REVIEW,), ("pmid-27882721",)]
    assert rows(db, "select id, kind, pmid, doi, evidence_level from nodes where id = 'serrano-2013'") \
        == [("serrano-2013", "source", "24093170", "10.1016/j.hoc.2013.07.002", 5)]
    # The record page is its article's node, not a document node; the review is a document node.
    assert rows(db, "select id, kind from nodes where kind = 'document'") == [(REVIEW, "document")]
    assert counts["nodes"] == len(SOURCES) + 1
    assert counts["links"] == counts["links_document"] == 12
    assert counts["external_nodes"] == 0


def test_a_citing_article_named_again_on_another_line_still_cites_the_page(tmp_path):
    db = make_db(tmp_path / "g.db")
    db["citations"].insert({"document_id": PAGE, "source_id": "pmid-40051557",
                            "label": "Fetch PMID", "line": 12})
    db.conn.commit()
    links = read_reference_graph(db).links
    assert ("pmid-40051557", "pmid-27882721", "document") in links
    assert ("pmid-27882721", "pmid-40051557", "document") not in links


def test_excluded_sources_and_self_citations_are_left_out(tmp_path):
    db = make_db(tmp_path / "g.db")
    db.execute("update sources set excluded = 1 where id = 'miller-2010'")
    db.execute("update sources set stale = 1 where id = 'grothey-2004'")
    db["citations"].insert({"document_id": PAGE, "source_id": "pmid-27882721", "label": "PMID",
                            "line": 1})
    db.conn.commit()
    graph = read_reference_graph(db)
    assert "miller-2010" not in graph.nodes and "grothey-2004" not in graph.nodes
    assert "tap-2016" in graph.nodes
    assert not any(c == d for c, d, _ in graph.links)
    assert graph.documents[REVIEW] == {"serrano-2013"}


def test_a_source_that_did_not_resolve_lends_its_node_no_identifiers(tmp_path):
    """Its PMID is only as a document states it, and may be another paper's: the node shows
    none, and PubMed's links of that PMID are not given to it."""
    db = make_db(tmp_path / "g.db")
    db.execute("update sources set status = 'unresolved', doi = '10.1000/stated' "
               "where id = 'serrano-2013'")
    db.conn.commit()
    graph = read_reference_graph(db)
    serrano, miller = graph.nodes["serrano-2013"], graph.nodes["miller-2010"]
    assert (serrano["pmid"], serrano["doi"]) == (None, None)
    assert serrano["title"] == "Leiomyosarcoma"  # what the document cites stays its label
    assert miller["pmid"] == "20090506"
    assert "24093170" not in graph.pmid_nodes and graph.pmid_nodes["20090506"] == "miller-2010"


# ------------------------------------------------------------------ E-utilities links

def seed_client():
    return FakeClient(
        refs={"27882721": ["24093170", "911111111"]},
        citedin={"24093170": ["27882721", "40051557", "922222222"], "20090506": ["922222222"]},
        references={"27882721": ["24093170", "933333333"]},
        summaries={"922222222": {"title": "External citing work", "year": "2019", "doi": "10.5555/x"}},
    )


def test_elink_and_reference_list_links_keep_each_origin(tmp_path):
    db = make_db(tmp_path / "g.db")
    client = seed_client()
    counts = build_graph(db, client, depth=1, cap=500)
    origins = rows(db, "select origin from links where citing_id = 'pmid-27882721' "
                       "and cited_id = 'serrano-2013' order by 1")
    assert origins == [("document",), ("elink-citedin",), ("elink-refs",), ("pubmed-references",)]
    assert rows(db, "select citing_id, cited_id, origin from links where origin != 'document' "
                    "and citing_id != 'pmid-27882721' order by 1, 2") == [
        ("pmid-40051557", "serrano-2013", "elink-citedin"),
        ("pmid:922222222", "miller-2010", "elink-citedin"),
        ("pmid:922222222", "serrano-2013", "elink-citedin"),
    ]
    assert rows(db, "select id, kind, title, year, pmid, doi from nodes where kind = 'external' "
                    "order by id") == [
        ("pmid:911111111", "external", None, None, "911111111", None),
        ("pmid:922222222", "external", "External citing work", 2019, "922222222", "10.5555/x"),
        ("pmid:933333333", "external", None, None, "933333333", None),
    ]
    assert counts["external_nodes"] == 3
    assert counts["links_elink-refs"] == 2 and counts["links_pubmed-references"] == 2


def test_elink_is_asked_once_per_link_name_with_every_pmid(tmp_path):
    db = make_db(tmp_path / "g.db")
    client = seed_client()
    build_graph(db, client, depth=1)
    elinks = [c for c in client.calls if c[0] == "elink"]
    set_pmids = tuple(sorted(["27882721", "24093170", "20090506", *CITING], key=int))
    assert sorted(elinks) == [("elink", "pubmed_pubmed_citedin", set_pmids),
                              ("elink", "pubmed_pubmed_refs", set_pmids)]
    assert [c for c in client.calls if c[0] == "esummary"] == [
        ("esummary", ("911111111", "922222222", "933333333"))]


def test_both_link_names_are_in_flight_together(tmp_path):
    """Neither elink waits for the other's answer: each waits here until both are asked
    (asked one after the other, the first would wait in vain and the build fail)."""
    db = make_db(tmp_path / "g.db")
    client = seed_client()
    both_asked = threading.Barrier(2, timeout=10)
    ask = client.elink

    def elink(pmids, linkname):
        both_asked.wait()
        return ask(pmids, linkname)

    client.elink = elink
    counts = build_graph(db, client, depth=0)
    assert counts["links_elink-refs"] and counts["links_elink-citedin"]


def test_depth_zero_keeps_links_inside_the_set_only(tmp_path):
    db = make_db(tmp_path / "g.db")
    counts = build_graph(db, seed_client(), depth=0)
    assert counts["external_nodes"] == 0
    assert rows(db, "select count(*) from nodes where kind = 'external'") == [(0,)]
    assert counts["links_beyond_cap"] == 4  # 911111111, 933333333 and two from 922222222


def test_cap_admits_the_most_linked_externals_first(tmp_path):
    db = make_db(tmp_path / "g.db")
    counts = build_graph(db, seed_client(), depth=1, cap=1)
    assert rows(db, "select id from nodes where kind = 'external'") == [("pmid:922222222",)]
    assert counts["links_beyond_cap"] == 2


def test_depth_two_follows_links_of_external_works(tmp_path):
    db = make_db(tmp_path / "g.db")
    client = seed_client()
    client.refs["922222222"] = ["944444444"]
    build_graph(db, client, depth=2)
    assert rows(db, "select citing_id, cited_id, origin from links where cited_id = 'pmid:944444444'") \
        == [("pmid:922222222", "pmid:944444444", "elink-refs")]
    second = [c for c in client.calls if c[0] == "elink"][2:]  # both link names asked together
    assert sorted(second) == [("elink", "pubmed_pubmed_citedin", ("911111111", "922222222", "933333333")),
                              ("elink", "pubmed_pubmed_refs", ("911111111", "922222222", "933333333"))]


def test_a_failing_elink_is_recorded_and_the_rest_is_built(tmp_path):
    db = make_db(tmp_path / "g.db")
    client = seed_client()
    client.fail = {"pubmed_pubmed_citedin"}
    messages = []
    counts = build_graph(db, client, messages=messages)
    assert messages == ["elink pubmed_pubmed_citedin failed, its links are missing from the graph: "
                        "elink pubmed_pubmed_citedin: HTTP 500 after 6 tries"]
    assert counts["links_elink-citedin"] == 0
    assert counts["links_elink-refs"] == 2 and counts["links_document"] == 12


# ------------------------------------------------------------------ metrics stored

def test_metrics_have_a_row_per_node_and_pagerank_sums_to_one(tmp_path):
    db = make_db(tmp_path / "g.db")
    build_graph(db, seed_client())
    node_ids = rows(db, "select id from nodes order by id")
    assert rows(db, "select node_id from metrics order by node_id") == node_ids
    (total,), = rows(db, "select sum(pagerank) from metrics")
    assert total == pytest.approx(1.0, abs=1e-9)
    assert rows(db, "select in_degree, out_degree, in_degree_set, out_degree_set, "
                    "betweenness_method, component from metrics where node_id = 'serrano-2013'") \
        == [(4, 0, 3, 0, "exact", 0)]
    # The review's two sources: Serrano is cited by the PMID 922222222 external,
    # which also cites Miller, but neither of the review's sources cites the other.
    assert rows(db, "select * from document_cohesion order by document_id") == [
        (REVIEW, 2, 0, 0.0), (PAGE, 10, 1, 1 / 90)]
    assert rows(db, "select * from cocitations where source_a = 'miller-2010'") == [
        ("miller-2010", "serrano-2013", 2)]


def test_rebuilding_replaces_the_graph(tmp_path):
    db = make_db(tmp_path / "g.db")
    build_graph(db, seed_client())
    first = rows(db, "select * from links order by 1, 2, 3")
    build_graph(db, seed_client())
    assert rows(db, "select * from links order by 1, 2, 3") == first
    build_graph(db, None)
    assert rows(db, "select count(*) from links where origin != 'document'") == [(0,)]
    assert rows(db, "select count(*) from nodes where kind = 'external'") == [(0,)]


def test_a_failed_write_leaves_the_previous_graph_whole(tmp_path):
    db = make_db(tmp_path / "g.db")
    build_graph(db, seed_client())
    before = {t: rows(db, f"select * from {t} order by 1, 2") for t in ("nodes", "links", "metrics")}
    bad_links = [("a", "b", "document"), ("a", "b", "document")]  # violates the primary key
    with pytest.raises(sqlite3.IntegrityError):
        save_graph(db, [{"id": "a"}, {"id": "b"}], bad_links)
    after = {t: rows(db, f"select * from {t} order by 1, 2") for t in ("nodes", "links", "metrics")}
    assert after == before


def test_a_reader_sees_the_old_graph_while_a_new_one_is_written(tmp_path):
    path = tmp_path / "g.db"
    db = make_db(path)
    build_graph(db, None)
    reader = sqlite3.connect(path, timeout=0)
    seen = []

    def links_then_look():
        yield ("x", "y", "document")
        # The writer has deleted the old graph and inserted this link, uncommitted.
        seen.append(reader.execute("select count(*) from links").fetchone()[0])

    def failing_rows():
        raise RuntimeError("simulated failure mid-write")
        yield  # pragma: no cover

    with pytest.raises(RuntimeError, match="simulated"):
        save_graph(db, [{"id": "x"}, {"id": "y"}], links_then_look(), cocitations=failing_rows())
    assert seen == [12]
    assert reader.execute("select count(*) from links").fetchone()[0] == 12
    assert rows(db, "select count(*) from nodes") == [(len(SOURCES) + 1,)]


# ------------------------------------------------------------------ metric functions, checked independently

def brute_force_betweenness(G):
    """Betweenness from every shortest path listed explicitly (networkx-free)."""
    nodes = list(G)
    n = len(nodes)
    score = dict.fromkeys(nodes, 0.0)
    for s, t in itertools.permutations(nodes, 2):
        try:
            paths = list(nx.all_shortest_paths(G, s, t))
        except nx.NetworkXNoPath:
            continue
        for v in nodes:
            if v not in (s, t):
                score[v] += sum(1 for p in paths if v in p) / len(paths)
    return {v: c / ((n - 1) * (n - 2)) for v, c in score.items()}


SIX = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("e", "f"),
                  ("b", "e"), ("f", "a")])


def test_betweenness_matches_brute_force_on_six_nodes():
    rows_ = {r["node_id"]: r for r in compute_metrics(SIX, set(SIX))}
    brute = brute_force_betweenness(SIX)
    for node, value in brute.items():
        assert rows_[node]["betweenness"] == pytest.approx(value, abs=1e-12)
    # The cycle a -> b -> e -> f -> a carries most paths: a, e and f each lie on
    # 16.5 of the 30 ordered pairs' shortest paths; c only on half of a -> d.
    assert [brute[v] for v in "abcdef"] == pytest.approx([0.55, 0.225, 0.075, 0.2, 0.55, 0.55])


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=3, max_value=25), st.floats(min_value=0.05, max_value=0.4),
       st.integers(min_value=0, max_value=10_000))
def test_betweenness_equals_networkx_exact_and_sampled(n, p, seed):
    G = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    nodelist = node_order(G)
    A = adjacency_matrix(G, nodelist)
    exact = nx.betweenness_centrality(G)
    mine = betweenness_scores(A)
    assert all(mine[i] == pytest.approx(exact[v], abs=1e-12) for i, v in enumerate(nodelist))
    k = max(2, n // 3)
    picked = random.Random(seed).sample(list(G.nodes()), k)
    index = {v: i for i, v in enumerate(nodelist)}
    sampled = nx.betweenness_centrality(G, k=k, seed=seed)
    mine = betweenness_scores(A, [index[v] for v in picked])
    assert all(mine[i] == pytest.approx(sampled[v], abs=1e-12) for i, v in enumerate(nodelist))


def test_large_graphs_get_sampled_betweenness_and_say_so():
    G = nx.gnp_random_graph(40, 0.1, seed=1, directed=True)
    result = compute_metrics(G, set(G), betweenness_exact_max=30, sample_k=10, seed=4)
    assert {r["betweenness_method"] for r in result} == {"sampled k=10 seed=4"}
    expected = nx.betweenness_centrality(G, k=10, seed=4)
    assert all(r["betweenness"] == pytest.approx(expected[r["node_id"]], abs=1e-12) for r in result)


def test_degrees_pagerank_and_components_on_a_known_graph():
    G = nx.DiGraph([("doc", "a"), ("doc", "b"), ("x", "a"), ("a", "b"), ("p", "q")])
    G.add_node("lonely")
    result = {r["node_id"]: r for r in compute_metrics(G, {"doc", "a", "b", "lonely"})}
    assert {v: (r["in_degree"], r["out_degree"], r["in_degree_set"], r["out_degree_set"])
            for v, r in result.items()} == {
        "a": (2, 1, 1, 1), "b": (2, 0, 2, 0), "doc": (0, 2, 0, 2), "x": (0, 1, 0, 1),
        "p": (0, 1, 0, 0), "q": (1, 0, 0, 0), "lonely": (0, 0, 0, 0)}
    assert {v: r["component"] for v, r in result.items()} == {
        "a": 0, "b": 0, "doc": 0, "x": 0, "p": 1, "q": 1, "lonely": 2}
    # NetworkX iterated far past its default, to the fixed point: ours stops when the whole
    # vector moves less than 1e-6, so it is within alpha / (1 - alpha) x 1e-6 of it
    expected = nx.pagerank(G, tol=1e-15, max_iter=1000)
    assert all(abs(r["pagerank"] - expected[v]) < 6e-6 for v, r in result.items())
    assert math.fsum(r["pagerank"] for r in result.values()) == pytest.approx(1.0)


def test_pagerank_converges_whatever_the_number_of_nodes():
    # NetworkX's default rule stops when the vector moves less than N x 1e-6: over 300,000 nodes
    # that accepts a change of 0.3 of the whole rank mass.  The engines' rule does not grow with N.
    import numpy as np

    from litgraph.graph.metrics import PAGERANK_TOLERANCE, adjacency_from_arrays
    from litgraph.graph.arrays import pagerank  # both engines' one-machine iteration (NumPy)

    n, rng = 300_000, np.random.default_rng(3)
    A = adjacency_from_arrays(rng.integers(0, n, 1_200_000), rng.integers(0, n, 1_200_000), n)
    fixed_point, _ = pagerank(A, tol=1e-13, max_iter=1000)
    ours, iterations = pagerank(A)
    loose, loose_iterations = pagerank(A, tol=n * 1e-6)  # NetworkX's default rule
    assert np.abs(ours - fixed_point).sum() < 6 * PAGERANK_TOLERANCE
    assert np.abs(loose - fixed_point).sum() > 100 * PAGERANK_TOLERANCE
    assert loose_iterations < iterations <= 200


def test_a_multigraph_counts_each_citing_pair_once():
    G = to_networkx([{"id": "a"}, {"id": "b"}],
                    [("a", "b", "document"), ("a", "b", "elink-refs")], multigraph=True)
    assert G.number_of_edges() == 2
    (a, b) = compute_metrics(G, {"a", "b"})
    assert (a["out_degree"], b["in_degree"]) == (1, 1)


def test_empty_and_single_node_graphs():
    assert compute_metrics(nx.DiGraph(), set()) == []
    assert cocitation_pairs(nx.DiGraph()) == [] and coupling_pairs(nx.DiGraph()) == []
    G = nx.DiGraph()
    G.add_node("only", kind="source")
    assert compute_metrics(G, {"only"}) == [{
        "node_id": "only", "kind": "source", "in_degree": 0, "out_degree": 0, "in_degree_set": 0,
        "out_degree_set": 0, "pagerank": 1.0, "betweenness": 0.0, "betweenness_method": "exact",
        "component": 0}]
    assert document_cohesion(G, {"d": []}) == [
        {"document_id": "d", "sources": 0, "citing_pairs": 0, "density": None}]


def test_bad_parameters_are_input_errors():
    with pytest.raises(InputError):
        compute_metrics(SIX, set(), sample_k=0)
    with pytest.raises(InputError):
        cocitation_pairs(SIX, top=-1)


def brute_pairs(G, through):
    """Count pairs by hand: ``through(w)`` is the list a pair must share."""
    counts = {}
    for w in G:
        for a, b in itertools.combinations(sorted(through(w)), 2):
            counts[(a, b)] = counts.get((a, b), 0) + 1
    return counts


@pytest.mark.parametrize("chunk_products", [1, 37, None])  # a row per chunk, a few, all at once
def test_cocitation_and_coupling_match_counting_by_hand(chunk_products, monkeypatch):
    from litgraph.graph import metrics

    if chunk_products:
        monkeypatch.setattr(metrics, "PAIR_CHUNK_PRODUCTS", chunk_products)
    G = nx.gnp_random_graph(30, 0.2, seed=11, directed=True)
    G = nx.relabel_nodes(G, {v: f"n{v:02d}" for v in G})
    cocited = brute_pairs(G, lambda w: G.successors(w))
    coupled = brute_pairs(G, lambda w: G.predecessors(w))
    got = {(r["source_a"], r["source_b"]): r["count"] for r in cocitation_pairs(G, top=10_000)}
    assert got == cocited
    got = {(r["source_a"], r["source_b"]): r["strength"] for r in coupling_pairs(G, top=10_000)}
    assert got == coupled
    top = cocitation_pairs(G, top=5)
    ranked = sorted(cocited.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert [((r["source_a"], r["source_b"]), r["count"]) for r in top] == ranked


def test_long_lists_are_left_out_of_pair_counts():
    G = nx.DiGraph([("hub", t) for t in "abcdef"] + [("x", "a"), ("x", "b")])
    assert cocitation_pairs(G, max_list=5) == [{"source_a": "a", "source_b": "b", "count": 1}]
    assert cocitation_pairs(G, max_list=6)[0] == {"source_a": "a", "source_b": "b", "count": 2}


# ------------------------------------------------------------------ against the stand-in, through the real client

def test_against_the_stand_in_the_citing_articles_come_back_from_elink(tmp_path):
    server = pytest.importorskip("litgraph.stub.server")
    from litgraph.entrez import EntrezClient

    db = make_db(tmp_path / "g.db")
    with server.StandIn(rate_limit=None) as stand_in, \
            EntrezClient(stand_in.base_url, rate=0, batch_size=3) as client:
        counts = build_graph(db, client)
        stats = stand_in.stats()
    # 9 resolved PMIDs in batches of 3: 3 requests per link name, never one per PMID.
    assert stats["elink.fcgi"] == 6
    assert stats["efetch.fcgi"] == 3
    # The fixture records state the five "Citing Articles" cite 27882721 (seed 004).
    citedin = rows(db, "select citing_id from links where cited_id = 'pmid-27882721' "
                       "and origin = 'elink-citedin' order by 1")
    assert citedin == [(f"pmid-{p}",) for p in sorted(CITING)]
    assert rows(db, "select count(*) from links where cited_id = 'pmid-27882721' "
                    "and origin = 'document'") == [(5,)]
    assert counts["links_elink-citedin"] >= 5 and counts["links_elink-refs"] >= 5


def test_against_a_synthetic_stand_in_elink_makes_one_request_per_batch(tmp_path):
    server = pytest.importorskip("litgraph.stub.server")
    from litgraph.entrez import EntrezClient
    from litgraph.stub.synthetic import synthetic_pmid

    db = open_db(tmp_path / "s.db")
    db["sources"].insert_all([{"id": f"synthetic-{n}", "pmid": synthetic_pmid(n),
                               "status": "resolved"} for n in range(1, 451)], pk="id")
    with server.StandIn(rate_limit=None, synthetic=2000) as stand_in, \
            EntrezClient(stand_in.base_url, rate=0, batch_sizes="elink=200") as client:
        counts = build_graph(db, client, depth=1, cap=100)
        stats = stand_in.stats()
    assert client.batch("elink") == 200
    assert stats["elink.fcgi"] == 2 * 3  # 450 PMIDs: batches of 200, 200, 50 per link name
    assert stats["esummary.fcgi"] == 1  # 100 external works in one batch
    assert counts["external_nodes"] == 100
    assert rows(db, "select count(*) from nodes where kind = 'external' and title is not null") \
        == [(100,)]
    assert counts["links_elink-refs"] > 0 and counts["links_elink-citedin"] > 0


def test_a_build_of_the_seed_documents_gives_the_record_pages_links(built_demo, built_project):
    # The session's build of the demo (conftest.built_demo); the test reads a private copy.
    stats = built_demo.served
    db = open_db(built_project / "db" / "litgraph.db")
    assert rows(db, "select source_id from documents where id = ?", [PAGE]) == [("pmid-27882721",)]
    assert rows(db, "select citing_id from links where cited_id = 'pmid-27882721' "
                    "and origin = 'document' order by 1") == [
        ("cui-2025",), ("liu-2024",), ("oliveira-2023",), ("pandita-2023",), ("vignoli-2023",)]
    assert rows(db, "select cited_id from links where citing_id = 'pmid-27882721' "
                    "and origin = 'document' order by 1") == [
        ("bathan-2013",), ("grothey-2004",), ("helman-2003",), ("serrano-2013",), ("tap-2016",)]
    # Serrano & George 2013 (PMID 24093170), listed by seeds 001 and 004: one node, two
    # incoming document edges (seed 001 is the StatPearls chapter, PMID 32491531).
    assert rows(db, "select id from nodes where pmid = '24093170' or doi = "
                    "'10.1016/j.hoc.2013.07.002'") == [("serrano-2013",)]
    assert rows(db, "select citing_id from links where cited_id = 'serrano-2013' "
                    "and origin = 'document' order by 1") == [("pmid-27882721",), ("pmid-32491531",)]
    # What elink says is kept beside what the document says, each with its origin.
    assert rows(db, "select origin from links where citing_id = 'cui-2025' "
                    "and cited_id = 'pmid-27882721' order by 1") == [
        ("document",), ("elink-citedin",), ("elink-refs",), ("pubmed-references",)]
    # One elink request per link name: every resolved PMID fits one batch of 200.
    assert stats["elink.fcgi"] == 2
    assert rows(db, "select count(*) from metrics") == rows(db, "select count(*) from nodes")
    (total,), = rows(db, "select sum(pagerank) from metrics")
    assert total == pytest.approx(1.0, abs=1e-9)
    graph_counts = built_demo.report["stages"][-1]["counts"]
    assert graph_counts["links_document"] == rows(db, "select count(*) from links "
                                                      "where origin = 'document'")[0][0]


@pytest.mark.parametrize("module", ["litgraph.model", "litgraph.graph.metrics", "litgraph.export"])
def test_the_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("seed", range(6))
def test_the_graph_stage_rows_are_networkx_s_on_random_graphs(seed):
    # The graph stage computes from one SciPy adjacency (graph.arrays); NetworkX's graph and
    # networkx.pagerank are the oracle: the same rows, PageRank to the last bit.
    import random

    from litgraph.graph.arrays import networkx_rows
    from litgraph.graph.metrics import document_cohesion

    rng = random.Random(seed)
    ids = sorted(f"n{i:03d}" for i in range(rng.randint(2, 60)))
    nodes = [{"id": i, "kind": rng.choice(["source", "document", "external"])} for i in ids]
    links = sorted({(rng.choice(ids), rng.choice(ids), rng.choice(["document", "elink-refs"]))
                    for _ in range(rng.randint(1, 240))})  # self-links, two origins per edge
    set_nodes = set(rng.sample(ids, len(ids) // 2))
    documents = {"d1": set(rng.sample(ids, min(8, len(ids)))), "d2": {ids[0]}, "d3": set()}
    exact_max = rng.choice([0, 10_000])  # sampled or exact betweenness
    got = networkx_rows(nodes, links, set_nodes, documents, exact_max, 7, 25)
    G = to_networkx(nodes, links)
    assert got[0] == compute_metrics(G, set_nodes, betweenness_exact_max=exact_max, sample_k=7)
    assert got[1] == cocitation_pairs(G, top=25)
    assert got[2] == coupling_pairs(G, top=25)
    assert got[3] == document_cohesion(G, documents)
    assert got[4] == G.number_of_edges()
