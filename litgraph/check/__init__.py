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

By stage: ``report`` (the findings and the text report), ``sources`` and
``claims`` (the checks), ``common`` (what they share).
"""

from .claims import (RESTATEMENT_PHRASES, check_claims_without_sources, check_low_level_claims,
                     check_restatements, check_unknown_level_claims)
from .common import excluded_keys
from .report import KINDS, SEVERITIES, CheckReport, Finding, render_text
from .sources import (check_citations_not_in_references, check_claims_on_retracted_sources,
                      check_conflicts, check_duplicate_sources, check_errata, check_excluded_sources,
                      check_identities, check_level_disagreements, check_retracted_sources,
                      check_stale_sources, check_unresolved_sources)

__all__ = ["CHECKS", "KINDS", "RESTATEMENT_PHRASES", "SEVERITIES", "CheckReport", "Finding",
           "excluded_keys", "render_text", "run_checks", "check_retracted_sources",
           "check_claims_on_retracted_sources", "check_unresolved_sources", "check_conflicts",
           "check_identities", "check_duplicate_sources", "check_errata",
           "check_claims_without_sources", "check_low_level_claims", "check_unknown_level_claims",
           "check_level_disagreements", "check_restatements", "check_citations_not_in_references",
           "check_stale_sources", "check_excluded_sources"]


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

