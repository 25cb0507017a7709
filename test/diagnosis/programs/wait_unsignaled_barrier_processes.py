# expect: hang
# kinds: wait-unsignaled
# lints:
# culprits: shard-eu, shard-us, shard-apac
# lines: 22
# why: the Barrier is sized for all four regions but the process for the empty latam shard is never started, so the three shard processes wait forever at the barrier.
"""Per-region shard processes that synchronise before publishing a snapshot."""

import multiprocessing as mp

SHARDS = {
    "eu": [3, 1, 4],
    "us": [1, 5, 9, 2],
    "apac": [6, 5],
    "latam": [],
}


def build_shard(region, rows, all_built, totals):
    totals[region] = sum(rows)
    print(f"shard {region} built", flush=True)
    all_built.wait()
    print(f"shard {region} published", flush=True)


if __name__ == "__main__":
    all_built = mp.Barrier(len(SHARDS))
    manager = mp.Manager()
    totals = manager.dict()
    workers = []
    for region, rows in SHARDS.items():
        if not rows:
            continue
        workers.append(mp.Process(target=build_shard, name=f"shard-{region}",
                                  args=(region, rows, all_built, totals)))
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(dict(totals))
    manager.shutdown()
