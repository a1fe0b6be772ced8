"""The Spark engine: the citation graph's metrics as DataFrame operations.

``litgraph graph --engine spark`` uses this module when a graph outgrows one
NetworkX graph in memory (tens of millions of links and more).  It computes
the same rows as ``litgraph.graph.metrics`` — degrees within the set and
overall, PageRank, weakly connected components, the top co-citation and
bibliographic-coupling pairs and document cohesion — with Spark DataFrame
operations, so that the work spreads over a cluster's executors or, in local
mode, over the cores of one machine without holding the graph in Python.

The rows agree with the NetworkX engine: the same node order (ids sorted as
text), PageRank with NetworkX's iteration and stopping rule (damping 0.85,
dangling nodes spread evenly, stop when the L1 change is under N x 1e-6),
components numbered from 0 for the largest (ties: lowest node id), pairs ranked
by count, then ids.  Betweenness has no DataFrame form here: it is computed
with the sparse-matrix code of ``metrics`` (exact or sampled) when the graph
has at most ``betweenness_max_links`` links, and left empty above that, and
every metrics row says which engine computed what (``engine`` column).

Inputs are DataFrames with these columns (``frames_from_parquet`` reads them
from Parquet files, ``frames_from_rows`` builds them from Python rows):

* nodes: ``id`` (string), ``kind`` (string), ``in_set`` (boolean: a source or
  document of the reference set);
* links: ``citing``, ``cited`` (strings, node ids; several origins of one pair
  count once);
* documents: ``document_id``, ``node_id`` (the sources each document lists; a
  document that lists none has one row with a null ``node_id``).

pyspark is an optional extra (``pip install 'litgraph[spark]'``) and needs a
Java runtime; nothing here is imported by the NetworkX engine.
"""

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..errors import InputError, LitgraphError

ENGINE = "spark"
ALPHA = 0.85  # NetworkX's default damping
TOLERANCE = 1e-6  # NetworkX's default: stop when the L1 change is under N * TOLERANCE
MAX_ITERATIONS = 100  # NetworkX's default
BETWEENNESS_MAX_LINKS = 5_000_000  # above this the Spark engine leaves betweenness empty


class SparkUnavailable(LitgraphError):
    """pyspark or a Java runtime is missing."""

    exit_code = 2


@dataclass
class GraphFrames:
    """The three input DataFrames of the engine."""

    nodes: object
    links: object
    documents: object


@dataclass
class SparkMetrics:
    """What the engine computed: metrics rows (streamed) and the small tables."""

    metrics: object  # DataFrame, one row per node, ordered by node_id
    cocitations: list = field(default_factory=list)
    couplings: list = field(default_factory=list)
    cohesion: list = field(default_factory=list)
    pagerank_iterations: int = 0
    component_iterations: int = 0
    timings: dict = field(default_factory=dict)

    def metric_rows(self) -> Iterator[dict]:
        """The metrics rows as dicts, in node id order, without collecting them all at once."""
        for row in self.metrics.toLocalIterator():
            yield row.asDict()


def spark_session(master: Optional[str] = None, app_name: str = "litgraph", config=None):
    """A SparkSession: ``master`` (``local[*]`` when not given and not configured), plus ``config``.

    The usual Spark configuration (``spark-defaults.conf`` in ``SPARK_CONF_DIR``,
    ``PYSPARK_SUBMIT_ARGS``) applies as for any PySpark program; ``master``
    overrides it (``spark://host:7077``, ``yarn``, ``k8s://...``).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'litgraph[spark]' "
                               "(and a Java runtime, e.g. Debian's default-jre-headless)") from None
    builder = SparkSession.builder.appName(app_name)
    settings = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                "spark.sql.shuffle.partitions": "8"}
    settings.update(config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    if master:
        builder = builder.master(master)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: no Java, or a wrong master URL
        raise SparkUnavailable(f"Spark did not start ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0] if str(exc) else 'no message'}); "
                               "is a Java runtime installed (java -version)?") from None
    if not master and session.sparkContext.master in (None, ""):
        raise SparkUnavailable("no Spark master configured")
    session.sparkContext.setLogLevel("ERROR")
    return session


def frames_from_rows(spark, nodes, links, set_nodes, documents) -> GraphFrames:
    """Input frames from Python rows: node dicts (``id``, ``kind``), (citing, cited[, origin]) links,
    the reference set's node ids and ``{document_id: node ids}``.  For small graphs (the demo)."""
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType

    set_nodes = set(set_nodes)
    node_schema = StructType([StructField("id", StringType(), False),
                              StructField("kind", StringType(), True),
                              StructField("in_set", BooleanType(), False)])
    pair_schema = StructType([StructField("citing", StringType(), False),
                              StructField("cited", StringType(), False)])
    member_schema = StructType([StructField("document_id", StringType(), False),
                                StructField("node_id", StringType(), True)])
    node_frame = spark.createDataFrame(
        [(row["id"], row.get("kind"), row["id"] in set_nodes) for row in nodes], node_schema)
    pairs = sorted({(link[0], link[1]) for link in links})
    link_frame = spark.createDataFrame(pairs, pair_schema)
    # A document that lists nothing still has its cohesion row: one row with no node.
    members = sorted({(d, n) for d, listed in documents.items() for n in listed}
                     | {(d, None) for d, listed in documents.items() if not listed},
                     key=lambda row: (row[0], row[1] or ""))
    document_frame = spark.createDataFrame(members, member_schema)
    return GraphFrames(node_frame, link_frame, document_frame)


