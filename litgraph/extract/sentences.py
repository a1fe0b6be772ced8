"""Sentences, citation markers and restatements: the text-level helpers of extract.

>>> [s for _, s in split_sentences("Moazzam et al. reported a case.[11] It bled. A 58.5 mean.")]
['Moazzam et al. reported a case.[11]', 'It bled.', 'A 58.5 mean.']
"""

import re

from .fields import strip_identifiers
from .markers import BRACKETS, CARET, SUPERSCRIPT_NUMBERS

BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u25aa\u25cf*]|-(?=\s))\s*")
LEVEL_MARKER = re.compile(r"\[\s*Level\s+([1-5])\s*\]", re.I)
NUMBER_MARKER = re.compile(r"\[(\d{1,6}(?:\s*[,\u2013-]\s*\d{1,6})*)\]")
ABBREVIATIONS = {
    "al", "e.g", "i.e", "eg", "ie", "vs", "dr", "mr", "mrs", "ms", "prof", "fig", "figs", "no",
    "nos", "approx", "st", "cf", "ca", "viz", "vol", "pp", "ref", "refs", "inc", "ltd", "jr",
    "sr", "dept", "univ", "mt", "ph.d", "m.d",
}


# ---------------------------------------------------------------- sentences

# markers a sentence may carry after its full stop: [3], [1,2], ¹, ¹⁻³, ^2^ (Vancouver and AMA
# put a superscript after the full stop)
_SUPERSCRIPT_MARKER = SUPERSCRIPT_NUMBERS + "|" + CARET.pattern
_AFTER_STOP = r"\[[^\[\]\n]{1,30}\]|" + _SUPERSCRIPT_MARKER
_BOUNDARY = re.compile(r"[.!?][\"\u201d\u2019)]?(?P<markers>(?:" + _AFTER_STOP + r")*)"
                       r"(?P<space>\s+|(?=[A-Z][a-z]))")
TRAILING_MARKERS = re.compile(r"(?:" + _AFTER_STOP + r")+\s*$")  # "... two.²": still a full stop


def split_sentences(text: str) -> list:
    """Split a paragraph into (offset, sentence) pairs.

    Markers right after the full stop stay with their sentence; abbreviations
    (``et al.``, ``e.g.``, initials), decimals (``58.5``) and a missing space
    after a full stop (``preponderance.There``) are handled.

    >>> [s for _, s in split_sentences("Moazzam et al. reported a case.[11] It bled. A 58.5 mean.")]
    ['Moazzam et al. reported a case.[11]', 'It bled.', 'A 58.5 mean.']
    """
    out, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.end("markers")  # the markers after the full stop end the sentence
        before = text[max(start, match.start() - 60): match.start()].split()
        word = before[-1] if before else ""
        following = text[match.end():match.end() + 2]
        if not following:
            continue
        if match.group("space"):
            if not (following[0].isupper() or following[0].isdigit()
                    or following[0] in "\"\u201c\u2018([\u2022"):
                continue
        elif not re.search(r"[a-z]{3}$", word):
            continue
        if re.fullmatch(r"\d{1,2}", word):  # "include: 1. CT ... 2. Biopsy": a list, not an end
            n = int(word)
            window_before = text[max(0, match.start() - 2000):match.start()]
            window_after = text[match.end():match.end() + 2000]
            if f"{n - 1}. " in window_before or f"{n + 1}. " in window_after:
                continue
        bare = word.lower().rstrip(".").lstrip("(\"")
        if bare in ABBREVIATIONS or re.fullmatch(r"[a-z]", bare) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare):
            continue
        sentence = text[start:end].strip()
        if sentence:
            out.append((start, sentence))
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append((start, tail))
    joined = []
    for offset, sentence in out:  # "(Niceta, “Leiomyosarcoma. Review of cases”)": one sentence
        if joined and joined[-1][1].count("(") > joined[-1][1].count(")") \
                and sentence.count(")") > sentence.count("(") and len(joined[-1][1]) < 600:
            first = joined[-1][0]
            end = text.find(sentence, offset) + len(sentence)
            joined[-1] = (first, text[first:end].strip())
        else:
            joined.append((offset, sentence))
    merged = []
    for offset, sentence in joined:  # "recommended. [2][3] There is": the markers end the first
        lead = LEADING_MARKERS.match(sentence)
        if lead and merged and sentence[lead.end():].strip():
            merged[-1] = (merged[-1][0], merged[-1][1] + lead.group(0).strip())
            skip = len(sentence) - len(sentence[lead.end():].lstrip())
            merged.append((offset + skip, sentence[lead.end():].strip()))
        else:
            merged.append((offset, sentence))
    return merged


# markers that open a sentence after "recommended. " end the one before it: [2], [Level 3],
# a footnote reference [^2] or [^key], a cross-reference [#id], ¹ or ^2^
LEADING_MARKERS = re.compile(r"^(?:(?:\[(?:\d{1,6}(?:\s*[,\u2013-]\s*\d{1,6})*|Level\s+[1-5])\]"
                             r"|\[[\^#][^\]\s]{1,80}\]|" + _SUPERSCRIPT_MARKER + r")\s*)+")


def _clean_claim_text(text):
    text = NUMBER_MARKER.sub("", BRACKETS.sub("", text))  # [1]–[3] whole, then [n]
    text = LEVEL_MARKER.sub("", text)
    text = BULLET.sub("", text)
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _is_marker_only(text):
    rest = strip_identifiers(_clean_claim_text(text))
    rest = re.sub(r"\b(fetch|references?|refs?|see|sources?|pmid|doi)\b", "", rest, flags=re.I)
    return len(re.findall(r"[A-Za-z]{2,}", rest)) == 0


# ---------------------------------------------------------------- restatements

RESTATES_THRESHOLD = 0.3  # Jaccard similarity of the two documents' content words


def content_words(text: str) -> set:
    """Stemmed words of four letters or more: what two wordings of one content share."""
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("english")
    return set(stemmer.stemWords(set(re.findall(r"[a-z]{4,}", text.lower()))))


def propose_restates(documents) -> dict:
    """{document id: id of the document it restates} for documents without references.

    A document without references restates the document with references whose
    content words are most alike (Jaccard similarity of stemmed words, so a long
    page that merely contains the same vocabulary does not win), when that
    similarity is at least RESTATES_THRESHOLD.  Only a proposal: a curator
    confirms it.  On the seeds, 000 vs 001 scores 0.35; the next best pair 0.24.
    """
    with_refs = [d for d in documents if any(r.role != "self" for r in d.references)]
    words_of = {}  # a document's content words, stemmed once
    proposals = {}
    for doc in documents:
        if doc in with_refs or not doc.claims:
            continue
        words = content_words(" ".join(c.text for c in doc.claims))
        if not words:
            continue
        best, share = None, 0.0
        for other in with_refs:
            if other.document.id not in words_of:
                words_of[other.document.id] = content_words(other.text)
            other_words = words_of[other.document.id]
            overlap = len(words & other_words) / len(words | other_words)
            if overlap > share:
                best, share = other.document.id, overlap
        if best and share >= RESTATES_THRESHOLD:
            proposals[doc.document.id] = best
    return proposals
