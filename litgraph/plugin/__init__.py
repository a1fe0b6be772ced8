"""The litgraph Datasette plugin: citation-graph page, cell links, row-page sections.

Registered as the ``litgraph`` entry point of the ``datasette`` group.  Every
hook first asks :func:`applies_to` whether the database is the litgraph
database and returns early when it is not, so other databases served by the
same Datasette look exactly as they would without the plugin.

Routes (GET only):

- ``/-/citation-graph``: the interactive graph page (vis-network);
- ``/-/citation-graph.json?limit=N``: documents plus the N highest-PageRank
  other nodes, and the links between them;
- ``/-/litgraph/vis-network.min.js`` and ``.css``: vis-network as shipped in
  the installed ``pyvis`` package (nothing is fetched from a CDN).
"""

import json
import re
import sqlite3
import weakref
from html import escape
from importlib import resources
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup

from ..publish import DATABASE_NAME, row_sections

PLUGIN = "litgraph"
VIS_VERSION_DIR = "vis-9.1.2"
VIS_ASSETS = {
    "vis-network.min.js": "application/javascript; charset=utf-8",
    "vis-network.css": "text/css; charset=utf-8",
}

# Columns whose values are rendered as links to the row page of a table.
LINK_COLUMNS = {
    "claim": "claims",
    "claim_id": "claims",
    "matched_claim_id": "claims",
    "matched_claim": "claims",
    "inherited_from": "claims",
    "via_claim_id": "claims",
    "source": "sources",
    "source_id": "sources",
    "document_id": "documents",
}
JSON_LIST_COLUMNS = ("authors", "publication_types", "errata", "sources")
# Comma-separated document ids (group_concat) shown as links labelled with the documents' titles.
DOCUMENT_LIST_COLUMNS = ("cited_by_documents", "document_ids")
# Columns holding a work's title or a citation as written: text that is not citation data
# (litgraph.plausible) is shown as such, never as a title.
CITATION_TEXT_COLUMNS = {"title": "title", "source_title": "title", "cited_as": "citation"}
# Tables whose document_id column is not a declared foreign key, so Datasette shows no label.
UNLABELLED_DOCUMENT_TABLES = ("claim_alignments", "document_cohesion", "restatement_findings",
                              "weak_claims")

# The tables the citation-graph route reads.
GRAPH_TABLES = ("nodes", "links", "metrics")
# Which table a node's row page is in, by node kind.
NODE_TABLES = {"document": "documents", "source": "sources"}


# Per-Datasette cache of the plugin config and of table URLs: render_cell runs
# for every cell of every page, and Datasette rebuilds its metadata on each
# plugin_config() call.
_CACHE = weakref.WeakKeyDictionary()


def _cached(datasette) -> dict:
    cache = _CACHE.get(datasette)
    if cache is None:
        cache = _CACHE[datasette] = {"config": datasette.plugin_config(PLUGIN) or {}, "tables": {}}
    return cache


def plugin_config(datasette) -> dict:
    return _cached(datasette)["config"]


def litgraph_database_name(datasette) -> str:
    """The name of the database the plugin serves (plugin config ``database``)."""
    return plugin_config(datasette).get("database") or DATABASE_NAME


def applies_to(datasette, database) -> bool:
    """True when ``database`` is the litgraph database this Datasette publishes."""
    return bool(database) and database == litgraph_database_name(datasette) \
        and database in datasette.databases


def graph_limits(datasette) -> tuple:
    config = plugin_config(datasette)
    default = int(config.get("graph_default_nodes", 200))
    maximum = int(config.get("graph_max_nodes", 2000))
    return default, maximum


# ------------------------------------------------------------------ query bounds

# SQLite's printf loops inside one instruction for as long as the width asks
# (printf('%.*c', 900000000, 'x'): 18 s), so the 1 s time limit (a progress
# handler, checked between instructions) never fires: widths are checked first.
DEFAULT_MAX_VALUE_BYTES = 100_000  # stored values are at most a few KB
LIKE_PATTERN_LENGTH = 200  # LIKE/GLOB cost grows with pattern x text length
PRINTF_DIRECTIVE = re.compile(r"%[-+ 0#!,]*(\*|\d+)?(?:\.(\*|\d+))?(?:l{0,2})(.)", re.S)


