"""One client for NCBI E-utilities: session, cache, throttle, retries, batching.

Three layers, bottom up:

- transport: a ``requests`` session (a requests-cache ``CachedSession`` on
  SQLite when a cache path is given) whose HTTP adapter waits for the
  process-wide throttle, so cache hits cost no time and no request;
- ``EntrezClient._call``: sends one request with ``tool``/``email``/``api_key``,
  checks the raw reply (status, HTML, ``<ERROR>``, truncation) before parsing
  or caching it, retries with back-off, and raises EntrezError at the end;
- the E-utilities verbs: ``fetch_pubmed``, ``search_ids``, ``citation_match``,
  ``elink``, ``summaries``, which batch and map results back by identifier.

``tool``, ``email`` and ``api_key`` are never part of a cache key and never
stored: requests-cache drops ``ignored_parameters`` from keys and redacts them
from the stored request and reply; every logged text goes through ``redact``.

>>> client = EntrezClient("http://127.0.0.1:8002/entrez/eutils/", rate=0)
>>> client.stats["network_requests"]
0
"""

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .records import (PubmedRecord, SearchResult, normalise_title, parse_ecitmatch,
                             parse_elink, parse_esearch, parse_esummary, parse_pubmed)
from ..errors import EntrezError, InputError

__all__ = ["EntrezClient", "PubmedRecord", "FetchResult", "CitationQuery", "SearchResult",
           "Throttle", "normalise_title", "redact", "reply_problem"]

log = logging.getLogger("litgraph.entrez")

TOOL = "litgraph"
SECRET_PARAMETERS = ("api_key", "email", "tool")
POST_ABOVE_CHARS = 1000  # Biopython's rule: long parameter lists go by POST
POST_FROM_IDS = 200  # NCBI: above ~200 UIDs use POST
MAX_RETRY_AFTER = 60.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]+", re.I)
_EMAIL_IN_TEXT = re.compile(r"(email=)[^&\s'\"]+", re.I)
_ERROR_ELEMENT = re.compile(rb"<ERROR>(.*?)</ERROR>", re.S | re.I)
_ROOT_ELEMENT = re.compile(rb"<([A-Za-z][\w.:-]*)[\s>/]")
_PROLOG_ITEM = re.compile(rb"<[?!][^>]*>")  # <?xml ...?>, <!DOCTYPE ...>, <!-- ... -->


def redact(text, secrets=()) -> str:
    """Text with ``api_key=``/``email=`` values and any given secret replaced by ``REDACTED``.

    >>> redact("efetch.fcgi?id=1&api_key=abc123&tool=litgraph")
    'efetch.fcgi?id=1&api_key=REDACTED&tool=litgraph'
    """
    text = _EMAIL_IN_TEXT.sub(r"\1REDACTED", _API_KEY_IN_TEXT.sub(r"\1REDACTED", str(text)))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "REDACTED")
    return text


class Throttle:
    """At most one network request per ``interval`` seconds, across threads.

    One instance (``PROCESS_THROTTLE``) is shared by every client of the
    process; tests pass their own with a fake clock and sleep.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock = clock
        self.sleep = sleep
        self._next_at = None
        self._lock = threading.Lock()

    def wait(self, interval: float) -> float:
        """Block until the next request may go; return the seconds waited."""
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


@dataclass
class FetchResult:
    """What efetch gave for a list of PMIDs."""

    records: dict = field(default_factory=dict)  # pmid -> PubmedRecord
    missing: set = field(default_factory=set)  # asked for, not returned: not in PubMed
    failed: dict = field(default_factory=dict)  # pmid -> reason (retries exhausted)


@dataclass
class CitationQuery:
    """One journal citation for ECitMatch; ``key`` is the caller's own name for it."""

    key: str
    journal: str
    year: Optional[int] = None
    volume: Optional[str] = None
    first_page: Optional[str] = None
    author: Optional[str] = None


def _endpoint_kind(endpoint: str) -> str:
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
    # esummary answers an <ERROR> per unknown UID beside the good summaries: a partial answer.
    if error and b"<DocSum>" not in body:
        return f"E-utilities error: {error.group(1).decode('utf-8', 'replace').strip()[:200]}"
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


