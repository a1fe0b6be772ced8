"""Answers for content authors and curators, and the ways to print them.

Queries are pure functions over the database that return rows (dicts):
``claims_for_source`` (which claims a source supports), ``sources_for_claim``
(what stands behind a claim) and ``status_summary`` (one screen of counts).
Renderers turn rows into strings: ``render_table`` for a terminal,
``render_markdown`` for a document, ``render_status`` for the status screen.
Every query is parameterised, so keys and texts with quotes or ``;`` are
matched literally.
"""

import json
import os
import sqlite3
import textwrap
from pathlib import Path
from typing import Optional

from .errors import IdentifierError, InputError
from .findings import finding_rows
from .plausible import plausible_title
from .ids import normalise_doi, normalise_pmcid, normalise_pmid

# Columns of the Markdown tables (JSON has every field; the text form is grouped).
CLAIM_COLUMNS = ["source", "level", "identity", "claim", "document_title", "section", "line",
                 "text", "inherited_from"]
SOURCE_COLUMNS = ["claim", "document_title", "section", "claim_text", "source", "level", "status",
                  "identity", "pmid", "title", "inherited_from"]
TEXT_WIDTH = 100


def open_existing_db(path):
    """Open a database that a build made, read-only (see store.open_existing_db)."""
    from .store import open_existing_db as open_read_only

    return open_read_only(path)


# ---------------------------------------------------------------- queries

def _rows(db, sql: str, params=()) -> list:
    return list(db.query(sql, params))


def _identifier_forms(query: str) -> dict:
    """The forms a curator's query may take: PMID, DOI, PMC id (each only if valid)."""
    forms = {}
    for name, normalise in (("pmid", normalise_pmid), ("doi", normalise_doi),
                            ("pmcid", normalise_pmcid)):
        try:
            forms[name] = normalise(query)
        except IdentifierError:
            pass
    return forms


def find_sources(db, query: str) -> list:
    """Sources whose key, PMID, DOI or PMC id is ``query``, in key order.

    ``20090506``, ``PMID: 20090506``, ``doi:10.1097/PAS.0b013e3181cad8c9`` and
    the key ``miller2010`` all find the Miller 2010 source.
    """
    query = str(query).strip()
    if not query:
        raise InputError("an empty source: give a PMID, DOI or references.yaml key")
    found = {r["id"]: r for r in _rows(db, "select * from sources where id = ?", [query])}
    for column, value in _identifier_forms(query).items():
        sql = f"select * from sources where lower({column}) = lower(?)"
        found.update({r["id"]: r for r in _rows(db, sql, [value])})
    return [found[key] for key in sorted(found)]


def claims_for_source(db, query: str) -> list:
    """Which claims cite the source(s) ``query`` names (PMID, DOI, PMC id or key).

    One row per claim and source: source, pmid, doi, level (the source's
    evidence level), identity and identity_reason (whether the record is the
    work the document cites: litgraph.identity), document, document_title, section, line, claim, text,
    evidence_level (the claim's own declared level), inherited and
    inherited_from.  A sentence of a rewrite that restates a claim citing the
    source inherits it (``inherited`` 1, ``inherited_from`` names the original
    claim; see litgraph.findings).
    Raises InputError when no source matches.
    """
    sources = find_sources(db, query)
    if not sources:
        raise InputError(f"no source matches {query!r}: give a PMID, DOI, PMC id or "
                         "references.yaml key")
    rows = []
    for source in sources:
        for r in finding_rows(
                db, "claim_evidence",
                "join claims on claims.id = claim_evidence.claim_id "
                "left join documents on documents.id = claims.document_id "
                "where claim_evidence.source_id = ? "
                "order by claim_evidence.inherited, claims.document_id, claims.line, "
                "length(claims.id), claims.id", [source["id"]],
                columns="claims.id as claim, claims.document_id as document, "
                        "documents.title as document_title, claims.section, claims.line, "
                        "claims.text, claims.evidence_level, claim_evidence.inherited, "
                        "claim_evidence.via_claim_id as inherited_from"):
            rows.append({"source": source["id"], "pmid": source.get("pmid"),
                         "doi": source.get("doi"), "level": source.get("evidence_level"),
                         "evidence_basis": source.get("evidence_basis"),
                         "identity": source.get("identity"),
                         "identity_reason": source.get("identity_reason"), **r})
    return rows


