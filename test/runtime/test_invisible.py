"""The runtime is invisible: output, exit codes, tracebacks and pickled bytes are
those of a plain run; an existing sitecustomize and PYTHONPATH keep working."""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zlib

import pytest

from conftest import check_well_formed

SCRIPTS = {
    "normal_output": """
        import sys
        print("hello", "wörld", 42)
        sys.stdout.write("no newline")
        sys.stdout.flush()
        print("to stderr", file=sys.stderr)
        sys.stderr.write("partial err")
    """,
    "traceback_in_main": """
        def inner(x):
            return {}[x]

        def outer():
            try:
                inner("missing")
            except KeyError as exc:
                raise RuntimeError("wrapped") from exc

        print("before", flush=True)
        outer()
    """,
    "queue_empty_uncaught_in_child": """
        import multiprocessing as mp, sys

        def child(q):
            q.get(timeout=0.1)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            q = mp.Queue()
            p = mp.Process(target=child, args=(q,))
            p.start()
            p.join()
            print("child exitcode", p.exitcode)
    """,
    "queue_full_uncaught_in_main": """
        import multiprocessing as mp

        if __name__ == "__main__":
            q = mp.Queue(1)
            q.put(1)
            q.put_nowait(2)
    """,
    "lock_misuse_uncaught": """
        import multiprocessing as mp, threading

        if __name__ == "__main__":
            t = threading.Lock()
            try:
                t.release()
            except RuntimeError as exc:
                print("threading:", exc)
            m = mp.Lock()
            m.release()
    """,
    "thread_exception": """
        import threading

        def fail():
            raise ValueError("bad thread")

        th = threading.Thread(target=fail, name="Worker")
        th.start()
        th.join()
        print("main continues")
    """,
    "closed_process_misuse": """
        import multiprocessing as mp, sys, traceback

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            never = mp.Process(target=print)
            for call in (never.terminate, never.kill):
                try:
                    call()
                except AttributeError:
                    traceback.print_exc()
            p = mp.Process(target=print, args=("child",))
            p.start()
            p.join()
            p.close()
            try:
                p.kill()
            except ValueError:
                traceback.print_exc()
            p.terminate()
    """,
    "thread_join_misuse": """
        import threading, traceback

        class NoInit(threading.Thread):
            def __init__(self):
                pass

        for thread in (threading.Thread(target=print), NoInit(), threading.current_thread()):
            for timeout in (None, 1):
                try:
                    thread.join(timeout)
                except RuntimeError:
                    traceback.print_exc()
    """,
    "sys_exit_3": """
        import sys
        print("x")
        sys.exit(3)
    """,
    "sys_exit_message": """
        import sys
        sys.exit("fatal: something went wrong")
    """,
    "os_exit_in_main": """
        import os, sys
        print("buffered but lost?", end="")
        sys.stdout.flush()
        os._exit(9)
    """,
    # Several threads blocked in get() on one Queue: each waits on its own, as without procview.
    "threads_share_a_queue": """
        import multiprocessing as mp, threading, time

        def take(q, out, lock):
            for _ in range(50):
                item = q.get()
                with lock:
                    out.append(item)

        if __name__ == "__main__":
            q = mp.Queue()
            got, lock = [], threading.Lock()
            takers = [threading.Thread(target=take, args=(q, got, lock)) for _ in range(4)]
            for t in takers:
                t.start()
            time.sleep(0.2)  # every taker waits in get() before the first put
            for i in range(200):
                q.put(i)
            for t in takers:
                t.join()
            print(sorted(got) == list(range(200)))
    """,
    # With a task under way at exit, Pool.__del__ tells the pool's change notifier,
    # whose connection is in the pool's cycle: the garbage collector has let go of it.
    "pool_left_busy_uncaught": """
        import multiprocessing as mp, time

        if __name__ == "__main__":
            pool = mp.Pool(1)
            result = pool.apply_async(time.sleep, (0.2,))
            raise RuntimeError("the pool is left busy")
    """,
    # The runtime's own descriptors (its connection, its fault file) are kept out of
    # the low numbers: the files and pipes a program opens get the numbers they get without it.
    "descriptor_numbers": """
        import multiprocessing as mp, os, sys

        def show(who):
            with open(__file__) as f:
                r, w = os.pipe()
                print(who, f.fileno(), r, w, flush=True)
            os.close(r)
            os.close(w)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            show("main")
            p = mp.Process(target=show, args=("child",))
            p.start()
            p.join()
            pid = os.fork()
            if pid == 0:
                show("forked")
                os._exit(0)
            os.waitpid(pid, 0)
    """,
    # A Process subclass with its own __init__ and run(): inside run(), self.run, the
    # instance's attributes and the frames under run() are the program's own (a warning's
    # stacklevel, sys._getframe); what run() raises is printed as usual.
    "process_subclass_run": """
        import multiprocessing as mp, sys, warnings

        class Worker(mp.Process):
            def __init__(self, n, results):
                super().__init__(name="Worker-%d" % n)
                self.n = n
                self.results = results

            def run(self):
                self.results.put((self.name, self.run.__qualname__, sorted(vars(self)), sys._getframe(1).f_code.co_name))
                if self.n == 1:
                    warnings.warn("from run", stacklevel=2)
                    raise ValueError("worker %d failed" % self.n)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            results = mp.Queue()
            workers = [Worker(n, results) for n in range(2)]
            for w in workers:
                w.start()
            for item in sorted(results.get() for _ in workers):
                print(item)
            for w in workers:
                w.join()
            print([w.exitcode for w in workers], sorted(vars(workers[0])))
    """,
    # A stack looked at from a worker (a Process's target, a thread's, a Pool task)
    # shows the frames it has without procview, none of the wrappers it runs under.
    "stacks_in_workers": """
        import inspect, multiprocessing as mp, sys, threading, traceback

        def show(where):
            print(where, [f.function for f in inspect.stack()], flush=True)
            print(where, [f.name for f in traceback.extract_stack()], flush=True)
            traceback.print_stack(limit=2, file=sys.stdout)
            print(where, [f.f_code.co_name for f, _ in traceback.walk_stack(None)], flush=True)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            p = mp.Process(target=show, args=("process",))
            p.start()
            p.join()
            t = threading.Thread(target=show, args=("thread",))
            t.start()
            t.join()
            with mp.Pool(1) as pool:
                pool.apply(show, ("pool",))
    """,
    "stdin_echo": """
        import sys
        data = sys.stdin.read()
        print(data.upper(), end="")
        print(len(data), file=sys.stderr)
    """,
}

