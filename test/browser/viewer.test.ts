// The viewer in a real (headless) Chromium, on reports of real recorded runs:
// lanes named for every process, the panel at a known instant, zoom and pan,
// a finding's culprits highlighted, hostile strings inert, a live run.
// Screenshots go to test-results/screenshots/; look at them.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTraceFile } from '../../src/core/ingest/reader';
import { RunModel } from '../../src/core/model/run-model';
import type { Summary } from '../../src/core/summary';
import { cliPath, repoRoot, runCli, scratchDir } from '../helpers';
import { launchBrowser, openPage, saveScreenshot, waitReady, type Browser, type Page } from './browser';

const dir = scratchDir();
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

/** Runs `script` under procview with --html; returns the report's path, the trace and its model. */
async function report(name: string, script: string, runArgs: string[] = []): Promise<{ html: string; trace: string; model: RunModel }> {
  const trace = path.join(dir, `${name}.pvtrace`);
  const html = path.join(dir, `${name}.html`);
  const result = runCli(['run', '--out', trace, '--html', html, ...runArgs, script], { cwd: dir });
  assert.ok(result.status === 0 || runArgs.includes('kill'), result.stderr);
  assert.match(result.stderr, /HTML report written to/);
  const model = new RunModel();
  for (const event of (await readTraceFile(trace)).events) model.add(event);
  return { html, trace, model };
}

function program(name: string, source: string): string {
  const file = path.join(dir, `${name}.py`);
  writeFileSync(file, source);
  return file;
}

async function opened(html: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openPage(browser, html);
  await page.setViewportSize({ width: 1400, height: 800 });
  await waitReady(page);
  // The strings for the panel and tooltips come just after the first frame.
  await page.waitForSelector('#procview[data-details="ready"]', { state: 'attached', timeout: 30_000 });
  return { page, errors };
}

async function viewRange(page: Page): Promise<{ start: number; end: number }> {
  const range = await page.locator('#procview').evaluate((root: HTMLElement) => ({ start: Number(root.dataset.viewStart), end: Number(root.dataset.viewEnd) }));
  return range;
}

/** Clicks the chart at instant t (first row). */
async function clickAt(page: Page, t: number): Promise<void> {
  const x = await page.evaluate((instant) => window.procview?.pageX(instant) ?? 0, t);
  const box = await page.locator('#pv-chart').boundingBox();
  assert.ok(box);
  await page.mouse.click(x, box.y + 10);
}

describe('the viewer on the pipeline example', () => {
  let page: Page;
  let errors: string[];
  let summary: Summary;

  before(async () => {
    const { html, trace } = await report('pipeline', path.join(repoRoot, 'examples', 'pipeline.py'));
    summary = JSON.parse(runCli(['summary', '--json', trace]).stdout) as Summary;
    ({ page, errors } = await opened(html));
  });

  it('names a lane for every process, as DOM text', async () => {
    const labels = await page.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
    assert.ok(summary.processes.length >= 5);
    for (const proc of summary.processes) assert.ok(labels.includes(`${proc.name} (pid ${proc.pid})`), `${proc.name} in ${labels.join(', ')}`);
    for (const helper of summary.helpers) assert.ok(!labels.some((label) => label.includes(`pid ${helper.pid}`)), 'helpers are folded away');
    const queues = await page.locator('.pv-lane-label[data-kind="queue"]').count();
    assert.equal(queues, summary.queues.length);
    await saveScreenshot(page, 'pipeline');
  });

  it('zooms with the wheel and pans by dragging, and fits all again', async () => {
    const whole = await viewRange(page);
    const box = await page.locator('#pv-chart').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
    await page.waitForTimeout(200);
    const zoomed = await viewRange(page);
    assert.ok(zoomed.end - zoomed.start < (whole.end - whole.start) / 2, `zoomed in: ${JSON.stringify({ whole, zoomed })}`);
    assert.ok(zoomed.start > whole.start && zoomed.end < whole.end);
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 200, box.y + 40, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(200);
    const panned = await viewRange(page);
    assert.ok(panned.start > zoomed.start, `dragging left shows later times: ${JSON.stringify({ zoomed, panned })}`);
    assert.ok(Math.abs(panned.end - panned.start - (zoomed.end - zoomed.start)) < (zoomed.end - zoomed.start) * 0.01, 'panning keeps the zoom');
    await saveScreenshot(page, 'pipeline-zoomed');
    await page.keyboard.press('0');
    await page.waitForTimeout(100);
    assert.deepEqual(await viewRange(page), whole);
    assert.deepEqual(errors, []);
  });

  it('filters lanes by name', async () => {
    await page.fill('.pv-search', 'reader-1');
    const labels = await page.locator('.pv-lane-label[data-kind="process"] .pv-name').allTextContents();
    assert.equal(labels.length, 1);
    assert.match(labels[0] ?? '', /^reader-1 /);
    await page.fill('.pv-search', '');
  });
});

