"""Publish a litgraph database read-only through Datasette.

The metadata (titles, descriptions, facets, canned queries, plugin config and
settings) lives in ``litgraph/metadata.yaml``; this module loads it, opens the
database immutable under the name ``litgraph`` and serves it.  The Datasette
plugin (``litgraph.plugin``) adds the citation-graph page, cell rendering and
the extra sections of row pages listed in ROW_SECTIONS.

>>> "claims_for_source" in canned_query_names()
True
"""

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ruamel.yaml import YAML

from .errors import DatabaseError, InputError
from .identity import ANOTHER_WORK

DATABASE_NAME = "litgraph"

# The tables a database must hold to be published as a litgraph database.
REQUIRED_TABLES = ("documents", "sources", "claims", "claim_sources", "citations")


@dataclass(frozen=True)
class RowSection:
    """An extra table shown on the row page of ``table`` (see the plugin).

    ``sql`` takes the row's primary key as ``:id`` and should use an index.
    Columns named in plugin.LINK_COLUMNS (claim, source, document_id, ...)
    are rendered as links to their row pages.
    """

    table: str
    title: str
    sql: str
    description: str = ""


# Row-page sections by table.  Other stages add theirs by appending, e.g.
#   ROW_SECTIONS.append(RowSection("claims", "Matched claims", "select ... where claim_id = :id"))
ROW_SECTIONS = [
    RowSection(
        "sources",
        "How this source was resolved",
        "select status, status_reason, resolved_by from sources where id = :id",
        "resolved, unresolved (not found) or conflict (identifiers disagree), and why: the same "
        "columns as in the row above, where on a narrow screen they sit far to the right.",
    ),
    RowSection(
        "sources",
        "Is this record the work the document cites?",
        "select identity, identity_reason, "
        # the citation the reason names when another citation than the first names another work
        "coalesce((select ci.raw from citations ci where ci.source_id = sources.id and "
        f"sources.identity_reason like ci.document_id || ' line ' || ci.line || '{ANOTHER_WORK}%' "
        "limit 1), cited_as) as the_document_states, title as record_title, "
        "authors as record_authors, journal as record_journal, year as record_year, "
        "volume as record_volume, pages as record_pages "
        "from sources where id = :id and status = 'resolved'",
        "Identity verification: what the document states beside the record it resolved to. "
        "verified: every stated field agrees; partial: one differs; mismatch: the record is "
        "another work (correct the identifier in references.yaml).",
    ),
    RowSection(
        "sources",
        "Claims this source supports",
        "select c.id as claim, c.text as claim_text, c.document_id, c.section, c.line "
        "from claim_sources cs join claims c on c.id = cs.claim_id "
        "where cs.source_id = :id order by c.document_id, c.line, c.id limit 500",
        "Every claim whose citation markers name this source.",
    ),
    RowSection(
        "sources",
        "Documents citing this source",
        "select ci.document_id, d.title as document, ci.label, ci.line, ci.raw "
        "from citations ci left join documents d on d.id = ci.document_id "
        "where ci.source_id = :id order by ci.document_id, ci.line limit 500",
        "Where each document cites it, in the document's own words.",
    ),
    RowSection(
        "sources",
        "Rewritten sentences that inherit this source",
        "select a.claim_id as claim, c.text as claim_text, c.document_id, a.status, "
        "round(a.score, 3) as score, a.matched_claim_id as restates "
        "from claim_sources cs join claim_alignments a on a.matched_claim_id = cs.claim_id "
        "join claims c on c.id = a.claim_id "
        "where cs.source_id = :id order by c.document_id, c.line, a.claim_id limit 500",
        "Sentences of plain-language rewrites that restate a claim citing this source "
        "(see restatement_issues for those that do not match well).",
    ),
    RowSection(
        "claims",
        "Sources behind this claim",
        "select s.id as source, s.evidence_level, e.via_claim_id as inherited_from, s.title, "
        "s.pmid, s.doi, s.evidence_basis, s.status from claim_evidence e "
        "join sources s on s.id = e.source_id where e.claim_id = :id "
        "order by e.inherited, s.evidence_level is null, s.evidence_level, s.id",
        "The sources this claim cites, strongest evidence first; for a sentence of a rewrite, "
        "the sources it inherits from the original claim it restates (inherited_from).",
    ),
    RowSection(
        "claims",
        "What this sentence restates",
        "select a.rank, a.status, a.explanation, a.matched_claim_id as claim, "
        "coalesce(m.text, a.matched_text) as matched_text, a.matched_line, s.id as source, "
        "s.evidence_level, s.title as source_title, round(a.score, 3) as score "
        "from claim_alignments a left join claims m on m.id = a.matched_claim_id "
        "left join claim_sources cs on cs.claim_id = a.matched_claim_id "
        "left join sources s on s.id = cs.source_id "
        "where a.claim_id = :id order by a.rank, s.evidence_level, s.id",
        "For a sentence of a rewrite: the sentences of the original it restates, and the sources "
        "(and so evidence levels) it inherits from them; empty when it matches nothing.",
    ),
]


def row_sections(table: str) -> list:
    """The RowSections shown on the row pages of ``table``."""
    return [section for section in ROW_SECTIONS if section.table == table]


