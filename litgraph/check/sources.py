"""Checks on sources: retractions, resolution, identity, duplicates, errata, levels, references.yaml."""

import json
from typing import Optional

from ..findings import finding_rows
from .common import (claims_citing as _claims_citing, cited_in as _cited_in, excluded_keys,
                     json_list as _json_list, refset_entries as _refset_entries,
                     retracted_sources as _retracted_sources, rows as _rows, short as _short,
                     source_label as _source_label, where as _where)
from .report import Finding


def check_retracted_sources(db, refset) -> list:
    """Sources PubMed marks retracted, and the claims that rest on them."""
    findings = []
    for row, reason in _retracted_sources(db, refset):
        claims = _claims_citing(db, row["id"])
        rest = f"; {len(claims)} claim(s) rest on it" if claims else ""
        findings.append(Finding(
            "retracted-source", "error", row["id"],
            f"{_source_label(row)} is retracted: {reason}{rest}",
            {"pmid": row.get("pmid"), "doi": row.get("doi"), "title": row.get("title"),
             "reason": reason, "claims": [c["id"] for c in claims],
             "cited_in": _cited_in(db, row["id"])}))
    return findings


def check_claims_on_retracted_sources(db, refset) -> list:
    """Every claim that cites a retracted source, so a content author can rewrite it."""
    findings = []
    for row, _reason in _retracted_sources(db, refset):
        for claim in _claims_citing(db, row["id"]):
            findings.append(Finding(
                "claim-on-retracted-source", "error", claim["id"],
                f"claim {claim['id']} ({_where(claim)}) rests on retracted source {row['id']}: "
                f"\"{_short(claim['text'], 70)}\"",
                {"source": row["id"], "document": claim["document_id"], "line": claim["line"],
                 "section": claim["section"], "text": claim["text"]}))
    return findings


def _unresolved_rows(db, refset, conflict: bool) -> list:
    """The unresolved_sources finding (litgraph.findings), less any exclusion references.yaml adds."""
    excluded = excluded_keys(db, refset)
    rows = finding_rows(db, "unresolved_sources",
                        "where (status = 'conflict') = ? order by source_id", [int(conflict)])
    return [r for r in rows if r["source_id"] not in excluded]


def check_unresolved_sources(db, refset) -> list:
    """Sources E-utilities could not resolve, with the reason resolve recorded."""
    findings = []
    for row in _unresolved_rows(db, refset, conflict=False):
        reason = row.get("status_reason") or (
            "not resolved yet (run litgraph resolve)" if row["status"] == "not resolved"
            else "no reason recorded")
        cited_as = row.get("cited_as")
        findings.append(Finding(
            "unresolved", "error", row["source_id"],
            f"{row['source_id']} is unresolved: {reason}"
            + (f" (cited as \"{_short(cited_as, 60)}\")" if cited_as else ""),
            {"reason": reason, "cited_as": cited_as, "pmid": row.get("pmid"), "doi": row.get("doi"),
             "cited_in": _cited_in(db, row["source_id"])}))
    return findings


def check_conflicts(db, refset) -> list:
    """Sources whose PMID and DOI (or stated details) point at different works."""
    return [Finding("conflict", "error", row["source_id"],
                    f"{_source_label({**row, 'id': row['source_id']})} has conflicting identifiers: "
                    f"{row.get('status_reason') or 'no reason recorded'}",
                    {"pmid": row.get("pmid"), "doi": row.get("doi"),
                     "reason": row.get("status_reason"), "cited_in": _cited_in(db, row["source_id"])})
            for row in _unresolved_rows(db, refset, conflict=True)]


def check_identities(db, refset) -> list:
    """Resolved sources whose record is not (mismatch, an error) or only partly (partial, a
    warning) the work the document describes: see litgraph.identity."""
    if "identity" not in db["sources"].columns_dict:
        return []  # a database from before identity verification: rebuild to check
    excluded = excluded_keys(db, refset)
    findings = []
    for row in _rows(db, "select * from sources where status = 'resolved' and identity in "
                         "('mismatch', 'partial') order by identity desc, id"):
        if row["id"] in excluded:
            continue
        mismatch = row["identity"] == "mismatch"
        what = ("is not the work the document cites" if mismatch
                else "matches its citation only in part")
        findings.append(Finding(
            "identity-mismatch" if mismatch else "identity-partial",
            "error" if mismatch else "warning", row["id"],
            f"{_source_label(row)} {what}: {row.get('identity_reason') or 'no reason recorded'}",
            {"identity": row["identity"], "reason": row.get("identity_reason"),
             "pmid": row.get("pmid"), "doi": row.get("doi"), "cited_as": row.get("cited_as"),
             "cited_in": _cited_in(db, row["id"])}))
    return findings


def _title_key(title: Optional[str]) -> Optional[str]:
    letters = "".join(ch for ch in (title or "").lower() if ch.isalnum())
    return letters if len(letters) >= 20 else None