def _is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def cache_key(request, **kwargs) -> str:
    """requests-cache key of a request with ``tool``/``email``/``api_key`` removed entirely.

    requests-cache would only replace their values, so a run with a key and
    one without would not share the cache; here neither the names nor the
    values take part in the key.  On loopback the port is left out too: the
    ``--offline`` stand-in gets a free port each run, and its answers are the
    same fixture answers whatever the port.
    """
    from requests_cache.cache_keys import create_key

    stripped = request.copy()
    parts = urlsplit(stripped.url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in SECRET_PARAMETERS]
    netloc = parts.netloc
    if parts.hostname in LOOPBACK_HOSTS:
        netloc = parts.hostname  # the in-process stand-in listens on a new port every run
    stripped.url = urlunsplit(parts._replace(netloc=netloc, query=urlencode(query)))
    body = stripped.body
    if body and "form-urlencoded" in stripped.headers.get("Content-Type", ""):
        text = body.decode() if isinstance(body, bytes) else body
        form = [(k, v) for k, v in parse_qsl(text, keep_blank_values=True)
                if k not in SECRET_PARAMETERS]
        stripped.body = urlencode(form)
    return create_key(stripped, **kwargs)


class _ThrottledAdapter(HTTPAdapter):
    """The only way out to the network: waits for the throttle and counts the request."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        self.client._before_network(request)
        return super().send(request, **kwargs)


class EntrezClient:
    """A polite, cached, retrying client for E-utilities (NCBI or the stand-in).

    ``rate`` None means 3 requests/s, or 10 with ``api_key``; 0 turns the
    throttle off (tests).  ``cache_path`` None means no cache.  ``sleep``,
    ``clock`` and ``throttle`` may be injected by tests.
    """

    def __init__(self, base_url, cache_path=None, api_key=None, email=None, rate=None,
                 max_tries=6, timeout=30.0, backoff=0.5, batch_size=200, *, throttle=None,
                 sleep=time.sleep):
        if not base_url or not str(base_url).startswith(("http://", "https://")):
            raise InputError(f"invalid E-utilities URL {base_url!r}: expected http(s)://.../eutils/")
        host = urlsplit(str(base_url)).hostname or ""
        if str(base_url).startswith("http://") and not _is_loopback(host):
            raise InputError(f"E-utilities URL {base_url!r} is plain http to another machine: the "
                             "API key and email would travel unencrypted; use https://")
        if max_tries < 1 or batch_size < 1:
            raise InputError("max_tries and batch_size must be at least 1")
        self.base_url = str(base_url).rstrip("/") + "/"
        self.api_key = api_key or None
        self.email = email or None
        self.rate = (10.0 if self.api_key else 3.0) if rate is None else float(rate)
        self.max_tries = int(max_tries)
        self.timeout = timeout
        self.backoff = backoff
        self.batch_size = int(batch_size)
        # A progress hook for batch loops (litgraph.progress); the CLI sets one that draws
        # a bar on a terminal.  None shows nothing.
        self.progress = None
        # True once an answer came from litgraph's E-utilities stand-in (its header says so).
        self.stand_in = False
        self.throttle = throttle or PROCESS_THROTTLE
        self.sleep = sleep
        self.cache_path = str(cache_path) if cache_path else None
        self.stats = {"network_requests": 0, "cache_hits": 0, "by_endpoint": {}, "retries": 0,
                      "failures": 0}
        self.answered = 0  # requests that got a usable reply (from the network or the cache)
        self.reached = 0  # tries that reached a server at all (any HTTP status, or a read timeout)
        self.last_failure = None
        self.session = self._make_session()

    # ------------------------------------------------------------ transport

    def _make_session(self):
        if self.cache_path:
            import requests_cache

            Path(self.cache_path).parent.mkdir(parents=True, exist_ok=True)
            session = requests_cache.CachedSession(
                self.cache_path, backend="sqlite", allowable_methods=("GET", "POST"),
                allowable_codes=(200,), ignored_parameters=list(SECRET_PARAMETERS),
                expire_after=-1, filter_fn=self._cacheable, stale_if_error=False,
                cache_control=False, match_headers=False, key_fn=cache_key)
        else:
            session = requests.Session()
        adapter = _ThrottledAdapter(self)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = f"{TOOL} (requests)"
        return session

    @property
    def interval(self) -> float:
        """Seconds between network requests; a 5% margin keeps us under the server's count
        even when a connection set-up delays one arrival."""
        return 1.05 / self.rate if self.rate > 0 else 0.0

    def _before_network(self, request) -> None:
        self.throttle.wait(self.interval)
        endpoint = request.path_url.split("?")[0].rsplit("/", 1)[-1]
        self.stats["network_requests"] += 1
        self.stats["by_endpoint"][endpoint] = self.stats["by_endpoint"].get(endpoint, 0) + 1
        log.debug("%s %s", request.method, redact(request.path_url, [self.api_key]))

    def _cacheable(self, response) -> bool:
        endpoint = response.url.split("?")[0].rsplit("/", 1)[-1]
        problem = reply_problem(response.status_code, response.content,
                                response.headers.get("Content-Type", ""), _endpoint_kind(endpoint))
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

    def _call(self, endpoint, params, parse, *, post=None, refresh=False):
        """Send one E-utilities request and return ``(parse(reply), fetched_at)``.

        Retries 429 (honouring Retry-After), 5xx, network errors and unusable
        bodies up to ``max_tries`` in all; other HTTP errors fail at once.
        Raises EntrezError naming the endpoint and the last reason.
        """
        url = self.base_url + endpoint
        params = list(params) + self._identity()
        if post is None:
            post = len(urlencode(params)) > POST_ABOVE_CHARS
        cache_options = {"force_refresh": True} if refresh and self.cache_path else {}
        reason = "no reply"
        for attempt in range(1, self.max_tries + 1):
            response = None
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
                    self.reached += 1  # the server took the request but did not finish answering
            else:
                self.reached += 1
                if response.headers.get("X-Litgraph-Stand-In"):
                    self.stand_in = True  # fixture records, not NCBI: resolve says so
                from_cache = bool(getattr(response, "from_cache", False))
                if from_cache:
                    self.stats["cache_hits"] += 1
                problem = reply_problem(response.status_code, response.content,
                                        response.headers.get("Content-Type", ""),
                                        _endpoint_kind(endpoint))
                if problem is None:
                    try:
                        parsed = parse(response.content)
                    except Exception as exc:  # Bio.Entrez raises ValueError/RuntimeError kinds
                        problem = f"unparseable reply ({type(exc).__name__}: {str(exc)[:120]})"
                    else:
                        self.answered += 1
                        return parsed, self._fetched_at(response)
                if from_cache or problem.startswith("unparseable"):
                    self._forget(response)
                reason = problem
                if response.status_code != 200 and response.status_code != 429 \
                        and response.status_code < 500:
                    break  # 400, 404, 414: asking again will not help
            if attempt < self.max_tries:
                delay = self._retry_delay(attempt, response)
                self.stats["retries"] += 1
                log.warning("%s: %s; retry %d of %d in %.1fs", endpoint,
                            redact(reason, [self.api_key, self.email]), attempt,
                            self.max_tries - 1, delay)
                self.sleep(delay)
        self.stats["failures"] += 1
        message = redact(f"{endpoint} failed after {attempt} tries: {reason}",
                         [self.api_key, self.email])
        log.warning("%s", message)  # the caller records it per source; the CLI shows errors only
        self.last_failure = message
        raise EntrezError(message)

    @staticmethod
    def _fetched_at(response) -> str:
        created = getattr(response, "created_at", None) if getattr(response, "from_cache", False) \
            else None
        when = created or datetime.now(timezone.utc)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc).replace(microsecond=0).isoformat()

    # ------------------------------------------------------------ verbs

    def _progress(self, batches, label, hook=None):
        """The batches, through the progress hook (``hook``, else the client's) when set."""
        from ..progress import with_progress

        return with_progress(hook if callable(hook) else self.progress, batches, label)

    def _batches(self, pmids):
        ids = sorted({str(p) for p in pmids}, key=lambda p: (len(p), p))
        for start in range(0, len(ids), self.batch_size):
            yield ids[start:start + self.batch_size]

    def fetch_pubmed(self, pmids, refresh=False, progress=False) -> FetchResult:
        """Fetch PubMed records (efetch, XML) for PMIDs, ``batch_size`` per request.

        PMIDs asked for but not returned are ``missing``; those whose batch
        failed after every retry are in ``failed`` with the reason.  Records
        are keyed by the PMID inside each record, never by position.
        ``refresh`` True bypasses the cache for every batch; a collection of
        PMIDs bypasses it only for the batches holding one of them.
        ``progress`` a progress hook for this call (litgraph.progress); anything
        else means the client's own hook, if it has one.
        """
        result = FetchResult()
        stale = set(map(str, refresh)) if isinstance(refresh, (set, frozenset, list, tuple)) else None
        for batch in self._progress(self._batches(pmids), "Fetching PubMed records", progress):
            params = [("db", "pubmed"), ("retmode", "xml"), ("id", ",".join(batch))]
            post = len(batch) >= POST_FROM_IDS or None
            force = bool(stale & set(batch)) if stale is not None else bool(refresh)
            try:
                records, fetched_at = self._call("efetch.fcgi", params, parse_pubmed, post=post,
                                                 refresh=force)
            except EntrezError as exc:
                result.failed.update({pmid: str(exc) for pmid in batch})
                continue
            asked = set(batch)
            for record in records:
                if record.pmid in asked:
                    record.fetched_at = fetched_at
                    result.records[record.pmid] = record
            result.missing.update(asked - set(result.records))
        return result

    def search(self, term: str, retmax: int = 20) -> SearchResult:
        """One esearch in PubMed; raises EntrezError when it fails after every retry."""
        params = [("db", "pubmed"), ("term", term), ("retmax", str(min(max(retmax, 1), 10000)))]
        result, _ = self._call("esearch.fcgi", params, parse_esearch)
        return result

    def search_ids(self, terms, per_term: int = 5, max_term_chars: int = 4000) -> list:
        """PMIDs matching any of ``terms``, OR'ed into as few esearch requests as possible.

        Nothing ties a returned PMID to the term that found it: callers fetch
        the records and match them back by DOI or title.  Raises EntrezError.
        """
        terms = [t for t in dict.fromkeys(terms) if t]
        groups, current = [], []
        for term in terms:
            if current and len(" OR ".join(current + [f"({term})"])) > max_term_chars:
                groups.append(current)
                current = []
            current.append(f"({term})")
        if current:
            groups.append(current)
        found = {}
        for group in groups:
            found.update(dict.fromkeys(self._search_group(group, per_term)))
        return list(found)

    def _search_group(self, group, per_term) -> list:
        """esearch for OR'ed terms; when the union overflows retmax (one broad term can crowd
        out the others' matches), search each half again rather than lose matches."""
        result = self.search(" OR ".join(group), retmax=per_term * len(group) + 20)
        if result.count <= len(result.ids) or len(group) == 1:
            return result.ids
        middle = len(group) // 2
        return self._search_group(group[:middle], per_term) + \
            self._search_group(group[middle:], per_term)

    @staticmethod
    def doi_term(doi: str) -> str:
        """The esearch term for one DOI: ``"<doi>"[aid]`` (quoted: DOIs hold ()[];)."""
        return '"' + doi.replace('"', "") + '"[aid]'

    def search_dois(self, dois) -> list:
        """PMIDs of the given DOIs, all OR'ed together; map back with record.dois."""
        return self.search_ids([self.doi_term(d) for d in dois], per_term=2)

    def citation_match(self, citations) -> dict:
        """``{citation.key: PMID or NCBI's words}`` for journal citations, in one ECitMatch request.

        Lines are matched back by a key of our own (``c1``, ``c2``...), so
        missing or reordered lines do no harm; a citation without a line gets
        ``"no answer"``.  Raises EntrezError when the request fails.
        """
        citations = list(citations)
        if not citations:
            return {}
        own_keys = {}
        lines = []
        for number, citation in enumerate(citations, 1):
            own = f"c{number}"
            own_keys[own] = citation.key
            fields = [citation.journal, citation.year, citation.volume, citation.first_page,
                      citation.author, own]
            clean = [re.sub(r"[|\r\n]+", " ", str(f or "")).strip().lower() for f in fields]
            lines.append("|".join(clean) + "|")
        params = [("db", "pubmed"), ("retmode", "xml"), ("bdata", "\r".join(lines))]
        answers, _ = self._call("ecitmatch.cgi", params,
                                lambda content: parse_ecitmatch(content.decode("utf-8", "replace"),
                                                                own_keys))
        return {own_keys[own]: answer for own, answer in answers.items()}

    def elink(self, pmids, linkname) -> dict:
        """``{pmid: [linked PMIDs]}`` for one link name, one ``id=`` per PMID, batched."""
        links = {}
        dbto = linkname.split("_")[1] if linkname.count("_") >= 2 else "pubmed"
        for batch in self._progress(self._batches(pmids), f"Linking ({linkname})"):
            params = [("dbfrom", "pubmed"), ("db", dbto), ("linkname", linkname)]
            params += [("id", pmid) for pmid in batch]
            found, _ = self._call("elink.fcgi", params,
                                  lambda content: parse_elink(content, linkname),
                                  post=len(batch) >= POST_FROM_IDS or None)
            for pmid in batch:
                links[pmid] = found.get(pmid, [])
        return links

    def summaries(self, pmids) -> dict:
        """``{pmid: {title, year, journal, authors, doi, publication_types}}`` from esummary."""
        out = {}
        for batch in self._progress(self._batches(pmids), "Summaries of linked works"):
            params = [("db", "pubmed"), ("id", ",".join(batch))]
            found, _ = self._call("esummary.fcgi", params, parse_esummary,
                                  post=len(batch) >= POST_FROM_IDS or None)
            out.update(found)
        return out

    # ------------------------------------------------------------ lifetime

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
