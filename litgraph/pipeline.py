"""Run the stages in order: the orchestration the CLI commands share.

Each ``run_*`` function takes paths and an EntrezClient, calls the stage
modules, and returns a StageReport that the CLI prints as text or JSON.
"""

import functools
import inspect
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .collector import without_cyclic_gc
from .errors import DatabaseError, ReferencesFileError
from .store import build_lock, now_utc, open_db, set_build_info


def database_errors(stage):
    """Report SQLite's own failures (disk full, I/O error) as one DatabaseError naming the file."""
    @functools.wraps(stage)
    def run(*args, **kwargs):
        try:
            return stage(*args, **kwargs)
        except sqlite3.Error as exc:
            db_path = inspect.signature(stage).bind(*args, **kwargs).arguments.get("db_path")
            raise DatabaseError(f"cannot write database {db_path}: {exc}") from exc
    return run


@dataclass
class StageReport:
    """What a stage did, as counts and messages for people and machines."""

    stage: str
    counts: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)
    parts: list = field(default_factory=list)  # reports of sub-stages (build)
    error: str = None  # set when the stage failed as a whole (an outage): the CLI exits non-zero
    seconds: float = None  # wall time, where the stage measured it (build's parts)

    def as_dict(self) -> dict:
        out = {"stage": self.stage, "counts": self.counts, "messages": self.messages}
        if self.seconds is not None:
            out["seconds"] = round(self.seconds, 2)
        if self.error:
            out["error"] = self.error
        if self.parts:
            out["stages"] = [p.as_dict() for p in self.parts]
        return out

    def summary(self) -> str:
        lines = []
        for part in self.parts or [self]:
            counts = ", ".join(f"{k}: {v}" for k, v in part.counts.items())
            lines.append(f"{part.stage}: {counts}" if counts else part.stage)
            lines.extend(f"  {m}" for m in part.messages)
        return "\n".join(lines)


@database_errors
@without_cyclic_gc()
def run_resolve(db_path, references_path, client, refresh=False, max_age="30d", progress=False):
    """Load references.yaml into the database and resolve its sources."""
    from .references import record_resolutions

    refset = load_reference_set(references_path)
    resolved = resolve_and_save(db_path, references_path, client, refset, refresh=refresh,
                                max_age=max_age, progress=progress)
    record_resolutions(references_path, resolved.resolutions, refset)
    return resolved.report


def load_reference_set(references_path, refset=None):
    """references.yaml's entries (``refset``, when the caller has them in memory already) with
    the project's evidence levels; ReferencesFileError for a file that would empty the database."""
    from .evidence import load_level_map
    from .references import read_reference_set

    if refset is None:
        require_references_file(references_path)
        refset = read_reference_set(references_path)
    refset.level_map = load_level_map(references_path)  # a curator's evidence-levels.yaml wins
    if not refset.documents and not refset.sources:
        # Saving it would empty the database: a truncated or mistyped file, not a wish.
        raise ReferencesFileError(f"{references_path}: holds no documents and no sources; "
                                  "nothing stored was changed (run `litgraph extract` first)")
    return refset


def require_references_file(references_path) -> None:
    """ReferencesFileError unless references.yaml is there: an empty reference set would
    empty the database, so a mistyped path is refused (before anything is opened)."""
    if not Path(references_path).is_file():
        raise ReferencesFileError(f"{references_path}: no such file; run `litgraph extract` "
                                  "first or pass --references")


@dataclass
class Resolved:
    """What ``resolve_and_save`` did: its report, and each source's Resolution."""

    report: StageReport
    resolutions: list


