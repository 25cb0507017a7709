"""A Condition's own lock: `with cond:`, acquire()/release() and the release and
re-acquire around wait(), recorded as lock events at the user's lines; the
Condition's internals never; a self-deadlock through a Condition seen as a
lock.wait on a lock the thread holds."""

from conftest import check_well_formed

LOCK_KINDS = ("lock.new", "lock.wait", "lock.acquire", "lock.release")


def holders_over_time(events):
    """Replay acquires and releases in time order: [(event, holders after it)], holders as (pid, tid, depth)."""
    held = {}
    out = []
    for e in sorted(events, key=lambda e: e["t"]):
        who = (e["pid"], e["tid"])
        if e["kind"] == "lock.acquire" and e["outcome"] == "ok":
            held[who] = held.get(who, 0) + 1
        elif e["kind"] == "lock.release":
            assert held.get(who), ("release by a thread that does not hold it", e, held)
            held[who] -= 1
            if not held[who]:
                del held[who]
        out.append((e, sorted(held)))
    return out


THREADS = """
    import threading, time

    cond = threading.Condition()
    plain = threading.Condition(threading.Lock())
    items = []

    def consumer():
        with cond:
            while not items:
                cond.wait()
        plain.acquire()
        plain.wait_for(lambda: False, timeout=0.02)
        plain.release()

    worker = threading.Thread(target=consumer, name="consumer")
    worker.start()
    time.sleep(0.2)
    with cond:
        with cond:
            items.append(1)
            cond.notify()
    worker.join()
    print(repr(cond).split(" object")[0], type(cond._lock).__name__, type(plain._lock).__name__)
"""


def test_thread_condition_lock_events_in_order(procview, plain):
    run = procview(THREADS)
    assert run.returncode == 0, run
    assert run.stdout == plain(THREADS).stdout == b"<Condition(<unlocked _thread.RLock RLock lock\n"
    t = run.trace
    check_well_formed(t)
    news = t.sorted(t.by_kind("lock.new"))
    # the Condition made without a lock gets the user's RLock, made at its line; the
    # other one is the user's own Lock. No lock of the library's (the Thread's, the
    # Condition's waiter locks) appears.
    assert [(e["type"], e["loc"]) for e in news] == [("threading.RLock", "prog.py:3"), ("threading.Lock", "prog.py:4")]
    rlock, lock = news[0]["id"], news[1]["id"]
    assert {e["id"] for e in t.by_kind(*LOCK_KINDS)} == {rlock, lock}
    conds = {e["loc"]: e["id"] for e in t.by_kind("sync.new")}
    consumer = t.one("thread.begin", name="consumer")["tid"]
    main = t.main_pid

    def steps(events):
        return [(e["kind"], "consumer" if e["tid"] == consumer else "main", e["loc"]) for e in events]

    both = t.sorted([e for e in t.events if e["kind"] in LOCK_KINDS + ("sync.wait.wait", "sync.wait", "sync.signal")])
    assert steps(e for e in both if e.get("id") in (rlock, conds["prog.py:3"])) == [
        ("lock.new", "main", "prog.py:3"),
        ("lock.acquire", "consumer", "prog.py:8"),  # with cond:
        ("lock.release", "consumer", "prog.py:10"),  # wait() gives it back...
        ("sync.wait.wait", "consumer", "prog.py:10"),
        ("lock.acquire", "main", "prog.py:18"),  # ...so that the notifier can take it
        ("lock.acquire", "main", "prog.py:19"),  # (an RLock: twice)
        ("sync.signal", "main", "prog.py:21"),
        ("lock.release", "main", "prog.py:19"),
        ("lock.release", "main", "prog.py:18"),
        ("sync.wait", "consumer", "prog.py:10"),
        ("lock.acquire", "consumer", "prog.py:10"),  # ...and has it again when it returns
        ("lock.release", "consumer", "prog.py:8"),  # end of with cond:
    ]
    assert steps(e for e in both if e.get("id") in (lock, conds["prog.py:4"])) == [
        ("lock.new", "main", "prog.py:4"),
        ("lock.acquire", "consumer", "prog.py:11"),
        ("lock.release", "consumer", "prog.py:12"),  # wait_for: its waits, at the wait_for line
        ("sync.wait.wait", "consumer", "prog.py:12"),
        ("sync.wait", "consumer", "prog.py:12"),
        ("lock.acquire", "consumer", "prog.py:12"),
        ("lock.release", "consumer", "prog.py:13"),
    ]
    # Holders: never two threads at once; while the consumer waits, the lock is the main thread's or nobody's.
    replay = holders_over_time([e for e in t.lock_events(rlock) if e["kind"] != "lock.new"])
    assert all(len({who[:2] for who in holders}) <= 1 for _, holders in replay)
    during = [holders for e, holders in replay if e["tid"] != consumer]
    assert during[0] == [(main, t.processes[main]["tid"])]
    assert replay[-1][1] == []
    assert all(e["pid"] == main for e in t.by_kind(*LOCK_KINDS))


