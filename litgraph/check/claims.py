"""Checks on claims: no source, weak evidence (own or inherited), and restatements."""

import json

from ..findings import WEAK_REASONS, finding_rows
from .common import rows as _rows, short as _short, where as _where
from .report import Finding


def _weak_claims(db, reasons) -> list:
    """Rows of the weak_claims finding (litgraph.findings) with one of ``reasons``."""
    marks = ", ".join("?" for _ in reasons)
    return finding_rows(db, "weak_claims", f"where reason in ({marks}) "
                        "order by document_id, line, length(claim_id), claim_id", list(reasons))


def _evidence_by_claim(db, usable_only: bool = True) -> dict:
    """claim -> [(source, level, original claim or None)], own and inherited, read in one pass
    (excluded sources left out when ``usable_only``)."""
    where = "where coalesce(s.excluded, 0) = 0 " if usable_only else ""
    found = {}
    for r in finding_rows(
            db, "claim_evidence",
            f"join sources s on s.id = claim_evidence.source_id {where}"
            "order by claim_evidence.claim_id, claim_evidence.source_id, claim_evidence.via_claim_id",
            columns="claim_evidence.claim_id, claim_evidence.source_id, s.evidence_level, "
                    "claim_evidence.via_claim_id"):
        found.setdefault(r["claim_id"], []).append(
            (r["source_id"], r["evidence_level"], r["via_claim_id"]))
    return found


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
    evidence = None
    for claim in _weak_claims(db, _reasons_for("claim-without-source")):
        if evidence is None:
            evidence = _evidence_by_claim(db, usable_only=False)
        excluded = sorted({key for key, _level, _via in evidence.get(claim["claim_id"], [])})
        has_references = claim["document_id"] in citing_documents
        markers = json.loads(claim["markers_without_entry"] or "[]")
        what = (f"cites only excluded source(s) {', '.join(excluded)}" if excluded
                else f"cites no source: its marker(s) {' '.join(markers)} name no entry of the "
                     "document's reference list" if markers
                else "cites no source")
        tail = "" if has_references else " (the document has no references)"
        where = _where({"id": claim["claim_id"], **claim})
        findings.append(Finding(
            "claim-without-source", "warning" if has_references else "info", claim["claim_id"],
            f"claim {claim['claim_id']} ({where}) {what}{tail}: \"{_short(claim['text'], 70)}\"",
            {"document": claim["document_id"], "line": claim["line"], "section": claim["section"],
             "text": claim["text"], "excluded_sources": excluded,
             "document_has_references": has_references, "reason": claim["reason"],
             "markers_without_entry": markers}))
    return findings


def _level_claims(db, kind: str, phrase: str) -> list:
    findings = []
    by_claim = None
    for claim in _weak_claims(db, _reasons_for(kind)):
        if by_claim is None:
            by_claim = _evidence_by_claim(db)
        evidence = by_claim.get(claim["claim_id"], [])
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

