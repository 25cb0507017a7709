# expect: error
# kinds: child-crashed
# lints:
# culprits: step-2
# lines: 15
# why: in a spawned batch process, the grandchild step-2 raises ZeroDivisionError on an empty batch; the batch process and main both carry on without noticing.
"""A batch process running its steps in grandchild processes, all spawned."""

import multiprocessing as mp

BATCHES = [[4, 8, 15], [], [16, 23, 42]]


def step(index, values):
    mean = sum(values) / len(values)
    print(f"step {index}: mean {mean:.2f}", flush=True)


def run_batch():
    ctx = mp.get_context("spawn")
    for index, values in enumerate(BATCHES, start=1):
        p = ctx.Process(target=step, name=f"step-{index}", args=(index, values))
        p.start()
        p.join()


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    batch = ctx.Process(target=run_batch, name="batch")
    batch.start()
    batch.join()
    print("batch exit code:", batch.exitcode)
