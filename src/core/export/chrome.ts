// The run as a Chrome Trace Event Format file (what chrome://tracing and
// ui.perfetto.dev open), written from the run model: lanes become threads,
// blocked intervals and tasks become slices, queue depth becomes a counter,
// put→get pairs become flow arrows, process starts and exits and the
// diagnosis's findings become instants. Nothing here looks at raw events: the
// model decides every state, this only draws it in another format.
//
// Times: `ts` and `dur` are microseconds (the format's unit) since the trace's
// clock base, one clock for every process. They are computed from whole
// nanoseconds, so a reader that converts back to nanoseconds (Perfetto rounds
// `ts * 1000`) gets the exact instants and slices that nest here still nest there.
//
// Every string that came from the program (names, reprs, locations) is data:
// it goes through JSON.stringify and nowhere else.

import { open } from 'node:fs/promises';
import type { Diagnosis } from '../diagnosis/findings';
import { describeWait, primitiveName } from '../diagnosis/names';
import type { PythonInfo, TraceHeader } from '../events';
import type { QueueModel } from '../model/queues';
import type { RunModel } from '../model/run-model';
import type { BlockedInterval, LaneModel, ProcessModel, TaskModel, Wait } from '../model/types';

export type ChromePhase = 'M' | 'X' | 'C' | 'i' | 's' | 'f';

/** One trace event, as the Trace Event Format names its fields. */
export interface ChromeEvent {
  name: string;
  ph: ChromePhase;
  /** Microseconds since the trace's clock base. */
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  /** Microseconds, for `X`. */
  dur?: number;
  args?: Record<string, unknown>;
  /** Scope of an instant: global, process or thread. */
  s?: 'g' | 'p' | 't';
  /** A legacy flow's id (`s` and `f`). */
  id?: number;
  /** Binding point of a flow end: the enclosing slice. */
  bp?: 'e';
  /** Perfetto's flows on slices: the id, and which way the slice takes part. */
  bind_id?: number;
  flow_out?: boolean;
  flow_in?: boolean;
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: 'ns';
  metadata?: Record<string, unknown>;
}

/** The category of the put→get flows and of the small slices they bind to. */
export const FLOW_CATEGORY = 'queue';
/**
 * Perfetto gives legacy flow ids (`s`/`f`) its own ids counted from 0, in the
 * same space as `bind_id`: the slices' flows count from here so the two never meet.
 */
export const BIND_ID_BASE = 2 ** 32;
/** A counter with more changes than this is downsampled (the most items per time bucket). */
export const MAX_COUNTER_SAMPLES = 20_000;
export const COUNTER_BUCKETS = 10_000;
/** How long the "put" and "get" slices that carry a flow last (shortened if the thread does something else sooner). */
const FLOW_SLICE_NS = 1_000;
/** The tid of a process's main thread (and of its process-wide events). */
export const MAIN_TID = 1;
const HELPER_SORT_BASE = 1_000_000;
const INTERNAL_THREAD_SORT_BASE = 10_000;

