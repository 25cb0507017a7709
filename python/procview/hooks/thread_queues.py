"""``queue.Queue``, ``LifoQueue`` and ``PriorityQueue``: the queues between threads.

Recorded with the same ``queue.*`` events as ``multiprocessing`` queues (type
``queue.Queue`` and so on, ids unique in their process). Nothing is pickled, so a
get names the put it took by ``seq``: the object that comes out is the object
that went in, found by identity.
"""

import _thread
import collections
import itertools
from queue import Empty, Full

from .. import callsite, recorder
from ..reprs import short_repr
from .polls import count_poll
from .waits import announced_join, try_then_wait

_numbers = itertools.count(1)


class _ThreadQueueState:
    """Per queue: its id and, per object still inside, the seqs of its puts (oldest first)."""

    __slots__ = ("id", "pid", "next_seq", "inside", "lock", "polls")

    def __init__(self):
        self.pid = recorder.pid()
        self.id = "tq%d.%d" % (self.pid, next(_numbers))
        self.next_seq = 0
        self.inside = {}
        self.lock = _thread.allocate_lock()
        self.polls = {}  # loc -> counter of the empty()/qsize()/full() calls the user's code made there (polls.py)


def _state(queue):
    state = queue.__dict__.get("_pv")
    if state is None or state.pid != recorder.pid():
        state = queue.__dict__["_pv"] = _ThreadQueueState()
    return state


def patch_queue_module(queue_module):
    Queue = queue_module.Queue
    original_init = Queue.__init__
    original_put = Queue.put
    original_get = Queue.get

    def __init__(self, maxsize=0):
        original_init(self, maxsize)
        loc = callsite.user_site()
        if loc is not None:
            kind = "queue." + type(self).__name__
            state = _state(self)
            recorder.emit("queue.new", (state.id, kind, max(maxsize, 0), callsite.short_name(kind, loc), loc))

    def put(self, item, block=True, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_put(self, item, block, timeout)
        state = _state(self)
        shown = short_repr(item)
        with state.lock:
            seq = state.next_seq
            state.next_seq += 1
            # Registered before the put: a getter may take the item the moment it is in.
            state.inside.setdefault(id(item), collections.deque()).append(seq)
        done, failure, waited = try_then_wait(
            lambda blocking, seconds: original_put(self, item, blocking, seconds),
            Full,
            block,
            timeout,
            "queue.put.wait",
            (state.id, loc),
        )
        if not done:
            _forget(state, item, seq)
        recorder.emit("queue.put", (state.id, seq, loc, shown, bool(block), waited, "ok" if done else "full", None, None))
        if not done:
            try:
                raise failure
            finally:
                failure = None  # no cycle through this frame: the queue must be freed as without us
        return None

    def get(self, block=True, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            item = original_get(self, block, timeout)
            # The library took an item the user put (a queue handed to library code):
            # its put's seq is spent, and must not be given to a later object with its id.
            state = self.__dict__.get("_pv")
            if state is not None and state.inside:
                _take_seq(state, item)
            return item
        state = _state(self)
        done, item, waited = try_then_wait(
            lambda blocking, seconds: original_get(self, blocking, seconds),
            Empty,
            block,
            timeout,
            "queue.get.wait",
            (state.id, loc),
        )
        seq = _take_seq(state, item) if done else None
        recorder.emit("queue.get", (state.id, loc, bool(block), waited, "ok" if done else "empty", None, None, seq))
        if not done:
            try:
                raise item
            finally:
                item = None
        return item

    original_task_done = Queue.task_done
    original_join = Queue.join

    def task_done(self):
        loc = callsite.user_site()
        result = original_task_done(self)
        if loc is not None:
            recorder.emit("queue.task_done", (_state(self).id, loc))
        return result

    def join(self):
        loc = callsite.user_site()
        if loc is None:
            return original_join(self)
        return announced_join(
            lambda: self.unfinished_tasks == 0, lambda: original_join(self), "queue.join.wait", "queue.join", (_state(self).id, loc)
        )

    def counted_poll(original, op):
        def poll(self):
            result = original(self)
            loc = callsite.user_site()
            if loc is not None:
                state = _state(self)
                count_poll(state.polls, state.id, op, loc)
            return result

        poll.__name__, poll.__qualname__, poll.__doc__ = original.__name__, original.__qualname__, original.__doc__
        return poll

    for name in ("empty", "qsize", "full"):
        setattr(Queue, name, counted_poll(getattr(Queue, name), name))
    Queue.__init__ = __init__
    Queue.put = put
    Queue.get = get
    Queue.task_done = task_done
    Queue.join = join
    callsite.add_transparent(Queue.put_nowait, Queue.get_nowait)


def _take_seq(state, item):
    with state.lock:
        seqs = state.inside.get(id(item))
        if not seqs:
            return None
        # FIFO among equal objects is right for Queue; for Lifo/Priority it is the best guess.
        seq = seqs.popleft()
        if not seqs:
            del state.inside[id(item)]
        return seq


def _forget(state, item, seq):
    with state.lock:
        seqs = state.inside.get(id(item))
        if seqs and seq in seqs:
            seqs.remove(seq)
            if not seqs:
                del state.inside[id(item)]
