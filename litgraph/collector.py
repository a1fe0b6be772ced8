"""Python's cycle collector, paused while litgraph builds large data at once.

Extracting, resolving and graphing 20,000 sources make millions of small
objects that stay alive (records, entries, links), and each generation-2 pass
of the collector walks them all: 4.2 s of a 34 s build at 20,000 sources
(collector callbacks), in 14 passes.  litgraph's data holds no reference
cycles, so the collector has nothing to find there: reference counting frees
everything as before.  Measured at 20,000 sources, the build's peak memory
did not grow with the collector off (585 MB against 606 MB with it on).

``without_cyclic_gc`` pauses it for the work inside; it may be nested and
entered from several threads at once, and the collector resumes when the last
holder leaves (if it was running when the first came).  Cycles made meanwhile
(an exception's traceback, say) are collected after that, as usual.
"""

import gc
import threading
from contextlib import contextmanager

_LOCK = threading.Lock()
_HOLDERS = 0
_RESUME = True


@contextmanager
def without_cyclic_gc():
    """Pause the cycle collector inside the block (or the decorated function)."""
    global _HOLDERS, _RESUME
    with _LOCK:
        if _HOLDERS == 0:
            _RESUME = gc.isenabled()
            gc.disable()
        _HOLDERS += 1
    try:
        yield
    finally:
        with _LOCK:
            _HOLDERS -= 1
            if _HOLDERS == 0 and _RESUME:
                gc.enable()
