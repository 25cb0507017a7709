// Painting the chart on a canvas. Only rows inside the viewport are drawn, and
// within a row only what lies in the visible time range, found by binary
// search. Level of detail: spans narrower than a pixel are merged into a
// single pixel column, and the search skips straight to the next pixel, so a
// frame costs about (visible rows × width × log n), whatever the trace's size.

import { LANE_STATES, type Column, type ViewData, type ViewLane, type ViewLock, type ViewProcess, type ViewQueue } from '../src/core/view/view-data';
import { countAtOrBefore } from '../src/core/model/sorted';
import { endOr } from './query';
import { laneOf, type Row } from './rows';
import type { Palette } from './theme';

/** Above this many put→get arrows in view, none are drawn: they would be a smear. */
export const MAX_ARROWS = 400;

export interface Frame {
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  palette: Palette;
  data: ViewData;
  rows: readonly Row[];
  tops: readonly number[];
  scrollTop: number;
  /** The visible time range (ns). */
  t0: number;
  t1: number;
  cursor: number | null;
  highlighted: ReadonlySet<string>;
  arrows: boolean;
  ticks: readonly number[];
  /** Text on the chart (exit codes, depths); off for the overview's thin strips. */
  labels: boolean;
}

export interface FrameResult {
  /** Arrows in view; more than MAX_ARROWS means none were drawn. */
  arrows: number;
}

export function drawFrame(frame: Frame): FrameResult {
  const { ctx, width, height, palette, rows, tops, scrollTop } = frame;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = palette.font;
  const px = pixelOf(frame);
  ctx.fillStyle = palette.grid;
  for (const tick of frame.ticks) ctx.fillRect(Math.round(px(tick)), 0, 1, height);
  const first = Math.max(0, countAtOrBefore(tops, scrollTop) - 1);
  for (let i = first; i < rows.length; i++) {
    const row = rows[i];
    const top = (tops[i] ?? 0) - scrollTop;
    if (!row || top > height) break;
    if (i % 2 === 1) {
      ctx.fillStyle = palette.rowAlt;
      ctx.fillRect(0, top, width, row.height);
    }
    if (frame.highlighted.has(row.key)) {
      ctx.fillStyle = palette.highlight;
      ctx.fillRect(0, top, width, row.height);
    }
    const lane = laneOf(row);
    if (lane) drawLane(frame, lane, top, row.height, row.kind === 'process' ? row.process : null);
    else if (row.kind === 'queue') drawQueue(frame, row.queue, top, row.height);
    else if (row.kind === 'lock') drawLock(frame, row.lock, top, row.height);
  }
  const arrows = frame.arrows ? drawArrows(frame) : 0;
  if (frame.cursor !== null) {
    ctx.fillStyle = palette.cursor;
    ctx.fillRect(Math.round(px(frame.cursor)), 0, 1, height);
  }
  return { arrows };
}

/** Time → x in pixels, for this frame. */
export function pixelOf(frame: Pick<Frame, 't0' | 't1' | 'width'>): (t: number) => number {
  const scale = frame.width / Math.max(1, frame.t1 - frame.t0);
  const t0 = frame.t0;
  return (t: number) => (t - t0) * scale;
}

function timeOf(frame: Pick<Frame, 't0' | 't1' | 'width'>, x: number): number {
  return frame.t0 + (x * (frame.t1 - frame.t0)) / Math.max(1, frame.width);
}

/**
 * Draws intervals [start[i], end[i]) clipped to the frame, merging the ones
 * under a pixel. `color(i)` picks each one's fill.
 */
function drawIntervals(
  frame: Frame,
  start: Column,
  end: Column,
  y: number,
  h: number,
  color: (i: number) => string,
): void {
  const { ctx, t0, t1, width } = frame;
  const now = frame.data.end;
  const px = pixelOf(frame);
  // The first interval that may reach into view: one beginning before t0 may still be open.
  let i = Math.max(0, countAtOrBefore(start, t0) - 4);
  let lastColumn = -Infinity;
  let fill = '';
  while (i < start.length) {
    const s = start[i] ?? 0;
    if (s > t1) break;
    const e = endOr(end[i] ?? -1, now);
    if (e < t0) {
      i++;
      continue;
    }
    const xa = Math.max(0, px(s));
    const xb = Math.min(width, px(e));
    const next = color(i);
    if (next !== fill) {
      fill = next;
      ctx.fillStyle = fill;
    }
    if (xb - xa < 1) {
      const column = Math.floor(xa);
      if (column > lastColumn) {
        ctx.fillRect(column, y, 1, h);
        lastColumn = column;
      }
      // Everything else starting in this pixel is merged into it.
      i = Math.max(i + 1, countAtOrBefore(start, timeOf(frame, column + 1)));
      continue;
    }
    ctx.fillRect(xa, y, xb - xa, h);
    lastColumn = Math.floor(xb);
    i++;
  }
}

