"""Benchmark: resolve N synthetic references against the stand-in at NCBI's rate limit.

Usage:
    python bench/resolve.py [--n 5000] [--rate 3|10] [--latency 120] [--naive-n 100]

The references are synthetic (records of ``litgraph.stub.synthetic``: PMIDs
from 900,000,001, DOIs under the 10.5555 test prefix): 70% carry a PMID, 20% a
DOI, 10% a journal citation (journal, year, volume, first page, first author).
The stand-in runs as its own process (``litgraph stub --synthetic N``) and
enforces the rate limit (HTTP 429 above ``--rate`` requests/s) and a fixed
latency per answer.

Three runs:

- cold: a new cache; litgraph resolves every reference (``resolve_sources``)
  and asks elink for the citation links of every resolved PMID (both link
  names, as the graph stage does);
- warm: the same again with the cache the cold run filled: no request may
  reach the network;
- naive: a client that asks one request per reference, the way Bio.Entrez is
  usually used (``Entrez.efetch(id=pmid)`` per PMID, ``esearch`` then
  ``efetch`` per DOI, ``ecitmatch`` then ``efetch`` per citation, one
  ``elink`` per PMID and link name), with Bio.Entrez's own throttle, pointed
  at the same stand-in.  It runs on the first ``--naive-n`` references only
  (the full N would take hours at 3/s) and its figures are extrapolated
  linearly to N; the output says so.

Reported: requests by endpoint, the rate-limit bound (requests / rate), wall
times, the cold-to-bound ratio, the warm run's requests, and the naive
client's requests and wall time with the ratios.  Targets: cold within 1.3x
of the bound; at most 1 efetch and 1 elink request per 200 PMIDs; warm: zero
requests and under 5 s for N=5,000.
"""

import argparse
import logging
import math
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (WORK_DIR, LitgraphProcess, finish, free_port, measured_on, peak_rss_mb,  # noqa: E402
                    stopwatch, verdict, write_results_section)

NCBI_EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
LINK_NAMES = ("pubmed_pubmed_refs", "pubmed_pubmed_citedin")
TARGET_BOUND_RATIO = 1.3
TARGET_PMIDS_PER_REQUEST = 200
TARGET_WARM_S = 5.0


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

class StandInProcess(LitgraphProcess):
    """``litgraph stub`` with a synthetic corpus, rate limit and latency, in its own process."""

    def __init__(self, synthetic: int, rate: int, latency_ms: int, log_path: Path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/entrez/eutils/"
        super().__init__(["stub", "--port", str(self.port), "--rate-limit", str(rate),
                          "--latency-ms", str(latency_ms), "--synthetic", str(synthetic)],
                         log_path, self.stats_url)

    @property
    def stats_url(self):
        return f"http://127.0.0.1:{self.port}/_stats"

    def stats(self) -> dict:
        import requests

        return requests.get(self.stats_url, timeout=10).json()


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

def litgraph_run(stand_in, sources, cache_path: Path, rate: int) -> dict:
    """Resolve every source and link every resolved PMID; return figures of the run."""
    from litgraph.entrez import EntrezClient
    from litgraph.resolve import resolve_sources

    before = stand_in.stats()
    with EntrezClient(stand_in.base_url, cache_path=cache_path, rate=rate) as client:
        with stopwatch() as watch:
            with stopwatch() as resolve_watch:
                resolutions = resolve_sources(sources, client)
            pmids = sorted({str(r.record.pmid) for r in resolutions
                            if r.status == "resolved" and r.record is not None})
            links = 0
            for name in LINK_NAMES:
                links += sum(len(v) for v in client.elink(pmids, name).values())
        stats = dict(client.stats)
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
    }


# ------------------------------------------------------------------ the naive client

