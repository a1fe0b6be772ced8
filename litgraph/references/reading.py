"""references.yaml into the model: ``read_reference_set`` and the check of every value."""

from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from .. import model
from ..errors import IdentifierError, ReferencesFileError
from ..ids import normalise_doi, normalise_pmcid, normalise_pmid
from .fastload import FALLBACK, fast_load
from .yamlio import _load_raw, _plain


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
        unnamed = entry.get("markers_without_entry") or []
        if not isinstance(unnamed, list):
            _fail(path, entry, "markers_without_entry",
                  f"{owner}: markers_without_entry must be a list of markers")
        refset.claims.append(model.ClaimEntry(
            id=str(key), document=str(entry.get("document") or str(key).rsplit(":", 1)[0]),
            text=_check_str(path, entry, "text", owner) or "",
            section=_check_str(path, entry, "section", owner),
            line=line,
            sources=[str(s) for s in sources],
            markers_without_entry=[str(m) for m in unnamed],
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
