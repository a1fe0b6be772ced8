"""Resolve sources through E-utilities, and save what resolution concluded.

``resolve_sources`` asks as few requests as the sources allow, in this order:

1. one ECitMatch request for every journal citation without PMID or DOI
   (journal, year, volume, first page, first author);
2. one esearch for every DOI (DOI-only sources, and sources carrying both a
   PMID and a DOI, to detect conflicts), OR'ed together;
3. one esearch for every free-text citation (title words, first author,
   year; or author, journal and year when there is no title), OR'ed
   together, including journal citations ECitMatch could not match;
4. efetch of every PMID stated or found, ``batch_size`` per request.

A PMID or DOI that resolve wrote back after a search (``resolved_by: doi``,
``citation``, ``title`` or ``search``) is only a hint: the search runs again
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

``save_resolutions`` writes the outcome, PubMed's metadata and the evidence
level into the ``sources`` table and returns what changed since last time.
"""

import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone

from . import ids
from .entrez import CitationQuery, EntrezClient, normalise_title
from .errors import EntrezError, IdentifierError, InputError, PermanentEntrezError
from .identity import (ANOTHER_WORK, better_candidate, mismatched_sighting,
                       states_enough_to_search, verify_identity)
from .model import Resolution
from .store import as_json, now_utc

STOPWORDS = frozenset(
    "a an and are as at by for from in into is it its of on or the their to with without vs versus "
    "after before between during under over via not".split())
TRANSIENT = "E-utilities failed, try again later: "  # reason text of failure "transient"
PERMANENT = "E-utilities refused the request: "  # reason text of failure "permanent"
NOT_YET = "not yet resolved"  # the placeholder store.save_reference_set gives new rows
TITLE_WORDS = 8  # the rarest-looking words of a title that go into a search
_WORD = re.compile(r"[a-z0-9]+")
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


# ---------------------------------------------------------------- matching helpers

def _words(text) -> list:
    folded = unicodedata.normalize("NFKD", str(text or ""))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return _WORD.findall(re.sub(r"<[^>]+>", " ", folded))


def title_words(title) -> list:
    """The words of a title worth searching: no stop words, no one-letter words."""
    chosen = []
    for word in _words(title):
        if word not in STOPWORDS and len(word) > 1 and word not in chosen:
            chosen.append(word)
    return sorted(chosen, key=len, reverse=True)[:TITLE_WORDS]


def author_parts(author):
    """(last-name words, first initial) of ``"Miller JS"``, ``"Van Geel AN"`` or ``"Singer S"``."""
    tokens = str(author or "").replace(",", " ").replace(".", " ").split()
    if len(tokens) > 1 and tokens[-1].isupper() and len(tokens[-1]) <= 3:
        return _words(" ".join(tokens[:-1])), tokens[-1][0].lower()
    return _words(" ".join(tokens)), None


def journal_agrees(stated, record_journals) -> bool:
    """A stated journal name agrees with one of the record's (full title or ISO abbreviation).

    Word by word, an abbreviation's word may be the start of the full word:
    ``Lancet Oncol`` agrees with ``Lancet Oncology``.
    """
    want = [w for w in _words(stated) if w != "the"]
    for name in record_journals:
        have = [w for w in _words(name) if w != "the"]
        if want and len(want) == len(have) and all(
                a.startswith(b) or b.startswith(a) for a, b in zip(want, have)):
            return True
    return False


def search_term(source):
    """The esearch term for a free-text citation, or None when it has too little to search by."""
    parts = [f"{word}[ti]" for word in title_words(source.title)]
    last, initial = author_parts(source.first_author)
    if last:
        parts.append(f"{' '.join(last)}{' ' + initial if initial else ''}[au]")
    if source.year:
        parts.append(f"{int(source.year)}[dp]")
    if not source.title:
        if not (last and source.year and source.journal):
            return None
        parts.append('"' + " ".join(_words(source.journal)) + '"[ta]')
    return " AND ".join(parts) if parts else None


def search_agrees(source, record) -> bool:
    """Whether a fetched record meets every criterion of the citation's search."""
    if source.title:
        have = set(_words(record.title))
        if not set(title_words(source.title)) <= have:
            return False
    last, _ = author_parts(source.first_author)
    if last and not any(author_parts(a)[0] == last or _words(a) == last for a in record.authors):
        return False
    if source.year and record.year and int(source.year) != int(record.year):
        return False
    if not source.title and not journal_agrees(
            source.journal, [record.journal, record.journal_iso, record.book_title]):
        return False
    return True


