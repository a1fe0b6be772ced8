"""Identifiers that resolution found, written back into references.yaml with resolved_by.

The additions are lines inserted at the end of each source entry's block in
the file's own text (comments, quoting and layout untouched elsewhere), found
by libyaml's event positions; the result is read back and must hold exactly
the data the round-trip path (ruamel: load, add, dump) would write, else that
path writes it.  A file in a shape the lines cannot go into (a flow mapping,
an alias, a tag) takes the round-trip path from the start.
"""

import hashlib
import re
from pathlib import Path

import yaml

from ..errors import IdentifierError
from ..ids import normalise_doi, normalise_pmcid, normalise_pmid
from .fastload import FALLBACK, fast_load, reads_as_text, reads_back_as
from .fastdump import dump
from .yamlio import _load_stamped, write_atomically

IDENTIFIERS = (("pmid", normalise_pmid), ("doi", normalise_doi), ("pmcid", normalise_pmcid))


def record_resolutions(path, resolutions, refset=None):
    """Write identifiers found by resolution back to references.yaml, with resolved_by.

    Never overwrites an identifier already there nor touches a pinned source, and never
    writes a record's identifiers into a source it is not (an identity mismatch);
    keeps comments; writes atomically and only when something changes.  With
    ``refset`` (what the resolution started from), a run that finds nothing new
    does not read the file again.  Returns the SHA-256 of the text written, or None.
    """
    if refset is not None and not any(_writes_back(refset.source(r.key), r) for r in resolutions):
        return None  # nothing to add: references.yaml is neither read again nor written
    text, stamp = _read_text(path)
    patched = _patched_text(text, resolutions) if text is not None else None
    if patched is not None:
        if patched is _NOTHING:
            return None
        return _written(path, patched, stamp)
    data, read_stamp = _load_stamped(path)
    if data is None or not data.get("sources"):
        return None
    if _add_identifiers(data["sources"], resolutions):
        return _written(path, dump(data), read_stamp)
    return None


def _written(path, text, stamp):
    write_atomically(path, text, stamp)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_the_work(resolution) -> bool:
    """Whether the record resolution found may stand for the source: it resolved, and
    identity verification did not find it to be another work (a mismatch)."""
    return (resolution.record is not None and resolution.status == "resolved"
            and getattr(resolution, "identity", None) != "mismatch")


def _writes_back(entry, resolution) -> bool:
    """Whether record_resolutions would add an identifier to this source entry."""
    record = resolution.record
    if entry is None or not _is_the_work(resolution) or entry.pinned:
        return False
    return any(getattr(record, name, None) and not getattr(entry, name, None)
               for name in ("pmid", "doi", "pmcid"))


def _additions(entry, resolution) -> dict:
    """The fields (in order) to add to a source entry (a mapping) for its resolution."""
    record = resolution.record
    if entry is None or not _is_the_work(resolution) or entry.get("pinned"):
        return {}
    added = {}
    for name, normalise in IDENTIFIERS:
        value = getattr(record, name, None)
        if not value or entry.get(name) not in (None, ""):
            continue
        try:
            added[name] = normalise(value)
        except IdentifierError:
            continue
    if added and resolution.resolved_by and entry.get("resolved_by") is None:
        added["resolved_by"] = resolution.resolved_by
    return added


def _add_identifiers(sources, resolutions) -> bool:
    """Add every resolution's identifiers to ``sources`` (a mapping) in place; True if any."""
    changed = False
    for resolution in resolutions:
        entry = sources.get(resolution.key)
        for name, value in _additions(entry, resolution).items():
            entry[name] = value
            changed = True
    return changed


# ---------------------------------------------------------------- lines into the text

_NOTHING = object()  # _patched_text: nothing to add


def _read_text(path):
    """(the text of ``path``, its file_stamp), or (None, None) when it is not UTF-8 text."""
    try:
        raw = Path(path).read_bytes()
        return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()  # yamlio.file_stamp's
    except (OSError, UnicodeDecodeError):
        return None, None


def _patched_text(text, resolutions):
    """The text with each source's additions as lines at the end of its block; _NOTHING when
    there is nothing to add; None when the round-trip path must decide."""
    data = fast_load(text)
    if data is FALLBACK or not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        return None
    sources = data["sources"]
    if any(not isinstance(sources.get(r.key), (dict, type(None))) for r in resolutions):
        return None
    planned = {}
    for resolution in resolutions:
        added = _additions(sources.get(resolution.key), resolution)
        if added:
            planned.setdefault(resolution.key, {}).update(added)
    if not planned:
        return _NOTHING
    try:  # a second pass of libyaml, streamed: no list of every event held in memory
        places = _places_from_events(yaml.parse(text, Loader=yaml.CSafeLoader), set(planned))
    except yaml.YAMLError:
        return None
    if places is None or set(places) != set(planned):
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    inserts = {}
    for key, added in planned.items():
        line, indent = places[key]
        inserts.setdefault(line, []).extend(
            f"{' ' * indent}{name}: {_scalar(value)}{newline}" for name, value in added.items())
    out = []
    for number, line in enumerate(lines):
        out.extend(inserts.get(number, ()))
        out.append(line)
    out.extend(inserts.get(len(lines), ()))
    patched = "".join(out)
    _add_identifiers(sources, resolutions)
    if not reads_back_as(patched, data):
        return None
    return patched


_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/()\-;<>+]*$")


def _scalar(value) -> str:
    """A text value as YAML: plain when it reads back as that text, else single-quoted."""
    value = str(value)
    if _PLAIN.match(value) and reads_as_text(value):
        return value
    return "'" + value.replace("'", "''") + "'"


def _places_from_events(events, keys):
    places = {}
    stack = []  # per open collection: [is a mapping, flow style, next child is a key]
    keys_at = {}  # depth of a mapping -> its key being read
    entry, last_end, indent = None, None, None  # the entry of ``keys`` being read
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            return None
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth = len(stack)  # the depth of this node's parent
            role = None
            if stack and stack[-1][0]:
                role = "key" if stack[-1][2] else "value"
                stack[-1][2] = not stack[-1][2]
            if role == "key" and depth <= 2:
                keys_at[depth] = event.value if isinstance(event, yaml.ScalarEvent) else None
            under_sources = depth >= 2 and keys_at.get(1) == "sources"
            block_mapping = isinstance(event, yaml.MappingStartEvent) and not event.flow_style
            if role == "value" and depth == 1 and keys_at.get(1) == "sources" and not block_mapping:
                return None
            if role == "value" and depth == 2 and under_sources and keys_at.get(2) in keys:
                if not block_mapping:
                    return None
                entry, last_end, indent = keys_at[2], None, None
            elif entry is not None and depth >= 3:
                if depth == 3 and role == "key" and indent is None:
                    indent = event.start_mark.column
                if isinstance(event, yaml.ScalarEvent):
                    last_end = event.end_mark
            if not isinstance(event, yaml.ScalarEvent):
                stack.append([isinstance(event, yaml.MappingStartEvent), bool(event.flow_style),
                              True])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            _is_mapping, flow, _key = stack.pop()
            if entry is not None and flow and len(stack) >= 3:
                last_end = event.end_mark  # a flow collection ends at its bracket
            if entry is not None and len(stack) == 2:
                if last_end is None or indent is None:
                    return None
                places[entry] = (last_end.line if last_end.column == 0 else last_end.line + 1,
                                 indent)
                entry = None
    return places
