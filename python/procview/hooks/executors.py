"""``concurrent.futures``: ProcessPoolExecutor and ThreadPoolExecutor tasks, like a Pool's.

Each ``submit`` is one job of one task (``task.submit``), and so is each item a
``map`` hands to ``submit`` (each chunk, for a ProcessPoolExecutor). The worker
that runs a task records it (``task.begin``/``task.end``): a worker process in
the ``_process_worker`` it runs, through a call inbox and a result outbox that
record what passes through them (the objects sent are those of a plain run),
a worker thread when its future turns running and gets its result. The user's
``result()``/``exception()`` and the iteration of ``map``'s results are the
fetches (``task.fetch.wait``/``task.fetch``); ``cancel()`` that succeeds,
``shutdown()`` and a pool that breaks have their own events.

A process pool's id is its call queue's id (every worker can compute it), its
jobs are the executor's work ids (which its workers see); a thread pool's id is
``tpool:PID.N`` and its jobs are numbered here. A future learns its task when
its work item is made, inside ``submit``: before any worker can see it.
"""

import functools
import itertools
import os
import sys
import threading
import _thread

from .. import callsite, recorder
from ..impersonate import impersonate
from ..reprs import short_repr
from .pools import QueueTap, arm_fetch_wait, callable_name, disarm_fetch_wait, error_text, put_recording_end, thread_pool_numbers
from .waits import announce_wait, wait_in_two_steps

_tls = threading.local()  # .executor: the pool whose submit runs in this thread; .chunksize: of its map


class _PoolState:
    __slots__ = ("id", "thread", "jobs", "running")

    def __init__(self, pool_id, thread):
        self.id = pool_id
        self.thread = thread
        self.jobs = itertools.count()  # a thread pool's job numbers
        self.running = set()  # a thread pool's jobs now running


class _Task:
    """What a future knows of its task. ``state`` only for a thread pool's (its worker records it here)."""

    __slots__ = ("pool", "job", "func", "args", "items", "state")

    def __init__(self, pool, job, func, args, items, state):
        self.pool = pool
        self.job = job
        self.func = func
        self.args = args
        self.items = items
        self.state = state


def _args_text(args, kwargs):
    return short_repr(args) if not kwargs else "%s %s" % (short_repr(args), short_repr(kwargs))


def _chunk_text(chunk):
    # A chunk holds one argument tuple per item: show the items as map saw them.
    head = chunk[:7] if isinstance(chunk, (tuple, list)) else ()
    return short_repr(tuple(a[0] if type(a) is tuple and len(a) == 1 else a for a in head))


def _describe(fn, args, kwargs, process_chunk):
    """(func, args shown, items): a chunk of a process pool's map names the user's function and its items."""
    if process_chunk is not None and type(fn) is functools.partial and fn.func is process_chunk and fn.args and len(args) == 1:
        chunk = args[0]
        return callable_name(fn.args[0]), _chunk_text(chunk), (len(chunk) if hasattr(chunk, "__len__") else None)
    return callable_name(fn), _args_text(args, kwargs), None


def _submitted(state, job, future, fn, args, kwargs, process_chunk):
    func, shown, items = _describe(fn, args, kwargs, process_chunk)
    future._pv_task = _Task(state.id, job, func, shown, items, state if state.thread else None)
    chunksize = getattr(_tls, "chunksize", None) if items is not None else None
    count = 1 if items is None else items
    recorder.emit("task.submit", (state.id, job, func, count, chunksize, shown, False, callsite.first_user_site(), False))


def _traced_submit(original):
    def submit(self, fn, /, *args, **kwargs):
        if "_pv_pool" not in self.__dict__:
            return original(self, fn, *args, **kwargs)
        previous = getattr(_tls, "executor", None)
        _tls.executor = self  # read (and cleared) when the work item is made
        try:
            return original(self, fn, *args, **kwargs)
        finally:
            _tls.executor = previous

    return impersonate(submit, original)


