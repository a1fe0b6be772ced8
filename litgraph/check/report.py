"""The report model: findings, their kinds and severities, and the text report for people."""

from dataclasses import dataclass, field
from typing import Optional

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
