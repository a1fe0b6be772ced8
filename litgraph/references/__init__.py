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
import os
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from .. import model
from ..errors import DocumentError, IdentifierError, ReferencesFileError, UnreadableDocumentError
from ..extract import extract_document
from ..files import replace_text_file
from ..ids import normalise_doi, normalise_pmcid, normalise_pmid
from ..yamlfile import curated_yaml, load_curated_yaml
from .fastload import FALLBACK, fast_load
from .merge import merge_extracted, put_trailing_comments, take_trailing_comments

HEADER = """\
# references.yaml: the curated reference set of litgraph.
#
# `litgraph extract` writes and updates this file from the documents; edit it
# freely, it keeps what you write (comments, order, and the fields below).
#
# documents:  one entry per document, keyed by file name without extension.
#   kind      clinical-review | website | pathology-note | pubmed-record | patient-page
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

    def as_dict(self) -> dict:
        return {"stage": "extract", "counts": self.counts, "messages": self.messages,
                "written": self.written}

    def summary(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts.items())
        lines = [f"extract: {counts}"]
        lines.extend(f"  {m}" for m in self.messages)
        return "\n".join(lines)


# ---------------------------------------------------------------- YAML I/O

def _yaml() -> YAML:
    yaml = curated_yaml("rt")  # no aliases, bounded nesting
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _load_raw(path):
    """The round-trip document of references.yaml (None if it does not exist or is empty)."""
    return _load_stamped(path)[0]


def file_stamp(path):
    """What a file holds now (its SHA-256), or None when there is no file: see write_atomically."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _load_stamped(path):
    """(the round-trip document, the file_stamp of the text it was read from)."""
    path = Path(path)
    if not path.exists():
        return None, None
    if not path.is_file():
        raise ReferencesFileError(f"{path}: not a file")
    raw = path.read_bytes()
    stamp = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReferencesFileError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    data = load_curated_yaml(text, path, _yaml())
    if data is None:
        return None, stamp
    if not isinstance(data, CommentedMap):
        raise ReferencesFileError(f"{path}: line 1, column 1: expected a mapping with documents, "
                                  "sources and claims")
    for section in ("documents", "sources", "claims"):
        value = data.get(section)
        if value is not None and not isinstance(value, CommentedMap):
            line, col = data.lc.value(section)
            raise ReferencesFileError(f"{path}: line {line + 1}, column {col + 1}: {section} must "
                                      "be a mapping of keys to entries")
    return data, stamp


def _dump(data) -> str:
    import io

    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


NEW_SUFFIX = ".litgraph-new"  # litgraph's version, beside a file a curator changed meanwhile
UNCHANGED = object()  # write_atomically's default: do not compare with what was read


def write_atomically(path, text: str, read_stamp=UNCHANGED) -> bool:
    """Replace ``path`` with ``text`` (temp file, fsync, rename); False if unchanged.

    A symlink is written through: its target is replaced, the link stays.
    With ``read_stamp`` (the ``file_stamp`` of the text the new one was made
    from), the file is compared just before the rename: when someone saved it
    meanwhile, theirs stays untouched, ours goes to ``<path>.litgraph-new`` and
    ReferencesFileError says so.  A failed write (a full disk) names the file.
    """
    shown = Path(path)
    path = Path(os.path.realpath(shown))  # write through a symlink, never over it
    if path.exists() and path.read_bytes() == text.encode("utf-8"):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, text, read_stamp, shown)
    except OSError as exc:
        raise ReferencesFileError(f"cannot write {shown}: {exc.strerror or exc}") from None
    return True


def _replace(path, text, read_stamp, shown):
    aside = path.with_name(path.name + NEW_SUFFIX)

    def destination():  # looked at just before the rename: did a curator save meanwhile?
        if read_stamp is not UNCHANGED and file_stamp(path) != read_stamp:
            return aside
        return path

    mode = path.stat().st_mode if path.exists() else None
    if replace_text_file(path, text, mode, destination) == aside:
        raise ReferencesFileError(
            f"{shown} was changed by someone else while litgraph ran: yours is kept as it is "
            f"and litgraph's version is in {shown}{NEW_SUFFIX}; run the command again to "
            "merge onto your version (then delete the -new file)")


# ---------------------------------------------------------------- reading into the model

