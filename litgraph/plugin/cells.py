"""Table cells: identifiers as links, JSON lists as text, documents by title, row links."""

import json
import sqlite3
from html import escape
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

from .config import _cached, applies_to, litgraph_database_name


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


def pubmed_url(pmid) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(str(pmid))}/"


def doi_url(doi) -> str:
    return "https://doi.org/" + quote(str(doi), safe="/:;()<>[]._-")


def pmc_url(pmcid) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(str(pmcid))}/"


def link(url, text) -> Markup:
    return Markup(f'<a href="{escape(url)}">{escape(str(text))}</a>')


def render_identifier(column, value, caution=None):
    """HTML for a PMID, DOI or PMC id, linked; None for anything else.  ``caution`` (from
    ``unverified``) is shown after the link: the identifier is not the cited work's record."""
    if not isinstance(value, (str, int)) or value == "":
        return None
    text = str(value)
    if column == "pmid" and text.isdigit():
        html = link(pubmed_url(text), text)
    elif column == "doi" and text.startswith("10."):
        html = link(doi_url(text), text)
    elif column == "pmcid" and text.upper().startswith("PMC"):
        html = link(pmc_url(text), text)
    else:
        return None
    if caution:
        label, why = caution
        html += Markup(f' <span class="litgraph-unverified" title="{escape(why)}">'
                       f"({escape(label)})</span>")
    return html


def unverified(row):
    """(label, explanation) when a sources row's identifiers are not a verified record of the
    work cited: the source did not resolve (they are as the document states them, and may
    name another paper), or its record is another work (identity mismatch); else None."""
    columns = row.keys() if hasattr(row, "keys") else ()
    if "identity" in columns and row["identity"] == "mismatch":
        return ("another work", "PubMed's record of this identifier is not the work the "
                "document cites (identity mismatch): see identity_reason")
    if "status" in columns and row["status"] not in (None, "resolved"):
        return ("not verified", f"as the document states it; the source is {row['status']}, "
                "so no record confirms that this identifier is the work cited")
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
        if table is None and "source" in row.keys():
            # a query's row naming a source: its identifiers are that source's
            async def cautioned():
                cautions = await unverified_sources(datasette)
                return render_identifier(column, value, cautions.get(row["source"]))

            return cautioned
        return render_identifier(column, value, unverified(row) if table == "sources" else None)
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


async def unverified_sources(datasette) -> dict:
    """Source key -> ``unverified``'s (label, explanation), for the sources whose identifiers
    no record confirms; read once per Datasette when the database is immutable."""
    cache = _cached(datasette)
    cautions = cache.get("unverified_sources")
    if cautions is None:
        db = datasette.get_database(litgraph_database_name(datasette))
        try:
            result = await db.execute("select id, status, identity from sources "
                                      "where status != 'resolved' or identity = 'mismatch'")
            cautions = {row["id"]: unverified(row) for row in result.rows}
        except sqlite3.OperationalError:
            cautions = {}
        if not db.is_mutable:
            cache["unverified_sources"] = cautions
    return cautions


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
