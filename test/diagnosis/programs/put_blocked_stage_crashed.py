# expect: hang
# kinds: put-blocked, child-crashed
# lints:
# culprits: parser, writer
# lines: 18, 28
# why: the writer process crashes on a record without a "total" field, so the parser fills the bounded output queue and waits forever in put(), and the main process waits forever joining the parser.
"""A three-stage pipeline: main feeds a parser, the parser feeds a writer."""

import json
import multiprocessing as mp


def parse(raw_lines, parsed):
    while True:
        line = raw_lines.get()
        if line is None:
            break
        parsed.put(json.loads(line))
    parsed.put(None)


def write(parsed):
    grand_total = 0
    while True:
        record = parsed.get()
        if record is None:
            break
        grand_total += record["total"]
    print("grand total", grand_total, flush=True)


if __name__ == "__main__":
    raw_lines = mp.Queue()
    parsed = mp.Queue(maxsize=3)
    parser = mp.Process(target=parse, name="parser", args=(raw_lines, parsed))
    writer = mp.Process(target=write, name="writer", args=(parsed,))
    parser.start()
    writer.start()
    for n in range(30):
        order = {"order": n, "total": n * 10} if n != 2 else {"order": n, "sum": 20}
        raw_lines.put(json.dumps(order))
    raw_lines.put(None)
    parser.join()
    writer.join()
    print("pipeline finished")