@lru_cache(maxsize=1)
def _load_config_cached() -> dict:
    text = resources.files("litgraph").joinpath("metadata.yaml").read_text(encoding="utf-8")
    return YAML(typ="safe").load(text)


def load_config() -> dict:
    """The whole of metadata.yaml as plain dicts (a fresh copy each call)."""
    import copy

    return copy.deepcopy(_load_config_cached())


def datasette_settings(config: dict | None = None) -> dict:
    """The Datasette settings (time limit, row cap, ...) from metadata.yaml."""
    config = load_config() if config is None else config
    return dict(config.get("settings") or {})


def datasette_metadata(config: dict | None = None) -> dict:
    """Everything in metadata.yaml except settings: what Datasette 0.65 calls metadata."""
    config = load_config() if config is None else config
    return {key: value for key, value in config.items() if key != "settings"}


def canned_query_names(config: dict | None = None) -> list:
    """Names of the canned queries published on the litgraph database."""
    config = load_config() if config is None else config
    return list(config["databases"][DATABASE_NAME].get("queries", {}))


def check_database(db_path) -> Path:
    """Return the path of a publishable litgraph database, or raise a one-line error."""
    path = Path(db_path)
    if not path.exists():
        raise InputError(f"database {path} does not exist: build it first with `litgraph build`")
    if not path.is_file():
        raise InputError(f"database {path} is not a file")
    from .findings import lacking_columns

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
            lacking = [f"{table}.{column}" for table, column in lacking_columns(conn)]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot read database {path}: {exc}") from exc
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise InputError(f"{path} is not a litgraph database (no table {', '.join(missing)}): "
                         "build it with `litgraph build`")
    if lacking:  # its pages and queries would fail on the column: served read-only, not mended
        raise InputError(f"{path} was built by an older litgraph (no column {', '.join(lacking)}): "
                         "build it again with `litgraph build` before serving it")
    return path


# A database resolved against litgraph's offline stand-in holds fixture records, not
# PubMed's: the published site must not credit NCBI for them.
STAND_IN_NOTICE = {
    "license": "Fixture records of litgraph's E-utilities stand-in (not NCBI data)",
    "license_url": None,
    "source": "Five seed documents and the facts their reference lists state, served by "
              "litgraph's offline E-utilities stand-in, not by NCBI",
    "source_url": None,
}
STAND_IN_BANNER = (
    "<p><strong>Offline demo:</strong> these sources were resolved against litgraph's "
    "E-utilities stand-in, whose records hold only facts stated in the documents (and a few "
    "noted public facts), not against NCBI. An unresolved source here is missing from the "
    "fixture, not necessarily from PubMed.</p>\n")


def mark_stand_in(metadata: dict) -> None:
    """Say on every page that the data comes from the stand-in, and credit no NCBI data.

    The site-wide and the litgraph database's license and source are replaced
    (the database page's footer shows the latter), the index page gets the
    banner, and the plugin (config ``stand_in: true``) shows a notice on every
    page, canned-query, row and graph pages included.
    """
    metadata.update(STAND_IN_NOTICE)
    metadata["description_html"] = STAND_IN_BANNER + metadata.get("description_html", "")
    database = metadata.setdefault("databases", {}).setdefault(DATABASE_NAME, {})
    database.update(STAND_IN_NOTICE)
    for table in (database.get("tables") or {}).values():
        for key in STAND_IN_NOTICE:
            table.pop(key, None)  # a table's own credit would override the database's
    metadata.setdefault("plugins", {}).setdefault("litgraph", {})["stand_in"] = True


def built_against_stand_in(path) -> bool:
    """Whether build_info says the last resolve asked the stand-in rather than NCBI."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("select value from build_info where key = 'eutils'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row and "stand-in" in row[0])


def make_datasette(db_path, config: dict | None = None):
    """A Datasette instance serving ``db_path`` immutable as database ``litgraph``."""
    from datasette.app import Datasette
    from datasette.database import Database

    path = check_database(db_path)
    config = load_config() if config is None else config
    metadata = datasette_metadata(config)
    if built_against_stand_in(path):
        mark_stand_in(metadata)
    datasette = Datasette(metadata=metadata, settings=datasette_settings(config))
    if "_memory" in datasette.databases:  # Datasette adds it when given no files
        datasette.remove_database("_memory")
    datasette.add_database(Database(datasette, path=str(path.resolve()), is_mutable=False),
                           name=DATABASE_NAME)
    return datasette


def check_port(host: str, port: int) -> None:
    """Raise InputError when ``host``:``port`` cannot be listened on (in use, no such address)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve_database(db_path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve ``db_path`` read-only through Datasette at http://host:port/ until interrupted."""
    import asyncio

    import uvicorn

    from filelock import Timeout

    from .store import serve_lock

    datasette = make_datasette(db_path)
    check_port(host, port)
    asyncio.run(datasette.invoke_startup())
    try:
        with serve_lock(db_path):  # a build into this file is refused while it is served
            uvicorn.run(datasette.app(), host=host, port=port, log_level="info", lifespan="on")
    except Timeout:
        raise InputError(f"{db_path} is already served by another `litgraph serve`") from None
