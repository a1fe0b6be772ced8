"""Pacing of requests: the process-wide ``Throttle`` and the outage ``CircuitBreaker``."""

import heapq
import itertools
import threading
import time

BREAKER_TRIES = 12  # failed tries in a row that open the circuit breaker
BREAKER_SECONDS = 120.0  # or this long failing with no success in between


class Throttle:
    """Request starts at least ``interval`` seconds apart, across threads.

    Threads queue for the next free start slot, so K requests may be in flight
    while their starts stay spaced.  A request marked ``behind`` (asked ahead,
    in the background) takes a slot only when no other request is queued: the
    caller's own requests go first.  One instance (``PROCESS_THROTTLE``) is
    shared by every client of the process; tests pass their own with a fake
    clock and sleep.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock = clock
        self.sleep = sleep
        self._next_at = None
        self._queue = []  # (behind, arrival number) of the requests waiting, a heap
        self._arrivals = itertools.count()
        self._turn = threading.Condition()

    def wait(self, interval: float, behind: bool = False, queued=None) -> float:
        """Block until the next request may start; return the seconds waited.

        ``queued`` is called once this request holds its place in the queue (at
        once when there is no throttle): what it lets start queues behind it.
        """
        if interval <= 0:
            if queued:
                queued()
            return 0.0
        with self._turn:
            arrived = self.clock()
            place = (bool(behind), next(self._arrivals))
            heapq.heappush(self._queue, place)
            if queued:
                queued()
            while True:
                now = self.clock()
                if self._queue[0] != place:
                    self._turn.wait()  # another request is first in line
                elif self._next_at is not None and self._next_at > now:
                    # asleep outside the lock, so that a request arriving meanwhile can
                    # queue (and, when this one is behind, go first)
                    delay = self._next_at - now
                    self._turn.release()
                    try:
                        self.sleep(delay)
                    finally:
                        self._turn.acquire()
                else:
                    break
            heapq.heappop(self._queue)
            self._next_at = max(now, self._next_at or now) + interval
            self._turn.notify_all()
        return now - arrived


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

