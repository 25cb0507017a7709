// A viewer inside VS Code: a webview (a panel beside the editor, or a
// .pvtrace editor) showing the page the CLI's report shows, talking through
// messages (src/host/panel-channel.ts decides what goes when).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { viewerPage } from '../core/view/report';
import type { ViewerMessage } from '../core/view/view-data';
import type { WireMessage } from '../core/view/wire';
import { PanelChannel } from '../host/panel-channel';

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
  private readonly channel: PanelChannel;
  private readonly subscription: vscode.Disposable;

  constructor(
    readonly webview: vscode.Webview,
    assets: Assets,
    title: string,
    onStop: () => void,
    /** Where relative `file:line` locations start from. */
    baseFolder: () => string | undefined,
  ) {
    webview.options = { enableScripts: true, localResourceRoots: [] };
    webview.html = viewerHtml(assets, title);
    this.channel = new PanelChannel({
      deliver: (message) => void webview.postMessage(message),
      open: (file, line) => void openLocation(file, line, baseFolder()),
      stop: onStop,
    });
    this.subscription = webview.onDidReceiveMessage((message: ViewerMessage) => {
      this.channel.receive(message);
    });
  }

  post(message: WireMessage): void {
    this.channel.post(message);
  }

  dispose(): void {
    this.subscription.dispose();
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
