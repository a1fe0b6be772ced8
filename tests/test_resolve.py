"""Resolution: each path (PMID, DOI, citation, title, conflict, not found) and saving.

The first tests use scripted replies (tests/entrez_fake.py) built from
tests/fixtures/entrez-*.xml, so the mapping back by identifier is checked
against replies whose order differs from the question's.  The stand-in tests
at the end run the whole client against litgraph/stub.
"""

import io
import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import sqlite_utils
from entrez_fake import ScriptedEutils, pubmed_set

from litgraph.entrez import EntrezClient, FetchResult
from litgraph.entrez.transport import STAND_IN_SERVICE
from litgraph.entrez.records import parse_pubmed
from litgraph.errors import InputError
from litgraph.model import DeclaredLevel, ReferenceSet, Resolution, SourceEntry
from litgraph.resolve import (STAND_IN_LABEL, author_parts, journal_agrees, parse_max_age,
                              plan_requests, resolve_sources, search_agrees, search_term,
                              title_words)
from litgraph.store import ensure_db_shape
from litgraph.store.sources import evidence_columns, save_resolutions

FIXTURES = Path(__file__).parent / "fixtures"
XML = {"Content-Type": "text/xml; charset=UTF-8"}
TEXT = {"Content-Type": "text/plain; charset=UTF-8"}
MIXED = (FIXTURES / "entrez-efetch-mixed.xml").read_bytes()
ESEARCH_DOIS = (FIXTURES / "entrez-esearch-two.xml").read_bytes()  # 20090506, 980000001
RECORDS = {r.pmid: r for r in parse_pubmed(MIXED)}
EMPTY_SET = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
             b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
             b'<PubmedArticleSet></PubmedArticleSet>\n')


def esearch_reply(*pmids) -> bytes:
    ids = "".join(f"<Id>{p}</Id>" for p in pmids)
    return (b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD '
            b'esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">'
            + f"<eSearchResult><Count>{len(pmids)}</Count><RetMax>{len(pmids)}</RetMax>"
              f"<RetStart>0</RetStart><IdList>{ids}</IdList><TranslationSet/>"
              f"<QueryTranslation>x</QueryTranslation></eSearchResult>".encode())


@pytest.fixture
def eutils():
    with ScriptedEutils() as server:
        # PMIDs a queued reply leaves out are asked for again: PubMed answers an empty set
        server.default("efetch.fcgi", (200, XML, pubmed_set([])))
        yield server


def outcome(resolutions):
    return {r.key: (r.status, r.status_reason, r.resolved_by, r.record.pmid if r.record else None)
            for r in resolutions}


# ---------------------------------------------------------------- helpers

def test_parse_max_age():
    assert parse_max_age("30d").days == 30
    assert parse_max_age(" 12h ").total_seconds() == 43200
    assert parse_max_age("2w").days == 14
    for bad in ("30", "d", "-1d", "1y", ""):
        with pytest.raises(InputError, match="invalid --max-age"):
            parse_max_age(bad)


def test_search_terms_for_free_text_citations():
    source = SourceEntry("miller", title="Primary leiomyosarcoma of the kidney: a clinicopathologic "
                                         "study of 27 cases", authors=["Miller JS"], year=2010)
    assert title_words(source.title) == ["clinicopathologic", "leiomyosarcoma", "primary",
                                         "kidney", "study", "cases", "27"]
    assert search_term(source) == ("clinicopathologic[ti] AND leiomyosarcoma[ti] AND primary[ti] "
                                   "AND kidney[ti] AND study[ti] AND cases[ti] AND 27[ti] AND "
                                   "miller j[au] AND 2010[dp]")
    untitled = SourceEntry("singer", authors=["Singer S", "Demetri GD"], journal="Lancet Oncology",
                           year=2000)
    assert search_term(untitled) == 'singer s[au] AND 2000[dp] AND "lancet oncology"[ta]'
    assert search_term(SourceEntry("bare", journal="Lancet Oncology")) is None
    assert author_parts("Van Geel AN") == (["van", "geel"], "a")
    assert author_parts("Zafar") == (["zafar"], None)
    assert author_parts("Lavengood RW Jr") == (["lavengood"], "r")  # PubMed's suffix left out


def test_a_record_whose_first_author_has_a_suffix_still_meets_the_title_search():
    """PubMed writes "Miller JS Jr"; the document "Miller JS": the search agrees."""
    record = replace(RECORDS["20090506"], authors=["Miller JS Jr", *RECORDS["20090506"].authors[1:]])
    source = SourceEntry("miller", title=record.title, authors=["Miller JS"], year=record.year)
    assert search_agrees(source, record)
    assert journal_agrees("Lancet Oncology", [None, "Lancet Oncol"])
    assert not journal_agrees("Lancet", ["Lancet Oncol"])


# ---------------------------------------------------------------- paths, with scripted replies

def test_pmid_doi_conflict_and_not_found_paths(eutils):
    eutils.queue("esearch.fcgi", (200, XML, ESEARCH_DOIS))
    eutils.queue("efetch.fcgi", (200, XML, MIXED), (200, XML, EMPTY_SET))
    sources = [
        SourceEntry("miller-2010", pmid="20090506", doi="https://doi.org/10.1097/PAS.0b013e3181cad8c9."),
        SourceEntry("synthetic-doi", doi="doi:10.5555/SYNTH.0001"),
        SourceEntry("pmid-without-doi-in-pubmed", pmid="980000003", doi="10.5555/synth.0001"),
        SourceEntry("pmid-with-other-doi", pmid="20090506", doi="10.5555/not.this"),
        SourceEntry("pinned", pmid="20090506", doi="10.5555/not.this", pinned=True),
        SourceEntry("unknown-pmid", pmid="912345678"),
        SourceEntry("unknown-doi", doi="10.5555/nowhere"),
        SourceEntry("excluded", pmid="20090506", exclude=True, note="a patient leaflet"),
        SourceEntry("bad-pmid", pmid="PMID: 0"),
        SourceEntry("nothing", cited_as="Personal communication"),
    ]
    with EntrezClient(eutils.base_url, rate=0) as client:
        resolutions = resolve_sources(sources, client)
    assert [r.key for r in resolutions] == [s.key for s in sources]
    assert outcome(resolutions) == {
        "miller-2010": ("resolved", None, "pmid", "20090506"),
        "synthetic-doi": ("resolved", None, "doi", "980000001"),
        "pmid-without-doi-in-pubmed": (
            "conflict", "the reference states PMID 980000003 and DOI 10.5555/synth.0001, but PubMed "
                        "gives DOI 10.5555/synth.0001 to PMID 980000001", None, None),
        "pmid-with-other-doi": (
            "conflict", "PubMed gives PMID 20090506 the DOI 10.1097/pas.0b013e3181cad8c9, but the "
                        "reference states DOI 10.5555/not.this", None, None),
        "pinned": ("resolved", None, "pmid", "20090506"),
        "unknown-pmid": ("unresolved", "PMID not found in PubMed (PMID 912345678)", None, None),
        "unknown-doi": ("unresolved", "DOI not found in PubMed (10.5555/nowhere)", None, None),
        "excluded": ("unresolved", "excluded by curator: a patient leaflet", None, None),
        "bad-pmid": ("unresolved", "invalid PMID 'PMID: 0': a PMID is a positive whole number",
                     None, None),
        "nothing": ("unresolved", "nothing to search by: no PMID, DOI, PMCID, journal citation "
                                  "(journal, year, volume, page) or title", None, None),
    }
    # one esearch for every DOI, one efetch for every PMID, and the PMID PubMed left out
    # asked once more on its own ("not found" is not final): nothing else
    assert [(r["endpoint"], r["method"]) for r in eutils.requests] == [
        ("esearch.fcgi", "GET"), ("efetch.fcgi", "GET"), ("efetch.fcgi", "GET")]
    assert eutils.requests[2]["params"]["id"] == ["912345678"]
    assert eutils.requests[0]["params"]["term"] == [
        '("10.1097/pas.0b013e3181cad8c9"[aid]) OR ("10.5555/not.this"[aid]) OR '
        '("10.5555/nowhere"[aid]) OR ("10.5555/synth.0001"[aid])']
    assert eutils.requests[1]["params"]["id"] == ["20090506,912345678,980000001,980000003"]


