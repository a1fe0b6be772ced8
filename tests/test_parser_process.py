"""The parser process: replies read on another core give what reading them here gives.

Replies are the hand-written fixtures (tests/fixtures) and the stand-in's, in every reply
shape it imitates (litgraph.stub.render.SHAPES).  Reading here is the reference, itself held
to Bio.Entrez by tests/test_entrez_shapes.py.
"""

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from entrez_fake import ScriptedEutils, synthetic_efetch
from reliability_helpers import is_running

from litgraph.entrez import EntrezClient
from litgraph.entrez.parser import ParserProcess, Readers
from litgraph.entrez.records import parse_elink, parse_esearch, parse_pubmed
from litgraph.errors import ReplyShapeError
from litgraph.stub import render
from litgraph.stub.server import build_catalogue
from litgraph.stub.synthetic import synthetic_pmid

FIXTURES = Path(__file__).parent / "fixtures"
LINK_NAMES = ("pubmed_pubmed_refs", "pubmed_pubmed_citedin")


@pytest.fixture(scope="module")
def child():
    process = ParserProcess()
    process.start()
    assert process.wait_ready()
    yield process
    process.close()


def read_both_ways(child, parse, reply):
    elsewhere, there = child.try_parse(parse, reply)
    assert elsewhere, "the parser process did not take the reply"
    return there, parse(reply)


def stand_in_replies():
    catalogue = build_catalogue(records=[], synthetic=300)
    pmids = [synthetic_pmid(number) for number in range(1, 301)]
    for shape in [None, *render.SHAPES]:
        shapes = frozenset([shape] if shape else [])
        if shape != "wrong-root":
            yield f"efetch {shape}", parse_pubmed, render.efetch_xml(catalogue, pmids, shapes)
            for name in LINK_NAMES:
                yield (f"elink {name} {shape}", partial(parse_elink, linkname=name),
                       render.elink_xml(catalogue, [[p] for p in pmids[:50]] + [pmids[50:60]],
                                        LINK_NAMES, shapes))


def test_every_fixture_reply_reads_the_same_in_the_parser_process(child):
    for path in sorted(FIXTURES.glob("entrez-efetch-*.xml")):
        there, here = read_both_ways(child, parse_pubmed, path.read_bytes())
        assert here and [vars(r) for r in there] == [vars(r) for r in here], path.name
    elink = (FIXTURES / "entrez-elink.xml").read_bytes()
    for name in LINK_NAMES:
        there, here = read_both_ways(child, partial(parse_elink, linkname=name), elink)
        assert there == here, name
    assert any(read_both_ways(child, partial(parse_elink, linkname=name), elink)[0]
               for name in LINK_NAMES)


def test_every_reply_shape_of_the_stand_in_reads_the_same_in_the_parser_process(child):
    read = []
    for label, parse, reply in stand_in_replies():
        there, here = read_both_ways(child, parse, reply.encode())
        if parse is parse_pubmed:
            assert [vars(r) for r in there] == [vars(r) for r in here], label
        else:
            assert there == here, label
        if here:
            read.append(label)
    # every reply gave something, but elink's group-links (one LinkSet for all ids: no PMID's own)
    assert len(read) == len(list(stand_in_replies())) - len(LINK_NAMES)


def test_a_parser_error_in_the_process_is_raised_here_as_the_same_error(child):
    wrong = render.wrong_root_xml().encode()
    with pytest.raises(ReplyShapeError) as here:
        parse_pubmed(wrong)
    with pytest.raises(ReplyShapeError) as there:
        child.try_parse(parse_pubmed, wrong)
    assert str(there.value) == str(here.value)
    with pytest.raises(Exception) as broken_here:
        parse_pubmed(b"<PubmedArticleSet><Pub")
    with pytest.raises(type(broken_here.value)):
        child.try_parse(parse_pubmed, b"<PubmedArticleSet><Pub")
    # still serving after its parser failed twice
    assert read_both_ways(child, parse_pubmed, (FIXTURES / "entrez-efetch-mixed.xml").read_bytes())


