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
writing the ``claim_alignments`` table lives in ``align_store.py``.
"""

import re
from dataclasses import dataclass, field
from typing import Optional

from .errors import InputError

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


# ---------------------------------------------------------------- numbers

@dataclass(frozen=True)
class Quantity:
    """A number, range, percentage or age a sentence states, as written and normalised.

    A single number has ``low == high``.  ``decade`` marks ranges written as
    decades of life ("4th and 6th decades" = ages 30-59).
    """

    low: float
    high: float
    percent: bool
    written: str
    decade: bool = False

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    def describe(self, words: bool = False) -> str:
        """``40\u201360``; with ``words``, also as written: ``40\u201360 ("ages of 40 and 60")``."""
        text = _fmt(self.low) if not self.is_range else f"{_fmt(self.low)}\u2013{_fmt(self.high)}"
        if self.percent:
            text += "%"
        plain = self.written.replace(" ", "").replace("-", "\u2013")
        if self.decade or (words and plain != text):
            text += f' ("{self.written}")'
        return text


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
# A word number counts only before a unit ("two years", "three cases"), so
# "one of the most common" states no quantity.
_UNITS = r"(?:years?|months?|weeks?|days?|hours?|decades?|cases?|patients?|times?|%)"
_NUM = r"\d+(?:\.\d+)?"
_ORD = r"(\d+)(?:st|nd|rd|th)"
# Names that carry digits but state no quantity: HMB-45, S-100, STRASS-2, R0, T2.
_IDENTIFIER = re.compile(r"\b[A-Za-z]+-\d+\b|\b[A-Z]{1,3}\d+\b|\b\d+/\d+/\d+\b|\b\d{1,2}:\d{2}(?::\d{2})?\b")
_DECADE_RANGE = re.compile(rf"{_ORD}\s*(?:and|to|-)\s*{_ORD}\s+decades?", re.I)
_DECADE_ONE = re.compile(rf"{_ORD}\s+decade", re.I)
_RANGE_PATTERNS = [
    re.compile(rf"between\s+(?:the\s+ages?\s+of\s+)?({_NUM})\s*(%?)\s*(?:and|to|-)\s*({_NUM})\s*(%?)", re.I),
    re.compile(rf"as\s+young\s+as\s+({_NUM})\s*(%?)\s+and\s+as\s+old\s+as\s+({_NUM})\s*(%?)", re.I),
    re.compile(rf"from\s+({_NUM})\s*(%?)\s+to\s+({_NUM})\s*(%?)", re.I),
    re.compile(rf"(?<![\w.])({_NUM})\s*(%?)\s*(?:-|to)\s*({_NUM})\s*(%?)(?![\w.])", re.I),
]
_SINGLE = re.compile(rf"(?<![\w.])({_NUM})\s*(%?)(?![\w])")


def _normalise_numbers(text: str) -> str:
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    text = re.sub(r"\s*(?:per\s*cent|percent)\b", "%", text, flags=re.I)
    text = _IDENTIFIER.sub(" ", text)
    words = "|".join(_WORD_NUMBERS)
    text = re.sub(rf"\b({words})\b(?=\s+{_UNITS})",
                  lambda m: str(_WORD_NUMBERS[m.group(1).lower()]), text, flags=re.I)
    ordinals = "|".join(_ORDINAL_WORDS)
    text = re.sub(rf"\b({ordinals})\b(?=\s+(?:and|to)\s+\w+\s+decades?|\s+decades?)",
                  lambda m: f"{_ORDINAL_WORDS[m.group(1).lower()]}th", text, flags=re.I)
    text = re.sub(rf"\b({ordinals})\b(?=\s+decades?)",
                  lambda m: f"{_ORDINAL_WORDS[m.group(1).lower()]}th", text, flags=re.I)
    return text


def extract_quantities(text: str) -> list:
    """Return the numbers, ranges, percentages and ages a sentence states.

    Different spellings of one quantity normalise to the same value:

    >>> [q.describe() for q in extract_quantities("aged 50 to 60 years, 0.1 percent")]
    ['50\u201360', '0.1%']
    >>> [(q.low, q.high) for q in extract_quantities("between the 4th and 6th decades")]
    [(30.0, 59.0)]
    """
    work = _normalise_numbers(text)
    found = []

    def take(match, quantity):
        nonlocal work
        found.append((match.start(), quantity))
        work = work[:match.start()] + " " * (match.end() - match.start()) + work[match.end():]

    for match in list(_DECADE_RANGE.finditer(work)):
        a, b = int(match.group(1)), int(match.group(2))
        take(match, Quantity(10.0 * (a - 1), 10.0 * b - 1, False, match.group(0).strip(), True))
    for match in list(_DECADE_ONE.finditer(work)):
        a = int(match.group(1))
        take(match, Quantity(10.0 * (a - 1), 10.0 * a - 1, False, match.group(0).strip(), True))
    for pattern in _RANGE_PATTERNS:
        for match in list(pattern.finditer(work)):
            low, high = float(match.group(1)), float(match.group(3))
            if high <= low:
                continue
            percent = bool(match.group(2) or match.group(4))
            take(match, Quantity(low, high, percent, match.group(0).strip()))
    for match in list(_SINGLE.finditer(work)):
        value = float(match.group(1))
        take(match, Quantity(value, value, bool(match.group(2)), match.group(0).strip()))
    return [q for _, q in sorted(found, key=lambda pair: pair[0])]


def _same_quantity(said: Quantity, source: Quantity) -> bool:
    if said.percent != source.percent:
        return False
    if said.is_range and source.is_range:
        if said.low != source.low:
            return False
        if said.high == source.high:
            return True
        # "4th-6th decades" (30-59) and "30 to 60" name the same span.
        return (said.decade or source.decade) and abs(said.high - source.high) == 1
    if not said.is_range:
        return said.low in (source.low, source.high)
    return False


def compare_quantities(restating_text: str, source_texts: list) -> list:
    """Say, one line each, which numbers of a rewrite its source sentences do not state.

    Returns [] when every number of the rewrite appears in the source
    sentences, however written.  Numbers only the source states are not a
    difference: a rewrite may leave detail out.

    >>> compare_quantities("ages 50 to 60", ["aged 50\u201360 years"])
    []
    >>> compare_quantities("between the ages of 40 and 60", ["the 4th and 6th decades of life"])
    ['rewrite says 40\u201360 ("between the ages of 40 and 60"); source says 30\u201359 ("4th and 6th decades")']
    """
    said = extract_quantities(restating_text)
    stated = [q for text in source_texts for q in extract_quantities(text)]
    missing = [q for q in said if not any(_same_quantity(q, s) for s in stated)]
    unused = [s for s in stated if not any(_same_quantity(q, s) for q in said)]
    differences = []
    for quantity in missing:
        candidates = [s for s in unused if s.percent == quantity.percent] or unused
        shaped = [s for s in candidates if s.is_range == quantity.is_range] or candidates
        if shaped:
            others = " or ".join(s.describe(words=True) for s in shaped[:2])
            differences.append(f"rewrite says {quantity.describe(words=True)}; source says {others}")
        else:
            differences.append(f"rewrite says {quantity.describe(words=True)}; "
                               "the matched source sentences state no such number")
    return differences


# ---------------------------------------------------------------- similarity

@dataclass
class Thresholds:
    """When a source sentence counts as restated.

    ``match``: the lowest score (cosine, 0..1) at which a source sentence
    counts as restated.  ``relative``: a second or third match must score at
    least this fraction of the best one.  ``max_matches``: at most this many
    matches per sentence.  ``number_weight``: how many times a number counts
    as a word when scoring.
    """

    match: float = 0.2
    relative: float = 0.75
    max_matches: int = 3
    number_weight: int = 2

    def __post_init__(self):
        for name in ("match", "relative"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise InputError(f"alignment threshold {name}={value!r}: expected a number from 0 to 1")
        for name in ("max_matches", "number_weight"):
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
        unknown = sorted(set(values) - {"match", "relative", "max_matches", "number_weight"})
        if unknown:
            raise InputError(f"unknown alignment threshold {unknown[0]!r}: expected match, relative, "
                             "max_matches or number_weight")
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


class _Terms:
    """Turns sentences into weighted terms and remembers a readable word for each term."""

    def __init__(self, number_weight: int = 2):
        import snowballstemmer

        self.stemmer = snowballstemmer.stemmer("english")
        self.stop = _stopwords()
        self.number_weight = number_weight
        self.readable = {}

    def __call__(self, text: str) -> list:
        lowered = text.lower().replace("\u2019", "'")
        for pattern, clinical in _LAY_PATTERNS:
            lowered = pattern.sub(clinical, lowered)
        terms = []
        for word in _WORD.findall(lowered.replace("-", " ")):
            if word in self.stop or len(word) < 2:
                continue
            term = self.stemmer.stemWord(word.strip("'"))[:STEM_LENGTH]
            self.readable.setdefault(term, word)
            terms.append(term)
        for quantity in extract_quantities(text):
            for value in {quantity.low, quantity.high}:
                term = "#" + _fmt(value) + ("%" if quantity.percent else "")
                self.readable.setdefault(term, term[1:])
                terms.extend([term] * self.number_weight)
        return terms


def similarity_matrix(restating_texts: list, source_texts: list, number_weight: int = 2):
    """Score every pair of sentences: TF-IDF (fitted on both lists) cosine, 0..1.

    Returns ``(scores, explain)``: ``scores[i][j]`` is the similarity of
    restating sentence i and source sentence j, and ``explain(i, j, n)`` lists
    the n shared words that contribute most to it.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    terms = _Terms(number_weight)
    vectorizer = TfidfVectorizer(analyzer=terms, sublinear_tf=True, norm="l2")
    everything = list(restating_texts) + list(source_texts)
    try:
        matrix = vectorizer.fit_transform(everything)
    except ValueError:  # no informative word at all
        return [[0.0] * len(source_texts) for _ in restating_texts], lambda i, j, n=5: []
    left = matrix[:len(restating_texts)]
    right = matrix[len(restating_texts):]
    scores = (left @ right.T).toarray()
    names = vectorizer.get_feature_names_out()

    def explain(i: int, j: int, n: int = 5) -> list:
        product = left[i].multiply(right[j]).tocoo()
        ranked = sorted(zip(product.data, product.col), reverse=True)[:n]
        return [terms.readable.get(names[col], names[col]) for _value, col in ranked]

    return scores, explain


