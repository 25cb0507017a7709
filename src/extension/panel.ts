// A viewer inside VS Code: a webview (a panel beside the editor, or a
// .pvtrace editor) showing the page the CLI's report shows, talking through
// messages. Whatever was last sent is kept, so a webview that reloads (hidden
// then shown, the window reloaded) asks again and loses nothing.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { viewerPage } from '../core/view/report';
import type { HostMessage, ViewerMessage } from '../core/view/view-data';

export interface Assets {
  script: string;
  css: string;
}

export function loadAssets(extensionPath: string): Assets {
  return {
    script: readFileSync(path.join(extensionPath, 'dist', 'webview.js'), 'utf8'),
    css: readFileSync(path.join(extensionPath, 'media', 'viewer.css'), 'utf8'),
  };
}

export function viewerHtml(assets: Assets, title: string): string {
  return viewerPage({ ...assets, nonce: randomBytes(18).toString('base64url'), title, config: { source: 'vscode' } });
}

export class ViewerWebview implements vscode.Disposable {
  private latest: HostMessage | null = null;
  private persisted: HostMessage | null = null;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly webview: vscode.Webview,
    assets: Assets,
    title: string,
    private readonly onStop: () => void,
    /** Where relative `file:line` locations start from. */
    private readonly baseFolder: () => string | undefined,
  ) {
    webview.options = { enableScripts: true, localResourceRoots: [] };
    webview.html = viewerHtml(assets, title);
    this.disposables.push(webview.onDidReceiveMessage((message: ViewerMessage) => {
      this.receive(message);
    }));
  }

  post(message: HostMessage): void {
    if (message.type === 'persist') this.persisted = message;
    else if (message.type === 'data') this.latest = message;
    if (this.ready) void this.webview.postMessage(message);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  private receive(message: ViewerMessage): void {
    switch (message.type) {
      case 'ready':
        // A new page (first load, or reloaded): everything again.
        this.ready = true;
        if (this.persisted) void this.webview.postMessage(this.persisted);
        if (this.latest) void this.webview.postMessage(this.latest);
        break;
      case 'open':
        void openLocation(message.file, message.line, this.baseFolder());
        break;
      case 'stop':
        this.onStop();
        break;
    }
  }
}

export async function openLocation(file: string, line: number, baseFolder: string | undefined): Promise<void> {
  const absolute = path.isAbsolute(file) || baseFolder === undefined ? file : path.join(baseFolder, file);
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(absolute));
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One });
  } catch (error) {
    void vscode.window.showWarningMessage(`Process View cannot open ${absolute}: ${(error as Error).message}`);
  }
}
