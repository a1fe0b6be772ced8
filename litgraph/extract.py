"""Documents -> references, claims and declared evidence levels (pure: no network, no db).

``extract_document(path)`` reads one document; ``extract_text(text, document_id)``
does the same from a string.  The reader knows the shapes medical documents
use to cite, not the seed files:

* reference sections (a heading such as ``References``, ``Citing Articles``,
  ``Ammunition References``) with numbered entries ``[1]`` or ``1.``, or
  unnumbered entries closed by their identifier line (PubMed pages);
* in-text markers ``[1]``, ``[2][3][4]``, ``[1,2,3]``, ``[1-3]`` and passage
  grades ``[Level 5]``;
* identifiers written in the text (``PMID: n``, ``Fetch PMID: n``,
  ``doi:10...``, ``https://doi.org/...``, ``PMCID: PMC...``), which belong to
  the sentence they follow;
* short journal citations in parentheses, ``(Mod Pathol 2021;34:758)``.

A document without references still has claims: each of its sentences.

>>> doc = extract_text("Intro\\n\\nLMS is rare.[1]\\n\\nReferences\\n\\n[1]\\n\\n"
...                    "Miller JS. A study. Am J Surg Pathol. 2010:34(2):238-42 [PubMed PMID: 20090506]\\n",
...                    "demo")
>>> doc.references[0].pmid, doc.claims[0].text, doc.claims[0].references
('20090506', 'LMS is rare.', [0])
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import DocumentError
from .extract_fields import (
    JOURNAL_DATE_RE, VOLUME_WORDS_RE, find_identifiers, looks_like_authors,
    parse_authors_then_journal, parse_full_citation, parse_short_citation, split_authors,
    strip_identifiers,
)
from .extract_sentences import (
    BULLET, LEVEL_MARKER, NUMBER_MARKER, _clean_claim_text, _is_marker_only, _marker_numbers,
    propose_restates, split_sentences,
)
from .model import DeclaredLevel, DocumentEntry, Sighting

__all__ = ["ExtractedClaim", "ExtractedDocument", "ExtractedReference", "extract_document",
           "extract_text", "propose_restates", "read_document_text", "split_sentences"]

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # documented limit: larger documents are refused
RAW_LIMIT = 400  # characters of a free-text reference kept as its raw form

REFERENCE_HEADING = re.compile(
    r"^\s*(?:[A-Z][\w'-]*\s+){0,3}(references?|bibliography|literature\s+cited|works\s+cited|"
    r"citing\s+articles|cited\s+by|sources)\s*:?\s*$", re.I)
BRACKET_ENTRY = re.compile(r"^\s*\[(\d{1,3})\]\s*(.*)$")
DOT_ENTRY = re.compile(r"^\s*(\d{1,3})[.)](?:\s+(.*)|\s*)$")
LEVEL_LINE = re.compile(r"^\s*Level\s+([1-5])\s*(\([^()]{1,30}\))?\s*evidence\s*$", re.I)
PAREN_GROUP = re.compile(r"\(([^()]{6,300})\)")
ENTRY_END = re.compile(r"^\s*(?:written\s+by|(?:last\s+)?updated\b|posted\s+(?:by|on))", re.I)
BOILERPLATE = re.compile(
    r"newsletter|latest news|promotions|privacy policy|required fields|validation purposes|"
    r"cookie|subscribe|sign up|earn cme|click here|easier read|all rights reserved|copyright|"
    r"back to top|page views|cite this page|^fetch abstract$|^comment here$", re.I)
MEETING = re.compile(r"\b(annual\s+meeting|congress|symposium|conference|abstract\s+id)\b", re.I)
GUIDELINE = re.compile(r"\b([A-Z]{2,10})\s+[Gg]uidelines?\b")
QUOTED_TITLE = re.compile(
    r"(?P<authors>(?:[A-Z][\w'\u2019-]+,+\s*){1,8})[\"\u201c](?P<title>[^\"\u201d]{10,300})"
    r"[\"\u201d],?\s*(?P<journal>[A-Z][^,\"]{2,60}),\s*(?:[A-Z][a-z]+\s+)?(?P<year>(?:19|20)\d{2})")


@dataclass
class ExtractedReference:
    """One reference as a document states it (before merging into sources)."""

    document: str
    line: int
    raw: str
    label: Optional[str] = None  # "[1]", "3.", "Citing Articles", "Fetch PMID", "(citation)"
    number: Optional[int] = None  # its number in a numbered list
    kind: str = "article"  # article, conference-abstract, guideline
    role: str = "cited"  # cited, citing (PubMed "Citing Articles"), self (the document itself)
    pmid: Optional[str] = None
    doi: Optional[str] = None
    pmcid: Optional[str] = None
    title: Optional[str] = None
    authors: list = field(default_factory=list)
    journal: Optional[str] = None
    year: Optional[int] = None
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    declared_levels: list = field(default_factory=list)  # [DeclaredLevel]
    publication_types: list = field(default_factory=list)  # as the document states them
    sightings: list = field(default_factory=list)  # [Sighting]; the first is this one

    @property
    def declared_level(self):
        return self.declared_levels[0] if self.declared_levels else None

    def fields(self) -> dict:
        """The bibliographic fields it states (absent ones left out)."""
        names = ("pmid", "doi", "pmcid", "title", "authors", "journal", "year", "volume",
                 "issue", "pages")
        return {n: getattr(self, n) for n in names if getattr(self, n) not in (None, "", [])}


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


@dataclass
class ExtractedDocument:
    document: DocumentEntry
    references: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    text: str = ""


# ---------------------------------------------------------------- reading

def read_document_text(path) -> str:
    """The text of a document, or DocumentError naming the file (and line) at fault."""
    path = Path(path)
    if not path.is_file():
        raise DocumentError(f"{path}: no such document")
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path}: {size} bytes is over the {MAX_DOCUMENT_BYTES} byte limit "
                            "for one document; split it")
    data = path.read_bytes()
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DocumentError(f"{path}:{line}: binary file (NUL byte), not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(f"{path}:{line}: not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise DocumentError(f"{path}: empty document")
    return text


def extract_document(path) -> ExtractedDocument:
    """Read and extract one document; DocumentError on a document that cannot be read."""
    path = Path(path)
    text = read_document_text(path)
    doc = extract_text(text, path.stem)
    doc.document.path = str(path)
    return doc


# ---------------------------------------------------------------- structure

def _is_heading(lines, i) -> bool:
    text = lines[i].strip()
    if not text or BULLET.match(lines[i]) or len(text) > 80 or len(text.split()) > 10:
        return False
    if text[-1] in ".,;:!\"\u201d" or NUMBER_MARKER.search(text) or LEVEL_MARKER.search(text):
        return False
    if not re.search(r"[A-Za-z]", text) or not (text[0].isupper() or text[0].isdigit()):
        return False
    if DOT_ENTRY.match(lines[i]) or find_identifiers(text):
        return False
    prev_blank = i == 0 or not lines[i - 1].strip()
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return prev_blank or not nxt.strip() or bool(BULLET.match(nxt))


def _paragraphs(numbered_lines):
    """Group (line number, text) pairs into paragraphs separated by blank lines."""
    out, current = [], []
    for lineno, text in numbered_lines:
        if text.strip():
            current.append((lineno, text))
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _read_reference_section(lines, start, heading):
    """Entries of the reference section whose heading is lines[start - 1].

    Returns (entries, index of the first line after the section); an entry is
    (label, number, [(line number, text), ...]).
    """
    i, seen = start, 0
    style = None
    while i < len(lines) and seen < 12:  # an introduction may come before the first entry
        line = lines[i]
        if line.strip():
            if BRACKET_ENTRY.match(line) or DOT_ENTRY.match(line):
                style = "bracket" if BRACKET_ENTRY.match(line) else "dot"
                break
            if REFERENCE_HEADING.match(line):
                break
            seen += 1
        i += 1
    entries = []
    if style is None:
        i = start
        while i < len(lines) and not lines[i].strip():
            i += 1
        entries, end = _read_unnumbered(lines, i, heading)
        return (entries, end) if entries else ([], start)
    pattern = BRACKET_ENTRY if style == "bracket" else DOT_ENTRY
    expected = None
    while i < len(lines):
        line = lines[i]
        match = pattern.match(line)
        if REFERENCE_HEADING.match(line):
            break
        if match:
            number = int(match.group(1))
            if expected is not None and number != expected:
                break
            expected = number + 1
            label = f"[{number}]" if style == "bracket" else f"{number}."
            entries.append((label, number, [(i + 1, match.group(2) or "")]))
        elif entries:
            if ENTRY_END.match(line) and not lines[i - 1].strip():
                break
            entries[-1][2].append((i + 1, line))
        i += 1
    return entries, i


def _read_unnumbered(lines, i, heading):
    """PubMed-style blocks: paragraphs gathered until the one with identifiers."""
    entries, pending, blanks = [], [], 0
    start = i
    while i < len(lines):
        line = lines[i]
        if REFERENCE_HEADING.match(line) or (_is_heading(lines, i) and blanks == 0 and not pending
                                             and i > start and not _has_citation_cue(line)
                                             and _next_is_body(lines, i)):
            break
        if not line.strip():
            blanks += 1
            if blanks >= 2 and pending and _has_citation_cue(" ".join(t for _, t in pending)):
                entries.append((heading, None, pending))
                pending = []
        else:
            blanks = 0
            pending.append((i + 1, line))
            if find_identifiers(line):
                entries.append((heading, None, pending))
                pending = []
            elif _complete_citation(pending) and not _identifiers_follow(lines, i):
                entries.append((heading, None, pending))  # one NLM citation per paragraph
                pending = []
            elif len(pending) > 12:
                break
        i += 1
    if pending and _has_citation_cue(" ".join(t for _, t in pending)):
        entries.append((heading, None, pending))
    return entries, i


def _complete_citation(pending) -> bool:
    """True when the gathered lines are a whole citation: authors, title, journal, year."""
    fields = parse_full_citation(" ".join(BULLET.sub("", t) for _, t in pending))
    return all(fields.get(k) for k in ("authors", "title", "journal", "year"))


def _identifiers_follow(lines, i) -> bool:
    """True when the next non-blank line after ``i`` is an identifier line of the same entry."""
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip():
            rest = re.findall(r"[A-Za-z]{2,}", strip_identifiers(lines[j]))
            return bool(find_identifiers(lines[j])) and len(rest) <= 2
    return False


def _next_is_body(lines, i):
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip():
            return len(lines[j].strip()) > 120
    return False


def _has_citation_cue(text) -> bool:
    return bool(find_identifiers(text) or _journal_date(text))


def _journal_date(text):
    for match in JOURNAL_DATE_RE.finditer(text):
        if match.group("volume") or match.group("pages"):
            return match
    return None


# ---------------------------------------------------------------- one reference entry

def _entry_reference(document, label, number, entry_lines, heading):
    """An ExtractedReference from the lines of one list entry, or None if it is not one."""
    paragraphs = _paragraphs(entry_lines)
    levels, id_lines, head = [], [], []
    quoted = False
    for para in paragraphs:
        text = " ".join(t.strip() for _, t in para)
        level = LEVEL_LINE.match(text)
        if level:
            levels.append(DeclaredLevel(
                level=int(level.group(1)), label=text.strip(),
                scheme="statpearls" if level.group(2) else "document",
                document=document, line=para[0][0]))
            continue
        if text.lstrip().startswith(("\"", "\u201c")):
            quoted = True
        for lineno, line in para:
            stripped = strip_identifiers(line)
            if find_identifiers(line) and len(re.sub(r"\bFetch\b", "", stripped).split()) <= 1:
                id_lines.append((lineno, line.strip()))
        if not quoted:
            head.append(para)
    head = [p for p in head if " ".join(t for _, t in p).strip()
            and not all((n, t.strip()) in id_lines for n, t in p)]
    if not head and not id_lines:
        return None
    full_text = " ".join(t for _, t in entry_lines)
    ids = find_identifiers(full_text)
    head_lines = [(n, t.strip()) for p in head for n, t in p]
    if head_lines:
        line, raw = head_lines[0][0], " ".join(t for p in head[:1] for _, t in p)
    else:
        line, raw = id_lines[0]
    raw = re.sub(r"\s+", " ", raw).strip()
    if len(raw) > RAW_LIMIT:
        raw = raw[: RAW_LIMIT - 1].rstrip() + "\u2026"
    ref = ExtractedReference(document=document, line=line, raw=raw, label=label, number=number,
                             declared_levels=levels)
    fields, kind = _entry_fields([t for _, t in head_lines], full_text)
    if not fields and not ids and not label.startswith("["):
        return None
    for name, value in {**fields, **ids}.items():
        setattr(ref, name, value)
    ref.kind = kind
    ref.publication_types = _stated_publication_types(full_text)
    if heading and re.match(r"\s*citing\s+articles|\s*cited\s+by", heading, re.I):
        ref.role = "citing"
    ref.sightings.append(Sighting(document=document, line=line, raw=raw, label=label))
    for lineno, id_text in id_lines:
        if head_lines and lineno != line and id_text.lower().startswith("fetch"):
            id_label = "Fetch PMID"
            ref.sightings.append(Sighting(document=document, line=lineno, raw=id_text,
                                          label=id_label))
    return ref


def _entry_fields(head_lines, full_text):
    """(fields, kind) from the citation lines of an entry."""
    if not head_lines:
        return {}, "article"
    first = re.sub(r"^\s*(?:\[\d+\]|\d+[.)]|[\u2022\u00b7*-](?=\s))\s*", "", head_lines[0])
    rest = head_lines[1:]
    short = parse_short_citation(first)
    words = VOLUME_WORDS_RE.match(first)
    if short or words:
        fields = short or {k: v for k, v in words.groupdict().items() if v}
        if "year" in fields:
            fields["year"] = int(fields["year"])
        if fields.get("pages"):
            fields["pages"] = re.sub(r"\s*[-\u2013]\s*", "-", fields["pages"])
        for line in rest:
            text = re.sub(r"\s*\[Article in \w+\]\.?", "", line).strip()
            authors = None if text.startswith("[") else _author_part(text)
            if "authors" not in fields and authors:
                fields["authors"] = authors
            elif "title" not in fields and "authors" not in fields and len(text.split()) >= 3:
                fields["title"] = text.rstrip(".").strip() or None
        return {k: v for k, v in fields.items() if v}, "article"
    for i, line in enumerate(head_lines[1:], start=1):  # PubMed page: title, authors + journal
        parsed = parse_authors_then_journal(line)
        if parsed:
            parsed = {k: v for k, v in parsed.items() if v}
            parsed["title"] = head_lines[i - 1].strip().rstrip(".")
            return parsed, "article"
    joined = " ".join([first, *rest])
    fields = parse_full_citation(joined)
    if fields.get("journal") and fields.get("year"):
        return fields, "article"
    quoted = QUOTED_TITLE.search(joined)
    if quoted:
        return {"authors": split_authors(quoted.group("authors")),
                "title": quoted.group("title").strip(),
                "journal": quoted.group("journal").strip(),
                "year": int(quoted.group("year"))}, "article"
    if MEETING.search(joined):
        fields = {"journal": first.strip()}
        year = re.search(r"\b((?:19|20)\d{2})\b", first)
        if year:
            fields["year"] = int(year.group(1))
        for line in rest:
            authors = _author_part(line)
            if authors and not MEETING.search(line.split(";")[0]):
                fields["authors"] = authors
                break
        return fields, "conference-abstract"
    guideline = GUIDELINE.search(full_text)
    if guideline:
        body = re.sub(r"\s+", " ", full_text)
        title = re.search(rf"\b{guideline.group(1)}\s+Guidelines?\s+for\s+.+?(?=[.:;]|\s+(?:can|are|is|may|"
                          r"should|will|were|was|have|has)\b|$)", body)
        fields = {"authors": [guideline.group(1)]}
        if title:
            fields["title"] = title.group(0).strip()
        return fields, "guideline"
    return {}, "article"


def _author_part(line):
    """The author list at the start of a line (before an affiliation), or None."""
    part = line.split(";")[0].strip()
    if looks_like_authors(part):
        return split_authors(part)
    nlm = re.match(r"^((?:[^,.;\d]+?\s[A-Z]{1,3},\s*)*[^,.;\d]+?\s[A-Z]{1,3})\.(?:\s|$)", line)
    if nlm and looks_like_authors(nlm.group(1)):
        return split_authors(nlm.group(1))
    return None


def _stated_publication_types(text):
    match = re.search(r"Publication\s+Types?\s*:\s*([^\"\n]{3,200})", text)
    if not match:
        return []
    from .evidence import load_level_map

    stated = match.group(1).lower()
    known = sorted(load_level_map().get("publication_types", {}), key=len, reverse=True)
    found = []
    for name in known:
        if name.lower() in stated:
            found.append(name)
            stated = stated.replace(name.lower(), " ")
    return sorted(found)


# ---------------------------------------------------------------- the document

def extract_text(text: str, document_id: str) -> ExtractedDocument:
    """Extract references, claims and declared levels from a document's text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    references, body = [], []
    self_ref, title = _header(lines, document_id)
    if self_ref:
        references.append(self_ref)
    i = 0
    while i < len(lines):
        heading = REFERENCE_HEADING.match(lines[i])
        if heading:
            entries, i_next = _read_reference_section(lines, i + 1, lines[i].strip())
            found = [r for r in (_entry_reference(document_id, label, number, entry_lines,
                                                  lines[i].strip())
                                 for label, number, entry_lines in entries) if r]
            if found or i_next > i + 1:
                references.extend(found)
                for k in range(i, i_next):
                    body.append((k + 1, ""))
                i = max(i_next, i + 1)
                continue
        body.append((i + 1, lines[i]))
        i += 1
    claims = _claims(document_id, lines, body, references, self_ref)
    kind = _document_kind(references)
    entry = DocumentEntry(id=document_id, path="", title=title, kind=kind,
                          sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    if self_ref:
        entry.source = None  # set to the source key when merged into references.yaml
    return ExtractedDocument(document=entry, references=references, claims=claims, text=text)


def _header(lines, document_id):
    """(the reference of the document itself when its header states a PMID, its title)."""
    nonblank = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()][:4]
    if not nonblank:
        return None, None
    for pos, (i, line) in enumerate(nonblank[:2]):
        ids = find_identifiers(line)
        rest = re.findall(r"[A-Za-z]{2,}", strip_identifiers(line))
        if ids.get("pmid") and len(rest) <= 3 and "fetch" not in line.lower() \
                and not _journal_date(line):
            title = nonblank[pos + 1][1] if pos + 1 < len(nonblank) else None
            ref = ExtractedReference(document=document_id, line=i + 1, raw=line, label="PMID",
                                     role="self", title=title, **ids)
            ref.sightings.append(Sighting(document=document_id, line=i + 1, raw=line,
                                          label="PMID"))
            return ref, title
    for line in lines:  # a page that says how to cite it names its own title
        cite = re.match(r"^\s*Cite this (?:page|article)\s*:\s*(.+)$", line, re.I)
        if cite:
            parts = [p.strip() for p in re.split(r"\.\s+", cite.group(1))]
            if len(parts) > 1 and looks_like_authors(parts[0]) and parts[1]:
                return None, parts[1].rstrip(".")
    return None, nonblank[0][1]


