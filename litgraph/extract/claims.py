"""The claims of a document's body, and how the document cites, from its structure.

A claim is a sentence (or bullet) of the body, with the references its
markers name (``[1]``, ``(2)``, ``¹``, author-year) and the references it
states inline (``PMID: n``, ``doi:10...``, short journal citations in
parentheses), and the passage grade (``[Level 5]``) of its paragraph.

``claims_of_lines`` makes them from the line reader's body (``extract_text``);
``structure`` makes them from a reader's blocks with the same ``Candidate``
sentences.  ``_document_kind`` proposes how the document cites (``DOCUMENT_KINDS``)
from its references and claims.

>>> passage_grade("Surgery is the mainstay. [Level  3]")
(3, '[Level 3]')
>>> passage_grade("Surgery is the mainstay.")
(None, None)
"""

import bisect
import re
from dataclasses import dataclass, field
from typing import Optional

from ..model import DocumentEntry, Sighting
from .entries import ExtractedReference, _is_heading
from .fields import find_identifiers, parse_short_citation
from .markers import MarkerIndex, raised_marks, strip_markers
from .profile import load_boilerplate
from .sentences import (
    BULLET, LEVEL_MARKER, _clean_claim_text, _is_marker_only, split_sentences,
)

PAREN_GROUP = re.compile(r"\(([^()]{6,300})\)")
BOILERPLATE = load_boilerplate().sentences  # site boilerplate: the profile, boilerplate.yaml


@dataclass
class ExtractedClaim:
    """A sentence or bullet, with the references (indexes) its markers name."""

    number: int
    text: str
    section: Optional[str]
    line: int
    references: list = field(default_factory=list)  # indexes into ExtractedDocument.references
    level: Optional[int] = None  # a passage grade, "[Level 5]"
    level_label: Optional[str] = None
    # markers as written ("[7]") that name no entry of the document's list: a claim whose
    # markers all name none cites no source, and says why
    unnamed_markers: list = field(default_factory=list)


@dataclass
class ExtractedDocument:
    document: DocumentEntry
    references: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    text: str = ""
    unnamed_markers: list = field(default_factory=list)  # (line, marker) naming no entry


@dataclass
class Paragraph:
    """A paragraph or a bullet of the body: its lines, (line number, text), under a heading."""

    section: Optional[str]
    lines: list
    is_bullet: bool


@dataclass
class Candidate:
    """A sentence that may become a claim, before the boilerplate and uncited ones are dropped."""

    section: Optional[str]
    line: int
    text: str
    references: list  # indexes into the document's references
    level: Optional[int]  # the grade the sentence states itself, "[Level 5]"
    level_label: Optional[str]
    paragraph: int  # the paragraph (line reader) or block (blocks) the sentence is in
    unnamed: list = field(default_factory=list)  # its markers that name no entry


def passage_grade(sentence) -> tuple:
    """(level, label) of the grade a sentence states, ``[Level 5]``; (None, None) if none."""
    level = LEVEL_MARKER.search(sentence)
    if not level:
        return None, None
    return int(level.group(1)), re.sub(r"\s+", " ", level.group(0))


# What extract proposes as a document's kind: how it cites, which its structure shows, never
# what genre it is (a review, a guideline, a patient page), which only a curator can say.
DOCUMENT_KINDS = {
    "record-page": "its header states its own identifier: the page of one publication",
    "cites-its-list": "its sentences cite entries of its reference list",
    "further-reading": "it has a reference list that no sentence cites",
    "inline-citations": "it cites works only inside its sentences, with no list",
    "no-citations": "it cites nothing",
}


def _document_kind(references, claims) -> str:
    """How a document cites, one of ``DOCUMENT_KINDS``, from its structure alone (a curator's
    ``kind`` in references.yaml wins)."""
    if any(r.role == "self" for r in references):
        return "record-page"
    cited = {index for claim in claims for index in claim.references}
    listed = [index for index, r in enumerate(references) if not r.inline and r.role != "citing"]
    if listed:
        return "cites-its-list" if cited & set(listed) else "further-reading"
    if references:
        return "inline-citations"
    return "no-citations"


