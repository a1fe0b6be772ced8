"""NCBI's real reply shapes, parsed field by field and end to end through the client.

Replies come from the stand-in with its shapes turned on (litgraph.stub.render.SHAPES)
over the synthetic test records (PMIDs 990000001 and up, DOIs 10.5555/...), and from the
hand-written fixtures in tests/fixtures.  Bio.Entrez is the oracle: every reply is
parsed both ways and the records must be identical.
"""

import io
from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from Bio import Entrez
from entrez_fake import ScriptedEutils, pubmed_set

from litgraph.entrez import EntrezClient, is_permanent
from litgraph.entrez.records import (PubmedRecord, SearchResult, normalise_title, parse_ecitmatch,
                                     parse_elink, parse_esearch, parse_esummary, parse_pubmed)
from litgraph.entrez.reference import (parse_elink_reference, parse_esearch_reference,
                                       parse_esummary_reference, parse_pubmed_reference)
from litgraph.errors import EntrezError, InputError, PermanentEntrezError, ReplyShapeError
from litgraph.stub import render
from litgraph.stub.records import DEFAULT_RECORDS_PATH, TEST_RECORDS_PATH
from litgraph.stub.server import StandIn, parse_shapes

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = [DEFAULT_RECORDS_PATH, TEST_RECORDS_PATH]
TEST_PMIDS = ["990000001", "990000002", "990000003", "990000004", "990000005", "990000006",
              "990000007", "990000008", "990000020", "990000021"]
XML = {"Content-Type": "text/xml; charset=UTF-8"}


@pytest.fixture(scope="module")
def stand_ins():
    """One stand-in per shape (and one plain), over the default and test records."""
    servers = {}
    for shape in [None, *render.SHAPES]:
        servers[shape] = StandIn(rate_limit=None, faults="", records=RECORDS,
                                 shapes=[shape] if shape else []).start()
    yield servers
    for server in servers.values():
        server.stop()


def efetch(server, pmids, **params):
    return requests.get(server.base_url + "efetch.fcgi",
                        params={"db": "pubmed", "id": ",".join(pmids), **params}, timeout=10).content


def client(server, **options):
    options.setdefault("rate", 0)
    return EntrezClient(server.base_url, sleep=lambda s: None, **options)


# ---------------------------------------------------------------- Bio.Entrez as oracle

def fixture_replies(stand_ins):
    """(name, reply bytes, kind) of every fixture reply: files and every shape's answers."""
    replies = [(path.name, path.read_bytes(), path.name.split("-")[1].split(".")[0])
               for path in sorted(FIXTURES.glob("entrez-*.xml"))]
    seed = ["20090506", "17090186", "32491531", "27882721", "7731476", "25316486", "11283938"]
    for shape, server in stand_ins.items():
        if shape == "wrong-root":
            continue
        base = server.base_url
        replies.append((f"efetch[{shape}]", efetch(server, TEST_PMIDS + seed), "efetch"))
        replies.append((f"esearch[{shape}]", requests.get(base + "esearch.fcgi", params={
            "db": "pubmed", "term": "synthetic[ti]", "retmax": "50"}, timeout=10).content,
            "esearch"))
        replies.append((f"esummary[{shape}]", requests.get(base + "esummary.fcgi", params={
            "db": "pubmed", "id": ",".join(TEST_PMIDS + ["990009999"])}, timeout=10).content,
            "esummary"))
        replies.append((f"elink[{shape}]", requests.get(base + "elink.fcgi", params=[
            ("dbfrom", "pubmed"), ("db", "pubmed"), ("linkname", "pubmed_pubmed_citedin")]
            + [("id", p) for p in TEST_PMIDS + ["990009999"]], timeout=10).content, "elink"))
    return replies


def test_the_fast_parsers_give_bio_entrez_records_on_every_fixture_reply(stand_ins):
    checked = {}
    for name, reply, kind in fixture_replies(stand_ins):
        if kind == "efetch":
            fast, reference = parse_pubmed(reply), parse_pubmed_reference(reply)
            assert [r.pmid for r in fast] == [r.pmid for r in reference], name
            for mine, theirs in zip(fast, reference):
                assert vars(mine) == vars(theirs), f"{name}: PMID {mine.pmid}"
        elif kind == "esearch":
            assert parse_esearch(reply) == parse_esearch_reference(reply), name
        elif kind == "esummary":
            assert parse_esummary(reply) == parse_esummary_reference(reply), name
        elif kind == "elink":
            for link_name in ("pubmed_pubmed_citedin", "pubmed_pubmed_refs"):
                assert parse_elink(reply, link_name) == parse_elink_reference(reply, link_name), name
        checked[kind] = checked.get(kind, 0) + 1
    # every shape's answers and the hand-written files were compared
    assert checked == {"efetch": len(render.SHAPES) + 2, "esearch": len(render.SHAPES) + 1,
                       "esummary": len(render.SHAPES) + 1, "elink": len(render.SHAPES) + 1}


