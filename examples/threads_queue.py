"""Threads sharing a queue.Queue, and a threading.Lock guarding a shared dict.

What it demonstrates (threads inside ONE process, no multiprocessing):

* ``threading.Thread`` workers taking lines from one ``queue.Queue``;
* a ``threading.Lock`` protecting a plain dict of word counts that every
  worker updates (``with lock:``);
* one ``None`` end marker per worker, then ``join()`` on every thread.

Which thread counts which line varies; the counts printed do not.
``--start-method`` is accepted like in the other examples; this one starts no
processes, so it changes nothing.

    python3 examples/threads_queue.py [--threads 4] [--lines 400]
"""

import argparse
import multiprocessing as mp
import queue
import threading

WORDS = ("lock", "queue", "thread", "process", "pipe", "join", "event", "value")


def make_line(index):
    return " ".join(WORDS[(index + k * k) % len(WORDS)] for k in range(1 + index % 6))


def count_words(lines, counts, lock, handled):
    """Count words of each line until ``None``; merge into ``counts`` under ``lock``."""
    done = 0
    while True:
        line = lines.get()
        if line is None:
            break
        local = {}
        for word in line.split():
            local[word] = local.get(word, 0) + 1
        with lock:
            for word, n in local.items():
                counts[word] = counts.get(word, 0) + n
        done += 1
    handled[threading.current_thread().name] = done  # each thread writes its own key


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--lines", type=int, default=400)
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="accepted for uniformity; no processes are started")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    lines = queue.Queue(maxsize=50)
    counts = {}
    lock = threading.Lock()
    handled = {}
    threads = [threading.Thread(target=count_words, args=(lines, counts, lock, handled),
                                name=f"counter-{n}")
               for n in range(args.threads)]
    for thread in threads:
        thread.start()
    for index in range(args.lines):
        lines.put(make_line(index))
    for _ in threads:
        lines.put(None)  # one end marker per thread
    for thread in threads:
        thread.join()

    expected = {}
    for index in range(args.lines):
        for word in make_line(index).split():
            expected[word] = expected.get(word, 0) + 1
    ok = counts == expected and sum(handled.values()) == args.lines
    for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{word:8} {n}")
    print(f"{args.threads} threads counted {sum(counts.values())} words in "
          f"{sum(handled.values())} lines: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