def _too_big(max_value_bytes) -> bytes:
    """A result SQLite refuses with "string or blob too big" (no Python traceback logged)."""
    return bytes(max_value_bytes + 1)


def _number(value) -> int:
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 0


def _printf(max_value_bytes):
    builtin = sqlite3.connect(":memory:", check_same_thread=False)  # SQLite's own printf

    def printf(*args):
        if not args or args[0] is None:
            return None
        rest, position = args[1:], 0
        for width, precision, conversion in PRINTF_DIRECTIVE.findall(str(args[0])):
            for size in (width, precision):
                if size == "*":
                    size = rest[position] if position < len(rest) else 0
                    position += 1
                if _number(size or 0) > max_value_bytes:
                    return _too_big(max_value_bytes)
            if conversion != "%":
                position += 1
        marks = ", ".join("?" for _ in args)
        return builtin.execute(f"select printf({marks})", args).fetchone()[0]
    return printf


def _same_kind(*values):
    """SQLite's text/blob arguments as two str or two bytes (numbers as their text)."""
    if all(isinstance(v, bytes) for v in values):
        return values
    return tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values)


def _text_if_utf8(value):
    """SQLite's replace and trim answer text, also for blobs."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def _instr(haystack, needle):
    if haystack is None or needle is None:
        return None
    haystack, needle = _same_kind(haystack, needle)
    return haystack.find(needle) + 1


def _trim(side):
    def trim(value, characters):
        if value is None or characters is None:
            return None
        value, characters = _same_kind(value, characters)
        strip = set(characters)  # a set: linear in the value, whatever the characters
        start, end = 0, len(value)
        while side != "right" and start < end and value[start] in strip:
            start += 1
        while side != "left" and end > start and value[end - 1] in strip:
            end -= 1
        return _text_if_utf8(value[start:end])
    return trim


def _replacer(max_value_bytes):
    def replace(value, old, new):
        if value is None or old is None or new is None:
            return None
        value, old, new = _same_kind(value, old, new)
        if not old:
            return value
        grows = value.count(old) * (len(new) - len(old))
        if len(value) + grows > max_value_bytes:
            return _too_big(max_value_bytes)
        return _text_if_utf8(value.replace(old, new))
    return replace


def bound_connection(conn, max_value_bytes=DEFAULT_MAX_VALUE_BYTES) -> None:
    """Bound what one query on ``conn`` may allocate and how long one function call may run.

    No string or blob may grow past ``max_value_bytes`` (randomblob, zeroblob,
    replace, group_concat fail at once with "string or blob too big", and
    quadratic functions such as instr stay well under the time limit), LIKE
    and GLOB patterns are short, and printf/format refuse widths beyond the limit.
    SQLite's instr, replace and two-argument trim compare every position of one
    string with the whole of another (quadratic: seconds on two 100 KB strings,
    inside one instruction); Python's linear string search replaces them.
    """
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, LIKE_PATTERN_LENGTH)
    for name in ("printf", "format"):
        conn.create_function(name, -1, _printf(max_value_bytes), deterministic=True)
    conn.create_function("instr", 2, _instr, deterministic=True)
    conn.create_function("replace", 3, _replacer(max_value_bytes), deterministic=True)
    for name, side in (("trim", "both"), ("ltrim", "left"), ("rtrim", "right")):
        conn.create_function(name, 2, _trim(side), deterministic=True)


@hookimpl
def prepare_connection(conn, database, datasette):
    """Every connection of a Datasette that publishes litgraph (plugin config) is bounded."""
    config = datasette.plugin_config(PLUGIN)
    if not config:
        return
    bound_connection(conn, int(config.get("max_value_bytes") or DEFAULT_MAX_VALUE_BYTES))


@hookimpl
def handle_exception(datasette, request, exception):
    """``?_sort=`` a column the table lacks is the client's mistake: 400, not 500."""
    from datasette.views.base import DatasetteError

    if isinstance(exception, DatasetteError) and exception.status == 500 \
            and str(exception.message).startswith("Cannot sort table by"):
        exception.status = 400
    return None  # Datasette's own handler renders the page