describe('the panel at a known instant', () => {
  it('lists the queue\'s contents in order and names the lock\'s owner', async () => {
    const script = program('known_instant', `
import multiprocessing as mp
import time

def holder(lock, taken, release):
    with lock:
        taken.set()
        release.wait()

def consumer(q, go):
    go.wait()
    for _ in range(3):
        q.get()

if __name__ == "__main__":
    q = mp.Queue()
    lock = mp.Lock()
    taken, release, go = mp.Event(), mp.Event(), mp.Event()
    h = mp.Process(target=holder, args=(lock, taken, release), name="holder")
    c = mp.Process(target=consumer, args=(q, go), name="consumer")
    h.start(); c.start()
    taken.wait()
    q.put("alpha")
    q.put({"k": 3})
    q.put(("beta", 2.5))
    time.sleep(0.8)
    go.set()
    c.join()
    release.set()
    h.join()
`);
    const { html, model } = await report('known_instant', script);
    const queue = [...model.queues.values()].find((candidate) => candidate.puts === 3);
    const lock = [...model.locks.values()].find((candidate) => candidate.holds.length === 1);
    assert.ok(queue && lock);
    // Between the last put and the first get: three items in, the lock held by "holder".
    const lastPut = Math.max(...queue.items.map((item) => item.putT));
    const firstGet = Math.min(...queue.items.map((item) => item.getT ?? Infinity));
    const t = (lastPut + firstGet) / 2;
    const expected = queue.contentsAt(t).map((item) => item.repr);
    assert.deepEqual(expected, ["'alpha'", "{'k': 3}", "('beta', 2.5)"]);
    const holder = lock.holdersAt(t)[0];
    assert.ok(holder);
    const holderName = model.processes.get(holder.pid)?.name;
    assert.equal(holderName, 'holder');

    const { page, errors } = await opened(html);
    await clickAt(page, t);
    const panelQueue = page.locator(`.pv-at-queue[data-queue-id="${queue.id}"]`);
    assert.deepEqual(await panelQueue.locator('.pv-item').allTextContents(), expected);
    assert.match((await panelQueue.locator('.pv-depth').textContent()) ?? '', /^3 items$/);
    const owner = (await page.locator(`.pv-at-lock[data-lock-id="${lock.id}"] .pv-owner`).textContent()) ?? '';
    assert.match(owner, /^held by holder since /);
    await saveScreenshot(page, 'known-instant');
    // A moment after the consumer took everything: empty, and the lock still held.
    const lastGet = Math.max(...queue.items.map((item) => item.getT ?? 0));
    const released = lock.holds[0]?.end ?? model.end;
    assert.ok(released > lastGet);
    await clickAt(page, (lastGet + released) / 2);
    assert.equal(await panelQueue.locator('.pv-item').count(), 0);
    assert.match((await page.locator(`.pv-at-lock[data-lock-id="${lock.id}"] .pv-owner`).textContent()) ?? '', /^held by holder/);
    // Stepping from event to event of one lane: the consumer's next change is when its wait for the items ends.
    await page.locator('.pv-lane-label[data-kind="process"]', { hasText: 'consumer' }).locator('.pv-name').click();
    await clickAt(page, t);
    const before = await page.locator('#pv-at h2').textContent();
    await page.locator('#pv-at .pv-step').nth(1).click();
    const after = await page.locator('#pv-at h2').textContent();
    assert.notEqual(after, before);
    await page.locator('#pv-chart').focus();
    await page.keyboard.press('[');
    assert.notEqual(await page.locator('#pv-at h2').textContent(), after, 'back with [');
    assert.deepEqual(errors, []);
  });
});