def test_citation_match_and_title_search_paths(eutils):
    eutils.queue("ecitmatch.cgi", (200, TEXT,
                 b"synth j test|2019|12|999|nobody x|c3|AMBIGUOUS 980000001,980000002\n"
                 b"am j surg pathol|2010|34|238|miller js|c1|20090506\n"
                 b"synthpearls|2024|1|1|writer b|c2|NOT_FOUND\n"))
    eutils.queue("esearch.fcgi", (200, XML, esearch_reply("980000003", "980000001")))
    eutils.queue("efetch.fcgi", (200, XML, MIXED))
    sources = [
        SourceEntry("miller-citation", journal="Am J Surg Pathol", year=2010, volume="34",
                    pages="238\u201342", authors=["Miller JS"]),
        SourceEntry("chapter", journal="SynthPearls", year=2024, volume="1", pages="1",
                    authors=["Writer B"], title="Synthetic chapter on test records."),
        SourceEntry("ambiguous", journal="Synth J Test", year=2019, volume="12", pages="999",
                    authors=["Nobody X"]),
        SourceEntry("title-agrees", title="A synthetic record whose DOI sits only in the "
                                          "ArticleIdList", authors=["Tester A"], year=2019),
        SourceEntry("title-differs", title="Synthetic record: DOI sits only in ArticleIdList",
                    authors=["Tester A"]),
        SourceEntry("title-unknown", title="A synthetic title nobody has", authors=["Nobody X"]),
    ]
    with EntrezClient(eutils.base_url, rate=0) as client:
        resolutions = resolve_sources(sources, client)
    assert outcome(resolutions) == {
        "miller-citation": ("resolved", None, "citation", "20090506"),
        "chapter": ("resolved", None, "title", "980000003"),
        "ambiguous": ("unresolved", "citation not found in PubMed (ECitMatch: AMBIGUOUS "
                                    "980000001,980000002); no PubMed record matches the author, "
                                    "journal and year search", None, None),
        "title-agrees": ("resolved", None, "title", "980000001"),
        "title-differs": (
            "unresolved", 'title search found no record whose title agrees; candidates: PMID '
                          '980000001 "A synthetic record whose DOI sits only in the '
                          'ArticleIdList." (2019)', None, None),
        "title-unknown": ("unresolved", "no PubMed record matches the title search", None, None),
    }
    assert [r["endpoint"] for r in eutils.requests] == ["ecitmatch.cgi", "esearch.fcgi",
                                                        "efetch.fcgi"]
    term = eutils.requests[1]["params"]["term"][0]
    assert term.count(") OR (") == 4  # chapter and ambiguous (after ECitMatch), three titles
    assert "(synthetic[ti] AND chapter[ti] AND records[ti] AND test[ti] AND writer b[au] AND " \
           "2024[dp])" in term
    assert eutils.requests[2]["params"]["id"] == ["20090506,980000001,980000003"]


def test_a_failed_request_leaves_its_sources_unresolved_and_the_rest_resolved(eutils):
    eutils.queue("esearch.fcgi", *[(503, TEXT, b"Service Unavailable")] * 2)
    eutils.queue("efetch.fcgi", (200, XML, MIXED))
    sources = [SourceEntry("miller-2010", pmid="20090506"),
               SourceEntry("synthetic-doi", doi="10.5555/synth.0001")]
    with EntrezClient(eutils.base_url, rate=0, max_tries=2, sleep=lambda s: None) as client:
        resolutions = resolve_sources(sources, client)
    assert outcome(resolutions) == {
        "miller-2010": ("resolved", None, "pmid", "20090506"),
        "synthetic-doi": ("unresolved", "E-utilities failed, try again later: esearch.fcgi failed "
                                        "after 2 tries: HTTP 503", None, None),
    }


# ---------------------------------------------------------------- saving

@pytest.fixture
def db():
    database = sqlite_utils.Database(memory=True)
    ensure_db_shape(database)
    return database


