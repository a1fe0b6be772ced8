"""Readers: safety of the files they open, malformed files of each kind, the block model,
and the properties every reader keeps (never crashes, deterministic)."""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litgraph.errors import DocumentError
from litgraph.extract import extract_document, read_document_text
from litgraph.extract.markers import MarkerIndex
from litgraph.extract.profile import load_boilerplate
from litgraph.extract.readers import read_blocks, sniff_format
from litgraph.extract.sections import is_reference_heading
from litgraph.references import update_from_documents

sys.path.insert(0, str(Path(__file__).parent))
from document_builders import build_docx, build_pdf  # noqa: E402


# ---------------------------------------------------------------- malformed files

# name: (content, the line at fault or None, the reason its error gives)
MALFORMED = {
    "broken.xml": (b"<?xml version='1.0'?>\n<article><body><p>Text\n</body></article>", 3,
                   "malformed XML (Opening and ending tag mismatch: p line 2 and body"),
    "broken.html": (b"<html><body><p>Some text.</p>\n<p class=\"x", 2,
                    "malformed HTML: the file ends inside a tag or comment (truncated?)"),
    "broken.rst": (b"=====\nTitle\n\nText after an overline without its underline.\n", 1,
                   "malformed reStructuredText (Missing matching underline for section title "
                   "overline.)"),
    "broken.docx": (b"PK\x03\x04 this is no zip archive", None, "not a readable Word document"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", None, ""),
    "broken.md": (b"# Title\n\ncaf\xe9 au lait\n", 3, "not valid UTF-8 (byte 12)"),
    "broken.txt": (b"line\n\x00binary", 2, "binary file (NUL byte), not a text document"),
    "empty.txt": (b"  \n\n", None, "empty document"),
    "empty.md": (b"", None, "empty document"),
}
# The Word and PDF cases: test_a_corrupt_word_or_pdf_file_in_a_folder_is_named_and_the_rest_read
TEXT_LIKE = sorted(set(MALFORMED) - {"broken.docx", "broken.pdf"})


@pytest.mark.parametrize("name", TEXT_LIKE)
def test_a_malformed_text_file_in_a_folder_is_named_with_its_reason_and_nothing_is_lost(
        tmp_path, name):
    """A text, Markdown, HTML, XML or reStructuredText file that cannot be read is skipped in a
    folder exactly as a corrupt Word or PDF file is: one report line naming it, the line at
    fault and the reason; named alone, it is refused with that line."""
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "good.md").write_text("# Good\n\nA sentence here [1].\n\n## References\n\n"
                                       "1. Okafor N. Fiction. Synth Med. 2019;1:1-2. PMID: 950000901\n")
    references = tmp_path / "references.yaml"
    update_from_documents([documents], references)
    before = references.read_bytes()
    data, line, reason = MALFORMED[name]
    bad = documents / name
    bad.write_bytes(data)
    report = update_from_documents([documents], references)
    named = [m for m in report.messages if ": not read (" in m]
    at = f"line {line}: " if line else ""
    assert len(named) == 1 and named[0].startswith(f"{bad}: not read ({at}{reason}"), named
    assert "\n" not in named[0]
    assert references.read_bytes() == before  # the good document's entries are all kept
    with pytest.raises(DocumentError) as info:
        update_from_documents([bad], references)
    text = str(info.value)
    assert text.startswith(f"{bad}:{line}: {reason}" if line else f"{bad}: {reason}")
    assert "\n" not in text
    assert references.read_bytes() == before  # nothing written, nothing lost


