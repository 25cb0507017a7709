"""``multiprocessing`` queues: Queue, JoinableQueue, SimpleQueue.

A ``Queue.put`` only appends to a buffer; a feeder thread pickles the item and
writes it to a pipe later. So a put is recorded twice: in the putting thread
(``queue.put``, with the item's repr and a per-process sequence number) and in
the feeder (``queue.send``, with the pickled size and CRC-32). The bytes in the
pipe are exactly what the getter reads, so ``queue.get`` carries the same size
and CRC and the listener pairs each get with its send, and through ``seq`` with
its put. Nothing the program pickles is changed.
"""

import collections
import os
import threading
import weakref
import zlib
from queue import Empty, Full

from .. import callsite, recorder
from ..reprs import short_repr
from .waits import wait_in_two_steps

_tls = threading.local()  # per thread: the seq of the last put, the size and CRC of the last read
_live = weakref.WeakSet()  # queues this process put to, for the exit report


class _QueueState:
    __slots__ = ("id", "appended", "popped", "current", "traced", "__weakref__")

    def __init__(self, queue_id):
        self.id = queue_id
        self.appended = 0  # seq of the next item put in this process
        self.popped = 0  # seq of the next item the feeder takes
        self.current = None  # seq of the item the feeder is sending now
        self.traced = False  # the user's code has put to it in this process


class _NumberedBuffer(collections.deque):
    """The feeder's buffer, numbering items in the order they are appended and taken.

    Both happen under the queue's own locks, so the numbers are the true order.
    """

    __slots__ = ("_pv",)

    def __init__(self, state):
        super().__init__()
        self._pv = state

    def append(self, item):
        if item is not _feeder_sentinel:
            state = self._pv
            _tls.seq = state.appended
            state.appended += 1
        super().append(item)

    def popleft(self):
        item = super().popleft()
        if item is not _feeder_sentinel:
            state = self._pv
            state.current = state.popped
            state.popped += 1
        return item


_feeder_sentinel = object()  # replaced by multiprocessing.queues._sentinel when patched


def _queue_id(reader):
    st = os.fstat(reader.fileno())
    return "q:%d:%d" % (st.st_dev, st.st_ino)


def wants_wire():
    """True while a queue operation of the user's is reading or writing its pipe."""
    return getattr(_tls, "capture", False)


def capture_wire(data):
    """Called by the connection hook with the exact bytes a queue sent or read."""
    _tls.wire = (len(data), zlib.crc32(data))


def report_buffered():
    """Say how many items each queue still holds in this process's feeder buffer."""
    for queue in list(_live):
        buffer = getattr(queue, "_buffer", None)
        state = getattr(queue, "_pv", None)
        if not buffer or state is None:
            continue
        try:
            count = len(buffer) - (1 if buffer[-1] is _feeder_sentinel else 0)
        except IndexError:  # the feeder emptied it meanwhile
            continue
        if count:
            recorder.emit("queue.buffered", {"id": state.id, "count": count})


def _read_wire():
    wire = getattr(_tls, "wire", None)
    _tls.wire = None
    return wire if wire is not None else (None, None)


