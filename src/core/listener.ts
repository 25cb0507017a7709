// The listener of `procview run`: one stream connection per Python process,
// each proving itself with the run's token, then sending event batches.
// It hands every event, including the few it writes itself, to one sink, in
// the positional form the trace file keeps (RawEvent): a run can send a
// million of them, and naming each one is left to whoever reads them.

import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LISTENER_TID } from './events';
import type { RunClock } from './ingest/clock';
import { rawEvent, type RawEvent } from './ingest/event-record';
import { readFaultFile } from './ingest/fault-dump';
import { LineTooLongError } from './ingest/lines';
import { JsonLineBuffer } from './json-lines';
import { ConnectionSplitter, checkHello, decodeFrame, fieldOrderFor, FrameTooLargeError, type FrameSource } from './ingest/wire';

/** An event's line as the trace file keeps it: `bytes` from `start` to `end`, good until the frame's end (`ListenerOptions.frameEnd`). */
export interface EncodedLine {
  bytes: Uint8Array;
  start: number;
  end: number;
}

/** Receives each event, with its line already written when it came from a process (null for the listener's own). */
export type EventSink = (event: RawEvent, line: EncodedLine | null) => void;

export interface ListenerOptions {
  /** The run's secret; a connection must present it in its hello. */
  token: string;
  /** Receives every event, in arrival order. */
  sink: EventSink;
  /** Called after the sink has had each event of a frame: the lines that came with them are reused from then on. */
  frameEnd?: () => void;
  /** Time zero of the run; the first hello fixes it. */
  clock: RunClock;
}

/** A hello is a short line; anything longer before it is not a runtime talking. */
const MAX_HELLO_BYTES = 64 * 1024;
/** Bounds the memory one connection can hold in a frame not yet complete. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Room for one frame's lines to begin with (a 256-event batch is about 40 kB); it grows for a larger one. */
const FRAME_LINES_BYTES = 256 * 1024;
/** macOS allows 104 bytes in a socket path (sun_path), Linux 108. */
const MAX_SOCKET_PATH = 100;

