"""Ctrl-C in a wait of the main thread: the same traceback and exit status as without procview.

Each program blocks in its main thread on one kind of wait, after printing
``blocking <pid>``; its interpreter (only it: a terminal would signal the whole
group, and the children's own tracebacks would interleave) gets SIGINT half a
second later, long after the wait's first slice. The traceback on stderr and
the exit status must be those of the plain run, and the trace must show the
wait announced once, never re-announced (``wait.still``), ended by the Ctrl-C.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import Trace, _env, check_well_formed, cli_command, kill_group, strip_cli_lines, write_script

# An executor's worker thread is joined at exit: its task must end by itself, after the Ctrl-C.
EXECUTOR = "from concurrent.futures import ThreadPoolExecutor; future = ThreadPoolExecutor(1).submit(time.sleep, 3)"

# name -> (setup, the blocking statement). Every program imports `multiprocessing
# as mp, os, queue, threading, time`, and most nothing that imports `traceback`:
# the runtime's excepthook is then the first to import it, which must not change
# the exit status. Children and threads are daemons, so that the program can exit.
WAITS = {
    "queue_get": ("q = queue.Queue()", "q.get()"),
    "queue_get_timed": ("q = queue.Queue()", "q.get(timeout=100)"),
    "queue_put_full": ("q = queue.Queue(1); q.put(0)", "q.put(1)"),
    "queue_put_full_timed": ("q = queue.Queue(1); q.put(0)", "q.put(1, timeout=100)"),
    "lock": ("lock = threading.Lock(); lock.acquire()", "lock.acquire()"),
    "lock_timed": ("lock = threading.Lock(); lock.acquire()", "lock.acquire(timeout=100)"),
    "rlock": ("lock = threading.RLock(); hold(lock.acquire)", "lock.acquire()"),
    "semaphore": ("sem = threading.Semaphore(0)", "sem.acquire()"),
    "semaphore_timed": ("sem = threading.Semaphore(0)", "sem.acquire(timeout=100)"),
    "thread_join": ("t = threading.Thread(target=time.sleep, args=(100,), daemon=True); t.start()", "t.join()"),
    "thread_join_timed": ("t = threading.Thread(target=time.sleep, args=(100,), daemon=True); t.start()", "t.join(100)"),
    "event": ("ev = threading.Event()", "ev.wait()"),
    "event_timed": ("ev = threading.Event()", "ev.wait(100)"),
    "condition": ("cond = threading.Condition(); cond.acquire()", "cond.wait()"),
    "condition_timed": ("cond = threading.Condition(); cond.acquire()", "cond.wait(100)"),
    "barrier": ("barrier = threading.Barrier(2)", "barrier.wait()"),
    "process_join": ("p = mp.Process(target=time.sleep, args=(100,), daemon=True); p.start()", "p.join()"),
    "process_join_timed": ("p = mp.Process(target=time.sleep, args=(100,), daemon=True); p.start()", "p.join(100)"),
    "mp_queue_get": ("q = mp.Queue()", "q.get()"),
    "mp_queue_get_timed": ("q = mp.Queue()", "q.get(timeout=100)"),
    "mp_joinable_queue_get": ("q = mp.JoinableQueue()", "q.get()"),
    "mp_simple_queue_get": ("q = mp.SimpleQueue()", "q.get()"),
    "mp_queue_put_full": ("q = mp.Queue(1); q.put(0)", "q.put(1)"),
    "mp_queue_put_full_timed": ("q = mp.Queue(1); q.put(0)", "q.put(1, timeout=100)"),
    "pipe_recv": ("rx, tx = mp.Pipe(duplex=False)", "rx.recv()"),
    "mp_lock": ("lock = mp.Lock(); lock.acquire()", "lock.acquire()"),
    "mp_lock_timed": ("lock = mp.Lock(); lock.acquire()", "lock.acquire(timeout=100)"),
    "mp_semaphore": ("sem = mp.Semaphore(0)", "sem.acquire()"),
    "mp_event": ("ev = mp.Event()", "ev.wait()"),
    "mp_condition": ("cond = mp.Condition(); cond.acquire()", "cond.wait()"),
    "mp_barrier": ("barrier = mp.Barrier(2)", "barrier.wait()"),
    "pool_get": ("pool = mp.Pool(1); result = pool.apply_async(time.sleep, (100,))", "result.get()"),
    "pool_get_timed": ("pool = mp.Pool(1); result = pool.apply_async(time.sleep, (100,))", "result.get(100)"),
    "future_result": (EXECUTOR, "future.result()"),
    "future_result_timed": (EXECUTOR, "future.result(100)"),
}

PROGRAM = """
import multiprocessing as mp, os, queue, threading, time

