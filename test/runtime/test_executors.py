"""concurrent.futures executors: every task recorded where it ran, how it ended, who fetched it;
cancellations, shutdowns and a broken pool; none of the executor's own machinery."""

import json
import subprocess
import sys

import pytest

from conftest import CLI, SCRIPT_NAME, START_METHODS, Trace, _env, check_well_formed, write_script

EXECUTOR_PROGRAM = """
    import concurrent.futures as cf
    import multiprocessing as mp
    import sys

    def square(x):
        if x == 7:
            raise ValueError("seven")
        return x * x

    def add(a, b=0):
        return a + b

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        with cf.ProcessPoolExecutor(2) as ex:
            print(ex.submit(square, 3).result())
            print(ex.submit(add, 1, b=2).result(timeout=30))
            print(list(ex.map(square, range(4))))
            for value in ex.map(square, range(5), chunksize=2):
                print(value)
            failed = ex.submit(square, 7)
            print(repr(failed.exception()))
            ignored = ex.submit(square, 7)
            cf.wait([ignored])
        with cf.ThreadPoolExecutor(3) as tx:
            print(list(tx.map(len, ["a", "bb", "ccc", "dddd"])))
            print(tx.submit(add, 2, 3).result())
            try:
                tx.submit(square, 7).result()
            except ValueError as exc:
                print("caught", exc)
"""

QUIET_KINDS = ("queue.", "lock.", "pipe.", "sync.", "thread.join", "process.join", "wait.abort")


def _pools(trace):
    return {e["type"]: e for e in trace.by_kind("pool.new")}


def _by_job(trace, kind, pool):
    out = {}
    for e in trace.by_kind(kind):
        if e["pool"] == pool:
            out.setdefault(e["job"], []).append(e)
    return out


