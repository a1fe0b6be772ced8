"""A small built database for the curation tests (check, claims, sources, status, export).

Real works carry only facts their documents state (documents/001_*.txt
reference list: authors, title, journal, year, volume, issue, pages, DOI,
PMID, declared "Level 3 (low-level) evidence").  Everything a test needs that
no real article has (a retraction, an erratum, a conflict, a duplicate, a
level disagreement) sits on SYNTHETIC sources with PMIDs 98900000x and DOIs under
10.5555 (the synthetic range of litgraph.ids), titled as such.
"""

import json
from pathlib import Path

from litgraph.store import open_db, set_build_info

STATPEARLS = "001_a7b665464bb06ded"
PATIENT_PAGE = "000_d77120f9981d4803"
QUOTED_KEY = "o'brien\"2019; drop table claims;--"

MEAN_AGE_CLAIM = ("The typical presentation is between the 4th and 6th decades of life with a mean age "
                  "at diagnosis of 58.5 (range 22-85).")

SOURCE_DEFAULTS = {
    "title": None, "authors": None, "journal": None, "year": None, "volume": None, "issue": None,
    "pages": None, "pmid": None, "doi": None, "pmcid": None, "publication_types": None,
    "evidence_level": None, "evidence_basis": None, "declared_level": None, "inferred_level": None,
    "level_disagreement": 0, "status": "resolved", "status_reason": None, "resolved_by": "pmid",
    "retracted": 0, "errata": None, "cited_as": None, "kind": "article", "excluded": 0, "stale": 0,
    "note": None, "fetched_at": "2026-11-22T06:00:00+00:00",
}


def source(**fields):
    row = dict(SOURCE_DEFAULTS)
    row.update(fields)
    return row


SOURCES = [
    source(id="miller2010", pmid="20090506", doi="10.1097/pas.0b013e3181cad8c9",
           title="Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases",
           authors=json.dumps(["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"]),
           journal="Am J Surg Pathol", year=2010, volume="34", issue="2", pages="238-42",
           publication_types=json.dumps(["Journal Article", "Multicenter Study"]),
           evidence_level=3, evidence_basis="declared", declared_level=3,
           cited_as="Miller JS, Zhou M, Brimo F, Guo CC, Epstein JI. Primary leiomyosarcoma of the "
                    "kidney: a clinicopathologic study of 27 cases."),
    source(id="dhawan2012", pmid="22346103", doi="10.4103/0974-7796.91623",
           title="Primary renal leiomyosarcoma: A diagnostic challenge",
           authors=json.dumps(["Dhawan S", "Chopra P", "Dhawan S"]), journal="Urology annals",
           year=2012, volume="4", issue="1", pages="48-50"),
    source(id="ozturk2015", pmid="25663853", title="Prognostic features of renal sarcomas (Review)",
           authors=json.dumps(["\u00d6zt\u00fcrk H"]), journal="Oncology letters", year=2015,
           volume="9", issue="3", pages="1034-1038"),
    source(id="synthetic-retracted", pmid="989000001", doi="10.5555/synthetic.retracted",
           title="SYNTHETIC retracted record for tests", journal="Synthetic Journal", year=2020,
           publication_types=json.dumps(["Journal Article", "Retracted Publication"]), retracted=1),
    source(id="synthetic-erratum", pmid="989000002", title="SYNTHETIC record with an erratum",
           journal="Synthetic Journal", year=2021,
           errata=json.dumps([{"RefSource": "Synthetic J. 2021;1:2", "PMID": "989000003"}])),
    source(id="synthetic-disagreeing", pmid="989000004", title="SYNTHETIC declared level 2, inferred 4",
           year=2019, evidence_level=2, evidence_basis="declared", declared_level=2,
           inferred_level=4, level_disagreement=1, publication_types=json.dumps(["Case Reports"])),
    source(id="synthetic-conflict", pmid="989000005", doi="10.5555/synthetic.other",
           status="conflict", status_reason="PMID 989000005 has DOI 10.5555/synthetic.conflict, not "
                                            "10.5555/synthetic.other"),
    source(id="synthetic-duplicate", pmid="20090506", title="Primary leiomyosarcoma of the kidney",
           year=2010, cited_as="Miller 2010"),
    source(id="bloch-cancer-site", status="unresolved", resolved_by=None, kind="website",
           status_reason="no PMID, DOI or journal citation; title search found nothing",
           cited_as="Bloch Cancer Site"),
    source(id="synthetic-stale", pmid="989000006", title="SYNTHETIC record no document cites",
           year=2018, stale=1),
    source(id=QUOTED_KEY, pmid="989000007", title="SYNTHETIC record with a hostile key", year=2019,
           evidence_level=1, evidence_basis="curator"),
]

DOCUMENTS = [
    {"id": STATPEARLS, "title": "Renal Leiomyosarcoma", "kind": "clinical-review",
     "path": f"documents/{STATPEARLS}.txt", "source_id": None, "restates": None, "sha256": None},
    {"id": PATIENT_PAGE, "title": "What is Renal Leiomyosarcoma?", "kind": "patient-page",
     "path": f"documents/{PATIENT_PAGE}.txt", "source_id": None, "restates": STATPEARLS,
     "sha256": None},
]