/** Slices on one thread, by how they yield when they overlap: a task holds waits, a wait holds flow marks. */
const Rank = { Mark: 0, Blocked: 1, Task: 2 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

interface Slice {
  start: number;
  end: number;
  rank: Rank;
  name: string;
  cat: string;
  args: Record<string, unknown>;
  /** For a flow mark: the flow it starts or ends. */
  flow?: Flow;
}

interface Flow {
  id: number;
  dir: 'out' | 'in';
  name: string;
}

/** The whole trace as one object (tests, small runs); `writeChromeTrace` streams big ones. */
export function chromeTrace(model: RunModel, diagnosis?: Diagnosis, header?: TraceHeader): ChromeTrace {
  return { traceEvents: [...chromeTraceEvents(model, diagnosis)], displayTimeUnit: 'ns', metadata: chromeMetadata(model, diagnosis, header) };
}

/** What the trace's top-level `metadata` says about the run (a header read from a file may lack any of its fields). */
export function chromeMetadata(model: RunModel, diagnosis?: Diagnosis, header?: TraceHeader): Record<string, unknown> {
  const known = (header ?? {}) as Partial<TraceHeader>;
  const python = (known.python ?? {}) as Partial<PythonInfo>;
  return {
    source: 'procview',
    procview: known.procview ?? null,
    python: python.version ?? null,
    implementation: python.implementation ?? null,
    executable: python.executable ?? null,
    argv: known.argv ?? null,
    cwd: known.cwd ?? null,
    clockBase: known.clockBase?.iso ?? null,
    timeUnit: 'ts and dur in microseconds since clockBase',
    events: model.events,
    dropped: model.dropped,
    verdict: diagnosis?.verdict ?? null,
  };
}

/** The trace's events, one at a time: metadata first, then each thread's slices, counters, instants. */
export function* chromeTraceEvents(model: RunModel, diagnosis?: Diagnosis): Generator<ChromeEvent> {
  const ids = new ThreadIds(model);
  yield* metadataEvents(model, ids);
  const marks = flowMarks(model);
  for (const proc of ids.processes) {
    yield* processInstants(proc);
    for (const lane of model.lanesOf(proc)) {
      const tid = ids.tidOf(lane);
      for (const slice of nest(laneSlices(model, lane, marks.get(lane.key) ?? []))) {
        yield sliceEvent(slice, proc.pid, tid);
        if (slice.flow) yield flowEvent(slice.flow, slice.start, proc.pid, tid);
      }
    }
  }
  yield* queueCounters(model, ids);
  if (diagnosis) yield* findingInstants(model, diagnosis, ids);
}

export interface WriteOptions {
  /** Characters gathered before each write. */
  chunkChars?: number;
}

/**
 * Writes the trace to `filePath` a chunk at a time, never the whole text at
 * once. Resolves to the number of events written; rejects with the file
 * system's error (the file may then be incomplete).
 */
export async function writeChromeTrace(
  filePath: string, model: RunModel, diagnosis?: Diagnosis, header?: TraceHeader, options: WriteOptions = {},
): Promise<number> {
  const chunkChars = options.chunkChars ?? 1 << 20;
  const file = await open(filePath, 'w');
  let count = 0;
  try {
    let chunk = '{"traceEvents":[\n';
    for (const event of chromeTraceEvents(model, diagnosis)) {
      chunk += (count === 0 ? '' : ',\n') + JSON.stringify(event);
      count++;
      if (chunk.length >= chunkChars) {
        await file.write(chunk);
        chunk = '';
      }
    }
    chunk += `\n],\n"displayTimeUnit":"ns",\n"metadata":${JSON.stringify(chromeMetadata(model, diagnosis, header))}}\n`;
    await file.write(chunk);
  } finally {
    await file.close();
  }
  return count;
}

/** Whole nanoseconds, never before the clock base. */
function ns(t: number): number {
  return Math.max(0, Math.round(t));
}

function us(nanoseconds: number): number {
  return nanoseconds / 1000;
}

/**
 * Small thread ids per process: the main thread is 1, the others 2, 3... in
 * the order they appeared (Python's idents are huge and mean nothing to a
 * reader). Processes in display order: the main one, the others as they
 * started, the interpreter's helpers last.
 */
class ThreadIds {
  readonly processes: ProcessModel[];
  private readonly byLane = new Map<string, number>();

  constructor(model: RunModel) {
    const all = [...model.processes.values()].filter((proc) => proc.pid !== 0);
    const order = (proc: ProcessModel): number => (proc.helper ? 2 : proc.role === 'main' ? 0 : 1);
    this.processes = all.map((proc, i) => ({ proc, i })).sort((a, b) => order(a.proc) - order(b.proc) || a.proc.start - b.proc.start || a.i - b.i).map(({ proc }) => proc);
    for (const proc of this.processes) {
      let next = MAIN_TID + 1;
      let mainTaken = false;
      for (const lane of model.lanesOf(proc)) {
        if (lane.main && !mainTaken) {
          mainTaken = true;
          this.byLane.set(lane.key, MAIN_TID);
        } else this.byLane.set(lane.key, next++);
      }
    }
  }

  tidOf(lane: LaneModel): number {
    return this.byLane.get(lane.key) ?? MAIN_TID;
  }

  /** A pid that appears in the trace: `pid` if it is one of the run's processes, else the first process's. */
  known(pid: number | null): number | null {
    if (pid !== null && this.processes.some((proc) => proc.pid === pid)) return pid;
    return this.processes[0]?.pid ?? null;
  }
}

function* metadataEvents(model: RunModel, ids: ThreadIds): Generator<ChromeEvent> {
  let helpers = 0;
  let others = 0;
  for (const proc of ids.processes) {
    const { pid } = proc;
    const name = proc.helper ? `${proc.name} (helper)` : proc.name;
    const sortIndex = proc.helper ? HELPER_SORT_BASE + helpers++ : proc.role === 'main' ? 0 : ++others;
    yield { name: 'process_name', ph: 'M', ts: 0, pid, tid: MAIN_TID, args: { name } };
    yield { name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: MAIN_TID, args: { sort_index: sortIndex } };
    const lanes = model.lanesOf(proc);
    // Process-wide events (start, exit, counters) sit on the main tid even when its thread never reported.
    if (!lanes.some((lane) => ids.tidOf(lane) === MAIN_TID)) {
      yield { name: 'thread_name', ph: 'M', ts: 0, pid, tid: MAIN_TID, args: { name: proc.name } };
      yield { name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid: MAIN_TID, args: { sort_index: 0 } };
    }
    for (const lane of lanes) {
      const tid = ids.tidOf(lane);
      yield { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: lane.name } };
      yield {
        name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid,
        args: { sort_index: tid === MAIN_TID ? 0 : lane.internal ? INTERNAL_THREAD_SORT_BASE + tid : tid },
      };
    }
  }
}