async def databases_json(datasette, request):
    """/-/databases.json without each database's file path (where the server keeps it)."""
    if request.method != "GET":
        return method_not_allowed()
    shown = [{k: v for k, v in d.items() if k != "path"} for d in datasette._connected_databases()]
    return Response.json(shown)


# ------------------------------------------------------------------ cells

def pubmed_url(pmid) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(str(pmid))}/"


def doi_url(doi) -> str:
    return "https://doi.org/" + quote(str(doi), safe="/:;()<>[]._-")


def pmc_url(pmcid) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(str(pmcid))}/"


def link(url, text) -> Markup:
    return Markup(f'<a href="{escape(url)}">{escape(str(text))}</a>')


def render_identifier(column, value):
    """HTML for a PMID, DOI, PMC id or ``pmid:N`` node id; None for anything else."""
    if not isinstance(value, (str, int)) or value == "":
        return None
    text = str(value)
    if column == "pmid" and text.isdigit():
        return link(pubmed_url(text), text)
    if column == "doi" and text.startswith("10."):
        return link(doi_url(text), text)
    if column == "pmcid" and text.upper().startswith("PMC"):
        return link(pmc_url(text), text)
    return None


def render_json_list(value):
    """A JSON list of strings as a readable comma-separated list; None if not one."""
    if not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    text = ", ".join(escape(str(item)) for item in items)
    return Markup(f'<span class="litgraph-list">{text}</span>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not applies_to(datasette, database):
        return None
    if column in ("pmid", "doi", "pmcid"):
        return render_identifier(column, value)
    if column in JSON_LIST_COLUMNS:
        return render_json_list(value)
    if not isinstance(value, str) or not value:
        return None
    if column in CITATION_TEXT_COLUMNS and table in (None, "sources", "nodes"):
        return render_citation_text(column, value)
    if column == "document_id" and (table is None or table in UNLABELLED_DOCUMENT_TABLES):
        # A document id is shown with its title, as Datasette shows a labelled foreign key.
        async def labelled():
            return document_link(datasette, database, value, await document_titles(datasette))

        return labelled
    if column in DOCUMENT_LIST_COLUMNS and table is None:
        async def labelled_list():
            titles = await document_titles(datasette)
            return Markup(", ").join(document_link(datasette, database, one.strip(), titles)
                                     for one in value.split(",") if one.strip())

        return labelled_list
    if table is None and column in LINK_COLUMNS:
        # A canned query's claim/source column: link its row page.
        # (Table pages already link their foreign keys themselves.)
        return row_link(datasette, database, LINK_COLUMNS[column], value)
    return None


def render_citation_text(column, value):
    """None when ``value`` is plausible citation data as it stands; the cleaned text when
    a link's text trails it; a marked note (the text in its tooltip) when it is none."""
    from ..plausible import plausible_citation, plausible_title

    check = plausible_title if CITATION_TEXT_COLUMNS[column] == "title" else plausible_citation
    cleaned = check(value)
    if cleaned == " ".join(value.split()):
        return None
    if cleaned:
        return cleaned
    return Markup(f'<span class="litgraph-not-data" title="{escape(value)}">'
                  "(not citation data: page text kept by extraction)</span>")


async def document_titles(datasette) -> dict:
    """Document id -> title, read once per Datasette when the database is immutable."""
    cache = _cached(datasette)
    titles = cache.get("document_titles")
    if titles is None:
        db = datasette.get_database(litgraph_database_name(datasette))
        try:
            result = await db.execute("select id, title from documents")
            titles = {row[0]: row[1] for row in result.rows}
        except sqlite3.OperationalError:
            titles = {}
        if not db.is_mutable:
            cache["document_titles"] = titles
    return titles


def document_link(datasette, database, document_id, titles) -> Markup:
    """A link to a document's row page labelled with its title, the id after it."""
    title = titles.get(document_id)
    url = row_url(datasette, database, "documents", document_id)
    if not title:
        return link(url, document_id)
    return Markup(f'<a href="{escape(url)}">{escape(title)}</a>&nbsp;'
                  f'<em class="litgraph-id">{escape(document_id)}</em>')


def row_url(datasette, database, table, value) -> str:
    """The row page of ``value`` (a primary key) in ``database``/``table``."""
    tables = _cached(datasette)["tables"]
    base = tables.get((database, table))
    if base is None:
        base = tables[(database, table)] = str(datasette.urls.table(database, table))
    return f"{base}/{tilde_encode(str(value))}"


def row_link(datasette, database, table, value) -> Markup:
    return link(row_url(datasette, database, table, value), value)


# ------------------------------------------------------------------ row pages


async def section_tables(datasette, database, table, row_id) -> list:
    """The extra sections of one row page, each with its rows rendered to HTML."""
    db = datasette.get_database(database)
    titles = await document_titles(datasette)
    sections = []
    for section in row_sections(table):
        try:
            result = await db.execute(section.sql, {"id": row_id})
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc) or "no such column" in str(exc):
                continue  # a stage that adds the table (or column) has not run on this database
            raise
        columns = list(result.columns)
        rows = []
        for row in result.rows:
            cells = []
            for column, value in zip(columns, row):
                if value is None:
                    cells.append(Markup('<span class="none">&nbsp;</span>'))
                elif column == "document_id":
                    cells.append(document_link(datasette, database, value, titles))
                elif column in LINK_COLUMNS:
                    cells.append(row_link(datasette, database, LINK_COLUMNS[column], value))
                else:
                    # Markup.escape, not html.escape: the template must not escape it twice
                    cells.append(render_identifier(column, value) or render_json_list(value)
                                 or Markup.escape(str(value)))
            rows.append(cells)
        sections.append({"title": section.title, "description": section.description,
                         "columns": columns, "rows": rows})
    return sections


