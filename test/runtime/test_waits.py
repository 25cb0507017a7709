"""Announced waits: the waiting thread's stack."""

from conftest import check_well_formed

WAIT_KINDS = (
    "process.join.wait",
    "thread.join.wait",
    "queue.put.wait",
    "queue.get.wait",
    "queue.join.wait",
    "pipe.recv.wait",
    "lock.wait",
    "task.fetch.wait",
    "pool.shutdown.wait",
    "sync.wait.wait",
)


def _check_stacks_are_the_users(trace):
    """Every announcement has a stack of the program's own frames (all in prog.py), outermost first."""
    for e in trace.by_kind(*WAIT_KINDS):
        stack = e["stack"]
        assert stack, e
        for loc, function in stack:
            assert loc.startswith("prog.py:") and isinstance(function, str), e
        # The innermost frame is the waiting call itself.
        assert stack[-1][0] == e["loc"], e


# ------------------------------------------------------------------ stacks


def test_stacks_of_a_lock_a_queue_get_and_a_join_across_processes(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys, threading, time

        def inner(lock, q):
            with lock:
                pass
            return q.get()

        def middle(lock, q):
            return inner(lock, q)

        def worker(lock, q, started):
            started.set()
            print(middle(lock, q), flush=True)

        def wait_for(p):
            p.join()

        def main():
            mp.set_start_method(sys.argv[1])
            lock, q, started = mp.Lock(), mp.Queue(), mp.Event()
            lock.acquire()
            p = mp.Process(target=worker, args=(lock, q, started))
            p.start()
            started.wait(30)
            time.sleep(0.3)
            lock.release()
            time.sleep(0.3)
            threading.Thread(target=lambda: (time.sleep(0.3), q.put("done"))).start()
            wait_for(p)

        if __name__ == "__main__":
            main()
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "done\n"
    t = run.trace
    check_well_formed(t)
    _check_stacks_are_the_users(t)
    child = t.one("process.spawn")["child"]
    # In the child: its target's frames only. Not the parent's frames a forked child
    # inherits, not spawn_main's, not multiprocessing's or procview's.
    assert t.one("lock.wait", pid=child)["stack"] == [["prog.py:13", "worker"], ["prog.py:9", "middle"], ["prog.py:4", "inner"]]
    assert t.one("queue.get.wait", pid=child)["stack"] == [["prog.py:13", "worker"], ["prog.py:9", "middle"], ["prog.py:6", "inner"]]
    assert t.one("process.join.wait", pid=t.main_pid)["stack"] == [
        ["prog.py:32", "<module>"],
        ["prog.py:29", "main"],
        ["prog.py:16", "wait_for"],
    ]


def test_stacks_of_threads_and_of_deep_recursion(procview):
    run = procview(
        """
        import queue, threading, time

        lock = threading.Lock()
        q = queue.Queue()

        def deep(n):
            if n:
                return deep(n - 1)
            with lock:
                pass

        def take():
            return q.get()

        def consumer():
            print(take(), flush=True)

        def join(t):
            t.join()

        lock.acquire()
        a = threading.Thread(target=deep, args=(40,))
        b = threading.Thread(target=consumer)
        a.start(); b.start()
        time.sleep(0.3)
        lock.release()
        threading.Thread(target=lambda: (time.sleep(0.3), q.put("item"))).start()
        join(b)
        a.join()
        """
    )
    assert run.returncode == 0, run
    assert run.out == "item\n"
    t = run.trace
    check_well_formed(t)
    _check_stacks_are_the_users(t)
    # A thread's stack begins at its target (threading's bootstrap is the library's).
    assert t.one("queue.get.wait")["stack"] == [["prog.py:16", "consumer"], ["prog.py:13", "take"]]
    assert t.one("thread.join.wait", loc="prog.py:19")["stack"] == [["prog.py:28", "<module>"], ["prog.py:19", "join"]]
    # 41 frames of deep(): the innermost 32 are kept.
    deep = t.one("lock.wait")["stack"]
    assert deep == [["prog.py:8", "deep"]] * 31 + [["prog.py:9", "deep"]]
