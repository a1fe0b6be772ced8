"""What both Spark paths share: node numbers (each node's place in id order, from one
sort), and betweenness over those numbers on the driver.

The driver path (``spark``) and the distributed path (``spark_frames``) number
the nodes the same way, so that their rows agree node for node.
"""

from .metrics import BETWEENNESS_EXACT, betweenness_scores, sampled_betweenness

ENGINE = "spark"
BETWEENNESS_MAX_LINKS = 5_000_000  # above this either Spark path leaves betweenness empty


def number_nodes(nodes):
    """Nodes with ``n``: their position in id order (0, 1, ...), as a long.

    Every later step works on these numbers instead of the id strings: they
    sort like the ids, so smallest ids and id ties come out the same, and they
    are cheaper to shuffle.  The numbers come from one sort: each sorted
    partition counts its rows and adds the rows before it.
    """
    from pyspark.sql import functions as F

    ordered = (nodes.orderBy("id")
               .withColumn("_m", F.monotonically_increasing_id())
               .withColumn("_p", F.shiftright(F.col("_m"), 33))
               .localCheckpoint())
    counts = sorted((r["_p"], r["c"]) for r in
                    ordered.groupBy("_p").agg(F.count(F.lit(1)).alias("c")).collect())
    offset, starts = 0, []
    for part, size in counts:
        starts.append((part, offset - (part << 33)))
        offset += size
    spark = nodes.sparkSession
    shift = spark.createDataFrame(starts or [(0, 0)], "_p long, _shift long")
    return (ordered.join(F.broadcast(shift), "_p")
            .select("id", "kind", "in_set", (F.col("_m") + F.col("_shift")).alias("n"))
            .localCheckpoint()), offset


def betweenness_left_out(max_links: int) -> tuple:
    """``(None, method)`` for a graph of more than ``max_links`` links (both Spark paths)."""
    return None, f"not computed: over {max_links:,} links (spark engine)"


def driver_betweenness(indexed, A, exact_max, sample_k, seed, max_links):
    """Betweenness from the sparse-matrix code of ``metrics``: (scores or None, method)."""
    if A.nnz > max_links:
        return betweenness_left_out(max_links)
    if A.shape[0] <= exact_max:
        return betweenness_scores(A), BETWEENNESS_EXACT
    order = [r["id"] for r in indexed.select("id", "n").orderBy("n").collect()]
    return sampled_betweenness(A, order, sample_k, seed)
