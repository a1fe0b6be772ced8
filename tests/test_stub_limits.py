"""The E-utilities stand-in under abuse (rate limit, injected faults) and its synthetic corpus.

Split from test_stub.py; the same helpers, parsed with Bio.Entrez.read offline.
"""

import io
import json
import time

import pytest
import requests
from Bio import Entrez
from Bio.Entrez.Parser import CorruptedXMLError, NotXMLError

from litgraph.errors import InputError
from litgraph.stub.catalogue import Catalogue
from litgraph.stub.faults import parse_faults
from litgraph.stub.server import StandIn
from litgraph.stub.synthetic import SyntheticCorpus, synthetic_records


def parse(response):
    return Entrez.read(io.BytesIO(response.content))


def get(server, endpoint, **params):
    return requests.get(server.base_url + endpoint, params=params, timeout=10)


# ---------------------------------------------------------------- rate limit

def test_rate_limit_without_key_answers_429_json_after_three_per_second():
    with StandIn(rate_limit=3, faults="") as server:
        session = requests.Session()
        answers = [session.get(server.base_url + "esearch.fcgi", params={"db": "pubmed", "term": "kidney"},
                               timeout=10) for _ in range(5)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
        assert answers[0].headers["X-RateLimit-Limit"] == "3"
        refused = answers[3]
        assert refused.headers["Content-Type"] == "application/json"
        assert refused.headers["Retry-After"] == "1"
        assert refused.json() == {"error": "API rate limit exceeded", "api-key": "127.0.0.1",
                                  "count": "4", "limit": "3"}
        with pytest.raises(NotXMLError):
            parse(refused)
        assert server.stats() == {"esearch.fcgi": 5, "429": 2}
        time.sleep(1.05)  # the window slides: the next request is served again
        assert session.get(server.base_url + "esearch.fcgi", params={"db": "pubmed", "term": "kidney"},
                           timeout=10).status_code == 200


def test_rate_limit_with_api_key_is_ten_per_second_and_the_key_is_never_echoed():
    secret = "not-a-real-key-0123456789abcdef"
    with StandIn(rate_limit=3, faults="") as server:
        session = requests.Session()
        answers = [session.get(server.base_url + "efetch.fcgi",
                               params={"db": "pubmed", "id": "20090506", "api_key": secret}, timeout=10)
                   for _ in range(12)]
        assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
        assert answers[0].headers["X-RateLimit-Limit"] == "10"
        assert answers[10].json()["limit"] == "10"
        assert all(secret not in a.text and secret not in str(a.headers) for a in answers)
        assert secret not in json.dumps(server.stats())
        # the keyless budget of the same client is separate
        assert session.get(server.base_url + "efetch.fcgi", params={"db": "pubmed", "id": "20090506"},
                           timeout=10).status_code == 200


def test_api_key_unaware_stand_in_keeps_the_keyless_limit():
    with StandIn(rate_limit=3, faults="", api_key_aware=False) as server:
        session = requests.Session()
        codes = [session.get(server.base_url + "efetch.fcgi", params={"db": "pubmed", "id": "1", "api_key": "k"},
                             timeout=10).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


# ---------------------------------------------------------------- faults

def test_parse_faults_reads_rates_and_settings():
    faults = parse_faults("429=0.2,500=0.1,truncate=0.05,error=0.05,html=0.05,slow=0.05,timeout=0.01,seed=7")
    assert faults.rates == (("429", 0.2), ("500", 0.1), ("truncate", 0.05), ("error", 0.05), ("html", 0.05),
                            ("slow", 0.05), ("timeout", 0.01))
    assert (faults.seed, faults.slow_ms, faults.timeout_ms, faults.retry_after) == (7, 1500, 60000, 1)
    assert parse_faults("429=1,retry_after=0,timeout_ms=900").retry_after == 0
    assert parse_faults("") is None
    assert parse_faults("5xx=0.5").rates == (("500", 0.5),)


@pytest.mark.parametrize("spec, message", [
    ("429", "expected kind=rate"),
    ("boom=0.1", "unknown kind 'boom'"),
    ("429=1.5", "rate must be a number from 0 to 1"),
    ("429=0.6,500=0.6", "add up to more than 1"),
    ("seed=x", "seed must be a whole number"),
    ("retry_after=0.5", "retry_after must be a whole number"),
    ("later=1", r"unknown kind 'later' \(known: .*seed, slow_ms, timeout_ms, retry_after\)"),
])
def test_parse_faults_rejects_bad_specs(spec, message):
    with pytest.raises(InputError, match=message):
        parse_faults(spec)


def _statuses(server, count):
    session = requests.Session()
    outcomes = []
    for _ in range(count):
        response = session.get(server.base_url + "esearch.fcgi", params={"db": "pubmed", "term": "kidney"},
                               timeout=10)
        if response.status_code != 200:
            outcomes.append(str(response.status_code))
        elif response.headers["Content-Type"].startswith("text/html"):
            outcomes.append("html")
        elif "<ERROR>" in response.text:
            outcomes.append("error")
        elif not response.text.rstrip().endswith("</eSearchResult>"):
            outcomes.append("truncate")
        else:
            outcomes.append("ok")
    return outcomes


def test_faults_appear_at_their_rates_and_repeat_exactly_for_a_seed():
    spec = "429=0.2,500=0.1,503=0.05,truncate=0.1,error=0.1,html=0.05,seed=11"
    with StandIn(rate_limit=None, faults=spec) as first, StandIn(rate_limit=None, faults=spec) as second:
        outcomes = _statuses(first, 400)
        assert _statuses(second, 400) == outcomes
        stats = first.stats()
    counts = {kind: outcomes.count(kind) for kind in ("429", "500", "503", "truncate", "error", "html", "ok")}
    expected = {"429": 80, "500": 40, "503": 20, "truncate": 40, "error": 40, "html": 20, "ok": 160}
    for kind, mean in expected.items():
        assert abs(counts[kind] - mean) <= 4 * (mean ** 0.5) + 3, (kind, counts)
    assert stats["fault:truncate"] == counts["truncate"] and stats["esearch.fcgi"] == 400
    with StandIn(rate_limit=None, faults=spec.replace("seed=11", "seed=12")) as other:
        assert _statuses(other, 400) != outcomes


def test_a_drawn_429_asks_for_the_wait_its_spec_names():
    for spec, after in (("429=1", "1"), ("429=1,retry_after=0", "0"), ("429=1,retry_after=3", "3")):
        with StandIn(rate_limit=None, faults=spec) as server:
            refused = get(server, "efetch.fcgi", db="pubmed", id="20090506")
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, after)


def test_litgraph_stub_serves_with_its_latency_and_faults_until_stopped(tmp_path):
    # The command, as its own process (the other tests run the stand-in in theirs).
    from reliability_helpers import StubProcess

    with StubProcess(tmp_path, latency_ms=200) as stub:
        started = time.monotonic()
        answer = requests.get(stub.base_url + "efetch.fcgi", params={"db": "pubmed", "id": "20090506"},
                              timeout=10)
        assert time.monotonic() - started >= 0.2
        assert answer.status_code == 200 and answer.headers["X-Litgraph-Stand-In"]
        assert parse(answer)["PubmedArticle"][0]["MedlineCitation"]["PMID"] == "20090506"
        assert stub.stats()["efetch.fcgi"] == 1
    assert stub.process.poll() is not None  # stopped by SIGTERM
    with StubProcess(tmp_path, faults="429=1,retry_after=0") as stub:
        refused = requests.get(stub.base_url + "esearch.fcgi", params={"db": "pubmed", "term": "x"},
                               timeout=10)
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "0")


