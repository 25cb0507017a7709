# expect: ok
# kinds:
# lints:
# culprits:
# lines:
# why: the uploader thread is not a daemon and is still uploading when the main code ends, so the interpreter waits for it at exit; it ends by itself about three seconds later, so this is slow, not hung.
"""Upload the last batch in a background thread while the main code finishes."""

import threading
import time


def upload(batch):
    for item in batch:
        time.sleep(0.75)  # a slow network
        print("uploaded", item)


if __name__ == "__main__":
    uploader = threading.Thread(target=upload, args=(["a.csv", "b.csv", "c.csv", "d.csv"],), name="uploader")
    uploader.start()
    print("main code done")
