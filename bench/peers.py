"""Benchmark: litgraph beside other E-utilities clients on the same work, same stand-in, same run.

Usage:
    python bench/peers.py [--n 300] [--rate 10] [--latency 120]

N synthetic references (70% PMID, 20% DOI, 10% journal citation, as in
bench/resolve.py) are resolved to PubMed records, then (second task) the
citation links of every resolved PMID are asked in both directions (elink
pubmed_pubmed_refs and pubmed_pubmed_citedin), by:

- litgraph (``resolve_sources``, asking elink ahead when links are wanted, then
  ``client.links`` for both link names, which takes those answers);
- Bio.Entrez batched at 200 IDs (efetch, esearch of OR'ed DOIs, one
  ECitMatch, elink with repeated id=), Bio.Entrez's own throttle;
- Bio.Entrez with one request per step (all IDs in one POST);
- entrezpy (Efetcher, Esearcher, Elinker with its defaults: repeated id=,
  retmode=json; it has no ECitMatch, so its journal citations are misses);
- metapub (PubMedFetcher: one efetch per PMID, esearch+efetch per DOI,
  ECitMatch then efetch per citation, elink ``cmd=neighbor`` per PMID).

Every client runs against the same stand-in process (``litgraph stub``,
10 requests/s with an API key, 3 without, ``--latency`` ms per answer) and
is measured, never extrapolated: requests and 429s counted by the stand-in,
wall time, records returned correctly (the PMID expected for the reference),
links returned, and the ratio of its wall time to litgraph's.  A client that
cannot do a step, or cannot be pointed at a loopback base URL, says why.
"""

import argparse
import io
import logging
import os
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WORK_DIR, finish, peak_rss_mb, stopwatch  # noqa: E402
from resolve import (BENCH_KEY, LINK_NAMES, StandInProcess, count_429, delta,  # noqa: E402
                     endpoint_counts, kind_of, synthetic_references)

NCBI_EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


def expected_pmid(source) -> str:
    return source.key.rsplit("-", 1)[1]  # synthetic-<pmid>


def pmids_in_efetch(xml: bytes) -> set:
    root = ElementTree.fromstring(xml)
    return {a.findtext("MedlineCitation/PMID") for a in root.iter("PubmedArticle")}


def ids_in_esearch(xml: bytes) -> list:
    return [e.text for e in ElementTree.fromstring(xml).iter("Id")]


def links_in_elink(xml: bytes) -> int:
    return sum(1 for _ in ElementTree.fromstring(xml).iter("Link"))


def chunks(items, size):
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)] if items else []


def dois_of(xml: bytes) -> dict:
    """{doi: pmid} from efetch XML (ArticleIdList and ELocationID)."""
    out = {}
    for article in ElementTree.fromstring(xml).iter("PubmedArticle"):
        pmid = article.findtext("MedlineCitation/PMID")
        for element in article.iter():
            if (element.tag == "ArticleId" and element.get("IdType") == "doi") or (
                    element.tag == "ELocationID" and element.get("EIdType") == "doi"):
                out[(element.text or "").strip().lower()] = pmid
    return out


# ------------------------------------------------------------------ litgraph

def run_litgraph(stand_in, sources, work: Path, links: bool) -> dict:
    from litgraph.entrez import EntrezClient
    from litgraph.resolve import resolve_sources

    with EntrezClient(stand_in.base_url, cache_path=work / "litgraph-cache.sqlite",
                      api_key=BENCH_KEY) as client:
        # as `litgraph build` does: elink asked ahead, beside efetch, when links are wanted
        resolutions = resolve_sources(sources, client, link_names=LINK_NAMES if links else ())
        found = {r.key: r.record.pmid for r in resolutions if r.record is not None}
        link_count = 0
        if links:
            by_name = client.links(sorted(set(found.values())), LINK_NAMES)
            link_count = sum(len(v) for by_pmid in by_name.values() for v in by_pmid.values())
    return {"found": found, "links": link_count}


# ------------------------------------------------------------------ Bio.Entrez

