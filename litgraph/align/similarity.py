"""Similarity: thresholds, the patient-word glossary, TF-IDF word scores and context scores."""

import re
from dataclasses import dataclass

import numpy as np

from .numbers import extract_quantities, format_number
from ..errors import InputError


_FLOATS = ("match", "relative", "neighbour_weight", "paragraph_weight", "words", "coverage")
_COUNTS = ("max_matches", "number_weight")


@dataclass
class Thresholds:
    """When a source sentence counts as restated, and how a score is made.

    ``match``: the lowest score (0..1) at which a source sentence counts as
    restated.  ``relative``: a second or third match must score at least this
    fraction of the best one.  ``max_matches``: at most this many matches per
    sentence.  ``number_weight``: how many times a number counts as a word.
    ``neighbour_weight`` and ``paragraph_weight``: how much the context adds
    (see ``score_pairs``).  ``words`` and ``coverage``: a match carried by
    context rather than words is refused when its word score (context left
    out) is below ``words`` and the matched sentences state less than
    ``coverage`` of the sentence's words (IDF-weighted): the sentence says
    something of its own, placed among sentences that do restate the original.
    """

    match: float = 0.18
    relative: float = 0.9
    max_matches: int = 3
    number_weight: int = 2
    neighbour_weight: float = 0.5
    paragraph_weight: float = 0.3
    words: float = 0.12
    coverage: float = 0.15

    def __post_init__(self):
        for name in _FLOATS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise InputError(f"alignment threshold {name}={value!r}: expected a number from 0 to 1")
        for name in _COUNTS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InputError(f"alignment threshold {name}={value!r}: expected a whole number >= 1")

    @classmethod
    def from_dict(cls, values) -> "Thresholds":
        """Build from a mapping such as a config section; unknown keys are an InputError."""
        if values is None:
            return cls()
        if isinstance(values, Thresholds):
            return values
        unknown = sorted(set(values) - set(_FLOATS) - set(_COUNTS))
        if unknown:
            raise InputError(f"unknown alignment threshold {unknown[0]!r}: expected one of "
                             + ", ".join(_FLOATS + _COUNTS))
        return cls(**values)


# Patient words -> the clinical word a source uses for the same thing.  Applied
# (as whole words, case-insensitively) to both sides before stemming, so the
# rewrite's "blood in the urine" and the source's "hematuria" share a term.
LAY_TERMS = [
    (r"blood in (?:the |their )?urine", "hematuria"),
    (r"(?:drops? in|low|lowered|lower) blood pressure", "hypotension"),
    (r"through the bloodstream|bloodstream", "hematogenous"),
    (r"spread(?:s|ing)? to (?:other|distant) (?:parts|areas|sites) of the body", "metastasis"),
    (r"spread(?:s|ing)?", "metastasis"),
    (r"com(?:e|es|ing) back|return(?:s|ed|ing)?", "recurrence"),
    (r"bleed(?:ing|s)?", "hemorrhage"),
    (r"lump", "mass"),
    (r"outlook", "prognosis"),
    (r"before (?:the )?surgery", "preoperative"),
    (r"after (?:the )?surgery", "postoperative"),
    (r"remov(?:e|ed|es|al|ing)", "resection"),
    (r"excision", "resection"),
    (r"kidneys?", "renal"),
    (r"wom[ae]n|females?", "female"),
    (r"average", "mean"),
    (r"scans?", "imaging"),
    (r"under a microscope|microscopic(?:ally)?", "histological"),
    (r"harmless", "benign"),
    (r"tumours?", "tumor"),
]
_LAY_PATTERNS = [(re.compile(rf"\b(?:{lay})\b", re.I), clinical) for lay, clinical in LAY_TERMS]
STEM_LENGTH = 7  # words compare by their first 7 letters after stemming
SAME_WORD_PREFIX = 4  # a stem this long that begins another is the same word (late/later)
_WORD = re.compile(r"[a-z][a-z']*[a-z]|[a-z]")


def _stopwords() -> frozenset:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"it's", "don't", "doesn't", "isn't", "aren't", "can't",
                                            "there's", "they're"}


def _clinical_words(text: str) -> str:
    """Lower case, curly apostrophes straightened, patient phrases replaced by LAY_TERMS."""
    lowered = text.lower().replace("\u2019", "'")
    for pattern, clinical in _LAY_PATTERNS:
        lowered = pattern.sub(clinical, lowered)
    return lowered


