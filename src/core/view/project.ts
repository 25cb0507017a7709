// The run model as the viewer's data (view-data.ts): a projection, nothing
// derived anew. Every state, pair and hold comes from the model; this only
// flattens them into columns and names them the way the diagnosis does.

import type { Diagnosis } from '../diagnosis/findings';
import { describeWait } from '../diagnosis/names';
import type { LockModel } from '../model/locks';
import type { QueueModel } from '../model/queues';
import type { RunModel } from '../model/run-model';
import type { LaneModel, ProcessModel, WaitOp } from '../model/types';
import {
  LANE_STATES, VIEW_DATA_VERSION, type HoldColumns, type ItemColumns, type LaneState, type SpanColumns, type StringRef, type TaskColumns, type ViewData,
  type ViewLane, type ViewLock, type ViewProcess, type ViewQueue,
} from './view-data';

const STATE_OF_OP: Readonly<Record<WaitOp, LaneState>> = {
  'queue.get': 'get',
  'queue.put': 'put',
  'queue.join': 'sync',
  lock: 'lock',
  'process.join': 'join',
  'thread.join': 'join',
  sync: 'sync',
  'pipe.send': 'pipe',
  'pipe.recv': 'pipe',
  'task.fetch': 'result',
  'task.wait': 'result',
  'pool.shutdown': 'join',
  exit: 'exit',
};

/** Columns while they are filled: arrays. */
type Filling<T> = { [K in keyof T]: number[] };

const STATE_INDEX = new Map<LaneState, number>(LANE_STATES.map((state, index) => [state, index]));

/** Strings sent once each; columns refer to them by index. */
class StringTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  ref(value: string | null | undefined): StringRef {
    if (value === null || value === undefined) return -1;
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.strings.length;
      this.strings.push(value);
      this.index.set(value, at);
    }
    return at;
  }
}

/** "python pipeline.py --fast", as a page's or a panel's title. */
export function runTitle(header: { argv: readonly string[] } | undefined): string {
  const argv = header?.argv ?? [];
  return argv.length > 0 ? `python ${argv.join(' ')}` : 'Python run';
}

export interface ProjectOptions {
  title: string;
  live: boolean;
  diagnosis: Diagnosis;
  /** A live run's: what its projections keep from one to the next. */
  memory?: ProjectionMemory;
}

export function projectModel(model: RunModel, options: ProjectOptions): ViewData {
  const memory = options.memory;
  const strings = memory?.strings ?? new StringTable();
  const processes = [...model.processes.values()].sort((a, b) => a.start - b.start || a.pid - b.pid);
  const lanes: ViewLane[] = [];
  const viewProcesses = processes.map((proc) => {
    const own = model.lanesOf(proc).sort((a, b) => Number(b.main) - Number(a.main) || a.start - b.start);
    for (const lane of own) lanes.push(projectLane(model, lane, strings));
    return projectProcess(proc, own);
  });
  const queues = [...model.queues.values()].map((queue) => projectQueue(model, queue, strings, memory));
  const locks = [...model.locks.values()].map((lock) => projectLock(lock, strings, memory));
  const start = Math.min(0, ...processes.map((proc) => proc.start));
  return {
    version: VIEW_DATA_VERSION,
    title: options.title,
    start,
    end: Math.max(model.end, start),
    live: options.live,
    events: model.events,
    dropped: model.dropped,
    // A copy, made once every string is in: the table grows on, and this data stays as it was (an update is made against it).
    strings: [...strings.strings],
    processes: viewProcesses,
    lanes,
    queues,
    locks,
    verdict: options.diagnosis.verdict,
    hangAt: options.diagnosis.at,
    findings: options.diagnosis.findings,
  };
}

function projectProcess(proc: ProcessModel, lanes: readonly LaneModel[]): ViewProcess {
  const error = proc.error;
  const where = error?.file ? ` (${error.file}${error.line === null ? '' : `:${error.line}`})` : '';
  return {
    pid: proc.pid,
    name: proc.name,
    role: proc.role,
    ppid: proc.ppid,
    helper: proc.helper,
    start: proc.start,
    end: proc.end,
    exitcode: proc.exitcode,
    signal: proc.signal,
    error: error ? `${error.type}${error.message ? `: ${error.message}` : ''}${where}` : null,
    spawnLoc: proc.spawnLoc,
    lanes: lanes.map((lane) => lane.key),
  };
}

function projectLane(model: RunModel, lane: LaneModel, strings: StringTable): ViewLane {
  const spans: Filling<SpanColumns> = { start: [], end: [], state: [], what: [], target: [], loc: [], outcome: [] };
  for (const span of lane.blocked) {
    spans.start.push(span.start);
    spans.end.push(span.end ?? -1);
    spans.state.push(STATE_INDEX.get(STATE_OF_OP[span.wait.op]) ?? 0);
    spans.what.push(strings.ref(describeWait(model, span.wait)));
    spans.target.push(strings.ref(span.wait.target));
    spans.loc.push(strings.ref(span.wait.loc));
    spans.outcome.push(strings.ref(span.outcome));
  }
  const tasks: Filling<TaskColumns> = { start: [], end: [], label: [], ok: [], result: [] };
  for (const task of lane.tasks) {
    tasks.start.push(task.start);
    tasks.end.push(task.end ?? -1);
    tasks.label.push(strings.ref(`${task.func}${task.args.startsWith('(') ? task.args : `(${task.args})`}`));
    tasks.ok.push(task.ok === null ? -1 : task.ok ? 1 : 0);
    tasks.result.push(strings.ref(task.result));
  }
  return {
    key: lane.key,
    pid: lane.pid,
    tid: lane.tid,
    name: lane.name,
    main: lane.main,
    internal: lane.internal,
    start: lane.start,
    end: lane.end,
    error: lane.error,
    spans,
    tasks,
  };
}

