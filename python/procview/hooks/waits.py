"""The one way every wrapper waits: a short try first, then an announced wait.

Most waits end within microseconds, and announcing each one would cost a send
per call. So a wait first runs for a short slice; only if it is still pending
after that does the thread announce "blocked on X" (``<kind>.wait``, with the
user's frames of the waiting thread in ``stack``) and send everything buffered,
so the listener always knows who waits on what, then it waits for the rest of
its timeout. Nothing of this runs for a wait that ends within the first slice.
"""

import select
import sys

from .. import callsite, recorder

_HAVE_POLL = hasattr(select, "poll")
_getframe = sys._getframe

FIRST_SLICE_S = 0.005


def announce_wait(wait_kind, wait_values):
    """Say the calling thread waits (``<kind>.wait``, its ``stack`` last) and send everything buffered.

    The slow path only: the stack is walked here, once per announced wait.
    """
    if not recorder.is_on():
        return
    recorder.emit(wait_kind, wait_values + (callsite.user_stack(_getframe(1)),))
    recorder.flush()


def wait_in_two_steps(attempt, timeout, wait_kind, wait_values):
    """Run ``attempt(seconds_or_None) -> (done, result)`` as described above.

    Returns ``(done, result, waited_ns)``. If an announced wait raises (Ctrl-C,
    a closed queue), ``wait.abort`` ends it and the exception goes on unchanged.
    """
    t0 = recorder.now()
    first = FIRST_SLICE_S if timeout is None else max(0.0, min(FIRST_SLICE_S, timeout))
    done, result = attempt(first)
    if done or (timeout is not None and timeout <= first):
        return done, result, recorder.now() - t0
    announce_wait(wait_kind, wait_values)
    remaining = None if timeout is None else max(0.0, timeout - (recorder.now() - t0) / 1e9)
    try:
        done, result = attempt(remaining)
    except BaseException as exc:
        recorder.emit("wait.abort", (wait_kind, recorder.now() - t0, type(exc).__name__))
        raise
    return done, result, recorder.now() - t0


def readiness(fd):
    """``ready(seconds) -> bool``: is there something to read on ``fd``, waiting at most that long?

    One ``poll`` object per file, made once: far cheaper than the selector that
    ``Connection.poll`` builds on every call, and it reads nothing.
    """
    if not _HAVE_POLL:
        return None
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    poll = poller.poll

    def ready(seconds):
        return bool(poll(seconds * 1000.0))

    return ready


def announce_if_slow(ready, timeout, wait_kind, wait_values):
    """Before a read that may block: if nothing arrives within the first slice, announce the wait.

    The read itself is then done by the library, as without procview, so even a
    Ctrl-C during it shows the library's own traceback. Returns the time spent
    here, to be taken off the read's timeout.
    """
    if ready is None or ready(0):
        return 0.0
    first = FIRST_SLICE_S if timeout is None else max(0.0, min(FIRST_SLICE_S, timeout))
    t0 = recorder.now()
    if not ready(first) and (timeout is None or timeout > first):
        announce_wait(wait_kind, wait_values)
    return (recorder.now() - t0) / 1e9


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
    """A join on a queue's unfinished tasks: announced before it blocks, recorded when it returns."""
    t0 = recorder.now()
    if not is_done():
        announce_wait(wait_kind, wait_values)
    result = join()
    recorder.emit(done_kind, wait_values + (recorder.now() - t0,))
    return result
