"""Bibliography exports read back with the parsers reference managers' users rely on."""

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

from curation_db import PATIENT_PAGE, QUOTED_KEY, STATPEARLS, build_curation_db, copy_curation_db
from litgraph.bibliography import (FORMATS, bibliography_sources, csl_items, export_bibliography,
                                   page_range, render_bibtex, render_ris, split_name, split_pages)
from litgraph.errors import InputError
from litgraph.store import open_db

# the reference set minus the excluded and stale sources
EXPORTED = sorted(["miller2010", "dhawan2012", "ozturk2015", "synthetic-retracted",
                   "synthetic-erratum", "synthetic-disagreeing", "synthetic-conflict",
                   "synthetic-duplicate", QUOTED_KEY, "not-in-yaml"])


@pytest.fixture
def db(tmp_path, tmp_path_factory):
    return open_db(copy_curation_db(tmp_path_factory, tmp_path / "litgraph.db",
                                    excluded=["bloch-cancer-site"]))


def identifiers(db):
    return {row["id"]: (row["pmid"], row["doi"]) for row in bibliography_sources(db)}


def test_the_reference_set_leaves_out_excluded_and_stale_sources(db):
    assert [row["id"] for row in bibliography_sources(db)] == EXPORTED


def test_one_documents_bibliography_and_an_unknown_document(db):
    assert [row["id"] for row in bibliography_sources(db, STATPEARLS)] == EXPORTED
    assert bibliography_sources(db, PATIENT_PAGE) == []
    db["claim_sources"].insert({"claim_id": "000-c5", "source_id": "miller2010"})
    assert [row["id"] for row in bibliography_sources(db, PATIENT_PAGE)] == ["miller2010"]
    # a sentence of the rewrite restating 001-c27 inherits its sources
    db["claim_alignments"].insert({"claim_id": "000-c5", "rank": 1, "matched_claim_id": "001-c27",
                                   "score": 0.6, "status": "supported",
                                   "sentence_status": "supported"})
    assert [row["id"] for row in bibliography_sources(db, PATIENT_PAGE)] == ["miller2010",
                                                                              "ozturk2015"]
    with pytest.raises(InputError, match="no document 'nope' in the database"):
        bibliography_sources(db, "nope")
    with pytest.raises(InputError, match="unknown bibliography format 'endnote'"):
        export_bibliography(db, "endnote")


def test_bibtex_parses_and_round_trips_every_pmid_and_doi(db):
    text = export_bibliography(db, "bibtex")
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert library.failed_blocks == []
    entries = library.entries
    assert len(entries) == len(EXPORTED)
    by_key = {e.key: e for e in entries}
    by_key[QUOTED_KEY] = by_key.pop("o-brien-2019-drop-table-claims")  # made BibTeX-safe
    assert sorted(by_key) == EXPORTED
    for key, (pmid, doi) in identifiers(db).items():
        fields = by_key[key].fields_dict
        assert (fields["pmid"].value if "pmid" in fields else None) == pmid
        assert (fields["doi"].value if "doi" in fields else None) == doi
    miller = next(e for e in entries if e.key == "miller2010")
    assert miller.entry_type == "article"
    assert {name: field.value for name, field in miller.fields_dict.items() if name != "author"} == {
        "title": "{Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases}",
        "journal": "Am J Surg Pathol", "year": "2010", "volume": "34", "number": "2",
        "pages": "238--242", "doi": "10.1097/pas.0b013e3181cad8c9", "pmid": "20090506",
        "note": "litgraph evidence level 3 (declared)"}
    names = miller.fields_dict["author"].value
    assert [(n.last, n.first) for n in names] == [
        (["Miller"], ["J.", "S."]), (["Zhou"], ["M."]), (["Brimo"], ["F."]), (["Guo"], ["C.", "C."]),
        (["Epstein"], ["J.", "I."])]


def test_bibtex_keys_are_safe_and_unique_and_special_characters_are_escaped(db):
    db["sources"].insert({"id": "o'brien\"2019; drop table claims;", "pmid": "989000008",
                          "title": "SYNTHETIC A & B: 50% of {cases} #1_x", "status": "resolved"})
    text = export_bibliography(db, "bibtex")
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(k.lower() for k in keys)) == len(EXPORTED) + 1
    assert "o-brien-2019-drop-table-claims" in keys and "o-brien-2019-drop-table-claims-2" in keys
    hostile = next(e for e in library.entries if e.key == "o-brien-2019-drop-table-claims")
    assert hostile.fields_dict["pmid"].value == "989000008"  # its key sorts first
    assert hostile.fields_dict["title"].value == r"{SYNTHETIC A \& B: 50\% of \{cases\} \#1\_x}"