def test_executor_tasks_recorded_in_the_workers_with_outcomes(procview, plain, method):
    run = procview(EXECUTOR_PROGRAM, method)
    base = plain(EXECUTOR_PROGRAM, method)
    assert run.returncode == 0 == base.returncode, run
    assert run.stdout == base.stdout and run.stderr == base.stderr
    t = run.trace
    check_well_formed(t)
    main = t.main_pid

    pools = _pools(t)
    assert set(pools) == {"ProcessPoolExecutor", "ThreadPoolExecutor"}
    ppe, tpe = pools["ProcessPoolExecutor"], pools["ThreadPoolExecutor"]
    assert (ppe["processes"], ppe["loc"], ppe["name"]) == (2, "prog.py:15", "ProcessPoolExecutor@prog.py:15")
    assert (tpe["processes"], tpe["loc"]) == (3, "prog.py:25")
    assert ppe["id"].startswith("pool:") and tpe["id"].startswith("tpool:%d." % main)

    # -- the process pool: one job per submit, per map item, per map chunk (work ids from 0)
    submits = {s["job"]: s for s in t.by_kind("task.submit") if s["pool"] == ppe["id"]}
    assert sorted(submits) == list(range(11))
    assert all(s["pid"] == main for s in submits.values())
    shown = [(s["func"], s["count"], s["chunksize"], s["args"], s["loc"]) for _, s in sorted(submits.items())]
    assert shown == [
        ("square", 1, None, "(3,)", "prog.py:16"),
        ("add", 1, None, "(1,) {'b': 2}", "prog.py:17"),
        ("square", 1, 1, "(0,)", "prog.py:18"),
        ("square", 1, 1, "(1,)", "prog.py:18"),
        ("square", 1, 1, "(2,)", "prog.py:18"),
        ("square", 1, 1, "(3,)", "prog.py:18"),
        ("square", 2, 2, "(0, 1)", "prog.py:19"),
        ("square", 2, 2, "(2, 3)", "prog.py:19"),
        ("square", 1, 2, "(4,)", "prog.py:19"),
        ("square", 1, None, "(7,)", "prog.py:21"),
        ("square", 1, None, "(7,)", "prog.py:23"),
    ]

    begins = _by_job(t, "task.begin", ppe["id"])
    ends = _by_job(t, "task.end", ppe["id"])
    assert sorted(begins) == sorted(ends) == list(range(11))
    workers = {e["pid"] for b in begins.values() for e in b}
    children = set(t.children_of(main))
    assert workers <= children and main not in workers
    assert all(len(b) == 1 and b[0]["index"] == 0 for b in begins.values())
    # a map's items are tasks of one item; a chunk's task names the user's function and its items
    assert [begins[j][0]["items"] for j in range(11)] == [None, None, 1, 1, 1, 1, 2, 2, 1, None, None]
    assert begins[6][0]["func"] == "square" and begins[6][0]["args"] == "(0, 1)"
    assert ends[6][0]["result"] == "[0, 1]" and ends[1][0]["result"] == "3"
    # each task began before it ended, in the same worker, after it was submitted
    for job in range(11):
        (begin,), (end,) = begins[job], ends[job]
        assert begin["pid"] == end["pid"] and end["t"] >= begin["t"] >= submits[job]["t"]
    for job in (9, 10):
        assert ends[job][0]["ok"] is False and ends[job][0]["result"] == "ValueError: seven"

    fetches = _by_job(t, "task.fetch", ppe["id"])
    assert set(fetches) == set(range(10)), "job 10's result was never asked for"
    assert [f["loc"] for f in fetches[0]] == ["prog.py:16"]
    # map's results are fetched where the user iterates them
    assert {f["loc"] for j in range(2, 6) for f in fetches[j]} == {"prog.py:18"}
    assert {f["loc"] for j in range(6, 9) for f in fetches[j]} == {"prog.py:19"}
    assert all(f["ready"] and f["error"] is None for j in range(9) for f in fetches[j])
    (exception_fetch,) = fetches[9]
    assert exception_fetch["loc"] == "prog.py:22" and exception_fetch["error"] == "ValueError: seven"

    # -- the thread pool: tasks on its threads, jobs numbered from 0
    tsubmits = {s["job"]: s for s in t.by_kind("task.submit") if s["pool"] == tpe["id"]}
    assert sorted(tsubmits) == list(range(6))
    assert [tsubmits[j]["func"] for j in range(6)] == ["len", "len", "len", "len", "add", "square"]
    tbegins = _by_job(t, "task.begin", tpe["id"])
    tends = _by_job(t, "task.end", tpe["id"])
    assert sorted(tbegins) == sorted(tends) == list(range(6))
    names = {e["tid"]: e["name"] for e in t.by_kind("thread.begin", pid=main)}
    for job in range(6):
        (begin,), (end,) = tbegins[job], tends[job]
        assert begin["pid"] == end["pid"] == main and begin["tid"] == end["tid"]
        assert names[begin["tid"]].startswith("ThreadPoolExecutor-")
    assert [tends[j][0]["result"] for j in range(5)] == ["1", "2", "3", "4", "5"]
    assert tends[5][0]["ok"] is False and tends[5][0]["result"] == "ValueError: seven"
    tfetches = _by_job(t, "task.fetch", tpe["id"])
    assert tfetches[5][0]["loc"] == "prog.py:29" and tfetches[5][0]["error"] == "ValueError: seven"

    # -- shutdown by `with`, from the with line
    shutdowns = {e["pool"]: e for e in t.by_kind("pool.shutdown")}
    # (Python 3.9 places a with block's exit on the block's last line)
    assert shutdowns[ppe["id"]]["loc"] in ("prog.py:15", "prog.py:24")
    assert shutdowns[tpe["id"]]["loc"] in ("prog.py:25", "prog.py:31")
    assert all(e["wait"] is True and e["cancel"] is False for e in shutdowns.values())

    # -- none of the executor's own queues, locks, pipes, Conditions or joins, in any process
    noise = [e for e in t.events if e["kind"].startswith(QUIET_KINDS)]
    assert noise == [], noise[:5]
    assert all(e["internal"] for e in t.by_kind("thread.start"))


