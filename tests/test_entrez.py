"""The Entrez client: parsing, batching, throttle, retries, cache hygiene, key redaction.

Replies come from tests/fixtures/entrez-*.xml (NCBI's shapes; PMID 20090506
carries only the facts of extra-reference-facts.yaml, 9000000x are synthetic)
served by a scripted loopback server (tests/entrez_fake.py).
"""

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from entrez_fake import ScriptedEutils, synthetic_efetch

from litgraph.entrez import (CitationQuery, EntrezClient, Throttle, redact, reply_problem)
from litgraph.entrez.records import (PubmedRecord, normalise_title, parse_elink, parse_esummary,
                                     parse_pubmed)
from litgraph.errors import EntrezError, InputError

FIXTURES = Path(__file__).parent / "fixtures"
XML = {"Content-Type": "text/xml; charset=UTF-8"}
TEXT = {"Content-Type": "text/plain; charset=UTF-8"}
MIXED = (FIXTURES / "entrez-efetch-mixed.xml").read_bytes()
ESEARCH = (FIXTURES / "entrez-esearch-two.xml").read_bytes()
KEY = "k3y-SECRET-0123456789abcdef"
EMAIL = "curator@example.org"


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 4))
        self.now += seconds


@pytest.fixture
def eutils():
    with ScriptedEutils() as server:
        yield server


def client_for(server, tmp_path=None, **options):
    options.setdefault("rate", 0)
    options.setdefault("backoff", 0.5)
    sleeps = options.pop("sleeps", [])
    cache = tmp_path / "http-cache.sqlite" if tmp_path is not None else None
    return EntrezClient(server.base_url, cache_path=cache, sleep=sleeps.append, **options)


def cached_bodies(cache_file: Path) -> list:
    """Every reply body stored in the requests-cache SQLite file."""
    from requests_cache import CachedSession

    session = CachedSession(str(cache_file), backend="sqlite")
    bodies = [response.content for response in session.cache.responses.values()]
    session.close()
    return bodies


# ---------------------------------------------------------------- parsing

def test_parse_pubmed_reads_articles_and_books_faithfully():
    records = {r.pmid: r for r in parse_pubmed(MIXED)}
    assert records["20090506"] == PubmedRecord(
        pmid="20090506", doi="10.1097/pas.0b013e3181cad8c9", pmcid=None,
        title="Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases.",
        journal=None, journal_iso="Am J Surg Pathol", year=2010, volume="34", issue="2",
        pages="238-42", authors=["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"],
        publication_types=["Journal Article", "Multicenter Study"], language="eng",
        dois=["10.1097/pas.0b013e3181cad8c9"])
    synthetic = records["980000001"]
    assert synthetic.doi == "10.5555/synth.0001"  # only in PubmedData/ArticleIdList
    assert synthetic.pmcid == "PMC9000001"
    assert synthetic.year == 2019  # from MedlineDate "2019 May-Jun"
    assert synthetic.pages == "101-109"
    assert synthetic.authors == ["Tester A", "Synthetic Records Group"]
    assert synthetic.retracted is True
    assert synthetic.comments_corrections == [
        ("RetractionIn", "980000009", "Synth J Test. 2020;13:1"),
        ("ErratumIn", None, "Synth J Test. 2019;12:200")]
    assert synthetic.errata == ["Synth J Test. 2019;12:200"]
    assert synthetic.references == ["980000002"]  # the junk NOT_FOUND id is dropped
    book = records["980000003"]
    assert (book.is_book, book.book_title, book.title, book.year, book.authors, book.journal) == (
        True, "SynthPearls", "Synthetic Chapter On Test Records", 2024, ["Writer B"], None)


def test_normalise_title_ignores_markup_case_and_punctuation():
    assert normalise_title("A synthetic <i>record</i> whose DOI sits only in the ArticleIdList.") \
        == normalise_title("a synthetic record, whose DOI sits only in the articleidlist")
    assert normalise_title("Primary leiomyosarcoma") != normalise_title("Primary leiomyoma")
    assert normalise_title(None) == ""


def test_parse_elink_keeps_each_pmid_to_its_own_links():
    links = parse_elink((FIXTURES / "entrez-elink.xml").read_bytes(), "pubmed_pubmed_citedin")
    assert links == {"980000001": ["980000005", "980000004"], "980000002": []}
    assert parse_elink((FIXTURES / "entrez-elink.xml").read_bytes(), "pubmed_pubmed_refs") == {
        "980000001": [], "980000002": []}


def test_parse_esummary_keeps_good_summaries_beside_an_error():
    summaries = parse_esummary((FIXTURES / "entrez-esummary.xml").read_bytes())
    assert summaries == {"980000004": {
        "pmid": "980000004", "title": "A synthetic citing article.", "year": 2021,
        "journal": "Synth J Test", "authors": ["Citer C"], "doi": "10.5555/synth.0004",
        "publication_types": ["Journal Article"]}}


@pytest.mark.parametrize("status, body, content_type, problem", [
    (200, MIXED, "text/xml", None),
    (200, MIXED[:-30], "text/xml", "truncated XML"),
    (200, b"", "text/xml", "an empty reply"),
    (200, b"  \n", "text/xml", "an empty reply"),
    (200, b"<html><body>Service unavailable</body></html>", "text/html",
     "an HTML page instead of the expected reply"),
    (200, b'<?xml version="1.0"?>\n<eFetchResult><ERROR>Search Backend failed: Database is not '
          b'supported: pubmed</ERROR></eFetchResult>', "text/xml",
     "E-utilities error: Search Backend failed: Database is not supported: pubmed"),
    (200, b'{"error":"API rate limit exceeded","count":"11"}', "application/json",
     "HTTP 200 (rate limited)"),
    (200, b'{"esearchresult":{"count":"0"}}', "application/json", "not XML"),
    (429, b'{"error":"API rate limit exceeded"}', "application/json", "HTTP 429 (rate limited)"),
    (502, b"Bad gateway", "text/plain", "HTTP 502"),
])
def test_reply_problem_names_what_is_wrong(status, body, content_type, problem):
    assert reply_problem(status, body, content_type) == problem