def _fail(path, mapping, key, message):
    try:
        line, col = mapping.lc.key(key)
        where = f"{path}: line {line + 1}, column {col + 1}"
    except (AttributeError, KeyError, TypeError):
        where = str(path)
    raise ReferencesFileError(f"{where}: {message}")


def _shown(value) -> str:
    """A value as an error message quotes it: short, and never a whole nested structure."""
    if isinstance(value, (int, float, str)):
        shown = repr(value)
    else:
        shown = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) \
            else f"a {type(value).__name__}"
    return shown if len(shown) <= 40 else shown[:40] + "..."


def _check_level(path, entry, name, owner):
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        _fail(path, entry, name, f"{owner}: {name} must be a whole number 1..5, not {_shown(value)}")
    return value


def _check_bool(path, entry, name, owner):
    value = entry.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        _fail(path, entry, name, f"{owner}: {name} must be true or false, not {_shown(value)}")
    return value


MAX_LINE = 10**9  # a line number; far beyond any document, within SQLite's integers
YEARS = (1, 9999)


def _check_int(path, entry, name, owner, low, high, default=None):
    """A whole number low..high (a line, a year), or ``default`` when absent."""
    value = entry.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(path, entry, name, f"{owner}: {name} must be a whole number {low}..{high}, "
                                 f"not {_shown(value)}")
    return value


def _check_id(path, entry, name, owner, normalise):
    value = entry.get(name)
    if value is None or value == "":
        return None
    try:
        return normalise(value)
    except IdentifierError as exc:
        _fail(path, entry, name, f"{owner}: {exc}")


def _check_str(path, entry, name, owner):
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        _fail(path, entry, name, f"{owner}: {name} must be text, not a {type(value).__name__}")
    return str(value)


def read_reference_set(path) -> model.ReferenceSet:
    """Read references.yaml into plain entries, validating every value.

    Raises ReferencesFileError naming the file, line and column of malformed
    YAML, a duplicate key, or a wrong value (``level: high``, ``pmid: -3``).
    A missing file is an error too (run ``litgraph extract`` to make one).
    """
    if not Path(path).exists():
        raise ReferencesFileError(f"{path}: no such file; `litgraph extract` creates it")
    data = _load_fast(path)
    if data is not FALLBACK:
        try:
            return reference_set_from(data, path)
        except (ReferencesFileError, AttributeError):
            pass  # ruamel's reading names the line and column
    return reference_set_from(_load_raw(path), path)


def _load_fast(path):
    """The plain data of references.yaml read by libyaml, or FALLBACK (see fastload)."""
    path = Path(path)
    if not path.is_file():
        return FALLBACK
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return FALLBACK
    data = fast_load(text)
    if data is FALLBACK or data is None:
        return FALLBACK
    if not isinstance(data, dict) or any(
            data.get(section) is not None and not isinstance(data.get(section), dict)
            for section in ("documents", "sources", "claims")):
        return FALLBACK
    return data