def test_save_resolutions_writes_whole_rows_with_evidence_levels(db):
    refset = ReferenceSet(sources=[
        SourceEntry("miller-2010", pmid="20090506", title="Primary leiomyosarcoma of the kidney",
                    cited_as="Miller JS, et al. Am J Surg Pathol. 2010", kind="article",
                    declared_levels=[DeclaredLevel(3, "Level 3", "level-1-5", "001", 12),
                                     DeclaredLevel(4, "Level 4", "level-1-5", "002", 40)]),
        SourceEntry("unknown-pmid", pmid="912345678", title="As the document gives it", year=2001,
                    authors=["Someone A"], level=2),
    ])
    record = replace(RECORDS["20090506"], fetched_at="2026-11-01T00:00:00+00:00")
    changes = save_resolutions(db, refset, [
        Resolution("miller-2010", "resolved", resolved_by="pmid", record=record),
        Resolution("unknown-pmid", "unresolved", "PMID not found in PubMed (PMID 912345678)")])
    assert changes == []
    rows = {row["id"]: row for row in db["sources"].rows}
    assert rows["miller-2010"] == {
        "id": "miller-2010",
        "title": "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases.",
        "authors": '["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"]',
        "journal": "Am J Surg Pathol", "year": 2010, "volume": "34", "issue": "2", "pages": "238-42",
        "pmid": "20090506", "doi": "10.1097/pas.0b013e3181cad8c9", "pmcid": None,
        "publication_types": '["Journal Article", "Multicenter Study"]',
        "evidence_level": 4, "evidence_basis": "declared", "declared_level": 4,
        "inferred_level": 2, "level_disagreement": 1,  # Multicenter Study -> 2 (evidence.py)
        "status": "resolved", "status_reason": None, "resolved_by": "pmid",
        # the document states only a title, without its subtitle: it agrees
        "identity": "verified", "identity_reason": "agrees: title", "retracted": 0,
        "errata": "[]", "cited_as": "Miller JS, et al. Am J Surg Pathol. 2010", "kind": "article",
        "excluded": 0, "stale": 0, "note": None, "fetched_at": "2026-11-01T00:00:00+00:00",
        "failure": None}
    assert rows["unknown-pmid"]["status"] == "unresolved"
    assert rows["unknown-pmid"]["status_reason"] == "PMID not found in PubMed (PMID 912345678)"
    assert (rows["unknown-pmid"]["title"], rows["unknown-pmid"]["year"],
            rows["unknown-pmid"]["authors"]) == ("As the document gives it", 2001, '["Someone A"]')
    assert (rows["unknown-pmid"]["evidence_level"], rows["unknown-pmid"]["evidence_basis"]) == (
        2, "curator")

    # a later refresh: PubMed now says the article was retracted and corrected
    newer = replace(record, retracted=True, errata=["980000010"], pages="238-243",
                    fetched_at="2026-11-20T00:00:00+00:00")
    changes = save_resolutions(db, refset, [
        Resolution("miller-2010", "resolved", resolved_by="pmid", record=newer),
        Resolution("unknown-pmid", "unresolved", "PMID not found in PubMed (PMID 912345678)")])
    assert changes == ["miller-2010: newly retracted (PMID 20090506)",
                       "miller-2010: pages changed from '238-42' to '238-243'",
                       "miller-2010: new erratum 980000010"]
    row = db["sources"].get("miller-2010")
    assert (row["retracted"], json.loads(row["errata"]), row["fetched_at"]) == (
        1, ["980000010"], "2026-11-20T00:00:00+00:00")
    assert db["sources"].count == 2


def test_evidence_columns_precedence():
    entry = SourceEntry("s", declared_levels=[DeclaredLevel(3, "Level 3", "x", "d", 1)])
    assert evidence_columns(entry, None)["evidence_basis"] == "declared"
    assert evidence_columns(replace(entry, level=1), None)["evidence_level"] == 1
    bare = evidence_columns(SourceEntry("t"), None)
    assert (bare["declared_level"], bare["level_disagreement"]) == (None, 0)


def test_refresh_bypasses_the_cache_only_for_records_older_than_max_age(eutils, tmp_path, db):
    from entrez_fake import synthetic_efetch

    eutils.default("efetch.fcgi", synthetic_efetch())
    sources = [SourceEntry("fresh", pmid="930000001"), SourceEntry("old", pmid="930000002")]
    refset = ReferenceSet(sources=sources)
    cache = tmp_path / "http-cache.sqlite"
    with EntrezClient(eutils.base_url, cache_path=cache, rate=0, batch_size=1) as client:
        save_resolutions(db, refset, resolve_sources(sources, client, db=db))
    assert eutils.count("efetch.fcgi") == 2
    db.execute("update sources set fetched_at = '2026-01-01T00:00:00+00:00' where id = 'old'")
    with EntrezClient(eutils.base_url, cache_path=cache, rate=0, batch_size=1) as client:
        resolutions = resolve_sources(sources, client, refresh=True, max_age="30d", db=db)
        assert client.stats["network_requests"] == 1 and client.stats["cache_hits"] == 1
    assert eutils.requests[-1]["params"]["id"] == ["930000002"]
    assert [r.status for r in resolutions] == ["resolved", "resolved"]
    save_resolutions(db, refset, resolutions)
    assert db["sources"].get("old")["fetched_at"] > "2026-01-01T00:00:00+00:00"
    with EntrezClient(eutils.base_url, cache_path=cache, rate=0, batch_size=1) as client:
        resolve_sources(sources, client, refresh=True, max_age="30d", db=db)
        assert client.stats["network_requests"] == 0  # both fetched within 30 days


# ---------------------------------------------------------------- against the stand-in

KEY = "k3y-SECRET-stand-in-0123456789"


def seed_sources():
    """Sources as the five seed documents state them (extraction only, no curation)."""
    from litgraph.extract import extract_document

    sources, seen = [], set()
    for path in sorted((Path(__file__).parent.parent / "documents").glob("*.txt")):
        document = extract_document(path)
        for number, reference in enumerate(document.references):
            fields = reference.fields()
            identity = tuple(sorted((k, str(v)) for k, v in fields.items()))
            if identity in seen:
                continue
            seen.add(identity)
            sources.append(SourceEntry(f"{path.name[:3]}-{number}", cited_as=reference.raw,
                                       kind=reference.kind, **fields))
    return sources


def source_rows(db):
    return [{k: v for k, v in row.items() if k != "fetched_at"}
            for row in db.query("select * from sources order by id")]


def run_seed(stand_in, tmp_path, name, **client_options):
    """resolve + save the seed sources into tmp_path/<name>.db; return (db, resolutions, client)."""
    from litgraph.store import open_db

    client_options.setdefault("rate", 0)
    sources = seed_sources()
    db = open_db(tmp_path / f"{name}.db")
    with EntrezClient(stand_in.base_url, cache_path=tmp_path / f"{name}-cache.sqlite",
                      sleep=lambda seconds: None, **client_options) as client:
        resolutions = resolve_sources(sources, client, db=db)
    save_resolutions(db, ReferenceSet(sources=sources), resolutions)
    return db, resolutions, client


