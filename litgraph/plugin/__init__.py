"""The litgraph Datasette plugin: citation-graph page, cell links, row-page sections.

Registered as the ``litgraph`` entry point of the ``datasette`` group.  Every
hook first asks :func:`applies_to` whether the database is the litgraph
database and returns early when it is not, so other databases served by the
same Datasette look exactly as they would without the plugin.

The hooks live by what they serve: ``config`` (the plugin config, which database),
``guard`` (bounded SQL, read-only methods), ``cells`` (table cells), ``rows`` (row
pages, paged queries) and ``graph_page`` (the citation-graph page and its assets).

Routes (GET only):

- ``/-/citation-graph``: the interactive graph page (vis-network);
- ``/-/citation-graph.json?limit=N``: documents plus the N highest-PageRank
  other nodes, and the links between them;
- ``/-/litgraph/vis-network.min.js`` and ``.css``: vis-network as shipped in
  the installed ``pyvis`` package (nothing is fetched from a CDN).
"""

from datasette import hookimpl

from .cells import render_cell, render_identifier, render_json_list
from .config import PLUGIN, applies_to, litgraph_database_name, plugin_config
from .graph_page import (citation_graph_json, citation_graph_page, database_actions, graph_data,
                         menu_links, parse_limit, vis_asset, vis_asset_path)
from .guard import (asgi_wrapper, bound_connection, databases_json, handle_exception,
                    prepare_connection)
from .rows import extra_css_urls, extra_template_vars

# Datasette (pluggy) finds the hooks among this module's names: every @hookimpl is here.
__all__ = [
    "PLUGIN", "applies_to", "litgraph_database_name", "plugin_config", "render_identifier",
    "render_json_list", "bound_connection", "graph_data", "parse_limit", "vis_asset_path",
    # hooks
    "prepare_connection", "handle_exception", "asgi_wrapper", "render_cell",
    "extra_template_vars", "extra_css_urls", "database_actions", "menu_links", "register_routes",
]


@hookimpl
def register_routes(datasette):
    return [
        (r"^/-/citation-graph$", citation_graph_page),
        (r"^/-/citation-graph\.json$", citation_graph_json),
        (r"^/-/litgraph/(?P<name>vis-network\.(?:min\.js|css))$", vis_asset),
        (r"^/-/databases(\.json)?$", databases_json),
    ]