def naive_run(stand_in, sources) -> dict:
    """One request per reference (and per PMID and link name) through Bio.Entrez."""
    import warnings

    from Bio import Entrez

    original = Entrez._build_request

    def to_stand_in(cgi, *args, **kwargs):
        return original(cgi.replace(NCBI_EUTILS, stand_in.base_url), *args, **kwargs)

    Entrez._build_request = to_stand_in
    Entrez.email = "bench@example.org"
    Entrez.tool = "litgraph-bench-naive"
    Entrez.max_tries = 3
    Entrez.sleep_between_tries = 1  # only for network errors; none are expected on loopback
    before = stand_in.stats()
    resolved, failures = 0, 0
    with stopwatch() as watch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in sources:
            try:
                pmid = None
                if source.pmid:
                    pmid = source.pmid
                elif source.doi:
                    with Entrez.esearch(db="pubmed", term=f'"{source.doi}"[aid]') as handle:
                        ids = Entrez.read(handle)["IdList"]
                    pmid = ids[0] if ids else None
                else:
                    citation = {"journal_title": source.journal, "year": str(source.year),
                                "volume": source.volume, "first_page": source.first_page,
                                "author_name": source.first_author, "key": source.key}
                    with Entrez.ecitmatch(db="pubmed", retmode="xml",
                                          bdata=[citation]) as handle:
                        answer = handle.read().strip().split("|")[-1]
                    pmid = answer if answer.isdigit() else None
                if pmid is None:
                    failures += 1
                    continue
                with Entrez.efetch(db="pubmed", id=pmid, retmode="xml") as handle:
                    records = Entrez.read(handle)
                if records["PubmedArticle"]:
                    resolved += 1
                for name in LINK_NAMES:
                    with Entrez.elink(dbfrom="pubmed", db="pubmed", linkname=name, id=pmid) as handle:
                        Entrez.read(handle)
            except Exception as exc:  # the naive client counts failures and goes on
                failures += 1
                logging.getLogger("bench").debug("naive: %s: %s", source.key, exc)
    Entrez._build_request = original
    after = stand_in.stats()
    by_endpoint = delta(endpoint_counts(after), endpoint_counts(before))
    return {"n": len(sources), "wall_s": round(watch.seconds, 2),
            "requests": sum(by_endpoint.values()), "requests_by_endpoint": by_endpoint,
            "resolved": resolved, "failures": failures,
            "server_429": count_429(after) - count_429(before)}


