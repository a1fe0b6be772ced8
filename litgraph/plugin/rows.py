"""Row pages and paged queries: the extra sections under a row, the page links, the CSS."""

import sqlite3

from datasette import hookimpl
from datasette.utils import tilde_decode
from markupsafe import Markup

from ..publish import DATABASE_NAME, row_sections
from .cells import (LINK_COLUMNS, document_link, document_titles, render_identifier,
                    render_json_list, row_link)
from .config import PLUGIN, applies_to, litgraph_database_name, plugin_config


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


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    if litgraph_database_name(datasette) not in datasette.databases:
        return []
    return [datasette.urls.static_plugins(PLUGIN, "litgraph.css")]
