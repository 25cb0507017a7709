"""Managers: the server is a process of the run; every proxy call is recorded where it is made."""

import json
import subprocess
import zlib

from conftest import CLI, check_well_formed

MANAGER_PROGRAM = """
    import multiprocessing as mp, sys

    def worker(n, q, lock, shared, ev):
        ev.wait()
        with lock:
            shared[n] = n * n
        q.put(("done", n))

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        with mp.Manager() as manager:
            q = manager.Queue()
            lock = manager.Lock()
            shared = manager.dict()
            ev = manager.Event()
            procs = [mp.Process(target=worker, args=(n, q, lock, shared, ev)) for n in range(3)]
            for p in procs:
                p.start()
            ev.set()
            got = sorted(q.get() for _ in procs)
            for p in procs:
                p.join()
            print(got, sorted(shared.items()))
"""


def test_proxy_calls_recorded_in_the_calling_process_with_shared_ids(procview, plain, method):
    run = procview(MANAGER_PROGRAM, method)
    base = plain(MANAGER_PROGRAM, method)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), run
    assert run.out == "[('done', 0), ('done', 1), ('done', 2)] [(0, 0), (1, 1), (2, 4)]\n"
    t = run.trace
    check_well_formed(t)
    [manager] = [e for e in t.by_kind("manager.new") if e["typeid"] == "SyncManager"]
    server = manager["server"]
    assert server in t.processes and t.processes[server]["ppid"] == t.main_pid
    assert manager["loc"] == "prog.py:11"

    [queue_new] = t.by_kind("queue.new")
    [lock_new] = t.by_kind("lock.new")
    [event_new] = t.by_kind("sync.new")
    [dict_new] = [e for e in t.by_kind("manager.new") if e["typeid"] == "dict"]
    assert (queue_new["type"], queue_new["loc"]) == ("Manager.Queue", "prog.py:12")
    assert (lock_new["type"], lock_new["scope"], lock_new["loc"]) == ("Manager.Lock", "manager", "prog.py:13")
    assert (event_new["type"], event_new["scope"]) == ("Event", "manager")
    assert dict_new["loc"] == "prog.py:14"

    workers = [pid for pid in t.program_processes() if pid not in (t.main_pid, server)]
    assert len(workers) == 3
    for pid in workers:
        # Each worker's calls name the objects by the ids the main process announced.
        assert [e["id"] for e in t.by_kind("sync.wait", pid=pid)] == [event_new["id"]]
        assert [(e["kind"], e["id"]) for e in t.by_kind("lock.acquire", "lock.release", pid=pid)] == [
            ("lock.acquire", lock_new["id"]),
            ("lock.release", lock_new["id"]),
        ]
        [setitem] = t.by_kind("manager.call", pid=pid)
        assert (setitem["id"], setitem["method"], setitem["loc"]) == (dict_new["id"], "__setitem__", "prog.py:6")
        [put] = t.by_kind("queue.put", pid=pid)
        assert (put["id"], put["loc"], put["outcome"]) == (queue_new["id"], "prog.py:7", "ok")
        assert put["repr"].startswith("('done', ")
    gets = t.by_kind("queue.get", pid=t.main_pid)
    assert len(gets) == 3 and all(g["id"] == queue_new["id"] and g["outcome"] == "ok" for g in gets)
    # A blocking get is a wait on that queue, announced before the request went out.
    assert len(t.by_kind("queue.get.wait", pid=t.main_pid)) == 3
    assert t.one("sync.signal", pid=t.main_pid)["op"] == "set"
    # The server's own machinery is not the user's: nothing recorded there but its life.
    assert {e["kind"] for e in t.events_of(server)} <= {"process.begin", "process.exit", "process.disconnect", "thread.begin", "thread.exit", "thread.start"}


def test_summary_counts_a_manager_queue_like_any_queue(procview):
    run = procview(MANAGER_PROGRAM, "fork")
    assert run.returncode == 0, run
    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    summary = json.loads(out.stdout)
    [queue] = summary["queues"]
    assert (queue["puts"], queue["gets"]) == (3, 3)
    [lock] = summary["locks"]
    assert lock["acquisitions"] == 3


CYCLE_PROGRAM = """
    import multiprocessing as mp, queue, sys

    if __name__ == "__main__":
        with mp.Manager() as manager:
            q = manager.Queue()
            try:
                q.get(timeout=0.2)
            except queue.Empty:
                print("empty")
            q.put_nowait(1)
            print(q.get_nowait())
"""


def test_manager_queue_timeouts_and_nowait(procview, plain):
    run = procview(CYCLE_PROGRAM)
    assert (run.stdout, run.returncode) == (plain(CYCLE_PROGRAM).stdout, 0), run
    t = run.trace
    gets = t.by_kind("queue.get", pid=t.main_pid)
    assert [(g["block"], g["outcome"]) for g in gets] == [(True, "empty"), (False, "ok")]
    assert gets[0]["waited"] >= 150_000_000
    [put] = t.by_kind("queue.put", pid=t.main_pid)
    assert (put["block"], put["outcome"], put["repr"]) == (False, "ok", "1")


def test_manager_queue_get_names_its_item_by_the_crc_of_its_repr(procview):
    # Gets from two processes reach the listener in another order than the
    # server served them: each get carries the crc32 of its item's repr, as
    # the put does, so the model pairs them by item, not by arrival.
    run = procview(CYCLE_PROGRAM)
    assert run.returncode == 0, run
    t = run.trace
    [put] = t.by_kind("queue.put", pid=t.main_pid)
    empty, got = t.by_kind("queue.get", pid=t.main_pid)
    assert put["crc"] == got["crc"] == zlib.crc32(b"1")
    assert empty["crc"] is None
