// The conversation between the host and one viewer page: what to send, when
// the page is ready for it, and what the page asks for. A webview page starts
// over whenever VS Code reloads it (hidden then shown, the window reloaded),
// so the last data and the state to persist are kept and sent again on its
// every `ready`: nothing is lost.

import type { ViewerMessage } from '../core/view/view-data';
import type { WireMessage } from '../core/view/wire';

export interface PanelEndpoints {
  /** Delivers a message to the page. */
  deliver(message: WireMessage): void;
  open(file: string, line: number): void;
  stop(): void;
}

export class PanelChannel {
  private latest: WireMessage | null = null;
  private persisted: WireMessage | null = null;
  private ready = false;

  constructor(private readonly endpoints: PanelEndpoints) {}

  post(message: WireMessage): void {
    if (message.type === 'persist') this.persisted = message;
    else if (message.type === 'data' || message.type === 'error') this.latest = message;
    if (this.ready) this.endpoints.deliver(message);
  }

  receive(message: ViewerMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.persisted) this.endpoints.deliver(this.persisted);
        if (this.latest) this.endpoints.deliver(this.latest);
        break;
      case 'open':
        if (typeof message.file === 'string' && Number.isInteger(message.line)) this.endpoints.open(message.file, message.line);
        break;
      case 'stop':
        this.endpoints.stop();
        break;
    }
  }
}
