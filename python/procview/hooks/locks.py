"""Locks and semaphores: ``multiprocessing``'s SemLock family and ``threading``'s locks.

Ownership is what matters to a person looking at a hang, so every acquire and
release made by the user's code is recorded, with the time it waited. A lock's id
is the same in every process: the semaphore's name where it has one (spawn,
forkserver), else its handle, which a forked child shares with its parent.
"""

import itertools
import sys
import threading
from time import perf_counter_ns as _perf_ns

from .. import callsite, recorder
from ..callsite import user_site, walk
from ..recorder import emit, emit_at, emit_prompt, now
from .waits import wait_in_two_steps

_getframe = sys._getframe

# ---------------------------------------------------------------- shared logic


# The wrappers below first try the lock without blocking, inline: most acquires
# succeed at once, and that path is what a lock-heavy program pays for on every
# acquire. Only a lock that is taken goes through acquire_traced's announced wait.


def acquire_traced(try_acquire, lock_id, blocking, timeout, loc, shared=False):
    """Acquire through ``try_acquire(seconds_or_None) -> bool`` and record it.

    ``try_acquire(0)`` must not block; ``try_acquire(None)`` waits forever.
    ``shared``: a lock other processes use, whose taking is sent promptly
    (``recorder.emit_prompt``): this process may be killed while it holds it.
    """
    if try_acquire(0):
        (emit_prompt if shared else emit)("lock.acquire", (lock_id, loc, 0, "ok"))
        return True
    if not blocking:
        emit("lock.acquire", (lock_id, loc, 0, "busy"))
        return False
    done, _, waited = wait_in_two_steps(lambda seconds: (try_acquire(seconds), None), timeout, "lock.wait", (lock_id, loc))
    (emit_prompt if shared and done else emit)("lock.acquire", (lock_id, loc, waited, "ok" if done else "timeout"))
    return done


def release_traced(release, lock_id, loc):
    # Stamp the time before releasing: the next owner's acquire must come after it.
    t = now()
    result = release()
    emit_at(t, "lock.release", (lock_id, loc))
    return result


def announce(lock_id, kind, value, scope, loc):
    recorder.emit("lock.new", (lock_id, kind, value, scope, callsite.short_name(kind, loc), loc))


# ---------------------------------------------------------- multiprocessing


def _semlock_id(semlock):
    name = semlock.name
    if name:
        return "sem:" + name
    return "sem:%x.%d" % (semlock.handle, recorder.pid())


_creating = threading.local()  # .site: where the SemLock being built was asked for
_LIBRARY = object()  # ...by the library itself, for its own use


def untraced(lock):
    """Give a library-internal lock back its raw methods (see queues: after unpickling)."""
    lock.acquire = lock._semlock.acquire
    lock.release = lock._semlock.release
    lock.__dict__.pop("_pv_acquire_from", None)
    lock.__dict__.pop("_pv_release_from", None)


def patch_synchronize(synchronize):
    SemLock = synchronize.SemLock
    original_init = SemLock.__init__
    original_make_methods = SemLock._make_methods

    def __init__(self, kind, value, maxvalue, *, ctx):
        loc = callsite.user_site()
        _creating.site = _LIBRARY if loc is None else loc
        try:
            original_init(self, kind, value, maxvalue, ctx=ctx)
        finally:
            _creating.site = None
        if loc is not None:
            announce(self._pv_id, type(self).__name__, value, "process", loc)

    def _make_methods(self):
        # Runs in __init__ and in __setstate__ (every process that receives the lock).
        original_make_methods(self)
        lock_id = self._pv_id = _semlock_id(self._semlock)
        if getattr(_creating, "site", None) is _LIBRARY:
            return  # a Queue's or Pool's own lock: not the user's, and on a hot path
        raw_acquire = self.acquire
        raw_release = self.release

        def try_acquire(seconds):
            return raw_acquire(True, seconds) if seconds != 0 else raw_acquire(False)

        # Each takes the frame of the call to attribute: `with lock:` goes straight
        # from __enter__/__exit__ to these, one Python call fewer on the hottest path.
        def acquire_from(frame, block, timeout):
            loc = walk(frame, True)
            if loc is None:
                return raw_acquire(block, timeout)
            if timeout is None and raw_acquire(False):
                emit_prompt("lock.acquire", (lock_id, loc, 0, "ok"))
                return True
            return acquire_traced(try_acquire, lock_id, block, timeout, loc, True)

        def release_from(frame):
            loc = walk(frame, True)
            if loc is None:
                return raw_release()
            t = _perf_ns()
            raw_release()
            emit_at(t, "lock.release", (lock_id, loc))

        def acquire(block=True, timeout=None):
            return acquire_from(_getframe(1), block, timeout)

        def release():
            return release_from(_getframe(1))

        self.acquire = acquire
        self.release = release
        self._pv_acquire_from = acquire_from
        self._pv_release_from = release_from

    def __enter__(self):
        acquire_from = self.__dict__.get("_pv_acquire_from")
        if acquire_from is None:
            return self.acquire()
        return acquire_from(_getframe(1), True, None)

    def __exit__(self, *args):
        release_from = self.__dict__.get("_pv_release_from")
        if release_from is None:
            return self.release()
        return release_from(_getframe(1))

    SemLock.__init__ = __init__
    SemLock._make_methods = _make_methods
    SemLock.__enter__ = __enter__
    SemLock.__exit__ = __exit__
    # Constructors that only pass the user's call on to SemLock.__init__.
    callsite.add_transparent(
        synchronize.Lock.__init__,
        synchronize.RLock.__init__,
        synchronize.Semaphore.__init__,
        synchronize.BoundedSemaphore.__init__,
    )