def run_bio_entrez(stand_in, sources, work: Path, links: bool, batch: int) -> dict:
    """Bio.Entrez with ``batch`` IDs per request (None: everything in one request)."""
    import warnings

    from Bio import Entrez

    original = Entrez._build_request

    def to_stand_in(cgi, *args, **kwargs):
        return original(cgi.replace(NCBI_EUTILS, stand_in.base_url), *args, **kwargs)

    Entrez._build_request = to_stand_in
    Entrez.email, Entrez.tool, Entrez.api_key = "bench@example.org", "litgraph-bench", BENCH_KEY
    size = batch or 10 ** 9
    found, link_count = {}, 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            by_pmid = {s.key: expected_pmid(s) if s.pmid else None for s in sources if s.pmid}
            by_doi = {s.key: s.doi.lower() for s in sources if s.doi and not s.pmid}
            citations = [s for s in sources if kind_of(s) == "citation"]
            wanted = dict(by_pmid)
            doi_pmids = set()
            for group in chunks(sorted(set(by_doi.values())), size):
                term = " OR ".join(f'"{d}"[aid]' for d in group)
                with Entrez.esearch(db="pubmed", term=term, retmax=len(group) * 2) as handle:
                    doi_pmids.update(ids_in_esearch(handle.read()))
            if citations:
                bdata = [{"journal_title": s.journal, "year": str(s.year), "volume": s.volume,
                          "first_page": s.first_page, "author_name": s.first_author or "",
                          "key": s.key} for s in citations]
                for group in chunks(bdata, size):
                    with Entrez.ecitmatch(db="pubmed", retmode="xml", bdata=group) as handle:
                        for line in handle.read().splitlines():
                            parts = line.strip().split("|")
                            if len(parts) >= 7 and parts[-1].isdigit():
                                wanted[parts[5]] = parts[-1]
            xml_replies = []
            for group in chunks(sorted(set(wanted.values()) | doi_pmids), size):
                with Entrez.efetch(db="pubmed", id=",".join(group), retmode="xml") as handle:
                    xml_replies.append(handle.read())
            returned, doi_map = set(), {}
            for xml in xml_replies:
                records = Entrez.read(io.BytesIO(xml), validate=False)  # the user's parse step
                returned.update(str(r["MedlineCitation"]["PMID"]) for r in records["PubmedArticle"])
                doi_map.update(dois_of(xml))
            for key, pmid in wanted.items():
                if pmid in returned:
                    found[key] = pmid
            for key, doi in by_doi.items():
                if doi_map.get(doi) in returned:
                    found[key] = doi_map[doi]
            if links:
                pmids = sorted(set(found.values()))
                for name in LINK_NAMES:
                    for group in chunks(pmids, size):
                        with Entrez.elink(dbfrom="pubmed", db="pubmed", linkname=name,
                                          id=group) as handle:
                            link_count += links_in_elink(handle.read())
    finally:
        Entrez._build_request = original
    return {"found": found, "links": link_count}


# ------------------------------------------------------------------ entrezpy

def run_entrezpy(stand_in, sources, work: Path, links: bool) -> dict:
    import entrezpy.base.analyzer
    import entrezpy.base.query
    import entrezpy.base.result
    import entrezpy.efetch.efetcher
    import entrezpy.elink.elinker
    import entrezpy.esearch.esearcher
    import entrezpy.log.logger

    entrezpy.base.query.EutilsQuery.base_url = stand_in.base_url.rstrip("/")
    entrezpy.log.logger.set_level("WARNING")  # its INFO lines would fill the output

    class Raw(entrezpy.base.result.EutilsResult):
        def __init__(self):
            super().__init__("raw", "0", "pubmed")
            self.replies = []

        def size(self):
            return len(self.replies)

        def isEmpty(self):
            return not self.replies

        def get_link_parameter(self, reqnum=0):
            return {}

        def dump(self):
            return {}

    class Collect(entrezpy.base.analyzer.EutilsAnalyzer):
        def init_result(self, response, request):
            if self.result is None:
                self.result = Raw()

        def analyze_result(self, response, request):
            self.init_result(response, request)
            self.result.replies.append(response if isinstance(response, dict)  # esearch: JSON
                                       else response.read().encode("utf-8"))

        def analyze_error(self, response, request):
            self.init_result(response, request)

    args = ("litgraph-bench", "bench@example.org", BENCH_KEY)
    found, link_count = {}, 0
    by_pmid = {s.key: expected_pmid(s) for s in sources if s.pmid}
    by_doi = {s.key: s.doi.lower() for s in sources if s.doi and not s.pmid}
    doi_pmids = set()
    if by_doi:
        term = " OR ".join(f'"{d}"[aid]' for d in sorted(set(by_doi.values())))
        analyzer = entrezpy.esearch.esearcher.Esearcher(*args).inquire(
            # rettype=uilist: the IDs, not only the count (its own EsearchAnalyzer)
            {"db": "pubmed", "term": term, "retmax": len(by_doi) * 2, "rettype": "uilist"})
        doi_pmids.update(str(uid) for uid in analyzer.get_result().uids)
    ids = sorted(set(by_pmid.values()) | doi_pmids)
    analyzer = entrezpy.efetch.efetcher.Efetcher(*args).inquire(
        {"db": "pubmed", "id": ids, "retmode": "xml"}, Collect())
    returned, doi_map = set(), {}
    for xml in analyzer.get_result().replies:
        returned.update(pmids_in_efetch(xml))
        doi_map.update(dois_of(xml))
    for key, pmid in by_pmid.items():
        if pmid in returned:
            found[key] = pmid
    for key, doi in by_doi.items():
        if doi_map.get(doi) in returned:
            found[key] = doi_map[doi]
    if links:
        pmids = sorted(set(found.values()))
        for name in LINK_NAMES:
            # its default: one id= per PMID (one LinkSet each), retmode=json, one POST
            analyzer = entrezpy.elink.elinker.Elinker(*args).inquire(
                {"dbfrom": "pubmed", "db": "pubmed", "linkname": name, "id": pmids}, Collect())
            for reply in analyzer.get_result().replies:
                link_count += sum(len(db.get("links", [])) for link_set in reply["linksets"]
                                  for db in link_set.get("linksetdbs", [])
                                  if db.get("linkname") == name)
    return {"found": found, "links": link_count,
            "note": "entrezpy 2.1.3 has no ECitMatch: its journal citations stay unresolved"}


