"""Identity verdicts of resolved sources, the candidate a mismatch most likely means, and the
stand-in's label on every reason it gave."""

from datetime import timedelta

from ..entrez import CitationQuery
from ..errors import EntrezError
from ..identity import (ANOTHER_WORK, better_candidate, mismatched_sighting,
                        states_enough_to_search, verify_identity)
from .judging import DOI_NOT_FOUND, PMID_NOT_FOUND
from .matching import search_term, title_term
from .records import fetch_records
from .service import EntrezService

DEFAULT_MAX_AGE = timedelta(days=30)  # resolve's --max-age default


def verify_identities(sources, resolutions, client: EntrezService, refresh=False, age=None,
                      db=None) -> None:
    """Give every resolved resolution its identity verdict (identity.py), in place.

    For a ``mismatch`` whose entry states title, journal and year, the record the
    citation most likely means is looked for (ECitMatch when it states volume and
    first page, and a title search), all mismatches in one request of each kind,
    and named in the reason as ``candidate: PMID n "Title"``.  So is the record for a
    source left unresolved because PubMed has no record of the PMID or DOI it
    states (a mistyped identifier), in its status reason.  The stated
    identifier is never replaced: the curator decides.
    """
    entries = {s.key: s for s in sources}
    searching, unfound = {}, {}
    for resolution in resolutions:
        entry = entries.get(resolution.key)
        if resolution.status != "resolved" or resolution.record is None or entry is None:
            resolution.identity = resolution.identity_reason = None
            if _stated_identifier_not_found(entry, resolution):
                unfound[resolution.key] = resolution
            continue
        identity = verify_identity(entry, resolution.record)
        resolution.identity, resolution.identity_reason = identity.verdict, identity.reason
        if identity.verdict != "mismatch":
            other = mismatched_sighting(entry, resolution.record)
            if other is not None:
                sighting, stated, identity = other
                entries[resolution.key] = stated
                resolution.identity = identity.verdict
                resolution.identity_reason = (f"{sighting.document} line {sighting.line}"
                                              f"{ANOTHER_WORK}{identity.reason}")
        if resolution.identity == "mismatch" and states_enough_to_search(entries[resolution.key]):
            searching[resolution.key] = resolution
    if not searching and not unfound:
        return
    found = _candidate_records([entries[k] for k in {**searching, **unfound}], client, refresh,
                               age, db)
    for key, resolution in unfound.items():
        best = better_candidate(entries[key], found or [])
        if found is None:
            resolution.status_reason += "; candidate: not searched (E-utilities failed)"
        elif best is None:
            resolution.status_reason += "; candidate: none found by citation or title search"
        else:
            resolution.status_reason += (f"; candidate: PMID {best[0].pmid} "
                                         f"\"{best[0].title or 'untitled'}\"")
    for key, resolution in searching.items():
        if found is None:
            resolution.identity_reason += "; candidate: not searched (E-utilities failed)"
            continue
        best = better_candidate(entries[key], found, exclude={resolution.record.pmid})
        if best is None:
            resolution.identity_reason += "; candidate: none found by citation or title search"
        else:
            record = best[0]
            resolution.identity_reason += (f"; candidate: PMID {record.pmid} "
                                           f"\"{record.title or 'untitled'}\"")


def _stated_identifier_not_found(entry, resolution) -> bool:
    """Whether PubMed answered that it has no record of the PMID or DOI the entry states (not
    a failure to answer), and the entry states enough to look for the work it means."""
    return (entry is not None and resolution.status == "unresolved" and not resolution.failure
            and bool(entry.pmid or entry.doi) and states_enough_to_search(entry)
            and (resolution.status_reason or "").startswith((PMID_NOT_FOUND, DOI_NOT_FOUND)))


def _candidate_records(entries, client, refresh=False, age=None, db=None):
    """Records a citation match or title search finds for ``entries`` (None when E-utilities
    failed): one ECitMatch request and one OR'ed esearch, then one efetch."""
    pmids = []
    try:
        citable = [e for e in entries if e.volume and e.first_page]
        if citable:
            answers = client.citation_match([
                CitationQuery(e.key, e.journal, e.year, e.volume, e.first_page, e.first_author)
                for e in citable])
            pmids += [a for a in answers.values() if str(a).isdigit()]
        terms = [t for e in entries for t in (search_term(e), title_term(e)) if t]
        if terms:
            pmids += client.search_ids(terms)
        if not pmids:
            return []
        fetched = fetch_records(client, set(pmids), refresh, age or DEFAULT_MAX_AGE, db)
    except EntrezError:
        return None
    return [fetched.records[p] for p in dict.fromkeys(pmids) if p in fetched.records]


STAND_IN_LABEL = " [E-utilities stand-in: fixture records, not NCBI]"


def label_stand_in(resolutions) -> None:
    """Say so in every reason the stand-in gave: its misses are not PubMed's."""
    for resolution in resolutions:
        reason = resolution.status_reason or ""
        if "PubMed" in reason and not reason.endswith(STAND_IN_LABEL):
            resolution.status_reason = reason + STAND_IN_LABEL