# ---------------------------------------------------------------- the line reader's claims

def claims_of_lines(document_id, body, references, self_ref, boilerplate=BOILERPLATE,
                    unnamed=None) -> list:
    """Claims of the body, (line number, text) pairs; adds references stated inline
    (identifiers, short citations) to ``references``, and to ``unnamed`` (a list, when
    given) the (line, marker) of each marker that names no entry."""
    markers = MarkerIndex.build([{"number": r.number, "authors": r.authors, "year": r.year,
                                  "year_suffix": r.year_suffix, "title": r.title} for r in references])
    if markers.read_style(text for _, text in body):  # superscripts a plain copy flattened
        body = [(lineno, raised_marks(text)) for lineno, text in body]
    paragraphs = paragraphs_of_body(body, self_ref, boilerplate)
    candidates = candidate_sentences(document_id, paragraphs, references, markers)
    if unnamed is not None:
        unnamed.extend(markers.unnamed_seen)
    return kept_claims(candidates, paragraph_grades(candidates), references, markers, boilerplate)


def paragraphs_of_body(body, self_ref, boilerplate) -> list:
    """The body's paragraphs and bullets, each under the heading above it.

    Blank lines and headings end a paragraph; a bullet is a paragraph of its own.
    The document's own header lines and the sections whose heading is
    boilerplate give none.
    """
    paragraphs, open_paragraph = [], None
    section, skip_section = None, False
    body_lines = [t for _, t in body]
    for idx, (lineno, line) in enumerate(body):
        if not line.strip():
            open_paragraph = None
            continue
        if self_ref and lineno <= self_ref.line + 2 and line.strip() in (self_ref.raw, self_ref.title):
            continue
        if _is_heading(body_lines, idx):
            section = line.strip()
            skip_section = bool(boilerplate.search(section))
            open_paragraph = None
            continue
        if skip_section:
            continue
        is_bullet = bool(BULLET.match(line))
        if is_bullet or open_paragraph is None or open_paragraph.is_bullet:
            open_paragraph = Paragraph(section, [(lineno, line)], is_bullet)
            paragraphs.append(open_paragraph)
        else:
            open_paragraph.lines.append((lineno, line))
    return paragraphs


def candidate_sentences(document_id, paragraphs, references, markers) -> list:
    """The sentences of the paragraphs, with the references they cite, as Candidates.

    Markers alone on their own line cite every sentence of the paragraph above
    them; after a sentence on the same line they cite that sentence.
    """
    candidates = []
    for paragraph_id, paragraph in enumerate(paragraphs):
        text, line_starts, line_numbers = _joined_lines(paragraph.lines)
        for start, sentence in split_sentences(text):
            at = bisect.bisect_right(line_starts, start) - 1
            lineno = line_numbers[at]
            refs = markers.link(sentence)  # [n], (n), ¹, ^n, author-year
            unnamed = markers.note_unnamed(sentence, lineno)
            refs += _inline_references(document_id, sentence, lineno, references)
            level, label = passage_grade(sentence)
            candidate = Candidate(paragraph.section, lineno, sentence, refs, level, label,
                                  paragraph_id, unnamed)
            if _is_marker_only(sentence) and candidates \
                    and candidates[-1].paragraph == paragraph_id:
                own_line = line_starts[at] == start
                targets = [c for c in candidates if c.paragraph == paragraph_id] if own_line \
                    else candidates[-1:]
                for target in targets:
                    target.references.extend(refs)
                    target.unnamed.extend(unnamed)
                    if level is not None:
                        target.level, target.level_label = level, label
                continue
            candidates.append(candidate)
    return candidates


def _joined_lines(lines) -> tuple:
    """(the paragraph's lines joined by spaces, where each starts in it, their line numbers)."""
    pieces, line_starts, line_numbers, length = [], [], [], 0
    for lineno, line in lines:
        piece = line.strip()
        line_starts.append(length)
        line_numbers.append(lineno)
        pieces.append(piece)
        length += len(piece) + 1
    return " ".join(pieces), line_starts, line_numbers


