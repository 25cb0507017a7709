"""Announced waits: the waiting thread's stack, re-announcement while a wait lasts, and
waits that behave as without procview (timeouts, results, Ctrl-C)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import Trace, _env, check_well_formed, cli_command, kill_group, strip_cli_lines, write_script

WAIT_KINDS = (
    "process.join.wait",
    "thread.join.wait",
    "queue.put.wait",
    "queue.get.wait",
    "queue.join.wait",
    "pipe.send.wait",
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


# ------------------------------------------------------------------ re-announcement

LONG_WAITS = """
    import multiprocessing as mp, queue, sys, threading, time
    from multiprocessing.pool import ThreadPool

    HOLD = 2.5

    def run(name, wait):
        wait()
        sys.stdout.write(name + " done\\n")  # one write: threads print at once
        sys.stdout.flush()

    def cond_wait(cond):
        with cond:
            cond.wait()

    if __name__ == "__main__":
        mp.set_start_method("fork")
        tlock = threading.Lock(); tlock.acquire()
        mlock = mp.Lock(); mlock.acquire()
        sem = threading.Semaphore(0)
        mq, sq, tq = mp.Queue(), mp.SimpleQueue(), queue.Queue()
        fullm = mp.Queue(1); fullm.put(0)
        fullt = queue.Queue(1); fullt.put(0)
        rx, tx = mp.Pipe(duplex=False)
        ev, mev, cond = threading.Event(), mp.Event(), threading.Condition()
        jq = queue.Queue(); jq.put(0)
        manager = mp.Manager()
        mgq = manager.Queue()
        sleeper = threading.Thread(target=time.sleep, args=(HOLD,))
        child = mp.Process(target=time.sleep, args=(HOLD,))
        pool = ThreadPool(1)
        sleeper.start(); child.start()
        result = pool.apply_async(time.sleep, (HOLD,))
        waits = {
            "tlock": tlock.acquire,
            "mlock": mlock.acquire,
            "sem": sem.acquire,
            "mq": mq.get,
            "sq": sq.get,
            "tq": tq.get,
            "fullm": lambda: fullm.put(1),
            "fullt": lambda: fullt.put(1),
            "pipe": rx.recv,
            "thread": sleeper.join,
            "process": child.join,
            "pool": result.get,
            "event": ev.wait,
            "mevent": mev.wait,
            "cond": lambda: cond_wait(cond),
            "qjoin": jq.join,
            "manager": mgq.get,
        }
        threads = [threading.Thread(target=run, args=item, name=item[0]) for item in waits.items()]
        for thread in threads:
            thread.start()
        time.sleep(HOLD)
        tlock.release(); mlock.release(); sem.release()
        mq.put(1); sq.put(1); tq.put(1)
        fullm.get(); fullt.get()
        tx.send(1)
        ev.set(); mev.set()
        with cond:
            cond.notify_all()
        jq.get(); jq.task_done()
        mgq.put(1)
        for thread in threads:
            thread.join()
        pool.close(); pool.join()
        manager.shutdown()
