"""CPython's own multiprocessing tests for one start method, as shipped with the interpreter.

    python3 test/cpython/mp_suite.py fork [unittest options, e.g. -k Queue]

Run it plainly and under ``procview run``: no test may fail under procview that
passes without it (see test/cpython/README.md).
"""

import sys
import unittest

import test._test_multiprocessing as cpython_tests

if __name__ == "__main__":
    start_method = sys.argv.pop(1)
    cpython_tests.install_tests_in_module_dict(globals(), start_method)
    unittest.main(module=__name__)