class _Terms:
    """Turns sentences into weighted terms and remembers a readable word for each term."""

    def __init__(self, number_weight: int = 2):
        import snowballstemmer

        self.stemmer = snowballstemmer.stemmer("english")
        self.stop = _stopwords()
        self.number_weight = number_weight
        self.readable = {}
        self.stems = {}

    def __call__(self, text: str) -> list:
        terms = []
        for word in _WORD.findall(_clinical_words(text).replace("-", " ")):
            if word in self.stop or len(word) < 2:
                continue
            term = self.stems.get(word)
            if term is None:
                term = self.stems[word] = self.stemmer.stemWord(word.strip("'"))[:STEM_LENGTH]
            if term not in self.readable or len(word) < len(self.readable[term]):
                self.readable[term] = word
            terms.append(term)
        for quantity in extract_quantities(text):
            for value in {quantity.low, quantity.high}:
                term = "#" + format_number(value) + ("%" if quantity.percent else "")
                self.readable.setdefault(term, term[1:])
                terms.extend([term] * self.number_weight)
        return terms


def lexical_similarity(restating_texts: list, source_texts: list, number_weight: int = 2):
    """Score every pair of sentences on their words alone, 0..1.

    The mean of two TF-IDF cosines, both fitted on the two lists only:
    over stemmed words and numbers (``number_weight`` times), and over
    character 3-5-grams within words (which catches ``accurate``/``accuracy``
    and ``radiological``/``radiologist``).  Returns ``(scores, explain)``:
    ``scores[i][j]`` for restating sentence i and source sentence j, and
    ``explain(i, j, n)`` lists the n shared words that contribute most.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(restating_texts)
    everything = list(restating_texts) + list(source_texts)
    terms = _Terms(number_weight)
    words = TfidfVectorizer(analyzer=terms, sublinear_tf=True, norm="l2")
    letters = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                              preprocessor=_clinical_words)
    try:
        word_matrix = words.fit_transform(everything)
        letter_matrix = letters.fit_transform(everything)
    except ValueError:  # not one informative word in either list
        return np.zeros((n, len(source_texts))), _NoWords()
    left, right = word_matrix[:n], word_matrix[n:]
    scores = ((left @ right.T).toarray() + (letter_matrix[:n] @ letter_matrix[n:].T).toarray()) / 2
    names = words.get_feature_names_out()

    return scores, _Explainer(left.tocsr(), right.tocsr(), names, words.idf_, terms.readable)


class _NoWords:
    """The explainer of a run without one informative word."""

    def __call__(self, i, j, count=5):
        return []

    def coverage(self, i, js):
        return 0.0, []

    def unstated(self, i):
        return []


class _Explainer:
    """Reads the word vectors of a scoring run back as words.

    ``explain(i, j, n)`` lists the n shared words that contribute most to the
    score of restating sentence i against source sentence j;
    ``explain.coverage(i, js)`` says how much of sentence i's content the
    source sentences js state.
    """

    def __init__(self, left, right, names, idf, readable):
        self.left, self.right, self.names, self.idf, self.readable = left, right, names, idf, readable
        self._source_terms = None

    def _row(self, matrix, i) -> dict:
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        return dict(zip(matrix.indices[start:end], matrix.data[start:end]))

    def _word(self, col) -> str:
        return self.readable.get(self.names[col], self.names[col])

    def __call__(self, i: int, j: int, count: int = 5) -> list:
        row_i = self._row(self.left, i)
        shared = [(weight * row_i[col], col) for col, weight in self._row(self.right, j).items()
                  if col in row_i]
        ranked = sorted(shared, key=lambda pair: (-pair[0], pair[1]))[:count]
        return [self._word(col) for _value, col in ranked]

    def coverage(self, i: int, js: list) -> tuple:
        """``(share, missing)``: the IDF-weighted share (0..1) of sentence i's words
        that the source sentences js also use, and i's words they do not use, rarest
        first.  Numbers are left out (the number check judges them)."""
        mine = [col for col in self._row(self.left, i) if not self.names[col].startswith("#")]
        if not mine:
            return 1.0, []
        theirs = set()
        for j in js:
            theirs.update(self._row(self.right, j))
        total = sum(self.idf[col] for col in mine)
        covered = sum(self.idf[col] for col in mine if col in theirs)
        missing = sorted((col for col in mine if col not in theirs), key=lambda col: (-self.idf[col], col))
        return covered / total, [self._word(col) for col in missing]

    def unstated(self, i: int) -> list:
        """Sentence i's words that no source sentence uses in any form, rarest first.

        A word counts as used when a source word has the same stem, or when one
        stem begins with the other and the shorter has at least
        ``SAME_WORD_PREFIX`` letters (``late``/``later``, which the stemmer
        keeps apart).  Numbers are left out.
        """
        if self._source_terms is None:
            self._source_terms = {self.names[col] for col in set(self.right.indices)
                                  if not self.names[col].startswith("#")}
        unstated = []
        for col in self._row(self.left, i):
            term = self.names[col]
            if term.startswith("#") or term in self._source_terms:
                continue
            if any(min(len(term), len(other)) >= SAME_WORD_PREFIX
                   and (term.startswith(other) or other.startswith(term))
                   for other in self._source_terms):
                continue
            unstated.append(col)
        unstated.sort(key=lambda col: (-self.idf[col], col))
        return [self._word(col) for col in unstated]


def _neighbour_context(lexical):
    """How well the sentences either side of i match near j (j-1..j before, j..j+1 after).

    A rewrite keeps its source's order, mostly: a sentence whose neighbours
    match the neighbourhood of j probably restates j too.
    """
    n, m = lexical.shape
    if m == 0:
        return np.zeros((n, m))
    padded = np.pad(lexical, ((0, 0), (1, 1)))
    before = np.maximum(padded[:, :-2], padded[:, 1:-1])  # max(s[k, j-1], s[k, j])
    after = np.maximum(padded[:, 1:-1], padded[:, 2:])  # max(s[k, j], s[k, j+1])
    context = np.zeros((n, m))
    for i in range(n):
        sides = ([before[i - 1]] if i > 0 else []) + ([after[i + 1]] if i + 1 < n else [])
        if sides:
            context[i] = np.mean(sides, axis=0)
    return context


def _paragraph_context(lexical, restating: list, source: list):
    """How well sentence i's paragraph matches sentence j's paragraph (same ``line``).

    The mean, over the sentences of i's paragraph, of their best score in j's
    paragraph.  Sentences without a line are paragraphs of their own.
    """
    def groups(sentences):
        keys, index = {}, []
        for k, sentence in enumerate(sentences):
            key = sentence.line if sentence.line is not None else ("own", k)
            index.append(keys.setdefault(key, len(keys)))
        return np.array(index, dtype=int), len(keys)

    rows, row_count = groups(restating)
    cols, col_count = groups(source)
    best_in = np.zeros((lexical.shape[0], col_count))  # best score of i in each source paragraph
    for g in range(col_count):
        best_in[:, g] = lexical[:, cols == g].max(axis=1)
    paragraph = np.zeros((row_count, col_count))
    for g in range(row_count):
        paragraph[g] = best_in[rows == g].mean(axis=0)
    return paragraph[np.ix_(rows, cols)]


def score_pairs(restating: list, source: list, thresholds=None):
    """Score every (restating, source) pair, 0..1, words first and context second.

    ``score = (lexical + neighbour_weight * neighbours + paragraph_weight * paragraph)
    / (1 + neighbour_weight + paragraph_weight)`` where ``lexical`` is
    ``lexical_similarity``, ``neighbours`` how well the sentences either side
    match next to j (counted only when the pair shares a word), and
    ``paragraph`` how well the two paragraphs match.  A pair with no word in
    common can still score from context, but only a little.

    Returns ``(scores, lexical, explain)``.
    """
    thresholds = Thresholds.from_dict(thresholds)
    lexical, explain = lexical_similarity([s.text for s in restating], [s.text for s in source],
                                          thresholds.number_weight)
    neighbours = _neighbour_context(lexical) * (lexical > 0)
    paragraph = _paragraph_context(lexical, restating, source)
    total = 1 + thresholds.neighbour_weight + thresholds.paragraph_weight
    scores = (lexical + thresholds.neighbour_weight * neighbours
              + thresholds.paragraph_weight * paragraph) / total
    return scores, lexical, explain


