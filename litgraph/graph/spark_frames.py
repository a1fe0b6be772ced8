"""The Spark engine's distributed path: every graph metric as DataFrame operations, for graphs larger than one driver."""

# The rows agree with the NetworkX engine (``metrics.compute_metrics`` and
# friends): nodes are numbered in id order first (``n``, a long that sorts as
# the id string does), so smallest ids and id ties come out the same while
# every shuffle moves numbers, not strings.  Frames that meet in a join are
# hash-partitioned by the join key into ``spark.sql.shuffle.partitions``
# parts once, so the per-iteration joins of PageRank and components do not
# shuffle the links again.  Nothing here collects the graph to the driver,
# except the links for betweenness up to ``betweenness_max_links``.

from dataclasses import dataclass, field
from typing import Iterator

from ..errors import InputError
from .metrics import (PAGERANK_ALPHA, PAGERANK_MAX_ITERATIONS, PAGERANK_TOLERANCE, Laps,
                      adjacency_from_arrays)
from .spark_numbering import (BETWEENNESS_MAX_LINKS, ENGINE, betweenness_left_out,
                              driver_betweenness, number_nodes)

METRIC_COLUMNS = (("node_id", "string"), ("kind", "string"), ("in_degree", "long"),
                  ("out_degree", "long"), ("in_degree_set", "long"), ("out_degree_set", "long"),
                  ("pagerank", "double"), ("betweenness", "double"),
                  ("betweenness_method", "string"), ("component", "long"), ("engine", "string"))


@dataclass
class FrameMetrics:
    """What the distributed path computed: metrics rows (a DataFrame, streamed) and the small tables.

    The fields callers read are those of ``spark.SparkMetrics`` (the driver path)."""

    metrics: object  # DataFrame, one row per node (METRIC_COLUMNS' names), ordered by node_id
    cocitations: list = field(default_factory=list)
    couplings: list = field(default_factory=list)
    cohesion: list = field(default_factory=list)
    pagerank_iterations: int = 0
    component_iterations: int = 0
    timings: dict = field(default_factory=dict)
    edges: int = 0  # distinct citing/cited pairs between known nodes, without self-links
    count: int = 0  # nodes
    components: int = 0  # weakly connected components
    mode: str = "distributed"  # which path computed it (spark.compute_spark_metrics)
    betweenness_method: str = ""

    def metric_rows(self) -> Iterator[dict]:
        """The metrics rows as dicts, in node id order, without collecting them all at once."""
        for row in self.metrics.toLocalIterator():
            yield row.asDict()

    def metric_tables(self, batch: int = 1_000_000) -> Iterator:
        """The metrics rows as pyarrow Tables of at most ``batch`` rows, in node id order."""
        import pyarrow as pa

        rows = []
        for row in self.metric_rows():
            rows.append(row)
            if len(rows) == batch:
                yield pa.Table.from_pylist(rows)
                rows = []
        if rows:
            yield pa.Table.from_pylist(rows)


def _parts(spark) -> int:
    return int(spark.conf.get("spark.sql.shuffle.partitions"))


def _index_nodes(nodes, parts):
    """``(frame of n, id, kind, in_set hash-partitioned by n; count)``: n is the place in id order,
    numbered as the driver path numbers it (``spark_numbering``)."""
    numbered, count = number_nodes(nodes)
    return (numbered.select("n", "id", "kind", "in_set").repartition(parts, "n")
            .localCheckpoint()), count


def _number_links(links, indexed, parts):
    """Distinct (s, t, s_set, t_set) by node number, no self-links, only known nodes; by s."""
    from pyspark.sql import functions as F

    ids = indexed.select("id", "n", "in_set")
    numbered = (links.select("citing", "cited")
                .join(ids.select(F.col("id").alias("citing"), F.col("n").alias("s"),
                                 F.col("in_set").alias("s_set")), "citing")
                .join(ids.select(F.col("id").alias("cited"), F.col("n").alias("t"),
                                 F.col("in_set").alias("t_set")), "cited")
                .where(F.col("s") != F.col("t")).select("s", "t", "s_set", "t_set"))
    # Partitioned by s, the duplicates meet without a second shuffle.
    return numbered.repartition(parts, "s").dropDuplicates(["s", "t"]).localCheckpoint()


