"""Replies read on another core: ``ParserProcess``, litgraph's own parsers in a child process.

Reading an efetch reply of 10,000 records takes most of a second of one core,
and while it runs under the GIL the rest of the client waits: the next reply is
not taken off the socket, verification does not move.  A client starts one
child process when it sends a request with a long list of IDs (a POST: a large
reply is coming).  From then on each efetch or elink reply goes to whichever
of the child and this process is free first (``Readers``), and is read here
while the child is still starting (about 0.1 s, usually less than a large reply
takes to come); the child ends
when no request of the client is in flight any more, and the next POST starts
another.  The trip costs little:
``bench/parse.py --elsewhere`` reads 10 to 10,000 synthetic records in the child
in about the wall time it takes here, for a tenth of this process's processor
time.  What comes back is what the same function gives here (tests hold the
two to each other on every fixture reply and every reply shape of the stand-in).

The child is a fresh Python running ``serve`` (``CHILD``): it runs none of the
caller's code and holds none of its threads, so it is safe beside the client's
threads.  Only parsers of ``litgraph.entrez.records`` are named to it, by name;
the reply goes as bytes, the records come back pickled.  It ends when its input
ends: the client closed, or its process ended, however it ended.  Where it
cannot start, or it dies, replies are read here: a slower run, never another
result.  A child that gives no answer within ``ANSWER_WAIT_S`` (stopped, swapped out,
wedged) is ended and replies are read here: it never holds a build up for good.

A large reply read once is kept read (``kept_readings``, beside the HTTP cache): the
same bytes from the cache, in a later build, give its records back without reading it
again (5,000 records: 0.03 s against 0.42 s).
"""

import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from ..kept import MISSING, Kept, key_of
from . import records

log = logging.getLogger("litgraph.entrez")

_LENGTH = struct.Struct("!Q")
CHILD = ("import sys; from litgraph.entrez.parser import serve; "
         "serve(sys.stdin.buffer, sys.stdout.buffer)")
PARSERS = ("parse_pubmed", "parse_elink")  # what the child may be asked to run
KEPT_FROM_BYTES = 64_000  # a smaller reply is read again: quicker than keeping it
KEPT_DAYS = 30  # a reading no build used for this long is dropped
# The longest one reply may spend going to the child and coming back read (10,000 records
# take about a second): past it the child is taken for stuck (stopped, swapped out,
# wedged) and ended, and replies are read in the client.
ANSWER_WAIT_S = 60


def kept_readings(cache_path):
    """Where the readings of an HTTP cache's large replies are kept (None without a cache)."""
    if not cache_path:
        return None
    cache_path = Path(cache_path)
    return Kept(cache_path.with_name(cache_path.stem + "-read.sqlite"))


