"""The curation report: what a curator should fix before publishing.

Each kind of finding is one small function ``(db, refset) -> list[Finding]``
listed in CHECKS; ``run_checks`` runs them all and ``render_text`` prints the
report grouped by severity (errors first), then by kind.  ``refset`` is the
ReferenceSet read from references.yaml, or None when there is none: checks
that compare the database with it then find nothing.

Severities: *error* (the published content rests on something wrong: an
unresolved, conflicting, duplicated or retracted source, a record that is not
the work the document cites (identity mismatch), and claims on a retracted
source), *warning* (worth a look: a record that matches its citation only in
part, errata, claims with no source in
documents that do cite sources, claims resting only on low-level evidence,
declared-versus-inferred level disagreements, citations references.yaml lacks,
stale entries, restatements that do not match) and *info* (recorded choices:
sources a curator excluded, unsourced sentences in documents without
references).  A report with no error is clean: ``litgraph check`` exits 0.
"""

import json
from dataclasses import dataclass, field
from typing import Optional

from .findings import LOW_LEVEL, WEAK_REASONS, finding_rows

SEVERITIES = ("error", "warning", "info")

# kind -> heading in the text report, in the order the report shows them
KINDS = {
    "retracted-source": "Retracted sources",
    "claim-on-retracted-source": "Claims resting on retracted sources",
    "unresolved": "Unresolved references",
    "conflict": "PMID/DOI conflicts",
    "identity-mismatch": "Records that are not the work the document cites",
    "duplicate": "Duplicate sources (one work under several keys)",
    "identity-partial": "Records that match their citation only in part",
    "erratum": "Sources with errata",
    "claim-without-source": "Claims with no source",
    "low-level-claim": "Claims resting only on low-level evidence",
    "unknown-level-claim": "Claims whose sources have no known level above low-level evidence",
    "level-disagreement": "Declared and inferred evidence levels disagree",
    "restatement": "Restated claims that do not match their original",
    "restatement-uncited": "Restated claims whose original sentence cites nothing",
    "citation-not-in-references": "Citations references.yaml lacks",
    "stale": "Stale sources (no document cites them any more)",
    "excluded": "Excluded by curator",
}


@dataclass
class Finding:
    """One thing the report tells a curator, about one source, claim or document."""

    kind: str  # a key of KINDS
    severity: str  # one of SEVERITIES
    subject: str  # the source key, claim id or document id concerned
    message: str  # one line that stands on its own
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "subject": self.subject,
                "message": self.message, "details": self.details}