METHOD_SCRIPTS = {"queue_empty_uncaught_in_child", "closed_process_misuse", "descriptor_numbers", "process_subclass_run", "stacks_in_workers"}


def _cases():
    for name in SCRIPTS:
        if name in METHOD_SCRIPTS:
            for m in ("fork", "spawn", "forkserver"):
                yield pytest.param(name, m, id="%s-%s" % (name, m))
        else:
            yield pytest.param(name, None, id=name)


@pytest.mark.parametrize("name,start_method", list(_cases()))
def test_output_and_exit_code_identical(procview, plain, name, start_method):
    args = [start_method] if start_method else []
    stdin = b"line one\nline two\n" if name == "stdin_echo" else None
    run = procview(SCRIPTS[name], *args, stdin=stdin)
    base = plain(SCRIPTS[name], *args, stdin=stdin)
    assert run.stdout == base.stdout
    assert run.stderr == base.stderr, "\n--- procview:\n%s\n--- plain:\n%s" % (run.err, base.err)
    assert run.returncode == base.returncode
    assert run.trace.run_end["code"] == base.returncode
    # The CLI's only additions to stderr: what the diagnosis found, then its own closing line.
    assert run.raw_stderr.startswith(run.stderr)
    assert re.match(rb"(procview: the program [^\n]*\n[\s\S]*)?procview: trace written to ", run.raw_stderr[len(run.stderr):])


def test_an_uncaught_keyboard_interrupt_ends_the_interpreter_by_sigint(procview, plain):
    # As after a Ctrl-C: a shell sees 130, the trace sees the signal.
    source = """
        import threading

        def interrupted():
            raise KeyboardInterrupt

        interrupted()
    """
    run = procview(source)
    base = plain(source)
    assert base.returncode == -signal.SIGINT and b"KeyboardInterrupt" in base.stderr, base
    assert run.stderr == base.stderr
    assert run.returncode == 128 + signal.SIGINT
    assert (run.trace.run_end["code"], run.trace.run_end["signal"]) == (None, "SIGINT")
    assert run.trace.one("process.error")["type"] == "KeyboardInterrupt"


