"""Helpers the checks share: queries, short text, where a claim sits, exclusions, retractions."""

import json
from typing import Optional


def rows(db, sql: str, params=()) -> list:
    return list(db.query(sql, params))


def json_list(text) -> list:
    if not text:
        return []
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return [text]
    return value if isinstance(value, list) else [value]


def short(text: Optional[str], width: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def refset_entries(refset) -> dict:
    return {entry.key: entry for entry in (refset.sources if refset else [])}


def excluded_keys(db, refset) -> set:
    """Sources a curator excluded, in the database or (not yet rebuilt) in references.yaml."""
    keys = {r["id"] for r in rows(db, "select id from sources where excluded = 1")}
    keys |= {key for key, entry in refset_entries(refset).items() if entry.exclude}
    return keys


def cited_in(db, source_id: str) -> list:
    """Where the documents cite a source, as 'document:line' strings."""
    return [f"{r['document_id']}:{r['line']}" if r["line"] is not None else r["document_id"]
            for r in rows(db, "select document_id, line from citations where source_id = ? "
                               "order by document_id, line", [source_id])]


def source_label(row) -> str:
    ids = [f"PMID {row['pmid']}" if row.get("pmid") else None,
           f"DOI {row['doi']}" if row.get("doi") else None]
    ids = ", ".join(i for i in ids if i)
    return f"{row['id']} ({ids})" if ids else row["id"]


def claims_citing(db, source_id: str) -> list:
    return rows(db, "select claims.id, claims.document_id, claims.line, claims.section, "
                     "claims.text from claim_sources join claims on claims.id = claim_sources.claim_id "
                     "where claim_sources.source_id = ? order by claims.document_id, claims.line, "
                     "length(claims.id), claims.id", [source_id])


def where(claim) -> str:
    """Where a claim sits: ``line 27`` when its id already names the document, else ``doc:27``."""
    document = claim.get("document_id") or ""
    if claim.get("line") is None:
        return document
    if document and str(claim.get("id") or claim.get("claim_id") or "").startswith(document + ":"):
        return f"line {claim['line']}"
    return f"{document}:{claim['line']}"


def retraction_reason(row) -> Optional[str]:
    types = [str(t) for t in json_list(row.get("publication_types"))]
    if "Retracted Publication" in types:
        return "PubMed publication type 'Retracted Publication'"
    if row.get("retracted"):
        return "PubMed records a retraction notice (RetractionIn)"
    return None


def retracted_sources(db, refset) -> list:
    excluded = excluded_keys(db, refset)
    out = []
    for row in rows(db, "select * from sources where retracted = 1 or publication_types like ? "
                         "order by id", ["%Retracted Publication%"]):
        reason = retraction_reason(row)
        if reason and row["id"] not in excluded:
            out.append((row, reason))
    return out

