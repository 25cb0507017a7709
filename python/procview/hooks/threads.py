"""``threading``: threads starting, ending and being joined; the user's locks."""

import threading

from .. import callsite, recorder
from ..impersonate import impersonate
from .locks import thread_lock_factories
from .behalf import may_block, wait_sending_first
from .tracebacks import clean_exception, hide_runtime_frames
from .waits import announce_wait, wait_in_two_steps

_thread_errors = {}  # ident -> exception type name, set by the excepthook, read at thread exit


def _can_block(thread):
    # Anything else makes join() return at once or raise (from join itself, as without us).
    # (The ident, not current_thread(): that would make a dummy Thread for a thread threading did not start.)
    return getattr(thread, "_initialized", False) and thread.ident != threading.get_ident() and thread.is_alive()


def _threads_awaited_at_exit():
    """Idents of the threads ``threading._shutdown`` will wait for: alive, not daemons, not the exiting one."""
    me = threading.get_ident()
    return [thread.ident for thread in threading.enumerate() if not thread.daemon and thread.ident != me and thread.is_alive()]


def patch_threading():
    Thread = threading.Thread
    original_start = Thread.start
    original_bootstrap_inner = getattr(Thread, "_bootstrap_inner")
    original_join = Thread.join
    original_excepthook = threading.excepthook

    def start(self):
        loc = callsite.first_user_site()
        internal = callsite.user_site() is None
        original_start(self)
        recorder.emit("thread.start", (self.ident, self.name, self.daemon, loc, internal))
        # Sent at once, as the thread's begin is: the starting thread may block next in a call that
        # sends nothing (an executor's manager thread, having started its queue's feeder), and a
        # thread not known as the library's looks to the hang watch like the program at work.
        recorder.flush()

    def _bootstrap_inner(self):
        recorder.emit("thread.begin", (self.name, threading.get_native_id(), self.daemon))
        # Sent at once: the thread's first act may kill its process (a fault in native
        # code sends nothing more), and a thread nobody heard of cannot be named.
        recorder.flush()
        try:
            original_bootstrap_inner(self)
        finally:
            error = _thread_errors.pop(self.ident, None)
            recorder.emit("thread.exit", (error,))

    def join(self, timeout=None):
        loc = callsite.user_site()
        can_block = _can_block(self)
        if loc is None and can_block and may_block(timeout):
            # The library's join, on the user's behalf (Pool.join(), a manager's shutdown).
            def library_attempt(seconds):
                original_join(self, seconds)
                return (not self.is_alive(), None)

            return wait_sending_first(library_attempt, timeout)
        if loc is None or not can_block:
            # Not the user's join, or one that cannot block: it behaves (and raises) as usual.
            result = original_join(self, timeout)
            if loc is not None:
                recorder.emit("thread.join", (self.ident, timeout, loc, 0, False))
            return result

        def attempt(seconds):
            original_join(self, seconds)
            return (not self.is_alive(), None)

        done, _, waited = wait_in_two_steps(attempt, timeout, "thread.join.wait", (self.ident, timeout, loc))
        recorder.emit("thread.join", (self.ident, timeout, loc, waited, not done))
        return None

    def excepthook(args):
        if args.thread is not None:
            _thread_errors[args.thread.ident] = getattr(args.exc_type, "__name__", "Exception")
        clean_exception(args.exc_value)
        tb = hide_runtime_frames(args.exc_traceback)
        if tb is not args.exc_traceback:
            args = threading.ExceptHookArgs([args.exc_type, args.exc_value, tb, args.thread])
        return original_excepthook(args)

    Thread.start = start
    setattr(Thread, "_bootstrap_inner", _bootstrap_inner)
    Thread.join = join
    threading.excepthook = impersonate(excepthook, original_excepthook)

    original_shutdown = getattr(threading, "_shutdown", None)
    if original_shutdown is not None:
        # The interpreter's wait, at exit, for the threads that are not daemons (and a
        # Process's, as its _bootstrap ends): announced, so that a thread that never
        # ends is seen to hold up the exit, and what was recorded goes out before it blocks.
        def _shutdown():
            threads = _threads_awaited_at_exit()
            if threads:
                announce_wait("exit.wait", (threads, []))
            recorder.flush()
            return original_shutdown()

        setattr(threading, "_shutdown", impersonate(_shutdown, original_shutdown))
    threading.Lock, threading.RLock = thread_lock_factories(threading.Lock, threading.RLock)

    from .sync import patch_threading_sync

    patch_threading_sync()

