"""The E-utilities transport: overlap within the rate, cache per service, credentials, outages.

Also the CLI's own work: a rebuild after a cold build asks nothing, references.yaml
is rewritten only when its content changes, and its fast reader agrees with ruamel.
"""

import base64
import shutil
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph.cli import cli
from litgraph.entrez import CircuitBreaker, EntrezClient, Throttle
from litgraph.errors import EntrezError, InputError
from litgraph.stub.server import StandIn

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """A clock that only moves when someone sleeps: the throttle's view of time."""

    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def clock(self):
        with self.lock:
            return self.now

    def sleep(self, seconds):
        with self.lock:
            self.now += max(seconds, 0)


# ---------------------------------------------------------------- overlap within the rate

def test_k_requests_overlap_but_starts_never_exceed_the_rate():
    # The throttle runs on a fake clock (no timed assertion); the stand-in's latency keeps
    # each request in flight long enough for the pool to overlap them.
    fake = FakeClock()
    starts, in_flight, most = [], [0], [0]
    lock = threading.Lock()
    with StandIn(rate_limit=None, latency_ms=150, synthetic=400) as stand_in:
        client = EntrezClient(stand_in.base_url, rate=10, concurrency=4, batch_size=25,
                              throttle=Throttle(clock=fake.clock, sleep=fake.sleep))
        wait_and_count = client._before_network
        adapter = client.session.get_adapter(stand_in.base_url)
        send = adapter.send

        def started(request):
            wait_and_count(request)  # waits for the throttle (fake time), then counts
            with lock:
                starts.append(fake.clock())
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])

        def send_and_finish(request, **kwargs):
            try:
                return send(request, **kwargs)
            finally:
                with lock:
                    in_flight[0] -= 1

        client._before_network = started
        adapter.send = send_and_finish
        result = client.fetch_pubmed([str(900000001 + i) for i in range(200)])
        client.close()
        served = stand_in.stats()
    assert len(result.records) == 200 and served == {"efetch.fcgi": 8}
    assert len(starts) == 8
    assert most[0] >= 2, "the pool never had two requests in flight"
    starts.sort()
    interval = 1.05 / 10
    assert all(b - a >= interval - 1e-9 for a, b in zip(starts, starts[1:])), starts
    # never more than 10 starts in any one-second window
    assert all(starts[i + 10] - starts[i] >= 1.0 for i in range(len(starts) - 10))


# ---------------------------------------------------------------- the cache belongs to a service

def test_a_cache_entry_from_one_service_is_not_reused_for_another(tmp_path):
    cache = tmp_path / "cache.sqlite"
    pmids = ["900000001", "900000002"]
    with StandIn(rate_limit=None, synthetic=5) as first, \
            StandIn(rate_limit=None, synthetic=5) as second:
        with EntrezClient(first.base_url, cache_path=cache, rate=0) as client:
            assert len(client.fetch_pubmed(pmids).records) == 2
        with EntrezClient(second.base_url, cache_path=cache, rate=0) as client:
            client.fetch_pubmed(pmids)
            assert client.stats["network_requests"] == 1  # another server: asked again
        with EntrezClient(first.base_url, cache_path=cache, rate=0) as client:
            client.fetch_pubmed(pmids)
            assert client.stats["network_requests"] == 0  # its own entries still answer
        # a named service (the --offline stand-in) shares entries across ports, only by name
        with EntrezClient(first.base_url, cache_path=cache, rate=0, service="fixtures") as client:
            client.fetch_pubmed(pmids)
            assert client.stats["network_requests"] == 1
        with EntrezClient(second.base_url, cache_path=cache, rate=0, service="fixtures") as client:
            client.fetch_pubmed(pmids)
            assert client.stats["network_requests"] == 0
        assert first.stats() == {"efetch.fcgi": 2} and second.stats() == {"efetch.fcgi": 1}


def test_fetched_at_is_the_replys_date_so_a_rebuild_from_the_cache_never_moves_it(tmp_path):
    """requests-cache stamps a fresh reply and its stored copy by two clock readings that can
    straddle a second; the reply's own Date header is stored with it and cannot."""
    from types import SimpleNamespace

    from litgraph.entrez.transport import Transport

    straddling = SimpleNamespace(headers={"Date": "Sun, 06 Dec 2026 08:00:59 GMT"},
                                 created_at=datetime(2026, 12, 6, 8, 1, 0, 2))
    assert Transport._fetched_at(straddling) == "2026-12-06T08:00:59+00:00"
    undated = SimpleNamespace(headers={"Date": "not a date"}, created_at=datetime(2026, 12, 6, 8, 1, 0, 2))
    assert Transport._fetched_at(undated) == "2026-12-06T08:01:00+00:00"

    cache = tmp_path / "cache.sqlite"
    with StandIn(rate_limit=None, synthetic=3) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            fresh = client.fetch_pubmed(["900000001"]).records["900000001"].fetched_at
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            cached = client.fetch_pubmed(["900000001"]).records["900000001"].fetched_at
            assert client.stats["network_requests"] == 0
    assert fresh == cached and fresh.endswith("+00:00")


