"""The one way every wrapper waits: a short try first, then an announced wait.

Most waits end within microseconds, and announcing each one would cost a send
per call. So a wait first runs for a short slice (``FIRST_SLICE_S``); only if
it is still pending after that does the thread announce "blocked on X"
(``<kind>.wait``, with the user's frames of the waiting thread in ``stack``) and
send everything buffered, so the listener always knows who waits on what.
Nothing of this runs for a wait that ends within the first slice.

In the main thread, the rest of the wait is then one call of the library's, of
the form the program made: untimed if it was, else with what is left of its
timeout (for a readiness wait, see below, the library's own read). Signals are
handled in the main thread, and a Ctrl-C there shows the library's frames under
the waiting call: they are those of a plain run. Its announcement stands until
the wait ends.

In any other thread, the rest of the wait goes in slices of ``RE_ANNOUNCE_S``,
and after each slice that did not end it the thread says it is still waiting
(``wait.still``, sent at once): a thread that keeps saying so is blocked, not
gone quiet. A timed wait's last slice is what is left of its timeout, so it
ends when it would without procview. Sliced this way, where a wait in slices is
the same wait:

- lock and semaphore acquires (``threading`` and ``multiprocessing``), process
  and thread joins, ``queue.Queue`` gets and puts, a ``multiprocessing``
  Queue's put: each slice is the same call with a timeout;
- an executor future's ``result()``/``exception()``, a Pool's ``imap`` results,
  ``concurrent.futures.wait()``/``as_completed()``: each slice is the library's
  own wait with a timeout, on a Condition whose lock the thread holds between
  slices (no notify is missed), or on an Event only this thread clears;
- a ``multiprocessing`` Queue's or SimpleQueue's get, a pipe's recv, a Pool
  result's get: the slices only poll for readiness (the data, the result), and
  the library then reads as it does without procview;
- a pipe's send that finds the pipe full (its writes go without blocking, see
  ``WriteWait``): the slices only poll for room, and each write then moves what
  fits, without blocking. The bytes are the library's, in its order.

Announced after the first slice but not sliced, in any thread, since a wait in
slices would not be the same wait:

- Event waits: an Event set and cleared again between two slices would be
  missed, and the waiter would wait on.

Announced before they start (no first slice, not sliced):

- Condition waits: waking up to wait again changes which waiter a ``notify``
  wakes, and a ``wait_for`` re-checks its predicate;
- Barrier waits: a Barrier wait that times out breaks the barrier for everyone;
- joins on a queue's unfinished tasks (``JoinableQueue.join``, ``queue.Queue.join``):
  a Condition wait inside the library;
- an executor's ``shutdown(wait=True)``: the library joins its own threads and
  processes;
- Manager proxy calls: the manager's server does the waiting, in another process.

What remains visible of this in the main thread, where a Ctrl-C (or another
signal whose handler raises) lands in a wait: its exception goes through the
program's frames as without procview, and the library's frames under the
waiting call are those of a plain run, except

- in the first slice (``FIRST_SLICE_S`` after the wait began), where the first
  slice is not the untimed call itself: the library's timed call shows its own
  frames (``queue.Queue``'s get and put, ``threading.Semaphore``, ``Thread.join``,
  ``Process.join``, ``threading.Event.wait``, an executor future's
  ``result()``/``exception()``, ``imap`` results, ``wait()``/``as_completed()``),
  and a readiness poll shows none (a ``multiprocessing`` Queue's, JoinableQueue's or
  SimpleQueue's get, a pipe's recv, a pipe's send that found the pipe full), or only those of ``threading``'s
  ``Event.wait`` (a Pool result's get). Lock and semaphore acquires of
  ``threading.Lock``/``RLock`` and of ``multiprocessing``, a ``multiprocessing``
  Queue's put and Event wait: the timed call's frames are the untimed one's,
  so nothing shows there either;
- while the wait is announced (between the first slice and the rest: the stack
  walked, the buffer sent): the runtime's frames are hidden, and the library's
  frames under the waiting call are missing.

In the other threads, slicing shows in two ways: a reader that saw data arrive
but lost it to another reader of the same queue or pipe waits on in the
library's read, not re-announced (its announcement stands); and a
``multiprocessing`` Queue's put, sliced through the library's call, checks
again at each slice whether the queue was closed: closing it from another
thread while a put waits on a full queue raises there at the next slice, where
the put would wait on without procview.
"""

import select
import sys
import threading

from .. import callsite, recorder

_HAVE_POLL = hasattr(select, "poll")
_getframe = sys._getframe
_get_ident = threading.get_ident