def find_claims(db, query: str) -> list:
    """Claims whose id is ``query``, else whose text contains it (case-insensitive)."""
    query = str(query).strip()
    if not query:
        raise InputError("an empty claim: give a claim id or words from its text")
    claims = _rows(db, "select * from claims where id = ?", [query])
    if claims:
        return claims
    # instr, not LIKE: no pattern to escape and no pattern-length limit (any query is words)
    return _rows(db, "select * from claims where instr(lower(text), lower(?)) > 0 "
                     "order by document_id, line, length(id), id", [query])


def sources_for_claim(db, query: str) -> list:
    """What stands behind the claim(s) ``query`` names (a claim id, or words of its text).

    One row per claim and source: claim, document, document_title, section,
    line, claim_text, source, title, authors, journal, year, pmid, doi,
    status, status_reason, identity, identity_reason (whether the record is
    the work the document cites: litgraph.identity), level (the source's
    evidence level), evidence_basis, retracted, excluded, inherited and inherited_from.  A
    sentence of a rewrite inherits the sources of the original claims it
    restates (``inherited`` 1, ``inherited_from`` the original claim; see
    litgraph.findings).  A claim with no source, own or inherited, gets one
    row whose source is None.  Raises InputError when no claim matches.
    """
    claims = find_claims(db, query)
    if not claims:
        raise InputError(f"no claim matches {query!r}: give a claim id or words from its text")
    titles = {r["id"]: r["title"] for r in _rows(db, "select id, title from documents")}
    rows = []
    for claim in claims:
        head = {"claim": claim["id"], "document": claim["document_id"],
                "document_title": titles.get(claim["document_id"]), "section": claim.get("section"),
                "line": claim["line"], "claim_text": claim["text"]}
        sources = finding_rows(
            db, "claim_evidence", "join sources on sources.id = claim_evidence.source_id "
            "where claim_evidence.claim_id = ? order by claim_evidence.inherited, "
            "sources.evidence_level is null, sources.evidence_level, sources.id, "
            "claim_evidence.via_claim_id", [claim["id"]],
            columns="sources.*, claim_evidence.inherited, claim_evidence.via_claim_id")
        if not sources:
            rows.append({**head, "source": None})
        for s in sources:
            rows.append({**head, "source": s["id"], "title": plausible_title(s.get("title")),
                         "authors": s.get("authors"), "journal": s.get("journal"),
                         "year": s.get("year"), "pmid": s.get("pmid"), "doi": s.get("doi"),
                         "status": s.get("status"), "status_reason": s.get("status_reason"),
                         "identity": s.get("identity"), "identity_reason": s.get("identity_reason"),
                         "level": s.get("evidence_level"), "evidence_basis": s.get("evidence_basis"),
                         "retracted": s.get("retracted"), "excluded": s.get("excluded"),
                         "inherited": s["inherited"], "inherited_from": s["via_claim_id"]})
    return rows


def _count_by(db, sql: str) -> dict:
    return {("unknown" if r["k"] is None else r["k"]): r["n"] for r in _rows(db, sql)}


def _basis_by_level(db) -> dict:
    """{level: {basis: sources}} for the sources that have a level (basis curator, declared
    or inferred; see evidence.choose_level)."""
    out = {}
    for r in _rows(db, "select evidence_level as k, coalesce(evidence_basis, 'unknown') as b, "
                       "count(*) as n from sources where evidence_level is not null "
                       "group by evidence_level, b order by evidence_level, b"):
        out.setdefault(r["k"], {})[r["b"]] = r["n"]
    return out