def reference_set_from(data, path) -> model.ReferenceSet:
    """The entries of an already loaded references.yaml (``path`` names it in errors)."""
    refset = model.ReferenceSet()
    if data is None:
        return refset
    settings = data.get("settings")
    if settings is not None:
        if not isinstance(settings, dict):
            line, col = data.lc.value("settings")
            raise ReferencesFileError(f"{path}: line {line + 1}, column {col + 1}: settings must be "
                                      "a mapping (e.g. restatement: {match: 0.18})")
        refset.settings = _plain(settings)
    for doc_id, entry in (data.get("documents") or {}).items():
        owner = f"document {doc_id!r}"
        entry = _entry_map(path, data["documents"], doc_id, owner)
        refset.documents.append(model.DocumentEntry(
            id=str(doc_id), path=_check_str(path, entry, "path", owner) or "",
            title=_check_str(path, entry, "title", owner),
            kind=_check_str(path, entry, "kind", owner),
            source=_check_str(path, entry, "source", owner),
            restates=_check_str(path, entry, "restates", owner),
            sha256=_check_str(path, entry, "sha256", owner),
            missing=_check_bool(path, entry, "missing", owner)))
    for key, entry in (data.get("sources") or {}).items():
        owner = f"source {key!r}"
        entry = _entry_map(path, data["sources"], key, owner)
        year = _check_int(path, entry, "year", owner, *YEARS)
        authors = entry.get("authors") or []
        if not isinstance(authors, list):
            _fail(path, entry, "authors", f"{owner}: authors must be a list")
        source = model.SourceEntry(
            key=str(key),
            pmid=_check_id(path, entry, "pmid", owner, normalise_pmid),
            doi=_check_id(path, entry, "doi", owner, normalise_doi),
            pmcid=_check_id(path, entry, "pmcid", owner, normalise_pmcid),
            title=_check_str(path, entry, "title", owner), authors=[str(a) for a in authors],
            journal=_check_str(path, entry, "journal", owner), year=year,
            volume=_check_str(path, entry, "volume", owner),
            issue=_check_str(path, entry, "issue", owner),
            pages=_check_str(path, entry, "pages", owner),
            isbn=_check_str(path, entry, "isbn", owner),
            url=_check_str(path, entry, "url", owner),
            publisher=_check_str(path, entry, "publisher", owner),
            kind=_check_str(path, entry, "kind", owner),
            cited_as=_check_str(path, entry, "cited_as", owner),
            level=_check_level(path, entry, "level", owner),
            exclude=_check_bool(path, entry, "exclude", owner),
            note=_check_str(path, entry, "note", owner),
            pinned=_check_bool(path, entry, "pinned", owner),
            resolved_by=_check_str(path, entry, "resolved_by", owner),
            stale=_check_bool(path, entry, "stale", owner))
        for item in _list(path, entry, "seen", owner):
            source.seen.append(model.Sighting(
                document=str(item.get("document")),
                line=_check_int(path, item, "line", owner, 0, MAX_LINE, default=0),
                raw=str(item.get("raw") or ""), label=item.get("label")))
        for item in _list(path, entry, "declared_levels", owner):
            level = _check_level(path, item, "level", owner)
            if level is not None:
                source.declared_levels.append(model.DeclaredLevel(
                    level=level, label=str(item.get("label") or ""),
                    scheme=str(item.get("scheme") or "document"),
                    document=str(item.get("document")),
                    line=_check_int(path, item, "line", owner, 0, MAX_LINE, default=0)))
        refset.sources.append(source)
    for key, entry in (data.get("claims") or {}).items():
        owner = f"claim {key!r}"
        entry = _entry_map(path, data["claims"], key, owner)
        sources = entry.get("sources") or []
        if not isinstance(sources, list):
            _fail(path, entry, "sources", f"{owner}: sources must be a list of source keys")
        line = _check_int(path, entry, "line", owner, 0, MAX_LINE)
        refset.claims.append(model.ClaimEntry(
            id=str(key), document=str(entry.get("document") or str(key).rsplit(":", 1)[0]),
            text=_check_str(path, entry, "text", owner) or "",
            section=_check_str(path, entry, "section", owner),
            line=line,
            sources=[str(s) for s in sources],
            level=_check_level(path, entry, "level", owner)
            or _check_level(path, entry, "declared_level", owner),
            exclude=_check_bool(path, entry, "exclude", owner),
            stale=_check_bool(path, entry, "stale", owner)))
    return refset


def _entry_map(path, parent, key, owner):
    entry = parent[key]
    if entry is None:
        return CommentedMap()
    if not isinstance(entry, dict):
        _fail(path, parent, key, f"{owner} must be a mapping of fields")
    return entry


def _list(path, entry, name, owner):
    value = entry.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        _fail(path, entry, name, f"{owner}: {name} must be a list of mappings")
    return value


# ---------------------------------------------------------------- extract -> references.yaml

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


