"""Benchmark: parse one efetch reply of N records with the hot-path parser and with Bio.Entrez.

Usage:
    python bench/parse.py [--n 200] [--repeat 20] [--shapes cites]
    python bench/parse.py --elsewhere [--repeat 5]
    python bench/parse.py --elink [--n 10000] [--repeat 5]

The reply is the stand-in's answer for N synthetic records (PMIDs from
900,000,001: ``litgraph.stub.synthetic``), built in-process, in the given
reply shapes (``litgraph.stub.render.SHAPES``).  Printed: milliseconds per
reply for ``parse_pubmed`` (ElementTree) and ``parse_pubmed_reference``
(Bio.Entrez), the best of ``--repeat`` runs each, the ratio, and whether both
gave identical records.

``--elsewhere``: for replies of 10 to 10,000 records, the milliseconds a reply
takes read here and read by the parser process (``litgraph.entrez.parser``), wall
time and this process's own processor time (the best of ``--repeat`` each): the
processor time the parser process leaves to the rest of the client, against the
wall time the trip adds.

``--elink``: an elink reply about N PMIDs (one LinkSet each, the stand-in's links among
2N synthetic records), for each link name: milliseconds for ``parse_elink`` (the scan of
``litgraph.entrez.linkscan``), ``parse_elink_elementtree`` and Bio.Entrez's reading, and
whether all three gave the same links.
"""

import argparse
import time

from litgraph.entrez.records import parse_elink, parse_elink_elementtree, parse_pubmed
from litgraph.entrez.reference import parse_elink_reference, parse_pubmed_reference
from litgraph.stub import render
from litgraph.stub.server import build_catalogue, parse_shapes
from litgraph.stub.synthetic import synthetic_pmid


def best_ms(parse, reply, repeat) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        parse(reply)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def elsewhere(repeat: int) -> None:
    from litgraph.entrez.parser import ParserProcess

    child = ParserProcess()
    child.start()
    child.wait_ready()
    print("records      bytes   here: wall  cpu    parser process: wall  this process's cpu")
    try:
        for n in (10, 30, 100, 1000, 10000):
            catalogue = build_catalogue(records=[], synthetic=n)
            reply = render.efetch_xml(catalogue, [synthetic_pmid(i) for i in range(1, n + 1)]).encode()
            here = [_timed(lambda: parse_pubmed(reply)) for _ in range(repeat)]
            there = [_timed(lambda: child.try_parse(parse_pubmed, reply)) for _ in range(repeat)]
            assert child.try_parse(parse_pubmed, reply) == (True, parse_pubmed(reply))
            print(f"{n:7} {len(reply):>10,}   {min(w for w, _ in here):9.1f} {min(c for _, c in here):5.1f}"
                  f"   {min(w for w, _ in there):19.1f} {min(c for _, c in there):19.1f}")
    finally:
        child.close()


def elink(n: int, repeat: int) -> None:
    catalogue = build_catalogue(records=[], synthetic=2 * n)
    for name in ("pubmed_pubmed_citedin", "pubmed_pubmed_refs"):
        reply = render.elink_xml(catalogue, [[synthetic_pmid(i)] for i in range(1, n + 1)],
                                 [name]).encode()
        links = parse_elink(reply, name)
        same = links == parse_elink_elementtree(reply, name) == parse_elink_reference(reply, name)
        print(f"elink reply: {n} PMIDs, {name}, {len(reply):,} bytes, "
              f"{sum(len(v) for v in links.values()):,} links")
        scan = best_ms(lambda content: parse_elink(content, name), reply, repeat)
        tree = best_ms(lambda content: parse_elink_elementtree(content, name), reply, repeat)
        print(f"  scan (parse_elink):                     {scan:7.1f} ms")
        print(f"  ElementTree (parse_elink_elementtree):  {tree:7.1f} ms ({tree / scan:.2f}x)")
        print(f"  identical links (Bio.Entrez too): {same}")


def _timed(work):
    """(wall ms, this process's processor ms) of ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--shapes", default="")
    parser.add_argument("--elink", action="store_true",
                        help="time elink replies: the scan against ElementTree (--n PMIDs)")
    parser.add_argument("--elsewhere", action="store_true",
                        help="compare reading here with the parser process, 10 to 10,000 records")
    options = parser.parse_args()
    if options.elsewhere:
        return elsewhere(min(options.repeat, 5))
    if options.elink:
        return elink(options.n, min(options.repeat, 5))
    catalogue = build_catalogue(records=[], synthetic=options.n)
    pmids = [synthetic_pmid(number) for number in range(1, options.n + 1)]
    reply = render.efetch_xml(catalogue, pmids, parse_shapes(options.shapes)).encode()
    fast = best_ms(parse_pubmed, reply, options.repeat)
    reference = best_ms(parse_pubmed_reference, reply, options.repeat)
    same = [vars(r) for r in parse_pubmed(reply)] == [vars(r) for r in parse_pubmed_reference(reply)]
    print(f"efetch reply: {options.n} records, {len(reply):,} bytes, shapes: "
          f"{options.shapes or 'none'}")
    print(f"ElementTree (parse_pubmed):         {fast:7.1f} ms")
    print(f"Bio.Entrez (parse_pubmed_reference): {reference:7.1f} ms")
    print(f"ratio Bio.Entrez / ElementTree:     {reference / fast:7.1f}x")
    print(f"identical records: {same}")


if __name__ == "__main__":
    main()
