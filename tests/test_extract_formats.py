"""Golden extractions of one fictional document per format and citation style.

Every identifier here is synthetic (PMIDs 9xxxxxxxx, DOIs under the 10.5555 test
prefix); the works, authors and journals are invented.
"""

import sys
from pathlib import Path

import pytest

from litgraph.extract import extract_document

sys.path.insert(0, str(Path(__file__).parent))
from document_builders import build_docx, build_docx_with_notes, build_pdf, build_pdf_pages  # noqa: E402,E501

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
FIELDS = ("label", "line", "pmid", "doi", "pmcid", "url", "authors", "title", "journal", "year",
          "volume", "issue", "pages")


def sources(doc):
    return [tuple(getattr(r, n) for n in FIELDS) for r in doc.references]


def claims(doc):
    return [(c.line, c.section, c.text, [doc.references[i].label for i in c.references])
            for c in doc.claims]


def test_markdown_vancouver_with_footnote():
    doc = extract_document(FIXTURES / "vancouver_review.md")
    assert doc.document.title == "Imaginary nephroma, a fictional review"  # front matter
    found = sources(doc)
    assert found[:5] == [
        ("1.", 25, "950000201", None, None, None, ["Brightwater HL", "Okonkwo T"],
         "A synthetic cohort of imaginary nephroma", "J Fict Oncol", 2019, "12", "3", "101-109"),
        # a DOI and a PMID in one entry: one source with both
        ("2.", 26, "950000202", "10.5555/ssr.2021.045", None, None, ["Varga Z", "Lindqvist P"],
         "Flank pain in made-up tumours", "Synth Surg Rev", 2021, "7", "2", "45-52"),
        ("3.", 27, None, None, None, None, ["Moreau C"],
         "Presenting signs in an invented registry", "Arch Imag Med", 2020, "33", None, "19-25"),
        # a hanging line joined; "PMID:n" without a space
        ("4.", 28, "950000204", None, None, None, ["Abernathy-Quist R", "Nakamura Y", "Oduya F"],
         "Excision margins for fictional renal masses", "Ann Synth Surg", 2017, "4", "1", "1-8"),
        ("5.", 30, "950000205", None, None, None, ["Castellanos M", "Whitford J"],
         "Radiotherapy in an invented series", "Fict Radiat Oncol", 2016, "22", "4", "300-311"),
    ]
    assert [(s[0], s[1], s[6]) for s in found[5:6]] == [
        ("6.", 31, ["Imaginary Oncology Working Group"])]
    assert found[6] == ("[^th-2018]", 33, None, "10.5555/ict.2018.012", None, None,
                        ["Tarkovsky-Hill E"], "Chemotherapy in imaginary nephroma",
                        "Invent Clin Trials", 2018, "9", "1", "12-19")
    assert claims(doc) == [
        (12, "Background", "Imaginary nephroma is rare in the invented registries.", ["1."]),
        (12, "Background", "Most cases present with flank pain in the synthetic cohort.",
         ["2.", "3."]),
        (13, "Background", "Wide excision remains the standard of care.", ["4.", "5.", "6."]),
        (16, "Background", "Chemotherapy response was reported as modest (Tarkovsky-Hill 2018).",
         ["[^th-2018]"]),
        (20, "Treatment", "Radiotherapy lowered local relapse in one fictional series.", ["5."]),
    ]


def test_html_ama_superscripts_navigation_and_boilerplate():
    doc = extract_document(FIXTURES / "ama_page.html")
    assert doc.document.title == "Made-up sarcoma: a patient guide"
    found = sources(doc)
    assert [found[i] for i in (0, 1, 3)] == [
        ("1.", 13, None, "10.5555/jamaf.2015.390", None, None, ["Okafor N", "Lindgren S"],
         "An invented tumour for testing", "JAMA Fict", 2015, "313", "4", "390-398"),
        ("2.", 14, "950000302", None, None, None, ["Petrov A", "Haddad L", "Kim J"],
         "Growth rates in a synthetic cohort", "Fict Oncol Lett", 2018, "5", "2", "77-84"),
        # the DOI stated only by the link's target
        ("4.", 16, None, "10.5555/ssr.2020.001", None, None, ["Fairweather D"],
         "Curative surgery in fiction", "Synth Surg Rev", 2020, "8", "1", "1-9"),
    ]
    assert found[2][:3] == ("3.", 15, None) and found[2][6] == ["Ruiz-Tagle P"]
    section = "Made-up sarcoma: a patient guide"
    # no claim from the navigation, the newsletter header, the page-view counter, the footer
    assert claims(doc) == [
        (9, section, "Made-up sarcoma is an invented tumour used for testing.", ["1."]),
        (9, section, "It grows slowly in the synthetic cohort.", ["2.", "3."]),
        (10, section, "Surgery was curative in most fictional patients.", ["4."]),
    ]


