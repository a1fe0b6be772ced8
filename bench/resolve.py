"""Benchmark: resolve N synthetic references against the stand-in, library and CLI, with the honest bound.

Usage:
    python bench/resolve.py [--n 5000] [--rate 3|10] [--latency 120] [--no-cli] [--repeat 1]
                            [--batch-sizes efetch=2500,...] [--sweep 'SPEC;SPEC']

The references are synthetic (records of ``litgraph.stub.synthetic``: PMIDs
from 900,000,001, DOIs under the 10.5555 test prefix): 70% carry a PMID, 20% a
DOI, 10% a journal citation (journal, year, volume, first page).  The
stand-in runs as its own process (``litgraph stub --synthetic N``) and
enforces the rate limit (HTTP 429 above ``--rate`` requests/s) and a fixed
latency per answer.

Runs, each counted by the stand-in (``/_stats``):

- library cold: a new cache; ``resolve_sources`` then elink of every resolved
  PMID for both link names (pubmed_pubmed_refs, pubmed_pubmed_citedin).  As in
  ``litgraph build``, resolution asks elink ahead for every PMID it fetches,
  beside efetch, and ``client.links`` takes those answers (``--links-after``:
  elink only once resolution is done; "resolution alone" then excludes elink);
- library warm: the same with the cache the cold run filled;
- CLI cold: ``litgraph build`` as its own process over synthetic documents
  (500 references each) citing the same N records, a new cache and database;
- CLI rebuild: ``litgraph build`` again (the first rebuild after a cold one: nothing it
  reads changed, so it resolves nothing again);
- CLI warm rebuild: a curator's note added to one source of references.yaml, then
  ``litgraph build``: every source is resolved again from the warm cache (parsed, checked
  and saved), the graph kept; ``--repeat`` times, the note rewritten each time (the
  median run reported, every wall time beside it);
- CLI rebuild after an edit: one sentence citing a listed reference added to one
  document, then ``litgraph build``: extract reads every document and merges into
  references.yaml, the stages after it run again, their replies from the cache.

The honest bound is what no client can beat: the fewest requests the work
needs at NCBI's largest batch sizes (1 ECitMatch; esearch and efetch at
10,000 IDs; elink at 10,000 IDs per link name: NCBI publishes no elink
maximum, and one request per link name, since leaving the link name out
returns every PubMed link set, similar articles included) divided by the
rate, plus one latency.  The stand-in serializes its answers before the
clock starts (``POST /_prerender``): its own Python time is not NCBI's.
Reported: requests by endpoint, 429s, wall times (median of ``--repeat`` runs),
ratios to the bound, the CLI beside the library, and peak memory (this process
for the library, after its first run: the runs after it add only this process's
fragmentation, printed beside it; each CLI process by wait4, from a small launcher process: a
child forked from this one would count this one's memory as its own), each
with the peak of the parser process it started (``litgraph.entrez.parser``:
the client's own report for the library, /proc for the CLI).  The target holds
the library's two peaks added, and for a CLI the larger of its own exact peak
and the resident memory of it and its parser process at one moment (read every
50 ms).
"""

import argparse
import json
import logging
import math
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (WORK_DIR, Launcher, LitgraphProcess, cpu_seconds,  # noqa: E402
                    finish, free_port, peak_rss_mb, process_cpu_seconds, stopwatch, verdict)

LINK_NAMES = ("pubmed_pubmed_refs", "pubmed_pubmed_citedin")
NCBI_MAX_IDS = 10000  # efetch/esearch retmax: NCBI's largest batch
TARGET_BOUND_RATIO = 1.2
TARGET_WARM_S = 5.0
TARGET_WARM_N = 5000  # ... for a rebuild of this many references
TARGET_CLI_TO_LIBRARY = 1.3
TARGET_PEAK_MB = 500
PER_DOCUMENT = 500
CPU_PARTS = {"client": "client", "parser_process": "parser process", "stand_in": "stand-in"}
BENCH_KEY = "bench-not-a-real-key"  # the stand-in allows 10/s to a key, 3/s without one


# ------------------------------------------------------------------ the references

