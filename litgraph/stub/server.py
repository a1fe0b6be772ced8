"""The E-utilities stand-in: an HTTP server on loopback that answers like NCBI.

It serves NCBI's paths (``/entrez/eutils/efetch.fcgi``, ``esearch.fcgi``,
``esummary.fcgi``, ``elink.fcgi``, ``ecitmatch.cgi``) over GET and
form-encoded POST from fixture records (never NCBI's data), so a client
pointed at ``stand_in.base_url`` works unchanged against NCBI or the stand-in.

- Rate limit: a sliding one-second window per client, keyed by ``api_key``
  when one is sent (and ``api_key_aware``), otherwise by client IP. The
  keyless limit is ``rate_limit`` (3, as NCBI's); with a key it is
  ``round(rate_limit * 10 / 3)`` (10, as NCBI's). Refused requests do not
  count towards the window. The key itself is never stored or logged: the
  window is keyed by a hash of it.
- Faults (``faults.parse_faults`` or env ``LITGRAPH_STUB_FAULTS``) inject 429s,
  5xx, slow answers, answers slower than a client's timeout, truncated XML,
  empty bodies, HTML error pages and 200-with-<ERROR> bodies at given rates,
  drawn from ``random.Random(seed)`` so a run is reproducible.
- Shapes (``parse_shapes``, env ``LITGRAPH_STUB_SHAPES``, or per request the
  ``stand_in_shapes`` parameter) turn on the
  other shapes NCBI's real replies take (``render.SHAPES``): reference lists
  as CommentsCorrections, ``http://`` DOCTYPEs, ValidYN="N" ELocationIDs,
  silently omitted PMIDs, by-group LinkSets, per-id elink errors, another
  document's root element, shuffled ECitMatch lines.
- ``GET /_stats`` answers the request counts as JSON; ``POST /_reset``
  zeroes them; ``POST /_prerender`` serializes every record and LinkSet
  ahead of requests (benchmarks), uncounted.
- A request it cannot read (a bad Content-Length, a search term nested too
  deep) gets a 400, never a dead handler.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ..errors import InputError
from . import render
from .endpoints import HTML, JSON, TEXT, XML, Answer, answer
from .faults import Faults, parse_faults
from .query import QueryTooComplex
from .catalogue import Catalogue
from .records import DEFAULT_RECORDS_PATH, Record, load_journals, load_records
from .synthetic import SyntheticCorpus

EUTILS_PATH = "/entrez/eutils/"
FAULTS_ENV = "LITGRAPH_STUB_FAULTS"
SHAPES_ENV = "LITGRAPH_STUB_SHAPES"
SHAPES_PARAMETER = "stand_in_shapes"  # per-request shapes (not an NCBI parameter)
MAX_BODY_BYTES = 20 * 1024 * 1024
STAND_IN_HEADER = ("X-Litgraph-Stand-In", "fixture records, not NCBI")


def parse_shapes(spec) -> frozenset:
    """Reply shapes from ``"cites,http-dtd"`` (or an iterable of names); InputError on an
    unknown one.

    >>> sorted(parse_shapes("http-dtd, cites"))
    ['cites', 'http-dtd']
    """
    if spec is None:
        return frozenset()
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    shapes = frozenset(n.strip().lower() for n in names if n and n.strip())
    unknown = sorted(shapes - set(render.SHAPES))
    if unknown:
        raise InputError(f"unknown stand-in shape(s) {', '.join(unknown)} (known: "
                         f"{', '.join(render.SHAPES)})")
    return shapes


# ---------------------------------------------------------------- rate limit

class RateLimiter:
    """Sliding one-second windows of accepted requests, one per client key."""

    def __init__(self, keyless_limit: int | None):
        self.keyless_limit = keyless_limit
        self.keyed_limit = None if keyless_limit is None else max(1, round(keyless_limit * 10 / 3))
        self._windows: dict[str, deque] = {}
        self._lock = threading.Lock()

    def check(self, client: str, keyed: bool) -> tuple[bool, int, int, int]:
        """Register one request; return (allowed, count in window, limit, remaining)."""
        limit = self.keyed_limit if keyed else self.keyless_limit
        if limit is None:
            return True, 0, 0, 0
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(client, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return False, len(window) + 1, limit, 0
            window.append(now)
            return True, len(window), limit, limit - len(window)


# ---------------------------------------------------------------- HTTP

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address, stand_in):
        self.stand_in = stand_in
        self.connections: set = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stalls
    server_version = "litgraph-stand-in"
    sys_version = ""
    timeout = 60

    def log_message(self, format, *args):  # noqa: A002 - never log (requests may carry an api_key)
        return

    def do_GET(self):
        self._handle(self._query_params())

    def do_POST(self):
        params = self._query_params()
        raw_length = (self.headers.get("Content-Length") or "0").strip()
        if not raw_length.isdigit():
            self.close_connection = True  # the body's end is unknown: nothing more is read
            self._send(Answer(400, TEXT, f"bad Content-Length {raw_length[:40]!r}\n"))
            return
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(Answer(413, TEXT, "request body too large\n"))
            return
        try:
            data = self.rfile.read(length) if length else b""
        except OSError:  # the client sent less than it announced and then went quiet
            self.close_connection = True
            return
        if len(data) < length:  # the connection closed before the announced body arrived
            self.close_connection = True
            self._send(Answer(400, TEXT, "request body shorter than its Content-Length\n"))
            return
        body = data.decode("utf-8", "replace")
        params += parse_qsl(body, keep_blank_values=True)
        self._handle(params)

    def _query_params(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.path).query, keep_blank_values=True)

    def _handle(self, params):
        stand_in: StandIn = self.server.stand_in
        path = urlsplit(self.path).path
        if path == "/_stats":
            self._send(Answer(200, JSON, json.dumps(stand_in.stats(), sort_keys=True)))
            return
        if path == "/_reset" and self.command == "POST":
            stand_in.reset_stats()
            self._send(Answer(200, JSON, "{}"))
            return
        if path == "/_prerender" and self.command == "POST":
            records = render.prerender(stand_in.catalogue)
            self._send(Answer(200, JSON, json.dumps({"records": records})))
            return
        if not path.startswith(EUTILS_PATH):
            self._send(Answer(404, HTML, render.html_error_page("404 Not Found")))
            return
        endpoint = path[len(EUTILS_PATH):]
        stand_in._count(endpoint)
        api_key = next((v for k, v in params if k == "api_key" and v), None)
        keyed = bool(api_key) and stand_in.api_key_aware
        client = ("key:" + hashlib.sha256(api_key.encode()).hexdigest()[:16]) if keyed else self.client_address[0]
        allowed, count, limit, remaining = stand_in.rate_limiter.check(client, keyed)
        if not allowed:
            stand_in._count("429")
            body = json.dumps({"error": "API rate limit exceeded", "api-key": self.client_address[0],
                               "count": str(count), "limit": str(limit)}, separators=(",", ":"))
            # NCBI's Retry-After header is unconfirmed (see shared notes); clients must not need it.
            self._send(Answer(429, "application/json", body), extra=[("Retry-After", "1")])
            return
        headers = [("X-RateLimit-Limit", str(limit)), ("X-RateLimit-Remaining", str(remaining))] if limit else []
        if stand_in.latency_ms:
            stand_in._pause(stand_in.latency_ms)
        fault = stand_in._draw_fault()
        if fault:
            stand_in._count(f"fault:{fault}")
        if fault == "429":
            body = json.dumps({"error": "API rate limit exceeded", "api-key": self.client_address[0],
                               "count": str((limit or 3) + 1), "limit": str(limit or 3)}, separators=(",", ":"))
            self._send(Answer(429, "application/json", body),
                       extra=[("Retry-After", str(stand_in.faults.retry_after))])
            return
        if fault and fault.isdigit():
            status = int(fault)
            self._send(Answer(status, HTML, render.html_error_page(f"{status} {_reason(status)}")), extra=headers)
            return
        if fault == "html":
            self._send(Answer(200, HTML, render.html_error_page("Service unavailable")), extra=headers)
            return
        if fault == "error":
            self._send(_injected_error(endpoint), extra=headers)
            return
        if fault == "empty":
            self._send(Answer(200, XML, ""), extra=headers)
            return
        if fault == "slow":
            stand_in._pause(stand_in.faults.slow_ms)
        elif fault == "timeout":
            stand_in._pause(stand_in.faults.timeout_ms)
        try:
            shapes = stand_in.shapes
            asked = [v for k, v in params if k == SHAPES_PARAMETER]
            if asked:  # per request, for tests and curl: ?stand_in_shapes=cites,http-dtd
                shapes = shapes | parse_shapes(",".join(asked))
            result = answer(stand_in.catalogue, endpoint, params, shapes)
        except (QueryTooComplex, RecursionError) as problem:
            message = str(problem) if isinstance(problem, QueryTooComplex) else "request too complex"
            result = Answer(400, TEXT, f"bad request: {message}\n")
        except InputError as problem:  # an unknown shape name
            result = Answer(400, TEXT, f"bad request: {problem}\n")
        if fault == "truncate":
            data = result.body.encode("utf-8")
            self._send_bytes(result.status, result.content_type, data[:max(1, len(data) // 2)], headers)
            return
        self._send(result, extra=headers)

    def _send(self, result: Answer, extra=()):
        self._send_bytes(result.status, result.content_type, result.body.encode("utf-8"), extra)

    def _send_bytes(self, status, content_type, data, extra=()):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header(*STAND_IN_HEADER)
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True


def _reason(status: int) -> str:
    return {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}.get(status, "Server Error")


def _injected_error(endpoint: str) -> Answer:
    message = "Search Backend failed: Unable to open connection (stand-in injected fault, temporary)"
    if endpoint == "efetch.fcgi":
        return Answer(200, XML, render.efetch_error_xml(message))
    if endpoint == "esummary.fcgi":
        return Answer(200, XML, render.esummary_error_xml(message))
    if endpoint == "elink.fcgi":
        return Answer(200, XML, render.elink_error_xml(message))
    if endpoint == "ecitmatch.cgi":
        return Answer(200, TEXT, f"<ERROR>{message}</ERROR>\n")
    return Answer(200, XML, render.esearch_error_xml(message))


# ---------------------------------------------------------------- the stand-in

def build_catalogue(records=None, synthetic: int = 0, synthetic_seed: int = 0) -> Catalogue:
    """The catalogue a stand-in serves.

    ``records`` None means the default fixture records; otherwise a path, a
    list of paths and/or Record objects, which replace the default set.
    """
    sources = [DEFAULT_RECORDS_PATH] if records is None else (
        [records] if isinstance(records, (str, Path, Record)) else list(records))
    loaded: list[Record] = []
    journals = []
    for source in sources:
        if isinstance(source, Record):
            loaded.append(source)
        else:
            loaded.extend(load_records(source))
            journals.extend(load_journals(source))
    corpus = SyntheticCorpus(synthetic, seed=synthetic_seed) if synthetic else None
    return Catalogue(loaded, journals, synthetic=corpus)


@dataclass
class StandIn:
    """The E-utilities stand-in. ``port=0`` picks a free port; ``rate_limit=None`` disables the limit.

    >>> with StandIn(rate_limit=None) as stand_in:          # doctest: +ELLIPSIS
    ...     stand_in.base_url
    'http://127.0.0.1:.../entrez/eutils/'
    """

    host: str = "127.0.0.1"
    port: int = 0
    rate_limit: int | None = 3
    latency_ms: int = 0
    faults: Faults | str | None = None
    synthetic: int = 0
    records: object = None
    api_key_aware: bool = True
    synthetic_seed: int = 0
    shapes: object = None  # reply shapes (render.SHAPES), e.g. "cites,http-dtd"
    catalogue: Catalogue = field(init=False, repr=False)

    def __post_init__(self):
        if self.faults is None:
            self.faults = parse_faults(os.environ.get(FAULTS_ENV, ""))
        else:
            self.faults = parse_faults(self.faults)
        if self.rate_limit is not None and self.rate_limit < 1:
            raise InputError(f"stand-in rate limit {self.rate_limit}: expected 1 or more, or None for no limit")
        if self.latency_ms < 0:
            raise InputError(f"stand-in latency {self.latency_ms} ms: expected 0 or more")
        self.shapes = parse_shapes(os.environ.get(SHAPES_ENV, "") if self.shapes is None
                                   else self.shapes)
        self.catalogue = build_catalogue(self.records, self.synthetic, self.synthetic_seed)
        self.rate_limiter = RateLimiter(self.rate_limit)
        self._counts: Counter = Counter()
        self._counts_lock = threading.Lock()
        self._fault_rng = random.Random(self.faults.seed if self.faults else 0)
        self._fault_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> "StandIn":
        """Start serving in a daemon thread; returns self."""
        if self._server is not None:
            return self
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise InputError(f"stand-in host {self.host!r}: the stand-in listens on loopback only")
        try:
            self._server = _Server((self.host, self.port), self)
        except OSError as error:
            raise InputError(f"stand-in cannot listen on {self.host}:{self.port}: {error.strerror}") from None
        self.port = self._server.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, name="litgraph-stand-in",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._server.connections_lock:
            for connection in list(self._server.connections):
                try:
                    connection.shutdown(2)
                except OSError:
                    pass
        self._thread.join(timeout=5)
        self._server = None

    def wait(self) -> None:
        """Block until the stand-in is stopped (Ctrl-C raises KeyboardInterrupt here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The E-utilities base URL to give a client, ending in ``/entrez/eutils/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{EUTILS_PATH}"

    @property
    def stats_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/_stats"

    # -- counts
    def stats(self) -> dict[str, int]:
        """Requests served per endpoint, plus ``"429"`` (rate-limit refusals) and ``"fault:<kind>"``."""
        with self._counts_lock:
            return dict(self._counts)

    def reset_stats(self) -> None:
        with self._counts_lock:
            self._counts.clear()

    def _count(self, key: str) -> None:
        with self._counts_lock:
            self._counts[key] += 1

    # -- behaviour
    def _draw_fault(self) -> str | None:
        if not self.faults:
            return None
        with self._fault_lock:
            return self.faults.draw(self._fault_rng)

    def _pause(self, milliseconds: int) -> None:
        self._stopping.wait(milliseconds / 1000)
