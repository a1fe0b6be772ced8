"""Benchmark: build, measure and store a synthetic citation graph of 100,000 nodes and 1,000,000 edges.

Usage:
    python bench/graph.py [--engine networkx|spark] [--nodes 100000] [--edges 1000000] [--seed 0] [--sample-k 500]
                          [--documents 100] [--eutils-pmids 2000] [--keep]

It runs the same library functions as ``litgraph graph`` after the E-utilities
step: node rows and (citing, cited, origin) links -> NetworkX graph
(``graph.to_networkx``) -> ``compute_metrics`` (PageRank, sampled
betweenness, components, degrees) -> ``cocitation_pairs`` and
``coupling_pairs`` (top 1,000 each) -> ``document_cohesion`` ->
``save_graph`` into a fresh SQLite database, then ``save_graph`` again (the
atomic replacement a re-run does).  For each phase it prints the wall time and
the process's peak resident memory so far.  Targets (2 cores): end to end
under 120 s, peak under 4 GiB.  ``--engine spark`` runs ``bench/graph_spark.py``
instead (the Spark engine, for 10M edges and more).

A separate, smaller phase times the whole ``build_graph`` including the
E-utilities step: --eutils-pmids resolved synthetic PMIDs, the real client
(throttle off) against the stand-in serving synthetic records, depth 1, cap
500; it reports the requests per endpoint (elink: one per batch of 200 per
link name).  It is not part of the end-to-end figure.

The graph is synthetic and deterministic (NumPy generator seeded by --seed):
every node says ``synthetic = 1``, ids are ``synthetic:<n>`` and titles
``Synthetic work <n>``; nothing describes a real article.  Work ``i`` cites
about ten earlier works, older ones more often (a heavy-tailed in-degree, as
in real citation data); one link in ten also carries a second origin, so
there are more link rows than edges.  The database goes to the bench work
folder ($LITGRAPH_BENCH_WORK, default /tmp/litgraph-bench) and is removed
unless --keep.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import WORK_DIR, finish, peak_rss_mb, stopwatch, verdict  # noqa: E402

from litgraph.graph import ORIGINS, save_graph, to_networkx  # noqa: E402
from litgraph.graph.metrics import (cocitation_pairs, compute_metrics,  # noqa: E402
                                    coupling_pairs, document_cohesion)
from litgraph.store import open_db, set_build_info  # noqa: E402

TIME_TARGET_S = 120
MEMORY_TARGET_MB = 4096
SET_FRACTION = 0.1  # the first tenth of the works play the reference set's sources


def synthetic_edges(nodes: int, edges: int, seed: int):
    """Exactly ``edges`` distinct (citing, cited) index pairs, citing > cited, deterministic."""
    rng = np.random.default_rng(seed)
    mean_out = edges / max(nodes - 1, 1)
    citing = np.empty(0, dtype=np.int64)
    cited = np.empty(0, dtype=np.int64)
    while citing.size < edges:
        out = rng.poisson(mean_out * 1.05, nodes)
        out[0] = 0
        more_citing = np.repeat(np.arange(nodes, dtype=np.int64), out)
        # u ** 1.5 favours older works: a heavy-tailed in-degree.
        more_cited = np.floor(more_citing * rng.random(more_citing.size) ** 1.5).astype(np.int64)
        citing = np.concatenate([citing, more_citing])
        cited = np.concatenate([cited, more_cited])
        pairs = np.unique(citing * nodes + cited)
        citing, cited = pairs // nodes, pairs % nodes
    keep = np.sort(rng.choice(citing.size, size=edges, replace=False))
    return citing[keep], cited[keep]


def synthetic_rows(nodes: int, citing, cited, documents: int, seed: int):
    """Node rows, link triples and document -> listed node ids, all marked synthetic."""
    rng = np.random.default_rng(seed + 1)
    width = len(str(nodes))
    ids = [f"synthetic:{i:0{width}d}" for i in range(nodes)]
    set_size = max(1, int(nodes * SET_FRACTION))
    node_rows = [{"id": ids[i], "kind": "source" if i < set_size else "external",
                  "title": f"Synthetic work {i}", "year": 1950 + (i * 75) // nodes,
                  "pmid": None, "doi": None, "evidence_level": int(1 + i % 5) if i < set_size else None,
                  "synthetic": 1} for i in range(nodes)]
    origin_of = rng.integers(1, len(ORIGINS), size=citing.size)  # elink-refs, -citedin, pubmed-refs
    second = rng.random(citing.size) < 0.1
    links = [(ids[a], ids[b], ORIGINS[o]) for a, b, o in
             zip(citing.tolist(), cited.tolist(), origin_of.tolist())]
    links += [(ids[a], ids[b], "document") for a, b in
              zip(citing[second].tolist(), cited[second].tolist())]
    listed = {}
    for d in range(documents):
        picks = rng.choice(set_size, size=min(50, set_size), replace=False)
        listed[f"synthetic-document-{d:03d}"] = {ids[i] for i in picks.tolist()}
    return node_rows, links, listed, {ids[i] for i in range(set_size)}


def _take_engine(argv) -> str:
    """Remove ``--engine NAME`` (or ``--engine=NAME``) from ``argv``; return NAME, ``networkx`` by default."""
    for i, arg in enumerate(argv):
        if arg.startswith("--engine="):
            del argv[i]
            return arg.split("=", 1)[1]
        if arg == "--engine" and i + 1 < len(argv):
            name = argv[i + 1]
            del argv[i:i + 2]
            return name
    return "networkx"


def eutils_phase(pmids: int) -> dict:
    """``build_graph`` with its E-utilities step, against the stand-in's synthetic records."""
    from litgraph.entrez import EntrezClient
    from litgraph.graph import build_graph
    from litgraph.stub.server import StandIn
    from litgraph.stub.synthetic import synthetic_pmid

    path = WORK_DIR / "graph-bench-eutils.db"
    path.unlink(missing_ok=True)
    db = open_db(path)
    db["sources"].insert_all([{"id": f"synthetic-{n}", "pmid": synthetic_pmid(n), "status": "resolved",
                               "title": f"Synthetic work {n}"} for n in range(1, pmids + 1)], pk="id")
    with StandIn(rate_limit=None, synthetic=4 * pmids) as stand_in, \
            EntrezClient(stand_in.base_url, rate=0) as client, stopwatch() as watch:
        counts = build_graph(db, client, depth=1, cap=500)
    requests = {k: v for k, v in sorted(stand_in.stats().items())}
    db.close()
    path.unlink(missing_ok=True)
    print(f"{'E-utilities build_graph':28} {watch.seconds:7.2f} s   requests {requests}", flush=True)
    return {"pmids": pmids, "seconds": round(watch.seconds, 2), "requests": requests,
            "nodes": counts["nodes"], "links": counts["links"],
            "external_nodes": counts["external_nodes"]}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    engine = _take_engine(argv)
    if engine == "spark":
        import graph_spark

        return graph_spark.main(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample-k", type=int, default=500, help="betweenness sample size")
    parser.add_argument("--documents", type=int, default=100,
                        help="synthetic documents for the cohesion table")
    parser.add_argument("--eutils-pmids", type=int, default=2000,
                        help="PMIDs for the E-utilities phase against the stand-in (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.edges > args.nodes * (args.nodes - 1) // 2:
        parser.error("too many edges for that many nodes (citing works cite only older ones)")

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    db_path = WORK_DIR / "graph-bench.db"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)

    phases = {}

    def phase(name, seconds):
        phases[name] = {"seconds": round(seconds, 2), "peak_rss_mb": peak_rss_mb()}
        print(f"{name:28} {seconds:7.2f} s   peak RSS so far {phases[name]['peak_rss_mb']:8.1f} MB",
              flush=True)

    print(f"bench/graph.py: {args.nodes:,} nodes, {args.edges:,} edges, seed {args.seed} (synthetic)",
          flush=True)
    with stopwatch() as total:
        with stopwatch() as watch:
            citing, cited = synthetic_edges(args.nodes, args.edges, args.seed)
        phase("generate edges", watch.seconds)
        with stopwatch() as watch:
            nodes, links, listed, set_nodes = synthetic_rows(args.nodes, citing, cited,
                                                             args.documents, args.seed)
            del citing, cited
        phase("node and link rows", watch.seconds)
        with stopwatch() as watch:
            G = to_networkx(nodes, links)
        phase("networkx graph", watch.seconds)
        metric_steps = {}
        with stopwatch() as watch:
            metrics = compute_metrics(G, set_nodes, sample_k=args.sample_k, seed=args.seed,
                                      timings=metric_steps)
        phase("metrics", watch.seconds)
        for step, seconds in metric_steps.items():
            print(f"  {step:26} {seconds:7.2f} s", flush=True)
        with stopwatch() as watch:
            cocitations = cocitation_pairs(G)
        phase("co-citation top pairs", watch.seconds)
        with stopwatch() as watch:
            couplings = coupling_pairs(G)
        phase("coupling top pairs", watch.seconds)
        with stopwatch() as watch:
            cohesion = document_cohesion(G, listed)
        phase("document cohesion", watch.seconds)
        with stopwatch() as watch:
            db = open_db(db_path)
            save_graph(db, nodes, links, metrics, cocitations, couplings, cohesion)
            set_build_info(db, graph_synthetic="bench/graph.py synthetic graph, not real data")
        phase("store (first write)", watch.seconds)
        with stopwatch() as watch:
            save_graph(db, nodes, links, metrics, cocitations, couplings, cohesion)
        phase("store (atomic replace)", watch.seconds)

    stored = {t: db[t].count for t in ("nodes", "links", "metrics", "cocitations", "couplings",
                                       "document_cohesion")}
    distinct_edges = G.number_of_edges()
    pagerank_sum = float(sum(row["pagerank"] for row in metrics))
    size_mb = round(db_path.stat().st_size / 2**20, 1)
    db.close()
    if not args.keep:
        db_path.unlink(missing_ok=True)
    peak = peak_rss_mb()
    eutils = eutils_phase(args.eutils_pmids) if args.eutils_pmids else None
    slowest = sorted(phases.items(), key=lambda kv: -kv[1]["seconds"])[:3]
    figures = {
        "nodes": args.nodes, "edges": distinct_edges, "link_rows": len(links), "seed": args.seed,
        "synthetic": True, "betweenness": metrics[0]["betweenness_method"],
        "phases": phases, "metric_steps_s": metric_steps, "stored_rows": stored,
        "database_mb": size_mb, "pagerank_sum": round(pagerank_sum, 9),
        "total_s": round(total.seconds, 2), "peak_rss_mb": peak,
        "time_target_s": TIME_TARGET_S, "memory_target_mb": MEMORY_TARGET_MB,
        "time_target_met": total.seconds < TIME_TARGET_S, "memory_target_met": peak < MEMORY_TARGET_MB,
        "eutils_phase": eutils,
    }
    lines = [
        "",
        f"graph: {args.nodes:,} nodes, {distinct_edges:,} edges ({len(links):,} link rows), "
        f"betweenness {figures['betweenness']}, PageRank sum {pagerank_sum:.9f}",
        f"end to end {total.seconds:.1f} s ({verdict(figures['time_target_met'])} < {TIME_TARGET_S} s), "
        f"peak RSS {peak:.0f} MB ({verdict(figures['memory_target_met'])} < {MEMORY_TARGET_MB} MB)",
        "slowest phases: " + ", ".join(f"{name} {f['seconds']} s" for name, f in slowest),
        f"stored rows: {stored}; database {size_mb} MB",
    ]
    if eutils:
        lines.append(f"E-utilities phase (separate): build_graph for {eutils['pmids']:,} PMIDs via "
                     f"the stand-in in {eutils['seconds']} s, requests {eutils['requests']}, "
                     f"{eutils['nodes']:,} nodes, {eutils['links']:,} links")
    finish("graph", figures, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