def _traced_shutdown(original, busy):
    def shutdown(self, wait=True, *, cancel_futures=False):
        state = self.__dict__.get("_pv_pool")
        if state is None:
            return original(self, wait, cancel_futures=cancel_futures)
        loc = callsite.first_user_site()
        t0 = recorder.now()
        announced = False
        if wait:
            try:
                announced = busy(self, state, cancel_futures)
            except Exception:
                announced = False
            if announced:
                announce_wait("pool.shutdown.wait", (state.id, loc))
        try:
            result = original(self, wait, cancel_futures=cancel_futures)
        except BaseException as exc:
            if announced:
                recorder.send_with_next()
                recorder.emit("wait.abort", ("pool.shutdown.wait", recorder.now() - t0, type(exc).__name__))
            raise
        if announced:
            recorder.send_with_next()  # the end of an announced wait goes out with it
        recorder.emit("pool.shutdown", (state.id, bool(wait), bool(cancel_futures), loc, recorder.now() - t0))
        return result

    return impersonate(shutdown, original)


def _announce_pool(executor, state, kind, loc):
    executor._pv_pool = state
    recorder.emit("pool.new", (state.id, kind, executor._max_workers, callsite.short_name(kind, loc), loc))


# ---------------------------------------------------------------- futures (every executor)


def patch_base(base):
    Future = base.Future
    PENDING, RUNNING = base.PENDING, base.RUNNING
    done_states = (base.CANCELLED, base.CANCELLED_AND_NOTIFIED, base.FINISHED)
    original_result = Future.result
    original_exception = Future.exception
    original_cancel = Future.cancel
    original_set_running = Future.set_running_or_notify_cancel
    original_set_result = Future.set_result
    original_set_exception = Future.set_exception

    def is_done(future):
        return future._state in done_states

    def fetching(original, returns_error):
        def fetch(self, timeout=None):
            task = self.__dict__.get("_pv_task")
            if task is None:
                return original(self, timeout)
            loc = callsite.user_site()
            if loc is None:
                return original(self, timeout)
            try:
                armed = False
                if self._state not in done_states and (timeout is None or type(timeout) in (int, float)):
                    # The library waits on the future's condition, on its own line, as without
                    # us: that wait gets the first slice, then the announcement.
                    armed = arm_fetch_wait(self._condition, functools.partial(is_done, self), (task.pool, task.job, loc))
                try:
                    value = original(self, timeout)
                except BaseException as exc:
                    recorder.emit("task.fetch", (task.pool, task.job, self._state in done_states, loc, error_text(exc)))
                    raise
                finally:
                    if armed:
                        disarm_fetch_wait()
                error = error_text(value) if returns_error and value is not None else None
                recorder.emit("task.fetch", (task.pool, task.job, True, loc, error))
                return value
            finally:
                self = None  # as the library does: no cycle through the exception's traceback

        return impersonate(fetch, original)

    def cancel(self):
        task = self.__dict__.get("_pv_task")
        if task is None:
            return original_cancel(self)
        before = self._state
        cancelled = original_cancel(self)
        if cancelled and before == PENDING:
            recorder.emit("task.cancel", (task.pool, task.job, callsite.first_user_site()))
        return cancelled

    # A thread pool's worker thread turns the future running, then gives it its outcome.

    def set_running_or_notify_cancel(self):
        running = original_set_running(self)
        if running:
            task = self.__dict__.get("_pv_task")
            if task is not None and task.state is not None:
                task.state.running.add(task.job)
                recorder.emit("task.begin", (task.pool, task.job, 0, task.func, task.args, task.items))
                if self._waiters or self._condition._waiters:
                    # Someone waits for it: sent now, it may never end. Not otherwise: a send
                    # here would let the thread that submitted it run ahead of the task (as it
                    # does not without us); whoever waits for it later sends it as it announces its wait.
                    recorder.flush()
        return running

    def set_result(self, result):
        task = self.__dict__.get("_pv_task")
        if task is not None and task.state is not None and self._state == RUNNING:
            task.state.running.discard(task.job)
            recorder.emit("task.end", (task.pool, task.job, 0, True, short_repr(result), None))
        return original_set_result(self, result)

    def set_exception(self, exception):
        task = self.__dict__.get("_pv_task")
        breaking = getattr(_tls, "breaking", None)
        if breaking is not None and breaking[0] is not None:
            _say_broken(breaking, error_text(exception))
        if task is not None and task.state is not None and self._state == RUNNING:
            task.state.running.discard(task.job)
            recorder.emit("task.end", (task.pool, task.job, 0, False, error_text(exception), callsite.raise_site(exception)))
        return original_set_exception(self, exception)

    Future.result = fetching(original_result, False)
    Future.exception = fetching(original_exception, True)
    Future.cancel = impersonate(cancel, original_cancel)
    Future.set_running_or_notify_cancel = impersonate(set_running_or_notify_cancel, original_set_running)
    Future.set_result = impersonate(set_result, original_set_result)
    Future.set_exception = impersonate(set_exception, original_set_exception)

    # `with executor:` shuts it down from the user's `with` line; map's results are
    # fetched, through these, by whoever iterates them.
    Executor = base.Executor
    callsite.add_transparent(Executor.__exit__)
    pass_through = [getattr(base, "_result_or_cancel", None)]
    for const in Executor.map.__code__.co_consts:
        if getattr(const, "co_name", None) == "result_iterator":
            pass_through.append(_CodeHolder(const))
    callsite.add_transparent(*[fn for fn in pass_through if fn is not None])

    _patch_waits(base, done_states)


