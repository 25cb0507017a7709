"""The transport: the token, the listener going away, high event rates."""

import json
import os
import subprocess
import sys
import textwrap
import time

from conftest import check_well_formed, cli_command, kill_group, write_script


def test_wrong_token_refused_and_run_unharmed(procview):
    run = procview(
        """
        import json, multiprocessing as mp, os, socket

        def attempt(first_line):
            kind, _, path = os.environ["PROCVIEW_SOCKET"].partition(":")
            assert kind == "unix", kind
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(path)
            s.sendall(first_line)
            try:
                closed = s.recv(100) == b""
            except ConnectionResetError:
                closed = True
            s.close()
            return closed

        if __name__ == "__main__":
            hello = {"token": "0" * 32, "pid": os.getpid(), "ppid": os.getppid(), "mono": 1, "wall": 1, "v": 1}
            assert os.environ["PROCVIEW_TOKEN"] != "0" * 32
            print("wrong token closed:", attempt(json.dumps(hello).encode() + b"\\n"))
            print("garbage closed:", attempt(b"hello there\\n"))
            q = mp.Queue()
            q.put("still recorded")
            print(q.get())
        """
    )
    assert run.returncode == 0, run
    assert run.out == "wrong token closed: True\ngarbage closed: True\nstill recorded\n"
    t = run.trace
    check_well_formed(t)
    refused = t.by_kind("run.refused")
    assert len(refused) == 2
    assert all(r["reason"] for r in refused)
    assert t.run_end["refused"] == 2
    # The refused peers' events never made it in: only the real process's events.
    assert set(t.processes) == {t.main_pid}
    [(put, send, get)] = t.match_queues()
    assert put["repr"] == "'still recorded'" and send and get


# A helper that makes itself the subreaper of what it starts, so the Python
# process orphaned when node is killed becomes its child and can be waited for.
SUBREAPER = r"""
import ctypes, json, os, signal, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
cmd = json.loads(sys.argv[1])
node = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
pid = int(node.stdout.readline())
assert node.stdout.readline() == b"started\n"
time.sleep(0.4)  # events flowing meanwhile; the listener writes its file every 100 ms
node.kill()
node.wait()
killed_at = time.monotonic()
_, status = os.waitpid(pid, 0)
rest = node.stdout.read()
err = node.stderr.read()
# Anything else orphaned to us (multiprocessing children): reap it.
while True:
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
print(json.dumps({"pid": pid, "code": os.waitstatus_to_exitcode(status), "rest": rest.decode(),
                  "stderr": err.decode(errors="replace"), "after_kill": time.monotonic() - killed_at}))
"""

LISTENER_GOES_AWAY = """
import multiprocessing as mp, os, sys, threading, time

def echo(inq, outq):
    for item in iter(inq.get, None):
        outq.put(item)

if __name__ == "__main__":
    mp.set_start_method("fork")
    inq, outq = mp.Queue(), mp.Queue()
    lock = threading.Lock()
    p = mp.Process(target=echo, args=(inq, outq))
    p.start()
    print(os.getpid(), flush=True)
    print("started", flush=True)
    n = 0
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        inq.put(n)
        assert outq.get(timeout=10) == n
        with lock:
            n += 1
    inq.put(None)
    p.join()
    with open(sys.argv[1], "w") as f:
        f.write("done %d %d" % (n, p.exitcode))
    print("finished", n > 0, flush=True)
"""


def test_listener_going_away_leaves_program_unharmed(tmp_path):
    script = write_script(tmp_path, LISTENER_GOES_AWAY)
    helper = tmp_path / "subreaper.py"
    helper.write_text(SUBREAPER)
    marker = tmp_path / "marker.txt"
    trace_path = tmp_path / "t.pvtrace"
    cmd = cli_command(script.name, [marker], out=trace_path)
    proc = subprocess.Popen(
        [sys.executable, str(helper), json.dumps(cmd)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        raise
    assert proc.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["code"] == 0, result
    assert result["rest"] == "finished True\n", result
    assert result["stderr"] == "", result
    assert result["after_kill"] < 10, result
    assert marker.read_text().startswith("done ")
    assert marker.read_text().endswith(" 0")
    # The trace is cut short (no run.end) but reads, and holds what arrived.
    from conftest import Trace

    t = Trace(trace_path)
    assert t.header is not None and t.header["format"] == "pvtrace"
    assert t.by_kind("run.end") == []
    assert result["pid"] in t.processes


def test_many_events_all_arrive(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        N = 50_000

        def producer(q):
            for i in range(N):
                q.put(i)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            q = mp.Queue()
            p = mp.Process(target=producer, args=(q,))
            p.start()
            total = 0
            for _ in range(N):
                total += q.get()
            p.join()
            print(total == N * (N - 1) // 2)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "True\n"
    t = run.trace
    check_well_formed(t)
    child = t.one("process.spawn")["child"]
    puts = t.by_kind("queue.put")
    assert len(puts) == 50_000
    assert len(t.by_kind("queue.send")) == 50_000
    assert len(t.by_kind("queue.get")) == 50_000
    assert sorted(p["seq"] for p in puts) == list(range(50_000))
    assert all(p["pid"] == child for p in puts)
    assert not any(e.get("dropped") for e in t.by_kind("process.exit"))
    assert [e["code"] for e in t.own_exits(child)] == [0]
    triples = t.match_queues()
    assert all(s is not None and g is not None for _, s, g in triples)