# ------------------------------------------------------------------ metapub

def run_metapub(stand_in, sources, work: Path, links: bool) -> dict:
    """metapub as its documentation shows: one PubMedFetcher call per reference (efetch per
    PMID, esearch + efetch per DOI, ECitMatch then efetch per citation), related_pmids (one
    elink cmd=neighbor, every link name) per PMID for the links."""
    import types

    import requests

    os.environ["NCBI_API_KEY"] = BENCH_KEY
    import metapub.ncbi_client
    import metapub.pubmedcentral
    import metapub.pubmedfetcher
    from metapub import PubMedFetcher

    metapub.ncbi_client.NCBIClient.BASE_URL = stand_in.base_url.rstrip("/")
    # its ECitMatch URL is NCBI's, written into pmids_for_citation: point that one call at
    # the stand-in (the request is otherwise metapub's own, keyless, one per citation)
    metapub.pubmedfetcher.requests = types.SimpleNamespace(
        get=lambda url, **kw: requests.get(url.replace(NCBI_EUTILS, stand_in.base_url), **kw))
    def no_network(url, **kw):
        raise RuntimeError(f"metapub asked {url.split('?')[0]}: outside the stand-in, not sent")

    metapub.pubmedcentral.requests = types.SimpleNamespace(get=no_network)
    cache = work / "metapub-cache"
    shutil.rmtree(cache, ignore_errors=True)
    fetcher = PubMedFetcher(cachedir=str(cache))
    found, link_count = {}, 0
    for source in sources:
        try:
            if source.pmid:
                article = fetcher.article_by_pmid(expected_pmid(source))
            elif source.doi:
                # article_by_doi asks the PMC ID Converter (not E-utilities, not served by the
                # stand-in); metapub's own esearch by DOI ([AID]) is its E-utilities way
                pmids = fetcher.pmids_for_query(doi=source.doi)
                article = fetcher.article_by_pmid(pmids[0]) if len(pmids) == 1 else None
            else:
                pmids = fetcher.pmids_for_citation(
                    journal=source.journal, year=source.year, volume=source.volume,
                    first_page=source.first_page, author=source.first_author or "")
                article = (fetcher.article_by_pmid(pmids[0])
                           if len(pmids) == 1 and pmids[0].isdigit() else None)
            if article is not None and article.pmid:
                found[source.key] = str(article.pmid)
        except Exception as exc:  # a peer's failure is counted, not fatal
            logging.getLogger("bench").debug("metapub %s: %s", source.key, exc)
    if links:
        for pmid in sorted(set(found.values())):
            try:
                related = fetcher.related_pmids(pmid)
                link_count += sum(len(v) for k, v in related.items() if k in ("citedin", "refs"))
            except Exception as exc:
                logging.getLogger("bench").debug("metapub links %s: %s", pmid, exc)
    return {"found": found, "links": link_count,
            "note": "metapub asks one reference per request (a DOI by esearch [AID], since "
                    "its article_by_doi asks the PMC ID Converter), its links by elink "
                    "cmd=neighbor without a link name (both directions in one answer), its "
                    "ECitMatch without the API key"}