def test_a_pmid_left_out_is_asked_again_and_its_not_found_expires(tmp_path):
    cache = tmp_path / "cache.sqlite"
    with StandIn(rate_limit=None, synthetic=3) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            result = client.fetch_pubmed(["900000001", "900000999"])
        assert result.missing == {"900000999"} and stand_in.stats() == {"efetch.fcgi": 2}
    rows = sqlite3.connect(cache).execute("SELECT expires FROM responses").fetchall()
    assert sorted(r[0] is None for r in rows) == [False, True]  # the "not found" answer expires


# ---------------------------------------------------------------- credentials

def test_credentials_in_the_url_are_stripped_sent_and_never_stored_or_logged(tmp_path, caplog):
    caplog.set_level("DEBUG")
    password, key = "s3cret-pw-77", "URL-KEY-4242"
    with StandIn(rate_limit=None, synthetic=5) as stand_in:
        url = stand_in.base_url.replace("http://", f"http://ann:{password}@") + f"?api_key={key}"
        with EntrezClient(url, cache_path=tmp_path / "cache.sqlite", rate=0) as client:
            assert client.base_url == stand_in.base_url
            assert client.api_key == key and client.auth == ("ann", password)
            assert len(client.fetch_pubmed(["900000001"]).records) == 1
    raw = (tmp_path / "cache.sqlite").read_bytes()
    basic = base64.b64encode(f"ann:{password}".encode())
    for secret in (password.encode(), key.encode(), basic):
        assert secret not in raw
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("litgraph"))
    assert "api_key=REDACTED" in ours  # litgraph logs every request, the key blanked
    assert password not in caplog.text  # urllib3's own lines carry the key: the CLI's
    assert key not in ours              # log filter blanks it (the next test)


def test_credentials_never_reach_the_database_or_the_output(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(ROOT / "references.yaml", project / "references.yaml")
    shutil.copytree(ROOT / "documents", project / "documents")
    with StandIn(rate_limit=None) as stand_in:
        url = stand_in.base_url.replace("http://", "http://ann:pw-9x9x9@") + "?api_key=KEY-7x7x7"
        result = CliRunner().invoke(cli, ["resolve", "-vv", "--db", str(project / "db.sqlite"),
                                          "--references", str(project / "references.yaml"),
                                          "--eutils-url", url])
    assert result.exit_code == 0, result.output
    for path in (project / "db.sqlite", project / "http-cache.sqlite"):
        data = path.read_bytes()
        assert b"pw-9x9x9" not in data and b"KEY-7x7x7" not in data, path
    assert "pw-9x9x9" not in result.output and "KEY-7x7x7" not in result.output


def test_an_empty_eutils_url_is_refused():
    result = CliRunner().invoke(cli, ["resolve", "--eutils-url", ""])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --eutils-url is empty: give http(s)://.../eutils/, or leave the option out for "
        "NCBI's"]
    with pytest.raises(InputError, match="query parameters"):
        EntrezClient("http://127.0.0.1:9/eutils/?db=pubmed")


def test_max_age_overflow_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["resolve", "--refresh", "--max-age", "99999999999999d",
                                      "--db", str(tmp_path / "db.sqlite"), "--references",
                                      str(ROOT / "references.yaml"), "--offline", "-q"])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: invalid --max-age '99999999999999d': too large")


# ---------------------------------------------------------------- outages

def test_the_circuit_breaker_stops_asking_after_n_failures_in_a_row():
    sleeps = []
    with StandIn(rate_limit=None, faults="500=1.0", synthetic=50) as broken:
        client = EntrezClient(broken.base_url, rate=0, max_tries=3, batch_size=2, concurrency=1,
                              breaker=CircuitBreaker(tries=5), sleep=sleeps.append)
        result = client.fetch_pubmed([str(900000001 + i) for i in range(40)])  # 20 batches
        client.close()
        served = broken.stats()
    assert served["efetch.fcgi"] == 5  # five failed tries, then nothing more is sent
    assert len(result.failed) == 40
    assert "not sent: E-utilities looks down: 5 tries in a row failed" in result.failed["900000040"]
    with pytest.raises(EntrezError, match="looks down"):
        client.search("x")


def test_a_wait_between_tries_ends_when_the_breaker_opens():
    breaker = CircuitBreaker(tries=2)
    waiting = threading.Thread(target=breaker.pause, args=(600,))
    waiting.start()
    breaker.failure("HTTP 500")
    waiting.join(timeout=0.2)
    assert waiting.is_alive()  # one failure: the retry is still due
    breaker.failure("HTTP 500")  # the breaker opens: the retry would not be sent
    waiting.join(timeout=30)
    assert not waiting.is_alive() and breaker.is_open


