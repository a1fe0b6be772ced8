"""Pacing of requests: the process-wide ``Throttle`` and the outage ``CircuitBreaker``."""

import threading
import time

BREAKER_TRIES = 12  # failed tries in a row that open the circuit breaker
BREAKER_SECONDS = 120.0  # or this long failing with no success in between


class Throttle:
    """Request starts at least ``interval`` seconds apart, across threads.

    Threads queue on the lock, each takes the next free start slot, so K
    requests may be in flight while their starts stay spaced.  One instance
    (``PROCESS_THROTTLE``) is shared by every client of the process; tests
    pass their own with a fake clock and sleep.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock = clock
        self.sleep = sleep
        self._next_at = None
        self._lock = threading.Lock()

    def wait(self, interval: float) -> float:
        """Block until the next request may start; return the seconds waited."""
        if interval <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            waited = 0.0
            if self._next_at is not None and self._next_at > now:
                waited = self._next_at - now
                self.sleep(waited)
                now = self.clock()
            self._next_at = max(now, self._next_at or now) + interval
            return waited


PROCESS_THROTTLE = Throttle()


class CircuitBreaker:
    """Opens after ``tries`` failed tries in a row, or ``seconds`` of failures with no success."""

    def __init__(self, tries=BREAKER_TRIES, seconds=BREAKER_SECONDS, clock=time.monotonic):
        self.tries = int(tries)
        self.seconds = float(seconds)
        self.clock = clock
        self.failures = 0
        self.since = None
        self.open_reason = None
        self._opened = threading.Event()
        self._lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` before a retry, or less: the wait ends when the breaker opens
        (the retry would not be sent), so an outage stops every request at once."""
        self._opened.wait(seconds)

    def success(self) -> None:
        with self._lock:
            if self.open_reason is None:
                self.failures, self.since = 0, None

    def failure(self, reason: str) -> None:
        with self._lock:
            self.failures += 1
            if self.since is None:
                self.since = self.clock()
            if self.open_reason is None and (
                    self.failures >= self.tries or self.clock() - self.since >= self.seconds):
                self.open_reason = (f"E-utilities looks down: {self.failures} tries in a row failed "
                                    f"over {self.clock() - self.since:.0f} s (last: {reason}); "
                                    "stopped asking")
                self._opened.set()

    @property
    def is_open(self) -> bool:
        return self.open_reason is not None