def frames_from_parquet(spark, nodes_path, links_path, documents_path=None) -> GraphFrames:
    """Input frames from Parquet files (or folders) with the columns named in the module docstring."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    nodes = spark.read.parquet(str(nodes_path))
    links = spark.read.parquet(str(links_path)).select(
        F.col("citing").cast("string"), F.col("cited").cast("string"))
    if documents_path:
        documents = spark.read.parquet(str(documents_path))
    else:
        schema = StructType([StructField("document_id", StringType(), False),
                             StructField("node_id", StringType(), False)])
        documents = spark.createDataFrame([], schema)
    for name, frame, columns in (("nodes", nodes, {"id", "kind", "in_set"}),
                                 ("links", links, {"citing", "cited"}),
                                 ("documents", documents, {"document_id", "node_id"})):
        missing = columns - set(frame.columns)
        if missing:
            raise InputError(f"{name} Parquet lacks the column(s) {', '.join(sorted(missing))}")
    return GraphFrames(nodes, links, documents)


def _distinct_links(frames: GraphFrames):
    """Citing/cited pairs once each, without self-links and only between known nodes."""
    from pyspark.sql import functions as F

    ids = frames.nodes.select(F.col("id"))
    links = frames.links.where(F.col("citing") != F.col("cited")).distinct()
    links = links.join(ids.withColumnRenamed("id", "citing"), "citing", "left_semi")
    return links.join(ids.withColumnRenamed("id", "cited"), "cited", "left_semi")


def _degrees(nodes, links):
    """in_degree, out_degree, in_degree_set, out_degree_set per node id."""
    from pyspark.sql import functions as F

    in_set = nodes.select(F.col("id"), F.col("in_set"))
    with_sets = (links
                 .join(in_set.withColumnRenamed("id", "citing")
                       .withColumnRenamed("in_set", "citing_in_set"), "citing")
                 .join(in_set.withColumnRenamed("id", "cited")
                       .withColumnRenamed("in_set", "cited_in_set"), "cited"))
    incoming = with_sets.groupBy(F.col("cited").alias("id")).agg(
        F.count(F.lit(1)).alias("in_degree"),
        F.sum(F.col("citing_in_set").cast("long")).alias("in_degree_set"))
    outgoing = with_sets.groupBy(F.col("citing").alias("id")).agg(
        F.count(F.lit(1)).alias("out_degree"),
        F.sum(F.col("cited_in_set").cast("long")).alias("out_degree_set"))
    degrees = nodes.select("id", "kind").join(incoming, "id", "left").join(outgoing, "id", "left")
    return degrees.fillna(0, subset=["in_degree", "in_degree_set", "out_degree", "out_degree_set"])


def pagerank(nodes, links, count: int, alpha=ALPHA, tol=TOLERANCE, max_iter=MAX_ITERATIONS):
    """PageRank as NetworkX computes it, one DataFrame join per iteration.

    Returns ``(frame of id, pagerank; iterations)``.  Raises InputError when it
    does not converge in ``max_iter`` iterations, as NetworkX does.
    """
    from pyspark.sql import functions as F

    out_degree = links.groupBy("citing").agg(F.count(F.lit(1)).alias("out"))
    weighted = (links.join(out_degree, "citing")
                .select("citing", "cited", (F.lit(1.0) / F.col("out")).alias("w"))
                .localCheckpoint())
    has_links = out_degree.select(F.col("citing").alias("id"), F.lit(False).alias("dangling"))
    ranks = (nodes.select("id").join(has_links, "id", "left")
             .select("id", F.coalesce(F.col("dangling"), F.lit(True)).alias("dangling"),
                     F.lit(1.0 / count).alias("x"))
             .localCheckpoint())
    dangling_sum = (ranks.where("dangling").count()) / count
    for iteration in range(1, max_iter + 1):
        contributions = (weighted.join(ranks.select(F.col("id").alias("citing"), "x"), "citing")
                         .groupBy(F.col("cited").alias("id"))
                         .agg(F.sum(F.col("x") * F.col("w")).alias("c")))
        teleport = alpha * dangling_sum / count + (1.0 - alpha) / count
        ranks = (ranks.withColumnRenamed("x", "last").join(contributions, "id", "left")
                 .select("id", "dangling", "last",
                         (F.lit(alpha) * F.coalesce(F.col("c"), F.lit(0.0)) + F.lit(teleport))
                         .alias("x"))
                 .localCheckpoint())
        # One pass gives both the change (to stop) and the dangling mass of the next step.
        err, dangling_sum = ranks.agg(
            F.sum(F.abs(F.col("x") - F.col("last"))),
            F.sum(F.when(F.col("dangling"), F.col("x")).otherwise(F.lit(0.0)))).first()
        err, dangling_sum = err or 0.0, dangling_sum or 0.0
        ranks = ranks.select("id", "dangling", "x")
        if err < count * tol:
            return ranks.select("id", F.col("x").alias("pagerank")), iteration
    raise InputError(f"PageRank did not converge in {max_iter} iterations")


def weak_components(nodes, links, max_iter: int = 10_000):
    """Weakly connected components: ``(frame of id, component; iterations)``.

    Each node takes the smallest id among its neighbours' labels, then its
    label's label (pointer jumping), until nothing changes; a component's label
    is then its smallest node id.  Components are numbered from 0 for the
    largest, ties by smallest node id, as ``metrics._components`` does.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    undirected = (links.select(F.col("citing").alias("a"), F.col("cited").alias("b"))
                  .union(links.select(F.col("cited").alias("a"), F.col("citing").alias("b")))
                  .localCheckpoint())
    labels = nodes.select("id", F.col("id").alias("label")).localCheckpoint()
    iterations = 0
    while True:
        iterations += 1
        if iterations > max_iter:
            raise InputError(f"components did not settle in {max_iter} iterations")
        smallest = (undirected.join(labels.withColumnRenamed("id", "b"), "b")
                    .groupBy(F.col("a").alias("id")).agg(F.min("label").alias("m")))
        stepped = (labels.join(smallest, "id", "left")
                   .select("id", F.least(F.col("label"), F.coalesce(F.col("m"), F.col("label")))
                           .alias("label")))
        jumped = (stepped.alias("n")
                  .join(stepped.alias("p"), F.col("n.label") == F.col("p.id"), "left")
                  .select(F.col("n.id").alias("id"),
                          F.least(F.col("n.label"), F.coalesce(F.col("p.label"), F.col("n.label")))
                          .alias("label"))
                  .localCheckpoint())
        changed = (jumped.join(labels.withColumnRenamed("label", "before"), "id")
                   .where(F.col("label") != F.col("before")).limit(1).count())
        labels = jumped
        if not changed:
            break
    sizes = labels.groupBy("label").agg(F.count(F.lit(1)).alias("size"))
    order = Window.orderBy(F.col("size").desc(), F.col("label"))
    numbered = sizes.withColumn("component", F.row_number().over(order) - 1)
    return labels.join(numbered.select("label", "component"), "label").select("id", "component"), \
        iterations


