"""references.yaml: read it, merge extracted references into it, write it back safely.

references.yaml is the curators' file.  ``litgraph extract`` merges what the
documents say into it and keeps everything people wrote: comments, the order
of entries, and the curator fields (``level``, ``note``, ``pinned``,
``exclude``, ``restates``, ``source``, and any identifier already there).  A
key, once written, never changes.  A source no document cites any more is
marked ``stale: true``, never deleted.  The file is written to a temporary
file beside it and renamed over it, and only when its text changes.
"""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from . import model
from .errors import DocumentError, IdentifierError, ReferencesFileError
from .extract import extract_document
from .extract_fields import slug, surname
from .ids import normalise_doi, normalise_pmcid, normalise_pmid

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
# sources:    one entry per distinct work, keyed firstauthor-year (stable).
#   pmid, doi, pmcid   identifiers; resolve writes found ones back with resolved_by
#   pinned: true       you vouch for the identifiers: resolve never rewrites them
#   level: 1..5        your evidence level (1 strongest); wins over declared/inferred
#   exclude: true      leave this source out of the graph and reports
#   note               free text
#   stale: true        set by extract when no document cites the source any more
#   seen               where documents cite it (document, line, label, raw); by extract
#   declared_levels    levels documents state for it; by extract
# claims:     sentences of the documents and the sources their markers name;
#             rewritten by extract, keyed <document>:<n>.
"""

DOCUMENT_SUFFIXES = (".txt", ".md", ".text")
SOURCE_FIELDS = ("pmid", "doi", "pmcid", "title", "authors", "journal", "year", "volume",
                 "issue", "pages", "kind")
CURATOR_SOURCE_FIELDS = ("level", "exclude", "note", "pinned")
CLAIM_CURATOR_FIELDS = ("note", "level", "exclude")


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
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _load_raw(path):
    """The round-trip document of references.yaml (an empty one if it does not exist)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ReferencesFileError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    try:
        data = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ReferencesFileError(f"{where}: {problem}") from None
    if data is None:
        return None
    if not isinstance(data, CommentedMap):
        raise ReferencesFileError(f"{path}:1:1: expected a mapping with documents, sources, claims")
    for section in ("documents", "sources", "claims"):
        value = data.get(section)
        if value is not None and not isinstance(value, CommentedMap):
            line, col = data.lc.value(section)
            raise ReferencesFileError(f"{path}:{line + 1}:{col + 1}: {section} must be a mapping "
                                      "of keys to entries")
    return data


def _dump(data) -> str:
    import io

    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def write_atomically(path, text: str) -> bool:
    """Replace ``path`` with ``text`` (temp file, fsync, rename); False if unchanged."""
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


# ---------------------------------------------------------------- reading into the model

def _fail(path, mapping, key, message):
    try:
        line, col = mapping.lc.key(key)
        where = f"{path}:{line + 1}:{col + 1}"
    except (AttributeError, KeyError, TypeError):
        where = str(path)
    raise ReferencesFileError(f"{where}: {message}")


def _check_level(path, entry, name, owner):
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        _fail(path, entry, name, f"{owner}: {name} must be a whole number 1..5, not {value!r}")
    return value


