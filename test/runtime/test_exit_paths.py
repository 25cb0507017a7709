"""Every way a process can end, and every way a run can be disturbed: the trace keeps what was sent."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import check_well_formed, cli_command, kill_group, Trace, write_script, _env

SEGFAULT = """
    import ctypes, multiprocessing as mp, sys

    def crash(q, sent):
        q.put("before the crash")
        sent.set()  # a signal to another process sends what was recorded before it
        q.put("lost with the crash")  # recorded, sent only if join_thread() below waits past its first slice
        q.close()
        q.join_thread()
        ctypes.string_at(0)  # SIGSEGV

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        q, sent = mp.Queue(), mp.Event()
        p = mp.Process(target=crash, args=(q, sent), name="crasher")
        p.start()
        print(q.get(), q.get())
        p.join()
        print("exitcode", p.exitcode)
"""


def test_segfault_in_a_child(procview, plain, method):
    run = procview(SEGFAULT, method)
    base = plain(SEGFAULT, method)
    assert (run.stdout, run.returncode) == (base.stdout, base.returncode) == (b"before the crash lost with the crash\nexitcode -11\n", 0), run
    t = run.trace
    check_well_formed(t)
    child = t.by_name("crasher")["pid"]
    reaped = t.one("process.reaped", child=child)
    assert (reaped["code"], reaped["signal"]) == (-11, "SIGSEGV")
    assert t.own_exits(child) == []
    # What it sent before dying is kept: its begin, its first put and the signal. The
    # second put goes out only if the library's wait for its feeder lasted past a first slice.
    puts = [e["repr"] for e in t.by_kind("queue.put", pid=child)]
    assert puts in (["'before the crash'"], ["'before the crash'", "'lost with the crash'"]), puts
    assert t.by_kind("sync.signal", pid=child)

    # Where it died: the line that called into native code, from faulthandler's dump.
    fault = t.one("process.fault", pid=child)
    assert (fault["signal"], fault["loc"], fault["stack"]) == ("SIGSEGV", "prog.py:9", [["prog.py:9", "crash"]])


MAIN_SEGFAULT = """
    import ctypes

    def crash():
        ctypes.string_at(0)  # SIGSEGV

    print("about to crash", flush=True)
    crash()
"""


def test_segfault_in_the_main_process(procview, plain):
    run = procview(MAIN_SEGFAULT)
    base = plain(MAIN_SEGFAULT)
    assert base.returncode == -signal.SIGSEGV, base
    assert run.returncode == 128 + signal.SIGSEGV, run
    assert (run.stdout, run.stderr) == (base.stdout, base.stderr) == (b"about to crash\n", b""), run
    fault = run.trace.one("process.fault", pid=run.trace.main_pid)
    assert (fault["signal"], fault["loc"], fault["stack"]) == ("SIGSEGV", "prog.py:4", [["prog.py:7", "<module>"], ["prog.py:4", "crash"]])
    kinds = [e["kind"] for e in run.trace.events_of(run.trace.main_pid)]
    assert kinds.index("process.fault") == kinds.index("process.disconnect") - 1, kinds


FAULTHANDLER_STATE = """
    import faulthandler, multiprocessing as mp, sys

    def report(where):
        print(where, faulthandler.is_enabled(), flush=True)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        report("at start")
        p = mp.Process(target=report, args=("child",))
        p.start()
        p.join()
        print("disable() returns", faulthandler.disable())
        report("after disable()")
        faulthandler.enable()
        report("after enable()")
        p = mp.Process(target=report, args=("child after enable()",))
        p.start()
        p.join()
        print("disable() returns", faulthandler.disable())
        report("after the second disable()")
"""


@pytest.mark.parametrize("env", [None, {"PYTHONFAULTHANDLER": "1"}], ids=["default", "PYTHONFAULTHANDLER"])
def test_faulthandler_answers_as_without_procview(procview, plain, method, env):
    run = procview(FAULTHANDLER_STATE, method, env=env)
    base = plain(FAULTHANDLER_STATE, method, env=env)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, base.returncode), run
    assert base.stdout.startswith(b"at start %s\n" % (b"True" if env else b"False")), base


USER_DUMP_TO_STDERR = """
    import ctypes, faulthandler, multiprocessing as mp, sys

    def crash():
        faulthandler.enable()  # to stderr
        ctypes.string_at(0)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        p = mp.Process(target=crash, name="crasher")
        p.start()
        p.join()
        print("exitcode", p.exitcode, flush=True)
        faulthandler.enable(all_threads=False)
        crash()