def check_duplicate_sources(db, refset) -> list:
    """One work under two or more keys: same PMID, same DOI, or same title and year.

    A source whose record is another work (an identity mismatch) is left out: its PMID,
    DOI, title and year are that other work's, and its own finding says to correct it.  So
    are the PMID and DOI of a conflict (they name two works; its finding says which)."""
    excluded = excluded_keys(db, refset)
    rows = [r for r in _rows(db, "select id, pmid, doi, title, year, identity, status "
                                 "from sources order by id")
            if r["id"] not in excluded and r["identity"] != "mismatch"]
    for row in rows:
        if row["status"] == "conflict":
            row["pmid"] = row["doi"] = None
    parent = {r["id"]: r["id"] for r in rows}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    reasons = {}
    for label, value_of in (("PMID", lambda r: r["pmid"]),
                            ("DOI", lambda r: (r["doi"] or "").lower() or None),
                            ("title and year", lambda r: (_title_key(r["title"]), r["year"])
                             if _title_key(r["title"]) and r["year"] else None)):
        first_with = {}
        for row in rows:
            value = value_of(row)
            if not value:
                continue
            if value in first_with:
                a, b = root(first_with[value]), root(row["id"])
                if a != b:
                    parent[b] = a
                shown = value if isinstance(value, str) else f"{row['title']!r}, {row['year']}"
                reasons.setdefault(first_with[value], set()).add(f"same {label} {shown}")
            else:
                first_with[value] = row["id"]
    groups = {}
    for row in rows:
        groups.setdefault(root(row["id"]), []).append(row["id"])
    findings = []
    for keys in groups.values():
        if len(keys) < 2:
            continue
        why = sorted({reason for key in keys for reason in reasons.get(key, ())})
        findings.append(Finding(
            "duplicate", "error", keys[0],
            f"{' and '.join(keys)} are the same work ({'; '.join(why)}): merge them in "
            "references.yaml", {"keys": keys, "reasons": why}))
    return findings


def _erratum_text(item) -> str:
    if isinstance(item, dict):
        parts = [item.get("RefSource") or item.get("ref_source") or item.get("source"),
                 f"PMID {item['PMID']}" if item.get("PMID") else
                 (f"PMID {item['pmid']}" if item.get("pmid") else None)]
        return " ".join(str(p) for p in parts if p) or json.dumps(item, sort_keys=True)
    text = str(item).strip()
    return f"PMID {text}" if text.isdigit() else text


def check_errata(db, refset) -> list:
    """Sources with a published erratum (PubMed ErratumIn): check the corrected facts."""
    excluded = excluded_keys(db, refset)
    findings = []
    for row in _rows(db, "select * from sources where errata is not null and errata not in ('', '[]') "
                         "order by id"):
        errata = _json_list(row["errata"])
        if not errata or row["id"] in excluded:
            continue
        shown = "; ".join(_erratum_text(e) for e in errata)
        findings.append(Finding(
            "erratum", "warning", row["id"],
            f"{_source_label(row)} has an erratum: {shown}",
            {"errata": errata, "claims": [c["id"] for c in _claims_citing(db, row["id"])]}))
    return findings


def check_level_disagreements(db, refset) -> list:
    """Sources whose document-declared evidence level differs from the level inferred from
    PubMed, unless a curator's ``level:`` settled it (litgraph.findings level_disagreements)."""
    excluded = excluded_keys(db, refset)
    findings = []
    for row in finding_rows(db, "level_disagreements", "order by source_id"):
        if row["source_id"] in excluded:
            continue
        row = {**row, "id": row["source_id"], **_rows(
            db, "select pmid, doi from sources where id = ?", [row["source_id"]])[0]}
        types = _json_list(row.get("publication_types"))
        findings.append(Finding(
            "level-disagreement", "warning", row["id"],
            f"{_source_label(row)}: declared level {row.get('declared_level')} but inferred level "
            f"{row.get('inferred_level')}" + (f" from {', '.join(map(str, types))}" if types else "")
            + f"; using level {row.get('evidence_level')} ({row.get('evidence_basis') or 'no basis'})"
            + "; set level: in references.yaml to settle it",
            {"declared_level": row.get("declared_level"), "inferred_level": row.get("inferred_level"),
             "evidence_level": row.get("evidence_level"), "evidence_basis": row.get("evidence_basis"),
             "publication_types": types}))
    return findings


def check_citations_not_in_references(db, refset) -> list:
    """Sources the documents cite in the database that references.yaml does not hold."""
    if refset is None:
        return []
    keys = set(_refset_entries(refset))
    places = {}
    for r in _rows(db, "select source_id, document_id, line from citations "
                       "order by source_id, document_id, line"):
        if r["source_id"] not in keys:
            where = f"{r['document_id']}:{r['line']}" if r["line"] is not None else r["document_id"]
            places.setdefault(r["source_id"], []).append(where)
    findings = []
    for key, cited in places.items():
        findings.append(Finding(
            "citation-not-in-references", "warning", key,
            f"{key} is cited ({', '.join(cited)}) but references.yaml lacks it: run litgraph extract",
            {"cited_in": cited}))
    return findings


def check_stale_sources(db, refset) -> list:
    """Entries no document cites any more (kept, never deleted, until a curator decides)."""
    excluded = excluded_keys(db, refset)
    stale = {r["id"] for r in _rows(db, "select id from sources where stale = 1")}
    stale |= {key for key, entry in _refset_entries(refset).items() if entry.stale}
    return [Finding("stale", "warning", key,
                    f"{key} is stale: no document cites it any more; delete it from "
                    "references.yaml or mark it exclude: true", {})
            for key in sorted(stale - excluded)]


def check_excluded_sources(db, refset) -> list:
    """Sources a curator excluded, with their note and where documents still cite them."""
    entries = _refset_entries(refset)
    notes = {r["id"]: r["note"] for r in _rows(db, "select id, note from sources where excluded = 1")}
    findings = []
    for key in sorted(excluded_keys(db, refset)):
        note = (entries[key].note if key in entries else None) or notes.get(key)
        cited = _cited_in(db, key)
        where = f"; still cited at {', '.join(cited)}" if cited else ""
        findings.append(Finding(
            "excluded", "info", key,
            f"{key} excluded by curator: {note or 'no note given'}{where}",
            {"note": note, "cited_in": cited}))
    return findings

