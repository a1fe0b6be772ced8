"""The C allocator's arenas, kept to one for the ``litgraph`` command.

glibc's malloc gives threads arenas of their own (up to eight per core on a
64-bit system), and memory freed in one arena serves only that arena.  A
build's threads (requests in flight, replies parsed while others arrive, the
references.yaml writer) each take and free reply-sized blocks, so the process
keeps several arenas' worth of freed memory.  Measured on a build of 20,000
sources (the CLI as its own process, 2 cores, three paired runs): peak 534,
571 and 585 MB with glibc's default arenas, 438, 450 and 451 MB with one; wall
time 24.9-26.0 s against 24.9-26.3 s.

``use_one_arena`` asks glibc for that at start-up, before any thread is made.
A ``MALLOC_ARENA_MAX`` in the environment is the user's choice and wins; other
C libraries (macOS, musl) are left as they are.  Library callers choose for
their own process.
"""

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h


def use_one_arena() -> bool:
    """Keep glibc's malloc to one arena from now on; whether it was applied."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(M_ARENA_MAX, 1) == 1
