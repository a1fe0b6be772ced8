"""Refusals: general checks that turn a scored match into `unsupported` (what the match does not state)."""

import re
from typing import Optional

from .similarity import _Terms


def refusal(i, sentence, chosen, lexical, explain, roles, thresholds) -> Optional[str]:
    """Why a sentence that scores as a match still says what its matches do not, or None.

    General checks, each on what the sentence states rather than on any phrase:

    - it speaks about the document itself ("the text does not say ..."), which the
      matched sentences do not;
    - a match carried by context with few shared words, most of the sentence's
      content unstated in the matched sentences, and some of it stated nowhere in
      the original (a loose paraphrase uses the original's words elsewhere; an
      addition brings words of its own);
    - polarity: it asserts the head of a phrase the matched sentences negate (the
      first content word after "not", "no", "never" ..., or a word after un-), or
      states an absolute (always, never) they do not;
    - a term the rewrite gives a role (a test, a side effect of treatment) the
      original never gives it.
    """
    matched = [roles.text(j) for j in chosen]
    if _DOCUMENT.search(sentence.text) and not any(_DOCUMENT.search(m) for m in matched):
        return ("speaks about the document itself (\"" + _DOCUMENT.search(sentence.text).group(0)
                + "\"), which the matched sentences of the original do not")
    words = max(float(lexical[i][j]) for j in chosen)
    share, missing = explain.coverage(i, chosen)
    if words < thresholds.words and share < thresholds.coverage:
        new = explain.unstated(i)
        if new:
            return (f"shares too little with the original: words {words:.2f}, and the matched "
                    f"sentences state {share:.0%} of its content (not: {', '.join(missing[:5])}; "
                    f"nowhere in the original: {', '.join(new[:3])})")
    return roles.polarity(sentence.text, matched) or roles.change(sentence.text)


# A sentence about the document it is in: "the text does not say", "this guide explains".
_DOCUMENT = re.compile(r"\b(?:the|this|these)\s+(?:text|guide|leaflet|booklet|handout|page|website|"
                       r"article|document)s?\b", re.I)
# Negation cues; a cue negates the first NEGATION_SCOPE content words after it (past a
# semi-modal: "not need to be stopped"), within its clause.  A word prefixed un- negates
# the rest of the word.
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|without|none|neither|nor)\b|n't\b", re.I)
_CLAUSE_END = re.compile(r"[,;:.!?()]|\b(?:but|although|though|while|whereas|because|so|which|who|"
                         r"that|if|when|unless|until|and|or)\b", re.I)
_NEGATED_WORD = re.compile(r"\bun-?([a-z]{4,})", re.I)
_SEMI_MODAL = re.compile(r"^\s*(?:\w+\s+)?(?:need|needs|needed|have|has|had|ought|able|required)\s+to\b",
                         re.I)
NEGATION_SCOPE = 1  # content words a negation cue reaches: the head of the negated phrase
_ABSOLUTE = re.compile(r"\b(?:always|never|invariably|in all cases|every time)\b", re.I)
_UNIVERSAL = re.compile(r"\b(?:always|never|invariably|all|every|none|no one)\b", re.I)


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
        self._polarities = {}

    def text(self, j: int) -> str:
        return self.sentences[j][1]

    def _polarity_of(self, text: str) -> tuple:
        """``(asserted, negated)`` terms of a text: a term is negated inside a negation's
        scope (or after un-), asserted elsewhere."""
        if text not in self._polarities:
            lowered = text.replace("\u2019", "'")
            negated, blanked = set(), lowered
            for cue in _NEGATION.finditer(lowered):
                rest = lowered[cue.end():]
                end = _CLAUSE_END.search(rest)
                clause = rest[:end.start()] if end else rest
                # "not need to be stopped": the semi-modal is not the head, the verb after it is.
                scope = _SEMI_MODAL.sub(" ", clause, count=1)
                negated.update([t for t in self.terms(scope) if not t.startswith("#")][:NEGATION_SCOPE])
                blanked = blanked[:cue.end()] + " " * len(clause) + blanked[cue.end() + len(clause):]
            for word in _NEGATED_WORD.finditer(lowered):
                negated.update(t for t in self.terms(word.group(1)) if len(t) >= 4)
            asserted = {t for t in self.terms(blanked) if not t.startswith("#")}
            self._polarities[text] = (asserted, negated)
        return self._polarities[text]

    def polarity(self, text: str, matched: list) -> Optional[str]:
        """A term the rewrite asserts where the matched sentences negate it (and never assert
        it), or an absolute (always, never) where they state none.  The other direction (the
        rewrite negates what the original asserts) is left out: a rewrite often restates a
        statement through a negation ("there are no ..."), and that misfired."""
        asserted, negated = self._polarity_of(text)
        theirs_asserted, theirs_negated = set(), set()
        for other in matched:
            a, n = self._polarity_of(other)
            theirs_asserted |= a
            theirs_negated |= n
        for term in sorted((asserted & theirs_negated) - negated - theirs_asserted):
            return (f"states {self.terms.readable.get(term, term)} where the original negates it")
        absolute = _ABSOLUTE.search(text)
        if absolute and not any(_UNIVERSAL.search(other) for other in matched):
            return f"says \"{absolute.group(0)}\" where the original states no such absolute"
        return None

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


