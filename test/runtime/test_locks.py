"""Locks and semaphores: multiprocessing's SemLock family across processes and
threading's locks taken by user code."""

import collections

from conftest import check_well_formed

LOCK_KINDS = ("lock.new", "lock.wait", "lock.acquire", "lock.release")


def test_lock_kinds_and_ids_across_processes(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        def use(lock, rlock, sem, value):
            with lock:
                pass
            lock.acquire()
            lock.release()
            rlock.acquire()
            rlock.acquire()
            rlock.release()
            rlock.release()
            sem.acquire()
            sem.acquire()
            sem.release()
            sem.release()
            with value.get_lock():
                value.get_obj().value += 1

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            lock = mp.Lock()
            rlock = mp.RLock()
            sem = mp.Semaphore(2)
            value = mp.Value("i", 0)
            p = mp.Process(target=use, args=(lock, rlock, sem, value))
            p.start()
            p.join()
            use(lock, rlock, sem, value)
            print(value.get_obj().value)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "2\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    child = t.one("process.spawn")["child"]

    news = t.sorted(t.by_kind("lock.new"))
    assert [(e["pid"], e["type"], e["value"], e["scope"], e["loc"]) for e in news] == [
        (main, "Lock", 1, "process", "prog.py:21"),
        (main, "RLock", 1, "process", "prog.py:22"),
        (main, "Semaphore", 2, "process", "prog.py:23"),
        (main, "RLock", 1, "process", "prog.py:24"),
    ], news
    assert news[0]["name"] == "Lock@prog.py:21"
    ids = [e["id"] for e in news]
    assert len(set(ids)) == 4
    lock, rlock, sem, value_lock = ids

    # Both processes use the same ids; every acquire/release names an announced lock.
    for kind in ("lock.acquire", "lock.release", "lock.wait"):
        for e in t.by_kind(kind):
            assert e["id"] in ids, e
    for pid in (main, child):
        counts = collections.Counter((e["kind"], e["id"]) for e in t.by_kind("lock.acquire", "lock.release", pid=pid))
        assert counts == {
            ("lock.acquire", lock): 2,
            ("lock.release", lock): 2,
            ("lock.acquire", rlock): 2,
            ("lock.release", rlock): 2,
            ("lock.acquire", sem): 2,
            ("lock.release", sem): 2,
            ("lock.acquire", value_lock): 1,
            ("lock.release", value_lock): 1,
        }, (pid, counts)
        own = t.sorted(t.by_kind("lock.acquire", "lock.release", pid=pid))
        # Source locations: `with` at line 4, acquire()/release() at lines 6/7, ...
        assert [(e["kind"][5:], e["loc"]) for e in own if e["id"] == lock] == [
            ("acquire", "prog.py:4"),
            ("release", "prog.py:4"),
            ("acquire", "prog.py:6"),
            ("release", "prog.py:7"),
        ]
        assert all(e["outcome"] == "ok" and e["waited"] == 0 for e in own if e["kind"] == "lock.acquire")


def test_value_access_takes_no_user_lock(procview):
    """`v.value` takes the Value's lock inside the library's generated accessors:
    that is the library's use, not a user `with v.get_lock()`."""
    run = procview(
        """
        import multiprocessing as mp

        if __name__ == "__main__":
            v = mp.Value("i", 0)
            v.value += 1
            print(v.value)
        """
    )
    assert run.returncode == 0, run
    t = run.trace
    bad = t.by_kind("lock.acquire", "lock.release")
    assert bad == [], bad


# Events of different processes share one clock: the machine's monotonic clock,
# which every process reads (the listener aligns them through it, not through
# their wall clocks). A release is stamped before the lock is let go and an
# acquire after it is taken, so the next holder's acquire always comes later:
# no slack is needed. (Aligned through wall clocks, a process held up between
# its two clock reads had once put an acquire 1 ms before the release it waited for.)
CLOCK_SLACK_NS = 0


def _check_ownership(events, capacity=1, slack_ns=CLOCK_SLACK_NS):
    """Per lock, in time order: at most `capacity` holders, releases only by a holder (for Lock).

    An acquire that comes before the release it waited for by less than
    `slack_ns` (and in another process) is put after that release.
    """
    events = sorted(events, key=lambda e: e["t"])
    # Move each acquire after releases of other processes that follow it within the slack.
    ordered = []
    pending = list(events)
    while pending:
        e = pending.pop(0)
        if e["kind"] == "lock.acquire" and e["outcome"] == "ok":
            holders = _holders(ordered)
            if len(holders) >= capacity:
                # A release of another process's holder within the slack: take it first.
                for j, later in enumerate(pending):
                    if later["t"] - e["t"] > slack_ns:
                        break
                    if later["kind"] == "lock.release" and (later["pid"], later["tid"]) in holders and later["pid"] != e["pid"]:
                        ordered.append(pending.pop(j))
                        break
        ordered.append(e)
    holders = []
    for e in ordered:
        who = (e["pid"], e["tid"])
        if e["kind"] == "lock.acquire" and e["outcome"] == "ok":
            holders.append(who)
            assert len(holders) <= capacity, ("two holders at once", e, holders)
        elif e["kind"] == "lock.release":
            assert holders, ("release of a free lock", e)
            if capacity == 1:
                assert holders == [who], ("released by a non-holder", e, holders)
            holders.remove(who) if who in holders else holders.pop(0)


def _holders(events):
    holders = []
    for e in events:
        who = (e["pid"], e["tid"])
        if e["kind"] == "lock.acquire" and e["outcome"] == "ok":
            holders.append(who)
        elif e["kind"] == "lock.release" and who in holders:
            holders.remove(who)
    return holders


def test_ownership_consistent_across_processes(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        def bump(lock, counter, n):
            for _ in range(n):
                with lock:
                    counter.value += 1
                lock.acquire()
                counter.value += 1
                lock.release()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            lock = mp.Lock()
            counter = mp.RawValue("i", 0)
            procs = [mp.Process(target=bump, args=(lock, counter, 100)) for _ in range(3)]
            for p in procs:
                p.start()
            bump(lock, counter, 100)
            for p in procs:
                p.join()
            print(counter.value)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "800\n"
    t = run.trace
    check_well_formed(t)
    lid = t.one("lock.new")["id"]
    events = t.lock_events(lid)
    assert len([e for e in events if e["kind"] == "lock.acquire"]) == 800
    assert len([e for e in events if e["kind"] == "lock.release"]) == 800
    assert len({e["pid"] for e in events}) == 4
    _check_ownership([e for e in events if e["kind"] != "lock.new"])


def test_semaphore_never_more_than_value_holders(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys, time

        def use(sem):
            for _ in range(20):
                with sem:
                    time.sleep(0.001)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            sem = mp.Semaphore(2)
            procs = [mp.Process(target=use, args=(sem,)) for _ in range(3)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
        """,
        method,
    )
    assert run.returncode == 0, run
    t = run.trace
    sid = t.one("lock.new", type="Semaphore")["id"]
    events = [e for e in t.lock_events(sid) if e["kind"] in ("lock.acquire", "lock.release")]
    assert len(events) == 120
    _check_ownership(events, capacity=2)


def test_contended_wait_and_timeout(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys, time

        def contender(lock, ready, got, held):
            ready.set()
            with lock:
                pass
            got.set()
            held.wait(10)
            timed = lock.acquire(timeout=0.2)
            busy = lock.acquire(False)
            print("child", timed, busy, flush=True)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            lock = mp.Lock()
            ready, got, held = mp.Event(), mp.Event(), mp.Event()
            lock.acquire()
            p = mp.Process(target=contender, args=(lock, ready, got, held))
            p.start()
            ready.wait(10)
            time.sleep(0.3)
            lock.release()
            got.wait(10)
            lock.acquire()
            held.set()
            p.join()
            lock.release()
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "child False False\n"
    t = run.trace
    check_well_formed(t)
    child = t.one("process.spawn")["child"]
    lid = t.one("lock.new", type="Lock")["id"]
    mine = [e for e in t.lock_events(lid) if e["pid"] == child]
    assert [(e["kind"], e.get("outcome")) for e in mine] == [
        ("lock.wait", None),
        ("lock.acquire", "ok"),
        ("lock.release", None),
        ("lock.wait", None),
        ("lock.acquire", "timeout"),
        ("lock.acquire", "busy"),
    ], mine
    assert mine[0]["loc"] == mine[1]["loc"] == "prog.py:5"
    assert mine[1]["waited"] >= 100_000_000
    assert mine[4]["waited"] >= 150_000_000
    assert mine[4]["loc"] == "prog.py:9"
    assert mine[5]["waited"] == 0
    # The parent released before the child got it.
    parent_release = [e for e in t.lock_events(lid) if e["pid"] == t.main_pid and e["kind"] == "lock.release"][0]
    assert parent_release["t"] <= mine[1]["t"]
    # mp.Event's inner Condition/Lock are the library's.
    assert {e["id"] for e in t.by_kind(*LOCK_KINDS)} == {lid}


def test_threading_locks_of_user_code(procview):
    run = procview(
        """
        import queue, threading, time

        lock = threading.Lock()
        rlock = threading.RLock()
        cond = threading.Condition()
        event = threading.Event()
        q = queue.Queue()
        sem = threading.Semaphore(1)

        def worker():
            with rlock:
                with rlock:
                    pass
            q.put(1)
            with cond:
                cond.notify_all()
            event.set()
            with sem:
                pass
            with lock:
                pass

        lock.acquire()
        th = threading.Thread(target=worker)
        th.start()
        time.sleep(0.2)
        lock.release()
        th.join()
        print(q.get(), event.is_set(), lock.acquire(timeout=0.05), lock.acquire(timeout=0.05))
        """
    )
    assert run.returncode == 0, run
    assert run.out == "1 True True False\n"
    t = run.trace
    check_well_formed(t)
    news = t.sorted(t.by_kind("lock.new"))
    # Only the user's two locks, the user's Condition's own lock and the Semaphore
    # (a lock with a count): not the Event's, Queue's, nor the Thread's own internal locks.
    assert [(e["type"], e["scope"], e["loc"]) for e in news] == [
        ("threading.Lock", "thread", "prog.py:3"),
        ("threading.RLock", "thread", "prog.py:4"),
        ("threading.RLock", "thread", "prog.py:5"),
        ("threading.Semaphore", "thread", "prog.py:8"),
    ], news
    lock, rlock, cond_lock, sem = (e["id"] for e in news)
    assert {e["id"] for e in t.by_kind(*LOCK_KINDS)} == {lock, rlock, cond_lock, sem}
    assert [(e["kind"], e["loc"]) for e in t.lock_events(cond_lock)[1:]] == [("lock.acquire", "prog.py:15"), ("lock.release", "prog.py:15")]

    main_tid = t.processes[t.main_pid]["tid"]
    worker = t.one("thread.begin")["tid"]
    lock_events = t.lock_events(lock)
    assert [(e["kind"], e["tid"] == worker, e.get("outcome")) for e in lock_events[1:]] == [
        ("lock.acquire", False, "ok"),
        ("lock.wait", True, None),
        ("lock.release", False, None),
        ("lock.acquire", True, "ok"),
        ("lock.release", True, None),
        ("lock.acquire", False, "ok"),
        ("lock.wait", False, None),
        ("lock.acquire", False, "timeout"),
    ], lock_events
    assert lock_events[4]["waited"] >= 100_000_000
    assert lock_events[1]["tid"] == main_tid
    # RLock re-entry: two acquires then two releases by the worker.
    assert [e["kind"] for e in t.lock_events(rlock)[1:]] == ["lock.acquire", "lock.acquire", "lock.release", "lock.release"]
    _check_ownership([e for e in lock_events if e["kind"] in ("lock.acquire", "lock.release")])


LOCK_TYPES = """
    import copy, pickle, threading

    class Holder:
        lock_type = threading.Lock  # a class attribute: must not turn into a method

    lock, rlock = Holder.lock_type(), threading.RLock()
    print(type(lock), type(rlock), type(lock).__name__)
    for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
        try:
            attempt(lock)
        except Exception as exc:
            print(type(exc).__name__, exc)
    with lock, rlock:
        print(lock.locked())
"""


def test_thread_locks_look_like_the_real_types(procview, plain):
    run = procview(LOCK_TYPES)
    base = plain(LOCK_TYPES)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), run
    assert len(run.trace.by_kind("lock.acquire")) == 2
