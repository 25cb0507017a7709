# expect: hang
# kinds: join-blocked
# lints:
# culprits: MainProcess, worker
# lines: 13, 23
# why: the main process joins the worker before sending it its configuration over the Pipe, and the worker is blocked in recv() waiting for exactly that configuration.
"""A worker process configured over a Pipe by its parent."""

import multiprocessing as mp


def run_worker(conn):
    config = conn.recv()
    total = sum(range(config["n"]))
    conn.send({"total": total})
    conn.close()


if __name__ == "__main__":
    parent_conn, child_conn = mp.Pipe()
    worker = mp.Process(target=run_worker, name="worker", args=(child_conn,))
    worker.start()
    worker.join()
    parent_conn.send({"n": 1000})
    print(parent_conn.recv())