# ------------------------------------------------------------------ main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="references to resolve (default 5000)")
    parser.add_argument("--rate", type=int, default=3, choices=(3, 10),
                        help="requests per second: 3 (no API key) or 10 (with one)")
    parser.add_argument("--latency", type=int, default=120, metavar="MS",
                        help="stand-in latency per answer in ms (default 120)")
    parser.add_argument("--naive-n", type=int, default=100,
                        help="references the naive client resolves; extrapolated to N (default 100)")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("--n must be at least 10")
    logging.basicConfig(level=logging.ERROR)

    work = WORK_DIR / "resolve"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sources = synthetic_references(args.n)
    mix = {k: sum(1 for s in sources if kind_of(s) == k) for k in ("pmid", "doi", "citation")}
    print(f"bench/resolve.py: {args.n} synthetic references {mix}, rate {args.rate}/s, "
          f"latency {args.latency} ms", flush=True)

    with StandInProcess(args.n, args.rate, args.latency, work / "stub.log") as stand_in:
        cache = work / "http-cache.sqlite"
        cold = litgraph_run(stand_in, sources, cache, args.rate)
        print(f"cold: {cold['wall_s']} s, {sum(cold['server_requests_by_endpoint'].values())} "
              f"requests {cold['server_requests_by_endpoint']}", flush=True)
        warm = litgraph_run(stand_in, sources, cache, args.rate)
        print(f"warm: {warm['wall_s']} s, {sum(warm['server_requests_by_endpoint'].values())} "
              "requests", flush=True)
        naive_sources = sources[:min(args.naive_n, args.n)]
        naive = naive_run(stand_in, naive_sources)
        print(f"naive ({naive['n']} references): {naive['wall_s']} s, {naive['requests']} requests",
              flush=True)

    requests_by_endpoint = cold["server_requests_by_endpoint"]
    requests_total = sum(requests_by_endpoint.values())
    rate_bound_s = round(requests_total / args.rate, 2)
    ratio = round(cold["wall_s"] / rate_bound_s, 3) if rate_bound_s else None
    pmid_refs = cold["resolved_pmids"]
    per_efetch = round(pmid_refs / max(1, requests_by_endpoint.get("efetch.fcgi", 0)), 1)
    per_elink = round(pmid_refs / max(1, requests_by_endpoint.get("elink.fcgi", 0) / len(LINK_NAMES)),
                      1)
    scale = args.n / naive["n"] if naive["n"] else 0
    naive_requests = round(naive["requests"] * scale)
    naive_wall_s = round(naive["wall_s"] * scale, 1)
    warm_requests = sum(warm["server_requests_by_endpoint"].values())
    figures = {
        "n": args.n, "mix": mix, "rate": args.rate, "latency_ms": args.latency,
        "requests_total": requests_total, "requests_by_endpoint": requests_by_endpoint,
        "rate_bound_s": rate_bound_s, "cold_wall_s": cold["wall_s"], "cold_to_bound_ratio": ratio,
        "cold_429": cold["server_429"], "cold_retries": cold["client_retries"],
        "cold_statuses": cold["statuses"], "cold_resolved_by_kind": cold["resolved_by_kind"],
        "resolved_pmids": pmid_refs, "links_found": cold["links"],
        "pmids_per_efetch": per_efetch, "pmids_per_elink_per_link_name": per_elink,
        "warm_requests": warm_requests, "warm_client_network_requests":
            warm["client_network_requests"], "warm_wall_s": warm["wall_s"],
        "warm_cache_hits": warm["client_cache_hits"],
        "cold_resolve_s": cold["resolve_s"], "cold_links_s": cold["links_s"],
        "warm_resolve_s": warm["resolve_s"], "warm_links_s": warm["links_s"],
        "naive_n_measured": naive["n"], "naive_extrapolated": naive["n"] < args.n,
        "naive_measured_requests": naive["requests"], "naive_measured_wall_s": naive["wall_s"],
        "naive_requests_by_endpoint": naive["requests_by_endpoint"],
        "naive_resolved": naive["resolved"], "naive_failures": naive["failures"],
        "naive_429": naive["server_429"],
        "naive_requests": naive_requests, "naive_wall_s": naive_wall_s,
        "naive_to_litgraph_requests": round(naive_requests / requests_total, 1)
        if requests_total else None,
        "naive_to_litgraph_wall": round(naive_wall_s / cold["wall_s"], 1) if cold["wall_s"] else None,
        "peak_rss_mb": peak_rss_mb(),
    }
    figures["targets"] = {
        "cold_within_1.3x_bound": ratio is not None and ratio <= TARGET_BOUND_RATIO,
        # One partial batch per resolution path (PMID, DOI, citation) is allowed.
        "efetch_at_most_1_per_200_pmids":
            requests_by_endpoint.get("efetch.fcgi", 0) <= math.ceil(pmid_refs / 200) + 2,
        "elink_at_most_1_per_200_pmids_per_link_name":
            requests_by_endpoint.get("elink.fcgi", 0) <= len(LINK_NAMES) * math.ceil(pmid_refs / 200),
        "warm_zero_requests": warm_requests == 0 and warm["client_network_requests"] == 0,
        "warm_under_5s": warm["wall_s"] < TARGET_WARM_S,
    }
    t = figures["targets"]
    lines = [
        f"references: {args.n} {mix}; resolved {cold['statuses']}",
        f"requests (cold, counted by the stand-in): {requests_total} {requests_by_endpoint}; "
        f"429s {cold['server_429']}, client retries {cold['client_retries']}",
        f"rate-limit bound: {requests_total} / {args.rate} per s = {rate_bound_s} s",
        f"cold wall: {cold['wall_s']} s = {ratio} x bound "
        f"({verdict(t['cold_within_1.3x_bound'])} <= {TARGET_BOUND_RATIO})",
        f"PMIDs per efetch: {per_efetch}; per elink and link name: {per_elink} "
        f"({verdict(t['efetch_at_most_1_per_200_pmids'] and t['elink_at_most_1_per_200_pmids_per_link_name'])}"
        " >= 200 where batches are full)",
        f"warm: {warm_requests} requests, {warm['wall_s']} s "
        f"({verdict(t['warm_zero_requests'] and t['warm_under_5s'])}: 0 requests, < {TARGET_WARM_S} s); "
        f"resolution {warm['resolve_s']} s + elink {warm['links_s']} s (no network: parsing the "
        "cached replies)",
        f"naive Bio.Entrez client: measured {naive['requests']} requests in {naive['wall_s']} s on "
        f"{naive['n']} references" + (f", extrapolated to N={args.n}: {naive_requests} requests, "
                                      f"{naive_wall_s} s" if naive["n"] < args.n else ""),
        f"naive / litgraph: {figures['naive_to_litgraph_requests']}x the requests, "
        f"{figures['naive_to_litgraph_wall']}x the wall time",
    ]
    figures = finish("resolve", figures, lines)
    write_results_section("resolve", results_markdown(figures))
    return 0