def synthetic_references(n: int) -> list:
    """N SourceEntry values over the synthetic corpus: 70% PMID, 20% DOI, 10% citation."""
    from litgraph.model import SourceEntry
    from litgraph.stub.synthetic import synthetic_records

    sources = []
    for i, record in enumerate(synthetic_records(n)):
        kind = i % 10  # 0..6 PMID, 7..8 DOI, 9 citation: the 70/20/10 mix, evenly spread
        key = f"synthetic-{record.pmid}"
        if kind < 7:
            sources.append(SourceEntry(key=key, pmid=record.pmid, cited_as=f"PMID {record.pmid}"))
        elif kind < 9:
            sources.append(SourceEntry(key=key, doi=record.doi, cited_as=f"doi:{record.doi}"))
        else:
            author = record.authors[0]
            name = f"{author.last_name} {author.initials}"
            sources.append(SourceEntry(
                key=key, title=record.title, authors=[name], journal=record.journal_iso,
                year=record.year, volume=record.volume, pages=record.pages, kind="article",
                cited_as=f"{name}. {record.title}. {record.journal_iso}. {record.year};"
                         f"{record.volume}:{record.pages}."))
    return sources


def kind_of(source) -> str:
    return "pmid" if source.pmid else "doi" if source.doi else "citation"


# ------------------------------------------------------------------ the stand-in

class StandIn:
    """A stand-in serving on ``port`` of this machine: its address, counts and pre-rendering."""

    def __init__(self, port: int):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/entrez/eutils/"

    @property
    def stats_url(self):
        return f"http://127.0.0.1:{self.port}/_stats"

    def stats(self) -> dict:
        import requests

        return requests.get(self.stats_url, timeout=10).json()

    def prerender(self) -> float:
        """Have the stand-in serialize every answer fragment now (uncounted, unthrottled), so
        its own Python time is not charged to the client measured; returns the seconds."""
        import requests

        with stopwatch() as watch:
            requests.post(f"http://127.0.0.1:{self.port}/_prerender", timeout=600).raise_for_status()
        return round(watch.seconds, 2)


class StandInProcess(StandIn, LitgraphProcess):
    """``litgraph stub`` with a synthetic corpus, rate limit and latency, in its own process."""

    def __init__(self, synthetic: int, rate: int, latency_ms: int, log_path: Path):
        StandIn.__init__(self, free_port())
        LitgraphProcess.__init__(self, ["stub", "--port", str(self.port), "--rate-limit", str(rate),
                                        "--latency-ms", str(latency_ms), "--synthetic", str(synthetic)],
                                 log_path, self.stats_url)


def endpoint_counts(stats: dict) -> dict:
    """Per-endpoint request counts out of /_stats (the stand-in's own tally)."""
    counts = stats.get("by_endpoint", stats) if isinstance(stats, dict) else {}
    return {k: v for k, v in counts.items() if isinstance(v, int) and k.endswith((".fcgi", ".cgi"))}


def count_429(stats: dict) -> int:
    for key in ("429", "rate_limited", "throttled", "http_429"):
        value = stats.get(key) if isinstance(stats, dict) else None
        if isinstance(value, int):
            return value
        if isinstance(stats.get("statuses"), dict):
            return int(stats["statuses"].get("429", 0))
    return 0


def delta(after: dict, before: dict) -> dict:
    out = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    return {k: v for k, v in sorted(out.items()) if v}


# ------------------------------------------------------------------ litgraph's client

