import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ALL_KINDS, LISTENER_KINDS } from '../../src/core/events';

// The runtime names each kind's fields in python/procview/schema.py; the types
// here must know exactly those kinds, or the model would silently skip events.
describe('event kinds', () => {
  it('are the same in the runtime schema and in the TypeScript types', () => {
    const python = process.env.PROCVIEW_PYTHON ?? 'python3';
    const out = execFileSync(python, ['-c', 'import json, procview.schema as s; print(json.dumps(sorted(s.KINDS)))'], {
      cwd: path.join(__dirname, '..', '..', 'python'),
      encoding: 'utf8',
    });
    const runtimeKinds = JSON.parse(out) as string[];
    const typedKinds = ALL_KINDS.filter((kind) => !LISTENER_KINDS.includes(kind)).sort();
    assert.deepEqual(runtimeKinds, typedKinds);
  });
});
