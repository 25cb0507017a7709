"""``multiprocessing.Pool`` and ``ThreadPool``: every task, where it ran, how it ended, who fetched it.

The parent records what was submitted (``task.submit``: a job, with its item
count and chunk size) and when a result was asked for (``task.fetch``). The
workers record each task they run (``task.begin``/``task.end``). Workers are
reached through ``multiprocessing.pool.worker``, which every worker process or
thread runs: the wrapper hands the real worker a task inbox and a result outbox
that record what passes through them, and changes nothing else. A chunk of a
``map`` is one task holding ``items`` items.

A pool's id is its task queue's id, which every worker process can compute
(a ThreadPool's workers are threads of the parent, which tells them).
"""

import functools
import itertools
import os
import threading
import weakref

from .. import callsite, recorder
from ..impersonate import impersonate
from ..reprs import short_repr
from .pipes import before_send
from .waits import wait_in_two_steps, wait_until_readable

_last_iterator = threading.local()  # .job: the job of the IMapIterator this thread made last
_fetching = threading.local()  # .wait: (condition, is_done, announcement) of this thread's fetch under way
_thread_pool_ids = {}  # id(inqueue) -> pool id, for ThreadPool workers (threads of this process)
_thread_pools = {}  # id(inqueue) -> a weak reference to the ThreadPool
thread_pool_numbers = itertools.count(1)


def callable_name(func):
    """``module.qualname`` of what a task runs (``partial(...)`` around a partial's function)."""
    if type(func) is functools.partial:
        return "partial(%s)" % callable_name(func.func)
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    module = getattr(func, "__module__", None)
    if not isinstance(name, str):
        return short_repr(func)
    return name if module in (None, "__main__", "__mp_main__", "builtins") else "%s.%s" % (module, name)


def error_text(error):
    """``Type: message`` of a task's error (bounded)."""
    # Process pools ship a worker's error wrapped with its formatted traceback
    # (multiprocessing's ExceptionWithTraceback, concurrent.futures' _ExceptionWithTraceback).
    if type(error).__name__ in ("ExceptionWithTraceback", "_ExceptionWithTraceback"):
        error = getattr(error, "exc", error)
    try:
        message = str(error)
    except Exception:
        message = "?"
    return "%s: %s" % (type(error).__name__, message[:200])


class FetchCondition(threading.Condition):
    """The Condition of a result (a future's, an IMapIterator's) that a user's fetch waits on.

    The library makes the wait, on its own line, so it takes the path it takes
    without us (a task's error shows the same traceback), but the wait is the
    user's: it gets the first slice, then the announcement (``task.fetch.wait``)
    and a flush, as every other wait. Only the thread that armed it (see
    ``arm_fetch_wait``) waits this way; any other wait on it is a plain one.
    """

    def wait(self, timeout=None):
        fetch = getattr(_fetching, "wait", None)
        if fetch is None or fetch[0] is not self:
            return super().wait(timeout)
        _fetching.wait = None
        _, is_done, announcement = fetch
        wait = super().wait

        def attempt(seconds):
            wait(seconds)
            # The state, not wait()'s answer: a notify that comes as a slice times out is not lost.
            return is_done(), None

        done, _, _ = wait_in_two_steps(attempt, timeout, "task.fetch.wait", announcement)
        return done


def arm_fetch_wait(condition, is_done, announcement):
    """The next wait on ``condition`` in this thread is the user's fetch (``is_done()``: has it got what it waits for?).

    Returns False if that condition cannot be armed; disarm with ``disarm_fetch_wait()`` once the fetch returns.
    """
    kind = type(condition)
    if kind is threading.Condition:
        condition.__class__ = FetchCondition  # same layout; its waits stay plain unless armed
    elif kind is not FetchCondition:
        return False
    _fetching.wait = (condition, is_done, announcement)
    return True


def disarm_fetch_wait():
    _fetching.wait = None


def _pool_id_of_inqueue(inqueue):
    reader = getattr(inqueue, "_reader", None)
    if reader is not None:
        st = os.fstat(reader.fileno())
        return "pool:%d:%d" % (st.st_dev, st.st_ino)
    return _thread_pool_ids.get(id(inqueue))


class QueueTap:
    """A worker's queue, seen through: a subclass records what passes in get() or
    put() and hands the real queue everything else."""

    def __init__(self, queue, pool_id):
        self._queue = queue
        self._pool_id = pool_id

    def __getattr__(self, name):
        return getattr(self._queue, name)


