"""Publication through Datasette, checked with Datasette's own test client.

The database is tests/publish_data.py's small build of the seed documents'
references, so every expected row below can be traced to a document line.
"""

import asyncio
from pathlib import Path
import json
import re
import shutil
import sqlite3
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.database import Database

from litgraph.cli import cli
from litgraph.errors import DatabaseError, InputError
from litgraph.plugin import vis_asset_path
from litgraph.publish import (ROW_SECTIONS, canned_query_names, check_database,
                              datasette_metadata, datasette_settings, load_config, make_datasette)
from litgraph.store import TABLES

from publish_data import AGE_CLAIM, MDA_ABSTRACT, SARCOMA_SITE, STATPEARLS, make_publish_db

AGE_CLAIM_ID = f"{STATPEARLS}:27:3"


def fetch(datasette, path, method="get", **kwargs):
    return asyncio.run(getattr(datasette.client, method)(path, **kwargs))


def rows(datasette, path):
    response = fetch(datasette, path)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return make_publish_db(tmp_path_factory.mktemp("publish") / "litgraph.db")


@pytest.fixture(scope="module")
def ds(db_path):
    datasette = make_datasette(db_path)
    asyncio.run(datasette.invoke_startup())
    return datasette


class Links(HTMLParser):
    """Collects the href of <link> and <a> and the src of <script> and <img>."""

    def __init__(self):
        super().__init__()
        self.assets, self.anchors = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        elif tag == "a" and attrs.get("href"):
            self.anchors.append(attrs["href"])


def parse_links(html):
    parser = Links()
    parser.feed(html)
    return parser


# ------------------------------------------------------------ plugin and metadata

def test_plugin_is_installed(ds):
    plugins = rows(ds, "/-/plugins.json")
    ours = [p for p in plugins if p["name"] == "litgraph"]
    assert len(ours) == 1
    assert ours[0]["static"] is True and ours[0]["templates"] is True
    assert {"register_routes", "render_cell", "extra_template_vars", "database_actions"} <= set(
        ours[0]["hooks"])


def test_every_column_of_every_table_is_described():
    tables = datasette_metadata()["databases"]["litgraph"]["tables"]
    missing = [f"{table}.{column}" for table, (columns, _pk, _fks) in TABLES.items()
               for column in columns
               if not tables.get(table, {}).get("columns", {}).get(column)]
    assert missing == [], f"describe these columns in litgraph/metadata.yaml: {missing}"
    undescribed = [t for t in TABLES if not (tables[t].get("description") or tables[t].get("description_html"))
                   or not tables[t].get("title")]
    assert undescribed == []


def test_metadata_has_licence_source_and_queries_with_descriptions():
    metadata = datasette_metadata()
    assert metadata["license"] and metadata["license_url"].startswith("https://www.nlm.nih.gov/")
    assert "PubMed" in metadata["license"] and "documents" in metadata["source"]
    assert "settings" not in metadata
    queries = metadata["databases"]["litgraph"]["queries"]
    assert {"claims_for_source", "sources_for_claim", "weak_evidence_claims", "unresolved_references",
            "most_cited", "shared_sources"} <= set(queries)
    for name, query in queries.items():
        assert query.get("title") and query.get("description"), name
    assert ":source" in queries["claims_for_source"]["sql"]
    assert ":claim" in queries["sources_for_claim"]["sql"]


def test_settings_make_the_site_safe_to_expose():
    settings = datasette_settings()
    assert settings["sql_time_limit_ms"] <= 1000
    assert settings["max_returned_rows"] <= 1000
    assert settings["allow_download"] is False
    assert settings["allow_csv_stream"] is False


