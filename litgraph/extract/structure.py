"""Blocks -> references and claims: the structured path of extract.

``extract_blocks(document, document_id)`` takes what a reader produced
(``readers.read_blocks``), finds the reference sections (``sections``),
makes exactly one reference of each entry (whatever its numbering; every
identifier it states stays on that one reference), links the in-text
markers of the body to the entries (``markers``) and makes claims of the
body's sentences.  Headings, reference entries, skipped (boilerplate,
navigation) sections and metadata lines (``Published: 2020``) are never claims.
"""

import hashlib
import re

from ..model import DocumentEntry, Sighting
from .claims import (
    Candidate, ExtractedDocument, _document_kind, _inline_references, claim_of, is_claim,
    passage_grade,
)
from .entries import BARE_ENTRY, RAW_LIMIT, ExtractedReference, _stated_publication_types
from .fields import parse_reference
from .identifiers import mend_line_breaks
from .markers import MarkerIndex, raised_marks, repeats_a_note, strip_markers
from .profile import load_boilerplate
from .sections import reads_as_citation, reference_blocks
from .sentences import LEVEL_MARKER, split_sentences

ENTRY_LABEL = re.compile(r"^\s*(?:\[(?P<bracket>\d{1,6})\]|(?P<dot>\d{1,6})[.)]|(?P<hash>#\.))\s+")
METADATA_LINE = re.compile(r"^[A-Z][\w ./-]{0,30}:\s*\S[^.!?]{0,80}$")
CITING = re.compile(r"^\s*(?:citing\s+articles|cited\s+by)\b", re.I)


def _segments(block, next_bare=None):
    """(number, label, text, line) of each entry in one reference-section block; ``next_bare``:
    the number the block before left a bare-numbered list at, if it did."""
    lines = [line.strip() for line in block.text.split("\n") if line.strip()]
    if not lines:
        return []
    if block.kind == "paragraph":
        starts = _label_starts([ENTRY_LABEL.match(line) for line in lines])
        if len(starts) >= 2 or starts == [0]:
            if starts[0] != 0:
                starts.insert(0, 0)
            chunks = [lines[a:b] for a, b in zip(starts, starts[1:] + [len(lines)])]
            return [_labelled(block, " ".join(chunk), block.line + start, sequence=True)
                    for chunk, start in zip(chunks, starts)]
        bare = _bare_starts(lines, next_bare)
        if bare:
            chunks = [lines[a:b] for a, b in zip(bare, bare[1:] + [len(lines)])]
            first = int(BARE_ENTRY.match(lines[bare[0]]).group(1))
            cut = [(None, CONTINUED, " ".join(lines[:bare[0]]), block.line)] if bare[0] else []
            return cut + [(n, str(n), BARE_ENTRY.sub(r"\2", " ".join(chunk), count=1),
                           block.line + start)
                          for n, (chunk, start) in enumerate(zip(chunks, bare), first)]
        if len(lines) >= 2 and all(line[:1].isupper() for line in lines) and \
                all(reads_as_citation(line) for line in lines):
            return [(None, None, line, block.line + i) for i, line in enumerate(lines)]
    return [_labelled(block, " ".join(lines), block.line)]


CONTINUED = "(continued)"  # the label of a block's first lines that end an entry cut before it


def _bare_starts(lines, next_bare=None) -> list:
    """The lines that open entries numbered bare ("1 Miller JS, ..."): from the first line
    whose number the next entries follow in sequence (a list a page break cut goes on from
    15; the lines before it end the entry the break cut), or [] (fewer than two, unless the
    one goes on from ``next_bare``, where the block before left the list)."""
    opened = [(index, int(match.group(1))) for index, match in
              ((index, BARE_ENTRY.match(line)) for index, line in enumerate(lines)) if match]
    for position, (first, number) in enumerate(opened):
        starts, expected = [first], number + 1
        for index, value in opened[position + 1:]:
            if value == expected:
                starts.append(index)
                expected += 1
        if len(starts) >= 2 or number == next_bare:
            return starts
    return []


def _label_starts(labels) -> list:
    """The lines (their ENTRY_LABEL matches, None where none) that open entries. A year-like
    label ("2020.") opens one only where the numbering runs into it: the label before it
    that opened an entry has its number less one, or the next label its number plus one."""
    starts, previous = [], None
    values = [_value_of(m) for m in labels]
    for index, match in enumerate(labels):
        if match is None:
            continue
        value = values[index]
        if _year_like(match):
            following = next((v for v in values[index + 1:] if v is not None), None)
            if value - 1 != previous and value + 1 != following:
                continue
        starts.append(index)
        previous = value
    return starts


