// `.pvtrace` files open as a read-only document: the viewer with the saved run.

import type * as vscode from 'vscode';
import { forTheWire } from '../core/view/wire-encode';
import { loadTraceView } from '../host/trace-view';
import type { Assets } from './panel';
import { ViewerWebview } from './panel';
import path from 'node:path';

export const TRACE_EDITOR_VIEW_TYPE = 'procview.trace';

export class TraceEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly assets: () => Assets,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const tracePath = document.uri.fsPath;
    const viewer = new ViewerWebview(panel.webview, this.assets(), path.basename(tracePath), () => undefined, () => path.dirname(tracePath));
    panel.onDidDispose(() => {
      viewer.dispose();
    });
    try {
      viewer.post(forTheWire({ type: 'data', data: await loadTraceView(tracePath) }));
      this.log.info(`opened ${tracePath}`);
    } catch (error) {
      const message = `Cannot read ${tracePath}: ${(error as Error).message}`;
      this.log.error(message);
      viewer.post({ type: 'error', message });
    }
  }
}
