"""Shared memory: ``multiprocessing.shared_memory`` segments and ``sharedctypes`` values.

A ``SharedMemory`` segment outlives the process that made it until someone
unlinks it, so what a person needs is its life: who created it (``shm.new``),
who mapped it (``shm.attach``: ``SharedMemory(name=...)``, or a segment
unpickled in another process), who closed their mapping (``shm.close``) and who
unlinked it (``shm.unlink``). A segment created and never unlinked is a leak;
the events are enough for a reader to say so. ``ShareableList`` and
``SharedMemoryManager`` are built on ``SharedMemory`` and reported through it.
Every step of a segment's life is recorded, whoever took it: ``loc`` is null
when the library did (a spawned child unpickling its arguments, a manager
unlinking its segments at shutdown, a garbage-collected segment closing).
The id is ``shm:`` and the segment's name, which every process shares.

``Value``/``Array`` (and their raw forms) are recorded when the user's code
makes them (``shared.new``), with the id of the lock that guards them: the
lock's own events (``with v.get_lock():``) carry that id. Reading or writing
``.value`` is not recorded (the library's accessors take the lock themselves).
"""

import itertools
import os
import threading

from .. import callsite, recorder
from ..callsite import user_site
from ..impersonate import impersonate
from .tracebacks import clean_exception

_tls = threading.local()  # .kind: what a SharedMemory being built is for; .building: inside __init__; .inside: inside Value()
_numbers = itertools.count(1)


def _segment_id(shm):
    return "shm:" + shm.name


# ------------------------------------------------------------ SharedMemory


def patch_shared_memory(shared_memory):
    SharedMemory = shared_memory.SharedMemory
    ShareableList = shared_memory.ShareableList
    original_init = SharedMemory.__init__
    original_close = SharedMemory.close
    original_unlink = SharedMemory.unlink
    original_list_init = ShareableList.__init__

    # An exception raised under a wrapper below is handed on without the
    # wrapper's frame: close() runs from __del__ too, and what __del__ raises is
    # printed by the interpreter itself, past the runtime's traceback filters.

    def __init__(self, name=None, create=False, size=0, **kwargs):
        building = getattr(_tls, "building", False)
        _tls.building = True
        try:
            original_init(self, name, create, size, **kwargs)
        except BaseException as exc:
            clean_exception(exc)
            raise
        finally:
            _tls.building = building
        loc = user_site()
        kind = getattr(_tls, "kind", None) or type(self).__name__
        if create:
            recorder.emit("shm.new", (_segment_id(self), kind, self.size, callsite.short_name(kind, loc), loc))
        else:
            recorder.emit("shm.attach", (_segment_id(self), kind, self.size, loc))

    def close(self):
        was_open = self._buf is not None or self._mmap is not None
        try:
            original_close(self)
        except BaseException as exc:
            clean_exception(exc)
            raise
        if was_open:
            try:
                recorder.emit("shm.close", (_segment_id(self), user_site()))
            except Exception:  # from __del__ late in interpreter shutdown: never a word on stderr
                pass

    def unlink(self):
        if not getattr(self, "_name", None) or getattr(_tls, "building", False):
            # Nothing to unlink, or a creation failing half-way cleaning up after itself.
            return original_unlink(self)
        segment = _segment_id(self)
        loc = user_site()
        try:
            original_unlink(self)
        except BaseException as exc:
            recorder.emit("shm.unlink", (segment, loc, type(exc).__name__))
            clean_exception(exc)
            raise
        recorder.emit("shm.unlink", (segment, loc, None))

    def list_init(self, sequence=None, *, name=None):
        kind = getattr(_tls, "kind", None)
        _tls.kind = type(self).__name__
        try:
            original_list_init(self, sequence, name=name)
        except BaseException as exc:
            clean_exception(exc)
            raise
        finally:
            _tls.kind = kind

    # inspect.signature() shows the original's parameters (3.13 adds track=), not **kwargs.
    __init__.__wrapped__ = original_init  # pyright: ignore[reportFunctionMemberAccess]
    SharedMemory.__init__ = impersonate(__init__, original_init)
    SharedMemory.close = impersonate(close, original_close)
    SharedMemory.unlink = impersonate(unlink, original_unlink)
    ShareableList.__init__ = impersonate(list_init, original_list_init)
    # ShareableList only passes the user's call on to SharedMemory.
    callsite.add_transparent(original_list_init)


