# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: thread-pool tasks each wait four seconds on an external command and the main thread waits on their futures; all results arrive.
"""A ThreadPoolExecutor whose tasks wait on external commands."""

import subprocess
from concurrent.futures import ThreadPoolExecutor


def ping(host):
    # stands for `ping -c 4 host`
    return host, subprocess.run(["sleep", "4"]).returncode


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="ping") as pool:
        results = list(pool.map(ping, ["db", "cache", "queue"]))
    print(results)