class _CodeHolder:
    """Stands for a function whose code object is all we have (a nested generator)."""

    def __init__(self, code):
        self.__code__ = code


# ---------------------------------------------------------------- wait() and as_completed()

MAX_TASKS_LISTED = 50
_wait_ops = {}  # code of concurrent.futures' wait and as_completed -> "wait", "as_completed"


def _patch_waits(base, done_states):
    """``wait(fs)`` and ``as_completed(fs)`` called by the user's code wait on a waiter's Event
    once the futures not done are known: that Event is one of ours, whose wait is recorded."""
    original_install = getattr(base, "_create_and_install_waiters", None)
    as_completed_waiter = getattr(base, "_AsCompletedWaiter", None)
    if original_install is None or as_completed_waiter is None:
        return
    _wait_ops[base.wait.__code__] = "wait"
    _wait_ops[base.as_completed.__code__] = "as_completed"
    as_completed = getattr(base, "_AS_COMPLETED", None)

    class _TrackedAsCompletedWaiter(as_completed_waiter):
        """as_completed's waiter, telling our Event of each future that finishes (it waits again and again)."""

        def add_result(self, future):
            _finished(self.event, future)
            super().add_result(future)

        def add_exception(self, future):
            _finished(self.event, future)
            super().add_exception(future)

        def add_cancelled(self, future):
            _finished(self.event, future)
            super().add_cancelled(future)

    def _create_and_install_waiters(fs, return_when):
        waiter = original_install(fs, return_when)
        caller = sys._getframe(1)
        op = _wait_ops.get(caller.f_code)
        if op is not None and callsite.walk(caller.f_back, True) is not None:
            # Under the futures' locks, which the caller holds: none of them can reach the waiter yet.
            until = "FIRST_COMPLETED" if return_when == as_completed else str(return_when)
            waiter.event = _TasksEvent(op, until, fs, done_states)
            if type(waiter) is as_completed_waiter:
                waiter.__class__ = _TrackedAsCompletedWaiter  # same layout
        return waiter

    base._create_and_install_waiters = impersonate(_create_and_install_waiters, original_install)


def _finished(event, future):
    pending = getattr(event, "_pv_pending", None)
    if pending is not None:
        with event._pv_lock:
            pending.pop(id(future), None)


class _TasksEvent(threading.Event):
    """The Event a waiter of ``wait()`` or ``as_completed()`` is set by: the user's wait for futures.

    Its wait is the user's (``task.wait.wait`` after the first slice, ``task.wait``
    when it ends), on the futures still pending: those it was made with, less those
    that finished since (as_completed waits again and again). It knows them by id
    only: it keeps no future alive (as_completed lets go of each one it hands out).
    """

    def __init__(self, op, until, fs, done_states):
        super().__init__()
        self._pv_op = op
        self._pv_until = until
        self._pv_lock = _thread.allocate_lock()
        pending = []
        for future in fs:
            if future._state not in done_states:
                task = future.__dict__.get("_pv_task")
                pending.append((id(future), None if task is None else (task.pool, task.job)))
        # Tasks first, by pool and job; futures procview knows nothing of after them.
        pending.sort(key=lambda item: (item[1] is None, item[1] or ("", 0)))
        self._pv_pending = dict(pending)

    def wait(self, timeout=None):
        untraced = _untraced_event_wait()
        caller = sys._getframe(1)
        loc = callsite.walk(caller.f_back, True) if caller.f_code in _wait_ops else None
        if loc is None or self.is_set() or not (timeout is None or type(timeout) in (int, float)):
            return untraced(self, timeout)
        with self._pv_lock:
            pending = self._pv_pending
            listed = list(itertools.islice((task for task in pending.values() if task is not None), MAX_TASKS_LISTED))
            count = len(pending)
        op, until = self._pv_op, self._pv_until
        done, _, waited = wait_in_two_steps(
            lambda seconds: (untraced(self, seconds), None),
            timeout,
            "task.wait.wait",
            (op, until, listed, count, timeout, loc),
        )
        recorder.emit("task.wait", (op, until, count, timeout, loc, waited, "done" if done else "timeout"))
        return done