def test_a_reply_is_read_here_while_the_child_is_starting_and_closing_then_ends_it():
    child = ParserProcess()
    child.start()
    process = child._process
    reply = (FIXTURES / "entrez-efetch-mixed.xml").read_bytes()
    assert child.try_parse(parse_pubmed, reply) == (False, None)  # importing still: not waited
    child.close()
    assert process.poll() is not None and child.peak_rss_mb is None


def test_a_child_that_died_starting_is_closed_quietly_or_leaves_replies_read_here():
    reply = (FIXTURES / "entrez-efetch-mixed.xml").read_bytes()
    for read_first in (False, True):
        child = ParserProcess()
        child.start()
        child._process.kill()  # killed before it said it was ready (out of memory, say)
        child._process.wait()
        if read_first:
            assert child.try_parse(parse_pubmed, reply) == (False, None)
        child.close()  # the request that started it ends: nothing raised into the client's call
        assert child._process is None


def test_only_the_parsers_it_knows_go_to_the_process(child):
    esearch = (FIXTURES / "entrez-esearch-two.xml").read_bytes()
    assert child.try_parse(parse_esearch, esearch) == (False, None)
    assert child.try_parse(lambda content: parse_pubmed(content), b"<x/>") == (False, None)
    assert child.try_parse(partial(parse_elink, "<x/>"), b"") == (False, None)  # positional


def fetch_both_ways(pmids, on_request=None, **options):
    """The records of ``pmids`` fetched by a client with a parser process and by one without,
    each with the client's stats and parser process; ``on_request(client, requests so far)``
    runs as the server takes each request of the first."""
    fetched = []
    for use_process in (True, False):
        with ScriptedEutils() as server:
            efetch = synthetic_efetch()
            clients = []

            def answer(request):
                time.sleep(0.5)  # a large reply's latency: the child started with it is ready
                if on_request and use_process:
                    on_request(clients[0], len(server.requests))
                return efetch(request)

            server.default("efetch.fcgi", answer)
            with EntrezClient(server.base_url, rate=0, batch_sizes="efetch=200",
                              **options) as client:
                clients.append(client)
                if not use_process:
                    client._parser._broken = True  # as where no child can start
                records = client.fetch_pubmed(pmids).records
            fetched.append(({p: {**vars(r), "fetched_at": None} for p, r in records.items()},
                            dict(client.stats), client._parser))
    return fetched


def test_a_client_reads_long_replies_in_the_process_while_requests_are_in_flight():
    pmids = [str(930000000 + n) for n in range(400)]  # two POSTs of 200
    (there, stats, parser), (here, stats_here, _) = fetch_both_ways(pmids, concurrency=1)
    assert sorted(there) == pmids and there == here
    assert stats["parsed_elsewhere"] >= 1 and "parsed_elsewhere" not in stats_here
    assert parser._process is None  # nothing in flight once the fetch returned: it ended
    assert stats["parser_processes"] >= 1 and stats["parser_peak_rss_mb"] > 5


def test_a_child_that_dies_mid_fetch_leaves_the_records_whole(caplog):
    caplog.set_level(logging.WARNING, logger="litgraph")  # whatever an earlier CLI run set
    def kill_the_child(client, requests_so_far):
        process = client._parser._process
        if requests_so_far == 2 and process is not None:
            process.kill()
            process.wait()

    pmids = [str(930000000 + n) for n in range(600)]  # three POSTs; the child killed at the 2nd
    (there, _stats, parser), (here, _, _) = fetch_both_ways(pmids, on_request=kill_the_child,
                                                            concurrency=1)
    assert sorted(there) == pmids and there == here
    assert parser._broken  # the rest read in the client
    assert "the parser process stopped" in caplog.text


