// The viewer's data, end to end: real runs of the examples, their models, and
// the view data projected from them. The viewer answers "what at instant t"
// from the view data (webview/query.ts); at every instant tried here its
// answers must be the model's own (src/core/model/snapshot.ts), so the viewer
// shows the model and never a second opinion.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import { readTraceFile } from '../../src/core/ingest/reader';
import { RunModel } from '../../src/core/model/run-model';
import { laneStateAt } from '../../src/core/model/snapshot';
import { ProjectionMemory, projectModel } from '../../src/core/view/project';
import type { ViewData } from '../../src/core/view/view-data';
import { baseFor, decodeViewData, type WireMessage, type WireViewData } from '../../src/core/view/wire';
import { encodeViewData } from '../../src/core/view/wire-encode';
import { contentsAt, depthAt, holdsAt, laneAt } from '../../webview/query';
import { ViewServer } from '../../src/cli/view-server';
import { cliPath, repoRoot, runCli, scratchDir, withArrays } from '../helpers';

const dir = scratchDir();

async function recorded(example: string, args: string[] = []): Promise<{ model: RunModel; data: ViewData; trace: string }> {
  const trace = path.join(dir, `${example}.pvtrace`);
  const run = runCli(['run', '--out', trace, path.join(repoRoot, 'examples', `${example}.py`), ...args], { cwd: dir });
  assert.equal(run.status, 0, run.stderr);
  const model = new RunModel();
  for (const event of (await readTraceFile(trace)).events) model.add(event);
  return { model, data: projectModel(model, { title: example, live: false, diagnosis: diagnose(model) }), trace };
}

/** Instants spread over the run, plus every instant something happened on a queue or lock (where off-by-one errors live). */
function instants(model: RunModel, data: ViewData): number[] {
  const out: number[] = [];
  for (let i = 0; i <= 200; i++) out.push(data.start + ((data.end - data.start) * i) / 200);
  for (const queue of model.queues.values()) for (const item of queue.items.slice(0, 50)) out.push(item.putT, item.getT ?? item.putT);
  for (const lock of model.locks.values()) for (const hold of lock.holds.slice(0, 50)) out.push(hold.start, hold.end ?? hold.start);
  return out;
}

function assertSameAnswers(model: RunModel, data: ViewData): void {
  const strings = data.strings;
  for (const t of instants(model, data)) {
    for (const viewQueue of data.queues) {
      const queue = model.queues.get(viewQueue.id);
      assert.ok(queue);
      assert.equal(depthAt(viewQueue, t), Math.max(0, queue.depthAt(t)), `depth of ${queue.name} at ${t}`);
      const shown = contentsAt(viewQueue, t, 1000).map((i) => strings[viewQueue.items.repr[i] ?? -1]);
      assert.deepEqual(shown, queue.contentsAt(t).map((item) => (item.lost === null ? item.repr : shown.find((s) => s?.startsWith(item.repr)))), `contents of ${queue.name} at ${t}`);
    }
    for (const viewLock of data.locks) {
      const lock = model.locks.get(viewLock.id);
      assert.ok(lock);
      const holders = holdsAt(viewLock, t, data.end).map((i) => strings[viewLock.holds.lane[i] ?? -1]);
      assert.deepEqual(holders, lock.holdersAt(t).map((hold) => hold.lane), `holders of ${lock.name} at ${t}`);
    }
    for (const viewLane of data.lanes) {
      const lane = model.lanes.get(viewLane.key);
      assert.ok(lane);
      const mine = laneAt(viewLane, t, data.end);
      const theirs = laneStateAt(lane, t);
      if (theirs.state === 'blocked') {
        assert.notEqual(mine.state, 'running', `${lane.key} at ${t}: the model says blocked`);
        assert.ok('since' in mine && mine.since === theirs.since, `${lane.key} at ${t}: blocked since ${theirs.since}`);
      } else if (theirs.state === 'running') {
        assert.equal(mine.state, 'running', `${lane.key} at ${t}`);
        const task = mine.task !== null ? model.lanes.get(viewLane.key)?.tasks[mine.task]?.key : null;
        assert.equal(task ?? null, theirs.task, `${lane.key}'s task at ${t}`);
      } else assert.equal(mine.state, theirs.state, `${lane.key} at ${t}`);
    }
  }
}

