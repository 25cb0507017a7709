# expect: hang
# kinds: put-blocked
# lints:
# culprits: MainProcess, uploader
# lines: 28
# why: the uploader process stops after its batch limit of four files, so the main process fills the Manager queue bounded to three and waits forever in put() with nobody left to read.
"""An uploader process drains a bounded Manager queue of files to upload."""

import multiprocessing as mp

BATCH_LIMIT = 4


def upload(files, uploaded):
    for _ in range(BATCH_LIMIT):
        name = files.get()
        uploaded.append(name)
    print("batch limit reached, uploader stops", flush=True)


if __name__ == "__main__":
    with mp.Manager() as manager:
        files = manager.Queue(maxsize=3)
        uploaded = manager.list()
        uploader = mp.Process(target=upload, name="uploader", args=(files, uploaded))
        uploader.start()
        for n in range(10):
            files.put(f"photo-{n}.jpg")
        uploader.join()
        print("uploaded:", list(uploaded))
