"""Resolve sources through E-utilities, and save what resolution concluded.

``resolve_sources`` asks as few requests as the sources allow, in this order:

1. one ECitMatch request for every journal citation without PMID or DOI
   (journal, year, volume, first page, first author);
2. one esearch for every DOI (DOI-only sources, and sources carrying both a
   PMID and a DOI, to detect conflicts), OR'ed together; beside it, elink from
   pmc to pubmed for every PMCID stated without PMID or DOI (such a source's
   journal citation or title is asked too, and decides when PubMed links no
   record to the PMCID);
3. one esearch for every free-text citation (title words, first author,
   year; or author, journal and year when there is no title), OR'ed
   together, including journal citations ECitMatch could not match;
4. efetch of every PMID stated or found, ``batch_size`` per request.

A PMID, DOI or PMCID that resolve wrote back after a search (``resolved_by: doi``,
``pmcid``, ``citation``, ``title`` or ``search``) is only a hint: the search runs again
(from the cache), and the hint's PMID is fetched in the same efetch.  While the
hint equals what the search finds, nothing changes.  When the curator has
changed it (it differs from the record the search finds, or the search no
longer finds one), the curator's identifiers are taken as stated: the PMID
(and any DOI that is not the searched record's own) resolves like any stated
PMID, with ``resolved_by: pmid``, or ends in a conflict naming both.  A DOI
changed under a title or citation search, without a PMID, becomes a conflict
with the searched record; pin the source to resolve it by that DOI alone.

Everything is mapped back by identifier (a DOI by the records' DOIs, a title
search by re-checking each fetched record against the citation), never by
position.  Each source ends ``resolved``, ``unresolved`` with a specific
reason, or ``conflict`` naming both candidates.  Excluded sources are not
asked about: they end ``unresolved`` with "excluded by curator".

The steps live in modules of this package: ``matching`` (search terms, and
whether a record meets them), ``hints`` (identifiers stated or written back),
``records`` (efetch), ``judging`` (each source's Resolution from the records),
``identities`` (identity verdicts and candidates).  ``store.save_resolutions``
writes the outcome.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from ..collector import without_cyclic_gc
from ..entrez import CitationQuery
from ..errors import EntrezError, IdentifierError, InputError
from ..model import Resolution
from .hints import curator_edit, hints, stated_ids, stated_pmcid
from .identities import STAND_IN_LABEL, label_stand_in, verify_identities  # noqa: F401
from .judging import Found, Why, failure_of, judge_search
from .matching import (author_parts, journal_agrees, search_agrees, search_term,  # noqa: F401
                       title_words)
from .records import fetch_ahead, fetch_records
from .service import EntrezService

_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.I)
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_max_age(text) -> timedelta:
    """``"30d"``, ``"12h"``, ``"45m"``, ``"90s"`` or ``"2w"`` as a timedelta, or InputError.

    >>> parse_max_age("12h")
    datetime.timedelta(seconds=43200)
    """
    match = _AGE.match(str(text))
    if not match:
        raise InputError(f"invalid --max-age {text!r}: expected a number and a unit, e.g. 30d, 12h, 45m")
    try:
        age = timedelta(**{_AGE_UNITS[match.group(2).lower()]: int(match.group(1))})
        datetime.now(timezone.utc) - age  # the age must leave a date to compare with
    except (OverflowError, ValueError):
        raise InputError(f"invalid --max-age {str(text)[:40]!r}: too large (at most "
                         f"{(datetime.now(timezone.utc) - datetime.min.replace(tzinfo=timezone.utc)).days - 1}d)") \
            from None
    return age


@dataclass
class Plan:
    """How each source is asked about (the first step of ``resolve_sources``)."""

    decided: dict = field(default_factory=dict)  # key -> Resolution reached without asking
    by_pmid: dict = field(default_factory=dict)  # key -> stated PMID
    check_doi: dict = field(default_factory=dict)  # key -> DOI beside a stated PMID, to check
    by_doi: dict = field(default_factory=dict)  # key -> DOI, searched alone
    by_pmcid: dict = field(default_factory=dict)  # key -> PMCID, stated without PMID or DOI
    citations: dict = field(default_factory=dict)  # key -> SourceEntry: journal citation
    searches: dict = field(default_factory=dict)  # key -> SourceEntry: free-text search


@dataclass
class Asked:
    """What the searches found (step 2): PMIDs, or the Why of a search that failed."""

    by_citation: dict = field(default_factory=dict)  # key -> PMID ECitMatch gave
    earlier: dict = field(default_factory=dict)  # key -> Why ECitMatch did not match it
    searched: list = field(default_factory=list)  # PMIDs the free-text searches found
    search_failed: Optional[Why] = None
    by_doi: list = field(default_factory=list)  # PMIDs the DOI search found
    doi_failed: Optional[Why] = None
    by_pmcid: dict = field(default_factory=dict)  # PMCID -> [PMIDs elink linked to it]
    pmcid_failed: Optional[Why] = None

    @property
    def candidates(self) -> list:
        """Every PMID a search found, DOI search first, in order."""
        return list(self.by_doi) + list(self.searched)

    @property
    def linked(self) -> set:
        """Every PMID that elink gave for a PMCID."""
        return {pmid for pmids in self.by_pmcid.values() for pmid in pmids}


def plan_requests(sources) -> Plan:
    """Sort the sources by what they can be resolved by (module docstring, steps 1 to 4)."""
    plan = Plan()
    for source in sources:
        if source.exclude:
            note = f": {source.note}" if source.note else ""
            plan.decided[source.key] = Resolution(source.key, "unresolved",
                                                  f"excluded by curator{note}")
            continue
        try:
            pmid, doi = stated_ids(source)
            pmcid = stated_pmcid(source)
        except IdentifierError as exc:
            plan.decided[source.key] = Resolution(source.key, "unresolved", str(exc))
            continue
        if pmid:
            plan.by_pmid[source.key] = pmid
            # A DOI beside a stated PMID is searched to name the record that has it, unless
            # resolve wrote it back from that PMID's record (resolved_by set): then it is
            # known, and a curator's later edit still shows against the record's own DOI.
            if doi and not source.pinned and not source.resolved_by:
                plan.check_doi[source.key] = doi
        elif doi:
            plan.by_doi[source.key] = doi
        else:
            plan_unidentified(plan, source, pmcid)
    return plan


def plan_unidentified(plan: Plan, source, pmcid) -> None:
    """A source without a PMID or DOI: by its PMCID, when it states one, and by its journal
    citation or title as well, which decide when PubMed links no record to the PMCID."""
    if pmcid:
        plan.by_pmcid[source.key] = pmcid
    if source.journal and source.year and source.volume and source.first_page:
        plan.citations[source.key] = source
    elif search_term(source):
        plan.searches[source.key] = source
    elif not pmcid:
        plan.decided[source.key] = Resolution(
            source.key, "unresolved",
            "nothing to search by: no PMID, DOI, PMCID, journal citation (journal, year, "
            "volume, page) or title")


def match_citations(plan: Plan, asked: Asked, client: EntrezService) -> None:
    """One ECitMatch for every journal citation; those it misses go to the title searches
    (or are decided unresolved when they have too little to search by)."""
    if not plan.citations:
        return
    try:
        answers = client.citation_match([
            CitationQuery(key, s.journal, s.year, s.volume, s.first_page, s.first_author)
            for key, s in plan.citations.items()])
    except EntrezError as exc:
        failed = failure_of(exc)
        answers = {key: None for key in plan.citations}
        asked.earlier.update({key: failed for key in plan.citations})
    for key, answer in answers.items():
        if answer is not None and answer.isdigit():
            asked.by_citation[key] = answer
            continue
        if answer is not None:
            asked.earlier[key] = Why(f"citation not found in PubMed (ECitMatch: {answer})")
        if search_term(plan.citations[key]):
            plan.searches[key] = plan.citations[key]
        else:
            why = asked.earlier[key]
            plan.decided[key] = Resolution(key, "unresolved", why.reason, failure=why.failure)


def link_pmcids(plan: Plan, asked: Asked, client: EntrezService) -> None:
    """The PubMed records elink links to each PMCID stated alone (``asked.by_pmcid``), or why
    it could not say (``asked.pmcid_failed``)."""
    pmcids = sorted(set(plan.by_pmcid.values()))
    if pmcids:
        try:
            asked.by_pmcid = client.pmids_of_pmcids(pmcids)
        except EntrezError as exc:
            asked.pmcid_failed = failure_of(exc)


def ask_searches(plan: Plan, client: EntrezService) -> Asked:
    """ECitMatch then the title searches, beside the DOI search and the PMCIDs' links (three
    threads)."""
    asked = Asked()

    def citations_then_searches():
        match_citations(plan, asked, client)
        if plan.searches:
            return client.search_ids([search_term(s) for s in plan.searches.values()])
        return []

    def doi_search():
        dois = sorted(set(plan.by_doi.values()) | set(plan.check_doi.values()))
        return client.search_dois(dois) if dois else []

    with ThreadPoolExecutor(3, thread_name_prefix="resolve") as pool:
        linked = pool.submit(link_pmcids, plan, asked, client)
        texts, dois = pool.submit(citations_then_searches), pool.submit(doi_search)
        linked.result()
        try:
            asked.searched = texts.result()
        except EntrezError as exc:
            asked.search_failed = failure_of(exc)
        try:
            asked.by_doi = dois.result()
        except EntrezError as exc:
            asked.doi_failed = failure_of(exc)
    return asked


def judge_all(sources, plan: Plan, asked: Asked, found: Found) -> dict:
    """{key: Resolution} of every source, curator edits of written-back hints last."""
    outcome = dict(plan.decided)
    for key, pmid in plan.by_pmid.items():
        outcome[key] = found.judge_pmid(key, pmid, plan.check_doi.get(key))
    for key, doi in plan.by_doi.items():
        outcome[key] = found.judge_doi(key, doi, asked.doi_failed)
    for key, pmid in asked.by_citation.items():
        outcome[key] = found.judge_citation(key, pmid)
    searched = [found.records[p] for p in dict.fromkeys(asked.candidates) if p in found.records]
    failures = found.fetch_failures()
    for key, source in plan.searches.items():
        earlier = asked.earlier.get(key)
        judged = judge_search(key, source, searched, asked.search_failed, failures, earlier)
        if judged.status == "unresolved" and not judged.failure and earlier is not None:
            judged.failure = earlier.failure  # ECitMatch failed: the search alone decides nothing
        outcome[key] = judged
    for key, pmcid in plan.by_pmcid.items():
        judged = found.judge_pmcid(key, pmcid, asked.by_pmcid.get(pmcid, []), asked.pmcid_failed)
        fallback = outcome.get(key)  # the citation's or title's, when the source has one
        if fallback is None or judged.status != "unresolved":
            outcome[key] = judged
        elif fallback.status == "unresolved":
            fallback.status_reason = f"{judged.status_reason}; {fallback.status_reason}"
            fallback.failure = fallback.failure or judged.failure
    for source in sources:
        if source.key in outcome and not source.exclude:
            edited = curator_edit(source, outcome[source.key], found.judge_pmid)
            if edited is not None:
                outcome[source.key] = edited
    return outcome


@without_cyclic_gc()
def resolve_sources(sources, client: EntrezService, progress=False, refresh=False,
                    max_age="30d", db=None, link_names=()) -> list:
    """One Resolution per source, in the order given (see the module docstring).

    ``link_names``: elink link names the caller will ask about the resolved PMIDs (the
    graph stage: ``client.links``).  They are asked ahead (``client.links_ahead``) for
    every PMID about to be fetched, beside efetch rather than after verification.
    """
    age = parse_max_age(max_age)
    plan = plan_requests(sources)
    # Only stated PMIDs: the hints a first run wrote back would make a second run's batches
    # differ from the first's, and their cached replies go unused.
    fetch_ahead(client, set(plan.by_pmid.values()), refresh, age, db)
    asked = ask_searches(plan, client)
    # A hint is fetched with the rest: when it equals what the search finds (a warm run)
    # this asks nothing more; when the curator changed it, its record is there to judge.
    hinted = {hints(s)[0] for s in sources if not s.exclude} - {None}
    wanted = (set(plan.by_pmid.values()) | set(asked.by_citation.values())
              | set(asked.candidates) | asked.linked | hinted)
    if link_names:
        client.links_ahead(wanted, link_names)
    found = Found(fetch_records(client, wanted, refresh, age, db, progress))
    outcome = judge_all(sources, plan, asked, found)
    if client.stats.get("failures") and not client.reached:
        # No server at that address: a wrong --eutils-url or no network, not a few sources
        # unresolved.  (A server that answers badly leaves per-source reasons instead.)
        raise EntrezError(f"cannot reach E-utilities at {client.base_url}: "
                          f"{client.last_failure}")
    resolutions = [outcome[s.key] for s in sources]
    verify_identities(sources, resolutions, client, refresh, age, db)
    if client.stand_in:
        label_stand_in(resolutions)
    return resolutions
