"""The reference set and its resolution in the database: one ``save_*`` per entity.

``save_reference_set`` writes references.yaml's documents, sources, citations,
claims and evidence declarations; ``save_resolutions`` writes what resolution
concluded into the sources rows and says what changed.  Both write whole sets
at once (``upsert_all``, ``insert_all``) inside ``db.atomic()``.  A build gives
``save_reference_set`` its resolutions: each sources row is then written once, as
the two saves in turn would leave it (20,000 new sources: 2.8–3.0 s against 5.0–6.3 s).
"""

import json

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from ..errors import IdentifierError
from ..evidence import choose_level, infer_level
from ..identity import verify_identity
from ..resolve.hints import normalised_ids, stated_ids
from . import TABLES, as_json, now_utc

NOT_YET = "not yet resolved"  # the placeholder a new sources row starts with
SOURCE_ENTRY_COLUMNS = ("title", "authors", "journal", "year", "volume", "issue", "pages")


def upsert_rows(table, rows, pk="id", alter=False, stored=None) -> None:
    """Upsert many rows at once, one ``upsert_all`` per set of columns.

    Rows that name different columns are never upserted together: a column a
    row leaves out keeps its stored value (``upsert_all`` would set it NULL
    for the rows of a batch that lack it).  Later rows of a key win.  With
    ``stored`` (the table's rows by key, as read before), a row that would store
    exactly what its stored row holds is not written: a rebuild that changed
    nothing rewrites no row, its indexes nor its full-text entries.
    """
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row), {})[row[pk]] = row
    for columns, by_key in groups.items():
        changed = [row for key, row in by_key.items()
                   if stored is None or not _holds(stored.get(key), row)]
        if changed:
            table.upsert_all(changed, pk=pk, alter=alter)


def _holds(stored_row, row) -> bool:
    """Whether ``stored_row`` (read from the table) already holds every value of ``row`` as
    ``upsert_all`` would store it (lists and dicts as JSON; true as 1)."""
    if stored_row is None:
        return False
    for column, value in row.items():
        if column not in stored_row:
            return False  # a column the table lacks: upsert_all adds it
        if stored_row[column] != jsonify_if_needed(value):
            return False
    return True


def save_reference_set(db: sqlite_utils.Database, refset, resolutions=None) -> list:
    """Write references.yaml's entries (a model.ReferenceSet) into the database.

    Upserts documents and sources by key and rewrites citations, claims,
    claim_sources and evidence_declarations from the set, inside one
    transaction; rows of entries that no longer exist are removed, so a re-run
    leaves no duplicates and no orphans.  The resolution columns of a source
    that already has a status (status, PubMed's metadata, fetched_at) are left
    alone; a new source starts 'unresolved'.

    With ``resolutions`` (a build's), each sources row is written once, holding what
    this save and then ``save_resolutions`` would leave, and what changed is returned
    (``save_resolutions``' messages); without, [].
    """
    documents = {d.id for d in refset.documents if not d.missing}  # a missing file: no rows
    sources = {s.key for s in refset.sources}
    existing = {row["id"]: row for row in db["sources"].rows} if db["sources"].exists() else {}
    messages = []
    with db.atomic():
        _remove_what_the_set_no_longer_holds(db, set(existing) - sources, documents)
        # a resolution's row has evidence columns of its own: those are not worked out twice
        rows = [_source_row(entry, existing.get(entry.key), refset.level_map,
                            evidence=resolutions is None) for entry in refset.sources]
        if resolutions is not None:
            rows, messages = _joined_with(rows, refset, resolutions, existing)
        upsert_rows(db["sources"], rows, alter=resolutions is not None, stored=existing)
        upsert_rows(db["documents"], [{
            "id": doc.id, "title": doc.title, "kind": doc.kind, "path": doc.path,
            "source_id": doc.source if doc.source in sources else None,
            "restates": doc.restates if doc.restates in documents else None,
            "sha256": doc.sha256} for doc in refset.documents if not doc.missing])
        _insert_sightings(db, refset.sources, documents)
        _insert_claims(db, refset.claims, documents, sources)
    return messages


def _joined_with(rows, refset, resolutions, existing) -> tuple:
    """(each of the set's sources ``rows`` joined with its resolution's row, what changed):
    the resolutions are judged against the rows as the set's save alone would leave them."""
    after_the_set = {row["id"]: {**existing.get(row["id"], {}), **row} for row in rows}
    resolved, messages = _resolution_rows(refset, resolutions, after_the_set)
    by_key = {row["id"]: row for row in resolved}
    joined = []
    for row in rows:
        resolution_row = by_key.pop(row["id"], None)
        if resolution_row is None:  # no resolution, or one that keeps the stored row
            resolution_row = _set_evidence(refset.source(row["id"]), existing.get(row["id"]),
                                           refset.level_map)
        joined.append({**row, **resolution_row})
    return joined + list(by_key.values()), messages


def _remove_what_the_set_no_longer_holds(db, gone_sources: set, documents: set) -> None:
    """Empty the tables rewritten whole from the set; delete sources and documents it dropped."""
    for table in ("claim_alignments", "claim_sources", "citations", "evidence_declarations",
                  "claims"):
        db.execute(f"DELETE FROM [{table}]")
    db.conn.executemany("DELETE FROM sources WHERE id = ?", [[key] for key in gone_sources])
    gone_documents = {r["id"] for r in db["documents"].rows} - documents
    db.conn.executemany("DELETE FROM documents WHERE id = ?", [[d] for d in gone_documents])


