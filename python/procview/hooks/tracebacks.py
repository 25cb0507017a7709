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
from ..impersonate import impersonate


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
    # walk_stack too: extract_stack(), print_stack() and format_stack() (and
    # logging's stack_info) in a worker must not show the wrappers it runs under.
    for name in ("walk_tb", "_walk_tb_with_full_positions", "walk_stack"):
        original = getattr(traceback, name, None)
        if original is not None:
            setattr(traceback, name, _filtered_walk(original, name == "walk_stack"))


def _filtered_walk(original, walks_stack):
    def walk(tb, *args, **kwargs):
        items = original(tb, *args, **kwargs)
        if tb is None and walks_stack:
            # walk_stack(None) starts a fixed number of frames up from its own, which
            # is now one frame deeper (under this one): its first frame is one too many.
            # None there means the stack is too shallow for it, where it fails without us.
            if next(items, None) is None:
                raise AttributeError("'NoneType' object has no attribute 'f_back'")
        for item in items:
            if not is_runtime_file(item[0].f_code.co_filename):
                yield item

    return impersonate(walk, original)


def patch_inspect(inspect):
    """inspect.stack() and inspect.trace() (and the frame lists they are made of) without our frames."""
    for name in ("getouterframes", "getinnerframes"):
        original = getattr(inspect, name, None)
        if original is not None:
            setattr(inspect, name, _filtered_frame_list(original))


def _filtered_frame_list(original):
    def frames(*args, **kwargs):
        return [info for info in original(*args, **kwargs) if not is_runtime_file(info[0].f_code.co_filename)]

    return impersonate(frames, original)