def test_an_http_doctype_parses_offline_though_bio_entrez_refuses_it(stand_ins):
    reply = efetch(stand_ins["http-dtd"], ["990000020"])
    assert b'"http://www.ncbi.nlm.nih.gov/' in reply[:300]
    with pytest.raises(ValueError, match="Expected secure URL to NCBI"):
        Entrez.read(io.BytesIO(reply), validate=False)
    assert parse_pubmed(reply) == parse_pubmed(efetch(stand_ins[None], ["990000020"]))
    for endpoint, params in (("esearch.fcgi", {"term": "synthetic[ti]"}),
                             ("elink.fcgi", {"id": "990000001"})):
        reply = requests.get(stand_ins["http-dtd"].base_url + endpoint,
                             params={"db": "pubmed", "dbfrom": "pubmed", **params}, timeout=10).content
        assert b'"http://eutils.ncbi.nlm.nih.gov/' in reply[:300]
    assert parse_esearch(requests.get(stand_ins["http-dtd"].base_url + "esearch.fcgi", params={
        "db": "pubmed", "term": "990000020[uid]"}, timeout=10).content).ids == ["990000020"]


def test_entities_declared_in_a_reply_are_refused_and_no_dtd_is_fetched():
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<PubmedArticleSet>&b;</PubmedArticleSet>')
    with pytest.raises(ReplyShapeError, match="declares XML entities"):
        parse_pubmed(bomb)
    external = (b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM '
                b'"http://127.0.0.1:9/never.dtd">\n<PubmedArticleSet></PubmedArticleSet>')
    assert parse_pubmed(external) == []  # the DTD is never asked for (port 9 would refuse)


# ---------------------------------------------------------------- a record of each shape

def test_a_cites_reference_list_is_the_records_references_and_other_reftypes_keep_meaning(stand_ins):
    (record,) = parse_pubmed(efetch(stand_ins["cites"], ["990000020"]))
    assert record.references == ["990000001", "990000003"]
    assert record.comments_corrections == [
        ("CommentIn", "990000003", "Synth Test J. 2021;15:50"),
        ("Cites", "990000001", "Testauthor A, Testauthor B. Synthetic test record 1: a retracted "
                               "trial. Synth Test J. 2001;5(1):10-19."),
        ("Cites", "990000003", "Testauthor C. Synthetic test record 3: an article with an erratum. "
                               "Synth Test J. 2003;7:20-29.")]
    (retracted,) = parse_pubmed(efetch(stand_ins["cites"], ["990000001"]))
    assert (retracted.references, retracted.retracted, retracted.errata) == (["990000005"], True, [])
    (with_erratum,) = parse_pubmed(efetch(stand_ins["cites"], ["990000003"]))
    assert (with_erratum.references, with_erratum.errata) == ([], ["990000004"])
    # the same facts as from a ReferenceList
    (plain,) = parse_pubmed(efetch(stand_ins[None], ["990000020"]))
    assert plain.references == record.references


def test_a_doi_comes_from_the_article_id_list_and_an_invalid_elocation_is_ignored(stand_ins):
    (record,) = parse_pubmed(efetch(stand_ins["invalid-elocation"], ["990000020"]))
    assert b'ValidYN="N">10.5555/invalid-elocation.990000020<' in efetch(
        stand_ins["invalid-elocation"], ["990000020"])
    assert (record.doi, record.dois) == ("10.5555/test.20", ["10.5555/test.20"])
    ordered = parse_pubmed(
        b'<?xml version="1.0" ?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
        b'<PMID Version="1">990000020</PMID><Article><ArticleTitle>x</ArticleTitle>'
        b'<ELocationID EIdType="doi" ValidYN="Y">10.5555/ELOCATION</ELocationID></Article>'
        b'</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="doi">10.5555/ID-LIST'
        b'</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>')[0]
    assert ordered.dois == ["10.5555/id-list", "10.5555/elocation"]


