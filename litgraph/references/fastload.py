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

``reads_back_as`` tells whether a text would load as given data, comparing the
parser's events with the data one value at a time (the quick writers' check).
"""

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
    if event.style:  # quoted, literal or folded: text
        return event.value
    return plain_value(event.value)


# The first characters of every plain scalar above that is not plainly text.
_MAY_NOT_BE_TEXT = frozenset("0123456789+-.~nNtTfFyYoO")


def plain_value(value):
    """What a plain scalar's text reads as (None, bool, int, float or the text), _GiveUp where
    YAML 1.1 and 1.2 could differ."""
    if value[:1] not in _MAY_NOT_BE_TEXT and value:
        return value  # no pattern below matches: text (most titles and names)
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


_OPEN_MAP, _OPEN_LIST, _CLOSE = object(), object(), object()


def _values(events, scalar=_scalar, opened=None):
    """The events as a flat stream: _OPEN_MAP or _OPEN_LIST, a scalar's value (``scalar`` of
    its event), _CLOSE; ``opened``, when given, sees each mapping's or sequence's start event.

    _GiveUp where ruamel's reading could differ (anchors, aliases, tags, deep nesting,
    more than one document)."""
    depth = 0
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor:
                raise _GiveUp
            yield scalar(event)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor or event.tag not in (None, "!") or depth >= MAX_DEPTH:
                raise _GiveUp
            depth += 1
            if opened is not None:
                opened(event)
            yield _OPEN_MAP if kind is yaml.MappingStartEvent else _OPEN_LIST
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            depth -= 1
            yield _CLOSE
        elif kind is yaml.AliasEvent:
            raise _GiveUp
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _GiveUp


def _build(events, mapping=dict, sequence=list, scalar=_scalar, opened=None, closed=None):
    """The data of the events, its containers made by ``mapping`` and ``sequence`` (plain,
    or ruamel's round-trip types); ``closed``, when given, sees each container once full.
    ``scalar`` and ``opened`` go to ``_values``."""
    stack = []  # [container, pending key or no_key]
    result = None
    no_key = object()

    for value in _values(events, scalar, opened):
        if value is _CLOSE:
            container = stack.pop()[0]
            if closed is not None:
                closed(container)
            continue
        is_open = value is _OPEN_MAP or value is _OPEN_LIST
        if is_open:
            value = mapping() if value is _OPEN_MAP else sequence()
        if stack:
            top = stack[-1]
            container = top[0]
            if isinstance(container, list):
                container.append(value)
            elif top[1] is no_key:
                if is_open or value in container:
                    raise _GiveUp  # a complex or duplicate key: ruamel's word
                top[1] = value
            else:
                container[top[1]] = value
                top[1] = no_key
        else:
            result = value
        if is_open:
            stack.append([value, no_key])
    return result


def _flat(value, out) -> list:
    """``value`` (ruamel's or plain data) appended to ``out`` as the stream ``_values`` reads
    from its text (a list of references: no scalar is copied)."""
    if isinstance(value, dict):
        out.append(_OPEN_MAP)
        for key, item in value.items():
            _flat(key, out) if isinstance(key, (dict, list)) else out.append(key)
            _flat(item, out) if isinstance(item, (dict, list)) else out.append(item)
        out.append(_CLOSE)
    elif isinstance(value, list):
        out.append(_OPEN_LIST)
        for item in value:
            _flat(item, out) if isinstance(item, (dict, list)) else out.append(item)
        out.append(_CLOSE)
    else:
        out.append(value)
    return out


def reads_back_as(text, data) -> bool:
    """Whether ``fast_load(text)`` would give exactly ``data`` (values, kinds and order:
    true is not 1, 1 is not 1.0, a text subclass is text), read as a stream: neither the
    loaded data nor a copy of the text is held."""
    expected = iter(_flat(data, []))
    end = object()
    try:
        for value in _values(yaml.parse(text, Loader=yaml.CSafeLoader)):
            wanted = next(expected, end)
            if value is wanted:
                continue  # the same mark (or None, True, False)
            if type(value) is str:
                if not isinstance(wanted, str) or value != wanted:
                    return False
            elif type(value) is not type(wanted) or value != wanted:
                return False  # a mark against another, or a number against other than itself
    except (_GiveUp, yaml.YAMLError, RecursionError):
        return False
    return next(expected, end) is end
