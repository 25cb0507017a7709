"""CPython's own multiprocessing tests for one start method, as shipped with the interpreter.

    python3 test/cpython/mp_suite.py fork [unittest options, e.g. -k Queue]

Run it plainly and under ``procview run``: no test may fail under procview that
passes without it (see test/cpython/README.md).
"""

import sys
import unittest

import test._test_multiprocessing as cpython_tests

# At module level, not under __main__: spawned children import this module and
# must find the test classes it defines (their argv is the parent's).
START_METHOD = sys.argv[1] if len(sys.argv) > 1 else "fork"
cpython_tests.install_tests_in_module_dict(globals(), START_METHOD)

if __name__ == "__main__":
    unittest.main(module=__name__, argv=[sys.argv[0], *sys.argv[2:]])