def test_submit_stamps_are_sane(procview, method):
    """The submit of every job comes before its task starts (it is stamped inside submit)."""
    run = procview(EXECUTOR_PROGRAM, method)
    t = run.trace
    submitted = {(s["pool"], s["job"]): s["t"] for s in t.by_kind("task.submit")}
    for b in t.by_kind("task.begin"):
        assert submitted[(b["pool"], b["job"])] <= b["t"]


BROKEN_PROGRAM = """
    import concurrent.futures as cf
    import multiprocessing as mp
    import os, sys, time

    def slow(x):
        time.sleep(1.0)
        return x

    def die(x):
        time.sleep(0.1)  # the other task has begun by then
        os._exit(3)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        with cf.ProcessPoolExecutor(2) as ex:
            list(ex.map(time.sleep, [0.2, 0.2]))  # both workers up, and watched by the executor
            running = ex.submit(slow, 1)
            doomed = ex.submit(die, 2)
            for f in (running, doomed):
                try:
                    f.result()
                except cf.process.BrokenProcessPool as exc:
                    print("broken:", type(exc).__name__, exc)
            try:
                ex.submit(slow, 3)
            except cf.process.BrokenProcessPool as exc:
                print("refused:", exc)
"""


def test_broken_process_pool_shows_the_tasks_that_never_ended_and_the_error(procview, plain, method):
    run = procview(BROKEN_PROGRAM, method)
    base = plain(BROKEN_PROGRAM, method)
    assert run.returncode == 0 == base.returncode, run
    assert run.stdout == base.stdout and run.stderr == base.stderr
    assert run.out.count("broken: BrokenProcessPool") == 2
    t = run.trace
    check_well_formed(t)
    (new,) = t.by_kind("pool.new")
    pool = new["id"]
    begins = _by_job(t, "task.begin", pool)
    ends = _by_job(t, "task.end", pool)
    # job 3 killed its worker; job 2 was running in the other worker when the pool broke
    assert sorted(begins) == [0, 1, 2, 3] and sorted(ends) == [0, 1]
    assert begins[2][0]["pid"] != begins[3][0]["pid"]
    dead = begins[3][0]["pid"]
    (exit_event,) = t.own_exits(dead)
    assert (exit_event["how"], exit_event["code"]) == ("os._exit", 3)
    (broken,) = t.by_kind("pool.broken")
    assert broken["pool"] == pool and broken["jobs"] == [2, 3]
    assert broken["error"].startswith("BrokenProcessPool: A process in the process pool was terminated abruptly")
    fetches = _by_job(t, "task.fetch", pool)
    for job in (2, 3):
        (fetch,) = fetches[job]
        assert fetch["loc"] == "prog.py:21" and fetch["error"] == broken["error"]
        assert fetch["t"] > broken["t"]
    # the refused submit made no job
    assert sorted(e["job"] for e in t.by_kind("task.submit")) == [0, 1, 2, 3]

    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    summary = json.loads(out.stdout)
    (pool_summary,) = summary["pools"]
    assert pool_summary["type"] == "ProcessPoolExecutor" and pool_summary["broken"] == broken["error"]
    assert (pool_summary["jobs"], pool_summary["ran"], pool_summary["unfinished"]) == (4, 4, 2)
    unfinished = [task for task in summary["tasks"] if task["end"] is None]
    assert sorted(task["job"] for task in unfinished) == [2, 3]
    assert all(task["fetchError"] == broken["error"] for task in unfinished)
    text = subprocess.run(["node", str(CLI), "summary", str(run.trace_path)], capture_output=True, check=True).stdout.decode()
    assert "broken" in text and "fetch raised BrokenProcessPool" in text


