"""Read references.yaml quickly when only its data is needed (libyaml's C parser).

ruamel's round-trip loader keeps comments and positions, which writing needs,
but takes seconds for thousands of sources.  Reading (``resolve``, a build
whose documents did not change) needs only the values: ``fast_load`` builds
them from the C parser's events.  It gives up (returns ``FALLBACK``) on
anything where its reading could differ from ruamel's YAML 1.2 one or where
ruamel reports an error (an alias, an explicit tag, a duplicate key, deep
nesting, a plain scalar that is not plainly text, a whole number, true/false
or null), so the caller then loads with ruamel and gets ruamel's data or its
one-line error.  A test compares both readings on real files.
"""

import json
import re

import yaml

from ..yamlfile import MAX_DEPTH

FALLBACK = object()
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]+$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
# Plain scalars YAML 1.2 (or 1.1) may read as something other than text: left to ruamel.
_DOUBTFUL = re.compile("|".join([
    r"^[-+]?[0-9][0-9_]*$",  # 012, 1_000
    r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$",  # .5, 1., 1.5e3
    r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$",  # 1e5
    r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$",  # 12:30 (YAML 1.1 base 60)
    r"^[-+]?0b[01_]+$", r"^[-+]?0o[0-7_]+$", r"^[-+]?0x[0-9a-f_]+$",  # not a hash's '0bd2...'
    r"^[-+]?\.(?:inf|nan)$",
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?$",  # dates and times
    r"^(?:yes|no|on|off|y|n)$"]), re.I)


class _GiveUp(Exception):
    pass


def _scalar(event):
    if event.tag not in (None, "!"):
        raise _GiveUp  # an explicit tag
    value = event.value
    if event.style:  # quoted, literal or folded: text
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    if _DOUBTFUL.match(value):
        raise _GiveUp
    return value


def fast_load(text):
    """The plain data (dicts, lists, str, int, float, bool, None) of a YAML text, or FALLBACK."""
    try:
        return _build(yaml.parse(text, Loader=yaml.CSafeLoader))
    except (_GiveUp, yaml.YAMLError, RecursionError):
        return FALLBACK


def reads_as_text(value: str) -> bool:
    """Whether ``value`` written as a plain scalar reads back as that very text (here and in
    ruamel), given it holds no YAML indicator (``:``, ``#``, quotes, brackets, spaces)."""
    return not (value in _NULL or value in _TRUE or value in _FALSE or _INT.match(value)
                or _FLOAT.match(value) or _DOUBTFUL.match(value))


def _build(events):
    stack = []  # [container, pending key or _NO_KEY]
    result = None
    documents = 0
    no_key = object()

    def add(value):
        nonlocal result
        if not stack:
            result = value
            return
        top = stack[-1]
        container = top[0]
        if isinstance(container, list):
            container.append(value)
        elif top[1] is no_key:
            if isinstance(value, (dict, list)) or value in container:
                raise _GiveUp  # a complex or duplicate key: ruamel's word
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = no_key

    for event in events:
        if isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                raise _GiveUp
            add(_scalar(event))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if event.anchor or event.tag not in (None, "!"):
                raise _GiveUp
            if len(stack) >= MAX_DEPTH:
                raise _GiveUp
            container = {} if isinstance(event, yaml.MappingStartEvent) else []
            add(container)
            stack.append([container, no_key])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            raise _GiveUp
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _GiveUp
    return result


def same_data(a, b) -> bool:
    """Equal data in the same order (true is not 1; a mapping's order counts)."""
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