class _TaskInbox(QueueTap):
    """What the worker reads its tasks from: records each task as it starts."""

    def __init__(self, inqueue, pool_id, mapstar, starmapstar):
        super().__init__(inqueue, pool_id)
        self._chunked = (mapstar, starmapstar)
        self._thread_pool = _thread_pools.get(id(inqueue))  # None for a process pool's

    def get(self):
        task = self._queue.get()
        if isinstance(task, tuple) and len(task) == 5:
            job, i, func, args, _ = task
            items = None
            if func in self._chunked and args and isinstance(args[0], tuple) and len(args[0]) == 2:
                func, chunk = args[0]
                items = len(chunk) if hasattr(chunk, "__len__") else None
                shown = short_repr(chunk)
            else:
                shown = short_repr(args)
            recorder.emit("task.begin", (self._pool_id, job, i, callable_name(func), shown, items))
            if self._thread_pool is None or _someone_waits(self._thread_pool(), job):
                # Sent now: a task that never ends must still show as running. A ThreadPool's
                # only if someone waits for it already (see executors' set_running_or_notify_cancel).
                recorder.flush()
        return task


def _someone_waits(thread_pool, job):
    """Does a thread wait for this job's result (get, wait, next)?"""
    cache = getattr(thread_pool, "_cache", None)
    result = cache.get(job) if cache is not None else None
    condition = getattr(result, "_cond", None) or getattr(getattr(result, "_event", None), "_cond", None)
    return bool(getattr(condition, "_waiters", None))


def put_recording_end(put, item, values):
    """A worker process sends a task's result: ``task.end`` is recorded (stamped now)
    and sent once the result is pickled, just before its bytes go.

    Sent before the result: once the parent has it, it may end this worker with
    SIGTERM. Not before the pickling: a result that cannot be pickled never goes,
    the library sends the error the caller gets instead, and that put records the
    task's one ``task.end``.
    """
    t = recorder.now()

    def send_end():
        recorder.emit_at(t, "task.end", values)
        recorder.flush()

    disarm = before_send(send_end)
    try:
        put(item)
    finally:
        sent = disarm()
    if not sent:  # the bytes went some way we do not see: the put went through all the same
        send_end()


class _ResultOutbox(QueueTap):
    """What the worker puts results on: records each task as it ends."""

    def __init__(self, outqueue, pool_id):
        super().__init__(outqueue, pool_id)
        self._pickles = hasattr(outqueue, "_writer")  # a process pool's, not a ThreadPool's

    def put(self, message):
        if isinstance(message, tuple) and len(message) == 3 and isinstance(message[2], tuple):
            job, i, (ok, value) = message
            shown = short_repr(value) if ok else error_text(value)
            values = (self._pool_id, job, i, bool(ok), shown, None if ok else callsite.raise_site(value))
            if self._pickles:
                return put_recording_end(self._queue.put, message, values)
            # A ThreadPool's worker is a thread of the process that gets the result:
            # nothing ends it alone, its end goes out with the next batch too.
            recorder.emit("task.end", values)
        return self._queue.put(message)


