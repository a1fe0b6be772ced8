"""The E-utilities transport: session, cache, throttle, concurrency, retries, circuit breaker.

``Transport`` sends one request at a time per caller (``_call``) and lets a
small pool of threads keep up to ``concurrency`` requests in flight
(``_each``).  The process-wide ``Throttle`` spaces request *starts* at
``1.05 / rate`` seconds, so overlapping requests never exceed the rate; the
latency of one answer no longer adds to the next request's wait.

The cache (requests-cache on SQLite) keys every reply by the service that
gave it (``service``: the base URL with its port, or a name the caller gives,
e.g. the in-process stand-in's) and by the request without ``tool``,
``email``, ``api_key`` or credentials.  A reply that cannot be used is never
cached.  Credentials in the base URL (``user:pass@``, ``?api_key=``) are taken
out of it: the password travels as HTTP basic auth, the key as ``api_key``,
and neither reaches the cache, the logs, ``base_url`` or anything built from it.

A circuit breaker bounds an outage: after ``breaker_tries`` failed tries in a
row (network errors, timeouts, 5xx, unusable bodies), or failures for
``breaker_seconds`` with no success between, every further request fails at
once instead of waiting out its timeouts and retries.
"""

import hashlib
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from ..errors import EntrezError, InputError, PermanentEntrezError

log = logging.getLogger("litgraph.entrez")

TOOL = "litgraph"
SECRET_PARAMETERS = ("api_key", "email", "tool")
CACHE_IGNORED = (*SECRET_PARAMETERS, "Authorization")  # names requests-cache redacts when storing
POST_ABOVE_CHARS = 1000  # Biopython's rule: long parameter lists go by POST
POST_FROM_IDS = 200  # NCBI: above ~200 UIDs use POST
MAX_RETRY_AFTER = 60.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# Requests in flight at once.  Measured with bench/resolve.py on the stand-in (see the README):
# at 10/s and 120 ms latency two overlap enough; at 500 ms, ceil(0.6 s * 10/s) = 6 are needed.
# More threads cost nothing while the throttle spaces their starts.
CONCURRENCY = 8
# The cache service of the in-process stand-in (``--offline``): the bundled fixture records
# answer whatever free port it gets, so its runs share cache entries, and only with each other.
STAND_IN_SERVICE = "litgraph-stand-in:bundled-fixtures"
BREAKER_TRIES = 12  # failed tries in a row that open the circuit breaker
BREAKER_SECONDS = 120.0  # or this long failing with no success in between

_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]+", re.I)
_EMAIL_IN_TEXT = re.compile(r"(email=)[^&\s'\"]+", re.I)
_USERINFO_IN_TEXT = re.compile(r"(\w+://)[^/@\s'\"]+@")
_ERROR_ELEMENT = re.compile(rb"<ERROR>(.*?)</ERROR>", re.S | re.I)
# Elements that carry answers: an <ERROR> beside them is about one identifier, not the request
# (esummary's "UID=n: cannot get document summary", an elink LinkSet's own ERROR).
_ANSWER_ELEMENTS = (b"<DocSum>", b"<PubmedArticle>", b"<PubmedArticle ", b"<PubmedBookArticle",
                    b"<LinkSet>", b"<IdList>")
# NCBI's words for a passing fault in a 200 <ERROR>: anything else (Invalid query, Invalid db
# name, Empty id list, retstart too large...) is the request's own fault and permanent.
_TRANSIENT_ERROR = re.compile(r"backend failed|temporar|unable to open|try again|timed? ?out|"
                              r"unavailable|busy|connection|cannot retrieve history", re.I)
E_UTILITIES_ERROR = "E-utilities error: "
_ROOT_ELEMENT = re.compile(rb"<([A-Za-z][\w.:-]*)[\s>/]")
_PROLOG_ITEM = re.compile(rb"<[?!][^>]*>")  # <?xml ...?>, <!DOCTYPE ...>, <!-- ... -->