def results_markdown(f: dict) -> str:
    """The ``## resolve`` section of bench/RESULTS.md for figures ``f``."""
    t = f["targets"]
    ok = lambda flag: "yes" if flag else "**no**"  # noqa: E731
    rows = [
        ("requests, cold (counted by the stand-in)", f"{f['requests_total']} "
         f"({', '.join(f'{k} {v}' for k, v in f['requests_by_endpoint'].items())})", "", ""),
        ("rate-limit bound (requests / rate)", f"{f['rate_bound_s']} s", "", ""),
        ("cold wall time", f"{f['cold_wall_s']} s (resolution {f['cold_resolve_s']} s, "
         f"elink {f['cold_links_s']} s)", "", ""),
        ("cold / bound", f"{f['cold_to_bound_ratio']}", "<= 1.3", ok(t["cold_within_1.3x_bound"])),
        ("PMIDs per efetch request", f"{f['pmids_per_efetch']}", ">= 200 (1 per 200)",
         ok(t["efetch_at_most_1_per_200_pmids"])),
        ("PMIDs per elink request and link name", f"{f['pmids_per_elink_per_link_name']}",
         ">= 200 (1 per 200)", ok(t["elink_at_most_1_per_200_pmids_per_link_name"])),
        ("HTTP 429 received, retries", f"{f['cold_429']}, {f['cold_retries']}", "", ""),
        ("warm: network requests", f"{f['warm_requests']}", "0", ok(t["warm_zero_requests"])),
        ("warm wall time", f"{f['warm_wall_s']} s (resolution {f['warm_resolve_s']} s, "
         f"elink {f['warm_links_s']} s)", "< 5 s", ok(t["warm_under_5s"])),
        ("naive client: requests", f"{f['naive_requests']} (measured {f['naive_measured_requests']} "
         f"on {f['naive_n_measured']} references)", "", ""),
        ("naive client: wall time", f"{f['naive_wall_s']} s (measured {f['naive_measured_wall_s']} s "
         f"on {f['naive_n_measured']} references)", "", ""),
        ("naive / litgraph", f"{f['naive_to_litgraph_requests']}x the requests, "
         f"{f['naive_to_litgraph_wall']}x the wall time", "", ""),
    ]
    table = ["| figure | value | target | met |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    naive_note = (f"The naive client ran on the first {f['naive_n_measured']} references (the same "
                  f"70/20/10 mix) and its figures are extrapolated linearly to N={f['n']}."
                  if f["naive_extrapolated"] else "The naive client ran on all N references.")
    return "\n".join([
        f"`python bench/resolve.py --n {f['n']} --rate {f['rate']} --latency {f['latency_ms']}`: "
        f"{f['n']} synthetic references ({f['mix']['pmid']} by PMID, {f['mix']['doi']} by DOI, "
        f"{f['mix']['citation']} journal citations) resolved by litgraph's client against the "
        f"stand-in (`litgraph stub --synthetic N`, its own process) enforcing {f['rate']} requests/s "
        f"with {f['latency_ms']} ms latency per answer; then the elink citation links of every "
        "resolved PMID (both link names, as the graph stage asks); then the same again warm from "
        "the cache; then a naive client, Bio.Entrez 1.88 called once per reference (efetch per "
        "PMID, esearch + efetch per DOI, ecitmatch + efetch per citation, elink per PMID and link "
        "name) with Bio.Entrez's own throttle, pointed at the same stand-in.",
        "",
        measured_on(f),
        "",
        *table,
        "",
        naive_note + f" Resolved: {f['cold_statuses']}. Peak RSS of the benchmark process "
        f"{f['peak_rss_mb']} MB. The warm run does no network I/O; its time is reading and "
        "parsing the cached XML replies (efetch records through Bio.Entrez), so it grows with N. "
        "The rate-limit bound counts every request at the full interval, while the first one "
        "starts at once, so a short run can come in just under it.",
    ])


if __name__ == "__main__":
    sys.exit(main())
