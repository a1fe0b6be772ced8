"""Bad input: each case fails with one clear 'Error:' line and loses nothing already stored.

Every case starts from a copy of a project that was built cleanly (documents,
references.yaml, db/litgraph.db; built once per session, see conftest.py), runs one
command with one bad input through the real CLI, and checks: exit code 1 or 2, exactly one non-empty stderr line that
starts with "Error:" and names the file, line or identifier at fault, no traceback,
and that the database rows and references.yaml are exactly as before.

Read-only folders cannot be simulated with chmod here (the tests may run as root,
who writes anyway), so an unwritable database is a path under a regular file, and a
full disk is a write limit (RLIMIT_FSIZE) on the litgraph process.

Most cases run the CLI in this process (``run_in_process``: the same command line
without a new interpreter); the cases that need a process of their own (a write
limit, a server that must not start) and one bad-identifier case run
``litgraph`` as a subprocess, as a curator does.
"""

import io
import json
import re
import resource
import signal

import pytest
import sqlite_utils
import yaml
from ruamel.yaml import YAML

from demo_project import copy_built
from reliability_helpers import (assert_one_line_error, build_args, db_all_rows, db_tables,
                                 free_port, run_in_process, run_litgraph)


class Project:
    """A project folder that remembers its rows and references.yaml from before the test."""

    def __init__(self, path, before_rows, before_references):
        self.path = path
        self.before_rows = before_rows
        self.before_references = before_references

    def __truediv__(self, other):
        return self.path / other

    def __fspath__(self):
        return str(self.path)


@pytest.fixture
def project(built_from_documents, tmp_path):
    """A private copy of the built project, with what it held before the test."""
    copy = copy_built(built_from_documents, tmp_path / "project")
    return Project(copy, db_all_rows(copy / "db" / "litgraph.db"),
                   (copy / "references.yaml").read_bytes())


def assert_nothing_lost(project, references_changed_to=None):
    """The database holds exactly its old rows; references.yaml is as it was (or as the test wrote it)."""
    assert db_all_rows(project / "db" / "litgraph.db") == project.before_rows
    expected = project.before_references if references_changed_to is None else references_changed_to
    assert (project / "references.yaml").read_bytes() == expected


def named_line(message, filename="references.yaml") -> int:
    """The line number an error message gives ('file:12:3: ...' or '... line 12 ...')."""
    found = re.search(re.escape(filename) + r":(\d+)", message) or re.search(r"line (\d+)", message)
    assert found, f"no line number in {message!r}"
    return int(found.group(1))


def write_document(project, name, content: bytes):
    path = project / "documents" / name
    path.write_bytes(content)
    return path


# ------------------------------------------------------------------ documents

DOCUMENT_CASES = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8,
    "nul-bytes": b"Uterine leiomyosarcoma\n\x00\x00\x00\x00 references follow\n" * 20,
    "empty": b"",
    "whitespace-only": b"   \n\n\t\n",
    "invalid-utf8": "Leiomyosarcoma review\nReferences\n1. M\u00fcller A. Title.\n".encode("latin-1"),
    "utf16": "Leiomyosarcoma review\nReferences\n".encode("utf-16"),
}


def not_read_lines(proc) -> list:
    """The report's lines naming a file extract did not read."""
    return [line.strip() for line in proc.stdout.splitlines() if ": not read (" in line]


@pytest.mark.parametrize("case", sorted(DOCUMENT_CASES))
def test_bad_document_in_a_folder_is_named_in_the_report_and_refused_alone(project, case):
    path = write_document(project, f"bad-{case}.txt", DOCUMENT_CASES[case])
    proc = run_in_process(["extract", "--references", "references.yaml", "documents"], project)
    assert proc.returncode == 0, proc.stderr
    named = not_read_lines(proc)
    assert len(named) == 1 and named[0].startswith(f"documents/{path.name}: not read ("), named
    assert_nothing_lost(project)
    proc = run_in_process(["extract", "-q", "--references", "references.yaml",
                           f"documents/{path.name}"], project)
    assert_one_line_error(proc, path.name, codes=(2,))
    assert_nothing_lost(project)