def hold(take):
    holder = threading.Thread(target=take, daemon=True)
    holder.start()
    holder.join()

def wait_here():
    {wait}

if __name__ == "__main__":
    mp.set_start_method("fork")
    {setup}
    print("blocking", os.getpid(), flush=True)
    wait_here()
"""

SECONDS_INTO_THE_WAIT = 0.5
_ADDRESS = re.compile(rb"0x[0-9a-fA-F]+")


def _interrupt(cmd, cwd):
    """Start ``cmd``; once its interpreter says it blocks, let it wait, SIGINT it alone. -> (status, stdout, stderr)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(None), start_new_session=True)
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        assert first.startswith(b"blocking "), "the program did not get to its wait: %r" % (first + proc.communicate(timeout=30)[1],)
        pid = int(first.split()[1])
        time.sleep(SECONDS_INTO_THE_WAIT)
        os.kill(pid, signal.SIGINT)
        rest, err = proc.communicate(timeout=30)
    except BaseException:
        kill_group(proc.pid)
        proc.communicate()
        raise
    finally:
        kill_group(proc.pid)  # whatever the program left behind (a child it never reaped) goes too
    return proc.returncode, first.replace(b"%d" % pid, b"PID") + rest, err


def _normalised(stderr, tmp_path):
    return _ADDRESS.sub(b"0xADDR", stderr.replace(bytes(tmp_path), b"TMP"))


@pytest.mark.usefixtures("sigint_not_ignored")
@pytest.mark.parametrize("name", sorted(WAITS))
def test_ctrl_c_in_a_main_thread_wait_gives_the_traceback_and_status_of_a_plain_run(name, tmp_path):
    setup, wait = WAITS[name]
    script = write_script(tmp_path, PROGRAM.format(setup=setup, wait=wait))
    trace_path = tmp_path / "t.pvtrace"
    runs = {}

    def run(key, cmd):
        runs[key] = _interrupt(cmd, tmp_path)

    # The two runs side by side: each waits most of its time.
    helper = threading.Thread(target=run, args=("plain", [sys.executable, script.name]))
    helper.start()
    run("procview", cli_command(script.name, out=trace_path))
    helper.join()
    plain_code, plain_out, plain_err = runs["plain"]
    code, out, err = runs["procview"]
    plain_err = _normalised(plain_err, tmp_path)
    err = _normalised(strip_cli_lines(err), tmp_path)
    assert plain_code == -signal.SIGINT and b"KeyboardInterrupt" in plain_err, (plain_code, plain_err.decode())
    assert out == plain_out
    assert err.decode() == plain_err.decode()
    # The CLI exits as a shell reports a process killed by a signal; the trace says which.
    assert code == 128 + signal.SIGINT
    trace = Trace(trace_path)
    check_well_formed(trace)
    assert trace.run_end["signal"] == "SIGINT"
    # Announced once, never re-announced, ended by the Ctrl-C. (The exit that follows may wait
    # for threads that are not daemons, an executor's: that is a wait of its own, exit.wait.)
    main = trace.events_of(trace.main_pid)
    announced = [e for e in main if e["kind"].endswith(".wait") and e["kind"] != "exit.wait" and "stack" in e]
    assert [(e["loc"], e["stack"][-1]) for e in announced] == [("prog.py:9", ["prog.py:9", "wait_here"])], announced
    assert not [e for e in main if e["kind"] == "wait.still"]
    # A Pool result's get ends it with task.fetch (and the error), every other one with wait.abort.
    ends = [e for e in main if e["kind"] == "wait.abort" or (e["kind"] == "task.fetch" and e["error"])]
    assert ends and ends[0]["error"].startswith("KeyboardInterrupt"), ends
