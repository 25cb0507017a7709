"""Shared memory: SharedMemory segments (created, attached, closed, unlinked, leaked),
ShareableList, SharedMemoryManager, and sharedctypes Value/Array with their locks."""

import json
import re
import subprocess
import sys
import uuid

import pytest

from conftest import CLI, REPO, check_well_formed

SHM_KINDS = ("shm.new", "shm.attach", "shm.close", "shm.unlink")
_CLI_LINE_ANYWHERE = re.compile(rb"^procview: trace written to [^\n]*\(\d+ events[^\n]*\)\n", re.M)


def same_output(run, plain_run):
    """stdout, stderr and exit status of the traced run are the plain run's.

    The CLI's own line is taken out wherever it is: the resource tracker, which
    outlives the main process, may print its leak warning after it.
    """
    assert run.returncode == plain_run.returncode, (run, plain_run)
    assert run.stdout == plain_run.stdout, (run, plain_run)
    assert _CLI_LINE_ANYWHERE.sub(b"", run.raw_stderr, count=1) == plain_run.stderr, (run, plain_run)


def summary_json(run):
    out = subprocess.run(["node", str(CLI), "summary", "--json", str(run.trace_path)], capture_output=True, check=True)
    return json.loads(out.stdout)


def test_segment_life_across_processes(procview, plain, method):
    source = """
        import multiprocessing as mp, sys
        from multiprocessing import shared_memory

        def child(name, passed):
            mine = shared_memory.SharedMemory(name=name)
            mine.buf[0] = 41
            mine.close()
            passed.buf[1] = 42

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            shm = shared_memory.SharedMemory(create=True, size=64)
            p = mp.Process(target=child, args=(shm.name, shm))
            p.start()
            p.join()
            print(shm.name, shm.buf[0], shm.buf[1])
            shm.close()
            shm.close()
            shm.unlink()
    """
    run = procview(source, method)  # segment names are random: test_output_and_exit_status_unchanged compares output
    assert run.returncode == 0, run
    name, first, second = run.out.split()
    assert (first, second) == ("41", "42")
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    child = t.one("process.spawn")["child"]
    segment = "shm:" + name

    new = t.one("shm.new")
    assert (new["pid"], new["id"], new["type"], new["size"], new["loc"], new["name"]) == (
        main, segment, "SharedMemory", 64, "prog.py:12", "SharedMemory@prog.py:12",
    )
    assert {e["id"] for e in t.by_kind(*SHM_KINDS)} == {segment}

    attaches = t.sorted(t.by_kind("shm.attach"))
    by_user = [(e["pid"], e["loc"], e["type"], e["size"]) for e in attaches if e["loc"] is not None]
    assert by_user == [(child, "prog.py:5", "SharedMemory", 64)]
    implicit = [e for e in attaches if e["loc"] is None]
    if method == "fork":
        assert implicit == []  # the child inherits the mapping
    else:
        assert [e["pid"] for e in implicit] == [child]  # unpickled from the child's arguments

    # One close per mapping: the second close() of the main process is not one.
    closes = [(e["pid"], e["loc"]) for e in t.sorted(t.by_kind("shm.close"))]
    assert closes == [(child, "prog.py:7"), (main, "prog.py:17")]
    unlink = t.one("shm.unlink")
    assert (unlink["pid"], unlink["loc"], unlink["error"]) == (main, "prog.py:19", None)

    [summary] = summary_json(run)["sharedMemory"]
    assert summary["segment"] == name and summary["creator"] == main and summary["loc"] == "prog.py:12"
    assert (summary["created"], summary["closed"], summary["unlinked"], summary["leaked"]) == (1, 2, 1, False)
    assert summary["attached"] == len(attaches)


