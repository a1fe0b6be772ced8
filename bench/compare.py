"""Benchmark: this checkout's client against another revision's, interleaved on one stand-in.

Usage:
    python bench/compare.py --against REV [--n 20000] [--rate 3|10] [--latency 120]
                            [--runs 4] [--batch-sizes SPEC]

The machine this project runs on drifts: the same code took from 3.9 to 5.8 s
within an hour.  A change is measured here against its parent in one run: a
git worktree of ``REV`` (removed at the end), one stand-in (``litgraph stub
--synthetic N``, answers pre-rendered, as in ``bench/resolve.py``), and each
side's cold resolve plus both link directions in a fresh process of its own,
the two sides alternating, ``--runs`` times each, a new cache every run.  Each
side runs its own code with its own default batch sizes (``--batch-sizes``
gives both the same).  Printed: each run's wall time, the medians, the ratio,
each side's ratio to the honest bound, and the peaks of each side's process and
of its parser process where it has one.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, finish  # noqa: E402
from resolve import StandInProcess, honest_bound, kind_of, synthetic_references  # noqa: E402

# One side's run, in a fresh process that imports litgraph from the tree given first, and
# measures what bench/resolve.py's library runs measure (``litgraph_run``).
_SIDE = r"""
import json, resource, sys, tempfile
from pathlib import Path
tree, bench, port, n, rate, sizes = sys.argv[1:7]
sys.path[:0] = [tree, bench]
from resolve import StandIn, litgraph_run, synthetic_references
sources = synthetic_references(int(n))
with tempfile.TemporaryDirectory() as work:
    run = litgraph_run(StandIn(int(port)), sources, Path(work) / "cache.sqlite", int(rate),
                       sizes or None)
print(json.dumps({"wall_s": run["wall_s"], "resolved": run["resolved_pmids"],
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "parser_peak_rss_mb": run.get("parser_peak_rss_mb", 0)}))
"""


def run_side(tree: Path, port: int, args) -> dict:
    done = subprocess.run([sys.executable, "-c", _SIDE, str(tree), str(ROOT / "bench"), str(port),
                           str(args.n), str(args.rate), args.batch_sizes or ""],
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise SystemExit(f"bench/compare.py: a run of {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, metavar="REV",
                        help="the git revision to compare this checkout with (e.g. HEAD~3)")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=3, choices=(3, 10))
    parser.add_argument("--latency", type=int, default=120, metavar="MS")
    parser.add_argument("--runs", type=int, default=4, help="runs of each side (default 4)")
    parser.add_argument("--batch-sizes", default=None, metavar="SPEC",
                        help="the same batch sizes for both sides (default: each side's own)")
    args = parser.parse_args(argv)
    revision = subprocess.run(["git", "rev-parse", "--short", args.against], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    sources = synthetic_references(args.n)
    mix = {}
    for source in sources:
        mix[kind_of(source)] = mix.get(kind_of(source), 0) + 1
    bound = honest_bound(mix, args.rate, args.latency)
    runs = {"this checkout": [], revision: []}
    with tempfile.TemporaryDirectory() as work:
        other = Path(work) / "other"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(other), revision],
                       cwd=ROOT, check=True)
        try:
            with StandInProcess(args.n, 3, args.latency, Path(work) / "stub.log") as stand_in:
                stand_in.prerender()
                for number in range(args.runs):
                    for side, tree in (("this checkout", ROOT), (revision, other)):
                        runs[side].append(run_side(tree, stand_in.port, args))
                        print(f"run {number + 1}, {side}: {runs[side][-1]}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT)
    medians = {side: statistics.median(r["wall_s"] for r in results)
               for side, results in runs.items()}
    lines = [f"N={args.n}, {args.rate}/s, {args.latency} ms, honest bound {bound['seconds']} s; "
             f"{args.runs} runs each, alternating"]
    for side, results in runs.items():
        lines.append(f"{side}: median {medians[side]:.2f} s "
                     f"({medians[side] / bound['seconds']:.2f} x bound), runs "
                     f"{[r['wall_s'] for r in results]}, peak "
                     f"{max(r['peak_rss_mb'] for r in results)} MB + parser process "
                     f"{max(r['parser_peak_rss_mb'] or 0 for r in results)} MB")
    lines.append(f"this checkout / {revision}: {medians['this checkout'] / medians[revision]:.2f}")
    finish("compare", {"n": args.n, "rate": args.rate, "latency_ms": args.latency,
                       "against": revision, "bound": bound, "runs": runs, "medians": medians},
           lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
