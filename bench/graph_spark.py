"""Benchmark of the Spark graph engine on a synthetic citation graph (run by ``bench/graph.py --engine spark``).

Usage:
    python bench/graph.py --engine spark --edges 10000000 [--nodes N] [--seed 0]
                          [--spark-master local[2]] [--driver-memory 6g]
                          [--spark-mode driver|distributed] [--keep]

The graph is the one ``bench/graph.py`` generates (deterministic, every node
``synthetic``; ``--nodes`` defaults to a tenth of ``--edges``), written to
Parquet by a child process so that generating it does not count in the
engine's memory.  The engine then runs as ``litgraph graph --engine spark``
does: Parquet in, ``compute_spark_metrics`` (degrees, PageRank, components,
co-citation and coupling top 1,000, document cohesion), Parquet out, and the
rows streamed into a fresh SQLite database with ``save_graph`` (one
transaction).  Betweenness is left to the NetworkX engine above 5,000,000
links, as the metrics rows say.  For each phase it prints wall time and the
peak resident memory so far of this process plus the JVM (the JVM's VmHWM).
Targets (issue 18, 2 cores): 10M edges end to end under 5 minutes within 8 GiB;
100M edges completes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import WORK_DIR, finish, peak_rss_mb, stopwatch, verdict  # noqa: E402

TIME_TARGET_S = 300
MEMORY_TARGET_MB = 8192
DOCUMENTS = 100
LISTED = 50
WRITE_BATCH = 200_000


def generate(args) -> None:
    """Child process: the synthetic graph as integer Parquet files in ``args.out``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from graph import SET_FRACTION, synthetic_edges

    out = Path(args.out)
    citing, cited = synthetic_edges(args.nodes, args.edges, args.seed)
    pq.write_table(pa.table({"citing": citing, "cited": cited}), out / "links.parquet",
                   row_group_size=5_000_000)
    del citing, cited
    set_size = max(1, int(args.nodes * SET_FRACTION))
    pq.write_table(pa.table({"id": np.arange(args.nodes, dtype=np.int64)}), out / "nodes.parquet")
    rng = np.random.default_rng(args.seed + 1)
    documents = np.repeat(np.arange(DOCUMENTS, dtype=np.int64), min(LISTED, set_size))
    members = np.concatenate([rng.choice(set_size, size=min(LISTED, set_size), replace=False)
                              for _ in range(DOCUMENTS)])
    pq.write_table(pa.table({"document": documents, "node": members}), out / "documents.parquet")
    (out / "set_size").write_text(str(set_size))