def patch_sharedctypes(sharedctypes):
    # Value(...)/Array(...) create their lock for the user: it is the user's lock.
    callsite.add_transparent(sharedctypes.Value, sharedctypes.Array)


# ---------------------------------------------------------------- threading

_thread_lock_numbers = itertools.count(1)


class _TracedThreadLockBase:
    """A user's ``threading.Lock``/``RLock``: the real lock inside, every use recorded."""

    __slots__ = ("_lock", "_pv_id", "_pv_pid", "__weakref__")
    kind = "threading.Lock"

    def __init__(self, lock, loc):
        self._lock = lock
        self._pv_pid = None
        self._identify(loc)

    def _identify(self, loc):
        # Ids are per process: a forked child's copy is a different lock.
        self._pv_pid = recorder.pid()
        self._pv_id = "t%d.%d" % (self._pv_pid, next(_thread_lock_numbers))
        announce(self._pv_id, self.kind, 1, "thread", loc)

    def _try_acquire(self, seconds):
        if seconds == 0:
            return self._lock.acquire(False)
        return self._lock.acquire(True, -1 if seconds is None else seconds)

    # Each of these takes the frame of the call to attribute, as the SemLock
    # wrappers do: `with lock:` goes from __enter__/__exit__ straight to the
    # recording, one Python call fewer on a path a threaded program takes millions of times.

    def _acquire_from(self, frame, blocking, timeout):
        loc = walk(frame, True)
        if loc is None:
            return self._lock.acquire(blocking, timeout)
        if self._pv_pid != recorder.pid():
            self._identify(loc)
        if timeout == -1 and self._lock.acquire(False):
            emit("lock.acquire", (self._pv_id, loc, 0, "ok"))
            return True
        if timeout != -1:
            # The checks _thread makes, word for word: the tries below would skip them.
            if not blocking:
                raise ValueError("can't specify a timeout for a non-blocking call")
            if timeout < 0:
                raise ValueError("timeout value must be positive")
        return acquire_traced(self._try_acquire, self._pv_id, blocking, None if timeout < 0 else timeout, loc)

    def _release_from(self, frame):
        loc = walk(frame, True)
        if loc is None:
            return self._lock.release()
        t = _perf_ns()
        self._lock.release()
        emit_at(t, "lock.release", (self._pv_id, loc))

    def acquire(self, blocking=True, timeout=-1):
        return self._acquire_from(_getframe(1), blocking, timeout)

    def release(self):
        return self._release_from(_getframe(1))

    def __enter__(self):
        return self._acquire_from(_getframe(1), True, -1)

    def __exit__(self, *args):
        self._release_from(_getframe(1))

    def _at_fork_reinit(self):
        self._lock._at_fork_reinit()

    def __getattr__(self, name):  # locked, _is_owned, _release_save, _acquire_restore, ...
        if name.startswith("__") or name in ("_lock", "_pv_id", "_pv_pid"):
            raise AttributeError(name)  # copy/pickle probe dunders before _lock is set
        return getattr(self._lock, name)

    def __repr__(self):
        return repr(self._lock)

    def __reduce_ex__(self, protocol):
        return self._lock.__reduce_ex__(protocol)  # raises as the real lock does: locks do not pickle or copy


class TracedLock(_TracedThreadLockBase):
    __slots__ = ()
    kind = "threading.Lock"


class TracedRLock(_TracedThreadLockBase):
    __slots__ = ()
    kind = "threading.RLock"


class _ThreadLockFactory:
    """What stands at ``threading.Lock`` / ``threading.RLock``: traced locks for the user, raw ones for the library.

    An object rather than a function, so that a class attribute holding it
    (``lock_type = threading.Lock``) is not turned into a method, and
    ``isinstance(x, threading.Lock)`` answers as the original would (on 3.13 the
    original is a type; before, isinstance raises TypeError, and still does).
    """

    def __init__(self, raw, traced_class, name):
        self._raw = raw
        self._traced = traced_class
        # Where it stands is where pickle and copy must find it.
        self.__module__, self.__qualname__ = "threading", name
        self.__name__ = getattr(raw, "__name__", name)
        self.__doc__ = raw.__doc__

    def __call__(self, *args, **kwargs):
        loc = user_site()
        lock = self._raw(*args, **kwargs)
        return lock if loc is None else self._traced(lock, loc)

    def __instancecheck__(self, instance):
        return isinstance(instance, self._raw) or isinstance(instance, self._traced)

    def __subclasscheck__(self, cls):
        return issubclass(cls, self._raw) or issubclass(cls, self._traced)

    def __reduce_ex__(self, protocol):
        return self.__qualname__  # a global: threading.Lock

    def __repr__(self):
        return repr(self._raw)


def thread_lock_factories(raw_lock, raw_rlock):
    """Replacements for ``threading.Lock``/``RLock``."""
    # Named as the types they stand for: a program printing type(lock), or a
    # repr of an object holding one, sees what it sees without procview.
    for traced, raw in ((TracedLock, raw_lock), (TracedRLock, raw_rlock)):
        real = type(raw())
        traced.__name__, traced.__qualname__, traced.__module__ = real.__name__, real.__qualname__, real.__module__
    return _ThreadLockFactory(raw_lock, TracedLock, "Lock"), _ThreadLockFactory(raw_rlock, TracedRLock, "RLock")
