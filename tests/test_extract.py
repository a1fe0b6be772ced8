"""extract: documents -> references, claims and declared levels, on the five seeds and variants."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litgraph import extract as extract_module
from litgraph.errors import DocumentError, UnreadableDocumentError
from litgraph.extract import extract_document, extract_text, propose_restates, split_sentences
from litgraph.extract.fields import find_identifiers, parse_short_citation

DOCUMENTS = Path(__file__).resolve().parent.parent / "documents"
STATPEARLS = "001_a7b665464bb06ded"
PATIENT = "000_d77120f9981d4803"
WEBSITE = "002_a0fffd84c40c4f80"
PATHOLOGY = "003_84a12a3a6530e696"
PUBMED = "004_0ac93ed9c6525e3e"

# The PMIDs the StatPearls chapter lists, [1] .. [17], read off the document.
STATPEARLS_PMIDS = ["20090506", "24179654", "25316486", "24965077", "28265233", "24093170",
                    "22346103", "25663853", "15043306", "17090186", "12441005", "26175585",
                    "17203356", "30656989", "4819688", "25190132", "17268912"]


@pytest.fixture(scope="module")
def seeds():
    return {p.stem: extract_document(p) for p in sorted(DOCUMENTS.glob("*.txt"))}


def by_label(doc):
    return {r.label: r for r in doc.references}


# ---------------------------------------------------------------- sources per document

def test_statpearls_every_numbered_reference(seeds):
    doc = seeds[STATPEARLS]
    assert doc.document.kind == "cites-its-list"
    assert [r.label for r in doc.references] == [f"[{n}]" for n in range(1, 18)]
    assert [r.pmid for r in doc.references] == STATPEARLS_PMIDS
    first = doc.references[0]
    assert first.fields() == {
        "pmid": "20090506", "doi": "10.1097/pas.0b013e3181cad8c9",
        "title": "Primary leiomyosarcoma of the kidney: a clinicopathologic study of 27 cases",
        "authors": ["Miller JS", "Zhou M", "Brimo F", "Guo CC", "Epstein JI"],
        "journal": "The American journal of surgical pathology", "year": 2010,
        "volume": "34", "issue": "2", "pages": "238-42"}
    assert first.line == 107
    # no DOI is invented where the entry states none
    assert by_label(doc)["[8]"].doi is None
    assert by_label(doc)["[8]"].authors == ["Öztürk H"]
    assert by_label(doc)["[11]"].issue is None  # "2002 Nov 19:2():13"
    assert by_label(doc)["[11]"].pages == "13"


def test_statpearls_declared_levels(seeds):
    doc = seeds[STATPEARLS]
    declared = {r.label: [(d.level, d.label, d.scheme, d.line) for d in r.declared_levels]
                for r in doc.references if r.declared_levels}
    assert declared == {
        "[1]": [(3, "Level 3 (low-level) evidence", "level-1-5", 109)],
        "[3]": [(3, "Level 3 (low-level) evidence", "level-1-5", 120)],
        "[5]": [(2, "Level 2 (mid-level) evidence", "level-1-5", 131)],
        "[11]": [(3, "Level 3 (low-level) evidence", "level-1-5", 162)],
        "[13]": [(3, "Level 3 (low-level) evidence", "level-1-5", 173)],
    }


def test_website_free_text_references(seeds):
    doc = seeds[WEBSITE]
    # Its sentences cite its numbered list: by structure, a text citing a reference list (the
    # curator's references.yaml calls it a website; a curator's kind wins over extract's).
    assert doc.document.kind == "cites-its-list"
    got = {(r.label, r.pmid, r.kind, r.year, r.journal) for r in doc.references}
    assert got == {
        ("1.", None, "article", 2000, "Lancet Oncology"),
        ("2.", None, "guideline", None, None),
        ("3.", "8664040", "article", 1996, "Eur J Cancer"),
        ("4.", None, "conference-abstract", 2002,
         "2002 CTOS Annual Meeting Oral Presentations - Surgery"),
        ("5.", "7731476", "article", 1995, "Ned Tijdschr Geneeskd"),
        ("6.", None, "article", 2003, "Sarcoma"),
        ("Fetch PMID", "11283938", None, None, None),  # kind unknown: not stated
    }
    refs = by_label(doc)
    wiklund = refs["3."]
    assert (wiklund.volume, wiklund.issue, wiklund.pages) == ("32A", "2", "269-73")
    assert wiklund.title == "The importance of a multidisciplinary group in the treatment of " \
                            "soft tissue sarcomas"
    assert wiklund.authors[0] == "Wiklund T" and len(wiklund.authors) == 9
    # the Fetch PMID line belongs to the citation above it: one reference, two sightings
    assert [(s.line, s.label) for s in wiklund.sightings] == [(197, "3."), (204, "Fetch PMID")]
    assert refs["1."].authors == ["Singer", "Demetri"]
    assert refs["1."].title == "Management of Soft Tissue Sarcomas: an Overview and Update"
    assert refs["2."].title == "NCCN Guidelines for Soft Tissue Sarcomas and for Uterine Sarcomas"
    assert refs["4."].authors == ["Robert Grimer", "Aneel Bhangu", "John Beard"]
    assert refs["5."].authors == ["Van Geel AN", "Van Unnik JA", "Keus RB"]
    assert refs["5."].publication_types == ["Consensus Development Conference", "Review"]
    assert (refs["6."].volume, refs["6."].issue, refs["6."].pages) == ("7", "3-4", "159-165")
    assert refs["6."].authors[0] == "Albert N. Van Geel"


def test_website_nothing_that_is_not_a_reference(seeds):
    doc = seeds[WEBSITE]
    text = " ".join(r.raw for r in doc.references)
    assert "215-728" not in text  # the NCCN phone and fax numbers
    # the numbered advice list of the second article is not a reference list
    assert not any("sarcoma oncologist." in r.raw for r in doc.references)


def test_pathology_note_short_citations(seeds):
    doc = seeds[PATHOLOGY]
    assert doc.document.kind == "inline-citations"
    assert doc.document.title == "Inflammatory leiomyosarcoma"  # from "Cite this page"
    assert sorted({r.raw for r in doc.references}) == [
        "Int J Surg Pathol 2005;13:185", "Mod Pathol 2021;34:1035", "Mod Pathol 2021;34:758",
        "Mod Pathol 2023;36:100131", "Virchows Arch 2020;477:219"]
    assert sorted(r.line for r in doc.references) == [27, 27, 38, 43, 44, 82, 122, 135, 135]
    # ICD codes, page views, dates and the "PubMed Search:" link are not references
    for ref in doc.references:
        assert not re.search(r"C49|8890|2B58|Page views|PubMed Search|2024", ref.raw)
        assert ref.pmid is None and ref.doi is None


def test_pubmed_record_page(seeds):
    doc = seeds[PUBMED]
    assert doc.document.kind == "record-page"
    assert doc.document.title.startswith("Survival of Patients with Metastatic Leiomyosarcoma")
    roles = [(r.role, r.label, r.pmid, r.doi, r.pmcid) for r in doc.references]
    assert roles == [
        ("self", "PMID", "27882721", None, None),
        ("citing", "Citing Articles", "40051557", "10.2147/jhc.s502611", "PMC11884410"),
        ("citing", "Citing Articles", "38634045", "10.3389/fonc.2024.1339955", "PMC11021697"),
        ("citing", "Citing Articles", "37977843", "10.1136/bcr-2023-256697", "PMC10660649"),
        ("citing", "Citing Articles", "37752948", "10.1016/j.isci.2023.107678", "PMC10518687"),
        ("citing", "Citing Articles", "37720343", "10.37349/etat.2023.00154", "PMC10501895"),
        ("cited", "1.", None, "10.1038/nrc1168", None),
        ("cited", "2.", None, "10.1200/jco.2004.11.037", None),
        ("cited", "3.", None, "10.1016/j.hoc.2013.07.002", None),
        ("cited", "4.", None, "10.1097/cco.0b013e3283622c77", None),
        ("cited", "5.", None, "10.1016/s0140-6736(16)30587-6", "PMC5647653"),
    ]
    cui = doc.references[1]
    assert cui.authors == ["Cui H", "Xu Q", "Han Z", "Zhang S"]
    assert (cui.journal, cui.year, cui.volume, cui.pages) == (
        "J Hepatocell Carcinoma", 2025, "12", "459-465")
    assert doc.claims == []


def test_patient_page_has_claims_and_no_sources(seeds):
    doc = seeds[PATIENT]
    assert doc.document.kind == "no-citations"
    assert doc.references == []
    assert all(c.references == [] for c in doc.claims)
    first = doc.claims[0]
    assert (first.section, first.line) == ("What is Renal Leiomyosarcoma?", 3)
    assert first.text.startswith("Renal leiomyosarcoma (LMS) is a rare and aggressive type")
    texts = [c.text for c in doc.claims]
    assert not any(re.search(r"newsletter|promotions|privacy|required fields", t) for t in texts)
    assert "A team of experts specialized in sarcomas." in texts


def test_patient_page_every_sentence_is_a_claim(seeds):
    """Independent check: the claims of each body line put back together are the line."""
    doc = seeds[PATIENT]
    lines = (DOCUMENTS / f"{PATIENT}.txt").read_text(encoding="utf-8").split("\n")
    headings = {c.section for c in doc.claims}
    by_line = {}
    for claim in doc.claims:
        by_line.setdefault(claim.line, []).append(claim.text)
    for number, line in enumerate(lines, start=1):
        text = re.sub(r"^\s*\u2022\s*", "", line).strip()
        if not text or text in headings or number == 1 or number >= 99:
            continue
        assert " ".join(by_line.get(number, [])) == re.sub(r"\s+", " ", text), number
    assert max(by_line) == 97


# ---------------------------------------------------------------- claims

def claim_with(doc, fragment):
    found = [c for c in doc.claims if fragment in c.text]
    assert len(found) == 1, fragment
    return found[0]


def pmids_of(doc, claim):
    return [doc.references[i].pmid for i in claim.references]


def test_statpearls_claims_link_to_their_sources(seeds):
    doc = seeds[STATPEARLS]
    three = claim_with(doc, "complete surgical excision is recommended")
    assert three.text == ("There is a high tendency of local recurrence, hence complete surgical "
                          "excision is recommended.")
    assert (three.section, three.line) == ("Introduction", 19)
    assert pmids_of(doc, three) == ["24179654", "25316486", "24965077"]  # [2][3][4]
    assert pmids_of(doc, claim_with(doc, "hematogenous spread")) == ["20090506", "28265233"]
    mid = claim_with(doc, "in general, and much less is known")  # "in general,[6] and ..."
    assert pmids_of(doc, mid) == ["24093170"]
    female = claim_with(doc, "female gender (59-76%).")
    assert pmids_of(doc, female) == ["20090506", "28265233", "24093170"]  # [1][5][6]
    assert pmids_of(doc, claim_with(doc, "Moazzam et al. reported")) == ["12441005"]
    assert pmids_of(doc, claim_with(doc, "mean age at diagnosis of 58.5")) == [
        "20090506", "25663853"]


def test_statpearls_every_marker_is_linked(seeds):
    """Independent check: the markers in the text equal the links of the claims."""
    doc = seeds[STATPEARLS]
    body = (DOCUMENTS / f"{STATPEARLS}.txt").read_text(encoding="utf-8").split("References")[0]
    in_text = sorted(int(n) for n in re.findall(r"\[(\d+)\]", body))
    linked = sorted(doc.references[i].number for c in doc.claims for i in c.references)
    assert linked == in_text
    assert len(in_text) == 41


def test_statpearls_level_5_passage(seeds):
    doc = seeds[STATPEARLS]
    graded = [c for c in doc.claims if c.level is not None]
    assert {(c.level, c.level_label, c.section, c.line) for c in graded} == {
        (5, "[Level 5]", "Enhancing Healthcare Team Outcomes", 85)}
    assert len(graded) == 8  # every sentence of the passage
    assert graded[-1].text.endswith("taking into account the clinical staging.")
    assert all(c.references == [] for c in graded)


def test_website_claims(seeds):
    doc = seeds[WEBSITE]
    claims = {c.text: [doc.references[i].label for i in c.references] for c in doc.claims}
    assert claims == {
        "All LMS patients should be treated, or have their treatment overseen, by a sarcoma "
        "oncologist.": ["1.", "2.", "3.", "4.", "5."],
        "Remember also, that 7.5% of sarcoma patients get a second, DIFFERENT primary cancer.":
            ["Fetch PMID"],
        "Surveillance can often detect these cancers as well.": ["Fetch PMID"],
    }


def test_pathology_note_claims(seeds):
    doc = seeds[PATHOLOGY]
    sample = claim_with(doc, "Related terminology")
    assert sample.section == "Terminology"
    assert [doc.references[i].raw for i in sample.references] == [
        "Mod Pathol 2021;34:758", "Virchows Arch 2020;477:219"]
    assert len(doc.claims) == 7


# ---------------------------------------------------------------- variants the seeds do not show

@pytest.mark.parametrize("text, expected", [
    ("PMID:912345678", {"pmid": "912345678"}),
    ("PubMed ID 123", {"pmid": "123"}),
    ("see https://doi.org/10.1000/xyz123.", {"doi": "10.1000/xyz123"}),
    ("(doi:10.1016/S0140-6736(16)30587-6).", {"doi": "10.1016/s0140-6736(16)30587-6"}),
    ("doi: 10.1002/jso.23685;", {"doi": "10.1002/jso.23685"}),
    ("PMCID: PMC123", {"pmcid": "PMC123"}),
    ("https://pubmed.ncbi.nlm.nih.gov/20090506/", {"pmid": "20090506"}),
    ("PMID 0", {}),
    ("PMID: -3", {}),
    ("PMID: 12345678901234567890", {}),
    ("Updated 5/22/2023, 2010 Feb:34(2):238-42, 215-728-4788", {}),
])
def test_identifier_variants(text, expected):
    assert find_identifiers(text) == expected


def test_variant_document():
    text = "\n".join([
        "Uterine leiomyosarcoma",
        "",
        "Background",
        "",
        "Ulrike Müller found it rare (PMID:912345678). Another work agrees [2\u20133].",
        "See also (Am J Surg Pathol 2010;34:238\u201342).",
        "",
        "References",
        "",
        "1. Müller U, Ørsted P. First study. J Rare Dis. 2001;3(1):1\u20139. PMCID: PMC123",
        "2. Šimek J. Second study. Ann Med. 2002;4:10-12. https://doi.org/10.1000/abc.",
        "3. Ødegaard K. Third. Ann Med. 2003;5:13-14. PubMed ID 4567",
    ])
    doc = extract_text(text, "variant")
    refs = {r.label: r for r in doc.references}
    assert refs["1."].authors == ["Müller U", "Ørsted P"]
    assert refs["1."].pages == "1-9" and refs["1."].pmcid == "PMC123"
    assert refs["2."].doi == "10.1000/abc"
    assert refs["3."].pmid == "4567"
    assert refs["PMID"].pmid == "912345678"
    assert parse_short_citation("Am J Surg Pathol 2010;34:238\u201342")["pages"] == "238-42"
    claims = {c.text: sorted(doc.references[i].label for i in c.references) for c in doc.claims}
    assert claims == {
        "Ulrike Müller found it rare (PMID:912345678).": ["PMID"],
        "Another work agrees.": ["2.", "3."],
        "See also (Am J Surg Pathol 2010;34:238\u201342).": ["(citation)"],
    }


def test_split_sentences_abbreviations_and_decimals():
    text = ("Miller et al. found 58.5 years, i.e. late; e.g. in Dr. Smith's series.[1][2] "
            "J. Smith agreed. Rates fell.There was more.")
    assert [s for _, s in split_sentences(text)] == [
        "Miller et al. found 58.5 years, i.e. late; e.g. in Dr. Smith's series.[1][2]",
        "J. Smith agreed.", "Rates fell.", "There was more."]


def test_marker_at_start_of_next_sentence_belongs_to_previous():
    text = "Intro\n\nLMS is rare. [1] It recurs.\n\nReferences\n\n[1] Miller JS. A study. " \
           "Am J Surg Pathol. 2010;34(2):238-42. PMID: 20090506\n"
    doc = extract_text(text, "d")
    assert [(c.text, c.references) for c in doc.claims] == [("LMS is rare.", [0])]


def test_a_bracketed_phrase_opening_a_sentence_is_not_a_marker_of_the_one_before():
    assert [s for _, s in split_sentences("It is rare. [Editor's note] The rest follows. "
                                          "It recurs. [^3] Rarely. \u00b9 Once.")] == [
        "It is rare.", "[Editor's note] The rest follows.", "It recurs.[^3]", "Rarely.\u00b9",
        "Once."]


def test_restates_proposal(seeds):
    assert propose_restates(list(seeds.values())) == {PATIENT: STATPEARLS}


# ---------------------------------------------------------------- bad documents

def test_bad_documents(tmp_path, monkeypatch):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"line one\nline\x00two")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"ok\nok\ncaf\xe9\n")
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(extract_module.MAX_DOCUMENT_BYTES + 1)
    cases = {
        empty: f"{empty}: empty document",
        binary: f"{binary}:2: binary file (NUL byte), not a text document",
        latin: f"{latin}:3: not valid UTF-8 (byte 9)",
        big: f"{big}: {extract_module.MAX_DOCUMENT_BYTES + 1} bytes is over the "
             f"{extract_module.MAX_DOCUMENT_BYTES} byte limit for one document; split it",
        tmp_path / "missing.txt": f"{tmp_path / 'missing.txt'}: no such document",
    }
    # Content that cannot be read is skipped and named when the file is in a folder; a file too
    # large or missing is refused however it is named.
    unreadable = {empty, binary, latin}
    for path, message in cases.items():
        with pytest.raises(DocumentError) as info:
            extract_document(path)
        assert str(info.value) == message
        assert "\n" not in str(info.value)
        assert isinstance(info.value, UnreadableDocumentError) == (path in unreadable), path


def test_junk_identifiers_in_documents_are_not_references():
    text = "Notes\n\nA claim (PMID: 0) and (doi:10.1000/\x01ab) and PMID 99999999999999999999.\n"
    doc = extract_text(text, "junk")
    assert doc.references == []


# ---------------------------------------------------------------- properties

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
PIECES = st.lists(st.sampled_from([
    "References", "[1]", "[2][3]", "1.", "2. ", "Level 3 (low-level) evidence", "[Level 5]",
    "PMID: 20090506", "Fetch PMID: 11283938", "doi: 10.1000/x(1)", "(Mod Pathol 2021;34:758)",
    "Miller JS. Title. J X. 2010;1(2):3-4.", "\u2022 bullet text here.", "Citing Articles", "",
    "Some sentence. Another one.", "e.g. 58.5", "\u00d6zt\u00fcrk H.",
]), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, PIECES.map("\n".join)))
def test_extract_never_crashes_and_is_deterministic(text):
    first = extract_text(text, "prop")
    second = extract_text(text, "prop")
    assert first == second
    for claim in first.claims:
        assert all(0 <= i < len(first.references) for i in claim.references)
        assert claim.text.strip()


def test_unnumbered_reference_list_one_citation_per_paragraph():
    text = "\n".join([
        "Title", "", "Body text here.", "", "References", "",
        "Miller JS, Zhou M. Primary leiomyosarcoma of the kidney. Am J Surg Pathol. "
        "2010;34(2):238-42.", "",
        "Deyrup AT, Montgomery E. Leiomyosarcoma of the kidney: a clinicopathologic study. "
        "Am J Surg Pathol. 2004;28(2):178-82.",
        "PMID: 15043306", "",
        "\u2022 Coindre JM. Grading of soft tissue sarcomas: review and update. Arch Pathol Lab "
        "Med. 2006;130(10):1448\u201453.",
    ])
    doc = extract_text(text, "plain")
    assert [(r.authors[0], r.year, r.pmid, r.line) for r in doc.references] == [
        ("Miller JS", 2010, None, 7), ("Deyrup AT", 2004, "15043306", 9),
        ("Coindre JM", 2006, None, 12)]
    assert doc.references[2].title == "Grading of soft tissue sarcomas: review and update"
    assert doc.references[2].pages == "1448-53"
    assert doc.document.kind == "further-reading"
    assert doc.claims == []  # the body cites nothing by marker


@pytest.mark.parametrize("text, kind", [
    # the same entry, numbered "1." and cited by a marker: a text citing its reference list
    ("Gout\n\nGout is common in adults.[1] It recurs.\n\nReferences\n\n1. {entry}\n",
     "cites-its-list"),
    # bracketed "[1]" as the seed review numbers it, but no sentence cites it: a list alone
    ("Gout\n\nGout is common in adults. It recurs.\n\nReferences\n\n[1] {entry}\n", "further-reading"),
    ("Gout\n\nGout is common in adults (Synthetic Test Journal 2099;1:1).\n", "inline-citations"),
    ("Gout\n\nGout is common in adults. It recurs often.\n", "no-citations"),
    ("PMID: 912345678\n\nGout in adults\n\nGout is common in adults.\n", "record-page"),
])
def test_the_document_kind_comes_from_structure_not_labels(text, kind):
    entry = "Synthetic A, Example B. Urate crystals in joints. Synthetic Test Journal. 2099;1:1-10."
    assert extract_text(text.format(entry=entry), "synthetic").document.kind == kind


def test_an_identifier_line_under_an_entry_is_a_sighting_labelled_by_its_own_words():
    """A link line under an entry ("View PMID: ...", "PubMed: ...") names the entry's PMID;
    whatever its words, it is one more sighting of the same source, labelled by them."""
    text = "\n".join([
        "Gout care", "", "Colchicine eases a flare [1]. Allopurinol lowers urate [2].", "",
        "References", "",
        "1. Okafor N, Lind E. Colchicine in acute gout. J Synth Rheum. 2019;7:55-67.", "",
        "View PMID: 900000123", "",
        "2. Brandt T. Urate lowering over ten years. J Synth Rheum. 2020;8:1-9.", "",
        "PubMed 900000124", "",
        "3. Chen L. Diet and gout. J Synth Rheum. 2021;9:3-8.", "PMID: 900000125", ""])
    doc = extract_text(text, "gout")
    by_pmid = {r.pmid: r for r in doc.references}
    assert set(by_pmid) == {"900000123", "900000124", "900000125"}
    assert [(s.line, s.label) for s in by_pmid["900000123"].sightings] == [(7, "1."), (9, "View PMID")]
    assert [(s.line, s.label) for s in by_pmid["900000124"].sightings] == [(11, "2."), (13, "PubMed")]
    # the identifier written inside the entry itself is that same sighting, not a second one
    assert [(s.line, s.label) for s in by_pmid["900000125"].sightings] == [(15, "3.")]


@pytest.mark.parametrize("label", ["1.", "[1]", "-"])
@pytest.mark.parametrize("heading", ["Further reading", "References"])
def test_a_leaflets_footer_after_its_reading_list_is_not_a_reference(tmp_path, heading, label):
    """Around a list of references, a paragraph that states no work (a leaflet's code and
    review date, an introduction) is the page's, whatever the list's labels; a paragraph
    that reads as a citation there is still one."""
    first, second = {"1.": ("1.", "2."), "[1]": ("[1]", "[2]"), "-": ("-", "-")}[label]
    # (under "References" the line reader reads the list: it takes neither an introduction
    # nor an unnumbered paragraph after a numbered list, so those are left out there)
    blocks = heading != "References"
    path = tmp_path / "leaflet.txt"
    path.write_text("\n".join([
        "Understanding invented gout", "",
        "Invented gout is a made-up arthritis [1]. It often starts in the big toe [2].", "",
        heading, "",
        *(["These made-up sources were used to write this leaflet:", ""] if blocks else []),
        f"{first} Okafor N, Lindgren S. Invented gout in a cohort. Fict Rheumatol. 2016;4(2):10-18.",
        f"{second} Petrov A. Toes in fiction. Synth Med. 2019;9(1):5-9.", "",
        *(["Haddad L. Diet and invented gout. Ann Fict Med. 2021;3:40-46.", ""] if blocks else []),
        "Leaflet code: FR-0123", "Published: March 2024", "Review date: June 2026",
        "\u00a9 Fictional Hospitals Trust", ""]), encoding="utf-8")
    doc = extract_document(path)
    assert [(r.authors, r.year, "Leaflet" in r.raw) for r in doc.references] == [
        (["Okafor N", "Lindgren S"], 2016, False), (["Petrov A"], 2019, False),
        *([(["Haddad L"], 2021, False)] if blocks else [])]


def claims_and_labels(doc) -> list:
    """Each claim's text and the labels of the entries it cites, in order."""
    return [(c.text, [doc.references[i].label for i in c.references]) for c in doc.claims]