def _document_kind(references):
    labels = [r.label or "" for r in references]
    if any(r.role == "self" for r in references):
        return "pubmed-record"
    if any(label.startswith("[") for label in labels):
        return "clinical-review"
    if any(label == "(citation)" for label in labels):
        return "pathology-note"
    if references:
        return "website"
    return "patient-page"


def _claims(document_id, lines, body, references, self_ref):
    """Claims of the body; adds references stated inline (identifiers, short citations)."""
    by_number = {}
    for index, ref in enumerate(references):
        if ref.number is not None:
            by_number.setdefault(ref.number, index)
    units = []  # [section, [(lineno, text)], is_bullet]
    section = None
    body_lines = [t for _, t in body]
    skip_section = False
    for idx, (lineno, line) in enumerate(body):
        if not line.strip():
            units.append(None)
            continue
        if self_ref and lineno <= self_ref.line + 2 and line.strip() in (self_ref.raw, self_ref.title):
            continue
        if _is_heading(body_lines, idx):
            section = line.strip()
            skip_section = bool(BOILERPLATE.search(section))
            units.append(None)
            continue
        if skip_section:
            continue
        is_bullet = bool(BULLET.match(line))
        if is_bullet or not units or units[-1] is None or units[-1][2]:
            units.append([section, [(lineno, line)], is_bullet])
        else:
            units[-1][1].append((lineno, line))
    candidates = []  # [section, line, text, [ref indexes], level, level_label, paragraph id]
    for para_id, unit in enumerate(u for u in units if u):
        section_name, para_lines, _ = unit
        text, offsets, pos = "", [], 0
        for lineno, line in para_lines:
            piece = line.strip()
            offsets.append((len(text) + (1 if text else 0), lineno))
            text = f"{text} {piece}" if text else piece
        for start, sentence in split_sentences(text):
            lineno = [n for off, n in offsets if off <= start][-1]
            refs = [by_number[n] for n in _marker_numbers(sentence) if n in by_number]
            refs += _inline_references(document_id, sentence, lineno, references)
            level = LEVEL_MARKER.search(sentence)
            row = [section_name, lineno, sentence, refs,
                   int(level.group(1)) if level else None,
                   re.sub(r"\s+", " ", level.group(0)) if level else None, para_id]
            if _is_marker_only(sentence) and candidates and candidates[-1][6] == para_id:
                # markers alone: on their own line they cite the paragraph above them,
                # after a sentence on the same line they cite that sentence
                own_line = any(off == start for off, _ in offsets)
                targets = [c for c in candidates if c[6] == para_id] if own_line else candidates[-1:]
                for target in targets:
                    target[3].extend(refs)
                    if level:
                        target[4], target[5] = row[4], row[5]
                continue
            candidates.append(row)
    graded = {}
    for row in candidates:
        if row[4] is not None:
            graded[row[6]] = (row[4], row[5])
    has_references = bool([r for r in references if r.role != "self"])
    claims = []
    for section_name, lineno, sentence, refs, _level, _label, para_id in candidates:
        clean = _clean_claim_text(sentence)
        if BOILERPLATE.search(clean) or len(re.findall(r"[A-Za-z]{2,}", clean)) < 2:
            continue
        level, label = graded.get(para_id, (None, None))
        if has_references and not refs and level is None:
            continue
        unique = list(dict.fromkeys(refs))
        claims.append(ExtractedClaim(number=len(claims) + 1, text=clean, section=section_name,
                                     line=lineno, references=unique, level=level,
                                     level_label=label))
    return claims


def _inline_references(document_id, sentence, lineno, references):
    """References a sentence states itself; appended to ``references``; their indexes."""
    found = []
    ids = find_identifiers(sentence)
    if ids:
        label = "Fetch PMID" if re.search(r"\bFetch\s+PMID\b", sentence, re.I) else (
            "PMID" if "pmid" in ids else "DOI" if "doi" in ids else "PMCID")
        raw = _identifier_phrase(sentence, ids)
        ref = ExtractedReference(document=document_id, line=lineno, raw=raw, label=label, **ids)
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
                                     label="(citation)",
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