def test_cancel_and_shutdown_with_cancel_futures(procview, plain):
    source = """
        import concurrent.futures as cf
        import threading, time

        gate = threading.Event()
        with cf.ThreadPoolExecutor(1) as tx:
            first = tx.submit(gate.wait)
            while not first.running():
                time.sleep(0.001)
            queued = [tx.submit(len, "x" * i) for i in range(4)]
            print(queued[0].cancel(), queued[0].cancel(), first.cancel())
            tx.shutdown(wait=False, cancel_futures=True)
            gate.set()
            print(first.result(), [f.cancelled() for f in queued[1:]])
    """
    run = procview(source)
    assert run.returncode == 0, run
    assert run.stdout == plain(source).stdout == b"True True False\nTrue [True, True, True]\n"
    t = run.trace
    cancels = t.by_kind("task.cancel")
    # a second cancel() of the same future, and a failed one, are not cancellations
    assert [(c["job"], c["loc"]) for c in cancels] == [(1, "prog.py:10"), (2, "prog.py:11"), (3, "prog.py:11"), (4, "prog.py:11")]
    assert {e["job"] for e in t.by_kind("task.begin")} == {0}
    first, last = t.by_kind("pool.shutdown")
    assert (first["wait"], first["cancel"], first["loc"]) == (False, True, "prog.py:11")
    assert (last["wait"], last["cancel"]) == (True, False) and last["loc"] in ("prog.py:5", "prog.py:13")
    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    (pool,) = json.loads(out.stdout)["pools"]
    assert (pool["jobs"], pool["ran"], pool["cancelled"], pool["shutdown"]) == (5, 1, 4, True)