def _source_row(entry, old, level_map, evidence=True) -> dict:
    """The sources row of one entry.  ``old`` is its stored row (or None): once a source is
    resolved, its identifiers and metadata are resolution's, unless the curator pinned them.
    ``evidence``: with the evidence columns (``_set_evidence``)."""
    old = old or {}
    row = {"id": entry.key, "cited_as": entry.cited_as, "kind": entry.kind,
           "excluded": int(entry.exclude), "stale": int(entry.stale), "note": entry.note}
    resolved = old.get("status") in ("resolved", "conflict")
    for name in ("pmid", "doi", "pmcid"):
        value = getattr(entry, name)
        if not resolved or not old.get(name) or (entry.pinned and value):
            row[name] = value  # a pinned identifier wins; one a pin leaves out is the record's
    if not resolved:
        row.update({name: getattr(entry, name) for name in SOURCE_ENTRY_COLUMNS})
        row["authors"] = as_json(entry.authors) if entry.authors else None
    if not old.get("status"):
        row["status"] = "unresolved"
        row["status_reason"] = NOT_YET
    if entry.resolved_by and not old.get("resolved_by"):
        row["resolved_by"] = entry.resolved_by
    if evidence:
        row.update(_set_evidence(entry, old, level_map))
    return row


def _set_evidence(entry, old, level_map) -> dict:
    """The evidence columns of an entry whose stored row (``old``) resolution leaves as it is."""
    old = old or {}
    types = (json.loads(old["publication_types"]) if old.get("publication_types")
             and old.get("identity") != "mismatch" else None)  # another work's types: not these
    return evidence_columns(entry, None, level_map, publication_types=types)


def _insert_sightings(db, entries, documents: set) -> None:
    """citations (where each document cites each source) and evidence_declarations
    (the levels documents state), one row per document, source and line."""
    citations, declarations = {}, {}
    for entry in entries:
        for seen in entry.seen:
            if seen.document in documents:
                citations.setdefault((seen.document, entry.key, seen.line), {
                    "document_id": seen.document, "source_id": entry.key,
                    "label": seen.label, "line": seen.line, "raw": seen.raw})
        for level in entry.declared_levels:
            if level.document in documents:
                declarations[(entry.key, level.document, level.line)] = {
                    "source_id": entry.key, "document_id": level.document,
                    "line": level.line, "level": level.level, "label": level.label,
                    "scheme": level.scheme}
    db["citations"].insert_all(citations.values(), pk=TABLES["citations"][1])
    db["evidence_declarations"].insert_all(declarations.values(),
                                           pk=TABLES["evidence_declarations"][1])


def _insert_claims(db, claims, documents: set, sources: set) -> None:
    """claims and claim_sources; a stale or excluded claim stays in references.yaml only."""
    claim_rows, links = [], {}
    for claim in claims:
        if claim.document not in documents or claim.stale or claim.exclude:
            continue
        claim_rows.append({"id": claim.id, "document_id": claim.document,
                           "section": claim.section, "text": claim.text,
                           "line": claim.line, "evidence_level": claim.level,
                           "markers_without_entry": as_json(claim.markers_without_entry or None)})
        for key in claim.sources:
            if key in sources:
                links[(claim.id, key)] = {"claim_id": claim.id, "source_id": key}
    db["claims"].insert_all(claim_rows, pk="id")
    db["claim_sources"].insert_all(links.values(), pk=TABLES["claim_sources"][1])


# ---------------------------------------------------------------- resolutions

def evidence_columns(entry, record=None, level_map=None, publication_types=None) -> dict:
    """evidence_level and its basis: curator > declared (weakest stated, flagged when the
    documents disagree) > inferred from the record's publication types (else
    ``publication_types``, those stored) and title through ``level_map`` (the project's
    evidence-levels.yaml; the package's map when None)."""
    declared = []
    for item in (entry.declared_levels if entry else []) or []:
        level = item.get("level") if isinstance(item, dict) else item.level
        if level is not None:
            declared.append(int(level))
    declared_level = max(declared) if declared else None
    types = list(record.publication_types) if record else list(publication_types or [])
    inferred_level, _rule = infer_level(
        publication_types=types,
        title=(record.title if record else None) or (entry.title if entry else None),
        kind=entry.kind if entry else None, mapping=level_map)
    level, basis, disagreement = choose_level(entry.level if entry else None, declared_level,
                                              inferred_level)
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
        pmid, doi = normalised_ids(entry)
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
        pmid = stated_ids(entry)[0]
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
    table = db["sources"]
    stored = {row["id"]: row for row in table.rows} if table.exists() else {}
    with db.atomic():
        rows, messages = _resolution_rows(refset, resolutions, stored)
        upsert_rows(table, rows, alter=True, stored=stored)
    return messages


def _resolution_rows(refset, resolutions, stored) -> tuple:
    """(the sources rows the resolutions make, what changed), ``stored`` the rows by key."""
    messages, rows = [], []
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
        identity = identity_columns(resolution, entry)
        # a record that is another work (a mismatch) says nothing of this one's evidence
        row.update(evidence_columns(entry, None if identity["identity"] == "mismatch"
                                    else resolution.record,
                                    refset.level_map if refset is not None else None))
        row.update(identity)
        messages.extend(_changes(resolution.key, old, row))
        rows.append(row)
    return rows, messages
