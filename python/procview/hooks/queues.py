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
import itertools
import os
import threading
import weakref
import zlib
from queue import Empty, Full

from .. import callsite, recorder
from ..callsite import user_site
from ..recorder import emit, now
from ..reprs import short_repr
from .locks import untraced
from .pipes import begin_capture, capturing_connection, end_capture, wire
from .polls import count_poll
from .waits import announced_join, readiness, wait_after_try, wait_until_readable

_tls = threading.local()  # per thread: the seq of the item it last appended to a feeder buffer
_live = weakref.WeakSet()  # queues this process put to, for the exit report


class _QueueState:
    __slots__ = ("id", "ready", "appended", "popped", "done", "current", "traced", "numbers", "polls", "__weakref__")

    def __init__(self, reader, queue_id=None):
        self.id = queue_id or _queue_id(reader)
        self.ready = readiness(reader.fileno())
        self.appended = 0  # seq of the next item put in this process
        self.popped = 0  # seq of the next item the feeder takes
        self.done = 0  # items the feeder has written to the pipe (or lost): popped - done are in its hands
        self.current = None  # seq of the item the feeder is sending now
        self.traced = False  # the user's code has put to it in this process
        self.numbers = itertools.count()  # a SimpleQueue's seqs: next() is atomic, threads may put at once
        self.polls = {}  # loc -> counter of the empty()/qsize()/full() calls the user's code made there (polls.py)


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


def report_buffered():
    """Say how many items each queue still holds in this process's feeder buffer.

    The item the feeder has taken and is still writing (a large one, into a full
    pipe) counts too: the process cannot exit before it is written either.
    """
    for queue in list(_live):
        buffer = getattr(queue, "_buffer", None)
        state = getattr(queue, "_pv", None)
        if buffer is None or state is None:
            continue
        try:
            count = len(buffer) - (1 if buffer and buffer[-1] is _feeder_sentinel else 0)
        except IndexError:  # the feeder emptied it meanwhile
            count = 0
        count += max(0, state.popped - state.done)
        if count:
            recorder.emit("queue.buffered", (state.id, count))


