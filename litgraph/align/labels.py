"""Hand labels for restatements, and how an alignment scores against them.

The labels file (tests/fixtures/restatement-labels.yaml) names sentences by a
distinctive substring of their text, so it survives any claim-id scheme.  The
test suite and bench/restatements.py both read it through ``load_labels`` and
score with ``score_alignments``.
"""

from pathlib import Path

from . import ALIGNMENT_STATUSES
from ..errors import InputError

# restated: says what the original says; added: the rewriter's own statement, which no
# sentence of the original makes; distorted: an original sentence turned into something
# it does not say (a treatment called a test, a complication called a side effect, a
# flipped negation).  Added and distorted sentences should come out unsupported unless a
# label's ``status`` says otherwise (a changed number: number-mismatch).
LABEL_KINDS = ("restated", "added", "distorted")


def load_labels(path) -> dict:
    """Read and check a labels file; raise InputError naming the file and entry at fault."""
    from ruamel.yaml import YAML, YAMLError

    path = Path(path)
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read restatement labels {path}: {exc}") from exc
    except YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        raise InputError(f"{path}: expected restating_document, source_document and a labels list")
    for key in ("restating_document", "source_document"):
        if not isinstance(data.get(key), str):
            raise InputError(f"{path}: {key} is missing or not a document id")
    for number, entry in enumerate(data["labels"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("sentence"), str):
            raise InputError(f"{path}: label {number} has no sentence")
        for key in ("restates", "also"):
            value = entry.setdefault(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{path}: label {number} ({entry['sentence'][:40]!r}): "
                                 f"{key} must be a list of sentence substrings")
        if "restates" not in entry or entry.get("restates") is None:
            raise InputError(f"{path}: label {number} has no restates list")
        entry.setdefault("kind", "restated")
        if entry["kind"] not in LABEL_KINDS:
            raise InputError(f"{path}: label {number} ({entry['sentence'][:40]!r}): kind "
                             f"{entry['kind']!r}: expected one of {', '.join(LABEL_KINDS)}")
        if "status" in entry and entry["status"] not in ALIGNMENT_STATUSES:
            raise InputError(f"{path}: label {number} ({entry['sentence'][:40]!r}): status "
                             f"{entry['status']!r}: expected one of {', '.join(ALIGNMENT_STATUSES)}")
    return data


def find_sentence(fragment: str, sentences: list, what: str) -> str:
    """The id of the one sentence containing ``fragment``; InputError if none or several."""
    fragment = " ".join(fragment.split())
    hits = [s.id for s in sentences if fragment in " ".join(s.text.split())]
    if len(hits) != 1:
        found = "no sentence" if not hits else f"{len(hits)} sentences ({', '.join(hits[:3])})"
        raise InputError(f"label {fragment[:60]!r}: {found} of {what} contain it")
    return hits[0]


def score_alignments(labels: list, restating: list, source: list, alignments: list) -> dict:
    """Precision, recall and F1 of the reported matches over (sentence, source sentence) pairs.

    ``top_precision``/``top_recall`` judge only each sentence's best match:
    of the sentences given a match, the share whose best match is one a person
    labelled; of the sentences labelled as restating something, the share
    whose best match is one of those.

    A reported match to a sentence the label lists under ``also`` counts
    neither way.  Sentence accuracy counts a labelled sentence right when it
    is matched to a labelled (or ``also``) sentence, or, labelled as restating
    nothing, is matched to nothing.
    """
    reported, first = {}, {}
    for alignment in alignments:
        if alignment.rank == 1:
            first[alignment.claim_id] = alignment.matched_claim_id
        if alignment.matched_claim_id is not None:
            reported.setdefault(alignment.claim_id, set()).add(alignment.matched_claim_id)
    true_pos = false_pos = false_neg = right = 0
    top_reported = top_right = top_labelled = 0
    errors = []
    texts = {s.id: s.text for s in restating + source}
    for entry in labels:
        sentence = find_sentence(entry["sentence"], restating, "the restating document")
        gold = {find_sentence(f, source, "the source document") for f in entry["restates"]}
        also = {find_sentence(f, source, "the source document") for f in entry["also"]}
        found = reported.get(sentence, set())
        true_pos += len(found & gold)
        wrong = found - gold - also
        missed = gold - found
        false_pos += len(wrong)
        false_neg += len(missed)
        if (not gold and not found) or (gold and found & (gold | also)):
            right += 1
        best = first.get(sentence)
        top_reported += best is not None
        top_labelled += bool(gold)
        top_right += bool(gold) and best in gold | also
        for kind, ids in (("extra", wrong), ("missed", missed)):
            for claim in sorted(ids):
                errors.append(f"{kind}: {texts[sentence][:60]!r} -> {texts[claim][:60]!r}")
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "labelled_sentences": len(labels),
        "gold_pairs": true_pos + false_neg,
        "predicted_pairs": true_pos + false_pos,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "sentence_accuracy": right / len(labels) if labels else 1.0,
        "top_precision": top_right / top_reported if top_reported else 1.0,
        "top_recall": top_right / top_labelled if top_labelled else 1.0,
        "errors": errors,
    }


