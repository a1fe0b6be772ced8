"""Helpers for the reliability, bad-input and security tests: run the CLI, compare databases.

Everything runs ``litgraph`` as a subprocess of this interpreter (the way a
curator runs it), with a timeout, in a private project folder.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from litgraph.store import TABLES

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"
LITGRAPH = [sys.executable, "-m", "litgraph.cli"]
# Columns that record when something happened: they differ between two clean builds.
VOLATILE_COLUMNS = {"sources": {"fetched_at"}}
VOLATILE_TABLES = {"build_info"}


def clean_env(**extra) -> dict:
    """The environment for a litgraph subprocess: no NCBI key or email unless given, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBI_")}
    env.update({"CI": "true", "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_litgraph(args, cwd, env=None, timeout=120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``litgraph ARGS`` in ``cwd`` and return the finished process (text output)."""
    return subprocess.run([*LITGRAPH, *map(str, args)], cwd=cwd, env=env or clean_env(),
                          capture_output=True, text=True, timeout=timeout, **kwargs)


@dataclass
class Finished:
    """What a finished ``litgraph`` run left: exit code and its two output streams."""

    returncode: int
    stdout: str
    stderr: str


def run_in_process(args, cwd) -> Finished:
    """Run ``litgraph ARGS`` in this process (click's CliRunner) with ``cwd`` as working folder.

    The same command line as ``run_litgraph`` without the interpreter start-up
    (a subprocess imports the whole stack again, ~0.7 s of CPU per case): for
    the many cases that fail before any work.  An exception the CLI did not turn
    into an exit becomes its traceback on stderr, as in a subprocess.
    """
    from click.testing import CliRunner

    from litgraph.cli import cli

    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="litgraph",
                                    env={name: None for name in os.environ if name.startswith("NCBI_")})
    finally:
        os.chdir(previous)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Finished(result.exit_code, result.stdout, stderr)


def start_litgraph(args, cwd, env=None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*LITGRAPH, *map(str, args)], cwd=cwd, env=env or clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def new_project(folder: Path) -> Path:
    """A project folder holding a private copy of the five seed documents."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DOCUMENTS, folder / "documents")
    (folder / "db").mkdir(exist_ok=True)
    return folder


def build_args(db="db/litgraph.db", references="references.yaml", documents="documents",
               offline=True, eutils_url=None, extra=()):
    args = ["build", "-q", "--db", db, "--references", references]
    args += ["--offline"] if offline else ["--eutils-url", eutils_url]
    return [*args, *extra, documents]


def assert_one_line_error(proc, *names, codes=(1, 2)):
    """The run failed with exit 1 or 2 and exactly one stderr line 'Error: ...' naming ``names``."""
    out = proc.stdout or ""
    err = proc.stderr or ""
    assert "Traceback" not in err + out, err + out
    lines = [line for line in err.splitlines() if line.strip()]
    code = proc.returncode if hasattr(proc, "returncode") else proc.exit_code  # or click's Result
    if getattr(proc, "exception", None) is not None and not isinstance(proc.exception, SystemExit):
        raise AssertionError(f"the command raised {proc.exception!r}") from proc.exception
    assert code in codes, (code, err, out)
    assert len(lines) == 1, f"expected one error line, got {lines!r}"
    assert lines[0].startswith("Error: "), lines[0]
    assert len(lines[0]) > len("Error: ") + 10, lines[0]
    for name in names:
        assert str(name).lower() in lines[0].lower(), f"{name!r} not named in {lines[0]!r}"
    return lines[0]


def db_tables(path) -> dict:
    """Every row of every litgraph table, sorted, without the columns that record times."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {}
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in TABLES:
            if table in VOLATILE_TABLES or table not in present:
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")
                       if r[1] not in VOLATILE_COLUMNS.get(table, set())]
            rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{table}]")
            out[table] = sorted((tuple(r) for r in rows), key=repr)
        return out
    finally:
        conn.close()


def db_all_rows(path) -> dict:
    """Every row of every table, times included: for 'nothing changed at all'."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '%_fts%'")]  # full-text indexes are derived: not compared
        return {t: sorted((tuple(r) for r in conn.execute(f"SELECT * FROM [{t}]")), key=repr)
                for t in tables}
    finally:
        conn.close()


def integrity_problems(path) -> list:
    """``PRAGMA integrity_check`` and foreign_key_check findings ([] when sound).

    Opened read-write, as litgraph's next run would: after a crash SQLite rolls
    back the hot journal on open, which a read-only connection cannot do.
    """
    conn = sqlite3.connect(path)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        problems = [] if result == ["ok"] else result
        problems += [repr(r) for r in conn.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        conn.close()


def duplicate_rows(path) -> dict:
    """Table -> number of rows that repeat another row's primary key or content."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = {}
        for table, (_columns, pk, _fks) in TABLES.items():
            keys = [pk] if isinstance(pk, str) else list(pk)
            key_sql = ", ".join(f"[{k}]" for k in keys)
            dupes = conn.execute(
                f"SELECT count(*) FROM (SELECT {key_sql} FROM [{table}] GROUP BY {key_sql}"
                f" HAVING count(*) > 1)").fetchone()[0]
            if dupes:
                found[table] = dupes
        return found
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def requests_served(stats: dict) -> int:
    """E-utilities requests a stand-in has served (every endpoint), from its counts."""
    return sum(v for k, v in stats.items() if isinstance(v, int) and k.endswith((".fcgi", ".cgi")))


class StubProcess:
    """``litgraph stub`` in a subprocess on a free loopback port, stopped on exit."""

    def __init__(self, cwd, rate_limit=0, latency_ms=0, faults=""):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/entrez/eutils/"
        self.args = ["stub", "--port", self.port, "--rate-limit", rate_limit,
                     "--latency-ms", latency_ms]
        if faults:
            self.args += ["--faults", faults]
        self.cwd = cwd
        self.process = None

    def __enter__(self):
        import requests

        self.process = start_litgraph(self.args, self.cwd)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"litgraph stub exited: {self.process.stderr.read()}")
            try:
                requests.get(self.stats_url, timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("litgraph stub did not start within 30 s")

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/_stats"

    def stats(self) -> dict:
        import requests

        return requests.get(self.stats_url, timeout=5).json()

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return False


def is_running(pid) -> bool:
    """Whether ``pid`` is a live process (a zombie, reaped by init soon, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