def test_jats_ref_list_pub_ids_and_xrefs():
    doc = extract_document(FIXTURES / "jats_article.nxml")
    assert doc.document.title == "Fictional review: managing imaginary renal tumours"
    assert sources(doc) == [
        ("1.", 26, "950000101", "10.5555/jfo.2019.0101", None, None, ["Brightwater HL", "Okonkwo T"],
         "A synthetic cohort of imaginary renal tumours", "J Fict Oncol", 2019, "12", "3",
         "101-109"),
        ("2.", 30, "950000102", None, None, None, ["Varga Z", "Lindqvist P"],
         "Excision margins in made-up sarcomas", "Synth Surg Rev", 2021, "7", "2", "45-52"),
        ("3.", 40, None, "10.5555/aim.2020.009", None, None, ["Moreau C", "Dubois A"],
         "Adjuvant choices in an invented registry", "Arch Imag Med", 2020, "33", "1", "9-15"),
    ]
    assert claims(doc) == [
        (15, "Introduction", "Imaginary renal tumours are uncommon in the synthetic cohort.",
         ["1."]),
        (16, "Introduction", "Wide excision was the usual treatment.", ["2.", "3."]),
        (16, "Introduction", "Adjuvant therapy was debated.", ["2.", "3."]),
        (20, "Outcomes", "Five-year survival in the fictional registry was 41%.", ["1."]),
    ]


def test_text_parenthesised_numbers_and_unicode_superscript():
    doc = extract_document(FIXTURES / "paren_markers.txt")
    assert [(s[0], s[1], s[2], s[3], s[6][0], s[9]) for s in sources(doc)] == [
        ("1.", 9, "950000501", None, "Okafor N", 2014),
        ("2.", 10, None, "10.5555/ssr.2016.010", "Petrov A", 2016),  # DOI on a hanging line
        ("3.", 12, None, None, "Haddad L", 2017),
        ("4.", 13, None, None, "Ruiz-Tagle P", 2018),
        ("5.", 14, None, None, "Moss E", 2019),
        ("6.", 15, None, None, "Fairweather D", 2020),
    ]
    assert [(c[0], c[2], c[3]) for c in claims(doc)] == [
        (3, "Renal made-up sarcoma is rare.", ["1."]),
        (3, "Surgery is the standard treatment.", ["2.", "3."]),
        (4, "Chemotherapy helps some fictional patients.", ["4.", "5.", "6."]),
        (4, "Imaging follows every six months in the synthetic protocol.", ["1."]),
    ]


AFTER_THE_FULL_STOP = [  # Vancouver and AMA set the superscript after the full stop
    ("Okafor found it rare.\u00b9 Petrov treated it.\u00b2", [["1."], ["2."]]),
    ("Okafor found it rare.\u00b9\u02d2\u00b2 Petrov treated it.\u00b2", [["1.", "2."], ["2."]]),
    ("Okafor found it rare.\u00b9\u207b\u00b3 Petrov treated it [2].", [["1.", "2.", "3."], ["2."]]),
    ("Okafor found it rare.^1^ Petrov treated it.^2^", [["1."], ["2."]]),
]


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@pytest.mark.parametrize("body, cited", AFTER_THE_FULL_STOP)
def test_markers_after_the_full_stop_cite_their_own_sentence(tmp_path, suffix, body, cited):
    """A short line ending in a marker is a sentence, not a heading, and the marker after a
    full stop belongs to the sentence before it, not to the next one."""
    path = tmp_path / f"note{suffix}"
    path.write_text(
        "Synthetic review\n\n" + body + "\n\nReferences\n\n"
        "1. Okafor N. An invented renal series. Synth J Urol. 2014;3:1-9. PMID: 950000501\n"
        "2. Petrov A. A made-up treatment study. Synth J Urol. 2016;5:10-19.\n"
        "3. Haddad L. A fictional cohort. Synth J Urol. 2017;6:20-29.\n", encoding="utf-8")
    doc = extract_document(path)
    assert [c[3] for c in claims(doc)] == cited
    assert [c[2] for c in claims(doc)] == ["Okafor found it rare.", "Petrov treated it."]


NOTES = ("Okafor N. An invented renal series. Synth J Urol. 2014;3:1-9.",
         "Petrov A. A made-up treatment study. Synth J Urol. 2016;5:10-19.",
         "Haddad L. A fictional cohort. Synth J Urol. 2017;6:20-29.")
FOOTNOTES_AFTER_THE_FULL_STOP = {
    "numbered.md": "It is rare.[^1] Most were high grade.[^2] One responded.[^3]\n\n"
                   + "".join(f"[^{n}]: {note}\n" for n, note in enumerate(NOTES, 1)),
    "spaced.md": "It is rare. [^1] Most were high grade. [^2] One responded. [^3]\n\n"
                 + "".join(f"[^{n}]: {note}\n" for n, note in enumerate(NOTES, 1)),
    "named.md": "It is rare. [^ok] Most were high grade. [^pe] One responded. [^ha]\n\n"
                + "".join(f"[^{k}]: {note}\n" for k, note in zip(("ok", "pe", "ha"), NOTES)),
    "spaced.rst": "It is rare. [1]_ Most were high grade. [2]_ One responded. [#]_\n\n"
                  "Notes\n-----\n\n" + "".join(f".. [{n}] {note}\n"
                                                  for n, note in zip(("1", "2", "#"), NOTES)),
}


@pytest.mark.parametrize("name", sorted(FOOTNOTES_AFTER_THE_FULL_STOP))
def test_a_footnote_reference_after_the_full_stop_cites_the_sentence_before_it(tmp_path, name):
    path = tmp_path / name
    path.write_text("Synthetic review\n================\n\n" + FOOTNOTES_AFTER_THE_FULL_STOP[name],
                    encoding="utf-8")
    doc = extract_document(path)
    assert [(c.text, [doc.references[i].authors[0] for i in c.references])
            for c in doc.claims] == [("It is rare.", ["Okafor N"]),
                                     ("Most were high grade.", ["Petrov A"]),
                                     ("One responded.", ["Haddad L"])]