def expected_statuses(labels: list, restating: list, source: list) -> dict:
    """The status each labelled sentence should get, by sentence id.

    A label's ``status`` when it has one; else ``unsupported`` when it restates
    nothing, ``supported`` when one of the sentences it restates cites a
    source, and ``uncited-in-source`` when none of them does.
    """
    expected = {}
    for entry in labels:
        sentence = find_sentence(entry["sentence"], restating, "the restating document")
        if "status" in entry:
            expected[sentence] = entry["status"]
            continue
        gold = [s for s in source if s.id in {find_sentence(f, source, "the source document")
                                               for f in entry["restates"]}]
        if not gold:
            expected[sentence] = "unsupported"
        elif any(s.sources for s in gold):
            expected[sentence] = "supported"
        else:
            expected[sentence] = "uncited-in-source"
    return expected


def score_statuses(labels: list, restating: list, source: list, statuses: dict) -> dict:
    """Precision and recall of ``unsupported`` against the labels, and the recall by kind.

    ``statuses`` maps sentence id to status (``sentence_statuses``).  Precision:
    of the labelled sentences found unsupported, the share labelled so;
    recall: of those labelled unsupported, the share found so.  ``recall_added``
    and ``recall_distorted`` count only the labels of that kind.  ``agreement``
    is the share of labelled sentences whose status is exactly the expected
    one; ``wrong`` lists the others as (text, expected, got).
    """
    expected = expected_statuses(labels, restating, source)
    texts = {s.id: s.text for s in restating}
    kinds = {find_sentence(e["sentence"], restating, "the restating document"): e["kind"]
             for e in labels}
    found = {sid for sid in expected if statuses.get(sid) == "unsupported"}
    wanted = {sid for sid, status in expected.items() if status == "unsupported"}

    def share(part, whole):
        return len(part) / len(whole) if whole else 1.0

    by_kind = {kind: {sid for sid in wanted if kinds[sid] == kind} for kind in ("added", "distorted")}
    wrong = [(texts[sid], want, statuses.get(sid)) for sid, want in expected.items()
             if statuses.get(sid) != want]
    return {
        "unsupported_labelled": len(wanted),
        "unsupported_found": len(found),
        "unsupported_precision": share(found & wanted, found),
        "unsupported_recall": share(found & wanted, wanted),
        "recall_added": share(found & by_kind["added"], by_kind["added"]),
        "recall_distorted": share(found & by_kind["distorted"], by_kind["distorted"]),
        "added_labelled": len(by_kind["added"]),
        "distorted_labelled": len(by_kind["distorted"]),
        "agreement": share([1 for sid in expected if statuses.get(sid) == expected[sid]], expected),
        "wrong": wrong,
    }