def test_ris_parses_with_rispy_and_round_trips_every_identifier(db):
    records = rispy.loads(export_bibliography(db, "ris"))
    assert [r["id"] for r in records] == EXPORTED
    for record in records:
        pmid, doi = identifiers(db)[record["id"]]
        assert record.get("accession_number") == pmid and record.get("doi") == doi
    miller = next(r for r in records if r["id"] == "miller2010")
    assert miller == {
        "type_of_reference": "JOUR", "id": "miller2010",
        "authors": ["Miller, J. S.", "Zhou, M.", "Brimo, F.", "Guo, C. C.", "Epstein, J. I."],
        "title": "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases",
        "secondary_title": "Am J Surg Pathol", "year": "2010", "volume": "34", "number": "2",
        "start_page": "238", "end_page": "242", "doi": "10.1097/pas.0b013e3181cad8c9",
        "accession_number": "20090506", "notes": ["litgraph evidence level 3 (declared)"]}
    conflict = next(r for r in records if r["id"] == "synthetic-conflict")
    assert conflict["notes"] == ["litgraph: conflict (PMID 989000005 has DOI "
                                 "10.5555/synthetic.conflict, not 10.5555/synthetic.other)"]


def test_csljson_is_a_list_of_items_with_their_identifiers(db):
    items = json.loads(export_bibliography(db, "csljson"))
    assert [item["id"] for item in items] == EXPORTED
    for item in items:
        pmid, doi = identifiers(db)[item["id"]]
        assert item.get("PMID") == pmid and item.get("DOI") == doi
    assert items[EXPORTED.index("miller2010")] == {
        "id": "miller2010", "type": "article-journal",
        "author": [{"family": "Miller", "given": "J. S."}, {"family": "Zhou", "given": "M."},
                   {"family": "Brimo", "given": "F."}, {"family": "Guo", "given": "C. C."},
                   {"family": "Epstein", "given": "J. I."}],
        "title": "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases",
        "container-title": "Am J Surg Pathol", "issued": {"date-parts": [[2010]]},
        "volume": "34", "issue": "2", "page": "238-242", "DOI": "10.1097/pas.0b013e3181cad8c9",
        "PMID": "20090506", "note": "litgraph evidence level 3 (declared)"}
    # unknown fields stay absent: the conflict source has no title, authors or year
    assert items[EXPORTED.index("synthetic-conflict")].keys() == {"id", "type", "DOI", "PMID", "note"}


def test_an_empty_selection_is_a_valid_empty_file_in_every_format(db):
    db["documents"].insert({"id": "empty", "title": "No references"})
    assert json.loads(export_bibliography(db, "csljson", "empty")) == []
    assert rispy.loads(export_bibliography(db, "ris", "empty")) == []
    assert bibtexparser.parse_string(export_bibliography(db, "bibtex", "empty")).entries == []
    assert sorted(FORMATS) == ["bibtex", "csljson", "ris"]


def test_names_pages_and_collective_authors():
    assert split_name("Van Geel AN") == {"family": "Van Geel", "given": "A. N."}
    assert split_name("\u00d6zt\u00fcrk H") == {"family": "\u00d6zt\u00fcrk", "given": "H."}
    assert split_name("Trans-Atlantic RPS Working Group") == {
        "literal": "Trans-Atlantic RPS Working Group"}
    assert split_name("Miller, Jesse S") == {"family": "Miller", "given": "Jesse S"}
    assert split_pages("238-42") == ("238", "242")
    assert split_pages("1034\u20131038") == ("1034", "1038")
    assert split_pages("e42") == ("e42", None)
    assert split_pages(None) == (None, None)
    [item] = csl_items([{"id": "rps2015", "authors": '["Trans-Atlantic RPS Working Group"]',
                         "title": "Management of primary retroperitoneal sarcoma (RPS) in the adult",
                         "journal": "Annals of surgical oncology", "year": 2015}])
    assert item["author"] == [{"literal": "Trans-Atlantic RPS Working Group"}]