def patch_queues(queues):
    global _feeder_sentinel
    _feeder_sentinel = queues._sentinel
    Queue = queues.Queue
    JoinableQueue = queues.JoinableQueue
    SimpleQueue = queues.SimpleQueue

    # ---------------------------------------------------------------- identity

    def announce(queue, kind, maxsize, loc):
        if loc is not None:
            recorder.emit("queue.new", (queue._pv.id, kind, maxsize, callsite.short_name(kind, loc), loc))

    def announced_init(original_init):
        # JoinableQueue.__init__ runs Queue.__init__: only the outer one announces.
        def __init__(self, maxsize=0, *, ctx):
            if getattr(_tls, "initialising", False):
                return original_init(self, maxsize, ctx=ctx)
            loc = callsite.user_site()
            _tls.initialising = True
            try:
                original_init(self, maxsize, ctx=ctx)
            finally:
                _tls.initialising = False
            announce(self, type(self).__name__, max(maxsize, 0), loc)

        return __init__

    original_reset = Queue._reset

    def _reset(self, after_fork=False):
        original_reset(self, after_fork=after_fork)
        state = getattr(self, "_pv", None)
        state = self._pv = _QueueState(self._reader, state.id if state is not None else None)
        self._buffer = _NumberedBuffer(state)
        self._send_bytes = _feeder_send(state, self._send_bytes)
        _send_before_the_feeder_idles(self._notempty)
        # Bound (or static) exactly as CPython would hand it to the feeder; a previous wrapper goes first.
        self.__dict__.pop("_on_queue_feeder_error", None)
        self._on_queue_feeder_error = _feeder_error(state, self._on_queue_feeder_error)
        _untrace_internals(self, "_rlock", "_wlock", "_sem")
        capturing_connection(self._reader)

    original_joinable_setstate = JoinableQueue.__setstate__

    def joinable_setstate(self, state):
        original_joinable_setstate(self, state)
        _untrace_internals(self, "_unfinished_tasks")

    Queue.__init__ = announced_init(Queue.__init__)
    JoinableQueue.__init__ = announced_init(JoinableQueue.__init__)
    Queue._reset = _reset
    JoinableQueue.__setstate__ = joinable_setstate
    callsite.add_transparent(Queue.put_nowait, Queue.get_nowait)

    original_simple_init = SimpleQueue.__init__
    original_simple_setstate = SimpleQueue.__setstate__

    def simple_init(self, *, ctx):
        original_simple_init(self, ctx=ctx)
        self._pv = _QueueState(self._reader)
        capturing_connection(self._reader)
        capturing_connection(self._writer)
        announce(self, "SimpleQueue", 0, callsite.user_site())

    def simple_setstate(self, state):
        original_simple_setstate(self, state)
        self._pv = _QueueState(self._reader)
        _untrace_internals(self, "_rlock", "_wlock")
        capturing_connection(self._reader)
        capturing_connection(self._writer)

    SimpleQueue.__init__ = simple_init
    SimpleQueue.__setstate__ = simple_setstate

    # ---------------------------------------------------------------- put

    def traced_put(original):
        def put(self, obj, block=True, timeout=None):
            loc = user_site()
            state = getattr(self, "_pv", None)
            if loc is None or state is None:
                return original(self, obj, block, timeout)
            if not state.traced:
                state.traced = True
                _live.add(self)
            shown = short_repr(obj)
            tls = _tls
            tls.seq = None
            # The common case inline: a put that has room goes through at once.
            try:
                original(self, obj, False)
            except Full as full:
                if not block:
                    emit("queue.put", (state.id, None, loc, shown, False, 0, "full", None, None))
                    raise
                failure = full
            else:
                emit("queue.put", (state.id, tls.seq, loc, shown, bool(block), 0, "ok", None, None))
                return None
            # Full: wait as the user asked. A failing attempt hands back its own
            # Full, so the traceback the user sees is the library's, line for line.
            done, failure, waited = wait_after_try(
                lambda blocking, seconds: original(self, obj, blocking, seconds),
                Full,
                timeout,
                "queue.put.wait",
                (state.id, loc),
            )
            emit("queue.put", (state.id, tls.seq, loc, shown, True, waited, "ok" if done else "full", None, None))
            if not done:
                try:
                    raise failure
                finally:
                    failure = None  # no cycle through this frame: the queue must be freed as without us
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
        seq, shown = next(state.numbers), short_repr(obj)
        begin_capture()
        try:
            original_simple_put(self, obj)
        finally:
            size, crc = end_capture()
        recorder.emit("queue.put", (state.id, seq, loc, shown, True, 0, "ok", size, crc))
        return None

    SimpleQueue.put = simple_put

    # ---------------------------------------------------------------- get

    original_get = Queue.get

    def get(self, block=True, timeout=None):
        loc = user_site()
        state = getattr(self, "_pv", None)
        if loc is None or state is None:
            return original_get(self, block, timeout)
        t0 = now()
        waited = None
        # A closed queue's get raises at once: no wait to poll for (it would never end).
        # Readiness is looked at here first: most gets find an item, and go on with no call more.
        ready = state.ready
        if block and ready is not None and not getattr(self, "_closed", False) and not ready(0):
            waited = wait_until_readable(ready, timeout, "queue.get.wait", (state.id, loc))
            if waited is not None:
                timeout = waited.time_left(timeout)
        # What begin_capture/end_capture do, inline: this is every get's path.
        capture = wire
        capture.taken = None
        capture.on = True
        try:
            item = original_get(self, block, timeout)
            outcome = "ok"
        except Empty as exc:
            item, outcome = exc, "empty"
        except BaseException as exc:
            if waited is not None:
                waited.raised(exc)
            raise
        finally:
            capture.on = False
        if waited is not None:
            waited.ended()
        size, crc = capture.taken or (None, None)
        capture.taken = None
        emit("queue.get", (state.id, loc, bool(block), now() - t0 if block else 0, outcome, size, crc, None))
        if outcome != "ok":
            try:
                raise item
            finally:
                item = None
        return item

    Queue.get = get

    original_simple_get = SimpleQueue.get

    def simple_get(self):
        loc = callsite.user_site()
        state = getattr(self, "_pv", None)
        if loc is None or state is None:
            return original_simple_get(self)
        t0 = recorder.now()
        waited = None
        if not self._reader.closed:  # a closed one raises at once (and its file may be another's by now)
            waited = wait_until_readable(state.ready, None, "queue.get.wait", (state.id, loc))
        begin_capture()
        try:
            item = original_simple_get(self)
        except BaseException as exc:
            if waited is not None:
                waited.raised(exc)
            raise
        finally:
            size, crc = end_capture()
        if waited is not None:
            waited.ended()
        recorder.emit("queue.get", (state.id, loc, True, recorder.now() - t0, "ok", size, crc, None))
        return item

    SimpleQueue.get = simple_get

    # ---------------------------------------------------------------- task_done / join

    original_task_done = JoinableQueue.task_done
    original_join = JoinableQueue.join

    def task_done(self):
        loc = callsite.user_site()
        result = original_task_done(self)
        state = getattr(self, "_pv", None)
        if loc is not None and state is not None:
            recorder.emit("queue.task_done", (state.id, loc))
        return result

    def join(self):
        loc = callsite.user_site()
        state = getattr(self, "_pv", None)
        if loc is None or state is None:
            return original_join(self)
        return announced_join(
            self._unfinished_tasks._semlock._is_zero, lambda: original_join(self), "queue.join.wait", "queue.join", (state.id, loc)
        )

    JoinableQueue.task_done = task_done
    JoinableQueue.join = join

    # ---------------------------------------------------------------- empty / qsize / full

    for cls, names in ((Queue, ("empty", "qsize", "full")), (SimpleQueue, ("empty",))):
        for name in names:
            setattr(cls, name, _counted_poll(getattr(cls, name), name))