def test_reply_problem_for_ecitmatch_text():
    assert reply_problem(200, b"science|1987|235|182|palmenberg ac|c1|3026048\n", "text/plain",
                         "text") is None
    assert reply_problem(200, b"Service temporarily unavailable\n", "text/plain", "text") \
        == "not ECitMatch text"


def test_redact_hides_key_and_email_in_urls():
    assert redact(f"https://x/efetch.fcgi?id=1&api_key={KEY}&email=a%40b.org&tool=litgraph") == \
        "https://x/efetch.fcgi?id=1&api_key=REDACTED&email=REDACTED&tool=litgraph"
    assert redact(f"failed for {KEY}", [KEY]) == "failed for REDACTED"


def test_client_rejects_bad_options():
    with pytest.raises(InputError, match="invalid E-utilities URL 'ftp://x'"):
        EntrezClient("ftp://x")
    with pytest.raises(InputError, match="at least 1"):
        EntrezClient("http://127.0.0.1:1/", batch_size=0)


# ---------------------------------------------------------------- efetch, batching

EMPTY_SET = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
             b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
             b'<PubmedArticleSet></PubmedArticleSet>\n')


def test_fetch_pubmed_compares_returned_pmids_with_those_asked(eutils):
    # A PMID left out of a batch is asked once more on its own before it counts as missing.
    eutils.queue("efetch.fcgi", (200, XML, MIXED), (200, XML, EMPTY_SET))
    with client_for(eutils) as client:
        result = client.fetch_pubmed(["20090506", "980000001", "980000003", "912345678"])
    assert sorted(result.records) == ["20090506", "980000001", "980000003"]
    assert result.missing == {"912345678"}
    assert result.failed == {}
    request, again = eutils.requests
    assert request["method"] == "GET"
    assert request["params"]["id"] == ["20090506,912345678,980000001,980000003"]
    assert request["params"]["db"] == ["pubmed"] and request["params"]["retmode"] == ["xml"]
    assert request["params"]["tool"] == ["litgraph"]
    assert again["params"]["id"] == ["912345678"]
    assert client.stats["network_requests"] == 2
    assert client.stats["by_endpoint"] == {"efetch.fcgi": 2}


def test_a_pmid_omitted_once_then_returned_is_not_missing_and_the_omission_is_not_final(
        eutils, tmp_path):
    eutils.queue("efetch.fcgi", (200, XML, MIXED))  # leaves 980000042 out without a word
    eutils.default("efetch.fcgi", synthetic_efetch())
    with client_for(eutils, tmp_path) as client:
        result = client.fetch_pubmed(["20090506", "980000001", "980000003", "980000042"])
    assert sorted(result.records) == ["20090506", "980000001", "980000003", "980000042"]
    assert result.missing == set()
    with client_for(eutils, tmp_path) as warm:  # the cached partial reply is not the last word
        again = warm.fetch_pubmed(["20090506", "980000001", "980000003", "980000042"])
    assert sorted(again.records) == sorted(result.records)
    assert eutils.requests[-1]["params"]["id"] == ["980000042"]


def test_the_client_knows_when_the_first_cached_reply_it_used_stops_being_reused(eutils,
                                                                                 tmp_path):
    # Records are reused from the cache for good; a "not found" for a day: a build that
    # relied on one must ask again once that day is over.
    from datetime import datetime, timedelta, timezone

    from litgraph.entrez import NOT_FOUND_SECONDS

    eutils.queue("efetch.fcgi", (200, XML, MIXED))
    with client_for(eutils, tmp_path) as client:
        client.fetch_pubmed(["20090506", "980000001", "980000003"])
        assert client.earliest_expiry is None
    eutils.queue("efetch.fcgi", (200, XML, MIXED), (200, XML, EMPTY_SET))
    asked = datetime.now(timezone.utc)
    with client_for(eutils, tmp_path) as client:
        client.fetch_pubmed(["20090506", "980000001", "980000003", "912345678"])
        day = timedelta(seconds=NOT_FOUND_SECONDS)
        assert asked + day - timedelta(minutes=1) < client.earliest_expiry
        assert client.earliest_expiry < datetime.now(timezone.utc) + day
    with client_for(eutils, tmp_path) as warm:  # the same day's answer, from the cache
        warm.fetch_pubmed(["20090506", "980000001", "980000003", "912345678"])
        assert warm.stats["cache_hits"] == 2 and warm.stats["network_requests"] == 0
        assert abs(warm.earliest_expiry - client.earliest_expiry) < timedelta(seconds=1)


