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
from pathlib import Path

from ..model import DocumentEntry, Sighting
from .claims import ExtractedClaim, ExtractedDocument, _document_kind, claims_of_lines
from .entries import (
    REFERENCE_HEADING, ExtractedReference, _entry_reference, _journal_date, _read_reference_section,
)
from .fields import find_identifiers, looks_like_authors, strip_identifiers
from .profile import load_boilerplate
from .readers import MAX_DOCUMENT_BYTES, decode_text, document_format, read_blocks, read_bytes
from .sentences import propose_restates, split_sentences
from .structure import extract_blocks

__all__ = ["MAX_DOCUMENT_BYTES", "ExtractedClaim", "ExtractedDocument", "ExtractedReference",
           "extract_blocks", "extract_document", "extract_text", "propose_restates", "read_document_text", "split_sentences"]

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
    blocks when the line reader finds no reference list (none, or only identifiers
    inside sentences); every other format through its reader's blocks
    (``structure.extract_blocks``).  ``boilerplate``: a curator's boilerplate
    profile (a path) used with the bundled one.
    """
    path = Path(path)
    blocks = read_blocks(path, root)
    if blocks.format == "text":
        doc = extract_text(blocks.text, path.stem, boilerplate)
        if not _has_a_list(doc):  # no list the line reader knows: read the text's structure
            structured = extract_blocks(blocks, path.stem, load_boilerplate(boilerplate))
            if _has_a_list(structured) or structured.references and not doc.references:
                doc = structured
    else:
        doc = extract_blocks(blocks, path.stem, load_boilerplate(boilerplate))
    doc.document.path = str(path)
    return doc


def _has_a_list(doc) -> bool:
    """Whether a reading found a reference list (not only identifiers inside sentences)."""
    return any(not reference.inline for reference in doc.references)


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
    unnamed = []
    claims = claims_of_lines(document_id, body, references, self_ref,
                             load_boilerplate(boilerplate).sentences, unnamed)
    kind = _document_kind(references, claims)
    entry = DocumentEntry(id=document_id, path="", title=title, kind=kind,
                          sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    if self_ref:
        entry.source = None  # set to the source key when merged into references.yaml
    return ExtractedDocument(document=entry, references=references, claims=claims, text=text,
                             unnamed_markers=unnamed)


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