def test_inline_markup_in_a_title_is_kept_as_text_without_splitting_words(stand_ins):
    reply = efetch(stand_ins[None], ["990000020"])
    assert b"<ArticleTitle>Synthetic effects of CO<sub>2</sub> on <i>in vitro</i> test" in reply
    (record,) = parse_pubmed(reply)
    assert record == PubmedRecord(
        pmid="990000020", doi="10.5555/test.20", title="Synthetic effects of CO2 on in vitro test records",
        journal="Synthetic Test Journal", journal_iso="Synth Test J", year=2021, volume="15",
        issue="2", pages="40-49", authors=["Testauthor D", "Synthetic Shapes Group"],
        publication_types=["Journal Article"], language="eng",
        comments_corrections=[("CommentIn", "990000003", "Synth Test J. 2021;15:50")],
        references=["990000001", "990000003"], dois=["10.5555/test.20"])
    assert normalise_title("Synthetic effects of CO<sub>2</sub> on <i>in vitro</i> test records") \
        == normalise_title(record.title) == "synthetic effects of co2 on in vitro test records"


def test_a_book_chapter_takes_its_own_year_and_authors_never_the_editors(stand_ins):
    (chapter,) = parse_pubmed(efetch(stand_ins[None], ["990000021"]))
    assert chapter == PubmedRecord(
        pmid="990000021", title="Synthetic chapter on reply shapes", year=2023,
        authors=["Chapterwriter A", "Chapterwriter B"], editors=["Editorperson E", "Editorperson F"],
        publication_types=["Review"], language="eng", is_book=True,
        book_title="SynthPearls Test Edition", references=["990000020"])
    no_authors = parse_pubmed(
        b'<?xml version="1.0" ?><PubmedArticleSet><PubmedBookArticle><BookDocument>'
        b'<PMID Version="1">990000021</PMID><Book><BookTitle>SynthPearls</BookTitle><PubDate>'
        b'<Year>2025</Year></PubDate><AuthorList Type="editors"><Author><LastName>Editorperson'
        b'</LastName><Initials>E</Initials></Author></AuthorList></Book><ArticleTitle>A chapter'
        b'</ArticleTitle></BookDocument></PubmedBookArticle></PubmedArticleSet>')[0]
    assert (no_authors.authors, no_authors.editors, no_authors.year) == ([], ["Editorperson E"], 2025)