def resolve_and_save(db_path, references_path, client, refset, refresh=False, max_age="30d",
                     progress=False, before_saving=None, link_names=()) -> Resolved:
    """Resolve ``refset``'s sources, then save the set, its resolution and the alignments.

    ``before_saving`` (when given) is called between the two with the resolutions: the build
    writes references.yaml there, so that the database never holds a merge the file refused.
    ``link_names`` are asked ahead for the graph stage (``resolve_sources``).
    """
    from .resolve import resolve_sources
    from .store.sources import save_reference_set

    db = open_db(db_path)
    # Ask E-utilities first: if it cannot be reached at all, nothing stored has changed.
    resolutions = resolve_sources(refset.sources, client, progress=progress, refresh=refresh,
                                  max_age=max_age, db=db, link_names=link_names)
    if before_saving is not None:
        before_saving(resolutions)
    with db.atomic():  # the reference set, its resolution and the alignments land together
        # No earlier build's stamp stands for the rows saved here: a build killed before it
        # stamps them, or `litgraph resolve` run alone (another file, a refresh), leaves the
        # next build to resolve again.
        set_build_info(db, resolve_inputs="")
        # saving the set clears the alignments; when nothing they follow from changed, these
        # rows (a few per restating sentence) are stored again instead of aligning again
        aligned_before = list(db["claim_alignments"].rows) if db["claim_alignments"].exists() \
            else []
        changes = save_reference_set(db, refset, resolutions)  # each source's row written once
        aligned = run_align(db, refset, Path(references_path).resolve().parent, aligned_before)
    set_build_info(db, resolved_at=now_utc(),
                   eutils=("E-utilities stand-in: fixture records, not NCBI"
                           if client.stand_in else client.base_url))
    report = StageReport("resolve")
    for r in resolutions:
        report.counts[r.status] = report.counts.get(r.status, 0) + 1
    if resolutions and not report.counts.get("resolved") and client.stats.get("failures"):
        report.error = ("E-utilities failed and no source resolved "
                        f"({client.stats['failures']} requests failed; last: {client.last_failure}); "
                        "earlier resolutions were kept, try again later")
    report.counts["requests"] = client.stats.get("network_requests", 0)
    report.counts["cache_hits"] = client.stats.get("cache_hits", 0)
    report.messages.extend(changes or [])
    if aligned.get("sentences"):
        report.messages.append(
            "restatements: " + ", ".join(f"{k} {aligned[k]}" for k in
                                         ("sentences", "supported", "number-mismatch",
                                          "uncited-in-source", "unsupported") if k in aligned))
    return Resolved(report, resolutions)


def run_align(db, refset, base_dir, aligned_before=()) -> dict:
    """Align every document that restates another, unless nothing alignment reads changed
    since it last did (``align.storage.alignment_inputs_stamp``): then ``aligned_before``,
    the rows stored then, are stored again.

    Thresholds come from references.yaml's ``settings: restatement:`` mapping.
    """
    import json

    from .align.storage import align_documents, alignment_inputs_stamp, save_alignments
    from .kept import package_digest
    from .store import build_info_in

    thresholds = (refset.settings or {}).get("restatement")
    stamp = alignment_inputs_stamp(db, thresholds, base_dir, code=package_digest())
    stored = build_info_in(db)
    if stored.get("align_inputs") == stamp and stored.get("align_counts"):
        save_alignments(db, list(aligned_before))  # the rows aligning again would store
        return json.loads(stored["align_counts"])
    counts = align_documents(db, thresholds, base_dir=base_dir)
    set_build_info(db, align_inputs=stamp, align_counts=json.dumps(counts))
    return counts


@database_errors
@without_cyclic_gc()
def run_graph(db_path, client, depth=1, cap=500, progress=False, **engine_options):
    """Build the citation graph and its metrics in the database.

    ``engine_options`` go to ``build_graph``: ``engine``, ``links_from``,
    ``bulk_scope``, ``spark_master``, ``spark_mode``, ``build_info``.
    """
    from .graph import build_graph

    db = open_db(db_path)
    messages = []
    counts = build_graph(db, client, depth=depth, cap=cap, progress=progress, messages=messages,
                         **engine_options)
    set_build_info(db, graph_built_at=now_utc())
    return StageReport("graph", counts=dict(counts), messages=messages)