def test_a_batch_pubmed_left_out_whole_is_asked_twice_and_the_second_answer_kept_a_day(
        eutils, tmp_path):
    # The second ask has the first's parameters: it is cached apart all the same, so it
    # reaches PubMed, and its "not found" is reused for a day only, the first reply's for good.
    from datetime import datetime, timedelta, timezone

    from litgraph.entrez import NOT_FOUND_SECONDS

    eutils.queue("efetch.fcgi", (200, XML, EMPTY_SET), (200, XML, EMPTY_SET))
    with client_for(eutils, tmp_path) as client:
        result = client.fetch_pubmed(["912345678"])
        assert result.missing == {"912345678"}
        assert len(eutils.requests) == 2  # asked twice
        day = timedelta(seconds=NOT_FOUND_SECONDS)
        assert datetime.now(timezone.utc) + day - client.earliest_expiry < timedelta(minutes=1)
    with client_for(eutils, tmp_path) as warm:  # within the day: both answers from the cache
        assert warm.fetch_pubmed(["912345678"]).missing == {"912345678"}
        assert warm.stats["cache_hits"] == 2 and len(eutils.requests) == 2


def test_fetch_pubmed_batches_250_pmids_into_two_requests_the_full_one_by_post(eutils):
    eutils.default("efetch.fcgi", synthetic_efetch())
    pmids = [str(930000000 + n) for n in range(250)]
    with client_for(eutils, batch_size=200) as client:
        result = client.fetch_pubmed(pmids + pmids[:10])  # duplicates are asked once
    assert sorted(result.records) == sorted(pmids)
    assert result.missing == set() and result.failed == {}
    # the two batches go out together (the pool): compare them in any order
    assert sorted((r["method"], len(r["params"]["id"][0].split(","))) for r in eutils.requests) == [
        ("GET", 50), ("POST", 200)]
    assert client.stats["by_endpoint"] == {"efetch.fcgi": 2}


def test_a_long_id_list_goes_by_post_even_under_200(eutils):
    eutils.default("efetch.fcgi", synthetic_efetch())
    pmids = [str(930000000 + n) for n in range(120)]  # ~1,300 encoded characters
    with client_for(eutils) as client:
        assert len(client.fetch_pubmed(pmids).records) == 120
    assert [r["method"] for r in eutils.requests] == ["POST"]


# ---------------------------------------------------------------- throttle

def test_throttle_spaces_requests_by_interval():
    fake = FakeClock()
    throttle = Throttle(clock=fake.clock, sleep=fake.sleep)
    waits = [throttle.wait(1 / 3) for _ in range(4)]
    assert waits[0] == 0.0
    assert [round(w, 4) for w in waits[1:]] == [0.3333, 0.3333, 0.3333]
    fake.now += 5  # idle time is not owed back
    assert throttle.wait(1 / 3) == 0.0
    assert throttle.wait(0) == 0.0


class ManualClock:
    """A clock that moves only when the test says: sleepers wait for it in real threads."""

    def __init__(self):
        self.now = 0.0
        self.moved = threading.Condition()

    def clock(self):
        return self.now

    def sleep(self, seconds):
        with self.moved:
            until = self.now + seconds
            assert self.moved.wait_for(lambda: self.now >= until, timeout=10)

    def advance(self, seconds):
        with self.moved:
            self.now += seconds
            self.moved.notify_all()


def test_requests_asked_ahead_take_only_the_slots_the_callers_own_leave_free():
    clock = ManualClock()
    throttle = Throttle(clock=clock.clock, sleep=clock.sleep)
    assert throttle.wait(1.0) == 0.0  # a slot taken: the next one opens at 1.0
    started = []

    def request(name, behind):
        queued = threading.Event()
        thread = threading.Thread(target=lambda: started.append(
            (name, throttle.wait(1.0, behind=behind, queued=queued.set))))
        thread.start()
        assert queued.wait(10)
        return thread

    # asked ahead first, then the caller's own: the caller's go first, each in arrival order
    threads = [request("ahead 1", True), request("ahead 2", True),
               request("own 1", False), request("own 2", False)]
    for slot in range(1, 5):
        clock.advance(1.0)
        for _ in range(1000):
            if len(started) == slot:
                break
            time.sleep(0.01)
    for thread in threads:
        thread.join(10)
    assert [name for name, _ in started] == ["own 1", "own 2", "ahead 1", "ahead 2"]
    assert [waited for _, waited in started] == [1.0, 2.0, 3.0, 4.0]


def test_client_rate_defaults_to_3_or_10_with_a_key_and_cache_hits_skip_the_throttle(eutils, tmp_path):
    assert EntrezClient(eutils.base_url).rate == 3.0
    assert EntrezClient(eutils.base_url, api_key=KEY).rate == 10.0
    fake = FakeClock()
    throttle = Throttle(clock=fake.clock, sleep=fake.sleep)
    eutils.default("efetch.fcgi", synthetic_efetch())
    with EntrezClient(eutils.base_url, cache_path=tmp_path / "c.sqlite", rate=None,
                      throttle=throttle) as client:
        for pmids in (["930000001"], ["930000002"], ["930000001"], ["930000002"], ["930000003"]):
            client.fetch_pubmed(pmids)
    assert eutils.count() == 3
    assert client.stats["network_requests"] == 3 and client.stats["cache_hits"] == 2
    assert fake.sleeps == [0.35, 0.35]  # 1.05/3 s apart: only network requests wait


# ---------------------------------------------------------------- retries and cache hygiene

def test_429_honours_retry_after_and_5xx_backs_off_exponentially(eutils, tmp_path):
    eutils.queue("efetch.fcgi",
                 (429, {"Content-Type": "application/json", "Retry-After": "2"},
                  b'{"error":"API rate limit exceeded","count":"4","limit":"3"}'),
                 (500, TEXT, b"Internal Server Error"),
                 (503, TEXT, b"Unable to route request! service name: /http/service/ratecontrol"),
                 (200, XML, MIXED))
    sleeps = []
    with client_for(eutils, tmp_path, sleeps=sleeps) as client:
        result = client.fetch_pubmed(["20090506"])
    assert list(result.records) == ["20090506"]
    assert sleeps == [2.0, 1.0, 2.0]  # Retry-After, then 0.5 * 2**(try-1)
    assert client.stats["retries"] == 3 and client.stats["failures"] == 0
    assert client.stats["network_requests"] == 4