def test_a_corrupt_word_or_pdf_file_in_a_folder_is_named_and_the_rest_read(tmp_path):
    """The README's promise: extract reads a folder file by file and names each file it does
    not read, one line with the reason; a corrupt Word or PDF file no longer stops the folder."""
    from click.testing import CliRunner

    from litgraph.cli import cli

    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "good.md").write_text("# Good\n\nA sentence here [1].\n\n## References\n\n"
                                       "1. Okafor N. Fiction. Synth Med. 2019;1:1-2. PMID: 950000901\n")
    (documents / "corrupt.docx").write_bytes(MALFORMED["broken.docx"][0])
    (documents / "broken.pdf").write_bytes(MALFORMED["broken.pdf"][0])
    (documents / "scan.pdf").write_bytes(build_pdf([]))
    (documents / "empty.docx").write_bytes(b"")
    references = tmp_path / "references.yaml"
    result = CliRunner().invoke(cli, ["extract", str(documents), "--references", str(references)])
    assert result.exit_code == 0, result.output
    named = [line.strip() for line in result.output.splitlines() if ": not read (" in line]
    assert [line.split(": not read (")[0] for line in named] == [
        str(documents / n) for n in ("broken.pdf", "corrupt.docx", "empty.docx", "scan.pdf")]
    assert named[1].startswith(f"{documents / 'corrupt.docx'}: not read (not a readable Word "
                               "document (")
    assert named[2] == f"{documents / 'empty.docx'}: not read (empty document)"
    assert named[3] == (f"{documents / 'scan.pdf'}: not read (PDF has no text layer (a scan?); "
                        "nothing to extract)")
    text = references.read_text(encoding="utf-8")
    assert "good:" in text and "pmid: '950000901'" in text
    assert "broken" not in text and "corrupt" not in text and "scan:" not in text
    # Named alone, the same file is still refused with one line.
    with pytest.raises(DocumentError, match="corrupt.docx: not a readable Word document"):
        update_from_documents([documents / "corrupt.docx"], references)


def test_a_text_file_saved_in_another_encoding_is_skipped_in_a_folder_until_it_is_fixed(
        tmp_path):
    """The curator's workflow: one good page and one note saved as Latin-1 in the folder.
    extract stores the good page, names the note with its line and byte in the report (text
    and --json) and exits 0, as for a corrupt Word file; named alone, the note is refused on
    stderr with one line; saved again as UTF-8, it is read."""
    import json

    from click.testing import CliRunner
    from ruamel.yaml import YAML

    from litgraph.cli import cli

    yaml = YAML(typ="safe")
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "good.md").write_text("# Good\n\nA sentence here [1].\n\n## References\n\n"
                                       "1. Okafor N. Fiction. Synth Med. 2019;1:1-2. PMID: 950000901\n")
    note = documents / "note.txt"
    words = "Note\n\nThe caf\u00e9 study found less pain [1].\n\nReferences\n\n" \
            "[1] Adeyemi T. Invented trial. Synth J. 2020;2:3-4. PMID: 950000902\n"
    note.write_bytes(words.encode("latin-1"))
    references = tmp_path / "references.yaml"
    args = ["extract", str(documents), "--references", str(references)]
    runner = CliRunner()

    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    line = f"{note}: not read (line 3: not valid UTF-8 (byte 13))"
    assert f"  {line}" in result.stdout.splitlines()
    assert result.stderr == ""
    stored = yaml.load(references)
    assert set(stored["documents"]) == {"good"} and set(stored["claims"]) == {"good:1"}
    assert [s["pmid"] for s in stored["sources"].values()] == ["950000901"]
    summary = json.loads(runner.invoke(cli, [*args, "--json", "-q"]).stdout)
    assert line in summary["messages"]

    alone = runner.invoke(cli, ["extract", str(note), "--references", str(references)])
    assert alone.exit_code == 2
    assert alone.stderr.splitlines() == [f"Error: {note}:3: not valid UTF-8 (byte 13)"]

    note.write_text(words, encoding="utf-8")
    fixed = runner.invoke(cli, args)
    assert fixed.exit_code == 0, fixed.output
    assert ": not read (" not in fixed.output
    stored = yaml.load(references)
    assert set(stored["documents"]) == {"good", "note"}
    assert set(stored["claims"]) == {"good:1", "note:1"}
    assert sorted(s["pmid"] for s in stored["sources"].values()) == ["950000901", "950000902"]


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf([]))
    with pytest.raises(DocumentError, match=r"scan.pdf: PDF has no text layer"):
        extract_document(path)


# ---------------------------------------------------------------- file safety

def test_symlink_leading_out_of_the_documents_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("API_KEY=abc123 is the secret. PMID: 950000999\n")
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "leak.txt").symlink_to(secret)
    with pytest.raises(DocumentError) as info:
        extract_document(documents / "leak.txt")
    assert str(info.value) == (f"{documents / 'leak.txt'}: a symbolic link that leads outside "
                               f"{documents}; refused")
    with pytest.raises(DocumentError, match="leads outside"):
        update_from_documents([documents], tmp_path / "references.yaml")
    assert not (tmp_path / "references.yaml").exists()