"""

SLICED = {
    "tlock": "lock.wait",
    "mlock": "lock.wait",
    "sem": "lock.wait",
    "mq": "queue.get.wait",
    "sq": "queue.get.wait",
    "tq": "queue.get.wait",
    "fullm": "queue.put.wait",
    "fullt": "queue.put.wait",
    "pipe": "pipe.recv.wait",
    "thread": "thread.join.wait",
    "process": "process.join.wait",
    "pool": "task.fetch.wait",
}
NOT_SLICED = {
    "event": "sync.wait.wait",
    "mevent": "sync.wait.wait",
    "cond": "sync.wait.wait",
    "qjoin": "queue.join.wait",
    "manager": "queue.get.wait",
}


def test_a_long_wait_is_re_announced_every_second_where_slicing_is_safe(procview, plain):
    source = LONG_WAITS
    run = procview(source)
    assert run.returncode == 0, run
    expected = sorted("%s done" % name for name in list(SLICED) + list(NOT_SLICED))
    assert sorted(run.out.splitlines()) == expected
    assert sorted(plain(source).out.splitlines()) == expected
    t = run.trace
    check_well_formed(t)
    _check_stacks_are_the_users(t)
    tids = {e["name"]: e["tid"] for e in t.by_kind("thread.begin", pid=t.main_pid)}
    main = t.events_of(t.main_pid)
    for name, kind in {**SLICED, **NOT_SLICED}.items():
        mine = t.sorted([e for e in main if e["tid"] == tids[name]])
        announced = [e for e in mine if e["kind"] == kind]
        assert len(announced) == 1, (name, mine)
        stills = [e for e in mine if e["kind"] == "wait.still"]
        if name in NOT_SLICED:
            assert stills == [], (name, stills)
            continue
        assert len(stills) >= 2, (name, mine)
        assert {e["wait"] for e in stills} == {kind}, (name, stills)
        waited = [e["waited"] for e in stills]
        assert waited == sorted(waited) and len(set(waited)) == len(waited), (name, waited)
        assert 0.9e9 <= waited[0] <= 1.5e9, (name, waited)  # a slice is a second
        assert all(b - a >= 0.9e9 for a, b in zip(waited, waited[1:])), (name, waited)
        # Between the announcement and the end of the wait, each sent as it happened.
        end = [e for e in mine if e["t"] > stills[-1]["t"] and not e["kind"].startswith("wait.")]
        assert announced[0]["t"] < stills[0]["t"] and end, (name, mine)
        assert not [e for e in mine if e["kind"] == "wait.abort"], name


def test_a_wait_over_within_the_first_slice_is_not_announced(procview):
    run = procview(
        """
        import multiprocessing as mp, queue, threading, time
        from queue import Empty
        tlock = threading.Lock(); tlock.acquire()
        mlock = mp.Lock(); mlock.acquire()
        print(tlock.acquire(timeout=0.002), mlock.acquire(timeout=0.002), tlock.acquire(False))
        mq, tq = mp.Queue(), queue.Queue()
        for q in (mq, tq):
            try:
                q.get(timeout=0.002)
            except Empty:
                print("empty")
        ev = threading.Event()
        t = threading.Thread(target=ev.wait)
        t.start()
        t.join(0.002)
        p = mp.Process(target=ev.wait, args=(0.3,))
        p.start()
        p.join(0.002)
        print(t.is_alive(), p.exitcode)
        tlock.release()
        with tlock:
            mq.put(1); tq.put(2)
        time.sleep(0.2)  # the feeder has written the item by now: the get finds it at once
        print(mq.get(), tq.get())
        ev.set()
        t.join()
        p.join()
        """
    )
    assert run.returncode == 0, run
    assert run.out == "False False False\nempty\nempty\nTrue None\n1 2\n"
    t = run.trace
    check_well_formed(t)
    assert len(t.by_kind("lock.acquire")) >= 4 and len(t.by_kind("queue.get")) == 4
    assert not t.by_kind("wait.still")
    # Only the last joins (lines 26, 27) may have had to wait.
    assert {e["loc"] for e in t.by_kind(*WAIT_KINDS)} <= {"prog.py:26", "prog.py:27"}


TIMED_WAITS = """
    import multiprocessing as mp, queue, sys, threading, time
    from multiprocessing.pool import ThreadPool

    TIMEOUT = 1.5

    def run(name, wait):
        t0 = time.monotonic()
        try:
            outcome = wait()
        except Exception as exc:
            outcome = type(exc).__name__
        elapsed = time.monotonic() - t0
        sys.stdout.write("%s %s %s\\n" % (name, outcome, TIMEOUT <= elapsed < 1.9 or elapsed))  # one write
        sys.stdout.flush()

    if __name__ == "__main__":
        mp.set_start_method("fork")
        tlock = threading.Lock(); tlock.acquire()
        mlock = mp.Lock(); mlock.acquire()
        sem = threading.Semaphore(0)
        fullm = mp.Queue(1); fullm.put(0)
        fullt = queue.Queue(1); fullt.put(0)
        stop = threading.Event()
        sleeper = threading.Thread(target=stop.wait)
        child = mp.Process(target=stop.wait, args=(5,))
        pool = ThreadPool(1)
        sleeper.start(); child.start()
        result = pool.apply_async(stop.wait)
        waits = {
            "tlock": lambda: tlock.acquire(timeout=TIMEOUT),
            "mlock": lambda: mlock.acquire(timeout=TIMEOUT),
            "sem": lambda: sem.acquire(timeout=TIMEOUT),
            "mq": lambda: mp.Queue().get(timeout=TIMEOUT),
            "tq": lambda: queue.Queue().get(timeout=TIMEOUT),
            "fullm": lambda: fullm.put(1, timeout=TIMEOUT),
            "fullt": lambda: fullt.put(1, timeout=TIMEOUT),
            "thread": lambda: sleeper.join(TIMEOUT) or sleeper.is_alive(),
            "process": lambda: child.join(TIMEOUT) or child.exitcode,
            "pool": lambda: result.get(TIMEOUT),
        }
        threads = [threading.Thread(target=run, args=item, name=item[0]) for item in waits.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        sleeper.join(); child.terminate(); child.join()
        pool.close(); pool.join()
"""


def test_timed_waits_end_at_their_own_timeout(procview, plain):
    expected = sorted(
        [
            "tlock False True",
            "mlock False True",
            "sem False True",
            "mq Empty True",
            "tq Empty True",
            "fullm Full True",
            "fullt Full True",
            "thread True True",
            "process None True",
            "pool TimeoutError True",
        ]
    )
    run = procview(TIMED_WAITS)
    assert run.returncode == 0, run
    assert sorted(run.out.splitlines()) == expected, run.out
    assert sorted(plain(TIMED_WAITS).out.splitlines()) == expected
    t = run.trace
    check_well_formed(t)
    tids = {e["name"]: e["tid"] for e in t.by_kind("thread.begin", pid=t.main_pid)}
    for name, kind in SLICED.items():
        if name not in tids:
            continue
        mine = t.sorted([e for e in t.events_of(t.main_pid) if e["tid"] == tids[name]])
        assert [e["kind"] for e in mine if e["kind"] == kind] == [kind], (name, mine)
        # One slice of a second, then the rest of the timeout: one re-announcement, none after the end.
        assert [e["wait"] for e in mine if e["kind"] == "wait.still"] == [kind], (name, mine)
    for e in t.by_kind("lock.acquire", "queue.get", "queue.put"):
        if e["waited"]:
            assert 1.5e9 <= e["waited"] < 1.9e9, e


# ------------------------------------------------------------------ Ctrl-C


def _interrupted(cmd, cwd):
    """Run until the script says it is about to wait, let the wait last past a slice, then Ctrl-C it."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(None), start_new_session=True)
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        time.sleep(1.6)
        os.killpg(proc.pid, signal.SIGINT)
        rest, err = proc.communicate(timeout=30)
    except BaseException:
        kill_group(proc.pid)
        raise
    return proc.returncode, first + rest, strip_cli_lines(err)


@pytest.mark.usefixtures("sigint_not_ignored")
def test_ctrl_c_during_a_lock_wait_gives_the_same_traceback(tmp_path):
    script = write_script(
        tmp_path,
        """
        import threading

        def take(lock):
            lock.acquire()

        lock = threading.Lock()
        lock.acquire()
        print("waiting", flush=True)
        take(lock)
        """,
    )
    trace_path = tmp_path / "t.pvtrace"
    code, out, err = _interrupted(cli_command(script.name, out=trace_path), tmp_path)
    plain_code, plain_out, plain_err = _interrupted([sys.executable, script.name], tmp_path)
    assert b"KeyboardInterrupt" in plain_err and plain_code == -signal.SIGINT
    assert (out, err) == (plain_out, plain_err)
    assert code == 128 + signal.SIGINT  # the CLI's status for a script killed by SIGINT, as a shell says it
    t = Trace(trace_path)
    check_well_formed(t)
    # The main thread's wait is one call after its announcement: never re-announced.
    assert [e["kind"] for e in t.sorted() if e["kind"] in ("lock.wait", "wait.still", "wait.abort", "lock.acquire")] == [
        "lock.acquire",
        "lock.wait",
        "wait.abort",
    ]
    abort = t.one("wait.abort")
    assert abort["wait"] == "lock.wait" and abort["error"] == "KeyboardInterrupt" and abort["waited"] >= 1.5e9


def test_a_get_on_a_closed_queue_raises_at_once_as_without_procview(procview, plain):
    # Found by CPython's own tests: polling for data before the library's own
    # checks would wait for ever on a queue whose get raises at once.
    source = """
        import multiprocessing as mp, time

        for make in (mp.Queue, mp.JoinableQueue, mp.SimpleQueue):
            q = make()
            q.close()
            t0 = time.monotonic()
            try:
                q.get()
            except Exception as exc:
                print(make.__name__, type(exc).__name__, time.monotonic() - t0 < 0.5)
        """
    run = procview(source, timeout=20)
    assert run.returncode == 0, run
    plain_run = plain(source, timeout=20)
    assert run.out == plain_run.out and run.out.count("True") == 3, (run.out, plain_run.out)
    assert not run.trace.by_kind(*WAIT_KINDS)
