"""Identifiers as resolution takes them: stated by the curator, or hints a search wrote back."""

from .. import ids
from ..errors import IdentifierError
from ..model import Resolution
from .matching import describe


def normalised_ids(source):
    """(PMID, DOI) of a source entry, normalised (IdentifierError when malformed)."""
    pmid = ids.normalise_pmid(source.pmid) if source.pmid else None
    doi = ids.normalise_doi(source.doi) if source.doi else None
    return pmid, doi


FOUND_BY_SEARCH = ("doi", "pmcid", "citation", "title", "search")


def _written_back(source) -> bool:
    """Whether the source's identifiers came back from a search resolve made (hints), not
    from the curator or the document."""
    return not source.pinned and source.resolved_by in FOUND_BY_SEARCH


def stated_ids(source):
    """(PMID, DOI) to resolve by: identifiers a search wrote back are hints, not input.

    Unless a curator pinned them, a PMID found by DOI, and a PMID/DOI found by
    PMCID, ECitMatch or title search, are found again the same way (from the cache,
    at no cost), so a second run asks exactly what the first asked.  Whether
    the curator changed a hint is judged afterwards (``hints``, ``curator_edit``).
    """
    pmid, doi = normalised_ids(source)
    if not _written_back(source):
        return pmid, doi
    if source.resolved_by == "doi":
        return None, doi
    return None, None


def stated_pmcid(source):
    """The PMCID to resolve by, normalised: the curator's or the document's, not one that
    resolve wrote back with the PMID a DOI, citation or title search found (a hint that
    would send a request the first run did not)."""
    if not source.pmcid:
        return None
    if not _written_back(source) or source.resolved_by == "pmcid":
        return ids.normalise_pmcid(source.pmcid)
    return None


def hints(source):
    """(PMID, DOI) that a search wrote back and ``stated_ids`` set aside, or (None, None)."""
    if not _written_back(source):
        return None, None
    try:
        pmid, doi = normalised_ids(source)
    except IdentifierError:
        return None, None
    return pmid, (None if source.resolved_by == "doi" else doi)


def curator_edit(source, found, judge_pmid):
    """The resolution by the curator's own identifiers, when they changed a search's hint.

    ``found`` is what the search concluded; ``judge_pmid(key, pmid, doi)`` resolves a
    stated PMID.  None when the hints still agree with the search, or the search failed
    for now (a transient failure decides nothing).
    """
    pmid, doi = hints(source)
    if not (pmid or doi) or found.failure:
        return None
    record = found.record if found.status == "resolved" else None
    if source.resolved_by == "doi":
        doi = normalised_ids(source)[1]  # stated all along: checked against the curator's PMID
    elif record is not None and doi in record.dois:
        doi = None  # still the searched record's own DOI: a hint, not the curator's word
    if pmid and (record is None or record.pmid != pmid):
        return judge_pmid(source.key, pmid, doi)
    if record is not None and source.resolved_by != "doi" and doi and record.dois:
        return Resolution(source.key, "conflict",
                          f"the {source.resolved_by} search finds {describe(record)} with DOI "
                          f"{record.doi}, but the reference states DOI {doi}")
    return None