def test_symlink_inside_the_folder_is_read(tmp_path):
    documents = tmp_path / "documents"
    (documents / "sub").mkdir(parents=True)
    (documents / "sub" / "real.txt").write_text("Title\n\nA sentence to read.\n")
    (documents / "alias.txt").symlink_to(documents / "sub" / "real.txt")
    assert extract_document(documents / "alias.txt").claims[0].text == "A sentence to read."


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match=r"pipe.txt: not a regular file \(a device, pipe or "
                                            r"socket\); refused"):
        extract_document(fifo)  # would hang if opened


def test_device_is_refused():
    with pytest.raises(DocumentError, match=r"/dev/zero: not a regular file"):
        read_document_text("/dev/zero", root="/dev")


def test_document_path_outside_the_project_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("Private words. More private words.\n")
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(DocumentError, match="a document that leads outside"):
        read_document_text(project / ".." / "elsewhere.txt", root=project)


def test_align_does_not_read_a_document_outside_the_project(tmp_path):
    from litgraph.align.storage import _document_text

    (tmp_path / "secret.txt").write_text("password=hunter2\n")
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(DocumentError, match="leads outside"):
        _document_text("../secret.txt", "doc", project)


def test_folder_names_the_files_it_does_not_read(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "page.html").write_text("<h1>Fiction</h1><p>A plain sentence here.</p>")
    (documents / "notes.odt").write_bytes(b"PK\x03\x04")
    report = update_from_documents([documents], tmp_path / "references.yaml")
    assert any(m.startswith(f"{documents / 'notes.odt'}: not read (not a document format")
               for m in report.messages)
    assert "page:" in (tmp_path / "references.yaml").read_text()


# ---------------------------------------------------------------- no silent limits

def test_entries_numbered_a_thousand_and_more_are_read():
    lines = ["Title", "", "Claim one.[1000] Claim two.[1001][1002]", "", "References", ""]
    for number in range(1, 1003):
        lines.append(f"[{number}] Author{number} A. Work {number}. J Synth. 2020;1:{number}.")
    from litgraph.extract import extract_text

    doc = extract_text("\n".join(lines), "many")
    assert len(doc.references) == 1002
    assert [(c.text, [doc.references[i].number for i in c.references]) for c in doc.claims] == [
        ("Claim one.", [1000]), ("Claim two.", [1001, 1002])]


# ---------------------------------------------------------------- pieces

