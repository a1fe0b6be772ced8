"""The command line as a person meets it: help, documentation, errors."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_commands_the_issues_name_exist():
    for name in ["extract", "resolve", "graph", "build", "serve", "stub", "export", "check",
                 "claims", "sources", "status"]:
        assert name in cli.commands, f"litgraph {name} is missing"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"litgraph {name} --help shows no example"
    assert f"litgraph {name}" in result.output


def example_lines(command) -> list:
    """The lines of the example block of a command's docstring, as written."""
    doc = command.callback.__doc__ or command.help or ""
    block = doc.split("Example:", 1)[1] if "Example:" in doc else ""
    lines = [line.strip() for line in block.replace("\b", "").splitlines()]
    return [line for line in lines if line]


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_help_examples_keep_their_line_breaks(name):
    command = cli.commands[name] if name else cli
    result = CliRunner().invoke(cli, [name, "--help"] if name else ["--help"])
    shown = [line.strip() for line in result.output.splitlines()]
    expected = example_lines(command)
    assert expected, f"no example in litgraph {name}"
    for line in expected:
        assert line in shown, f"litgraph {name} --help rewraps its example line {line!r}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_in_the_readme(name):
    assert re.search(rf"`litgraph {name}\b", README), f"README does not document `litgraph {name}`"


def test_the_readme_leads_with_the_two_commands():
    opening = "\n".join(README.splitlines()[:40])
    assert "make demo" in opening and "make test" in opening


def test_an_unknown_option_is_a_usage_error_with_exit_code_2():
    result = CliRunner().invoke(cli, ["resolve", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_a_missing_document_is_one_line_naming_it(tmp_path):
    missing = tmp_path / "nowhere.txt"
    result = CliRunner().invoke(cli, ["extract", str(missing), "--references",
                                      str(tmp_path / "references.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert "nowhere.txt" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "references.yaml").exists()


def test_a_build_of_a_mistyped_folder_is_one_line_and_leaves_nothing_behind(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "documnets"), "--offline",
                                      "--db", str(tmp_path / "db" / "litgraph.db"),
                                      "--references", str(tmp_path / "references.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"Error: {tmp_path / 'documnets'}: no such document or folder"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no cache, lock or database


@pytest.mark.parametrize("command", ["build", "extract"])
@pytest.mark.parametrize("files", [[], ["notes.csv"]])
def test_a_folder_without_documents_is_said_so_and_leaves_nothing_behind(tmp_path, command, files):
    """It blamed references.yaml ("holds no documents and no sources... run litgraph
    extract first") and left a references.yaml, a cache and a lock."""
    folder = tmp_path / "documents"
    folder.mkdir()
    for name in files:
        (folder / name).write_text("a,b\n", encoding="utf-8")
    args = [command, str(folder), "--references", str(tmp_path / "references.yaml")]
    if command == "build":
        args += ["--offline", "--db", str(tmp_path / "db" / "litgraph.db")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {folder}: no document to read")
    assert ("(not read: notes.csv)" in lines[0]) == bool(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]


@pytest.mark.parametrize("command", [["graph"], ["resolve", "--references", "refernces.yaml"]])
def test_graph_or_resolve_on_a_mistyped_path_is_one_line_and_leaves_nothing_behind(
        tmp_path, monkeypatch, command):
    """graph on a database that is not there reported an empty graph (exit 0) and left a new
    empty database; resolve on a missing references.yaml left a cache (its lock file, as
    every run's, stays: it waits for a build that may be writing references.yaml)."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*command, "--offline", "--db", "litgraph.dbb"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert ("litgraph.dbb" if command == ["graph"] else "refernces.yaml") in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        [] if command == ["graph"] else ["litgraph.dbb.lock"])


def test_offline_and_eutils_url_together_are_refused(tmp_path):
    (tmp_path / "r.yaml").write_text("sources: {}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", "--offline", "--eutils-url", "http://127.0.0.1:9/",
                                      "--db", str(tmp_path / "x.db"),
                                      "--references", str(tmp_path / "r.yaml")])
    assert result.exit_code == 2
    assert "--offline" in result.output and "Traceback" not in result.output


def test_check_help_names_the_identity_findings_it_reports():
    # check.py reports identity mismatches as errors and partial matches as warnings;
    # `check --help` lists what it reports, so it must list these too.
    from litgraph.check import KINDS
    text = " ".join(CliRunner().invoke(cli, ["check", "--help"]).output.split())
    assert "identity-mismatch" in KINDS and "identity-partial" in KINDS
    errors, warnings = text.split("Errors:")[1].split("Warnings:")
    assert "not the work the document cites (identity mismatch)" in errors
    assert "match their citation only in part (identity partial)" in warnings.split("Info:")[0]