def test_tracebacks_recorded_as_process_error(procview):
    run = procview(SCRIPTS["traceback_in_main"])
    assert run.returncode == 1
    err = run.trace.one("process.error")
    assert err["type"] == "RuntimeError" and err["message"] == "wrapped"
    assert err["line"] == 8 and err["file"].endswith("prog.py")
    assert "KeyError" in err["traceback"] and "procview" not in err["traceback"]


def test_pickled_bytes_unchanged(procview, method):
    run = procview(
        """
        import json, multiprocessing as mp, sys, zlib
        from multiprocessing.reduction import ForkingPickler

        class Point:
            def __init__(self, x, y):
                self.x, self.y = x, y

            def __eq__(self, other):
                return (self.x, self.y) == (other.x, other.y)

        def child(q, items):
            # Computed where the items are pickled: under spawn the class is __mp_main__.Point here.
            wire = [[len(b), zlib.crc32(b)] for b in (bytes(ForkingPickler.dumps(i)) for i in items)]
            print(json.dumps(wire), flush=True)
            for item in items:
                q.put(item)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            items = ["text", {"a": [1, 2.5, None]}, [(1, "x")] * 50, b"\\x00\\xff" * 1000, Point(3, 4), 10 ** 40]
            q = mp.Queue()
            p = mp.Process(target=child, args=(q, items))
            p.start()
            got = [q.get() for _ in items]
            p.join()
            assert [type(g).__name__ for g in got] == [type(i).__name__ for i in items]
        """,
        method,
    )
    assert run.returncode == 0, run
    wire = [tuple(x) for x in json.loads(run.out)]
    t = run.trace
    triples = sorted(t.match_queues(), key=lambda x: x[0]["seq"])
    assert len(triples) == len(wire)
    assert [(s["size"], s["crc"]) for _, s, _ in triples] == wire
    assert [(g["size"], g["crc"]) for _, _, g in triples] == wire


SITECUSTOMIZE = """
import os, sys
os.environ["USER_SITECUSTOMIZE"] = "ran in %d" % os.getpid()
sys.stderr.write("user sitecustomize ran\\n")
"""

CHILD_REPORTS = """
import json, multiprocessing as mp, os, sys

def report(q):
    q.put(("child", os.environ.get("USER_SITECUSTOMIZE", "").startswith("ran in"), sys.path))

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    try:
        import mymod
        print("mymod", mymod.VALUE)
    except ImportError as exc:
        print("no mymod", exc)
    print(json.dumps(["main", os.environ.get("USER_SITECUSTOMIZE", "").startswith("ran in"), sys.path]))
    q = mp.Queue()
    p = mp.Process(target=report, args=(q,))
    p.start()
    print(json.dumps(q.get()))
    p.join()
"""


def test_chained_sitecustomize(procview, plain, tmp_path, method):
    site_dir = tmp_path / "usersite"
    site_dir.mkdir()
    (site_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {"PYTHONPATH": str(site_dir)}
    run = procview(CHILD_REPORTS, method, env=env)
    base = plain(CHILD_REPORTS, method, env=env)
    assert run.returncode == base.returncode == 0, run
    assert run.stdout == base.stdout
    assert run.stderr == base.stderr
    # It ran in the main process (and, unless forked, in the child).
    assert run.err.count("user sitecustomize ran") >= 1
    lines = [json.loads(line) for line in run.out.splitlines()[1:]]
    assert lines[0][1] is True and lines[1][1] is True
    # ...and the runtime recorded the run all the same.
    t = run.trace
    check_well_formed(t)
    assert t.one("queue.new")
    assert len(t.by_kind("queue.put")) == 1 and len(t.by_kind("queue.get")) == 1
    assert t.one("process.spawn")["child"] in t.processes


def test_existing_pythonpath_kept(procview, plain, tmp_path, method):
    lib = tmp_path / "userlib"
    lib.mkdir()
    (lib / "mymod.py").write_text("VALUE = 'from user PYTHONPATH'\n")
    other = tmp_path / "other"
    other.mkdir()
    env = {"PYTHONPATH": os.pathsep.join([str(lib), str(other)])}
    run = procview(CHILD_REPORTS, method, env=env)
    base = plain(CHILD_REPORTS, method, env=env)
    assert run.returncode == base.returncode == 0, run
    assert run.out.splitlines()[0] == "mymod from user PYTHONPATH"
    # sys.path, in the main process and in the child, is the plain run's.
    assert run.stdout == base.stdout
    main_path = json.loads(run.out.splitlines()[1])[2]
    assert not any("procview" in entry for entry in main_path)
    assert main_path.index(str(lib)) < main_path.index(str(other))
    assert run.trace.by_kind("queue.put")


def test_no_pythonpath_gives_plain_sys_path(procview, plain, method):
    run = procview(CHILD_REPORTS, method, env={"PYTHONPATH": None})
    base = plain(CHILD_REPORTS, method, env={"PYTHONPATH": None})
    assert run.returncode == 0, run
    assert run.stdout == base.stdout
    assert run.out.startswith("no mymod")


NO_THREADS_OF_OURS = """
    import multiprocessing as mp, sys, threading

    def child(q):
        q.put(sorted(t.name for t in threading.enumerate()))

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        q = mp.Queue()
        print("main before:", threading.active_count())
        p = mp.Process(target=child, args=(q,))
        p.start()
        print("child:", q.get())
        p.join()
        lock, rlock = threading.Lock(), threading.RLock()
        print("types:", isinstance(lock, type(threading.Lock())), isinstance(rlock, type(threading.RLock())))
"""


def test_the_runtime_adds_no_thread_to_any_process(procview, plain, method):
    # On 3.12+ forking a process with extra threads warns (an error under -W error):
    # the runtime must not start threads of its own anywhere.
    run = procview(NO_THREADS_OF_OURS, method)
    base = plain(NO_THREADS_OF_OURS, method)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), run
    assert run.out.splitlines()[0] == "main before: 1"


