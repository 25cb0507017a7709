# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits:
# lines: 15, 24
# why: the three phase tasks meet at a three-party Manager Barrier, but the Pool has only two workers, so the two running tasks wait at the barrier forever and the third task never starts.
"""Pool tasks that synchronise at a barrier, on a pool smaller than the barrier."""

import multiprocessing as mp


def phase(args):
    part, barrier, results = args
    results.append((part, "loaded"))
    barrier.wait()
    results.append((part, "merged"))
    return part


if __name__ == "__main__":
    with mp.Manager() as manager:
        barrier, results = manager.Barrier(3), manager.list()
        with mp.Pool(2) as pool:
            parts = pool.map(phase, [(p, barrier, results) for p in ("a", "b", "c")], chunksize=1)
        print(parts, list(results))
