"""Write references.yaml's data as ruamel would, without ruamel's emitter, when the data is plain.

ruamel's round-trip dump keeps comments and styles, which a curator's file
needs, but it costs about 1.8 ms an entry: 36 s of CPU for the 20,000 sources
of a first build.  A document without comments, anchors, tags or unusual
styles (the one a first extract makes, for one) is written here in ruamel's
layout (``yamlio._yaml``: mappings indented 2, sequence dashes 2 in, items 4
in).  Each scalar's style is ruamel's own choice: its emitter's analysis of
the text and its resolver's reading of the plain form decide plain, single or
double quotes, by the rule of ``Emitter.choose_scalar_style``.

``fast_dump`` returns None (the caller then dumps with ruamel) for anything
else: a comment anywhere, an anchor or tag, a flow mapping, a scalar that
needs double quotes or spans lines, a float, a text too long for one line.
``dump`` reads the text back and compares it with the data before using it
(``fastload.reads_back_as``, event by event); tests require the same text as
ruamel's dump on varied data.

The same form read back: ``load_own_form`` reads a text that is exactly what
``fast_dump`` writes for its data into ruamel's round-trip types, line by line,
for a build that must merge into a large references.yaml; anything else is
ruamel's to read.
"""

import functools
import re

from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import (Comment, CommentedBase, CommentedMap, CommentedSeq, Format,
                                   Tag)
from ruamel.yaml.emitter import ScalarAnalysis
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import implicit_resolvers
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from .fastload import _GiveUp as _Doubtful
from .fastload import plain_value
from .fastload import reads_back_as
from .yamlio import _dump, _yaml

STR_TAG = "tag:yaml.org,2002:str"
MAX_SCALAR = 2000  # ruamel folds a line past its width (4096): longer texts are left to it
MAX_KEY = 100  # ruamel writes a key of 128 characters or more as an explicit "? " key


class _GiveUp(Exception):
    pass


def dump(data) -> str:
    """references.yaml's text for ``data``: ``fast_dump``'s when it reads back as exactly that
    data (values, types and order), else ruamel's dump."""
    text = fast_dump(data)
    if text is not None and reads_back_as(text, data):
        return text
    return _dump(data)


@functools.lru_cache(maxsize=1)
def _tools():
    """An emitter (for its scalar analysis) and the resolver of the round-trip YAML."""
    yaml = _yaml()
    yaml.serializer  # noqa: B018  (made on first use; the emitter's analysis reads its version)
    return yaml.emitter, yaml.resolver


@functools.lru_cache(maxsize=1)
def _resolved_from() -> frozenset:
    """The first characters of every plain scalar ruamel's resolver may read as other than
    text, in any YAML version (its implicit resolvers are looked up by first character):
    a text starting otherwise is text without asking it.  Empty when a resolver looks at
    any first character (then it is always asked)."""
    firsts = {c for _versions, _tag, _regexp, chars in implicit_resolvers for c in chars}
    firsts.update(getattr(_tools()[1], "yaml_implicit_resolvers", {}))
    return frozenset() if None in firsts else frozenset(firsts)


@functools.lru_cache(maxsize=65536)
def _style(text: str, quoted: bool, flow: bool, key: bool) -> str:
    """ruamel's style for a text: '' (plain) or "'" (single quotes); _GiveUp for anything else."""
    if len(text) > (MAX_KEY if key else MAX_SCALAR):
        raise _GiveUp
    emitter, resolver = _tools()
    analysis = _analysis(text) if _ORDINARY.match(text) else emitter.analyze_scalar(text)
    if analysis.multiline or (key and analysis.empty):
        raise _GiveUp
    if not quoted:
        firsts = _resolved_from()
        implicit = (firsts and text[:1] not in firsts) or \
            resolver.resolve(ScalarNode, text, (True, False)) == STR_TAG
        plain = analysis.allow_flow_plain if flow else analysis.allow_block_plain
        if implicit and plain:
            return ""
        if analysis.allow_double_quoted and "'" in text:
            raise _GiveUp  # ruamel writes it double-quoted
    if analysis.allow_single_quoted:
        return "'"
    raise _GiveUp