def test_an_apa_group_author_cited_first_with_its_short_name_then_by_it_alone(tmp_path):
    path = tmp_path / "guidance.txt"
    path.write_text(
        "Synthetic guidance\n\n"
        "Resect the made-up tumour whole (Invented Sarcoma Working Group [ISWG], 2015).\n"
        "Biopsy first (ISWG, 2015; Okafor, 2014).\n"
        "The Fictional Imaging Society (FIS, 2019) prefers CT.\n"
        "Follow-up is yearly (FIS, 2019).\n"
        "An undefined short name links nothing (XYZ, 2015).\n\n"
        "References\n\n"
        "Fictional Imaging Society. (2019). Imaging of invented tumours. Synth Radiol, 4, 1-9.\n\n"
        "Invented Sarcoma Working Group. (2015). Management of a made-up sarcoma. "
        "Synth Ann Surg, 22, 256-263.\n\n"
        "Okafor, N. (2014). An invented renal series. Synth J Urol, 3, 1-9.\n", encoding="utf-8")
    doc = extract_document(path)
    group = {r.authors[0].split()[0]: i for i, r in enumerate(doc.references)}
    assert [(c.text.split(" (")[0], c.references) for c in doc.claims] == [
        ("Resect the made-up tumour whole", [group["Invented"]]),
        ("Biopsy first", [group["Invented"], group["Okafor"]]),
        ("The Fictional Imaging Society", [group["Fictional"]]),
        ("Follow-up is yearly", [group["Fictional"]]),
    ]  # the sentence citing a short name no citation defined cites nothing: no claim


def test_rst_apa_author_year_and_footnote():
    doc = extract_document(FIXTURES / "author_year_notes.rst")
    assert [(r.label, r.line, r.pmid, r.doi, r.authors, r.title, r.journal, r.year, r.year_suffix,
             r.volume, r.issue, r.pages) for r in doc.references] == [
        (None, 16, None, "10.5555/aim.2020.020", ["Dubois A"], "Imaging in invented lymphoma",
         "Arch Imag Med", 2020, None, "33", "2", "20-29"),
        (None, 18, None, None, ["Lindqvist P", "Varga Z"], "A second synthetic series",
         "Synth Haematol", 2021, None, "4", "1", "5-11"),
        (None, 20, "950000401", None, ["Okonkwo T", "Brightwater HL", "Moreau C"],
         "Imaginary lymphoma in a synthetic cohort", "J Fict Oncol", 2019, "a", "12", "1", "1-10"),
        (None, 22, None, None, ["Okonkwo T", "Brightwater HL"], "Confirming imaginary lymphoma",
         "J Fict Oncol", 2019, "b", "12", "4", "200-210"),
        ("[^1]", 24, None, None, ["Quill R"], "Steroids in an invented case", "Fict Case Rep",
         2017, None, "2", None, "40-41"),
    ]
    # author-year linked by first author, year and letter; narrative form; a footnote
    assert [(c.line, c.text, c.references) for c in doc.claims] == [
        (8, "Imaginary lymphoma was first described in the synthetic cohort "
            "(Okonkwo et al., 2019a).", [2]),
        (9, "A later series confirmed the finding (Okonkwo et al., 2019b; Lindqvist and Varga "
            "2021).", [3, 1]),
        (10, "Dubois (2020) argued against routine imaging.", [0]),
        (11, "Steroids were tried in one fictional patient.", [4]),
    ]