FIRST_SLICE_S = 0.005
RE_ANNOUNCE_S = 1.0
# A timeout longer than this (11 days; or not a number) goes to the library whole, unsliced:
# the library may refuse it (OverflowError), and must, as without procview.
MAX_SLICED_TIMEOUT_S = 1e6


def announce_wait(wait_kind, wait_values):
    """Say the calling thread waits (``<kind>.wait``, its ``stack`` last) and send everything buffered.

    The slow path only: the stack is walked here, once per announced wait.
    """
    if not recorder.is_on():
        return
    recorder.emit(wait_kind, wait_values + (callsite.user_stack(_getframe(1)),))
    recorder.flush()


def _still(wait_kind, t0):
    recorder.emit("wait.still", (wait_kind, recorder.now() - t0))
    recorder.flush()


def _abort(wait_kind, t0, exc):
    recorder.send_with_next()
    recorder.emit("wait.abort", (wait_kind, recorder.now() - t0, type(exc).__name__))


def _seconds_left(deadline):
    return max(0.0, (deadline - recorder.now()) / 1e9)


def wait_in_two_steps(attempt, timeout, wait_kind, wait_values, slices=True):
    """Run ``attempt(seconds_or_None) -> (done, result)`` as described above.

    ``attempt(seconds)`` waits at most that long (None: until done). Returns
    ``(done, result, waited_ns)``: ``result`` is the last attempt's. With
    ``slices`` false the announced wait is one attempt for the rest of the
    timeout (for waits that must not be cut, see above), as it is in the main
    thread. If an announced wait raises (Ctrl-C, a closed queue), ``wait.abort``
    ends it and the exception goes on unchanged.
    """
    t0 = recorder.now()
    first = FIRST_SLICE_S if timeout is None else max(0.0, min(FIRST_SLICE_S, timeout))
    done, result = attempt(first)
    if done or (timeout is not None and timeout <= first):
        return done, result, recorder.now() - t0
    announce_wait(wait_kind, wait_values)
    deadline = None if timeout is None else t0 + timeout * 1e9
    try:
        if not slices or not _sliceable(timeout):
            done, result = attempt(None if deadline is None else _seconds_left(deadline))
        else:
            while True:
                done, result = attempt(RE_ANNOUNCE_S if deadline is None else min(RE_ANNOUNCE_S, _seconds_left(deadline)))
                if done or (deadline is not None and recorder.now() >= deadline):
                    break
                _still(wait_kind, t0)
    except BaseException as exc:
        _abort(wait_kind, t0, exc)
        raise
    recorder.send_with_next()  # the caller records the wait's end next: it must not wait for a batch
    return done, result, recorder.now() - t0


def _sliceable(timeout):
    """May the rest of an announced wait go in slices? Not past ``MAX_SLICED_TIMEOUT_S``, nor in the main thread (see above)."""
    # The main thread by ident: current_thread() would make a dummy Thread for a thread threading did not start.
    return (timeout is None or timeout <= MAX_SLICED_TIMEOUT_S) and _get_ident() != threading.main_thread().ident


def readiness(fd, for_writing=False):
    """``ready(seconds) -> bool``: is there something to read on ``fd``, waiting at most that long?

    One ``poll`` object per file and thread, made once: far cheaper than the
    selector that ``Connection.poll`` builds on every call, and it reads
    nothing. Per thread, because a poll object refuses to be polled by two
    threads at once, and several threads may wait on one queue.

    With ``for_writing``: is there room to write on ``fd`` (or has its reader
    gone, where a write fails at once)?
    """
    if not _HAVE_POLL:
        return None
    mine = threading.local()
    events = select.POLLOUT if for_writing else select.POLLIN

    def ready(seconds):
        poll = getattr(mine, "poll", None)
        if poll is None:
            poller = select.poll()
            poller.register(fd, events)
            poll = mine.poll = poller.poll
        return bool(poll(seconds * 1000.0))

    return ready


class _WaitInCall:
    """A wait inside a library call that goes on after it (a read, a write): the call tells how it ended.

    ``ended()`` or ``raised(exc)`` once the call is done: the end of an
    announced wait must go out with the caller's next event, and a call that
    raises ends it with ``wait.abort``. Nothing to say of a wait never announced.
    """

    __slots__ = ("_kind", "_t0", "_announced")

    def __init__(self, wait_kind, t0, announced):
        self._kind = wait_kind
        self._t0 = t0
        self._announced = announced

    def ended(self):
        if self._announced:
            recorder.send_with_next()

    def raised(self, exc):
        if self._announced:
            _abort(self._kind, self._t0, exc)