PAGE_SIZE = 50  # rows a page of the canned queries that take :page


def paged_queries() -> set:
    """Names of the canned queries that list rows a page at a time (they take ``:page``)."""
    from ..publish import load_config

    queries = load_config()["databases"][DATABASE_NAME].get("queries") or {}
    return {name for name, query in queries.items() if ":page" in (query.get("sql") or "")}


def page_links(request) -> dict:
    """The previous and next page URLs of a paged canned query page."""
    from urllib.parse import urlencode

    args = [(key, value) for key in request.args.keys() if key != "page"
            for value in request.args.getlist(key)]
    try:
        page = max(int(request.args.get("page") or 1), 1)
    except ValueError:
        page = 1

    def url(number):
        return request.path + "?" + urlencode(args + [("page", str(number))])

    return {"litgraph_page_size": PAGE_SIZE, "litgraph_next_page_url": url(page + 1),
            "litgraph_previous_page_url": url(page - 1) if page > 1 else None}


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if litgraph_database_name(datasette) not in datasette.databases:
        return {}
    found = {"litgraph_stand_in": bool(plugin_config(datasette).get("stand_in"))}
    if not applies_to(datasette, database) or request is None:
        return found
    name = (request.url_vars or {}).get("table")
    if name and name in paged_queries() and not (table and table != name):
        found.update(page_links(request))
    if view_name != "row" or not row_sections(table):
        return found
    pks = (request.url_vars or {}).get("pks")
    if not pks:
        return found
    row_id = tilde_decode(pks)

    async def inner():
        return {**found,
                "litgraph_row_sections": await section_tables(datasette, database, table, row_id)}

    return inner


# ------------------------------------------------------------------ every page

@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    if litgraph_database_name(datasette) not in datasette.databases:
        return []
    return [datasette.urls.static_plugins(PLUGIN, "litgraph.css")]


# ------------------------------------------------------------------ graph page

@hookimpl
def database_actions(datasette, actor, database, request):
    if not applies_to(datasette, database):
        return None
    return [{"href": datasette.urls.path("/-/citation-graph"), "label": "Citation graph"}]


@hookimpl
def menu_links(datasette, actor, request):
    if litgraph_database_name(datasette) not in datasette.databases:
        return None
    return [{"href": datasette.urls.path("/-/citation-graph"), "label": "Citation graph"}]


