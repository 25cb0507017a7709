# expect: hang
# kinds: dead-holder
# lints:
# culprits: MainProcess, migrator
# lines: 17, 37
# why: the migrator child takes the schema lock and returns early when the schema is already current without releasing it, so the main process waits for a lock whose holder has exited.
"""A schema migration step run in a child process before the app starts."""

import multiprocessing as mp
import os
import tempfile

TARGET_VERSION = 7


def migrate(schema_lock, version_path):
    schema_lock.acquire()
    with open(version_path) as f:
        current = int(f.read())
    if current >= TARGET_VERSION:
        print(f"schema already at version {current}", flush=True)
        return
    with open(version_path, "w") as f:
        f.write(str(TARGET_VERSION))
    schema_lock.release()


if __name__ == "__main__":
    schema_lock = mp.Lock()
    fd, version_path = tempfile.mkstemp()
    with os.fdopen(fd, "w") as f:
        f.write("7")
    try:
        m = mp.Process(target=migrate, name="migrator", args=(schema_lock, version_path))
        m.start()
        m.join()
        with schema_lock:
            print("starting the application", flush=True)
    finally:
        os.unlink(version_path)
