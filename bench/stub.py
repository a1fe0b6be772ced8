"""Benchmark: the E-utilities stand-in itself, over a synthetic corpus.

Usage:
    python bench/stub.py [--n 100000] [--requests 200]

Measures (rate limit off, no faults, one keep-alive client): the start-up
time of a stand-in with N synthetic records, per-request latency of efetch
(batches of 200 PMIDs), esearch by DOI, ecitmatch (20 citations), elink refs
and citedin (20 PMIDs), the one-off cost of the first citedin answer (the
reverse citation map) and of the first title search (the word index), and
peak memory. The corpus is synthetic (litgraph.stub.synthetic), not NCBI data.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import finish, latency_summary, peak_rss_mb  # noqa: E402


def timed(session, url, params, count):
    seconds = []
    for i in range(count):
        started = time.perf_counter()
        response = session.post(url, data=params(i), timeout=120)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return seconds


def main():
    import requests

    from litgraph.stub.server import StandIn
    from litgraph.stub.synthetic import SyntheticCorpus, synthetic_pmid

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    n, count = args.n, args.requests
    corpus = SyntheticCorpus(n)

    started = time.perf_counter()
    stand_in = StandIn(rate_limit=None, faults="", synthetic=n).start()
    startup = time.perf_counter() - started
    base = stand_in.base_url
    session = requests.Session()
    figures = {"n": n, "requests_per_endpoint": count, "startup_s": round(startup, 3)}
    try:
        def ids(i, size):
            return ",".join(synthetic_pmid(1 + (i * size + k) % n) for k in range(size))

        def citations(i):
            lines = []
            for k in range(20):
                record = corpus.record(1 + (i * 20 + k) % n)
                lines.append(f"synth j bench|{record.year}|{record.volume}|{record.first_page}||c{k}|")
            return "\r".join(lines)

        started = time.perf_counter()
        session.post(base + "elink.fcgi", data={"dbfrom": "pubmed", "linkname": "pubmed_pubmed_citedin",
                                                "id": synthetic_pmid(1)}, timeout=600)
        figures["first_citedin_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        session.post(base + "esearch.fcgi", data={"db": "pubmed", "term": "sarcoma[ti] AND survival[ti]"},
                     timeout=600)
        figures["first_title_search_s"] = round(time.perf_counter() - started, 3)

        runs = {
            "efetch_200_pmids": timed(session, base + "efetch.fcgi",
                                      lambda i: {"db": "pubmed", "retmode": "xml", "id": ids(i, 200)}, count),
            "esearch_doi": timed(session, base + "esearch.fcgi", lambda i: {
                "db": "pubmed", "term": f'"10.5555/synthetic.{1 + (i * 7919) % n}"[aid]'}, count),
            "ecitmatch_20": timed(session, base + "ecitmatch.cgi",
                                  lambda i: {"db": "pubmed", "retmode": "xml", "bdata": citations(i)}, count),
            "elink_refs_20": timed(session, base + "elink.fcgi", lambda i: {
                "dbfrom": "pubmed", "linkname": "pubmed_pubmed_refs", "id": ids(i, 20)}, count),
            "elink_citedin_20": timed(session, base + "elink.fcgi", lambda i: {
                "dbfrom": "pubmed", "linkname": "pubmed_pubmed_citedin", "id": ids(i, 20)}, count),
            "esearch_title": timed(session, base + "esearch.fcgi", lambda i: {
                "db": "pubmed", "term": f'"synthetic record {1 + (i * 7919) % n}"[ti]'}, count),
        }
        figures["stats"] = stand_in.stats()
    finally:
        stand_in.stop()
    figures["latency_ms"] = {name: latency_summary(seconds) for name, seconds in runs.items()}
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    lines = [f"stand-in with {n:,} synthetic records: started in {figures['startup_s']} s; "
             f"first citedin {figures['first_citedin_s']} s; first title search {figures['first_title_search_s']} s"]
    for name, summary in figures["latency_ms"].items():
        lines.append(f"  {name:18s} {summary}")
    lines.append(f"  peak RSS {figures['peak_rss_mb']} MB")
    finish("stub", figures, lines)


if __name__ == "__main__":
    main()