@pytest.mark.parametrize("bad", [
    (200, XML, MIXED[: len(MIXED) // 2]),
    (200, {"Content-Type": "text/html"}, b"<html><h1 class='error'>Access Denied</h1></html>"),
    (200, XML, b'<?xml version="1.0"?>\n<eFetchResult><ERROR>Search Backend failed: Unable to open '
               b'connection</ERROR></eFetchResult>'),
    (200, XML, b""),
    (200, XML, b"Error occurred: not xml at all"),
], ids=["truncated", "html", "error-element", "empty", "not-xml"])
def test_unusable_200_replies_are_retried_and_never_cached(eutils, tmp_path, bad):
    eutils.queue("efetch.fcgi", bad, (200, XML, MIXED))
    with client_for(eutils, tmp_path) as client:
        assert sorted(client.fetch_pubmed(["20090506", "980000001"]).records) == [
            "20090506", "980000001"]
    assert client.stats["retries"] == 1
    bodies = cached_bodies(tmp_path / "http-cache.sqlite")
    assert bodies == [MIXED]
    with client_for(eutils, tmp_path) as warm:  # the good reply answers the next run
        assert sorted(warm.fetch_pubmed(["20090506", "980000001"]).records) == [
            "20090506", "980000001"]
    assert warm.stats["network_requests"] == 0 and warm.stats["cache_hits"] == 1


def test_after_the_last_try_the_batch_fails_with_a_reason_and_a_later_run_recovers(eutils, tmp_path):
    eutils.queue("efetch.fcgi", *[(503, TEXT, b"Service Unavailable")] * 3)
    sleeps = []
    with client_for(eutils, tmp_path, max_tries=3, sleeps=sleeps) as client:
        result = client.fetch_pubmed(["20090506", "980000001"])
    assert result.records == {} and result.missing == set()
    assert result.failed == {
        "20090506": "efetch.fcgi failed after 3 tries: HTTP 503",
        "980000001": "efetch.fcgi failed after 3 tries: HTTP 503"}
    assert sleeps == [0.5, 1.0]
    assert client.stats["failures"] == 1
    assert cached_bodies(tmp_path / "http-cache.sqlite") == []
    eutils.queue("efetch.fcgi", (200, XML, MIXED))
    with client_for(eutils, tmp_path, max_tries=3) as second:
        assert sorted(second.fetch_pubmed(["20090506", "980000001"]).records) == [
            "20090506", "980000001"]


def test_client_errors_are_not_retried(eutils):
    eutils.queue("esearch.fcgi", (400, TEXT, b"Bad Request"))
    sleeps = []
    with client_for(eutils, sleeps=sleeps) as client, \
            pytest.raises(EntrezError, match=r"^esearch.fcgi failed after 1 tries: HTTP 400$"):
        client.search('"10.5555/synth.0001"[aid]')
    assert sleeps == [] and eutils.count() == 1


def test_a_dead_server_is_a_network_error_after_bounded_tries(tmp_path):
    with ScriptedEutils() as gone:
        url = gone.base_url
    sleeps = []
    with EntrezClient(url, rate=0, max_tries=2, sleep=sleeps.append, timeout=2) as client:
        result = client.fetch_pubmed(["20090506"])
    assert result.failed == {"20090506": "efetch.fcgi failed after 2 tries: network error "
                                         "(ConnectionError)"}
    assert sleeps == [0.5]


def test_refresh_bypasses_the_cache_and_stores_the_new_reply(eutils, tmp_path):
    eutils.default("efetch.fcgi", synthetic_efetch())
    with client_for(eutils, tmp_path) as client:
        client.fetch_pubmed(["930000001"])
        client.fetch_pubmed(["930000001"])
        assert eutils.count() == 1
        client.fetch_pubmed(["930000001"], refresh=True)
        assert eutils.count() == 2
        assert client.stats == {"network_requests": 2, "cache_hits": 1,
                                "by_endpoint": {"efetch.fcgi": 2}, "retries": 0, "failures": 0}


def test_records_fetched_once_are_handed_out_once_more_without_asking_again(eutils, tmp_path):
    """The graph stage asks for the records resolve fetched, in batches of its own: those
    are handed out from memory, once; only the PMIDs never fetched are asked for."""
    eutils.default("efetch.fcgi", synthetic_efetch())

    def asked():
        return [sorted(i for value in r["params"].get("id", []) for i in value.split(","))
                for r in eutils.requests]

    with client_for(eutils, tmp_path) as client:
        first = client.fetch_pubmed(["930000001", "930000002"])
        client.fetch_pubmed(["930000003"])
        again = client.fetch_pubmed(["930000002", "930000003", "930000004"])
        assert asked() == [["930000001", "930000002"], ["930000003"], ["930000004"]]
        assert again.records["930000002"] is first.records["930000002"]
        assert sorted(again.records) == ["930000002", "930000003", "930000004"]
        client.fetch_pubmed(["930000002"])  # handed out already: asked again
        client.fetch_pubmed(["930000001"], refresh=True)  # a refresh always asks
        client.fetch_pubmed(["930000004"], refresh={"930000004"})
        assert asked()[3:] == [["930000002"], ["930000001"], ["930000004"]]


# ---------------------------------------------------------------- esearch, ecitmatch, elink, esummary

def test_search_dois_ors_every_doi_into_one_quoted_term(eutils):
    eutils.queue("esearch.fcgi", (200, XML, ESEARCH))
    with client_for(eutils) as client:
        pmids = client.search_dois(["10.5555/synth.0001", "10.1016/s0140-6736(16)30587-6"])
    assert pmids == ["20090506", "980000001"]
    (request,) = eutils.requests
    assert request["params"]["term"] == [
        '("10.5555/synth.0001"[aid]) OR ("10.1016/s0140-6736(16)30587-6"[aid])']
    assert request["params"]["db"] == ["pubmed"]


def test_search_ids_ors_batch_esearch_terms_per_request_within_esearchs_retmax(eutils):
    eutils.default("esearch.fcgi", (200, XML, ESEARCH))
    terms = [f'"10.5555/synth.{n:04d}"[aid]' for n in range(60)]
    with client_for(eutils, batch_sizes="esearch=60") as client:
        assert client.search_ids(terms, per_term=2) == ["20090506", "980000001"]
    assert eutils.count("esearch.fcgi") == 1
    assert eutils.requests[0]["method"] == "POST"  # a 1,900-character term goes by POST
    assert eutils.requests[0]["params"]["retmax"] == ["140"]  # 2 per term, plus 20
    with client_for(eutils, batch_sizes="esearch=16") as client:
        client.search_ids(terms, per_term=2)
    assert eutils.count("esearch.fcgi") == 1 + 4  # 16, 16, 16 and 12 terms
    assert sorted(len(r["params"]["term"][0].split(" OR ")) for r in eutils.requests[1:]) == [
        12, 16, 16, 16]
    with client_for(eutils, batch_sizes="esearch=10000") as client:
        client.search_ids([f"t{n}[ti]" for n in range(2500)], per_term=5)
    # at 5 IDs per term, 1,996 terms is what esearch's 10,000 IDs can answer in one request
    assert sorted(len(r["params"]["term"][0].split(" OR ")) for r in eutils.requests[5:]) == [
        504, 1996]


def test_citation_match_maps_lines_back_by_key_not_position(eutils):
    reply = (b"am j surg pathol|2010|34|238|miller js|c1|20090506\n"
             b"synth j test|2019|12|999|nobody x|c3|AMBIGUOUS 980000001,980000002\n"
             b"no such journal|2001|1|1|someone a|c2|NOT_FOUND;INVALID_JOURNAL\n")
    eutils.queue("ecitmatch.cgi", (200, TEXT, reply))
    citations = [
        CitationQuery("miller-2010", "Am J Surg Pathol", 2010, "34", "238", "Miller JS"),
        CitationQuery("nowhere", "No Such Journal", 2001, "1", "1", "Someone A"),
        CitationQuery("ambiguous|key", "Synth J Test", 2019, "12", "999", "Nobody X"),
        CitationQuery("silent", "Synth J Test", 2019, "12", "5", "Quiet Q"),
    ]
    with client_for(eutils) as client:
        answers = client.citation_match(citations)
    assert answers == {"miller-2010": "20090506", "nowhere": "NOT_FOUND;INVALID_JOURNAL",
                       "ambiguous|key": "AMBIGUOUS 980000001,980000002", "silent": "no answer"}
    (request,) = eutils.requests
    assert request["params"]["bdata"] == [
        "am j surg pathol|2010|34|238|miller js|c1|\rno such journal|2001|1|1|someone a|c2|\r"
        "synth j test|2019|12|999|nobody x|c3|\rsynth j test|2019|12|5|quiet q|c4|"]
    assert client.citation_match([]) == {}
    assert eutils.count() == 1


def test_a_citation_match_cut_mid_line_is_asked_again_never_read_as_a_shorter_pmid(eutils):
    """Half an ECitMatch reply still looks like ECitMatch text: its last line ends without a
    line end, and its PMID may be cut ("20090506" read as "200905")."""
    whole = (b"synth j test|2019|12|999|nobody x|c2|NOT_FOUND\n"
             b"am j surg pathol|2010|34|238|miller js|c1|20090506\n")
    eutils.queue("ecitmatch.cgi", (200, TEXT, whole[:-3]), (200, TEXT, whole))
    citations = [CitationQuery("miller-2010", "Am J Surg Pathol", 2010, "34", "238", "Miller JS"),
                 CitationQuery("other", "Synth J Test", 2019, "12", "999", "Nobody X")]
    with client_for(eutils) as client:
        assert client.citation_match(citations) == {"miller-2010": "20090506",
                                                    "other": "NOT_FOUND"}
        assert client.stats["retries"] == 1
    assert eutils.count("ecitmatch.cgi") == 2


def test_elink_sends_one_id_parameter_per_pmid(eutils):
    eutils.queue("elink.fcgi", (200, XML, (FIXTURES / "entrez-elink.xml").read_bytes()))
    with client_for(eutils) as client:
        links = client.elink(["980000002", "980000001"], "pubmed_pubmed_citedin")
    assert links == {"980000001": ["980000005", "980000004"], "980000002": []}
    (request,) = eutils.requests
    assert request["params"]["id"] == ["980000001", "980000002"]
    assert request["params"]["linkname"] == ["pubmed_pubmed_citedin"]
    assert request["params"]["dbfrom"] == ["pubmed"] and request["params"]["db"] == ["pubmed"]


def test_summaries_returns_minimal_metadata(eutils):
    eutils.queue("esummary.fcgi", (200, XML, (FIXTURES / "entrez-esummary.xml").read_bytes()))
    with client_for(eutils) as client:
        summaries = client.summaries(["980000004", "989999999"])
    assert list(summaries) == ["980000004"]
    assert summaries["980000004"]["title"] == "A synthetic citing article."


# ---------------------------------------------------------------- the API key stays secret

def test_api_key_and_email_are_sent_but_never_cached_or_logged(eutils, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="litgraph")
    eutils.queue("efetch.fcgi", (500, TEXT, b"oops"), (200, XML, MIXED))
    eutils.default("esearch.fcgi", (200, XML, ESEARCH))
    many = [f'"10.5555/synth.{n:04d}"[aid]' for n in range(60)]
    with client_for(eutils, tmp_path, api_key=KEY, email=EMAIL) as client:
        client.fetch_pubmed(["20090506"])
        client.search_ids(many)  # by POST: the key is in the form body
        client.search('"10.5555/synth.0001"[aid]')  # by GET: the key is in the URL
    assert {r["method"] for r in eutils.requests} == {"GET", "POST"}
    assert all(r["params"]["api_key"] == [KEY] and r["params"]["email"] == [EMAIL]
               for r in eutils.requests)
    raw = (tmp_path / "http-cache.sqlite").read_bytes()
    assert KEY.encode() not in raw and EMAIL.encode() not in raw
    assert b"curator%40example.org" not in raw
    rows = sqlite3.connect(tmp_path / "http-cache.sqlite").execute(
        "select count(*) from responses").fetchone()
    assert rows == (3,)
    assert "efetch.fcgi: HTTP 500; retry 1 of 5" in caplog.text
    assert KEY not in caplog.text and EMAIL not in caplog.text
    # the key is not part of the cache key: a client without it reuses the replies
    with client_for(eutils, tmp_path) as keyless:
        keyless.fetch_pubmed(["20090506"])
        keyless.search_ids(many)
    assert keyless.stats["network_requests"] == 0 and keyless.stats["cache_hits"] == 2


def test_a_reply_slower_than_the_timeout_is_retried(eutils):
    import time as clock

    def slow(request):
        clock.sleep(0.6)
        return 200, XML, MIXED

    eutils.queue("efetch.fcgi", slow, (200, XML, MIXED))
    sleeps = []
    with client_for(eutils, timeout=0.2, sleeps=sleeps) as client:
        assert sorted(client.fetch_pubmed(["20090506"]).records) == ["20090506"]
    assert sleeps == [0.5] and client.stats["retries"] == 1


def test_a_2026_pubmed_doctype_parses_with_the_newest_bundled_dtd_and_downloads_nothing():
    newer = MIXED.replace(b"1st January 2025", b"1st January 2026").replace(
        b"pubmed_250101.dtd", b"pubmed_260101.dtd")
    assert b"pubmed_260101.dtd" in newer
    assert [r.pmid for r in parse_pubmed(newer)] == ["980000001", "20090506", "980000003"]


def test_an_overflowing_or_search_is_split_rather_than_truncated(eutils):
    def esearch(request):
        term = request["params"]["term"][0]
        if term.count(" OR ") == 2:  # all three: the broad term crowds the answer
            ids, count = [str(940000000 + n) for n in range(35)], 500
        elif "broad" in term:
            ids, count = ["940000001"], 1 if term.count(" OR ") == 0 else 500
        else:
            ids, count = ["20090506", "980000001"], 2
        body = ("<?xml version=\"1.0\" ?>\n<!DOCTYPE eSearchResult PUBLIC \"-//NLM//DTD esearch "
                "20060628//EN\" \"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd\">"
                f"<eSearchResult><Count>{count}</Count><RetMax>{len(ids)}</RetMax><RetStart>0"
                "</RetStart><IdList>" + "".join(f"<Id>{i}</Id>" for i in ids) +
                "</IdList><TranslationSet/><QueryTranslation>x</QueryTranslation></eSearchResult>")
        return 200, XML, body.encode()

    eutils.default("esearch.fcgi", esearch)
    with client_for(eutils) as client:
        found = client.search_ids(["broad[ti]", "narrow one[ti]", "narrow two[ti]"])
    assert [r["params"]["term"][0] for r in eutils.requests] == [
        "(broad[ti]) OR (narrow one[ti]) OR (narrow two[ti])",
        "(broad[ti])",
        "(narrow one[ti]) OR (narrow two[ti])"]
    assert found == ["940000001", "20090506", "980000001"]


def test_a_redirect_is_not_followed_so_the_key_never_reaches_the_cache(tmp_path):
    """A redirect hop would carry api_key on, and requests-cache keeps hops unredacted."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from litgraph.stub.server import StandIn

    with StandIn(rate_limit=None) as stand_in:
        class Redirect(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(301)
                self.send_header("Location", stand_in.base_url.rstrip("/") + self.path[len("/old"):])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            base = f"http://127.0.0.1:{server.server_port}/old/entrez/eutils/"
            cache = tmp_path / "cache.sqlite"
            with EntrezClient(base, cache_path=cache, api_key="SECRET-KEY-123", rate=0,
                              max_tries=2, sleep=lambda s: None) as client:
                result = client.fetch_pubmed(["20090506"])
        finally:
            server.shutdown()
    assert not result.records
    assert "redirect, not followed" in result.failed["20090506"]
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"SECRET-KEY-123" not in stored


@pytest.mark.parametrize("url", ["http://eutils.ncbi.nlm.nih.gov/entrez/eutils/",
                                 "http://10.0.0.5:8002/entrez/eutils/"])
def test_plain_http_to_another_machine_is_refused(url):
    with pytest.raises(InputError, match="unencrypted"):
        EntrezClient(url)


def test_default_batch_sizes_give_one_post_per_5000_pmids_of_efetch_and_10000_of_each_link_name(
        eutils):
    from litgraph.entrez import BatchSizes

    def linksets(request):
        ids = request["params"]["id"]
        body = "".join(f"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>{i}</Id></IdList></LinkSet>"
                       for i in ids)
        return 200, XML, f"<?xml version='1.0'?><eLinkResult>{body}</eLinkResult>".encode()

    eutils.default("efetch.fcgi", synthetic_efetch())
    eutils.default("elink.fcgi", linksets)
    pmids = [str(900000001 + n) for n in range(12000)]
    with client_for(eutils) as client:
        assert client.batch_sizes == BatchSizes(efetch=5000, elink=10000, esummary=500,
                                                esearch=5000)
        assert len(client.fetch_pubmed(pmids).records) == 12000
        found = client.links(pmids, ("pubmed_pubmed_refs", "pubmed_pubmed_citedin"))
    assert {name: len(by_pmid) for name, by_pmid in found.items()} == {
        "pubmed_pubmed_refs": 12000, "pubmed_pubmed_citedin": 12000}
    sizes = sorted((r["endpoint"], r["method"], len(r["params"]["id"][0].split(","))
                    if r["endpoint"] == "efetch.fcgi" else len(r["params"]["id"]))
                   for r in eutils.requests)
    assert sizes == [("efetch.fcgi", "POST", 2000), ("efetch.fcgi", "POST", 5000),
                     ("efetch.fcgi", "POST", 5000), ("elink.fcgi", "POST", 2000),
                     ("elink.fcgi", "POST", 2000), ("elink.fcgi", "POST", 10000),
                     ("elink.fcgi", "POST", 10000)]


def _linked_by_rule(request):
    """elink, one LinkSet per ``id=``: PMID n cites n + 1 (refs) and is cited by n + 2."""
    name = request["params"]["linkname"][0]
    step = 1 if name.endswith("_refs") else 2
    body = "".join(
        f"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>{i}</Id></IdList><LinkSetDb><DbTo>pubmed"
        f"</DbTo><LinkName>{name}</LinkName><Link><Id>{int(i) + step}</Id></Link></LinkSetDb>"
        f"</LinkSet>" for i in request["params"]["id"])
    return 200, XML, f"<?xml version='1.0'?><eLinkResult>{body}</eLinkResult>".encode()


def test_links_asked_ahead_are_taken_and_only_the_other_pmids_asked(eutils):
    names = ("pubmed_pubmed_refs", "pubmed_pubmed_citedin")
    eutils.default("elink.fcgi", _linked_by_rule)
    pmids = [str(900000001 + n) for n in range(30)]

    def asked():
        return sorted((r["params"]["linkname"][0], tuple(r["params"]["id"])) for r in eutils.requests)

    with client_for(eutils) as client:
        client.links_ahead(pmids[:20], names)
        found = client.links(pmids[5:25], names)  # 15 answered ahead, 5 asked now
        assert asked() == sorted([(name, tuple(pmids[:20])) for name in names]
                                 + [(name, tuple(pmids[20:25])) for name in names])
        assert found == {"pubmed_pubmed_refs": {p: [str(int(p) + 1)] for p in pmids[5:25]},
                         "pubmed_pubmed_citedin": {p: [str(int(p) + 2)] for p in pmids[5:25]}}
        assert list(found["pubmed_pubmed_refs"]) == pmids[5:25]  # the order of asking anew
        eutils.requests.clear()
        client.links(pmids[:3], names[:1])  # answers ahead are taken once: asked again
        assert asked() == [(names[0], tuple(pmids[:3]))]


def test_links_asked_ahead_go_out_after_the_fetch_that_follows_them(eutils):
    """elink asked ahead waits for the caller's next request, then yields it the throttle:
    efetch's batches, the largest replies, start first and are read while elink's travel."""
    eutils.default("elink.fcgi", _linked_by_rule)
    eutils.default("efetch.fcgi", synthetic_efetch())
    pmids = [str(900000001 + n) for n in range(4)]
    with client_for(eutils, rate=5, throttle=Throttle(), batch_sizes="efetch=2") as client:
        client.links_ahead(pmids, ("pubmed_pubmed_refs", "pubmed_pubmed_citedin"))
        assert len(client.fetch_pubmed(pmids).records) == 4
        client.settle_ahead()
    assert [r["endpoint"] for r in eutils.requests] == ["efetch.fcgi"] * 2 + ["elink.fcgi"] * 2


def test_links_asked_ahead_of_a_fetch_that_sends_nothing_still_go_out(eutils, tmp_path):
    eutils.default("elink.fcgi", _linked_by_rule)
    eutils.default("efetch.fcgi", synthetic_efetch())
    pmids = ["900000001", "900000002"]
    with client_for(eutils, tmp_path) as client:
        client.fetch_pubmed(pmids)
    eutils.requests.clear()
    with client_for(eutils, tmp_path) as client:  # the same fetch again: all from the cache
        client.links_ahead(pmids, ["pubmed_pubmed_refs"])
        assert len(client.fetch_pubmed(pmids).records) == 2
        for _ in range(1000):  # let go when the fetch ended, not when links are asked for
            if eutils.count("elink.fcgi"):
                break
            time.sleep(0.01)
        assert eutils.count("elink.fcgi") == 1 and eutils.count("efetch.fcgi") == 0
        assert client.links(pmids, ["pubmed_pubmed_refs"])["pubmed_pubmed_refs"] == {
            "900000001": ["900000002"], "900000002": ["900000003"]}
    assert eutils.count("elink.fcgi") == 1


def test_links_asked_ahead_that_the_cache_holds_are_read_only_when_asked_for(
        eutils, tmp_path, monkeypatch):
    """A cached reply has no latency to save: asked ahead, it is left unread (a build whose
    graph is kept as it was never needs it); ``links`` reads it from the cache when asked."""
    import litgraph.entrez as entrez

    eutils.default("elink.fcgi", _linked_by_rule)
    pmids = ["900000001", "900000002"]
    with client_for(eutils, tmp_path) as client:
        first = client.links(pmids, ["pubmed_pubmed_refs"])
    read = []

    def counted(*args, **kwargs):
        read.append(kwargs.get("linkname"))
        return parse_elink(*args, **kwargs)

    monkeypatch.setattr(entrez, "parse_elink", counted)
    with client_for(eutils, tmp_path) as client:
        client.links_ahead(pmids, ["pubmed_pubmed_refs"])
        client.settle_ahead()
        assert read == [] and client.stats["cache_hits"] == 1
        assert client.links(pmids, ["pubmed_pubmed_refs"]) == first
        assert read == ["pubmed_pubmed_refs"]
    assert eutils.count("elink.fcgi") == 1  # the first client's request, and no other


def test_an_answer_ahead_that_failed_is_asked_again_and_its_failure_raised_there(eutils):
    eutils.queue("elink.fcgi", *[(500, TEXT, b"busy")] * 6)  # every try of the ahead request
    eutils.default("elink.fcgi", _linked_by_rule)
    pmids = ["900000001", "900000002"]
    with client_for(eutils, max_tries=6) as client:
        client.links_ahead(pmids, ["pubmed_pubmed_refs"])
        assert client.links(pmids, ["pubmed_pubmed_refs"]) == {
            "pubmed_pubmed_refs": {"900000001": ["900000002"], "900000002": ["900000003"]}}
    assert eutils.count("elink.fcgi") == 7
    eutils.queue("elink.fcgi", *[(500, TEXT, b"busy")] * 12)
    with client_for(eutils, max_tries=6) as client:
        client.links_ahead(pmids, ["pubmed_pubmed_refs"])
        with pytest.raises(EntrezError, match="elink.fcgi failed after 6 tries"):
            client.links(pmids, ["pubmed_pubmed_refs"])


def _ids_asked(request):
    return [i for value in request["params"]["id"] for i in value.split(",")]


def test_whole_batches_fetched_ahead_cost_no_request_more_and_give_the_same_records(eutils):
    """fetch_ahead sends only the PMIDs that fill whole batches, at once; fetch_pubmed takes
    their records and fetches the rest with the PMIDs it adds: as many requests as one fetch
    of everything, and the same records."""
    eutils.default("efetch.fcgi", synthetic_efetch(missing={"900000102"}))
    stated = [str(900000001 + n) for n in range(5)]
    found_later = [str(900000101 + n) for n in range(3)]
    with client_for(eutils, batch_sizes="efetch=2") as client:
        client.fetch_ahead(stated)
        for _ in range(500):  # sent in the background, before anything asks for the records
            if eutils.count("efetch.fcgi") == 2:
                break
            time.sleep(0.01)
        assert sorted(i for r in eutils.requests for i in _ids_asked(r)) == stated[:4]
        result = client.fetch_pubmed(stated + found_later)
    # 8 PMIDs in batches of 2: 4 requests, and one more for the PMID left out (asked again)
    assert eutils.count("efetch.fcgi") == 5
    assert sorted(result.records) == sorted(set(stated + found_later) - {"900000102"})
    assert result.missing == {"900000102"} and not result.failed
    eutils.requests.clear()
    with client_for(eutils, batch_sizes="efetch=2") as client:  # the same without ahead
        alone = client.fetch_pubmed(stated + found_later)
    assert eutils.count("efetch.fcgi") == 5
    def fields(records):  # when each reply was fetched differs between the two fetches
        assert all(r.fetched_at for r in records.values())
        return {p: {**vars(r), "fetched_at": None} for p, r in records.items()}

    assert fields(alone.records) == fields(result.records)


def test_a_batch_fetched_ahead_that_failed_is_reported_as_failed(eutils):
    answer = synthetic_efetch()
    eutils.default("efetch.fcgi", lambda request: (400, TEXT, b"bad request")
                   if "900000001" in _ids_asked(request) else answer(request))
    with client_for(eutils, batch_sizes="efetch=2") as client:
        client.fetch_ahead(["900000001", "900000002", "900000003"])
        result = client.fetch_pubmed(["900000001", "900000002", "900000003"])
    assert set(result.failed) == {"900000001", "900000002"} == result.permanent
    assert "400" in result.failed["900000001"]
    assert list(result.records) == ["900000003"]


def test_batch_sizes_are_checked_against_ncbis_ceiling_and_named_when_wrong():
    from litgraph.entrez import BatchSizes

    assert BatchSizes.parse({"elink": "200"}).elink == 200
    assert BatchSizes.parse(None) == BatchSizes()
    for spec, message in (("efetch=0", "expected 1 to 10000"), ("efetch=10001", "expected 1 to"),
                          ("elinks=5", "unknown batch size 'elinks'"), ("efetch=x", "efetch=x")):
        with pytest.raises(InputError, match=message):
            EntrezClient("http://127.0.0.1:9/", batch_sizes=spec)