def _degrees(nodes, links):
    """(n, in_degree, out_degree, in_degree_set, out_degree_set), by n."""
    from pyspark.sql import functions as F

    outgoing = links.groupBy(F.col("s").alias("n")).agg(
        F.count(F.lit(1)).alias("out_degree"),
        F.sum(F.col("t_set").cast("long")).alias("out_degree_set"))
    incoming = links.groupBy(F.col("t").alias("n")).agg(
        F.count(F.lit(1)).alias("in_degree"),
        F.sum(F.col("s_set").cast("long")).alias("in_degree_set"))
    return (nodes.select("n").join(incoming, "n", "left").join(outgoing, "n", "left")
            .fillna(0, subset=["in_degree", "in_degree_set", "out_degree", "out_degree_set"]))


def _settle(frame):
    """``frame`` cut from its lineage and kept, computed by the next action on it.

    Each iteration's frame is built from the last one twice (a join of the
    old values with what they produce), so without a cut every iteration
    would double the query plan.
    """
    return frame.localCheckpoint(eager=False)


def pagerank(nodes, links, count: int, alpha=PAGERANK_ALPHA, tol=PAGERANK_TOLERANCE,
             max_iter=PAGERANK_MAX_ITERATIONS):
    """PageRank as NetworkX computes it: ``(frame of n, pagerank; iterations)``.

    Each iteration: one co-partitioned join of the weighted links with the
    ranks, one partially aggregated shuffle of the contributions, and one
    pass that gives both the L1 change (to stop: under tol) and the next
    dangling mass.  Raises InputError when it does not converge, as NetworkX does.
    """
    from pyspark.sql import functions as F

    out_degree = links.groupBy("s").agg(F.count(F.lit(1)).alias("out"))
    weighted = (links.join(out_degree, "s")
                .select("s", "t", (F.lit(1.0) / F.col("out")).alias("w")).localCheckpoint())
    ranks = (nodes.select("n").join(out_degree.select(F.col("s").alias("n"), "out"), "n", "left")
             .select("n", F.col("out").isNull().alias("dangling"),
                     F.lit(1.0 / count).alias("x")).localCheckpoint())
    dangling_sum = ranks.where("dangling").count() / count
    for iteration in range(1, max_iter + 1):
        contributions = (weighted.join(ranks.select(F.col("n").alias("s"), "x"), "s")
                         .groupBy(F.col("t").alias("n"))
                         .agg(F.sum(F.col("x") * F.col("w")).alias("c")))
        teleport = alpha * dangling_sum / count + (1.0 - alpha) / count
        stepped = _settle(ranks.withColumnRenamed("x", "last").join(contributions, "n", "left")
                          .select("n", "dangling", "last",
                                  (F.lit(alpha) * F.coalesce(F.col("c"), F.lit(0.0))
                                   + F.lit(teleport)).alias("x")))
        err, dangling_sum = stepped.agg(
            F.sum(F.abs(F.col("x") - F.col("last"))),
            F.sum(F.when(F.col("dangling"), F.col("x")).otherwise(F.lit(0.0)))).first()
        err, dangling_sum = err or 0.0, dangling_sum or 0.0
        ranks = stepped.select("n", "dangling", "x")
        if err < tol:
            return ranks.select("n", F.col("x").alias("pagerank")), iteration
    raise InputError(f"PageRank did not converge in {max_iter} iterations")