def _value_of(match):
    """The number a label match states (None for none, or for "#.")."""
    if match is None:
        return None
    value = match.group("bracket") or match.group("dot")
    return int(value) if value else None


def _year_like(match) -> bool:
    """A label ``2020.``: the year that opens an entry without authors (ACM's ``2020. Title.
    Journal ...``), unless the list's own numbering reaches it."""
    value = match.group("dot")
    return bool(value) and len(value) == 4 and 1800 <= int(value) <= 2099


def _labelled(block, text, line, sequence=False):
    """(number, label, text, line) of one entry: the label it opens with, else its block's.
    A year-like label is a label only in ``sequence`` (a neighbouring line carries the
    number before or after it) or where its list item has that very number."""
    match = ENTRY_LABEL.match(text)
    if match and _year_like(match) and not sequence and int(match.group("dot")) != block.number:
        match = None
    if match:
        value = match.group("bracket") or match.group("dot")
        label = f"[{value}]" if match.group("bracket") else (f"{value}." if value else "#.")
        return (int(value) if value else block.number, label, text[match.end():].strip(), line)
    label = block.label
    if block.kind == "item" and block.number is not None and not (label or "").startswith("["):
        label = f"{block.number}."
    elif block.kind == "footnote" and block.label:
        label = f"[^{block.label}]"
    return block.number, label, text, line


def _reference(document_id, block, number, label, text, line, heading):
    stated = text
    for link in block.links:
        if link.target and link.target not in stated and not link.target.startswith("#"):
            stated += f" {link.target}"
    parsed = parse_reference(stated)
    fields = {k: getattr(parsed, k) for k in parsed.__dataclass_fields__
              if getattr(parsed, k) not in (None, "", [])}
    if block.fields:
        fields.update({k: v for k, v in block.fields.items() if v not in (None, "", [])})
    ids = any(fields.get(k) for k in ("pmid", "doi", "pmcid", "isbn", "url"))
    work = fields.get("year") and (fields.get("authors") or fields.get("title")
                                   or fields.get("journal"))
    dated = re.search(r"\b(?:1[5-9]|20)\d{2}[a-z]?\b", text) and len(text.split()) >= 4
    if not ids and not work and not dated and not (fields.get("title") and fields.get("journal")):
        return None  # a sentence of the section (an introduction), not a work
    raw = re.sub(r"\s+", " ", text).strip()
    if len(raw) > RAW_LIMIT:
        raw = raw[: RAW_LIMIT - 1].rstrip() + "\u2026"
    known = {k: v for k, v in fields.items() if k in ExtractedReference.__dataclass_fields__}
    ref = ExtractedReference(document=document_id, line=line, raw=raw, label=label,
                             number=number, **known)
    ref.publication_types = _stated_publication_types(text)
    if heading and CITING.match(heading):
        ref.role = "citing"
    ref.sightings.append(Sighting(document=document_id, line=line, raw=raw, label=label))
    return ref