def _failure(exc) -> tuple:
    """(reason prefix + message, failure kind) of an EntrezError."""
    if isinstance(exc, PermanentEntrezError):
        return PERMANENT + str(exc), "permanent"
    return TRANSIENT + str(exc), "transient"


def _describe(record) -> str:
    title = record.title or "untitled"
    return f"PMID {record.pmid} \"{title}\"" + (f" ({record.year})" if record.year else "")


# ---------------------------------------------------------------- resolution

def _stale_pmids(db, pmids, max_age) -> set:
    """PMIDs whose sources row was fetched longer ago than ``max_age`` (or never)."""
    if db is None or "sources" not in db.table_names():
        return set(pmids)
    limit = datetime.now(timezone.utc) - max_age
    fetched = {}
    for row in db.query("select pmid, fetched_at from sources where pmid is not null"):
        fetched[str(row["pmid"])] = row["fetched_at"]
    stale = set()
    for pmid in pmids:
        when = fetched.get(pmid)
        try:
            moment = datetime.fromisoformat(when) if when else None
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        if moment is None or moment < limit:
            stale.add(pmid)
    return stale


def _normalised_ids(source):
    pmid = ids.normalise_pmid(source.pmid) if source.pmid else None
    doi = ids.normalise_doi(source.doi) if source.doi else None
    return pmid, doi


FOUND_BY_SEARCH = ("doi", "citation", "title", "search")


def _stated_ids(source):
    """(PMID, DOI) to resolve by: identifiers a search wrote back are hints, not input.

    Unless a curator pinned them, a PMID found by DOI, and a PMID/DOI found by
    ECitMatch or title search, are found again the same way (from the cache,
    at no cost), so a second run asks exactly what the first asked.  Whether
    the curator changed a hint is judged afterwards (``_hints``, ``_curator_edit``).
    """
    pmid, doi = _normalised_ids(source)
    if source.pinned or source.resolved_by not in FOUND_BY_SEARCH:
        return pmid, doi
    if source.resolved_by == "doi":
        return None, doi
    return None, None


def _hints(source):
    """(PMID, DOI) that a search wrote back and ``_stated_ids`` set aside, or (None, None)."""
    if source.pinned or source.resolved_by not in FOUND_BY_SEARCH:
        return None, None
    try:
        pmid, doi = _normalised_ids(source)
    except IdentifierError:
        return None, None
    return pmid, (None if source.resolved_by == "doi" else doi)


def _curator_edit(source, found, judge_pmid):
    """The resolution by the curator's own identifiers, when they changed a search's hint.

    ``found`` is what the search concluded; ``judge_pmid(key, pmid, doi)`` resolves a
    stated PMID.  None when the hints still agree with the search, or the search failed
    for now (a transient failure decides nothing).
    """
    pmid, doi = _hints(source)
    if not (pmid or doi) or found.failure:
        return None
    record = found.record if found.status == "resolved" else None
    if source.resolved_by == "doi":
        doi = _normalised_ids(source)[1]  # stated all along: checked against the curator's PMID
    elif record is not None and doi in record.dois:
        doi = None  # still the searched record's own DOI: a hint, not the curator's word
    if pmid and (record is None or record.pmid != pmid):
        return judge_pmid(source.key, pmid, doi)
    if record is not None and source.resolved_by != "doi" and doi and record.dois:
        return Resolution(source.key, "conflict",
                          f"the {source.resolved_by} search finds {_describe(record)} with DOI "
                          f"{record.doi}, but the reference states DOI {doi}")
    return None


