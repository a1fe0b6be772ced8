"""The citation graph: nodes and citing -> cited links from the database and E-utilities.

``build_graph(db, client)`` is the stage the ``graph`` command runs, in named steps:

1. ``read_links`` turns what the documents state into nodes and links of
   origin ``document`` (``links.read_reference_graph``): a document cites each
   source in its list; a PubMed record page's "Citing Articles" cite the page's
   own article.  It then fetches the neighbours (``links.add_entrez_links``):
   elink (``pubmed_pubmed_refs``, ``pubmed_pubmed_citedin``) and the PubMed
   reference lists about every resolved PMID, in batches, keeping the works
   outside the reference set they reach as ``external`` nodes, up to a depth
   and a cap; and, with ``links_from``, a file of PMID pairs (``bulk``).
2. ``compute_metrics_with`` computes the metrics (``litgraph.graph.metrics``
   on a NetworkX graph, or ``litgraph.graph.spark``).
3. ``store.save_graph(db, ...)`` replaces nodes, links, metrics and the pair
   tables in one transaction: a reader sees the old graph or the new one, never half.

A link keeps every origin that states it: one row per (citing, cited, origin).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Optional

import networkx as nx

from ..errors import InputError
from ..model import citation_direction
from ..store import save_graph, set_build_info
from .arrays import networkx_rows
from .links import (ORIGINS, LinkClient, ReferenceGraph, add_entrez_links, external_id,
                    external_node, read_reference_graph)
from .metrics import cocitation_pairs, compute_metrics, coupling_pairs, document_cohesion

__all__ = [
    "ORIGINS", "ReferenceGraph", "LinkClient", "read_reference_graph", "add_entrez_links",
    "to_networkx", "save_graph", "build_graph", "external_id", "external_node",
    "citation_direction", "GraphInputs", "GraphMetrics", "MetricSettings", "read_links",
    "compute_metrics_with", "compute_metrics", "cocitation_pairs", "coupling_pairs",
    "document_cohesion",
]

log = logging.getLogger(__name__)

ENGINES = ("networkx", "spark")
TOP_PAIRS = 1000


def to_networkx(nodes, links, multigraph=False):
    """A DiGraph (or a MultiDiGraph keyed by origin) with node rows as attributes.

    In the DiGraph each edge carries ``origins``: its origins joined by ``;``
    in ORIGINS order.
    """
    if multigraph:
        G = nx.MultiDiGraph()
        G.add_nodes_from((row["id"], row) for row in nodes)
        G.add_edges_from((c, d, o, {"origin": o}) for c, d, o in links)
        return G
    G = nx.DiGraph()
    G.add_nodes_from((row["id"], row) for row in nodes)
    origins = {}
    for citing, cited, origin in links:
        origins.setdefault((citing, cited), set()).add(origin)
    rank = {o: i for i, o in enumerate(ORIGINS)}
    G.add_edges_from(
        (c, d, {"origins": ";".join(sorted(found, key=lambda o: (rank.get(o, len(rank)), o)))})
        for (c, d), found in origins.items()
    )
    return G


@dataclass
class GraphInputs:
    """Where the links come from: E-utilities (``client``, ``depth``, ``cap``) and a bulk file."""

    client: Optional[LinkClient] = None  # None: the documents' own lists only
    depth: int = 1
    cap: int = 500
    links_from: Optional[str] = None  # a CSV or Parquet file of citing,referenced PMID pairs
    bulk_scope: str = "neighbourhood"


@dataclass
class MetricSettings:
    """Which engine computes the metrics, and how exactly."""

    engine: str = "networkx"
    betweenness_exact_max: int = 5000
    sample_k: int = 500
    spark_master: Optional[str] = None
    spark_mode: str = "auto"  # driver, distributed, or auto (by the driver's memory)


@dataclass
class GraphMetrics:
    """Every row the graph stage stores besides nodes and links."""

    metrics: list
    cocitations: list
    couplings: list
    cohesion: list
    edges: int  # distinct citing -> cited pairs
    pagerank: dict = field(default_factory=dict)  # node id -> PageRank


def read_links(db, inputs: GraphInputs) -> ReferenceGraph:
    """The documents' nodes and links, then those E-utilities and the bulk file add."""
    graph = read_reference_graph(db)
    log.info("graph: %d nodes and %d document links from the database",
             len(graph.nodes), len(graph.links))
    if inputs.client is not None:
        add_entrez_links(graph, inputs.client, depth=inputs.depth, cap=inputs.cap)
    if inputs.links_from is not None:
        from .bulk import add_bulk_links, read_bulk_pairs

        added = add_bulk_links(graph, read_bulk_pairs(inputs.links_from), scope=inputs.bulk_scope)
        log.info("graph: %d bulk links from %s", added, inputs.links_from)
    for message in graph.messages:
        log.warning("graph: %s", message)
    return graph


def _networkx_metrics(nodes, links, graph, settings: MetricSettings) -> GraphMetrics:
    # From one adjacency of the sorted rows: the rows to_networkx and the metrics functions
    # give, without the NetworkX graph (100 MB and 3 s at 20,000 sources)
    metrics, cocitations, couplings, cohesion, edges = networkx_rows(
        nodes, links, graph.set_nodes, graph.documents, settings.betweenness_exact_max,
        settings.sample_k, TOP_PAIRS)
    for row in metrics:
        row["engine"] = "networkx"
    return GraphMetrics(metrics=metrics, cocitations=cocitations, couplings=couplings,
                        cohesion=cohesion, edges=edges)