def test_sniffing():
    assert sniff_format(b"%PDF-1.7\n") == "pdf"
    assert sniff_format(b"PK\x03\x04....") == "docx"
    assert sniff_format(b"<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert sniff_format(b"<article><back><ref-list><ref/></ref-list></back></article>") == "jats"
    assert sniff_format(b"Title\n=====\n\n.. [1] A note.\n") == "rst"
    assert sniff_format(b"Just words.\n\nMore words.\n") == "text"


@pytest.mark.parametrize("heading, expected", [
    ("References", True), ("## not markup", False), ("7. Literature cited", True),
    ("Works Cited", True), ("Guideline References", True), ("Références", True),
    ("Bibliographie", True), ("Literaturverzeichnis", True), ("Referencias bibliográficas", True),
    ("Bibliografia", True), ("Notes", True), ("Sources:", True),
    ("Treatment of renal tumours", False), ("References are listed below for the reader", False),
])
def test_reference_headings(heading, expected):
    assert is_reference_heading(heading) is expected


def test_author_year_markers_link_by_surname_year_and_suffix():
    index = MarkerIndex.build([
        {"authors": ["Okonkwo T", "Brightwater HL"], "year": 2019, "year_suffix": "a"},
        {"authors": ["Okonkwo T"], "year": 2019, "year_suffix": "b"},
        {"authors": ["Van der Berg J"], "year": 2021},
        {"authors": ["Öztürk H"], "year": 2020},
    ])
    assert index.link("Seen first (Okonkwo et al., 2019a).") == [0]
    assert index.link("Confirmed (Okonkwo et al., 2019b; van der Berg 2021).") == [1, 2]
    assert index.link("Ozturk and Kim (2020) disagreed.") == [3]
    assert index.link("Nothing here (Smith 2019).") == []
    assert index.link("In 2019 nothing was cited.") == []


def test_boilerplate_profile_is_extended_by_a_curators_file(tmp_path):
    extra = tmp_path / "boilerplate.yaml"
    extra.write_text("sentences:\n  - ^rate this article\n")
    assert load_boilerplate().sentences.search("Rate this article now") is None
    assert load_boilerplate(extra).sentences.search("Rate this article now")
    extra.write_text("sentences: [\"(unclosed\"]\n")
    load_boilerplate.cache_clear()
    with pytest.raises(Exception, match="bad pattern"):
        load_boilerplate(extra)


def test_blocks_of_markdown_keep_structure(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Top\n\nText [^n].\n\n## Sources\n\n3. Late start\n4. Next\n\n"
                    "[^n]: The note.\n")
    blocks = read_blocks(path).blocks
    assert [(b.kind, b.line, b.level, b.number, b.text) for b in blocks] == [
        ("heading", 1, 1, None, "Top"), ("paragraph", 3, None, None, "Text [^n]."),
        ("heading", 5, 2, None, "Sources"), ("item", 7, None, 3, "Late start"),
        ("item", 8, None, 4, "Next"), ("footnote", 10, None, None, "The note.")]


# ---------------------------------------------------------------- properties on every reader

PIECES = st.lists(st.sampled_from([
    "References", "Bibliography", "[1]", "[2][3]", "1.", "2) ", "(1,2)", "\u00b9", "^2", "[^a]",
    "PMID: 950000001", "doi: 10.5555/x(1)", "Okafor N. Title. J X. 2010;1(2):3-4.",
    "(Okafor 2010)", "Okafor et al. (2010a)", "\u2022 bullet text here.", "", "<", "&amp;",
    "Some sentence. Another one.", "e.g. 58.5", "\u00d6zt\u00fcrk H.", "* item", "#", "===",
]), max_size=25)


def _render(fmt, pieces):
    text = "\n".join(pieces)
    if fmt == "md":
        return ("# Doc\n\n" + text + "\n\n[^a]: Okafor N. A note. J X. 2010;1:2.\n").encode()
    if fmt == "html":
        from html import escape

        return ("<html><body><h1>Doc</h1>" + "".join(f"<p>{escape(p)}<sup>1</sup></p>"
                                                     for p in pieces) + "</body></html>").encode()
    if fmt == "xml":
        from html import escape

        body = "".join(f"<p>{escape(p)}<xref ref-type=\"bibr\" rid=\"B1\">1</xref></p>"
                       for p in pieces)
        return (f"<article><body><sec><title>Doc</title>{body}</sec></body><back><ref-list>"
                f"<ref id=\"B1\"><mixed-citation>{escape(text[:200])}</mixed-citation></ref>"
                "</ref-list></back></article>").encode()
    if fmt == "rst":
        return ("Doc\n===\n\n" + "\n\n".join(p.replace("*", "") for p in pieces)).encode()
    if fmt == "docx":
        return build_docx([("Normal", p) for p in pieces if p] or [("Normal", "x")])
    return text.encode() or b"x"


@pytest.mark.parametrize("fmt", ["md", "html", "xml", "rst", "docx", "txt"])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(pieces=PIECES)
def test_every_reader_never_crashes_and_is_deterministic(tmp_path, fmt, pieces):
    path = tmp_path / f"prop.{fmt}"
    path.write_bytes(_render(fmt, pieces))
    try:
        first = extract_document(path)
    except DocumentError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    second = extract_document(path)
    assert first == second
    for claim in first.claims:
        assert all(0 <= i < len(first.references) for i in claim.references)
        assert claim.text.strip()


def test_a_curators_boilerplate_file_beside_references_yaml_is_used(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "page.md").write_text("# Page\n\nRate this article on our site.\n\n"
                                       "Invented gout is common.\n")
    references = tmp_path / "references.yaml"
    update_from_documents([documents], references)
    assert "Rate this article" in references.read_text()
    (tmp_path / "boilerplate.yaml").write_text("sentences:\n  - ^rate this article\n")
    update_from_documents([documents], references)
    text = references.read_text()
    assert "Rate this article" not in text and "Invented gout is common." in text