def resolve_sources(sources, client: EntrezClient, progress=False, refresh=False, max_age="30d",
                    db=None) -> list:
    """One Resolution per source, in the order given (see the module docstring)."""
    age = parse_max_age(max_age)
    outcome = {}
    by_pmid, by_doi, check_doi, citations, searches = {}, {}, {}, {}, {}
    prior = {}  # key -> why an earlier path failed, for the final reason
    prior_failure = {}  # key -> failure kind of that earlier path, when E-utilities failed
    for source in sources:
        if source.exclude:
            note = f": {source.note}" if source.note else ""
            outcome[source.key] = Resolution(source.key, "unresolved", f"excluded by curator{note}")
            continue
        try:
            pmid, doi = _stated_ids(source)
        except IdentifierError as exc:
            outcome[source.key] = Resolution(source.key, "unresolved", str(exc))
            continue
        if pmid:
            by_pmid[source.key] = pmid
            # A DOI beside a stated PMID is searched to name the record that has it, unless
            # resolve wrote it back from that PMID's record (resolved_by set): then it is
            # known, and a curator's later edit still shows against the record's own DOI.
            if doi and not source.pinned and not source.resolved_by:
                check_doi[source.key] = doi
        elif doi:
            by_doi[source.key] = doi
        elif source.journal and source.year and source.volume and source.first_page:
            citations[source.key] = source
        elif search_term(source):
            searches[source.key] = source
        else:
            outcome[source.key] = Resolution(
                source.key, "unresolved",
                "nothing to search by: no PMID, DOI, journal citation (journal, year, volume, page) "
                "or title")

    # ECitMatch then the title searches (journal citations it misses are searched by title),
    # beside the DOI search; then one efetch of every PMID stated or found, so that a warm run
    # asks for the cold run's batches and finds them in the cache.
    found_by_citation = {}

    def citations_then_searches():
        if citations:
            try:
                answers = client.citation_match([
                    CitationQuery(key, s.journal, s.year, s.volume, s.first_page, s.first_author)
                    for key, s in citations.items()])
            except EntrezError as exc:
                reason, kind = _failure(exc)
                answers = {key: None for key in citations}
                prior_failure.update({key: kind for key in citations})
                prior.update({key: reason for key in citations})
            for key, answer in answers.items():
                if answer is not None and answer.isdigit():
                    found_by_citation[key] = answer
                    continue
                if answer is not None:
                    prior[key] = f"citation not found in PubMed (ECitMatch: {answer})"
                if search_term(citations[key]):
                    searches[key] = citations[key]
                else:
                    outcome[key] = Resolution(key, "unresolved", prior[key],
                                              failure=prior_failure.get(key))
        if searches:
            return client.search_ids([search_term(s) for s in searches.values()])
        return []

    def doi_search():
        dois = sorted(set(by_doi.values()) | set(check_doi.values()))
        return client.search_dois(dois) if dois else []

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2, thread_name_prefix="resolve") as pool:
        asked = [pool.submit(work) for work in (citations_then_searches, doi_search)]
        outcomes = []
        for future in asked:
            try:
                outcomes.append(future.result())
            except EntrezError as exc:
                outcomes.append(exc)
    searched, by_doi_found = outcomes
    search_failure = _failure(searched) if isinstance(searched, EntrezError) else None
    doi_failure = _failure(by_doi_found) if isinstance(by_doi_found, EntrezError) else None
    candidates = ([] if doi_failure else list(by_doi_found)) + \
        ([] if search_failure else list(searched))

    hinted = {s.key: _hints(s)[0] for s in sources if not s.exclude and _hints(s)[0]}
    # A hint is fetched with the rest: when it equals what the search finds (a warm run)
    # this asks nothing more; when the curator changed it, its record is there to judge.
    wanted = (set(by_pmid.values()) | set(found_by_citation.values()) | set(candidates)
              | set(hinted.values()))
    fetched = _fetch(client, wanted, refresh, age, db, progress)
    records = fetched.records

    def fetch_reason(pmid):
        """(why no record came for ``pmid``, failure kind or None)."""
        if pmid in fetched.failed:
            if pmid in fetched.permanent:
                return PERMANENT + fetched.failed[pmid], "permanent"
            return TRANSIENT + fetched.failed[pmid], "transient"
        return "PMID not found in PubMed", None

    doi_owners = {}
    for record in records.values():
        for doi in record.dois:
            doi_owners.setdefault(doi, []).append(record.pmid)

    def judge_pmid(key, pmid, doi):
        record = records.get(pmid)
        if record is None:
            reason, failure = fetch_reason(pmid)
            return Resolution(key, "unresolved", f"{reason} (PMID {pmid})", failure=failure)
        owners = [p for p in doi_owners.get(doi, []) if p != pmid] if doi else []
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

    for key, pmid in by_pmid.items():
        outcome[key] = judge_pmid(key, pmid, check_doi.get(key))

    for key, doi in by_doi.items():
        owners = sorted(set(doi_owners.get(doi, [])))
        if len(owners) == 1:
            outcome[key] = Resolution(key, "resolved", resolved_by="doi", record=records[owners[0]])
        elif owners:
            outcome[key] = Resolution(key, "unresolved", f"DOI {doi} is on several PubMed "
                                                         f"records: PMID {', '.join(owners)}")
        elif doi_failure:
            outcome[key] = Resolution(key, "unresolved", doi_failure[0], failure=doi_failure[1])
        else:
            failed = next((p for p in fetched.failed), None)
            if failed:
                reason, failure = fetch_reason(failed)
            else:
                reason, failure = f"DOI not found in PubMed ({doi})", None
            outcome[key] = Resolution(key, "unresolved", reason, failure=failure)

    for key, pmid in found_by_citation.items():
        record = records.get(pmid)
        if record is None:
            reason, failure = fetch_reason(pmid)
            outcome[key] = Resolution(key, "unresolved", f"ECitMatch gave PMID {pmid}, but {reason}",
                                      failure=failure)
        else:
            outcome[key] = Resolution(key, "resolved", resolved_by="citation", record=record)

    found_by_search = [records[p] for p in dict.fromkeys(candidates) if p in records]
    for key, source in searches.items():
        judged = _judge_search(key, source, found_by_search, search_failure,
                               {p: fetch_reason(p) for p in fetched.failed}, prior.get(key))
        if judged.status == "unresolved" and not judged.failure:
            judged.failure = prior_failure.get(key)  # ECitMatch failed: the search alone decides nothing
        outcome[key] = judged

    for source in sources:
        if source.key in outcome and not source.exclude:
            edited = _curator_edit(source, outcome[source.key], judge_pmid)
            if edited is not None:
                outcome[source.key] = edited

    if client.stats.get("failures") and not getattr(client, "reached", 1):
        # No server at that address: a wrong --eutils-url or no network, not a few sources
        # unresolved.  (A server that answers badly leaves per-source reasons instead.)
        raise EntrezError(f"cannot reach E-utilities at {client.base_url}: "
                          f"{client.last_failure}")
    resolutions = [outcome[s.key] for s in sources]
    verify_identities(sources, resolutions, client, refresh, age, db)
    if getattr(client, "stand_in", False):
        label_stand_in(resolutions)
    return resolutions


