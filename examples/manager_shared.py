"""Shared dict and list through a multiprocessing.Manager.

What it demonstrates:

* a ``Manager()`` server process holding a dict and a list;
* several worker processes changing them through proxies (each proxy call is
  a request to the manager process);
* a manager ``Lock`` around a read-modify-write of a shared dict entry, which
  a single proxy call would not make atomic;
* ``with Manager() as manager:`` shutting the server down at the end.

The order of the list's items depends on which worker runs first, so it is
printed sorted.

    python3 examples/manager_shared.py [--workers 5]
"""

import argparse
import multiprocessing as mp


def visit(worker_no, table, seen, lock):
    table[f"worker-{worker_no}"] = worker_no * 10
    seen.append(worker_no)
    with lock:
        table["visits"] = table.get("visits", 0) + 1


def main():
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(),
                        help="multiprocessing start method (default: the platform's)")
    args = parser.parse_args()
    if args.start_method:
        mp.set_start_method(args.start_method)

    with mp.Manager() as manager:
        table = manager.dict()
        seen = manager.list()
        lock = manager.Lock()
        workers = [mp.Process(target=visit, args=(n, table, seen, lock), name=f"visitor-{n}")
                   for n in range(args.workers)]
        for proc in workers:
            proc.start()
        for proc in workers:
            proc.join()
        snapshot = dict(table)
        visitors = sorted(seen)

    for key in sorted(snapshot):
        print(f"{key}: {snapshot[key]}")
    print(f"visitors: {visitors}")
    ok = (snapshot.get("visits") == args.workers and visitors == list(range(args.workers))
          and all(p.exitcode == 0 for p in workers))
    print(f"manager: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
