"""A holder on record before it can be killed: a process-shared lock or semaphore
just taken is sent promptly (a parent's terminate() cannot lose it), and the
user's own signals (os.kill, os.killpg, signal.raise_signal, os.abort) send
everything recorded before they are made."""

from conftest import check_well_formed

TERMINATED_HOLDERS = """
    import multiprocessing as mp, sys, time

    def hold(what, started, flag):
        started.set()  # sends everything (a signal to other processes), just before the acquire
        what.acquire()
        flag.value = 1  # no event, no send: only the acquire itself may have sent
        time.sleep(60)

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        manager = mp.Manager()
        held = {"lock": mp.Lock(), "sem": mp.Semaphore(2), "mgr": manager.Lock()}
        children = []
        for name, what in held.items():
            started, flag = mp.Event(), mp.RawValue("i", 0)
            child = mp.Process(target=hold, name=name, args=(what, started, flag))
            child.start()
            while not flag.value:
                time.sleep(0.001)
            children.append((child, started))
        children = [child for child, _ in children]
        for child in children:
            child.terminate()
            child.join()
        print([c.exitcode for c in children])
        manager.shutdown()
"""


def test_holders_terminated_by_the_parent_are_on_record(procview, plain, method):
    run = procview(TERMINATED_HOLDERS, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(TERMINATED_HOLDERS, method).stdout == b"[-15, -15, -15]\n"
    t = run.trace
    check_well_formed(t)
    news = {e["type"]: e["id"] for e in t.by_kind("lock.new")}
    assert set(news) == {"Lock", "Semaphore", "Manager.Lock"}
    for name, kind in (("lock", "Lock"), ("sem", "Semaphore"), ("mgr", "Manager.Lock")):
        child = t.by_name(name)["pid"]
        # the child died holding it: its acquire, at its line, is in the trace
        assert [(e["kind"], e["loc"], e["outcome"]) for e in t.by_kind("lock.acquire", pid=child)] == [
            ("lock.acquire", "prog.py:5", "ok")
        ], name
        assert t.one("lock.acquire", pid=child)["id"] == news[kind]
        assert t.one("process.reaped", child=child)["signal"] == "SIGTERM"


def test_a_lock_loop_sends_at_most_once_a_millisecond(procview):
    # The prompt send is rate-limited: a busy lock loop still sends in batches.
    run = procview(
        """
        import multiprocessing as mp

        if __name__ == "__main__":
            lock = mp.Lock()
            for _ in range(20000):
                with lock:
                    pass
        """
    )
    assert run.returncode == 0, run
    t = run.trace
    lock = t.one("lock.new")["id"]
    assert len([e for e in t.lock_events(lock) if e["kind"] == "lock.acquire"]) == 20000


SIGNALLED_HOLDER = """
    import multiprocessing as mp, os, resource, signal, sys, threading

    def die(how):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        lock = threading.Lock()  # a lock of this process alone: only the signal's send saves its acquire
        lock.acquire()
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif how == "killpg":
            os.setpgrp()
            os.killpg(os.getpgrp(), signal.SIGKILL)
        elif how == "raise_signal":
            signal.raise_signal(signal.SIGKILL)
        elif how == "abort":
            os.abort()

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        codes = []
        for how in ("kill", "killpg", "raise_signal", "abort"):
            child = mp.Process(target=die, name=how, args=(how,))
            child.start()
            child.join()
            codes.append(child.exitcode)
        print(codes)
"""


def test_the_users_own_signals_send_first(procview, plain, method):
    run = procview(SIGNALLED_HOLDER, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(SIGNALLED_HOLDER, method).stdout == b"[-9, -9, -9, -6]\n"
    t = run.trace
    check_well_formed(t)
    for how in ("kill", "killpg", "raise_signal", "abort"):
        child = t.by_name(how)["pid"]
        assert [(e["kind"], e["loc"]) for e in t.events_of(child) if e["kind"].startswith("lock.")] == [
            ("lock.new", "prog.py:5"),
            ("lock.acquire", "prog.py:6"),
        ], how
        assert t.own_exits(child) == [], how  # it never got to say goodbye: the signal ended it


def test_sigkill_of_a_holder_by_itself(procview, method):
    # As the OOM killer would do it to a process holding a shared lock.
    run = procview(
        """
        import multiprocessing as mp, os, signal, sys

        def warm(cache_lock):
            cache_lock.acquire()
            os.kill(os.getpid(), signal.SIGKILL)

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            cache_lock = mp.Lock()
            warmer = mp.Process(target=warm, name="warmer", args=(cache_lock,))
            warmer.start()
            warmer.join()
            print(warmer.exitcode, cache_lock.acquire(timeout=0.1))
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "-9 False\n"
    t = run.trace
    warmer = t.by_name("warmer")["pid"]
    lock = t.one("lock.new")["id"]
    assert [(e["kind"], e["pid"], e["loc"]) for e in t.lock_events(lock)[1:]] == [
        ("lock.acquire", warmer, "prog.py:4"),
        ("lock.wait", t.main_pid, "prog.py:13"),
        ("lock.acquire", t.main_pid, "prog.py:13"),
    ]
    assert t.lock_events(lock)[-1]["outcome"] == "timeout"
    assert t.one("process.reaped", child=warmer)["signal"] == "SIGKILL"


SIGNAL_FUNCTIONS_UNCHANGED = """
    import os, pickle, signal

    print(pickle.loads(pickle.dumps(os.kill)) is os.kill, pickle.loads(pickle.dumps(signal.raise_signal)) is signal.raise_signal)
    print(os.kill.__name__, os.killpg.__module__, signal.raise_signal.__name__)
    os.kill(os.getpid(), 0)
    try:
        os.kill(os.getpid(), pid=0)
    except TypeError as exc:
        print(exc)
    os.kill(2 ** 22 + 12345, 0)
"""


def test_signal_functions_behave_as_before(procview, plain):
    run = procview(SIGNAL_FUNCTIONS_UNCHANGED)
    base = plain(SIGNAL_FUNCTIONS_UNCHANGED)
    assert (run.stdout, run.stderr, run.returncode) == (base.stdout, base.stderr, base.returncode)
    assert run.returncode == 1 and b"ProcessLookupError" in run.stderr