def verify_identities(sources, resolutions, client, refresh=False, age=None, db=None) -> None:
    """Give every resolved resolution its identity verdict (identity.py), in place.

    For a ``mismatch`` whose entry states title, journal and year, the record the
    citation most likely means is looked for (ECitMatch when it states volume and
    first page, and a title search), all mismatches in one request of each kind,
    and named in the reason as ``candidate: PMID n "Title"``.  The stated
    identifier is never replaced: the curator decides.
    """
    entries = {s.key: s for s in sources}
    searching = {}
    for resolution in resolutions:
        entry = entries.get(resolution.key)
        if resolution.status != "resolved" or resolution.record is None or entry is None:
            resolution.identity = resolution.identity_reason = None
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
    if not searching:
        return
    found = _candidate_records([entries[k] for k in searching], client, refresh, age, db)
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


def _title_term(entry):
    """An esearch term of the title's words alone (the citation's author or year may be the
    invented part)."""
    words = title_words(entry.title)
    return " AND ".join(f"{word}[ti]" for word in words) if len(words) >= 2 else None


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
        terms = [t for e in entries for t in (search_term(e), _title_term(e)) if t]
        if terms:
            pmids += client.search_ids(terms)
        if not pmids:
            return []
        fetched = _fetch(client, set(pmids), refresh, age or parse_max_age("30d"), db)
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


def _fetch(client, pmids, refresh, age, db, progress=False):
    """efetch every PMID; with ``refresh``, batches holding a stale PMID bypass the cache."""
    stale = _stale_pmids(db, pmids, age) if refresh else False
    return client.fetch_pubmed(pmids, refresh=stale, progress=progress)