@pytest.mark.parametrize("cited", ["[1]\u2013[3]", "[1]-[3]", "[1\u20133]", "[1-3]"])
def test_a_range_written_as_two_brackets_cites_every_number_between(cited):
    """IEEE writes a range as two brackets, [1]–[3]: it cites 1, 2 and 3, in that order, and
    no dash is left in the claim."""
    text = "\n".join([
        "Invented note", "", f"Biopsy was safe {cited}. Seeding was rare [2], [4].", "",
        "References", "",
        *(f"[{n}] {name} A. Made-up study {n}. Fict Med. {2010 + n};{n}:{n}0-9."
          for n, name in enumerate(["Okafor", "Petrov", "Haddad", "Kim"], 1)), ""])
    doc = extract_text(text, "note")
    assert claims_and_labels(doc) == [
        ("Biopsy was safe.", ["[1]", "[2]", "[3]"]), ("Seeding was rare.", ["[2]", "[4]"])]


def test_a_reference_list_labelled_in_parentheses_is_read_like_a_numbered_one():
    """(1), (2)... entries, cited as (1) or (2, 3): no label left in the title, every claim."""
    text = "\n".join([
        "Invented note", "", "Invented gout is common (1). Colchicine helped (2, 3).", "",
        "References", "",
        *(f"({n}) {name} A. Made-up study {n}. Fict Med. {2010 + n};{n}:{n}0-9."
          for n, name in enumerate(["Okafor", "Petrov", "Haddad"], 1)), ""])
    doc = extract_text(text, "note")
    assert [(r.label, r.authors, r.title) for r in doc.references] == [
        ("(1)", ["Okafor A"], "Made-up study 1"), ("(2)", ["Petrov A"], "Made-up study 2"),
        ("(3)", ["Haddad A"], "Made-up study 3")]
    assert claims_and_labels(doc) == [
        ("Invented gout is common.", ["(1)"]), ("Colchicine helped.", ["(2)", "(3)"])]


