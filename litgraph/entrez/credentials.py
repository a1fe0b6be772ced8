"""Credentials kept out of URLs, logs and cache keys: ``redact``, ``split_credentials``, ``cache_key``."""

import hashlib
import re
from urllib.parse import parse_qsl, unquote, unquote_to_bytes, urlsplit, urlunsplit

from ..errors import InputError

SECRET_PARAMETERS = ("api_key", "email", "tool")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]+", re.I)
_EMAIL_IN_TEXT = re.compile(r"(email=)[^&\s'\"]+", re.I)
_USERINFO_IN_TEXT = re.compile(r"(\w+://)[^/@\s'\"]+@")


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



def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


# Bump when the key's recipe changes: every old entry then misses once (a cold cache).
CACHE_KEY_FORMAT = b"litgraph-cache-key/2"
# A header litgraph sends on a request that asks again what a reply left out: the cache keeps
# that answer apart from the first reply's (same parameters), for as long as it is reused.
ASK_AGAIN_HEADER = "X-Litgraph-Ask"
_SECRET_NAMES = frozenset(name.encode() for name in SECRET_PARAMETERS)


def _form_without_secrets(form: bytes) -> bytes:
    """An urlencoded query or form body without ``tool``/``email``/``api_key`` pairs (any case,
    percent-encoded or not), the other pairs sorted so their order does not change the key.

    Works on the bytes as sent: decoding and re-encoding a 5,000-ID body cost more than the
    rest of a cached request.
    """
    kept = []
    for pair in form.split(b"&"):
        if not pair:
            continue
        name = pair.partition(b"=")[0]
        if b"%" in name or b"+" in name:  # a name spelled with escapes is read as the server would
            name = unquote_to_bytes(name.replace(b"+", b" "))
        if name.lower() not in _SECRET_NAMES:
            kept.append(pair)
    kept.sort()
    return b"&".join(kept)


def cache_key(request, service=None, **kwargs) -> str:
    """requests-cache key of a request: the service that answers it, and the request without
    ``tool``/``email``/``api_key`` (names and values) or credentials.

    ``service`` names who answers (default: the request's scheme, host and
    port), so the answers of one server are never reused for another: the
    stand-in, NCBI and a test proxy each have their own entries.  The key hashes
    the method, the URL's path, the query and the form body as sent (their pairs
    sorted, secrets left out), and ``verify``; no header enters it (``Authorization``
    among them) but litgraph's own ``ASK_AGAIN_HEADER``, on a second ask.
    """
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    # The service, not the address, names who answered: the address goes into the key only
    # through the default service (scheme, host and port).
    identity = service or f"{parts.scheme}://{netloc}"
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    if body and "form-urlencoded" in request.headers.get("Content-Type", ""):
        body = _form_without_secrets(body)
    pieces = (CACHE_KEY_FORMAT, identity.encode(), (request.method or "").upper().encode(),
              parts.path.encode(), _form_without_secrets(parts.query.encode()), body,
              b"verify" if kwargs.get("verify", True) else b"no-verify")
    again = request.headers.get(ASK_AGAIN_HEADER)
    if again:  # absent from every other request's key, which stays as it was
        pieces += (b"ask " + again.encode("ascii", "replace"),)
    digest = hashlib.sha256()
    for piece in pieces:  # each piece prefixed by its length: no two requests run together
        digest.update(b"%d:" % len(piece))
        digest.update(piece)
    return digest.hexdigest()[:32]