describe('view data: the viewer answers as the model does', () => {
  it('on the pipeline (four queues, many items, reads and writes interleaved)', async () => {
    const { model, data } = await recorded('pipeline');
    // As it travels (columns and strings packed) and back: the same data, exactly.
    const wire = encodeViewData(data);
    assert.ok(JSON.stringify(wire).length < JSON.stringify(data).length * 0.5, 'smaller on the wire');
    const unpacked = await decodeViewData(JSON.parse(JSON.stringify(wire)) as WireViewData);
    assert.deepEqual(withArrays(unpacked), withArrays(data));
    assert.equal(data.queues.length, 4);
    assert.ok(data.queues.every((queue) => queue.items.put.length === queue.puts));
    assertSameAnswers(model, data);
    // And as the viewer has it: typed arrays.
    assertSameAnswers(model, unpacked);
  });

  it('on the locked counter (one lock taken thousands of times by four processes)', async () => {
    const { model, data } = await recorded('locked_counter', ['--increments', '300']);
    const [lock] = data.locks;
    assert.ok(lock && lock.holds.start.length >= 4 * 300, `${lock?.holds.start.length} holds`);
    assertSameAnswers(model, data);
  });

  it('on a Pool (tasks on the workers\' lanes)', async () => {
    const { model, data } = await recorded('pool_tasks');
    const tasks = data.lanes.reduce((sum, lane) => sum + lane.tasks.start.length, 0);
    assert.equal(tasks, model.tasks.size);
    assert.ok(tasks > 0);
    assertSameAnswers(model, data);
  });
});

describe('procview export --html', () => {
  it('writes one page: the viewer inline under a nonce CSP, the data as inert JSON', async () => {
    const { trace } = await recorded('producer_consumer');
    const html = path.join(dir, 'report.html');
    const result = runCli(['export', trace, '--html', html]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /HTML report written to/);
    const page = readFileSync(html, 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, csp);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(page, /<script(?![^>]*nonce=)/, 'every script carries the nonce');
    assert.doesNotMatch(page, /\b(?:src|href)="https?:/, 'no remote resource');
    const block = (id: string): string => new RegExp(`<script type="application/json" id="${id}"[^>]*>([\\s\\S]*?)</script>`).exec(page)?.[1] ?? '';
    const [data, details] = [block('pv-data'), block('pv-details')];
    for (const text of [data, details]) assert.doesNotMatch(text, /</, 'no < inside a data block');
    assert.ok(page.indexOf('id="pv-details"') > page.lastIndexOf('<script nonce='), 'the details after the viewer\'s script');
    const message = JSON.parse(data) as { type: string; data: WireViewData };
    assert.equal(message.type, 'data');
    assert.ok(message.data.processes.some((p) => p.name === 'MainProcess'));
    const unpacked = await decodeViewData(message.data, JSON.parse(details) as string);
    assert.ok(unpacked.queues.some((queue) => queue.items.put.length > 0 && queue.items.repr.length > 0), 'the data unpacks');
    assert.ok(unpacked.strings.length > 0);
  });
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers });
      });
    }).on('error', reject).end();
  });
}

describe('procview view', () => {
  it('serves the viewer on 127.0.0.1 under a secret path, streams the data, refuses other hosts, stops on Ctrl-C', async () => {
    const { trace } = await recorded('threads_queue');
    const server = spawn(process.execPath, [cliPath, 'view', trace], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      server.once('exit', () => {
        reject(new Error(`view exited: ${stderr}`));
      });
    });
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/$/);
      const page = await get(url);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-security-policy']), /script-src 'nonce-/);
      assert.match(page.body, /id="procview" data-state="loading"/);
      const origin = new URL(url).origin;
      assert.equal((await get(`${origin}/`)).status, 404, 'without the secret');
      assert.equal((await get(`${origin}/0123456789abcdef0123456789abcdef/`)).status, 404, 'with a wrong secret');
      assert.equal((await get(url, { host: 'evil.example:80' })).status, 403, 'another Host (DNS rebinding)');
      const first = await new Promise<string>((resolve, reject) => {
        request(`${url}stream`, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
            if (body.includes('\n\n')) {
              response.destroy();
              resolve(body);
            }
          });
        }).on('error', reject).end();
      });
      const message = JSON.parse(first.replace(/^data: /, '')) as { type: string; data: WireViewData };
      assert.equal(message.type, 'data');
      assert.ok((await decodeViewData(message.data)).lanes.length > 1);
    } finally {
      server.kill('SIGINT');
    }
    const status = await new Promise<number | null>((resolve) => server.once('exit', resolve));
    assert.equal(status, 0, stderr);
  });
});

