# expect: hang
# kinds: wait-unsignaled, child-crashed
# lints:
# culprits: trainer, scheduler
# lines: 13, 19
# why: the scheduler process crashes before it sets the Manager Event that starts training, so the spawned trainer waits forever on an Event nobody can set.
"""A scheduler that starts a trainer through a Manager Event; both are spawned."""

import multiprocessing as mp


def schedule(start, config):
    batch_size = int(config["batch_size"])
    config["steps"] = 1000 // batch_size
    start.set()


def train(start, config):
    start.wait()
    print("training for", config["steps"], "steps", flush=True)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Event()
        config = manager.dict({"batch_size": "32x"})
        trainer = ctx.Process(target=train, name="trainer", args=(start, config))
        scheduler = ctx.Process(target=schedule, name="scheduler", args=(start, config))
        trainer.start()
        scheduler.start()
        scheduler.join()
        trainer.join()
