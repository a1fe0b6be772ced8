"""Refusals: general checks that turn a scored match into `unsupported` (what the match does not state)."""

import re
from typing import Optional

from .similarity import _Terms


def refusal(i, sentence, chosen, lexical, explain, roles, thresholds) -> Optional[str]:
    """Why a sentence that scores as a match still says what its matches do not, or None.

    Two general checks, both on what the sentence states rather than on any phrase:
    a match carried by context with few shared words and most of the sentence's
    content unstated in the matched sentences; and a term the rewrite gives a role
    (a test, a side effect of treatment) the original never gives it.
    """
    words = max(float(lexical[i][j]) for j in chosen)
    share, missing = explain.coverage(i, chosen)
    if words < thresholds.words and share < thresholds.coverage:
        return (f"shares too little with the original: words {words:.2f}, and the matched "
                f"sentences state {share:.0%} of its content (not: {', '.join(missing[:5])})")
    return roles.change(sentence.text)


# A role a rewrite can give a term: named as a test, or as a side effect of treatment.
# The vocabularies are general clinical and lay-medical words for each role.
_TEST_CUE = re.compile(r"\b(?:tests?|testing)\b", re.I)
_TEST_WORDS = re.compile(r"\b(?:tests?|testing|tested|diagnos\w*|biops\w*|imaging|scans?|"
                         r"microscop\w*|aspirat\w*|assays?)\b", re.I)
_EFFECT_CUE = re.compile(r"\b(?:side|adverse|unwanted) effects?\b|\badverse events?\b", re.I)
_TREATMENT_WORDS = re.compile(r"\b(?:\w*treat\w*|\w*therap\w*|drugs?|medicines?|medications?|surg\w*|"
                              r"resect\w*|chemo\w*|prophyla\w*|doses?|regimens?|\w*ectom\w*|"
                              r"\w*radiation\w*|adjuvant|neoadjuvant)\b", re.I)


class SourceRoles:
    """Which roles the original gives each of its terms, to catch a rewrite that changes one.

    A term is judged only when the original uses it in few sentences (at most
    ``max(2, 5%)``): a rare, specific term such as a drug's or a finding's name.
    """

    def __init__(self, source: list):
        self.terms = _Terms(1)
        self.sentences = [(set(self.terms(s.text)), s.text) for s in source]
        self.rare = max(2, len(source) // 20)

    def _contexts(self, term) -> list:
        return [text for terms, text in self.sentences if term in terms]

    def change(self, text: str) -> Optional[str]:
        test, effect = bool(_TEST_CUE.search(text)), bool(_EFFECT_CUE.search(text))
        if not (test or effect):
            return None
        for term in sorted(set(self.terms(text))):
            if term.startswith("#"):
                continue
            contexts = self._contexts(term)
            if not contexts or len(contexts) > self.rare:
                continue
            word = self.terms.readable.get(term, term)
            as_treatment = sum(1 for c in contexts if _TREATMENT_WORDS.search(c) and not _TEST_WORDS.search(c))
            if test and not _TEST_WORDS.search(word) and as_treatment * 2 > len(contexts):
                return f"calls {word} a test; the original names it mostly with treatment, not as a test"
            if effect and not _TREATMENT_WORDS.search(word) and not any(_TREATMENT_WORDS.search(c) or _EFFECT_CUE.search(c) for c in contexts):
                return (f"calls {word} a side effect of treatment; the original never ties it "
                        f"to treatment")
        return None