def test_a_further_reading_list_of_titles_and_links_in_plain_text_is_a_reference_list(tmp_path):
    """Identifiers in its links made the line reader take each item for a sentence citing a
    work inline: the items became claims, the document "inline-citations", the titles lost
    and an item without an identifier dropped."""
    path = tmp_path / "leaflet.txt"
    path.write_text("\n".join([
        "Invented gout: information for patients", "",
        "What is invented gout?",
        "It is a made-up arthritis that often starts in the big toe.", "",
        "Further reading",
        "- Invented gout in a synthetic cohort. https://pubmed.ncbi.nlm.nih.gov/950000701/",
        "- Living with made-up arthritis (Fictional Handbook). https://example.org/handbook/",
        "- https://doi.org/10.5555/fict.2019.5", ""]), encoding="utf-8")
    doc = extract_document(path)
    assert [(r.title, r.pmid, r.doi) for r in doc.references] == [
        ("Invented gout in a synthetic cohort", "950000701", None),
        ("Living with made-up arthritis (Fictional Handbook)", None, None),
        (None, None, "10.5555/fict.2019.5")]
    assert doc.claims == [] and doc.document.kind == "further-reading"


def three_references(labels):
    return ["References", "", *(f"{label} {name} A. Made-up study {n}. Fict Med. {2010 + n};{n}:{n}0-9."
                                for n, (name, label) in enumerate(zip(["Okafor", "Petrov", "Haddad"],
                                                                      labels), 1))]


