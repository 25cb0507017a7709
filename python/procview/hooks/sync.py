"""Events, Conditions, Barriers (``threading`` and ``multiprocessing``) and ``threading.Semaphore``.

What a person needs from these when a program hangs: who waits on which one,
since when, and who signals it. Waits on a Condition or a Barrier are
announced before they start (splitting them into slices would change the order
in which waiters are woken, or break the barrier); an Event wait gets the usual
short first slice. ``threading.Semaphore`` is a lock with a count: it is
recorded with the lock events.

Ids: a ``multiprocessing`` object is named after one of its semaphores, whose id
every process shares; a ``threading`` object gets a number unique in its process.
"""

import itertools
import threading

from .. import callsite, recorder
from .locks import acquire_traced, announce, release_traced
from .waits import announce_wait, wait_in_two_steps

_numbers = itertools.count(1)


def _thread_scoped_id(obj, prefix):
    """An id for a threading object, made on first use; a forked child's copy gets its own."""
    ident = obj.__dict__.get("_pv_id")
    if ident is None or obj.__dict__.get("_pv_pid") != recorder.pid():
        ident = "%s%d.%d" % (prefix, recorder.pid(), next(_numbers))
        obj.__dict__["_pv_id"] = ident
        obj.__dict__["_pv_pid"] = recorder.pid()
    return ident


def _sync_id(obj):
    # A multiprocessing Condition (or a Barrier built on one) and Event carry
    # semaphores whose ids all processes share.
    cond = getattr(obj, "_cond", None)
    for holder, name in ((obj, "_sleeping_count"), (obj, "_flag"), (cond, "_sleeping_count")):
        semaphore = getattr(holder, name, None) if holder is not None else None
        sem_id = getattr(semaphore, "_pv_id", None)
        if isinstance(sem_id, str):
            return "sync:" + sem_id
    return _thread_scoped_id(obj, "s")


def _scope(obj):
    return "process" if _sync_id(obj).startswith("sync:sem:") else "thread"


def _announce_new(obj, kind, value, loc):
    recorder.emit("sync.new", (_sync_id(obj), kind, _scope(obj), value, callsite.short_name(kind, loc), loc))


def _signal(obj, op, loc, n=None):
    sync_id = _sync_id(obj)
    recorder.emit("sync.signal", (sync_id, op, loc, n))
    if sync_id.startswith("sync:sem:"):
        # Another process acts on this signal (and may end this one: "ready, now
        # terminate me"). What led up to it must be on record before that.
        recorder.flush()


def _announced_wait(obj, op, loc, call):
    """Announce a wait, run it, record how it ended (``call() -> outcome, result``).

    Not in slices (see waits.py): a Condition wait cut short and begun again would
    change which waiter a notify wakes, and a Barrier wait that times out breaks it.
    """
    sync_id = _sync_id(obj)
    announce_wait("sync.wait.wait", (sync_id, op, loc))
    t0 = recorder.now()
    try:
        outcome, result = call()
    except threading.BrokenBarrierError:
        recorder.send_with_next()
        recorder.emit("sync.wait", (sync_id, op, loc, recorder.now() - t0, "broken"))
        raise
    except BaseException as exc:
        recorder.send_with_next()
        recorder.emit("wait.abort", ("sync.wait.wait", recorder.now() - t0, type(exc).__name__))
        raise
    recorder.send_with_next()  # the end of an announced wait goes out with it
    recorder.emit("sync.wait", (sync_id, op, loc, recorder.now() - t0, outcome))
    return result


def _traced_init(cls, kind, value_of):
    original = cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        loc = callsite.user_site()
        if loc is not None:
            _announce_new(self, kind, value_of(self, args, kwargs), loc)

    cls.__init__ = __init__


def _traced_signal(cls, name, op=None, before=False):
    """Record a signal. ``before``: record (and send) it before making it, for
    signals that cannot fail and wake another process at once (Event.set): that
    process may act on it, even end this one, before we get to say anything after."""
    original = getattr(cls, name)

    def signal(self, *args, **kwargs):
        n = args[0] if args and isinstance(args[0], int) else None
        if before:
            loc = callsite.user_site()
            if loc is not None:
                _signal(self, op or name, loc, n)
            return original(self, *args, **kwargs)
        result = original(self, *args, **kwargs)
        loc = callsite.user_site()
        if loc is not None:
            _signal(self, op or name, loc, n)
        return result

    signal.__name__ = original.__name__
    setattr(cls, name, signal)