"""


def _dump(stderr):
    """faulthandler's dump without what differs from run to run (thread addresses) or is ours (the runtime's wrapper frames)."""
    lines = stderr.decode(errors="replace").splitlines()
    kept = [line for line in lines if "/procview/" not in line]
    return [re.sub(r"0x[0-9a-f]+", "0x?", line) for line in kept]


@pytest.mark.parametrize("env", [None, {"PYTHONFAULTHANDLER": "1"}], ids=["default", "PYTHONFAULTHANDLER"])
def test_the_programs_own_fault_dump_is_unchanged(procview, plain, method, env):
    run = procview(USER_DUMP_TO_STDERR, method, env=env)
    base = plain(USER_DUMP_TO_STDERR, method, env=env)
    assert base.returncode == -signal.SIGSEGV and run.returncode == 128 + signal.SIGSEGV, run
    assert run.stdout == base.stdout == b"exitcode -11\n", run
    assert _dump(run.stderr) == _dump(base.stderr), run
    assert _dump(base.stderr).count("Fatal Python error: Segmentation fault") == 2, base
    # The program's handler took over from ours: its dump went where it asked, none to us.
    assert run.trace.by_kind("process.fault") == []


TERMINATE_HOLDING_LOCK = """
    import multiprocessing as mp, sys, time

    def hold(lock, ready):
        lock.acquire()
        ready.set()
        time.sleep(60)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        lock, ready = mp.Lock(), mp.Event()
        p = mp.Process(target=hold, args=(lock, ready), name="holder")
        p.start()
        ready.wait()
        p.terminate()
        p.join()
        print("exitcode", p.exitcode, "lock free:", lock.acquire(timeout=0.2))
"""


def test_terminate_of_a_process_holding_a_lock(procview, plain, method):
    run = procview(TERMINATE_HOLDING_LOCK, method)
    base = plain(TERMINATE_HOLDING_LOCK, method)
    assert (run.stdout, run.returncode) == (base.stdout, base.returncode) == (b"exitcode -15 lock free: False\n", 0), run
    t = run.trace
    check_well_formed(t)
    holder = t.by_name("holder")["pid"]
    lock_id = t.one("lock.new")["id"]
    uses = [e for e in t.lock_events(lock_id) if e["kind"] in ("lock.acquire", "lock.release")]
    assert [(e["kind"], e["pid"]) for e in uses] == [
        ("lock.acquire", holder),  # never released: the holder died with it
        ("lock.acquire", t.main_pid),
    ]
    assert uses[-1]["outcome"] == "timeout"
    terminate = t.one("process.terminate", target=holder)
    assert (terminate["pid"], terminate["loc"], terminate["by"]) == (t.main_pid, "prog.py:14", "program")
    assert t.one("process.reaped", child=holder)["signal"] == "SIGTERM"


WHOLE_RUN = """
    import multiprocessing as mp, sys, time

    def worker(q):
        try:
            while True:
                q.put("tick")
                time.sleep(0.01)
        except KeyboardInterrupt:
            print("worker interrupted", flush=True)

    if __name__ == "__main__":
        q = mp.Queue()
        p = mp.Process(target=worker, args=(q,), name="worker")
        p.start()
        try:  # the interrupt may land in the get, the print or the join
            print(q.get(), flush=True)
            p.join()
        except KeyboardInterrupt:
            print("main interrupted", flush=True)
            p.join()
            sys.exit(7)