def test_numbers_in_parentheses_are_no_markers_in_a_document_citing_in_brackets():
    """There "(1) imaging, (2) biopsy" is an enumeration and "CT (2)" a figure of speech:
    linked, they tied sentences to sources their authors never cited."""
    text = "\n".join(["Invented note", "",
                      "The work-up has three steps: (1) imaging, (2) biopsy and (3) review [1].",
                      "Biopsy is safe [2]. Patients are staged by CT (2) and MRI (3).", "",
                      *three_references(["[1]", "[2]", "[3]"]), ""])
    doc = extract_text(text, "note")
    assert claims_and_labels(doc) == [
        ("The work-up has three steps: (1) imaging, (2) biopsy and (3) review.", ["[1]"]),
        ("Biopsy is safe.", ["[2]"])]


def test_an_enumeration_is_no_marker_in_a_document_citing_in_parentheses():
    text = "\n".join(["Invented note", "",
                      "The work-up has two steps: (1) imaging and (2) biopsy (3).",
                      "Biopsy is safe (1, 2).", "",
                      *three_references(["1.", "2.", "3."]), ""])
    doc = extract_text(text, "note")
    assert claims_and_labels(doc) == [
        ("The work-up has two steps: (1) imaging and (2) biopsy.", ["3."]),
        ("Biopsy is safe.", ["1.", "2."])]


