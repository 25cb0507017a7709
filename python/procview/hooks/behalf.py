"""Waits the library makes on the user's behalf, on things the user never sees.

``multiprocessing.connection.wait`` (under ``Connection.poll``, ``Listener``,
a Process join with a timeout), the joins of ``Pool.join()``: the primitive is
the library's, so the wait is not announced, but the thread is the user's and
may be blocked there for good. What its process has recorded must be sent
before it blocks, or a program that hangs there keeps it. Like every wait
(see waits.py), it first runs for a short slice, and sends only if it is still
pending then; a thread of the library's own (a Pool's handlers, an executor's
manager), with no frame of the user's code on its stack, sends nothing.
"""

from .. import callsite, recorder
from .waits import FIRST_SLICE_S


def wait_sending_first(attempt, timeout):
    """Run ``attempt(seconds_or_None) -> (done, result)`` for ``timeout``; returns the result.

    ``timeout`` is None or a number (a caller with anything else calls the library as is).
    """
    if not recorder.buffered() or callsite.first_user_site() is None:
        return attempt(timeout)[1]
    t0 = recorder.now()
    first = FIRST_SLICE_S if timeout is None else max(0.0, min(FIRST_SLICE_S, timeout))
    done, result = attempt(first)
    if done or (timeout is not None and timeout <= first):
        return result
    recorder.flush()
    remaining = None if timeout is None else max(0.0, timeout - (recorder.now() - t0) / 1e9)
    return attempt(remaining)[1]


def may_block(timeout):
    """A timeout this module handles: None or a positive number (0 cannot block; anything else goes to the library as is)."""
    return timeout is None or (type(timeout) in (int, float) and timeout > 0)
