"""multiprocessing queues: ids across processes, put/send/get matching, Full/Empty,
unpicklable items, items left in the feeder buffer, JoinableQueue, SimpleQueue,
and the library's own use of queues and locks staying out of the trace."""

import collections
import re

from conftest import check_well_formed

PIPELINE = """
import multiprocessing as mp, sys

def worker(inq, outq):
    while True:
        item = inq.get()
        if item is None:
            break
        outq.put(item.upper())

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    inq = mp.Queue()
    outq = mp.Queue()
    workers = [mp.Process(target=worker, args=(inq, outq)) for _ in range(2)]
    for w in workers:
        w.start()
    for i in range(10):
        inq.put("item %d" % i)
    for w in workers:
        inq.put(None)
    results = sorted(outq.get() for _ in range(10))
    for w in workers:
        w.join()
    print(results)
"""


def test_ids_equal_across_processes_and_every_put_matched(procview, method):
    run = procview(PIPELINE, method)
    assert run.returncode == 0, run
    assert run.out == str(sorted("ITEM %d" % i for i in range(10))) + "\n"
    t = run.trace
    check_well_formed(t)
    main = t.main_pid
    workers = {e["child"] for e in t.by_kind("process.spawn", pid=main)}
    assert len(workers) == 2

    news = t.by_kind("queue.new")
    assert [(e["pid"], e["type"], e["maxsize"], e["loc"]) for e in news] == [
        (main, "Queue", 0, "prog.py:12"),
        (main, "Queue", 0, "prog.py:13"),
    ]
    assert [e["name"] for e in news] == ["Queue@prog.py:12", "Queue@prog.py:13"]
    inq, outq = news[0]["id"], news[1]["id"]
    assert inq != outq

    # Every queue event, in every process, names a queue that queue.new announced.
    for kind in ("queue.put", "queue.get", "queue.send", "queue.put.wait", "queue.get.wait", "queue.buffered"):
        for e in t.by_kind(kind):
            assert e["id"] in (inq, outq), e

    puts = t.by_kind("queue.put")
    sends = t.by_kind("queue.send")
    gets = t.by_kind("queue.get")
    assert len(puts) == len(sends) == len(gets) == 22
    assert all(e["outcome"] == "ok" for e in puts + gets)

    triples = t.match_queues()
    assert len(triples) == 22
    for put, send, get in triples:
        assert send is not None, put
        assert get is not None, put
        assert put["id"] == send["id"] == get["id"]
        assert send["pid"] == put["pid"]
        if put["id"] == inq:
            assert put["pid"] == main and get["pid"] in workers
            assert put["loc"] in ("prog.py:18", "prog.py:20")
            assert get["loc"] == "prog.py:5"
        else:
            assert put["pid"] in workers and get["pid"] == main
            assert put["loc"] == "prog.py:8"
            assert get["loc"] == "prog.py:21"
        assert put["t"] <= send["t"] + 1_000_000  # clocks of one process: send follows put
        # One clock for all processes, but a send is stamped once its bytes are written,
        # and the getter may read them and stamp its get first (a loaded machine delays the feeder).
        assert send["t"] <= get["t"] + 50_000_000

    # Reprs are those of the items; each get received the item its put sent.
    in_reprs = [p["repr"] for p, _, _ in sorted(triples, key=lambda x: x[0]["t"]) if p["id"] == inq]
    assert in_reprs == ["'item %d'" % i for i in range(10)] + ["None", "None"]
    out_reprs = sorted(p["repr"] for p, _, _ in triples if p["id"] == outq)
    assert out_reprs == sorted("'ITEM %d'" % i for i in range(10))

    # seq numbers each process's puts on each queue from 0, in order.
    seqs = collections.defaultdict(list)
    for p in t.sorted(puts):
        seqs[(p["pid"], p["id"])].append(p["seq"])
    for key, values in seqs.items():
        assert values == list(range(len(values))), (key, values)