def _counted_poll(original, op):
    def poll(self):
        result = original(self)
        loc = user_site()
        if loc is not None:
            state = getattr(self, "_pv", None)
            if state is not None:
                count_poll(state.polls, state.id, op, loc)
        return result

    poll.__name__ = original.__name__
    poll.__qualname__ = original.__qualname__
    poll.__doc__ = original.__doc__
    return poll


def _untrace_internals(queue, *names):
    """A queue's own locks arrive traced in a process that unpickles it: make them raw again."""
    for name in names:
        lock = getattr(queue, name, None)
        if lock is not None and hasattr(lock, "_semlock"):
            untraced(lock)


FEEDER_GRACE_S = 0.05  # the recorder's own flush interval


def _send_before_the_feeder_idles(notempty):
    """Send this process's recorded events when its feeder thread idles.

    The feeder waits on ``notempty`` once its buffer is empty: a real block,
    with its ``queue.send`` events perhaps still unsent, and nothing else to
    send them (the putting thread may already wait, in a wait it announced
    before the sends). The listener would see items put and never sent, and
    threads at work that are not. So a wait of the feeder's that lasts longer
    than the recorder's flush interval sends what is buffered first; one that
    a put ends sooner costs nothing more. After a fork the condition is kept.
    """
    if "wait" in vars(notempty):
        return
    original_wait = notempty.wait

    def wait(timeout=None):
        if timeout is None and recorder.buffered():
            if original_wait(FEEDER_GRACE_S):
                return True
            recorder.flush()
            # Back to the feeder, which looks at its buffer again before it waits on: a put's
            # notify that came as the short wait timed out woke nobody, and waiting on at once
            # would sleep through it (with a full bounded queue's putter waiting for it).
            return False
        return original_wait(timeout)

    notempty.wait = wait


def _feeder_send(state, send_bytes):
    def send(data):
        send_bytes(data)
        state.done += 1
        if state.traced:
            recorder.emit("queue.send", (state.id, state.current, len(data), zlib.crc32(data)))

    return send


def _feeder_error(state, on_error):
    def on_queue_feeder_error(exc, obj):
        state.done += 1  # the item taken will never be written
        if state.traced:
            recorder.emit("queue.lost", (state.id, state.current, short_repr(exc)))
            recorder.flush()
        return on_error(exc, obj)

    return on_queue_feeder_error

