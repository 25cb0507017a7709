# expect: hang
# kinds: join-blocked
# lints:
# culprits: MainProcess, release, migration
# lines: 13, 21, 27, 30
# why: the main process holds the deploy lock while it joins the release process, the release process joins its migration child, and the migration waits for the deploy lock the main process holds.
"""A deployment: main holds the deploy lock for the whole release."""

import multiprocessing as mp


def migrate(deploy_lock):
    with deploy_lock:
        print("applying database migrations", flush=True)


def release(deploy_lock):
    print("building the release", flush=True)
    migration = mp.Process(target=migrate, name="migration", args=(deploy_lock,))
    migration.start()
    migration.join()
    print("release done", flush=True)


if __name__ == "__main__":
    deploy_lock = mp.Lock()
    with deploy_lock:
        r = mp.Process(target=release, name="release", args=(deploy_lock,))
        r.start()
        r.join()
    print("deployment finished")