ODD_DATA = """
    import multiprocessing as mp, sys

    def child(q, items):
        for item in items:
            q.put(item)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        items = [
            b"\\xff\\xfe binary \\x00",
            "caf\\xe9 \\udcff lone surrogate",  # what os.fsdecode makes of non-UTF-8 file names
            "\\u202e right-to-left <script>alert(1)</script>",
            bytes(range(256)) * 400_000,  # 100 MB: its repr must cost no more than a short one's
        ]
        q = mp.Queue()
        p = mp.Process(target=child, args=(q, items))
        p.start()
        got = [q.get() for _ in items]
        p.join()
        print(got == items)
"""


def test_binary_non_utf8_and_huge_items(procview, plain, method):
    run = procview(ODD_DATA, method, timeout=120)
    base = plain(ODD_DATA, method, timeout=120)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), run
    assert run.out == "True\n"
    t = run.trace
    check_well_formed(t)
    assert not t.bad_lines
    reprs = [e["repr"] for e in t.by_kind("queue.put")]
    assert len(reprs) == 4
    assert reprs[0] == repr(b"\xff\xfe binary \x00")
    assert "caf" in reprs[1] and "surrogate" in reprs[1]  # the lone surrogate itself may be replaced
    assert reprs[2] == repr("\u202e right-to-left <script>alert(1)</script>")  # data, stored as is
    assert len(reprs[3]) <= 120
    assert len(t.match_queues()) == 4


WARNINGS_ARE_ERRORS = """
    import multiprocessing as mp, sys, threading

    def child(q):
        q.put(threading.active_count())

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        lock = threading.Lock()
        with lock:
            q = mp.Queue()
            p = mp.Process(target=child, args=(q,))
            p.start()  # 3.12+: forking with a thread of ours running would warn, an error here
            print("child threads", q.get())
            p.join()
        print("exit", p.exitcode)
"""


def _interpreters():
    """This one, and 3.12/3.13 where the machine has them (3.12 warns on fork with threads; 3.13 changed Lock)."""
    found = [sys.executable]
    for version in ("3.12", "3.13"):
        candidates = [shutil.which("python" + version)] + sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/python3" % version)))
        for path in candidates:
            if path and subprocess.run([path, "-c", "pass"], capture_output=True).returncode == 0:
                found.append(path)
                break
    return found


@pytest.mark.parametrize("python", _interpreters())
def test_warnings_as_errors_see_nothing_of_the_runtime(procview, plain, method, python):
    # Nothing the runtime does may warn: no thread of its own before a fork, no
    # socket left for the garbage collector (a ResourceWarning at exit).
    env = {"PYTHONWARNINGS": "error", "PYTHONDEVMODE": "1"}
    run = procview(WARNINGS_ARE_ERRORS, method, env=env, python=python)
    base = plain(WARNINGS_ARE_ERRORS, method, env=env, python=python)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, 0), run
    assert run.trace.by_kind("queue.put")