def patch_queues(queues):
    global _feeder_sentinel
    _feeder_sentinel = queues._sentinel
    Queue = queues.Queue
    JoinableQueue = queues.JoinableQueue
    SimpleQueue = queues.SimpleQueue

    # ---------------------------------------------------------------- identity

    def announce(queue, kind, maxsize):
        loc = callsite.user_site()
        if loc is not None:
            recorder.emit(
                "queue.new",
                {"id": queue._pv.id, "type": kind, "maxsize": maxsize, "name": callsite.short_name(kind, loc), "loc": loc},
            )

    original_queue_init = Queue.__init__
    original_reset = Queue._reset

    def queue_init(self, maxsize=0, *, ctx):
        original_queue_init(self, maxsize, ctx=ctx)
        announce(self, type(self).__name__, maxsize if maxsize > 0 else 0)

    def _reset(self, after_fork=False):
        original_reset(self, after_fork=after_fork)
        state = getattr(self, "_pv", None)
        state = self._pv = _QueueState(state.id if state is not None else _queue_id(self._reader))
        self._buffer = _NumberedBuffer(state)
        self._send_bytes = _feeder_send(state, self._send_bytes)
        self._on_queue_feeder_error = _feeder_error(state, type(self)._on_queue_feeder_error)

    Queue.__init__ = queue_init
    Queue._reset = _reset
    callsite.add_transparent(JoinableQueue.__init__, Queue.put_nowait, Queue.get_nowait)

    original_simple_init = SimpleQueue.__init__
    original_simple_setstate = SimpleQueue.__setstate__

    def simple_init(self, *, ctx):
        original_simple_init(self, ctx=ctx)
        self._pv = _QueueState(_queue_id(self._reader))
        announce(self, "SimpleQueue", 0)

    def simple_setstate(self, state):
        original_simple_setstate(self, state)
        self._pv = _QueueState(_queue_id(self._reader))

    SimpleQueue.__init__ = simple_init
    SimpleQueue.__setstate__ = simple_setstate

    # ---------------------------------------------------------------- put

    def traced_put(original):
        def put(self, obj, block=True, timeout=None):
            loc = callsite.user_site()
            state = getattr(self, "_pv", None)
            if loc is None or state is None:
                return original(self, obj, block, timeout)
            if not state.traced:
                state.traced = True
                _live.add(self)
            fields = {"id": state.id, "seq": None, "loc": loc, "repr": short_repr(obj), "block": bool(block)}
            _tls.seq = None
            # Failing attempts hand back their own Full, so the traceback the user
            # sees is the library's, line for line.
            done, failure, waited = _try_then_wait(
                lambda blocking, seconds: original(self, obj, blocking, seconds),
                Full,
                block,
                timeout,
                "queue.put.wait",
                {"id": state.id, "loc": loc},
            )
            fields.update(seq=_tls.seq, waited=waited, outcome="ok" if done else "full")
            recorder.emit("queue.put", fields)
            if not done:
                raise failure
            return None

        return put

    Queue.put = traced_put(Queue.put)
    JoinableQueue.put = traced_put(JoinableQueue.put)

    original_simple_put = SimpleQueue.put

    def simple_put(self, obj):
        loc = callsite.user_site()
        state = getattr(self, "_pv", None)
        if loc is None or state is None:
            return original_simple_put(self, obj)
        fields = {"id": state.id, "seq": state.appended, "loc": loc, "repr": short_repr(obj), "block": True, "waited": 0}
        state.appended += 1
        _tls.capture = True
        try:
            original_simple_put(self, obj)
        finally:
            _tls.capture = False
        fields["size"], fields["crc"] = _read_wire()
        fields["outcome"] = "ok"
        recorder.emit("queue.put", fields)
        return None

    SimpleQueue.put = simple_put

    # ---------------------------------------------------------------- get

    original_get = Queue.get

    def get(self, block=True, timeout=None):
        loc = callsite.user_site()
        state = getattr(self, "_pv", None)
        if loc is None or state is None:
            return original_get(self, block, timeout)
        fields = {"id": state.id, "loc": loc, "block": bool(block)}
        _tls.wire = None
        _tls.capture = True
        try:
            done, item, waited = _try_then_wait(
                lambda blocking, seconds: original_get(self, blocking, seconds),
                Empty,
                block,
                timeout,
                "queue.get.wait",
                {"id": state.id, "loc": loc},
            )
        finally:
            _tls.capture = False
        fields["size"], fields["crc"] = _read_wire()
        fields.update(waited=waited, outcome="ok" if done else "empty")
        recorder.emit("queue.get", fields)
        if not done:
            raise item
        return item

    Queue.get = get

    original_simple_get = SimpleQueue.get

    def simple_get(self):
        loc = callsite.user_site()
        state = getattr(self, "_pv", None)
        if loc is None or state is None:
            return original_simple_get(self)
        _tls.wire = None
        _tls.capture = True
        try:
            if self._poll():
                waited = 0
            else:
                # SimpleQueue.get has no timeout: wait for data to show, then read it.
                _, _, waited = wait_in_two_steps(
                    lambda seconds: (self._poll(seconds), None), None, "queue.get.wait", {"id": state.id, "loc": loc}
                )
            item = original_simple_get(self)
        finally:
            _tls.capture = False
        size, crc = _read_wire()
        recorder.emit(
            "queue.get",
            {"id": state.id, "loc": loc, "block": True, "waited": waited, "outcome": "ok", "size": size, "crc": crc},
        )
        return item

    SimpleQueue.get = simple_get


def _try_then_wait(call, failure_type, block, timeout, wait_kind, wait_fields):
    """Run a queue operation the way the user asked, through a non-blocking try first.

    ``call(blocking, seconds)`` performs it once and raises ``failure_type``
    (Full, Empty) when it cannot. Returns ``(done, result or the failure, waited_ns)``.
    """
    try:
        return True, call(False, None), 0
    except failure_type as exc:
        if not block:
            return False, exc, 0

    def attempt(seconds):
        try:
            return True, call(True, seconds)
        except failure_type as exc:
            return False, exc

    return wait_in_two_steps(attempt, timeout, wait_kind, wait_fields)


def _feeder_send(state, send_bytes):
    def send(data):
        send_bytes(data)
        if state.traced:
            recorder.emit("queue.send", {"id": state.id, "seq": state.current, "size": len(data), "crc": zlib.crc32(data)})

    return send


def _feeder_error(state, on_error):
    def on_queue_feeder_error(exc, obj):
        if state.traced:
            recorder.emit("queue.lost", {"id": state.id, "seq": state.current, "error": short_repr(exc)})
            recorder.flush()
        return on_error(exc, obj)

    return on_queue_feeder_error