def test_each_fault_kind_breaks_parsing_the_way_ncbi_faults_do():
    def one(kind):
        with StandIn(rate_limit=None, faults=f"{kind}=1") as server:
            return get(server, "efetch.fcgi", db="pubmed", id="20090506")

    with pytest.raises(CorruptedXMLError):
        parse(one("truncate"))
    # efetch's eFetchResult <ERROR> names efetch.dtd, which Biopython 1.88 does not bundle (as with NCBI):
    # clients must look for <ERROR> in the raw bytes before parsing.
    assert b"<ERROR>Search Backend failed" in one("error").content
    with pytest.raises(NotXMLError):
        parse(one("html"))
    assert one("empty").content == b""
    assert one("502").status_code == 502


def test_slow_and_timeout_faults_delay_the_answer():
    with StandIn(rate_limit=None, faults="slow=1,slow_ms=300") as server:
        started = time.monotonic()
        assert get(server, "esearch.fcgi", db="pubmed", term="kidney").status_code == 200
        assert time.monotonic() - started >= 0.3
    with StandIn(rate_limit=None, faults="timeout=1,timeout_ms=2000") as server:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(server.base_url + "esearch.fcgi", params={"db": "pubmed", "term": "kidney"}, timeout=0.2)


def test_fault_spec_from_the_environment(monkeypatch):
    monkeypatch.setenv("LITGRAPH_STUB_FAULTS", "html=1")
    with StandIn(rate_limit=None) as server:
        assert get(server, "esearch.fcgi", db="pubmed", term="kidney").headers["Content-Type"].startswith("text/html")
    with StandIn(rate_limit=None, faults="") as server:  # an explicit empty spec wins
        assert get(server, "esearch.fcgi", db="pubmed", term="kidney").status_code == 200