@database_errors
@without_cyclic_gc()
def run_build(paths, db_path, references_path, client, depth=1, cap=500, progress=False):
    """extract + resolve + graph, holding the database's build lock throughout.

    Each part's report holds its wall time: extract's reading and merging of the
    documents; resolve's E-utilities requests, the references.yaml write and the database
    saves; the graph's, with the wait for a write-back in a thread.

    When extract changed references.yaml, the file is written once resolution has
    answered, with the identifiers it found added (the database is saved only once the
    file is written); should resolution fail, extract's version is written alone.  When
    extract changed nothing, the write-back of identifiers runs in a thread during the
    graph's requests.  Either is written before the build returns, or fails.

    Each stage is skipped when nothing it reads changed since it last ran without a
    failure: extract and resolve by the stamps of their inputs (resolve also while every
    cached reply it used is still reused), the graph by ``graph_inputs_stamp``.
    """
    import json
    import time
    from concurrent.futures import ThreadPoolExecutor

    from .references import (NAMES_NO_ENTRY, add_found_identifiers, extract_inputs,
                             extract_inputs_stamp, inputs_stamp, merge_documents,
                             record_resolutions, write_merged)
    from .store import get_build_info

    with build_lock(db_path), ThreadPoolExecutor(1, thread_name_prefix="litgraph-write") as writer:
        # When nothing extract reads changed since the last build (documents, references.yaml
        # as that build left it, litgraph's files), extract would change nothing: skip it.
        started = time.perf_counter()
        inputs = extract_inputs(paths, references_path)
        stamp = inputs_stamp(inputs)
        # What the files should hash to once the build is done: as they were when it began,
        # references.yaml as litgraph writes it.  Anything else was saved during the build.
        expected = [stamp]

        def wrote(holds):
            if holds:
                expected[0] = inputs_stamp({**inputs, "references.yaml": holds})

        stored = get_build_info(db_path)
        refset, pending = None, []  # pending: extract's merge, not yet written
        if stored.get("extract_inputs") == stamp and stored.get("extract_counts"):
            # what references.yaml holds, as the last build counted it; nothing is new
            extract_counts = {**json.loads(stored["extract_counts"]), "new_sources": 0}
            about_documents = json.loads(stored.get("extract_not_read") or "[]")
        else:
            from .extract.cache import ExtractionCache, cache_path_for

            cache = ExtractionCache(cache_path_for(db_path))
            try:
                merged = merge_documents(paths, references_path, cache)
            finally:
                cache.close()
            extract_counts = merged.report.counts
            # the files of a folder extract did not read, one line each with the reason, and
            # the documents whose markers name no entry: said again while extract is skipped
            about_documents = [m for m in merged.report.messages
                               if ": not read (" in m or NAMES_NO_ENTRY in m]
            refset = merged.reference_set()  # as the file will read, not read a second time
            pending.append(merged)
            del merged

        def write_extract(resolutions=None):
            """Write extract's merge (once), with what resolution found when it answered."""
            while pending:
                merged = pending.pop()
                if resolutions is not None:
                    add_found_identifiers(merged, resolutions)
                wrote(write_merged(merged).holds)

        found_written = bool(pending)  # unless resolution fails, the one write holds both
        # When extract read the documents, the graph will most likely be built again: its
        # elink requests are asked ahead, beside resolution's efetch (in a rebuild where
        # nothing changed, they would be read from the cache and parsed for nothing).
        link_names = ()
        if pending and client is not None:
            from .entrez import GRAPH_LINK_NAMES

            link_names = GRAPH_LINK_NAMES
        extracted = time.perf_counter()
        # Neither references.yaml nor the documents changed since a resolution that met no
        # failure: resolving again would read the same replies and store the same rows.
        kept = not pending and _resolved_as_before(
            stored, resolve_inputs_stamp(stamp, references_path, client))
        try:
            if kept:
                counts = {**json.loads(stored["resolve_counts"]), "requests": 0, "cache_hits": 0}
                resolved = Resolved(StageReport("resolve", counts=counts,
                                                messages=[RESOLVE_KEPT]), [])
            else:
                refset = load_reference_set(references_path, refset)
                resolved = resolve_and_save(db_path, references_path, client, refset,
                                            progress=progress, before_saving=write_extract,
                                            link_names=link_names)
        finally:
            write_extract()  # extract's version is written whatever resolution did
        clean = not kept and not client.stats.get("failures") and resolved.report.error is None
        # The write-back needs the identifiers alone: the records' memory goes to the graph.
        found = [found_identifiers(r) for r in resolved.resolutions]
        resolved.resolutions = None
        written_back = None
        if not found_written and not kept:
            written_back = writer.submit(record_resolutions, references_path, found, refset)
        graph_started = time.perf_counter()
        resolved.report.seconds = graph_started - extracted
        try:
            graphed = _graph_unless_unchanged(db_path, client, depth, cap, progress)
        finally:
            if written_back is not None:
                wrote(written_back.result())
        graphed.seconds = time.perf_counter() - graph_started
        client.settle_ahead()  # links asked ahead that no stage took: done, then stamped
        final = extract_inputs_stamp(paths, references_path)
        if final != expected[0]:  # a document or references.yaml saved during the build:
            final = ""            # the next one reads them again, and resolves
        _stamp_resolution(open_db(db_path), client, resolved.report,
                          resolve_inputs_stamp(final, references_path, client), kept=kept,
                          clean=clean)
        set_build_info(open_db(db_path), built_at=now_utc(),  # status reads requests, cache_hits
                       requests=client.stats.get("network_requests", 0),
                       cache_hits=client.stats.get("cache_hits", 0),
                       extract_inputs=final,
                       extract_counts=json.dumps(extract_counts),
                       extract_not_read=json.dumps(about_documents))
    extract_report = StageReport("extract", counts=extract_counts, messages=about_documents,
                                 seconds=extracted - started)
    return StageReport("build", parts=[extract_report, resolved.report, graphed],
                       seconds=time.perf_counter() - started)


