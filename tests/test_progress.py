"""Progress: the library passes batches through a hook; the CLI's hook draws a bar on a
terminal, and stays silent in CI, under -q or when piped."""

import ast
import io
from pathlib import Path

from litgraph.cli import progress_bar as progress
from litgraph.cli import progress_wanted

LITGRAPH = Path(__file__).resolve().parent.parent / "litgraph"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_pipe_gets_every_item_and_no_bar(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    pipe = io.StringIO()
    assert list(progress(iter(["a", "b", "c"]), "Resolving", stream=pipe)) == ["a", "b", "c"]
    assert pipe.getvalue() == ""


def test_a_terminal_gets_a_bar_labelled_with_the_step(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    terminal = Terminal()
    assert list(progress(range(5), "Resolving sources", stream=terminal)) == [0, 1, 2, 3, 4]
    assert "Resolving sources" in terminal.getvalue()


def test_ci_and_quiet_turn_the_bar_off_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(True, Terminal())
    monkeypatch.delenv("CI")
    assert progress_wanted(True, Terminal())
    assert not progress_wanted(False, Terminal())
    terminal = Terminal()
    assert list(progress([1, 2], "Graph", enabled=False, stream=terminal)) == [1, 2]
    assert terminal.getvalue() == ""


def test_a_generator_without_length_still_passes_through_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    terminal = Terminal()
    items = (n * n for n in range(4))
    assert list(progress(items, "Linking", stream=terminal)) == [0, 1, 4, 9]


def test_the_client_draws_a_bar_over_its_elink_batches_only_when_asked(monkeypatch):
    from litgraph.entrez import EntrezClient
    from litgraph.stub.server import StandIn

    monkeypatch.delenv("CI", raising=False)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    pmids = [str(900000001 + n) for n in range(450)]
    with StandIn(rate_limit=None, synthetic=500) as stand_in, \
            EntrezClient(stand_in.base_url, rate=0, batch_sizes="elink=200") as client:
        quiet_links = client.elink(pmids, "pubmed_pubmed_refs")
        assert terminal.getvalue() == ""
        client.progress = progress
        links = client.elink(pmids, "pubmed_pubmed_citedin")
    assert "Linking (pubmed_pubmed_citedin)" in terminal.getvalue()
    assert len(links) == len(quiet_links) == 450


def test_the_library_never_imports_click():
    # click (and with it every bar and echo) belongs to the command line alone.
    importers = []
    for path in sorted(LITGRAPH.rglob("*.py")):
        if path.relative_to(LITGRAPH).parts[0] == "cli":  # the command line
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name == "click" or name.startswith("click.") for name in names):
                importers.append(str(path.relative_to(LITGRAPH.parent)))
    assert importers == []


def test_a_hook_sees_each_batch_loop_with_its_label():
    from litgraph.entrez import EntrezClient
    from litgraph.stub.server import StandIn

    seen = []

    def hook(items, label, length):
        seen.append((label, length))
        yield from items

    pmids = [str(900000001 + n) for n in range(450)]
    with StandIn(rate_limit=None, synthetic=500) as stand_in, \
            EntrezClient(stand_in.base_url, rate=0, batch_size=200) as client:
        client.progress = hook
        client.elink(pmids, "pubmed_pubmed_refs")
        client.fetch_pubmed(pmids[:150])  # one batch: no progress to show
    assert seen == [("Linking (pubmed_pubmed_refs)", 3)]
