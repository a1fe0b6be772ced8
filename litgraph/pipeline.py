"""Run the stages in order: the orchestration the CLI commands share.

Each ``run_*`` function takes paths and an EntrezClient, calls the stage
modules, and returns a StageReport that the CLI prints as text or JSON.
"""

import functools
import inspect
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

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

    def as_dict(self) -> dict:
        out = {"stage": self.stage, "counts": self.counts, "messages": self.messages}
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
def run_resolve(db_path, references_path, client, refresh=False, max_age="30d", progress=False):
    """Load references.yaml into the database and resolve its sources."""
    from .evidence import load_level_map
    from .references import read_reference_set, record_resolutions
    from .resolve import resolve_sources, save_resolutions
    from .store import save_reference_set

    if not Path(references_path).is_file():
        # An empty reference set would empty the database: refuse a mistyped path.
        raise ReferencesFileError(f"{references_path}: no such file; run `litgraph extract` first "
                                  "or pass --references")
    refset = read_reference_set(references_path)
    refset.level_map = load_level_map(references_path)  # a curator's evidence-levels.yaml wins
    if not refset.documents and not refset.sources:
        # Saving it would empty the database: a truncated or mistyped file, not a wish.
        raise ReferencesFileError(f"{references_path}: holds no documents and no sources; "
                                  "nothing stored was changed (run `litgraph extract` first)")
    db = open_db(db_path)
    # Ask E-utilities first: if it cannot be reached at all, nothing stored has changed.
    resolutions = resolve_sources(refset.sources, client, progress=progress, refresh=refresh,
                                  max_age=max_age, db=db)
    with db.atomic():  # the reference set, its resolution and the alignments land together
        save_reference_set(db, refset)
        changes = save_resolutions(db, refset, resolutions)
        aligned = run_align(db, refset, Path(references_path).resolve().parent)
    record_resolutions(references_path, resolutions, refset)
    set_build_info(db, resolved_at=now_utc(),
                   eutils=("E-utilities stand-in: fixture records, not NCBI"
                           if getattr(client, "stand_in", False) else client.base_url))
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
    return report


def run_align(db, refset, base_dir) -> dict:
    """Align every document that restates another (claims were just saved, so realign).

    Thresholds come from references.yaml's ``settings: restatement:`` mapping.
    """
    from .align.storage import align_documents

    thresholds = (refset.settings or {}).get("restatement")
    return align_documents(db, thresholds, base_dir=base_dir)


@database_errors
def run_graph(db_path, client, depth=1, cap=500, progress=False, **engine_options):
    """Build the citation graph and its metrics in the database.

    ``engine_options`` go to ``build_graph``: ``engine``, ``links_from``,
    ``bulk_scope``, ``spark_master``.
    """
    from .graph import build_graph

    db = open_db(db_path)
    messages = []
    counts = build_graph(db, client, depth=depth, cap=cap, progress=progress, messages=messages,
                         **engine_options)
    set_build_info(db, graph_built_at=now_utc())
    return StageReport("graph", counts=dict(counts), messages=messages)


@database_errors
def run_build(paths, db_path, references_path, client, depth=1, cap=500, progress=False):
    """extract + resolve + graph, holding the database's build lock throughout."""
    import json

    from .references import extract_inputs_stamp, update_from_documents
    from .store import get_build_info

    with build_lock(db_path):
        # When nothing extract reads changed since the last build (documents, references.yaml
        # as that build left it, litgraph's code), extract would change nothing: skip it.
        stamp = extract_inputs_stamp(paths, references_path)
        stored = get_build_info(db_path)
        if stored.get("extract_inputs") == stamp and stored.get("extract_counts"):
            extract_counts = json.loads(stored["extract_counts"])
            not_read = json.loads(stored.get("extract_not_read") or "[]")
        else:
            extracted = update_from_documents(paths, references_path)
            extract_counts = extracted.counts
            # the files of a folder extract did not read, one line each with the reason
            not_read = [m for m in extracted.messages if ": not read (" in m]
        resolved = run_resolve(db_path, references_path, client, progress=progress)
        graphed = run_graph(db_path, client, depth=depth, cap=cap, progress=progress)
        set_build_info(open_db(db_path), built_at=now_utc(),  # status reads requests, cache_hits
                       requests=client.stats.get("network_requests", 0),
                       cache_hits=client.stats.get("cache_hits", 0),
                       extract_inputs=extract_inputs_stamp(paths, references_path),
                       extract_counts=json.dumps(extract_counts),
                       extract_not_read=json.dumps(not_read))
    extract_report = StageReport("extract", counts=extract_counts, messages=not_read)
    return StageReport("build", parts=[extract_report, resolved, graphed])
