"""Benchmark: the finding views and the canned queries that read them, on a large SYNTHETIC db.

Builds (once, in $LITGRAPH_BENCH_WORK or /tmp/litgraph-bench) a database of 30,000
SYNTHETIC sources, 100,000 SYNTHETIC claims in 300 documents, ~100,000 claim-source rows
and 10,000 restatement alignments, then times each canned query that reads the findings
of litgraph/findings.py (the published time limit is 1,000 ms) and `litgraph check`.

Run: .venv/bin/python bench/findings_scale.py
Prints one line per query, writes bench/results/findings_scale.json and prints the
figures as one JSON object on its last line.
"""

import os
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import ROOT, finish  # noqa: E402

from litgraph.publish import load_config  # noqa: E402
from litgraph.store import open_db  # noqa: E402

WORK = Path(os.environ.get("LITGRAPH_BENCH_WORK", "/tmp/litgraph-bench"))
QUERIES = [("weak_evidence_claims", {"page": "1"}), ("weak_evidence_claims", {"page": "20"}),
           ("unresolved_references", {"page": "1"}), ("sources_for_claim", {"claim": "d001:1"}),
           ("claims_for_source", {"source": "s5"}), ("restatement_issues", {"page": "1"})]


def build(path: Path) -> None:
    db = open_db(path)
    rng = random.Random(1)
    db["sources"].insert_all(({"id": f"s{i}", "title": f"SYNTHETIC source {i}",
                               "evidence_level": rng.choice([1, 2, 3, 4, 5, None]),
                               "status": rng.choice(["resolved", "unresolved"])}
                              for i in range(30000)), batch_size=5000)
    db["documents"].insert_all({"id": f"d{i:03d}", "title": f"SYNTHETIC document {i}"}
                               for i in range(300))
    db["claims"].insert_all(({"id": f"d{i % 300:03d}:{i}", "document_id": f"d{i % 300:03d}",
                              "line": i, "text": f"SYNTHETIC claim {i}"} for i in range(100000)),
                            batch_size=5000)
    db["claim_sources"].insert_all(({"claim_id": f"d{i % 300:03d}:{i}",
                                     "source_id": f"s{rng.randrange(30000)}"}
                                    for i in range(100000) for _ in range(rng.choice([0, 1, 2]))),
                                   batch_size=5000, ignore=True)
    db["claim_alignments"].insert_all(({"claim_id": f"d{i % 300:03d}:{i}", "rank": 1,
                                        "matched_claim_id": f"d{(i + 1) % 300:03d}:{i + 1}",
                                        "status": "supported", "sentence_status": "supported",
                                        "document_id": f"d{i % 300:03d}", "line": i}
                                       for i in range(0, 100000, 10)), batch_size=5000)


def main() -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "findings-scale.db"
    if not path.exists():
        build(path)
    open_db(path)  # bring the views up to date
    queries = load_config()["databases"]["litgraph"]["queries"]
    conn = sqlite3.connect(path)
    result, lines = {}, []
    for name, params in QUERIES:
        start = time.perf_counter()
        rows = conn.execute(queries[name]["sql"], params).fetchall()
        ms = round((time.perf_counter() - start) * 1000, 1)
        result[f"{name} {params}"] = {"rows": len(rows), "ms": ms}
        lines.append(f"{name} {params}: {len(rows)} rows in {ms} ms (limit 1000 ms)")
    from litgraph.check import run_checks

    start = time.perf_counter()
    report = run_checks(open_db(path), None)
    result["check_seconds"] = round(time.perf_counter() - start, 1)
    lines.append(f"litgraph check: {report.counts} in {result['check_seconds']} s")
    return finish("findings_scale", result, lines)


if __name__ == "__main__":
    main()