def test_an_entry_opening_with_a_quoted_title_is_read_and_a_quoted_excerpt_under_one_is_not():
    """IEEE writes a work without authors from its quoted title on: it is an entry, with its
    fields.  A quoted paragraph under an entry (its abstract, as a web page quotes it) is not
    the entry's citation."""
    doc = extract_text("\n".join([
        "Invented review", "", "Grading matters [1]. Inflammatory forms exist [2].", "",
        "References", "",
        "[1] A. Okafor and B. Lind, \u201cInvented grading study\u201d, Fict Med, vol. 3, no. 2, "
        "pp. 11\u201319, 2015.", "",
        "\u201cInvented inflammatory tumour series: a report of nine cases\u201d, quoted from "
        "its abstract.", "",
        "[2] \u201cInvented inflammatory tumour series: a report of nine cases\u201d, Fict Pathol, "
        "vol. 477, no. 2, pp. 219\u2013230, 2020, doi: 10.5555/fict.0002.", ""]), "review")
    fields = [(r.label, r.authors, r.title, r.journal, r.year, r.volume, r.pages, r.doi)
              for r in doc.references]
    assert fields == [
        ("[1]", ["Okafor A", "Lind B"], "Invented grading study", "Fict Med", 2015, "3",
         "11-19", None),
        ("[2]", [], "Invented inflammatory tumour series: a report of nine cases", "Fict Pathol",
         2020, "477", "219-230", "10.5555/fict.0002")]
    assert "quoted from" not in doc.references[0].raw
    assert [refs for _text, refs in claims_and_labels(doc)] == [["[1]"], ["[2]"]]
    assert doc.unnamed_markers == []


