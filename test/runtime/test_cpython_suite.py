"""A slice of CPython's own multiprocessing tests passes under procview as it does without it."""

import subprocess
import sys

from conftest import CLI, REPO

SUITE = REPO / "test" / "cpython" / "mp_suite.py"
# Queues, locks, conditions, events, barriers, pools, processes, managers, connections, shared memory.
SLICE = [
    "-k", "WithProcessesTestQueue",
    "-k", "WithProcessesTestLock",
    "-k", "WithProcessesTestSemaphore",
    "-k", "WithProcessesTestCondition",
    "-k", "WithProcessesTestEvent",
    "-k", "WithProcessesTestBarrier",
    "-k", "WithProcessesTestPool",
    "-k", "WithProcessesTestProcess",
    "-k", "WithManagerTestQueue",
    "-k", "WithProcessesTestConnection",
    "-k", "WithThreadsTestPool",
    "-k", "WithProcessesTestSharedMemory",
    "-k", "WithProcessesTestSharedCTypes",
    "-k", "WithProcessesTestValue",
    "-k", "WithProcessesTestArray",
]


def run_suite(command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    summary = [line for line in done.stderr.splitlines() if line.startswith(("Ran ", "OK", "FAILED"))]
    failures = sorted(line for line in done.stderr.splitlines() if line.startswith(("FAIL:", "ERROR:")))
    return done.returncode, summary, failures, done.stderr


def test_cpython_multiprocessing_slice_under_procview(tmp_path):
    plain_code, plain_summary, plain_failures, _ = run_suite([sys.executable, str(SUITE), "fork", *SLICE])
    traced_code, traced_summary, traced_failures, stderr = run_suite(
        ["node", str(CLI), "run", "--out", str(tmp_path / "t.pvtrace"), "--python", sys.executable, "--", str(SUITE), "fork", *SLICE]
    )
    assert plain_summary and plain_summary[0].startswith("Ran "), plain_summary
    assert set(traced_failures) <= set(plain_failures), stderr[-4000:]
    assert traced_code == plain_code, stderr[-4000:]
    assert traced_summary[0].split(" in ")[0] == plain_summary[0].split(" in ")[0]