def _check_bool(path, entry, name, owner):
    value = entry.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        _fail(path, entry, name, f"{owner}: {name} must be true or false, not {value!r}")
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
    A missing file is an empty reference set.
    """
    data = _load_raw(path)
    refset = model.ReferenceSet()
    if data is None:
        return refset
    for doc_id, entry in (data.get("documents") or {}).items():
        owner = f"document {doc_id!r}"
        entry = _entry_map(path, data["documents"], doc_id, owner)
        refset.documents.append(model.DocumentEntry(
            id=str(doc_id), path=_check_str(path, entry, "path", owner) or "",
            title=_check_str(path, entry, "title", owner),
            kind=_check_str(path, entry, "kind", owner),
            source=_check_str(path, entry, "source", owner),
            restates=_check_str(path, entry, "restates", owner),
            sha256=_check_str(path, entry, "sha256", owner)))
    for key, entry in (data.get("sources") or {}).items():
        owner = f"source {key!r}"
        entry = _entry_map(path, data["sources"], key, owner)
        year = entry.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            _fail(path, entry, "year", f"{owner}: year must be a whole number, not {year!r}")
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
                document=str(item.get("document")), line=int(item.get("line") or 0),
                raw=str(item.get("raw") or ""), label=item.get("label")))
        for item in _list(path, entry, "declared_levels", owner):
            level = _check_level(path, item, "level", owner)
            if level is not None:
                source.declared_levels.append(model.DeclaredLevel(
                    level=level, label=str(item.get("label") or ""),
                    scheme=str(item.get("scheme") or "document"),
                    document=str(item.get("document")), line=int(item.get("line") or 0)))
        refset.sources.append(source)
    for key, entry in (data.get("claims") or {}).items():
        owner = f"claim {key!r}"
        entry = _entry_map(path, data["claims"], key, owner)
        sources = entry.get("sources") or []
        if not isinstance(sources, list):
            _fail(path, entry, "sources", f"{owner}: sources must be a list of source keys")
        line = entry.get("line")
        refset.claims.append(model.ClaimEntry(
            id=str(key), document=str(entry.get("document") or str(key).rsplit(":", 1)[0]),
            text=_check_str(path, entry, "text", owner) or "",
            section=_check_str(path, entry, "section", owner),
            line=line if isinstance(line, int) else None,
            sources=[str(s) for s in sources],
            level=_check_level(path, entry, "declared_level", owner)))
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


# ---------------------------------------------------------------- keys and identity

def source_key(fields: dict, taken) -> str:
    """A stable, readable key: ``miller-2010``, ``mod-pathol-2021-34-758``, ``pmid-11283938``."""
    base = None
    authors = fields.get("authors") or []
    if authors:
        name = surname(authors[0]) or authors[0]
        base = slug(name, max_words=3)
        if base:
            if fields.get("year"):
                base = f"{base}-{fields['year']}"
            elif fields.get("kind") == "guideline":
                base = f"{base}-guidelines"
    if not base and fields.get("journal") and fields.get("year"):
        first_page = str(fields.get("pages") or "").split("-")[0]
        base = slug(" ".join(str(p) for p in (fields["journal"], fields["year"],
                                                fields.get("volume") or "", first_page) if p),
                    max_words=10)
    if not base:
        for name in ("pmid", "pmcid", "doi"):
            if fields.get(name):
                base = slug(f"{name} {fields[name]}", max_words=8)
                break
    if not base and fields.get("title"):
        base = slug(fields["title"], max_words=4)
    base = base or "source"
    key, suffix = base, ord("b")
    while key in taken:
        key = f"{base}-{chr(suffix)}" if suffix <= ord("z") else f"{base}-{suffix}"
        suffix += 1
    return key


def identities(fields: dict) -> list:
    """The ways two references can be the same work, strongest first."""
    out = []
    for name in ("pmid", "doi", "pmcid"):
        value = fields.get(name)
        if value:
            out.append(f"{name}:{str(value).lower()}")
    if fields.get("journal") and fields.get("year") and (fields.get("volume") or fields.get("pages")):
        first_page = str(fields.get("pages") or "").replace("\u2013", "-").split("-")[0]
        out.append("cite:" + slug(f"{fields['journal']} {fields['year']} "
                                  f"{fields.get('volume') or ''} {first_page}", max_words=20))
    if fields.get("title") and len(str(fields["title"]).split()) >= 3:
        out.append("title:" + slug(fields["title"], max_words=40))
    authors = fields.get("authors") or []
    if authors and (fields.get("year") or fields.get("journal")):
        out.append("work:" + slug(f"{surname(authors[0]) or authors[0]} {fields.get('year') or ''} "
                                  f"{fields.get('journal') or fields.get('kind') or ''}",
                                  max_words=20))
    return out


def _sighting_identity(document, raw):
    """The same words at the same place name the same source again (re-runs)."""
    return f"seen:{document}:{slug(raw, max_words=60)}"


def _group_references(extracted_documents):
    """Union the references of all documents into works; returns [list of references]."""
    refs = [ref for doc in extracted_documents for ref in doc.references]
    parent = list(range(len(refs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen = {}
    for index, ref in enumerate(refs):
        fields = {**ref.fields(), "kind": ref.kind}
        for ident in identities(fields):
            if ident in seen:
                parent[find(index)] = find(seen[ident])
            else:
                seen[ident] = index
    groups = {}
    for index, ref in enumerate(refs):
        groups.setdefault(find(index), []).append(ref)
    return list(groups.values())


# ---------------------------------------------------------------- merging

def document_paths(paths) -> list:
    """Every document file under ``paths`` (files or folders), sorted; DocumentError if missing."""
    found = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix in DOCUMENT_SUFFIXES
                                and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            raise DocumentError(f"{path}: no such document or folder")
    unique = list(dict.fromkeys(found))
    stems = {}
    for path in unique:
        if path.stem in stems:
            raise DocumentError(f"{path}: same document id {path.stem!r} as {stems[path.stem]}")
        stems[path.stem] = path
    return unique


def update_from_documents(paths, references_path) -> ExtractReport:
    """Extract every document and merge the result into references.yaml (atomically).

    Nothing is written when a document or references.yaml is malformed (the
    error names it) or when nothing changed.
    """
    from .extract import propose_restates

    references_path = Path(references_path)
    data = _load_raw(references_path)
    read_reference_set(references_path)  # validate before touching anything
    files = document_paths(paths)
    extracted = [extract_document(p) for p in files]
    if data is None:
        data = CommentedMap()
    report = ExtractReport()
    merge_extracted(data, extracted, references_path, report)
    proposals = propose_restates(extracted)
    for doc_id, target in proposals.items():
        entry = data["documents"][doc_id]
        if entry.get("restates") is None and entry.get("restates_proposed") != target:
            entry["restates_proposed"] = target
    text = _dump(data)
    if not text.startswith("#"):
        text = HEADER + text
    report.written = write_atomically(references_path, text)
    report.messages.append(f"{references_path}: {'updated' if report.written else 'unchanged'}")
    return report


def _section(data, name):
    if data.get(name) is None:
        data[name] = CommentedMap()
    return data[name]


def _insert_sorted(mapping, key, value, sort_key=lambda k: k):
    """Insert a new key where sorting puts it, without moving existing entries."""
    keys = list(mapping.keys())
    position = len(keys)
    for i, existing in enumerate(keys):
        if sort_key(str(existing)) > sort_key(str(key)):
            position = i
            break
    mapping.insert(position, key, value)


def _claim_sort_key(key):
    document, _, number = key.rpartition(":")
    return (document, int(number) if number.isdigit() else 0, number)


def _set(entry, name, value):
    """Set a field only when its value changes (keeps comments and layout)."""
    if value in (None, "", []):
        if name in entry:
            del entry[name]
        return
    if entry.get(name) != value:
        entry[name] = value


def _flow(items):
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def merge_extracted(data, extracted, references_path, report):
    """Merge extracted documents into the round-trip mapping ``data`` in place."""
    documents = _section(data, "documents")
    sources = _section(data, "sources")
    claims = _section(data, "claims")
    processed = {doc.document.id for doc in extracted}
    base = Path(references_path).resolve().parent

    # documents
    for doc in extracted:
        entry = documents.get(doc.document.id)
        if entry is None:
            entry = CommentedMap()
            _insert_sorted(documents, doc.document.id, entry)
        path = Path(doc.document.path).resolve()
        try:
            shown = os.path.relpath(path, base)
        except ValueError:
            shown = str(path)
        _set(entry, "path", shown)
        for name in ("title", "kind"):
            if entry.get(name) is None and getattr(doc.document, name):
                entry[name] = getattr(doc.document, name)
        _set(entry, "sha256", doc.document.sha256)

    # sources: index the existing entries by identity
    index = {}
    for key, entry in sources.items():
        for ident in identities(dict(entry or {})):
            index.setdefault(ident, key)
        for sighting in (entry or {}).get("seen") or []:
            index.setdefault(_sighting_identity(sighting.get("document"), str(sighting.get("raw"))),
                             key)
    new_sightings, new_levels, ref_keys = {}, {}, {}
    created = []
    for group in _group_references(extracted):
        group.sort(key=lambda r: (r.document, r.line))
        fields = {}
        for ref in group:
            for name, value in {**ref.fields(), "kind": ref.kind}.items():
                fields.setdefault(name, value)
        known = identities(fields) + [_sighting_identity(s.document, s.raw)
                                      for ref in group for s in ref.sightings]
        key = next((index[i] for i in known if i in index), None)
        if key is None:
            key = source_key(fields, set(sources.keys()))
            entry = CommentedMap()
            _insert_sorted(sources, key, entry)
            created.append(key)
            for ident in identities(fields):
                index.setdefault(ident, key)
        entry = sources[key]
        if entry is None:
            entry = sources[key] = CommentedMap()
        for name in SOURCE_FIELDS:
            value = fields.get(name)
            if value in (None, "", []) or entry.get(name) not in (None, "", []):
                continue
            entry[name] = _flow(list(value)) if name == "authors" else value
        if entry.get("cited_as") is None:
            entry["cited_as"] = group[0].raw
        for ref in group:
            ref_keys[id(ref)] = key
            new_sightings.setdefault(key, []).extend(ref.sightings)
            new_levels.setdefault(key, []).extend(ref.declared_levels)

    # sightings and declared levels: replace those of the documents processed now
    document_sources = {str(e.get("source")) for e in documents.values() if e and e.get("source")}
    stale = []
    had_sightings = {k: bool((e or {}).get("seen")) for k, e in sources.items()}
    for key, entry in sources.items():
        if entry is None:
            entry = sources[key] = CommentedMap()
        kept = [dict(s) for s in entry.get("seen") or [] if str(s.get("document")) not in processed]
        seen = kept + [_sighting_map(s) for s in new_sightings.get(key, [])]
        seen.sort(key=lambda s: (str(s["document"]), int(s.get("line") or 0)))
        _replace_list(entry, "seen", seen)
        levels = [dict(d) for d in entry.get("declared_levels") or []
                  if str(d.get("document")) not in processed]
        levels += [_level_map(d) for d in new_levels.get(key, [])]
        levels.sort(key=lambda d: (str(d["document"]), int(d.get("line") or 0)))
        _replace_list(entry, "declared_levels", levels)
        if seen or key in document_sources:
            if "stale" in entry:
                del entry["stale"]
        elif had_sightings.get(key) and not entry.get("stale"):
            entry["stale"] = True  # cited before, by no document now: marked, never deleted
            stale.append(key)

    # the documents that are themselves publications
    for doc in extracted:
        self_refs = [r for r in doc.references if r.role == "self"]
        entry = documents[doc.document.id]
        if self_refs and entry.get("source") is None:
            entry["source"] = ref_keys[id(self_refs[0])]

    # claims
    claim_count = 0
    for doc in extracted:
        claim_count += _merge_claims(claims, doc, ref_keys)

    report.counts = {
        "documents": len(extracted),
        "references": sum(len(d.references) for d in extracted),
        "sources": len(sources),
        "new_sources": len(created),
        "stale_sources": sum(1 for e in sources.values() if e and e.get("stale")),
        "claims": claim_count,
    }
    for key in created:
        report.messages.append(f"new source {key}")
    for key in stale:
        report.messages.append(f"no document cites {key} any more: marked stale")


def _sighting_map(sighting):
    out = {"document": sighting.document, "line": sighting.line}
    if sighting.label:
        out["label"] = sighting.label
    out["raw"] = sighting.raw
    return out


def _level_map(level):
    return {"level": level.level, "label": level.label, "scheme": level.scheme,
            "document": level.document, "line": level.line}


def _replace_list(entry, name, items):
    current = [dict(i) for i in entry.get(name) or []]
    if current == items:
        return
    if not items:
        if name in entry:
            del entry[name]
        return
    seq = CommentedSeq()
    for item in items:
        seq.append(CommentedMap(item))
    entry[name] = seq


def _merge_claims(claims, doc, ref_keys) -> int:
    """Rewrite the claims of one document, carrying curator fields over by text.

    A curated claim (with a note, level or exclude) whose sentence is gone is
    kept, marked ``stale: true``, never dropped.
    """
    doc_id = doc.document.id
    prefix = f"{doc_id}:"
    old = {str(k): v for k, v in claims.items() if str(k).startswith(prefix)}
    curated = {}  # text -> (old key, curator fields)
    for key, entry in old.items():
        if entry and not entry.get("stale") and any(f in entry for f in CLAIM_CURATOR_FIELDS):
            curated[str(entry.get("text"))] = (key, {f: entry[f] for f in CLAIM_CURATOR_FIELDS
                                                     if f in entry})
    new_keys = set()
    for claim in doc.claims:
        key = f"{doc_id}:{claim.number}"
        new_keys.add(key)
        entry = claims.get(key)
        if entry is None:
            entry = CommentedMap()
            _insert_sorted(claims, key, entry, _claim_sort_key)
            claims[key] = entry
        _old_key, keep = curated.pop(claim.text, (None, {}))
        for name in CLAIM_CURATOR_FIELDS:
            if name in entry and name not in keep:
                del entry[name]
        _set(entry, "document", doc_id)
        _set(entry, "section", claim.section)
        _set(entry, "line", claim.line)
        _set(entry, "text", claim.text)
        keys = list(dict.fromkeys(ref_keys[id(doc.references[i])] for i in claim.references))
        if keys:
            if list(entry.get("sources") or []) != keys:
                entry["sources"] = _flow(keys)
        elif "sources" in entry:
            del entry["sources"]
        _set(entry, "declared_level", claim.level)
        _set(entry, "declared_as", claim.level_label)
        for name, value in keep.items():
            if entry.get(name) != value:
                entry[name] = value
        if "stale" in entry:
            del entry["stale"]
    for key in old:
        if key not in new_keys and not (claims[key] or {}).get("stale"):
            del claims[key]
    for text, (old_key, keep) in curated.items():
        key = old_key if old_key not in new_keys else f"{old_key}-stale"
        entry = claims.get(key)
        if entry is None:
            entry = CommentedMap()
            _insert_sorted(claims, key, entry, _claim_sort_key)
        entry.update({"document": doc_id, "text": text, **keep, "stale": True})
    return len(doc.claims)


# ---------------------------------------------------------------- resolution write-back

def record_resolutions(path, resolutions) -> None:
    """Write identifiers found by resolution back to references.yaml, with resolved_by.

    Never overwrites an identifier already there nor touches a pinned source;
    keeps comments; writes atomically and only when something changes.
    """
    data = _load_raw(path)
    if data is None or not data.get("sources"):
        return
    sources = data["sources"]
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
    write_atomically(path, _dump(data))