function* processInstants(proc: ProcessModel): Generator<ChromeEvent> {
  const base = { ph: 'i' as const, s: 'p' as const, pid: proc.pid, tid: MAIN_TID, cat: 'process' };
  yield {
    ...base, name: 'process start', ts: us(ns(proc.start)),
    args: { name: proc.name, role: proc.role, ppid: proc.ppid, method: proc.method, startedAt: proc.spawnLoc },
  };
  if (proc.end === null) return;
  yield {
    ...base, name: 'process exit', ts: us(ns(proc.end)),
    args: {
      exitcode: proc.exitcode,
      signal: proc.signal,
      how: proc.how,
      error: proc.error ? `${proc.error.type}: ${proc.error.message}` : null,
      terminated: proc.terminated?.how ?? null,
    },
  };
}

/** The put and get marks of every item taken from a queue, by lane: each pair is one flow. */
function flowMarks(model: RunModel): Map<string, Slice[]> {
  const marks = new Map<string, Slice[]>();
  const add = (lane: string, slice: Slice): void => {
    const list = marks.get(lane);
    if (list) list.push(slice);
    else marks.set(lane, [slice]);
  };
  let flows = 0;
  for (const queue of model.queues.values()) {
    for (const item of queue.items) {
      if (item.getT === null || item.getPid === null || item.getTid === null || item.lost !== null) continue;
      const getT = ns(item.getT);
      // The put is stamped when put() returns, which can be after the get: the
      // item was in the queue (and even read) while the putter, inside put(),
      // waited for the GIL. At the get's instant the putter was inside put(),
      // so the arrow starts there and never points back in time.
      const putReturned = ns(item.putT);
      const putT = Math.min(putReturned, getT);
      const putLane = model.laneAt(item.putPid, item.putTid, item.putT);
      const getLane = model.laneAt(item.getPid, item.getTid, item.getT);
      if (!putLane || !getLane) continue;
      const id = ++flows;
      add(putLane.key, {
        start: putT, end: putT + FLOW_SLICE_NS, rank: Rank.Mark, name: 'put', cat: FLOW_CATEGORY,
        args: { queue: queue.name, item: item.repr, loc: item.putLoc, returned: us(putReturned) }, flow: { id, dir: 'out', name: queue.name },
      });
      add(getLane.key, {
        start: getT, end: getT + FLOW_SLICE_NS, rank: Rank.Mark, name: 'get', cat: FLOW_CATEGORY,
        args: { queue: queue.name, item: item.repr, loc: item.getLoc }, flow: { id, dir: 'in', name: queue.name },
      });
    }
  }
  return marks;
}

function laneSlices(model: RunModel, lane: LaneModel, marks: Slice[]): Slice[] {
  const traceEnd = ns(model.end);
  const slices: Slice[] = [...marks];
  for (const interval of lane.blocked) {
    const start = ns(interval.start);
    const end = Math.max(start, interval.end === null ? traceEnd : ns(interval.end));
    if (end > start) slices.push(blockedSlice(model, interval, start, end));
  }
  for (const task of lane.tasks) {
    const start = ns(task.start);
    const end = Math.max(start, ns(task.end ?? lane.end ?? model.end));
    slices.push(taskSlice(model, task, start, end));
  }
  return slices;
}

