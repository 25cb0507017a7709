"""multiprocessing.Pipe send/recv, and threading.Thread start/begin/exit/join."""

import os
import pickle
import signal
import subprocess
import time
import zlib

import pytest

from conftest import SCRIPT_NAME, Trace, _env, check_well_formed, cli_command, write_script


def test_duplex_pipe(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys, time

        def echo(conn):
            msg = conn.recv()
            time.sleep(0.3)
            conn.send(msg * 2)
            conn.send_bytes(b"raw bytes")

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            here, there = mp.Pipe()
            p = mp.Process(target=echo, args=(there,))
            p.start()
            here.send("ping")
            print(here.recv(), here.recv_bytes())
            p.join()
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "pingping b'raw bytes'\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    child = t.one("process.spawn")["child"]
    new = t.one("pipe.new")
    assert new["pid"] == main and new["duplex"] is True and new["loc"] == "prog.py:11"
    here, there = new["ends"]
    assert here != there
    assert new["id"] in (here, there)

    sends = t.sorted(t.by_kind("pipe.send"))
    recvs = t.sorted(t.by_kind("pipe.recv"))
    assert [(e["pid"], e["end"], e["repr"], e["loc"]) for e in sends] == [
        (main, here, "'ping'", "prog.py:14"),
        (child, there, "'pingping'", "prog.py:6"),
        (child, there, None, "prog.py:7"),
    ]
    assert [(e["pid"], e["end"], e["loc"]) for e in recvs] == [
        (child, there, "prog.py:4"),
        (main, here, "prog.py:15"),
        (main, here, "prog.py:15"),
    ]
    # The bytes on the wire: exactly what the program pickled.
    ping = pickle.dumps("ping", protocol=pickle.DEFAULT_PROTOCOL)
    assert (sends[0]["size"], sends[0]["crc"]) == (len(ping), zlib.crc32(ping))
    assert (sends[2]["size"], sends[2]["crc"]) == (9, zlib.crc32(b"raw bytes"))
    for s, r in zip(sends, recvs):
        assert (s["size"], s["crc"]) == (r["size"], r["crc"])
    # The parent's first recv blocked about 0.3 s: announced, and its wait measured.
    wait = t.one("pipe.recv.wait", pid=main)
    assert wait["end"] == here and wait["loc"] == "prog.py:15"
    assert wait["t"] < recvs[1]["t"]
    assert recvs[1]["waited"] >= 200_000_000
    assert recvs[2]["waited"] < 200_000_000  # sent right after the first: a short wait at most


def test_simplex_pipe(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        def reader(r):
            print(r.recv(), r.recv(), flush=True)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            r, w = mp.Pipe(duplex=False)
            p = mp.Process(target=reader, args=(r,))
            p.start()
            w.send([1, 2, 3])
            w.send({"k": "v"})
            p.join()
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "[1, 2, 3] {'k': 'v'}\n"
    t = run.trace
    child = t.one("process.spawn")["child"]
    new = t.one("pipe.new")
    assert new["duplex"] is False and new["loc"] == "prog.py:8"
    ends = set(new["ends"])
    sends = t.sorted(t.by_kind("pipe.send"))
    recvs = t.sorted(t.by_kind("pipe.recv"))
    assert [(e["pid"], e["repr"]) for e in sends] == [(t.main_pid, "[1, 2, 3]"), (t.main_pid, "{'k': 'v'}")]
    assert [e["pid"] for e in recvs] == [child, child]
    assert {e["end"] for e in sends + recvs} <= ends
    assert [(e["size"], e["crc"]) for e in sends] == [(e["size"], e["crc"]) for e in recvs]


# A send on a full pipe: the child reads nothing for a while, then everything.
FULL_PIPE = """
import multiprocessing as mp, sys, threading, time, zlib

def reader(conn, delay):
    time.sleep(delay)
    got = [conn.recv() for _ in range(3)]
    print("read", [len(x) if isinstance(x, bytes) else x for x in got], zlib.crc32(got[1]), flush=True)

def sender(conn):
    conn.send("small")
    conn.send(bytes(range(256)) * 8_000)
    conn.send("after")

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    where, delay = sys.argv[2], float(sys.argv[3])
    there, here = mp.Pipe(duplex=False) if sys.argv[4:] == ["simplex"] else mp.Pipe()[::-1]
    p = mp.Process(target=reader, args=(there, delay))
    p.start()
    if where == "main":
        sender(here)
    else:
        t = threading.Thread(target=sender, args=(here,), name="sender")
        t.start()
        t.join()
    p.join()
    print("sent", p.exitcode)
"""


def test_a_send_on_a_full_pipe_announces_its_wait_in_the_main_thread(procview, plain, method):
    run = procview(FULL_PIPE, method, "main", 0.6)
    assert run.returncode == 0, run
    expected = plain(FULL_PIPE, method, "main", 0.6).out
    assert run.out == expected and expected.startswith("read ['small', 2048000, 'after']"), run
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    sends = t.sorted(t.by_kind("pipe.send", pid=main))
    recvs = t.sorted(t.by_kind("pipe.recv"))
    assert [e["loc"] for e in sends] == ["prog.py:9", "prog.py:10", "prog.py:11"]
    # The bytes on the wire: the library's, all of them, in order.
    assert [(e["size"], e["crc"]) for e in sends] == [(e["size"], e["crc"]) for e in recvs]
    # Only the big one waited: announced once, with its size and the user's stack, ended by its pipe.send.
    wait = t.one("pipe.send.wait", pid=main)
    big = sends[1]
    assert (wait["end"], wait["size"], wait["loc"]) == (big["end"], big["size"], "prog.py:10")
    assert [loc for loc, _ in wait["stack"]] == ["prog.py:20", "prog.py:10"]
    assert sends[0]["t"] < wait["t"] < big["t"]
    assert big["t"] - wait["t"] >= 300_000_000
    # The main thread does not re-announce: the rest of its wait is the library's write.
    assert t.by_kind("wait.still", pid=main) == []
    assert t.by_kind("wait.abort") == []


@pytest.mark.parametrize("kind", ["duplex", "simplex"])
def test_a_send_on_a_full_pipe_in_a_thread_says_it_still_waits(procview, kind):
    run = procview(FULL_PIPE, "fork", "thread", 2.3, kind)
    assert run.returncode == 0, run
    assert run.out.startswith("read ['small', 2048000, 'after']"), run
    t = run.trace
    tid = t.one("thread.begin", pid=t.main_pid, name="sender")["tid"]
    wait = t.one("pipe.send.wait", pid=t.main_pid)
    assert (wait["tid"], wait["loc"], wait["size"]) == (tid, "prog.py:10", 2048000 + 9)
    stills = [e for e in t.by_kind("wait.still", pid=t.main_pid) if e["tid"] == tid]
    assert len(stills) >= 2 and all(e["wait"] == "pipe.send.wait" for e in stills), stills
    (big,) = [e for e in t.by_kind("pipe.send", pid=t.main_pid) if e["loc"] == "prog.py:10"]
    assert big["t"] > stills[-1]["t"]


def test_a_send_whose_reader_goes_away_raises_as_without_procview(procview, plain):
    source = """
        import multiprocessing as mp, time

        def leave(conn):
            time.sleep(0.5)

        if __name__ == "__main__":
            here, there = mp.Pipe()
            p = mp.Process(target=leave, args=(there,))
            p.start()
            there.close()
            try:
                here.send(bytes(4_000_000))
            except OSError as exc:
                print(type(exc).__name__, exc.errno)
            p.join()
        """
    run = procview(source)
    assert run.returncode == 0, run
    # The reader's end closed with the pipe full: ConnectionResetError on Linux (a socket pair).
    expected = plain(source).out
    assert run.out == expected and expected.split()[0] in ("BrokenPipeError", "ConnectionResetError"), run
    t = run.trace
    wait = t.one("pipe.send.wait", pid=t.main_pid)
    abort = t.one("wait.abort", pid=t.main_pid)
    assert (abort["wait"], abort["error"]) == ("pipe.send.wait", expected.split()[0])
    assert abort["t"] > wait["t"]
    assert t.by_kind("pipe.send", pid=t.main_pid) == []


def test_thread_lifecycle(procview):
    run = procview(
        """
        import threading, time

        def work(n):
            time.sleep(n)

        def fail():
            raise ValueError("in thread")

        t1 = threading.Thread(target=work, args=(0.05,), name="T1")
        t1.start()
        t1.join()
        t2 = threading.Thread(target=fail, name="T2", daemon=True)
        t2.start()
        t2.join()
        t3 = threading.Thread(target=work, args=(0.5,), name="T3")
        t3.start()
        t3.join(timeout=0.1)
        print("alive", t3.is_alive(), flush=True)
        t3.join()
        """
    )
    assert run.returncode == 0, run
    assert run.out == "alive True\n"
    assert "ValueError: in thread" in run.err
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    main_tid = t.processes[main]["tid"]
    begins = {e["name"]: e for e in t.by_kind("thread.begin")}
    assert set(begins) == {"T1", "T2", "T3"}
    assert begins["T2"]["daemon"] is True and begins["T1"]["daemon"] is False
    assert all(isinstance(b["native"], int) for b in begins.values())
    # Thread idents are reused once a thread ends: tell the threads apart by time.
    exits = {}
    for name, line in (("T1", 10), ("T2", 13), ("T3", 16)):
        begin = begins[name]
        tid = begin["tid"]
        start = t.one("thread.start", name=name)
        assert start["target"] == tid
        assert start["pid"] == main and start["tid"] == main_tid
        assert start["loc"] == "prog.py:%d" % line and start["daemon"] == begin["daemon"]
        # start() is stamped as it returns, the thread's begin as it runs: a busy machine may run the new
        # thread before start() returns, so allow the parent a slice of scheduling delay.
        assert start["t"] <= begin["t"] + 50_000_000
        exits[name] = [e for e in t.sorted(t.by_kind("thread.exit")) if e["tid"] == tid and e["t"] >= begin["t"]][0]
    assert exits["T1"]["error"] is None
    assert exits["T2"]["error"] == "ValueError"
    assert exits["T3"]["error"] is None
    assert exits["T1"]["t"] < begins["T2"]["t"] and exits["T2"]["t"] < begins["T3"]["t"]

    joins = t.sorted(t.by_kind("thread.join"))
    assert [(j["loc"], j["timeout"], j["alive"]) for j in joins] == [
        ("prog.py:11", None, False),
        ("prog.py:14", None, False),
        ("prog.py:17", 0.1, True),
        ("prog.py:19", None, False),
    ]
    assert joins[2]["target"] == begins["T3"]["tid"]
    assert joins[2]["waited"] >= 80_000_000
    assert t.one("thread.join.wait", loc="prog.py:17")["t"] < joins[2]["t"]
    assert exits["T1"]["t"] <= joins[0]["t"]
    assert exits["T3"]["t"] <= joins[3]["t"]


BLOCKED_ON_THE_USERS_BEHALF = """
    import multiprocessing as mp
    import multiprocessing.connection
    import os, signal, sys, threading, time
    from multiprocessing.pool import ThreadPool

    def killer(parent):
        time.sleep(1.0)
        os.kill(parent, signal.SIGKILL)

    if __name__ == "__main__":
        mp.set_start_method("fork")
        mp.Process(target=killer, args=(os.getpid(),)).start()
        how = sys.argv[1]
        quiet, other = mp.Pipe()
        forever = threading.Event()
        if how == "pool.join":
            blocked = mp.Pool(1)
            blocked.apply_async(time.sleep, (2,))
            blocked.close()
        elif how == "threadpool.join":
            blocked = ThreadPool(1)
            blocked.apply_async(forever.wait)
            blocked.close()
        elif how == "exit":
            threading.Thread(target=forever.wait).start()
        r, w = mp.Pipe(duplex=False)
        w.send("last words")  # recorded, not sent yet: the process sent something less than 50 ms ago
        if how == "connection.wait":
            multiprocessing.connection.wait([quiet])
        elif how == "poll":
            quiet.poll(30)
        elif how in ("pool.join", "threadpool.join"):
            blocked.join()
"""


@pytest.mark.parametrize("how", ["connection.wait", "poll", "pool.join", "threadpool.join", "exit"])
def test_what_was_recorded_is_sent_before_the_library_blocks_on_the_users_behalf(procview, how):
    run = procview(BLOCKED_ON_THE_USERS_BEHALF, how)
    t = run.trace
    main = t.main_pid
    assert t.one("process.exit", pid=main)["signal"] == "SIGKILL", run
    (sent,) = t.by_kind("pipe.send", pid=main)
    assert (sent["repr"], sent["loc"]) == ("'last words'", "prog.py:27")


STARTS_THEN_ALL_BLOCK = """
    import os, threading, time

    def quiet():
        time.sleep(60)

    def starter():
        threading.Thread(target=quiet, name="quiet", daemon=True).start()
        os.read(r, 1)  # blocks, and sends nothing

    r, w = os.pipe()
    threading.Thread(target=starter, name="starter", daemon=True).start()
    with open("pid.tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename("pid.tmp", "pid")
    os.read(r, 1)
"""


def _kill_once_blocked(tmp_path, source):
    """Runs `source` under procview until it writes its pid to ./pid and half a second more, then
    kills its process as the hang watch's kill would: nothing buffered in it is sent after that."""
    write_script(tmp_path, source)
    proc = subprocess.Popen(
        cli_command(SCRIPT_NAME, out=tmp_path / "t.pvtrace"), cwd=tmp_path, env=_env(None),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        pid_file = tmp_path / "pid"
        deadline = time.monotonic() + 30
        while not pid_file.exists():
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        time.sleep(0.5)
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return Trace(tmp_path / "t.pvtrace")


def test_a_thread_start_is_sent_at_once_though_every_thread_then_blocks_unheard(tmp_path):
    # A thread's start was sent with the next event of its process, or 50 ms on: the thread that
    # started it may block next in a call that sends nothing (a ProcessPoolExecutor's manager
    # thread, starting its call queue's feeder, then waiting for results), and a thread the listener
    # does not know as the library's looked like the program's own work: the hang went unseen.
    starts = {e["name"]: e for e in _kill_once_blocked(tmp_path, STARTS_THEN_ALL_BLOCK).by_kind("thread.start")}
    assert sorted(starts) == ["quiet", "starter"], starts
    assert starts["quiet"]["loc"] == "prog.py:7" and starts["starter"]["loc"] == "prog.py:11", starts


PUTS_THEN_BLOCKS_UNHEARD = """
    import multiprocessing as mp, os

    if __name__ == "__main__":
        q = mp.Queue()
        for n in range(3):
            q.put(n)
        r, w = os.pipe()
        with open("pid.tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename("pid.tmp", "pid")
        os.read(r, 1)  # blocks, and sends nothing
"""


def test_a_queue_feeder_that_idles_sends_what_was_recorded(tmp_path):
    # The feeder's sends (and the puts before them) waited for the next event of their process:
    # with the putting thread blocked in a call that sends nothing, they were never sent, and the
    # listener saw items that never left the process (a JoinableQueue's join() then went unseen).
    t = _kill_once_blocked(tmp_path, PUTS_THEN_BLOCKS_UNHEARD)
    assert [e["seq"] for e in t.by_kind("queue.put")] == [0, 1, 2]
    assert [e["seq"] for e in t.by_kind("queue.send")] == [0, 1, 2]