NAMING_NO_ENTRY = ["Invented note", "",
                   "Biopsy is safe [1]. Seeding is rare [2, 7].",
                   "Margins predict recurrence [9]. The protocol was revised [2019].",
                   "Imaging helps^3^ and^12^.", "",
                   *three_references(["1.", "2.", "3."]), ""]


@pytest.mark.parametrize("name", ["note.txt", "note.md", "note.html"])
def test_markers_that_name_no_entry_are_kept_with_their_line_and_reported(tmp_path, name):
    """A marker whose number the numbered list lacks ("[7]" of three entries) is kept with its
    line, and the extract report names it: an entry the list lacks, or one extract did not
    read.  What it can be tied to still is ("[2, 7]" cites 2); "[2019]" is a date."""
    from litgraph.references import merge_documents

    lines = NAMING_NO_ENTRY
    if name.endswith(".html"):
        lines = ["<html><body><h1>Invented note</h1>",
                 *(f"<p>{line}</p>" for line in NAMING_NO_ENTRY[2:5]), "<h2>References</h2><ol>",
                 *(f"<li>{line[3:]}</li>" for line in NAMING_NO_ENTRY[8:11]),
                 "</ol></body></html>"]
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = extract_document(path)
    first = lines.index(next(line for line in lines if "Seeding" in line)) + 1
    caret = "[12]" if name.endswith(".md") else "^12^"  # Markdown's superscript, as read
    assert doc.unnamed_markers == [(first, "[2, 7]"), (first + 1, "[9]"), (first + 2, caret)]
    assert ("Seeding is rare.", [doc.references[1].label]) in claims_and_labels(doc)
    # a sentence citing only such a marker is still a claim: one that cites no source
    assert [(c.text, c.references, c.unnamed_markers) for c in doc.claims if c.unnamed_markers] == [
        ("Seeding is rare.", [1], ["[2, 7]"]), ("Margins predict recurrence.", [], ["[9]"]),
        ("Imaging helps and.", [2], [caret])]
    report = merge_documents([path], tmp_path / "references.yaml").report
    assert [m for m in report.messages if "names no entry" in m or "name no entry" in m] == [
        f"{path}: 3 markers name no entry of its reference list (line {first} [2, 7], "
        f"line {first + 1} [9], line {first + 2} {caret}): an entry the list lacks, or one "
        "extract did not read"]