describe('a finding on the chart', () => {
  it('highlights the culprits of a lock cycle and scrolls to them', async () => {
    const script = program('lock_cycle', `
import threading
import time

a = threading.Lock()
b = threading.Lock()

def one():
    with a:
        time.sleep(0.2)
        with b:
            pass

def two():
    with b:
        time.sleep(0.2)
        with a:
            pass

if __name__ == "__main__":
    t1 = threading.Thread(target=one, name="first")
    t2 = threading.Thread(target=two, name="second")
    t1.start(); t2.start()
    t1.join(); t2.join()
`);
    const { html } = await report('lock_cycle', script, ['--hang-timeout', '1', '--on-hang', 'kill']);
    const { page, errors } = await opened(html);
    const verdict = (await page.locator('.pv-verdict').textContent()) ?? '';
    assert.equal(verdict, 'The run hung');
    const finding = page.locator('.pv-finding[data-kind="lock-cycle"]');
    assert.equal(await finding.count(), 1);
    assert.equal(await page.locator('.pv-lane-label.pv-highlight').count(), 0);
    await finding.locator('.pv-finding-head').click();
    const highlighted = await page.locator('.pv-lane-label.pv-highlight .pv-name').allTextContents();
    for (const name of ['first', 'second']) assert.ok(highlighted.includes(name), `${name} in ${highlighted.join(', ')}`);
    assert.ok(highlighted.filter((name) => name.includes('Lock@lock_cycle.py')).length === 2, 'both locks');
    assert.match((await finding.locator('.pv-hint').textContent()) ?? '', /one global order/);
    await saveScreenshot(page, 'lock-cycle-finding');
    assert.deepEqual(errors, []);
  });
});

describe('hostile strings from the program', () => {
  it('stay text: no script runs, no element is made, huge reprs stay bounded', async () => {
    const script = program('hostile', `
import multiprocessing as mp
import threading

EVIL = [
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\\"window.__pwned = 2\\">",
    "\\"'</script><script>window.__pwned=3</script>",
    "x" * 3_000_000,
]

def consume(q):
    for _ in EVIL:
        q.get()

if __name__ == "__main__":
    q = mp.Queue()
    c = mp.Process(target=consume, args=(q,), name="<img src=x onerror=window.__pwned=4>")
    t = threading.Thread(target=lambda: None, name="</script><b>bold</b>")
    t.start(); t.join()
    c.start()
    for item in EVIL:
        q.put(item)
    c.join()
`);
    const { html, model } = await report('hostile', script);
    const { page, errors } = await opened(html);
    const queue = [...model.queues.values()][0];
    assert.ok(queue);
    const firstPut = Math.min(...queue.items.map((item) => item.putT));
    // Just after the puts began, before the consumer could take them all: click where items are in.
    const t = Math.max(...queue.items.map((item) => item.putT));
    await clickAt(page, t);
    await clickAt(page, firstPut);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('#procview img, #procview b, #procview script').count(), 0);
    const labels = await page.locator('.pv-lane-label .pv-name').allTextContents();
    assert.ok(labels.some((label) => label.startsWith('<img src=x onerror=window.__pwned=4>')), labels.join(' | '));
    assert.ok(labels.includes('</script><b>bold</b>'), labels.join(' | '));
    const items = await page.evaluate(() => [...document.querySelectorAll('.pv-item')].map((node) => node.textContent));
    for (const item of items) assert.ok(item.length < 10_000, `a repr of ${item.length} characters`);
    await saveScreenshot(page, 'hostile');
    assert.deepEqual(errors, []);
  });
});