class ParserProcess:
    """One child process that reads replies (``try_parse``), started by ``start``."""

    def __init__(self, answer_wait=ANSWER_WAIT_S):
        self.answer_wait = answer_wait  # seconds: see ANSWER_WAIT_S
        self._process = None
        self._ready = False  # the child has said it is ready (its imports done)
        self._broken = False
        self._stuck = False  # the child was ended for taking longer than answer_wait
        self._busy = threading.Lock()  # one reply at a time in the child
        self.peak_rss_mb = None  # the largest peak memory of the children that have ended
        self.started = 0  # children started

    @staticmethod
    def runs(parse) -> bool:
        """Whether the child knows ``parse``."""
        return _name_of(parse) is not None

    def start(self) -> None:
        """Start the child, unless it runs or cannot: called when a large reply is on its
        way, so that the child is ready when the reply comes."""
        if not self._busy.acquire(blocking=False):
            return  # reading a reply: the child runs
        try:
            if self._process is None and not self._broken:
                self._start()
        except OSError as exc:
            self._give_up(exc)
        finally:
            self._busy.release()

    def try_parse(self, parse, content, taken=None):
        """``(True, parse(content))`` read in the child, or ``(False, None)`` when the child
        is busy, not started, or does not know ``parse``.  The parser's own error is raised
        here as it was raised there.  ``taken()`` is called once the child has the reply."""
        named = _name_of(parse)
        if named is None or self._process is None or not self._busy.acquire(blocking=False):
            return False, None
        try:
            if self._process is None or not self._is_ready():  # stopped, or still starting
                return False, None
            if taken is not None:
                taken()
            return True, self._ask(*named, content)
        except (OSError, EOFError, pickle.UnpicklingError, struct.error) as exc:
            self._give_up(exc)  # the child died or never started: read everything here
            return False, None
        finally:
            self._busy.release()

    def can_take(self, parse) -> bool:
        """Whether the child, once free, would read a reply for ``parse``: it runs, said it
        is ready, and knows ``parse``."""
        return self._process is not None and self._ready and _name_of(parse) is not None

    def close(self) -> None:
        """End the child, if one runs; a later ``start`` starts another."""
        with self._busy:
            if self._process is None:
                return
            try:
                if self._is_ready():
                    with self._watched():
                        _write(self._process.stdin, pickle.dumps(("bye", ())), b"")
                        peak = _read(self._process.stdout)[1]
                    if peak is not None:
                        self.peak_rss_mb = max(peak, self.peak_rss_mb or 0)
                else:
                    self._process.kill()  # still starting: it has read nothing, holds nothing
            except (OSError, EOFError, pickle.UnpicklingError, struct.error):
                pass  # it ended already (killed, out of memory): nothing to say goodbye to
            self._stop()

    def wait_ready(self) -> bool:
        """Wait until the child started says it is ready; False when none runs."""
        with self._busy:
            return self._process is not None and self._is_ready(wait=True)

    def _is_ready(self, wait=False) -> bool:
        """Whether the child has said it is ready, looking without waiting (``wait``: waiting)."""
        if not self._ready:
            try:
                waiting, _, _ = select.select([self._process.stdout], [], [], None if wait else 0)
            except (OSError, ValueError):  # no select on pipes here: wait for it
                waiting = [self._process.stdout]
            if waiting:
                self._ready = _read(self._process.stdout) == ("ready", None)
        return self._ready

    def _give_up(self, exc) -> None:
        self._broken = True
        if self._stuck:
            exc = TimeoutError(f"it gave no answer in {self.answer_wait:g} s and was ended")
        log.warning("the parser process stopped (%s: %s); replies are read in this one",
                    type(exc).__name__, exc)
        self._stop()

    @contextmanager
    def _watched(self):
        """An exchange with the child, ended (the child killed: this side's read or write
        then fails) should it last longer than ``answer_wait``."""
        process = self._process

        def end_it():
            self._stuck = True
            process.kill()

        watchdog = threading.Timer(self.answer_wait, end_it)
        watchdog.daemon = True
        watchdog.start()
        try:
            yield
        finally:
            watchdog.cancel()

    def _start(self) -> None:
        # the child imports this very litgraph, wherever this process found it
        package_home = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (package_home, env.get("PYTHONPATH"))))
        self._process = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, close_fds=True)
        self.started += 1

    def _ask(self, name, args, content):
        with self._watched():
            _write(self._process.stdin, pickle.dumps((name, args)), content)
            status, value = _read(self._process.stdout)
        if status == "ok":
            return value
        raise value

    def _stop(self) -> None:
        process, self._process, self._ready = self._process, None, False
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Readers:
    """Where a reply is read: in the parser process (``process``) or here, whichever is free
    first, the caller's own replies before those of requests asked ahead.

    One reply is read here at a time: a parse holds the GIL, so two at once are no faster.
    A reply the child could read waits for the first of the two to be free, not for this
    process: with four replies come at once, the child took one and the other three
    queued here while it sat idle (a 20,000-reference run, elink's replies parsed a second
    late).  A reply the child cannot read (it is starting, or does not know the parser)
    waits its turn here.  A reply to a request asked ahead (``behind``: elink's, beside
    efetch) takes a reader only when none of the caller's own is waiting: the caller
    needs its records first, to verify them."""

    def __init__(self, kept=None):
        self.process = ParserProcess()
        self.kept = kept  # a ``Kept`` of large replies' readings (``kept_readings``), or None
        self._here = threading.Lock()
        self._changed = threading.Condition()  # a reader became free, or a reply stopped waiting
        self._changes = 0
        self._own_waiting = 0

    def read(self, parse, content, behind=False):
        """``(parse(content), True when read in the child)``.  The parser's own error is
        raised as it was raised where the reply was read.  A large reply's reading is
        kept, and taken from there when the same bytes come again."""
        name = _name_of(parse)
        key = (key_of(repr(name).encode(), content)
               if self.kept is not None and name and len(content) >= KEPT_FROM_BYTES else None)
        found = self.kept.get(key) if key else MISSING
        if found is not MISSING:
            return found, False
        parsed, elsewhere = self._read(parse, content, behind)
        if key:
            self.kept.put(key, parsed)
        return parsed, elsewhere

    def close(self) -> None:
        """End the child, and let go of the kept readings (dropping those long unused)."""
        self.process.close()
        if self.kept is not None:
            self.kept.forget_unused(KEPT_DAYS)
            self.kept.close()

    def _read(self, parse, content, behind):
        waiting = []  # the caller's own reply, until a reader has it
        if not behind:
            waiting.append(True)
            self._change(own_waiting=1)

        def taken():  # the replies asked ahead may go once this one is being read
            if waiting:
                waiting.pop()
                self._change(own_waiting=-1)

        try:
            while True:
                with self._changed:
                    changes = self._changes
                    may = not behind or self._own_waiting == 0
                if may:
                    done, parsed, elsewhere = self._try(parse, content, not behind, taken)
                    if done:
                        return parsed, elsewhere
                with self._changed:  # look again when something changed (and now and then)
                    if self._changes == changes:
                        self._changed.wait(0.05)
        finally:
            taken()

    def _try(self, parse, content, wait_here, taken):
        """``(True, records, elsewhere)`` when a reader was free, else ``(False, None, None)``.
        ``wait_here``: wait for this process where the child cannot read the reply;
        ``taken()`` once a reader has it."""
        try:
            elsewhere, parsed = self.process.try_parse(parse, content, taken)
        except BaseException:  # the parser's error, raised in the child: it is free again
            self._change()
            raise
        if elsewhere:
            self._change()
            return True, parsed, True
        if self._here.acquire(blocking=wait_here and not self.process.can_take(parse)):
            try:
                taken()
                return True, parse(content), False
            finally:
                self._here.release()
                self._change()
        return False, None, None

    def _change(self, own_waiting=0) -> None:
        with self._changed:
            self._own_waiting += own_waiting
            self._changes += 1
            self._changed.notify_all()