def _patch_condition(Condition):
    original_wait = Condition.wait

    def wait(self, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_wait(self, timeout)

        def call():
            notified = original_wait(self, timeout)
            return ("ok" if notified else "timeout"), notified

        return _announced_wait(self, "wait", loc, call)

    Condition.wait = wait
    _traced_signal(Condition, "notify")
    _traced_signal(Condition, "notify_all")
    # wait_for() waits through wait(): the user's wait_for line is the wait's place.
    callsite.add_transparent(Condition.wait_for)


def _patch_event(Event):
    original_wait = Event.wait

    def wait(self, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_wait(self, timeout)
        sync_id = _sync_id(self)
        # Not in slices: an Event set and cleared again between two slices would be missed.
        done, _, waited = wait_in_two_steps(
            lambda seconds: (original_wait(self, seconds), None), timeout, "sync.wait.wait", (sync_id, "wait", loc), slices=False
        )
        recorder.emit("sync.wait", (sync_id, "wait", loc, waited, "ok" if done else "timeout"))
        return done

    wait.untraced = original_wait  # for the runtime's own waits, which are not the user's
    Event.wait = wait
    _traced_signal(Event, "set", before=True)
    _traced_signal(Event, "clear", before=True)


def patch_threading_sync():
    _patch_condition(threading.Condition)
    _patch_event(threading.Event)
    _traced_init(threading.Condition, "Condition", lambda self, args, kwargs: None)
    _traced_init(threading.Event, "Event", lambda self, args, kwargs: None)

    Barrier = threading.Barrier
    original_barrier_wait = Barrier.wait

    def barrier_wait(self, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_barrier_wait(self, timeout)
        return _announced_wait(self, "wait", loc, lambda: ("ok", original_barrier_wait(self, timeout)))

    Barrier.wait = barrier_wait
    _traced_signal(Barrier, "abort")
    _traced_signal(Barrier, "reset")
    _traced_init(Barrier, "Barrier", lambda self, args, kwargs: self.parties)

    for Semaphore in (threading.Semaphore, threading.BoundedSemaphore):
        _patch_thread_semaphore(Semaphore)


def _patch_thread_semaphore(Semaphore):
    # BoundedSemaphore inherits Semaphore's (already wrapped) acquire: only what a class defines is wrapped.
    kind = "threading." + Semaphore.__name__
    own = vars(Semaphore)
    original_init = Semaphore.__init__
    original_acquire = own.get("acquire")
    original_release = own.get("release")

    def __init__(self, value=1):
        original_init(self, value)
        loc = callsite.user_site()
        if loc is not None:
            announce(_thread_scoped_id(self, "ts"), kind, value, "thread", loc)

    def acquire(self, blocking=True, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_acquire(self, blocking, timeout)

        def try_acquire(seconds):
            return original_acquire(self, False) if seconds == 0 else original_acquire(self, True, seconds)

        return acquire_traced(try_acquire, _thread_scoped_id(self, "ts"), blocking, timeout, loc)

    def release(self, n=1):
        loc = callsite.user_site()
        if loc is None:
            return original_release(self, n)
        return release_traced(lambda: original_release(self, n), _thread_scoped_id(self, "ts"), loc)

    def __exit__(self, *args):
        self.release()

    Semaphore.__init__ = __init__
    if original_acquire is not None:
        Semaphore.acquire = acquire
        Semaphore.__enter__ = acquire
    if original_release is not None:
        Semaphore.release = release
        Semaphore.__exit__ = __exit__


def patch_synchronize_sync(synchronize):
    """multiprocessing's Condition and Event (its Barrier is threading's, patched above)."""
    _patch_condition(synchronize.Condition)
    _patch_event(synchronize.Event)
    _traced_init(synchronize.Condition, "Condition", lambda self, args, kwargs: None)
    _traced_init(synchronize.Event, "Event", lambda self, args, kwargs: None)
    _traced_init(synchronize.Barrier, "Barrier", lambda self, args, kwargs: self.parties)