def patch_pool(pool):
    Pool = pool.Pool
    original_worker = pool.worker
    original_init = Pool.__init__
    original_apply_async = Pool.apply_async
    original_map_async = Pool._map_async
    original_imap = Pool.imap
    original_imap_unordered = Pool.imap_unordered
    original_apply_result_init = pool.ApplyResult.__init__
    original_get = pool.ApplyResult.get
    original_imap_init = pool.IMapIterator.__init__
    original_next = pool.IMapIterator.next

    def worker(inqueue, outqueue, *args, **kwargs):
        pool_id = _pool_id_of_inqueue(inqueue)
        if pool_id is not None:
            inqueue = _TaskInbox(inqueue, pool_id, pool.mapstar, pool.starmapstar)
            outqueue = _ResultOutbox(outqueue, pool_id)
        return original_worker(inqueue, outqueue, *args, **kwargs)

    # Pickled by reference as a Process target under spawn: keep the name it replaces.
    impersonate(worker, original_worker)

    def identified(original_setup_queues):
        # The id must exist before the first worker starts (inside __init__).
        def _setup_queues(self):
            original_setup_queues(self)
            if hasattr(self._inqueue, "_reader"):
                self._pv_id = _pool_id_of_inqueue(self._inqueue)
            else:
                self._pv_id = "tpool:%d.%d" % (recorder.pid(), next(thread_pool_numbers))
                _thread_pool_ids[id(self._inqueue)] = self._pv_id
                _thread_pools[id(self._inqueue)] = weakref.ref(self)

        return _setup_queues

    def __init__(self, *args, **kwargs):
        loc = callsite.first_user_site()
        original_init(self, *args, **kwargs)
        kind = type(self).__name__
        recorder.emit("pool.new", (self._pv_id, kind, self._processes, callsite.short_name(kind, loc), loc))

    def submitted(self, t, job, func, count, chunksize, shown, callback, errback=None):
        # Stamped with the time the call began: a worker may start the task before the call returns.
        recorder.emit_at(
            t,
            "task.submit",
            (
                getattr(self, "_pv_id", None),
                job,
                callable_name(func),
                count,
                chunksize,
                shown,
                bool(callback),
                callsite.first_user_site(),
                bool(errback),
            ),
        )

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        t = recorder.now()
        result = original_apply_async(self, func, args, kwds, callback, error_callback)
        submitted(self, t, result._job, func, 1, None, short_repr(args), callback or error_callback, error_callback)
        return result

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
        t = recorder.now()
        result = original_map_async(self, func, iterable, mapper, chunksize, callback, error_callback)
        values = getattr(result, "_value", None)  # a MapResult holds one slot per item
        count = len(values) if isinstance(values, list) else None
        shown = short_repr(iterable) if isinstance(iterable, (list, tuple, range)) else None
        submitted(self, t, result._job, func, count, getattr(result, "_chunksize", chunksize), shown, callback or error_callback, error_callback)
        return result

    def imap_variant(original):
        # With chunksize > 1, imap returns a generator over its IMapIterator: take the job from there.
        def imap(self, func, iterable, chunksize=1):
            _last_iterator.job = None
            t = recorder.now()
            result = original(self, func, iterable, chunksize)
            submitted(self, t, _last_iterator.job, func, None, chunksize, None, False)
            return result

        imap.__name__ = original.__name__
        return imap

    def apply_result_init(self, pool_object, *args, **kwargs):
        original_apply_result_init(self, pool_object, *args, **kwargs)
        self._pv_pool = getattr(pool_object, "_pv_id", None)

    def imap_init(self, pool_object, *args, **kwargs):
        original_imap_init(self, pool_object, *args, **kwargs)
        self._pv_pool = getattr(pool_object, "_pv_id", None)
        _last_iterator.job = self._job

    def get(self, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_get(self, timeout)
        pool_id = getattr(self, "_pv_pool", None)
        waited = None
        if not self.ready() and (timeout is None or type(timeout) in (int, float)):
            waited = wait_until_readable(_ready_of(self), timeout, "task.fetch.wait", (pool_id, self._job, loc))
            if waited is not None:
                timeout = waited.time_left(timeout)
        error = None
        try:
            return original_get(self, timeout)
        except BaseException as exc:
            error = error_text(exc)
            raise
        finally:
            if waited is not None:
                waited.ended()  # task.fetch ends the wait, however the get ended
            recorder.emit("task.fetch", (pool_id, self._job, self.ready(), loc, error))

    def imap_next(self, timeout=None):
        loc = callsite.user_site()
        if loc is None:
            return original_next(self, timeout)
        pool_id = getattr(self, "_pv_pool", None)
        armed = False
        if not self._items and self._index != self._length and (timeout is None or type(timeout) in (int, float)):
            armed = arm_fetch_wait(self._cond, functools.partial(_has_next, self), (pool_id, self._job, loc))
        error = None
        ready = True
        try:
            return original_next(self, timeout)
        except StopIteration:
            raise
        except pool.TimeoutError as exc:
            error, ready = error_text(exc), False
            raise
        except BaseException as exc:
            error = error_text(exc)
            raise
        finally:
            if armed:
                disarm_fetch_wait()
            recorder.emit("task.fetch", (pool_id, self._job, ready, loc, error))

    pool.worker = worker
    Pool._setup_queues = identified(Pool._setup_queues)
    pool.ThreadPool._setup_queues = identified(pool.ThreadPool._setup_queues)
    Pool.__init__ = __init__
    Pool.apply_async = apply_async
    Pool._map_async = _map_async
    Pool.imap = imap_variant(original_imap)
    Pool.imap_unordered = imap_variant(original_imap_unordered)
    pool.ApplyResult.__init__ = apply_result_init
    pool.ApplyResult.get = get
    pool.IMapIterator.__init__ = imap_init
    pool.IMapIterator.next = imap_next
    pool.IMapIterator.__next__ = imap_next
    # apply(), map(), starmap() and the *_async forms only pass the user's call on.
    callsite.add_transparent(Pool.apply, Pool.map, Pool.starmap, Pool.map_async, Pool.starmap_async)


def _has_next(iterator):
    return bool(iterator._items) or iterator._index == iterator._length


def _ready_of(result):
    event = result._event
    # The raw wait: this one is ours, on the user's behalf, and not a wait on an Event of theirs.
    wait = type(event).wait
    wait = getattr(wait, "untraced", wait)

    def ready(seconds):
        return wait(event, seconds)

    return ready