def test_bounded_put_full_and_get_empty(procview, plain):
    source = """
        import multiprocessing as mp, queue, sys

        if __name__ == "__main__":
            q = mp.Queue(1)
            q.put("first")
            try:
                q.put("second", timeout=0.2)
            except queue.Full as exc:
                print("Full", type(exc).__module__, type(exc).__name__, flush=True)
            try:
                q.put_nowait("third")
            except queue.Full:
                print("Full nowait", flush=True)
            print(q.get())
            e = mp.Queue()
            try:
                e.get(timeout=0.2)
            except queue.Empty as exc:
                print("Empty", type(exc).__module__, type(exc).__name__, flush=True)
            try:
                e.get(block=False)
            except queue.Empty:
                print("Empty nowait")
        """
    run = procview(source)
    base = plain(source)
    assert (run.returncode, run.stdout, run.stderr) == (base.returncode, base.stdout, base.stderr)
    assert run.out == "Full queue Full\nFull nowait\nfirst\nEmpty _queue Empty\nEmpty nowait\n"
    t = run.trace
    new = t.by_kind("queue.new")
    assert [e["maxsize"] for e in new] == [1, 0]
    q, e = new[0]["id"], new[1]["id"]

    puts = t.sorted(t.by_kind("queue.put"))
    assert [(p["repr"], p["outcome"], p["block"]) for p in puts] == [
        ("'first'", "ok", True),
        ("'second'", "full", True),
        ("'third'", "full", False),
    ]
    assert puts[1]["waited"] >= 150_000_000
    assert puts[2]["waited"] == 0
    wait = t.one("queue.put.wait", id=q)
    assert wait["loc"] == "prog.py:7" and wait["t"] < puts[1]["t"]
    # A put that failed never reaches the pipe.
    assert len(t.by_kind("queue.send")) == 1

    gets = t.sorted(t.by_kind("queue.get", ))
    assert [(g["id"], g["outcome"], g["block"]) for g in gets] == [(q, "ok", True), (e, "empty", True), (e, "empty", False)]
    assert gets[1]["waited"] >= 150_000_000
    assert gets[2]["waited"] == 0
    assert t.one("queue.get.wait", id=e)["loc"] == "prog.py:17"


def normalize_addresses(text):
    return re.sub(r"0x[0-9a-f]+", "0x?", text)


UNPICKLABLE = """
import multiprocessing as mp, sys, threading, time

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()
    q.put(lambda: 1)
    time.sleep(0.2)
    q.put(threading.Lock())
    time.sleep(0.2)
    q.put("fine")
    print("got", q.get(timeout=5))
    try:
        q.get(timeout=0.3)
    except Exception as exc:
        print("then", type(exc).__name__)
"""


def test_unpicklable_item_lost_and_program_unchanged(procview, plain, method):
    run = procview(UNPICKLABLE, method)
    base = plain(UNPICKLABLE, method)
    assert run.out == base.out == "got fine\nthen Empty\n"
    assert run.returncode == base.returncode == 0
    # Only the addresses in "<function <lambda> at 0x...>" differ from run to run.
    assert normalize_addresses(run.err) == normalize_addresses(base.err)
    assert "PicklingError" in run.err or "cannot pickle" in run.err

    t = run.trace
    lost = t.sorted(t.by_kind("queue.lost"))
    qid = t.one("queue.new")["id"]
    assert [(e["id"], e["seq"]) for e in lost] == [(qid, 0), (qid, 1)]
    assert all(e["error"] for e in lost)
    puts = t.sorted(t.by_kind("queue.put"))
    assert [p["outcome"] for p in puts] == ["ok", "ok", "ok"]
    assert puts[0]["repr"].startswith("<function <lambda>")
    [(put, send, get)] = [m for m in t.match_queues() if m[1] is not None]
    assert put["repr"] == "'fine'" and put["seq"] == 2 and get is not None


JOIN_BEFORE_DRAIN = """
import multiprocessing as mp, sys

def child(q):
    q.put(b"x" * 1_000_000)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    p.join(timeout=0.5)
    print("alive after join(0.5):", p.is_alive(), flush=True)
    item = q.get()
    p.join()
    print(len(item), p.exitcode)
"""


def test_join_before_drain_reports_buffered(procview, method):
    run = procview(JOIN_BEFORE_DRAIN, method)
    assert run.returncode == 0, run
    assert run.out == "alive after join(0.5): True\n1000000 0\n"
    t = run.trace
    check_well_formed(t)
    child = t.one("process.spawn")["child"]
    qid = t.one("queue.new")["id"]
    buffered = t.by_kind("queue.buffered", pid=child)
    assert buffered and buffered[0]["id"] == qid and buffered[0]["count"] == 1
    joins = t.sorted([j for j in t.by_kind("process.join") if j["target"] == child])
    assert [(j["timeout"], j["code"]) for j in joins] == [(0.5, None), (None, 0)]
    assert joins[0]["waited"] >= 400_000_000
    assert t.one("process.join.wait", target=child, timeout=0.5)["t"] < joins[0]["t"]
    # The child said it still held the item before the parent's last join ended (its first, join(0.5),
    # usually gives up after that too, but a spawn child on a loaded machine may start later than 0.5 s).
    assert buffered[0]["t"] < joins[1]["t"]
    [(put, send, get)] = t.match_queues()
    assert send["size"] == get["size"] > 1_000_000
    assert put["repr"].startswith("b'xxx")
    assert len(put["repr"]) <= 120