def litgraph_run(stand_in, sources, cache_path: Path, rate: int, batch_sizes=None,
                 ahead=True) -> dict:
    """Resolve every source and link every resolved PMID; return figures of the run.

    ``ahead``: resolution asks elink ahead for every PMID it fetches (as ``litgraph build``
    does), and ``client.links`` takes those answers; else elink is asked after resolution."""
    from litgraph.entrez import EntrezClient
    from litgraph.resolve import resolve_sources

    before = stand_in.stats()
    key = BENCH_KEY if rate == 10 else None  # 10/s with a key, 3/s without, as at NCBI
    stand_in_pid = getattr(getattr(stand_in, "process", None), "pid", None)
    cpu_before = (cpu_seconds(), cpu_seconds(children=True),
                  process_cpu_seconds(stand_in_pid) if stand_in_pid else None)
    with EntrezClient(stand_in.base_url, cache_path=cache_path, api_key=key,
                      batch_sizes=batch_sizes) as client:
        with stopwatch() as watch:
            with stopwatch() as resolve_watch:
                resolutions = resolve_sources(sources, client,
                                              link_names=LINK_NAMES if ahead else ())
            pmids = sorted({str(r.record.pmid) for r in resolutions
                            if r.status == "resolved" and r.record is not None})
            found = client.links(pmids, LINK_NAMES)  # both link names' batches in flight together
            links = sum(len(v) for by_pmid in found.values() for v in by_pmid.values())
    stats = dict(client.stats)  # once closed: with its parser process's peak
    cpu = {"client": cpu_seconds() - cpu_before[0],
           # the parser processes this run started have ended (the client closed them)
           "parser_process": cpu_seconds(children=True) - cpu_before[1]}
    if cpu_before[2] is not None:
        cpu["stand_in"] = (process_cpu_seconds(stand_in_pid) or 0) - cpu_before[2]
    after = stand_in.stats()
    by_status = {}
    by_kind = {}
    kinds = {s.key: kind_of(s) for s in sources}
    for r in resolutions:
        by_status[r.status] = by_status.get(r.status, 0) + 1
        if r.status == "resolved":
            by_kind[kinds[r.key]] = by_kind.get(kinds[r.key], 0) + 1
    return {
        "wall_s": round(watch.seconds, 2),
        "resolve_s": round(resolve_watch.seconds, 2),
        "links_s": round(watch.seconds - resolve_watch.seconds, 2),
        "server_requests_by_endpoint": delta(endpoint_counts(after), endpoint_counts(before)),
        "server_429": count_429(after) - count_429(before),
        "client_network_requests": stats.get("network_requests", 0),
        "client_requests_by_endpoint": dict(sorted(stats.get("by_endpoint", {}).items())),
        "client_cache_hits": stats.get("cache_hits", 0),
        "client_retries": stats.get("retries", 0),
        "statuses": by_status,
        "resolved_by_kind": by_kind,
        "resolved_pmids": len(pmids),
        "links": links,
        "parser_peak_rss_mb": stats.get("parser_peak_rss_mb", 0),
        "cpu_s": {k: round(v, 2) for k, v in cpu.items()},
    }


# ------------------------------------------------------------------ the honest bound

def honest_bound(mix: dict, rate: float, latency_ms: int) -> dict:
    """The fewest requests for the work at NCBI's largest batches, over the rate, plus one latency."""
    pmids = mix["pmid"] + mix["doi"] + mix["citation"]  # every reference resolves to a PMID
    requests_needed = {
        "ecitmatch.cgi": 1 if mix["citation"] else 0,
        "esearch.fcgi": math.ceil(mix["doi"] / NCBI_MAX_IDS),
        "efetch.fcgi": math.ceil(pmids / NCBI_MAX_IDS),
        "elink.fcgi": len(LINK_NAMES) * math.ceil(pmids / NCBI_MAX_IDS),
    }
    resolve_only = {k: v for k, v in requests_needed.items() if k != "elink.fcgi"}
    total = sum(requests_needed.values())
    # Not in the bound: a DOI or citation must be answered before its PMID can be fetched or
    # linked, so no client finishes before two latencies (litgraph's order, search then efetch
    # then elink, takes three).
    return {"requests": requests_needed, "requests_total": total,
            "seconds": round(total / rate + latency_ms / 1000, 3),
            "resolve_seconds": round(sum(resolve_only.values()) / rate + latency_ms / 1000, 3),
            "two_latencies_seconds": round(2 * latency_ms / 1000, 3)}


# ------------------------------------------------------------------ the CLI as a process

def write_documents(folder: Path, n: int, per_document: int = PER_DOCUMENT) -> None:
    """Synthetic documents citing the N synthetic records, ``per_document`` references each,
    in the same 70/20/10 mix (PMID, DOI, journal citation only)."""
    from litgraph.stub.synthetic import synthetic_records

    folder.mkdir(parents=True, exist_ok=True)
    records = list(synthetic_records(n))
    for start in range(0, n, per_document):
        chunk = records[start:start + per_document]
        number = start // per_document + 1
        lines = [f"SYNTHETIC benchmark document {number}", "",
                 "Synthetic text written for a benchmark; it cites no real article.", ""]
        lines += [f"Synthetic statement {i} cites [{i}]." for i in range(1, len(chunk) + 1, 10)]
        lines += ["", "References", ""]
        for i, record in enumerate(chunk, 1):
            kind = (start + i - 1) % 10
            names = ", ".join(f"{a.last_name} {a.initials}" for a in record.authors[:3])
            entry = (f"{i}. {names}. {record.title.rstrip('.')}. {record.journal_iso}. "
                     f"{record.year};{record.volume}:{record.pages}.")
            if kind < 7:
                entry += f" PMID: {record.pmid}"
            elif kind < 9:
                entry += f" doi: {record.doi}"
            lines += [entry, ""]
        (folder / f"synthetic-{number:03d}.txt").write_text("\n".join(lines), encoding="utf-8")