# ------------------------------------------------------------------ main

PEERS = {
    "litgraph": run_litgraph,
    "Bio.Entrez batched at 200": lambda *a: run_bio_entrez(*a, batch=200),
    "Bio.Entrez one POST": lambda *a: run_bio_entrez(*a, batch=None),
    "entrezpy": run_entrezpy,
    "metapub": run_metapub,
}


def measure(name, run, stand_in, sources, work, links) -> dict:
    before = stand_in.stats()
    error = None
    with stopwatch() as watch:
        try:
            outcome = run(stand_in, sources, work, links)
        except Exception as exc:
            outcome = {"found": {}, "links": 0}
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            logging.getLogger("bench").debug("%s", traceback.format_exc())
    after = stand_in.stats()
    by_endpoint = delta(endpoint_counts(after), endpoint_counts(before))
    correct = sum(1 for s in sources if outcome["found"].get(s.key) == expected_pmid(s))
    return {"client": name, "task": "resolve + links" if links else "resolve",
            "wall_s": round(watch.seconds, 2), "requests": sum(by_endpoint.values()),
            "requests_by_endpoint": by_endpoint, "server_429": count_429(after) - count_429(before),
            "records_correct": correct, "links": outcome["links"],
            "note": outcome.get("note"), "error": error}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rate", type=int, default=10, choices=(10,),
                        help="10 requests/s: every client sends an API key")
    parser.add_argument("--latency", type=int, default=120, metavar="MS")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    work = WORK_DIR / "peers"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tempfile.tempdir = str(work)
    sources = synthetic_references(args.n)
    results = []
    with StandInProcess(args.n, 3, args.latency, work / "stub.log") as stand_in:
        stand_in.prerender()  # the stand-in's own Python time is charged to no client
        warm_up = synthetic_references(10)  # imports, DTDs and connections, not measured
        for name, run in PEERS.items():
            folder = work / "warm-up" / re.sub(r"\W+", "-", name)
            folder.mkdir(parents=True)
            measure(name, run, stand_in, warm_up, folder, True)
        for links in (False, True):
            for name, run in PEERS.items():
                folder = work / re.sub(r"\W+", "-", name) / str(links)
                folder.mkdir(parents=True)
                result = measure(name, run, stand_in, sources, folder, links)
                results.append(result)
                print(f"{result['task']:16} {name:26} {result['wall_s']:8} s "
                      f"{result['requests']:6} requests, 429s {result['server_429']}, "
                      f"{result['records_correct']}/{args.n} records, {result['links']} links"
                      + (f"  ERROR {result['error']}" if result["error"] else ""), flush=True)
    lines = [f"peers: {args.n} synthetic references, stand-in at {args.rate}/s (API key), "
             f"{args.latency} ms latency; every client measured in this run; load average "
             f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end"]
    for task in ("resolve", "resolve + links"):
        ours = next(r for r in results if r["client"] == "litgraph" and r["task"] == task)
        for r in results:
            if r["task"] != task:
                continue
            r["ratio_to_litgraph"] = round(r["wall_s"] / ours["wall_s"], 2) if ours["wall_s"] else None
            lines.append(f"  {task:16} {r['client']:26} {r['wall_s']:8} s  x{r['ratio_to_litgraph']:<6} "
                         f"{r['requests']:5} requests {r['requests_by_endpoint']}, 429s "
                         f"{r['server_429']}, records correct {r['records_correct']}/{args.n}, "
                         f"links {r['links']}" + (f"; {r['note']}" if r["note"] else "")
                         + (f"; ERROR {r['error']}" if r["error"] else ""))
        others = [r for r in results if r["task"] == task and r["client"] != "litgraph"
                  and not r["error"]]
        faster = all(ours["wall_s"] < r["wall_s"] for r in others)
        lines.append(f"  litgraph faster than every peer ({task}): {'yes' if faster else 'NO'}")
    finish("peers", {"n": args.n, "rate": args.rate, "latency_ms": args.latency,
                     "results": results, "peak_rss_mb": peak_rss_mb()}, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