def test_bad_document_in_build_is_named_and_the_stored_rows_are_kept(project):
    path = write_document(project, "bad-nul-bytes.txt", DOCUMENT_CASES["nul-bytes"])
    before = db_tables(project / "db" / "litgraph.db")
    proc = run_in_process(["build", "--offline", "--db", "db/litgraph.db",
                           "--references", "references.yaml", "documents"], project)
    assert proc.returncode == 0, proc.stderr
    assert not_read_lines(proc) == [f"documents/{path.name}: not read (line 2: binary file "
                                    "(NUL byte), not a text document)"]
    assert db_tables(project / "db" / "litgraph.db") == before
    assert (project / "references.yaml").read_bytes() == project.before_references


def test_markers_naming_no_entry_are_reported_by_build_and_by_a_rebuild_that_skips_extract(
        project):
    """A document citing [4] of a three-entry list: each build says so, also one that finds
    nothing changed and does not read the documents again.  The sentence is a claim that
    cites no source, and references.yaml, the claims table, the weak_claims finding and
    ``litgraph check`` say which marker names nothing."""
    write_document(project, "ward-note.txt", "\n".join([
        "Ward note on invented dressings", "",
        "Daily changes lowered infection [1]. Silver made no difference [4].", "",
        "References", "",
        "1. Okafor A. Made-up dressing study. Fict Wound J. 2011;1:10-9.",
        "2. Petrov B. Made-up silver study. Fict Wound J. 2012;2:20-9.",
        "3. Haddad C. Made-up foam study. Fict Wound J. 2013;3:30-9.", ""]).encode("utf-8"))
    expected = ["documents/ward-note.txt: 1 marker names no entry of its reference list "
                "(line 3 [4]): an entry the list lacks, or one extract did not read"]
    for _ in range(2):
        proc = run_in_process(["build", "--offline", "--db", "db/litgraph.db",
                               "--references", "references.yaml", "documents"], project)
        assert proc.returncode == 0, proc.stderr
        assert [line.strip() for line in proc.stdout.splitlines()
                if "no entry of its reference list" in line] == expected
    claims = yaml.safe_load((project / "references.yaml").read_text(encoding="utf-8"))["claims"]
    ward = {key: entry for key, entry in claims.items() if entry["document"].endswith("ward-note")}
    assert [(entry["text"], entry.get("sources"), entry.get("markers_without_entry"))
            for entry in ward.values()] == [
        ("Daily changes lowered infection.", [next(iter(ward.values()))["sources"][0]], None),
        ("Silver made no difference.", None, ["[4]"])]
    silver = next(key for key, entry in ward.items() if entry["text"].startswith("Silver"))
    db = sqlite_utils.Database(project / "db" / "litgraph.db")
    assert db["claims"].get(silver)["markers_without_entry"] == '["[4]"]'
    assert [(r["claim_id"], r["reason"]) for r in db.query(
        "select * from weak_claims where markers_without_entry is not null")] == [
        (silver, "cites only markers that name no entry")]
    proc = run_in_process(["check", "--json", "--db", "db/litgraph.db",
                           "--references", "references.yaml"], project)
    found = [f for f in json.loads(proc.stdout)["findings"] if f["subject"] == silver]
    assert [(f["kind"], f["severity"], f["details"]["markers_without_entry"]) for f in found] == [
        ("claim-without-source", "warning", ["[4]"])]
    assert "cites no source: its marker(s) [4] name no entry of the document's reference list" \
        in found[0]["message"]


def test_invalid_utf8_names_the_line(project):
    path = write_document(project, "latin1.txt", "Line one\nLine two\nM\u00fcller 2010\n".encode("latin-1"))
    proc = run_in_process(["extract", "-q", "--references", "references.yaml", str(path)], project)
    line = assert_one_line_error(proc, "latin1.txt", codes=(2,))
    assert named_line(line, "latin1.txt") == 3
    assert_nothing_lost(project)