# ---------------------------------------------------------------- synthetic corpus

def test_synthetic_corpus_is_deterministic_and_marked():
    first = list(synthetic_records(50, seed=3))
    assert first == list(synthetic_records(50, seed=3))
    assert first != list(synthetic_records(50, seed=4))
    assert all(r.synthetic and r.title.startswith(f"Synthetic record {i}") for i, r in enumerate(first, 1))
    assert [r.pmid for r in first[:2]] == ["900000001", "900000002"]
    assert first[9].doi == "10.5555/synthetic.10" and first[9].journal == "Synthetic Journal of Benchmarks"
    assert first[0].cites_pmids == ()
    assert all(len(r.cites_pmids) == min(10, i - 1) for i, r in enumerate(first, 1))
    assert all(int(c) < int(r.pmid) for r in first for c in r.cites_pmids)


def test_synthetic_citedin_is_the_reverse_of_refs():
    corpus = SyntheticCorpus(300, seed=1, refs_per_record=5)
    catalogue = Catalogue([], synthetic=corpus)
    pairs = {(r.pmid, c) for r in corpus.records() for c in r.cites_pmids}
    reverse = {(citing, cited) for cited in (r.pmid for r in corpus.records())
               for citing in catalogue.citedin(cited)}
    assert pairs == reverse and len(pairs) == sum(min(5, i - 1) for i in range(1, 301))


def test_synthetic_records_resolve_through_every_endpoint():
    with StandIn(rate_limit=None, faults="", synthetic=2000) as server:
        record = SyntheticCorpus(2000).record(1234)
        fetched = parse(get(server, "efetch.fcgi", db="pubmed", id=record.pmid))["PubmedArticle"][0]
        assert fetched["MedlineCitation"]["Article"]["ArticleTitle"] == record.title
        found = parse(get(server, "esearch.fcgi", db="pubmed", term=f'"{record.doi.upper()}"[aid]'))
        assert found["IdList"] == [record.pmid]
        line = get(server, "ecitmatch.cgi", db="pubmed",
                   bdata=f"synth j bench|{record.year}|{record.volume}|{record.first_page}||k|").text
        assert line == f"synth j bench|{record.year}|{record.volume}|{record.first_page}||k|{record.pmid}\n"
        refs = parse(get(server, "elink.fcgi", dbfrom="pubmed", linkname="pubmed_pubmed_refs", id=record.pmid))
        assert {link["Id"] for link in refs[0]["LinkSetDb"][0]["Link"]} == set(record.cites_pmids)
        by_title = parse(get(server, "esearch.fcgi", db="pubmed", term='"synthetic record 1234"[ti]'))
        assert by_title["IdList"] == [record.pmid]
        assert parse(get(server, "efetch.fcgi", db="pubmed", id="900002001")) == {
            "PubmedArticle": [], "PubmedBookArticle": []}
        # the fixture records are still served alongside
        assert parse(get(server, "esearch.fcgi", db="pubmed", term="20090506[pmid]"))["IdList"] == ["20090506"]