function blockedSlice(model: RunModel, interval: BlockedInterval, start: number, end: number): Slice {
  const { wait } = interval;
  return {
    start, end, rank: Rank.Blocked, name: waitName(model, wait), cat: wait.op,
    args: {
      what: describeWait(model, wait),
      loc: wait.loc,
      outcome: interval.end === null ? 'still waiting at the end of the trace' : interval.outcome,
      stack: wait.stack?.map(([loc, func]) => `${func} (${loc})`) ?? null,
      announced: interval.announced,
    },
  };
}

function taskSlice(model: RunModel, task: TaskModel, start: number, end: number): Slice {
  return {
    start, end, rank: Rank.Task, name: task.func, cat: 'task',
    args: {
      pool: primitiveName(model, task.pool),
      job: task.job,
      index: task.index,
      items: task.items,
      args: task.args,
      ok: task.ok,
      result: task.end === null ? 'unfinished' : task.result,
    },
  };
}

/** "get Queue@a.py:3", "acquire Lock@x.py:5", "join Worker-1". */
export function waitName(model: RunModel, wait: Wait): string {
  const name = (): string => primitiveName(model, wait.target);
  switch (wait.op) {
    case 'queue.get':
      return `get ${name()}`;
    case 'queue.put':
      return `put ${name()}`;
    case 'queue.join':
      return `join ${name()}`;
    case 'lock':
      return `acquire ${name()}`;
    case 'process.join':
      return `join ${model.processes.get(Number(wait.target))?.name ?? `pid ${wait.target}`}`;
    case 'thread.join':
      return `join ${model.joinedLane(wait.target)?.name ?? `thread ${wait.target}`}`;
    case 'sync':
      return `wait ${name()}`;
    case 'pipe.send':
      return `send ${name()}`;
    case 'pipe.recv':
      return `recv ${name()}`;
    case 'task.fetch':
      return `result of ${model.jobs.get(wait.target)?.func ?? 'a task'}`;
    case 'task.wait':
      return 'wait for futures';
    case 'pool.shutdown':
      return `shutdown ${name()}`;
    case 'exit':
      return 'exit: flush queue feeders';
  }
}

/**
 * The slices of one thread, nested: a slice that begins inside another ends
 * inside it too. Where two overlap partly, the one that ranks lower yields: a
 * wait that runs past the end of its task is cut at the task's end; a wait that
 * began before a task is cut where the task begins; a flow mark is cut where
 * anything else begins. Between equals, the later one is cut at the earlier's end.
 */
function nest(slices: Slice[]): Slice[] {
  const sorted = slices.sort((a, b) => a.start - b.start || b.rank - a.rank || b.end - a.end);
  const open: Slice[] = [];
  for (const slice of sorted) {
    for (;;) {
      let top = open[open.length - 1];
      while (top && top.end <= slice.start) {
        open.pop();
        top = open[open.length - 1];
      }
      if (!top || slice.end <= top.end) break;
      if (slice.rank > top.rank || (slice.rank === Rank.Mark && top.rank === Rank.Mark)) {
        top.end = slice.start;
        open.pop();
        continue;
      }
      slice.end = top.end;
      break;
    }
    open.push(slice);
  }
  // A wait cut down to nothing is gone; a flow mark stays, if only as a point.
  return sorted.filter((slice) => slice.end > slice.start || slice.rank === Rank.Mark);
}

function sliceEvent(slice: Slice, pid: number, tid: number): ChromeEvent {
  const event: ChromeEvent = {
    name: slice.name, ph: 'X', ts: us(slice.start), dur: us(slice.end - slice.start), pid, tid, cat: slice.cat, args: slice.args,
  };
  if (slice.flow) {
    event.bind_id = BIND_ID_BASE + slice.flow.id;
    if (slice.flow.dir === 'out') event.flow_out = true;
    else event.flow_in = true;
  }
  return event;
}

/** The legacy flow event bound to a put or get mark: same category, thread and instant as the mark. */
function flowEvent(flow: Flow, start: number, pid: number, tid: number): ChromeEvent {
  return flow.dir === 'in'
    ? { name: flow.name, ph: 'f', bp: 'e', cat: FLOW_CATEGORY, ts: us(start), pid, tid, id: flow.id }
    : { name: flow.name, ph: 's', cat: FLOW_CATEGORY, ts: us(start), pid, tid, id: flow.id };
}

