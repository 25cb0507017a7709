# expect: hang
# kinds: join-undrained-queue
# lints:
# culprits: MainProcess, tokenizer-1
# lines: 17, 28
# why: three tokenizer processes each put twenty thousand tokens on one result Queue and the main process joins them all before reading any, so the queue's pipe fills and no tokenizer can exit.
"""Tokenize text shards in parallel and count the tokens afterwards."""

import multiprocessing as mp
from collections import Counter

WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do".split()


def tokenize(shard_id, n_tokens, results):
    for i in range(n_tokens):
        results.put((shard_id, WORDS[(i * 7 + shard_id) % len(WORDS)]))
    results.put((shard_id, None))


if __name__ == "__main__":
    results = mp.Queue()
    workers = [mp.Process(target=tokenize, name=f"tokenizer-{i}", args=(i, 20000, results))
               for i in (1, 2, 3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    counts = Counter()
    finished = 0
    while finished < len(workers):
        shard_id, token = results.get()
        if token is None:
            finished += 1
        else:
            counts[token] += 1
    print(counts.most_common(3))