class ReadWait(_WaitInCall):
    """A read that found nothing ready at once: the library's read after it tells it how it ended.

    ``time_left(timeout)`` is the timeout to give the read (the wait so far is
    part of the one the user asked for).
    """

    __slots__ = ("_spent_s",)

    def __init__(self, wait_kind, t0, announced):
        super().__init__(wait_kind, t0, announced)
        self._spent_s = (recorder.now() - t0) / 1e9

    def time_left(self, timeout):
        return None if timeout is None else max(0.0, timeout - self._spent_s)


class WriteWait(_WaitInCall):
    """A write that found its file full (a pipe's send whose reader is behind): it waits for room.

    The caller writes without blocking first; only when that finds no room is
    this made, and ``room(writable)`` waits: a first slice, then the wait is
    announced. ``room`` returns True when the file may take some bytes (write
    again without blocking), False when the rest of the wait is the library's
    own blocking write: in the main thread (see above), or where readiness
    cannot be polled. Elsewhere room is polled for in slices (``wait.still``
    after each). A write of many chunks is one wait, announced once.
    """

    __slots__ = ("_values", "blocking")

    def __init__(self, wait_kind, wait_values):
        super().__init__(wait_kind, recorder.now(), False)
        self._values = wait_values
        # Announced, and the rest is the library's blocking write: no more tries without blocking.
        self.blocking = False

    def room(self, writable):
        if not self._announced:
            if writable is not None and writable(FIRST_SLICE_S):
                return True
            announce_wait(self._kind, self._values)
            self._announced = True
        if writable is None or not _sliceable(None):
            self.blocking = True
            return False
        while not writable(RE_ANNOUNCE_S):
            _still(self._kind, self._t0)
        return True


def wait_until_readable(ready, timeout, wait_kind, wait_values):
    """Before a read that may block: wait for readiness, announcing the wait if it lasts.

    Returns None if something is ready at once (or readiness cannot be polled),
    else a ``ReadWait`` to hand the read's outcome to. If nothing is ready
    within the first slice, the wait is announced. In the main thread (or past
    ``MAX_SLICED_TIMEOUT_S``), the library's read is then the rest of the wait;
    elsewhere readiness is polled in slices (``wait.still`` after each) until
    something is ready or the timeout has run out. The read itself is always the
    library's, as without procview.
    """
    if ready is None or ready(0):
        return None
    first = FIRST_SLICE_S if timeout is None else max(0.0, min(FIRST_SLICE_S, timeout))
    t0 = recorder.now()
    if ready(first) or (timeout is not None and timeout <= first):
        return ReadWait(wait_kind, t0, False)
    announce_wait(wait_kind, wait_values)
    if not _sliceable(timeout):
        return ReadWait(wait_kind, t0, True)
    deadline = None if timeout is None else t0 + timeout * 1e9
    try:
        while not ready(RE_ANNOUNCE_S if deadline is None else min(RE_ANNOUNCE_S, _seconds_left(deadline))):
            if deadline is not None and recorder.now() >= deadline:
                break
            _still(wait_kind, t0)
    except BaseException as exc:
        _abort(wait_kind, t0, exc)
        raise
    return ReadWait(wait_kind, t0, True)


def try_then_wait(call, failure_type, block, timeout, wait_kind, wait_values):
    """Run a queue operation the way the user asked, through a non-blocking try first.

    ``call(blocking, seconds)`` performs it once and raises ``failure_type``
    (Full, Empty) when it cannot. Returns ``(done, result or the failure, waited_ns)``.
    """
    try:
        return True, call(False, None), 0
    except failure_type as exc:
        if not block:
            return False, exc, 0
    return wait_after_try(call, failure_type, timeout, wait_kind, wait_values)


def wait_after_try(call, failure_type, timeout, wait_kind, wait_values):
    """The rest of ``try_then_wait`` once the caller's own non-blocking try failed."""

    def attempt(seconds):
        try:
            return True, call(True, seconds)
        except failure_type as exc:
            return False, exc

    return wait_in_two_steps(attempt, timeout, wait_kind, wait_values)


def announced_join(is_done, join, wait_kind, done_kind, wait_values):
    """A join on a queue's unfinished tasks: announced before it blocks (not sliced), recorded when it returns."""
    t0 = recorder.now()
    if not is_done():
        announce_wait(wait_kind, wait_values)
    result = join()
    recorder.send_with_next()
    recorder.emit(done_kind, wait_values + (recorder.now() - t0,))
    return result