RESOLVE_KEPT = "unchanged since the last build: not resolved again"


def resolve_inputs_stamp(extract_stamp, references_path, client) -> str:
    """A SHA-256 of what resolution reads: ``extract_stamp`` (the documents, references.yaml
    and litgraph's files), the evidence-level mapping that applies, the E-utilities service,
    and which replies its cache holds.  "" (no stamp: resolution asks again) without
    ``extract_stamp`` or without a cache."""
    import hashlib

    from .evidence import mapping_path

    if not extract_stamp or not client.cache_path:
        return ""
    digest = hashlib.sha256(extract_stamp.encode())
    digest.update(b"\0levels\0" + mapping_path(references_path).read_bytes())
    digest.update(b"\0service\0" + str(client.service).encode())
    digest.update(b"\0cache\0" + client.cached_replies().encode())
    return digest.hexdigest()


def _stamp_resolution(db, client, report, stamp, kept, clean) -> None:
    """Record what the next build compares with (``_resolved_as_before``): ``stamp``, taken
    as the cache is now (the graph may have added replies), unless the resolution met a
    failure; with a resolution that ran, its counts and when a reply it used stops being
    reused."""
    import json

    if kept:
        set_build_info(db, resolve_inputs=stamp)
        return
    counts = {k: v for k, v in report.counts.items() if k not in ("requests", "cache_hits")}
    expiry = client.earliest_expiry
    set_build_info(db, resolve_inputs=stamp if clean else "", resolve_counts=json.dumps(counts),
                   resolve_reused_until=expiry.isoformat() if expiry else "")


def _resolved_as_before(stored: dict, stamp: str) -> bool:
    """Whether the last build resolved these very inputs, met no failure, and every reply it
    used is still reused from the cache."""
    from datetime import datetime, timezone

    from .store import stored_time

    if not stamp or stored.get("resolve_inputs") != stamp or not stored.get("resolve_counts"):
        return False
    until = stored.get("resolve_reused_until")
    if not until:
        return True  # none of the replies used stops being reused
    moment = stored_time(until)  # None: not a time litgraph wrote, so ask again
    return moment is not None and datetime.now(timezone.utc) < moment


@dataclass(frozen=True)
class FoundIdentifiers:
    """The identifiers of a resolved record, all that writing them back needs of it."""

    pmid: str = None
    doi: str = None
    pmcid: str = None


def found_identifiers(resolution):
    """``resolution`` with its record reduced to FoundIdentifiers."""
    from dataclasses import replace

    record = resolution.record
    if record is None:
        return resolution
    return replace(resolution, record=FoundIdentifiers(record.pmid, record.doi, record.pmcid))


def _graph_unless_unchanged(db_path, client, depth, cap, progress) -> StageReport:
    """The graph stage, or its last report when nothing it reads changed.

    The graph is a function of the sources, documents and citations just stored, the
    options, the E-utilities service (its replies cached) and litgraph's files: when none
    changed since a graph that met no failure, building it again would store the same rows.
    """
    import json

    from .store import get_build_info

    db = open_db(db_path)
    graph_stamp = graph_inputs_stamp(db, client, depth=depth, cap=cap)
    stored = get_build_info(db_path)
    if stored.get("graph_inputs") == graph_stamp and stored.get("graph_counts"):
        return StageReport("graph", counts=json.loads(stored["graph_counts"]),
                           messages=["unchanged since the last build: not rebuilt"])
    # no earlier stamp stands for the graph saved next: cleared in the save's own transaction
    graphed = run_graph(db_path, client, depth=depth, cap=cap, progress=progress,
                        build_info={"graph_inputs": ""})
    done = not graphed.messages  # a failed E-utilities call is asked again next time
    set_build_info(db, graph_inputs=graph_stamp if done else "",
                   graph_counts=json.dumps(graphed.counts))
    return graphed


def graph_inputs_stamp(db, client, **options) -> str:
    """A SHA-256 of everything the graph stage reads: store.GRAPH_COLUMNS of the rows a build
    stored, the options, the E-utilities service whose cached replies it reads, and
    litgraph's files (``kept.package_digest``)."""
    import hashlib

    from .kept import package_digest
    from .store import GRAPH_COLUMNS, graph_rows

    digest = hashlib.sha256(package_digest().encode())
    digest.update(repr(sorted(options.items())).encode())
    digest.update(b"\0service\0" + str(client.service if client is not None else "-").encode())
    for table in GRAPH_COLUMNS:
        digest.update(b"\0table\0" + table.encode())
        for row in graph_rows(db, table):
            digest.update(repr(row).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
