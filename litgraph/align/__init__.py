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

This module is pure: plain lists in, plain dataclasses out.  Reading and
writing the ``claim_alignments`` table lives in ``litgraph.align.storage``.
"""

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .numbers import format_number, compare_quantities, extract_quantities
from ..errors import InputError

ALIGNMENT_STATUSES = ("supported", "number-mismatch", "unsupported", "uncited-in-source")


@dataclass
class Sentence:
    """One sentence of a document: a claim, or a sentence split from the text.

    ``sources`` lists the source keys (or citation labels) the sentence cites;
    an empty list means it cites nothing.
    """

    id: str
    text: str
    sources: list = field(default_factory=list)
    line: Optional[int] = None


# ---------------------------------------------------------------- sentences

_MARKER = re.compile(r"\[(\d+(?:\s*[-\u2013,]\s*\d+)*)\]")
_REFERENCE_LIST = re.compile(r"^(?:references|bibliography|works cited)$", re.I)
_ABBREVIATIONS = ("et al.", "e.g.", "i.e.", "vs.", "Dr.", "Fig.", "No.", "approx.", "cf.")
_BULLET = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa*\-]|\d{1,2}[.)])\s+")
# "... the lab. 2. CT-guided ..." and "include: 1. CT ..." number a list inline.
_INLINE_NUMBERED = re.compile(r"\s+\d{1,2}\.\s+(?=[A-Z])")
# "include: - Blood in the urine - Abdominal pain" lists with dashes.
_INLINE_DASHED = re.compile(r"(?<=\S)\s+-\s+(?=[A-Z])")
_SENTENCE_END = re.compile(
    r"(?<=[.!?])((?:\[\d+(?:\s*[-\u2013,]\s*\d+)*\])*)\s+(?=[\"\u201c(]?[A-Z0-9])"
    r"|(?<=[a-z]{2}[.!?])((?:\[\d+(?:\s*[-\u2013,]\s*\d+)*\])*)(?=[A-Z][a-z])"
)


def _split_block(block: str) -> list:
    """Split one paragraph or bullet into sentences, keeping trailing markers."""
    protected = block
    for abbreviation in _ABBREVIATIONS:
        protected = protected.replace(abbreviation, abbreviation.replace(".", "\x00"))
    if re.search(r":\s+1\.\s", protected):  # "include: 1. CT ... 2. Needle ..."
        items = _INLINE_NUMBERED.split(protected)
    elif re.search(r":\s+-\s", protected):  # "include: - Blood in the urine - ..."
        items = _INLINE_DASHED.split(protected)
    else:
        items = [protected]
    out = []
    for item in items:
        start = 0
        for match in _SENTENCE_END.finditer(item):
            markers = match.group(1) or match.group(2) or ""
            out.append(item[start:match.start() + len(markers)])
            start = match.end()
        out.append(item[start:])
    return [p.replace("\x00", ".").strip() for p in out if p.strip()]


def _is_heading(line: str) -> bool:
    """A standalone short line without a sentence's ending: a title, not a claim."""
    words = line.split()
    if line.endswith(":"):
        return len(words) <= 3
    if line.endswith("?"):
        return len(words) <= 12
    return not line.endswith((".", "!", ")", "]")) and len(words) <= 12


def split_sentences(text: str, document_id: str) -> list:
    """Split a document's text into Sentences, one per sentence or bullet.

    Headings (short standalone lines without a sentence's ending) are skipped,
    and splitting stops at a ``References`` heading.

    Citation markers such as ``[1][5]`` become the sentence's ``sources``
    (as labels ``"1"``, ``"5"``) and are removed from its text; a sentence
    without markers cites nothing.  Ids are ``<document_id>:L<line>.<n>``.

    >>> [s.text for s in split_sentences("Rare.[1] It recurs.There is more.", "d")]
    ['Rare.', 'It recurs.', 'There is more.']
    >>> split_sentences("Rare.[1][5] Yes.", "d")[0].sources
    ['1', '5']
    """
    sentences = []
    for number, line in enumerate(text.splitlines(), start=1):
        is_bullet = bool(_BULLET.match(line))
        block = _BULLET.sub("", line).strip()
        if not block:
            continue
        if _REFERENCE_LIST.match(block):
            break
        if not is_bullet and _is_heading(block):
            continue
        for n, piece in enumerate(_split_block(block), start=1):
            labels = []
            for group in _MARKER.findall(piece):
                labels.extend(_expand_markers(group))
            clean = _MARKER.sub("", piece)
            clean = re.sub(r"\s+([,.;:])", r"\1", clean)
            clean = " ".join(clean.split())
            if clean:
                sentences.append(Sentence(f"{document_id}:L{number}.{n}", clean, labels, number))
    return sentences


def _expand_markers(group: str) -> list:
    labels = []
    for part in re.split(r"\s*,\s*", group):
        bounds = re.split(r"\s*[-\u2013]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit() \
                and int(bounds[0]) < int(bounds[1]) <= int(bounds[0]) + 50:
            labels.extend(str(i) for i in range(int(bounds[0]), int(bounds[1]) + 1))
        else:
            labels.append(part.strip())
    return labels


# ---------------------------------------------------------------- similarity

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
    coverage: float = 0.25

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


class _Explainer:
    """Reads the word vectors of a scoring run back as words.

    ``explain(i, j, n)`` lists the n shared words that contribute most to the
    score of restating sentence i against source sentence j;
    ``explain.coverage(i, js)`` says how much of sentence i's content the
    source sentences js state.
    """

    def __init__(self, left, right, names, idf, readable):
        self.left, self.right, self.names, self.idf, self.readable = left, right, names, idf, readable

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
        roles = _SourceRoles(source)
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
        refusal = _refusal(i, sentence, chosen, lexical, explain, source, roles, thresholds)
        if refusal:
            alignments.append(_refused(sentence, source[chosen[0]], best, refusal))
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


def _refusal(i, sentence, chosen, lexical, explain, source, roles, thresholds) -> Optional[str]:
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


class _SourceRoles:
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
