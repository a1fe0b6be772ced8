"""The citation-graph page, its JSON and the vis-network assets it loads."""

import sqlite3
from html import escape
from importlib import resources

from datasette import hookimpl
from datasette.utils.asgi import Response

from .cells import row_url
from .config import (PLUGIN, _cached, applies_to, graph_limits, litgraph_database_name,
                     method_not_allowed)


VIS_VERSION_DIR = "vis-9.1.2"
VIS_ASSETS = {
    "vis-network.min.js": "application/javascript; charset=utf-8",
    "vis-network.css": "text/css; charset=utf-8",
}

# The tables the citation-graph route reads.
GRAPH_TABLES = ("nodes", "links", "metrics")
# Which table a node's row page is in, by node kind.
NODE_TABLES = {"document": "documents", "source": "sources"}


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
    # A document that is itself a publication is drawn as its source's node.
    publications = await db.execute(
        "select source_id, id from documents where source_id is not null")
    document_of = dict(publications.rows)
    nodes = await _drawn_nodes(datasette, database, db, limit, document_of)
    ids = [node["id"] for node in nodes]
    edges = await _edges_between(db, ids)
    node_of = {document: source for source, document in document_of.items()}
    restatements = await _restatements(db, set(ids), node_of)
    total_nodes, total_links, total_edges = await _totals(datasette, db)
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


async def _drawn_nodes(datasette, database, db, limit, document_of) -> list:
    """The nodes drawn: documents first (at most half of ``limit``), then by PageRank."""
    from ..plausible import plausible_title

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
    nodes = []
    for row in list(documents.rows) + list(others.rows):
        node = dict(zip(documents.columns, row))
        if node["kind"] != "document":
            node["title"] = plausible_title(node["title"])
        table = NODE_TABLES.get(node["kind"], "nodes")
        node["url"] = row_url(datasette, database, table, node["id"])
        node["document"] = node["id"] if node["kind"] == "document" else document_of.get(node["id"])
        nodes.append(node)
    return nodes


async def _edges_between(db, ids) -> dict:
    """(citing, cited) -> the origins of the links between drawn nodes."""
    edges = {}
    if ids:
        # Through the (citing_id, cited_id, origin) primary-key index; at most
        # 2 x graph_max_nodes bound variables.
        marks = ", ".join("?" for _ in ids)
        result = await db.execute(
            f"select citing_id, cited_id, origin from links "
            f"where citing_id in ({marks}) and cited_id in ({marks})", ids + ids)
        for citing, cited, origin in result.rows:
            edges.setdefault((citing, cited), []).append(origin)
    return edges


async def _restatements(db, drawn: set, node_of: dict) -> list:
    """A rewrite (documents.restates) linked to the document it restates, each as the node it is
    drawn as (a publication's document as its source), when both are drawn."""
    restatements = []
    try:
        result = await db.execute("select id, restates from documents where restates is not null "
                                  "order by id")
    except sqlite3.OperationalError:
        return restatements  # an older database without documents.restates
    for rewrite, original in result.rows:
        start, end = node_of.get(rewrite, rewrite), node_of.get(original, original)
        if start in drawn and end in drawn:
            restatements.append({"from": start, "to": end, "rewrite": rewrite,
                                 "original": original})
    return restatements


async def _totals(datasette, db) -> tuple:
    """Nodes, link rows and distinct edges of the whole graph (cached for an immutable file)."""
    cache = _cached(datasette)
    totals = cache.get("graph_totals")
    if totals is None:
        result = await db.execute(
            "select (select count(*) from nodes), (select count(*) from links), "
            "(select count(*) from (select distinct citing_id, cited_id from links))")
        totals = tuple(result.rows[0])
        if not db.is_mutable:  # an immutable file cannot change while it is served
            cache["graph_totals"] = totals
    return totals


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