def test_output_and_exit_status_unchanged(procview, plain, method):
    """A fixed segment name, so the plain run's output is comparable byte for byte."""
    source = """
        import multiprocessing as mp, pickle, sys, zlib
        from multiprocessing import shared_memory

        def child(name):
            s = shared_memory.SharedMemory(name=name)
            print("child sees", bytes(s.buf[:3]), flush=True)
            s.close()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            name = sys.argv[2]
            shm = shared_memory.SharedMemory(name=name, create=True, size=16)
            shm.buf[:3] = b"abc"
            print("pickled", zlib.crc32(pickle.dumps(shm)), zlib.crc32(pickle.dumps(shm, 0)))
            sl = shared_memory.ShareableList([1, "two", 3.0], name=name + "l")
            print("list pickled", zlib.crc32(pickle.dumps(sl)), repr(sl))
            p = mp.Process(target=child, args=(name,))
            p.start()
            p.join()
            sl.shm.close()
            sl.shm.unlink()
            shm.close()
            shm.unlink()
            shm.unlink()  # FileNotFoundError, uncaught
    """
    name = "pvt" + uuid.uuid4().hex[:8]
    plain_run = plain(source, method, name)
    run = procview(source, method, name)
    same_output(run, plain_run)
    assert run.returncode == 1 and b"FileNotFoundError" in run.stderr
    t = run.trace
    unlinks = [(e["id"], e["loc"], e["error"]) for e in t.sorted(t.by_kind("shm.unlink"))]
    assert unlinks == [
        ("shm:" + name + "l", "prog.py:21", None),
        ("shm:" + name, "prog.py:23", None),
        ("shm:" + name, "prog.py:24", "FileNotFoundError"),
    ]
    assert t.one("shm.new", id="shm:" + name + "l")["type"] == "ShareableList"