def _untraced_event_wait():
    wait = threading.Event.wait
    return getattr(wait, "untraced", wait)


# ---------------------------------------------------------------- ProcessPoolExecutor


def _pool_id_of_call_queue(call_queue):
    reader = getattr(call_queue, "_reader", None)
    if reader is None:
        return None
    try:
        st = os.fstat(reader.fileno())
    except (OSError, ValueError):
        return None
    return "pool:%d:%d" % (st.st_dev, st.st_ino)


class _CallInbox(QueueTap):
    """What a worker process reads its calls from: records each task as it starts."""

    def __init__(self, call_queue, pool_id, call_item, process_chunk):
        super().__init__(call_queue, pool_id)
        self._call_item = call_item
        self._process_chunk = process_chunk

    def get(self, *args, **kwargs):
        item = self._queue.get(*args, **kwargs)
        if isinstance(item, self._call_item):
            func, shown, items = _describe(item.fn, item.args, item.kwargs, self._process_chunk)
            recorder.emit("task.begin", (self._pool_id, item.work_id, 0, func, shown, items))
            # Sent now: a task that never ends (its worker died) must still show as running.
            recorder.flush()
        return item


class _ResultOutbox(QueueTap):
    """What a worker process sends results on: records each task as it ends."""

    def __init__(self, result_queue, pool_id, result_item):
        super().__init__(result_queue, pool_id)
        self._result_item = result_item

    def put(self, obj, *args, **kwargs):
        if isinstance(obj, self._result_item):
            error = obj.exception
            shown = short_repr(obj.result) if error is None else error_text(error)
            values = (self._pool_id, obj.work_id, 0, error is None, shown, None if error is None else callsite.raise_site(error))
            return put_recording_end(lambda item: self._queue.put(item, *args, **kwargs), obj, values)
        return self._queue.put(obj, *args, **kwargs)


def patch_process_executor(process):
    PPE = process.ProcessPoolExecutor
    original_init = PPE.__init__
    original_map = PPE.map
    original_worker = process._process_worker
    original_item_init = process._WorkItem.__init__
    process_chunk = getattr(process, "_process_chunk", None)
    call_item, result_item = process._CallItem, process._ResultItem

    def __init__(self, *args, **kwargs):
        loc = callsite.first_user_site()
        original_init(self, *args, **kwargs)
        pool_id = _pool_id_of_call_queue(getattr(self, "_call_queue", None))
        if pool_id is not None:
            _announce_pool(self, _PoolState(pool_id, False), "ProcessPoolExecutor", loc)

    def work_item_init(self, future, fn, args, kwargs):
        original_item_init(self, future, fn, args, kwargs)
        executor = getattr(_tls, "executor", None)
        if executor is not None:
            _tls.executor = None
            # Inside submit, under its lock: the work id it is about to take.
            _submitted(executor._pv_pool, executor._queue_count, future, fn, args, kwargs, process_chunk)

    def map(self, fn, *iterables, **kwargs):
        if "_pv_pool" not in self.__dict__:
            return original_map(self, fn, *iterables, **kwargs)
        previous = getattr(_tls, "chunksize", None)
        _tls.chunksize = kwargs.get("chunksize", 1)
        try:
            return original_map(self, fn, *iterables, **kwargs)
        finally:
            _tls.chunksize = previous

    def _process_worker(call_queue, result_queue, *args, **kwargs):
        pool_id = _pool_id_of_call_queue(call_queue)
        if pool_id is not None:
            # Known as the pool's worker from now: idle until its first task, not running.
            recorder.emit("pool.worker", (pool_id,))
            recorder.flush()
            call_queue = _CallInbox(call_queue, pool_id, call_item, process_chunk)
            result_queue = _ResultOutbox(result_queue, pool_id, result_item)
        return original_worker(call_queue, result_queue, *args, **kwargs)

    def busy(self, state, cancel_futures):
        return bool(getattr(self, "_pending_work_items", None))

    PPE.__init__ = impersonate(__init__, original_init)
    PPE.submit = _traced_submit(PPE.submit)
    PPE.map = impersonate(map, original_map)
    PPE.shutdown = _traced_shutdown(PPE.shutdown, busy)
    process._WorkItem.__init__ = work_item_init
    # A Process target, pickled by reference under spawn: it keeps the name it replaces.
    process._process_worker = impersonate(_process_worker, original_worker)
    # map's results come out through this generator, to whoever iterates them.
    chain = getattr(process, "_chain_from_iterable_of_lists", None)
    if chain is not None:
        callsite.add_transparent(chain)

    manager = getattr(process, "_ExecutorManagerThread", None)
    if manager is not None and hasattr(manager, "terminate_broken"):
        manager.terminate_broken = _traced_terminate_broken(manager.terminate_broken)