export interface Listener {
  /** The value for PROCVIEW_SOCKET: `unix:/path` or `tcp:127.0.0.1:port`. */
  readonly address: string;
  /** Connections refused for a missing or wrong token. */
  readonly refused: number;
  /** Frames or events that could not be decoded. */
  readonly malformed: number;
  /** Writes an event of the listener's own (tid 0, time now). */
  emit(pid: number, kind: string, fields?: Record<string, unknown>): void;
  /** Resolves when no connection is open, or after `timeoutMs`, whichever comes first. */
  waitForConnectionsToClose(timeoutMs: number): Promise<void>;
  /** Ends the remaining connections (each gets its `process.disconnect`), tells of faults not told yet, and removes the socket. */
  close(): Promise<void>;
}

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const { clock } = options;
  const open = new Set<net.Socket>();
  const whenAllClosed: (() => void)[] = [];
  let refused = 0;
  let malformed = 0;

  const emit = (pid: number, kind: string, fields: Record<string, unknown> = {}): void => {
    options.sink(rawEvent(clock.listenerNow(), pid, LISTENER_TID, kind, fields), null);
  };
  // Frames are decoded one at a time: one buffer takes each frame's lines in turn.
  const frameLines = new JsonLineBuffer(FRAME_LINES_BYTES);

  const refuse = (socket: net.Socket, reason: string): void => {
    refused++;
    socket.destroy();
    // pid 0: a refused peer has not proven which process it is.
    emit(0, 'run.refused', { reason });
  };

  const onConnection = (socket: net.Socket): void => {
    open.add(socket);
    const splitter = new ConnectionSplitter(MAX_HELLO_BYTES, MAX_FRAME_BYTES);
    let source: FrameSource | undefined;

    const onHello = (line: string): void => {
      const check = checkHello(line, options.token);
      if (!check.ok) {
        refuse(socket, check.reason);
        return;
      }
      const { hello } = check;
      source = { pid: hello.pid, offsetNs: clock.offsetForHello(hello.wallNs, hello.monoNs), order: fieldOrderFor(hello.kinds) };
    };

    const onFrame = (payload: Buffer, from: FrameSource): void => {
      frameLines.truncate(0);
      const batch = decodeFrame(payload, from, frameLines);
      malformed += batch.malformed;
      const { events, lineBounds } = batch;
      const line: EncodedLine = { bytes: frameLines.bytes, start: 0, end: 0 };
      let i = 0;
      for (const event of events) {
        line.start = lineBounds[i] ?? 0;
        line.end = lineBounds[++i] ?? 0;
        options.sink(event, line);
      }
      options.frameEnd?.();
    };

    socket.on('data', (chunk: Buffer) => {
      let pieces: (string | Buffer)[];
      try {
        pieces = splitter.push(chunk);
      } catch (error) {
        if (error instanceof LineTooLongError) refuse(socket, 'no hello line');
        else if (error instanceof FrameTooLargeError) {
          malformed++;
          socket.destroy();
        } else throw error;
        return;
      }
      for (const piece of pieces) {
        if (socket.destroyed) return;
        if (typeof piece === 'string') onHello(piece);
        else if (source) onFrame(piece, source);
      }
    });
    // A peer that vanishes (killed process) shows as an error before close; close follows.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open.delete(socket);
      if (source) {
        reportFault(source.pid);
        emit(source.pid, 'process.disconnect');
      }
      if (open.size === 0) for (const resolve of whenAllClosed.splice(0)) resolve();
    });
  };

  const server = net.createServer(onConnection);
  const { address, socketDir } = await listenPrivately(server);

  /**
   * A `process.fault` for process `pid` if it died of a fatal signal: its runtime
   * has faulthandler dump its stack to `fault-<pid>.txt` in the socket's folder
   * (python/procview/hooks/faults.py). A file without a dump is left alone: the
   * connection of a process that lives on (a helper ending its session) closes too.
   */
  const reportFault = (pid: number): void => {
    if (!socketDir) return;
    const file = path.join(socketDir, faultFileName(pid));
    let fault;
    try {
      fault = readFaultFile(readFileSync(file, 'utf8'));
    } catch {
      return; // none: a process without the runtime's fault handler (-X faulthandler, an early end)
    }
    if (!fault) return;
    emit(pid, 'process.fault', fault);
    unlinkSync(file);
  };

  return {
    address,
    get refused() {
      return refused;
    },
    get malformed() {
      return malformed;
    },
    emit,
    waitForConnectionsToClose(timeoutMs) {
      if (open.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        whenAllClosed.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      for (const socket of open) socket.destroy();
      await closed;
      // A process that crashed before it ever connected (a forked child with nothing sent yet), or after its session ended.
      for (const pid of socketDir ? faultFilePids(socketDir) : []) reportFault(pid);
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
    },
  };
}

function faultFileName(pid: number): string {
  return `fault-${pid}.txt`;
}

function faultFilePids(socketDir: string): number[] {
  return readdirSync(socketDir).flatMap((name) => {
    const match = /^fault-(\d+)\.txt$/.exec(name);
    return match ? [Number(match[1])] : [];
  });
}

/**
 * A Unix socket in a fresh 0700 folder (only this user can connect), or
 * loopback TCP where there are no Unix sockets (Windows).
 */
async function listenPrivately(server: net.Server): Promise<{ address: string; socketDir?: string }> {
  if (process.platform === 'win32') {
    await listen(server, { host: '127.0.0.1', port: 0 });
    const { port } = server.address() as net.AddressInfo;
    return { address: `tcp:127.0.0.1:${port}` };
  }
  let socketDir = await mkdtemp(path.join(os.tmpdir(), 'procview-'));
  if (path.join(socketDir, 's').length > MAX_SOCKET_PATH) {
    await rm(socketDir, { recursive: true, force: true });
    socketDir = await mkdtemp('/tmp/procview-');
  }
  // mkdtemp creates the folder with mode 0700.
  const socketPath = path.join(socketDir, 's');
  await listen(server, { path: socketPath });
  return { address: `unix:${socketPath}`, socketDir };
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
