"""litgraph export: the graph read back by NetworkX matches the database, row for row."""

import io
import json
import sys

import networkx as nx
import pytest
from click.testing import CliRunner

from litgraph.cli import cli
from litgraph.errors import InputError, LitgraphError
from litgraph.export import FORMATS, export, graph_from_db
from litgraph.graph import build_graph
from litgraph.store import open_db
from test_graph import PAGE, REVIEW, SOURCES, make_db, seed_client

READERS = {
    "graphml": lambda path: nx.read_graphml(path),
    "gexf": lambda path: nx.read_gexf(path),
    "json": lambda path: nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")),
                                            edges="links"),
}


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "litgraph.db"
    db = make_db(path)
    build_graph(db, seed_client())
    return path, db


def db_edges(db):
    """(citing, cited) -> the set of its origins, from the links table."""
    edges = {}
    for citing, cited, origin in db.execute("select citing_id, cited_id, origin from links"):
        edges.setdefault((citing, cited), set()).add(origin)
    return edges


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_each_graph_format_reads_back_with_the_database_counts(built, tmp_path, fmt):
    path, db = built
    out = tmp_path / f"graph.{fmt}"
    result = CliRunner().invoke(cli, ["export", "--db", str(path), "--format", fmt,
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    G = READERS[fmt](out)
    assert G.is_directed()
    assert G.number_of_nodes() == db["nodes"].count == len(SOURCES) + 1 + 3
    assert sorted(G.nodes) == [r[0] for r in db.execute("select id from nodes order by id")]
    expected = db_edges(db)
    assert G.number_of_edges() == len(expected)
    assert {(u, v): set(d["origins"].split(";")) for u, v, d in G.edges(data=True)} == expected
    assert G.edges["pmid-27882721", "serrano-2013"]["origins"] == \
        "document;elink-refs;elink-citedin;pubmed-references"
    node = G.nodes["serrano-2013"]
    (pagerank,), = db.execute("select pagerank from metrics where node_id = 'serrano-2013'")
    assert (node["kind"], node["title"], int(node["year"]), int(node["evidence_level"]),
            node["pmid"], node["doi"]) == (
        "source", "Leiomyosarcoma", 2013, 5, "24093170", "10.1016/j.hoc.2013.07.002")
    assert float(node["pagerank"]) == pytest.approx(pagerank, rel=1e-9)
    assert node["betweenness_method"] == "exact"
    # Unknown facts stay absent rather than empty.
    assert "title" not in G.nodes["grothey-2004"] and "pmid" not in G.nodes["grothey-2004"]
    assert G.nodes["pmid:922222222"]["kind"] == "external"


def test_json_goes_to_stdout_by_default(built):
    path, db = built
    result = CliRunner().invoke(cli, ["export", "--db", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["directed"] is True and data["multigraph"] is False
    assert data["graph"] == {"name": "litgraph citation graph",
                             "edge_direction": "source cites target"}
    assert len(data["nodes"]) == db["nodes"].count
    assert len(data["links"]) == len(db_edges(db))
    link = next(x for x in data["links"]
                if (x["source"], x["target"]) == ("pmid-40051557", "pmid-27882721"))
    assert link == {"source": "pmid-40051557", "target": "pmid-27882721", "origins": "document",
                    "origin_count": 1}


def test_one_documents_graph(built):
    _path, db = built
    G = graph_from_db(db, document=REVIEW)
    assert sorted(G.nodes) == sorted([REVIEW, "serrano-2013", "miller-2010"])
    assert sorted(G.edges) == [(REVIEW, "miller-2010"), (REVIEW, "serrano-2013")]
    G = graph_from_db(db, document=PAGE)
    assert G.number_of_nodes() == 11  # its own article, 5 citing and 5 cited
    assert G.in_degree("pmid-27882721") == 5 and G.out_degree("pmid-27882721") == 5
    assert G.has_edge("pmid-40051557", "serrano-2013")


def test_unknown_document_is_a_one_line_input_error(built):
    path, _db = built
    result = CliRunner().invoke(cli, ["export", "--db", str(path), "--format", "gexf",
                                      "--document", "999_nope"])
    assert result.exit_code == 2
    assert result.output == (f"Error: no document '999_nope' in the database (documents: {REVIEW}, "
                             f"{PAGE})\n")


def test_missing_database_and_missing_graph(tmp_path):
    missing = tmp_path / "absent.db"
    result = CliRunner().invoke(cli, ["export", "--db", str(missing), "--format", "json"])
    assert result.exit_code == 2
    assert result.output == f"Error: no database at {missing}: build one first with `litgraph build`\n"
    assert not missing.exists()
    open_db(tmp_path / "empty.db")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "empty.db"), "--format",
                                      "json", "--output", str(out)])
    assert result.exit_code == 1
    assert result.output == ("Error: the database holds no graph yet: run `litgraph graph` "
                             "(or build) first\n")
    assert not out.exists()


def test_an_unknown_format_is_refused():
    with pytest.raises(InputError, match="unknown export format 'pdf'"):
        export(None, "pdf", io.StringIO())
    result = CliRunner().invoke(cli, ["export", "--format", "pdf"])
    assert result.exit_code == 2 and "'pdf' is not one of" in result.output


def test_bibliography_formats_dispatch_to_the_bibliography_module(built):
    _path, db = built
    assert list(FORMATS) == ["graphml", "gexf", "json", "bibtex", "ris", "csljson"]
    bibliography = pytest.importorskip("litgraph.bibliography")
    for fmt in ("bibtex", "ris", "csljson"):
        out = io.StringIO()
        export(db, fmt, out)
        assert out.getvalue() == bibliography.export_bibliography(db, fmt)


def test_bibliography_formats_say_not_available_without_the_module(built, monkeypatch):
    _path, db = built
    monkeypatch.setitem(sys.modules, "litgraph.bibliography", None)  # import fails
    with pytest.raises(LitgraphError, match="export format ris is not available yet"):
        export(db, "ris", io.StringIO())


def test_a_rewrites_graph_holds_the_sources_it_inherits_labelled(tmp_path, tmp_path_factory):
    """Graph export of a rewrite (issue 15): its original, and each source its sentences
    inherit, with the original claims named, checked against claim_evidence read directly."""
    from curation_db import PATIENT_PAGE, STATPEARLS, copy_demo_project

    project = copy_demo_project(tmp_path_factory, tmp_path / "demo")
    db = open_db(project / "db" / "litgraph.db")
    expected = {}
    for claim, source, via in db.execute(
            "select a.claim_id, cs.source_id, a.matched_claim_id from claim_alignments a "
            "join claims c on c.id = a.claim_id join claim_sources cs on cs.claim_id = a.matched_claim_id "
            "where c.document_id = ?", [PATIENT_PAGE]):
        expected.setdefault(source, set()).add(via)
    assert len(expected) > 3  # the rewrite cites nothing itself: all of these are inherited
    (original,), = db.execute("select source_id from documents where id = ?", [STATPEARLS])
    out = tmp_path / "rewrite.graphml"
    result = CliRunner().invoke(cli, ["export", "--db", str(project / "db" / "litgraph.db"),
                                      "--format", "graphml", "--document", PATIENT_PAGE,
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    G = nx.read_graphml(out)
    assert G.edges[PATIENT_PAGE, original]["origins"] == "restates"
    inherited = {v: set(d["inherited_from"].split(";"))
                 for _u, v, d in G.out_edges(PATIENT_PAGE, data=True) if d["origins"] == "inherited"}
    assert inherited == expected
    for source, claims in expected.items():
        assert set(G.nodes[source]["inherited_from"].split(";")) == claims
        assert all(claim.startswith(STATPEARLS + ":") for claim in claims)
        assert G.has_edge(original, source)  # the original cites what the rewrite inherits
    assert sorted(G.nodes) == sorted({PATIENT_PAGE, original} | set(expected))
    # A document that restates nothing keeps the plain graph: no inherited edge, no label.
    plain = graph_from_db(db, document=STATPEARLS)
    assert all(d["origins"] != "inherited" for _u, _v, d in plain.edges(data=True))
    assert all("inherited_from" not in a for _n, a in plain.nodes(data=True))