def test_joinable_and_simple_queues(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        def child(jq, sq):
            for _ in range(3):
                item = jq.get()
                sq.put(item * 10)
                jq.task_done()

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            jq = mp.JoinableQueue()
            sq = mp.SimpleQueue()
            p = mp.Process(target=child, args=(jq, sq))
            p.start()
            for i in range(3):
                jq.put(i)
            jq.join()
            print(sorted(sq.get() for _ in range(3)))
            p.join()
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "[0, 10, 20]\n"
    t = run.trace
    check_well_formed(t)
    new = {e["type"]: e for e in t.by_kind("queue.new")}
    assert set(new) == {"JoinableQueue", "SimpleQueue"}
    assert new["JoinableQueue"]["loc"] == "prog.py:11"
    assert new["SimpleQueue"]["name"] == "SimpleQueue@prog.py:12"
    jq, sq = new["JoinableQueue"]["id"], new["SimpleQueue"]["id"]
    child = t.one("process.spawn")["child"]

    jputs = [e for e in t.by_kind("queue.put") if e["id"] == jq]
    sputs = [e for e in t.by_kind("queue.put") if e["id"] == sq]
    assert len(jputs) == 3 and all(p["pid"] == t.main_pid for p in jputs)
    assert len(sputs) == 3 and all(p["pid"] == child for p in sputs)
    assert all(p["size"] and p["crc"] is not None for p in sputs)
    assert sorted(p["repr"] for p in sputs) == ["0", "10", "20"]
    triples = t.match_queues()
    assert len(triples) == 6
    for put, send, get in triples:
        assert get is not None, put
        assert get["pid"] == (child if put["id"] == jq else t.main_pid)
        if put["id"] == jq:
            assert send is not None


def test_joinable_and_simple_queue_inner_locks_not_reported(procview):
    """JoinableQueue's _unfinished_tasks Semaphore and _cond, SimpleQueue's
    _rlock/_wlock are the library's: no lock.* events at all."""
    run = procview(
        """
        import multiprocessing as mp

        if __name__ == "__main__":
            jq = mp.JoinableQueue()
            sq = mp.SimpleQueue()
            jq.put(1)
            jq.get()
            jq.task_done()
            jq.join()
            sq.put(2)
            sq.get()
        """
    )
    assert run.returncode == 0, run
    t = run.trace
    assert len(t.by_kind("queue.new")) == 2
    assert t.by_kind("lock.new", "lock.acquire", "lock.release", "lock.wait") == []


def test_library_inner_queue_and_lock_use_not_reported(procview, method):
    run = procview(
        """
        import multiprocessing as mp, sys

        def square(x):
            return x * x

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            q = mp.Queue(3)
            for i in range(3):
                q.put(i)
            print([q.get() for _ in range(3)])
            with mp.Pool(2) as pool:
                print(pool.map(square, range(5)))
        """,
        method,
    )
    assert run.returncode == 0, run
    assert run.out == "[0, 1, 2]\n[0, 1, 4, 9, 16]\n"
    t = run.trace
    check_well_formed(t)
    # The Queue's _rlock/_wlock/_sem/_notempty and the Pool's inner queues and locks are the library's.
    assert t.by_kind("lock.new", "lock.acquire", "lock.release", "lock.wait") == []
    assert [e["loc"] for e in t.by_kind("queue.new")] == ["prog.py:8"]
    assert {e["id"] for e in t.by_kind("queue.put", "queue.get", "queue.send")} == {t.one("queue.new")["id"]}
    assert t.by_kind("pipe.new", "pipe.send", "pipe.recv") == []


def test_task_done_and_join_on_joinable_and_thread_queues(procview, plain, method):
    source = """
        import multiprocessing as mp, queue, sys, threading, time

        def worker(jobs):
            while True:
                item = jobs.get()
                time.sleep(0.05)
                jobs.task_done()
                if item is None:
                    break

        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            jobs = mp.JoinableQueue()
            child = mp.Process(target=worker, args=(jobs,))
            child.start()
            jobs.put(1)
            jobs.put(None)
            jobs.join()
            child.join()
            local = queue.Queue()
            helper = threading.Thread(target=lambda: (local.get(), time.sleep(0.05), local.task_done()))
            helper.start()
            local.put("x")
            local.join()
            helper.join()
            print("joined", child.exitcode)
        """
    run = procview(source, method)
    assert run.returncode == 0, run
    assert run.stdout == plain(source, method).stdout == b"joined 0\n"
    t = run.trace
    mp_queue, local_queue = (e["id"] for e in t.sorted(t.by_kind("queue.new")))
    done = [e["id"] for e in t.by_kind("queue.task_done")]
    assert done.count(mp_queue) == 2 and done.count(local_queue) == 1
    joins = {e["id"]: e for e in t.by_kind("queue.join")}
    assert set(joins) == {mp_queue, local_queue}
    assert joins[mp_queue]["loc"] == "prog.py:18" and joins[mp_queue]["waited"] >= 50_000_000
    assert joins[local_queue]["waited"] >= 30_000_000
    assert {e["id"] for e in t.by_kind("queue.join.wait")} == {mp_queue, local_queue}
    # the JoinableQueue's own semaphore and condition stay the library's
    assert not t.by_kind("lock.acquire") and not t.by_kind("sync.wait")


def test_simple_queue_puts_from_several_threads_get_distinct_seqs(procview):
    run = procview(
        """
        import multiprocessing as mp, sys, threading

        if __name__ == "__main__":
            sq = mp.SimpleQueue()
            def putter(base):
                for i in range(300):
                    sq.put((base, i))
            threads = [threading.Thread(target=putter, args=(n,)) for n in range(3)]
            for t in threads:
                t.start()
            got = [sq.get() for _ in range(900)]
            for t in threads:
                t.join()
            print(len(set(got)))
        """
    )
    assert run.returncode == 0, run
    assert run.out == "900\n"
    puts = run.trace.by_kind("queue.put")
    assert len(puts) == 900
    assert len({p["seq"] for p in puts}) == 900


def test_thread_queue_items_taken_by_library_code_leave_no_bookkeeping(procview):
    # The user puts; the standard library gets (logging's QueueListener drains the
    # user's queue on its own thread): nothing may stay behind in procview's
    # put->get bookkeeping, or a later object reusing an id would take a stale seq.
    run = procview(
        """
        import logging, logging.handlers, queue

        class Count(logging.Handler):
            n = 0
            def emit(self, record):
                Count.n += 1

        if __name__ == "__main__":
            q = queue.Queue()
            listener = logging.handlers.QueueListener(q, Count())
            listener.start()
            for i in range(1000):
                q.put(logging.makeLogRecord({"msg": "item %d" % i}))
            listener.stop()
            state = q.__dict__.get("_pv")
            print(Count.n, "left:", None if state is None else len(state.inside))
        """
    )
    assert run.returncode == 0, run
    assert run.out == "1000 left: 0\n"
    assert len(run.trace.by_kind("queue.put")) == 1000
    assert run.trace.by_kind("queue.get") == []  # the library's gets are not the user's


def test_item_reprs_never_call_user_repr_even_inside_containers(procview, plain):
    program = """
        import multiprocessing as mp

        class Noisy:
            def __repr__(self):
                print("Noisy.__repr__ was called")  # a side effect the program never asked for
                return "Noisy()"

        if __name__ == "__main__":
            q = mp.Queue()
            q.put([Noisy(), {"z": 1, "a": (Noisy(), 2)}])
            q.put({"zebra": 1, "apple": 2, "mango": 3})
            print(len(q.get()), list(q.get()))
    """
    run = procview(program)
    assert (run.stdout, run.returncode) == (plain(program).stdout, 0), run
    assert "was called" not in run.out
    first, second = [e["repr"] for e in run.trace.by_kind("queue.put")]
    assert first == "[<__main__.Noisy object>, {'z': 1, 'a': (<__main__.Noisy object>, 2)}]"
    assert second == "{'zebra': 1, 'apple': 2, 'mango': 3}"  # in the dict's own order
