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

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .entries import (
    REFERENCE_HEADING, ExtractedReference, _entry_reference, _is_heading, _journal_date,
    _read_reference_section,
)
from .fields import find_identifiers, looks_like_authors, parse_short_citation, \
    strip_identifiers
from .sentences import (
    BULLET, LEVEL_MARKER, _clean_claim_text, _is_marker_only, _marker_numbers, propose_restates,
    split_sentences,
)
from ..model import DocumentEntry, Sighting
from .markers import MarkerIndex, strip_markers
from .profile import load_boilerplate
from .readers import MAX_DOCUMENT_BYTES, decode_text, document_format, read_blocks, read_bytes

__all__ = ["MAX_DOCUMENT_BYTES", "ExtractedClaim", "ExtractedDocument", "ExtractedReference",
           "extract_blocks", "extract_document", "extract_text", "propose_restates", "read_document_text", "split_sentences"]

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


@dataclass
class ExtractedDocument:
    document: DocumentEntry
    references: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    text: str = ""


# ---------------------------------------------------------------- reading

def read_document_text(path, root=None) -> str:
    """The text of a document, or DocumentError naming the file (and line) at fault.

    Any format a reader knows (``readers``); for a text file, the file's text
    itself, for others the text of its blocks.  ``root``: the folder the
    document must stay inside.
    """
    path = Path(path)
    data = read_bytes(path, root)
    fmt = document_format(path, data)
    if fmt == "text":
        return decode_text(path, data)
    return read_blocks(path, root).text


def extract_document(path, root=None, boilerplate=None) -> ExtractedDocument:
    """Read and extract one document of any known format; DocumentError if it cannot be read.

    Plain text goes through the line reader (``extract_text``), and through its
    blocks when the line reader finds no references; every other format through
    its reader's blocks (``structure.extract_blocks``).  ``boilerplate``: a
    curator's boilerplate profile (a path) used with the bundled one.
    """
    path = Path(path)
    blocks = read_blocks(path, root)
    if blocks.format == "text":
        doc = extract_text(blocks.text, path.stem, boilerplate)
        if not doc.references:  # no list the line reader knows: read the text's structure
            structured = extract_blocks(blocks, path.stem, load_boilerplate(boilerplate))
            if structured.references:
                doc = structured
    else:
        doc = extract_blocks(blocks, path.stem, load_boilerplate(boilerplate))
    doc.document.path = str(path)
    return doc


# ---------------------------------------------------------------- the document

def extract_text(text: str, document_id: str, boilerplate=None) -> ExtractedDocument:
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
    claims = _claims(document_id, lines, body, references, self_ref,
                     load_boilerplate(boilerplate).sentences)
    kind = _document_kind(references, claims)
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


def _document_kind(references, claims) -> str:
    """What a document is, proposed from its structure alone (a curator's ``kind`` wins):

    - ``pubmed-record``: its header states its own identifier (a publication's record page);
    - ``clinical-review``: its sentences cite entries of its reference list;
    - ``website``: it has a reference list that no sentence cites (further reading);
    - ``pathology-note``: it cites works only inline, in its sentences, with no list;
    - ``patient-page``: it cites nothing.
    """
    if any(r.role == "self" for r in references):
        return "pubmed-record"
    cited = {index for claim in claims for index in claim.references}
    listed = [index for index, r in enumerate(references) if not r.inline and r.role != "citing"]
    if listed:
        return "clinical-review" if cited & set(listed) else "website"
    if references:
        return "pathology-note"
    return "patient-page"


def _claims(document_id, lines, body, references, self_ref, boilerplate=BOILERPLATE):
    """Claims of the body; adds references stated inline (identifiers, short citations)."""
    by_number = {}
    for index, ref in enumerate(references):
        if ref.number is not None:
            by_number.setdefault(ref.number, index)
    markers = MarkerIndex.build([{"number": r.number, "authors": r.authors, "year": r.year,
                                  "year_suffix": r.year_suffix, "title": r.title} for r in references])
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
            skip_section = bool(boilerplate.search(section))
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
        pieces, offsets, length = [], [], 0
        for lineno, line in para_lines:
            piece = line.strip()
            offsets.append((length, lineno))
            pieces.append(piece)
            length += len(piece) + 1
        text = " ".join(pieces)
        line_starts = [off for off, _ in offsets]
        for start, sentence in split_sentences(text):
            at = bisect.bisect_right(line_starts, start) - 1
            lineno = offsets[at][1]
            refs = [by_number[n] for n in _marker_numbers(sentence) if n in by_number]
            refs += [i for i in markers.link(sentence) if i not in refs]  # (n), ¹, ^n, author-year
            refs += _inline_references(document_id, sentence, lineno, references)
            level = LEVEL_MARKER.search(sentence)
            row = [section_name, lineno, sentence, refs,
                   int(level.group(1)) if level else None,
                   re.sub(r"\s+", " ", level.group(0)) if level else None, para_id]
            if _is_marker_only(sentence) and candidates and candidates[-1][6] == para_id:
                # markers alone: on their own line they cite the paragraph above them,
                # after a sentence on the same line they cite that sentence
                own_line = line_starts[at] == start
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
        clean = strip_markers(_clean_claim_text(sentence), markers)
        if boilerplate.search(clean) or len(re.findall(r"[A-Za-z]{2,}", clean)) < 2:
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


from .structure import extract_blocks  # noqa: E402  (it uses the classes above)