def cache_summary(cache_path) -> dict:
    """Size and number of stored responses of the requests-cache SQLite file (read-only)."""
    path = Path(cache_path)
    out = {"path": str(path), "exists": path.is_file(), "bytes": None, "responses": None}
    if not out["exists"]:
        return out
    out["bytes"] = os.path.getsize(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
            if "responses" in tables:
                out["responses"] = conn.execute("select count(*) from responses").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a cache being written or not a cache: size is still worth showing
    return out


def status_summary(db, cache_path=None) -> dict:
    """Counts for the status screen, when the database was built, and the HTTP cache.

    The cache hit rate comes from the build_info keys ``requests`` (network
    requests of the last build) and ``cache_hits`` when the build recorded them.
    """
    build_info = {r["key"]: r["value"] for r in _rows(db, "select key, value from build_info")}
    claims_total = _rows(db, "select count(*) as n from claims")[0]["n"]
    with_sources = _rows(db, "select count(distinct claim_id) as n from claim_sources "
                             "where claim_id in (select id from claims)")[0]["n"]
    flags = _rows(db, "select coalesce(sum(excluded = 1), 0) as excluded, "
                      "coalesce(sum(stale = 1), 0) as stale, "
                      "coalesce(sum(retracted = 1), 0) as retracted, count(*) as total from sources")[0]
    summary = {
        "documents": _rows(db, "select count(*) as n from documents")[0]["n"],
        "sources": {
            "total": flags["total"],
            "by_status": _count_by(db, "select status as k, count(*) as n from sources "
                                       "group by status order by status"),
            # of the resolved sources: whether each record is the work cited (identity.py)
            "by_identity": _count_by(db, "select identity as k, count(*) as n from sources "
                                         "where identity is not null group by identity "
                                         "order by identity"),
            "by_evidence_level": _count_by(db, "select evidence_level as k, count(*) as n "
                                               "from sources group by evidence_level "
                                               "order by evidence_level is null, evidence_level"),
            # what each level rests on: a curator's word, the documents' statement, or only an
            # inference from PubMed's publication types
            "evidence_basis_by_level": _basis_by_level(db),
            "excluded": flags["excluded"], "stale": flags["stale"], "retracted": flags["retracted"],
        },
        "claims": {"total": claims_total, "with_sources": with_sources,
                   "without_sources": claims_total - with_sources,
                   # rewrite sentences with no source of their own that inherit some
                   "inheriting_sources": finding_rows(
                       db, "claim_evidence", "where inherited = 1 and claim_id not in "
                       "(select claim_id from claim_sources)",
                       columns="count(distinct claim_id) as n")[0]["n"]},
        # links: one row per origin reporting a citing -> cited pair; edges: the pairs
        "edges": {
            "total": _rows(db, "select count(*) as n from links")[0]["n"],
            "distinct": _rows(db, "select count(*) as n from "
                                  "(select distinct citing_id, cited_id from links)")[0]["n"],
            "by_origin": _count_by(db, "select origin as k, count(*) as n from links "
                                       "group by origin order by origin"),
        },
        "built_at": build_info.get("built_at"),
        "resolved_at": build_info.get("resolved_at"),
        "graph_built_at": build_info.get("graph_built_at"),
        "eutils": build_info.get("eutils"),
    }
    cache = cache_summary(cache_path) if cache_path else {"path": None, "exists": False,
                                                          "bytes": None, "responses": None}
    requests_made = _int_or_none(build_info.get("requests"))
    cache_hits = _int_or_none(build_info.get("cache_hits"))
    cache["requests"] = requests_made
    cache["cache_hits"] = cache_hits
    cache["hit_rate"] = (round(cache_hits / (cache_hits + requests_made), 4)
                         if requests_made is not None and cache_hits is not None
                         and cache_hits + requests_made > 0 else None)
    summary["cache"] = cache
    return summary


def _int_or_none(value) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- rendering

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


def render_table(rows: list, columns: list, wrap: Optional[dict] = None) -> str:
    """A plain-text table with a header; ``wrap`` maps column -> width to wrap long text.

    >>> print(render_table([{"claim": "c1", "text": "Mean age 58.5"}], ["claim", "text"]))
    claim  text
    -----  -------------
    c1     Mean age 58.5
    """
    wrap = wrap or {}
    cells = [[textwrap.wrap(_cell(row.get(c)), wrap[c], break_long_words=False) or [""]
              if c in wrap else [_cell(row.get(c))]
              for c in columns] for row in rows]
    widths = [max([len(c)] + [len(line) for row in cells for line in row[i]])
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        for n in range(max(len(cell) for cell in row)):
            lines.append("  ".join((cell[n] if n < len(cell) else "").ljust(w)
                                   for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _where_text(row, title_key="document_title", document_key="document") -> str:
    """Where a claim stands: document title, section (unless it is the title), line.

    >>> _where_text({"document_title": "Gout", "section": "Treatment", "line": 4})
    'Gout \u203a Treatment, line 4'
    >>> _where_text({"document_title": "Gout", "section": "Gout", "line": 2})
    'Gout, line 2'
    """
    where = row.get(title_key) or row.get(document_key) or "?"
    if row.get("section") and row["section"] != where:  # a section under the title's own heading
        where += f" \u203a {row['section']}"
    if row.get("line") is not None:
        where += f", line {row['line']}"
    return where


def _indented(text, indent: int) -> list:
    return textwrap.wrap(_cell(text), TEXT_WIDTH - indent, initial_indent=" " * indent,
                         subsequent_indent=" " * indent) or [" " * indent]


def _identity_text(row) -> str:
    """The identity verdict as a curator reads it: verified, partial, mismatch, or unchecked."""
    return row.get("identity") or "unchecked"


def _level_text(row: dict) -> str:
    """A source's evidence level with what it rests on, so an inferred level never reads as settled.

    >>> _level_text({"level": 1, "evidence_basis": "inferred"})
    '1 (inferred)'
    >>> _level_text({"level": None})
    'unknown'
    """
    level, basis = row.get("level"), row.get("evidence_basis")
    if level is None:
        return "unknown"
    return f"{level} ({basis})" if basis else str(level)


def render_claims_text(rows: list) -> str:
    """``litgraph claims`` for a terminal: each source (level, title), then the claims
    citing or inheriting it, each with its document's title, section, line and text."""
    lines, current = [], None
    for row in rows:
        if row["source"] != current:
            current = row["source"]
            if lines:
                lines.append("")
            ids = f" (PMID {row['pmid']})" if row.get("pmid") else ""
            lines.append(f"{current}{ids}: evidence level {_level_text(row)}, "
                         f"identity {_identity_text(row)}")
        inherited = (f" \u2014 inherited from {row['inherited_from']}"
                     if row.get("inherited") else "")
        lines.append(f"  {row['claim']}  {_where_text(row)}{inherited}")
        lines.extend(_indented(row.get("text"), 6))
    return "\n".join(lines)


def render_sources_text(rows: list) -> str:
    """``litgraph sources`` for a terminal: each claim (document title, section, line,
    text), then its sources with evidence level and status, inherited ones marked."""
    out, by_claim = [], {}
    for row in rows:
        by_claim.setdefault(row["claim"], []).append(row)
    for claim, found in by_claim.items():
        head = found[0]
        if out:
            out.append("")
        out.append(f"{claim}  {_where_text(head)}")
        out.extend(_indented(head.get("claim_text"), 4))
        cited = [r for r in found if r.get("source")]
        if not cited:
            out.append("  Sources: none (it cites no source and restates no cited sentence)")
            continue
        inherited = sorted({r["inherited_from"] for r in cited if r.get("inherited")})
        label = "  Sources"
        if inherited and len(inherited) == len({r["inherited_from"] for r in cited}):
            label += f" (inherited from {', '.join(inherited)}, the original it restates)"
        out.append(label + ":")
        columns = ["source", "level", "status", "identity", "year", "pmid", "title"]
        if any(r.get("inherited") for r in cited) and not label.endswith("restates)"):
            columns.append("inherited_from")
        shown = [{**r, "level": _level_text(r),
                  "identity": _identity_text(r)} for r in cited]
        out.extend("    " + line for line in render_table(shown, columns, wrap={"title": 48})
                   .splitlines())
    return "\n".join(out)


def render_markdown(rows: list, columns: list) -> str:
    """A GitHub-flavoured Markdown table; ``|``, brackets, backticks and HTML in cells are escaped.

    >>> print(render_markdown([{"claim": "c1", "text": "a | <b> [c](x)"}], ["claim", "text"]))
    | claim | text |
    | --- | --- |
    | c1 | a \\| &lt;b&gt; \\[c\\](x) |
    """
    def cell(value):
        # Text from documents and NCBI stays text: no raw HTML, no link or image syntax
        # (a title holding "[x](javascript:...)" or "<script>" is shown, not run).
        text = _cell(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for char in "\\|[]`":
            text = text.replace(char, "\\" + char)
        return text

    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    lines.extend("| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows)
    return "\n".join(lines)


def _human_bytes(n: Optional[int]) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def render_status(summary: dict) -> str:
    """The status screen: one line per subject."""
    s, c, e, cache = summary["sources"], summary["claims"], summary["edges"], summary["cache"]
    basis = s.get("evidence_basis_by_level", {})
    levels = ", ".join(
        f"level {k}: {v}" + (f" ({_counts_text(basis[k])})" if basis.get(k) else "")
        if k != "unknown" else f"unknown: {v}"
        for k, v in s["by_evidence_level"].items()) or "none"
    lines = [
        f"documents: {summary['documents']}",
        f"sources:   {s['total']} ({_counts_text(s['by_status'])}; excluded {s['excluded']}, "
        f"stale {s['stale']}, retracted {s['retracted']})",
        f"identity:  {_counts_text(s['by_identity']) if s.get('by_identity') else 'none checked'}"
        " (whether each resolved record is the work the documents cite)",
        f"evidence:  {levels}",
        f"claims:    {c['total']} (citing sources {c['with_sources']}, citing none "
        f"{c['without_sources']}, of which {c.get('inheriting_sources', 0)} inherit sources "
        "from the sentence they restate)",
        f"edges:     {e.get('distinct', e['total'])} citing \u2192 cited pairs (what the graph "
        f"page draws), stated by {e['total']} links, one per origin "
        f"({_counts_text(e['by_origin'])})",
        f"built:     {summary['built_at'] or 'never (no complete build recorded)'}"
        + (f" (resolved {summary['resolved_at']}" if summary["resolved_at"] else "")
        + (f", graph {summary['graph_built_at']})" if summary["graph_built_at"]
           else (")" if summary["resolved_at"] else "")),
    ]
    if not cache.get("path"):
        cache_line = "no cache"
    elif not cache["exists"]:
        cache_line = f"{cache['path']} (none yet)"
    else:
        responses = "" if cache["responses"] is None else f", {cache['responses']} responses"
        cache_line = f"{cache['path']}, {_human_bytes(cache['bytes'])}{responses}"
    if cache.get("hit_rate") is not None:
        cache_line += (f"; hit rate {cache['hit_rate']:.0%} in the last build ({cache['cache_hits']} "
                       f"of {cache['cache_hits'] + cache['requests']} requests from the cache)")
    else:
        cache_line += "; hit rate unknown (the last build recorded no request counts)"
    lines.append(f"cache:     {cache_line}")
    if summary.get("eutils"):
        lines.append(f"eutils:    {summary['eutils']}")
    return "\n".join(lines)