def _spark_metrics(nodes, links, graph, settings: MetricSettings) -> GraphMetrics:
    from . import spark as spark_engine

    session = spark_engine.spark_session(settings.spark_master)
    try:
        frames = spark_engine.frames_from_rows(session, nodes, links, graph.set_nodes,
                                               graph.documents)
        result = spark_engine.compute_spark_metrics(
            session, frames, top=TOP_PAIRS, betweenness_exact_max=settings.betweenness_exact_max,
            sample_k=settings.sample_k, mode=settings.spark_mode)
        metrics = list(result.metric_rows())
    finally:
        session.stop()
    return GraphMetrics(metrics=metrics, cocitations=result.cocitations,
                        couplings=result.couplings, cohesion=result.cohesion,
                        edges=len({(c, d) for c, d, _o in links}))


def compute_metrics_with(nodes, links, graph: ReferenceGraph,
                         settings: MetricSettings) -> GraphMetrics:
    """The metrics, pair and cohesion rows of the graph, by the engine ``settings`` names."""
    compute = _spark_metrics if settings.engine == "spark" else _networkx_metrics
    result = compute(nodes, links, graph, settings)
    result.pagerank = {row["node_id"]: row["pagerank"] for row in result.metrics}
    return result


def graph_counts(nodes, links, graph: ReferenceGraph, computed: GraphMetrics, engine) -> dict:
    """What build_graph reports: nodes by kind, links by origin, edges, components, pairs."""
    counts = {"nodes": len(nodes)}
    kinds = Counter(n["kind"] for n in nodes)
    for kind in ("source", "document", "external"):
        counts[f"{kind}_nodes"] = kinds[kind]
    counts["links"] = len(links)
    origins = Counter(map(itemgetter(2), links))  # one pass over the links, not one per origin
    for origin in ORIGINS:
        counts[f"links_{origin}"] = origins[origin]
    counts["edges"] = computed.edges
    counts["engine"] = engine
    counts["components"] = len({row["component"] for row in computed.metrics})
    counts["betweenness"] = (computed.metrics[0]["betweenness_method"] if computed.metrics
                             else "exact")
    counts["cocitation_pairs"] = len(computed.cocitations)
    counts["coupling_pairs"] = len(computed.couplings)
    counts["links_beyond_cap"] = graph.counts.get("links_beyond_cap", 0)
    return counts


def build_graph(db, client, depth=1, cap=500, progress=False, betweenness_exact_max=5000,
                sample_k=500, messages=None, engine="networkx", links_from=None,
                bulk_scope="neighbourhood", spark_master=None, spark_mode="auto",
                build_info=None) -> dict:
    """Build the citation graph and its metrics from the database and E-utilities; store them.

    Parameters
    ----------
    db : sqlite_utils.Database
        A database whose sources, documents and citations are loaded.
    client : LinkClient or None
        Asked for elink, efetch reference lists and esummary (an EntrezClient);
        ``None`` builds from the documents' own lists only.
    depth, cap : int
        How many link steps beyond the reference set to follow, and how many
        external works to admit at most.
    progress : bool
        Accepted for the pipeline's common signature; this stage reports
        through logging (``-v``) instead of a bar.
    messages : list, optional
        Receives one line per E-utilities call that failed (the build goes on
        without those links).
    engine : {"networkx", "spark"}
        Which engine computes the metrics: NetworkX in this process (the
        default), or Spark (``litgraph.graph.spark``; ``spark_master`` or the
        usual Spark configuration says where it runs; ``spark_mode`` whether the
        metrics are computed on Spark's driver or with DataFrame operations
        across its executors, ``auto`` choosing by the driver's memory).
    links_from : path, optional
        A CSV or Parquet file of citing/referenced PMID pairs, read as links of
        origin ``bulk`` (``litgraph.graph.bulk``); ``bulk_scope`` says which:
        ``neighbourhood`` (a pair with at least one end in the reference set)
        or ``all``.
    build_info : mapping, optional
        Set in build_info in the transaction that saves the graph (NetworkX engine; after
        Spark's save otherwise).

    Returns
    -------
    dict
        Counts: nodes by kind, links by origin, edges (distinct citing/cited
        pairs), components, the betweenness method and pair rows stored.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown graph engine {engine!r}: choose one of {', '.join(ENGINES)}")
    graph = read_links(db, GraphInputs(client=client, depth=depth, cap=cap,
                                       links_from=None if engine == "spark" else links_from,
                                       bulk_scope=bulk_scope))
    if messages is not None:
        messages.extend(graph.messages)
    if engine == "spark":  # Spark reads the bulk file: its rows never become Python rows
        from .spark_build import build_with_spark

        counts = build_with_spark(db, graph, links_from, bulk_scope, spark_master,
                                  betweenness_exact_max, sample_k, TOP_PAIRS, mode=spark_mode)
        if build_info:
            set_build_info(db, **build_info)
        return counts
    nodes = [graph.nodes[k] for k in sorted(graph.nodes)]
    # (citing, cited, origin) in a fixed order, so that a rebuild stores the same rows in the
    # same order; one text per link sorts in 0.64 s where the triples take 1.45 s (620,000
    # links).  It is the triples' order while no id holds a NUL character.
    links = sorted(graph.links, key="\x00".join)
    graph.links.clear()  # the sorted list holds the same triples: let the set's table go
    computed = compute_metrics_with(nodes, links, graph, MetricSettings(
        engine=engine, betweenness_exact_max=betweenness_exact_max, sample_k=sample_k,
        spark_master=spark_master, spark_mode=spark_mode))
    save_graph(db, nodes, links, computed.metrics, computed.cocitations, computed.couplings,
               computed.cohesion, build_info=build_info)
    log.info("graph: stored %d nodes, %d links; top PageRank %s", len(nodes), len(links),
             max(computed.pagerank, key=computed.pagerank.get) if computed.pagerank else None)
    return graph_counts(nodes, links, graph, computed, engine)
