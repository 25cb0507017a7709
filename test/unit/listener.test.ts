// The live listener with a real socket and real clients.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RunClock } from '../../src/core/ingest/clock';
import type { RawEvent } from '../../src/core/ingest/event-record';
import { startListener, type Listener } from '../../src/core/listener';
import { frame, pythonMarshal } from '../helpers';

const token = 'a'.repeat(32);

async function withListener(test: (listener: Listener, events: RawEvent[]) => Promise<void>): Promise<void> {
  const events: RawEvent[] = [];
  // Each event from a process comes with its line for the trace file: exactly what JSON.stringify writes.
  const wrongLines: string[] = [];
  const listener = await startListener({
    token,
    clock: new RunClock(),
    sink: (event, line) => {
      events.push(event);
      if (line === null) return;
      const text = Buffer.from(line.bytes.subarray(line.start, line.end)).toString('utf8');
      if (text !== JSON.stringify(event) + '\n') wrongLines.push(text);
    },
  });
  try {
    await test(listener, events);
  } finally {
    await listener.close();
  }
  assert.deepEqual(wrongLines, []);
}

function connect(address: string): Promise<net.Socket> {
  const [scheme, rest = ''] = address.split(/:(.*)/s);
  const options: net.NetConnectOpts =
    scheme === 'unix' ? { path: rest } : { host: '127.0.0.1', port: Number(rest.split(':').pop()) };
  return new Promise((resolve, reject) => {
    const socket = net.connect(options, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => {
    resolve();
  }));
}

/** Writes the chunks one by one, waiting between them so they arrive as separate reads. */
async function writeSlowly(socket: net.Socket, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    socket.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

const helloLine = (pid: number, wall: string, tokenValue = token, mono = '81234567890'): string =>
  `{"token": "${tokenValue}", "pid": ${pid}, "ppid": 1, "mono": ${mono}, "wall": ${wall}, "v": 2, "kinds": {"thread.exit": ["error"], "lock.release": ["id", "loc"]}}\n`;

/** Frames of batches given as Python expressions. */
const frames = (...batches: string[]): Buffer[] => pythonMarshal(batches).map(frame);

describe('listener', () => {
  it('listens on a Unix socket in a private 0700 folder', { skip: process.platform === 'win32' }, async () => {
    await withListener(async (listener) => {
      assert.match(listener.address, /^unix:\//);
      const folder = path.dirname(listener.address.slice('unix:'.length));
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.ok(listener.address.length - 'unix:'.length <= 100);
      await Promise.resolve();
    });
  });

  it('decodes frames split in arbitrary chunks, UTF-8 included, aligned to the first hello', async () => {
    await withListener(async (listener, events) => {
      const main = await connect(listener.address);
      const child = await connect(listener.address);
      const [batch, childBatch] = frames(
        `[(10, 1, 'lock.release', ('l', 'Grüße 🐍.py:3')), (20, 1, 'thread.exit', (None,))]`,
        `[(7, 2, 'thread.exit', ('boom',))]`,
      ) as [Buffer, Buffer];
      const inTheSnake = batch.indexOf(0xf0) + 2;
      const mainHello = Buffer.from(helloLine(100, '1795000000000000000'));
      await writeSlowly(main, [mainHello.subarray(0, 10), mainHello.subarray(10), batch.subarray(0, 2), batch.subarray(2, inTheSnake), batch.subarray(inTheSnake)]);
      await writeSlowly(child, [Buffer.concat([Buffer.from(helloLine(101, '1795000000000005000', token, '81234572890')), childBatch])]);
      main.end();
      child.end();
      await Promise.all([closed(main), closed(child)]);
      await listener.waitForConnectionsToClose(1000);

      const fromPrograms = events.filter((e) => e[2] !== 0);
      assert.deepEqual(fromPrograms, [
        [10, 100, 1, 'lock.release', 'l', 'Grüße 🐍.py:3'],
        [20, 100, 1, 'thread.exit', null],
        [5007, 101, 2, 'thread.exit', 'boom'],
      ]);
      const disconnects = events.filter((e) => e[3] === 'process.disconnect').map((e) => e[1]).sort();
      assert.deepEqual(disconnects, [100, 101]);
      assert.equal(listener.refused, 0);
    });
  });

  it('refuses and closes a connection with a wrong token, and records run.refused', async () => {
    await withListener(async (listener, events) => {
      const intruder = await connect(listener.address);
      const gone = closed(intruder);
      intruder.write(Buffer.concat([Buffer.from(helloLine(666, '1795000000000000000', 'b'.repeat(32))), ...frames(`[(1, 1, 'thread.exit', (None,))]`)]));
      await gone;
      assert.equal(listener.refused, 1);
      assert.deepEqual(
        events.map((e) => [e[3], e[4]]),
        [['run.refused', 'wrong token']],
      );
    });
  });

  it('refuses a first line that is not a hello, and one that never ends', async () => {
    await withListener(async (listener) => {
      const chatty = await connect(listener.address);
      const chattyGone = closed(chatty);
      chatty.write('hello there\n');
      const endless = await connect(listener.address);
      const endlessGone = closed(endless);
      endless.write(Buffer.alloc(100 * 1024, 'x'));
      await Promise.all([chattyGone, endlessGone]);
      assert.equal(listener.refused, 2);
    });
  });

  it('survives malformed frames and keeps the good ones', async () => {
    await withListener(async (listener, events) => {
      const client = await connect(listener.address);
      const junk = frame(Buffer.from('not marshal'));
      const [notAList, twoBad, good] = frames('{}', '[1, 2]', `[(1, 1, 'thread.exit', (None,))]`) as [Buffer, Buffer, Buffer];
      client.write(Buffer.concat([Buffer.from(helloLine(7, '1795000000000000000')), junk, notAList, twoBad, good]));
      client.end();
      await closed(client);
      await listener.waitForConnectionsToClose(1000);
      // The junk frame and the dict are bad frames; [1, 2] holds two bad entries.
      assert.equal(listener.malformed, 4);
      assert.deepEqual(events.map((e) => e[3]), ['thread.exit', 'process.disconnect']);
    });
  });
});

describe('RunClock', () => {
  it('aligns processes through their shared monotonic clock, however late each read its wall clock', () => {
    const clock = new RunClock();
    // The first hello fixes time zero.
    assert.equal(clock.offsetForHello(1_795_000_000_000_000_000n, 81_234_567_890n), 0);
    // 5 µs later by the monotonic clock; its wall clock read 2 ms late (the process was held up between its reads).
    assert.equal(clock.offsetForHello(1_795_000_000_002_005_000n, 81_234_572_890n), 5_000);
    // A monotonic clock that tells another story than the wall clock (another clock altogether): the wall clock aligns it.
    assert.equal(clock.offsetForHello(1_795_000_000_000_009_000n, 17n), 9_000);
    assert.equal(clock.baseWall, 1_795_000_000_000_000_000n);
  });

  it('times the listener\'s own events on the same clock when it is the machine\'s', () => {
    const clock = new RunClock();
    const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
    const monoNs = process.hrtime.bigint();
    clock.offsetForHello(wallNs, monoNs - 1_000_000n); // the process read its pair a millisecond ago
    const now = clock.listenerNow();
    assert.ok(now >= 1_000_000 && now < 1_000_000_000, String(now));
  });
});
