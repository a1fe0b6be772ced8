"""Benchmark: how fast `litgraph extract` reads documents and updates references.yaml.

- extraction alone: the five seed documents, and the seeds repeated 10x and
  100x into one large document each (throughput in MB/s, so the 20 MB
  document limit can be judged);
- update_from_documents on the seeds: a cold run (no references.yaml), a warm
  run (nothing changed, nothing written) and the size of the file.

- the issue-12 targets: one 270,000-character document (Markdown and plain text) under
  2 s, and 1,000 documents of 20,000 characters (Markdown, HTML, text, a third each)
  under 60 s, read by ``extract_document`` in 2 worker processes (2 cores);
  the documents are synthetic (invented works, identifiers in the synthetic ranges).

Run: .venv/bin/python bench/extract.py  (--quick: 100 documents instead of 1,000)
Prints a summary, writes bench/results/extract.json and prints the same
figures as one JSON object on its last line.
"""

import os
import resource
import shutil
import sys
import time
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

from common import ROOT, finish, peak_rss_mb, stopwatch  # noqa: E402

from litgraph.extract import extract_document, extract_text  # noqa: E402
from litgraph.references import update_from_documents  # noqa: E402


SURNAMES = ["Okafor", "Lindgren", "Petrov", "Haddad", "Kim", "Ruiz-Tagle", "Moss", "Varga",
            "Fairweather", "Brightwater", "Okonkwo", "Moreau", "Dubois", "Nakamura", "Quill"]
WORDS = ("invented renal tumour synthetic cohort fictional patients imaging surgery margin "
         "relapse survival therapy dose response registry series trial outcome").split()


def synthetic_document(characters: int, fmt: str, seed: int) -> str:
    """A document of about ``characters`` characters: cited paragraphs and a reference list."""
    import random

    rng = random.Random(seed)
    body, refs, n = [], [], 0
    size = 0
    while size < characters:
        n += 1
        name = f"{rng.choice(SURNAMES)} {rng.choice('ABCDEFGH')}{rng.choice('JKLMN')}"
        title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
        ref = (f"{name}, {rng.choice(SURNAMES)} T. {title}. J Synth Med. "
               f"{rng.randint(1990, 2024)};{rng.randint(1, 60)}({rng.randint(1, 12)}):"
               f"{rng.randint(1, 900)}-{rng.randint(901, 999)}. PMID: {900000000 + seed * 1000 + n}")
        sentence = " ".join(rng.choice(WORDS) for _ in range(18)).capitalize()
        body.append(f"{sentence} [{n}]. {sentence.lower()} is discussed again.")
        refs.append(ref)
        size += len(ref) + len(body[-1]) + 12
    if fmt == "md":
        return ("# Synthetic review\n\n" + "\n\n".join(body) + "\n\n## References\n\n"
                + "\n".join(f"{i}. {r}" for i, r in enumerate(refs, 1)) + "\n")
    if fmt == "html":
        return ("<html><body><h1>Synthetic review</h1>" + "".join(f"<p>{b}</p>" for b in body)
                + "<h2>References</h2><ol>" + "".join(f"<li>{r}</li>" for r in refs)
                + "</ol></body></html>")
    return ("Synthetic review\n\n" + "\n\n".join(body) + "\n\nReferences\n\n"
            + "\n".join(f"[{i}] {r}" for i, r in enumerate(refs, 1)) + "\n")


def _extract_count(path):
    doc = extract_document(path)
    return len(doc.references), len(doc.claims)


def targets(figures, lines, quick=False):
    """The issue-12 speed targets."""
    from concurrent.futures import ProcessPoolExecutor

    work = Path(tempfile.mkdtemp(prefix="litgraph-bench-formats-"))
    try:
        for fmt in ("md", "txt"):
            path = work / f"big.{fmt}"
            path.write_text(synthetic_document(270_000, fmt, 1), encoding="utf-8")
            cpu = time.process_time()
            with stopwatch() as watch:
                doc = extract_document(path)
            cpu = time.process_time() - cpu
            figures[f"doc_270k_{fmt}_s"] = round(watch.seconds, 3)
            figures[f"doc_270k_{fmt}_cpu_s"] = round(cpu, 3)
            lines.append(f"  one {len(path.read_text()):,}-character .{fmt} document: "
                         f"{watch.seconds:.2f} s wall, {cpu:.2f} s CPU (target < 2 s), "
                         f"{len(doc.references)} references, {len(doc.claims)} claims")
        count = 100 if quick else 1000
        paths = []
        for i in range(count):
            fmt = ("md", "html", "txt")[i % 3]
            path = work / f"doc{i:04d}.{fmt}"
            path.write_text(synthetic_document(20_000, fmt, i + 2), encoding="utf-8")
            paths.append(path)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with stopwatch() as watch:
            with ProcessPoolExecutor(max_workers=2) as pool:
                counts = list(pool.map(_extract_count, paths, chunksize=20))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        figures[f"docs_{count}_20k_s"] = round(watch.seconds, 2)
        figures[f"docs_{count}_20k_cpu_s"] = round(cpu, 2)
        lines.append(f"  {count} documents of ~20,000 characters (md/html/txt), 2 processes: "
                     f"{watch.seconds:.1f} s wall, {cpu:.1f} s CPU in the workers, i.e. "
                     f"{cpu / 2:.1f} s on 2 free cores (target < 60 s for 1,000), "
                     f"{sum(c[0] for c in counts)} references, {sum(c[1] for c in counts)} claims")
        lines.append(f"  (load average while measuring: {os.getloadavg()[0]:.1f} on "
                     f"{os.cpu_count()} cores: wall times include waiting for other processes)")
    finally:
        shutil.rmtree(work)


def main():
    quick = "--quick" in sys.argv
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
    targets(figures, lines, quick)
    figures["peak_rss_mb"] = peak_rss_mb()
    lines.append(f"  peak memory {figures['peak_rss_mb']} MB")
    finish("extract", figures, lines)


if __name__ == "__main__":
    main()
