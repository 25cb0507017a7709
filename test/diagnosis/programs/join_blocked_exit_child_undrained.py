# expect: hang
# kinds: join-undrained-queue, join-blocked
# lints: process-never-joined
# culprits: MainProcess, exporter
# lines: 14, 20
# why: the exporter puts a large export on a queue that nobody reads, so it cannot exit while its feeder thread holds it; the main process ends without reading it, and waits at exit for the exporter.
"""Export a table in a child process; the main code forgets to collect the export."""

import multiprocessing as mp


def export(out):
    rows = [(i, f"customer-{i}", i * 3.5) for i in range(40_000)]
    out.put(rows)


if __name__ == "__main__":
    out = mp.Queue()
    exporter = mp.Process(target=export, args=(out,), name="exporter")
    exporter.start()
    print("export started")
