"""references.yaml: read it, merge extracted references into it, write it back safely.

references.yaml is the curators' file.  ``litgraph extract`` merges what the
documents say into it and keeps everything people wrote: comments, the order
of entries, and the curator fields (``level``, ``note``, ``pinned``,
``exclude``, ``restates``, ``source``, and any identifier already there).  A
key, once written, never changes.  A source no document cites any more is
marked ``stale: true``, never deleted; so is a document whose file is gone
(``missing: true``: its sightings and unannotated claims are dropped).  The file is written to a temporary
file beside it and renamed over it, and only when its text changes.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ruamel.yaml.comments import CommentedMap

from ..collector import without_cyclic_gc
from ..errors import DocumentError, ReferencesFileError, UnreadableDocumentError
from ..extract.parallel import extracting
from ..kept import package_digest
from .fastdump import dump, load_own_form
from .merge import merge_extracted
from .reading import reference_set_from, read_reference_set  # noqa: F401  the package's API
from .writeback import record_resolutions  # noqa: F401  the package's API
from .yamlio import (NEW_SUFFIX, SECTIONS, UNCHANGED, _content, _dump,  # noqa: F401
                     _load_raw, _load_stamped, _plain, _read_stamped, _round_trip, file_stamp,
                     put_trailing_comments, take_trailing_comments, write_atomically)

HEADER = """\
# references.yaml: the curated reference set of litgraph.
#
# `litgraph extract` writes and updates this file from the documents; edit it
# freely, it keeps what you write (comments, order, and the fields below).
#
# documents:  one entry per document, keyed by file name without extension.
#   kind      what the document is, in your words (review, guideline, patient
#             page...); extract proposes how it cites: record-page (it states
#             its own identifier), cites-its-list, further-reading (a list no
#             sentence cites), inline-citations, no-citations
#   source    key of the source the document itself is (a published article)
#   restates  id of the document this one rewrites (curator); extract only
#             proposes one, as restates_proposed
#   missing: true  set by extract when the file at `path` is gone; the entry is
#             kept, its citations and claims leave the database
# sources:    one entry per distinct work, keyed firstauthor-year (stable).
#   pmid, doi, pmcid   identifiers; resolve writes found ones back with resolved_by
#   isbn, url, publisher   what an entry states for a book, report or web page
#   pinned: true       you vouch for the identifiers: resolve never rewrites them
#   level: 1..5        your evidence level (1 strongest); wins over declared/inferred
#   exclude: true      leave this source out of the graph and reports
#   note               free text
#   stale: true        set by extract when no document cites the source any more
#   seen               where documents cite it (document, line, label, raw); by extract
#   declared_levels    levels documents state for it; by extract
# claims:     sentences of the documents and the sources their markers name;
#             rewritten by extract, keyed <document>:<n>.  Yours to add:
#   level: 1..5        wins over declared_level;  note  free text
#   exclude: true      the claim is left out of the database (and every report)
#   stale: true        set by extract when a claim you annotated is gone from its
#                      document; kept for your notes, left out of the database
# settings:   optional.  restatement: thresholds for matching a rewrite to the
#             document it restates (match, relative, max_matches, number_weight,
#             neighbour_weight, paragraph_weight); see the README.
"""

from ..extract.readers import DOCUMENT_SUFFIXES  # noqa: E402  every format a reader knows


@dataclass
class ExtractReport:
    """What ``update_from_documents`` did."""

    counts: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)
    written: bool = False
    holds: Optional[str] = None  # SHA-256 of the text references.yaml holds once written

    def as_dict(self) -> dict:
        return {"stage": "extract", "counts": self.counts, "messages": self.messages,
                "written": self.written}

    def summary(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts.items())
        lines = [f"extract: {counts}"]
        lines.extend(f"  {m}" for m in self.messages)
        return "\n".join(lines)


def document_paths(paths, not_read=None) -> list:
    """Every document file under ``paths`` (files or folders), sorted; DocumentError if missing.

    Files of a folder that are not documents of a known format are appended to
    ``not_read`` (a list), so the report can name them.
    """
    found = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.name.startswith(".") or p.is_dir():
                    continue
                if p.suffix.lower() in DOCUMENT_SUFFIXES or p.is_symlink():
                    found.append(p)  # a symlink is checked (and refused if it leads out) on reading
                elif not_read is not None:
                    not_read.append(p)
        elif path.is_file():
            found.append(path)
        else:
            raise DocumentError(f"{path}: no such document or folder")
    unique = list(dict.fromkeys(found))
    for path in unique:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:  # bytes the file system would not decode: keys must be text
            raise DocumentError(f"{os.fsencode(path)!r}: the file name is not valid UTF-8; "
                                "rename the file") from None
    stems = {}
    for path in unique:
        if path.stem in stems:
            raise DocumentError(f"{path}: same document id {path.stem!r} as {stems[path.stem]}")
        stems[path.stem] = path
    return unique


@dataclass
class Merged:
    """references.yaml as extract left it in memory (``merge_documents``), not yet written."""

    path: Path
    data: object  # the round-trip document (ruamel's CommentedMap)
    read_stamp: Optional[str]  # the file_stamp of the text it was read from (None: no file)
    changed: bool  # its content differs from the file's (or there is no file)
    report: ExtractReport
    read_set: object = None  # the file's reference set as read (its values checked then)

    def reference_set(self):
        """The reference set references.yaml reads as once written: the one read before the
        merge when the merge changed nothing (the data is not read a second time)."""
        if self.changed or self.read_set is None:
            self.read_set = None  # another set is read: let the one read before go first
            return reference_set_from(self.data, self.path)
        return self.read_set


@without_cyclic_gc()
def update_from_documents(paths, references_path) -> ExtractReport:
    """Extract every document and merge the result into references.yaml (atomically).

    Nothing is written when a document or references.yaml is malformed (the
    error names it) or when nothing changed.  A document found in a folder whose content
    its reader cannot decode or parse (UnreadableDocumentError: empty, not UTF-8, a NUL byte,
    malformed markup, a corrupt Word or PDF file) is named in the report, one line with the
    reason and the line at fault if known, and the other files are read; named alone, it is
    refused.
    """
    return write_merged(merge_documents(paths, references_path))


def documents_to_read(paths, not_read=None) -> list:
    """``document_paths``, or DocumentError when the paths hold no document at all (an empty
    folder, or only files of other formats): a mistyped or emptied folder is said as such,
    before anything is read or written."""
    not_read = [] if not_read is None else not_read
    files = document_paths(paths, not_read)
    if not files:
        where = ", ".join(str(p) for p in paths)
        names = ", ".join(p.name for p in not_read[:5]) + (", ..." if len(not_read) > 5 else "")
        others = f" (not read: {names})" if not_read else ""
        raise DocumentError(f"{where}: no document to read{others}; litgraph reads "
                            f"{', '.join(DOCUMENT_SUFFIXES)}")
    return files


def merge_documents(paths, references_path, cache=None) -> Merged:
    """Extract every document and merge the result into references.yaml's data, in memory.

    ``cache``: an ``extract.cache.ExtractionCache`` holding earlier readings of documents."""
    from ..extract import propose_restates

    references_path = Path(references_path)
    not_read = []
    files = documents_to_read(paths, not_read)
    profile = references_path.parent / "boilerplate.yaml"  # a curator's additions, if any
    named = {Path(p) for p in paths if Path(p).is_file()}
    with extracting(files, profile if profile.is_file() else None, cache=cache) as extraction:
        # read and checked while worker processes read the documents (nothing is written
        # before both are done)
        data, read_stamp, read_set = _load_to_merge(references_path)
        outcomes = extraction()
    extracted, unreadable = [], []
    for path, doc in outcomes:
        if isinstance(doc, UnreadableDocumentError) and path not in named:
            unreadable.append(f"{path}: not read ({_reason(doc, path)})")
        elif isinstance(doc, DocumentError):
            raise doc
        else:
            extracted.append(doc)
    existed = data is not None
    if data is None:
        data = CommentedMap()
    before = _content(data)
    report = ExtractReport()
    for path in not_read:
        report.messages.append(f"{path}: not read (not a document format litgraph reads: "
                               f"{', '.join(DOCUMENT_SUFFIXES)})")
    report.messages.extend(unreadable)
    report.messages.extend(filter(None, map(unnamed_markers_message, extracted)))
    comments = take_trailing_comments(data)
    merge_extracted(data, extracted, references_path, report)
    proposals = propose_restates(extracted)
    for doc in extracted:
        entry = data["documents"][doc.document.id]
        target = proposals.get(doc.document.id)
        if entry.get("restates") is None and target:
            if entry.get("restates_proposed") != target:
                entry["restates_proposed"] = target
        elif "restates_proposed" in entry:
            del entry["restates_proposed"]  # confirmed by a curator, or no longer proposed
    put_trailing_comments(data, comments)
    changed = not existed or _content(data) != before
    return Merged(references_path, data, read_stamp, changed, report, read_set)


NAMES_NO_ENTRY = "no entry of its reference list"  # in unnamed_markers_message's lines


def unnamed_markers_message(doc, shown=5) -> str:
    """One line naming a document's markers that name no entry of its reference list (a
    claim citing only those is not kept), or "" when there are none."""
    found = doc.unnamed_markers
    if not found:
        return ""
    listed = ", ".join(f"line {line} {marker}" for line, marker in found[:shown])
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return (f"{doc.document.path or doc.document.id}: {len(found)} marker"
            f"{'s name' if len(found) > 1 else ' names'} {NAMES_NO_ENTRY} "
            f"({listed}{more}): an entry the list lacks, or one extract did not read")


def _reason(error, path) -> str:
    """The reason an error gives for a document, without the path it starts with; the line it
    names, if any, as ``line n: ``.

    >>> _reason(UnreadableDocumentError("d/a.txt:2: binary file (NUL byte)"), Path("d/a.txt"))
    'line 2: binary file (NUL byte)'
    """
    reason = str(error).removeprefix(f"{path}:")
    line, _, rest = reason.partition(": ")
    if line.isdigit():
        return f"line {line}: {rest}"
    return reason.removeprefix("?:").strip()


def _load_to_merge(path):
    """(references.yaml's round-trip document, its file_stamp, its reference set): every
    value checked by reading the reference set.

    A text in litgraph's own form is read by libyaml (``fastdump.load_own_form``): seconds
    where ruamel takes minutes for thousands of sources.  Anything else, or a value the
    check refuses (so that the error names its line and column), is read by ruamel.
    """
    text, stamp = _read_stamped(path)
    if text is None:
        return None, None, None
    data = load_own_form(text, HEADER)
    if data is not None and all(isinstance(data.get(section), (CommentedMap, type(None)))
                                for section in SECTIONS):
        try:
            return data, stamp, reference_set_from(data, path)
        except (ReferencesFileError, AttributeError, KeyError, TypeError):
            pass  # ruamel's reading names the line
    data = _round_trip(text, path)
    return data, stamp, reference_set_from(data, path)  # checked before anything is touched


def add_found_identifiers(merged: Merged, resolutions) -> None:
    """Add the identifiers resolution found to extract's merged data, as ``record_resolutions``
    writes them back (never over an identifier there, never into a pinned source), so that
    one write holds both."""
    from .writeback import _add_identifiers

    sources = merged.data.get("sources") if merged.data is not None else None
    if sources and _add_identifiers(sources, resolutions):
        merged.changed = True


def write_merged(merged: Merged) -> ExtractReport:
    """Write what ``merge_documents`` made, when its content changed; its report says so."""
    report = merged.report
    if not merged.changed:
        report.written = False  # the same content: not dumped, not written
    else:
        text = dump(merged.data)
        if not text.startswith("#"):
            text = HEADER + text
        report.written = write_atomically(merged.path, text, merged.read_stamp)
        report.holds = hashlib.sha256(text.encode("utf-8")).hexdigest()
    report.messages.append(f"{merged.path}: {'updated' if report.written else 'unchanged'}")
    return report


def extract_inputs(paths, references_path) -> dict:
    """Everything ``update_from_documents`` reads, each file by its SHA-256: references.yaml,
    the boilerplate profile beside it, every document file (by name), and the code of
    litgraph itself; and the names of the files of a folder it does not read (its report
    names them)."""
    references_path = Path(references_path)

    def digest_of(path):
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"

    not_read = []
    documents = document_paths(paths, not_read)
    return {"code": package_digest(), "references.yaml": digest_of(references_path),
            "boilerplate.yaml": digest_of(references_path.parent / "boilerplate.yaml"),
            "documents": [[str(document), digest_of(document)] for document in documents],
            "not_read": [str(path) for path in not_read]}


def inputs_stamp(inputs: dict) -> str:
    """One SHA-256 of ``extract_inputs``: the same stamp means extract would find nothing to
    change."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode("ascii")).hexdigest()


def extract_inputs_stamp(paths, references_path) -> str:
    """``inputs_stamp`` of the files as they are now."""
    return inputs_stamp(extract_inputs(paths, references_path))