describe('procview run --view', () => {
  it('serves the run live, then its final state, until Ctrl-C; the exit status is the script\'s', async () => {
    const script = program('live', `
import multiprocessing as mp
import time

def work(q):
    for i in range(30):
        q.put(i)
        time.sleep(0.1)
    q.put(None)

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,), name="slow-producer")
    p.start()
    while q.get() is not None:
        pass
    p.join()
    raise SystemExit(3)
`);
    const cli = spawn(process.execPath, [cliPath, 'run', '--out', path.join(dir, 'live.pvtrace'), '--view', script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      cli.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /watch the run live at (\S+)/.exec(stderr)?.[1];
        if (found) resolve(found);
      });
      cli.once('exit', () => {
        reject(new Error(stderr));
      });
    });
    after(() => cli.kill('SIGKILL'));
    const { page, errors } = await opened(url);
    await page.waitForFunction(() => document.querySelector('.pv-status')?.textContent.includes('live'));
    await page.waitForFunction(() => [...document.querySelectorAll('.pv-lane-label .pv-name')].some((n) => n.textContent.startsWith('slow-producer')));
    await saveScreenshot(page, 'live-running');
    await page.waitForFunction(() => document.querySelector('.pv-verdict')?.textContent === 'The run failed', undefined, { timeout: 30_000 });
    assert.doesNotMatch((await page.locator('.pv-status').textContent()) ?? '', /live/);
    assert.match(stderr, /the viewer stays at/);
    cli.kill('SIGINT');
    const status = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    assert.equal(status, 3, stderr);
    await saveScreenshot(page, 'live-ended');
    assert.deepEqual(errors.filter((error) => !/ERR_CONNECTION_REFUSED|EventSource|net::/.test(error)), []);
  });
  it('moves the present on while nothing happens: a live wait grows with no new data', async () => {
    const script = program('quiet', `
import multiprocessing as mp
import os
import time

def sleeper(ready, done):
    ready.set()
    # Quiet (nothing recorded) until the test says so, a minute at most.
    deadline = time.time() + 60
    while not os.path.exists("quiet.release") and time.time() < deadline:
        time.sleep(0.05)
    done.set()

if __name__ == "__main__":
    ready, done = mp.Event(), mp.Event()
    p = mp.Process(target=sleeper, args=(ready, done), name="sleeper")
    p.start()
    ready.wait()
    done.wait()
    p.join()
`);
    const cli = spawn(process.execPath, [cliPath, 'run', '--out', path.join(dir, 'quiet.pvtrace'), '--serve', path.join(dir, 'quiet.url'), script], { cwd: dir, stdio: 'ignore' });
    after(() => cli.kill('SIGKILL'));
    const urlFile = path.join(dir, 'quiet.url');
    const deadline = Date.now() + 30_000;
    while (!existsSync(urlFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const { page, errors } = await opened(readFileSync(urlFile, 'utf8').trim());
    // Both processes waiting (the main on done, the sleeper in time.sleep): no event comes for seconds.
    await page.waitForFunction(() => [...document.querySelectorAll('.pv-lane-label .pv-name')].some((n) => n.textContent.startsWith('sleeper')));
    const look = () =>
      page.evaluate(() => ({ end: window.procview?.view().end ?? 0, events: /^([\d,]+) events/.exec(document.querySelector('.pv-status')?.textContent ?? '')?.[1] }));
    // Quiet: the events counted stay the same for a second (the sleeper's start and the waits are in).
    let first = await look();
    for (let quietSince = Date.now(); Date.now() - quietSince < 1_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await look();
      if (now.events !== first.events) quietSince = Date.now();
      first = now;
    }
    await page.waitForFunction((end) => (window.procview?.view().end ?? 0) > end + 2e9, first.end, { timeout: 10_000 });
    const later = await look();
    assert.equal(later.events, first.events, 'no new data came meanwhile');
    await saveScreenshot(page, 'live-quiet');
    assert.deepEqual(errors.filter((error) => !/ERR_CONNECTION_REFUSED|EventSource|net::/.test(error)), []);
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    writeFileSync(path.join(dir, 'quiet.release'), '');
    await exited;
  });
});

describe('themes', () => {
  it('draws on a dark background when the browser prefers dark', async () => {
    const { html } = await report('theme', path.join(repoRoot, 'examples', 'threads_queue.py'));
    const { page } = await opened(html);
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(light, dark);
    await saveScreenshot(page, 'dark');
    // The canvas was drawn again in the dark palette: its top-left pixel is the background.
    const pixel = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#pv-chart');
      const data = canvas?.getContext('2d')?.getImageData(1, 1, 1, 1).data;
      return data ? [data[0], data[1], data[2]] : null;
    });
    assert.ok(pixel && (pixel[0] ?? 255) < 80, `a dark pixel, not ${JSON.stringify(pixel)}`);
  });
});