def test_seed_documents_resolve_in_six_requests_then_none_from_the_cache(tmp_path):
    # four requests resolve; one ECitMatch and one esearch more look for the works of the four
    # entries whose DOI PubMed (here the fixture) has no record of, to name them as candidates
    from litgraph.stub.server import StandIn

    with StandIn(rate_limit=None) as stand_in:
        sources = seed_sources()
        cache = tmp_path / "http-cache.sqlite"
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            cold = resolve_sources(sources, client)
        assert stand_in.stats() == {"ecitmatch.cgi": 2, "esearch.fcgi": 3, "efetch.fcgi": 1}
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            warm = resolve_sources(sources, client)
        assert client.stats["network_requests"] == 0 and client.stats["cache_hits"] == 6
        assert stand_in.stats() == {"ecitmatch.cgi": 2, "esearch.fcgi": 3, "efetch.fcgi": 1}
        catalogue = stand_in.catalogue
    assert outcome(warm) == outcome(cold)
    by_key = {s.key: s for s in sources}
    for resolution in cold:
        source = by_key[resolution.key]
        if source.pmid:  # every PMID a document states is in the fixture
            assert (resolution.status, resolution.record.pmid) == ("resolved", source.pmid)
        if resolution.status == "resolved":
            assert catalogue.get(resolution.record.pmid).title == resolution.record.title
            if source.doi:
                assert source.doi.lower() in resolution.record.dois
        else:
            assert resolution.status == "unresolved" and resolution.status_reason
    # The stand-in's misses say whose they are: fixture records, not PubMed.
    assert all(r.status_reason.endswith(STAND_IN_LABEL) for r in cold if r.status != "resolved")
    unresolved = sorted(r.status_reason.removesuffix(STAND_IN_LABEL).split(" (")[0].split(";")[0]
                        for r in cold if r.status != "resolved")
    assert unresolved == ["DOI not found in PubMed"] * 4 + ["citation not found in PubMed"] * 5 + [
        "no PubMed record matches the author, journal and year search",
        "no PubMed record matches the title search"]
    resolved_by = sorted({r.resolved_by for r in cold if r.resolved_by})
    assert resolved_by == ["citation", "doi", "pmid", "title"]
    assert (len(cold), sum(r.status == "resolved" for r in cold)) == (40, 29)


def test_injected_429s_and_5xx_end_in_the_same_sources_rows_with_nothing_bad_cached(tmp_path):
    from litgraph.entrez import reply_problem
    from litgraph.stub.server import StandIn
    from requests_cache import CachedSession

    with StandIn(rate_limit=None) as clean:
        clean_db, clean_resolutions, _ = run_seed(clean, tmp_path, "clean")
    # 20% 429s, 10% 5xx, and 20% unusable 200s; small batches so that ~20 requests meet them
    faults = "429=0.2,500=0.05,503=0.05,truncate=0.05,error=0.05,html=0.05,empty=0.05,seed=4"
    with StandIn(rate_limit=None, faults=faults) as faulty:
        faulty_db, faulty_resolutions, client = run_seed(faulty, tmp_path, "faulty", max_tries=12,
                                                         batch_size=5)
        injected = {k: v for k, v in faulty.stats().items() if k.startswith("fault:")}
    assert {"fault:429", "fault:500", "fault:503", "fault:truncate", "fault:error",
            "fault:html"} <= set(injected)
    assert client.stats["retries"] == sum(injected.values())
    assert client.stats["failures"] == 0
    assert outcome(faulty_resolutions) == outcome(clean_resolutions)
    assert source_rows(faulty_db) == source_rows(clean_db)
    session = CachedSession(str(tmp_path / "faulty-cache.sqlite"), backend="sqlite")
    stored = list(session.cache.responses.values())
    session.close()
    assert len(stored) == client.stats["network_requests"] - client.stats["retries"]
    for response in stored:
        kind = "text" if "ecitmatch" in response.url else "xml"
        assert response.status_code == 200
        assert reply_problem(200, response.content, response.headers.get("Content-Type", ""),
                             kind) is None


def test_the_api_key_is_nowhere_in_the_cache_database_or_log(tmp_path, caplog):
    import logging

    from litgraph.stub.server import StandIn

    caplog.set_level(logging.DEBUG, logger="litgraph")
    with StandIn(rate_limit=None, faults="500=0.3,seed=3") as stand_in:
        db, resolutions, client = run_seed(stand_in, tmp_path, "keyed", api_key=KEY,
                                           email="curator@example.org", max_tries=10)
    db.close()
    assert client.stats["retries"] > 0 and "retry 1 of 9" in caplog.text
    assert sum(r.status == "resolved" for r in resolutions) == 29
    for path in (tmp_path / "keyed-cache.sqlite", tmp_path / "keyed.db"):
        data = path.read_bytes()
        assert KEY.encode() not in data and b"curator@example.org" not in data, path
    assert KEY not in caplog.text and "curator@example.org" not in caplog.text


def test_a_cold_build_makes_at_most_12_requests_and_a_second_build_none(built_from_documents,
                                                                       tmp_path):
    from demo_project import copy_built
    from litgraph.pipeline import run_build
    from litgraph.stub.server import StandIn

    cold = built_from_documents.served  # the session's first build (conftest.py)
    project = copy_built(built_from_documents, tmp_path / "project")
    # A new stand-in, on a new port, like `build --offline`: the cache still answers.
    with StandIn(rate_limit=None) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=project / "db" / "http-cache.sqlite",
                          rate=0, service=STAND_IN_SERVICE) as client:
            run_build([str(project / "documents")], project / "db" / "litgraph.db",
                      project / "references.yaml", client)
        warm = stand_in.stats()
    assert sum(cold.values()) <= 12
    # resolution, and the search for the works of identifiers PubMed has no record of
    assert {"ecitmatch.cgi": 2, "esearch.fcgi": 3, "efetch.fcgi": 1}.items() <= cold.items()
    assert warm == {}


def test_identifiers_a_search_wrote_back_are_found_again_unless_pinned():
    from litgraph.resolve.hints import stated_ids as _stated_ids

    assert _stated_ids(SourceEntry("a", pmid="20090506", doi="10.5555/x", resolved_by="doi")) == (
        None, "10.5555/x")
    assert _stated_ids(SourceEntry("b", pmid="20090506", doi="10.5555/x", resolved_by="title")) == (
        None, None)
    assert _stated_ids(SourceEntry("c", pmid="20090506", doi="10.5555/x", resolved_by="citation",
                                   pinned=True)) == ("20090506", "10.5555/x")
    assert _stated_ids(SourceEntry("d", pmid="20090506", resolved_by="pmid")) == ("20090506", None)


def test_an_unreachable_eutils_is_one_error_not_a_run_of_unresolved_sources(tmp_path):
    from litgraph.errors import EntrezError

    with ScriptedEutils() as gone:
        url = gone.base_url
    sources = [SourceEntry("miller-2010", pmid="20090506"), SourceEntry("d", doi="10.5555/x")]
    with EntrezClient(url, rate=0, max_tries=2, sleep=lambda s: None, timeout=2) as client, \
            pytest.raises(EntrezError) as caught:
        resolve_sources(sources, client)
    assert str(caught.value) == (
        f"cannot reach E-utilities at {url}: efetch.fcgi failed after 2 tries: network "
        f"error (ConnectionError)")