def test_rlock_held_twice_is_released_and_taken_twice_around_wait(procview):
    run = procview(
        """
        import threading

        cond = threading.Condition(threading.RLock())
        with cond:
            cond.acquire()
            cond.wait(0.01)
            cond.release()
        """
    )
    assert run.returncode == 0, run
    t = run.trace
    (new,) = t.by_kind("lock.new")
    assert new["type"] == "threading.RLock" and new["loc"] == "prog.py:3"
    assert [(e["kind"], e["loc"]) for e in t.lock_events(new["id"])[1:]] == [
        ("lock.acquire", "prog.py:4"),
        ("lock.acquire", "prog.py:5"),
        ("lock.release", "prog.py:6"),
        ("lock.release", "prog.py:6"),
        ("lock.acquire", "prog.py:6"),
        ("lock.acquire", "prog.py:6"),
        ("lock.release", "prog.py:7"),
        ("lock.release", "prog.py:4"),
    ]


CROSS_PROCESS = """
    import multiprocessing as mp, sys, time

    def waiter(cond, state):
        with cond:
            cond.wait_for(lambda: state.value == 1)
        cond.acquire()
        cond.release()

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        cond = mp.Condition()
        state = mp.Value("i", 0, lock=False)
        child = mp.Process(target=waiter, args=(cond, state))
        child.start()
        time.sleep(0.3)  # the child is in wait_for by now
        with cond:
            state.value = 1
            cond.notify_all()
        child.join()
        event, barrier = mp.Event(), mp.Barrier(1)  # Conditions of the library's: no lock events
        event.set()
        event.wait()
        barrier.wait()
        print(child.exitcode, type(cond._lock).__name__)
"""


def test_multiprocessing_condition_lock_across_processes(procview, plain, method):
    run = procview(CROSS_PROCESS, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(CROSS_PROCESS, method).stdout == b"0 RLock\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    (new,) = t.by_kind("lock.new")
    assert (new["pid"], new["type"], new["scope"], new["loc"]) == (main, "RLock", "process", "prog.py:11")
    lock = new["id"]
    # the Condition's semaphores, the Event's and the Barrier's Conditions: none of them is a user lock
    assert {e["id"] for e in t.by_kind(*LOCK_KINDS)} == {lock}
    (child,) = [p for p in t.program_processes() if p != main]
    cond = t.one("sync.new", type="Condition")["id"]
    in_child = [
        (e["kind"], e["loc"]) for e in t.sorted(t.events_of(child)) if e.get("id") in (lock, cond) and e["kind"] != "sync.signal"
    ]
    waited = [
        ("lock.acquire", "prog.py:4"),
        ("lock.release", "prog.py:5"),
        ("sync.wait.wait", "prog.py:5"),
        ("sync.wait", "prog.py:5"),
        ("lock.acquire", "prog.py:5"),
        ("lock.release", "prog.py:4"),
        ("lock.acquire", "prog.py:6"),
        ("lock.release", "prog.py:7"),
    ]
    # On a loaded machine a spawned child may start after the main set the state:
    # then wait_for() finds its predicate true and never waits.
    not_waited = [waited[0], ("lock.release", "prog.py:4"), waited[6], waited[7]]
    assert in_child in (waited, not_waited), in_child
    in_main = [(e["kind"], e["loc"]) for e in t.lock_events(lock) if e["pid"] == main]
    assert in_main == [("lock.new", "prog.py:11"), ("lock.acquire", "prog.py:16"), ("lock.release", "prog.py:16")]
    # one holder at a time, across both processes (the waiter had given it back)
    replay = holders_over_time([e for e in t.lock_events(lock) if e["kind"] != "lock.new"])
    assert all(len(holders) <= 1 for _, holders in replay)
    assert replay[-1][1] == []


def test_self_deadlock_through_a_thread_condition(procview):
    run = procview(
        """
        import threading, time

        cond = threading.Condition(threading.Lock())

        def helper():
            with cond:
                cond.notify_all()

        def refresh():
            with cond:
                helper()

        threading.Thread(target=refresh, name="refresher", daemon=True).start()
        time.sleep(0.3)
        print("gave up")
        """
    )
    assert run.returncode == 0, run
    assert run.out == "gave up\n"
    t = run.trace
    (new,) = t.by_kind("lock.new")
    refresher = t.one("thread.begin", name="refresher")["tid"]
    assert [(e["kind"], e["tid"] == refresher, e["loc"]) for e in t.lock_events(new["id"])[1:]] == [
        ("lock.acquire", True, "prog.py:10"),
        ("lock.wait", True, "prog.py:6"),  # a lock it holds: nobody will ever release it
    ]


def test_self_deadlock_through_a_multiprocessing_condition(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys, time

        def announce(cond):
            with cond:
                cond.notify_all()

        def refresh(cond):
            with cond:
                announce(cond)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            cond = mp.Condition(mp.Lock())
            child = mp.Process(target=refresh, name="refresher", args=(cond,))
            child.start()
            time.sleep(1.0)
            child.terminate()
            child.join()
            print(child.exitcode)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "-15\n"
    t = run.trace
    (new,) = t.by_kind("lock.new")
    assert (new["type"], new["loc"]) == ("Lock", "prog.py:13")
    child = t.by_name("refresher")["pid"]
    assert [(e["kind"], e["pid"], e["loc"]) for e in t.lock_events(new["id"])[1:]] == [
        ("lock.acquire", child, "prog.py:8"),
        ("lock.wait", child, "prog.py:4"),
    ]
