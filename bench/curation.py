"""How long the curation commands take on a large synthetic database.

Builds (once, under the bench work folder) a database of SYNTHETIC rows shaped
like a built one: --sources sources (some unresolved, retracted, with errata,
duplicated, stale), --claims claims each citing 0-3 sources, citations and
links; then times ``run_checks``, ``status_summary``, ``claims_for_source``,
``sources_for_claim`` and each bibliography export.  No real article's facts
are involved.  Target: each under 5 s at 20,000 sources and 100,000 claims.

    python bench/curation.py --sources 20000 --claims 100000
"""

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import WORK_DIR, Stopwatch, finish, peak_rss_mb, verdict  # noqa: E402
from litgraph.bibliography import export_bibliography  # noqa: E402
from litgraph.check import run_checks  # noqa: E402
from litgraph.ids import SYNTHETIC_PMID_BASE, SYNTHETIC_PMID_MAX  # noqa: E402
from litgraph.report import claims_for_source, sources_for_claim, status_summary  # noqa: E402
from litgraph.store import open_db, set_build_info  # noqa: E402

TARGET_SECONDS = 5.0


def synthetic_db(path: Path, n_sources: int, n_claims: int, seed: int = 7):
    rng = random.Random(seed)
    db = open_db(path)
    sources = []
    for i in range(n_sources):
        status = "unresolved" if i % 50 == 0 else "conflict" if i % 997 == 0 else "resolved"
        sources.append({
            "id": f"syn-{i}", "title": f"SYNTHETIC source {i}", "year": 1990 + i % 35,
            "authors": json.dumps([f"Synthetic{i} AB", "Other C"]), "journal": "Synthetic Journal",
            "volume": str(i % 40), "pages": f"{i % 900}-{i % 900 + 9}",
            # every 1000th duplicates a PMID; all in the synthetic range (litgraph.ids)
            "pmid": str(SYNTHETIC_PMID_BASE + 1 + (i if i % 1000 else max(i - 1, 0))),
            "doi": f"10.5555/syn.{i}", "status": status,
            "status_reason": "SYNTHETIC: not found" if status != "resolved" else None,
            "evidence_level": rng.choice([None, 1, 2, 3, 3, 4, 5]),
            "level_disagreement": int(i % 300 == 0), "declared_level": 2, "inferred_level": 4,
            "retracted": int(i % 2000 == 0),
            "errata": json.dumps([str(SYNTHETIC_PMID_MAX)]) if i % 700 == 0 else None,
            "excluded": int(i % 5000 == 1), "stale": int(i % 4000 == 3), "kind": "article",
        })
    db["sources"].insert_all(sources, pk="id", batch_size=2000)
    documents = [{"id": f"doc-{d}", "title": f"SYNTHETIC document {d}"} for d in range(50)]
    db["documents"].insert_all(documents, pk="id")
    claims, claim_sources, citations = [], [], {}
    for c in range(n_claims):
        document = f"doc-{c % 50}"
        claims.append({"id": f"{document}:{c}", "document_id": document, "line": c // 50,
                       "text": f"SYNTHETIC claim {c} with a figure of {c % 97}.5 percent."})
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            key = f"syn-{rng.randrange(n_sources)}"
            claim_sources.append({"claim_id": f"{document}:{c}", "source_id": key})
            citations[(document, key)] = {"document_id": document, "source_id": key,
                                          "line": c // 50, "label": "[1]", "raw": "SYNTHETIC"}
    db["claims"].insert_all(claims, pk="id", batch_size=5000)
    db["claim_sources"].insert_all(claim_sources, pk=("claim_id", "source_id"), ignore=True,
                                   batch_size=5000)
    db["citations"].insert_all(citations.values(), pk=("document_id", "source_id", "line"),
                               ignore=True, batch_size=5000)
    set_build_info(db, built_at="2026-01-01T00:00:00+00:00", requests=100, cache_hits=900)
    return db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=20000)
    parser.add_argument("--claims", type=int, default=100000)
    args = parser.parse_args(argv)
    path = WORK_DIR / f"curation-{args.sources}-{args.claims}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    with Stopwatch() as setup:
        if path.exists():
            db = open_db(path)
        else:
            db = synthetic_db(path, args.sources, args.claims)
    timings = {}
    with Stopwatch() as t:
        report = run_checks(db, None)
    timings["check"] = t.seconds
    with Stopwatch() as t:
        status_summary(db, None)
    timings["status"] = t.seconds
    with Stopwatch() as t:
        rows = claims_for_source(db, "syn-17")
    timings["claims_for_source"] = t.seconds
    with Stopwatch() as t:
        sources_for_claim(db, "figure of 42.5 percent")
    timings["sources_for_claim_text"] = t.seconds
    for fmt in ("bibtex", "ris", "csljson"):
        with Stopwatch() as t:
            text = export_bibliography(db, fmt)
        timings[f"export_{fmt}"] = t.seconds
        timings[f"export_{fmt}_bytes"] = len(text)
    slowest = max(v for k, v in timings.items() if not k.endswith("_bytes"))
    figures = {"sources": args.sources, "claims": args.claims, "setup_seconds": setup.seconds,
               "seconds": {k: round(v, 3) for k, v in timings.items() if not k.endswith("_bytes")},
               "export_bytes": {k: v for k, v in timings.items() if k.endswith("_bytes")},
               "findings": report.counts, "claims_of_one_source": len(rows),
               "peak_rss_mb": peak_rss_mb(), "target_seconds": TARGET_SECONDS,
               "meets_target": slowest <= TARGET_SECONDS}
    lines = [f"curation commands on {args.sources} synthetic sources, {args.claims} claims "
             f"(database ready in {setup.seconds:.1f} s)"]
    lines += [f"  {k:<24} {v:7.3f} s" for k, v in figures["seconds"].items()]
    lines.append(f"  findings {report.counts}; peak RSS {figures['peak_rss_mb']:.0f} MB")
    lines.append(f"  slowest {slowest:.2f} s vs target {TARGET_SECONDS:.0f} s: {verdict(slowest <= TARGET_SECONDS)}")
    finish("curation", figures, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