def _judge_search(key, source, found, failure, fetch_failed, prior):
    """Accept a searched record only when its title agrees (or, without a title, when one
    record alone meets author, journal and year).  ``failure`` is the search's own (reason,
    kind), ``fetch_failed`` {pmid: (reason, kind)} of efetch."""
    before = f"{prior}; " if prior else ""
    if failure:
        return Resolution(key, "unresolved", f"{before}{failure[0]}", failure=failure[1])
    matching = [r for r in found if search_agrees(source, r)]
    if source.title:
        wanted = normalise_title(source.title)
        agreed = [r for r in matching if normalise_title(r.title) == wanted]
    else:
        agreed = matching
    if len(agreed) == 1:
        return Resolution(key, "resolved", resolved_by="title" if source.title else "search",
                          record=agreed[0])
    if len(agreed) > 1:
        listed = "; ".join(_describe(r) for r in agreed[:5])
        return Resolution(key, "unresolved", f"{before}search matches several PubMed records: "
                                             f"{listed}")
    if matching:
        listed = "; ".join(_describe(r) for r in matching[:5])
        return Resolution(key, "unresolved", f"{before}title search found no record whose title "
                                             f"agrees; candidates: {listed}")
    if fetch_failed:
        reason, kind = next(iter(fetch_failed.values()))
        return Resolution(key, "unresolved", f"{before}{reason}", failure=kind)
    what = "title" if source.title else "author, journal and year"
    return Resolution(key, "unresolved", f"{before}no PubMed record matches the {what} search")


# ---------------------------------------------------------------- saving

def evidence_columns(entry, record, level_map=None) -> dict:
    """evidence_level and its basis: curator > declared (weakest stated, flagged when the
    documents disagree) > inferred from publication types or title through ``level_map``
    (the project's evidence-levels.yaml; the package's map when None)."""
    declared = []
    for item in (entry.declared_levels if entry else []) or []:
        level = item.get("level") if isinstance(item, dict) else getattr(item, "level", None)
        if level is not None:
            declared.append(int(level))
    declared_level = max(declared) if declared else None
    inferred_level = None
    try:
        from .evidence import choose_level, infer_level
    except ImportError:  # evidence.py not there: no inference
        choose_level = infer_level = None
    if infer_level is not None:
        inferred_level, _rule = infer_level(
            publication_types=list(record.publication_types) if record else [],
            title=(record.title if record else None) or (entry.title if entry else None),
            kind=entry.kind if entry else None, mapping=level_map)
    curator = entry.level if entry else None
    if choose_level is not None:
        level, basis, disagreement = choose_level(curator, declared_level, inferred_level)
    else:
        level, basis, disagreement = next(
            ((v, b, False) for v, b in ((curator, "curator"), (declared_level, "declared"))
             if v is not None), (None, None, False))
    return {"evidence_level": level, "evidence_basis": basis, "declared_level": declared_level,
            "inferred_level": inferred_level,
            "level_disagreement": int(bool(disagreement) or len(set(declared)) > 1)}


def identity_columns(resolution, entry=None) -> dict:
    """sources.identity and sources.identity_reason: NULL unless the source resolved.

    A resolution that ``verify_identities`` has not seen is verified here (without the
    search for a candidate, which needs E-utilities)."""
    if resolution.status != "resolved" or resolution.record is None:
        return {"identity": None, "identity_reason": None}
    if resolution.identity is None and resolution.identity_reason is None and entry is not None:
        identity = verify_identity(entry, resolution.record)
        return {"identity": identity.verdict, "identity_reason": identity.reason}
    return {"identity": resolution.identity, "identity_reason": resolution.identity_reason}


def _record_columns(record) -> dict:
    return {
        "title": record.title, "authors": as_json(record.authors),
        "journal": record.journal_iso or record.journal or record.book_title,
        "year": record.year, "volume": record.volume, "issue": record.issue,
        "pages": record.pages, "pmid": record.pmid, "doi": record.doi, "pmcid": record.pmcid,
        "publication_types": as_json(record.publication_types),
        "retracted": int(record.retracted), "errata": as_json(record.errata),
        "fetched_at": record.fetched_at or now_utc(),
    }


def _entry_columns(entry) -> dict:
    try:
        pmid, doi = _normalised_ids(entry)
    except IdentifierError:
        pmid, doi = entry.pmid, entry.doi
    return {"title": entry.title, "authors": as_json(entry.authors) if entry.authors else None,
            "journal": entry.journal, "year": entry.year, "volume": entry.volume,
            "issue": entry.issue, "pages": entry.pages, "pmid": pmid, "doi": doi,
            "pmcid": entry.pmcid, "cited_as": entry.cited_as, "kind": entry.kind,
            "excluded": int(bool(entry.exclude)), "stale": int(bool(entry.stale)),
            "note": entry.note}


