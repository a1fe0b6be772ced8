"""The E-utilities transport: session, cache, throttle, concurrency, retries, circuit breaker.

``Transport`` sends one request at a time per caller (``_call``) and lets a
small pool of threads keep up to ``concurrency`` requests in flight
(``_each``).  The process-wide ``Throttle`` spaces request *starts* at
``1.05 / rate`` seconds, so overlapping requests never exceed the rate; the
latency of one answer no longer adds to the next request's wait.  A request
asked ahead (``behind``) takes a start slot only when none of the caller's own
is waiting.  Each reply is parsed by whichever is free first, the client's parser
process (``parser``; started when a request with a long ID list goes to the network)
or this one, one at a time; the child ends whenever no request of the client is in
flight, so that it holds no memory while the caller works on what it read.

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

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote_plus, urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from ..collector import without_cyclic_gc
from ..errors import EntrezError, InputError, PermanentEntrezError
from .batching import BatchSizes
from .credentials import (ASK_AGAIN_HEADER, SECRET_PARAMETERS, cache_key, is_loopback,
                          redact, split_credentials)
from .pacing import PROCESS_THROTTLE, CircuitBreaker
from .parser import Readers, kept_readings
from .replies import endpoint_kind, is_permanent, reply_problem

log = logging.getLogger("litgraph.entrez")

TOOL = "litgraph"
CACHE_IGNORED = (*SECRET_PARAMETERS, "Authorization")  # names requests-cache redacts when storing
POST_ABOVE_CHARS = 1000  # Biopython's rule: long parameter lists go by POST
POST_FROM_IDS = 200  # NCBI: above ~200 UIDs use POST
MAX_RETRY_AFTER = 60.0
READ_BYTES = 1 << 20  # a reply's body is read in pieces of this size (see _ThrottledAdapter)
# Requests in flight at once.  Measured with bench/resolve.py on the stand-in (see the README):
# at 10/s and 120 ms latency two overlap enough; at 500 ms, ceil(0.6 s * 10/s) = 6 are needed.
# More threads cost nothing while the throttle spaces their starts.
CONCURRENCY = 8
# The cache service of the in-process stand-in (``--offline``): the bundled fixture records
# answer whatever free port it gets, so its runs share cache entries, and only with each other.
STAND_IN_SERVICE = "litgraph-stand-in:bundled-fixtures"
_RETRY_AFTER = Retry(0)  # urllib3 reads Retry-After (seconds or an HTTP date)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_UNESCAPED = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote_plus leaves as it is


def _utc(moment):
    """``moment`` in UTC (a naive one taken as UTC, as requests-cache wrote them before its
    times carried a zone), or None when it is not a datetime."""
    if not isinstance(moment, datetime):
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None \
        else moment.astimezone(timezone.utc)


def form_body(params) -> bytes:
    """``urlencode(params)`` as bytes, built once: what requests would send for ``data=params``.

    A name or value that needs no escaping (every PMID) is taken as it is; quote_plus for
    each of an elink's 5,000 ``id=`` pairs cost more than the rest of a cached request.
    """
    pairs = []
    for name, value in params:
        if not (isinstance(name, str) and isinstance(value, str)):
            return urlencode(params).encode("ascii")  # anything else: urlencode's own rules
        if not _UNESCAPED.fullmatch(name):
            name = quote_plus(name)
        if not _UNESCAPED.fullmatch(value):
            value = quote_plus(value)
        pairs.append(f"{name}={value}")
    return "&".join(pairs).encode("ascii")


class _ThrottledAdapter(HTTPAdapter):
    """The only way out to the network: waits for the throttle and counts the request."""

    def __init__(self, transport, pool_size):
        super().__init__(pool_connections=4, pool_maxsize=pool_size)
        self.transport = transport

    def send(self, request, **kwargs):
        self.transport._before_network(request)
        response = super().send(request, **kwargs)
        if not kwargs.get("stream"):
            # In reads of a megabyte, not requests' 10 kB: each waits for the GIL, which a parse
            # holds up to 5 ms at a time (28 MB in 10 kB pieces reached its parser 1 s late).
            response._content = b"".join(response.iter_content(READ_BYTES))
            response._content_consumed = True
        return response


class Transport:
    """Session, cache, throttle, retries and concurrency of one E-utilities service.

    ``rate`` None means 3 requests/s, or 10 with ``api_key``; 0 turns the
    throttle off (tests).  ``cache_path`` None means no cache.  ``service``
    names the answering service in cache keys (default: the base URL's
    scheme, host and port).  ``concurrency`` is the number of requests kept
    in flight.  ``batch_sizes`` (``BatchSizes``, a mapping or ``"efetch=2000,..."``)
    sets identifiers per request; ``batch_size`` one number for every endpoint.
    ``sleep`` (the wait between tries; default the breaker's ``pause``), ``throttle``
    and ``breaker`` may be injected by tests.
    """

    def __init__(self, base_url, cache_path=None, api_key=None, email=None, rate=None,
                 max_tries=6, timeout=30.0, backoff=0.5, batch_size=None, *, throttle=None,
                 sleep=None, concurrency=CONCURRENCY, service=None, breaker=None,
                 batch_sizes=None):
        clean, auth, found = split_credentials(base_url)
        host = urlsplit(clean).hostname or ""
        if clean.startswith("http://") and not is_loopback(host):
            raise InputError(f"E-utilities URL {clean!r} is plain http to another machine: the "
                             "API key and email would travel unencrypted; use https://")
        if max_tries < 1 or (batch_size is not None and batch_size < 1) or concurrency < 1:
            raise InputError("max_tries, batch_size and concurrency must be at least 1")
        self.base_url = clean.rstrip("/") + "/"
        self.auth = auth
        self.api_key = api_key or found.get("api_key") or None
        self.email = email or found.get("email") or None
        self.rate = (10.0 if self.api_key else 3.0) if rate is None else float(rate)
        self.max_tries = int(max_tries)
        self.timeout = timeout
        self.backoff = backoff
        # ``batch_size`` (tests, one number for every endpoint) overrides ``batch_sizes``.
        self.batch_size = int(batch_size) if batch_size is not None else None
        self.batch_sizes = BatchSizes.parse(batch_sizes)
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
        # between tries: the breaker's pause, which an outage cuts short
        self.sleep = sleep or self.breaker.pause
        self.cache_path = str(cache_path) if cache_path else None
        self.stats = {"network_requests": 0, "cache_hits": 0, "by_endpoint": {}, "retries": 0,
                      "failures": 0}
        self.answered = 0  # requests that got a usable reply (from the network or the cache)
        # When the first of the cached replies used so far stops being reused (a "not found"
        # is reused for a day, the rest for good); None while none of them expires.
        self.earliest_expiry = None
        self.reached = 0  # tries that reached a server at all (any HTTP status, or a read timeout)
        self.last_failure = None
        self._lock = threading.Lock()
        # Replies are read here or in the parser process (``parser.Readers``), which runs
        # while requests are in flight (``_call``).
        self._readers = Readers(kept_readings(self.cache_path))
        self._parser = self._readers.process
        self._in_flight = 0
        self._pool = None
        self._held = {}  # PMID -> PubmedRecord efetch gave in this process, until asked again
        self._ahead = {}  # link name -> [(PMIDs, Future of links())] asked ahead, until taken
        self._ahead_pool = None
        self._fetched_ahead = []  # [(PMIDs, Future of _fetch_pubmed)] fetched ahead, until taken
        self._fetch_pool = None
        self._ahead_waiting = []  # an Event per ask ahead not yet let go (``_let_ahead_go``)
        self._local = threading.local()  # .behind: this thread's request is asked ahead
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

    def cached_replies(self) -> str:
        """A SHA-256 of which replies the cache holds (their keys, not their bodies): a cache
        deleted or emptied since gives another; "" without a cache."""
        if not self.cache_path:
            return ""
        import hashlib

        keys = sorted(self.session.cache.responses.keys())
        return hashlib.sha256("\n".join(keys).encode()).hexdigest()

    @property
    def interval(self) -> float:
        """Seconds between request starts; a 5% margin keeps us under the server's count
        even when a connection set-up delays one arrival."""
        return 1.05 / self.rate if self.rate > 0 else 0.0

    def batch(self, endpoint: str) -> int:
        """IDs (or terms) per request for ``endpoint`` (``efetch``, ``elink``, ``esummary``,
        ``esearch``)."""
        return self.batch_size or self.batch_sizes.get(endpoint)

    def _count(self, name, amount=1) -> None:
        with self._lock:
            self.stats[name] = self.stats.get(name, 0) + amount

    def _before_network(self, request) -> None:
        if getattr(self._local, "large_reply", False):
            self._parser.start()  # most often ready by the time the reply comes
        if getattr(self._local, "behind", False):
            self.throttle.wait(self.interval, behind=True)
        else:  # the caller's own request: once it is queued, what was asked ahead may queue
            self.throttle.wait(self.interval, queued=self._let_ahead_go)
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
                    delay = _RETRY_AFTER.parse_retry_after(after)
                except InvalidHeader:
                    pass
        return min(max(delay, 0.0), MAX_RETRY_AFTER)

    # ------------------------------------------------------------ one request

    def _fail(self, message: str, permanent: bool = False):
        with self._lock:
            self.stats["failures"] += 1
            self.last_failure = message
        log.warning("%s", message)  # the caller records it per source; the CLI shows errors only
        raise (PermanentEntrezError if permanent else EntrezError)(message)

    def _call(self, endpoint, params, parse, *, post=None, refresh=False, expire_after=None,
              again=False, behind=False):
        """Send one E-utilities request and return ``(parse(reply), fetched_at)``.

        Retries 429 (honouring Retry-After), 5xx, network errors and unusable bodies up to
        ``max_tries`` in all; permanent errors (``is_permanent``) fail at once with
        PermanentEntrezError.  Raises EntrezError naming the endpoint and the last reason, at
        once when the circuit breaker is open.  ``expire_after`` (seconds) limits how long the
        cached reply is reused.  ``again``: asks again what an earlier reply left out, cached
        apart from it (``ASK_AGAIN_HEADER``).  ``behind``: asked ahead, it yields the throttle
        to the caller's; a cached reply (no latency to save) is left unread: (None, fetched_at).
        """
        with self._lock:
            self._in_flight += 1
        self._local.behind = behind
        # a long list of IDs: a large reply, which the parser process reads if it comes from
        # the network (``_before_network`` starts it; a cached reply comes before it is ready)
        self._local.large_reply = bool(post and self._parser.runs(parse))
        try:
            return self._send_with_retries(endpoint, params, parse, post=post, refresh=refresh,
                                           expire_after=expire_after, again=again)
        finally:
            self._local.behind = self._local.large_reply = False
            with self._lock:
                self._in_flight -= 1
                idle = self._in_flight == 0
            if idle:  # nothing left to read: the parser process ends, its memory with it
                self._parser.close()

    def _send_with_retries(self, endpoint, params, parse, *, post, refresh, expire_after, again):
        url = self.base_url + endpoint
        params = list(params) + self._identity()
        body = form_body(params)
        if post is None:
            post = len(body) > POST_ABOVE_CHARS
        cache_options = {}
        if self.cache_path:
            if refresh:
                cache_options["force_refresh"] = True
            if expire_after is not None:
                cache_options["expire_after"] = expire_after
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
                headers = {ASK_AGAIN_HEADER: "again"} if again else {}
                if post:
                    response = self.session.request("POST", url, data=body,
                                                    headers={**FORM, **headers},
                                                    timeout=self.timeout, allow_redirects=False,
                                                    **cache_options)
                else:
                    response = self.session.request("GET", url, params=params, headers=headers,
                                                    timeout=self.timeout, allow_redirects=False,
                                                    **cache_options)
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
                    if self._local.behind:  # asked ahead: whoever needs it reads it then
                        return None, self._fetched_at(response)
                    self._let_ahead_go()  # the caller's reply: asks ahead read meanwhile
                problem = reply_problem(response.status_code, response.content,
                                        response.headers.get("Content-Type", ""),
                                        endpoint_kind(endpoint))
                if problem is None:
                    try:
                        parsed = self._parse(parse, response.content)
                    except Exception as exc:  # any parser's error: the reply is unusable
                        problem = f"unparseable reply ({type(exc).__name__}: {str(exc)[:120]})"
                    else:
                        answer = (parsed, self._fetched_at(response))
                        expires = _utc(getattr(response, "expires", None))
                        with self._lock:
                            self.answered += 1
                            if expires is not None and (self.earliest_expiry is None
                                                        or expires < self.earliest_expiry):
                                self.earliest_expiry = expires
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

    def _parse(self, parse, content):
        """``parse(content)``: in the parser process or here, whichever is free first."""
        with without_cyclic_gc():
            parsed, elsewhere = self._readers.read(parse, content,
                                                   getattr(self._local, "behind", False))
        if elsewhere:
            self._count("parsed_elsewhere")
        return parsed

    def _let_ahead_go(self) -> None:
        """Let the asks ahead start: their requests then queue behind the caller's."""
        with self._lock:
            waiting, self._ahead_waiting = self._ahead_waiting, []
        for go in waiting:
            go.set()

    def _count_reached(self) -> None:
        with self._lock:
            self.reached += 1

    @staticmethod
    def _fetched_at(response) -> str:
        """When the service answered, to the second: the reply's own ``Date`` header.

        The header is stored with the reply, so a rebuild from the cache gives the same
        stamp as the fresh reply did.  requests-cache's ``created_at`` is not that: the
        fresh reply and its stored copy are stamped by two clock readings, which can fall
        on either side of a second.  A reply without a usable ``Date`` falls back to it.
        """
        when = None
        try:
            when = parsedate_to_datetime(response.headers.get("Date") or "")
        except (TypeError, ValueError, IndexError):
            when = None
        when = when or getattr(response, "created_at", None) or datetime.now(timezone.utc)
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
        self._let_ahead_go()
        for pool in (self._fetch_pool, self._ahead_pool):  # their requests use the pool below
            if pool is not None:
                pool.shutdown(wait=True)
        self._fetch_pool = self._ahead_pool = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._readers.close()
        if self._parser.peak_rss_mb is not None:
            self.stats["parser_peak_rss_mb"] = self._parser.peak_rss_mb
            self.stats["parser_processes"] = self._parser.started
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