ACM_ENTRIES = [
    "J S Okafor, M Lind, and F Brenner. 2015. Invented grading study. Fict Med 3, 2 (2015), 11\u201319.",
    "2020. Invented inflammatory tumour series: a report of nine cases. Fict Pathol 477, 2 (2020), "
    "219\u2013230. https://doi.org/10.5555/fict.0002",
    "Chen Wu and Dara Moss. 2018. Invented imaging study. Fict Radiol 12, 1 (2018), 5\u20139."]


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_an_entry_that_opens_with_its_year_keeps_its_list_number(tmp_path, fmt):
    """ACM writes a work without authors from its year on ("2. 2020. Title. ..."). Markdown
    reads "2. 2020." as a list inside item 2, and a list item's text opening "2020." read as
    its label: either way entry 2 became entry 2020 and the marker [2] named nothing."""
    from document_builders import build_docx

    body = "Grading matters [1]. Inflammatory forms exist [2]. Imaging helps [3]."
    path = tmp_path / f"review.{fmt}"
    if fmt == "md":
        path.write_text("\n".join(["# Invented review", "", body, "", "## References", "",
                                    *(f"{n}. {e}" for n, e in enumerate(ACM_ENTRIES, 1))]) + "\n",
                        encoding="utf-8")
    elif fmt == "html":
        path.write_text("<html><body><h1>Invented review</h1><p>" + body + "</p><h2>References</h2>"
                        "<ol>" + "".join(f"<li>{e}</li>" for e in ACM_ENTRIES) + "</ol></body></html>",
                        encoding="utf-8")
    else:
        path.write_bytes(build_docx([("Heading 1", "Invented review"), ("Normal", body),
                                     ("Heading 2", "References"),
                                     *(("List Number", e) for e in ACM_ENTRIES)]))
    doc = extract_document(path)
    assert [(r.number, r.authors, r.year, r.title, r.journal, r.doi) for r in doc.references] == [
        (1, ["Okafor JS", "Lind M", "Brenner F"], 2015, "Invented grading study", "Fict Med", None),
        (2, [], 2020, "Invented inflammatory tumour series: a report of nine cases", "Fict Pathol",
         "10.5555/fict.0002"),
        (3, ["Wu C", "Moss D"], 2018, "Invented imaging study", "Fict Radiol", None)]
    assert [refs for _text, refs in claims_and_labels(doc)] == [["1."], ["2."], ["3."]]
    assert doc.unnamed_markers == []


def test_a_line_of_an_entry_that_opens_with_its_year_starts_no_entry(tmp_path):
    """An entry whose lines break after its authors (an HTML paragraph with line breaks): the
    line "2018. Invented ..." continues it, though the next entry's year is 2019; only a list
    whose numbers run up to a year's (1998., 1999., 2000.) takes such a number for a label."""
    html = ("<html><body><h1>Invented review</h1><p>Grading matters [1]. Imaging helps [2].</p>"
            "<h2>References</h2><p>[1] J S Okafor and M Lind.<br>2018. Invented grading study. "
            "Fict Med 3, 2 (2018), 11\u201319.<br>[2] Chen Wu and Dara Moss.<br>2019. Invented "
            "imaging study. Fict Radiol 12, 1 (2019), 5\u20139.</p></body></html>")
    doc = extract_file(tmp_path / "review.html", html)
    assert [(r.label, r.authors, r.title) for r in doc.references] == [
        ("[1]", ["Okafor JS", "Lind M"], "Invented grading study"),
        ("[2]", ["Wu C", "Moss D"], "Invented imaging study")]
    long_list = ("<html><body><h1>Invented index</h1><p>Grading matters [1999].</p><h2>References"
                 "</h2><p>" + "<br>".join(f"{n}. Okafor{n} A. Made-up study {n}. Fict Med. 2011;1:"
                                           f"{n}." for n in (1998, 1999, 2000)) + "</p></body></html>")
    assert [r.number for r in extract_file(tmp_path / "index.html", long_list).references] == [
        1998, 1999, 2000]


def test_an_author_date_entry_after_a_one_author_proceedings_paper_is_its_own():
    """Chicago author-date: "Mensah, Priya B. 2018. ..." (one person, a middle initial) was
    not read as an author list, so the paper did not read as a whole citation and swallowed
    the entry after it."""
    doc = extract_text("\n".join([
        "Invented review", "", "Grading matters (Mensah 2018). Imaging helps (Okafor et al. 2002).",
        "", "References", "",
        "Mensah, Priya B. 2018. \u201cInvented Grading Study\u201d. In Proceedings of the Annual "
        "Meeting of the Invented Sarcoma Group, 108. Meridian Scientific.", "",
        "Okafor, Sofia C., Paul Lind, and John B. O\u2019Brenner. 2002. \u201cInvented Imaging "
        "Study\u201d. Fictional Journal of Radiology 12 (1): 5\u20139.", ""]), "review")
    assert [(r.authors, r.title) for r in doc.references] == [
        (["Mensah PB"], "Invented Grading Study"),
        (["Okafor SC", "Lind P", "O\u2019Brenner JB"], "Invented Imaging Study")]


def extract_file(path, text):
    path.write_text(text, encoding="utf-8")
    return extract_document(path)


