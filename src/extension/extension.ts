// The extension's entry point: commands, the run panel's serializer, the
// .pvtrace editor, the log. Everything that imports `vscode` lives in this
// folder and stays thin; the work is done in src/host and src/core.

import { copyFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelState } from '../core/view/view-data';
import { exportChromeFile, exportHtmlFile } from '../host/exports';
import { loadTraceView } from '../host/trace-view';
import { followInterpreterChanges } from './interpreter';
import { loadAssets, type Assets } from './panel';
import { PANEL_VIEW_TYPE, RunManager } from './runs';
import { TRACE_EDITOR_VIEW_TYPE, TraceEditorProvider } from './trace-editor';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Process View', { log: true });
  context.subscriptions.push(log);
  let assets: Assets | null = null;
  const getAssets = (): Assets => (assets ??= loadAssets(context.extensionPath));
  const runs = new RunManager(context, getAssets, log);
  context.subscriptions.push(runs);

  const command = (id: string, run: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  };
  command('procview.run', (resource?: vscode.Uri) => runs.run(resource, false));
  command('procview.runWithArgs', (resource?: vscode.Uri) => runs.run(resource, true));
  command('procview.rerun', () => runs.rerun());
  command('procview.stop', () => runs.stop());
  command('procview.showPanel', () => {
    runs.showPanel();
  });
  command('procview.openTrace', async () => {
    const [uri] = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Process View trace': ['pvtrace'] }, title: 'Open a Process View trace' })) ?? [];
    if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, TRACE_EDITOR_VIEW_TYPE);
  });
  command('procview.saveTrace', () => saveAs(runs.lastTracePath, 'trace', 'pvtrace', (from, to) => copyFile(from, to)));
  command('procview.exportChrome', () => saveAs(runs.lastTracePath, 'Chrome/Perfetto trace', 'json', exportChromeFile));
  command('procview.exportHtml', () =>
    saveAs(runs.lastTracePath, 'HTML report', 'html', (from, to) => exportHtmlFile(from, to, getAssets(), randomBytes(18).toString('base64url'))),
  );

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel(panel: vscode.WebviewPanel, state: Partial<PanelState> | undefined) {
        log.info(`restoring a panel${state?.tracePath ? ` of ${state.tracePath}` : ''}`);
        runs.restorePanel(panel, state?.tracePath, loadTraceView);
        return Promise.resolve();
      },
    }),
    vscode.window.registerCustomEditorProvider(TRACE_EDITOR_VIEW_TYPE, new TraceEditorProvider(getAssets, log), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );
  void followInterpreterChanges(log).then((disposable) => {
    if (disposable) context.subscriptions.push(disposable);
  });
  void vscode.commands.executeCommand('setContext', 'procview.running', false);
  log.info(`Process View ${String((context.extension.packageJSON as { version?: string }).version)} ready`);
}

export function deactivate(): void {
  // Subscriptions (the run manager among them) are disposed by VS Code.
}

/** Asks where, then writes the run's trace there in the given form, with progress shown. */
async function saveAs(tracePath: string | null, what: string, extension: string, write: (from: string, to: string) => Promise<void>): Promise<void> {
  if (!tracePath) {
    void vscode.window.showInformationMessage(`Process View: run a script first; its ${what} is then saved from its trace.`);
    return;
  }
  // Beside the .procview folder the runs are kept in (the workspace folder, usually), not in it.
  const suggested = path.join(path.dirname(path.dirname(tracePath)), `${path.basename(tracePath, '.pvtrace')}.${extension}`);
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(suggested), filters: { [what]: [extension] }, title: `Save the ${what}` });
  if (!target) return;
  if (path.resolve(target.fsPath) === path.resolve(tracePath)) {
    void vscode.window.showInformationMessage(`Process View: the trace is already there.`);
    return;
  }
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Writing the ${what}…` }, () => write(tracePath, target.fsPath));
    const choice = await vscode.window.showInformationMessage(`Process View: ${what} written to ${target.fsPath}`, 'Reveal');
    if (choice) await vscode.commands.executeCommand('revealFileInOS', target);
  } catch (error) {
    void vscode.window.showErrorMessage(`Process View could not write the ${what}: ${(error as Error).message}`);
  }
}
