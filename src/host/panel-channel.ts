// The conversation between the host and one viewer page: what to send, when
// the page is ready for it, and what the page asks for. A webview page starts
// over whenever VS Code reloads it (hidden then shown, the window reloaded),
// so the data and the state to persist are kept and sent again on its every
// `ready`: nothing is lost. A live run's data comes as whole data then updates
// of it (wire.ts), so "the data" is that whole one and every update since.

import type { ViewerMessage } from '../core/view/view-data';
import type { WireMessage } from '../core/view/wire';

export interface PanelEndpoints {
  /** Delivers a message to the page. */
  deliver(message: WireMessage): void;
  open(file: string, line: number): void;
  stop(): void;
}

/**
 * What a new page needs to show what the last one showed: the last whole data
 * (or error) and the updates since, in order.
 */
export class DataLog {
  private kept: WireMessage[] = [];

  /** Keeps data and errors; other messages are not data. */
  add(message: WireMessage): void {
    if (message.type === 'data' && message.data.extends !== undefined) this.kept.push(message);
    else if (message.type === 'data' || message.type === 'error') this.kept = [message];
  }

  get messages(): readonly WireMessage[] {
    return this.kept;
  }
}

export class PanelChannel {
  private readonly log = new DataLog();
  private persisted: WireMessage | null = null;
  private ready = false;

  constructor(private readonly endpoints: PanelEndpoints) {}

  post(message: WireMessage): void {
    if (message.type === 'persist') this.persisted = message;
    else this.log.add(message);
    if (this.ready) this.endpoints.deliver(message);
  }

  receive(message: ViewerMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.persisted) this.endpoints.deliver(this.persisted);
        for (const kept of this.log.messages) this.endpoints.deliver(kept);
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