def top_pairs(links, item: str, listed_by: str, top: int, max_list: int, column: str) -> list:
    """Pairs of ``item`` nodes that share ``listed_by`` nodes, with how many they share.

    Co-citation: items are cited works, lists the citing works' reference
    lists; coupling: items are citing works, lists the works they cite.  A list
    longer than ``max_list`` is left out, as in ``metrics._pair_rows``.
    """
    from pyspark.sql import functions as F

    if top < 0 or max_list < 1:
        raise InputError("top must be >= 0 and max_list >= 1")
    if top == 0:
        return []
    lengths = links.groupBy(listed_by).agg(F.count(F.lit(1)).alias("length"))
    kept = links.join(lengths.where(F.col("length") <= max_list).select(listed_by), listed_by,
                      "left_semi").select(listed_by, item)
    pairs = (kept.alias("x").join(kept.alias("y"), listed_by)
             .where(F.col(f"x.{item}") < F.col(f"y.{item}"))
             .groupBy(F.col(f"x.{item}").alias("source_a"), F.col(f"y.{item}").alias("source_b"))
             .agg(F.count(F.lit(1)).alias(column)))
    best = pairs.orderBy(F.col(column).desc(), "source_a", "source_b").limit(top).collect()
    return [{"source_a": r["source_a"], "source_b": r["source_b"], column: int(r[column])}
            for r in best]


