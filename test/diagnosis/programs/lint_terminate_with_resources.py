# expect: ok
# kinds:
# lints: terminate-with-resources
# culprits: tailer
# lines: 23
# why: the main process terminate()s the tailer while it may be in the middle of putting on the shared queue, which can leave the queue corrupted; this run happens to end normally.
"""Read the first lines a tailer process produces, then stop it with terminate()."""

import itertools
import multiprocessing as mp


def tail(lines):
    for n in itertools.count():
        lines.put(f"log line {n}")


if __name__ == "__main__":
    lines = mp.Queue(maxsize=100)
    tailer = mp.Process(target=tail, name="tailer", args=(lines,))
    tailer.start()
    first = [lines.get() for _ in range(10)]
    tailer.terminate()
    tailer.join()
    print("\n".join(first))
    print("tailer exit code:", tailer.exitcode)
