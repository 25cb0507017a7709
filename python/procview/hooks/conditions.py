"""A Condition's own lock, recorded as the lock it is.

``with cond:``, ``cond.acquire()`` and ``cond.release()`` take and give back the
Condition's lock, and ``cond.wait()`` gives it back while it waits and takes it
again before it returns. A person looking at a hang needs to know who holds it
(a thread that enters ``with cond:`` twice on a Condition built on a plain Lock
deadlocks on itself), so these are lock events, at the user's line:

- A Condition the user's code makes without a lock gets the user's own lock
  (``threading.RLock()`` or ``ctx.RLock()`` asked for from the user's line, so
  it is recorded: ``lock.new`` there); one made on the user's Lock or RLock
  uses that lock, under its id. Conditions the library makes for itself
  (an Event's, a Barrier's, a Queue's, a Future's) keep raw locks: untouched.
- ``Condition.__enter__``/``__exit__`` only pass the call on to the lock, so they
  are transparent: the lock's own recording sees the user's ``with`` line.
  ``cond.acquire``/``cond.release`` are the lock's own methods already.
- ``wait()`` records ``lock.release`` (once per level of an RLock held several
  times) before it waits and ``lock.acquire`` after, at the wait's line; the
  library's release and re-acquire inside it, and the Condition's semaphores
  and waiter locks, are the library's own use: not recorded. A Condition's
  methods that take its lock themselves (``_is_owned``, ``notify``) call it from
  library code, which is never recorded: no acquire is counted twice.

Patched after ``sync`` (which records the waits and signals): these wrappers
stand outside its own.
"""

import re

from .. import callsite, recorder
from ..callsite import user_site
from .locks import TracedLock, TracedRLock

_COUNT_IN_REPR = re.compile(r"count=(\d+)")


def patch_thread_condition(Condition):
    import threading

    wrapped_init = Condition.__init__
    wrapped_wait = Condition.wait

    def __init__(self, lock=None):
        # threading.RLock() decides by the caller, as the lock the original would
        # make does: the user's own (recorded) for the user's Condition, raw for the library's.
        wrapped_init(self, threading.RLock() if lock is None else lock)

    def wait(self, timeout=None):
        lock = self._lock
        kind = type(lock)
        if kind is TracedLock or kind is TracedRLock:
            loc = user_site()
            if loc is not None and self._is_owned():
                if lock._pv_pid != recorder.pid():
                    lock._identify(loc)  # held here, made before a fork: this process's copy
                depth = _thread_lock_depth(lock)
                return _released_while_waiting(wrapped_wait, self, timeout, lock._pv_id, depth, loc, recorder.emit)
        return wrapped_wait(self, timeout)

    wait.__name__, wait.__qualname__, wait.__doc__ = wrapped_wait.__name__, wrapped_wait.__qualname__, wrapped_wait.__doc__
    Condition.__init__ = __init__
    Condition.wait = wait
    callsite.add_transparent(Condition.__enter__, Condition.__exit__)


def patch_process_condition(synchronize):
    Condition = synchronize.Condition
    wrapped_init = Condition.__init__
    wrapped_wait = Condition.wait

    def __init__(self, lock=None, *, ctx):
        # ctx.RLock() from here is the user's (recorded) when the user's code made
        # this Condition, the library's (raw) when the library did: its caller decides.
        wrapped_init(self, lock or ctx.RLock(), ctx=ctx)

    def wait(self, timeout=None):
        lock = self._lock
        if "_pv_acquire_from" in getattr(lock, "__dict__", ()):  # a lock procview records
            loc = user_site()
            semlock = lock._semlock
            if loc is not None and semlock._is_mine():
                # Taken back: a process-shared lock, sent promptly as every acquire of one is.
                return _released_while_waiting(wrapped_wait, self, timeout, lock._pv_id, semlock._count(), loc, recorder.emit_prompt)
        return wrapped_wait(self, timeout)

    wait.__name__, wait.__qualname__, wait.__doc__ = wrapped_wait.__name__, wrapped_wait.__qualname__, wrapped_wait.__doc__
    Condition.__init__ = __init__
    Condition.wait = wait
    callsite.add_transparent(Condition.__enter__, Condition.__exit__)


def _thread_lock_depth(lock):
    """How many times this thread holds the Condition's lock (it holds it)."""
    if type(lock) is not TracedRLock:
        return 1
    raw = lock._lock
    count = getattr(raw, "_recursion_count", None)
    if count is not None:
        return count()
    match = _COUNT_IN_REPR.search(repr(raw))  # before 3.11: only the repr says
    return int(match.group(1)) if match else 1


def _released_while_waiting(wait, cond, timeout, lock_id, depth, loc, emit_acquire):
    # Stamped before the library releases it, as every release is: the next
    # holder's acquire comes after it. The re-acquire is recorded once wait()
    # has it again, however wait() ended.
    t = recorder.now()
    for _ in range(depth):
        recorder.emit_at(t, "lock.release", (lock_id, loc))
    try:
        return wait(cond, timeout)
    finally:
        for _ in range(depth):
            emit_acquire("lock.acquire", (lock_id, loc, 0, "ok"))
