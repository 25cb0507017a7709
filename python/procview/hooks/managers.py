"""``multiprocessing`` Managers: every proxy call, recorded in the calling process.

A Manager is a server process holding the real objects; the program holds
proxies, and every method call on a proxy goes through ``BaseProxy._callmethod``
(a request to the server, then its answer). The server process is a process of
the run like any other; this module records, in the process that calls, what it
asked of which object:

- an object's creation through the manager (``manager.Queue()``...), with the
  user's line;
- calls on queues, locks and semaphores, events, conditions and barriers, as the
  same ``queue.*``, ``lock.*`` and ``sync.*`` events a ``multiprocessing`` one
  gives, so that a blocking ``get`` on a manager queue is a wait on that queue;
- any other call (a dict's ``__setitem__``, a Namespace's attribute, a Value's
  ``set``...) as ``manager.call``.

An object's id is the manager's address and the server's id for the object
(``mgr:ADDRESS/ID``), which every process holding a proxy knows from its token.
A call that may block (a get, an acquire, a wait) is announced, and everything
buffered sent, before the request goes out: it is a round trip to another
process in any case, and the listener must know who waits on what.
"""

import os
import zlib

from .. import callsite, recorder
from ..reprs import short_repr
from .waits import announce_wait

# typeid -> what the object is, for the events it gives (SyncManager's names)
_QUEUES = {"Queue", "JoinableQueue"}
_LOCKS = {"Lock", "RLock", "Semaphore", "BoundedSemaphore"}
_SYNC = {"Event": "Event", "Condition": "Condition", "Barrier": "Barrier"}


def _address_text(address):
    """A manager's address, short: its socket's file name, or host:port."""
    return os.path.basename(address) if isinstance(address, str) else "%s:%s" % tuple(address)


def object_id(token):
    return "mgr:%s/%s" % (_address_text(token.address), token.id)


def _arg(args, kwds, index, name, default):
    if len(args) > index:
        return args[index]
    return kwds.get(name, default)


def patch_managers(managers):
    BaseProxy = managers.BaseProxy
    BaseManager = managers.BaseManager
    original_callmethod = BaseProxy._callmethod
    original_create = BaseManager._create
    original_start = BaseManager.start

    # SyncManager.Queue() and its kin are one generated function (BaseManager.register's
    # `temp`): it only passes the user's call on.
    for typeid in ("Queue", "dict"):
        creator = getattr(managers.SyncManager, typeid, None)
        if creator is not None:
            callsite.add_transparent(creator)

    def start(self, *args, **kwargs):
        loc = callsite.first_user_site()
        result = original_start(self, *args, **kwargs)
        kind = type(self).__name__
        process = getattr(self, "_process", None)
        recorder.emit(
            "manager.new",
            ("mgr:" + _address_text(self._address), kind, kind, getattr(process, "pid", None), callsite.short_name(kind, loc), loc),
        )
        return result

    def _create(self, typeid, /, *args, **kwds):
        loc = callsite.user_site()
        token, exposed = original_create(self, typeid, *args, **kwds)
        if loc is not None:
            _announce(token, typeid, args, kwds, loc)
        return token, exposed

    def _callmethod(self, methodname, args=(), kwds={}):
        loc = callsite.first_user_site()
        token = self._token
        if loc is None or token is None:
            return original_callmethod(self, methodname, args, kwds)
        typeid = token.typeid
        target = object_id(token)
        wait = _wait_before(typeid, methodname, args, kwds, target, loc)
        if wait is not None:
            announce_wait(*wait)  # not in slices: the server waits, in another process
        if typeid in _SYNC and methodname in ("set", "clear"):
            # The process this wakes may act at once: on record before it is made.
            recorder.emit("sync.signal", (target, methodname, loc, None))
            recorder.flush()
        t0 = recorder.now()
        try:
            result = original_callmethod(self, methodname, args, kwds)
        except BaseException as exc:
            if wait is not None:
                recorder.send_with_next()
            _record(typeid, target, methodname, args, kwds, loc, recorder.now() - t0, exc, None)
            raise
        if wait is not None:
            recorder.send_with_next()  # the end of an announced wait goes out with it
        _record(typeid, target, methodname, args, kwds, loc, recorder.now() - t0, None, result)
        return result

    BaseManager.start = start
    BaseManager._create = _create
    BaseProxy._callmethod = _callmethod