def update_from_documents(paths, references_path) -> ExtractReport:
    """Extract every document and merge the result into references.yaml (atomically).

    Nothing is written when a document or references.yaml is malformed (the
    error names it) or when nothing changed.  A Word or PDF file found in a folder
    that its reader cannot parse (UnreadableDocumentError) is named in the report,
    one line with the reason, and the other files are read; named alone, it is refused.
    """
    from ..extract import propose_restates

    references_path = Path(references_path)
    data, read_stamp = _load_stamped(references_path)
    reference_set_from(data, references_path)  # validate before touching anything
    not_read = []
    files = document_paths(paths, not_read)
    profile = references_path.parent / "boilerplate.yaml"  # a curator's additions, if any
    options = {"boilerplate": profile} if profile.is_file() else {}
    named = {Path(p) for p in paths if Path(p).is_file()}
    extracted, unreadable = [], []
    for path in files:
        try:
            extracted.append(extract_document(path, **options))
        except UnreadableDocumentError as exc:
            if path in named:
                raise
            reason = str(exc)
            unreadable.append(f"{path}: not read ({reason.removeprefix(f'{path}: ')})")
    existed = data is not None
    if data is None:
        data = CommentedMap()
    before = _content(data)
    report = ExtractReport()
    for path in not_read:
        report.messages.append(f"{path}: not read (not a document format litgraph reads: "
                               f"{', '.join(DOCUMENT_SUFFIXES)})")
    report.messages.extend(unreadable)
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
    if existed and _content(data) == before:
        report.written = False  # the same content: not dumped, not written
    else:
        text = _dump(data)
        if not text.startswith("#"):
            text = HEADER + text
        report.written = write_atomically(references_path, text, read_stamp)
    report.messages.append(f"{references_path}: {'updated' if report.written else 'unchanged'}")
    return report


def extract_inputs_stamp(paths, references_path) -> str:
    """A SHA-256 of everything ``update_from_documents`` reads: references.yaml, the
    boilerplate profile beside it, every document file (name and bytes), and the code
    of litgraph itself.  The same stamp means extract would find nothing to change."""
    import litgraph

    digest = hashlib.sha256()
    package = Path(litgraph.__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + b"\0" + source.read_bytes())
    references_path = Path(references_path)
    for extra in (references_path, references_path.parent / "boilerplate.yaml"):
        digest.update(b"\0file\0" + (extra.read_bytes() if extra.is_file() else b"-"))
    for document in document_paths(paths, []):
        digest.update(b"\0document\0" + str(document).encode("utf-8", "surrogateescape")
                      + b"\0" + hashlib.sha256(document.read_bytes()).digest())
    return digest.hexdigest()


# ---------------------------------------------------------------- resolution write-back

def record_resolutions(path, resolutions, refset=None) -> None:
    """Write identifiers found by resolution back to references.yaml, with resolved_by.

    Never overwrites an identifier already there nor touches a pinned source;
    keeps comments; writes atomically and only when something changes.  With
    ``refset`` (what the resolution started from), a run that finds nothing new
    does not read the file again.
    """
    if refset is not None and not any(_writes_back(refset.source(r.key), r) for r in resolutions):
        return  # nothing to add: references.yaml is neither read again nor written
    data, read_stamp = _load_stamped(path)
    if data is None or not data.get("sources"):
        return
    sources = data["sources"]
    any_change = False
    for resolution in resolutions:
        entry = sources.get(resolution.key)
        record = resolution.record
        if entry is None or record is None or resolution.status != "resolved":
            continue
        if entry.get("pinned"):
            continue
        changed = False
        for name, normalise in (("pmid", normalise_pmid), ("doi", normalise_doi),
                                ("pmcid", normalise_pmcid)):
            value = getattr(record, name, None)
            if not value or entry.get(name) not in (None, ""):
                continue
            try:
                entry[name] = normalise(value)
            except IdentifierError:
                continue
            changed = True
        if changed and resolution.resolved_by and entry.get("resolved_by") is None:
            entry["resolved_by"] = resolution.resolved_by
        any_change = any_change or changed
    if any_change:
        write_atomically(path, _dump(data), read_stamp)


def _writes_back(entry, resolution) -> bool:
    """Whether record_resolutions would add an identifier to this source entry."""
    record = resolution.record
    if entry is None or record is None or resolution.status != "resolved" or entry.pinned:
        return False
    return any(getattr(record, name, None) and not getattr(entry, name, None)
               for name in ("pmid", "doi", "pmcid"))


def _content(value):
    """What a loaded document says, in order, comparable with ``==`` (comments and style aside;
    true is not 1)."""
    if isinstance(value, dict):
        return tuple((_content(k), _content(v)) for k, v in value.items())
    if isinstance(value, list):
        return ("list", tuple(_content(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    for kind in (str, int, float):
        if isinstance(value, kind):
            return (kind.__name__, kind(value))
    return (type(value).__name__, value)


def _plain(value):
    """ruamel's commented containers as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
