"""A small litgraph database for the publication tests, built from the seed documents.

Every bibliographic fact below is stated in the seed documents' own reference
lists (documents/001_a7b665464bb06ded.txt, 004_0ac93ed9c6525e3e.txt,
002_a0fffd84c40c4f80.txt) or in tests/fixtures/extra-reference-facts.yaml;
nothing else is filled in.  Graph metrics are computed with NetworkX from the
links, not written by hand.
"""

import json

import networkx as nx

from litgraph.store import open_db

STATPEARLS = "001_a7b665464bb06ded"
PATIENT_PAGE = "000_d77120f9981d4803"
SARCOMA_SITE = "002_a0fffd84c40c4f80"
MDA_ABSTRACT = "004_0ac93ed9c6525e3e"

DOCUMENTS = [
    {"id": PATIENT_PAGE, "title": "What is Renal Leiomyosarcoma?", "kind": "patient-page",
     "path": f"documents/{PATIENT_PAGE}.txt", "restates": STATPEARLS},
    {"id": STATPEARLS, "title": "Renal Leiomyosarcoma", "kind": "clinical-review",
     "path": f"documents/{STATPEARLS}.txt"},
    {"id": SARCOMA_SITE, "title": "General Approach to Treatment of Leiomyosarcoma",
     "kind": "website", "path": f"documents/{SARCOMA_SITE}.txt"},
    {"id": MDA_ABSTRACT, "title": "Survival of Patients with Metastatic Leiomyosarcoma: the MD "
     "Anderson Clinical Center for Targeted Therapy Experience", "kind": "pubmed-record",
     "path": f"documents/{MDA_ABSTRACT}.txt"},
]


def _source(id, title, authors, journal, year, volume, issue, pages, pmid=None, doi=None,
            level=None, basis=None, status="resolved", reason=None, cited_as=None, types=None):
    return {
        "id": id, "title": title, "authors": json.dumps(authors) if authors else None,
        "journal": journal, "year": year, "volume": volume, "issue": issue, "pages": pages,
        "pmid": pmid, "doi": doi, "publication_types": json.dumps(types) if types else None,
        "evidence_level": level, "evidence_basis": basis, "declared_level": level if basis == "declared" else None,
        "status": status, "status_reason": reason, "resolved_by": "pmid" if status == "resolved" else None,
        "cited_as": cited_as, "kind": "article", "retracted": 0, "excluded": 0, "stale": 0,
    }


SOURCES = [
    _source("miller2010", "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases",
            ["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"], "Am J Surg Pathol", 2010, "34", "2",
            "238-42", pmid="20090506", doi="10.1097/pas.0b013e3181cad8c9", level=3, basis="declared",
            types=["Journal Article", "Multicenter Study"]),
    _source("beardo2013", "Renal leiomyosarcoma.", ["Beardo P", "José Ledo M", "Jose Luis RC"],
            "Rare tumors", 2013, "5", "3", "e42", pmid="24179654", doi="10.4081/rt.2013.e42"),
    _source("transatlantic2015", "Management of primary retroperitoneal sarcoma (RPS) in the adult: a "
            "consensus approach from the Trans-Atlantic RPS Working Group.",
            ["Trans-Atlantic RPS Working Group"], "Annals of surgical oncology", 2015, "22", "1",
            "256-63", pmid="25316486", doi="10.1245/s10434-014-3965-2", level=3, basis="declared"),
    _source("kneisl2014", "Outcomes in the management of adult soft tissue sarcomas.",
            ["Kneisl JS", "Coleman MM", "Raut CP"], "Journal of surgical oncology", 2014, "110", "5",
            "527-38", pmid="24965077", doi="10.1002/jso.23685"),
    _source("novak2017", "Leiomyosarcoma of the renal vein: analysis of outcome and prognostic factors "
            "in the world case series of 67 patients.", ["Novak M", "Perhavec A", "Maturen KE",
            "Pavlovic Djokic S", "Jereb S", "Erzen D"], "Radiology and oncology", 2017, "51", "1",
            "56-64", pmid="28265233", doi="10.1515/raon-2016-0051", level=2, basis="declared"),
    _source("serrano2013", "Leiomyosarcoma.", ["Serrano C", "George S"],
            "Hematology/oncology clinics of North America", 2013, "27", "5", "957-74",
            pmid="24093170", doi="10.1016/j.hoc.2013.07.002"),
    _source("ozturk2015", "Prognostic features of renal sarcomas (Review).", ["Öztürk H"],
            "Oncology letters", 2015, "9", "3", "1034-1038", pmid="25663853"),
    _source("vangeel2003", "Factors influencing prognosis after initial inadequate excision (IIE) for "
            "soft tissue sarcoma", None, "Sarcoma", 2003, "7", "3-4", "159-65",
            doi="10.1080/13577140310001650321", status="unresolved",
            reason="no PubMed record matches the DOI or the citation",
            cited_as="Sarcoma, Vol 7, Nos. 3-4, September-December 2003, pp159-165 (Van Geel et al.)"),
]

