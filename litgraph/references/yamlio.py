"""references.yaml as text: the round-trip YAML, loading it with its stamp, dumping it (comments
between entries kept with their entry), and replacing it atomically (never over a curator's
save made meanwhile)."""

import hashlib
import os
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import ReferencesFileError
from ..files import replace_text_file
from ..yamlfile import curated_yaml, load_curated_yaml
from .fastload import _flat


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
    text, stamp = _read_stamped(path)
    return (None, stamp) if text is None else (_round_trip(text, path), stamp)


def _read_stamped(path):
    """(the text of references.yaml, its file_stamp); (None, None) when there is no file."""
    path = Path(path)
    if not path.exists():
        return None, None
    if not path.is_file():
        raise ReferencesFileError(f"{path}: not a file")
    raw = path.read_bytes()
    stamp = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8"), stamp
    except UnicodeDecodeError as exc:
        raise ReferencesFileError(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def _round_trip(text, path):
    """ruamel's round-trip document of references.yaml's text (None when it is empty)."""
    data = load_curated_yaml(text, path, _yaml())
    if data is None:
        return None
    if not isinstance(data, CommentedMap):
        raise ReferencesFileError(f"{path}: line 1, column 1: expected a mapping with documents, "
                                  "sources and claims")
    for section in SECTIONS:
        value = data.get(section)
        if value is not None and not isinstance(value, CommentedMap):
            line, col = data.lc.value(section)
            raise ReferencesFileError(f"{path}: line {line + 1}, column {col + 1}: {section} must "
                                      "be a mapping of keys to entries")
    return data


SECTIONS = ("documents", "sources", "claims")


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
    if path.exists():
        encoded = text.encode("utf-8")  # the file read only when its size says it could match
        if path.stat().st_size == len(encoded) and path.read_bytes() == encoded:
            return False
        del encoded
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


def _content(value) -> list:
    """What a loaded document says, in order, comparable with ``==`` (comments and style aside;
    true is not 1, 1 is not 1.0): its values in one flat list (``fastload._flat``)."""
    return [v if isinstance(v, str) else _kind_and_value(v) for v in _flat(value, [])]


def _kind_and_value(value):
    if isinstance(value, bool):
        return (bool, value)
    for kind in (int, float):
        if isinstance(value, kind):
            return (kind, kind(value))
    return (type(value), value)  # None, and _flat's marks (each equal to itself only)


def _plain(value):
    """ruamel's commented containers as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------- comments between entries

def _last_slot(node):
    """(container, key, slot) where ruamel keeps the comment after ``node``'s last value."""
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        if isinstance(node, CommentedSeq) and node.fa.flow_style():
            return None
        last = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slot = 2 if isinstance(node, CommentedMap) else 0
        child = node[last]
        items = node.ca.items.get(last)
        if items and len(items) > slot and items[slot] is not None:
            return node, last, slot
        if not isinstance(child, (CommentedMap, CommentedSeq)) or not len(child) \
                or (isinstance(child, CommentedSeq) and child.fa.flow_style()):
            return node, last, slot
        node = child
    return None


def take_trailing_comments(data) -> list:
    """Detach the comment that follows each entry (a curator's comment above the next key).

    ruamel keeps such a comment on the last value nested in the entry before
    it, so replacing or adding a field there would lose or move it; put it
    back with ``put_trailing_comments`` once the entries are updated.
    """
    taken = []
    for section in ("documents", "sources", "claims"):
        for key, entry in (data.get(section) or {}).items():
            where = _last_slot(entry)
            if where is None:
                continue
            node, last, slot = where
            items = node.ca.items.get(last)
            if items and len(items) > slot and items[slot] is not None:
                taken.append((section, key, items[slot]))
                items[slot] = None
    return taken


def put_trailing_comments(data, taken) -> None:
    """Re-attach comments taken by ``take_trailing_comments`` after their entry's last value."""
    for section, key, token in taken:
        where = _last_slot((data.get(section) or {}).get(key))
        if where is None:
            continue  # the entry is gone (a claim extract dropped)
        node, last, slot = where
        items = node.ca.items.setdefault(last, [None, None, None, None] if slot == 2
                                         else [None, None])
        items[slot] = token
