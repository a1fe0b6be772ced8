"""A scripted loopback HTTP server for the Entrez client's unit tests.

It is not the E-utilities stand-in (litgraph/stub): it answers whatever a test
queues, per endpoint, and records every request it gets, so the tests can
check methods, parameters and bodies exactly.  Only 127.0.0.1 is used.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
           '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')


def synthetic_article(pmid: str) -> str:
    """A minimal PubmedArticle for a synthetic PMID (test data, no real article)."""
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
            f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue>'
            f'<PubDate><Year>2020</Year></PubDate></JournalIssue><Title>Synthetic Journal</Title>'
            f'</Journal><ArticleTitle>Synthetic record {pmid}.</ArticleTitle>'
            f'<Language>eng</Language><PublicationTypeList><PublicationType UI="D016428">'
            f'Journal Article</PublicationType></PublicationTypeList></Article></MedlineCitation>'
            f'<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>'
            f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
            f'<ArticleId IdType="doi">10.5555/synth.{pmid}</ArticleId></ArticleIdList>'
            f'</PubmedData></PubmedArticle>')


def pubmed_set(pmids) -> bytes:
    body = "".join(synthetic_article(p) for p in pmids)
    return f'<?xml version="1.0" ?>\n{DOCTYPE}\n<PubmedArticleSet>{body}</PubmedArticleSet>\n'.encode()


def synthetic_efetch(missing=()):
    """An efetch handler returning a synthetic record for every asked PMID not in ``missing``."""
    missing = set(missing)

    def answer(request):
        ids = [i for value in request["params"].get("id", []) for i in value.split(",")]
        return 200, {"Content-Type": "text/xml"}, pubmed_set([i for i in ids if i not in missing])

    return answer


class ScriptedEutils:
    """Loopback server: ``queue(endpoint, reply...)`` then point a client at ``base_url``.

    A reply is ``(status, headers, body)`` or a function of the recorded
    request returning one.  Queued replies are used once each, in order; the
    ``default`` reply of an endpoint answers when its queue is empty.
    """

    def __init__(self):
        self.requests = []
        self.queues = {}
        self.defaults = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, method):
                parts = urlsplit(self.path)
                body = b""
                if method == "POST":
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = body.decode() if method == "POST" else parts.query
                request = {"method": method, "endpoint": parts.path.rsplit("/", 1)[-1],
                           "params": parse_qs(query, keep_blank_values=True), "raw": query}
                with fake._lock:
                    fake.requests.append(request)
                    queue = fake.queues.get(request["endpoint"], [])
                    reply = queue.pop(0) if queue else fake.defaults.get(request["endpoint"])
                if reply is None:
                    reply = (404, {"Content-Type": "text/plain"}, b"no such endpoint")
                if callable(reply):
                    reply = reply(request)
                status, headers, payload = reply
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (a timeout test)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/entrez/eutils/"

    def queue(self, endpoint, *replies):
        self.queues.setdefault(endpoint, []).extend(replies)

    def default(self, endpoint, reply):
        self.defaults[endpoint] = reply

    def count(self, endpoint=None) -> int:
        return sum(1 for r in self.requests if endpoint in (None, r["endpoint"]))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False


def client_without_waits(monkeypatch):
    """Make every EntrezClient the CLI creates skip its back-off sleeps and its throttle
    (retries stay fast: at 3 requests a second, the twelve tries that open the circuit
    breaker took four seconds).

    A subclass that passes ``sleep`` and ``rate`` through the constructor's own
    parameters, put where the CLI looks the class up, instead of patching the
    constructor's defaults.
    """
    import litgraph.entrez
    from litgraph.entrez import EntrezClient

    class ClientWithoutWaits(EntrezClient):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("sleep", lambda seconds: None)
            kwargs.setdefault("rate", 0)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(litgraph.entrez, "EntrezClient", ClientWithoutWaits)
    return ClientWithoutWaits
