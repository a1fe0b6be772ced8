"""Numbers in restated sentences: find them, normalise them, say what differs.

A rewrite may spell a number differently from its source without changing
it (``50-60`` / ``50 to 60`` / ``between 50 and 60``, ``0.1%`` / ``0.1
percent``, ``two years`` / ``2 years``) or change it (``between the ages of 40
and 60`` for ``the 4th and 6th decades of life``, ages 30-59).
``compare_quantities`` tells the two apart and says what differs.

Decades of life: the n-th decade is ages 10(n-1) to 10n-1, so the 4th-6th
decades are 30-59; an upper bound one higher (30-60) is accepted as the same
span, written the other way.
"""

import re
from dataclasses import dataclass

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
        text = format_number(self.low) if not self.is_range else f"{format_number(self.low)}\u2013{format_number(self.high)}"
        if self.percent:
            text += "%"
        plain = self.written.replace(" ", "").replace("-", "\u2013")
        if self.decade or (words and plain != text):
            text += f' ("{self.written}")'
        return text


def format_number(value: float) -> str:
    """``50.0`` -> ``50``, ``58.5`` -> ``58.5``."""
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


_LIST_START = re.compile(r"(?:^|:\s*)1\.\s+(?=[A-Z])")
_LIST_ITEM = re.compile(r"(?:^|(?<=\s))\d{1,2}\.\s+(?=[A-Z])")
_LEADING_ITEM = re.compile(r"^\s*\d{1,2}[.)]\s+(?=[A-Z])")


def _normalise_numbers(text: str) -> str:
    # List numbering ("1. CT scan ... 2. Needle biopsy") states no quantity.
    if _LIST_START.search(text):
        text = _LIST_ITEM.sub(" ", text)
    else:
        text = _LEADING_ITEM.sub(" ", text)
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
            closest = min(shaped, key=lambda s: abs(s.low - quantity.low) + abs(s.high - quantity.high))
            differences.append(f"rewrite says {quantity.describe(words=True)}; "
                               f"source says {closest.describe(words=True)}")
        else:
            differences.append(f"rewrite says {quantity.describe(words=True)}; "
                               "the matched source sentences state no such number")
    return differences