def edit_one_document(folder: Path) -> None:
    """A curator's edit: one sentence more in the first document, citing its second reference."""
    first = sorted(folder.glob("*.txt"))[0]
    text = first.read_text(encoding="utf-8")
    marker = "\n\nReferences\n"
    first.write_text(text.replace(marker, "\nA statement a curator added cites [2]." + marker, 1),
                     encoding="utf-8")


def note_one_source(references: Path, number: int = 1) -> None:
    """A curator's edit to references.yaml: a note on its first source (the ``number``-th:
    the note an earlier call added is rewritten, so that each call changes the file)."""
    lines = references.read_text(encoding="utf-8").split("\n")
    first = lines.index("sources:") + 1
    note = f"    note: a curator's note, {number}"
    if lines[first + 1].startswith("    note: a curator's note"):
        lines[first + 1] = note
    else:
        lines.insert(first + 1, note)
    references.write_text("\n".join(lines), encoding="utf-8")


def cli_build(stand_in, project: Path, rate: int, launcher) -> dict:
    """``litgraph build`` over the project's documents as its own process; wall time, requests,
    exit code and the process's own peak memory (wait4, from the small ``launcher``)."""
    litgraph = Path(sys.executable).parent / "litgraph"
    args = [str(litgraph), "build", str(project / "documents"), "-q", "--json",
            "--db", str(project / "db" / "litgraph.db"),
            "--references", str(project / "references.yaml"),
            "--cache", str(project / "db" / "http-cache.sqlite"),
            "--eutils-url", stand_in.base_url]
    env = {k: v for k, v in os.environ.items() if k not in ("NCBI_API_KEY", "NCBI_EMAIL")}
    if rate == 10:
        env["NCBI_API_KEY"] = BENCH_KEY  # NCBI's 10/s needs a key; the stand-in's too
    log = project / "build.log"
    logged = log.stat().st_size if log.exists() else 0
    before = stand_in.stats()
    ran = launcher.run(args, project, env, log)
    after = stand_in.stats()
    by_endpoint = delta(endpoint_counts(after), endpoint_counts(before))
    with open(log, "rb") as output:
        output.seek(logged)
        stages = stage_seconds(output.read().decode("utf-8", "replace"))
    return {"wall_s": round(ran["wall_s"], 2), "exit_code": ran["exit_code"],
            "requests": sum(by_endpoint.values()), "requests_by_endpoint": by_endpoint,
            "server_429": count_429(after) - count_429(before),
            "peak_rss_mb": round(ran["peak_rss_mb"], 1),
            "parser_peak_rss_mb": round(ran["parser_peak_rss_mb"], 1),
            "together_peak_rss_mb": round(ran["together_peak_rss_mb"], 1), "stage_s": stages}


def stage_seconds(output: str) -> dict:
    """Each stage's wall time from ``build --json``'s report in ``output`` ({} without one)."""
    start = output.find("{")
    try:
        report, _end = json.JSONDecoder().raw_decode(output[start:]) if start >= 0 else ({}, 0)
    except ValueError:
        return {}
    return {part["stage"]: part.get("seconds") for part in report.get("stages", [])}


def rebuild_line(label, cli, targets, run) -> str:
    """One CLI rebuild's figures and its verdict: 0 requests, and under TARGET_WARM_S where
    the issue sets that (up to TARGET_WARM_N references)."""
    zero = targets[f"cli_{run}_zero_requests"]
    timed = f"cli_{run}_under_5s"
    verdicts = (f"({verdict(zero and targets[timed])}: 0 requests, < {TARGET_WARM_S} s)"
                if timed in targets else
                f"({verdict(zero)}: 0 requests; the time target is for {TARGET_WARM_N:,} "
                "references)")
    figures = cli[run]
    return (f"{label}: {figures['wall_s']} s, {figures['requests']} requests, "
            f"exit {figures['exit_code']} {verdicts}")


# ------------------------------------------------------------------ main