async def has_graph_tables(datasette) -> bool:
    name = litgraph_database_name(datasette)
    if name not in datasette.databases:
        return False
    tables = set(await datasette.get_database(name).table_names())
    return all(t in tables for t in GRAPH_TABLES)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_custom_sql(scope) -> bool:
    """Whether a request runs SQL a visitor wrote (``?sql=`` on a database page)."""
    query = scope.get("query_string") or b""
    return query.startswith(b"sql=") or b"&sql=" in query


@hookimpl
def asgi_wrapper(datasette):
    """With plugin config ``read_only: true``, answer 405 to any method but GET, HEAD, OPTIONS.

    With ``max_custom_sql`` (a number), at most that many requests running a
    visitor's own SQL are served at once; more get 429 at once, so a burst of
    expensive queries cannot hold every SQL thread and starve the other pages.
    """

    def wrap(app):
        in_flight = [0]

        async def read_only(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            config = plugin_config(datasette)
            if scope.get("method", "GET") not in SAFE_METHODS and config.get("read_only"):
                await method_not_allowed().asgi_send(send)
                return
            limit = config.get("max_custom_sql")
            if not limit or not is_custom_sql(scope):
                await app(scope, receive, send)
                return
            if in_flight[0] >= int(limit):
                await Response.text("Too many SQL queries at once: try again in a second.",
                                    status=429, headers={"Retry-After": "1"}).asgi_send(send)
                return
            in_flight[0] += 1
            try:
                await app(scope, receive, send)
            finally:
                in_flight[0] -= 1

        return read_only

    return wrap


def method_not_allowed():
    return Response.text("Method not allowed: this site is read-only.", status=405,
                         headers={"Allow": "GET"})


def parse_limit(value, default, maximum) -> int:
    """The ``?limit=`` of the graph route: a whole number, capped at ``maximum``."""
    if value in (None, ""):
        return default
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(f"limit must be a whole number, not {value!r}") from None
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    return min(limit, maximum)


async def graph_data(datasette, limit: int) -> dict:
    """Documents (at most half of ``limit``), then the highest-PageRank other nodes, and their links."""
    database = litgraph_database_name(datasette)
    db = datasette.get_database(database)
    node_sql = (
        "select n.id, n.kind, n.title, n.year, n.pmid, n.evidence_level, n.synthetic, m.pagerank "
        "from {driver} where {where} order by {order} limit :limit"
    )
    documents = await db.execute(
        node_sql.format(driver="nodes n left join metrics m on m.node_id = n.id",
                        where="n.kind = 'document'", order="n.id"),
        {"limit": max(limit // 2, 1)})  # documents take at most half of the picture
    others = await db.execute(
        node_sql.format(driver="metrics m join nodes n on n.id = m.node_id",
                        where="m.kind != 'document'", order="m.pagerank desc, m.node_id"),
        {"limit": max(limit - len(documents.rows), 0)})
    # A document that is itself a publication is drawn as its source's node.
    publications = await db.execute(
        "select source_id, id from documents where source_id is not null")
    document_of = dict(publications.rows)
    nodes = []
    from ..plausible import plausible_title

    for row in list(documents.rows) + list(others.rows):
        node = dict(zip(documents.columns, row))
        if node["kind"] != "document":
            node["title"] = plausible_title(node["title"])
        table = NODE_TABLES.get(node["kind"], "nodes")
        node["url"] = row_url(datasette, database, table, node["id"])
        node["document"] = node["id"] if node["kind"] == "document" else document_of.get(node["id"])
        nodes.append(node)
    ids = [node["id"] for node in nodes]
    edges = {}
    if ids:
        # Links between drawn nodes, through the (citing_id, cited_id, origin)
        # primary-key index; at most 2 x graph_max_nodes bound variables.
        marks = ", ".join("?" for _ in ids)
        result = await db.execute(
            f"select citing_id, cited_id, origin from links "
            f"where citing_id in ({marks}) and cited_id in ({marks})", ids + ids)
        for citing, cited, origin in result.rows:
            edges.setdefault((citing, cited), []).append(origin)
    # A rewrite (documents.restates) is drawn linked to the document it restates,
    # each as the node it is drawn as (a publication's document as its source).
    node_of = {document: source for source, document in document_of.items()}
    drawn = set(ids)
    restatements = []
    try:
        result = await db.execute("select id, restates from documents where restates is not null "
                                  "order by id")
        for rewrite, original in result.rows:
            start, end = node_of.get(rewrite, rewrite), node_of.get(original, original)
            if start in drawn and end in drawn:
                restatements.append({"from": start, "to": end, "rewrite": rewrite,
                                     "original": original})
    except sqlite3.OperationalError:
        pass  # an older database without documents.restates
    cache = _cached(datasette)
    totals = cache.get("graph_totals")
    if totals is None:
        result = await db.execute(
            "select (select count(*) from nodes), (select count(*) from links), "
            "(select count(*) from (select distinct citing_id, cited_id from links))")
        totals = tuple(result.rows[0])
        if not db.is_mutable:  # an immutable file cannot change while it is served
            cache["graph_totals"] = totals
    total_nodes, total_links, total_edges = totals
    return {
        "nodes": nodes,
        # one entry per citing -> cited pair (an edge), with every origin that states it
        "links": [{"from": citing, "to": cited, "origins": sorted(origins)}
                  for (citing, cited), origins in sorted(edges.items())],
        "restatements": restatements,
        "limit": limit,
        "total_nodes": total_nodes,
        "total_links": total_links,  # rows of the links table: one per origin of an edge
        "total_edges": total_edges,  # distinct citing -> cited pairs
        "truncated": len(nodes) < total_nodes,
    }


async def citation_graph_json(datasette, request):
    if request.method != "GET":
        return method_not_allowed()
    if not await has_graph_tables(datasette):
        return Response.json({"ok": False, "error": "no litgraph citation graph here"}, status=404)
    default, maximum = graph_limits(datasette)
    try:
        limit = parse_limit(request.args.get("limit"), default, maximum)
    except ValueError as exc:
        return Response.json({"ok": False, "error": str(exc)}, status=400)
    return Response.json(await graph_data(datasette, limit))


async def citation_graph_page(datasette, request):
    if request.method != "GET":
        return method_not_allowed()
    if not await has_graph_tables(datasette):
        return Response.html("<h1>Not found</h1><p>No litgraph citation graph here.</p>", status=404)
    database = litgraph_database_name(datasette)
    default, maximum = graph_limits(datasette)
    try:
        limit = parse_limit(request.args.get("limit"), default, maximum)
    except ValueError as exc:
        return Response.html(f"<h1>Bad request</h1><p>{escape(str(exc))}</p>", status=400)
    context = {
        "database": database,
        "database_url": datasette.urls.database(database),
        "data_url": datasette.urls.path(f"/-/citation-graph.json?limit={limit}"),
        "limit": limit,
        "max_limit": maximum,
        "vis_js_url": datasette.urls.path("/-/litgraph/vis-network.min.js"),
        "vis_css_url": datasette.urls.path("/-/litgraph/vis-network.css"),
        "graph_js_url": datasette.urls.static_plugins(PLUGIN, "citation-graph.js"),
        "graph_css_url": datasette.urls.static_plugins(PLUGIN, "citation-graph.css"),
    }
    html = await datasette.render_template("citation_graph.html", context, request=request)
    return Response.html(html)


def vis_asset_path(name: str):
    """The file ``name`` of vis-network inside the installed pyvis package."""
    return resources.files("pyvis").joinpath("lib", VIS_VERSION_DIR, name)


async def vis_asset(request):
    if request.method != "GET":
        return method_not_allowed()
    name = request.url_vars["name"]
    if name not in VIS_ASSETS:
        return Response.text("Not found", status=404)
    body = vis_asset_path(name).read_bytes()
    return Response(body, status=200, content_type=VIS_ASSETS[name],
                    headers={"Cache-Control": "max-age=86400"})


@hookimpl
def register_routes(datasette):
    return [
        (r"^/-/citation-graph$", citation_graph_page),
        (r"^/-/citation-graph\.json$", citation_graph_json),
        (r"^/-/litgraph/(?P<name>vis-network\.(?:min\.js|css))$", vis_asset),
        (r"^/-/databases(\.json)?$", databases_json),
    ]