ERRORS = {
    "missing": """
        from multiprocessing import shared_memory
        shared_memory.SharedMemory(name="pv_no_such_segment")
    """,
    "negative_size": """
        from multiprocessing import shared_memory
        shared_memory.SharedMemory(create=True, size=-1)
    """,
    # close() from __del__ fails while a view is exported: the interpreter prints
    # "Exception ignored in ..." with a traceback the runtime's filters never see.
    "buffer_exported_at_gc": """
        from multiprocessing import shared_memory
        s = shared_memory.SharedMemory(create=True, size=16)
        view = s.buf[0:4]
        s.unlink()
        del s
        print("after del", flush=True)
        try:
            view.release()
        except Exception as exc:
            print(type(exc).__name__)
    """,
    "close_with_view": """
        from multiprocessing import shared_memory
        s = shared_memory.SharedMemory(create=True, size=16)
        view = s.buf[0:4]
        try:
            s.close()
        finally:
            del view
            s.close()
            s.unlink()
    """,
    "bad_list_item": """
        from multiprocessing import shared_memory
        shared_memory.ShareableList([object()])
    """,
    "bad_typecode": """
        import multiprocessing as mp
        mp.Value("zz", 0)
    """,
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_unchanged(procview, plain, case):
    if case == "buffer_exported_at_gc" and sys.version_info < (3, 11):
        pytest.skip("before 3.11 a re-raised exception keeps the wrapper's frame in __del__'s report")
    plain_run = plain(ERRORS[case])
    run = procview(ERRORS[case])

    def normal(data):
        return re.sub(rb"0x[0-9a-f]+", b"0x?", re.sub(rb"psm_[0-9a-f]+", b"psm_?", data))

    assert run.returncode == plain_run.returncode, (run, plain_run)
    assert run.stdout == plain_run.stdout, (run, plain_run)
    assert normal(run.stderr) == normal(plain_run.stderr), (run, plain_run)
    assert b"procview" not in run.stderr


def test_leaked_segment_reported(procview, plain, method):
    source = """
        import multiprocessing as mp, sys, time
        from multiprocessing import resource_tracker, shared_memory

        def make(kept_q):
            leak = shared_memory.SharedMemory(create=True, size=100)
            kept = shared_memory.SharedMemory(create=True, size=200)
            kept_q.put(kept.name)
            kept.close()
            leak.close()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            resource_tracker.ensure_running()  # one tracker for all (a forked child would start its own)
            q = mp.Queue()
            p = mp.Process(target=make, args=(q,))
            p.start()
            name = q.get()
            p.join()
            other = shared_memory.SharedMemory(name=name)
            other.close()
            other.unlink()
            time.sleep(0.3)  # the resource tracker connects before the run ends
            print("done")
    """
    run = procview(source, method)
    same_output(run, plain(source, method))
    assert b"leaked shared_memory" in run.stderr  # CPython's own warning, as without the tool
    t = run.trace
    check_well_formed(t)
    child = t.one("process.spawn")["child"]
    news = {e["size"]: e for e in t.by_kind("shm.new")}
    assert {size: (e["pid"], e["loc"]) for size, e in news.items()} == {100: (child, "prog.py:5"), 200: (child, "prog.py:6")}
    unlink = t.one("shm.unlink")
    assert (unlink["id"], unlink["pid"], unlink["loc"]) == (news[200]["id"], t.main_pid, "prog.py:21")

    segments = {s["id"]: s for s in summary_json(run)["sharedMemory"]}
    leaked = segments[news[100]["id"]]
    assert (leaked["leaked"], leaked["creator"], leaked["loc"], leaked["size"], leaked["unlinked"]) == (
        True, child, "prog.py:5", 100, 0,
    )
    kept = segments[news[200]["id"]]
    assert (kept["leaked"], kept["unlinked"], kept["attached"]) == (False, 1, 1)

    text = subprocess.run(["node", str(CLI), "summary", str(run.trace_path)], capture_output=True, check=True).stdout.decode()
    assert "segment %s created at prog.py:5 was never unlinked" % leaked["segment"] in text
    assert "was never unlinked" not in text.replace("segment %s created at prog.py:5 was never unlinked" % leaked["segment"], "")


def test_manager_segments_unlinked_by_the_manager(procview, plain, method):
    source = """
        import multiprocessing as mp, sys
        from multiprocessing import shared_memory
        from multiprocessing.managers import SharedMemoryManager

        def fill(shm, sl_name, i):
            shm.buf[i] = i + 1
            sl = shared_memory.ShareableList(name=sl_name)
            sl[i] = i * 10
            sl.shm.close()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            with SharedMemoryManager() as smm:
                shm = smm.SharedMemory(size=8)
                sl = smm.ShareableList([0, 0])
                ps = [mp.Process(target=fill, args=(shm, sl.shm.name, i)) for i in range(2)]
                for p in ps:
                    p.start()
                for p in ps:
                    p.join()
                print(bytes(shm.buf[:2]), list(sl))
                shm.close()
                sl.shm.close()
            print("done")
    """
    run = procview(source, method)
    same_output(run, plain(source, method))
    assert run.out == "b'\\x01\\x02' [0, 10]\ndone\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    news = t.sorted(t.by_kind("shm.new"))
    assert [(e["pid"], e["type"], e["loc"]) for e in news] == [
        (main, "SharedMemory", "prog.py:14"),
        (main, "ShareableList", "prog.py:15"),
    ]
    list_id = news[1]["id"]
    attaches = [(e["type"], e["loc"]) for e in t.by_kind("shm.attach") if e["id"] == list_id and e["loc"] is not None]
    assert attaches == [("ShareableList", "prog.py:7")] * 2
    # The manager's server process unlinks both at shutdown: the library's doing, so no loc.
    unlinks = t.by_kind("shm.unlink")
    assert sorted(e["id"] for e in unlinks) == sorted(e["id"] for e in news)
    assert {e["pid"] for e in unlinks} != {main} and all(e["loc"] is None and e["error"] is None for e in unlinks)
    assert not any(s["leaked"] for s in summary_json(run)["sharedMemory"])


def test_values_and_arrays_with_their_locks(procview, method):
    run = procview(
        """
        import ctypes, multiprocessing as mp, sys

        def work(v, a, raw, plain_v, own):
            with v.get_lock():
                v.value += 1
            with a.get_lock():
                a[0] += 1.5
            raw[1] = 7
            plain_v.value = 3
            own.value += 1

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            v = mp.Value("i", 0)
            a = mp.Array("d", 4)
            raw = mp.RawArray(ctypes.c_int16, [1, 2, 3])
            plain_v = mp.Value("q", 0, lock=False)
            lock = mp.Lock()
            own = mp.Value("i", 5, lock=lock)
            rv = mp.RawValue("d", 2.5)
            p = mp.Process(target=work, args=(v, a, raw, plain_v, own))
            p.start()
            p.join()
            with v.get_lock():
                v.value += 1
            print(v.value, a[0], list(raw), plain_v.value, own.value, rv.value)
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "2 1.5 [1, 7, 3] 3 6 2.5\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    child = t.one("process.spawn")["child"]
    news = t.sorted(t.by_kind("shared.new"))
    assert all(e["pid"] == main for e in news)
    assert [(e["type"], e["typecode"], e["size"], e["length"], e["locked"], e["loc"]) for e in news] == [
        ("Value", "i", 4, None, True, "prog.py:14"),
        ("Array", "d", 32, 4, True, "prog.py:15"),
        ("RawArray", "c_short", 6, 3, False, "prog.py:16"),
        ("Value", "q", 8, None, False, "prog.py:17"),
        ("Value", "i", 4, None, True, "prog.py:19"),
        ("RawValue", "d", 8, None, False, "prog.py:20"),
    ]
    assert news[0]["name"] == "Value@prog.py:14"
    assert len({e["id"] for e in news}) == len(news)
    assert [e["lock"] is None for e in news] == [False, False, True, True, False, True]

    # Each lock id names the lock.new of the lock that guards it: the Value's own, or the user's.
    lock_news = {e["loc"]: e for e in t.by_kind("lock.new")}
    assert news[0]["lock"] == lock_news["prog.py:14"]["id"] and lock_news["prog.py:14"]["type"] == "RLock"
    assert news[1]["lock"] == lock_news["prog.py:15"]["id"]
    assert news[4]["lock"] == lock_news["prog.py:18"]["id"] and lock_news["prog.py:18"]["type"] == "Lock"

    # `with v.get_lock():` is the user's lock use, under the id shared.new gave;
    # `.value` and item access (own.value += 1 takes `lock` inside) are not.
    uses = [(e["pid"], e["kind"], e["id"], e["loc"]) for e in t.sorted(t.by_kind("lock.acquire", "lock.release"))]
    assert uses == [
        (child, "lock.acquire", news[0]["lock"], "prog.py:4"),
        (child, "lock.release", news[0]["lock"], "prog.py:4"),
        (child, "lock.acquire", news[1]["lock"], "prog.py:6"),
        (child, "lock.release", news[1]["lock"], "prog.py:6"),
        (main, "lock.acquire", news[0]["lock"], "prog.py:24"),
        (main, "lock.release", news[0]["lock"], "prog.py:24"),
    ]

    values = summary_json(run)["sharedValues"]
    assert [(s["type"], s["lock"], s["creator"]) for s in values] == [(e["type"], e["lock"], main) for e in news]


def test_library_values_are_not_the_users(procview):
    """A Pool's or a Manager's own shared objects are not announced; a Value made by a
    Value's own machinery (RawValue inside Value) is announced once."""
    run = procview(
        """
        import multiprocessing as mp
        from multiprocessing import sharedctypes

        if __name__ == "__main__":
            v = sharedctypes.Value("i", 1)
            a = sharedctypes.Array("b", b"xy", lock=False)
            with mp.Pool(2) as pool:
                print(pool.map(abs, [-1, -2]), v.value, a[:])
        """
    )
    assert run.returncode == 0, run
    t = run.trace
    assert [(e["type"], e["loc"]) for e in t.sorted(t.by_kind("shared.new"))] == [("Value", "prog.py:5"), ("Array", "prog.py:6")]
    assert t.by_kind(*SHM_KINDS) == []


def test_example_runs_and_reports(procview, method):
    source = (REPO / "examples" / "shared_memory_stats.py").read_text()
    run = procview(source, "--start-method", method, "--items", "20000")
    assert run.returncode == 0, run
    assert run.out.rstrip().endswith(": OK"), run
    summary = summary_json(run)
    assert [(s["type"], s["created"], s["unlinked"], s["leaked"]) for s in summary["sharedMemory"]] == [
        ("SharedMemory", 1, 1, False),
        ("ShareableList", 1, 1, False),
    ]
    assert [s["type"] for s in summary["sharedValues"]] == ["Value"]
