"""Credentials kept out of URLs, logs and cache keys: ``redact``, ``split_credentials``, ``cache_key``."""

import hashlib
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

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