def extract_blocks(document, document_id: str, boilerplate=None):
    """An ExtractedDocument from a BlockDocument."""
    profile = boilerplate or load_boilerplate()
    blocks = document.blocks
    entry_of, skipped = reference_blocks(blocks, profile)
    references, keys = [], []
    notes = []  # in document order: ("work", reference index) or ("repeat", number, key, text)
    pieces = []  # [block index, number, label, text, line, key] of every entry, in order
    for index in sorted(entry_of):
        block = blocks[index]
        block.text = mend_line_breaks(block.text)  # a DOI a line break cut, whole again
        last = pieces[-1] if pieces else None
        segments = _segments(block, last[1] + 1 if last and last[1] is not None
                             and last[2] == str(last[1]) else None)  # a bare list's next number
        for number, label, text, line in segments:
            if label is CONTINUED and pieces:  # the rest of an entry a page break cut
                pieces[-1][3] += f" {text}"
                continue
            pieces.append([index, number, label, text, line,
                           block.anchor if len(segments) == 1 else None])
    for index, number, label, text, line, key in pieces:
        label = None if label is CONTINUED else label
        ref = _reference(document_id, blocks[index], number, label, text, line, entry_of[index])
        if ref is not None:
            references.append(ref)
            keys.append(key)
            notes.append(("work", len(references) - 1))
        elif repeats_a_note(text):
            notes.append(("repeat", number, key, text))
    explicit = any(r.number is not None for r in references)
    marker_entries = [{"number": r.number if explicit else position + 1, "key": key,
                       "authors": r.authors, "year": r.year, "year_suffix": r.year_suffix,
                       "title": r.title}
                      for position, (r, key) in enumerate(zip(references, keys))]
    index = MarkerIndex.build(marker_entries)
    index.numbered = explicit
    body = [block for i, block in enumerate(blocks)
            if i not in entry_of and i not in skipped and block.kind != "heading"]
    if index.read_style(block.text for block in body):  # superscripts a plain copy flattened
        for block in body:
            block.text = raised_marks(block.text)
    _link_repeated_notes(index, notes)
    claims = _claims(document_id, blocks, entry_of, skipped, index, references, profile)
    text = document.text
    entry = DocumentEntry(id=document_id, path="", title=document.title,
                          kind=_document_kind(references, claims),
                          sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return ExtractedDocument(document=entry, references=references, claims=claims, text=text,
                             unnamed_markers=index.unnamed_seen)


def _link_repeated_notes(index, notes):
    """The number or key of a note that repeats an earlier one (``Ibid.``, a shortened note)
    leads to the entry of the work it repeats, so a sentence marked with it cites that work."""
    previous, works = None, 0
    for note in notes:
        if note[0] == "work":
            previous, works = note[1], works + 1
            continue
        _, number, key, text = note
        if number is not None:
            index.listed.add(number)  # an entry, though perhaps of no work
        previous = index.repeated_note(text, previous, earlier=works)
        if previous is None:
            continue
        if number is not None:
            index.by_number.setdefault(number, previous)
        if key:
            index.by_key.setdefault(str(key), previous)


def _claims(document_id, blocks, entry_of, skipped, index, references, profile):
    """Claims of the blocks that are neither headings, reference entries nor skipped;
    adds references stated inline (identifiers, short citations) to ``references``."""
    candidates = _candidates(document_id, blocks, entry_of, skipped, index, references)
    claims = []
    for candidate in candidates:
        clean = LEVEL_MARKER.sub("", strip_markers(candidate.text, index)).strip()
        clean = re.sub(r"^\s*(?:[\u2022\u00b7*-]\s+)", "", clean)
        if profile.sentences.search(clean) or len(re.findall(r"[A-Za-z]{2,}", clean)) < 2:
            continue
        if is_claim(candidate, references, candidate.level):
            claims.append(claim_of(candidate, len(claims) + 1, clean, candidate.level,
                                   candidate.level_label))
    return claims


def _candidates(document_id, blocks, entry_of, skipped, index, references):
    """The sentences of the body's blocks, as Candidates (``paragraph``: the block's index)."""
    candidates = []
    section = None
    for position, block in enumerate(blocks):
        if block.kind == "heading":
            section = block.text.strip()
            continue
        if position in entry_of or position in skipped or block.skip or block.kind == "footnote":
            continue
        flat = block.text.replace("\n", " ")
        if METADATA_LINE.match(flat) and not index.link(flat):
            continue
        if block.kind == "paragraph" and not re.search(r"[.!?][\"\u201d\u2019)\]]*\s*$", flat) \
                and len(flat.split()) < 15 and not index.link(flat):
            continue  # a byline, date line or caption: not a sentence
        line_starts = [0]
        for match in re.finditer("\n", block.text):
            line_starts.append(match.end())
        for start, sentence in split_sentences(flat):
            lineno = block.line + sum(1 for s in line_starts[1:] if s <= start)
            refs = index.link(sentence)
            unnamed = index.note_unnamed(sentence, lineno)
            refs += _inline_references(document_id, sentence, lineno, references)
            level, label = passage_grade(sentence)
            words = re.findall(r"[A-Za-z\u00c0-\u024f]{2,}", strip_markers(sentence, index))
            if not words and candidates and candidates[-1].paragraph == position:
                # markers alone cite the sentence before them
                candidates[-1].references.extend(refs)
                candidates[-1].unnamed.extend(unnamed)
                continue
            candidates.append(Candidate(section, lineno, sentence, refs, level, label, position,
                                        unnamed))
    return candidates
