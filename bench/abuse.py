"""Benchmark: the published site under the expensive-query attack (issue 16).

Usage:
    python bench/abuse.py [--attackers 3 10] [--cheap-requests 200] [--db PATH]

Starts ``litgraph serve`` on the demo database (built offline into the bench
work folder unless ``--db`` is given) and, for each number of attackers, keeps
that many clients sending expensive SQL through the site's query page
(``printf('%.*c', 900000000, 'x')``, ``randomblob``/``zeroblob`` of 900 MB,
``instr`` over the longest strings allowed; with ``--with-long-queries`` also a
recursive CTE that runs until the 1 s time limit) while one client fetches a cheap page (a source's row page)
``--cheap-requests`` times, one after another.  Prints p50/p99/max of the
cheap page and of the attack requests.  Targets (2 cores): cheap-page p99
under 300 ms, and no request at all over 2 s.
"""

import argparse
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (WORK_DIR, LitgraphProcess, finish, free_port, latency_summary,  # noqa: E402
                    measured_on, verdict, write_results_section)
from serve import demo_db  # noqa: E402

P99_TARGET_MS = 300
MAX_TARGET_MS = 2000
ATTACKS = [
    "select length(printf('%.*c', 900000000, 'x'))",
    "select length(randomblob(900000000))",
    "select length(zeroblob(900000000))",
    "select instr(replace(hex(zeroblob(49990)), '0', 'x'), replace(hex(zeroblob(24990)), '0', 'x')"
    " || 'y')",
]
# A query the 1 s time limit stops (not a single expensive call): --with-long-queries adds it.
LONG_QUERY = "with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r"


def fetch(url: str, timeout: float = 30) -> tuple:
    """(seconds, HTTP status) of one GET."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except (urllib.error.URLError, OSError):
        status = None
    return time.perf_counter() - start, status


def attack_round(base: str, attackers: int, cheap_url: str, cheap_requests: int,
                 attacks: list) -> dict:
    stop = threading.Event()
    attack_times, attack_statuses = [], {}
    lock = threading.Lock()

    def attacker(n):
        i = n
        while not stop.is_set():
            sql = attacks[i % len(attacks)]
            seconds, status = fetch(f"{base}/litgraph.json?sql={urllib.parse.quote(sql)}")
            with lock:
                attack_times.append(seconds)
                attack_statuses[status] = attack_statuses.get(status, 0) + 1
            i += 1

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(attackers)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # let the attack get going
    cheap, cheap_statuses = [], {}
    for _ in range(cheap_requests):
        seconds, status = fetch(cheap_url)
        cheap.append(seconds)
        cheap_statuses[status] = cheap_statuses.get(status, 0) + 1
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return {"attackers": attackers, "cheap_page": latency_summary(cheap),
            "cheap_statuses": {str(k): v for k, v in cheap_statuses.items()},
            "attack": latency_summary(attack_times),
            "attack_statuses": {str(k): v for k, v in attack_statuses.items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, nargs="+", default=[0, 3, 10],
                        help="Rounds: attackers in parallel (0 measures the page alone).")
    parser.add_argument("--cheap-requests", type=int, default=200)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--with-long-queries", action="store_true",
                        help="Also send a query that runs until the 1 s time limit stops it.")
    args = parser.parse_args()
    db_path = args.db or demo_db(WORK_DIR)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rounds = []
    with LitgraphProcess(["serve", "--db", str(db_path), "--port", str(port)],
                         WORK_DIR / "abuse-serve.log", f"{base}/-/versions.json"):
        import json

        with urllib.request.urlopen(f"{base}/litgraph/sources.json?_size=1&_shape=array") as answer:
            key = json.loads(answer.read())[0]["id"]
        cheap_url = f"{base}/litgraph/sources/{urllib.parse.quote(key)}"
        fetch(cheap_url)  # warm
        for attackers in args.attackers:
            attacks = ATTACKS + ([LONG_QUERY] if args.with_long_queries else [])
            rounds.append(attack_round(base, attackers, cheap_url, args.cheap_requests, attacks))
            print(f"{attackers} attackers: done", file=sys.stderr, flush=True)
    lines, ok = [], True
    for r in rounds:
        cheap, attack = r["cheap_page"], r["attack"]
        worst = max(cheap["max_ms"] or 0, attack["max_ms"] or 0)
        good = (cheap["p99_ms"] < P99_TARGET_MS and worst < MAX_TARGET_MS
                and set(r["cheap_statuses"]) == {"200"})
        ok = ok and good
        lines.append(f"{r['attackers']:>2} attackers: cheap page p50 {cheap['p50_ms']} ms, "
                     f"p99 {cheap['p99_ms']} ms, max {cheap['max_ms']} ms "
                     f"(statuses {r['cheap_statuses']}); attack requests: {attack['count']}, "
                     f"p99 {attack['p99_ms']} ms, max {attack['max_ms']} ms "
                     f"(statuses {r['attack_statuses']}): {verdict(good)}")
    load = [round(x, 1) for x in os.getloadavg()]  # other work on the machine skews the figures
    lines.append(f"load average at the end (1, 5, 15 min): {load}")
    figures = finish("abuse", {"rounds": rounds, "p99_target_ms": P99_TARGET_MS,
                               "max_target_ms": MAX_TARGET_MS, "meets_target": ok,
                               "load_average": load}, lines)
    write_results_section("abuse", measured_on(figures) + "\n\n"
                          + "\n".join(f"- {line}" for line in lines)
                          + f"\n\nTargets: cheap-page p99 under {P99_TARGET_MS} ms, no request "
                            f"over {MAX_TARGET_MS} ms.")


if __name__ == "__main__":
    main()
