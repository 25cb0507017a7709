# expect: error
# kinds: task-error-unretrieved
# lints:
# culprits:
# lines: 15, 23
# why: one apply_async task divides by a zero height and raises ZeroDivisionError, but nobody calls get() on the results, so the error vanishes and the program ends as if all thumbnails were made.
"""Compute thumbnail sizes on a Pool and never look at the results."""

from multiprocessing import Pool

IMAGES = [("beach.jpg", 4000, 3000), ("logo.png", 512, 0), ("cat.jpg", 1920, 1080)]


def thumbnail_size(name, width, height, box=256):
    aspect = width / height
    if aspect >= 1:
        return name, box, round(box / aspect)
    return name, round(box * aspect), box


if __name__ == "__main__":
    with Pool(2) as pool:
        pending = [pool.apply_async(thumbnail_size, image) for image in IMAGES]
        pool.close()
        pool.join()
    print("queued", len(pending), "thumbnails")
