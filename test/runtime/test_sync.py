"""Events, Conditions, Barriers and threading.Semaphore: waits announced, signals recorded, ids shared."""

from conftest import check_well_formed

CROSS_PROCESS = """
    import multiprocessing as mp, sys, time

    def waiter(ready, cond, barrier, state, asked):
        ready.wait()
        with cond:
            # The predicate says when the child is at the wait, so the parent notifies only then
            # (a child slow to start would otherwise find the state already set, and not wait).
            cond.wait_for(lambda: (setattr(asked, "value", 1), state.value == 1)[1])
        barrier.wait()

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        ready, cond, barrier = mp.Event(), mp.Condition(), mp.Barrier(2)
        state, asked = mp.Value("i", 0), mp.Value("i", 0)
        child = mp.Process(target=waiter, args=(ready, cond, barrier, state, asked))
        child.start()
        time.sleep(0.1)
        ready.set()
        while asked.value == 0:
            time.sleep(0.01)
        with cond:
            state.value = 1
            cond.notify_all()
        barrier.wait()
        child.join()
        print("exit", child.exitcode)
"""


def test_multiprocessing_event_condition_barrier(procview, plain, method):
    run = procview(CROSS_PROCESS, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(CROSS_PROCESS, method).stdout == b"exit 0\n"
    t = run.trace
    check_well_formed(t)
    news = {e["type"]: e for e in t.by_kind("sync.new")}
    assert set(news) == {"Event", "Condition", "Barrier"}
    assert all(e["scope"] == "process" and e["loc"] == "prog.py:13" for e in news.values())
    assert news["Barrier"]["value"] == 2
    ids = {e["id"] for e in news.values()}
    child = [p for p in t.program_processes() if p != t.main_pid]
    assert len(child) == 1
    child_waits = t.by_kind("sync.wait", pid=child[0])
    # the child waited on all three, by the ids the parent announced
    assert [e["id"] for e in child_waits] == [news["Event"]["id"], news["Condition"]["id"], news["Barrier"]["id"]]
    assert {e["id"] for e in t.by_kind("sync.wait.wait", pid=child[0])} <= ids
    assert [e["loc"] for e in child_waits] == ["prog.py:4", "prog.py:8", "prog.py:9"]
    assert all(e["outcome"] == "ok" for e in child_waits)
    # (how long the Event wait lasted depends on how fast the child started: not checked)
    signals = [(e["id"], e["op"]) for e in t.by_kind("sync.signal")]
    assert signals == [(news["Event"]["id"], "set"), (news["Condition"]["id"], "notify_all")]
    # the library's own use of these (an Event's Condition, a Barrier's Condition) is not reported
    assert len(t.by_kind("sync.new")) == 3


def test_threading_event_timeout_condition_and_semaphore(procview):
    run = procview(
        """
        import threading

        gate = threading.Event()
        print(gate.wait(0.05))
        slots = threading.Semaphore(2)
        cond = threading.Condition()
        items = []

        def consumer():
            with slots:
                with cond:
                    while not items:
                        cond.wait()

        worker = threading.Thread(target=consumer)
        worker.start()
        with cond:
            items.append(1)
            cond.notify()
        worker.join()
        barrier = threading.Barrier(2, timeout=0.05)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            print("broken")
        """
    )
    assert run.returncode == 0, run
    assert run.out == "False\nbroken\n"
    t = run.trace
    news = {e["type"]: e for e in t.by_kind("sync.new")}
    assert set(news) == {"Event", "Condition", "Barrier"}
    assert all(e["scope"] == "thread" for e in news.values())
    waits = t.by_kind("sync.wait")
    event_wait = [e for e in waits if e["id"] == news["Event"]["id"]]
    assert [e["outcome"] for e in event_wait] == ["timeout"] and event_wait[0]["waited"] >= 40_000_000
    assert [e["outcome"] for e in waits if e["id"] == news["Barrier"]["id"]] == ["broken"]
    assert any(e["id"] == news["Condition"]["id"] for e in t.by_kind("sync.wait.wait"))
    assert ("notify", None) in [(e["op"], e["n"]) for e in t.by_kind("sync.signal") if e["id"] == news["Condition"]["id"]]
    (semaphore,) = [e for e in t.by_kind("lock.new") if e["type"] == "threading.Semaphore"]
    assert semaphore["value"] == 2
    held = [e["kind"] for e in t.lock_events(semaphore["id"]) if e["kind"] != "lock.new"]
    assert held == ["lock.acquire", "lock.release"]
    # the user's Condition's own lock is the user's (recorded: see test_conditions.py);
    # an Event's and a Barrier's Conditions are the library's: no lock events for them
    (cond_lock,) = [e for e in t.by_kind("lock.new") if e["type"] == "threading.RLock"]
    assert cond_lock["loc"] == news["Condition"]["loc"]
    assert {e["id"] for e in t.by_kind("lock.acquire")} == {semaphore["id"], cond_lock["id"]}


def test_thread_queues_pair_each_get_with_its_put(procview, plain):
    source = """
        import queue, threading

        jobs = queue.Queue(maxsize=2)

        def consumer():
            while (item := jobs.get()) is not None:
                print("got", item)

        worker = threading.Thread(target=consumer)
        worker.start()
        for i in range(5):
            jobs.put(("job", i))
        jobs.put(None)
        worker.join()
        stack = queue.LifoQueue()
        stack.put("a")
        stack.put("b")
        print(stack.get(), stack.get())
        try:
            queue.Queue().get(timeout=0.02)
        except queue.Empty:
            print("empty")
        """
    run = procview(source)
    assert run.returncode == 0, run
    assert run.stdout == plain(source).stdout
    t = run.trace
    news = {e["loc"]: e for e in t.by_kind("queue.new")}
    assert [e["type"] for e in news.values()] == ["queue.Queue", "queue.LifoQueue", "queue.Queue"]
    jobs, stack, empty = (e["id"] for e in news.values())
    puts = {e["seq"]: e for e in t.by_kind("queue.put") if e["id"] == jobs}
    gets = [e for e in t.by_kind("queue.get") if e["id"] == jobs]
    assert [puts[g["seq"]]["repr"] for g in gets] == ["('job', 0)", "('job', 1)", "('job', 2)", "('job', 3)", "('job', 4)", "None"]
    assert [g["seq"] for g in t.by_kind("queue.get") if g["id"] == stack] == [1, 0]
    (timed_out,) = [g for g in t.by_kind("queue.get") if g["id"] == empty]
    assert timed_out["outcome"] == "empty" and timed_out["waited"] >= 15_000_000
    assert t.by_kind("queue.get.wait") and not t.by_kind("lock.acquire"), "a Queue's own locks are the library's"
