"""The plugin's configuration, read once per Datasette, and which database it serves."""

import weakref

from datasette.utils.asgi import Response

from ..publish import DATABASE_NAME


PLUGIN = "litgraph"


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


def method_not_allowed():
    return Response.text("Method not allowed: this site is read-only.", status=405,
                         headers={"Allow": "GET"})
