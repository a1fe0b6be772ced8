"""The parser process: replies read on another core give what reading them here gives.

Replies are the hand-written fixtures (tests/fixtures) and the stand-in's, in every reply
shape it imitates (litgraph.stub.render.SHAPES).  Reading here is the reference, itself held
to Bio.Entrez by tests/test_entrez_shapes.py.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from functools import partial
from pathlib import Path

import pytest
from entrez_fake import ScriptedEutils, synthetic_efetch
from reliability_helpers import is_running

from litgraph.entrez import EntrezClient
from litgraph.entrez.parser import ParserProcess
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


def test_only_the_parsers_it_knows_go_to_the_process(child):
    esearch = (FIXTURES / "entrez-esearch-two.xml").read_bytes()
    assert child.try_parse(parse_esearch, esearch) == (False, None)
    assert child.try_parse(lambda content: parse_pubmed(content), b"<x/>") == (False, None)
    assert child.try_parse(partial(parse_elink, "<x/>"), b"") == (False, None)  # positional


def test_a_client_reads_long_replies_in_the_process_and_carries_on_when_it_dies():
    pmids = [str(930000000 + n) for n in range(400)]  # a POST: the process starts
    with ScriptedEutils() as server:
        server.default("efetch.fcgi", synthetic_efetch())
        with EntrezClient(server.base_url, rate=0, batch_sizes="efetch=200") as client:
            first = client.fetch_pubmed(pmids)
            assert client.stats.get("parsed_elsewhere", 0) >= 1
            process = client._parser._process
            assert process is not None and process.poll() is None
            process.kill()
            process.wait()
            again = client.fetch_pubmed(pmids, refresh=True)  # read here from now on
            assert client._parser._process is None
        assert process.poll() is not None
    assert sorted(first.records) == sorted(again.records) == sorted(pmids)
    for pmid, record in first.records.items():
        assert {**vars(record), "fetched_at": None} == \
            {**vars(again.records[pmid]), "fetched_at": None}


def test_closing_the_client_ends_the_process_and_reports_its_peak_memory():
    with ScriptedEutils() as server:
        server.default("efetch.fcgi", synthetic_efetch())
        client = EntrezClient(server.base_url, rate=0)
        client.fetch_pubmed([str(930000000 + n) for n in range(250)])
        process = client._parser._process
        assert process is not None
        client.close()
    assert process.poll() is not None
    assert client.stats["parser_peak_rss_mb"] > 5


def test_the_process_ends_when_the_client_process_is_killed():
    """A build killed outright (SIGKILL) leaves no parser process behind: its input ends."""
    client = textwrap.dedent("""
        import time
        from litgraph.entrez.parser import ParserProcess
        from litgraph.entrez.records import parse_pubmed
        child = ParserProcess()
        child.start()
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