def jvm_peak_mb() -> float:
    """The peak resident memory (VmHWM) of this process's Java children, in MB."""
    import psutil

    peak = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if "java" not in child.name():
                continue
            with open(f"/proc/{child.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak += int(line.split()[1]) / 1024
        except (OSError, psutil.Error):
            continue
    return round(peak, 1)


def stream_parquet(path, columns):
    """Tuples from a Parquet folder Spark wrote, batch by batch."""
    import pyarrow.dataset as ds

    for batch in ds.dataset(str(path), format="parquet").to_batches(columns=list(columns),
                                                                   batch_size=WRITE_BATCH):
        yield from zip(*(batch.column(i).to_pylist() for i in range(len(columns))))


def write_metrics(result, path) -> None:
    """The metrics rows, fetched from Spark in batches, into one Parquet file (pyarrow)."""
    import pyarrow.parquet as pq

    if hasattr(result, "metrics"):  # the distributed path: the rows stay a DataFrame
        result.metrics.write.parquet(str(path))
        return
    path.mkdir()
    writer = None
    for table in result.metric_tables():
        if writer is None:
            writer = pq.ParquetWriter(str(path / "part-0.parquet"), table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


def run(args) -> int:
    from pyspark.sql import functions as F

    from litgraph.graph import spark as engine
    from litgraph.store import TABLES, open_db, save_graph, set_build_info

    args.nodes = args.nodes or max(2, args.edges // 10)
    work = Path(tempfile.mkdtemp(prefix="graph-spark-", dir=WORK_DIR))
    db_path = work / "graph-bench-spark.db"
    phases = {}
    jvm = [0.0]

    def phase(name, seconds):
        jvm[0] = max(jvm[0], jvm_peak_mb())
        phases[name] = {"seconds": round(seconds, 2), "python_peak_mb": peak_rss_mb(),
                        "jvm_peak_mb": jvm[0]}
        print(f"{name:28} {seconds:8.2f} s   peak RSS so far: python {peak_rss_mb():8.1f} MB, "
              f"JVM {jvm[0]:8.1f} MB", flush=True)

    print(f"bench/graph.py --engine spark: {args.nodes:,} nodes, {args.edges:,} edges, seed "
          f"{args.seed} (synthetic), master {args.spark_master}, driver memory {args.driver_memory}, "
          f"mode {args.spark_mode}", flush=True)
    with stopwatch() as watch:
        subprocess.run([sys.executable, __file__, "--generate", "--out", str(work), "--nodes",
                        str(args.nodes), "--edges", str(args.edges), "--seed", str(args.seed)],
                       check=True)
    print(f"{'generate (child, not counted)':28} {watch.seconds:8.2f} s", flush=True)
    set_size = int((work / "set_size").read_text())
    width = len(str(args.nodes))
    fmt = f"synthetic:%0{width}d"
    with stopwatch() as total:
        with stopwatch() as watch:
            spark = engine.spark_session(args.spark_master, config={
                "spark.driver.memory": args.driver_memory,
                "spark.sql.shuffle.partitions": str(args.partitions),
                "spark.local.dir": str(work / "spark-local")})
        phase("spark session", watch.seconds)
        with stopwatch() as watch:
            raw_nodes = spark.read.parquet(str(work / "nodes.parquet"))
            nodes = raw_nodes.select(
                F.format_string(fmt, "id").alias("id"),
                F.when(F.col("id") < set_size, "source").otherwise("external").alias("kind"),
                (F.col("id") < set_size).alias("in_set"))
            links = spark.read.parquet(str(work / "links.parquet")).select(
                F.format_string(fmt, "citing").alias("citing"),
                F.format_string(fmt, "cited").alias("cited"))
            documents = spark.read.parquet(str(work / "documents.parquet")).select(
                F.format_string("synthetic-document-%03d", "document").alias("document_id"),
                F.format_string(fmt, "node").alias("node_id"))
            frames = engine.GraphFrames(nodes, links, documents)
        phase("read parquet", watch.seconds)
        with stopwatch() as watch:
            result = engine.compute_spark_metrics(spark, frames, sample_k=args.sample_k,
                                                  seed=args.seed, mode=args.spark_mode)
        phase("metrics (spark)", watch.seconds)
        for step, seconds in result.timings.items():
            print(f"  {step:26} {seconds:8.2f} s", flush=True)
        with stopwatch() as watch:
            write_metrics(result, work / "metrics.out")
            nodes.withColumn("title", F.concat(F.lit("Synthetic work "), F.col("id"))) \
                .write.parquet(str(work / "nodes.out"))
            links.write.parquet(str(work / "links.out"))
        phase("write parquet (spark)", watch.seconds)
        spark.stop()
        with stopwatch() as watch:
            db = open_db(db_path)
            # Tuples in the tables' column order: save_graph inserts them as they come.
            node_rows = ((i, k, t, None, None, None, None, 1) for i, k, t in
                         stream_parquet(work / "nodes.out", ("id", "kind", "title")))
            link_rows = ((a, b, "bulk") for a, b in stream_parquet(work / "links.out",
                                                                   ("citing", "cited")))
            metric_rows = stream_parquet(work / "metrics.out", tuple(TABLES["metrics"][0]))
            save_graph(db, node_rows, link_rows, metric_rows, result.cocitations,
                       result.couplings, result.cohesion)
            set_build_info(db, graph_synthetic="bench/graph.py --engine spark synthetic graph, "
                           "not real data")
        phase("store (sqlite, one transaction)", watch.seconds)
    stored = {t: db[t].count for t in ("nodes", "links", "metrics", "cocitations", "couplings",
                                       "document_cohesion")}
    pagerank_sum = db.execute("select sum(pagerank) from metrics").fetchone()[0]
    size_mb = round(db_path.stat().st_size / 2**20, 1)
    db.close()
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    peak = round(max(p["python_peak_mb"] for p in phases.values()) + jvm[0], 1)
    figures = {
        "engine": "spark", "mode": args.spark_mode, "nodes": args.nodes, "edges": args.edges, "seed": args.seed,
        "synthetic": True, "master": args.spark_master, "driver_memory": args.driver_memory,
        "phases": phases, "metric_steps_s": result.timings,
        "pagerank_iterations": result.pagerank_iterations,
        "edges_distinct": result.edges, "stored_rows": stored,
        "database_mb": size_mb, "pagerank_sum": round(float(pagerank_sum or 0), 9),
        "total_s": round(total.seconds, 2), "peak_mb_python_plus_jvm": peak,
        "time_target_s": TIME_TARGET_S, "memory_target_mb": MEMORY_TARGET_MB,
        "time_target_met": total.seconds < TIME_TARGET_S, "memory_target_met": peak < MEMORY_TARGET_MB,
    }
    finish(f"graph-spark-{args.edges}", figures, [
        "",
        f"spark engine: {args.nodes:,} nodes, {args.edges:,} edges; PageRank "
        f"{result.pagerank_iterations} iterations (sum {figures['pagerank_sum']}), "
        f"{result.edges:,} distinct edges",
        f"end to end {total.seconds:.1f} s ({verdict(figures['time_target_met'])} < {TIME_TARGET_S} s "
        f"for 10M edges), peak python + JVM {peak:.0f} MB ({verdict(figures['memory_target_met'])} "
        f"< {MEMORY_TARGET_MB} MB)",
        f"stored rows: {stored}; database {size_mb} MB",
    ])
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=0, help="default: edges / 10")
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample-k", type=int, default=500)
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--partitions", type=int, default=16, help="spark.sql.shuffle.partitions")
    parser.add_argument("--spark-mode", choices=("driver", "distributed"), default="driver",
                        help="driver: adjacency collected to the driver; distributed: DataFrames only")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if args.generate:
        generate(args)
        return 0
    return run(args)


if __name__ == "__main__":
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sys.exit(main())
