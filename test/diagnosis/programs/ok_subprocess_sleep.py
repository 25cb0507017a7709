# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the archiver child waits five seconds for an external command (`sleep 5`, standing for a slow tar) and the main process waits in join(); that is waiting on I/O, not a hang.
"""A child process that runs a slow external command."""

import multiprocessing as mp
import subprocess


def archive(out):
    done = subprocess.run(["sleep", "5"], check=False)
    out.put(done.returncode)


if __name__ == "__main__":
    out = mp.Queue()
    archiver = mp.Process(target=archive, name="archiver", args=(out,))
    archiver.start()
    archiver.join()
    print("archive command exit code:", out.get())
