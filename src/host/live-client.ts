// The extension's side of `procview run --serve FILE`: wait for the run's
// server to write its URL, follow its stream of view data, and send it the
// viewer's requests (stop). Plain Node, no `vscode`: tested on its own.

import { existsSync, readFileSync } from 'node:fs';
import { get, request } from 'node:http';
import type { ViewerMessage } from '../core/view/view-data';
import type { WireMessage } from '../core/view/wire';

const POLL_MS = 50;

export interface LiveClientEvents {
  message(message: WireMessage): void;
  /** The stream ended: the run is over (or the server went away). */
  end(): void;
}

export class LiveClient {
  private url: string | null = null;
  private closed = false;
  private ended = false;
  private abort: (() => void) | null = null;

  constructor(
    private readonly urlFile: string,
    private readonly events: LiveClientEvents,
  ) {}

  /** Waits (up to `timeoutMs`) for the URL, then follows the stream. Resolves once connected. */
  async connect(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.urlFile)) {
      if (this.closed) return;
      if (Date.now() > deadline) throw new Error(`the run did not start serving its view within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.url = readFileSync(this.urlFile, 'utf8').trim();
    await this.follow(this.url);
  }

  /** Sends a request to the run; false when it is not reachable (not started, or over). */
  async send(message: ViewerMessage): Promise<boolean> {
    const url = this.url;
    if (url === null || this.ended) return false;
    const body = JSON.stringify(message);
    return new Promise((resolve) => {
      const req = request(`${url}message`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        resolve((response.statusCode ?? 0) < 300);
      });
      req.on('error', () => {
        resolve(false);
      });
      req.end(body);
    });
  }

  close(): void {
    this.closed = true;
    this.abort?.();
  }

  private follow(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = get(`${url}stream`, (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`the run's view answered ${response.statusCode}`));
          response.resume();
          return;
        }
        resolve();
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          // Server-sent events: `data: JSON` then a blank line.
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            if (frame.startsWith('data: ')) this.events.message(JSON.parse(frame.slice('data: '.length)) as WireMessage);
          }
        });
        response.on('close', () => {
          this.finish();
        });
      });
      this.abort = () => req.destroy();
      req.on('error', (error) => {
        if (this.url !== null && !this.closed) this.finish();
        reject(error);
      });
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.events.end();
  }
}
