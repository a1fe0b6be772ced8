"""Sentences: split a document into the sentences (claims) that alignment compares."""

import re
from dataclasses import dataclass, field
from typing import Optional


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


