"""Restatements: align the sentences of a plain-language rewrite to the claims it restates.

A content author rewrites a cited clinical text for patients and drops the
citation markers.  ``align`` finds, for every sentence of the rewrite, the
sentences (claims) of the source document it restates, scores each match,
checks that the numbers survived the rewrite, and gives the sentence a status:

``supported``
    it matches source claims that cite sources; it inherits those sources
    (and so their evidence levels);
``number-mismatch``
    it matches, but a number, percentage, range or age differs from the
    matched claims (the explanation says what differs);
``unsupported``
    no source claim matches well enough;
``uncited-in-source``
    it matches source sentences that themselves cite nothing.

The method is lexical and explains itself: TF-IDF over Snowball-stemmed words
(fitted on the two documents only, nothing downloaded), a small glossary that
maps patient words to the clinical words a source uses ("blood in the urine"
-> hematuria, "kidney" -> renal), numbers as extra-weighted terms, and cosine
similarity.  A score is the cosine of the two sentences' weighted term vectors:
0 means no shared informative word, 1 means the same words in the same
proportions.  The shared terms that contribute most are kept as the
explanation.

This package is pure: plain lists in, plain dataclasses out.  By stage:
``sentences`` (splitting), ``similarity`` (scores), ``refusals`` (checks that
refuse a scored match), ``numbers`` and this module (the alignment and its
statuses).  Reading and writing the ``claim_alignments`` table lives in
``litgraph.align.storage``; hand labels and their scores in ``labels``.
"""

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .numbers import compare_quantities, extract_quantities
from .refusals import SourceRoles, refusal
from .sentences import Sentence, split_sentences
from .similarity import LAY_TERMS, Thresholds, lexical_similarity, score_pairs
from ..errors import InputError

ALIGNMENT_STATUSES = ("supported", "number-mismatch", "unsupported", "uncited-in-source")
__all__ = ["ALIGNMENT_STATUSES", "Alignment", "LAY_TERMS", "Sentence", "Thresholds", "align",
           "lexical_similarity", "propose_restatement", "score_pairs", "sentence_statuses",
           "split_sentences"]


# ---------------------------------------------------------------- alignment

@dataclass
class Alignment:
    """One match of a restating sentence, or the record that it has none.

    ``rank`` 1 is the best match.  An unsupported sentence has one Alignment
    with ``matched_claim_id`` None and the closest candidate named in the
    explanation.  ``sources`` are the sources the sentence inherits through
    this match; ``matched_text`` and ``matched_line`` say which source sentence
    it is even when that sentence is not a stored claim.
    """

    claim_id: str
    rank: int
    matched_claim_id: Optional[str]
    score: float
    status: str
    explanation: str
    sources: list = field(default_factory=list)
    matched_text: Optional[str] = None
    matched_line: Optional[int] = None


def _check_ids(sentences: list, what: str) -> None:
    seen = set()
    for sentence in sentences:
        if not isinstance(sentence, Sentence):
            raise InputError(f"{what}: expected Sentence, got {type(sentence).__name__}")
        if sentence.id in seen:
            raise InputError(f"{what}: sentence id {sentence.id!r} appears twice")
        seen.add(sentence.id)


