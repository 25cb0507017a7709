"""Pool and ThreadPool: every task recorded where it ran, with its outcome and whether it was fetched."""

import json
import subprocess

from conftest import CLI, check_well_formed

POOL_PROGRAM = """
    import multiprocessing as mp
    import sys

    def square(x):
        if x == 7:
            raise ValueError("seven")
        return x * x

    def add(a, b):
        return a + b

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        with mp.Pool(2) as pool:
            print(pool.apply(square, (3,)))
            print(pool.apply_async(square, (4,)).get())
            print(pool.map(square, range(6), chunksize=2))
            print(list(pool.imap(square, range(3))))
            print(sorted(pool.imap_unordered(square, range(3))))
            print(pool.starmap(add, [(1, 2), (3, 4)]))
            failed = pool.apply_async(square, (7,))
            failed.wait()
"""


def test_pool_tasks_recorded_in_the_workers_with_outcomes(procview, plain, method):
    run = procview(POOL_PROGRAM, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(POOL_PROGRAM, method).stdout
    t = run.trace
    check_well_formed(t)
    # Waiting for a result is a task.fetch, not a wait on the library's own Event.
    assert not t.by_kind("sync.wait", "sync.wait.wait", "sync.new")
    main = t.main_pid

    (new,) = t.by_kind("pool.new")
    assert new["type"] == "Pool" and new["processes"] == 2 and new["loc"] == "prog.py:14"
    pool_id = new["id"]

    submits = {e["job"]: e for e in t.by_kind("task.submit")}
    assert [s["func"] for s in submits.values()] == ["square", "square", "square", "square", "square", "add", "square"]
    assert all(s["pool"] == pool_id and s["pid"] == main for s in submits.values())
    map_job = [s for s in submits.values() if s["count"] == 6]
    assert len(map_job) == 1 and map_job[0]["chunksize"] == 2 and map_job[0]["loc"] == "prog.py:17"

    begins = t.by_kind("task.begin")
    ends = {(e["job"], e["index"]): e for e in t.by_kind("task.end")}
    workers = {e["pid"] for e in begins}
    assert main not in workers and workers <= set(t.processes)
    # every task of every job ran and ended, in a worker of this pool
    assert {(b["job"], b["index"]) for b in begins} == set(ends)
    assert all(b["pool"] == pool_id and b["func"] in ("square", "add") for b in begins)
    # the map's 6 items went out as 3 chunks of 2
    chunks = [b for b in begins if b["job"] == map_job[0]["job"]]
    assert sorted(b["index"] for b in chunks) == [0, 1, 2] and {b["items"] for b in chunks} == {2}

    failed_job = max(submits)
    failure = ends[(failed_job, 0)]
    assert failure["ok"] is False and failure["result"] == "ValueError: seven"
    fetched_jobs = {e["job"] for e in t.by_kind("task.fetch")}
    assert failed_job not in fetched_jobs, "the failed task's result was never asked for"
    assert set(submits) - {failed_job} <= fetched_jobs


def test_summary_lists_the_tasks(procview, tmp_path):
    run = procview(POOL_PROGRAM, "fork")
    assert run.returncode == 0, run
    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    tasks = json.loads(out.stdout)["tasks"]
    assert len(tasks) == len(run.trace.by_kind("task.begin"))
    unfetched = [task for task in tasks if not task["fetched"]]
    assert [(task["func"], task["ok"]) for task in unfetched] == [("square", False)]
    assert all(task["end"] >= task["start"] >= task["queued"] for task in tasks)


def test_thread_pool_tasks_run_on_threads_of_the_main_process(procview):
    run = procview(
        """
        from multiprocessing.pool import ThreadPool

        with ThreadPool(3) as pool:
            print(pool.map(len, ["a", "bb", "ccc", "dddd"]))
        """
    )
    assert run.returncode == 0, run
    assert run.out == "[1, 2, 3, 4]\n"
    t = run.trace
    (new,) = t.by_kind("pool.new")
    assert new["type"] == "ThreadPool"
    begins = t.by_kind("task.begin")
    assert begins and {b["pid"] for b in begins} == {t.main_pid}
    assert all(b["pool"] == new["id"] for b in begins)
    assert t.main_pid not in {b["tid"] for b in begins}
    assert len(t.by_kind("task.end")) == len(begins)


def test_maxtasksperchild_spreads_tasks_over_fresh_workers(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        def pid_of(_):
            import os
            return os.getpid()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            with mp.Pool(1, maxtasksperchild=1) as pool:
                pids = [pool.apply(pid_of, (i,)) for i in range(3)]
            print(len(set(pids)))
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "3\n"
    begins = run.trace.by_kind("task.begin")
    assert len(begins) == 3 and len({b["pid"] for b in begins}) == 3


def test_get_with_a_timeout_waits_no_longer_than_asked(procview, method):
    """The first slice of a fetch's wait is part of the timeout, not added to it."""
    run = procview(
        """
        import multiprocessing as mp, sys, time

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            with mp.Pool(1) as pool:
                never = pool.apply_async(time.sleep, (30,))
                best = None
                for _ in range(8):
                    t0 = time.perf_counter()
                    try:
                        never.get(timeout=0.02)
                    except mp.TimeoutError:
                        pass
                    spent = time.perf_counter() - t0
                    best = spent if best is None else min(best, spent)
                print("%.4f" % best)
        """,
        method,
    )
    assert run.returncode == 0, run
    # Noise only adds time: the quickest of several gets shows what the runtime adds (5 ms before).
    assert 0.02 <= float(run.out) < 0.0235, run.out
    t = run.trace
    announced = t.by_kind("task.fetch.wait")
    fetches = t.by_kind("task.fetch")
    assert len(announced) == len(fetches) == 8
    assert all((f["ready"], f["error"], f["loc"]) == (False, "TimeoutError: ", "prog.py:11") for f in fetches)


def test_a_result_that_cannot_be_pickled_ends_its_task_once(procview, plain, method):
    source = """
        import multiprocessing as mp
        import sys

        class Bad:
            def __reduce__(self):
                raise ValueError("no pickling")

            def __repr__(self):
                return "Bad()"

        def bad(x):
            return Bad()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            with mp.Pool(1) as pool:
                try:
                    pool.apply(bad, (1,))
                except mp.pool.MaybeEncodingError as exc:
                    print("caught:", exc)
                print(pool.apply(abs, (-2,)))
    """
    run = procview(source, method)
    base = plain(source, method)
    assert run.returncode == 0 == base.returncode, run
    assert run.stdout == base.stdout and run.stderr == base.stderr
    t = run.trace
    ends = [(e["job"], e["ok"], e["result"]) for e in t.by_kind("task.end")]
    error = "MaybeEncodingError: Error sending result: 'Bad()'. Reason: 'ValueError('no pickling')'"
    assert ends[0] == (0, False, error)
    assert ends[1:] == [(1, True, "2")]


def test_a_thread_pool_task_costs_one_send_when_waited_for_none_otherwise(procview):
    """A worker process sends a task's begin and end at once; a ThreadPool's begin only if someone waits for it."""
    run = procview(
        """
        import sys, threading, time
        from multiprocessing.pool import ThreadPool

        recorder = sys.modules["procview.recorder"]
        sends = [0]
        real_send = recorder._send

        def counting(batch):
            sends[0] += 1
            real_send(batch)

        # Opens each gate 2 ms after it is handed over. One thread for all, started before
        # the counting: a thread's start is sent at once, and would be counted.
        gates = []
        def opener():
            while True:
                if gates:
                    time.sleep(0.002)
                    gate = gates.pop()
                    if gate is None:
                        return
                    gate.set()
                time.sleep(0.0002)
        opening = threading.Thread(target=opener)
        opening.start()

        with ThreadPool(1) as pool:
            pool.apply(abs, (0,))  # the worker is up
            recorder._send = counting
            results = [pool.apply_async(abs, (-i,)) for i in range(40)]
            pool.apply(abs, (0,))
            unwaited = sends[0]
            for i in range(20):
                gate = threading.Event()
                pool.apply_async(gate.wait)  # the worker is busy...
                waited = pool.apply_async(abs, (-i,))
                gates.append(gate)
                waited.get()  # ...and takes this task while we wait for it
            recorder._send = real_send
        gates.append(None)
        opening.join()
        print(unwaited, sends[0] - unwaited)
        """
    )
    assert run.returncode == 0, run
    assert len(run.trace.by_kind("task.end")) == 82
    unwaited, waited = map(int, run.out.split())
    # There were two sends per task: the begin's and the end's.
    assert unwaited <= 5, run.out
    assert 10 <= waited <= 30, run.out


def test_imap_waits_are_announced_after_the_first_slice(procview, plain, method):
    source = """
        import multiprocessing as mp
        import sys, time, traceback

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            with mp.Pool(1) as pool:
                slow = pool.imap(time.sleep, [0.3])
                try:
                    slow.next(timeout=0.05)
                except mp.TimeoutError:
                    traceback.print_exc()
                print(list(slow))
                quick = pool.imap(abs, [-1, -2])
                time.sleep(0.3)
                print(list(quick))
    """
    run = procview(source, method)
    base = plain(source, method)
    assert run.returncode == 0 == base.returncode, run
    assert run.stdout == base.stdout == b"[None]\n[1, 2]\n"
    assert run.stderr == base.stderr, "\n--- procview:\n%s\n--- plain:\n%s" % (run.err, base.err)
    t = run.trace
    slow_job, quick_job = sorted({s["job"] for s in t.by_kind("task.submit")})
    announced = [(w["job"], w["loc"]) for w in t.by_kind("task.fetch.wait")]
    assert announced == [(slow_job, "prog.py:9"), (slow_job, "prog.py:12")]
    fetches = [(f["job"], f["loc"], f["ready"], f["error"]) for f in t.by_kind("task.fetch")]
    assert fetches[0] == (slow_job, "prog.py:9", False, "TimeoutError: ")
    assert (slow_job, "prog.py:12", True, None) in fetches
    assert [f for f in fetches if f[0] == quick_job and f[1] == "prog.py:15"]