def test_the_export_command_writes_each_format_to_a_file(tmp_path):
    from click.testing import CliRunner

    from litgraph.cli import cli

    db_path = tmp_path / "litgraph.db"
    build_curation_db(db_path, excluded=["bloch-cancer-site"]).conn.close()
    for fmt, read in (("bibtex", lambda t: [e.key for e in bibtexparser.parse_string(t).entries]),
                      ("ris", lambda t: [r["id"] for r in rispy.loads(t)]),
                      ("csljson", lambda t: [i["id"] for i in json.loads(t)])):
        output = tmp_path / f"references.{fmt}"
        result = CliRunner().invoke(cli, ["export", "--db", str(db_path), "--format", fmt,
                                          "--document", STATPEARLS, "--output", str(output)])
        assert result.exit_code == 0, result.output
        keys = read(output.read_text(encoding="utf-8"))
        assert len(keys) == len(EXPORTED) and "miller2010" in keys
    result = CliRunner().invoke(cli, ["export", "--db", str(db_path), "--format", "ris",
                                      "--document", "nope"])
    assert result.exit_code == 2 and "no document 'nope'" in result.output
    # a document with nothing to list: an empty, valid file, and a note saying why
    result = CliRunner().invoke(cli, ["export", "--db", str(db_path), "--format", "ris",
                                      "--document", PATIENT_PAGE])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == (f"Note: document {PATIENT_PAGE} cites no source and restates no cited "
                             "sentence: the bibliography holds no entry.\n")


def test_every_resolved_demo_source_is_in_each_export_with_its_pmid_and_doi(tmp_path,
                                                                             tmp_path_factory):
    from curation_db import copy_demo_project

    project = copy_demo_project(tmp_path_factory, tmp_path / "demo")
    db = open_db(project / "db" / "litgraph.db")
    resolved = {r["id"]: (r["pmid"], r["doi"]) for r in db.query(
        "select id, pmid, doi from sources where status = 'resolved' and excluded = 0 and stale = 0")}
    assert len(resolved) >= 20
    items = {i["id"]: (i.get("PMID"), i.get("DOI"))
             for i in json.loads(export_bibliography(db, "csljson"))}
    records = {r["id"]: (r.get("accession_number"), r.get("doi"))
               for r in rispy.loads(export_bibliography(db, "ris"))}
    library = bibtexparser.parse_string(export_bibliography(db, "bibtex"))
    assert library.failed_blocks == []
    entries = {e.key: (e.fields_dict["pmid"].value if "pmid" in e.fields_dict else None,
                       e.fields_dict["doi"].value if "doi" in e.fields_dict else None)
               for e in library.entries}
    for exported in (items, records, entries):
        assert {key: exported[key] for key in resolved} == resolved
    one = json.loads(export_bibliography(db, "csljson", "001_a7b665464bb06ded"))
    assert "20090506" in [i.get("PMID") for i in one] and len(one) < len(items)


# ---------------------------------------------------------------- what reference managers expect

def test_short_page_ranges_are_written_in_full():
    assert split_pages("384-9") == ("384", "389")
    assert split_pages("1209-14") == ("1209", "1214")
    assert split_pages("e123-5") == ("e123", "e125")
    assert split_pages("R12-R15") == ("R12", "R15")
    assert split_pages("98-102") == ("98", "102")
    assert split_pages("99-1") == ("99", "1")  # not a shortened range: left as written
    assert page_range("384-9") == "384-389" and page_range("e42") == "e42"
    row = {"id": "bathan", "title": "A title", "journal": "Curr Opin Oncol", "year": 2013,
           "pages": "384-9", "authors": '["Bathan A"]'}
    [entry] = bibtexparser.parse_string(render_bibtex([row])).entries
    assert entry.fields_dict["pages"].value == "384--389"
    [record] = rispy.loads(render_ris([row]))
    assert (record["start_page"], record["end_page"]) == ("384", "389")
    assert csl_items([row])[0]["page"] == "384-389"


@pytest.mark.parametrize("name, parts", [
    ("Robert Grimer", {"family": "Grimer", "given": "Robert"}),
    ("Albert N. Van Geel", {"family": "Van Geel", "given": "Albert N."}),
    ("Alexander M.M. Eggermont", {"family": "Eggermont", "given": "Alexander M.M."}),
    ("Jose Luis RC", {"family": "Jose Luis", "given": "R. C."}),
    ("NCCN", {"literal": "NCCN"}),
    ("Connective Tissue Oncology Society", {"literal": "Connective Tissue Oncology Society"}),
    ("Trans-Atlantic RPS Working Group", {"literal": "Trans-Atlantic RPS Working Group"}),
    ("Lavengood RW Jr", {"family": "Lavengood", "given": "R. W.", "suffix": "Jr"}),
    ("Testperson J III", {"family": "Testperson", "given": "J.", "suffix": "III"}),
])
def test_people_are_split_and_groups_stay_one_name(name, parts):
    assert split_name(name) == parts