def test_a_list_that_reads_as_a_bibliography_needs_no_heading(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text(
        "# Invented gout\n\nColchicine helped [1]. Diet mattered less [2].\n\n"
        "- Regular exercise is advised.\n- Hydration is advised.\n\n"
        "1. Okafor N. Invented gout. Fict Rheumatol. 2016;4(2):10-18. PMID: 950000711\n"
        "2. Petrov A. Diet in fiction. Synth Med. 2019;9(1):5-9.\n")
    doc = extract_document(path)
    assert [(r.label, r.line, r.pmid, r.authors) for r in doc.references] == [
        ("1.", 8, "950000711", ["Okafor N"]), ("2.", 9, None, ["Petrov A"])]
    assert [(c.text, c.references) for c in doc.claims] == [
        ("Colchicine helped.", [0]), ("Diet mattered less.", [1])]


def test_docx_headings_numbered_list_and_superscripts(tmp_path):
    path = tmp_path / "anaemia.docx"
    path.write_bytes(build_docx([
        ("Title", "Fictional guide to invented anaemia"),
        ("Normal", "Invented anaemia affects the synthetic cohort.^1^ Iron helped most "
                   "fictional patients.^2,3^"),
        ("Normal", "Diet advice is given to everyone."),
        ("Heading 1", "References"),
        ("List Number", "Okafor N, Lindgren S. Invented anaemia in a synthetic cohort. "
                        "Fict Haematol. 2015;3(1):1-9. PMID: 950000601"),
        ("List Number", "Petrov A. Iron in fiction. Synth Med. 2017;8(2):20-28. "
                        "doi:10.5555/sm.2017.020"),
        ("List Number", "Haddad L, Kim J. Oral iron in made-up patients. Ann Fict Med. "
                        "2018;2(4):44-50."),
    ]))
    doc = extract_document(path)
    assert sources(doc) == [
        ("1.", 5, "950000601", None, None, None, ["Okafor N", "Lindgren S"],
         "Invented anaemia in a synthetic cohort", "Fict Haematol", 2015, "3", "1", "1-9"),
        ("2.", 6, None, "10.5555/sm.2017.020", None, None, ["Petrov A"], "Iron in fiction",
         "Synth Med", 2017, "8", "2", "20-28"),
        ("3.", 7, None, None, None, None, ["Haddad L", "Kim J"], "Oral iron in made-up patients",
         "Ann Fict Med", 2018, "2", "4", "44-50"),
    ]
    section = "Fictional guide to invented anaemia"
    assert claims(doc) == [
        (2, section, "Invented anaemia affects the synthetic cohort.", ["1."]),
        (2, section, "Iron helped most fictional patients.", ["2.", "3."]),
    ]


def test_pdf_text_layer(tmp_path):
    path = tmp_path / "gout.pdf"
    path.write_bytes(build_pdf([
        "Fictional notes on invented gout", "",
        "Invented gout is common in the synthetic cohort [1]. Colchicine helped [2].", "",
        "References", "",
        "[1] Okafor N. Invented gout. Fict Rheumatol. 2016;4(2):10-18. PMID: 950000701",
        "[2] Petrov A. Colchicine in fiction. Synth Med. 2019;9(1):5-9.",
    ]))
    doc = extract_document(path)
    assert [(r.label, r.pmid, r.authors, r.journal, r.year, r.pages) for r in doc.references] == [
        ("[1]", "950000701", ["Okafor N"], "Fict Rheumatol", 2016, "10-18"),
        ("[2]", None, ["Petrov A"], "Synth Med", 2019, "5-9")]
    assert [(c.text, c.references) for c in doc.claims] == [
        ("Invented gout is common in the synthetic cohort.", [0]), ("Colchicine helped.", [1])]


GUIDE_PDF = [
    (16, True, "Managing invented cough in adults"),
    (11, True, "Background"),
    "Invented cough lasts longer than eight weeks in the synthetic cohort [1].",
    "It is among the commonest made-up reasons to see a doctor [2].",
    (9, True, "Treatment"),
    "Gabapentin reduced fictional cough frequency in one trial [3].",
    (9, True, "Speech therapy helped some made-up patients [2]."),
    (11, True, "References"),
    "1. Okafor N, Lindgren S. Invented cough in a synthetic cohort. Fict Respir. 2019;12(3):100-9.",
    "2. Petrov A. Made-up visits to made-up doctors. Synth Med. 2018;4:22-30.",
    "3. Haddad L, Kim J. A fictional trial of gabapentin. Ann Fict Med. 2020;7(1):1-8.",
]


def test_pdf_headings_set_larger_or_bold_are_not_glued_to_the_next_claim(tmp_path):
    """A PDF seldom leaves a blank line under a heading: its type size or bold face is what
    marks it.  A bold sentence (it ends with a full stop) stays a sentence.  (A bold heading
    straight above bold text cannot be told from it by type: not asked here.)"""
    path = tmp_path / "cough.pdf"
    path.write_bytes(build_pdf(GUIDE_PDF))
    doc = extract_document(path)
    assert [(c.section, c.text, [doc.references[i].label for i in c.references])
            for c in doc.claims] == [
        ("Background", "Invented cough lasts longer than eight weeks in the synthetic cohort.",
         ["1."]),
        ("Background", "It is among the commonest made-up reasons to see a doctor.", ["2."]),
        ("Treatment", "Gabapentin reduced fictional cough frequency in one trial.", ["3."]),
        ("Treatment", "Speech therapy helped some made-up patients.", ["2."]),
    ]
    assert [(r.label, r.authors, r.year) for r in doc.references] == [
        ("1.", ["Okafor N", "Lindgren S"], 2019), ("2.", ["Petrov A"], 2018),
        ("3.", ["Haddad L", "Kim J"], 2020)]


@pytest.mark.parametrize("lines", [
    GUIDE_PDF,
    [(9, True, line if isinstance(line, str) else line[2]) for line in GUIDE_PDF],  # all bold
    ["Fictional notes", "", "One line [1].", "", "References", "", "[1] Okafor N. Gout. 2016."],
])
def test_pdf_text_is_pdfminers_own_rendering_with_headings_set_apart(lines):
    """Joined without the headings' blank lines, the reader's text is pdfminer's
    extract_text; in a body set wholly in bold, no short line becomes a heading by its face."""
    import io

    from pdfminer.high_level import extract_pages, extract_text

    from litgraph.extract.readers.pdf_reader import _rendered_pieces, pdf_text

    data = build_pdf(lines)
    pieces = list(_rendered_pieces(extract_pages(io.BytesIO(data))))
    assert "".join(getattr(p, "text", p) for p in pieces) == extract_text(io.BytesIO(data))
    text = pdf_text(data)
    assert [line for line in text.split("\n") if line] == [
        line for line in extract_text(io.BytesIO(data)).replace("\f", "\n").split("\n") if line]
    if all(isinstance(line, tuple) and line[1] for line in lines):
        assert "\nTreatment\nGabapentin" in text  # the same size and face as the line after


@pytest.mark.parametrize("name", ["vancouver_review.md", "ama_page.html", "jats_article.nxml",
                                  "author_year_notes.rst", "paren_markers.txt"])
def test_unknown_extension_is_read_by_content(tmp_path, name):
    known = extract_document(FIXTURES / name)
    copy = tmp_path / (Path(name).stem + ".dat")
    copy.write_bytes((FIXTURES / name).read_bytes())
    sniffed = extract_document(copy)
    assert sources(sniffed) == sources(known)
    assert claims(sniffed) == claims(known)


def test_every_format_merges_into_references_yaml_one_source_per_entry(tmp_path):
    import shutil

    from litgraph.references import read_reference_set, update_from_documents

    documents = tmp_path / "documents"
    shutil.copytree(FIXTURES, documents)
    references = tmp_path / "references.yaml"
    update_from_documents([documents], references)
    refset = read_reference_set(references)
    extracted = [extract_document(p) for p in sorted(documents.iterdir())]
    entries = sum(len(d.references) for d in extracted)
    # works cited by two documents are one source; otherwise one source per entry
    shared = {r.pmid or r.doi for d in extracted for r in d.references if r.pmid or r.doi}
    with_ids = [r for d in extracted for r in d.references if r.pmid or r.doi]
    assert len(refset.sources) == entries - (len(with_ids) - len(shared))
    both = [s for s in refset.sources if s.pmid == "950000202"]
    assert [(s.pmid, s.doi, s.journal, s.year) for s in both] == [
        ("950000202", "10.5555/ssr.2021.045", "Synth Surg Rev", 2021)]
    assert not [s for s in refset.sources if s.doi == "10.5555/ssr.2021.045" and not s.pmid]
    by_key = {s.key: s.pmid or s.doi for s in refset.sources}
    assert sorted((c.text, sorted(by_key[k] for k in c.sources)) for c in refset.claims
                  if c.document == "jats_article") == [
        ("Adjuvant therapy was debated.", ["10.5555/aim.2020.009", "950000102"]),
        ("Five-year survival in the fictional registry was 41%.", ["950000101"]),
        ("Imaginary renal tumours are uncommon in the synthetic cohort.", ["950000101"]),
        ("Wide excision was the usual treatment.", ["10.5555/aim.2020.009", "950000102"])]
    again = update_from_documents([documents], references)
    assert again.written is False  # idempotent


def test_no_claims_from_front_matter_bylines_or_metadata(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("---\ntitle: Invented gout\nauthor: A Writer\n---\n\n# Invented gout\n\n"
                    "*Updated 3 March 2024 \u00b7 4 min read*\n\nReviewed by: Dr Example\n\n"
                    "Invented gout causes painful joints. Rest helps most people.\n\n"
                    "- Drink water every day\n")
    doc = extract_document(path)
    assert [(c.line, c.text) for c in doc.claims] == [
        (12, "Invented gout causes painful joints."), (12, "Rest helps most people."),
        (14, "Drink water every day")]


@pytest.mark.parametrize("name, text", [
    ("note.md", "# {title}\n\nInvented gout is common in the synthetic cohort [1]. Colchicine "
                "helped [2].\n\n## References\n\n1. {first}\n2. {second}\n"),
    ("note.html", "<h1>{title}</h1><p>Invented gout is common in the synthetic cohort [1]. "
                  "Colchicine helped [2].</p><h2>References</h2><ol><li>{first}</li>"
                  "<li>{second}</li></ol>"),
])
@pytest.mark.parametrize("title", ["Note", "Clinical note", "Sources", "Citations"])
def test_a_title_that_is_also_a_reference_heading_name_does_not_swallow_the_text(
        tmp_path, name, text, title):
    """"Note" or "Sources" heads ordinary text as often as a reference list: the sentences
    under it are claims, linked to their sources, unless they read as citations."""
    path = tmp_path / name
    path.write_text(text.format(
        title=title,
        first="Okafor N, Lindgren S. Invented gout. Fict Rheumatol. 2016;4(2):10-18.",
        second="Petrov A. Colchicine in fiction. Synth Med. 2019;9(1):5-9."), encoding="utf-8")
    doc = extract_document(path)
    assert [(r.authors, r.year) for r in doc.references] == [
        (["Okafor N", "Lindgren S"], 2016), (["Petrov A"], 2019)]
    assert [(c.text, [doc.references[i].year for i in c.references]) for c in doc.claims] == [
        ("Invented gout is common in the synthetic cohort.", [2016]),
        ("Colchicine helped.", [2019])]


def test_notes_that_read_as_citations_are_still_references(tmp_path):
    path = tmp_path / "essay.md"
    path.write_text("# Invented gout\n\nGout is common in the synthetic cohort (1). Colchicine "
                    "helped (2).\n\n## Notes\n\nOkafor N, Lindgren S. Invented gout. Fict "
                    "Rheumatol. 2016;4(2):10-18.\n\nPetrov A. Colchicine in fiction. Synth Med. "
                    "2019;9(1):5-9. doi:10.5555/fict.2019.5\n\nThe author thanks the made-up "
                    "clinic.\n", encoding="utf-8")
    doc = extract_document(path)
    assert [(r.authors, r.year, r.doi) for r in doc.references] == [
        (["Okafor N", "Lindgren S"], 2016, None), (["Petrov A"], 2019, "10.5555/fict.2019.5")]


def test_a_copyright_line_in_a_reference_section_is_not_a_source(tmp_path):
    path = tmp_path / "review.md"
    path.write_text("# Invented gout\n\nGout is common (Okafor and Lindgren, 2016).\n\n"
                    "## References\n\nOkafor, N. and Lindgren, S. (2016) 'Invented gout', "
                    "*Fictional Rheumatology*, 4(2), pp. 10-18.\n\n"
                    "\u00a9 2026 Fictional Review Press \u00b7 Back to top\n", encoding="utf-8")
    doc = extract_document(path)
    assert [(r.authors, r.year) for r in doc.references] == [(["Okafor N", "Lindgren S"], 2016)]


def test_jats_a_range_of_two_cross_references_names_every_entry_between(tmp_path):
    """"[<xref B4>4</xref>–<xref B6>6</xref>]" cites 4, 5 and 6; no "[–]" or "()" is left in
    the claim once its markers are taken out."""
    refs = "".join(
        f'<ref id="B{n}"><label>{n}</label><mixed-citation><person-group><name><surname>'
        f'{name}</surname><given-names>A</given-names></name></person-group>. <article-title>'
        f'Made-up study {n}</article-title>. <source>Fict Med</source>. <year>{2010 + n}</year>;'
        f'<volume>{n}</volume>:<fpage>{n}0</fpage>-<lpage>{n}9</lpage>.</mixed-citation></ref>'
        for n, name in enumerate(["Okafor", "Petrov", "Haddad", "Kim", "Lindgren", "Varga"], 1))
    path = tmp_path / "article.nxml"
    path.write_text(
        '<article xmlns:xlink="http://www.w3.org/1999/xlink"><body><sec><title>Results</title>'
        '<p>Biopsy was safe in the invented series [<xref ref-type="bibr" rid="B4">4</xref>'
        '&#x2013;<xref ref-type="bibr" rid="B6">6</xref>]. It did not worsen recurrence '
        '(<xref ref-type="bibr" rid="B5">5</xref>). Seeding was rare<xref ref-type="bibr" '
        'rid="B1">1</xref>,<xref ref-type="bibr" rid="B2">2</xref>.</p></sec></body>'
        f'<back><ref-list><title>References</title>{refs}</ref-list></back></article>',
        encoding="utf-8")
    doc = extract_document(path)
    assert [(c.text, [doc.references[i].label for i in c.references]) for c in doc.claims] == [
        ("Biopsy was safe in the invented series.", ["4.", "5.", "6."]),
        ("It did not worsen recurrence.", ["5."]),
        ("Seeding was rare.", ["1.", "2."])]


CHICAGO_NOTES = (
    "John S. Miller, Anna B. Lee, and Carl Ortiz, \u201cPrimary Leiomyosarcoma of an Invented "
    "Kidney,\u201d Synthetic Journal of Renal Pathology 34, no. 2 (2010): 238\u201342.",
    "Ibid., 240.",
    "Kari Halvorsen and Lindiwe Mbeki, \u201cTumour Margins after Resection of a Made-Up Sarcoma,\u201d "
    "Annals of Benchmark Pathology 12 (2018): 211\u201319.",
    "Miller, Lee, and Ortiz, \u201cPrimary Leiomyosarcoma,\u201d 241.",
    "Ibid.",
    "Miller, \u201cSecondary Tumours of an Invented Kidney,\u201d 12.",  # cited in full only later
    "Ibid., 13.",
    "John S. Miller, \u201cSecondary Tumours of an Invented Kidney,\u201d Sarcoma Outcomes 3 (2012): "
    "10\u201314.",
)
CHICAGO_SENTENCES = ("It is rare.", "Most were high grade.", "Margins mattered.", "Survival was poor.",
                     "Grade predicted outcome.", "Metastases were few.", "None recurred.",
                     "Secondary tumours were smaller.")
REPEATED_NOTES = {
    "footnotes.md": " ".join(f"{s}[^{n}]" for n, s in enumerate(CHICAGO_SENTENCES, 1)) + "\n\n"
                    + "".join(f"[^{n}]: {note}\n" for n, note in enumerate(CHICAGO_NOTES, 1)),
    "notes-list.md": " ".join(f"{s}<sup>{n}</sup>" for n, s in enumerate(CHICAGO_SENTENCES, 1))
                     + "\n\n## Notes\n\n"
                     + "".join(f"{n}. {note}\n" for n, note in enumerate(CHICAGO_NOTES, 1)),
    "notes.txt": " ".join(f"{s[:-1]} [{n}]." for n, s in enumerate(CHICAGO_SENTENCES, 1))
                 + "\n\nNotes\n\n" + "".join(f"{n}. {note}\n" for n, note in enumerate(CHICAGO_NOTES, 1)),
}


@pytest.mark.parametrize("name", sorted(REPEATED_NOTES))
def test_ibid_and_shortened_notes_cite_the_work_of_the_note_they_repeat(tmp_path, name):
    """Chicago notes: "Ibid." cites the work of the note before it, a shortened note the earlier
    work whose first author and title start as it writes them; a note repeating no work cited
    in full before it (and an "Ibid." after it) cites nothing."""
    path = tmp_path / name
    path.write_text("Synthetic review\n================\n\n" + REPEATED_NOTES[name], encoding="utf-8")
    doc = extract_document(path)
    assert [r.title.split()[0] for r in doc.references] == ["Primary", "Tumour", "Secondary"]
    assert [(c.text, [doc.references[i].title.split()[0] for i in c.references])
            for c in doc.claims] == [
        ("It is rare.", ["Primary"]), ("Most were high grade.", ["Primary"]),
        ("Margins mattered.", ["Tumour"]), ("Survival was poor.", ["Primary"]),
        ("Grade predicted outcome.", ["Primary"]), ("Secondary tumours were smaller.", ["Secondary"])]
    assert doc.unnamed_markers == []  # notes 6 and 7 are entries, though of no work yet


def test_pdf_body_lines_are_not_headings_when_the_reference_list_is_set_smaller(tmp_path):
    """A reference list in small type can hold more characters than the body text: a wrapped
    body line, short and unpunctuated, is no larger than the line after it, so no heading."""
    entries = [f"{n}. {name} A, Lindgren S. Made-up study number {n} of invented gout in a "
               f"synthetic cohort. Fict Rheumatol. {2010 + n};{n}(2):{n}0-{n}9."
               for n, name in enumerate(["Okafor", "Petrov", "Haddad", "Kim", "Varga"], 1)]
    path = tmp_path / "columns.pdf"
    path.write_bytes(build_pdf([
        (14, True, "Invented gout"), (11, True, "Introduction"),
        "Invented gout is rare and", "aggressive [1]. Most series are small [2].",
        (11, True, "References"), *[(7, False, entry) for entry in entries]]))
    doc = extract_document(path)
    assert [(c.section, c.text, [doc.references[i].label for i in c.references])
            for c in doc.claims] == [
        ("Introduction", "Invented gout is rare and aggressive.", ["1."]),
        ("Introduction", "Most series are small.", ["2."])]


def test_pdf_digits_set_small_and_raised_are_citation_marks(tmp_path):
    """Vancouver and AMA print their marks as superscripts; a PDF's text layer gives them as
    plain digits ("aggressive.1 Most"): their size and rise say they are marks, not numbers.
    A subscript (lowered) and a small digit on the baseline stay what they are."""
    path = tmp_path / "ama.pdf"
    path.write_bytes(build_pdf([
        (12, True, "Invented gout"),
        ["Invented gout is rare and aggressive.", ("1", 6, 3), " Most series are small.",
         ("2,3", 6, 3)],
        ["Urate crystals (C", ("5", 6, -2), "H", ("4", 6, -2), "N", ("4", 6, -2),
         "O", ("3", 6, -2), ") form in 2.5% of joints.", ("1-3", 6, 3)],
        "", (11, True, "References"),
        *[f"{n}. {name} A. Made-up study {n}. Fict Rheumatol. {2010 + n};{n}:{n}0-9."
          for n, name in enumerate(["Okafor", "Petrov", "Haddad"], 1)]]))
    doc = extract_document(path)
    assert [(c.text, [doc.references[i].label for i in c.references]) for c in doc.claims] == [
        ("Invented gout is rare and aggressive.", ["1."]),
        ("Most series are small.", ["2.", "3."]),
        ("Urate crystals (C5H4N4O3) form in 2.5% of joints.", ["1.", "2.", "3."])]


def test_html_an_in_page_link_cites_the_entry_it_points_to(tmp_path):
    """The number a link shows need not be its entry's place in the list: <a href="#w">[2]</a>
    pointing at the third item cites the third; a link around words cites its target too; a
    link to an id that is no entry stays its text."""
    path = tmp_path / "page.html"
    path.write_text(
        '<h1>Invented gout</h1><p>Biopsy is safe<sup><a href="#cite-w">[2]</a></sup>. Grading '
        'matters<a href="#cite-c"><sup>1</sup></a>. Veins fare worse (<a href="#cite-n">Petrov '
        'et al.</a>). See <a href="#methods">the methods</a> [1].</p>'
        '<h2 id="methods">Methods</h2><p>Made up.</p><h2>References</h2><ol>'
        '<li id="cite-c">Okafor N. Grading invented gout. Fict Rheumatol. 2016;4:10-18.</li>'
        '<li id="cite-n">Petrov A. Veins in fiction. Synth Med. 2017;9:5-9.</li>'
        '<li id="cite-w">Haddad L. Biopsy of made-up joints. Ann Fict Med. 2018;3:1-8.</li>'
        '</ol>', encoding="utf-8")
    doc = extract_document(path)
    assert [(c.text, [doc.references[i].authors[0] for i in c.references]) for c in doc.claims] == [
        ("Biopsy is safe.", ["Haddad L"]), ("Grading matters.", ["Okafor N"]),
        ("Veins fare worse (Petrov et al.).", ["Petrov A"]),
        ("See the methods.", ["Okafor N"])]


def test_word_footnotes_and_endnotes_are_references_tied_to_their_sentences(tmp_path):
    """python-docx leaves Word's notes out: a document citing in footnotes had no sources, its
    sentences cited nothing, and check called it clean.  A note that is no citation (a
    comment) is no source."""
    path = tmp_path / "review.docx"
    path.write_bytes(build_docx_with_notes([
        ("Heading 1", "Invented gout"),
        ("Normal", "Invented gout is common.{fn:1} Colchicine helped.{fn:2} Diet matters.{en:1}"),
        ("Normal", "Flares recur in winter.{fn:3} Rest helps.{fn:1}"),
    ], footnotes=["Okafor N, Lindgren S. Invented gout. Fict Rheumatol. 2016;4(2):10-18.",
                  "Petrov A. Colchicine in fiction. Synth Med. 2019;9(1):5-9.",
                  "The winter figure is the authors' own estimate."],
       endnotes=["Haddad L. Diet and invented gout. Ann Fict Med. 2021;3:40-46."]))
    doc = extract_document(path)
    assert [(r.authors, r.year) for r in doc.references] == [
        (["Okafor N", "Lindgren S"], 2016), (["Petrov A"], 2019), (["Haddad L"], 2021)]
    assert [(c.text, [doc.references[i].year for i in c.references]) for c in doc.claims] == [
        ("Invented gout is common.", [2016]), ("Colchicine helped.", [2019]),
        ("Diet matters.", [2021]), ("Rest helps.", [2016])]


def test_pdf_running_heads_and_page_numbers_are_not_read(tmp_path):
    """A journal's running head and "Page n of 3", at the top of every page, split the entry
    that ran on from one page to the next (it was lost) and gave the document its title."""
    head = "Fict Rheumatol 2024;12:1-3"
    path = tmp_path / "article.pdf"
    path.write_bytes(build_pdf_pages([
        [f"{head}   Page 1 of 2", "", (14, True, "Invented gout in a made-up cohort"), "",
         "Gout is common [1]. Colchicine helped [2].", "", (11, True, "References"), "",
         "1. Okafor N. Invented gout. Fict Rheumatol. 2016;4(2):10-18.",
         "2. Petrov A, Haddad L, Kim J. Colchicine in a made-up cohort of invented"],
        [f"{head}   Page 2 of 2",
         "    patients with fictional gout. Synth Med. 2019;9(1):5-9."],
    ]))
    doc = extract_document(path)
    assert doc.document.title == "Invented gout in a made-up cohort"
    assert [(r.label, r.authors[0], r.year) for r in doc.references] == [
        ("1.", "Okafor N", 2016), ("2.", "Petrov A", 2019)]
    assert "Fict Rheumatol 2024" not in doc.text and "Page 2 of 2" not in doc.text


def test_markdown_link_reference_definitions_cited_from_the_text_are_references(tmp_path):
    """"recurrence [1]" with "[1]: https://doi.org/..." below: the number was a link, its
    target lost, the claim text "recurrence 1."; a reference list's own [doi][k1] links stay
    its entries' identifiers, no source of their own."""
    path = tmp_path / "notes.md"
    path.write_text(
        "# Invented gout notes\n\nColchicine helped [1]. Diet matters, as the [made-up trial][3] "
        "showed.\n\n## References\n\n2. Okafor N. Invented gout. Fict Rheumatol. 2016;4:10-18. "
        "[doi][k2]\n\n[1]: https://doi.org/10.5555/fict.2019.5 \"Petrov 2019\"\n"
        "[3]: https://doi.org/10.5555/fict.2021.3\n[k2]: https://doi.org/10.5555/fict.2016.10\n",
        encoding="utf-8")
    doc = extract_document(path)
    assert sorted((r.doi, r.label) for r in doc.references) == [
        ("10.5555/fict.2016.10", "2."), ("10.5555/fict.2019.5", "[^1]"),
        ("10.5555/fict.2021.3", "[^3]")]
    assert [(c.text, [doc.references[i].doi for i in c.references]) for c in doc.claims] == [
        ("Colchicine helped.", ["10.5555/fict.2019.5"]),
        ("Diet matters, as the made-up trial showed.", ["10.5555/fict.2021.3"])]


def test_a_pdf_list_numbered_bare_is_split_entry_by_entry_across_a_page_break(tmp_path):
    """A PDF's text keeps the Lancet's bare numbers ("1 Okafor A, ..."): its lines came as one
    block, read as a single entry. Lines numbered 1, 2, 3 in sequence open entries; "2019
    Mar;..." is a line of its entry; the page break cuts entry 4, whose end opens the next
    page before the list goes on from 5."""
    entries = [f"{n} {name} A, Lind B. Made-up study number {n} of invented heel pain. "
               f"Fict Foot J. {2010 + n};{n}:{n}0-{n}9." for n, name in
               enumerate(["Okafor", "Petrov", "Haddad", "Kim", "Varga"], 1)]
    cut = entries[3].index(" heel pain.")
    first = [*entries[:3], entries[3][:cut]]
    second = [entries[3][cut + 1:], entries[4]]
    first.insert(2, "2019 Mar;12:5-9.")  # entry 2's second line
    path = tmp_path / "review.pdf"
    path.write_bytes(build_pdf_pages([
        ["Invented review of heel pain", "",
         "Rest helps.1 Splints help some.2 Shock waves are debated.3 Stretching helps.4",
         "Orthoses help a few.5", "", (12, True, "References"), *first],
        second]))
    doc = extract_document(path)
    listed = [r for r in doc.references if not r.inline]
    assert [(r.number, r.authors[0], r.year) for r in listed] == [
        (1, "Okafor A", 2011), (2, "Petrov A", 2012), (3, "Haddad A", 2013), (4, "Kim A", 2014),
        (5, "Varga A", 2015)]
    assert "2019 Mar" in listed[1].raw
    assert listed[3].title == "Made-up study number 4 of invented heel pain"
    assert [[doc.references[i].number for i in c.references] for c in doc.claims] == [
        [1], [2], [3], [4], [5]]