@dataclass
class CheckReport:
    """Every finding, most serious first."""

    findings: list = field(default_factory=list)

    @property
    def counts(self) -> dict:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def clean(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.clean else 1

    def of_kind(self, kind: str) -> list:
        return [f for f in self.findings if f.kind == kind]

    def as_dict(self) -> dict:
        return {"clean": self.clean, "counts": self.counts,
                "findings": [f.as_dict() for f in self.findings]}


# ---------------------------------------------------------------- helpers

def _rows(db, sql: str, params=()) -> list:
    return list(db.query(sql, params))


def _json_list(text) -> list:
    if not text:
        return []
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return [text]
    return value if isinstance(value, list) else [value]


def _short(text: Optional[str], width: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _refset_entries(refset) -> dict:
    return {entry.key: entry for entry in (refset.sources if refset else [])}


def excluded_keys(db, refset) -> set:
    """Sources a curator excluded, in the database or (not yet rebuilt) in references.yaml."""
    keys = {r["id"] for r in _rows(db, "select id from sources where excluded = 1")}
    keys |= {key for key, entry in _refset_entries(refset).items() if entry.exclude}
    return keys


def _cited_in(db, source_id: str) -> list:
    """Where the documents cite a source, as 'document:line' strings."""
    return [f"{r['document_id']}:{r['line']}" if r["line"] is not None else r["document_id"]
            for r in _rows(db, "select document_id, line from citations where source_id = ? "
                               "order by document_id, line", [source_id])]


def _source_label(row) -> str:
    ids = [f"PMID {row['pmid']}" if row.get("pmid") else None,
           f"DOI {row['doi']}" if row.get("doi") else None]
    ids = ", ".join(i for i in ids if i)
    return f"{row['id']} ({ids})" if ids else row["id"]


def _claims_citing(db, source_id: str) -> list:
    return _rows(db, "select claims.id, claims.document_id, claims.line, claims.section, "
                     "claims.text from claim_sources join claims on claims.id = claim_sources.claim_id "
                     "where claim_sources.source_id = ? order by claims.document_id, claims.line, "
                     "length(claims.id), claims.id", [source_id])


def _where(claim) -> str:
    """Where a claim sits: ``line 27`` when its id already names the document, else ``doc:27``."""
    document = claim.get("document_id") or ""
    if claim.get("line") is None:
        return document
    if document and str(claim.get("id") or claim.get("claim_id") or "").startswith(document + ":"):
        return f"line {claim['line']}"
    return f"{document}:{claim['line']}"


def _retraction_reason(row) -> Optional[str]:
    types = [str(t) for t in _json_list(row.get("publication_types"))]
    if "Retracted Publication" in types:
        return "PubMed publication type 'Retracted Publication'"
    if row.get("retracted"):
        return "PubMed records a retraction notice (RetractionIn)"
    return None


def _retracted_sources(db, refset) -> list:
    excluded = excluded_keys(db, refset)
    out = []
    for row in _rows(db, "select * from sources where retracted = 1 or publication_types like ? "
                         "order by id", ["%Retracted Publication%"]):
        reason = _retraction_reason(row)
        if reason and row["id"] not in excluded:
            out.append((row, reason))
    return out


# ---------------------------------------------------------------- the checks

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
    """One work under two or more keys: same PMID, same DOI, or same title and year."""
    excluded = excluded_keys(db, refset)
    rows = [r for r in _rows(db, "select id, pmid, doi, title, year from sources order by id")
            if r["id"] not in excluded]
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


def _weak_claims(db, reasons) -> list:
    """Rows of the weak_claims finding (litgraph.findings) with one of ``reasons``."""
    marks = ", ".join("?" for _ in reasons)
    return finding_rows(db, "weak_claims", f"where reason in ({marks}) "
                        "order by document_id, line, length(claim_id), claim_id", list(reasons))


def _evidence_of(db, claim_id: str) -> list:
    """(source, level, original claim or None) behind a claim, not excluded, own and inherited."""
    return [(r["source_id"], r["evidence_level"], r["via_claim_id"]) for r in finding_rows(
        db, "claim_evidence",
        "join sources s on s.id = claim_evidence.source_id "
        "where claim_evidence.claim_id = ? and coalesce(s.excluded, 0) = 0 "
        "order by claim_evidence.source_id, claim_evidence.via_claim_id", [claim_id])]


def _reasons_for(kind: str) -> list:
    return [reason for reason, of_kind in WEAK_REASONS.items() if of_kind == kind]


def _inherited_note(evidence) -> str:
    originals = sorted({via for _key, _level, via in evidence if via})
    return f", inherited from {', '.join(originals)}" if originals else ""


def check_claims_without_sources(db, refset) -> list:
    """Claims that cite nothing (own or inherited from the sentence a rewrite restates), or only
    sources a curator excluded.

    In a document that cites sources elsewhere this is a warning (a marker
    may be missing); in a document with no references at all (a patient
    page) it is information only.
    """
    citing_documents = {r["document_id"] for r in _rows(
        db, "select distinct document_id from citations")}
    findings = []
    for claim in _weak_claims(db, _reasons_for("claim-without-source")):
        excluded = sorted({r["source_id"] for r in finding_rows(
            db, "claim_evidence", "where claim_id = ?", [claim["claim_id"]])})
        has_references = claim["document_id"] in citing_documents
        what = (f"cites only excluded source(s) {', '.join(excluded)}" if excluded
                else "cites no source")
        tail = "" if has_references else " (the document has no references)"
        where = _where({"id": claim["claim_id"], **claim})
        findings.append(Finding(
            "claim-without-source", "warning" if has_references else "info", claim["claim_id"],
            f"claim {claim['claim_id']} ({where}) {what}{tail}: \"{_short(claim['text'], 70)}\"",
            {"document": claim["document_id"], "line": claim["line"], "section": claim["section"],
             "text": claim["text"], "excluded_sources": excluded,
             "document_has_references": has_references, "reason": claim["reason"]}))
    return findings


def _level_claims(db, kind: str, phrase: str) -> list:
    findings = []
    for claim in _weak_claims(db, _reasons_for(kind)):
        evidence = _evidence_of(db, claim["claim_id"])
        levels = {}
        for key, level, _via in evidence:
            levels[key] = level
        shown = ", ".join(f"{key} level {'unknown' if level is None else level}"
                          for key, level in sorted(levels.items()))
        where = _where({"id": claim["claim_id"], **claim})
        findings.append(Finding(
            kind, "warning", claim["claim_id"],
            f"claim {claim['claim_id']} ({where}) {phrase} ({shown}{_inherited_note(evidence)}): "
            f"\"{_short(claim['text'], 60)}\"",
            {"document": claim["document_id"], "line": claim["line"], "text": claim["text"],
             "sources": dict(sorted(levels.items())), "reason": claim["reason"],
             "inherited_from": sorted({via for _k, _l, via in evidence if via})}))
    return findings


def check_low_level_claims(db, refset) -> list:
    """Claims whose every (not excluded) source, own or inherited, has a low level (3 to 5)."""
    return _level_claims(db, "low-level-claim", "rests only on low-level evidence")


def check_unknown_level_claims(db, refset) -> list:
    """Claims with no source of a known level stronger than 3: every level unknown, or the
    known ones low-level."""
    return _level_claims(db, "unknown-level-claim",
                         "has no source of known level above low-level evidence")


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


RESTATEMENT_PHRASES = {
    "number-mismatch": ("restatement", "warning", "states a number its original does not"),
    "unsupported": ("restatement", "warning", "has no matching sentence in the document it restates"),
    "uncited-in-source": ("restatement-uncited", "info",
                          "matches a sentence its original does not cite"),
}


def check_restatements(db, refset) -> list:
    """Sentences of a rewrite whose best match is not simply supported (the
    restatement_findings of litgraph.findings, as the restatement_issues page lists them)."""
    findings = []
    for r in finding_rows(db, "restatement_findings",
                          "order by document_id, line, length(claim_id), claim_id"):
        if r["status"] not in RESTATEMENT_PHRASES:
            continue
        kind, severity, phrase = RESTATEMENT_PHRASES[r["status"]]
        where = _where({"id": r["claim_id"], "document_id": r["document_id"], "line": r["line"]})
        matched = r["matched_claim_id"] or (f"\"{_short(r['matched_text'], 50)}\""
                                           if r["matched_text"] else None)
        findings.append(Finding(
            kind, severity, r["claim_id"],
            f"claim {r['claim_id']} ({where or '?'}) {phrase}"
            + (f" (best match {matched})" if matched else "")
            + f": {r['explanation'] or _short(r['text'], 60)}",
            {"status": r["status"], "matched_claim": r["matched_claim_id"],
             "matched_text": r["matched_text"], "score": r["score"],
             "explanation": r["explanation"], "text": r["text"]}))
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


CHECKS = [
    check_retracted_sources,
    check_claims_on_retracted_sources,
    check_unresolved_sources,
    check_conflicts,
    check_identities,
    check_duplicate_sources,
    check_errata,
    check_claims_without_sources,
    check_low_level_claims,
    check_unknown_level_claims,
    check_level_disagreements,
    check_restatements,
    check_citations_not_in_references,
    check_stale_sources,
    check_excluded_sources,
]


def run_checks(db, refset=None, checks=None) -> CheckReport:
    """Run every check (or ``checks``) and return the findings, most serious first."""
    findings = []
    for check in CHECKS if checks is None else checks:
        findings.extend(check(db, refset))
    kind_order = list(KINDS)
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity),
                                 kind_order.index(f.kind) if f.kind in kind_order else len(kind_order)))
    return CheckReport(findings)


