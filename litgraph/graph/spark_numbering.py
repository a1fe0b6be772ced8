"""Node numbers for both Spark paths: each node's place in id order, from one sort.

The driver path (``spark``) and the distributed path (``spark_frames``) number
the nodes the same way, so that their rows agree node for node.
"""


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
