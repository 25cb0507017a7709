# expect: hang
# kinds: wait-unsignaled, child-crashed
# lints:
# culprits: loader-orders, loader-users, loader-payments
# lines: 21, 19
# why: three loader processes meet at a three-party Barrier before the join step, but the loader for payments raises KeyError on a row without an amount before it reaches the barrier, so the two others wait there forever.
"""Table loaders that synchronise at a Barrier before the join step."""

import multiprocessing as mp

TABLES = {
    "orders": [{"id": 1, "amount": 20}, {"id": 2, "amount": 35}],
    "users": [{"id": 1, "amount": 0}],
    "payments": [{"id": 7, "amount": 12}, {"id": 8}],
}


def load_table(table, rows, loaded):
    total = sum(row["amount"] for row in rows)
    print(f"{table}: {len(rows)} rows, total {total}", flush=True)
    loaded.wait()
    print(f"{table}: joining", flush=True)


if __name__ == "__main__":
    loaded = mp.Barrier(len(TABLES))
    loaders = [mp.Process(target=load_table, name=f"loader-{table}", args=(table, rows, loaded))
               for table, rows in TABLES.items()]
    for p in loaders:
        p.start()
    for p in loaders:
        p.join()
    print("exit codes:", [p.exitcode for p in loaders])