def test_the_process_ends_when_the_client_process_is_killed():
    """A build killed outright (SIGKILL) leaves no parser process behind: its input ends."""
    client = textwrap.dedent("""
        import time
        from litgraph.entrez.parser import ParserProcess, Readers
        from litgraph.entrez.records import parse_pubmed
        child = ParserProcess()
        child.start()
        assert child.wait_ready()
        assert child.try_parse(parse_pubmed, b"<PubmedArticleSet></PubmedArticleSet>") == (True, [])
        print(child._process.pid, flush=True)
        time.sleep(60)
    """)
    build = subprocess.Popen([sys.executable, "-c", client], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(build.stdout.readline())
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
        build.stdout.close()
    deadline = time.monotonic() + 10
    while is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    ended = not is_running(pid)
    if not ended:  # never leave it to the next test
        os.kill(pid, signal.SIGKILL)
    assert ended



@pytest.mark.parametrize("count", [2, 2000])  # a reply that fits in a pipe; one that fills it
def test_a_child_that_stops_answering_is_ended_and_its_reply_read_here(caplog, count):
    """A parser process that stops (stopped, swapped out, wedged) never holds a build up:
    once it has taken or given nothing for ``answer_wait`` seconds it is ended, and the
    reply is read in the client, giving the same records."""
    caplog.set_level(logging.WARNING, logger="litgraph")
    catalogue = build_catalogue(records=[], synthetic=count)
    pmids = [synthetic_pmid(n) for n in range(1, count + 1)]
    reply = render.efetch_xml(catalogue, pmids, frozenset()).encode("utf-8")
    readers = Readers()
    readers.process.answer_wait = 0.5
    readers.process.start()
    assert readers.process.wait_ready()
    pid = readers.process._process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        records, elsewhere = readers.read(parse_pubmed, reply)
        waited = time.monotonic() - started
    finally:
        if is_running(pid):
            os.kill(pid, signal.SIGKILL)
    assert not elsewhere and records == parse_pubmed(reply) and len(records) == count
    assert 0.5 <= waited < 10
    assert readers.process._broken and "the parser process stopped (TimeoutError" in caplog.text
    assert not is_running(pid)  # ended, stopped though it was
    readers.close()


class ScriptedChild:
    """A parser process that reads what it is given while ``free`` is set, one at a time;
    each read lasts until ``finish`` is set."""

    def __init__(self):
        self.free = threading.Event()
        self.finish = threading.Event()
        self.finish.set()
        self.read = []

    def try_parse(self, parse, content, taken=None):
        if not self.free.is_set():
            return False, None
        self.free.clear()  # busy with this one until the test frees it again
        if taken is not None:
            taken()
        self.read.append(content)
        assert self.finish.wait(5)
        return True, parse(content)

    def can_take(self, parse):
        return True


def reading(readers, content, order, behind=False):
    """A thread reading ``content`` through ``readers``; where it was read goes to ``order``."""
    def work():
        _parsed, elsewhere = readers.read(lambda reply: reply, content, behind)
        order.append((content, "child" if elsewhere else "here"))
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_reply_goes_to_whichever_reader_is_free_first_the_callers_own_before_those_asked_ahead():
    readers = Readers()
    readers.process = child = ScriptedChild()
    order = []
    readers._here.acquire()  # this process is busy with a long reply
    threads = [reading(readers, "elink asked ahead", order, behind=True)]
    time.sleep(0.1)
    threads.append(reading(readers, "efetch, the caller's", order))
    wait_for(lambda: readers._own_waiting == 1)
    assert order == []  # both readers busy: both wait, neither is read here out of turn
    child.free.set()  # the child is free first: the caller's reply goes there, not the other
    wait_for(lambda: len(order) == 1)
    assert order == [("efetch, the caller's", "child")]
    time.sleep(0.1)
    assert len(order) == 1  # the child is busy again, this process still is
    readers._here.release()  # now this process is free: the reply asked ahead is read here
    for thread in threads:
        thread.join(5)
    assert order[1] == ("elink asked ahead", "here")
    assert child.read == ["efetch, the caller's"]


def test_a_reply_asked_ahead_is_read_here_while_the_callers_own_is_read_in_the_child():
    """The caller's reply is waiting until a reader has it, not until it is read: elink's
    reply waited out a whole efetch parse in the child while this process sat idle."""
    readers = Readers()
    readers.process = child = ScriptedChild()
    child.free.set()
    child.finish.clear()  # the child reads the caller's reply for as long as the test likes
    order = []
    threads = [reading(readers, "efetch, the caller's", order)]
    wait_for(lambda: child.read == ["efetch, the caller's"])
    threads.append(reading(readers, "elink asked ahead", order, behind=True))
    wait_for(lambda: len(order) == 1)
    assert order == [("elink asked ahead", "here")]
    child.finish.set()
    for thread in threads:
        thread.join(5)
    assert order[1] == ("efetch, the caller's", "child")


def records_of(found) -> dict:
    return {r.pmid: vars(r) for r in found}


def test_a_large_reply_read_once_is_taken_from_its_kept_reading_the_next_time(tmp_path,
                                                                               monkeypatch):
    """A later build reads the same cached bytes: their records come back kept, the same
    records, without the parser running; a small reply is read again each time."""
    from entrez_fake import pubmed_set

    import litgraph.entrez.records as records_module
    from litgraph.entrez.parser import KEPT_FROM_BYTES, kept_readings

    large = pubmed_set([str(930000000 + n) for n in range(200)])
    small = pubmed_set(["930000001"])
    assert len(large) >= KEPT_FROM_BYTES > len(small)
    read = []

    def counted(content):
        read.append(len(content))
        return parse_pubmed(content)

    counted.__name__ = "parse_pubmed"
    monkeypatch.setattr(records_module, "parse_pubmed", counted)  # still a parser the child knows
    kept = kept_readings(tmp_path / "http-cache.sqlite")
    assert kept.path == tmp_path / "http-cache-read.sqlite"
    first = Readers(kept)
    first.process._broken = True  # read here, where it is counted
    found = [first.read(counted, reply)[0] for reply in (large, small)]
    first.close()
    again = Readers(kept_readings(tmp_path / "http-cache.sqlite"))
    again.process._broken = True
    found_again = [again.read(counted, reply)[0] for reply in (large, small)]
    again.close()
    assert read == [len(large), len(small), len(small)]  # the large one read once
    assert [records_of(f) for f in found_again] == [records_of(f) for f in found]
    assert records_of(found[0]) == records_of(parse_pubmed(large))


def test_a_kept_reading_is_the_reading_of_those_bytes_by_that_parser_alone(tmp_path):
    """Keys are the parser, its arguments and the bytes: elink's reply read for one link name
    never answers for another, and a reading that no longer unpickles is read again."""
    from litgraph.entrez.parser import kept_readings

    links = "".join(f"<Link><Id>{930000000 + n}</Id></Link>" for n in range(6000))
    body = ("<?xml version='1.0'?><eLinkResult><LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>1"
            "</Id></IdList><LinkSetDb><DbTo>pubmed</DbTo><LinkName>pubmed_pubmed_refs</LinkName>"
            f"{links}</LinkSetDb></LinkSet></eLinkResult>").encode()
    readers = Readers(kept_readings(tmp_path / "cache.sqlite"))
    readers.process._broken = True
    for name in ("pubmed_pubmed_refs", "pubmed_pubmed_citedin", "pubmed_pubmed_refs"):
        parse = partial(parse_elink, linkname=name)
        assert readers.read(parse, body)[0] == parse(body)
    with readers.kept._lock:
        conn = readers.kept._open()
        assert conn.execute("select count(*) from kept").fetchone() == (2,)
        with conn:
            conn.execute("update kept set result = x'00'")
    parse = partial(parse_elink, linkname="pubmed_pubmed_refs")
    assert readers.read(parse, body)[0] == parse(body)
    readers.close()


def test_kept_readings_no_build_used_for_a_month_are_dropped(tmp_path):
    from litgraph.kept import MISSING, Kept

    kept = Kept(tmp_path / "kept.sqlite")
    kept.put("old", ["read long ago"])
    kept.put("new", ["read today"])
    with kept._lock, kept._open() as conn:
        conn.execute("update kept set used = used - 31 * 86400 where key = 'old'")
    kept.forget_unused(30)
    assert kept.get("old") is MISSING and kept.get("new") == ["read today"]
    kept.keep_only(["other"])
    assert kept.get("new") is MISSING
    kept.close()