# A text of one line without leading or trailing space, an indicator first, or a character
# ruamel's analysis treats as special: all it decides is plain or not, by the patterns below.
_ORDINARY = re.compile(r"^(?![ #,\[\]{}&*!|>'\"%@`?:-]|\.\.\.)"
                       r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+(?<! )\Z")
_NOT_BLOCK_PLAIN = re.compile(r": |:\Z| #")
_NOT_FLOW_PLAIN = re.compile(r": |:\Z| #|[,\[\]{}]")


def _analysis(text: str) -> ScalarAnalysis:
    """``Emitter.analyze_scalar`` of an _ORDINARY text, by two searches instead of a loop over
    its characters (a test compares both on varied texts)."""
    return ScalarAnalysis(scalar=text, empty=False, multiline=False,
                          allow_flow_plain=not _NOT_FLOW_PLAIN.search(text),
                          allow_block_plain=not _NOT_BLOCK_PLAIN.search(text),
                          allow_single_quoted=True, allow_double_quoted=True, allow_block=True)


def _scalar(value, flow=False, key=False) -> str:
    kind = type(value)
    if kind is str or kind is SingleQuotedScalarString:
        if kind is SingleQuotedScalarString and \
                getattr(getattr(value, Anchor.attrib, None), "value", None) is not None:
            raise _GiveUp  # (read without ``.anchor``, which gives every text an empty anchor)
        text = str(value)
        if _style(text, kind is SingleQuotedScalarString, flow, key) == "":
            return text
        return "'" + text.replace("'", "''") + "'"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    raise _GiveUp  # floats, ruamel's own scalar types (hex, dates...), anything else


def _holds_token(slots) -> bool:
    """Whether ruamel's comment slots (nested lists, None where there is no comment) hold one."""
    if isinstance(slots, list):
        return any(_holds_token(slot) for slot in slots)
    return slots is not None


def _plain_container(node) -> None:
    """_GiveUp unless ``node`` carries no comment, anchor, tag or flow mapping style.

    ruamel's ``ca``, ``tag`` and ``fa`` properties make an empty object on a node that has
    none: read without them, 20,000 entries' nodes gain no 30 MB of empty comments."""
    if isinstance(node, CommentedBase):
        ca = getattr(node, Comment.attrib, None)
        if ca is not None and (_holds_token(ca.comment) or _holds_token(list(ca.items.values()))
                               or ca.end or getattr(ca, "pre", None)):
            raise _GiveUp
        if node.yaml_anchor() is not None or \
                getattr(getattr(node, Tag.attrib, None), "value", None) is not None:
            raise _GiveUp
        fa = getattr(node, Format.attrib, None)
        if isinstance(node, CommentedMap) and fa is not None and fa.flow_style():
            raise _GiveUp


def _flow_sequence(items) -> str:
    if any(isinstance(item, (dict, list)) for item in items):
        raise _GiveUp
    return "[" + ", ".join(_scalar(item, flow=True) for item in items) + "]"


def _value(out, indent, head, value) -> None:
    """Write ``head`` (``key:`` or ``-``) with ``value`` at column ``indent``."""
    pad = " " * indent
    if isinstance(value, dict):
        _plain_container(value)
        if not value:
            out.append(f"{pad}{head} {{}}\n")
            return
        out.append(f"{pad}{head}\n")
        _mapping(out, indent + 2, value)
    elif isinstance(value, list):
        _plain_container(value)
        fa = getattr(value, Format.attrib, None)
        if not value or (isinstance(value, CommentedSeq) and fa is not None and fa.flow_style()):
            out.append(f"{pad}{head} {_flow_sequence(value)}\n")
            return
        out.append(f"{pad}{head}\n")
        _sequence(out, indent + 2, value)
    elif value is None:
        if head == "-":
            raise _GiveUp
        out.append(f"{pad}{head}\n")
    else:
        out.append(f"{pad}{head} {_scalar(value)}\n")


def _mapping(out, indent, mapping) -> None:
    for key, value in mapping.items():
        if type(key) is not str:
            raise _GiveUp
        start = len(out)
        _value(out, indent, _scalar(key, key=True) + ":", value)
        if indent <= 2:  # a section or an entry: its lines as one text, not thousands of small ones
            out[start:] = ["".join(out[start:])]


def _sequence(out, indent, items) -> None:
    """Block sequence items: the dash at ``indent``, their content two further in."""
    for item in items:
        if isinstance(item, dict) and item:
            _plain_container(item)
            start = len(out)
            _mapping(out, indent + 2, item)
            out[start] = " " * indent + "- " + out[start][indent + 2:]  # first key on the dash
        elif isinstance(item, list):
            raise _GiveUp
        else:
            _value(out, indent, "-", item)


def fast_dump(data):
    """The YAML text of ``data`` (a mapping) as ruamel's round-trip dump writes it, or None."""
    if not isinstance(data, dict):
        return None
    out = []
    try:
        _plain_container(data)
        _mapping(out, 0, data)
    except _GiveUp:
        return None
    return "".join(out) if out else None


def load_own_form(text, header=""):
    """references.yaml's round-trip data, read line by line, when ``text`` is exactly what the
    quick writer writes for it (after ``header``, when the text starts with that); else None.

    ruamel's round-trip loader takes about 1.8 ms an entry (36 s for 20,000 sources),
    and a build whose documents changed must load the file to merge into it.  A text in
    litgraph's own form holds no comment (but the header), anchor, tag or style ruamel
    would keep otherwise, so the same data in ruamel's types (single quotes kept, flow
    sequences marked) is what ruamel would load: writing it back gives the text again.
    Anything else (a curator's comment, a double-quoted or folded text, a float) is None,
    and the caller loads with ruamel.  Positions (``.lc``) are not set: errors that name a
    line come from ruamel's reading (the caller validates and falls back).
    """
    body = text[len(header):] if header and text.startswith(header) else text
    try:
        data = _own_lines(body)
    except (_GiveUp, _Doubtful, RecursionError):
        return None
    if not isinstance(data, CommentedMap) or fast_dump(data) != body:
        return None
    return data


def _own_lines(body):
    """The data of ``body`` read line by line as ``fast_dump`` lays it out, in ruamel's types
    (what libyaml's events give, a third sooner), or _GiveUp.

    A text ``fast_dump`` writes holds a key or a dash per line at the indent its parent
    sets, each scalar whole on its line, plain or single-quoted, or a flow sequence of
    scalars; plain scalars are read by YAML's rules (``plain_value``).  What it reads is
    kept only if ``fast_dump`` writes it back as ``body``, and ``fast_dump`` writes
    different data differently: a reading that passes cannot differ from a YAML parser's
    (the tests hold it to libyaml's and to ruamel's).
    """
    lines = body.split("\n")
    if lines.pop() != "":
        raise _GiveUp  # fast_dump ends every line
    count = len(lines)
    at = 0  # the next line to read

    def indent_of(number):
        if number >= count:
            return -1
        line = lines[number]
        return len(line) - len(line.lstrip(" "))

    def mapping(indent):
        """The mapping whose first key is on line ``at`` at column ``indent`` (after the
        dash of a sequence item), its other keys on lines of that indent."""
        nonlocal at
        result = CommentedMap()
        while True:
            key, rest = _key_and_rest(lines[at], indent)
            if key in result:
                raise _GiveUp  # a duplicate key: ruamel's word
            at += 1
            result[key] = value(rest, indent)
            if indent_of(at) != indent or lines[at].startswith("- ", indent):
                return result

    def sequence(indent):
        """The block sequence whose dashes are at column ``indent``, from line ``at``."""
        nonlocal at
        result = CommentedSeq()
        while indent_of(at) == indent and lines[at].startswith("- ", indent):
            item = lines[at][indent + 2:]
            if _is_key(item):
                result.append(mapping(indent + 2))  # its first key on the dash's line
            else:
                at += 1
                result.append(_own_token(item))
        return result

    def value(rest, indent):
        """The value after a key's colon: on its line, or the lines indented under it."""
        if rest:
            if rest[0] != " ":
                raise _GiveUp
            return _own_token(rest[1:])
        below = indent_of(at)
        if below <= indent:
            return None
        if below != indent + 2:
            raise _GiveUp
        return sequence(below) if lines[at].startswith("- ", below) else mapping(below)

    if not count or indent_of(0) != 0:
        raise _GiveUp
    data = mapping(0)
    if at != count:
        raise _GiveUp  # a line no container took
    return data


# What a plain scalar may not start with, in a flow sequence or not (YAML's indicators).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _quoted_end(text, start):
    """The index of the quote closing the single-quoted scalar opening at ``start``."""
    end = start + 1
    while True:
        end = text.find("'", end)
        if end < 0:
            raise _GiveUp
        if not text.startswith("''", end):
            return end
        end += 2


def _is_key(text) -> bool:
    """Whether a sequence item's text starts a mapping (``key: ...``) rather than a scalar."""
    if text.startswith("'"):
        return text.startswith(":", _quoted_end(text, 0) + 1)
    return ": " in text or text.endswith(":")


def _key_and_rest(line, column):
    """(the key starting at ``column``, the text after its colon)."""
    if line.startswith("'", column):
        end = _quoted_end(line, column)
        if not line.startswith(":", end + 1):
            raise _GiveUp
        return _quoted(line[column:end + 1]), line[end + 2:]
    if line[column:column + 1] in _INDICATORS:
        raise _GiveUp  # a flow sequence as a key, a complex key, an indicator
    end = line.find(": ", column)
    if end < 0:
        if not line.endswith(":"):
            raise _GiveUp
        end = len(line) - 1
    return _own_token(line[column:end]), line[end + 1:]


def _own_token(text):
    """A scalar or flow sequence as written on one line, in ruamel's types."""
    if text.startswith("'"):
        return _quoted(text)
    if text.startswith("["):
        return _flow_items(text)
    if not text or text[0] in _INDICATORS:
        raise _GiveUp  # a flow mapping ({} too), a nested sequence, a comment, an indicator
    value = plain_value(text)
    if type(value) is int and value == 0:
        raise _GiveUp  # ruamel reads a plain 0 as its own ScalarInt
    return value


def _quoted(text):
    if len(text) < 2 or not text.endswith("'") or _quoted_end(text, 0) != len(text) - 1:
        raise _GiveUp
    return SingleQuotedScalarString(text[1:-1].replace("''", "'"))


def _flow_items(text):
    """A flow sequence of scalars, ``[a, 'b, c']``, marked flow as ruamel marks it."""
    if not text.endswith("]"):
        raise _GiveUp
    inner = text[1:-1]
    items = CommentedSeq()
    start = 0
    while start < len(inner):
        if inner.startswith("'", start):
            end = _quoted_end(inner, start) + 1
            items.append(_quoted(inner[start:end]))
        else:
            end = inner.find(", ", start)
            end = len(inner) if end < 0 else end
            item = inner[start:end]
            if ":" in item:
                raise _GiveUp  # libyaml may refuse a colon in a flow scalar: ruamel's to read
            items.append(_own_token(item))
        if end < len(inner) and not inner.startswith(", ", end):
            raise _GiveUp
        start = end + 2
    if start == len(inner) + 1:
        raise _GiveUp  # a trailing ", "
    if items:
        items.fa.set_flow_style()  # ruamel marks no style on an empty []
    return items
