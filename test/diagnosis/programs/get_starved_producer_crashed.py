# expect: hang
# kinds: get-starved, child-crashed
# lints:
# culprits: db-loader, csv-reader
# lines: 21, 29
# why: the csv-reader producer raises on a malformed row before it sends its None end marker, so the db-loader consumer waits forever on an empty queue.
"""Load CSV rows into a (pretend) database through a producer/consumer queue."""

import multiprocessing as mp

ROWS = [
    "1,alice,34",
    "2,bob,27",
    "3,carol",
    "4,dave,45",
]


def read_csv(rows, out):
    for row in rows:
        ident, name, age = row.split(",")
        out.put({"id": int(ident), "name": name, "age": int(age)})
    out.put(None)


def load_rows(inbox):
    loaded = 0
    while True:
        record = inbox.get()
        if record is None:
            break
        loaded += 1
    print("loaded", loaded, "records", flush=True)


if __name__ == "__main__":
    q = mp.Queue()
    producer = mp.Process(target=read_csv, name="csv-reader", args=(ROWS, q))
    consumer = mp.Process(target=load_rows, name="db-loader", args=(q,))
    producer.start()
    consumer.start()
    producer.join()
    consumer.join()
    print("import finished")