def patch_managers(managers):
    """``SharedMemoryManager().SharedMemory(size)`` is the user's creation, tracked by the manager."""
    manager = getattr(managers, "SharedMemoryManager", None)
    if manager is not None:
        callsite.add_transparent(manager.SharedMemory, manager.ShareableList)


# ------------------------------------------------------ Value, Array, Raw*


def _shared_id(raw):
    """The heap block under a sharedctypes object: its arena's file and offset, the same in every process."""
    try:
        (arena, start, _), _ = raw._wrapper._state
        st = os.fstat(arena.fd)
        return "shared:%d:%d:%d" % (st.st_dev, st.st_ino, start)
    except Exception:  # another heap layout (Windows, a later Python)
        return "shared:%d.%d" % (recorder.pid(), next(_numbers))


def _announce_shared(obj, kind, typecode_or_type, is_array, loc):
    import ctypes

    raw = getattr(obj, "_obj", obj)  # a synchronized wrapper holds the ctypes object
    lock = getattr(obj, "_lock", None)
    lock_id = getattr(lock, "_pv_id", None) if lock is not None else None
    typecode = typecode_or_type if isinstance(typecode_or_type, str) else getattr(typecode_or_type, "__name__", None)
    recorder.emit(
        "shared.new",
        (
            _shared_id(raw),
            kind,
            typecode,
            ctypes.sizeof(raw),
            len(raw) if is_array else None,
            lock is not None,
            lock_id if isinstance(lock_id, str) else None,
            callsite.short_name(kind, loc),
            loc,
        ),
    )


def _made_by_user(kind, is_array, make, typecode_or_type):
    """Run ``make()`` (the library's constructor); announce what it made if the user's code asked for it."""
    loc = user_site()
    if loc is None or getattr(_tls, "inside", False):
        return make()
    _tls.inside = True  # Value() makes its object through RawValue(): one event, not two
    try:
        obj = make()
    finally:
        _tls.inside = False
    _announce_shared(obj, kind, typecode_or_type, is_array, loc)
    return obj


def patch_sharedctypes(sharedctypes):
    original_raw_value = sharedctypes.RawValue
    original_raw_array = sharedctypes.RawArray
    original_value = sharedctypes.Value
    original_array = sharedctypes.Array

    def RawValue(typecode_or_type, *args):
        return _made_by_user("RawValue", False, lambda: original_raw_value(typecode_or_type, *args), typecode_or_type)

    def RawArray(typecode_or_type, size_or_initializer):
        return _made_by_user(
            "RawArray", True, lambda: original_raw_array(typecode_or_type, size_or_initializer), typecode_or_type
        )

    def Value(typecode_or_type, *args, lock=True, ctx=None):
        return _made_by_user(
            "Value", False, lambda: original_value(typecode_or_type, *args, lock=lock, ctx=ctx), typecode_or_type
        )

    def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
        return _made_by_user(
            "Array",
            True,
            lambda: original_array(typecode_or_type, size_or_initializer, lock=lock, ctx=ctx),
            typecode_or_type,
        )

    # Value() and Array() make their lock for the user: it is the user's lock (see locks.patch_sharedctypes).
    callsite.add_transparent(original_value, original_array)
    sharedctypes.RawValue = impersonate(RawValue, original_raw_value)
    sharedctypes.RawArray = impersonate(RawArray, original_raw_array)
    sharedctypes.Value = impersonate(Value, original_value)
    sharedctypes.Array = impersonate(Array, original_array)
