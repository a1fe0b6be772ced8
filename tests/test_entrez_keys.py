"""Cache keys and POST bodies built from bytes: the same answers as the recipes they replace.

``cache_key`` hashes the request as sent (secrets left out) instead of asking
requests-cache to parse and re-encode the body; ``form_body`` builds a POST body
once instead of letting requests quote every pair.  Each is compared with the
recipe it replaced: the same requests share a key, secrets never change one,
and the body is byte for byte what requests sends.
"""

import hashlib
from itertools import combinations
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

from litgraph.entrez.credentials import SECRET_PARAMETERS, cache_key
from litgraph.entrez.transport import FORM, form_body

BASE = "http://127.0.0.1:8002/entrez/eutils/"
KEY, EMAIL = "KEY-not-real-123", "curator@example.org"


def previous_cache_key(request, service=None, **kwargs) -> str:
    """The key litgraph used before: requests-cache's create_key of the stripped request."""
    from requests_cache.cache_keys import create_key

    stripped = request.copy()
    parts = urlsplit(stripped.url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in SECRET_PARAMETERS]
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    stripped.url = urlunsplit(parts._replace(netloc="service", query=urlencode(query)))
    stripped.headers.pop("Authorization", None)
    body = stripped.body
    if body and "form-urlencoded" in stripped.headers.get("Content-Type", ""):
        text = body.decode() if isinstance(body, bytes) else body
        stripped.body = urlencode([(k, v) for k, v in parse_qsl(text, keep_blank_values=True)
                                   if k not in SECRET_PARAMETERS])
    key = create_key(stripped, **kwargs)
    identity = service or f"{parts.scheme}://{netloc}"
    return hashlib.sha256(f"{identity}\n{key}".encode()).hexdigest()[:32]


def prepared(method, params, base=BASE, endpoint="efetch.fcgi", auth=None, old_body=False):
    """The request litgraph's transport sends (``old_body``: as it sent POSTs before)."""
    url = base + endpoint
    if method == "GET":
        request = requests.Request("GET", url, params=params, auth=auth)
    elif old_body:
        request = requests.Request("POST", url, data=params, auth=auth)
    else:
        request = requests.Request("POST", url, data=form_body(params), headers=FORM, auth=auth)
    return requests.Session().prepare_request(request)


IDS = [("db", "pubmed"), ("retmode", "xml"), ("id", "20090506,17090186")]
LINKS = [("dbfrom", "pubmed"), ("db", "pubmed"), ("linkname", "pubmed_pubmed_refs")] + [
    ("id", str(900000000 + n)) for n in range(300)]
TERM = [("db", "pubmed"), ("term", '"10.5555/synth.0001"[aid] OR (tumour imaging)'),
        ("retmax", "20")]
SECRETS = [("tool", "litgraph"), ("email", EMAIL), ("api_key", KEY)]

# Requests that must share a key, or not, under both recipes.
VARIANTS = {
    "ids": ("POST", IDS + SECRETS, {}),
    "ids, no secrets": ("POST", IDS, {}),
    "ids, secrets first": ("POST", SECRETS + IDS, {}),
    "ids, another key": ("POST", IDS + [("tool", "other"), ("api_key", "ANOTHER")], {}),
    "ids, basic auth": ("POST", IDS + SECRETS, {"auth": ("ann", "pw-9x9x9")}),
    "ids, another host": ("POST", IDS + SECRETS, {"base": "http://localhost:8003/entrez/eutils/"}),
    "ids, GET": ("GET", IDS + SECRETS, {}),
    "ids, GET no secrets": ("GET", IDS, {}),
    "other ids": ("POST", [("db", "pubmed"), ("retmode", "xml"), ("id", "20090506")] + SECRETS, {}),
    "ids, esummary": ("POST", IDS + SECRETS, {"endpoint": "esummary.fcgi"}),
    "links": ("POST", LINKS + SECRETS, {"endpoint": "elink.fcgi"}),
    "links reversed": ("POST", LINKS[::-1] + SECRETS, {"endpoint": "elink.fcgi"}),
    "links, one fewer": ("POST", LINKS[:-1] + SECRETS, {"endpoint": "elink.fcgi"}),
    "links citedin": ("POST", [(k, "pubmed_pubmed_citedin" if k == "linkname" else v)
                               for k, v in LINKS] + SECRETS, {"endpoint": "elink.fcgi"}),
    "term": ("GET", TERM + SECRETS, {"endpoint": "esearch.fcgi"}),
    "term, no email": ("GET", TERM + SECRETS[:1], {"endpoint": "esearch.fcgi"}),
    "term, by POST": ("POST", TERM + SECRETS, {"endpoint": "esearch.fcgi"}),
    "another term": ("GET", [("db", "pubmed"), ("term", "tumour imaging"), ("retmax", "20")]
                     + SECRETS, {"endpoint": "esearch.fcgi"}),
}


def keys_of(key_fn, service=None, old_body=False):
    return {name: key_fn(prepared(method, params, old_body=old_body, **options), service=service)
            for name, (method, params, options) in VARIANTS.items()}


@pytest.mark.parametrize("service", [None, "litgraph-stand-in:bundled-fixtures"])
def test_the_same_requests_share_a_key_as_they_did_before(service):
    new, old = keys_of(cache_key, service), keys_of(previous_cache_key, service, old_body=True)
    for a, b in combinations(VARIANTS, 2):
        assert (new[a] == new[b]) == (old[a] == old[b]), (a, b)
    # what the pairs above pin, said plainly
    assert new["ids"] == new["ids, no secrets"] == new["ids, another key"] == new["ids, basic auth"]
    assert new["ids, GET"] == new["ids, GET no secrets"] != new["ids"]
    assert new["links"] == new["links reversed"] != new["links, one fewer"]
    assert (new["ids"] == new["ids, another host"]) == (service is not None)


def test_secrets_never_change_or_reach_a_key_however_they_are_spelled():
    plain = cache_key(prepared("POST", IDS))
    spelled = [[("API_KEY", KEY), ("Email", EMAIL)], [("api%5Fkey", KEY)], [("to+ol", "x")]]
    assert cache_key(prepared("POST", IDS + SECRETS)) == plain
    assert cache_key(prepared("POST", IDS + spelled[0])) == plain
    escaped = requests.Request("POST", BASE + "efetch.fcgi", data="api%5Fkey=K&" + urlencode(IDS),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert cache_key(requests.Session().prepare_request(escaped)) == plain
    # a name that only looks like one is kept: it changes the key
    assert cache_key(prepared("POST", IDS + spelled[2])) != plain
    assert KEY not in plain and EMAIL not in plain and len(plain) == 32


def test_a_key_is_the_same_in_every_process():
    # Pinned: a key that changed between releases would turn every cache cold.
    assert cache_key(prepared("POST", IDS + SECRETS)) == "1861040dc51b4144769325a928123fc1"


@pytest.mark.parametrize("params", [
    IDS + SECRETS, LINKS, TERM + SECRETS,
    [("term", "Müller [au] & café=1; 50%+ a/b?c~d"), ("empty", ""), ("bdata", "a|b\rc|")],
    [("n", 5), ("b", b"bytes \xff")],  # not text: urlencode's own rules
])
def test_form_body_is_what_requests_sends_for_the_same_params(params):
    old = requests.Session().prepare_request(requests.Request("POST", BASE, data=params))
    new = prepared("POST", params, endpoint="")
    assert form_body(params) == urlencode(params).encode()
    assert new.body == old.body.encode()
    assert new.headers["Content-Type"] == old.headers["Content-Type"]
    assert new.headers["Content-Length"] == old.headers["Content-Length"]
