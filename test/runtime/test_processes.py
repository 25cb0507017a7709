"""Processes: begin/spawn/exit/reaped/join, names, exit codes, grandchildren, raw fork."""

import os
import signal

from conftest import check_well_formed


def _own_order(trace, pid, kinds):
    """Kinds of the process's own events (not the listener's), in time order, filtered to `kinds`."""
    return [e["kind"] for e in trace.sorted(trace.events_of(pid)) if e["tid"] != 0 and e["kind"] in kinds]


def test_lifecycle_events_and_order(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys, time

        def work():
            print("child says hi", flush=True)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            p = mp.Process(target=work, name="worker-A")
            p.start()
            p.join()
            print("exitcode", p.exitcode)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "child says hi\nexitcode 0\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid

    main_begin = t.processes[main]
    assert main_begin["name"] == "MainProcess"
    assert main_begin["argv"] == ["prog.py", method]
    assert main_begin["python"]["implementation"] == "cpython"

    spawn = t.one("process.spawn", pid=main)
    child = spawn["child"]
    assert spawn["name"] == "worker-A"
    assert spawn["method"] == method
    assert spawn["loc"] == "prog.py:9"

    begin = t.processes[child]
    assert begin["name"] == "worker-A"
    assert begin["role"] == "process"
    assert begin["method"] == method

    # The child's own events: begin first, exit last.
    own = [e for e in t.sorted(t.events_of(child)) if e["tid"] != 0]
    assert own[0]["kind"] == "process.begin"
    assert own[-1]["kind"] == "process.exit"
    assert len(t.by_kind("process.begin", pid=child)) == 1
    exits = t.own_exits(child)
    assert len(exits) == 1
    assert exits[0]["code"] == 0 and exits[0]["signal"] is None

    # The parent: spawn, then reaped, then join (join.wait optional, before reaped).
    order = _own_order(t, main, {"process.spawn", "process.join.wait", "process.reaped", "process.join"})
    assert order in (
        ["process.spawn", "process.reaped", "process.join"],
        ["process.spawn", "process.join.wait", "process.reaped", "process.join"],
    ), order
    reaped = t.one("process.reaped", child=child)
    assert reaped["pid"] == main and reaped["code"] == 0 and reaped["signal"] is None
    join = t.one("process.join", target=child)
    assert join["code"] == 0 and join["timeout"] is None and join["loc"] == "prog.py:10"
    assert join["waited"] >= 0

    # Time order across processes: the child begins after the spawn call starts
    # and ends before the parent's join returns.
    assert t.processes[child]["t"] < join["t"]
    assert exits[0]["t"] <= join["t"]


def test_main_process_role_is_main(procview):
    """docs/trace-format.md: role is one of main, process, fork, resource_tracker, forkserver, subprocess."""
    run = procview("print('x')\n")
    assert run.returncode == 0, run
    t = run.trace
    assert t.processes[t.main_pid]["role"] == "main"


def test_exit_codes(procview, method):
    run = procview(
        """
        import multiprocessing as mp, os, sys, time

        def ok():
            pass

        def sys_exit():
            sys.exit(3)

        def os_exit():
            os._exit(7)

        def boom():
            raise ValueError("boom")

        def sleeper(started):
            started.set()  # killed only once it runs: a process killed before it says hello leaves no trace
            time.sleep(30)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            started = mp.Event()
            procs = [mp.Process(target=f, name=f.__name__) for f in (ok, sys_exit, os_exit, boom)]
            procs.append(mp.Process(target=sleeper, name="sleeper", args=(started,)))
            for p in procs:
                p.start()
            started.wait()
            procs[-1].kill()
            for p in procs:
                p.join()
            print(" ".join("%s=%s" % (p.name, p.exitcode) for p in procs))
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "ok=0 sys_exit=3 os_exit=7 boom=1 sleeper=-9\n"
    assert "ValueError: boom" in run.err
    t = run.trace
    check_well_formed(t)
    expected = {"ok": 0, "sys_exit": 3, "os_exit": 7, "boom": 1, "sleeper": -9}
    spawns = {e["name"]: e["child"] for e in t.by_kind("process.spawn", pid=t.main_pid)}
    assert set(spawns) == set(expected)
    for name, code in expected.items():
        pid = spawns[name]
        assert t.processes[pid]["name"] == name
        reaped = t.one("process.reaped", child=pid)
        assert reaped["pid"] == t.main_pid
        assert reaped["code"] == code, (name, reaped)
        assert reaped["signal"] == ("SIGKILL" if code == -9 else None)
        assert t.one("process.join", target=pid)["code"] == code
        exits = t.own_exits(pid)
        if name == "sleeper":
            assert exits == []  # SIGKILLed: it had no chance to say anything
            assert t.by_kind("process.disconnect", pid=pid), "the listener saw its connection close"
        else:
            assert len(exits) == 1, (name, exits)
            assert exits[0]["code"] == code, (name, exits)
            assert exits[0]["signal"] is None
    assert t.own_exits(spawns["os_exit"])[0]["how"] == "os._exit"
    assert t.one("process.kill", target=spawns["sleeper"])["loc"] == "prog.py:27"


def test_child_killed_by_sigkill_from_outside(procview, method):
    run = procview(
        """
        import multiprocessing as mp, os, signal, sys, time

        def sleeper(q):
            q.put(os.getpid())
            time.sleep(30)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            q = mp.Queue()
            p = mp.Process(target=sleeper, args=(q,))
            p.start()
            q.get()
            os.kill(p.pid, signal.SIGKILL)
            p.join()
            print(p.exitcode)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "-9\n"
    t = run.trace
    child = t.one("process.spawn")["child"]
    reaped = t.one("process.reaped", child=child)
    assert reaped["code"] == -9 and reaped["signal"] == "SIGKILL"
    assert t.own_exits(child) == []
    # What it sent before it died arrived: its begin is sent at once.
    assert t.processes[child]["name"] == "Process-1"
    assert t.by_kind("process.disconnect", pid=child)


def test_grandchildren_parent_chain(procview, method):
    run = procview(
        """
        import multiprocessing as mp, os, sys

        def grandchild():
            print("grandchild", os.getpid(), flush=True)

        def child():
            g = mp.Process(target=grandchild, name="G")
            g.start()
            g.join()
            sys.exit(g.exitcode)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            c = mp.Process(target=child, name="C")
            c.start()
            c.join()
            print("child exit", c.exitcode)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out.endswith("child exit 0\n")
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    c = t.by_name("C")
    g = t.by_name("G")
    assert int(run.out.split()[1]) == g["pid"]
    # The chain of spawns: main started C, C started G.
    assert t.one("process.spawn", name="C")["pid"] == main
    assert t.one("process.spawn", name="C")["child"] == c["pid"]
    assert t.one("process.spawn", name="G")["pid"] == c["pid"]
    assert t.one("process.spawn", name="G")["child"] == g["pid"]
    assert g["method"] == method
    assert t.one("process.reaped", child=g["pid"])["pid"] == c["pid"]
    assert t.one("process.reaped", child=c["pid"])["pid"] == main
    for pid in (c["pid"], g["pid"]):
        assert [e["code"] for e in t.own_exits(pid)] == [0]


def test_ppid_is_the_process_that_started_it(procview, method):
    """process.begin's ppid is the parent (the process that called start()),
    under forkserver too, where the OS parent is the fork server."""
    run = procview(
        """
        import multiprocessing as mp, sys

        def grandchild():
            pass

        def child():
            g = mp.Process(target=grandchild, name="G")
            g.start()
            g.join()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            c = mp.Process(target=child, name="C")
            c.start()
            c.join()
        """,
        method,
    )
    assert run.returncode == 0, run
    t = run.trace
    c, g = t.by_name("C"), t.by_name("G")
    assert (c["ppid"], g["ppid"]) == (t.main_pid, c["pid"])


def test_raw_fork_child(procview):
    run = procview(
        """
        import os, threading

        lock = threading.Lock()
        with lock:
            print("parent before fork", flush=True)
        pid = os.fork()
        if pid == 0:
            with lock:
                pass
            os._exit(5)
        _, status = os.waitpid(pid, 0)
        print("child", pid, "status", os.waitstatus_to_exitcode(status))
        """
    )
    assert run.returncode == 0, run
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    child = int(run.out.split()[-3])
    assert run.out.endswith("status 5\n")

    begins = t.by_kind("process.begin", pid=child)
    assert len(begins) == 1, begins
    assert begins[0]["role"] == "fork"
    assert begins[0]["ppid"] == main
    exits = t.own_exits(child)
    assert len(exits) == 1, exits
    assert exits[0]["code"] == 5 and exits[0]["how"] == "os._exit"

    # The parent's events were not sent twice (once by the parent, once by the child's inherited buffer).
    assert len(t.by_kind("process.begin", pid=main)) == 1
    # The lock created before the fork was announced once by the parent; the
    # child's copy is another lock (thread-scope ids are per process).
    assert len(t.by_kind("lock.new", pid=main)) == 1
    child_new = t.by_kind("lock.new", pid=child)
    assert len(child_new) <= 1
    assert all(e["id"] != t.by_kind("lock.new", pid=main)[0]["id"] for e in child_new)
    assert [e["pid"] for e in t.sorted(t.by_kind("lock.acquire"))] == [main, child]
    assert [e["pid"] for e in t.sorted(t.by_kind("lock.release"))] == [main, child]
    # No process.begin other than main's and the child's (and no helpers here).
    assert set(t.processes) == {main, child}
    # The child's connection closed on its own (EOF seen), the parent's too.
    assert t.by_kind("process.disconnect", pid=child)


def test_main_exit_status_written_by_listener(procview):
    run = procview(
        """
        import sys
        print("bye")
        sys.exit(4)
        """
    )
    assert run.returncode == 4
    t = run.trace
    check_well_formed(t)
    observed = [e for e in t.by_kind("process.exit") if e["tid"] == 0]
    assert len(observed) == 1
    assert observed[0]["code"] == 4 and observed[0]["signal"] is None and observed[0]["how"] == "observed"
    assert observed[0]["pid"] == t.main_pid == t.processes[t.main_pid]["pid"]
    assert t.run_end["code"] == 4 and t.run_end["refused"] == 0
    # The main process's own exit report, if any, agrees.
    for e in t.own_exits(t.main_pid):
        assert e["code"] == 4


def test_main_killed_by_signal(procview):
    run = procview(
        """
        import os, signal
        print("going", flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        """
    )
    assert run.returncode == 128 + signal.SIGTERM
    t = run.trace
    observed = [e for e in t.by_kind("process.exit") if e["tid"] == 0]
    assert len(observed) == 1
    assert observed[0]["signal"] == "SIGTERM" and observed[0]["code"] is None
    assert t.run_end["signal"] == "SIGTERM"


EXEC_PROGRAM = """
    import os, sys

    print("before", flush=True)
    if sys.argv[1] == "python":
        os.execvp(os.path.basename(sys.executable), [sys.executable, "-c", "print('after, in python'); raise SystemExit(4)"])
    else:
        os.execlp("sh", "sh", "-c", "echo after, in sh; exit 5")
"""


def test_exec_is_announced_once_and_the_new_image_reports_under_the_same_pid(procview, plain, tmp_path):
    # Two PATH entries without the program: execvp tries (and fails) there first.
    path = os.pathsep.join([str(tmp_path / "nothing"), str(tmp_path / "nothing-either"), os.environ.get("PATH", "")])
    for image, code in (("python", 4), ("sh", 5)):
        run = procview(EXEC_PROGRAM, image, env={"PATH": path})
        base = plain(EXEC_PROGRAM, image, env={"PATH": path})
        assert (run.stdout, run.returncode) == (base.stdout, base.returncode), run
        assert run.returncode == code
        t = run.trace
        execs = t.by_kind("process.exec")
        # execvp/execlp try execve once per PATH entry: still one event.
        assert len(execs) == 1 and execs[0]["pid"] == t.main_pid, execs
        begins = t.by_kind("process.begin", pid=t.main_pid)
        if image == "python":
            # The new image is an interpreter of the run too: it says hello under the same pid.
            assert len(begins) == 2, begins
            assert t.sorted(begins)[1]["t"] > execs[0]["t"]
        else:
            assert len(begins) == 1
        assert t.by_kind("process.exit", pid=t.main_pid)[-1]["code"] == code