def paragraph_grades(candidates) -> dict:
    """paragraph -> (level, label): the last grade stated in it, which all its sentences take."""
    return {c.paragraph: (c.level, c.level_label) for c in candidates if c.level is not None}


def kept_claims(candidates, grades, references, markers, boilerplate) -> list:
    """The candidates that are claims, numbered from 1, their text without markers.

    Boilerplate and sentences of fewer than two words are dropped; so, in a
    document that has references, is a sentence that cites none in an ungraded
    paragraph (``is_claim``).
    """
    claims = []
    for candidate in candidates:
        clean = strip_markers(_clean_claim_text(candidate.text), markers)
        if boilerplate.search(clean) or len(re.findall(r"[A-Za-z]{2,}", clean)) < 2:
            continue
        level, label = grades.get(candidate.paragraph, (None, None))
        if not is_claim(candidate, references, level):
            continue
        claims.append(claim_of(candidate, len(claims) + 1, clean, level, label))
    return claims


def is_claim(candidate, references, level) -> bool:
    """In a document that has references, a sentence is a claim when it cites (an entry, or
    a marker that names none: a claim that stands on no source, said so) or is graded."""
    if candidate.references or candidate.unnamed or level is not None:
        return True
    return not any(r.role != "self" for r in references)


def claim_of(candidate, number, text, level, label) -> ExtractedClaim:
    """The claim numbered ``number`` that ``candidate`` is, its text without markers."""
    return ExtractedClaim(number=number, text=text, section=candidate.section,
                          line=candidate.line,
                          references=list(dict.fromkeys(candidate.references)),
                          level=level, level_label=label,
                          unnamed_markers=list(dict.fromkeys(candidate.unnamed)))


# ---------------------------------------------------------------- references stated inline

def _inline_references(document_id, sentence, lineno, references):
    """References a sentence states itself; appended to ``references``; their indexes."""
    found = []
    ids = find_identifiers(sentence)
    if ids:
        label = "Fetch PMID" if re.search(r"\bFetch\s+PMID\b", sentence, re.I) else (
            "PMID" if "pmid" in ids else "DOI" if "doi" in ids else "PMCID")
        raw = _identifier_phrase(sentence, ids)
        ref = ExtractedReference(document=document_id, line=lineno, raw=raw, label=label,
                                 inline=True, **ids)
        ref.sightings.append(Sighting(document=document_id, line=lineno, raw=raw, label=label))
        references.append(ref)
        found.append(len(references) - 1)
    for group in PAREN_GROUP.finditer(sentence):
        for part in re.split(r"[,;]\s+(?=[A-Z])", group.group(1)):
            fields = parse_short_citation(part)
            if not fields:
                continue
            raw = part.strip()
            ref = ExtractedReference(document=document_id, line=lineno, raw=raw,
                                     label="(citation)", kind="article", inline=True,
                                     **{k: v for k, v in fields.items() if v})
            ref.sightings.append(Sighting(document=document_id, line=lineno, raw=raw,
                                          label="(citation)"))
            references.append(ref)
            found.append(len(references) - 1)
    return found


def _identifier_phrase(sentence, ids):
    """The words of the sentence that state the identifier found (for the raw form)."""
    patterns = []
    if ids.get("pmid"):
        patterns.append(rf"(?:Fetch\s+)?(?:PubMed\s+)?(?:PMID|ID)\s*:?\s*0*{ids['pmid']}\b"
                        rf"|\S*pubmed\S*/{ids['pmid']}\b")
    if ids.get("doi"):
        patterns.append(r"(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)?" + re.escape(ids["doi"]))
    if ids.get("pmcid"):
        patterns.append(r"PMC(?:ID)?\s*:?\s*(?:PMC)?0*" + ids["pmcid"][3:] + r"\b")
    for pattern in patterns:
        match = re.search(pattern, sentence, re.I)
        if match:
            return match.group(0).strip()
    return sentence.strip()