def test_an_outage_stops_quickly_and_the_cli_exits_non_zero(tmp_path, monkeypatch):
    # The waits between tries (0.5 s doubling: 15.5 s for one request's six tries) are not
    # what this checks: how many requests an outage costs, and how the CLI ends.
    monkeypatch.setattr(CircuitBreaker, "pause", lambda breaker, seconds: None)
    project = tmp_path / "project"
    shutil.copytree(ROOT / "documents", project / "documents")
    shutil.copyfile(ROOT / "references.yaml", project / "references.yaml")
    with StandIn(rate_limit=None, faults="500=1.0") as broken:
        result = CliRunner().invoke(cli, ["resolve", "-q", "--db", str(project / "db.sqlite"),
                                          "--references", str(project / "references.yaml"),
                                          "--eutils-url", broken.base_url])
        served = sum(v for k, v in broken.stats().items() if k.endswith((".fcgi", ".cgi")))
    assert result.exit_code == 1, result.output
    assert "no source resolved" in result.output and "Traceback" not in result.output
    # the breaker opened after 12 failed tries; requests already sent finish their own
    assert served <= 12 + 8, served


# ---------------------------------------------------------------- the CLI's own work

def synthetic_documents(folder: Path, n: int):
    """Documents citing synthetic records by PMID, DOI, and journal citation alone."""
    from litgraph.stub.synthetic import synthetic_records

    folder.mkdir(parents=True)
    lines = ["SYNTHETIC test document", "", "Synthetic text that cites [1].", "", "References", ""]
    for i, record in enumerate(synthetic_records(n), 1):
        names = ", ".join(f"{a.last_name} {a.initials}" for a in record.authors[:2])
        entry = (f"{i}. {names}. {record.title.rstrip('.')}. {record.journal_iso}. "
                 f"{record.year};{record.volume}:{record.pages}.")
        entry += [f" PMID: {record.pmid}", f" doi: {record.doi}", ""][i % 3]
        lines += [entry, ""]
    (folder / "synthetic.txt").write_text("\n".join(lines), encoding="utf-8")


def test_a_rebuild_after_a_cold_build_asks_nothing_and_leaves_references_yaml_alone(tmp_path):
    synthetic_documents(tmp_path / "documents", 30)
    args = ["build", str(tmp_path / "documents"), "-q", "--db", str(tmp_path / "db.sqlite"),
            "--references", str(tmp_path / "references.yaml")]
    with StandIn(rate_limit=None, synthetic=30) as stand_in:
        cold = CliRunner().invoke(cli, [*args, "--eutils-url", stand_in.base_url])
        assert cold.exit_code == 0, cold.output
        assert stand_in.stats().get("efetch.fcgi")
        text = (tmp_path / "references.yaml").read_text(encoding="utf-8")
        assert "resolved_by: doi" in text and "resolved_by: pmid" in text  # written back
        stamp = (tmp_path / "references.yaml").stat().st_mtime_ns
        stand_in.reset_stats()
        again = CliRunner().invoke(cli, [*args, "--eutils-url", stand_in.base_url])
        assert again.exit_code == 0, again.output
        assert stand_in.stats() == {}
    assert (tmp_path / "references.yaml").stat().st_mtime_ns == stamp
    assert (tmp_path / "references.yaml").read_text(encoding="utf-8") == text
    # extract itself finds nothing to change in what resolve wrote back (build relies on it)
    from litgraph.references import update_from_documents

    assert update_from_documents([str(tmp_path / "documents")],
                                 tmp_path / "references.yaml").written is False
    assert (tmp_path / "references.yaml").stat().st_mtime_ns == stamp


def test_the_fast_reader_agrees_with_ruamel(tmp_path):
    from litgraph.references import _load_raw, _plain
    from litgraph.references.fastload import FALLBACK, fast_load

    data = fast_load((ROOT / "references.yaml").read_text(encoding="utf-8"))
    assert data is not FALLBACK and data == _plain(_load_raw(ROOT / "references.yaml"))
    for text in ("a: yes", "a: 012", "a: 1e3", "a: 0x1f", "a: 2019-01-01", "a: 1_000",
                 "a: &x [1]\nb: *x", "a: 1\na: 2", "a: !!str 5", "a: 12:30", "a: .5"):
        assert fast_load(text) is FALLBACK, text  # ruamel reads these (or refuses them)
    path = tmp_path / "plain.yaml"
    text = "a: '012'\nb: 1-10\nc: 7\nd: 0.25\ne: true\nf: ~\ng: [x, 'y']\n000_doc: {k: v}\n"
    path.write_text(text, encoding="utf-8")
    assert fast_load(text) == _plain(_load_raw(path))


def test_retry_after_is_read_by_urllib3_in_seconds_or_as_a_date_and_ignored_when_garbled():
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    client = EntrezClient("http://127.0.0.1:9/entrez/eutils/", rate=0, backoff=0.5)

    class Reply:
        status_code = 429

        def __init__(self, after):
            self.headers = {"Retry-After": after}

    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert client._retry_delay(1, Reply("7")) == 7.0
    assert 27.0 <= client._retry_delay(1, Reply(soon)) <= 30.0
    assert client._retry_delay(2, Reply("soon, perhaps")) == 1.0  # back-off: 0.5 * 2**(2-1)
    assert client._retry_delay(1, Reply("3600")) == 60.0  # capped at MAX_RETRY_AFTER