def weak_components(nodes, links, parts: int, max_iter: int = 10_000):
    """Weakly connected components: ``(frame of n, component; iterations; how many)``.

    Min-label propagation with pointer jumping: each node takes the smallest
    label among itself and its neighbours, then its label's label, until no
    label changes (counted in the same pass).  A component's label is its
    smallest node number (= smallest id); components are numbered from 0 for
    the largest, ties by smallest node id, as ``metrics._components`` does.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    undirected = (links.select(F.col("s").alias("a"), F.col("t").alias("b"))
                  .union(links.select(F.col("t").alias("a"), F.col("s").alias("b")))
                  .repartition(parts, "b").localCheckpoint())
    labels = nodes.select("n", F.col("n").alias("label"))
    for iteration in range(1, max_iter + 1):
        smallest = (undirected.join(labels.select(F.col("n").alias("b"), "label"), "b")
                    .groupBy(F.col("a").alias("n")).agg(F.min("label").alias("m")))
        stepped = (labels.join(smallest, "n", "left")
                   .select("n", F.col("label").alias("before"),
                           F.least("label", F.coalesce("m", "label")).alias("label")))
        jumped = (stepped.alias("x")
                  .join(stepped.select(F.col("n").alias("p"), F.col("label").alias("pl")),
                        F.col("x.label") == F.col("p"), "left")
                  .select("n", "before",
                          F.least("label", F.coalesce("pl", "label")).alias("label")))
        settled = _settle(jumped)
        changed = settled.where(F.col("label") != F.col("before")).count()
        labels = settled.select("n", "label")
        if not changed:
            break
    else:
        raise InputError(f"components did not settle in {max_iter} iterations")
    sizes = labels.groupBy("label").agg(F.count(F.lit(1)).alias("size"))
    numbered = sizes.withColumn(
        "component", F.row_number().over(Window.orderBy(F.col("size").desc(), "label")) - 1)
    return (labels.join(numbered.select("label", "component"), "label").select("n", "component"),
            iteration, sizes.count())


def top_pairs(links, item: str, listed_by: str, top: int, max_list: int):
    """``(a, b, count)`` numbers of the ``top`` pairs of ``item`` nodes sharing ``listed_by`` nodes.

    Co-citation: item t (cited) listed by s; coupling: item s listed by t.  The
    links are grouped by the listing node; a list longer than ``max_list`` is
    left out, as in ``metrics._pair_rows``; each list's pairs (a < b) are
    generated inside its group and counted with partial aggregation; the
    ranking (count descending, then a, b) keeps a top-``top`` per partition
    before the global merge.
    """
    from pyspark.sql import functions as F

    lists = (links.groupBy(listed_by).agg(F.array_sort(F.collect_list(item)).alias("x"))
             .where((F.size("x") >= 2) & (F.size("x") <= max_list)))
    firsts = lists.select("x", F.posexplode("x").alias("i", "a"))
    pairs = firsts.select("a", F.explode(F.expr("slice(x, i + 2, size(x))")).alias("b"))
    counts = pairs.groupBy("a", "b").agg(F.count(F.lit(1)).alias("c"))
    best = counts.orderBy(F.col("c").desc(), "a", "b").limit(top).collect()
    return [(r["a"], r["b"], int(r["c"])) for r in best]


def _named_pairs(indexed, pairs, column):
    """Pair rows with node ids for node numbers (the few numbers looked up in one filter)."""
    from pyspark.sql import functions as F

    wanted = sorted({n for a, b, _c in pairs for n in (a, b)})
    names = {}
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start:start + 10_000]
        names.update((r["n"], r["id"]) for r in
                     indexed.where(F.col("n").isin(chunk)).select("n", "id").collect())
    return [{"source_a": names[a], "source_b": names[b], column: c} for a, b, c in pairs]


def cohesion(indexed, links, documents) -> list:
    """``metrics.document_cohesion``: listed sources per document, and the pairs among them that cite."""
    from pyspark.sql import functions as F

    members = (documents.join(indexed.select(F.col("id").alias("node_id"), "n"), "node_id")
               .select("document_id", "n").distinct().localCheckpoint())
    sizes = members.groupBy("document_id").agg(F.count(F.lit(1)).alias("sources"))
    # The members are few (the reference set's documents): every task gets them.
    citing = (links.join(F.broadcast(members.select("document_id", F.col("n").alias("s"))), "s")
              .join(F.broadcast(members.select("document_id", F.col("n").alias("t"))),
                    ["t", "document_id"])
              .groupBy("document_id").agg(F.count(F.lit(1)).alias("citing_pairs")))
    all_documents = documents.select("document_id").distinct()
    rows = (all_documents.join(sizes, "document_id", "left").join(citing, "document_id", "left")
            .fillna(0, subset=["sources", "citing_pairs"]).orderBy("document_id").collect())
    return [{"document_id": r["document_id"], "sources": int(r["sources"]),
             "citing_pairs": int(r["citing_pairs"]),
             "density": (r["citing_pairs"] / (r["sources"] * (r["sources"] - 1))
                         if r["sources"] > 1 else None)} for r in rows]


def _betweenness(spark, indexed, links, count, link_count, exact_max, sample_k, seed, max_links):
    """Betweenness from the sparse-matrix code of ``metrics`` (links to the driver), or None above ``max_links``."""
    import numpy as np

    if link_count > max_links:
        return betweenness_left_out(max_links)
    pairs = links.select("s", "t").collect()
    rows = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    del pairs
    scores, method = driver_betweenness(indexed, adjacency_from_arrays(rows, cols, count),
                                        exact_max, sample_k, seed, max_links)
    frame = spark.createDataFrame([(i, float(s)) for i, s in enumerate(np.asarray(scores))],
                                  "n long, betweenness double")
    return frame, method


def compute_frame_metrics(spark, frames, top: int = 1000, max_list: int = 2000,
                          betweenness_exact_max: int = 5000, sample_k: int = 500, seed: int = 0,
                          betweenness_max_links: int = BETWEENNESS_MAX_LINKS) -> FrameMetrics:
    """Every metric of the graph with DataFrame operations; rows as ``metrics.compute_metrics`` gives.

    ``frames`` has ``nodes`` (id, kind, in_set), ``links`` (citing, cited) and
    ``documents`` (document_id, node_id) DataFrames (``spark.GraphFrames``).
    Each metrics row carries ``engine``: ``spark`` for the DataFrame columns,
    and which engine computed betweenness.
    """
    from pyspark.sql import functions as F

    if top < 0 or max_list < 1:
        raise InputError("top must be >= 0 and max_list >= 1")
    timings = {}
    lap = Laps(timings)

    parts = _parts(spark)
    nodes = frames.nodes.select("id", "kind", F.col("in_set").cast("boolean"))
    indexed, count = _index_nodes(nodes, parts)
    lap("number nodes")
    if count == 0:
        empty = spark.createDataFrame([], ", ".join(f"{c} {kind}" for c, kind in METRIC_COLUMNS))
        return FrameMetrics(metrics=empty, timings=timings, betweenness_method="exact")
    links = _number_links(frames.links, indexed, parts)
    link_count = links.count()
    lap("number links")
    degrees = _degrees(indexed, links).localCheckpoint()
    lap("degrees")
    ranks, pr_iterations = pagerank(indexed, links, count)
    ranks = ranks.localCheckpoint()
    lap("pagerank")
    components, cc_iterations, component_count = weak_components(indexed, links, parts)
    components = components.localCheckpoint()
    lap("components")
    between, method = _betweenness(spark, indexed, links, count, link_count,
                                   betweenness_exact_max, sample_k, seed, betweenness_max_links)
    engine = ENGINE if between is None else f"{ENGINE}; betweenness networkx-scipy"
    lap("betweenness")
    metrics = indexed.join(degrees, "n").join(ranks, "n").join(components, "n")
    metrics = (metrics.join(between, "n") if between is not None
               else metrics.withColumn("betweenness", F.lit(None).cast("double")))
    metrics = (metrics.orderBy("n").select(
        F.col("id").alias("node_id"), "kind",
        *(F.col(c).cast("long") for c in ("in_degree", "out_degree", "in_degree_set",
                                          "out_degree_set")),
        "pagerank", "betweenness", F.lit(method).alias("betweenness_method"),
        F.col("component").cast("long"), F.lit(engine).alias("engine")).localCheckpoint())
    lap("metrics rows")
    pairs = {}
    for name, item, listed_by, column in (("co-citation", "t", "s", "count"),
                                          ("coupling", "s", "t", "strength")):
        found = top_pairs(links, item, listed_by, top, max_list) if top else []
        pairs[name] = _named_pairs(indexed, found, column)
        lap(name)
    cohesion_rows = cohesion(indexed, links, frames.documents)
    lap("cohesion")
    return FrameMetrics(metrics=metrics, cocitations=pairs["co-citation"],
                        couplings=pairs["coupling"], cohesion=cohesion_rows,
                        pagerank_iterations=pr_iterations, component_iterations=cc_iterations,
                        timings=timings, edges=link_count, count=count,
                        components=component_count, betweenness_method=method)