def test_fifty_megabyte_document_is_refused_quickly(project):
    path = project / "documents" / "huge.txt"
    with open(path, "wb") as handle:
        sentence = b"Leiomyosarcoma is a rare malignant smooth muscle tumour [1].\n"
        handle.write(sentence * (50 * 2**20 // len(sentence) + 1))
    proc = run_in_process(["extract", "-q", "--references", "references.yaml", "documents"], project)
    assert_one_line_error(proc, "huge.txt", codes=(2,))
    assert_nothing_lost(project)


def test_missing_document_path_is_named(project):
    proc = run_in_process(["extract", "-q", "--references", "references.yaml", "no-such-file.txt"],
                        project)
    assert_one_line_error(proc, "no-such-file.txt", codes=(2,))
    assert_nothing_lost(project)


# ------------------------------------------------------------------ references.yaml

def _yaml():
    yaml = YAML()
    yaml.preserve_quotes = True
    return yaml


def edit_references(project, change) -> bytes:
    """Apply ``change(data)`` to references.yaml (round-trip) and return the new bytes."""
    yaml = _yaml()
    data = yaml.load((project / "references.yaml").read_text(encoding="utf-8"))
    change(data)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    content = buffer.getvalue().encode("utf-8")
    (project / "references.yaml").write_bytes(content)
    return content


def first_source(data, with_field="pmid"):
    """(key, entry) of the first source in references.yaml that has ``with_field``."""
    return next((k, v) for k, v in data["sources"].items() if v.get(with_field))


def resolve(project, run=run_in_process):
    return run(["resolve", "-q", "--offline", "--db", "db/litgraph.db", "--references",
                         "references.yaml"], project)


IDENTIFIER_CASES = {
    "pmid-zero": ("pmid", 0, "'0'"),
    "pmid-negative": ("pmid", -20090506, "-20090506"),
    "pmid-twenty-digits": ("pmid", "12345678901234567890", "12345678901234567890"),
    "pmid-letters": ("pmid", "PMID2009O5O6", "PMID2009O5O6"),
    "doi-with-space": ("doi", "10.1097/PAS 0b013e3181cad8c9", "10.1097/PAS 0b013e3181cad8c9"),
    "doi-control-char": ("doi", "10.1097/PAS.0b013e\x07", "10.1097/PAS.0b013e"),
    "doi-not-a-doi": ("doi", "doi:nonsense", "nonsense"),
    "pmcid-letters": ("pmcid", "PMCxyz", "PMCxyz"),
}


@pytest.mark.parametrize("case", sorted(IDENTIFIER_CASES))
def test_bad_identifier_in_references_names_it(project, case):
    field, value, named = IDENTIFIER_CASES[case]
    with_field = "pmid" if field == "pmcid" else field
    changed = {}

    def change(data):
        changed["key"], source = first_source(data, with_field)
        source[field] = value
    written = edit_references(project, change)
    proc = resolve(project)
    line = assert_one_line_error(proc, "references.yaml", changed["key"], named, codes=(2,))
    assert named_line(line) > 1, line
    assert_nothing_lost(project, references_changed_to=written)


def test_bad_identifier_through_a_subprocess_is_one_line(project):
    # The cases above run in this process; one runs as a curator runs it, in a process of
    # its own, so that start-up, logging set-up and the exit code are the real ones.
    changed = {}

    def change(data):
        changed["key"], source = first_source(data, "pmid")
        source["pmid"] = "PMID2009O5O6"
    written = edit_references(project, change)
    proc = resolve(project, run=run_litgraph)
    line = assert_one_line_error(proc, "references.yaml", changed["key"], "PMID2009O5O6", codes=(2,))
    assert named_line(line) > 1, line
    assert_nothing_lost(project, references_changed_to=written)


def test_bad_indentation_names_file_and_line(project):
    lines = (project / "references.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    # Indent one nested key of the first source one space further than its siblings.
    index = next(i for i, line in enumerate(lines)
                 if line.startswith("  ") and line.lstrip().startswith(("pmid:", "doi:", "title:")))
    lines[index] = "   " + lines[index].lstrip()  # breaks the mapping
    lines.insert(index + 1, " oops: [\n")
    content = "".join(lines).encode("utf-8")
    (project / "references.yaml").write_bytes(content)
    proc = resolve(project)
    line = assert_one_line_error(proc, "references.yaml", codes=(2,))
    assert index <= named_line(line) <= index + 3, line
    assert_nothing_lost(project, references_changed_to=content)


def test_tab_indentation_names_file_and_line(project):
    text = (project / "references.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("    ") and ":" in line)
    lines[index] = "\t" + lines[index].lstrip()
    content = "".join(lines).encode("utf-8")
    (project / "references.yaml").write_bytes(content)
    proc = resolve(project)
    line = assert_one_line_error(proc, "references.yaml", codes=(2,))
    assert named_line(line) == index + 1, line
    assert_nothing_lost(project, references_changed_to=content)


def test_duplicate_mapping_key_names_file_and_line(project):
    lines = (project / "references.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.lstrip().startswith("pmid:"))
    lines.insert(index + 1, lines[index])  # the same key twice in one source
    content = "".join(lines).encode("utf-8")
    (project / "references.yaml").write_bytes(content)
    proc = resolve(project)
    line = assert_one_line_error(proc, "references.yaml", "pmid", codes=(2,))
    assert named_line(line) == index + 2, line
    assert_nothing_lost(project, references_changed_to=content)


def test_duplicate_source_key_is_named(project):
    # The same source key twice under sources: (a curator pasted an entry twice).
    text = (project / "references.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = lines.index("sources:\n") + 1
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    key = lines[start].strip().rstrip(":")
    lines[end:end] = lines[start:end]
    content = "".join(lines).encode("utf-8")
    (project / "references.yaml").write_bytes(content)
    proc = resolve(project)
    line = assert_one_line_error(proc, "references.yaml", key, codes=(2,))
    assert named_line(line) == end + 1, line
    assert_nothing_lost(project, references_changed_to=content)


def test_sources_of_the_wrong_type(project):
    written = edit_references(project, lambda data: data.__setitem__("sources", "all of them"))
    proc = resolve(project)
    assert_one_line_error(proc, "references.yaml", "sources", codes=(2,))
    assert_nothing_lost(project, references_changed_to=written)


def test_year_of_the_wrong_type_names_the_source(project):
    key = {}

    def change(data):
        key["key"], source = first_source(data, "year")
        source["year"] = "the year before last"
    written = edit_references(project, change)
    proc = resolve(project)
    assert_one_line_error(proc, "references.yaml", key["key"], codes=(2,))
    assert_nothing_lost(project, references_changed_to=written)


def test_authors_of_the_wrong_type_names_the_source(project):
    key = {}

    def change(data):
        key["key"], source = first_source(data, "authors")
        source["authors"] = {"first": 1}
    written = edit_references(project, change)
    proc = resolve(project)
    assert_one_line_error(proc, "references.yaml", key["key"], codes=(2,))
    assert_nothing_lost(project, references_changed_to=written)


def test_references_file_that_is_a_list(project):
    content = b"- just\n- a list\n"
    (project / "references.yaml").write_bytes(content)
    proc = resolve(project)
    assert_one_line_error(proc, "references.yaml", codes=(2,))
    assert_nothing_lost(project, references_changed_to=content)


def test_references_file_not_utf8(project):
    content = "sources:\n  m\u00fcller-2010:\n    title: M\u00fcller\n".encode("latin-1")
    (project / "references.yaml").write_bytes(content)
    proc = resolve(project)
    assert_one_line_error(proc, "references.yaml", codes=(2,))
    assert_nothing_lost(project, references_changed_to=content)


def test_missing_references_file_is_named(project):
    proc = run_in_process(["resolve", "-q", "--offline", "--db", "db/litgraph.db", "--references",
                         "nowhere/references.yaml"], project)
    assert_one_line_error(proc, "nowhere/references.yaml", codes=(1, 2))
    assert_nothing_lost(project)


# ------------------------------------------------------------------ E-utilities

def test_unreachable_eutils_url_fails_with_one_line(project, monkeypatch):
    # In-process, with the client's back-off sleeps skipped, so six tries per request stay fast.
    from click.testing import CliRunner

    from entrez_fake import client_without_waits
    from litgraph.cli import cli

    client_without_waits(monkeypatch)
    monkeypatch.chdir(project.path)
    port = free_port()  # nothing listens there
    url = f"http://127.0.0.1:{port}/entrez/eutils/"
    result = CliRunner().invoke(cli, ["resolve", "-q", "--db", "db/litgraph.db", "--references",
                                      "references.yaml", "--eutils-url", url, "--cache",
                                      "db/other-cache.sqlite"])
    assert_one_line_error(result, f"127.0.0.1:{port}", codes=(1,))
    assert_nothing_lost(project)


@pytest.mark.parametrize("url", ["ftp://example.org/eutils/", "not a url"])
def test_eutils_url_that_is_not_http_is_named(project, url):
    proc = run_in_process(["resolve", "-q", "--db", "db/litgraph.db", "--references",
                         "references.yaml", "--eutils-url", url], project)
    assert_one_line_error(proc, url, codes=(2,))
    assert_nothing_lost(project)


def test_offline_and_eutils_url_together(project):
    proc = run_in_process(["resolve", "-q", "--offline", "--eutils-url", "http://127.0.0.1:9/",
                         "--db", "db/litgraph.db", "--references", "references.yaml"], project)
    assert_one_line_error(proc, "--offline", codes=(2,))
    assert_nothing_lost(project)


# ------------------------------------------------------------------ the database

def test_database_under_a_regular_file_is_named(project):
    # A folder that cannot be created stands in for a read-only db/ (root ignores chmod).
    (project / "blocker").write_text("a file where the db folder should be\n")
    proc = run_in_process(build_args(db="blocker/litgraph.db"), project)
    assert_one_line_error(proc, "blocker", codes=(1, 2))
    assert_nothing_lost(project)
    assert (project / "blocker").read_text() == "a file where the db folder should be\n"


def test_database_that_is_not_sqlite_is_named_and_kept(project):
    garbage = b"this is a spreadsheet, not a database\n" * 200
    (project / "db" / "notes.db").write_bytes(garbage)
    proc = run_in_process(build_args(db="db/notes.db"), project)
    assert_one_line_error(proc, "notes.db", codes=(1, 2))
    assert (project / "db" / "notes.db").read_bytes() == garbage
    assert_nothing_lost(project)


def _limit_file_size(limit_bytes):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def test_full_disk_on_a_new_database_fails_with_one_line(project):
    # The disk "fills up" after 64 KiB: every write past that size fails (EFBIG).
    proc = run_litgraph(build_args(db="db/fresh.db", references="references.yaml"), project,
                        preexec_fn=_limit_file_size(64 * 1024), timeout=240)
    assert_one_line_error(proc, codes=(1,))
    assert_nothing_lost(project)


def test_full_disk_during_a_rebuild_keeps_the_old_database(project):
    # The existing database is larger than the limit, so any write that grows it fails.
    size = (project / "db" / "litgraph.db").stat().st_size
    (project / "documents" / "000_d77120f9981d4803.txt").write_text(
        (project / "documents" / "000_d77120f9981d4803.txt").read_text(encoding="utf-8")
        + "\nA new sentence a curator added to trigger a write [1].\n", encoding="utf-8")
    proc = run_litgraph(build_args(), project, preexec_fn=_limit_file_size(size), timeout=240)
    assert_one_line_error(proc, codes=(1,))
    rows = db_all_rows(project / "db" / "litgraph.db")
    assert rows == project.before_rows


# ------------------------------------------------------------------ serve

@pytest.fixture
def no_server(monkeypatch):
    """serve runs in this process: were it to start a server, the test fails instead of hanging."""
    import uvicorn

    def started(*args, **kwargs):
        raise AssertionError("serve started a server instead of refusing the database")

    monkeypatch.setattr(uvicorn, "run", started)


def test_serve_a_missing_database_names_it(project, no_server):
    proc = run_in_process(["serve", "--db", "db/missing.db", "--port", free_port()], project)
    assert_one_line_error(proc, "db/missing.db", codes=(1, 2))


def test_serve_a_database_that_is_not_litgraphs_names_it(project, no_server):
    import sqlite3

    conn = sqlite3.connect(project / "db" / "other.db")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    proc = run_in_process(["serve", "--db", "db/other.db", "--port", free_port()], project)
    assert_one_line_error(proc, "other.db", codes=(1, 2))


def test_option_value_errors_name_the_option(project):
    proc = run_in_process(["resolve", "-q", "--offline", "--refresh", "--max-age", "fortnight",
                         "--db", "db/litgraph.db", "--references", "references.yaml"], project)
    assert_one_line_error(proc, "fortnight", codes=(2,))
    assert_nothing_lost(project)

