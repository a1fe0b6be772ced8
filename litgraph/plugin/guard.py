"""What a visitor may ask: bounded SQL functions, read-only methods, a cap on custom SQL."""

import re
import sqlite3

from datasette import hookimpl
from datasette.utils.asgi import Response

from .config import PLUGIN, method_not_allowed, plugin_config


# SQLite's printf loops inside one instruction for as long as the width asks
# (printf('%.*c', 900000000, 'x'): 18 s), so the 1 s time limit (a progress
# handler, checked between instructions) never fires: widths are checked first.
DEFAULT_MAX_VALUE_BYTES = 100_000  # stored values are at most a few KB
LIKE_PATTERN_LENGTH = 200  # LIKE/GLOB cost grows with pattern x text length
PRINTF_DIRECTIVE = re.compile(r"%[-+ 0#!,]*(\*|\d+)?(?:\.(\*|\d+))?(?:l{0,2})(.)", re.S)


def _too_big(max_value_bytes) -> bytes:
    """A result SQLite refuses with "string or blob too big" (no Python traceback logged)."""
    return bytes(max_value_bytes + 1)


def _number(value) -> int:
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 0


def _printf(max_value_bytes):
    builtin = sqlite3.connect(":memory:", check_same_thread=False)  # SQLite's own printf

    def printf(*args):
        if not args or args[0] is None:
            return None
        rest, position = args[1:], 0
        for width, precision, conversion in PRINTF_DIRECTIVE.findall(str(args[0])):
            for size in (width, precision):
                if size == "*":
                    size = rest[position] if position < len(rest) else 0
                    position += 1
                if _number(size or 0) > max_value_bytes:
                    return _too_big(max_value_bytes)
            if conversion != "%":
                position += 1
        marks = ", ".join("?" for _ in args)
        return builtin.execute(f"select printf({marks})", args).fetchone()[0]
    return printf


def _same_kind(*values):
    """SQLite's text/blob arguments as two str or two bytes (numbers as their text)."""
    if all(isinstance(v, bytes) for v in values):
        return values
    return tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values)


def _text_if_utf8(value):
    """SQLite's replace and trim answer text, also for blobs."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def _instr(haystack, needle):
    if haystack is None or needle is None:
        return None
    haystack, needle = _same_kind(haystack, needle)
    return haystack.find(needle) + 1


def _trim(side):
    def trim(value, characters):
        if value is None or characters is None:
            return None
        value, characters = _same_kind(value, characters)
        strip = set(characters)  # a set: linear in the value, whatever the characters
        start, end = 0, len(value)
        while side != "right" and start < end and value[start] in strip:
            start += 1
        while side != "left" and end > start and value[end - 1] in strip:
            end -= 1
        return _text_if_utf8(value[start:end])
    return trim


def _replacer(max_value_bytes):
    def replace(value, old, new):
        if value is None or old is None or new is None:
            return None
        value, old, new = _same_kind(value, old, new)
        if not old:
            return value
        grows = value.count(old) * (len(new) - len(old))
        if len(value) + grows > max_value_bytes:
            return _too_big(max_value_bytes)
        return _text_if_utf8(value.replace(old, new))
    return replace


def bound_connection(conn, max_value_bytes=DEFAULT_MAX_VALUE_BYTES) -> None:
    """Bound what one query on ``conn`` may allocate and how long one function call may run.

    No string or blob may grow past ``max_value_bytes`` (randomblob, zeroblob,
    replace, group_concat fail at once with "string or blob too big", and
    quadratic functions such as instr stay well under the time limit), LIKE
    and GLOB patterns are short, and printf/format refuse widths beyond the limit.
    SQLite's instr, replace and two-argument trim compare every position of one
    string with the whole of another (quadratic: seconds on two 100 KB strings,
    inside one instruction); Python's linear string search replaces them.
    """
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, LIKE_PATTERN_LENGTH)
    for name in ("printf", "format"):
        conn.create_function(name, -1, _printf(max_value_bytes), deterministic=True)
    conn.create_function("instr", 2, _instr, deterministic=True)
    conn.create_function("replace", 3, _replacer(max_value_bytes), deterministic=True)
    for name, side in (("trim", "both"), ("ltrim", "left"), ("rtrim", "right")):
        conn.create_function(name, 2, _trim(side), deterministic=True)


@hookimpl
def prepare_connection(conn, database, datasette):
    """Every connection of a Datasette that publishes litgraph (plugin config) is bounded."""
    config = datasette.plugin_config(PLUGIN)
    if not config:
        return
    bound_connection(conn, int(config.get("max_value_bytes") or DEFAULT_MAX_VALUE_BYTES))


@hookimpl
def handle_exception(datasette, request, exception):
    """``?_sort=`` a column the table lacks is the client's mistake: 400, not 500."""
    from datasette.views.base import DatasetteError

    if isinstance(exception, DatasetteError) and exception.status == 500 \
            and str(exception.message).startswith("Cannot sort table by"):
        exception.status = 400
    return None  # Datasette's own handler renders the page


async def databases_json(datasette, request):
    """/-/databases.json without each database's file path (where the server keeps it)."""
    if request.method != "GET":
        return method_not_allowed()
    shown = [{k: v for k, v in d.items() if k != "path"} for d in datasette._connected_databases()]
    return Response.json(shown)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_custom_sql(scope) -> bool:
    """Whether a request runs SQL a visitor wrote (``?sql=`` on a database page)."""
    query = scope.get("query_string") or b""
    return query.startswith(b"sql=") or b"&sql=" in query


@hookimpl
def asgi_wrapper(datasette):
    """With plugin config ``read_only: true``, answer 405 to any method but GET, HEAD, OPTIONS.

    With ``max_custom_sql`` (a number), at most that many requests running a
    visitor's own SQL are served at once; more get 429 at once, so a burst of
    expensive queries cannot hold every SQL thread and starve the other pages.
    """

    def wrap(app):
        in_flight = [0]

        async def read_only(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            config = plugin_config(datasette)
            if scope.get("method", "GET") not in SAFE_METHODS and config.get("read_only"):
                await method_not_allowed().asgi_send(send)
                return
            limit = config.get("max_custom_sql")
            if not limit or not is_custom_sql(scope):
                await app(scope, receive, send)
                return
            if in_flight[0] >= int(limit):
                await Response.text("Too many SQL queries at once: try again in a second.",
                                    status=429, headers={"Retry-After": "1"}).asgi_send(send)
                return
            in_flight[0] += 1
            try:
                await app(scope, receive, send)
            finally:
                in_flight[0] -= 1

        return read_only

    return wrap
