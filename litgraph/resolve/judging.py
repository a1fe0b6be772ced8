"""Judging what E-utilities found: each source's Resolution from the fetched records."""

from dataclasses import dataclass, field
from typing import Optional

from ..entrez import FetchResult, normalise_title
from ..errors import PermanentEntrezError
from ..identity import stated_title
from ..model import Resolution
from .matching import describe, search_agrees

TRANSIENT = "E-utilities failed, try again later: "  # reason text of failure "transient"
PERMANENT = "E-utilities refused the request: "  # reason text of failure "permanent"

# PubMed answered that it has no record of a stated identifier (a reason's opening words)
PMID_NOT_FOUND = "PMID not found in PubMed"
DOI_NOT_FOUND = "DOI not found in PubMed"
PMCID_NOT_FOUND = "PubMed links no record to PMCID"


@dataclass(frozen=True)
class Why:
    """Why a step gave no record: the reason for people, and the failure kind (``transient``
    or ``permanent`` when E-utilities failed; None when it answered)."""

    reason: str
    failure: Optional[str] = None


def failure_of(exc) -> Why:
    """The Why of an EntrezError."""
    if isinstance(exc, PermanentEntrezError):
        return Why(PERMANENT + str(exc), "permanent")
    return Why(TRANSIENT + str(exc), "transient")


@dataclass
class Found:
    """The records efetch gave, indexed by PMID and by DOI, and why the others are missing."""

    fetched: FetchResult
    doi_owners: dict = field(default_factory=dict)  # DOI -> [PMID of every record that has it]

    def __post_init__(self):
        for record in self.fetched.records.values():
            for doi in record.dois:
                self.doi_owners.setdefault(doi, []).append(record.pmid)

    @property
    def records(self) -> dict:
        return self.fetched.records

    def why_missing(self, pmid) -> Why:
        """Why no record came for ``pmid``."""
        if pmid in self.fetched.failed:
            if pmid in self.fetched.permanent:
                return Why(PERMANENT + self.fetched.failed[pmid], "permanent")
            return Why(TRANSIENT + self.fetched.failed[pmid], "transient")
        return Why(PMID_NOT_FOUND)

    def fetch_failures(self) -> list:
        """The Why of every PMID whose efetch failed, in order."""
        return [self.why_missing(pmid) for pmid in self.fetched.failed]

    def judge_pmid(self, key, pmid, doi=None) -> Resolution:
        """A stated PMID (with the DOI stated beside it, if any): resolved, or a conflict
        when PubMed gives the record another DOI or gives the DOI to another record."""
        record = self.records.get(pmid)
        if record is None:
            why = self.why_missing(pmid)
            return Resolution(key, "unresolved", f"{why.reason} (PMID {pmid})", failure=why.failure)
        owners = [p for p in self.doi_owners.get(doi, []) if p != pmid] if doi else []
        if doi and doi not in record.dois and (record.dois or owners):
            if record.dois:
                reason = (f"PubMed gives PMID {pmid} the DOI {record.doi}, but the reference "
                          f"states DOI {doi}")
                if owners:
                    reason += f", which PubMed gives to PMID {', '.join(sorted(owners))}"
            else:
                reason = (f"the reference states PMID {pmid} and DOI {doi}, but PubMed gives "
                          f"DOI {doi} to PMID {', '.join(sorted(owners))}")
            return Resolution(key, "conflict", reason)
        return Resolution(key, "resolved", resolved_by="pmid", record=record)

    def judge_doi(self, key, doi, search_failed: Optional[Why]) -> Resolution:
        """A DOI searched alone: resolved when exactly one fetched record has it."""
        owners = sorted(set(self.doi_owners.get(doi, [])))
        if len(owners) == 1:
            return Resolution(key, "resolved", resolved_by="doi", record=self.records[owners[0]])
        if owners:
            return Resolution(key, "unresolved", f"DOI {doi} is on several PubMed records: "
                                                 f"PMID {', '.join(owners)}")
        if search_failed:
            return Resolution(key, "unresolved", search_failed.reason,
                              failure=search_failed.failure)
        failures = self.fetch_failures()
        why = failures[0] if failures else Why(f"{DOI_NOT_FOUND} ({doi})")
        return Resolution(key, "unresolved", why.reason, failure=why.failure)

    def judge_pmcid(self, key, pmcid, pmids, failed: Optional[Why]) -> Resolution:
        """A PMCID stated alone: resolved when PubMed links exactly one record to it (elink
        from pmc) and that record, if it names a PMCID, names this one."""
        if failed:
            return Resolution(key, "unresolved", failed.reason, failure=failed.failure)
        if not pmids:
            return Resolution(key, "unresolved", f"{PMCID_NOT_FOUND} {pmcid}")
        if len(pmids) > 1:
            return Resolution(key, "unresolved", f"PMCID {pmcid} is linked to several PubMed "
                                                 f"records: PMID {', '.join(sorted(pmids))}")
        record = self.records.get(pmids[0])
        if record is None:
            why = self.why_missing(pmids[0])
            return Resolution(key, "unresolved", f"PMCID {pmcid} is linked to PMID {pmids[0]}, "
                                                 f"but {why.reason}", failure=why.failure)
        if record.pmcid and record.pmcid.upper() != pmcid.upper():
            return Resolution(key, "conflict", f"PMCID {pmcid} is linked to PMID {record.pmid}, "
                                               f"whose record names PMCID {record.pmcid}")
        return Resolution(key, "resolved", resolved_by="pmcid", record=record)

    def judge_citation(self, key, pmid) -> Resolution:
        """The PMID ECitMatch gave for a journal citation."""
        record = self.records.get(pmid)
        if record is None:
            why = self.why_missing(pmid)
            return Resolution(key, "unresolved", f"ECitMatch gave PMID {pmid}, but {why.reason}",
                              failure=why.failure)
        return Resolution(key, "resolved", resolved_by="citation", record=record)


def judge_search(key, source, found, search_failed: Optional[Why], fetch_failures,
                 earlier: Optional[Why]) -> Resolution:
    """Accept a searched record only when its title agrees (or, without a title, when one
    record alone meets author, journal and year).  ``found`` are the records the searches
    found, ``fetch_failures`` the Whys of efetch's failures, ``earlier`` why ECitMatch did
    not match the source (when it was asked first)."""
    before = f"{earlier.reason}; " if earlier else ""
    if search_failed:
        return Resolution(key, "unresolved", f"{before}{search_failed.reason}",
                          failure=search_failed.failure)
    matching = [r for r in found if search_agrees(source, r)]
    title = stated_title(source)
    if title:
        wanted = normalise_title(title)
        agreed = [r for r in matching if normalise_title(r.title) == wanted]
    else:
        agreed = matching
    if len(agreed) == 1:
        return Resolution(key, "resolved", resolved_by="title" if title else "search",
                          record=agreed[0])
    if len(agreed) > 1:
        listed = "; ".join(describe(r) for r in agreed[:5])
        return Resolution(key, "unresolved", f"{before}search matches several PubMed records: "
                                             f"{listed}")
    if matching:
        listed = "; ".join(describe(r) for r in matching[:5])
        return Resolution(key, "unresolved", f"{before}title search found no record whose title "
                                             f"agrees; candidates: {listed}")
    if fetch_failures:
        return Resolution(key, "unresolved", f"{before}{fetch_failures[0].reason}",
                          failure=fetch_failures[0].failure)
    what = "title" if title else "author, journal and year"
    return Resolution(key, "unresolved", f"{before}no PubMed record matches the {what} search")
