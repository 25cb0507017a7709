# expect: hang
# kinds: put-blocked
# lints:
# culprits: MainProcess
# lines: 26
# why: the main process puts all 200 rows into a Queue bounded to 50 before it starts the consumer processes, so the 51st put() waits forever on a full queue that nobody has been started to read.
"""Rows are queued for two validator processes that are started afterwards."""

import multiprocessing as mp


def validate(rows, errors):
    while True:
        row = rows.get()
        if row is None:
            break
        if row["qty"] < 0:
            errors.put(row["id"])


if __name__ == "__main__":
    rows = mp.Queue(maxsize=50)
    errors = mp.Queue()
    validators = [mp.Process(target=validate, name=f"validator-{i}", args=(rows, errors)) for i in (1, 2)]
    for n in range(200):
        rows.put({"id": n, "qty": n % 7 - 1})
    for _ in validators:
        rows.put(None)
    for p in validators:
        p.start()
    for p in validators:
        p.join()
    print("rows with errors:", errors.qsize())
