"""Benchmark: how well `litgraph.align` finds the source sentences a rewrite restates.

Aligns the patient rewrite (documents/000_*) to the StatPearls chapter
(documents/001_*), both split into sentences by ``split_sentences``, and
scores the matches against the hand labels in
tests/fixtures/restatement-labels.yaml:

- precision: of the (rewrite sentence, source sentence) matches the method
  reports for labelled sentences, the share a person labelled as restated
  (matches to a sentence listed under ``also``, which repeats a labelled one, are
  left out of the count);
- recall: of the labelled pairs, the share the method reports;
- sentence accuracy: labelled "restates nothing" sentences found unsupported
  and labelled restating sentences found matched.

Prints a summary, then one JSON object on the last line, and writes
bench/results/restatements.json.  Run: .venv/bin/python bench/restatements.py
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litgraph.align import Thresholds, align, sentence_statuses, split_sentences  # noqa: E402
from litgraph.align_labels import load_labels, score_alignments  # noqa: E402


def main(argv=None) -> dict:
    labels = load_labels(ROOT / "tests" / "fixtures" / "restatement-labels.yaml")
    restating_id, source_id = labels["restating_document"], labels["source_document"]
    restating = split_sentences((ROOT / "documents" / f"{restating_id}.txt").read_text("utf-8"),
                                restating_id)
    source = split_sentences((ROOT / "documents" / f"{source_id}.txt").read_text("utf-8"), source_id)
    thresholds = Thresholds()
    started = time.perf_counter()
    alignments = align(restating, source, thresholds)
    seconds = time.perf_counter() - started
    figures = score_alignments(labels["labels"], restating, source, alignments)
    statuses = Counter(sentence_statuses(alignments).values())
    result = {
        "benchmark": "restatements",
        "restating_sentences": len(restating),
        "source_sentences": len(source),
        "labelled_sentences": figures["labelled_sentences"],
        "precision": round(figures["precision"], 4),
        "recall": round(figures["recall"], 4),
        "f1": round(figures["f1"], 4),
        "sentence_accuracy": round(figures["sentence_accuracy"], 4),
        "top_precision": round(figures["top_precision"], 4),
        "top_recall": round(figures["top_recall"], 4),
        "statuses": dict(sorted(statuses.items())),
        "thresholds": vars(thresholds),
        "align_seconds": round(seconds, 4),
    }
    print(f"Aligned {len(restating)} sentences of {restating_id} to {len(source)} of {source_id} "
          f"in {seconds:.3f}s")
    print(f"Hand-labelled sentences: {figures['labelled_sentences']} "
          f"({figures['gold_pairs']} labelled pairs, {figures['predicted_pairs']} reported pairs)")
    print(f"Every reported match (pairs):  precision {result['precision']:.3f}  "
          f"recall {result['recall']:.3f}  F1 {result['f1']:.3f}")
    print(f"Best match per sentence:       precision {result['top_precision']:.3f}  "
          f"recall {result['top_recall']:.3f}")
    print(f"Sentences right (matched to a labelled claim, or to none when labelled none): "
          f"{result['sentence_accuracy']:.3f}")
    print("Statuses: " + ", ".join(f"{k} {v}" for k, v in result["statuses"].items()))
    if "-v" in (argv or sys.argv[1:]):
        for line in figures["errors"]:
            print("  " + line)
    out = ROOT / "bench" / "results" / "restatements.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
