import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFaultFile } from '../../src/core/ingest/fault-dump';

const LIB = '/usr/lib/python3.11/';
const RUNTIME = '/opt/procview/python/procview/';
const KINDS = JSON.stringify({
  cwd: '/home/u/app',
  runtime: RUNTIME,
  library: [LIB],
  libraryTests: [`${LIB}test/`],
  siteDirs: ['site-packages', 'dist-packages'],
  stackRoots: [[`${LIB}multiprocessing/process.py`, '_bootstrap']],
});

// As faulthandler writes it in a forked child (all_threads): another thread first, the one that faulted after.
const FORKED_CHILD_DUMP = `${KINDS}
Fatal Python error: Segmentation fault

Thread 0x00007fc7ba27d6c0 (most recent call first):
  File "/home/u/app/worker.py", line 6 in side
  File "${LIB}threading.py", line 982 in run

Current thread 0x00007fc7bb24ab80 (most recent call first):
  File "${LIB}ctypes/__init__.py", line 519 in string_at
  File "/home/u/app/native.py", line 4 in peek
  File "/usr/lib/python3/dist-packages/helper.py", line 9 in read
  File "/home/u/app/worker.py", line 12 in decode
  File "${LIB}multiprocessing/process.py", line 108 in run
  File "${RUNTIME}hooks/processes.py", line 121 in run_recording_errors
  File "${LIB}multiprocessing/process.py", line 314 in _bootstrap
  File "${RUNTIME}hooks/processes.py", line 88 in _bootstrap
  File "/home/u/app/worker.py", line 20 in <module>

Extension modules: _cffi_backend (total: 1)
`;

describe('fault files', () => {
  it('give the signal, the thread that faulted and its user frames, inside the process own stack', () => {
    assert.deepEqual(readFaultFile(FORKED_CHILD_DUMP), {
      signal: 'SIGSEGV',
      thread: 0x00007fc7bb24ab80,
      loc: 'native.py:4',
      stack: [
        ['worker.py:12', 'decode'],
        ['/usr/lib/python3/dist-packages/helper.py:9', 'read'],
        ['native.py:4', 'peek'],
      ],
    });
  });

  it('without a dump (the process did not crash) tell of nothing', () => {
    assert.equal(readFaultFile(`${KINDS}\n`), null);
    assert.equal(readFaultFile(''), null);
  });

  it('of a fault in a thread Python does not know give no line', () => {
    assert.deepEqual(readFaultFile(`${KINDS}\nFatal Python error: Aborted\n\nThread 0x00007f (most recent call first):\n  File "/home/u/app/a.py", line 3 in f\n`), {
      signal: 'SIGABRT', thread: null, loc: null, stack: null,
    });
  });
});