def test_an_outage_never_undoes_a_stored_resolution(eutils, db):
    refset = ReferenceSet(sources=[SourceEntry("miller-2010", pmid="20090506")])
    record = replace(RECORDS["20090506"], fetched_at="2026-11-01T00:00:00+00:00")
    save_resolutions(db, refset, [Resolution("miller-2010", "resolved", resolved_by="pmid",
                                             record=record)])
    before = db["sources"].get("miller-2010")
    eutils.queue("efetch.fcgi", *[(500, TEXT, b"Internal Server Error")] * 2)
    eutils.queue("esearch.fcgi", (200, XML, ESEARCH_DOIS))  # one request answers: not an outage
    sources = refset.sources + [SourceEntry("synthetic-doi", doi="10.5555/synth.0001")]
    with EntrezClient(eutils.base_url, rate=0, max_tries=2, sleep=lambda s: None) as client:
        resolutions = resolve_sources(sources, client)
    reason = ("E-utilities failed, try again later: efetch.fcgi failed after 2 tries: HTTP 500")
    assert outcome(resolutions) == {
        "miller-2010": ("unresolved", f"{reason} (PMID 20090506)", None, None),
        "synthetic-doi": ("unresolved", reason, None, None)}
    changes = save_resolutions(db, ReferenceSet(sources=sources), resolutions)
    assert changes == [f"miller-2010: kept the stored resolved row: {reason} (PMID 20090506)"]
    assert db["sources"].get("miller-2010") == before
    assert db["sources"].get("synthetic-doi")["status_reason"] == reason


def test_a_failed_ecitmatch_is_a_try_again_reason_not_a_miss(eutils):
    eutils.queue("ecitmatch.cgi", *[(502, TEXT, b"Bad Gateway")] * 2)
    eutils.queue("efetch.fcgi", (200, XML, MIXED))
    sources = [SourceEntry("virchows", journal="Virchows Arch", year=2020, volume="477",
                           pages="219"),
               SourceEntry("miller-2010", pmid="20090506")]
    with EntrezClient(eutils.base_url, rate=0, max_tries=2, sleep=lambda s: None) as client:
        resolutions = resolve_sources(sources, client)
    assert outcome(resolutions) == {
        "virchows": ("unresolved", "E-utilities failed, try again later: ecitmatch.cgi failed "
                                   "after 2 tries: HTTP 502", None, None),
        "miller-2010": ("resolved", None, "pmid", "20090506")}


def test_every_path_end_to_end_against_the_stand_in_with_synthetic_records(tmp_path):
    from litgraph.stub.server import StandIn

    sources = [
        SourceEntry("by-pmid", pmid="980000101"),
        SourceEntry("by-doi", doi="https://doi.org/10.5555/LG.0101"),
        SourceEntry("doi-belongs-elsewhere", pmid="980000102", doi="10.5555/lg.0101"),
        SourceEntry("other-doi", pmid="980000101", doi="10.5555/lg.other"),
        SourceEntry("unknown-pmid", pmid="980000999"),
        SourceEntry("unknown-doi", doi="10.5555/lg.nowhere"),
        SourceEntry("by-citation", journal="Synth J Tests", year=2019, volume="12", pages="200-5",
                    authors=["Writer C"]),
        SourceEntry("ambiguous-citation", journal="Synth J Tests", year=2019, volume="12",
                    pages="300", authors=["Nobody Z"]),
        SourceEntry("by-title", title="Synthetic test record without a DOI.", authors=["Writer C"],
                    year=2019),
        SourceEntry("title-differs", title="Synthetic record with a subtitle",
                    authors=["Tester A"]),
    ]
    records = FIXTURES / "entrez-standin-synthetic.yaml"
    with StandIn(rate_limit=None, records=records) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=tmp_path / "cache.sqlite", rate=0) as client:
            resolutions = resolve_sources(sources, client)
        # the second efetch asks again for the PMID the first left out (unknown-pmid)
        assert stand_in.stats() == {"ecitmatch.cgi": 1, "esearch.fcgi": 2, "efetch.fcgi": 2}
    # Every miss the stand-in reports says it is the stand-in's, not PubMed's.
    for r in resolutions:
        if r.status_reason and "PubMed" in r.status_reason:
            assert r.status_reason.endswith(STAND_IN_LABEL)
            r.status_reason = r.status_reason.removesuffix(STAND_IN_LABEL)
    assert outcome(resolutions) == {
        "by-pmid": ("resolved", None, "pmid", "980000101"),
        "by-doi": ("resolved", None, "doi", "980000101"),
        "doi-belongs-elsewhere": (
            "conflict", "the reference states PMID 980000102 and DOI 10.5555/lg.0101, but PubMed "
                        "gives DOI 10.5555/lg.0101 to PMID 980000101", None, None),
        "other-doi": (
            "conflict", "PubMed gives PMID 980000101 the DOI 10.5555/lg.0101, but the reference "
                        "states DOI 10.5555/lg.other", None, None),
        "unknown-pmid": ("unresolved", "PMID not found in PubMed (PMID 980000999)", None, None),
        "unknown-doi": ("unresolved", "DOI not found in PubMed (10.5555/lg.nowhere)", None, None),
        "by-citation": ("resolved", None, "citation", "980000102"),
        "ambiguous-citation": (
            "unresolved", "citation not found in PubMed (ECitMatch: AMBIGUOUS (2 citations)); "
                          "no PubMed record matches the author, journal and year search", None, None),
        "by-title": ("resolved", None, "title", "980000102"),
        "title-differs": (
            "unresolved", 'title search found no record whose title agrees; candidates: PMID '
                          '980000105 "Synthetic record with a subtitle: the long form" (2020)',
            None, None),
    }
    by_key = {r.key: r for r in resolutions}
    assert by_key["by-doi"].record.doi == "10.5555/lg.0101"
    assert by_key["by-title"].record.authors == ["Writer C"]


# ---------------------------------------------------------------- curator edits (review 8, 9)

SINGER = dict(title="Management of Soft Tissue Sarcomas: an Overview and Update",
              authors=["Singer", "Demetri"], journal="Lancet Oncology", year=2000, kind="article")