def redact(text, secrets=()) -> str:
    """Text with ``api_key=``/``email=`` values, URL credentials and any given secret replaced.

    >>> redact("efetch.fcgi?id=1&api_key=abc123&tool=litgraph")
    'efetch.fcgi?id=1&api_key=REDACTED&tool=litgraph'
    >>> redact("https://ann:pw@eutils.example.org/eutils/")
    'https://REDACTED@eutils.example.org/eutils/'
    """
    text = _EMAIL_IN_TEXT.sub(r"\1REDACTED", _API_KEY_IN_TEXT.sub(r"\1REDACTED", str(text)))
    text = _USERINFO_IN_TEXT.sub(r"\1REDACTED@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "REDACTED")
    return text


def split_credentials(base_url):
    """``(clean URL, (user, password) or None, {api_key/email/tool from the query})``.

    The clean URL keeps scheme, host, port and path only; any other query
    parameter is refused (InputError), as is an empty URL.

    >>> split_credentials("https://ann:pw@example.org/eutils/?api_key=K")
    ('https://example.org/eutils/', ('ann', 'pw'), {'api_key': 'K'})
    """
    text = str(base_url or "").strip()
    if not text:
        raise InputError("empty E-utilities URL: give http(s)://.../eutils/, or leave the option "
                         "out for NCBI's")
    if not text.startswith(("http://", "https://")):
        raise InputError(f"invalid E-utilities URL {redact(text)!r}: expected http(s)://.../eutils/")
    parts = urlsplit(text)
    auth = None
    if parts.username is not None or parts.password is not None:
        auth = (unquote(parts.username or ""), unquote(parts.password or ""))
    found, other = {}, []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in SECRET_PARAMETERS:
            found[name.lower()] = value
        else:
            other.append(name)
    if other:
        raise InputError(f"E-utilities URL {redact(text)!r} carries query parameters "
                         f"({', '.join(other)}): give the base URL only, ending in /eutils/")
    host = parts.hostname or ""
    if not host:
        raise InputError(f"invalid E-utilities URL {redact(text)!r}: no host")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return clean, auth, found


class Throttle:
    """Request starts at least ``interval`` seconds apart, across threads.

    Threads queue on the lock, each takes the next free start slot, so K
    requests may be in flight while their starts stay spaced.  One instance
    (``PROCESS_THROTTLE``) is shared by every client of the process; tests
    pass their own with a fake clock and sleep.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock = clock
        self.sleep = sleep
        self._next_at = None
        self._lock = threading.Lock()

    def wait(self, interval: float) -> float:
        """Block until the next request may start; return the seconds waited."""
        if interval <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            waited = 0.0
            if self._next_at is not None and self._next_at > now:
                waited = self._next_at - now
                self.sleep(waited)
                now = self.clock()
            self._next_at = max(now, self._next_at or now) + interval
            return waited


PROCESS_THROTTLE = Throttle()


class CircuitBreaker:
    """Opens after ``tries`` failed tries in a row, or ``seconds`` of failures with no success."""

    def __init__(self, tries=BREAKER_TRIES, seconds=BREAKER_SECONDS, clock=time.monotonic):
        self.tries = int(tries)
        self.seconds = float(seconds)
        self.clock = clock
        self.failures = 0
        self.since = None
        self.open_reason = None
        self._lock = threading.Lock()

    def success(self) -> None:
        with self._lock:
            if self.open_reason is None:
                self.failures, self.since = 0, None

    def failure(self, reason: str) -> None:
        with self._lock:
            self.failures += 1
            if self.since is None:
                self.since = self.clock()
            if self.open_reason is None and (
                    self.failures >= self.tries or self.clock() - self.since >= self.seconds):
                self.open_reason = (f"E-utilities looks down: {self.failures} tries in a row failed "
                                    f"over {self.clock() - self.since:.0f} s (last: {reason}); "
                                    "stopped asking")

    @property
    def is_open(self) -> bool:
        return self.open_reason is not None


def endpoint_kind(endpoint: str) -> str:
    return "text" if endpoint.startswith("ecitmatch") else "xml"


def reply_problem(status: int, content: bytes, content_type: str = "", kind: str = "xml"):
    """Why a raw E-utilities reply cannot be used (and must not be cached), or None.

    Checks, in order: HTTP status, empty body, an HTML page, an ``<ERROR>``
    element, then for XML a prolog and the root element's closing tag (a
    truncated reply lacks it); for ECitMatch's text, ``|``-separated lines.

    >>> reply_problem(200, b"<html><body>Down for maintenance</body></html>", "text/html")
    'an HTML page instead of the expected reply'
    >>> reply_problem(429, b'{"error":"API rate limit exceeded"}')
    'HTTP 429 (rate limited)'
    """
    if status == 429:
        return "HTTP 429 (rate limited)"
    if (content or b"").lstrip().startswith(b"{") and b"rate limit" in (content or b"")[:300].lower():
        return f"HTTP {status} (rate limited)"  # NCBI's rate-limit JSON, whatever the status
    if 300 <= status < 400:
        return (f"HTTP {status} redirect, not followed (the API key must not travel on): "
                "give the final address as --eutils-url")
    if status != 200:
        return f"HTTP {status}"
    body = (content or b"").strip()
    if not body:
        return "an empty reply"
    head = body[:300].lower()
    if "html" in (content_type or "").lower() or head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page instead of the expected reply"
    error = _ERROR_ELEMENT.search(body)
    # esummary answers an <ERROR> per unknown UID beside the good summaries, elink one inside a
    # LinkSet: a partial answer, not a rejected request.
    if error and not any(marker in body for marker in _ANSWER_ELEMENTS):
        return E_UTILITIES_ERROR + error.group(1).decode('utf-8', 'replace').strip()[:200]
    if kind == "text":
        if body.startswith(b"<") or body.startswith(b"{"):
            return "not ECitMatch text"
        if any(b"|" not in line for line in body.splitlines() if line.strip()):
            return "not ECitMatch text"
        return None
    if not body.startswith((b"<?xml", b"<!DOCTYPE", b"<")) or body.startswith(b"{"):
        return "not XML"
    prolog_end = 0
    while True:  # skip <?xml ...?>, <!DOCTYPE ...> and comments to the root element
        match = _PROLOG_ITEM.match(body, prolog_end)
        if not match:
            break
        prolog_end = match.end()
        while prolog_end < len(body) and body[prolog_end:prolog_end + 1].isspace():
            prolog_end += 1
    root = _ROOT_ELEMENT.match(body, prolog_end)
    if not root:
        return "not XML"
    name = root.group(1)
    closes = body.endswith(b"</" + name + b">")
    empty_root = re.match(rb"<" + re.escape(name) + rb"[^>]*/>\s*$", body[prolog_end:])
    if not (closes or empty_root):
        return "truncated XML"
    return None


def is_permanent(status: int, problem) -> bool:
    """Whether a reply's problem is the request's own fault, so asking again cannot help.

    Permanent: a 4xx other than 429 (and redirects, which are not followed),
    or a 200 whose ``<ERROR>`` names a bad request (``Invalid query``, an
    unknown database, an empty id list).  Transient: 429, 5xx, timeouts,
    empty, HTML or truncated bodies, and NCBI's passing faults (``Search
    Backend failed``...).

    >>> is_permanent(200, "E-utilities error: Invalid db name specified: pubmd")
    True
    >>> is_permanent(200, "E-utilities error: Search Backend failed: Database is not supported")
    False
    >>> is_permanent(429, "HTTP 429 (rate limited)"), is_permanent(414, "HTTP 414")
    (False, True)
    >>> is_permanent(403, reply_problem(403, b'{"error":"API rate limit exceeded","count":"11"}'))
    False
    """
    if "(rate limited)" in str(problem or ""):
        return False
    if status != 200:
        return status != 429 and status < 500
    text = str(problem or "")
    if text.startswith(E_UTILITIES_ERROR):
        return not _TRANSIENT_ERROR.search(text[len(E_UTILITIES_ERROR):])
    return False


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def cache_key(request, service=None, **kwargs) -> str:
    """requests-cache key of a request: the service that answers it, and the request without
    ``tool``/``email``/``api_key`` (names and values) or credentials.

    ``service`` names who answers (default: the request's scheme, host and
    port), so the answers of one server are never reused for another: the
    stand-in, NCBI and a test proxy each have their own entries.
    """
    from requests_cache.cache_keys import create_key

    stripped = request.copy()
    parts = urlsplit(stripped.url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in SECRET_PARAMETERS]
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    # The service, not the address, names who answered: the address goes into the key only
    # through the default service (scheme, host and port).
    stripped.url = urlunsplit(parts._replace(netloc="service", query=urlencode(query)))
    stripped.headers.pop("Authorization", None)
    body = stripped.body
    if body and "form-urlencoded" in stripped.headers.get("Content-Type", ""):
        text = body.decode() if isinstance(body, bytes) else body
        form = [(k, v) for k, v in parse_qsl(text, keep_blank_values=True)
                if k not in SECRET_PARAMETERS]
        stripped.body = urlencode(form)
    key = create_key(stripped, **kwargs)
    identity = service or f"{parts.scheme}://{netloc}"
    return hashlib.sha256(f"{identity}\n{key}".encode()).hexdigest()[:32]


class _ThrottledAdapter(HTTPAdapter):
    """The only way out to the network: waits for the throttle and counts the request."""

    def __init__(self, transport, pool_size):
        super().__init__(pool_connections=4, pool_maxsize=pool_size)
        self.transport = transport

    def send(self, request, **kwargs):
        self.transport._before_network(request)
        return super().send(request, **kwargs)


class Transport:
    """Session, cache, throttle, retries and concurrency of one E-utilities service.

    ``rate`` None means 3 requests/s, or 10 with ``api_key``; 0 turns the
    throttle off (tests).  ``cache_path`` None means no cache.  ``service``
    names the answering service in cache keys (default: the base URL's
    scheme, host and port).  ``concurrency`` is the number of requests kept
    in flight.  ``sleep``, ``throttle`` and ``breaker`` may be injected by tests.
    """

    def __init__(self, base_url, cache_path=None, api_key=None, email=None, rate=None,
                 max_tries=6, timeout=30.0, backoff=0.5, batch_size=200, *, throttle=None,
                 sleep=time.sleep, concurrency=CONCURRENCY, service=None, breaker=None,
                 batch_sizes=None):
        clean, auth, found = split_credentials(base_url)
        host = urlsplit(clean).hostname or ""
        if clean.startswith("http://") and not is_loopback(host):
            raise InputError(f"E-utilities URL {clean!r} is plain http to another machine: the "
                             "API key and email would travel unencrypted; use https://")
        if max_tries < 1 or batch_size < 1 or concurrency < 1:
            raise InputError("max_tries, batch_size and concurrency must be at least 1")
        self.base_url = clean.rstrip("/") + "/"
        self.auth = auth
        self.api_key = api_key or found.get("api_key") or None
        self.email = email or found.get("email") or None
        self.rate = (10.0 if self.api_key else 3.0) if rate is None else float(rate)
        self.max_tries = int(max_tries)
        self.timeout = timeout
        self.backoff = backoff
        self.batch_size = int(batch_size)
        self.batch_sizes = dict(batch_sizes or {})
        self.concurrency = int(concurrency)
        parts = urlsplit(self.base_url)
        self.service = service or f"{parts.scheme}://{parts.netloc}{parts.path}"
        # A progress hook for batch loops (litgraph.progress); the CLI sets one that draws
        # a bar on a terminal.  None shows nothing.
        self.progress = None
        # True once an answer came from litgraph's E-utilities stand-in (its header says so).
        self.stand_in = False
        self.throttle = throttle or PROCESS_THROTTLE
        self.breaker = breaker or CircuitBreaker()
        self.sleep = sleep
        self.cache_path = str(cache_path) if cache_path else None
        self.stats = {"network_requests": 0, "cache_hits": 0, "by_endpoint": {}, "retries": 0,
                      "failures": 0}
        self.answered = 0  # requests that got a usable reply (from the network or the cache)
        self.reached = 0  # tries that reached a server at all (any HTTP status, or a read timeout)
        self.last_failure = None
        self._lock = threading.Lock()
        self._pool = None
        self._parsed = {}  # (endpoint, params, post) -> (parsed reply, fetched_at), this process
        self.session = self._make_session()

    # ------------------------------------------------------------ session

    def _secrets(self) -> list:
        return [self.api_key, self.email] + (list(self.auth) if self.auth else [])

    def _make_session(self):
        if self.cache_path:
            import requests_cache

            Path(self.cache_path).parent.mkdir(parents=True, exist_ok=True)
            service = self.service
            session = requests_cache.CachedSession(
                self.cache_path, backend="sqlite", allowable_methods=("GET", "POST"),
                allowable_codes=(200,), ignored_parameters=list(CACHE_IGNORED),
                expire_after=-1, filter_fn=self._cacheable, stale_if_error=False,
                cache_control=False, match_headers=False,
                key_fn=lambda request, **kw: cache_key(request, service=service, **kw))
        else:
            session = requests.Session()
        adapter = _ThrottledAdapter(self, pool_size=max(10, self.concurrency))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = f"{TOOL} (requests)"
        if self.auth:
            session.auth = self.auth
        return session

    @property
    def interval(self) -> float:
        """Seconds between request starts; a 5% margin keeps us under the server's count
        even when a connection set-up delays one arrival."""
        return 1.05 / self.rate if self.rate > 0 else 0.0

    def batch(self, endpoint: str) -> int:
        """IDs per request for ``endpoint`` (``efetch``, ``elink``, ``esummary``)."""
        return int(self.batch_sizes.get(endpoint) or self.batch_size)

    def _count(self, name, amount=1) -> None:
        with self._lock:
            self.stats[name] = self.stats.get(name, 0) + amount

    def _before_network(self, request) -> None:
        self.throttle.wait(self.interval)
        endpoint = request.path_url.split("?")[0].rsplit("/", 1)[-1]
        with self._lock:
            self.stats["network_requests"] += 1
            self.stats["by_endpoint"][endpoint] = self.stats["by_endpoint"].get(endpoint, 0) + 1
        log.debug("%s %s", request.method, redact(request.path_url, self._secrets()))

    def _cacheable(self, response) -> bool:
        endpoint = response.url.split("?")[0].rsplit("/", 1)[-1]
        problem = reply_problem(response.status_code, response.content,
                                response.headers.get("Content-Type", ""), endpoint_kind(endpoint))
        return problem is None

    def _identity(self) -> list:
        params = [("tool", TOOL)]
        if self.email:
            params.append(("email", self.email))
        if self.api_key:
            params.append(("api_key", self.api_key))
        return params

    def _forget(self, response) -> None:
        """Drop a cached reply that turned out unusable, so no later run reuses it."""
        cache = getattr(self.session, "cache", None)
        key = getattr(response, "cache_key", None)
        if cache is not None and key:
            cache.delete(key)

    def _retry_delay(self, attempt: int, response) -> float:
        delay = self.backoff * (2 ** (attempt - 1))
        if response is not None and response.status_code == 429:
            after = response.headers.get("Retry-After")
            if after:
                try:
                    delay = float(after)
                except ValueError:
                    try:
                        when = parsedate_to_datetime(after)
                        delay = (when - datetime.now(timezone.utc)).total_seconds()
                    except (TypeError, ValueError):
                        pass
        return min(max(delay, 0.0), MAX_RETRY_AFTER)

    # ------------------------------------------------------------ one request

    def _fail(self, message: str, permanent: bool = False):
        with self._lock:
            self.stats["failures"] += 1
            self.last_failure = message
        log.warning("%s", message)  # the caller records it per source; the CLI shows errors only
        raise (PermanentEntrezError if permanent else EntrezError)(message)

    def _call(self, endpoint, params, parse, *, post=None, refresh=False, expire_after=None):
        """Send one E-utilities request and return ``(parse(reply), fetched_at)``.

        Retries 429 (honouring Retry-After), 5xx, network errors and unusable
        bodies up to ``max_tries`` in all; permanent errors (``is_permanent``)
        fail at once with PermanentEntrezError.
        Raises EntrezError naming the endpoint and the last reason, at once
        when the circuit breaker is open.  ``expire_after`` (seconds) limits
        how long the cached reply is reused.
        """
        url = self.base_url + endpoint
        params = list(params) + self._identity()
        if post is None:
            post = len(urlencode(params)) > POST_ABOVE_CHARS
        cache_options = {}
        if self.cache_path:
            if refresh:
                cache_options["force_refresh"] = True
            if expire_after is not None:
                cache_options["expire_after"] = expire_after
        # A reply already parsed in this process (the graph stage asks for the records resolve
        # fetched) is not read from the cache and parsed a second time.
        memo_key = (endpoint, tuple(params), bool(post)) if self.cache_path else None
        if memo_key is not None and not refresh:
            with self._lock:
                known = self._parsed.get(memo_key)
            if known is not None:
                self._count("cache_hits")
                return known
        reason = "no reply"
        permanent = False
        attempt = 0
        for attempt in range(1, self.max_tries + 1):
            if self.breaker.is_open:
                self._fail(redact(f"{endpoint} not sent: {self.breaker.open_reason}",
                                  self._secrets()))
            response = None
            transient = True
            try:
                # Redirects are not followed: a redirect hop would carry the API key to
                # another address and into the cache's history unredacted.
                if post:
                    response = self.session.request("POST", url, data=params, timeout=self.timeout,
                                                    allow_redirects=False, **cache_options)
                else:
                    response = self.session.request("GET", url, params=params, timeout=self.timeout,
                                                    allow_redirects=False, **cache_options)
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                reason = f"network error ({type(exc).__name__})"
                if isinstance(exc, (requests.exceptions.ReadTimeout,
                                    requests.exceptions.ChunkedEncodingError)):
                    self._count_reached()  # the server took the request but did not finish answering
            else:
                self._count_reached()
                if response.headers.get("X-Litgraph-Stand-In"):
                    self.stand_in = True  # fixture records, not NCBI: resolve says so
                from_cache = bool(getattr(response, "from_cache", False))
                if from_cache:
                    self._count("cache_hits")
                problem = reply_problem(response.status_code, response.content,
                                        response.headers.get("Content-Type", ""),
                                        endpoint_kind(endpoint))
                if problem is None:
                    try:
                        parsed = parse(response.content)
                    except Exception as exc:  # Bio.Entrez raises ValueError/RuntimeError kinds
                        problem = f"unparseable reply ({type(exc).__name__}: {str(exc)[:120]})"
                    else:
                        answer = (parsed, self._fetched_at(response))
                        with self._lock:
                            self.answered += 1
                            if memo_key is not None and expire_after is None:
                                self._parsed[memo_key] = answer
                        self.breaker.success()
                        return answer
                if from_cache or problem.startswith("unparseable"):
                    self._forget(response)
                reason = problem
                status = response.status_code
                transient = status != 429
                if is_permanent(status, problem):
                    permanent = True
                    break  # 400, 404, 414, Invalid query: asking again will not help
            if transient:
                self.breaker.failure(reason)
            if attempt < self.max_tries:
                delay = self._retry_delay(attempt, response)
                self._count("retries")
                log.warning("%s: %s; retry %d of %d in %.1fs", endpoint,
                            redact(reason, self._secrets()), attempt, self.max_tries - 1, delay)
                self.sleep(delay)
        self._fail(redact(f"{endpoint} failed after {attempt} tries: {reason}", self._secrets()),
                   permanent)

    def _count_reached(self) -> None:
        with self._lock:
            self.reached += 1

    @staticmethod
    def _fetched_at(response) -> str:
        # requests-cache stamps fresh and cached replies alike when it stores them: using that
        # stamp for both keeps a rebuild from the cache from changing fetched_at (a fresh
        # reply stamped with the time of parsing could fall in the next second).
        created = getattr(response, "created_at", None)
        when = created or datetime.now(timezone.utc)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc).replace(microsecond=0).isoformat()

    # ------------------------------------------------------------ many requests

    def _each(self, work, items, label=None, progress=False):
        """``work(item)`` for every item, up to ``concurrency`` at once; results in item order.

        A result is ``(item, value)`` or ``(item, exception)`` for an EntrezError,
        so one failed batch never loses the others.  The throttle spaces the
        starts; the items pass through the progress hook (``progress`` when it is
        one, else the client's) when there is a label.
        """
        from ..progress import with_progress

        items = list(items)

        def run(item):
            try:
                return item, work(item)
            except EntrezError as exc:
                return item, exc

        hook = (progress if callable(progress) else self.progress) if label else None
        if self.concurrency == 1 or len(items) <= 1:
            results = map(run, items)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="entrez")
            results = self._pool.map(run, items)
        return list(with_progress(hook, results, label or "", length=len(items)))

    # ------------------------------------------------------------ lifetime

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
