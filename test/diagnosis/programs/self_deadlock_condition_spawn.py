# expect: hang
# kinds: self-deadlock
# lints:
# culprits: refresher
# lines: 13, 20
# why: the spawned refresher holds a Condition built on a plain multiprocessing.Lock and calls a helper that enters the same Condition again.
"""A token refresher that announces new tokens through a Condition."""

import multiprocessing as mp


def announce(cond, generation):
    with cond:
        generation.value += 1
        cond.notify_all()


def refresh_tokens(cond, generation, rounds):
    for _ in range(rounds):
        with cond:
            print("refreshing token", generation.value + 1, flush=True)
            announce(cond, generation)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    cond = ctx.Condition(ctx.Lock())
    generation = ctx.Value("i", 0)
    p = ctx.Process(target=refresh_tokens, name="refresher", args=(cond, generation, 3))
    p.start()
    p.join()
    print("token generation", generation.value)