def cohesion(nodes, links, documents) -> list:
    """``metrics.document_cohesion`` on DataFrames: listed sources, and the pairs among them that cite."""
    from pyspark.sql import functions as F

    members = documents.join(nodes.select(F.col("id").alias("node_id")), "node_id",
                             "left_semi").distinct()
    sizes = members.groupBy("document_id").agg(F.count(F.lit(1)).alias("sources"))
    citing = (links
              .join(members.withColumnRenamed("node_id", "citing"), "citing")
              .join(members.withColumnRenamed("node_id", "cited"), ["cited", "document_id"])
              .groupBy("document_id").agg(F.count(F.lit(1)).alias("citing_pairs")))
    all_documents = documents.select("document_id").distinct()
    rows = (all_documents.join(sizes, "document_id", "left").join(citing, "document_id", "left")
            .fillna(0, subset=["sources", "citing_pairs"]).orderBy("document_id").collect())
    return [{"document_id": r["document_id"], "sources": int(r["sources"]),
             "citing_pairs": int(r["citing_pairs"]),
             "density": (r["citing_pairs"] / (r["sources"] * (r["sources"] - 1))
                         if r["sources"] > 1 else None)} for r in rows]


def _betweenness(spark, nodes, links, node_count, link_count, exact_max, sample_k, seed,
                 max_links):
    """Betweenness from the sparse-matrix code of ``metrics``, or None above ``max_links``."""
    import random

    import numpy as np

    from .metrics import BETWEENNESS_EXACT, adjacency_from_arrays, betweenness_scores

    if link_count > max_links:
        return None, f"not computed: over {max_links:,} links (spark engine)"
    order = [r["id"] for r in nodes.select("id").orderBy("id").collect()]
    index = {node: i for i, node in enumerate(order)}
    pairs = links.select("citing", "cited").collect()
    rows = np.fromiter((index[p["citing"]] for p in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((index[p["cited"]] for p in pairs), dtype=np.int64, count=len(pairs))
    A = adjacency_from_arrays(rows, cols, node_count)
    if node_count <= exact_max:
        scores, method = betweenness_scores(A), BETWEENNESS_EXACT
    else:
        k = min(sample_k, node_count)
        # The same draw as metrics.compute_metrics: random.Random(seed).sample over the nodes.
        picked = random.Random(seed).sample(order, k)
        scores = betweenness_scores(A, [index[node] for node in picked])
        method = f"sampled k={k} seed={seed}"
    frame = spark.createDataFrame([(node, float(scores[i])) for i, node in enumerate(order)],
                                  "id string, betweenness double")
    return frame, method


def compute_spark_metrics(spark, frames: GraphFrames, top: int = 1000, max_list: int = 2000,
                          betweenness_exact_max: int = 5000, sample_k: int = 500, seed: int = 0,
                          betweenness_max_links: int = BETWEENNESS_MAX_LINKS):
    """Every metric of the graph, computed with Spark; rows as ``metrics.compute_metrics`` gives.

    The distributed path (``spark_frames.compute_frame_metrics``: DataFrame
    operations only, nodes numbered in id order first) computes them; its
    result has this module's ``SparkMetrics`` fields plus ``edges``.
    """
    from .spark_frames import compute_frame_metrics

    return compute_frame_metrics(spark, frames, top=top, max_list=max_list,
                                 betweenness_exact_max=betweenness_exact_max, sample_k=sample_k,
                                 seed=seed, betweenness_max_links=betweenness_max_links)
