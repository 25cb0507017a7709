# expect: error
# kinds: syntax-error
# lints:
# culprits:
# lines: 20
# why: the Process(...) call is never closed; Python 3.10 and later report the opening line ("'(' was never closed"), 3.9 reports a later line.
"""Start a few reader processes (does not compile)."""

import multiprocessing as mp


def read(path):
    with open(path) as f:
        return len(f.read())


if __name__ == "__main__":
    readers = []
    for path in ["/etc/hostname", "/etc/os-release"]:
        p = mp.Process(target=read, name=f"reader-{len(readers)}", args=(path,)
        readers.append(p)
    for p in readers:
        p.start()
    for p in readers:
        p.join()