NO_RECORD = {"publication_types": None, "retracted": None, "errata": None, "fetched_at": None}
WATCHED = ("title", "journal", "year", "volume", "issue", "pages", "pmid", "doi", "pmcid")


def _changes(key, old, new) -> list:
    if not old or not old.get("status") or old.get("status_reason") == NOT_YET:
        return []  # first resolution: nothing changed, everything is new
    messages = []
    if old["status"] != new["status"]:
        messages.append(f"{key}: status {old['status']} -> {new['status']}")
    if (new.get("identity") == "mismatch" and old.get("identity") != "mismatch"
            and new["status"] == "resolved"):
        messages.append(f"{key}: the record is not the work cited (identity mismatch): "
                        f"{new.get('identity_reason')}")
    if new.get("retracted") and not old.get("retracted") and old.get("fetched_at"):
        messages.append(f"{key}: newly retracted (PMID {new.get('pmid')})")
    if old.get("fetched_at") and new.get("fetched_at") and old.get("status") == "resolved":
        for column in WATCHED:
            if column in new and str(old.get(column) or "") != str(new.get(column) or ""):
                messages.append(f"{key}: {column} changed from {old.get(column)!r} to "
                                f"{new.get(column)!r}")
        old_errata = set(json.loads(old["errata"])) if old.get("errata") else set()
        added = [e for e in json.loads(new.get("errata") or "[]") if e not in old_errata]
        if added:
            messages.append(f"{key}: new erratum {', '.join(map(str, added))}")
    return messages


def _lacked_by_one_reply(entry, old, resolution) -> bool:
    """A PMID that resolved before and that PubMed's reply now left out (asked twice): kept
    resolved with its metadata, since one reply's omission is no proof the record is gone."""
    # (a pinned PMID is written into the row before resolution: nothing tells an edit from
    # an omission there, so a pinned source takes the answer as it comes)
    if entry is None or entry.exclude or entry.pinned or resolution.status != "unresolved" \
            or resolution.record is not None or old.get("status") != "resolved":
        return False
    try:
        pmid = _stated_ids(entry)[0]
    except IdentifierError:
        return False
    return bool(pmid) and str(old.get("pmid") or "") == pmid


def save_resolutions(db, refset, resolutions) -> list:
    """Write each resolution into its ``sources`` row; return what changed, for people.

    A resolved source takes PubMed's metadata; an unresolved or conflicting
    one keeps what the documents say: a definite answer (not found, conflict,
    excluded) puts references.yaml's own values back and clears what an earlier
    record left (publication types, retraction, errata, fetched_at), so a
    corrected or pinned identifier that does not resolve never shows another
    record's data.  A failure (``Resolution.failure``: transient or permanent),
    or a stated PMID that resolved before and that this run's replies left out,
    keeps the stored row as it was.
    Columns owned by other stages are left alone on rows that exist.
    """
    from .store import upsert_rows

    messages = []
    table = db["sources"]
    stored = {row["id"]: row for row in table.rows} if table.exists() else {}
    rows = []
    with db.atomic():
        for resolution in resolutions:
            entry = refset.source(resolution.key) if refset is not None else None
            old = stored.get(resolution.key)
            if (old and old.get("status") and old.get("status_reason") != NOT_YET
                    and (resolution.failure or _lacked_by_one_reply(entry, old, resolution))):
                messages.append(f"{resolution.key}: kept the stored {old['status']} row: "
                                f"{resolution.status_reason}")
                continue  # an outage, or one reply's omission, never undoes an earlier resolution
            row = {"id": resolution.key, "status": resolution.status,
                   "status_reason": resolution.status_reason,
                   "resolved_by": resolution.resolved_by, "failure": resolution.failure}
            if resolution.record is not None:
                if old is None and entry is not None:
                    row.update(_entry_columns(entry))
                row.update(_record_columns(resolution.record))
            else:
                if entry is not None:
                    row.update(_entry_columns(entry))
                row.update(NO_RECORD)
            row.update(evidence_columns(entry, resolution.record,
                                        getattr(refset, "level_map", None)))
            row.update(identity_columns(resolution, entry))
            messages.extend(_changes(resolution.key, old, row))
            rows.append(row)
        upsert_rows(table, rows, alter=True)
    return messages