def test_markers_are_not_reported_where_they_name_entries_or_the_list_is_not_numbered():
    numbered = extract_text("\n".join(["Invented note", "", "Biopsy is safe [1-3].", "",
                                        *three_references(["[1]", "[2]", "[3]"]), ""]), "note")
    author_year = extract_text("\n".join([
        "Invented note", "", "Biopsy is safe (Okafor 2011). See item [4] of the form.", "",
        "References", "", "Okafor A. Made-up study 1. Fict Med. 2011;1:10-9.", ""]), "note")
    assert [c.text for c in numbered.claims] == ["Biopsy is safe."]
    assert numbered.unnamed_markers == [] and author_year.unnamed_markers == []
    assert len(author_year.claims) == 1


@pytest.mark.parametrize("name", ["note.txt", "note.md"])
def test_superscripts_a_plain_text_copy_lost_are_read_after_the_full_stop(tmp_path, name):
    """AMA copied as plain text: "guidance.1 Outcomes vary by histology.2,3": the digits after a
    word's full stop are its marks (a decimal, 2.5, or a marker of another kind is not)."""
    path = tmp_path / name
    path.write_text("\n".join([
        "Invented gout", "",
        "Treatment follows invented guidance.1 Outcomes vary by histology.2,3 Most cases",
        "resolve in 2.5 weeks.1-3", "",
        *three_references(["1.", "2.", "3."]), ""]), encoding="utf-8")
    doc = extract_document(path)
    assert claims_and_labels(doc) == [
        ("Treatment follows invented guidance.", ["1."]),
        ("Outcomes vary by histology.", ["2.", "3."]),
        ("Most cases resolve in 2.5 weeks.", ["1.", "2.", "3."])]


def test_digits_after_a_full_stop_are_no_marks_where_the_document_cites_otherwise():
    text = "\n".join(["Invented note", "",
                      "Gout is common [1]. Colchicine dose was cut to 0.5 mg in version.2 Trials "
                      "continue [2].", "", *three_references(["[1]", "[2]", "[3]"]), ""])
    doc = extract_text(text, "note")
    assert claims_and_labels(doc) == [
        ("Gout is common.", ["[1]"]),
        ("Colchicine dose was cut to 0.5 mg in version.2 Trials continue.", ["[2]"])]


@pytest.mark.parametrize("cut, doi", [
    ("doi:10.5555/fict.\n2019.5", "10.5555/fict.2019.5"),
    ("doi:10.5555/\nfict.2019.5", "10.5555/fict.2019.5"),
    ("doi:10.5555/FICT.\n2019.5", "10.5555/fict.2019.5"),
    ("doi:10.5555/FICT.2019.5.\nPMID: 950000701", "10.5555/fict.2019.5"),
])
@pytest.mark.parametrize("name", ["note.txt", "note.md"])
def test_a_doi_a_line_break_cut_is_read_whole(tmp_path, cut, doi, name):
    """It was cut at the break: 10.5555/fict, a DOI of no work, written to references.yaml
    and the exports."""
    path = tmp_path / name
    heading = "## References" if name.endswith(".md") else "References"
    path.write_text(f"Invented note\n\nGout is common [1].\n\n{heading}\n\n1. Okafor N. Invented "
                    f"gout. Fict Rheumatol. 2019;4(2):10-18. {cut}\n", encoding="utf-8")
    doc = extract_document(path)
    assert [r.doi for r in doc.references] == [doi]


BARE_LIST = ["References", "",
             "1 Okafor A, Lind B. Invented heel study. Fict Foot J 2015;3", "2 Suppl 1:S11-19.",
             "2 Petrov C, Haddad D, Wu E. Made-up splint trial with a title long enough to wrap. "
             "Fict Orthop", "2019 Mar;12:5-9. doi:10.5555/fict.0003",
             "3 van der Moss F. Imaginary shock wave review. Fict Sports Med 2020;7 Suppl 1:100-10."]


def test_a_list_numbered_bare_is_read_entry_by_entry_and_its_markers_cite():
    """The Lancet and BMJ print "1 Okafor A, ...": a bare number, a space, a name. Read as
    one unnumbered list, every title began "1 Okafor A, Lind B. ..." and no marker cited. A
    line of an entry that opens with a number ("2019 Mar;12:5-9.", even "2 Suppl 1" where 2
    comes next) is not the next entry; a name may open with a particle ("van der Moss")."""
    doc = extract_text("\n".join([
        "Invented review of heel pain", "",
        "Plantar fasciitis is common in runners [1]. Night splints help some [2]. Shock wave "
        "therapy remains debated [3].", "", *BARE_LIST, ""]), "review")
    assert [(r.number, r.label, r.authors, r.title, r.year, r.doi) for r in doc.references] == [
        (1, "1", ["Okafor A", "Lind B"], "Invented heel study", 2015, None),
        (2, "2", ["Petrov C", "Haddad D", "Wu E"],
         "Made-up splint trial with a title long enough to wrap", 2019, "10.5555/fict.0003"),
        (3, "3", ["van der Moss F"], "Imaginary shock wave review", 2020, None)]
    assert "2 Suppl 1:S11-19." in doc.references[0].raw
    one_author = extract_text("\n".join(["Invented note", "", "Splints help [1].", "", "References",
                                          "", "1. Petrov C. Made-up splint trial. Fict Orthop "
                                          "2019;12:5-9.", ""]), "note")
    assert [(r.authors, r.title, r.journal) for r in one_author.references] == [
        (["Petrov C"], "Made-up splint trial", "Fict Orthop")]
    assert [refs for _text, refs in claims_and_labels(doc)] == [["1"], ["2"], ["3"]]
    # a list whose first line is not 1 is no bare-numbered list: its numbers stay text
    late = extract_text("\n".join(["Invented note", "", "Rest helps [1].", "", "References", "",
                                   "7 Okafor A. Invented rest study. Fict Foot J 2015;3:11-19.",
                                   ""]), "note")
    assert [r.number for r in late.references if not r.inline] == [None]
