// A send on a full pipe: a wait (pipe.send.wait), whose readers are the other end's threads.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/core/events';
import { diagnose, everyoneWaits } from '../../src/core/diagnosis/diagnose';
import { buildWaitGraph } from '../../src/core/diagnosis/wait-graph';
import { nameEvent, RUN_KINDS } from '../../src/core/ingest/event-record';
import { modelOf } from '../helpers';

const ms = 1_000_000;
const FILE = 'resize.py';
const PIPE = 'p:9:501';
const [PARENT_END, CHILD_END] = ['p:9:501', 'p:9:502'];

const head: unknown[][] = [
  [0, 100, 1, 'process.begin', 'MainProcess', 1, 'main', null, [FILE], {}],
  [1 * ms, 100, 1, 'pipe.new', PIPE, [PARENT_END, CHILD_END], true, `Pipe@${FILE}:19`, `${FILE}:19`],
  [2 * ms, 100, 1, 'process.spawn', 101, 'resizer', 'fork', `${FILE}:21`],
  [3 * ms, 101, 1, 'process.begin', 'resizer', 100, 'process', 'fork', null, {}],
];
const parentSends = [10 * ms, 100, 1, 'pipe.send.wait', PARENT_END, 2_048_009, `${FILE}:22`, [[`${FILE}:22`, '<module>']]];
const childSends = [11 * ms, 101, 1, 'pipe.send.wait', CHILD_END, 2_000_009, `${FILE}:13`, [[`${FILE}:13`, 'resizer']]];
const childReceives = [11 * ms, 101, 1, 'pipe.recv.wait', CHILD_END, `${FILE}:13`, [[`${FILE}:13`, 'resizer']]];
const hang = [1500 * ms, 0, 0, 'run.hang', 1480 * ms, 'kill'];
const killed: unknown[][] = [
  [1510 * ms, 100, 0, 'process.exit', null, 'SIGKILL', 'observed', null],
  [1511 * ms, 101, 0, 'process.disconnect'],
  [1512 * ms, 100, 0, 'process.disconnect'],
  [1520 * ms, 0, 0, 'run.end', null, 'SIGKILL', 0],
];

const modelOfRows = (rows: unknown[][]): ReturnType<typeof modelOf> => modelOf(rows.map((raw) => {
  const event = nameEvent(raw, RUN_KINDS);
  assert.ok(event, JSON.stringify(raw));
  return event as unknown as TraceEvent;
}));

describe('diagnose: both sides of a duplex Pipe send first', () => {
  const rows = [...head, parentSends, childSends, hang, ...killed];

  it('makes each blocked send a wait on the pipe, ended by nothing', () => {
    const model = modelOfRows(rows);
    for (const key of ['100:1', '101:1']) {
      const wait = model.lanes.get(key)?.blocked[0]?.wait;
      assert.deepEqual([wait?.op, wait?.target], ['pipe.send', PIPE]);
    }
  });

  it('finds that each side\'s reader is the other side, itself blocked in its send', () => {
    const graph = buildWaitGraph(modelOfRows(rows), 1500 * ms);
    const edges = (key: string): [string, string][] => (graph.nodes.get(key)?.edges ?? []).map((edge) => [edge.to, edge.role]);
    assert.deepEqual(edges('100:1'), [['101:1', 'may-get']]);
    assert.deepEqual(edges('101:1'), [['100:1', 'may-get']]);
  });

  it('reports put-blocked for both sends, each naming the other side and its line', () => {
    const diagnosis = diagnose(modelOfRows(rows));
    assert.equal(diagnosis.verdict, 'hang');
    const blocked = diagnosis.findings.filter((finding) => finding.kind === 'put-blocked');
    assert.equal(blocked.length, 2);
    for (const finding of blocked) {
      assert.deepEqual(finding.processes.map((p) => p.name).sort(), ['MainProcess', 'resizer']);
      assert.deepEqual([...finding.locations].sort(), [`${FILE}:13`, `${FILE}:22`]);
      assert.match(finding.summary, /to send on Pipe@resize\.py:19, which is full, and nobody reads the other end: .* itself waits to send on it at resize\.py:(13|22)\./);
    }
  });
});

describe('diagnose: a big message going through a pipe', () => {
  it('is no hang while the other side waits to receive on the same pipe', () => {
    // A trace cut short there: diagnosed at its end, were every thread waiting for nothing.
    const model = modelOfRows([...head, parentSends, childReceives]);
    assert.equal(everyoneWaits(model, model.end), false);
    assert.equal(diagnose(model).verdict, 'ok');
  });
});

describe('diagnose: both sides of a duplex Pipe receive first', () => {
  it('reports get-starved with the pipe\'s hint (one side sends first), not the end marker one', () => {
    const parentReceives = [10 * ms, 100, 1, 'pipe.recv.wait', PARENT_END, `${FILE}:22`, [[`${FILE}:22`, '<module>']]];
    const diagnosis = diagnose(modelOfRows([...head, parentReceives, childReceives, hang, ...killed]));
    const starved = diagnosis.findings.filter((finding) => finding.kind === 'get-starved');
    assert.ok(starved.length > 0, JSON.stringify(diagnosis.findings));
    for (const finding of starved) assert.match(finding.hint, /make one side send before it receives/);
  });
});
