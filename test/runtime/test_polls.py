"""Busy polling: empty(), qsize() and full() counted per queue and per line of the user's code."""

import sys
import threading
from pathlib import Path

from conftest import check_well_formed

PYTHON_DIR = Path(__file__).resolve().parents[2] / "python"

MP_POLLS = """
    import multiprocessing as mp, sys

    def child(q):
        for _ in range(150):
            q.empty()

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        q, jq, sq = mp.Queue(2), mp.JoinableQueue(), mp.SimpleQueue()
        for _ in range(2500):
            q.empty()
        for _ in range(12):
            q.qsize()
        q.full()
        q.put(1)
        q.put(2)
        print(q.full(), q.qsize() if sys.platform != "darwin" else 2, jq.empty(), sq.empty())
        p = mp.Process(target=child, args=(q,))
        p.start()
        p.join()
        q.get()
        q.get()
"""


def polls(trace, queue_id=None, pid=None):
    """The polls of a queue (of one process), in the order they were sent. Only
    one process's order is its own: processes' events reach the trace in
    whatever order their batches arrive."""
    return [
        (e["op"], e["loc"], e["count"])
        for e in trace.by_kind("queue.poll")
        if (queue_id is None or e["id"] == queue_id) and (pid is None or e["pid"] == pid)
    ]


def test_multiprocessing_queues_counted_per_site(procview, plain, method):
    run = procview(MP_POLLS, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(MP_POLLS, method).stdout == b"True 2 True True\n"
    t = run.trace
    check_well_formed(t)
    news = {e["type"]: e["id"] for e in t.by_kind("queue.new")}
    main = t.main_pid
    (child,) = [p for p in t.program_processes() if p != main]
    assert polls(t, news["Queue"], main) == [
        ("empty", "prog.py:11", 1),
        ("empty", "prog.py:11", 10),
        ("empty", "prog.py:11", 100),
        ("empty", "prog.py:11", 1000),
        ("empty", "prog.py:11", 2000),
        ("qsize", "prog.py:13", 1),
        ("qsize", "prog.py:13", 10),
        ("full", "prog.py:14", 1),
        # full() and qsize() on one line: one count for the line (qsize was its 2nd call)
        ("full", "prog.py:17", 1),
    ]
    # The child counts its own calls, under the id every process shares.
    assert polls(t, news["Queue"], child) == [
        ("empty", "prog.py:5", 1),
        ("empty", "prog.py:5", 10),
        ("empty", "prog.py:5", 100),
    ]
    assert len(polls(t, news["Queue"])) == 12
    assert polls(t, news["JoinableQueue"]) == [("empty", "prog.py:17", 1)]
    assert polls(t, news["SimpleQueue"]) == [("empty", "prog.py:17", 1)]


def test_thread_queues_and_library_calls(procview):
    run = procview(
        """
        import queue, threading
        from concurrent.futures import ThreadPoolExecutor

        q, lifo, prio = queue.Queue(), queue.LifoQueue(1), queue.PriorityQueue()

        def spin(n):
            for _ in range(n):
                q.qsize()

        threads = [threading.Thread(target=spin, args=(600,)) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        lifo.put(1)
        while not lifo.empty():
            lifo.get()
        print(lifo.full(), prio.empty(),
              prio.qsize())
        with ThreadPoolExecutor(2) as pool:  # the library's own queues: no polls of the user's
            print(sum(pool.map(abs, range(-5, 5))))
        """
    )
    assert run.returncode == 0, run
    assert run.out == "False True 0\n25\n"
    t = run.trace
    news = {e["type"]: e["id"] for e in t.by_kind("queue.new")}
    # Two threads on one line of one queue share the count: every count sent once, none lost
    # (a thread switch may put one thread's count after the other's).
    assert sorted(polls(t, news["queue.Queue"]), key=lambda poll: poll[2]) == [
        ("qsize", "prog.py:8", 1),
        ("qsize", "prog.py:8", 10),
        ("qsize", "prog.py:8", 100),
        ("qsize", "prog.py:8", 1000),
    ]
    assert polls(t, news["queue.LifoQueue"]) == [("empty", "prog.py:16", 1), ("full", "prog.py:18", 1)]
    assert polls(t, news["queue.PriorityQueue"]) == [("empty", "prog.py:18", 1), ("qsize", "prog.py:19", 1)]
    assert {e["id"] for e in t.by_kind("queue.poll")} <= set(news.values())


def test_library_polls_are_not_counted(procview, plain):
    # The executor's manager thread calls call_queue.full() before each item it queues.
    source = """
        import sys, threading
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing.queues as mpq

        calls = []

        def profile(frame, event, arg):  # sees the calls without standing between caller and callee
            if event == "call" and frame.f_code.co_name == "full" and "multiprocessing" in frame.f_code.co_filename:
                calls.append(1)

        if __name__ == "__main__":
            threading.setprofile(profile)
            with ProcessPoolExecutor(2) as pool:
                print(sum(pool.map(abs, range(-20, 20))))
            print(len(calls) > 0)
        """
    run = procview(source)
    assert run.returncode == 0, run
    assert run.stdout == plain(source).stdout == b"400\nTrue\n"
    assert run.trace.by_kind("task.submit")
    assert run.trace.by_kind("queue.poll") == []


def test_threads_counting_one_line_lose_no_count(monkeypatch):
    # count_poll itself, in this interpreter, its events caught on their way to the
    # recorder: threads switched as often as CPython allows. A count taken in two
    # steps (get, then set) lost about a third of the calls here.
    sys.path.insert(0, str(PYTHON_DIR))
    try:
        from procview.hooks import polls as poll_hook
    finally:
        sys.path.remove(str(PYTHON_DIR))
    sent = []
    monkeypatch.setattr(poll_hook.recorder, "emit", lambda kind, values: sent.append(values[3]))
    counts = {}

    def spin():
        for _ in range(25000):
            poll_hook.count_poll(counts, "q", "empty", "prog.py:9")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=spin) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert sorted(sent) == [1, 10, 100] + list(range(1000, 100001, 1000))
