"""The litgraph command keeps glibc's malloc to one arena: its threads share freed memory."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

# Threads that each allocate and free blocks malloc serves (larger than Python's small-object
# allocator keeps), then glibc's own statistics: one "Arena N:" line per arena.
THREADS_ALLOCATE = """
import ctypes, sys, threading
{setup}
def work():
    for _ in range(2000):
        blocks = [bytes(20000) for _ in range(8)]
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas_after_threads(setup: str, env_extra=None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    env.update(env_extra or {})
    done = subprocess.run([sys.executable, "-c", THREADS_ALLOCATE.format(setup=setup)], env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_threads_share_one_arena_once_it_is_asked_for():
    assert arenas_after_threads("") > 1  # glibc's default: the threads took arenas of their own
    applied = "from litgraph.allocator import use_one_arena\nassert use_one_arena()"
    assert arenas_after_threads(applied) == 1


def test_a_users_own_setting_wins():
    applied = "from litgraph.allocator import use_one_arena\nassert not use_one_arena()"
    assert arenas_after_threads(applied, {"MALLOC_ARENA_MAX": "2"}) == 2


def test_every_litgraph_command_asks_for_it(tmp_path):
    status = ("from litgraph.cli import cli\n"
              "try:\n"
              f"    cli(['status', '--db', {str(tmp_path / 'none.db')!r}], standalone_mode=False)\n"
              "except SystemExit:\n"
              "    pass")
    assert arenas_after_threads(status) == 1