"""


def _run_and_signal(cmd, cwd, sig):
    """Start in a session of its own, wait for the first line, then signal the whole group (as a terminal's Ctrl-C does)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(None), start_new_session=True)
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        time.sleep(0.3)
        os.killpg(proc.pid, sig)
        rest, err = proc.communicate(timeout=30)
    except BaseException:
        kill_group(proc.pid)
        raise
    return proc.returncode, first + rest, err


def test_ctrl_c_of_the_whole_run(tmp_path):
    script = write_script(tmp_path, WHOLE_RUN)
    trace_path = tmp_path / "t.pvtrace"
    code, out, err = _run_and_signal(cli_command(script.name, out=trace_path), tmp_path, signal.SIGINT)
    plain_code, plain_out, _ = _run_and_signal([sys.executable, script.name], tmp_path, signal.SIGINT)
    # The program got its KeyboardInterrupt everywhere, as without procview.
    # Two processes print at once, so their lines may interleave: compare what was said, not the lines.
    for said in ("tick", "worker interrupted", "main interrupted"):
        assert said in out.decode() and said in plain_out.decode(), (said, out, plain_out, err)
    assert code == plain_code == 7
    t = Trace(trace_path)
    check_well_formed(t)
    assert t.run_end["code"] == 7
    worker = t.by_name("worker")["pid"]
    assert t.own_exits(worker) and t.own_exits(worker)[0]["code"] == 0
    assert t.by_kind("queue.put", pid=worker)


def test_sigterm_to_procview_reaches_the_program(tmp_path):
    script = write_script(tmp_path, WHOLE_RUN)
    trace_path = tmp_path / "t.pvtrace"
    proc = subprocess.Popen(cli_command(script.name, out=trace_path), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(None), start_new_session=True)
    assert proc.stdout is not None
    try:
        proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)  # to procview only: it passes it on to the script
        # Not communicate(): the worker, orphaned as it would be without procview, keeps the pipes open.
        proc.wait(timeout=30)
    finally:
        kill_group(proc.pid)
        proc.communicate()
    assert proc.returncode == 128 + signal.SIGTERM
    t = Trace(trace_path)
    check_well_formed(t)
    main_exit = [e for e in t.by_kind("process.exit", pid=t.main_pid) if e["tid"] == 0][0]
    assert main_exit["signal"] == "SIGTERM"


SIGNALS_SENT = """
    import multiprocessing as mp, os, signal, sys, time

    def kill_self():
        print("killing myself", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # line 5

    def abort_self():
        os.abort()  # line 8

    def wait_for_term():
        time.sleep(60)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        signal.signal(signal.SIGUSR1, lambda signum, frame: print("got", signum, flush=True))
        signal.raise_signal(signal.SIGUSR1)  # line 16
        for target, name in ((kill_self, "self-killer"), (abort_self, "aborter")):
            p = mp.Process(target=target, name=name)
            p.start()
            p.join()
            print(name, p.exitcode, flush=True)
        sleeper = mp.Process(target=wait_for_term, name="sleeper")
        sleeper.start()
        time.sleep(0.3)
        os.kill(sleeper.pid, signal.SIGTERM)  # line 25
        sleeper.join()
        stopped = mp.Process(target=wait_for_term, name="stopped")
        stopped.start()
        stopped.terminate()  # the library's signal: not the program's own
        stopped.join()
        print("sleeper", sleeper.exitcode, "stopped", stopped.exitcode)
"""


def test_signals_the_program_sends_are_recorded_where_it_sends_them(procview, plain, method):
    run = procview(SIGNALS_SENT, method)
    base = plain(SIGNALS_SENT, method)
    expected = "got 10\nkilling myself\nself-killer -9\naborter -6\nsleeper -15 stopped -15\n"
    assert (run.stdout, run.returncode) == (base.stdout, base.returncode) == (expected.encode(), 0), run
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    sent = sorted((e["pid"], e["target"], e["signal"], e["loc"].rsplit(":", 1)[1]) for e in t.by_kind("process.signal"))
    killer, aborter, sleeper = (t.by_name(name)["pid"] for name in ("self-killer", "aborter", "sleeper"))
    assert sent == sorted([
        (main, main, signal.SIGUSR1, "16"),
        (killer, killer, signal.SIGKILL, "5"),
        (aborter, aborter, signal.SIGABRT, "8"),
        (main, sleeper, signal.SIGTERM, "25"),
    ]), sent
    assert all(e["loc"].startswith("prog.py:") for e in t.by_kind("process.signal"))


