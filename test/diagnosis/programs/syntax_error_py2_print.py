# expect: error
# kinds: syntax-error
# lints:
# culprits:
# lines: 14
# why: a Python 2 print statement without parentheses, copied from an old tutorial, is a syntax error in Python 3.
"""An old-style example: a child process prints its pid (does not compile)."""

import os
from multiprocessing import Process


def run_proc(name):
    print 'Run child process %s (%s)...' % (name, os.getpid())


if __name__ == "__main__":
    print("Parent process %s." % os.getpid())
    p = Process(target=run_proc, name="child", args=("test",))
    p.start()
    p.join()
    print("Child process end.")
