"""Helpers the bench/ scripts share: timing, peak memory, results files, the machine.

Every benchmark prints a human summary, writes its figures to
``bench/results/<name>.json`` and prints the same figures as one JSON object
on the last line of its output, so ``make bench`` logs and tools read alike.
"""

import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
WORK_DIR = Path(os.environ.get("LITGRAPH_BENCH_WORK", Path(tempfile.gettempdir()) / "litgraph-bench"))


class Stopwatch:
    """Wall time of a ``with`` block, in seconds, as ``.seconds``."""

    def __init__(self):
        self.seconds = None
        self._start = None

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False


@contextmanager
def stopwatch():
    watch = Stopwatch()
    with watch:
        yield watch


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its finished children), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux reports KiB


def cpu_seconds(children: bool = False) -> float:
    """Processor time (user + system) of this process, or of its children that have ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int):
    """Processor time (user + system) of process ``pid`` so far, from /proc; None where
    there is no /proc to read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction: float):
    """The nearest-rank percentile of ``values`` (``fraction`` in 0..1), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_summary(seconds: list) -> dict:
    """p50/p99/max/mean in milliseconds of a list of durations in seconds."""
    if not seconds:
        return {"count": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> dict:
    """What the figures were measured on."""
    try:
        import psutil

        memory_gb = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # psutil is only a transitive dependency
        memory_gb = None
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def command_line() -> str:
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(ROOT)
    except ValueError:
        pass
    return " ".join(["python", str(script), *sys.argv[1:]])


def finish(name: str, figures: dict, summary_lines: list) -> dict:
    """Print the human summary, write bench/results/<name>.json, print the JSON last.

    ``figures`` gains ``benchmark``, ``measured_at``, ``command``, ``commit``
    and ``machine`` keys.
    """
    figures = dict(figures)
    figures.setdefault("benchmark", name)
    figures["measured_at"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    figures["command"] = command_line()
    figures["commit"] = git_commit()
    figures["machine"] = machine()
    for line in summary_lines:
        print(line)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
    print(f"figures written to {path.relative_to(ROOT)}")
    sys.stdout.flush()
    print(json.dumps(figures, sort_keys=True))
    return figures


RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_HEADER = """# Benchmark results

`make bench` runs `bench/resolve.py --n 5000`, `bench/graph.py` and `bench/serve.py`; each
prints a summary, writes its figures to `bench/results/<name>.json` (not committed) and
prints them as one JSON object on its last line.  `bench/resolve.py` and `bench/serve.py`
rewrite their own section below on every run; the `graph` section is kept up to date by
the graph benchmark's author.  Figures depend on the machine and on what else runs on it:
each section says when, on what and at which commit it was measured.
"""


def write_results_section(name: str, markdown: str) -> None:
    """Replace (or add) the ``## name`` section of bench/RESULTS.md, keeping every other section."""
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if not text.startswith("# "):
        text = RESULTS_HEADER + "\n" + text
    section = f"## {name}\n\n{markdown.strip()}\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"## {name}"), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        tail = "".join(lines[end:])
        text = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    tmp = RESULTS_MD.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, RESULTS_MD)


def measured_on(figures: dict) -> str:
    """'Measured <when> at commit <x> on <machine>' for a results section."""
    m = figures["machine"]
    return (f"Measured {figures['measured_at'].replace('T', ' ')[:16]} UTC at commit "
            f"{figures['commit']} on {m['cpus']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, "
            f"Python {m['python']}, {m['platform']}; command `{figures['command']}`.")


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


class LitgraphProcess:
    """``litgraph ARGS`` in its own process, its output in ``log_path``.

    A context manager: entering returns once ``ready_url`` answers 200 (or
    raises, naming the log); leaving stops the process.
    """

    def __init__(self, args: list, log_path: Path, ready_url: str, start_timeout: float = 120):
        self.args, self.log_path, self.ready_url = list(args), Path(log_path), ready_url
        self.start_timeout = start_timeout
        self.process = None
        self.log = None

    def __enter__(self):
        import urllib.error
        import urllib.request

        litgraph = Path(sys.executable).parent / "litgraph"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([str(litgraph), *self.args], cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"litgraph {self.args[0]} exited with "
                                   f"{self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"litgraph {self.args[0]} did not answer within "
                           f"{self.start_timeout:.0f} s; see {self.log_path}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.log.close()
        return False



_LAUNCHER = r"""
import json, os, subprocess, sys, time

def kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0

def sample(pid, peaks):
    # Each litgraph parser process the command started, from any of its threads (each
    # thread's children are listed apart): its high-water mark (VmHWM); and the resident
    # memory of the command and those processes together, now, in KiB.
    pids = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                pids.update(children.read().split())
        together = kib(pid, "VmRSS")
    except OSError:
        return 0
    for child in pids:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"litgraph.entrez.parser" not in cmdline.read():
                    continue
            peaks[child] = max(peaks.get(child, 0), kib(child, "VmHWM") / 1024)
            together += kib(child, "VmRSS")
        except OSError:
            pass
    return together

for line in sys.stdin:
    job = json.loads(line)
    peaks, together = {}, 0
    with open(job["log"], "ab") as log:
        started = time.monotonic()
        process = subprocess.Popen(job["args"], cwd=job["cwd"], env=job["env"], stdout=log,
                                   stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            together = max(together, sample(process.pid, peaks))
            time.sleep(0.05)
    print(json.dumps({"wall_s": time.monotonic() - started,
                      "exit_code": os.waitstatus_to_exitcode(status),
                      "peak_rss_mb": usage.ru_maxrss / 1024,
                      "parser_peak_rss_mb": max(peaks.values(), default=0),
                      "together_peak_rss_mb": together / 1024}), flush=True)
"""


class Launcher:
    """Runs commands from a small process of its own and reports each one's peak memory.

    Linux counts a child's peak from the memory of the process it was forked from
    (``ru_maxrss`` after exec keeps the forked copy's high-water mark), so a CLI
    started by a benchmark holding 400 MB would report at least 400 MB.  Start
    the Launcher while the benchmark is still small; its children's peaks are then
    their own (above the launcher's ~10 MB).
    """

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def run(self, args, cwd, env, log_path) -> dict:
        """Run ``args`` to the end: wall_s, exit_code and peak_rss_mb of that process alone;
        parser_peak_rss_mb, the largest peak of its parser processes (``litgraph.entrez.parser``,
        one at a time), and
        together_peak_rss_mb, the largest resident memory of the two at one moment, read from
        /proc every 50 ms while it runs (a peak shorter than that can be missed: the process's
        own, from wait4, is exact)."""
        job = {"args": [str(a) for a in args], "cwd": str(cwd), "env": dict(env),
               "log": str(log_path)}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)