def _traced_terminate_broken(original):
    # The pool is said broken as the first future fails with BrokenProcessPool
    # (see set_exception): before any thread can fetch that error.
    def terminate_broken(self, *args, **kwargs):
        pool_id = _pool_id_of_call_queue(self.call_queue)  # before the library closes it
        if pool_id is None:
            return original(self, *args, **kwargs)
        breaking = _tls.breaking = [pool_id, sorted(self.pending_work_items)]
        try:
            return original(self, *args, **kwargs)
        finally:
            _tls.breaking = None
            if breaking[0] is not None:  # no future was pending
                executor = self.executor_reference()
                reason = getattr(executor, "_broken", None) if executor is not None else None
                executor = None
                _say_broken(breaking, "BrokenProcessPool: %s" % reason if isinstance(reason, str) else "BrokenProcessPool")

    return impersonate(terminate_broken, original)


def _say_broken(breaking, error):
    pool_id, jobs = breaking
    breaking[0] = None
    recorder.emit("pool.broken", (pool_id, error, jobs))
    recorder.flush()


# ---------------------------------------------------------------- ThreadPoolExecutor


def patch_thread_executor(thread):
    TPE = thread.ThreadPoolExecutor
    original_init = TPE.__init__
    original_item_init = thread._WorkItem.__init__
    original_initializer_failed = getattr(TPE, "_initializer_failed", None)

    def __init__(self, *args, **kwargs):
        loc = callsite.first_user_site()
        original_init(self, *args, **kwargs)
        state = _PoolState("tpool:%d.%d" % (recorder.pid(), next(thread_pool_numbers)), True)
        _announce_pool(self, state, "ThreadPoolExecutor", loc)

    def work_item_init(self, future, fn, args, kwargs):
        original_item_init(self, future, fn, args, kwargs)
        executor = getattr(_tls, "executor", None)
        if executor is not None:
            _tls.executor = None
            state = executor._pv_pool
            _submitted(state, next(state.jobs), future, fn, args, kwargs, None)

    def busy(self, state, cancel_futures):
        if state.running:
            return True
        work_queue = getattr(self, "_work_queue", None)
        return not cancel_futures and work_queue is not None and work_queue.qsize() > 0

    def _initializer_failed(self, *args, **kwargs):
        result = original_initializer_failed(self, *args, **kwargs)  # pyright: ignore[reportOptionalCall]
        state = self.__dict__.get("_pv_pool")
        if state is not None:
            recorder.emit("pool.broken", (state.id, "BrokenThreadPool: %s" % (self._broken,), None))
            recorder.flush()
        return result

    TPE.__init__ = impersonate(__init__, original_init)
    TPE.submit = _traced_submit(TPE.submit)
    TPE.shutdown = _traced_shutdown(TPE.shutdown, busy)
    thread._WorkItem.__init__ = work_item_init
    if original_initializer_failed is not None:
        TPE._initializer_failed = impersonate(_initializer_failed, original_initializer_failed)