# ---------------------------------------------------------------- alignment

@dataclass
class Alignment:
    """One match of a restating sentence, or the record that it has none.

    ``rank`` 1 is the best match.  An unsupported sentence has one Alignment
    with ``matched_claim_id`` None and the closest candidate named in the
    explanation.  ``sources`` are the sources the sentence inherits through
    this match.
    """

    claim_id: str
    rank: int
    matched_claim_id: Optional[str]
    score: float
    status: str
    explanation: str
    sources: list = field(default_factory=list)


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
    scores, explain = similarity_matrix([s.text for s in restating], [s.text for s in source],
                                        thresholds.number_weight)
    alignments = []
    for i, sentence in enumerate(restating):
        ranked = sorted(range(len(source)), key=lambda j: (-scores[i][j], j))
        best = float(scores[i][ranked[0]]) if ranked else 0.0
        if not ranked or best < thresholds.match:
            if ranked and best > 0:
                closest = source[ranked[0]]
                why = (f"no source sentence scores {thresholds.match:.2f} or more; closest is "
                       f"{closest.id} at {best:.2f}: \"{_short(closest.text)}\"")
            else:
                why = "no source sentence shares an informative word with it"
            alignments.append(Alignment(sentence.id, 1, None, round(best, 4), "unsupported", why))
            continue
        chosen = [j for j in ranked[:thresholds.max_matches]
                  if scores[i][j] >= thresholds.match and scores[i][j] >= thresholds.relative * best]
        differences = compare_quantities(sentence.text, [source[j].text for j in chosen])
        blamed = _blame(differences, sentence.text, [source[j] for j in chosen])
        for rank, j in enumerate(chosen, start=1):
            matched = source[j]
            shared = ", ".join(explain(i, j, 5))
            if differences and rank - 1 in blamed:
                status = "number-mismatch"
                why = "; ".join(differences) + f" (shared: {shared})"
            elif matched.sources:
                status = "supported"
                why = f"shared: {shared}"
            else:
                status = "uncited-in-source"
                why = f"the source sentence cites nothing (shared: {shared})"
            alignments.append(Alignment(sentence.id, rank, matched.id, round(float(scores[i][j]), 4),
                                        status, why, list(matched.sources)))
    return alignments


def _blame(differences: list, text: str, matched: list) -> set:
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


def propose_restatement(restating_text: str, source_text: str, thresholds=None) -> float:
    """The share (0..1) of a document's sentences that restate sentences of another.

    The extraction stage can propose ``restates: <source>`` for a document
    without references when this is 0.5 or more (PROPOSE_RESTATEMENT_AT)
    against a document that has references.
    """
    restating = split_sentences(restating_text, "a")
    source = split_sentences(source_text, "b")
    if not restating or not source:
        return 0.0
    thresholds = Thresholds.from_dict(thresholds)
    scores, _explain = similarity_matrix([s.text for s in restating], [s.text for s in source],
                                         thresholds.number_weight)
    covered = sum(1 for row in scores if max(row) >= thresholds.match)
    return round(covered / len(restating), 4)


PROPOSE_RESTATEMENT_AT = 0.5