# (document, source, label, line)
CITATIONS = [
    (STATPEARLS, "miller2010", "[1]", 107), (STATPEARLS, "beardo2013", "[2]", 112),
    (STATPEARLS, "transatlantic2015", "[3]", 116), (STATPEARLS, "kneisl2014", "[4]", 122),
    (STATPEARLS, "novak2017", "[5]", 127), (STATPEARLS, "serrano2013", "[6]", 134),
    (STATPEARLS, "ozturk2015", "[8]", 145),
    (MDA_ABSTRACT, "serrano2013", "3.", 54),
    (SARCOMA_SITE, "vangeel2003", None, 233),
]

AGE_CLAIM = ("The typical presentation is between the 4th and 6th decades of life with a mean age at "
             "diagnosis of 58.5 (range 22-85).")

# (id, document, section, text, line, declared level, sources)
CLAIMS = [
    (f"{STATPEARLS}:27:3", STATPEARLS, "Epidemiology", AGE_CLAIM, 27, None, ["miller2010", "ozturk2015"]),
    (f"{STATPEARLS}:25:2", STATPEARLS, "Etiology", "Renal LMS, like LMS in general, shows a strong "
     "predilection for the female gender (59-76%).", 25, None, ["miller2010", "novak2017", "serrano2013"]),
    (f"{STATPEARLS}:21:4", STATPEARLS, "Introduction", "There is a high tendency of local recurrence, "
     "hence complete surgical excision is recommended.", 21, None,
     ["beardo2013", "transatlantic2015", "kneisl2014"]),
    (f"{STATPEARLS}:85:1", STATPEARLS, "Enhancing Healthcare Team Outcomes", "Renal leiomyosarcoma is "
     "a rare, aggressive malignancy that carries an overall poor prognosis.", 85, 5, []),
    (f"{PATIENT_PAGE}:17:5", PATIENT_PAGE, "Risk Factors and Frequency for Renal Leiomyosarcoma",
     "Typically, people are diagnosed with this condition between the ages of 40 and 60, with the "
     "average age of diagnosis being 58.5.", 17, None, []),
]

# The StatPearls chapter (PMID 32491531) lists 20090506 in its PubMed reference
# list too (extra-reference-facts.yaml), so that edge has two origins.
EXTRA_LINKS = [(STATPEARLS, "miller2010", "pubmed-references")]


def make_publish_db(path):
    """Write the small database to ``path`` and return the path."""
    db = open_db(path)
    db["documents"].insert_all(DOCUMENTS, pk="id")
    db["sources"].insert_all(SOURCES, pk="id")
    db["citations"].insert_all(
        [{"document_id": d, "source_id": s, "label": label, "line": line, "raw": None}
         for d, s, label, line in CITATIONS], pk=("document_id", "source_id", "line"))
    db["claims"].insert_all(
        [{"id": cid, "document_id": doc, "section": section, "text": text, "line": line,
          "evidence_level": level} for cid, doc, section, text, line, level, _ in CLAIMS], pk="id")
    db["claim_sources"].insert_all(
        [{"claim_id": cid, "source_id": s} for cid, *_rest, sources in CLAIMS for s in sources],
        pk=("claim_id", "source_id"))
    db["evidence_declarations"].insert_all(
        [{"source_id": s["id"], "document_id": STATPEARLS, "line": line + 2, "level": s["evidence_level"],
          "label": f"Level {s['evidence_level']} ({'low' if s['evidence_level'] >= 3 else 'mid'}-level) evidence",
          "scheme": "level-1-5"}
         for s in SOURCES for d, sid, _label, line in CITATIONS
         if sid == s["id"] and d == STATPEARLS and s["evidence_basis"] == "declared"],
        pk=("source_id", "document_id", "line"))
    links = [(d, s, "document") for d, s, _label, _line in CITATIONS] + EXTRA_LINKS
    db["links"].insert_all([{"citing_id": a, "cited_id": b, "origin": o} for a, b, o in links],
                           pk=("citing_id", "cited_id", "origin"))
    nodes = [{"id": d["id"], "kind": "document", "title": d["title"], "synthetic": 0} for d in DOCUMENTS
             if any(c[0] == d["id"] for c in CITATIONS)]
    nodes += [{"id": s["id"], "kind": "source", "title": s["title"], "year": s["year"], "pmid": s["pmid"],
               "doi": s["doi"], "evidence_level": s["evidence_level"], "synthetic": 0} for s in SOURCES]
    db["nodes"].insert_all(nodes, pk="id")
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(n["id"] for n in nodes)
    graph.add_edges_from((a, b) for a, b, _o in links)
    simple = nx.DiGraph(graph)
    pagerank = nx.pagerank(simple)
    kinds = {n["id"]: n["kind"] for n in nodes}
    components = {n: i for i, comp in enumerate(nx.weakly_connected_components(simple)) for n in comp}
    db["metrics"].insert_all(
        [{"node_id": n, "kind": kinds[n], "in_degree": simple.in_degree(n), "out_degree": simple.out_degree(n),
          # every node of this small graph is in the reference set
          "in_degree_set": simple.in_degree(n), "out_degree_set": simple.out_degree(n),
          "pagerank": pagerank[n], "betweenness": 0.0, "betweenness_method": "exact",
          "component": components[n]} for n in simple], pk="node_id")
    db["build_info"].insert_all([{"key": "built_at", "value": "2026-11-22T06:00:00+00:00"}], pk="key")
    db.close()
    return path

