// A Barrier some parties never reach: how many reached it is counted at the hang's moment.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import { nameEvent, RUN_KINDS } from '../../src/core/ingest/event-record';
import { modelOf } from '../helpers';

const ms = 1_000_000;
const BARRIER = 'sync:sem:7f0.100';
const FILE = 'loaders.py';
const wait = (t: number, pid: number): unknown[] => [t, pid, 1, 'sync.wait.wait', BARRIER, 'wait', `${FILE}:21`, [[`${FILE}:21`, 'load_table']]];
const begin = (t: number, pid: number, name: string): unknown[] => [t, pid, 1, 'process.begin', name, 100, 'process', 'fork', null, {}];

// Three loaders meet at a 3-party Barrier; loader-payments raises before it reaches it.
const untilHang: unknown[][] = [
  [0, 100, 1, 'process.begin', 'MainProcess', 1, 'main', null, ['loaders.py'], {}],
  [1 * ms, 100, 1, 'sync.new', BARRIER, 'Barrier', 'process', 3, `Barrier@${FILE}:26`, `${FILE}:26`],
  [2 * ms, 100, 1, 'process.spawn', 101, 'loader-orders', 'fork', `${FILE}:30`],
  [3 * ms, 100, 1, 'process.spawn', 102, 'loader-users', 'fork', `${FILE}:30`],
  [4 * ms, 100, 1, 'process.spawn', 103, 'loader-payments', 'fork', `${FILE}:30`],
  begin(5 * ms, 101, 'loader-orders'),
  begin(6 * ms, 102, 'loader-users'),
  begin(7 * ms, 103, 'loader-payments'),
  wait(10 * ms, 101),
  wait(11 * ms, 102),
  [12 * ms, 100, 1, 'process.join.wait', 101, null, `${FILE}:32`, [[`${FILE}:32`, '<module>']]],
  [13 * ms, 103, 1, 'process.error', 'KeyError', "'amount'", FILE, 19, 'Traceback ...'],
  [14 * ms, 103, 1, 'process.exit', 1, null, 'return', 0],
  [15 * ms, 103, 0, 'process.disconnect'],
  [1500 * ms, 0, 0, 'run.hang', 1480 * ms, 'kill'],
];
// --on-hang kill: the whole tree is killed, and every wait ends with its process.
const afterKill: unknown[][] = [
  [1510 * ms, 100, 0, 'process.exit', null, 'SIGKILL', 'observed', null],
  [1511 * ms, 102, 0, 'process.disconnect'],
  [1512 * ms, 100, 0, 'process.disconnect'],
  [1513 * ms, 101, 0, 'process.disconnect'],
  [1520 * ms, 0, 0, 'run.end', null, 'SIGKILL', 0],
];

const named = (rows: unknown[][]): TraceEvent[] => rows.map((raw) => {
  const event = nameEvent(raw, RUN_KINDS);
  assert.ok(event, JSON.stringify(raw));
  return event as unknown as TraceEvent;
});

function barrierSummaries(rows: unknown[][]): string[] {
  const diagnosis = diagnose(modelOf(named(rows)));
  assert.equal(diagnosis.verdict, 'hang');
  assert.equal(diagnosis.at, 1500 * ms);
  return diagnosis.findings.filter((finding) => finding.kind === 'wait-unsignaled').map((finding) => finding.summary);
}

describe('diagnose: a Barrier not every party reaches', () => {
  it('counts the parties waiting when the hang is reported (the live report)', () => {
    const summaries = barrierSummaries(untilHang);
    assert.equal(summaries.length, 2);
    for (const summary of summaries) assert.match(summary, /made for 3 parties; only 2 reached it and no other can\./);
  });

  it('counts them at the hang, not at the end of the run: after the kill, their waits are closed', () => {
    const summaries = barrierSummaries([...untilHang, ...afterKill]);
    assert.equal(summaries.length, 2);
    for (const summary of summaries) assert.match(summary, /made for 3 parties; only 2 reached it and no other can\./);
  });
});
