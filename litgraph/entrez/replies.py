"""What a raw E-utilities reply says before parsing: usable, or why not, and whether asking again can help."""

import re

_ERROR_ELEMENT = re.compile(rb"<ERROR>(.*?)</ERROR>", re.S | re.I)
# Elements that carry answers: an <ERROR> beside them is about one identifier, not the request
# (esummary's "UID=n: cannot get document summary", an elink LinkSet's own ERROR).
# (The big replies' markers first: each one absent is a scan of the whole reply.)
_ANSWER_ELEMENTS = (b"<PubmedArticle>", b"<LinkSet>", b"<PubmedArticle ", b"<PubmedBookArticle",
                    b"<IdList>", b"<DocSum>")
# NCBI's words for a passing fault in a 200 <ERROR>: anything else (Invalid query, Invalid db
# name, Empty id list, retstart too large...) is the request's own fault and permanent.
_TRANSIENT_ERROR = re.compile(r"backend failed|temporar|unable to open|try again|timed? ?out|"
                              r"unavailable|busy|connection|cannot retrieve history", re.I)
E_UTILITIES_ERROR = "E-utilities error: "
_ROOT_ELEMENT = re.compile(rb"<([A-Za-z][\w.:-]*)[\s>/]")
_PROLOG_ITEM = re.compile(rb"<[?!][^>]*>")  # <?xml ...?>, <!DOCTYPE ...>, <!-- ... -->


def endpoint_kind(endpoint: str) -> str:
    return "text" if endpoint.startswith("ecitmatch") else "xml"


def reply_problem(status: int, content: bytes, content_type: str = "", kind: str = "xml"):
    """Why a raw E-utilities reply cannot be used (and must not be cached), or None.

    Checks, in order: HTTP status, empty body, an HTML page, an ``<ERROR>``
    element, then for XML a prolog and the root element's closing tag (a
    truncated reply lacks it); for ECitMatch's text, ``|``-separated lines, the last one
    ended (a reply cut short lacks that).

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
    # esummary answers an <ERROR> per unknown UID beside the good summaries, elink one inside a
    # LinkSet: a partial answer, not a rejected request.  The answer markers are looked for
    # first: a plain substring search, where the case-blind <ERROR> search tries every "<" of
    # a 14 MB reply (and is run on each reply twice: by the cache's filter, then by _call).
    error = None if any(marker in body for marker in _ANSWER_ELEMENTS) else \
        _ERROR_ELEMENT.search(body)
    if error:
        return E_UTILITIES_ERROR + error.group(1).decode('utf-8', 'replace').strip()[:200]
    if kind == "text":
        if body.startswith(b"<") or body.startswith(b"{"):
            return "not ECitMatch text"
        if any(b"|" not in line for line in body.splitlines() if line.strip()):
            return "not ECitMatch text"
        if not content.rstrip(b" \t").endswith(b"\n"):
            # NCBI ends every line: a last line without its end was cut, and its PMID may
            # be cut too ("32078043" read as "320780")
            return "ECitMatch text cut short (its last line has no line end)"
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
    if body.endswith(b"</" + name + b">"):
        return None
    # only now: body[prolog_end:] copies the whole reply
    if not re.match(rb"<" + re.escape(name) + rb"[^>]*/>\s*$", body[prolog_end:]):
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