/** One counter track per queue, on the process that made it: its depth after every put and get. */
function* queueCounters(model: RunModel, ids: ThreadIds): Generator<ChromeEvent> {
  const names = counterNames(model);
  for (const queue of model.queues.values()) {
    const pid = ids.known(queue.creator ?? [...queue.putters][0] ?? null);
    if (pid === null) continue;
    const name = names.get(queue.id) ?? queue.name;
    for (const sample of depthSamples(queue)) {
      yield { name, ph: 'C', ts: us(sample.t), pid, tid: MAIN_TID, cat: 'queue', args: { depth: sample.depth } };
    }
  }
}

/** Queue names made distinct per process ("Queue@a.py:3 #2"): a counter track is known by its name. */
function counterNames(model: RunModel): Map<string, string> {
  const byName = new Map<string, QueueModel[]>();
  for (const queue of model.queues.values()) {
    const key = `${queue.creator ?? ''}\n${queue.name}`;
    const list = byName.get(key);
    if (list) list.push(queue);
    else byName.set(key, [queue]);
  }
  const names = new Map<string, string>();
  for (const list of byName.values()) {
    list.forEach((queue, i) => names.set(queue.id, list.length > 1 ? `${queue.name} #${i + 1}` : queue.name));
  }
  return names;
}

export interface DepthSample {
  t: number;
  depth: number;
}

/**
 * The queue's depth after each instant something went in or came out (from
 * its items' put and get times), in time order; an item is counted from its
 * put, or from its get if put() returned after it (the item was in). With more than
 * MAX_COUNTER_SAMPLES of them, the most items in each of COUNTER_BUCKETS time
 * buckets, and the last depth.
 */
export function depthSamples(queue: QueueModel): DepthSample[] {
  const changes: [number, number][] = [];
  for (const item of queue.items) {
    if (item.lost !== null) continue;
    // An item taken before its put() returned (see flowMarks) was in the queue from then: not before the get.
    const getT = item.getT === null ? null : ns(item.getT);
    changes.push([getT === null ? ns(item.putT) : Math.min(ns(item.putT), getT), 1]);
    if (getT !== null) changes.push([getT, -1]);
  }
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const samples: DepthSample[] = [];
  let depth = 0;
  for (const [t, change] of changes) {
    depth += change;
    const last = samples[samples.length - 1];
    if (last?.t === t) last.depth = depth;
    else samples.push({ t, depth });
  }
  return samples.length > MAX_COUNTER_SAMPLES ? downsample(samples) : samples;
}

function downsample(samples: DepthSample[]): DepthSample[] {
  const first = samples[0]?.t ?? 0;
  const span = (samples[samples.length - 1]?.t ?? first) - first;
  const width = Math.max(1, span / COUNTER_BUCKETS);
  const kept: DepthSample[] = [];
  let bucket = -1;
  for (const sample of samples) {
    const b = Math.min(COUNTER_BUCKETS - 1, Math.floor((sample.t - first) / width));
    const last = kept[kept.length - 1];
    if (b !== bucket || !last) {
      bucket = b;
      kept.push({ ...sample });
    } else if (sample.depth > last.depth) {
      last.t = sample.t;
      last.depth = sample.depth;
    }
  }
  const final = samples[samples.length - 1];
  const lastKept = kept[kept.length - 1];
  if (final && lastKept && final.t > lastKept.t) kept.push({ ...final });
  return kept;
}

/** Each finding, at the moment of the hang (or the end of the trace), on the timeline of the whole trace. */
function* findingInstants(model: RunModel, diagnosis: Diagnosis, ids: ThreadIds): Generator<ChromeEvent> {
  const main = [...model.processes.values()].find((proc) => proc.role === 'main');
  const pid = ids.known(main?.pid ?? null);
  if (pid === null) return;
  const ts = us(ns(diagnosis.at ?? model.end));
  for (const finding of diagnosis.findings) {
    yield {
      name: finding.kind, ph: 'i', s: 'g', ts, pid, tid: MAIN_TID, cat: 'finding',
      args: {
        severity: finding.severity,
        summary: finding.summary,
        locations: finding.locations,
        hint: finding.hint,
        processes: finding.processes.map((proc) => (proc.thread === null ? `${proc.name} (pid ${proc.pid})` : `${proc.thread} of ${proc.name} (pid ${proc.pid})`)),
        primitives: finding.primitives,
        chain: finding.chain,
      },
    };
  }
}
