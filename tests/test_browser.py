"""The published site in a real browser: Debian's headless Chromium driven by Playwright.

`litgraph serve` runs in a subprocess on a free loopback port.  Every request
the pages make is checked: anything not addressed to 127.0.0.1 is aborted and
fails the test, and so does any console error.  Screenshots go to
test-output/screenshots/.

Chromium comes from Debian (scripts/ensure-chromium.sh, run by `make test`).
Without it these tests skip, except under CI=true, where they fail.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from publish_data import AGE_CLAIM

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
LOOPBACK = "127.0.0.1"


def chromium_path():
    for candidate in (os.environ.get("LITGRAPH_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chromium():
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed: run `bash scripts/ensure-chromium.sh` (Debian's chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def site(built_demo, tmp_path_factory):
    """`litgraph serve` on the offline build of the seed documents; yields its base URL and facts."""
    import sqlite3

    from demo_project import copy_built

    folder = copy_built(built_demo, tmp_path_factory.mktemp("browser") / "project")
    db_path = folder / "db" / "litgraph.db"
    conn = sqlite3.connect(db_path)
    miller = conn.execute("select id from sources where pmid = '20090506'").fetchone()[0]
    facts = {
        "miller": miller,
        "miller_claims": conn.execute("select count(*) from claim_sources where source_id = ?",
                                      [miller]).fetchone()[0],
        "miller_citations": conn.execute("select count(*) from citations where source_id = ?",
                                         [miller]).fetchone()[0],
        "age_claim": conn.execute("select id from claims where text = ?", [AGE_CLAIM]).fetchone()[0],
        "nodes": conn.execute("select count(*) from nodes").fetchone()[0],
        "edges": conn.execute("select count(*) from (select distinct citing_id, cited_id from links)"
                              ).fetchone()[0],
        "links": conn.execute("select count(*) from links").fetchone()[0],
        "origins": [r[0] for r in conn.execute("select distinct origin from links order by origin")],
        # a sentence of the plain-language rewrite that restates a claim citing a source
        "rewrite": conn.execute(
            "select a.claim_id, a.matched_claim_id, group_concat(cs.source_id) from claim_alignments a "
            "join claim_sources cs on cs.claim_id = a.matched_claim_id "
            "where a.claim_id not in (select claim_id from claim_sources) "
            "group by a.claim_id, a.matched_claim_id order by a.claim_id limit 1").fetchone(),
        "weak_claims": conn.execute("select count(*) from weak_claims").fetchone()[0],
    }
    conn.close()
    port = free_port()
    log = open(folder / "serve.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "litgraph.cli", "serve", "--db", str(db_path), "--host", LOOPBACK,
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail("litgraph serve did not start:\n" + (folder / "serve.log").read_text())
        time.sleep(0.1)
    yield {"base": base, "db_path": db_path, **facts}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


class Watch:
    """What a page did: every request URL, the ones refused, console errors."""

    def __init__(self):
        self.requests, self.outside, self.errors = [], [], []

    def on_route(self, route):
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == LOOPBACK:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def on_console(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def check(self):
        assert self.outside == [], f"requests outside loopback: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch()
    context.route("**/*", watch.on_route)
    page = context.new_page()
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    page.set_default_timeout(20_000)
    page.watch = watch
    yield page
    context.close()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_index_page(site, page):
    page.goto(site["base"] + "/")
    assert page.title().startswith("litgraph — leiomyosarcoma literature and citation graph")
    assert page.locator("a[href='/-/citation-graph']").count() >= 1
    assert page.locator("h2 a[href='/litgraph']").inner_text() == "litgraph"
    assert page.locator("a[href='/litgraph/weak_evidence_claims']").is_visible()
    screenshot(page, "index")
    page.watch.check()


def test_source_row_page(site, page):
    from urllib.parse import quote

    page.goto(site["base"] + "/litgraph/sources/" + quote(site["miller"]))
    claims, citations = site["miller_claims"], site["miller_citations"]
    assert claims >= 2 and citations >= 1
    assert page.locator("h2", has_text=f"Claims this source supports ({claims})").is_visible()
    assert page.locator("h2", has_text=f"Documents citing this source ({citations})").is_visible()
    assert page.get_by_text(AGE_CLAIM).is_visible()
    pubmed = page.locator("a[href='https://pubmed.ncbi.nlm.nih.gov/20090506/']")
    assert pubmed.first.inner_text() == "20090506"
    screenshot(page, "source-row")
    page.watch.check()


def test_graph_page_draws_every_node_and_opens_a_row_on_click(site, page):
    with urllib.request.urlopen(site["base"] + "/-/citation-graph.json", timeout=10) as response:
        graph = json.load(response)
    expected_nodes, expected_edges = site["nodes"], site["edges"]
    assert len(graph["nodes"]) == expected_nodes and expected_nodes > 20  # all of them: under the cap

    page.goto(site["base"] + "/-/citation-graph")
    container = page.locator("#citation-graph[data-nodes-drawn][data-stable]")
    container.wait_for()
    assert container.get_attribute("data-nodes-drawn") == str(expected_nodes)
    assert container.get_attribute("data-edges-drawn") == str(expected_edges)
    assert page.locator("#citation-graph canvas").count() == 1
    lines = site["links"] + 1  # one line per origin of each edge, and the rewrite's link
    assert page.locator("#litgraph-graph-status").inner_text() == (
        f"{expected_nodes} of {expected_nodes} nodes and {expected_edges} edges drawn: "
        f"{site['links']} lines, one per origin that states an edge, and 1 rewrite link.")
    assert container.get_attribute("data-lines-drawn") == str(lines)
    # every origin of the links table is drawn, and named in the legend (at least two of them)
    drawn = container.get_attribute("data-origins-drawn").split(",")
    assert drawn == sorted(site["origins"] + ["restates"]) and len(site["origins"]) >= 2
    for origin in drawn:
        assert page.locator(f".litgraph-legend [data-origin='{origin}']").is_visible(), origin
    styles = page.evaluate("""() => {
        const edges = window.litgraphCitationGraph.edges.get();
        const byOrigin = {};
        edges.forEach(e => { byOrigin[e.origin] = JSON.stringify([e.color.color, e.dashes]); });
        return byOrigin;
    }""")
    assert len(set(styles.values())) == len(styles) >= 3  # each origin its own style
    # labels: documents and the top nodes only; the others show theirs on hover
    labelled = page.evaluate("() => window.litgraphCitationGraph.nodes.get().filter(n => n.label).length")
    assert 3 <= labelled <= 12 + 5  # documents (and publications that are documents) + top 12
    screenshot(page, "citation-graph")
    page.watch.check()

    # Bring Miller 2010 to the middle, make sure it is the node there, click it.
    point = page.evaluate("""(id) => {
        const network = window.litgraphCitationGraph.network;
        network.focus(id, {scale: 2.5, animation: false});
        const position = network.canvasToDOM(network.getPositions([id])[id]);
        return {x: position.x, y: position.y, hit: network.getNodeAt(position)};
    }""", site["miller"])
    assert point["hit"] == site["miller"]
    box = page.locator("#citation-graph canvas").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.url == site["base"] + "/litgraph/sources/" + site["miller"]
    page.watch.check()


def test_database_page_links_to_the_graph(site, page):
    page.goto(site["base"] + "/litgraph")
    link = page.locator(".litgraph-graph-link a[href='/-/citation-graph']")
    assert link.is_visible()  # on the page itself, not only in the actions menu
    link.click()
    page.locator("#citation-graph[data-nodes-drawn]").wait_for()
    assert page.url == site["base"] + "/-/citation-graph"
    page.watch.check()


def test_every_page_kind_says_the_demo_is_offline(site, page):
    from datasette.utils import tilde_encode

    paths = ["/", "/litgraph", "/litgraph/sources", "/litgraph/sources/" + site["miller"],
             "/litgraph/claims/" + tilde_encode(site["age_claim"]), "/litgraph/weak_evidence_claims",
             "/litgraph/sources_for_claim?claim=58.5", "/-/citation-graph"]
    for path in paths:
        page.goto(site["base"] + path)
        notice = page.locator(".litgraph-stand-in-notice")
        assert notice.is_visible(), path
        assert "nothing on this site is NCBI or PubMed data" in notice.inner_text(), path
        assert "NCBI E-utilities (PubMed)" not in page.content(), path
    page.watch.check()


def test_sources_for_a_rewrite_sentence_shows_the_inherited_sources(site, page):
    from urllib.parse import quote

    claim, original, sources = site["rewrite"]
    page.goto(site["base"] + "/litgraph/sources_for_claim?claim=" + quote(claim))
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == len(sources.split(","))
    for n in range(rows.count()):
        row = rows.nth(n)
        assert row.locator("td.col-source a").inner_text() in sources.split(",")
        assert row.locator("td.col-inherited_from").inner_text() == original
        assert row.locator(f"td.col-inherited_from a[href='/litgraph/claims/{tilde(original)}']").count() == 1
        box = row.locator("td.col-inherited_from").bounding_box()
        assert box["x"] + box["width"] <= 1280  # on screen without scrolling sideways
    assert page.locator("pre#sql-query").count() == 0  # the SQL is hidden by default
    screenshot(page, "sources-for-rewrite-sentence")
    page.watch.check()


def tilde(value):
    from datasette.utils import tilde_encode

    return tilde_encode(value)


def test_list_queries_link_to_the_next_page(site, page):
    assert site["weak_claims"] > 50
    page.goto(site["base"] + "/litgraph/weak_evidence_claims")
    assert page.locator("table.rows-and-columns tbody tr").count() == 50
    page.locator("a.litgraph-next-page").click()
    page.wait_for_url(site["base"] + "/litgraph/weak_evidence_claims?page=2")
    shown = page.locator("table.rows-and-columns tbody tr").count()
    assert shown == min(50, site["weak_claims"] - 50)
    assert page.locator("a.litgraph-previous-page").is_visible()
    assert (page.locator("a.litgraph-next-page").count() == 1) == (site["weak_claims"] > 100)
    page.watch.check()


def test_claim_row_links_to_its_sources(site, page):
    from datasette.utils import tilde_encode

    page.goto(site["base"] + "/litgraph/claims/" + tilde_encode(site["age_claim"]))
    assert page.locator("h2", has_text="Sources behind this claim (2)").is_visible()
    page.locator(f"a[href='/litgraph/sources/{site['miller']}']").first.click()
    page.wait_for_url(site["base"] + "/litgraph/sources/" + site["miller"])
    screenshot(page, "claim-to-source")
    page.watch.check()


def test_a_rewrite_sentences_restatement_explanation_is_on_screen(site, page):
    claim, original, sources = site["rewrite"]
    page.goto(site["base"] + "/litgraph/claims/" + tilde(claim))
    # its row page lists the sources it inherits, naming the original claim
    behind = page.locator("section.litgraph-row-section", has_text="Sources behind this claim")
    count = len(sources.split(","))
    assert behind.locator("h2").inner_text() == f"Sources behind this claim ({count})"
    assert behind.locator("td.col-inherited_from").all_inner_texts() == [original] * count
    section = page.locator("section.litgraph-row-section", has_text="What this sentence restates")
    cell = section.locator("td.col-explanation").first
    assert cell.inner_text().strip()
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280  # no sideways scrolling to read it
    screenshot(page, "rewrite-sentence-row")
    page.watch.check()


def test_column_descriptions_are_compact(site, page):
    """The sources page describes 31 columns (publish metadata): as a compact scrolling list,
    each description beside its column's name, every one still there."""
    page.goto(site["base"] + "/litgraph/sources")
    described = page.locator("dl.column-descriptions dt").all_inner_texts()
    shown = page.eval_on_selector_all("table.rows-and-columns thead th",
                                      "ths => ths.map(th => th.dataset.column)")
    assert sorted(described) == sorted(shown) and "status_reason" in described
    screenshot(page, "sources-column-descriptions")
    box = page.locator("dl.column-descriptions").bounding_box()
    assert box["height"] < 200  # stacked, 31 names and descriptions took some 1,200 px
    name = page.locator("dl.column-descriptions dt").first.bounding_box()
    description = page.locator("dl.column-descriptions dd").first.bounding_box()
    assert name["y"] == description["y"] and description["x"] > name["x"] + name["width"]
    page.watch.check()