def test_a_curator_corrected_pmid_beats_the_title_search_that_wrote_the_old_one(tmp_path, db):
    from litgraph.stub.server import StandIn

    found = SourceEntry("singer-2000", pmid="11905672", resolved_by="title", **SINGER)
    corrected = replace(found, pmid="17268912")  # the curator's edit in references.yaml
    by_doi = SourceEntry("by-doi-corrected", pmid="17268912", doi="10.1097/pas.0b013e3181cad8c9",
                         resolved_by="doi")  # the DOI belongs to PMID 20090506, not 17268912
    cache = tmp_path / "cache.sqlite"
    with StandIn(rate_limit=None) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            unchanged = resolve_sources([found], client)
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            resolutions = resolve_sources([corrected, by_doi], client)
    assert outcome(unchanged) == {"singer-2000": ("resolved", None, "title", "11905672")}
    assert outcome(resolutions) == {
        "singer-2000": ("resolved", None, "pmid", "17268912"),
        "by-doi-corrected": (
            "conflict", "the reference states PMID 17268912 and DOI 10.1097/pas.0b013e3181cad8c9, "
                        "but PubMed gives DOI 10.1097/pas.0b013e3181cad8c9 to PMID 20090506"
                        + STAND_IN_LABEL, None, None)}
    save_resolutions(db, ReferenceSet(sources=[corrected]), resolutions[:1])
    row = db["sources"].get("singer-2000")
    assert row.pop("fetched_at")
    assert row == {
        "id": "singer-2000", "title": "Case report: good prognosis in leiomyosarcoma of the kidney",
        "authors": '["Demir A", "Yazici CM", "Eren F", "Türkeri L"]',
        "journal": "International urology and nephrology", "year": 2007, "volume": "39",
        "issue": "1", "pages": "7-10", "pmid": "17268912", "doi": None, "pmcid": None,
        "publication_types": '["Journal Article"]',
        # no level from the case report's record: it is not the work cited (and the
        # citation's own title gives no cue)
        "evidence_level": None, "evidence_basis": None, "declared_level": None,
        "inferred_level": None,
        "level_disagreement": 0, "status": "resolved", "status_reason": None,
        "resolved_by": "pmid", "retracted": 0, "errata": "[]", "cited_as": None,
        "kind": "article", "excluded": 0, "stale": 0, "note": None,
        "failure": None,
        # the curator's PMID is taken as stated, but it is another work: said so, with the
        # record the citation means (the one the title search had found)
        "identity": "mismatch",
        "identity_reason": 'title 0.42 similar: "Management of Soft Tissue Sarcomas: an..." vs '
                           '"Case report: good prognosis in..."; first author Singer vs Demir; '
                           'authors 1 of 1 others not on the record: Demetri; year 2000 vs 2007; '
                           'journal Lancet Oncology vs International urology and nephrology; '
                           'candidate: PMID 11905672 "Management of soft-tissue sarcomas: an '
                           'overview and update"'}


COINDRE = dict(title="Grading of soft tissue sarcomas: review and update", authors=["Coindre JM"],
               journal="Archives of pathology & laboratory medicine", year=2006, volume="130",
               issue="10", pages="1448-53", kind="article",
               cited_as="Coindre JM. Grading of soft tissue sarcomas: review and update. Archives "
                        "of pathology & laboratory medicine. 2006 Oct:130(10):1448-53 [PubMed "
                        "PMID: 17090186]")


def test_a_pinned_pmid_that_does_not_resolve_keeps_nothing_of_the_record_before(tmp_path, db):
    from litgraph.store.sources import save_reference_set
    from litgraph.stub.server import StandIn

    stated = SourceEntry("coindre-2006", pmid="17090186", **COINDRE)
    pinned = replace(stated, pmid="989999999", pinned=True, title="Grading of STS")  # curator's
    with StandIn(rate_limit=None) as stand_in:
        for entry in (stated, pinned):  # as `litgraph resolve` does, once before and once after
            with EntrezClient(stand_in.base_url, cache_path=tmp_path / "cache.sqlite",
                              rate=0) as client:
                resolutions = resolve_sources([entry], client, db=db)
            refset = ReferenceSet(sources=[entry])
            save_reference_set(db, refset)
            changes = save_resolutions(db, refset, resolutions)
    # the citation still names the work: the reason says which, the PMID stays the curator's
    reason = ("PMID not found in PubMed (PMID 989999999); candidate: PMID 17090186 \"Grading of "
              "soft tissue sarcomas: review and update\"" + STAND_IN_LABEL)
    assert changes == ["coindre-2006: status resolved -> unresolved"]
    assert db["sources"].get("coindre-2006") == {
        "id": "coindre-2006", "title": "Grading of STS", "authors": '["Coindre JM"]',
        "journal": "Archives of pathology & laboratory medicine", "year": 2006, "volume": "130",
        "issue": "10", "pages": "1448-53", "pmid": "989999999", "doi": None, "pmcid": None,
        "publication_types": None, "evidence_level": None, "evidence_basis": None,
        "declared_level": None, "inferred_level": None, "level_disagreement": 0,
        "status": "unresolved", "status_reason": reason, "resolved_by": None, "retracted": None,
        "errata": None, "cited_as": COINDRE["cited_as"], "kind": "article", "excluded": 0,
        "stale": 0, "note": None, "fetched_at": None, "failure": None,
        "identity": None, "identity_reason": None}  # the first run's "verified" is gone too


def test_a_pin_that_leaves_an_identifier_out_keeps_the_records_and_reports_no_change(db):
    """A curator pinned the PMID alone: the DOI is the record's, and saving the set again (a
    rebuild, or a resolution that failed) neither clears it nor reports it as changed."""
    from litgraph.store.sources import save_reference_set

    refset = ReferenceSet(sources=[SourceEntry("miller-2010", pmid="20090506", pinned=True)])
    record = replace(RECORDS["20090506"], fetched_at="2026-11-01T00:00:00+00:00")
    resolved = Resolution("miller-2010", "resolved", resolved_by="pmid", record=record)
    changes = []
    for resolution in (resolved, resolved,
                       Resolution("miller-2010", "unresolved", "E-utilities failed",
                                  failure="transient")):
        save_reference_set(db, refset)
        changes += save_resolutions(db, refset, [resolution])
        assert db["sources"].get("miller-2010")["doi"] == "10.1097/pas.0b013e3181cad8c9"
    assert changes == ["miller-2010: kept the stored resolved row: E-utilities failed"]


def test_the_entrez_client_is_what_resolution_asks_for():
    from litgraph.resolve import EntrezService

    with EntrezClient("http://127.0.0.1:9/entrez/eutils/", rate=0) as client:
        assert isinstance(client, EntrezService)
    assert not isinstance(object(), EntrezService)


