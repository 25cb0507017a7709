// Where the viewer's data comes from and where its requests go. The same
// bundle runs in three places: a VS Code webview (messages through the
// webview API), a standalone HTML report (the data is in the page), and the
// page `procview view` / `procview run --view` serves (a stream of data from
// the server). Each is a Host.

import type { ViewerMessage } from '../src/core/view/view-data';
import type { WireMessage, WireViewData } from '../src/core/view/wire';

export interface Host {
  /** Calls `receive` with every message from the host, starting now. */
  connect(receive: (message: WireMessage) => void): void;
  send(message: ViewerMessage): void;
  /** The details block of `data` (wire.ts): in the message, or where this host keeps it. */
  details(data: WireViewData): Promise<string>;
  /** Where "open file:line" goes: an editor in VS Code, nowhere in a report. */
  readonly canOpen: boolean;
  /** Someone can end a live run on request (not a report). */
  readonly canStop: boolean;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
}

declare global {
  /** Defined only inside a VS Code webview. */
  function acquireVsCodeApi(): VsCodeApi;
}

/** The page's configuration: a JSON block the host writes into the HTML. */
export interface PageConfig {
  source: 'vscode' | 'embedded' | 'stream';
  /** For `stream`: the server-sent events URL. */
  stream?: string;
}

export function hostFor(config: PageConfig): Host {
  switch (config.source) {
    case 'vscode':
      return vscodeHost();
    case 'embedded':
      return embeddedHost();
    case 'stream':
      return streamHost(config.stream ?? 'stream');
  }
}

/** The details come in the message itself (a webview's, a stream's). */
function inTheMessage(data: WireViewData): Promise<string> {
  return Promise.resolve(data.details);
}

function vscodeHost(): Host {
  const api = acquireVsCodeApi();
  return {
    canOpen: true,
    canStop: true,
    details: inTheMessage,
    connect(receive) {
      window.addEventListener('message', (event: MessageEvent<WireMessage>) => {
        // Kept by VS Code for the panel serializer, which restores the panel after a reload.
        if (event.data.type === 'persist') api.setState(event.data.state);
        else receive(event.data);
      });
      api.postMessage({ type: 'ready' } satisfies ViewerMessage);
    },
    send(message) {
      api.postMessage(message);
    },
  };
}

/** The report: the data is a JSON block in the page itself, its details another after the viewer's script. */
function embeddedHost(): Host {
  return {
    canOpen: false,
    canStop: false,
    async details(data) {
      if (data.details) return data.details;
      // The block after this script: there once the page is parsed.
      if (document.readyState === 'loading') {
        await new Promise((resolve) => {
          document.addEventListener('DOMContentLoaded', resolve, { once: true });
        });
      }
      const block = document.getElementById('pv-details');
      if (!block?.textContent) throw new Error('this report holds no details block');
      return JSON.parse(block.textContent) as string;
    },
    connect(receive) {
      const block = document.getElementById('pv-data');
      if (!block?.textContent) {
        receive({ type: 'error', message: 'This report holds no run data.' });
        return;
      }
      receive(JSON.parse(block.textContent) as WireMessage);
    },
    send() {
      // A file on disk has nobody to ask.
    },
  };
}

/** `procview view` and `run --view`: the server streams messages; requests go back by POST. */
function streamHost(url: string): Host {
  return {
    canOpen: true,
    canStop: true,
    details: inTheMessage,
    connect(receive) {
      const source = new EventSource(url);
      source.onmessage = (event: MessageEvent<string>) => {
        receive(JSON.parse(event.data) as WireMessage);
      };
    },
    send(message) {
      void fetch('message', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    },
  };
}