def test_a_reply_of_many_pieces_is_read_piece_by_piece_into_bio_entrez_records():
    """efetch and elink replies are read in 64 KiB pieces, never held as one tree: a reply
    of many pieces (a long comment before the root, records cut across pieces) still gives
    Bio.Entrez's records and links; cut short, or of another root, it is an error."""
    from litgraph.stub.server import build_catalogue
    from litgraph.stub.synthetic import synthetic_pmid

    pmids = [synthetic_pmid(n) for n in range(1, 301)]
    reply = render.efetch_xml(build_catalogue(synthetic=300), pmids, {"cites"}).encode()
    declaration, _, rest = reply.partition(b"?>")
    padded = declaration + b"?>\n<!-- " + b"x" * 100_000 + b" -->\n" + rest
    assert len(padded) > 10 * (1 << 16)
    fast, reference = parse_pubmed(padded), parse_pubmed_reference(padded)
    assert [r.pmid for r in fast] == pmids
    assert [vars(r) for r in fast] == [vars(r) for r in reference]
    for cut in (len(padded) // 3, len(padded) - 30):
        with pytest.raises(ReplyShapeError, match="efetch reply is not well-formed XML"):
            parse_pubmed(padded[:cut])
    other = padded.replace(b"PubmedArticleSet", b"eInfoResult")
    with pytest.raises(ReplyShapeError, match="efetch reply is a eInfoResult document, not"):
        parse_pubmed(other)
    links = render.elink_xml(build_catalogue(synthetic=3000),
                             [[synthetic_pmid(n)] for n in range(1, 3001)],
                             ("pubmed_pubmed_refs",)).encode()
    assert len(links) > 4 * (1 << 16)
    read = parse_elink(links, "pubmed_pubmed_refs")
    assert read == parse_elink_reference(links, "pubmed_pubmed_refs")
    assert len(read) == 3000 and sum(map(len, read.values())) > 3000
    with pytest.raises(ReplyShapeError, match="elink reply is not well-formed XML"):
        parse_elink(links[:len(links) // 2], "pubmed_pubmed_refs")


@pytest.mark.parametrize("parser, args", [
    (parse_pubmed, ()), (parse_esearch, ()), (parse_esummary, ()),
    (parse_elink, ("pubmed_pubmed_citedin",))])
def test_another_documents_root_is_an_error_never_no_records(stand_ins, parser, args):
    reply = efetch(stand_ins["wrong-root"], ["990000020"])
    with pytest.raises(ReplyShapeError, match="is a eInfoResult document, not"):
        parser(reply, *args)
    with pytest.raises(ReplyShapeError, match="is a html document"):
        parser(b"<html><body><p>Maintenance</p></body></html>", *args)


def test_a_by_group_linkset_is_credited_to_none_of_its_ids():
    reply = (b'<?xml version="1.0" ?><eLinkResult><LinkSet><DbFrom>pubmed</DbFrom><IdList>'
             b'<Id>990000001</Id><Id>990000003</Id></IdList><LinkSetDb><DbTo>pubmed</DbTo>'
             b'<LinkName>pubmed_pubmed_citedin</LinkName><Link><Id>990000020</Id></Link>'
             b'</LinkSetDb></LinkSet><LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>990000005</Id>'
             b'</IdList><LinkSetDb><DbTo>pubmed</DbTo><LinkName>pubmed_pubmed_citedin</LinkName>'
             b'<Link><Id>990000001</Id></Link></LinkSetDb></LinkSet></eLinkResult>')
    assert parse_elink(reply, "pubmed_pubmed_citedin") == {"990000005": ["990000001"]}


def test_ecitmatch_lines_are_matched_by_the_key_sent_whatever_else_is_echoed():
    text = ("SYNTH TEST J|2021|15|40|TESTAUTHOR D|C2|990000020\n"
            "synth test j|2001|5|10|someone else|c1|NOT_FOUND;INVALID_JOURNAL\n"
            "a|b|c|d|e|c9|990000001\n")
    assert parse_ecitmatch(text, ["c1", "c2", "c3"]) == {
        "c1": "NOT_FOUND;INVALID_JOURNAL", "c2": "990000020", "c3": "no answer"}


# ---------------------------------------------------------------- end to end through the client

def test_omitted_pmids_are_asked_again_on_their_own_and_found(stand_ins):
    server = stand_ins["omit"]
    server.reset_stats()
    with client(server) as entrez:
        result = entrez.fetch_pubmed(["990000001", "990000003", "990000020"])
    assert sorted(result.records) == ["990000001", "990000003", "990000020"]
    assert result.missing == set() and result.failed == {}
    assert server.stats() == {"efetch.fcgi": 2}
    with client(server) as entrez:  # a PMID in no record: asked twice, then missing
        result = entrez.fetch_pubmed(["990000001", "990000003", "990009999"])
    assert (sorted(result.records), result.missing) == (["990000001", "990000003"], {"990009999"})


def test_cites_shape_gives_the_same_references_through_the_client(stand_ins):
    with client(stand_ins["cites"]) as entrez:
        records = entrez.fetch_pubmed(["990000001", "990000020"]).records
    assert {p: r.references for p, r in records.items()} == {
        "990000001": ["990000005"], "990000020": ["990000001", "990000003"]}


def test_group_links_are_asked_again_one_id_each_and_match_the_per_id_answer(stand_ins):
    pmids = ["990000001", "990000003", "990000005", "990000020"]
    with client(stand_ins[None]) as entrez:
        expected = entrez.elink(pmids, "pubmed_pubmed_citedin")
    server = stand_ins["group-links"]
    server.reset_stats()
    with client(server) as entrez:
        assert entrez.elink(pmids, "pubmed_pubmed_citedin") == expected
    assert server.stats() == {"elink.fcgi": 1 + len(pmids)}
    assert expected["990000001"] == ["990000020"]  # not the union of the group's links


def test_an_error_about_one_id_leaves_the_others_links(stand_ins):
    pmids = ["990000001", "990009999", "990000020"]
    reply = requests.get(stand_ins["id-errors"].base_url + "elink.fcgi", params=[
        ("dbfrom", "pubmed"), ("db", "pubmed"), ("linkname", "pubmed_pubmed_citedin")]
        + [("id", p) for p in pmids], timeout=10).content
    assert b"<ERROR>UID=990009999" in reply
    with client(stand_ins["id-errors"]) as entrez:
        links = entrez.elink(pmids, "pubmed_pubmed_citedin")
    assert links == {"990000001": ["990000020"], "990009999": [], "990000020": ["990000021"]}


def test_shuffled_and_missing_ecitmatch_lines_map_back_by_key(stand_ins):
    from litgraph.entrez import CitationQuery

    queries = [CitationQuery("first", "Synthetic Test Journal", 2001, "5", "10", "Testauthor A"),
               CitationQuery("nowhere", "Synthetic Test Journal", 1901, "1", "1", "Nobody N"),
               CitationQuery("third", "Synthetic Test Journal", 2021, "15", "40", "Testauthor D")]
    with client(stand_ins["shuffled-citations"]) as entrez:
        assert entrez.citation_match(queries) == {
            "first": "990000001", "nowhere": "no answer", "third": "990000020"}


def test_a_wrong_root_reply_fails_with_its_reason_and_is_transient(stand_ins):
    with client(stand_ins["wrong-root"], max_tries=2) as entrez:
        result = entrez.fetch_pubmed(["990000020"])
        assert result.records == {} and result.missing == set() and result.permanent == set()
        assert "is a eInfoResult document, not PubmedArticleSet" in result.failed["990000020"]
        with pytest.raises(EntrezError, match="eInfoResult") as caught:
            entrez.search("synthetic[ti]")
    assert not isinstance(caught.value, PermanentEntrezError)


def test_an_invalid_query_is_permanent_and_asked_once(stand_ins):
    server = stand_ins[None]
    server.reset_stats()
    with client(server) as entrez, pytest.raises(PermanentEntrezError, match="unbalanced"):
        entrez.search('"synthetic[ti]')
    assert server.stats() == {"esearch.fcgi": 1}


@pytest.mark.parametrize("status, problem, permanent", [
    (400, "HTTP 400", True), (404, "HTTP 404", True), (414, "HTTP 414", True),
    (429, "HTTP 429 (rate limited)", False), (500, "HTTP 500", False), (503, "HTTP 503", False),
    (200, "E-utilities error: Invalid query", True),
    (200, "E-utilities error: Invalid db name specified: pubmd", True),
    (200, "E-utilities error: Empty id list - nothing todo", True),
    (200, "E-utilities error: Search Backend failed: Unable to open connection", False),
    (200, "truncated XML", False), (200, "an empty reply", False),
    (200, "an HTML page instead of the expected reply", False)])
def test_permanent_and_transient_problems(status, problem, permanent):
    assert is_permanent(status, problem) is permanent


def test_rate_limit_json_is_rate_limiting_whatever_the_status():
    from litgraph.entrez import reply_problem

    body = b'{"error":"API rate limit exceeded","api-key":"127.0.0.1","count":"11","limit":"10"}'
    for status in (200, 403, 429):
        problem = reply_problem(status, body, "application/json")
        assert problem == f"HTTP {status} (rate limited)"
        assert is_permanent(status, problem) is False


def test_linksets_about_pmids_not_asked_are_ignored_and_the_asked_ones_asked_again():
    def linkset(pmid, links):
        linked = "".join(f"<Link><Id>{p}</Id></Link>" for p in links)
        return (f"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>{pmid}</Id></IdList><LinkSetDb>"
                f"<DbTo>pubmed</DbTo><LinkName>pubmed_pubmed_citedin</LinkName>{linked}"
                f"</LinkSetDb></LinkSet>")

    def reply(*sets):
        return (200, XML, ('<?xml version="1.0" ?><eLinkResult>' + "".join(sets)
                           + "</eLinkResult>").encode())

    with ScriptedEutils() as eutils:
        # 990000003 comes back under a merged record's new PMID: not credited to anyone asked
        eutils.queue("elink.fcgi", reply(linkset("990000001", ["990000020"]),
                                         linkset("990000099", ["990000021"])),
                     reply(linkset("990000003", [])))
        with EntrezClient(eutils.base_url, rate=0, sleep=lambda s: None) as entrez:
            assert entrez.elink(["990000001", "990000003"], "pubmed_pubmed_citedin") == {
                "990000001": ["990000020"], "990000003": []}
        assert [r["params"]["id"] for r in eutils.requests] == [["990000001", "990000003"],
                                                               ["990000003"]]


def test_resolution_records_whether_a_failure_was_permanent_or_transient(tmp_path):
    from litgraph.model import SourceEntry
    from litgraph.resolve import resolve_sources

    with ScriptedEutils() as eutils:
        eutils.queue("efetch.fcgi", (400, XML, b"Bad Request"))
        with EntrezClient(eutils.base_url, rate=0, sleep=lambda s: None) as entrez:
            (refused,) = resolve_sources([SourceEntry("s", pmid="990000020")], entrez)
        assert eutils.count("efetch.fcgi") == 1
        eutils.queue("efetch.fcgi", *[(503, XML, b"Service Unavailable")] * 2)
        with EntrezClient(eutils.base_url, rate=0, max_tries=2, sleep=lambda s: None) as entrez:
            (outage,) = resolve_sources([SourceEntry("s", pmid="990000020")], entrez)
        eutils.default("efetch.fcgi", (200, XML, pubmed_set([])))
        with EntrezClient(eutils.base_url, rate=0, sleep=lambda s: None) as entrez:
            (absent,) = resolve_sources([SourceEntry("s", pmid="990000020")], entrez)
    assert (refused.status, refused.failure) == ("unresolved", "permanent")
    assert refused.status_reason == ("E-utilities refused the request: efetch.fcgi failed after 1 "
                                     "tries: HTTP 400 (PMID 990000020)")
    assert (outage.status, outage.failure) == ("unresolved", "transient")
    assert (absent.status, absent.failure, absent.status_reason) == (
        "unresolved", None, "PMID not found in PubMed (PMID 990000020)")


def test_a_refresh_that_lacks_a_record_keeps_the_resolved_row_and_its_metadata(tmp_path):
    import sqlite_utils

    from litgraph.model import ReferenceSet, Resolution, SourceEntry
    from litgraph.store import ensure_db_shape
    from litgraph.store.sources import save_reference_set, save_resolutions

    db = sqlite_utils.Database(tmp_path / "t.db")
    ensure_db_shape(db)
    entry = SourceEntry("shapes", pmid="990000020")
    refset = ReferenceSet(sources=[entry])
    save_reference_set(db, refset)
    (record,) = parse_pubmed(pubmed_set(["990000020"]))
    save_resolutions(db, refset, [Resolution("shapes", "resolved", resolved_by="pmid", record=record)])
    before = db["sources"].get("shapes")
    save_reference_set(db, refset)
    for lacking in (Resolution("shapes", "unresolved", "PMID not found in PubMed (PMID 990000020)"),
                    Resolution("shapes", "unresolved", "E-utilities failed", failure="transient"),
                    Resolution("shapes", "unresolved", "E-utilities refused", failure="permanent")):
        changes = save_resolutions(db, refset, [lacking])
        assert changes == [f"shapes: kept the stored resolved row: {lacking.status_reason}"]
        assert db["sources"].get("shapes") == before
    assert before["title"] == "Synthetic record 990000020." and before["failure"] is None
    # a curator's new PMID that PubMed lacks is an answer about that PMID: it is taken
    edited = ReferenceSet(sources=[SourceEntry("shapes", pmid="990009999")])
    save_resolutions(db, edited, [
        Resolution("shapes", "unresolved", "PMID not found in PubMed (PMID 990009999)")])
    assert db["sources"].get("shapes")["status"] == "unresolved"


# ---------------------------------------------------------------- other clients against the stand-in

@pytest.fixture
def bio_entrez_at(monkeypatch):
    """Point Bio.Entrez at a stand-in: its own request building, with NCBI's host swapped."""
    import Bio.Entrez as bio

    def at(server):
        real = bio._build_request

        def build(cgi, params=None, *args, **kwargs):
            cgi = cgi.replace("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/", server.base_url)
            return real(cgi, params, *args, **kwargs)

        monkeypatch.setattr(bio, "_build_request", build)
        monkeypatch.setattr(bio, "email", "curator@example.org")
        return bio

    return at


def test_bio_entrez_runs_against_the_stand_in(stand_ins, bio_entrez_at):
    bio = bio_entrez_at(stand_ins[None])
    pmids = ["990000001", "990000020", "990000021"]
    for options in ({"retmode": "xml"}, {"rettype": "xml", "retmode": "xml"},
                    {"rettype": "abstract", "retmode": "xml"}):
        with bio.efetch(db="pubmed", id=pmids, **options) as handle:
            data = bio.read(handle, validate=False)
        assert [str(a["MedlineCitation"]["PMID"]) for a in data["PubmedArticle"]] == pmids[:2]
        assert [str(b["BookDocument"]["PMID"]) for b in data["PubmedBookArticle"]] == pmids[2:]
    long_list = [str(990000000 + n) for n in range(1, 250)]  # Bio.Entrez POSTs 200+ ids
    with bio.efetch(db="pubmed", id=long_list, retmode="xml") as handle:
        assert len(bio.read(handle, validate=False)["PubmedArticle"]) == 9
    with bio.elink(dbfrom="pubmed", db="pubmed", linkname="pubmed_pubmed_citedin",
                   id=["990000001", "990000020"]) as handle:  # repeated id=
        link_sets = bio.read(handle)
    assert [[str(i) for i in s["IdList"]] for s in link_sets] == [["990000001"], ["990000020"]]
    with bio.esearch(db="pubmed", term="990000020[uid]") as handle:
        assert bio.read(handle)["IdList"] == ["990000020"]
    with bio.ecitmatch(db="pubmed", bdata="synthetic test journal|2021|15|40|testauthor d|k1|") \
            as handle:
        assert handle.read().strip().endswith("|k1|990000020")


# ---------------------------------------------------------------- the stand-in's own robustness

def test_shapes_are_named_and_an_unknown_one_is_refused():
    assert parse_shapes("cites, omit") == {"cites", "omit"}
    with pytest.raises(InputError, match="unknown stand-in shape"):
        parse_shapes("cites,bogus")


def test_shapes_can_be_asked_per_request(stand_ins):
    base = stand_ins[None].base_url
    reply = requests.get(base + "efetch.fcgi", params={
        "db": "pubmed", "id": "990000020", "stand_in_shapes": "http-dtd,cites"}, timeout=10)
    assert b'"http://www.ncbi.nlm.nih.gov/' in reply.content[:300]
    assert parse_pubmed(reply.content)[0].comments_corrections[1][0] == "Cites"
    assert b"RefType=\"Cites\"" not in efetch(stand_ins[None], ["990000020"])  # that request only
    bad = requests.get(base + "efetch.fcgi", params={"db": "pubmed", "id": "990000020",
                                                      "stand_in_shapes": "bogus"}, timeout=10)
    assert bad.status_code == 400 and "unknown stand-in shape(s) bogus" in bad.text


def test_a_bad_content_length_or_a_very_deep_term_gets_a_400_and_the_stand_in_carries_on():
    import socket

    with StandIn(rate_limit=None, faults="") as server:
        for length in ("abc", "-5", "12junk"):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
                raw.sendall(b"POST /entrez/eutils/esearch.fcgi HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Length: " + length.encode() + b"\r\n\r\nterm=x")
                assert raw.recv(100).startswith(b"HTTP/1.1 400 "), length
        deep = "(" * 3000 + "kidney" + ")" * 3000
        response = requests.post(server.base_url + "esearch.fcgi",
                                 data={"db": "pubmed", "term": deep}, timeout=10)
        assert response.status_code == 400 and "nested 3000 parentheses deep" in response.text
        long_chain = " OR ".join(f"word{n}[ti]" for n in range(5000))  # no recursion per term
        response = requests.post(server.base_url + "esearch.fcgi",
                                 data={"db": "pubmed", "term": long_chain}, timeout=30)
        assert response.status_code == 200 and parse_esearch(response.content).count == 0
        after = requests.get(server.base_url + "esearch.fcgi",
                             params={"db": "pubmed", "term": "20090506[uid]"}, timeout=10)
        assert parse_esearch(after.content) == SearchResult(["20090506"], 1, [])


def test_the_hand_written_shapes_fixture_field_by_field():
    article, chapter, book = parse_pubmed((FIXTURES / "entrez-efetch-shapes.xml").read_bytes())
    assert article == PubmedRecord(
        pmid="990000030", doi="10.5555/shapes.30",
        title="Uptake of 18F-synthetic tracer under CO2 in ex vivo test records & their controls.",
        journal="Synthetic journal of reply shapes", journal_iso="Synth J Reply Shapes",
        journal_medline_ta="Synth J Reply Shapes", year=2018, volume="21", issue="4", pages="e101",
        authors=["Öztestçi A", "Testperson B Jr", "Synthetic Respiratory Test Network"],
        publication_types=["Journal Article"], language="eng",
        comments_corrections=[
            ("ErratumIn", "990000033", "Synth J Reply Shapes. 2018;21(6):e200"),
            ("Cites", "990000001", "Synthetic cited work A. 2001;1:1-2"),
            ("Cites", None, "Synthetic cited work without a PMID. 2002"),
            ("Cites", "990000003", "Synthetic cited work B. 2003;7:20-29"),
            ("CommentIn", "990000034", "Synth J Reply Shapes. 2018;21(5):e150"),
            ("UpdateIn", None, "Synth J Reply Shapes. 2019;22:e1")],
        # ReferenceList (nested lists too) first, then the Cites not already there
        references=["990000003", "990000005", "990000001"], errata=["990000033"],
        dois=["10.5555/shapes.30"])  # the ValidYN="N" ELocationID is ignored
    assert chapter == PubmedRecord(
        pmid="990000031", title="Synthetic chapter on reply shapes", year=2023,
        authors=["Chapterwriter C"], editors=["Editorperson F", "Editorperson E"],
        publication_types=["Review"], language="eng", is_book=True, book_title="SynthPearls",
        references=["990000030"])
    assert book == PubmedRecord(
        pmid="990000032", title="Synthetic Whole Book", year=2020, authors=["Bookwriter D"],
        editors=["Editorperson G"], publication_types=["Review"], language="eng", is_book=True,
        book_title="Synthetic Whole Book")


def test_cites_entries_become_pubmed_references_links_in_the_graph(stand_ins, tmp_path):
    from litgraph.graph import build_graph
    from litgraph.store import open_db

    links = {}
    for shape in ("cites", None):
        db = open_db(tmp_path / f"{shape}.db")
        db["sources"].insert_all([{"id": f"s{p}", "pmid": p, "status": "resolved"}
                                  for p in ("990000001", "990000003", "990000020")], pk="id")
        with client(stand_ins[shape]) as entrez:
            build_graph(db, entrez, depth=0)
        links[shape] = db.execute("select citing_id, cited_id from links where origin = "
                                  "'pubmed-references' order by 1, 2").fetchall()
    assert links["cites"] == [("s990000020", "s990000001"), ("s990000020", "s990000003")]
    assert links["cites"] == links[None]  # the same links as from a ReferenceList


def test_elink_json_carries_the_links_bio_entrez_reads_from_the_xml_answer(stand_ins):
    """retmode=json (entrezpy's Elinker asks for it): the same LinkSets as the XML answer,
    in NCBI's JSON shape (links as strings, no linksetdbs for an id without links)."""
    server = stand_ins[None]
    params = [("dbfrom", "pubmed"), ("db", "pubmed"), ("linkname", "pubmed_pubmed_citedin")] + \
        [("id", p) for p in TEST_PMIDS + ["990009999"]] + [("id", "990000001,990000003")]
    xml = requests.get(server.base_url + "elink.fcgi", params=params, timeout=10)
    answer = requests.get(server.base_url + "elink.fcgi", params=params + [("retmode", "json")],
                          timeout=10)
    assert answer.headers["Content-Type"].startswith("application/json")
    data = answer.json()
    assert data["header"] == {"type": "elink", "version": "0.3"}
    expected = [{"dbfrom": str(s["DbFrom"]), "ids": [str(i) for i in s["IdList"]],
                 **({"linksetdbs": [{"dbto": str(d["DbTo"]), "linkname": str(d["LinkName"]),
                                     "links": [str(k["Id"]) for k in d["Link"]]}
                                    for d in s["LinkSetDb"]]} if s["LinkSetDb"] else {})}
                for s in Entrez.read(io.BytesIO(xml.content))]
    assert data["linksets"] == expected
    assert {"dbfrom": "pubmed", "ids": ["990009999"]} in data["linksets"]  # no links: no linksetdbs
    assert data["linksets"][-1]["ids"] == ["990000001", "990000003"]  # a comma list: one set


def test_efetch_rettype_xml_is_xml_whatever_the_retmode_and_medline_text_is_refused(stand_ins):
    server = stand_ins[None]
    xml = efetch(server, TEST_PMIDS, retmode="xml")
    assert efetch(server, TEST_PMIDS, rettype="xml", retmode="text") == xml  # metapub's request
    refused = efetch(server, TEST_PMIDS, rettype="medline", retmode="text")
    assert b"<ERROR>" in refused and b"not served by the litgraph stand-in" in refused


def test_esearch_usehistory_answers_a_query_key_and_webenv_before_the_ids(stand_ins):
    """entrezpy's Esearcher asks usehistory=y and reads querykey/webenv from every answer."""
    server = stand_ins[None]
    params = {"db": "pubmed", "term": "synthetic[ti]", "retmax": "3", "usehistory": "y"}
    xml = requests.get(server.base_url + "esearch.fcgi", params=params, timeout=10)
    tags = [element.tag for element in ElementTree.fromstring(xml.content)]
    assert tags[:6] == ["Count", "RetMax", "RetStart", "QueryKey", "WebEnv", "IdList"]
    data = Entrez.read(io.BytesIO(xml.content))
    assert data["QueryKey"] == "1" and data["WebEnv"].startswith("MCID_")
    answer = requests.get(server.base_url + "esearch.fcgi",
                          params={**params, "retmode": "json"}, timeout=10).json()["esearchresult"]
    assert (answer["querykey"], answer["webenv"]) == ("1", data["WebEnv"])
    assert answer["idlist"] == list(data["IdList"])
    again = requests.get(server.base_url + "esearch.fcgi", params={
        **params, "retmode": "json", "WebEnv": data["WebEnv"], "query_key": "1",
        "retstart": "3"}, timeout=10).json()["esearchresult"]
    assert again["webenv"] == data["WebEnv"] and again["retstart"] == "3"
    plain = requests.get(server.base_url + "esearch.fcgi", params={
        "db": "pubmed", "term": "synthetic[ti]", "retmode": "json"}, timeout=10).json()
    assert "webenv" not in plain["esearchresult"] and "querykey" not in plain["esearchresult"]