def test_stated_pmids_are_fetched_while_the_doi_search_is_unanswered(eutils):
    """Stated PMIDs filling a whole efetch batch go out beside the searches, not after them:
    the DOI search below is answered only once an efetch has come (or after 5 s)."""
    efetch_came = threading.Event()
    answered_after_efetch = []

    def fetch(request):
        efetch_came.set()
        ids = [i for value in request["params"]["id"] for i in value.split(",")]
        return 200, XML, pubmed_set(ids)

    def search(request):
        answered_after_efetch.append(efetch_came.wait(5))
        return 200, XML, esearch_reply("900000101")

    eutils.default("efetch.fcgi", fetch)
    eutils.default("esearch.fcgi", search)
    sources = [SourceEntry("first", pmid="900000001"), SourceEntry("second", pmid="900000002"),
               SourceEntry("by-doi", doi="10.5555/synth.900000101")]
    with EntrezClient(eutils.base_url, rate=0, batch_sizes="efetch=2") as client:
        resolutions = resolve_sources(sources, client)
    assert answered_after_efetch == [True]
    assert {key: value[0] for key, value in outcome(resolutions).items()} == {
        "first": "resolved", "second": "resolved", "by-doi": "resolved"}
    fetched = sorted(tuple(sorted(r["params"]["id"][0].split(","))) for r in eutils.requests
                     if r["endpoint"] == "efetch.fcgi")
    assert fetched == [("900000001", "900000002"), ("900000101",)]  # each PMID once


def test_a_second_run_with_the_pmids_the_first_wrote_back_asks_nothing_anew(tmp_path):
    """Stated PMIDs are fetched ahead in whole batches; the PMIDs a DOI search found, written
    back as hints, must not change the second run's batches, or their cached replies go
    unused (a 20,000-reference rebuild sent 3 efetch requests)."""
    from litgraph.stub.server import StandIn
    from litgraph.stub.synthetic import synthetic_pmid

    # the stated PMIDs and those the DOI search finds interleave, as in any real list
    sources = [SourceEntry(f"stated-{n}", pmid=synthetic_pmid(n)) for n in range(1, 15, 2)]
    sources += [SourceEntry(f"by-doi-{n}", doi=f"10.5555/synthetic.{n}") for n in range(2, 12, 2)]
    cache = tmp_path / "http-cache.sqlite"
    with StandIn(rate_limit=None, synthetic=20) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0,
                          batch_sizes="efetch=3") as client:
            first = resolve_sources(sources, client)
        assert client.stats["network_requests"] > 0
        assert {r.status for r in first} == {"resolved"}
        # what resolve writes back: the DOI search's PMID, a hint (resolved_by: doi)
        again = [replace(s, pmid=r.record.pmid, resolved_by=r.resolved_by)
                 for s, r in zip(sources, first)]
        assert {s.resolved_by for s in again} == {"pmid", "doi"}
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0,
                          batch_sizes="efetch=3") as client:
            second = resolve_sources(again, client)
        assert client.stats["network_requests"] == 0
    assert outcome(second) == outcome(first)


def test_a_builds_one_write_of_each_source_leaves_what_the_two_saves_in_turn_leave(tmp_path):
    """A build writes each sources row once, the set's columns and its resolution's together
    (``save_reference_set(db, refset, resolutions)``): the rows and the changes reported are
    those of saving the set and then its resolutions, in a first build and in rebuilds that
    change the set and the answers."""
    from litgraph.store.sources import save_reference_set

    def record(pmid, **changed):
        return replace(RECORDS[pmid], fetched_at="2026-11-01T00:00:00+00:00", **changed)

    miller = SourceEntry("miller-2010", pmid="20090506", title="Primary leiomyosarcoma of the kidney",
                         authors=["Miller JS"], journal="Am J Surg Pathol", year=2010,
                         declared_levels=[DeclaredLevel(4, "Level 4", "level-1-5", "review", 3)])
    synthetic = SourceEntry("synthetic-doi", doi="10.5555/synth.0001", cited_as="Tester A. 2019.")
    chapter = SourceEntry("chapter", title="Synthetic chapter on test records", kind="book")
    unknown = SourceEntry("unknown", title="A trial nobody indexed", journal="J Nowhere", year=2001)
    excluded = SourceEntry("excluded", title="A randomized controlled trial", exclude=True)
    builds = [  # (the set, its resolutions: none for the excluded source)
        (ReferenceSet(sources=[miller, synthetic, chapter, unknown, excluded]),
         [Resolution("miller-2010", "resolved", resolved_by="pmid", record=record("20090506")),
          Resolution("synthetic-doi", "resolved", resolved_by="doi", record=record("980000001")),
          Resolution("chapter", "unresolved", "no PMID: a book chapter"),
          Resolution("unknown", "unresolved", "not found in PubMed")]),
        # a curator's note and pin, a source dropped; PubMed corrected a title, one request
        # failed, a search now finds the chapter
        (ReferenceSet(sources=[replace(miller, note="checked", pinned=True), synthetic, chapter,
                               excluded]),
         [Resolution("miller-2010", "resolved", resolved_by="pmid",
                     record=record("20090506", title="Primary leiomyosarcoma of the kidney.")),
          Resolution("synthetic-doi", "unresolved", "E-utilities failed", failure="transient"),
          Resolution("chapter", "resolved", resolved_by="title", record=record("980000003"))]),
        # the same set again; the DOI now names another record than the PMID
        (ReferenceSet(sources=[replace(miller, note="checked", pinned=True), synthetic, chapter,
                               excluded]),
         [Resolution("miller-2010", "resolved", resolved_by="pmid",
                     record=record("20090506", title="Primary leiomyosarcoma of the kidney.")),
          Resolution("synthetic-doi", "conflict", "the DOI and the PMID name two records"),
          Resolution("chapter", "resolved", resolved_by="title", record=record("980000003"))]),
    ]
    in_turn, at_once = (sqlite_utils.Database(tmp_path / name) for name in ("turn.db", "once.db"))
    for db in (in_turn, at_once):
        ensure_db_shape(db)
    reported = []
    for refset, resolutions in builds:
        save_reference_set(in_turn, refset)
        expected = save_resolutions(in_turn, refset, resolutions)
        assert save_reference_set(at_once, refset, resolutions) == expected
        reported.append(expected)
        for table in ("sources", "citations", "claims", "evidence_declarations", "documents"):
            assert list(at_once[table].rows) == list(in_turn[table].rows)
    assert reported == [
        [],
        ["miller-2010: title changed from 'Primary leiomyosarcoma of the kidney: a "
         "clinicopathologic study of 27 cases.' to 'Primary leiomyosarcoma of the kidney.'",
         "synthetic-doi: kept the stored resolved row: E-utilities failed",
         "chapter: status unresolved -> resolved"],
        ["synthetic-doi: status resolved -> conflict"]]
    assert {r["id"]: (r["status"], r["evidence_basis"]) for r in at_once["sources"].rows} == {
        "miller-2010": ("resolved", "declared"), "synthetic-doi": ("conflict", None),
        "chapter": ("resolved", "inferred"), "excluded": ("unresolved", "inferred")}


