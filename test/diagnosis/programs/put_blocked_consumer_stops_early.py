# expect: hang
# kinds: put-blocked
# lints:
# culprits: MainProcess, uploader
# lines: 32
# why: the uploader stops after its quota of five files and exits, so the main process fills the bounded queue and then waits forever in put() with nobody left to read.
"""Queue files for an uploader process through a bounded multiprocessing.Queue."""

import multiprocessing as mp

QUOTA = 5


def upload(files):
    sent = 0
    while True:
        name = files.get()
        if name is None:
            break
        print("uploading", name, flush=True)
        sent += 1
        if sent >= QUOTA:
            print("daily quota reached", flush=True)
            return


if __name__ == "__main__":
    files = mp.Queue(maxsize=8)
    uploader = mp.Process(target=upload, name="uploader", args=(files,))
    uploader.start()
    for n in range(50):
        files.put(f"photo_{n:03d}.jpg")
    files.put(None)
    uploader.join()
    print("all files queued")
