# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: a spawned parser and a spawned writer are linked by Manager queues with one end marker each; the source waits four seconds for its second batch, so both stages sit in get() for a while, but the source is alive and every marker arrives.
"""A two-stage pipeline of spawned processes linked by Manager queues."""

import multiprocessing as mp
import time


def parse(raw, parsed):
    while True:
        line = raw.get()
        if line is None:
            parsed.put(None)
            break
        key, _, value = line.partition("=")
        parsed.put((key.strip(), int(value)))


def write(parsed, totals):
    while True:
        pair = parsed.get()
        if pair is None:
            break
        totals[pair[0]] = totals.get(pair[0], 0) + pair[1]


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        raw, parsed, totals = manager.Queue(), manager.Queue(), manager.dict()
        parser = ctx.Process(target=parse, name="parser", args=(raw, parsed))
        writer = ctx.Process(target=write, name="writer", args=(parsed, totals))
        parser.start()
        writer.start()
        for batch in (["a = 1", "b = 2"], ["a = 3", "c = 4"]):
            for line in batch:
                raw.put(line)
            time.sleep(4)  # the next batch comes from a slow export
        raw.put(None)
        parser.join()
        writer.join()
        print(dict(totals))