function drawLane(frame: Frame, lane: ViewLane, top: number, height: number, process: Pick<ViewProcess, 'exitcode' | 'signal'> | null): void {
  const { ctx, palette } = frame;
  const px = pixelOf(frame);
  const end = lane.end ?? frame.data.end;
  const xa = Math.max(0, px(lane.start));
  const xb = Math.min(frame.width, px(end));
  // A full row has room for insets and a task strip; the overview's thin strips do not.
  const roomy = height >= 16;
  if (xb >= 0 && xa <= frame.width) {
    ctx.fillStyle = palette.state.running;
    ctx.fillRect(xa, top + (roomy ? 4 : 0), Math.max(1, xb - xa), height - (roomy ? 8 : 0));
  }
  const states = lane.spans.state;
  drawIntervals(frame, lane.spans.start, lane.spans.end, top + (roomy ? 3 : 0), height - (roomy ? 6 : 0), (i) => palette.state[LANE_STATES[states[i] ?? 0] ?? 'running']);
  const ok = lane.tasks.ok;
  if (roomy) drawIntervals(frame, lane.tasks.start, lane.tasks.end, top + height - 5, 3, (i) => (ok[i] === 0 ? palette.taskError : palette.task));
  if (process && lane.end !== null && xb >= -40 && xb <= frame.width) {
    const failed = (process.exitcode !== null && process.exitcode !== 0) || process.signal !== null;
    const label = process.signal ?? (process.exitcode === null ? '' : `exit ${process.exitcode}`);
    ctx.fillStyle = failed ? palette.error : palette.muted;
    ctx.fillRect(xb, top + 2, 2, height - 4);
    if (label && frame.labels) ctx.fillText(label, xb + 4, top + height - 7);
  }
}

function drawQueue(frame: Frame, queue: ViewQueue, top: number, height: number): void {
  const { ctx, palette, width } = frame;
  const { depthT, depth } = queue;
  if (depthT.length === 0) return;
  const max = Math.max(1, queue.maxDepth);
  const scale = (height - 6) / max;
  const base = top + height - 2;
  ctx.fillStyle = palette.queue;
  // One bar per pixel column: the deepest the queue was within it.
  let i = Math.max(0, countAtOrBefore(depthT, frame.t0) - 1);
  for (let x = 0; x < width; x++) {
    const until = timeOf(frame, x + 1);
    let deepest = (depthT[i] ?? Infinity) <= until ? (depth[i] ?? 0) : 0;
    while (i + 1 < depthT.length && (depthT[i + 1] ?? Infinity) <= until) {
      i++;
      deepest = Math.max(deepest, depth[i] ?? 0);
    }
    if ((depthT[i] ?? Infinity) > until || (depthT[0] ?? 0) > until) continue;
    if (deepest > 0) ctx.fillRect(x, base - deepest * scale, 1, deepest * scale);
  }
  if (frame.labels) {
    ctx.fillStyle = palette.muted;
    ctx.fillText(`max ${queue.maxDepth}`, 4, top + 11);
  }
}

function drawLock(frame: Frame, lock: ViewLock, top: number, height: number): void {
  const lanes = lock.holds.lane;
  const strings = frame.data.strings;
  drawIntervals(frame, lock.holds.start, lock.holds.end, top + 4, height - 8, (i) => holderColor(strings[lanes[i] ?? -1] ?? ''));
}

/** A stable colour per holder, so a lock's row shows who held it when. */
function holderColor(key: string): string {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return `hsl(${Math.abs(hash) % 360}, 55%, 55%)`;
}

/** Put→get arrows for the items in view, when few enough stay legible. */
function drawArrows(frame: Frame): number {
  const { ctx, data, rows, tops, scrollTop, t0, t1 } = frame;
  const rowOfLane = new Map<string, number>();
  const rowOfProcess = new Map<number, number>();
  rows.forEach((row, index) => {
    const lane = laneOf(row);
    if (lane) rowOfLane.set(lane.key, index);
    if (row.kind === 'process') rowOfProcess.set(row.process.pid, index);
  });
  const centre = (laneKey: string): number | null => {
    const index = rowOfLane.get(laneKey) ?? rowOfProcess.get(Number(laneKey.split(':')[0]));
    if (index === undefined) return null;
    return (tops[index] ?? 0) - scrollTop + (rows[index]?.height ?? 0) / 2;
  };
  const flows: [number, number, number, number][] = [];
  let count = 0;
  for (const queue of data.queues) {
    const { put, get, putLane, getLane } = queue.items;
    // Items are in put order; one put before t0 whose get is in view still counts.
    const from = countAtOrBefore(put, t0 - (t1 - t0));
    for (let i = from; i < put.length; i++) {
      const p = put[i] ?? 0;
      const g = get[i] ?? -1;
      if (p > t1) break;
      if (g < 0 || g < t0) continue;
      count++;
      if (count > MAX_ARROWS) return count;
      const ya = centre(data.strings[putLane[i] ?? -1] ?? '');
      const yb = centre(data.strings[getLane[i] ?? -1] ?? '');
      if (ya !== null && yb !== null) flows.push([p, ya, g, yb]);
    }
  }
  const px = pixelOf(frame);
  ctx.strokeStyle = frame.palette.arrow;
  ctx.fillStyle = frame.palette.arrow;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const [p, ya, g, yb] of flows) {
    ctx.moveTo(px(p), ya);
    ctx.lineTo(px(g), yb);
  }
  ctx.stroke();
  for (const [, , g, yb] of flows) ctx.fillRect(px(g) - 2, yb - 2, 4, 4);
  return count;
}