DAEMONS_AT_EXIT = """
    import multiprocessing as mp, sys, time

    def linger(running, started=None):
        running.put(mp.current_process().name)
        if started is not None:
            running.close()
            running.join_thread()  # its name written before its parent can end it
            started.set()
        time.sleep(60)  # still running at exit: multiprocessing's exit handler terminates it

    def finish():
        pass

    def boom():
        raise ValueError("boom")

    def parent(running):
        # Its own exit handler (under _bootstrap) terminates its daemon child still running.
        started = mp.Event()
        mp.Process(target=linger, args=(running, started), name="grandchild", daemon=True).start()
        started.wait()

    def wait_until_ended(p):
        while p.is_alive():  # reaps it, and the exit handler will not see it
            time.sleep(0.01)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        running = mp.Queue()
        lingering = [mp.Process(target=linger, args=(running,), name="lingerer-%d" % i, daemon=True) for i in (1, 2)]
        stopped = mp.Process(target=linger, args=(running,), name="stopped", daemon=True)
        finished = mp.Process(target=finish, name="finished", daemon=True)
        crasher = mp.Process(target=boom, name="crasher", daemon=True)
        middle = mp.Process(target=parent, args=(running,), name="parent")
        for p in lingering + [stopped, finished, crasher, middle]:
            p.start()
        print(sorted(running.get() for _ in range(4)))
        stopped.terminate()
        stopped.join()
        middle.join()
        wait_until_ended(finished)
        wait_until_ended(crasher)
        print("stopped=%s finished=%s crasher=%s parent=%s" % (stopped.exitcode, finished.exitcode, crasher.exitcode, middle.exitcode))
"""


def test_daemon_children_terminated_at_exit(procview, plain, method):
    run = procview(DAEMONS_AT_EXIT, method)
    base = plain(DAEMONS_AT_EXIT, method)
    out = b"['grandchild', 'lingerer-1', 'lingerer-2', 'stopped']\nstopped=-15 finished=0 crasher=1 parent=0\n"
    assert (run.stdout, run.returncode) == (base.stdout, base.returncode) == (out, 0), run
    assert "ValueError: boom" in run.err and "ValueError: boom" in base.err, run
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    pids = {name: t.one("process.spawn", name=name)["child"] for name in
            ("lingerer-1", "lingerer-2", "stopped", "finished", "crasher", "parent", "grandchild")}
    terminates = sorted((e["pid"], e["target"], e["loc"], e["by"]) for e in t.by_kind("process.terminate"))
    # The exit handlers' terminations of the daemons still running (the main process's, and the
    # parent's of its own child), as what they are: no line of the program made them. The program's
    # own terminate() as before. A daemon that had ended by then, crashed or not, is not terminated.
    assert terminates == sorted([
        (main, pids["lingerer-1"], None, "exit"),
        (main, pids["lingerer-2"], None, "exit"),
        (main, pids["stopped"], "prog.py:38", "program"),
        (pids["parent"], pids["grandchild"], None, "exit"),
    ]), terminates
    for name in ("lingerer-1", "lingerer-2", "grandchild"):
        terminate = t.one("process.terminate", target=pids[name])
        reaped = t.one("process.reaped", child=pids[name])
        assert (reaped["pid"], reaped["code"], reaped["signal"]) == (terminate["pid"], -15, "SIGTERM"), (name, reaped)
        assert terminate["t"] <= reaped["t"], name
        assert t.own_exits(pids[name]) == [], name  # killed: it said nothing more
    assert t.one("process.reaped", child=pids["crasher"])["code"] == 1
    assert t.one("process.error", pid=pids["crasher"])["type"] == "ValueError"


LATE_AT_EXIT = """
    import multiprocessing as mp, sys, threading, time

    def linger(after=None):
        if after is not None:
            after.wait()  # alive for sure when the main code is done, however long starting the children took
        time.sleep(0.5)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        main_done, main_done_mp = threading.Event(), mp.Event()
        threading.Thread(target=linger, args=(main_done,), name="late-thread").start()
        threading.Thread(target=linger, args=(main_done,), name="daemon-thread", daemon=True).start()
        mp.Process(target=linger, args=(main_done_mp,), name="late-child").start()
        mp.Process(target=linger, args=(main_done_mp,), name="daemon-child", daemon=True).start()
        print("main code done")
        main_done.set()
        main_done_mp.set()
"""


def test_what_a_process_waits_for_at_exit_is_announced(procview, plain, method):
    run = procview(LATE_AT_EXIT, method)
    base = plain(LATE_AT_EXIT, method)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, base.returncode) == (b"main code done\n", b"", 0), run
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    late_thread = t.one("thread.start", name="late-thread")["target"]
    late_child = t.one("process.spawn", name="late-child")["child"]
    # The interpreter's wait for the thread first, then multiprocessing's for the child: daemons are not waited for.
    waits = [(e["threads"], e["children"]) for e in t.by_kind("exit.wait", pid=main)]
    assert waits == [([late_thread], []), ([], [late_child])], waits
    assert t.by_kind("exit.wait", pid=late_child) == []
