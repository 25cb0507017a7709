"""The one way every wrapper waits: a short try first, then an announced wait.

Most waits end within microseconds, and announcing each one would cost a send
per call. So a wait first runs for a short slice; only if it is still pending
after that does the thread announce "blocked on X" (``<kind>.wait``) and send
everything buffered, so the listener always knows who waits on what, then it
waits for the rest of its timeout.
"""

from .. import recorder

FIRST_SLICE_S = 0.005


def wait_in_two_steps(attempt, timeout, wait_kind, fields):
    """Run ``attempt(seconds_or_None) -> (done, result)`` as described above.

    Returns ``(done, result, waited_ns)``. If the wait raises (Ctrl-C, a closed
    queue), the end of the wait is recorded with ``outcome: "error"`` and the
    exception goes on unchanged.
    """
    t0 = recorder.now()
    first = FIRST_SLICE_S if timeout is None else max(0.0, min(FIRST_SLICE_S, timeout))
    try:
        done, result = attempt(first)
        if not done and (timeout is None or timeout > first):
            recorder.emit(wait_kind, fields)
            recorder.flush()
            remaining = None if timeout is None else max(0.0, timeout - (recorder.now() - t0) / 1e9)
            done, result = attempt(remaining)
    except BaseException as exc:
        failed = dict(fields)
        failed["waited"] = recorder.now() - t0
        failed["outcome"] = "error"
        failed["error"] = type(exc).__name__
        recorder.emit(wait_kind[: -len(".wait")], failed)
        raise
    return done, result, recorder.now() - t0