/** A page's stream: its messages as they come. */
function follow(url: string): { messages: WireMessage[]; close: () => void; next: (count: number) => Promise<void> } {
  const messages: WireMessage[] = [];
  let waiting: { count: number; resolve: () => void } | null = null;
  let buffer = '';
  const req = request(`${url}stream`, (response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        messages.push(JSON.parse(buffer.slice(0, at).replace(/^data: /, '')) as WireMessage);
        buffer = buffer.slice(at + 2);
      }
      if (waiting && messages.length >= waiting.count) waiting.resolve();
    });
  });
  req.on('error', () => undefined).end();
  return {
    messages,
    close: () => req.destroy(),
    next: (count) => new Promise<void>((resolve) => {
      if (messages.length >= count) resolve();
      else waiting = { count, resolve };
    }),
  };
}

/** What a page makes of its messages: each data unpacked onto the one before, as the viewer does. */
async function unpackAll(messages: readonly WireMessage[]): Promise<ViewData | null> {
  let latest: { data: ViewData; seq: number | undefined } | null = null;
  for (const message of messages) {
    if (message.type !== 'data') continue;
    const data = await decodeViewData(message.data, message.data.details, baseFor(message.data, latest));
    latest = { data, seq: message.data.seq };
  }
  return latest?.data ?? null;
}

describe('a live view served', () => {
  it('sends open pages what changed, pages that open later the whole: both unpack to the latest view', async () => {
    const { trace } = await recorded('pipeline');
    const events = (await readTraceFile(trace)).events;
    const server = new ViewServer({ assets: { script: '', css: '' }, title: 'pipeline' });
    const url = await server.start();
    const model = new RunModel();
    const memory = new ProjectionMemory();
    const pages: ReturnType<typeof follow>[] = [];
    try {
      let latest: ViewData | null = null;
      for (let part = 1; part <= 4; part++) {
        for (const event of events.slice((events.length * (part - 1)) / 4, (events.length * part) / 4)) model.add(event);
        latest = projectModel(model, { title: 'pipeline', live: part < 4, diagnosis: diagnose(model), memory });
        // Projected from what the last projection kept: the same answers as the model's, at every instant tried.
        assertSameAnswers(model, latest);
        server.publish({ type: 'data', data: latest });
        // A page opens after each publication but the last: it has all of them from then on.
        for (const [index, page] of pages.entries()) await page.next(part - index);
        if (part < 4) {
          const page = follow(url);
          await page.next(1);
          pages.push(page);
        }
      }
      const sent = JSON.stringify(pages[0]?.messages.map((message) => (message.type === 'data' ? message.data.packed.length + message.data.details.length : 0)));
      for (const [index, page] of pages.entries()) {
        const kinds = page.messages.map((message) => (message.type === 'data' ? message.data.extends === undefined ? 'whole' : 'update' : message.type));
        assert.deepEqual(kinds, ['whole', ...Array.from({ length: 3 - index }, () => 'update')], `page ${index}`);
        assert.deepEqual(withArrays(await unpackAll(page.messages)), withArrays(latest), `page ${index}`);
      }
      // An update carries what changed, not the whole run so far. How much changed between the parts
      // depends on how this run's reads and writes interleaved; with nothing new, next to nothing goes.
      assert.ok(latest);
      const again = projectModel(model, { title: 'pipeline', live: false, diagnosis: diagnose(model), memory });
      const update = encodeViewData(again, { seq: 5, base: { data: latest, seq: 4 } });
      const whole = encodeViewData(again);
      const size = (data: WireViewData): number => data.packed.length + data.details.length;
      assert.ok(size(update) < size(whole) / 10, `update ${size(update)} bytes, whole ${size(whole)}; sent ${sent}`);
      assert.deepEqual(withArrays(await unpackAll([...(pages[0]?.messages ?? []), { type: 'data', data: update }])), withArrays(again));
    } finally {
      for (const page of pages) page.close();
      await server.close();
    }
  });
});
