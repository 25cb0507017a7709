// The viewer served on 127.0.0.1 (`procview view`, `procview run --view`): the
// page, a server-sent-events stream of the run's data, and a way back for the
// page's requests. Only this machine can reach it, and only with the URL: every
// path sits under a random secret, and a Host header other than the loopback
// address (a DNS-rebinding page) is refused.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentSecurityPolicy, viewerPage } from '../core/view/report';
import { encodeViewData } from '../core/view/wire-encode';
import type { HostMessage, ViewData, ViewerMessage } from '../core/view/view-data';
import type { WireMessage } from '../core/view/wire';
import { newNonce, type ViewerAssets } from './viewer-output';

/** The largest request the page may send back (an "open file:line"). */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface ViewServerOptions {
  assets: ViewerAssets;
  title: string;
  /** What to do with the page's requests (opening a location...). */
  onMessage?: (message: ViewerMessage) => void;
}

export class ViewServer {
  private readonly secret = randomBytes(16).toString('hex');
  private readonly clients = new Set<ServerResponse>();
  /**
   * The last message, for pages that open later: data whole (a stream's first
   * data must be), packed only when a page asks; pages already open were sent
   * it as an update of the data before.
   */
  private latest: { data: ViewData; seq: number; frame: string | null } | { frame: string } | null = null;
  private seq = 0;
  private server: Server | null = null;
  private port = 0;

  constructor(private readonly options: ViewServerOptions) {}

  /** Starts listening on 127.0.0.1 (`port` 0: any free port); resolves to the page's URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/${this.secret}/`;
  }

  /**
   * Sends `message` to every open page, and to every page that opens later.
   * Data goes to open pages as what changed since the data before it (a live
   * run's view is sent again and again, a little longer each time).
   */
  publish(message: HostMessage): void {
    if (message.type !== 'data') {
      this.latest = { frame: eventFrame(message) };
      for (const client of this.clients) client.write(this.latest.frame);
      return;
    }
    const seq = ++this.seq;
    const before = this.latest && 'data' in this.latest ? { data: this.latest.data, seq: this.latest.seq } : undefined;
    this.latest = { data: message.data, seq, frame: null };
    if (this.clients.size === 0) return;
    const frame = eventFrame({ type: 'data', data: encodeViewData(message.data, { seq, base: before }) });
    if (!before) this.latest.frame = frame;
    for (const client of this.clients) client.write(frame);
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.end();
    this.clients.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => {
      resolve();
    }));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      response.writeHead(403).end();
      return;
    }
    const prefix = `/${this.secret}/`;
    const url = request.url ?? '';
    if (!url.startsWith(prefix)) {
      response.writeHead(404).end();
      return;
    }
    const route = url.slice(prefix.length).split('?')[0];
    if (request.method === 'GET' && route === '') this.page(response);
    else if (request.method === 'GET' && route === 'stream') this.stream(request, response);
    else if (request.method === 'POST' && route === 'message') this.message(request, response);
    else response.writeHead(404).end();
  }

  private page(response: ServerResponse): void {
    const nonce = newNonce();
    const page = viewerPage({ ...this.options.assets, nonce, title: this.options.title, config: { source: 'stream', stream: 'stream' }, connect: true });
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(nonce, true),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    response.end(page);
  }

  private stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const latest = this.latest;
    if (latest !== null) {
      if ('data' in latest) latest.frame ??= eventFrame({ type: 'data', data: encodeViewData(latest.data, { seq: latest.seq }) });
      response.write(latest.frame);
    }
    this.clients.add(response);
    request.on('close', () => {
      this.clients.delete(response);
    });
  }

  private message(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        response.writeHead(413).end();
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ViewerMessage;
        this.options.onMessage?.(message);
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  }
}

/** A message as one server-sent event. */
function eventFrame(message: WireMessage): string {
  return `data: ${JSON.stringify(message)}\n\n`;
}