def align(restating: list, source: list, thresholds=None) -> list:
    """Align every restating sentence to the source sentences it restates.

    Returns Alignments ordered by restating sentence then rank; every
    restating sentence gets at least one (``unsupported`` when nothing
    matches).  See the module docstring for the statuses.

    >>> rewrite = [Sentence("r1", "It usually affects people between 50 to 60 years old.")]
    >>> chapter = [Sentence("s1", "The mean age at presentation is 50\u201360 years.", ["2"]),
    ...            Sentence("s2", "CT is limited in the evaluation of renal LMS.")]
    >>> [(a.matched_claim_id, a.status) for a in align(rewrite, chapter)]
    [('s1', 'supported')]
    """
    thresholds = Thresholds.from_dict(thresholds)
    _check_ids(restating, "restating document")
    _check_ids(source, "source document")
    if not restating:
        return []
    if source:
        scores, lexical, explain = score_pairs(restating, source, thresholds)
        roles = SourceRoles(source)
    alignments = []
    for i, sentence in enumerate(restating):
        ranked = [int(j) for j in np.argsort(-scores[i], kind="stable")[:thresholds.max_matches]] \
            if source else []
        best = float(scores[i][ranked[0]]) if ranked else 0.0
        if not ranked or best < thresholds.match:
            alignments.append(_unsupported(sentence, source, ranked, best, thresholds))
            continue
        chosen = [j for j in ranked
                  if scores[i][j] >= thresholds.match and scores[i][j] >= thresholds.relative * best]
        why_not = refusal(i, sentence, chosen, lexical, explain, roles, thresholds)
        if why_not:
            alignments.append(_refused(sentence, source[chosen[0]], best, why_not))
            continue
        differences = compare_quantities(sentence.text, [source[j].text for j in chosen])
        blamed = _blame(differences, [source[j] for j in chosen])
        for rank, j in enumerate(chosen, start=1):
            matched = source[j]
            basis = (f"words {lexical[i][j]:.2f}, with context {scores[i][j]:.2f}; "
                     f"shared: {', '.join(explain(i, j, 5)) or 'none'}")
            if rank - 1 in blamed:
                status, why = "number-mismatch", "; ".join(differences) + f" ({basis})"
            elif matched.sources:
                status, why = "supported", basis
            else:
                status, why = "uncited-in-source", f"the source sentence cites nothing ({basis})"
            alignments.append(Alignment(sentence.id, rank, matched.id, round(float(scores[i][j]), 4),
                                        status, why, list(matched.sources), matched.text,
                                        matched.line))
    return alignments


def _unsupported(sentence, source, ranked, best, thresholds) -> Alignment:
    if ranked and best > 0:
        closest = source[ranked[0]]
        # Named by its line: a sentence split from the text has no id outside this run.
        where = f", line {closest.line} of the original," if closest.line is not None else ""
        why = (f"no source sentence scores {thresholds.match:.2f} or more; the closest{where} "
               f"scores {best:.3f}: \"{_short(closest.text)}\"")
    else:
        why = "no source sentence shares a word with it"
    return Alignment(sentence.id, 1, None, round(best, 4), "unsupported", why)


def _refused(sentence, closest, best, why) -> Alignment:
    where = f" (line {closest.line} of the original)" if closest.line is not None else ""
    return Alignment(sentence.id, 1, None, round(best, 4), "unsupported",
                     f"{why}; the closest{where} scores {best:.3f}: \"{_short(closest.text)}\"")


def _blame(differences: list, matched: list) -> set:
    """Which matches a number difference is reported on: those stating numbers, else the best."""
    if not differences:
        return set()
    with_numbers = {k for k, s in enumerate(matched) if extract_quantities(s.text)}
    return with_numbers or {0}


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


STATUS_PRECEDENCE = ("number-mismatch", "supported", "uncited-in-source", "unsupported")


def sentence_statuses(alignments: list) -> dict:
    """One status per restating sentence, the first of STATUS_PRECEDENCE among its matches.

    A sentence that matches a cited and an uncited source sentence is
    ``supported``; any number difference makes it ``number-mismatch``.
    """
    statuses = {}
    for alignment in alignments:
        current = statuses.get(alignment.claim_id)
        if current is None or STATUS_PRECEDENCE.index(alignment.status) < STATUS_PRECEDENCE.index(current):
            statuses[alignment.claim_id] = alignment.status
    return statuses


PROPOSE_RESTATEMENT_AT = 0.5


def propose_restatement(restating_text: str, source_text: str, thresholds=None) -> float:
    """The share (0..1) of a document's sentences that restate sentences of another.

    For the extraction stage: propose ``restates: <source>`` for a document
    without references when this reaches PROPOSE_RESTATEMENT_AT (0.5)
    against a document that has references.  Scores on words alone (no
    context), so an unrelated document on the same disease scores low.
    """
    thresholds = Thresholds.from_dict(thresholds)
    restating = split_sentences(restating_text, "a")
    source = split_sentences(source_text, "b")
    if not restating or not source:
        return 0.0
    lexical, _explain = lexical_similarity([s.text for s in restating], [s.text for s in source],
                                           thresholds.number_weight)
    covered = int((lexical.max(axis=1) >= PROPOSE_SENTENCE_AT).sum())
    return round(covered / len(restating), 4)


PROPOSE_SENTENCE_AT = 0.3  # a sentence counts as restated at this lexical score
