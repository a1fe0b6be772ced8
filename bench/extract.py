"""Benchmark: how fast `litgraph extract` reads documents and updates references.yaml.

- extraction alone: the five seed documents, and the seeds repeated 10x and
  100x into one large document each (throughput in MB/s, so the 20 MB
  document limit can be judged);
- update_from_documents on the seeds: a cold run (no references.yaml), a warm
  run (nothing changed, nothing written) and the size of the file.

Run: .venv/bin/python bench/extract.py
Prints a summary, writes bench/results/extract.json and prints the same
figures as one JSON object on its last line.
"""

import shutil
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

from common import ROOT, finish, peak_rss_mb, stopwatch  # noqa: E402

from litgraph.extract import extract_document, extract_text  # noqa: E402
from litgraph.references import update_from_documents  # noqa: E402


def main():
    documents = sorted((ROOT / "documents").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in documents]
    figures, lines = {}, ["extract benchmark"]
    with stopwatch() as watch:
        extracted = [extract_document(p) for p in documents]
    figures["seeds_s"] = round(watch.seconds, 3)
    figures["seeds_references"] = sum(len(d.references) for d in extracted)
    figures["seeds_claims"] = sum(len(d.claims) for d in extracted)
    lines.append(f"  5 seed documents: {watch.seconds:.3f} s, "
                 f"{figures['seeds_references']} references, {figures['seeds_claims']} claims")
    for times in (10, 100):
        big = "\n\n".join(texts) * times
        with stopwatch() as watch:
            doc = extract_text(big, "big")
        megabytes = len(big.encode("utf-8")) / 1e6
        figures[f"x{times}_mb"] = round(megabytes, 2)
        figures[f"x{times}_s"] = round(watch.seconds, 3)
        figures[f"x{times}_mb_per_s"] = round(megabytes / watch.seconds, 2)
        lines.append(f"  seeds x{times} in one document ({megabytes:.1f} MB): {watch.seconds:.2f} s, "
                     f"{megabytes / watch.seconds:.2f} MB/s, {len(doc.claims)} claims")
    work = Path(tempfile.mkdtemp(prefix="litgraph-bench-extract-"))
    try:
        shutil.copytree(ROOT / "documents", work / "documents")
        references = work / "references.yaml"
        with stopwatch() as cold:
            update_from_documents([work / "documents"], references)
        with stopwatch() as warm:
            report = update_from_documents([work / "documents"], references)
        figures["update_cold_s"] = round(cold.seconds, 3)
        figures["update_warm_s"] = round(warm.seconds, 3)
        figures["update_warm_wrote"] = report.written
        figures["references_yaml_lines"] = references.read_text().count("\n")
    finally:
        shutil.rmtree(work)
    lines.append(f"  update_from_documents on the seeds: cold {figures['update_cold_s']} s, "
                 f"warm {figures['update_warm_s']} s (written: {figures['update_warm_wrote']}), "
                 f"references.yaml {figures['references_yaml_lines']} lines")
    figures["peak_rss_mb"] = peak_rss_mb()
    lines.append(f"  peak memory {figures['peak_rss_mb']} MB")
    finish("extract", figures, lines)


if __name__ == "__main__":
    main()