def _name_of(parse):
    """``(function name, extra arguments)`` when ``parse`` is a parser the child runs:
    one of ``PARSERS``, or a ``functools.partial`` of one with keyword arguments."""
    func, args = parse, ()
    keywords = getattr(parse, "keywords", None)
    if keywords is not None and not getattr(parse, "args", ()):
        func, args = parse.func, tuple(sorted(keywords.items()))
    name = getattr(func, "__name__", None)
    if name in PARSERS and getattr(records, name, None) is func:
        return name, args
    return None


def _write(stream, *parts: bytes) -> None:
    """Each part as a frame (its length, then its bytes); a reply is written as it is, not
    copied into a frame first."""
    for part in parts:
        stream.write(_LENGTH.pack(len(part)))
        stream.write(part)
    stream.flush()


def _read_frame(stream) -> bytes:
    """The next frame's bytes; EOFError when the stream ends first."""
    (size,) = _LENGTH.unpack(_read_exactly(stream, _LENGTH.size))
    return _read_exactly(stream, size)


def _read_exactly(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the parser process ended")
    return data


def _read(stream):
    return pickle.loads(_read_frame(stream))


def _error(exc) -> bytes:
    try:
        return pickle.dumps(("error", exc))
    except Exception:  # an exception that does not pickle: its type and words
        return pickle.dumps(("error", ValueError(f"{type(exc).__name__}: {exc}")))


def _own_peak_mb():
    """This process's peak memory since it started Python (VmHWM), or None where /proc has
    none.  Not ``ru_maxrss``: Linux carries that over an exec from the process that forked,
    so it would count the client's memory at the fork as the child's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def serve(inbound, outbound) -> None:
    """The child's loop: a request in, its answer out, until the input ends."""
    import gc

    gc.disable()  # records are trees of small objects that hold no cycles
    _write(outbound, pickle.dumps(("ready", None)))  # imports done: replies may come
    while True:
        try:
            name, args = pickle.loads(_read_frame(inbound))
            content = _read_frame(inbound)
        except EOFError:  # the client closed, or its process ended
            return
        if name == "bye":
            answer = pickle.dumps(("ok", _own_peak_mb()))
        elif name in PARSERS:
            try:
                answer = pickle.dumps(("ok", getattr(records, name)(content, **dict(args))),
                                      protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # the parser's own error, raised again in the client
                answer = _error(exc)
        else:
            answer = _error(ValueError(f"unknown parser {name!r}"))
        _write(outbound, answer)
        if name == "bye":
            return