def _announce(token, typeid, args, kwds, loc):
    target = object_id(token)
    name = callsite.short_name("Manager." + typeid, loc)
    if typeid in _QUEUES:
        maxsize = _arg(args, kwds, 0, "maxsize", 0)
        recorder.emit("queue.new", (target, "Manager." + typeid, max(maxsize, 0) if isinstance(maxsize, int) else 0, name, loc))
    elif typeid in _LOCKS:
        value = _arg(args, kwds, 0, "value", 1) if "Semaphore" in typeid else 1
        recorder.emit("lock.new", (target, "Manager." + typeid, value if isinstance(value, int) else 1, "manager", name, loc))
    elif typeid in _SYNC:
        parties = _arg(args, kwds, 0, "parties", None) if typeid == "Barrier" else None
        recorder.emit("sync.new", (target, _SYNC[typeid], "manager", parties, name, loc))
    else:
        recorder.emit("manager.new", (target, "Manager." + typeid, typeid, None, name, loc))


def _repr_crc(shown):
    """The crc32 of an item's short repr, on a Manager queue's put and get: no pickled
    bytes pass through this process, and gets from several processes reach the
    listener in another order than the server served them; equal reprs pair the
    get with its put (docs/trace-format.md, Managers)."""
    return None if shown is None else zlib.crc32(shown.encode("utf-8", "surrogatepass"))


def _wait_before(typeid, method, args, kwds, target, loc):
    """``(kind, values)`` of the wait to announce before this call, or None for a call that cannot block."""
    if typeid in _QUEUES:
        if method == "get" and _arg(args, kwds, 0, "block", True):
            return "queue.get.wait", (target, loc)
        if method == "put" and _arg(args, kwds, 1, "block", True):
            return "queue.put.wait", (target, loc)
        if method == "join":
            return "queue.join.wait", (target, loc)
    elif typeid in _LOCKS or typeid == "Condition":
        if method == "acquire" and _arg(args, kwds, 0, "blocking", True):
            return "lock.wait", (target, loc)
    if typeid in _SYNC and method in ("wait", "wait_for"):
        return "sync.wait.wait", (target, "wait", loc)
    return None


def _record(typeid, target, method, args, kwds, loc, waited, error, result):
    failed = None if error is None else type(error).__name__
    if typeid in _QUEUES and method in ("put", "put_nowait"):
        block = method == "put" and bool(_arg(args, kwds, 1, "block", True))
        outcome = "ok" if failed is None else ("full" if failed == "Full" else failed)
        shown = short_repr(args[0]) if args else None
        recorder.emit("queue.put", (target, None, loc, shown, block, waited, outcome, None, _repr_crc(shown)))
    elif typeid in _QUEUES and method in ("get", "get_nowait"):
        block = method == "get" and bool(_arg(args, kwds, 0, "block", True))
        outcome = "ok" if failed is None else ("empty" if failed == "Empty" else failed)
        got = _repr_crc(short_repr(result)) if failed is None else None
        recorder.emit("queue.get", (target, loc, block, waited, outcome, None, got, None))
    elif typeid in _QUEUES and method == "task_done" and failed is None:
        recorder.emit("queue.task_done", (target, loc))
    elif typeid in _QUEUES and method == "join":
        recorder.emit("queue.join", (target, loc, waited))
    elif (typeid in _LOCKS or typeid == "Condition") and method == "acquire":
        outcome = failed or ("ok" if result else ("timeout" if _arg(args, kwds, 0, "blocking", True) else "busy"))
        # Held by this process now: on record before anything can kill it (recorder.emit_prompt).
        (recorder.emit_prompt if outcome == "ok" else recorder.emit)("lock.acquire", (target, loc, waited, outcome))
    elif (typeid in _LOCKS or typeid == "Condition") and method == "release" and failed is None:
        recorder.emit("lock.release", (target, loc))
    elif typeid in _SYNC and method in ("wait", "wait_for"):
        if failed == "BrokenBarrierError":
            outcome = "broken"
        elif failed is not None:
            outcome = failed
        else:
            outcome = "timeout" if result is False else "ok"
        recorder.emit("sync.wait", (target, "wait", loc, waited, outcome))
    elif typeid in _SYNC and method in ("notify", "notify_all", "abort", "reset"):
        recorder.emit("sync.signal", (target, method, loc, args[0] if method == "notify" and args else None))
        recorder.flush()
    elif typeid in _SYNC and method in ("set", "clear"):
        pass  # recorded before the call
    else:
        shown = short_repr(args if len(args) != 1 else args[0]) if args else None
        outcome = "ok" if failed is None else failed
        recorder.emit("manager.call", (target, typeid, method, shown, waited, outcome, loc))
