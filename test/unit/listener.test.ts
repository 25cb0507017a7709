// The live listener with a real socket and real clients.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RunClock } from '../../src/core/ingest/clock';
import type { AnyEvent } from '../../src/core/ingest/event-record';
import { startListener, type Listener } from '../../src/core/listener';

const token = 'a'.repeat(32);

async function withListener(test: (listener: Listener, events: AnyEvent[]) => Promise<void>): Promise<void> {
  const events: AnyEvent[] = [];
  const listener = await startListener({ token, clock: new RunClock(), sink: (event) => events.push(event) });
  try {
    await test(listener, events);
  } finally {
    await listener.close();
  }
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

const helloLine = (pid: number, wall: string, tokenValue = token): string =>
  `{"token": "${tokenValue}", "pid": ${pid}, "ppid": 1, "mono": 123, "wall": ${wall}, "v": 1, "kinds": {"queue.put": ["id", "repr"]}}\n`;

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

  it('decodes batches split in arbitrary chunks, UTF-8 included, aligned to the first hello', async () => {
    await withListener(async (listener, events) => {
      const main = await connect(listener.address);
      const child = await connect(listener.address);
      const batch = Buffer.from(`[[10, 1, "queue.put", ["q:1", "'Grüße 🐍'"]], [20, 1, "lock.release", {"id": "l"}]]\n`);
      const inTheSnake = batch.indexOf(0xf0) + 2;
      await writeSlowly(main, [Buffer.from(helloLine(100, '1795000000000000000')), batch.subarray(0, inTheSnake), batch.subarray(inTheSnake)]);
      await writeSlowly(child, [Buffer.from(helloLine(101, '1795000000000005000') + '[[7, 2, "thread.exit", {"error": null}]]\n')]);
      main.end();
      child.end();
      await Promise.all([closed(main), closed(child)]);
      await listener.waitForConnectionsToClose(1000);

      const fromPrograms = events.filter((e) => e.tid !== 0);
      assert.deepEqual(fromPrograms, [
        { t: 10, pid: 100, tid: 1, kind: 'queue.put', id: 'q:1', repr: "'Grüße 🐍'" },
        { t: 20, pid: 100, tid: 1, kind: 'lock.release', id: 'l' },
        { t: 5007, pid: 101, tid: 2, kind: 'thread.exit', error: null },
      ]);
      const disconnects = events.filter((e) => e.kind === 'process.disconnect').map((e) => e.pid).sort();
      assert.deepEqual(disconnects, [100, 101]);
      assert.equal(listener.refused, 0);
    });
  });

  it('refuses and closes a connection with a wrong token, and records run.refused', async () => {
    await withListener(async (listener, events) => {
      const intruder = await connect(listener.address);
      const gone = closed(intruder);
      intruder.write(helloLine(666, '1795000000000000000', 'b'.repeat(32)) + '[[1, 1, "process.exit", {}]]\n');
      await gone;
      assert.equal(listener.refused, 1);
      assert.deepEqual(
        events.map((e) => [e.kind, e.reason]),
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

  it('survives malformed batch lines and keeps the good ones', async () => {
    await withListener(async (listener, events) => {
      const client = await connect(listener.address);
      client.write(helloLine(7, '1795000000000000000') + 'not json\n[1, 2]\n{"x": 1}\n[[1, 1, "thread.exit", {"error": null}]]\n');
      client.end();
      await closed(client);
      await listener.waitForConnectionsToClose(1000);
      // 'not json' and '{"x": 1}' are bad lines; '[1, 2]' holds two bad entries.
      assert.equal(listener.malformed, 4);
      assert.deepEqual(events.map((e) => e.kind), ['thread.exit', 'process.disconnect']);
    });
  });
});
