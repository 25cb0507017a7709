"""Interpreters started in other ways: by subprocess, with -I/-E/-S, from a virtual environment."""

import os
import subprocess
import sys

from conftest import check_well_formed

SUBPROCESS_PROGRAM = """
    import multiprocessing as mp, os, subprocess, sys

    CHILD = "import multiprocessing as mp; q = mp.Queue(); q.put('from the child'); print(q.get())"

    if __name__ == "__main__":
        mode = sys.argv[1]
        if mode == "inherit":
            done = subprocess.run([sys.executable, "-c", CHILD])
        elif mode == "scrubbed":
            env = {"PATH": os.environ.get("PATH", "")}  # no PYTHONPATH, no PROCVIEW_*
            done = subprocess.run([sys.executable, "-c", CHILD], env=env)
        else:  # a flag that keeps site-customization out: -I, -E or -S
            done = subprocess.run([sys.executable, mode, "-c", CHILD])
        print("child exit", done.returncode)
"""


def test_python_started_by_subprocess_is_traced_in_the_same_run(procview, plain):
    run = procview(SUBPROCESS_PROGRAM, "inherit")
    assert (run.stdout, run.stderr, run.returncode) == (
        plain(SUBPROCESS_PROGRAM, "inherit").stdout,
        plain(SUBPROCESS_PROGRAM, "inherit").stderr,
        0,
    ), run
    assert run.out == "from the child\nchild exit 0\n"
    t = run.trace
    check_well_formed(t)
    others = [pid for pid, begin in t.processes.items() if pid != t.main_pid and begin["role"] == "python"]
    assert len(others) == 1, t.processes
    child = others[0]
    assert t.processes[child]["ppid"] == t.main_pid
    assert [e["loc"] for e in t.by_kind("queue.put", pid=child)] == ["<string>:1"]
    # The parent started it and collected its status; an interpreter that ends
    # normally cannot tell its own exit code (atexit does not know it).
    spawn = t.one("process.spawn", child=child)
    assert (spawn["pid"], spawn["method"], spawn["name"], spawn["loc"]) == (t.main_pid, "subprocess", os.path.basename(sys.executable), "prog.py:8")
    reaped = t.one("process.reaped", child=child)
    assert (reaped["pid"], reaped["code"], reaped["signal"]) == (t.main_pid, 0, None)


def test_scrubbed_environment_or_isolating_flags_leave_the_child_untraced_and_unharmed(procview, plain):
    for mode in ("scrubbed", "-I", "-E", "-S"):
        run = procview(SUBPROCESS_PROGRAM, mode)
        base = plain(SUBPROCESS_PROGRAM, mode)
        assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), (mode, run)
        assert run.out == "from the child\nchild exit 0\n"
        t = run.trace
        check_well_formed(t)
        # The child never loaded the runtime: it is simply absent.
        assert list(t.processes) == [t.main_pid], (mode, t.processes)


VENV_PROGRAM = """
    import multiprocessing as mp, sys

    def work(q):
        q.put(sys.prefix != sys.base_prefix)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        q = mp.Queue()
        p = mp.Process(target=work, args=(q,))
        p.start()
        print("in a venv:", sys.prefix != sys.base_prefix, q.get())
        p.join()
"""


def test_interpreter_of_a_virtual_environment(procview, plain, tmp_path, method):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    run = procview(VENV_PROGRAM, method, python=python)
    base = plain(VENV_PROGRAM, method, python=python)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), run
    assert run.out == "in a venv: True True\n"
    t = run.trace
    check_well_formed(t)
    assert t.header["python"]["executable"] == python
    assert len(t.program_processes()) == 2
    assert len(t.by_kind("queue.put")) == 1 and len(t.by_kind("queue.get")) == 1