def test_people_and_groups_read_back_as_such_from_bibtex_and_ris():
    row = {"id": "mixed", "title": "SYNTHETIC record", "journal": "Synthetic Journal", "year": 2002,
           "authors": json.dumps(["Robert Grimer", "Albert N. Van Geel", "Miller JS",
                                  "Trans-Atlantic RPS Working Group"])}
    library = bibtexparser.parse_string(render_bibtex([row]),
                                        append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    names = library.entries[0].fields_dict["author"].value
    assert [(n.last, n.first) for n in names] == [
        (["Grimer"], ["Robert"]), (["Van", "Geel"], ["Albert", "N."]), (["Miller"], ["J.", "S."]),
        (["{Trans-Atlantic RPS Working Group}"], [])]  # braced: one name, never split
    [record] = rispy.loads(render_ris([row]))
    # RIS: a person as "Family, Given"; a group's name without a comma, read as one name
    assert record["authors"] == ["Grimer, Robert", "Van Geel, Albert N.", "Miller, J. S.",
                                 "Trans-Atlantic RPS Working Group"]
    assert csl_items([row])[0]["author"][-1] == {"literal": "Trans-Atlantic RPS Working Group"}


def test_a_suffix_pubmed_writes_after_the_initials_is_a_suffix_in_every_format():
    """PubMed's "Testperson RW Jr": BibTeX's "Last, Jr, First" (bibtexparser's reading gives
    the suffix as jr), RIS's "Last, First, Suffix" and CSL's suffix, never a family name
    "Testperson RW Jr" or initials "I. I. I."."""
    row = {"id": "suffixed", "title": "SYNTHETIC record", "journal": "Synthetic Journal",
           "year": 2002, "authors": json.dumps(["Testperson RW Jr", "Otherperson J III"])}
    library = bibtexparser.parse_string(render_bibtex([row]),
                                        append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    names = library.entries[0].fields_dict["author"].value
    assert [(n.last, n.first, n.jr) for n in names] == [
        (["Testperson"], ["R.", "W."], ["Jr"]), (["Otherperson"], ["J."], ["III"])]
    [record] = rispy.loads(render_ris([row]))
    assert record["authors"] == ["Testperson, R. W., Jr", "Otherperson, J., III"]
    assert csl_items([row])[0]["author"][0] == {"family": "Testperson", "given": "R. W.",
                                                "suffix": "Jr"}


def test_text_that_is_not_citation_data_never_becomes_a_title():
    rows = [
        {"id": "fetch", "cited_as": "Fetch PMID: 989000011", "pmid": "989000011"},
        {"id": "crumbs", "cited_as": "\u00bb Articles \u00bb PMID: 989000012", "pmid": "989000012"},
        {"id": "meeting", "cited_as": "2002 SYNTHETIC Annual Meeting Oral Presentations - Surgery "
                                      "Copyright 2003 Synthetic Society", "status": "unresolved"},
        {"id": "bare", "cited_as": "Synth J 2021;34:758", "status": "unresolved"},
        {"id": "view", "title": "SYNTHETIC title. View", "cited_as": "Doe J. SYNTHETIC title. "
                                                                      "Synth J. 2020;1:2. View"},
    ]
    items = {item["id"]: item for item in csl_items(rows)}
    assert "title" not in items["fetch"] and "title" not in items["crumbs"]
    assert "title" not in items["meeting"] and "Copyright" not in json.dumps(items["meeting"])
    assert "title" not in items["bare"]
    assert items["bare"]["note"].startswith("cited as: Synth J 2021;34:758")  # kept as what it is
    assert items["view"]["title"] == "SYNTHETIC title."
    titles = {r["id"]: r.get("title") for r in rispy.loads(render_ris(rows))}
    assert titles == {"fetch": None, "crumbs": None, "meeting": None, "bare": None,
                      "view": "SYNTHETIC title."}
    entries = {e.key: e.fields_dict for e in bibtexparser.parse_string(render_bibtex(rows)).entries}
    assert [key for key, fields in entries.items() if "title" in fields] == ["view"]


def test_the_demo_exports_carry_no_page_furniture(tmp_path, tmp_path_factory):
    from curation_db import copy_demo_project

    project = copy_demo_project(tmp_path_factory, tmp_path / "demo")
    db = open_db(project / "db" / "litgraph.db")
    records = rispy.loads(export_bibliography(db, "ris"))
    text = json.dumps(records)
    for furniture in ("Fetch PMID", "\u00bb Articles", "Copyright", ". View"):
        assert furniture not in text
    for record in records:
        if record.get("end_page", "").isdigit() and record.get("start_page", "").isdigit():
            assert int(record["end_page"]) >= int(record["start_page"]), record
    # the rewrite's sentences inherit the chapter's sources: its bibliography is not empty
    rewrite = rispy.loads(export_bibliography(db, "ris", PATIENT_PAGE))
    assert len(rewrite) > 3