def test_metadata_holds_no_secret(ds, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key-1234567890")
    text = json.dumps(load_config())
    assert "api_key" not in text.lower() and "secret-key" not in text
    for path in ("/", "/litgraph", "/-/metadata.json", "/-/citation-graph"):
        assert "secret-key" not in fetch(ds, path).text


def test_database_served_immutable_under_the_name_litgraph(ds, db_path):
    database = ds.get_database("litgraph")
    assert database.is_mutable is False
    assert database.path == str(db_path.resolve())
    # No in-memory database beside it: the only thing to query is the data.
    assert [name for name in ds.databases if name != "_internal"] == ["litgraph"]
    assert [d["name"] for d in rows(ds, "/-/databases.json")] == ["litgraph"]


# ------------------------------------------------------------ canned queries

def test_claims_for_source_by_pmid_returns_whole_rows(ds):
    result = rows(ds, "/litgraph/claims_for_source.json?source=20090506&_shape=array")
    assert result == [
        {"source": "miller2010", "pmid": "20090506", "claim": f"{STATPEARLS}:25:2",
         "claim_text": "Renal LMS, like LMS in general, shows a strong predilection for the female "
                       "gender (59-76%).",
         "document": "Renal Leiomyosarcoma", "document_id": STATPEARLS, "section": "Etiology",
         "line": 25, "evidence_level": 3, "inherited_from": None},
        {"source": "miller2010", "pmid": "20090506", "claim": AGE_CLAIM_ID, "claim_text": AGE_CLAIM,
         "document": "Renal Leiomyosarcoma", "document_id": STATPEARLS, "section": "Epidemiology",
         "line": 27, "evidence_level": 3, "inherited_from": None},
    ]


@pytest.mark.parametrize("source", [
    "PMID: 20090506", "pmid:20090506", "020090506", "10.1097/PAS.0b013e3181cad8c9",
    "https://doi.org/10.1097/PAS.0b013e3181cad8c9", "doi:10.1097/pas.0b013e3181cad8c9", "miller2010",
    " miller2010 ",
])
def test_claims_for_source_accepts_pmid_doi_or_key(ds, source):
    from urllib.parse import quote

    result = rows(ds, f"/litgraph/claims_for_source.json?source={quote(source)}&_shape=array")
    assert [r["claim"] for r in result] == [f"{STATPEARLS}:25:2", AGE_CLAIM_ID]


@pytest.mark.parametrize("source", ["989999999", "10.1000/nothing", "", "Miller2010"])
def test_claims_for_source_finds_nothing_for_an_unknown_source(ds, source):
    assert rows(ds, f"/litgraph/claims_for_source.json?source={source}&_shape=array") == []


def test_sources_for_claim_by_id(ds):
    result = rows(ds, f"/litgraph/sources_for_claim.json?claim={AGE_CLAIM_ID}&_shape=array")
    assert [(r["claim"], r["source"], r["pmid"], r["evidence_level"], r["evidence_basis"])
            for r in result] == [
        (AGE_CLAIM_ID, "miller2010", "20090506", 3, "declared"),
        (AGE_CLAIM_ID, "ozturk2015", "25663853", None, None),
    ]
    assert result[0]["title"] == ("Primary leiomyosarcoma of the kidney: a clinicopathologic study "
                                  "of 27 cases")


def test_sources_for_claim_by_words(ds):
    result = rows(ds, "/litgraph/sources_for_claim.json?claim=mean+age+diagnosis+58.5&_shape=array")
    assert [(r["claim"], r["source"]) for r in result] == [
        (AGE_CLAIM_ID, "miller2010"), (AGE_CLAIM_ID, "ozturk2015")]
    # Words from two claims: the patient page's claim cites nothing, so it
    # appears once with no source.
    result = rows(ds, "/litgraph/sources_for_claim.json?claim=diagnosis+58.5&_shape=array")
    assert [(r["claim"], r["source"]) for r in result] == [
        ("000_d77120f9981d4803:17:5", None), (AGE_CLAIM_ID, "miller2010"), (AGE_CLAIM_ID, "ozturk2015")]


@pytest.mark.parametrize("claim", ["carcinoid", 'unbalanced "quote (and', "OR", "   "])
def test_sources_for_claim_with_words_found_nowhere_or_odd_syntax(ds, claim):
    from urllib.parse import quote

    response = fetch(ds, f"/litgraph/sources_for_claim.json?claim={quote(claim)}&_shape=array")
    assert response.status_code == 200, response.text
    assert response.json() == []


def test_weak_evidence_claims(ds):
    result = rows(ds, "/litgraph/weak_evidence_claims.json?_shape=array")
    assert [(r["claim"], r["sources"], r["best_level"], r["reason"]) for r in result] == [
        ("000_d77120f9981d4803:17:5", 0, None, "cites no source"),
        # each cites a level-3 source and one of unknown level
        (f"{STATPEARLS}:21:4", 3, 3, "low-level evidence, other sources of unknown level"),
        (AGE_CLAIM_ID, 2, 3, "low-level evidence, other sources of unknown level"),
        (f"{STATPEARLS}:85:1", 0, None, "cites no source"),
    ]
    # The sex-ratio claim rests on Novak 2017, level 2: not weak.
    assert f"{STATPEARLS}:25:2" not in {r["claim"] for r in result}
    assert result[2]["claim_text"] == AGE_CLAIM and result[2]["section"] == "Epidemiology"


def test_unresolved_references(ds):
    assert rows(ds, "/litgraph/unresolved_references.json?_shape=array") == [
        {"source": "vangeel2003", "status": "unresolved",
         "status_reason": "no PubMed record matches the DOI or the citation",
         "cited_as": "Sarcoma, Vol 7, Nos. 3-4, September-December 2003, pp159-165 (Van Geel et al.)",
         "pmid": None, "doi": "10.1080/13577140310001650321", "cited_by_documents": SARCOMA_SITE},
    ]


def test_most_cited_ranks_against_counts_from_the_links_table(ds, db_path):
    result = rows(ds, "/litgraph/most_cited.json?_shape=array")
    conn = sqlite3.connect(db_path)
    citing = {}
    for citing_id, cited_id, kind in conn.execute(
            "select l.citing_id, l.cited_id, n.kind from links l join nodes n on n.id = l.citing_id"):
        citing.setdefault(cited_id, set()).add((citing_id, kind))
    pagerank = dict(conn.execute("select node_id, pagerank from metrics"))
    sources = [row[0] for row in conn.execute("select id from nodes where kind = 'source'")]
    expected = sorted(sources, key=lambda s: (-len(citing.get(s, ())), -pagerank[s], s))
    assert [r["source"] for r in result] == expected
    assert result[0]["source"] == "serrano2013"
    assert (result[0]["cited_by"], result[0]["cited_by_any"]) == (2, 2)
    miller = next(r for r in result if r["source"] == "miller2010")
    # Cited by one document through two origins: one citing work.
    assert (miller["cited_by"], miller["cited_by_any"]) == (1, 1)
    assert miller["pmid"] == "20090506" and miller["pagerank"] == round(pagerank["miller2010"], 6)


def test_shared_sources(ds):
    assert rows(ds, "/litgraph/shared_sources.json?_shape=array") == [
        {"source": "serrano2013", "title": "Leiomyosarcoma.", "pmid": "24093170", "evidence_level": None,
         "documents": 2, "document_ids": f"{STATPEARLS},{MDA_ABSTRACT}"},
    ]


def test_every_canned_query_renders_as_a_page(ds):
    # The small database has no rewrite, so restatement_issues is checked on the demo build;
    # nor a mismatched record: identity_mismatches is checked in test_identity.py.
    for name in set(canned_query_names()) - {"restatement_issues", "identity_mismatches"}:
        response = fetch(ds, f"/litgraph/{name}?source=20090506&claim={AGE_CLAIM_ID}")
        assert response.status_code == 200, name
        assert "<table" in response.text, name


# ------------------------------------------------------------ search, facets, cells

def test_full_text_search_on_sources_and_claims(ds):
    found = rows(ds, "/litgraph/sources.json?_search=kidney+clinicopathologic&_shape=array")
    assert [r["id"] for r in found] == ["miller2010"]
    found = rows(ds, "/litgraph/sources.json?_search=Perhavec&_shape=array")  # an author
    assert [r["id"] for r in found] == ["novak2017"]
    found = rows(ds, "/litgraph/claims.json?_search=surgical+excision&_shape=array")
    assert [r["id"] for r in found] == [f"{STATPEARLS}:21:4"]


def test_sources_table_offers_the_suggested_facets(ds):
    data = rows(ds, "/litgraph/sources.json")
    assert set(data["facet_results"]) == {"evidence_level", "evidence_basis", "status", "identity",
                                          "year", "journal"}
    status = {f["value"]: f["count"] for f in data["facet_results"]["status"]["results"]}
    assert status == {"resolved": 7, "unresolved": 1}
    # Publication types: an array facet, offered as a link because it reads every row.
    assert 'href="/litgraph/sources?_facet_array=publication_types"' in fetch(ds, "/litgraph/sources").text
    data = rows(ds, "/litgraph/sources.json?_facet_array=publication_types")
    types = {f["value"]: f["count"] for f in data["facet_results"]["publication_types"]["results"]}
    assert types == {"Journal Article": 1, "Multicenter Study": 1}


def test_source_row_page_links_identifiers_and_shows_claims_and_documents(ds):
    html = fetch(ds, "/litgraph/sources/miller2010").text
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/20090506/">20090506</a>' in html
    assert '<a href="https://doi.org/10.1097/pas.0b013e3181cad8c9">10.1097/pas.0b013e3181cad8c9</a>' in html
    assert '<span class="litgraph-list">Miller JS, Zhou M, Brimo F, Guo CC, Epstein JI</span>' in html
    assert '<span class="litgraph-list">Journal Article, Multicenter Study</span>' in html
    assert "<h2>Claims this source supports (2)</h2>" in html
    assert AGE_CLAIM in html
    assert f'<a href="/litgraph/claims/{STATPEARLS}~3A27~3A3">{STATPEARLS}:27:3</a>' in html
    assert "<h2>Documents citing this source (1)</h2>" in html
    # a document id shows the document's title, linked to the document
    assert (f'<a href="/litgraph/documents/{STATPEARLS}">Renal Leiomyosarcoma</a>&nbsp;'
            f'<em class="litgraph-id">{STATPEARLS}</em>') in html


def test_source_without_claims_says_so(ds):
    html = fetch(ds, "/litgraph/sources/vangeel2003").text
    assert "<h2>Claims this source supports (0)</h2>" in html
    assert "<h2>Documents citing this source (1)</h2>" in html


def test_claim_row_page_shows_its_sources(ds):
    response = fetch(ds, f"/litgraph/claims/{STATPEARLS}~3A27~3A3")
    assert response.status_code == 200
    assert "<h2>Sources behind this claim (2)</h2>" in response.text
    assert '<a href="/litgraph/sources/ozturk2015">ozturk2015</a>' in response.text


def test_row_sections_skip_a_table_the_database_does_not_have(ds, monkeypatch):
    from litgraph.publish import RowSection

    monkeypatch.setattr("litgraph.publish.ROW_SECTIONS", ROW_SECTIONS + [RowSection(
        "claims", "Matched claims", "select matched_claim_id from claim_matches_not_built where claim_id = :id")])
    html = fetch(ds, f"/litgraph/claims/{STATPEARLS}~3A27~3A3").text
    assert "Sources behind this claim (2)" in html and "Matched claims" not in html


def test_pmc_ids_link_to_pmc(ds):
    from litgraph.plugin import render_identifier

    assert str(render_identifier("pmcid", "PMC5647653")) == (
        '<a href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC5647653/">PMC5647653</a>')
    assert render_identifier("pmid", "not-a-pmid") is None
    assert render_identifier("doi", None) is None


def test_identifiers_no_record_confirms_are_marked_wherever_they_are_shown(db_path, tmp_path):
    """An unresolved source's PMID is only as its document states it, and a mismatch's PMID
    is another work's: each keeps its link (a curator checks it there) but is marked, on
    the sources table and in a query naming the source; a verified record's is not."""
    copy = tmp_path / "litgraph.db"
    shutil.copy(db_path, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("update sources set status = 'unresolved', status_reason = 'no PubMed "
                     "record matches the PMID' where id = 'beardo2013'")
        conn.execute("update sources set identity = 'mismatch', identity_reason = 'title and "
                     "year differ' where id = 'miller2010'")
    conn.close()
    site = make_datasette(copy)
    asyncio.run(site.invoke_startup())

    def marked(html, pmid):
        cell = re.search(rf'<a href="https://pubmed.ncbi.nlm.nih.gov/{pmid}/">{pmid}</a>'
                         r'( <span class="litgraph-unverified" title="[^"]*">\(([^)]*)\)</span>)?',
                         html)
        assert cell, pmid
        return cell.group(2)

    sources_page = fetch(site, "/litgraph/sources?_sort=id").text
    assert marked(sources_page, "24179654") == "not verified"  # beardo2013, unresolved
    assert marked(sources_page, "20090506") == "another work"  # miller2010, a mismatch
    assert marked(sources_page, "24965077") is None  # kneisl2014, resolved and verified
    assert marked(fetch(site, "/litgraph/sources/beardo2013").text, "24179654") == "not verified"
    claims = fetch(site, "/litgraph/claims_for_source?source=miller2010").text
    assert marked(claims, "20090506") == "another work"
    assert marked(fetch(site, "/litgraph/shared_sources").text, "24093170") is None
    # the published database itself is unchanged: the mark is the page's, not the data's
    assert rows(site, "/litgraph/sources/beardo2013.json?_shape=array")[0]["pmid"] == "24179654"


def test_canned_query_cells_link_pmids_and_rows(ds):
    html = fetch(ds, "/litgraph/shared_sources").text
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/24093170/">24093170</a>' in html
    assert '<a href="/litgraph/sources/serrano2013">serrano2013</a>' in html
    html = fetch(ds, "/litgraph/weak_evidence_claims").text
    assert f'<a href="/litgraph/claims/{STATPEARLS}~3A85~3A1">{STATPEARLS}:85:1</a>' in html
    # a document id shows the document's title, linked to the document
    assert (f'<a href="/litgraph/documents/{STATPEARLS}">Renal Leiomyosarcoma</a>&nbsp;'
            f'<em class="litgraph-id">{STATPEARLS}</em>') in html


# ------------------------------------------------------------ citation graph

def test_database_page_links_the_graph(ds):
    html = fetch(ds, "/litgraph").text
    assert 'href="/-/citation-graph"' in html
    assert "Citation graph" in html


def test_graph_json_holds_documents_sources_and_links(ds, db_path):
    graph = rows(ds, "/-/citation-graph.json")
    kinds = {}
    for node in graph["nodes"]:
        kinds.setdefault(node["kind"], []).append(node["id"])
    assert sorted(kinds["document"]) == [STATPEARLS, SARCOMA_SITE, MDA_ABSTRACT]
    assert len(kinds["source"]) == 8
    assert (graph["total_nodes"], graph["total_links"], graph["truncated"]) == (11, 10, False)
    assert {"from": STATPEARLS, "to": "miller2010", "origins": ["document", "pubmed-references"]} in graph["links"]
    assert len(graph["links"]) == 9  # ten links, two of them the same pair
    node = next(n for n in graph["nodes"] if n["id"] == "miller2010")
    assert node["url"] == "/litgraph/sources/miller2010" and node["evidence_level"] == 3
    conn = sqlite3.connect(db_path)
    stored = conn.execute("select pagerank from metrics where node_id = 'miller2010'").fetchone()[0]
    conn.close()
    assert node["pagerank"] == pytest.approx(stored) and stored > 0
    document = next(n for n in graph["nodes"] if n["id"] == STATPEARLS)
    assert document["url"] == f"/litgraph/documents/{STATPEARLS}"


def test_graph_json_limit_keeps_documents_and_top_pagerank(ds, db_path):
    conn = sqlite3.connect(db_path)
    by_pagerank = [r[0] for r in conn.execute(
        "select node_id from metrics where kind != 'document' order by pagerank desc, node_id")]
    graph = rows(ds, "/-/citation-graph.json?limit=8")
    assert [n["id"] for n in graph["nodes"]] == sorted([STATPEARLS, SARCOMA_SITE, MDA_ABSTRACT]) + by_pagerank[:5]
    assert by_pagerank[0] == "serrano2013" and graph["truncated"] is True
    # Documents take at most half of the picture.
    graph = rows(ds, "/-/citation-graph.json?limit=4")
    assert [n["id"] for n in graph["nodes"]] == sorted([STATPEARLS, SARCOMA_SITE]) + by_pagerank[:2]
    drawn = {n["id"] for n in graph["nodes"]}
    expected = sorted({(a, b) for a, b in conn.execute("select citing_id, cited_id from links")
                       if a in drawn and b in drawn})
    assert [(l["from"], l["to"]) for l in graph["links"]] == expected
    assert (STATPEARLS, "serrano2013") in expected and len(expected) < 9


@pytest.mark.parametrize("limit", ["abc", "0", "-3", "1.5"])
def test_graph_json_rejects_a_bad_limit(ds, limit):
    response = fetch(ds, f"/-/citation-graph.json?limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json()["error"]


def test_graph_json_limit_is_capped(ds):
    graph = rows(ds, "/-/citation-graph.json?limit=999999")
    assert graph["limit"] == load_config()["plugins"]["litgraph"]["graph_max_nodes"]


def test_graph_page_assets_all_load_and_are_local(ds):
    response = fetch(ds, "/-/citation-graph")
    assert response.status_code == 200
    links = parse_links(response.text)
    assert "/-/litgraph/vis-network.min.js" in links.assets
    assert "/-/litgraph/vis-network.css" in links.assets
    assert "/-/static-plugins/litgraph/citation-graph.js" in links.assets
    for asset in links.assets:
        assert asset.startswith("/"), f"{asset} is not served by this site"
        assert fetch(ds, asset).status_code == 200, asset
    assert 'data-src="/-/citation-graph.json?limit=200"' in response.text
    script = fetch(ds, "/-/litgraph/vis-network.min.js")
    assert script.content == vis_asset_path("vis-network.min.js").read_bytes()
    assert script.headers["content-type"].startswith("application/javascript")
    assert fetch(ds, "/-/litgraph/vis-network.esm.js").status_code == 404


# ------------------------------------------------------------ only where it belongs

@pytest.fixture(scope="module")
def mixed_ds(db_path, tmp_path_factory):
    """The litgraph database beside another database with look-alike columns."""
    other = tmp_path_factory.mktemp("other") / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table papers (id text primary key, pmid text, doi text, authors text)")
    conn.execute("insert into papers values ('p1', '20090506', '10.1097/pas.0b013e3181cad8c9', "
                 "'[\"Miller JS\", \"Zhou M\"]')")
    conn.commit()
    conn.close()
    datasette = make_datasette(db_path)
    datasette.add_database(Database(datasette, path=str(other), is_mutable=False), name="other")
    asyncio.run(datasette.invoke_startup())
    return datasette


def test_plugin_leaves_other_databases_alone(mixed_ds):
    database_page = fetch(mixed_ds, "/other").text
    assert "/-/citation-graph" not in database_page.split('class="nav-menu"')[-1].split("</details>", 2)[-1]
    table_page = fetch(mixed_ds, "/other/papers").text
    row_page = fetch(mixed_ds, "/other/papers/p1").text
    for html in (table_page, row_page):
        assert "pubmed.ncbi.nlm.nih.gov" not in html
        assert "doi.org/10.1097" not in html
        assert "litgraph-list" not in html
        assert "litgraph-row-section" not in html
    # ...while the litgraph database still gets everything.
    assert "pubmed.ncbi.nlm.nih.gov/20090506" in fetch(mixed_ds, "/litgraph/sources/miller2010").text


def test_database_action_only_on_the_litgraph_database(mixed_ds):
    def actions(html):
        match = re.search(r'<details class="actions-menu-links.*?</details>', html, re.S)
        return match.group(0) if match else ""

    assert "/-/citation-graph" in actions(fetch(mixed_ds, "/litgraph").text)
    assert "/-/citation-graph" not in actions(fetch(mixed_ds, "/other").text)


def test_no_sections_on_row_pages_of_other_litgraph_tables(ds):
    html = fetch(ds, f"/litgraph/documents/{STATPEARLS}").text
    assert "litgraph-row-section" not in html


def test_graph_routes_are_absent_without_a_litgraph_database(tmp_path):
    other = tmp_path / "plain.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    datasette = Datasette([str(other)])
    assert fetch(datasette, "/-/citation-graph").status_code == 404
    assert fetch(datasette, "/-/citation-graph.json").status_code == 404
    assert "/-/citation-graph" not in fetch(datasette, "/").text
    # The read-only guard is litgraph's configuration, not imposed on every Datasette.
    response = fetch(datasette, "/plain", method="post", data={"sql": "select 1"})
    assert "this site is read-only" not in response.text


def test_post_is_refused_with_a_clear_message(ds):
    response = fetch(ds, "/-/messages", method="post", data={"message": "hello"})
    assert (response.status_code, response.text) == (405, "Method not allowed: this site is read-only.")
    assert response.headers["allow"] == "GET"


# ------------------------------------------------------------ read-only and limits

def test_insert_through_sql_is_refused_and_changes_nothing(ds, db_path):
    before = sqlite3.connect(db_path).execute("select count(*) from sources").fetchone()[0]
    for sql in ("insert into sources (id) values ('intruder')", "delete from sources",
                "update sources set title = 'x'", "drop table claims", "attach database ':memory:' as m"):
        response = fetch(ds, "/litgraph.json", params={"sql": sql})
        assert response.status_code == 400, sql
    response = fetch(ds, "/litgraph", params={"sql": "insert into sources (id) values ('intruder')"})
    assert response.status_code == 400
    assert "Statement must be a SELECT" in response.text
    assert sqlite3.connect(db_path).execute("select count(*) from sources").fetchone()[0] == before


@pytest.mark.parametrize("path", ["/litgraph", "/litgraph/sources", "/litgraph/sources/miller2010",
                                  "/litgraph/claims_for_source", "/-/citation-graph",
                                  "/-/citation-graph.json", "/-/litgraph/vis-network.min.js"])
def test_post_is_refused(ds, db_path, path):
    response = fetch(ds, path, method="post",
                     data={"sql": "insert into sources (id) values ('intruder')", "source": "x"})
    assert response.status_code in (403, 405), (path, response.status_code)
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from sources where id = 'intruder'").fetchone()[0] == 0


def test_runaway_query_is_stopped_by_the_time_limit(ds):
    sql = "with recursive n(x) as (select 1 union all select x + 1 from n) select count(*) from n"
    response = fetch(ds, "/litgraph.json", params={"sql": sql})
    assert response.status_code == 400
    assert "SQL query took too long" in response.json()["error"]


def test_row_cap_truncates_big_results(ds):
    sql = "with recursive n(x) as (select 1 union all select x + 1 from n limit 5000) select x from n"
    data = rows(ds, "/litgraph.json?" + __import__("urllib.parse").parse.urlencode({"sql": sql}))
    assert len(data["rows"]) == 1000 and data["truncated"] is True


# ------------------------------------------------------------ opening the database

def test_check_database_names_the_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"database .*nothere\.db does not exist"):
        check_database(tmp_path / "nothere.db")


def test_check_database_rejects_a_database_that_is_not_litgraph(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    with pytest.raises(InputError, match=r"other\.db is not a litgraph database \(no table documents"):
        check_database(other)


def test_a_database_an_older_litgraph_built_is_not_served_until_built_again(tmp_path):
    """Its claims table lacks markers_without_entry, which the weak-claims page asks for:
    serving it read-only would answer that page with an error, so it is refused, saying why
    and what to run; a build brings it up to date, and it is served."""
    from litgraph.store import open_db

    path = tmp_path / "older.db"
    db = open_db(path)
    db.execute("drop view weak_claims")
    db.execute("alter table claims drop column markers_without_entry")
    db.execute("pragma user_version = 0")  # another litgraph's shape
    db.conn.commit()
    db.conn.close()
    with pytest.raises(InputError, match=r"older\.db was built by an older litgraph \(no column "
                                         r"claims\.markers_without_entry\): build it again"):
        check_database(path)
    open_db(path).conn.close()  # what a build does first: the table's shape made whole
    assert check_database(path) == path


def test_check_database_rejects_a_file_that_is_not_sqlite(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n" * 100)
    with pytest.raises(DatabaseError, match=r"cannot read database .*junk\.db"):
        check_database(junk)


def test_serve_with_a_missing_database_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: database {tmp_path / 'missing.db'} does not exist: build it first with `litgraph build`"]


# ------------------------------------------------------------ the real offline build

@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory):
    """The seed documents built offline (extract, resolve against the stand-in, graph), served."""
    from demo_project import copy_built

    project = copy_built(built_demo, tmp_path_factory.mktemp("demo") / "project")
    db_path = project / "db" / "litgraph.db"
    datasette = make_datasette(db_path)
    asyncio.run(datasette.invoke_startup())
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    yield datasette, conn
    conn.close()


def test_demo_claims_for_source_20090506_returns_the_58_5_claim(demo):
    ds, conn = demo
    result = rows(ds, "/litgraph/claims_for_source.json?source=20090506&_shape=array")
    assert AGE_CLAIM in [r["claim_text"] for r in result]
    key = conn.execute("select id from sources where pmid = '20090506'").fetchone()[0]
    expected = [r[0] for r in conn.execute(
        "select c.id from claim_sources cs join claims c on c.id = cs.claim_id where cs.source_id = ? "
        "order by c.document_id, c.line, c.id", [key])]
    own = [r for r in result if r["inherited_from"] is None]
    assert [r["claim"] for r in own] == expected and len(expected) >= 2
    assert result[:len(own)] == own  # its own citations first, then the inheriting sentences
    inheriting = {(r[0], r[1]) for r in conn.execute(
        "select a.claim_id, a.matched_claim_id from claim_alignments a "
        "join claim_sources cs on cs.claim_id = a.matched_claim_id where cs.source_id = ?", [key])}
    assert {(r["claim"], r["inherited_from"]) for r in result[len(own):]} == inheriting
    assert inheriting and all(claim.startswith("000_") for claim, _ in inheriting)
    assert {(r["source"], r["pmid"]) for r in result} == {(key, "20090506")}
    assert rows(ds, f"/litgraph/claims_for_source.json?source={key}&_shape=array") == result


def test_demo_restatement_issues_flag_the_restated_age_range(demo):
    ds, conn = demo
    result = rows(ds, "/litgraph/restatement_issues.json?_shape=array")
    result += rows(ds, "/litgraph/restatement_issues.json?_shape=array&page=2")
    expected = conn.execute("select count(*) from claim_alignments "
                            "where rank = 1 and sentence_status != 'supported'").fetchone()[0]
    assert len(result) == expected > 0
    assert {r["status"] for r in result} <= {"number-mismatch", "unsupported", "uncited-in-source"}
    [mismatch] = [r for r in result if r["status"] == "number-mismatch"]
    assert "between the ages of 40 and 60" in mismatch["sentence"]
    assert "4th and 6th decades" in mismatch["matched_text"]
    page = fetch(ds, f"/litgraph/claims/{mismatch['claim']}")
    assert "What this sentence restates" in page.text and "4th and 6th decades" in page.text


def test_demo_source_page_lists_the_rewrite_sentences_that_inherit_it(demo):
    ds, conn = demo
    key = conn.execute("select id from sources where pmid = '20090506'").fetchone()[0]
    inheriting = [r[0] for r in conn.execute(
        "select distinct a.claim_id from claim_alignments a join claim_sources cs "
        "on cs.claim_id = a.matched_claim_id where cs.source_id = ?", [key])]
    assert inheriting, "some sentence of the rewrite restates a claim citing Miller 2010"
    page = fetch(ds, f"/litgraph/sources/{key}")
    assert "Rewritten sentences that inherit this source" in page.text
    for claim_id in inheriting:
        assert claim_id in page.text


def test_a_stand_in_build_says_so_on_the_site_and_credits_no_ncbi_data(demo, ds):
    demo_ds, _conn = demo
    page = fetch(demo_ds, "/").text
    assert "Offline demo:" in page and "not against NCBI" in page
    assert "Bibliographic data from PubMed" not in page
    assert "stand-in" in rows(demo_ds, "/-/metadata.json")["license"]
    # A database that records no stand-in keeps the PubMed credit and no banner.
    plain = fetch(ds, "/").text
    assert "Offline demo:" not in plain and "Bibliographic data from PubMed" in plain


def test_every_page_kind_of_a_stand_in_build_says_so_and_credits_no_ncbi_data(demo, ds):
    demo_ds, conn = demo
    key = conn.execute("select id from sources where pmid = '20090506'").fetchone()[0]
    claim = conn.execute("select claim_id from claim_sources where source_id = ?", [key]).fetchone()[0]
    from datasette.utils import tilde_encode

    pages = {"index": "/", "database": "/litgraph", "table": "/litgraph/sources",
             "row": f"/litgraph/sources/{key}", "claim row": f"/litgraph/claims/{tilde_encode(claim)}",
             "canned query": "/litgraph/weak_evidence_claims",
             "query with a parameter": "/litgraph/sources_for_claim?claim=58.5",
             "graph": "/-/citation-graph"}
    for kind, path in pages.items():
        html = fetch(demo_ds, path).text
        assert 'class="message-warning litgraph-stand-in-notice"' in html, kind
        assert "nothing on this site is NCBI or PubMed data" in html, kind
        for credit in ("NCBI E-utilities (PubMed)", "Bibliographic data from PubMed", "and NCBI E-utilities"):
            assert credit not in html, (kind, credit)
    database = fetch(demo_ds, "/litgraph").text
    assert "Fixture records of litgraph&#39;s E-utilities stand-in (not NCBI data)" in database
    # the same pages of a database built against NCBI carry no notice
    for kind, path in pages.items():
        if kind in ("row", "claim row", "query with a parameter"):
            continue  # other keys in that database
        assert "litgraph-stand-in-notice" not in fetch(ds, path).text, kind


def test_demo_sources_for_the_58_5_claim(demo):
    ds, _conn = demo
    result = rows(ds, "/litgraph/sources_for_claim.json?claim=mean+age+at+diagnosis+58.5&_shape=array")
    assert {r["claim_text"] for r in result} == {AGE_CLAIM}
    # The StatPearls sentence ends with the markers [1][8]: Miller 2010 and Öztürk 2015.
    assert sorted(r["pmid"] for r in result) == ["20090506", "25663853"]


def test_demo_weak_evidence_claims_match_an_independent_count(demo):
    ds, conn = demo
    result, page = [], 1
    while batch := rows(ds, f"/litgraph/weak_evidence_claims.json?_shape=array&page={page}"):
        assert len(batch) <= 50
        result += batch
        page += 1
    assert page > 2  # the demo has more weak claims than one page shows
    # independently: a claim's levels are its sources' and, for a rewrite sentence, those of
    # the claims it restates (claim_alignments), excluded sources left out
    place = {c: (d, line, c) for c, d, line in conn.execute("select id, document_id, line from claims")}
    cited = {}
    for claim_id, source_id in conn.execute("select claim_id, source_id from claim_sources"):
        cited.setdefault(claim_id, set()).add(source_id)
    behind = {c: set(cited.get(c, ())) for c in place}
    for claim_id, original in conn.execute("select claim_id, matched_claim_id from claim_alignments "
                                           "where matched_claim_id is not null"):
        behind[claim_id] |= cited.get(original, set())
    level = dict(conn.execute("select id, evidence_level from sources where coalesce(excluded, 0) = 0"))
    weak = sorted((c for c, keys in behind.items()
                   if not any(level.get(k) is not None and level[k] < 3 for k in keys)), key=place.get)
    assert [r["claim"] for r in result] == weak  # every page, in order, nothing twice
    first_page = rows(ds, "/litgraph/weak_evidence_claims.json?_shape=array")
    assert first_page == result[:50]  # no page given: the first
    age = conn.execute("select id from claims where text = ?", [AGE_CLAIM]).fetchone()[0]
    assert age in weak  # Miller 2010 and Öztürk 2015, both level 3
    no_source = [r for r in result if r["reason"] == "cites no source"]
    assert no_source and all((r["sources"], r["best_level"]) == (0, None) for r in no_source)
    inheriting = [r for r in result if r["inherited_from"]]
    assert inheriting and all(r["claim"].startswith("000_") and r["sources"] > 0 for r in inheriting)


def test_demo_unresolved_references_have_reasons(demo):
    ds, conn = demo
    result = rows(ds, "/litgraph/unresolved_references.json?_shape=array")
    expected = {r[0] for r in conn.execute(
        "select id from sources where status in ('unresolved', 'conflict')")}
    assert {r["source"] for r in result} == expected and expected
    assert all(r["status_reason"] for r in result)


def test_demo_most_cited_against_the_links_table(demo):
    ds, conn = demo
    result = rows(ds, "/litgraph/most_cited.json?_shape=array")
    in_set = {r[0] for r in conn.execute("select id from nodes where kind in ('document', 'source')")}
    citing = {}
    for citing_id, cited_id in conn.execute("select citing_id, cited_id from links"):
        if citing_id in in_set:
            citing.setdefault(cited_id, set()).add(citing_id)
    pagerank = {r[0]: r[1] for r in conn.execute("select node_id, pagerank from metrics")}
    sources = [r[0] for r in conn.execute("select id from nodes where kind = 'source'")]
    expected = sorted(sources, key=lambda s: (-len(citing.get(s, ())), -pagerank[s], s))[:100]
    assert [r["source"] for r in result] == expected
    assert [r["cited_by"] for r in result] == [len(citing.get(s, ())) for s in expected]


def test_demo_shared_sources(demo):
    ds, conn = demo
    result = rows(ds, "/litgraph/shared_sources.json?_shape=array")
    expected = [r[0] for r in conn.execute(
        "select source_id from citations group by source_id "
        "having count(distinct document_id) > 1 order by source_id")]
    assert [r["source"] for r in result] == expected
    serrano = next(r for r in result if r["pmid"] == "24093170")  # cited by 001 and 004
    assert serrano["document_ids"].split(",") == [STATPEARLS, MDA_ABSTRACT]


def test_demo_graph_marks_documents_that_are_publications(demo):
    ds, conn = demo
    graph = rows(ds, "/-/citation-graph.json")
    assert len(graph["nodes"]) == conn.execute("select count(*) from nodes").fetchone()[0]
    publications = {r[0]: r[1] for r in conn.execute(
        "select source_id, id from documents where source_id is not null")}
    marked = {n["id"]: n["document"] for n in graph["nodes"] if n["document"] and n["kind"] != "document"}
    assert marked == publications and STATPEARLS in marked.values()


def test_serve_on_a_port_in_use_is_one_line_exit_2(db_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"]


def all_pages(datasette, query):
    result, page = [], 1
    while batch := rows(datasette, f"/litgraph/{query}.json?_shape=array&page={page}"):
        result += batch
        page += 1
    return result


def test_check_json_and_the_canned_queries_agree_on_the_demo(demo):
    """One definition of each finding: `litgraph check --json` counts what the web lists."""
    from collections import Counter

    from litgraph.findings import WEAK_REASONS

    ds, conn = demo
    db_path = conn.execute("pragma database_list").fetchone()["file"]
    references = str(Path(db_path).parent.parent / "references.yaml")
    result = CliRunner().invoke(cli, ["check", "--db", db_path, "--references", references, "--json"])
    assert result.exit_code == 1, result.output  # the demo has unresolved references
    checked = Counter(f["kind"] for f in json.loads(result.output)["findings"])

    weak = Counter(WEAK_REASONS[r["reason"]] for r in all_pages(ds, "weak_evidence_claims"))
    for kind in ("claim-without-source", "low-level-claim", "unknown-level-claim"):
        assert checked[kind] == weak[kind], kind
    assert sum(weak.values()) > 50 and weak["low-level-claim"] > 0

    unresolved = Counter("conflict" if r["status"] == "conflict" else "unresolved"
                         for r in all_pages(ds, "unresolved_references"))
    assert (checked["unresolved"], checked["conflict"]) == (unresolved["unresolved"],
                                                            unresolved["conflict"])
    assert checked["unresolved"] > 0

    restated = Counter("restatement-uncited" if r["status"] == "uncited-in-source" else "restatement"
                       for r in all_pages(ds, "restatement_issues"))
    assert (checked["restatement"], checked["restatement-uncited"]) == (
        restated["restatement"], restated["restatement-uncited"])
    assert checked["restatement"] > 0


def test_an_excluded_source_leaves_unresolved_references_and_check_alike(tmp_path):
    db_path = make_publish_db(tmp_path / "litgraph.db")
    conn = sqlite3.connect(db_path)
    conn.execute("update sources set excluded = 1 where id = 'vangeel2003'")
    conn.commit()
    conn.close()
    datasette = make_datasette(db_path)
    assert rows(datasette, "/litgraph/unresolved_references.json?_shape=array") == []
    result = CliRunner().invoke(cli, ["check", "--db", str(db_path), "--references",
                                      str(tmp_path / "none.yaml"), "--json", "-q"])
    kinds = {f["kind"] for f in json.loads(result.output)["findings"]}
    assert "unresolved" not in kinds and "excluded" in kinds


def test_the_sources_table_shows_its_key_columns_first(ds):
    html = fetch(ds, "/litgraph/sources").text
    headers = re.findall(r'<th [^>]*data-column="([\w-]+)"', html)
    assert headers[:6] == ["id", "title", "year", "journal", "status", "evidence_level"]
    assert headers.index("cited_as") > headers.index("evidence_level")


def test_source_row_page_says_how_it_was_resolved_before_the_wide_row_scrolls_it_away(ds):
    html = fetch(ds, "/litgraph/sources/vangeel2003").text
    section = html[html.index("<h2>How this source was resolved (1)</h2>"):]
    section = section[:section.index("</table>")]
    assert '<td class="col-status">unresolved</td>' in section
    assert ('<td class="col-status_reason">no PubMed record matches the DOI or the citation</td>'
            in section)
    html = fetch(ds, "/litgraph/sources/miller2010").text
    section = html[html.index("<h2>How this source was resolved (1)</h2>"):]
    section = section[:section.index("</table>")]
    assert '<td class="col-status">resolved</td>' in section
    assert '<td class="col-resolved_by">pmid</td>' in section