def test_process_pool_cancel_and_a_shutdown_that_waits(procview, plain, method):
    source = """
        import concurrent.futures as cf
        import multiprocessing as mp
        import sys, time

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            ex = cf.ProcessPoolExecutor(1)
            fs = [ex.submit(time.sleep, 0.2) for _ in range(6)]
            print(fs[-1].cancel())
            ex.shutdown(wait=True)
            print([f.cancelled() for f in fs])
    """
    run = procview(source, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(source, method).stdout
    t = run.trace
    (cancel,) = t.by_kind("task.cancel")
    assert (cancel["job"], cancel["loc"]) == (5, "prog.py:9")
    assert sorted(e["job"] for e in t.by_kind("task.begin")) == [0, 1, 2, 3, 4]
    (announced,) = t.by_kind("pool.shutdown.wait")
    (done,) = t.by_kind("pool.shutdown")
    assert announced["loc"] == done["loc"] == "prog.py:10"
    assert done["waited"] > 0.3e9 and done["t"] > max(e["t"] for e in t.by_kind("task.end"))


def test_fetch_waits_are_announced_and_timeouts_recorded(procview):
    run = procview(
        """
        import concurrent.futures as cf
        import time

        with cf.ThreadPoolExecutor(2) as tx:
            slow = tx.submit(time.sleep, 0.3)
            try:
                slow.result(timeout=0.05)
            except cf.TimeoutError:
                print("timed out")
            for f in cf.as_completed([slow, tx.submit(abs, -1)]):
                f.result()
            slow.add_done_callback(lambda f: print("callback", f.result()))
        """
    )
    assert run.returncode == 0, run
    assert run.out == "timed out\ncallback None\n"
    t = run.trace
    waits = t.by_kind("task.fetch.wait")
    assert [(w["job"], w["loc"]) for w in waits][:1] == [(0, "prog.py:7")]
    fetches = [(f["job"], f["loc"], f["ready"], f["error"]) for f in t.by_kind("task.fetch")]
    assert fetches[0] == (0, "prog.py:7", False, "TimeoutError: ")
    assert sorted(fetches[1:3]) == [(0, "prog.py:11", True, None), (1, "prog.py:11", True, None)]
    assert fetches[3] == (0, "prog.py:12", True, None)


def test_uncaught_task_errors_look_the_same(procview, plain, method):
    source = """
        import concurrent.futures as cf
        import multiprocessing as mp
        import pickle, sys

        def fail(x):
            return {}[x]

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            import concurrent.futures.process
            print(pickle.dumps(concurrent.futures.process._process_worker))
            with cf.ThreadPoolExecutor(1) as tx:
                try:
                    tx.submit(fail, "t").result()
                except KeyError:
                    import traceback
                    traceback.print_exc()
            with cf.ProcessPoolExecutor(1) as ex:
                ex.submit(fail, "missing").result()
    """
    run = procview(source, method)
    base = plain(source, method)
    assert run.returncode == base.returncode == 1
    assert run.stdout == base.stdout
    assert run.stderr == base.stderr, "\n--- procview:\n%s\n--- plain:\n%s" % (run.err, base.err)
    assert "_RemoteTraceback" in run.err and "procview" not in run.err
    err = run.trace.one("process.error", pid=run.trace.main_pid)
    assert err["type"] == "KeyError" and "procview" not in err["traceback"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is 3.11+")
@pytest.mark.parametrize("method", [m for m in START_METHODS if m != "fork"])
def test_max_tasks_per_child_spreads_tasks_over_fresh_workers(procview, method):
    run = procview(
        """
        import concurrent.futures as cf
        import multiprocessing as mp, os, sys

        if __name__ == "__main__":
            ctx = mp.get_context(sys.argv[1])
            with cf.ProcessPoolExecutor(1, mp_context=ctx, max_tasks_per_child=1) as ex:
                pids = [ex.submit(os.getpid).result() for _ in range(3)]
            print(len(set(pids)))
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "3\n"
    begins = run.trace.by_kind("task.begin")
    ends = run.trace.by_kind("task.end")
    assert len(begins) == len(ends) == 3 and len({b["pid"] for b in begins}) == 3
    assert {b["func"] for b in begins} == {"posix.getpid"}


def test_summary_lists_pools_and_executor_tasks(procview):
    run = procview(EXECUTOR_PROGRAM, "fork")
    assert run.returncode == 0, run
    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    summary = json.loads(out.stdout)
    pools = {p["type"]: p for p in summary["pools"]}
    ppe, tpe = pools["ProcessPoolExecutor"], pools["ThreadPoolExecutor"]
    assert (ppe["jobs"], ppe["ran"], ppe["failed"], ppe["unfinished"], ppe["shutdown"]) == (11, 11, 2, 0, True)
    assert (tpe["jobs"], tpe["ran"], tpe["failed"], tpe["workers"]) == (6, 6, 1, 3)
    tasks = summary["tasks"]
    assert len(tasks) == 17
    unfetched = [(task["pool"], task["job"]) for task in tasks if not task["fetched"]]
    assert unfetched == [(ppe["id"], 10)]
    assert all(task["end"] >= task["start"] >= task["queued"] for task in tasks)
    text = subprocess.run(["node", str(CLI), "summary", str(run.trace_path)], capture_output=True, check=True).stdout.decode()
    assert "Pools (2)" in text and "ProcessPoolExecutor@prog.py:15" in text and "Tasks (17)" in text


UNPICKLABLE_RESULT = """
    import concurrent.futures as cf
    import multiprocessing as mp
    import sys

    class Bad:
        def __reduce__(self):
            raise ValueError("no pickling")

    def bad(x):
        return Bad()

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        with cf.ProcessPoolExecutor(1) as ex:
            try:
                ex.submit(bad, 1).result()
            except ValueError as exc:
                print("caught:", exc)
                print(exc.__cause__)
            print(ex.submit(abs, -2).result())
"""


def test_a_result_that_cannot_be_pickled_ends_its_task_once(procview, plain, method):
    run = procview(UNPICKLABLE_RESULT, method)
    base = plain(UNPICKLABLE_RESULT, method)
    assert run.returncode == 0 == base.returncode, run
    assert run.stdout == base.stdout and run.stderr == base.stderr
    assert "caught: no pickling" in run.out and "procview" not in run.out
    t = run.trace
    ends = [(e["job"], e["ok"], e["result"]) for e in t.by_kind("task.end")]
    # One end per task, with what the caller got: not a first "ok" for a result that never went.
    assert ends == [(0, False, "ValueError: no pickling"), (1, True, "2")]
    (begin, _) = t.by_kind("task.begin")
    (end, _) = t.by_kind("task.end")
    assert end["pid"] == begin["pid"] and end["t"] >= begin["t"]


@pytest.mark.parametrize("how", ["result", "wait"])
def test_a_thread_task_that_never_ends_shows_as_running_once_someone_waits_for_it(procview, how):
    """A worker thread sends nothing at a task's begin; the thread that waits for the task does, as it announces its wait."""
    run = procview(
        """
        import concurrent.futures as cf
        import multiprocessing as mp
        import os, signal, sys, threading, time
        from multiprocessing.pool import ThreadPool

        def killer(parent):
            time.sleep(1.0)
            os.kill(parent, signal.SIGKILL)

        if __name__ == "__main__":
            mp.Process(target=killer, args=(os.getpid(),)).start()
            forever = threading.Event()
            pool = ThreadPool(1)
            pool.apply_async(forever.wait)
            tx = cf.ThreadPoolExecutor(2)
            never = tx.submit(forever.wait)
            if sys.argv[1] == "result":
                never.result()
            else:
                cf.wait([never, tx.submit(forever.wait)])
        """,
        how,
    )
    assert run.returncode == -9 or run.returncode == 137, run
    t = run.trace
    begins = {(b["pool"], b["job"]) for b in t.by_kind("task.begin")}
    pools = {p["type"]: p["id"] for p in t.by_kind("pool.new")}
    tpe = pools["ThreadPoolExecutor"]
    if how == "result":
        assert begins == {(pools["ThreadPool"], 0), (tpe, 0)}
        (announced,) = t.by_kind("task.fetch.wait")
        assert (announced["pool"], announced["loc"]) == (tpe, "prog.py:18")
    else:
        assert begins == {(pools["ThreadPool"], 0), (tpe, 0), (tpe, 1)}
        (announced,) = t.by_kind("task.wait.wait")
        assert (announced["tasks"], announced["loc"]) == ([[tpe, 0], [tpe, 1]], "prog.py:20")
    assert not t.by_kind("task.wait", "task.fetch")


def test_a_fetch_that_gets_its_result_within_the_first_slice_is_not_announced(procview, plain, method):
    """result() waits like every other wait: a short first slice, then the announcement."""
    source = """
        import concurrent.futures as cf
        import multiprocessing as mp
        import sys, threading, time

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            with cf.ThreadPoolExecutor(1) as tx:
                for i in range(20):
                    gate = threading.Event()
                    f = tx.submit(gate.wait)
                    gate.set()  # the task ends within microseconds: result() waits for it
                    f.result()
                print(tx.submit(time.sleep, 0.2).exception())
            with cf.ProcessPoolExecutor(1) as ex:
                ex.submit(abs, 0).result()  # the worker is up
                for i in range(20):
                    ex.submit(abs, -i).result()
                print(ex.submit(time.sleep, 0.2).result(timeout=10))
    """
    run = procview(source, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(source, method).stdout == b"None\nNone\n"
    t = run.trace
    pools = _pools(t)
    tpe, ppe = pools["ThreadPoolExecutor"]["id"], pools["ProcessPoolExecutor"]["id"]
    announced = _by_job(t, "task.fetch.wait", tpe)
    fetched = _by_job(t, "task.fetch", tpe)
    assert sorted(fetched) == list(range(21))
    # Every one of these was still pending when result() was called: it used to be announced at once.
    assert len([job for job in announced if job < 20]) <= 5, announced
    assert [(w["loc"], w["pid"]) for w in announced[20]] == [("prog.py:13", t.main_pid)]
    assert fetched[20][0]["t"] - announced[20][0]["t"] > 0.1e9
    announced = _by_job(t, "task.fetch.wait", ppe)
    assert sorted(_by_job(t, "task.fetch", ppe)) == list(range(22))
    assert len([job for job in announced if 1 <= job <= 20]) < 10, announced
    assert [w["loc"] for w in announced[21]] == ["prog.py:18"]


WAITS_PROGRAM = """
    import concurrent.futures as cf
    import multiprocessing as mp
    import sys, threading, time, traceback

    def nap(x):
        time.sleep(x)
        return x

    def fail(x):
        time.sleep(x)
        raise ValueError("failed")

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        with cf.ProcessPoolExecutor(2) as ex:
            print(ex.submit(nap, 0).result())
            fs = [ex.submit(nap, 0.4), ex.submit(nap, 0.3)]
            done, not_done = cf.wait(fs, timeout=0.05)
            print(len(done), len(not_done))
            done, not_done = cf.wait(fs)
            print(len(done), len(not_done))
            print(cf.wait(fs).not_done)
            slow, bad = ex.submit(nap, 1.0), ex.submit(fail, 0.2)
            done, not_done = cf.wait([slow, bad], return_when=cf.FIRST_EXCEPTION)
            print(done == {bad}, not_done == {slow})
            print(sorted(f.result() for f in cf.as_completed([ex.submit(nap, 0.1), ex.submit(nap, 0.3), slow])))
            try:
                for f in cf.as_completed([ex.submit(nap, 1.0)], timeout=0.1):
                    pass
            except cf.TimeoutError:
                traceback.print_exc()
        plain = cf.Future()
        threading.Timer(0.1, plain.set_result, (1,)).start()
        print(cf.wait([plain], return_when=cf.FIRST_COMPLETED).done == {plain})
"""


def test_wait_and_as_completed_are_waits_on_the_futures_tasks(procview, plain, method):
    run = procview(WAITS_PROGRAM, method)
    base = plain(WAITS_PROGRAM, method)
    assert run.returncode == 0 == base.returncode, run
    assert run.stdout == base.stdout, (run.out, base.out)
    assert run.stderr == base.stderr, "\n--- procview:\n%s\n--- plain:\n%s" % (run.err, base.err)
    assert "1 (of 1) futures unfinished" in run.err
    t = run.trace
    check_well_formed(t)
    (pool,) = [p["id"] for p in t.by_kind("pool.new")]
    ends = t.by_kind("task.wait")
    announced = t.by_kind("task.wait.wait")
    assert {e["pid"] for e in ends + announced} == {t.main_pid}

    def shown(e):
        return (e["op"], e["until"], e["loc"], e["timeout"])

    # every end follows its announcement (each of these waits lasts well over the first slice)
    assert [shown(a) for a in announced] == [shown(e) for e in ends]
    for a, e in zip(announced, ends):
        assert a["t"] < e["t"] and a["pending"] == e["pending"] and a["stack"][0][1] == "<module>" and a["stack"][-1][0] == a["loc"]
        assert e["waited"] >= e["t"] - a["t"] > 0
    by_line = {}
    for a, e in zip(announced, ends):
        by_line.setdefault(a["loc"], []).append((a, e))

    # a timeout: both tasks listed, by job
    ((a, e),) = by_line["prog.py:18"]
    assert (a["op"], a["until"], a["tasks"], a["pending"]) == ("wait", "ALL_COMPLETED", [[pool, 1], [pool, 2]], 2)
    assert (e["timeout"], e["outcome"]) == (0.05, "timeout") and 0.04e9 < e["waited"] < 0.3e9
    # all of them: done
    ((a, e),) = by_line["prog.py:20"]
    assert (a["tasks"], e["timeout"], e["outcome"]) == ([[pool, 1], [pool, 2]], None, "done")
    # the wait at line 22 found them done: it never waited, nothing recorded
    assert "prog.py:22" not in by_line
    # the first exception ends it
    ((a, e),) = by_line["prog.py:24"]
    assert (a["until"], a["tasks"], e["outcome"]) == ("FIRST_EXCEPTION", [[pool, 3], [pool, 4]], "done")
    assert e["waited"] < 0.8e9
    # as_completed: one wait per result it has to wait for, on the tasks still pending
    steps = by_line["prog.py:26"]
    assert 2 <= len(steps) <= 3
    assert [s[0]["op"] for s in steps] == ["as_completed"] * len(steps)
    assert steps[0][0]["tasks"] == [[pool, 3], [pool, 5], [pool, 6]]
    assert [s[0]["pending"] for s in steps] == sorted((s[0]["pending"] for s in steps), reverse=True)
    for (earlier, _), (later, _) in zip(steps, steps[1:]):
        assert set(map(tuple, later["tasks"])) < set(map(tuple, earlier["tasks"]))
    assert all(s[1]["outcome"] == "done" for s in steps)
    # as_completed's own timeout, then the TimeoutError it raises
    ((a, e),) = by_line["prog.py:28"]
    assert (a["tasks"], e["outcome"]) == ([[pool, 7]], "timeout") and 0 < e["timeout"] <= 0.1
    # a future of no pool: waited for all the same
    ((a, e),) = by_line["prog.py:34"]
    assert (a["until"], a["tasks"], a["pending"], e["outcome"]) == ("FIRST_COMPLETED", [], 1, "done")
    # none of it shows as the library's own Events or fetches
    assert not t.by_kind("sync.wait", "sync.wait.wait", "sync.new")
    assert not [f for f in t.by_kind("task.fetch") if f["loc"] == "prog.py:24"]
    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    assert json.loads(out.stdout)["events"] == len(t.events)


def test_as_completed_keeps_no_future_alive(procview, plain):
    """As without procview, a future as_completed has handed out is freed once the program lets go of it."""
    source = """
        import concurrent.futures as cf
        import gc, time, weakref

        with cf.ThreadPoolExecutor(1) as tx:
            fs = [tx.submit(time.sleep, 0.02) for _ in range(6)]
            freed = []
            for f in cf.as_completed(fs):
                fs.remove(f)
                gone = weakref.ref(f)
                del f
                gc.collect()
                freed.append(gone() is None)
                time.sleep(0.03)  # the next one is done before as_completed looks again
            print(freed)
    """
    run = procview(source)
    assert run.returncode == 0, run
    assert run.stdout == plain(source).stdout == b"[True, True, True, True, True, True]\n"
    assert run.trace.by_kind("task.wait.wait")


IDLE_WORKER_BESIDE_A_HANG = """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    def post(entry):
        with ledger_lock:
            return "posted " + entry

    def init(lock):
        global ledger_lock
        ledger_lock = lock

    if __name__ == "__main__":
        fork = mp.get_context("fork")  # fork starts every worker at once: one of the two stays idle
        lock = fork.Lock()
        with ProcessPoolExecutor(max_workers=2, mp_context=fork, initializer=init, initargs=(lock,)) as pool:
            with lock:
                print(pool.submit(post, "rent").result())
"""


def test_an_idle_process_pool_worker_is_known_so_a_hang_beside_it_is_seen(tmp_path):
    write_script(tmp_path, IDLE_WORKER_BESIDE_A_HANG)
    trace_path = tmp_path / "t.pvtrace"
    cmd = ["node", str(CLI), "run", "--hang-timeout", "1.5", "--on-hang", "kill", "--out", str(trace_path), "--python", sys.executable, "--", SCRIPT_NAME]
    run = subprocess.run(cmd, cwd=tmp_path, env=_env(None), capture_output=True, timeout=60)
    assert b"the program hangs" in run.stderr, run.stderr.decode(errors="replace")
    # The main process holds the lock while it waits for the task that needs it: a cycle through the task's result.
    assert b"error[lock-cycle]" in run.stderr, run.stderr.decode(errors="replace")
    t = Trace(trace_path)
    pool = t.one("pool.new")["id"]
    workers = [e for e in t.by_kind("pool.worker")]
    assert [e["pool"] for e in workers] == [pool, pool], workers
    assert {e["pid"] for e in workers} == {e["child"] for e in t.by_kind("process.spawn")}
