# expect: hang
# kinds: lock-cycle
# lints:
# culprits: sync-up, sync-down
# lines: 13, 16, 22, 25
# why: two spawned processes take the same two Manager locks in opposite order, so each holds one proxy lock and waits forever on the other.
"""Two-way folder sync with Manager locks, started with the spawn method."""

import multiprocessing as mp


def sync_up(local_lock, remote_lock, both_locked, files):
    with local_lock:
        snapshot = sorted(files.keys())
        both_locked.wait()
        with remote_lock:
            for name in snapshot:
                files[name] = "uploaded"


def sync_down(local_lock, remote_lock, both_locked, files):
    with remote_lock:
        incoming = ["report.pdf", "notes.txt"]
        both_locked.wait()
        with local_lock:
            for name in incoming:
                files[name] = "downloaded"


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        local_lock = manager.Lock()
        remote_lock = manager.Lock()
        both_locked = manager.Barrier(2)
        files = manager.dict({"todo.md": "local", "budget.xlsx": "local"})
        up = ctx.Process(target=sync_up, name="sync-up",
                         args=(local_lock, remote_lock, both_locked, files))
        down = ctx.Process(target=sync_down, name="sync-down",
                           args=(local_lock, remote_lock, both_locked, files))
        up.start()
        down.start()
        up.join()
        down.join()
        print(dict(files))
