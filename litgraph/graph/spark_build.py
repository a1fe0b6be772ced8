"""``litgraph graph --engine spark``: the graph stage with the large parts kept in Spark.

``build_with_spark`` takes the reference graph that ``build_graph`` gathered
in Python (sources, documents, elink's neighbours: thousands of rows) and,
with ``--links-from``, reads the bulk citation file in Spark
(``bulk.read_bulk_frame``): the file's rows are mapped to nodes, filtered to
the neighbourhood and de-duplicated as DataFrame operations and never become
Python rows.  The metrics come from ``spark.compute_spark_metrics``; the
node, link and metrics rows then stream from Spark into ``save_graph`` a
partition at a time (one transaction, as the NetworkX engine writes).
"""

import heapq
import logging

from ..errors import InputError
from . import spark as engine
from .bulk import BULK_ORIGIN, SCOPES, read_bulk_frame

log = logging.getLogger(__name__)


def _partitions(frame):
    """The rows of ``frame`` as dicts, one partition (fetched as Arrow) at a time, in its order."""
    from pyspark.sql import functions as F

    frame = frame.localCheckpoint()
    for part in range(frame.rdd.getNumPartitions()):
        yield from frame.where(F.spark_partition_id() == part).toArrow().to_pylist()


def bulk_frames(spark, graph, path, scope):
    """The bulk file's new external nodes (``id``, ``pmid``) and links (``citing``, ``cited``).

    The same rows as ``bulk.add_bulk_links``: a PMID known to the graph is its
    node, any other becomes ``pmid:<n>``; scope ``neighbourhood`` keeps the
    pairs with a known end, ``all`` every pair; self-links are dropped.
    """
    from pyspark.sql import functions as F

    from .links import external_id

    if scope not in SCOPES:
        raise InputError(f"unknown bulk scope {scope!r}: choose one of {', '.join(SCOPES)}")
    pairs = read_bulk_frame(spark, path)
    known = spark.createDataFrame(sorted(graph.pmid_nodes.items()) or [("", "")],
                                  "pmid string, node string").where(F.col("pmid") != "")
    mapped = (pairs
              .join(F.broadcast(known.select(F.col("pmid").alias("citing"),
                                             F.col("node").alias("a"))), "citing", "left")
              .join(F.broadcast(known.select(F.col("pmid").alias("referenced"),
                                             F.col("node").alias("b"))), "referenced", "left"))
    if scope == "neighbourhood":
        mapped = mapped.where(F.col("a").isNotNull() | F.col("b").isNotNull())
    prefix = F.lit(external_id(""))
    mapped = mapped.select(
        "citing", "referenced", "a", "b",
        F.coalesce(F.col("a"), F.concat(prefix, F.col("citing"))).alias("citing_id"),
        F.coalesce(F.col("b"), F.concat(prefix, F.col("referenced"))).alias("cited_id"),
    ).localCheckpoint()
    new_nodes = (mapped.where(F.col("a").isNull()).select(F.col("citing").alias("pmid"))
                 .union(mapped.where(F.col("b").isNull()).select(F.col("referenced").alias("pmid")))
                 .distinct().select(F.concat(prefix, F.col("pmid")).alias("id"), "pmid"))
    links = (mapped.where(F.col("citing_id") != F.col("cited_id"))
             .select(F.col("citing_id").alias("citing"), F.col("cited_id").alias("cited"))
             .distinct())
    return new_nodes.localCheckpoint(), links.localCheckpoint()


def build_with_spark(db, graph, links_from=None, bulk_scope="neighbourhood", master=None,
                     betweenness_exact_max=5000, sample_k=500, top=1000, mode="auto") -> dict:
    """Metrics of ``graph`` plus the bulk file's links, computed and stored by the Spark engine.

    Returns the counts ``build_graph`` returns.
    """
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from ..store import save_graph
    from .links import ORIGINS

    owned = SparkSession.getActiveSession() is None  # a caller's session stays up
    session = engine.spark_session(master)
    try:
        base_nodes = [graph.nodes[k] for k in sorted(graph.nodes)]
        base_links = sorted(graph.links)
        node_frame = session.createDataFrame(
            [(row["id"], row["kind"], row["id"] in graph.set_nodes) for row in base_nodes],
            "id string, kind string, in_set boolean")
        link_frame = session.createDataFrame([(c, d) for c, d, _o in base_links],
                                             "citing string, cited string")
        bulk_nodes = session.createDataFrame([], "id string, pmid string")
        bulk_links = session.createDataFrame([], "citing string, cited string")
        if links_from is not None:
            bulk_nodes, bulk_links = bulk_frames(session, graph, links_from, bulk_scope)
        node_frame = node_frame.union(bulk_nodes.select(
            "id", F.lit("external").alias("kind"), F.lit(False).alias("in_set")))
        link_frame = link_frame.union(bulk_links)
        documents = engine.documents_frame(session, graph.documents)
        result = engine.compute_spark_metrics(
            session, engine.GraphFrames(node_frame, link_frame, documents), top=top,
            betweenness_exact_max=betweenness_exact_max, sample_k=sample_k, mode=mode)
        bulk_count = bulk_links.count()
        bulk_node_count = bulk_nodes.count()
        external_rows = ({"id": row["id"], "kind": "external", "title": None, "year": None,
                          "pmid": row["pmid"], "doi": None, "evidence_level": None, "synthetic": 0}
                         for row in _partitions(bulk_nodes.orderBy("id")))
        bulk_rows = ((row["citing"], row["cited"], BULK_ORIGIN)
                     for row in _partitions(bulk_links.orderBy("citing", "cited")))
        nodes = heapq.merge(base_nodes, external_rows, key=lambda row: row["id"])
        links = heapq.merge(base_links, bulk_rows)
        save_graph(db, nodes, links,
                   result.metric_rows(), result.cocitations, result.couplings, result.cohesion)
        components = result.components
    finally:
        if owned:
            session.stop()
    log.info("graph: %d bulk links from %s", bulk_count, links_from)
    counts = {"nodes": len(base_nodes) + bulk_node_count}
    for kind in ("source", "document", "external"):
        counts[f"{kind}_nodes"] = sum(1 for n in base_nodes if n["kind"] == kind) + \
            (bulk_node_count if kind == "external" else 0)
    counts["links"] = len(base_links) + bulk_count
    for origin in ORIGINS:
        counts[f"links_{origin}"] = sum(1 for link in base_links if link[2] == origin) + \
            (bulk_count if origin == BULK_ORIGIN else 0)
    counts["edges"] = result.edges
    counts["engine"] = "spark"
    counts["spark_mode"] = result.mode  # driver or distributed (auto chooses by memory)
    counts["components"] = components
    counts["betweenness"] = result.betweenness_method
    counts["cocitation_pairs"] = len(result.cocitations)
    counts["coupling_pairs"] = len(result.couplings)
    counts["links_beyond_cap"] = graph.counts.get("links_beyond_cap", 0)
    graph.counts["bulk_links"] = graph.counts.get("bulk_links", 0) + bulk_count
    log.info("graph: stored %d nodes, %d links (spark engine)", counts["nodes"], counts["links"])
    return counts
