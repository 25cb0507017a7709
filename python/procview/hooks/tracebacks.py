"""Keep the runtime out of the program's tracebacks.

An exception raised under one of our wrappers (``Empty`` from ``get``, a
Ctrl-C during a wait) passes through the wrapper's frame, and Python records
that frame in the traceback. People must see the traceback they would see
without procview, so our frames are taken out wherever tracebacks are shown:
the interpreter's and threading's excepthooks (spliced in place) and the
``traceback`` module's frame walkers (which logging, multiprocessing and
concurrent.futures use to print or ship tracebacks).
"""

from ..callsite import is_runtime_file


def _is_ours(tb):
    return is_runtime_file(tb.tb_frame.f_code.co_filename)


def hide_runtime_frames(tb):
    """The same traceback chain without our frames (relinked in place)."""
    while tb is not None and _is_ours(tb):
        tb = tb.tb_next
    head = tb
    while tb is not None:
        following = tb.tb_next
        while following is not None and _is_ours(following):
            following = following.tb_next
        if tb.tb_next is not following:
            tb.tb_next = following
        tb = following
    return head


def clean_exception(exc, _seen=None):
    """Take our frames out of an exception and of the exceptions chained to it."""
    seen = set() if _seen is None else _seen
    if exc is None or id(exc) in seen:
        return
    seen.add(id(exc))
    if exc.__traceback__ is not None:
        exc.__traceback__ = hide_runtime_frames(exc.__traceback__)
    clean_exception(exc.__cause__, seen)
    clean_exception(exc.__context__, seen)


def patch_traceback(traceback):
    for name in ("walk_tb", "_walk_tb_with_full_positions"):
        original = getattr(traceback, name, None)
        if original is not None:
            setattr(traceback, name, _filtered_walk(original))


def _filtered_walk(original):
    def walk(tb, *args, **kwargs):
        for item in original(tb, *args, **kwargs):
            if not is_runtime_file(item[0].f_code.co_filename):
                yield item

    walk.__name__ = original.__name__
    walk.__doc__ = original.__doc__
    return walk
