import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KIND_FIELDS, LISTENER_KINDS, type EventKind } from '../../src/core/events';

// The runtime names each kind's fields in python/procview/schema.py and sends
// values in that order; the listener writes them in KIND_FIELDS' order without
// looking at names. The two tables must agree, kind for kind, field for field.
describe('event kinds', () => {
  it('are the same, with the same fields in the same order, in the runtime schema and in KIND_FIELDS', () => {
    const python = process.env.PROCVIEW_PYTHON ?? 'python3';
    const out = execFileSync(python, ['-c', 'import json, procview.schema as s; print(json.dumps(s.KINDS))'], {
      cwd: path.join(__dirname, '..', '..', 'python'),
      encoding: 'utf8',
    });
    const runtime = JSON.parse(out) as Record<string, string[]>;
    const typed = Object.fromEntries(
      Object.entries(KIND_FIELDS).filter(([kind]) => !LISTENER_KINDS.includes(kind as EventKind)),
    );
    assert.deepEqual(runtime, typed);
  });
});