def render_text(report: CheckReport, limit: Optional[int] = None, severities=SEVERITIES) -> str:
    """The report for people: a summary line, then sections by severity and kind.

    ``limit`` caps the lines shown per section (the rest are counted) and,
    when given, shows information findings as one count per kind so that they
    never bury the errors; ``severities`` picks the sections shown (the
    summary line counts all).
    """
    counts = report.counts
    plural = {"error": "errors", "warning": "warnings", "info": "info"}
    head = ", ".join(f"{counts[s]} {plural[s] if counts[s] != 1 else s}" for s in SEVERITIES)
    lines = [f"litgraph check: {head}" + (" \u2014 clean" if report.clean else "")]
    for severity in [s for s in SEVERITIES if s in severities]:
        found = [f for f in report.findings if f.severity == severity]
        if not found:
            continue
        lines.append("")
        lines.append(plural[severity].upper())
        kinds = []
        for finding in found:
            if finding.kind not in kinds:
                kinds.append(finding.kind)
        for kind in kinds:
            of_kind = [f for f in found if f.kind == kind]
            lines.append(f"  {KINDS.get(kind, kind)} ({len(of_kind)})")
            if severity == "info" and limit:
                continue  # counted, listed with --all or --json
            shown = of_kind if not limit else of_kind[:limit]
            lines.extend(f"    - {f.message}" for f in shown)
            if len(shown) < len(of_kind):
                lines.append(f"    \u2026 and {len(of_kind) - len(shown)} more (--all or --json)")
        if severity == "info" and limit:
            lines.append("  (listed with --all or --json)")
    return "\n".join(lines)