CLAIMS = [
    ("001-c27", STATPEARLS, "Epidemiology", 27, MEAN_AGE_CLAIM, ["miller2010", "ozturk2015"]),
    ("001-c26", STATPEARLS, "Epidemiology", 27,
     "While leiomyosarcoma (LMS) is the most common sarcoma that occurs within the kidney, it remains "
     "an exceedingly rare tumor, accounting for only 0.1% of renal malignancies.",
     ["miller2010", "dhawan2012"]),
    ("001-c30", STATPEARLS, "Epidemiology", 30, "SYNTHETIC claim citing only Miller 2010 (level 3).",
     ["miller2010"]),
    ("001-c40", STATPEARLS, "Evaluation", 40, "SYNTHETIC claim resting on a retracted record.",
     ["synthetic-retracted", "dhawan2012"]),
    ("001-c41", STATPEARLS, "Evaluation", 41, "SYNTHETIC claim with no marker.", []),
    ("001-c42", STATPEARLS, "Evaluation", 42, "SYNTHETIC claim citing the hostile key.", [QUOTED_KEY]),
    ("001-c43", STATPEARLS, "Evaluation", 43, "SYNTHETIC claim citing only an excluded source.",
     ["bloch-cancer-site"]),
    ("000-c5", PATIENT_PAGE, None, 5,
     "It usually affects people between 50 to 60 years old, with women being more likely to get it.",
     []),
]

CITATIONS = [
    (STATPEARLS, "miller2010", "[1]", 107), (STATPEARLS, "dhawan2012", "[7]", 139),
    (STATPEARLS, "ozturk2015", "[8]", 144), (STATPEARLS, "synthetic-retracted", "[90]", 190),
    (STATPEARLS, "synthetic-erratum", "[91]", 191), (STATPEARLS, "synthetic-disagreeing", "[92]", 192),
    (STATPEARLS, "synthetic-conflict", "[93]", 193), (STATPEARLS, "synthetic-duplicate", "[94]", 194),
    (STATPEARLS, "bloch-cancer-site", "[95]", 195), (STATPEARLS, QUOTED_KEY, "[96]", 196),
    (STATPEARLS, "not-in-yaml", "[97]", 197),
]


def build_curation_db(path, excluded=(), built=True):
    """Write the database above at ``path``; ``excluded`` keys get excluded = 1."""
    db = open_db(path)
    sources = [dict(s, excluded=1 if s["id"] in excluded else 0) for s in SOURCES]
    sources.append(source(id="not-in-yaml", title="SYNTHETIC source references.yaml lacks"))
    db["sources"].insert_all(sources, pk="id")
    db["documents"].insert_all(DOCUMENTS, pk="id")
    db["claims"].insert_all([{"id": cid, "document_id": doc, "section": section, "line": line,
                              "text": text, "evidence_level": None}
                             for cid, doc, section, line, text, _ in CLAIMS], pk="id")
    db["claim_sources"].insert_all([{"claim_id": cid, "source_id": key}
                                    for cid, _d, _s, _l, _t, keys in CLAIMS for key in keys],
                                   pk=("claim_id", "source_id"))
    db["citations"].insert_all([{"document_id": d, "source_id": s, "label": label, "line": line,
                                 "raw": label} for d, s, label, line in CITATIONS],
                               pk=("document_id", "source_id", "line"))
    db["links"].insert_all([{"citing_id": STATPEARLS, "cited_id": key, "origin": "document"}
                            for _d, key, _l, _n in CITATIONS]
                           + [{"citing_id": "miller2010", "cited_id": "pmid:15043306",
                               "origin": "elink-refs"}], pk=("citing_id", "cited_id", "origin"))
    if built:
        set_build_info(db, built_at="2026-11-22T06:30:00+00:00",
                       resolved_at="2026-11-22T06:29:00+00:00",
                       graph_built_at="2026-11-22T06:30:00+00:00", requests=12, cache_hits=36)
    return db


def reference_set(excluded=()):
    """The matching references.yaml content as a ReferenceSet (every key but not-in-yaml)."""
    from litgraph.model import ReferenceSet, SourceEntry

    entries = []
    for s in SOURCES:
        entries.append(SourceEntry(key=s["id"], pmid=s["pmid"], doi=s["doi"], title=s["title"],
                                   exclude=s["id"] in excluded, stale=bool(s["stale"]),
                                   note="a website, not a citable work" if s["id"] in excluded
                                   else None))
    return ReferenceSet(sources=entries)


_TEMPLATES = {}


def copy_curation_db(tmp_path_factory, path, excluded=()):
    """A fresh copy at ``path`` of the database above, built once per test session."""
    import shutil

    key = tuple(sorted(excluded))
    if key not in _TEMPLATES:
        template = tmp_path_factory.mktemp("curation-template") / "litgraph.db"
        build_curation_db(template, excluded=key).conn.close()
        _TEMPLATES[key] = template
    shutil.copyfile(_TEMPLATES[key], path)
    return path


# ---------------------------------------------------------------- a real offline build

ROOT = Path(__file__).resolve().parent.parent


def offline_build(project, records=None):
    """extract + resolve + graph of project/documents against the stand-in, no rate limits."""
    from litgraph.entrez import EntrezClient
    from litgraph.pipeline import run_build
    from litgraph.stub.server import StandIn

    options = {"records": records} if records else {}
    with StandIn(rate_limit=None, **options) as stand_in, \
            EntrezClient(stand_in.base_url, cache_path=project / "db" / "http-cache.sqlite",
                         rate=0) as client:
        run_build([str(project / "documents")], project / "db" / "litgraph.db",
                  project / "references.yaml", client)


def copy_demo_project(tmp_path_factory, target):
    """A copy at ``target`` of the demo (seed documents + the project's references.yaml, built
    offline); the build runs once per test session (demo_project.session_build)."""
    from demo_project import copy_built, session_build

    return copy_built(session_build(tmp_path_factory, "demo"), target)