def sweep(args, sources, bound, work) -> int:
    """Cold runs at each batch-size spec, interleaved, medians; prints one line per spec."""
    from litgraph.entrez import BatchSizes

    specs = [spec.strip() for spec in args.sweep.split(";") if spec.strip()]
    walls = {spec: [] for spec in specs}
    requests = {}
    with StandInProcess(args.n, 3, args.latency, work / "stub.log") as stand_in:
        stand_in.prerender()
        for run in range(args.repeat):
            for number, spec in enumerate(specs):
                cache = work / f"sweep-{run}-{number}.sqlite"
                figures = litgraph_run(stand_in, sources, cache, args.rate, BatchSizes.parse(spec))
                walls[spec].append(figures["wall_s"])
                requests[spec] = figures["server_requests_by_endpoint"]
    print(f"sweep: N={args.n}, rate {args.rate}/s, latency {args.latency} ms, bound "
          f"{bound['seconds']} s, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for spec in specs:
        print(f"  {spec:40} median {median(walls[spec])} s ({walls[spec]}) = "
              f"{round(median(walls[spec]) / bound['seconds'], 2)} x bound; "
              f"{sum(requests[spec].values())} requests {requests[spec]}")
    return 0


def median(values):
    return round(statistics.median(values), 2) if values else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="references to resolve (default 5000)")
    parser.add_argument("--rate", type=int, default=10, choices=(3, 10),
                        help="requests per second: 3 (no API key) or 10 (with one)")
    parser.add_argument("--latency", type=int, default=120, metavar="MS",
                        help="stand-in latency per answer in ms (default 120)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="cold library runs and warm CLI rebuilds (medians reported; "
                             "default 1)")
    parser.add_argument("--no-cli", action="store_true", help="skip the `litgraph build` runs")
    parser.add_argument("--links-after", action="store_true",
                        help="library runs ask elink only once resolution is done, not ahead "
                             "beside efetch (for comparison)")
    parser.add_argument("--batch-sizes", default=None, metavar="SPEC",
                        help="the library's batch sizes, e.g. efetch=2500,elink=5000,esearch=2000 "
                             "(default: litgraph's defaults)")
    parser.add_argument("--sweep", default=None, metavar="SPECS",
                        help="only compare batch sizes: cold library runs (resolve + links) for "
                             "each ';'-separated spec, --repeat times each, interleaved, on one "
                             "stand-in, e.g. 'efetch=500;efetch=2500;efetch=10000'")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("--n must be at least 10")
    logging.basicConfig(level=logging.ERROR)

    # started while this process is small: a CLI's peak is then its own (see Launcher)
    launcher = None if args.no_cli or args.sweep else Launcher()
    work = WORK_DIR / "resolve"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sources = synthetic_references(args.n)
    mix = {k: sum(1 for s in sources if kind_of(s) == k) for k in ("pmid", "doi", "citation")}
    bound = honest_bound(mix, args.rate, args.latency)
    print(f"bench/resolve.py: {args.n} synthetic references {mix}, rate {args.rate}/s, "
          f"latency {args.latency} ms; honest bound {bound['seconds']} s "
          f"({bound['requests_total']} requests {bound['requests']})", flush=True)

    colds = []
    from litgraph.entrez import BatchSizes

    sizes = BatchSizes.parse(args.batch_sizes)
    if args.sweep:
        return sweep(args, sources, bound, work)
    with StandInProcess(args.n, 3, args.latency, work / "stub.log") as stand_in:
        prerender_s = stand_in.prerender()
        print(f"stand-in pre-rendered its answers in {prerender_s} s (not measured); "
              f"litgraph's batch sizes {sizes}", flush=True)
        for run in range(args.repeat):
            cache = work / f"http-cache-{run}.sqlite"
            colds.append(litgraph_run(stand_in, sources, cache, args.rate, sizes,
                                      ahead=not args.links_after))
            if run == 0:  # one run's peak: the runs after it add this process's fragmentation
                first_peak = peak_rss_mb()
            print(f"library cold: {colds[-1]['wall_s']} s (resolve {colds[-1]['resolve_s']} s), "
                  f"{sum(colds[-1]['server_requests_by_endpoint'].values())} requests "
                  f"{colds[-1]['server_requests_by_endpoint']}", flush=True)
        warm = litgraph_run(stand_in, sources, work / "http-cache-0.sqlite", args.rate, sizes,
                            ahead=not args.links_after)
        print(f"library warm: {warm['wall_s']} s, "
              f"{sum(warm['server_requests_by_endpoint'].values())} requests", flush=True)
        library_peak = peak_rss_mb()
        parser_peak = max(run["parser_peak_rss_mb"] for run in [*colds, warm])
        cli = {}
        if not args.no_cli:
            project = work / "project"
            write_documents(project / "documents", args.n)
            cli["cold"] = cli_build(stand_in, project, args.rate, launcher)
            print(f"CLI cold build: {cli['cold']}", flush=True)
            cli["rebuild"] = cli_build(stand_in, project, args.rate, launcher)
            print(f"CLI rebuild: {cli['rebuild']}", flush=True)
            warms = []
            for number in range(1, args.repeat + 1):  # a new note each time: each merges again
                note_one_source(project / "references.yaml", number)
                warms.append(cli_build(stand_in, project, args.rate, launcher))
                print(f"CLI warm rebuild {number}: {warms[-1]}", flush=True)
            walls = [run["wall_s"] for run in warms]
            middle = next(run for run in warms if run["wall_s"] == statistics.median_low(walls))
            cli["warm"] = {**middle, "walls_s": walls,
                           "requests": sum(run["requests"] for run in warms)}
            edit_one_document(project / "documents")
            cli["edited"] = cli_build(stand_in, project, args.rate, launcher)
            print(f"CLI rebuild after an edit: {cli['edited']}", flush=True)
            launcher.close()

    cold = colds[0]
    cold_wall = median([c["wall_s"] for c in colds])
    cold_resolve = median([c["resolve_s"] for c in colds])
    requests_by_endpoint = cold["server_requests_by_endpoint"]
    requests_total = sum(requests_by_endpoint.values())
    ratio = round(cold_wall / bound["seconds"], 2)
    resolve_ratio = round(cold_resolve / bound["resolve_seconds"], 2)
    warm_requests = sum(warm["server_requests_by_endpoint"].values())
    # Not a bound on the work (NCBI's processors are not this machine's): what the client,
    # its parser process and the stand-in spent here, over the cores they shared.
    cold_cpu = {part: median([c["cpu_s"][part] for c in colds if part in c["cpu_s"]])
                for part in colds[0]["cpu_s"]}
    processor_floor = round(sum(cold_cpu.values()) / (os.cpu_count() or 1), 2)
    figures = {
        "n": args.n, "mix": mix, "batch_sizes": vars(sizes), "load_average": os.getloadavg(), "rate": args.rate, "latency_ms": args.latency,
        "repeat": args.repeat, "bound": bound,
        "requests_total": requests_total, "requests_by_endpoint": requests_by_endpoint,
        "cold_wall_s": cold_wall, "cold_walls_s": [c["wall_s"] for c in colds],
        "cold_resolve_s": cold_resolve, "cold_links_s": median([c["links_s"] for c in colds]),
        "cold_to_bound": ratio, "cold_resolve_to_bound": resolve_ratio,
        "requests_over_rate_s": round(requests_total / args.rate, 2),
        "cold_429": cold["server_429"], "cold_retries": cold["client_retries"],
        "cold_statuses": cold["statuses"], "resolved_pmids": cold["resolved_pmids"],
        "links_found": cold["links"],
        "warm_requests": warm_requests, "warm_wall_s": warm["wall_s"],
        "library_peak_rss_mb": first_peak, "library_peak_rss_mb_all_runs": library_peak,
        "library_parser_peak_rss_mb": parser_peak,
        "cold_cpu_s": cold_cpu, "processor_floor_s": processor_floor,
        "cli": cli,
    }
    if cli:
        figures["cli_cold_to_library"] = round(cli["cold"]["wall_s"] / cold_wall, 2)
    t = figures["targets"] = {
        "cold_within_1.2x_bound": ratio <= TARGET_BOUND_RATIO,
        "warm_zero_requests": warm_requests == 0,
        # the library: its first run's peak and its parser process's added (an upper bound of
        # the two at once); a CLI: its own exact peak, and the two's resident memory at one moment
        "peak_under_500_mb": first_peak + parser_peak < TARGET_PEAK_MB and all(
            max(c["peak_rss_mb"], c["together_peak_rss_mb"]) < TARGET_PEAK_MB
            for c in cli.values()),
    }
    if cli:
        t["cli_rebuild_zero_requests"] = cli["rebuild"]["requests"] == 0
        t["cli_warm_zero_requests"] = cli["warm"]["requests"] == 0
        if args.n <= TARGET_WARM_N:  # the time target is for 5,000 references
            t["cli_rebuild_under_5s"] = cli["rebuild"]["wall_s"] < TARGET_WARM_S
            t["cli_warm_under_5s"] = cli["warm"]["wall_s"] < TARGET_WARM_S
        t["cli_cold_within_1.3x_library"] = figures["cli_cold_to_library"] <= TARGET_CLI_TO_LIBRARY
        t["cli_edited_zero_requests"] = cli["edited"]["requests"] == 0
    lines = [
        f"references: {args.n} {mix}; resolved {cold['statuses']}; load average "
        f"{' '.join(f'{x:.2f}' for x in figures['load_average'])} at the end",
        f"honest bound: {bound['requests_total']} requests at NCBI's largest batches "
        f"{bound['requests']} / {args.rate} per s + {args.latency} ms = {bound['seconds']} s "
        f"(the search-then-fetch dependency alone takes 2 latencies = "
        f"{bound['two_latencies_seconds']} s)",
        f"library cold (resolve + both elink directions): {cold_wall} s (median of "
        f"{len(colds)}: {figures['cold_walls_s']}) = {ratio} x bound "
        f"({verdict(t['cold_within_1.2x_bound'])} <= {TARGET_BOUND_RATIO}); resolution "
        f"{'alone' if args.links_after else '(elink asked ahead in flight beside it)'} "
        f"{cold_resolve} s = {resolve_ratio} x its bound {bound['resolve_seconds']} s",
        f"requests (cold, counted by the stand-in): {requests_total} {requests_by_endpoint}; "
        f"{requests_total} / {args.rate} per s = {figures['requests_over_rate_s']} s; "
        f"429s {cold['server_429']}, retries {cold['client_retries']}",
        f"processor time of a cold run (medians): "
        + ", ".join(f"{CPU_PARTS[part]} {seconds} s" for part, seconds in cold_cpu.items())
        + f"; over this machine's {os.cpu_count()} cores no run could take less than "
        f"{processor_floor} s (the stand-in's share is this benchmark's, not NCBI's)",
        f"library warm: {warm_requests} requests, {warm['wall_s']} s",
        f"peak memory (a process + its parser process): library {first_peak} + {parser_peak} MB "
        f"(this process after all {len(colds) + 1} runs: {library_peak} MB)"
        + "".join(f", {label} {cli[run]['peak_rss_mb']} + {cli[run]['parser_peak_rss_mb']} MB "
                  f"(together at one moment {cli[run]['together_peak_rss_mb']} MB)"
                  for label, run in (("CLI cold", "cold"), ("rebuild", "rebuild"),
                                     ("warm rebuild", "warm"), ("after an edit", "edited"))
                  if run in cli)
        + f" ({verdict(t['peak_under_500_mb'])} < {TARGET_PEAK_MB} MB)",
    ]
    if cli:
        lines += [
            f"CLI cold build: {cli['cold']['wall_s']} s, {cli['cold']['requests']} requests "
            f"{cli['cold']['requests_by_endpoint']}, exit {cli['cold']['exit_code']}; "
            f"{figures['cli_cold_to_library']} x the library "
            f"({verdict(t['cli_cold_within_1.3x_library'])} <= {TARGET_CLI_TO_LIBRARY})",
            rebuild_line("CLI rebuild", cli, t, "rebuild"),
            rebuild_line(f"CLI warm rebuild (a curator's note: every source resolved again from "
                         f"the cache; median of {len(cli['warm']['walls_s'])}: "
                         f"{cli['warm']['walls_s']})", cli, t, "warm"),
            f"CLI rebuild after one document changed: {cli['edited']['wall_s']} s, "
            f"{cli['edited']['requests']} requests, exit {cli['edited']['exit_code']} "
            f"({verdict(t['cli_edited_zero_requests'])}: 0 requests; no time target)",
            "CLI stages (build --json; the rest is the process's start and imports): "
            + "; ".join(f"{run} " + ", ".join(f"{stage} {s} s" for stage, s in
                                               cli[run]["stage_s"].items())
                        for run in ("cold", "rebuild", "warm", "edited")),
        ]
    finish("resolve", figures, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