def test_a_pmcid_stated_alone_resolves_by_elink_from_pmc_and_a_rebuild_asks_nothing_new(tmp_path):
    """A web page often links a PMC article and nothing else. The PMCID is asked of elink
    (dbfrom pmc, pmc_pubmed), one id= each, beside the searches; the record it links to is
    fetched with the rest and must name that PMCID. A source that also states a title is
    searched by it too, which decides when PubMed links no record to the PMCID. What resolve
    writes back (the PMID, as a hint: resolved_by pmcid) is found again from the cache."""
    from Bio import Entrez

    from litgraph.stub.server import StandIn

    linked = {"PMC11884410": "40051557", "PMC11021697": "38634045"}  # the fixture records'
    sources = [SourceEntry(f"web-{n}", pmcid=pmcid, title="as the page words it")
               for n, pmcid in enumerate(linked)]
    sources += [SourceEntry("no-record", pmcid="PMC1"), SourceEntry("bad", pmcid="PMC-x"),
                SourceEntry("unlinked-but-titled", pmcid="PMC2", authors=["Miller JS"], year=2010,
                            title="Primary leiomyosarcoma of the kidney: a clinicopathologic "
                                  "study of 27 cases"),
                SourceEntry("unlinked-untraced", pmcid="PMC3", title="An invented title no record has")]
    cache = tmp_path / "http-cache.sqlite"
    with StandIn(rate_limit=None) as stand_in:
        reply = requests.get(stand_in.base_url + "elink.fcgi", timeout=10, params=[
            ("dbfrom", "pmc"), ("db", "pubmed"), ("linkname", "pmc_pubmed"),
            *(("id", pmcid[3:]) for pmcid in linked)]).content
        oracle = {f"PMC{s['IdList'][0]}": [link["Id"] for db in s["LinkSetDb"] for link in db["Link"]]
                  for s in Entrez.read(io.BytesIO(reply), validate=False)}  # Bio.Entrez's reading
        assert oracle == {pmcid: [pmid] for pmcid, pmid in linked.items()}
        before = stand_in.stats()
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            first = resolve_sources(sources, client)
        asked = {k: v - before.get(k, 0) for k, v in stand_in.stats().items()}
        assert asked.get("elink.fcgi") == 1 and asked.get("esearch.fcgi") == 1
        assert outcome(first) == {
            "web-0": ("resolved", None, "pmcid", "40051557"),
            "web-1": ("resolved", None, "pmcid", "38634045"),
            "no-record": ("unresolved", "PubMed links no record to PMCID PMC1" + STAND_IN_LABEL,
                          None, None),
            "bad": ("unresolved", "invalid PMC id 'PMC-x': expected PMC followed by digits",
                    None, None),
            "unlinked-but-titled": ("resolved", None, "title", "20090506"),
            "unlinked-untraced": ("unresolved", "PubMed links no record to PMCID PMC3; no PubMed "
                                  "record matches the title search" + STAND_IN_LABEL, None, None)}
        again = [replace(s, pmid=r.record.pmid if r.record else None, resolved_by=r.resolved_by)
                 for s, r in zip(sources, first)]
        runs = []
        for _ in range(2):
            before = stand_in.stats()
            with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
                runs.append(resolve_sources(again, client))
            runs[-1] = (outcome(runs[-1]), {k: v - before.get(k, 0)
                                            for k, v in stand_in.stats().items() if v > before.get(k, 0)})
    # The title decided for PMC2, and resolve wrote back its PMID with resolved_by: title: from
    # then on its PMCID is a hint, as the PMID is (resolve cannot tell it from one it wrote
    # itself). So the next run's elink leaves PMC2 out, a batch the cache does not hold: one
    # elink request, once; the run after it asks nothing.
    assert runs == [(outcome(first), {"elink.fcgi": 1}), (outcome(first), {})]


def test_a_pmcid_whose_record_names_another_pmcid_is_a_conflict():
    from litgraph.resolve.judging import Found

    record = replace(RECORDS["20090506"], pmcid="PMC200")
    found = Found(FetchResult({"20090506": record}))
    assert found.judge_pmcid("k", "PMC100", ["20090506"], None) == Resolution(
        "k", "conflict", "PMCID PMC100 is linked to PMID 20090506, whose record names PMCID PMC200")
    assert found.judge_pmcid("k", "PMC200", ["20090506"], None).status == "resolved"
    several = found.judge_pmcid("k", "PMC100", ["2", "1"], None)
    assert several.status_reason == "PMCID PMC100 is linked to several PubMed records: PMID 1, 2"


def test_a_pmcid_written_back_with_a_title_searchs_pmid_is_a_hint_and_asks_nothing(tmp_path):
    """A source resolved by its title gets its record's PMID, DOI and PMCID written back with
    resolved_by: title. Its next run searches the title again (from the cache): the PMCID is
    a hint like the PMID, not an identifier to link anew (an elink request the first run did
    not send, and a title match reported as a PMCID's)."""
    from litgraph.references.writeback import _additions
    from litgraph.stub.server import StandIn

    sources = [SourceEntry("web", authors=["Cui H"], year=2025,  # a fixture record's facts
                           title="A Case of DEB-TACE Combined with Anlotinib for Treatment of "
                                 "Liver Metastasis from Retroperitoneal Leiomyosarcoma")]
    cache = tmp_path / "http-cache.sqlite"
    with StandIn(rate_limit=None) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            first = resolve_sources(sources, client)
        written = [replace(s, **_additions({}, r)) for s, r in zip(sources, first)]
        assert (written[0].resolved_by, written[0].pmid, written[0].pmcid) == (
            "title", "40051557", "PMC11884410")
        with EntrezClient(stand_in.base_url, cache_path=cache, rate=0) as client:
            second = resolve_sources(written, client)
            assert client.stats["network_requests"] == 0
    assert outcome(second) == outcome(first) == {"web": ("resolved", None, "title", "40051557")}


def test_a_links_label_taken_for_a_title_is_not_searched():
    """A link's label read as a title ("Full text at", of "Full text at PMC") is no title: a
    source stating nothing else has nothing to search by; one with a PMCID is decided by it."""
    assert search_term(SourceEntry("link", title="Full text at")) is None
    plan = plan_requests([SourceEntry("link", title="Full text at"),
                          SourceEntry("pmc", pmcid="PMC900001", title="Full text at")])
    assert list(plan.decided) == ["link"] and plan.by_pmcid == {"pmc": "PMC900001"}
    assert not plan.searches and not plan.citations