/**
 * How the rows of one kind of table (a queue's items, a lock's holds) are
 * projected: a row's values pushed onto the columns, and what of a row may
 * change once it was projected (an item taken, a hold released), as one number.
 * A row is the model's number for it, which never changes (QueueModel.itemRows).
 */
interface RowProjection<Table, Columns> {
  columns(): Filling<Columns>;
  push(table: Table, row: number, columns: Filling<Columns>, strings: StringTable): void;
  change(table: Table, row: number): number;
}

/** A queue's items; the lanes that put and took each one by thread and time (a thread ident may be reused), from `model`. */
const itemRows = (model: RunModel): RowProjection<QueueModel, ItemColumns> => ({
  columns: () => ({ put: [], get: [], repr: [], putLane: [], getLane: [], putLoc: [], getLoc: [] }),
  push(queue, row, items, strings) {
    const item = queue.item(row);
    items.put.push(item.putT);
    items.get.push(item.getT ?? -1);
    items.repr.push(strings.ref(item.lost === null ? item.repr : `${item.repr} (lost: ${item.lost})`));
    items.putLane.push(strings.ref(model.threadKey(item.putPid, item.putTid, item.putT)));
    items.getLane.push(item.getPid === null ? -1 : strings.ref(model.threadKey(item.getPid, item.getTid ?? 0, item.getT ?? item.putT)));
    items.putLoc.push(strings.ref(item.putLoc));
    items.getLoc.push(strings.ref(item.getLoc));
  },
  // Taken (its get's time, lane and line, all at once), or lost (never taken then): the rest is set when it is put.
  change: (queue, row) => (queue.itemLost(row) !== null ? -2 : (queue.itemTakenAt(row) ?? -1)),
});

const HOLD_ROWS: RowProjection<LockModel, HoldColumns> = {
  columns: () => ({ start: [], end: [], lane: [], loc: [] }),
  push(lock, row, holds, strings) {
    const hold = lock.hold(row);
    holds.start.push(hold.start);
    holds.end.push(hold.end ?? -1);
    holds.lane.push(strings.ref(hold.lane));
    holds.loc.push(strings.ref(hold.loc));
  },
  change: (lock, row) => lock.holdEnd(row) ?? -1,
};

/** A table's rows as the last projection made them: the model's rows, their changes, and the columns. */
interface Projected<Columns> {
  rows: Int32Array;
  changes: number[];
  columns: Filling<Columns>;
}

/**
 * What a live run's projections keep from one to the next: one string table
 * (a string keeps its index, and the table only grows, so each update sends
 * just the strings that are new), and the rows of the tables that grow the
 * most (queues' items, locks' holds) as last projected. The model appends
 * those rows (or inserts them near the end) and changes only the last ones
 * (an item taken, a hold released), so a projection keeps the columns of the
 * rows that are the same rows, unchanged, and projects only the rest: no
 * string made or looked up again for every item of the run every time.
 */
export class ProjectionMemory {
  readonly strings = new StringTable();
  readonly items = new Map<string, Projected<ItemColumns>>();
  readonly holds = new Map<string, Projected<HoldColumns>>();
}

/**
 * The columns of `rows` of `table`. With `kept` (a live run's), the rows
 * unchanged since the last projection of the table `key` are taken from it,
 * only the rest projected, and what this projection made is kept for the next.
 */
function projectRows<Table, Columns>(
  table: Table,
  rows: Int32Array,
  projection: RowProjection<Table, Columns>,
  strings: StringTable,
  kept: Map<string, Projected<Columns>> | undefined,
  key: string,
): Filling<Columns> {
  const before = kept?.get(key);
  let same = 0;
  if (before) {
    const n = Math.min(before.rows.length, rows.length);
    while (same < n && before.rows[same] === rows[same] && before.changes[same] === projection.change(table, rows[same] ?? -1)) same++;
  }
  const columns = projection.columns();
  if (before) for (const name of Object.keys(columns) as (keyof Columns)[]) columns[name] = before.columns[name].slice(0, same);
  for (let i = same; i < rows.length; i++) projection.push(table, rows[i] ?? -1, columns, strings);
  if (kept) {
    const changes = before ? before.changes.slice(0, same) : [];
    for (let i = same; i < rows.length; i++) changes.push(projection.change(table, rows[i] ?? -1));
    kept.set(key, { rows, changes, columns });
  }
  return columns;
}

function projectQueue(model: RunModel, queue: QueueModel, strings: StringTable, memory: ProjectionMemory | undefined): ViewQueue {
  const steps = queue.depthSteps();
  return {
    id: queue.id,
    name: queue.name,
    type: queue.type,
    maxsize: queue.maxsize,
    puts: queue.puts,
    gets: queue.gets,
    maxDepth: queue.maxDepth,
    depthT: steps.t,
    depth: steps.depth,
    items: projectRows(queue, queue.itemRows(), itemRows(model), strings, memory?.items, queue.id),
  };
}

function projectLock(lock: LockModel, strings: StringTable, memory: ProjectionMemory | undefined): ViewLock {
  return { id: lock.id, name: lock.name, type: lock.type, value: lock.value, holds: projectRows(lock, lock.holdRows(), HOLD_ROWS, strings, memory?.holds, lock.id) };
}
