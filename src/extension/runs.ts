// "Run with process view": the script runs under `procview run` in a terminal
// of its own (its output there, the person's typing reaches its stdin), and the
// run's live view fills a panel beside the editor. A status bar item while it
// runs; a notification when it hangs; the findings as problems on their lines.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { killTree } from '../core/process-tree';
import type { ViewData } from '../core/view/view-data';
import { forTheWire } from '../core/view/wire-encode';
import type { WireMessage, WireViewData } from '../core/view/wire';
import { LiveClient } from '../host/live-client';
import { DataLog } from '../host/panel-channel';
import { findingProblems, hangMessage, statusLine } from '../host/run-status';
import { joinArguments, runFolder, runSpec, splitArguments, traceFileFor, type OnHangSetting } from '../host/run-spec';
import { interpreterFor } from './interpreter';
import { type Assets, ViewerWebview } from './panel';

export const PANEL_VIEW_TYPE = 'procview.run';

interface Run {
  script: vscode.Uri;
  args: string[];
  tracePath: string;
  cwd: string;
  terminal: vscode.Terminal;
  client: LiveClient;
  panel: RunPanel;
  startedAt: number;
  last: { events: number; at: number } | null;
  data: WireViewData | null;
  /** What a new panel is given to show what the last one showed. */
  shown: DataLog;
  notifiedHang: boolean;
  over: boolean;
  tempDir: string;
}

/** A panel showing a run (live or restored). */
export class RunPanel {
  readonly viewer: ViewerWebview;
  tracePath: string | null = null;
  /** Closed by the person; a run still going gets a new panel when asked to show it. */
  disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    assets: Assets,
    onStop: () => void,
    baseFolder: () => string | undefined,
  ) {
    this.viewer = new ViewerWebview(panel.webview, assets, panel.title, onStop, baseFolder);
    panel.onDidDispose(() => {
      this.disposed = true;
      this.viewer.dispose();
    });
  }

  post(message: WireMessage): void {
    if (!this.disposed) this.viewer.post(message);
  }

  /** The trace this panel shows, kept by VS Code with the panel so a reload restores it. */
  showsTrace(tracePath: string): void {
    this.tracePath = tracePath;
    this.post({ type: 'persist', state: { tracePath } });
  }
}

export class RunManager implements vscode.Disposable {
  private current: Run | null = null;
  private lastRequest: { script: vscode.Uri; args: string[] } | null = null;
  private panels: RunPanel[] = [];
  private readonly status: vscode.StatusBarItem;
  /** Beside the status: stops the run. */
  private readonly stopItem: vscode.StatusBarItem;
  private readonly problems: vscode.DiagnosticCollection;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly assets: () => Assets,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem('procview.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Process View';
    this.status.command = 'procview.showPanel';
    this.stopItem = vscode.window.createStatusBarItem('procview.stop', vscode.StatusBarAlignment.Left, 49);
    this.stopItem.name = 'Process View: Stop';
    this.stopItem.text = '$(debug-stop)';
    this.stopItem.tooltip = 'Stop the run: its whole process tree';
    this.stopItem.accessibilityInformation = { label: 'Stop the run', role: 'button' };
    this.stopItem.command = 'procview.stop';
    this.problems = vscode.languages.createDiagnosticCollection('procview');
    context.subscriptions.push(this.status, this.stopItem, this.problems);
  }

  get running(): boolean {
    return this.current !== null && !this.current.over;
  }

  /** Runs `resource` (or the active Python file); `askArgs` asks for its arguments first. */
  async run(resource: vscode.Uri | undefined, askArgs: boolean): Promise<void> {
    const script = resource ?? activePythonFile();
    if (!script) {
      void vscode.window.showErrorMessage('Process View: open a Python file to run (or pick one in the Explorer).');
      return;
    }
    let args = vscode.workspace.getConfiguration('procview', script).get<string[]>('args', []);
    if (askArgs) {
      // The arguments this script ran with last, else the setting's.
      const last = this.lastRequest?.script.toString() === script.toString() ? this.lastRequest.args : args;
      const typed = await vscode.window.showInputBox({
        title: `Run ${path.basename(script.fsPath)} with process view`,
        prompt: 'Arguments for the script, as in a shell: quote one that has spaces',
        value: joinArguments(last),
      });
      if (typed === undefined) return;
      args = splitArguments(typed);
    }
    await this.start(script, args);
  }

  async rerun(): Promise<void> {
    if (!this.lastRequest) {
      await this.run(undefined, false);
      return;
    }
    await this.start(this.lastRequest.script, this.lastRequest.args);
  }

  async stop(): Promise<void> {
    const run = this.current;
    if (!run || run.over) {
      void vscode.window.showInformationMessage('Process View: nothing is running.');
      return;
    }
    this.log.info(`stopping ${run.script.fsPath}`);
    // The run ends its own tree (and still writes its trace); if it cannot be asked, its terminal's tree goes.
    if (await run.client.send({ type: 'stop' })) return;
    const pid = await run.terminal.processId;
    if (pid !== undefined) killTree(pid);
  }

  showPanel(): void {
    const run = this.current;
    if (run && !run.over && run.panel.disposed) {
      // Its panel was closed while it ran: a new one, given what the old one last showed.
      run.panel = this.panelFor(run.script, run.cwd);
      run.panel.showsTrace(run.tracePath);
      for (const message of run.shown.messages) run.panel.post(message);
      return;
    }
    const panel = run && !run.panel.disposed ? run.panel : this.panels[this.panels.length - 1];
    if (panel) panel.panel.reveal(undefined, true);
    else void vscode.window.showInformationMessage('Process View: no panel is open; "Open trace…" shows a saved run.');
  }

  /** The trace of the run shown last (for save and export). */
  get lastTracePath(): string | null {
    return this.current?.tracePath ?? this.panels[this.panels.length - 1]?.tracePath ?? null;
  }

  /** A panel VS Code restores after a reload: draw its trace again. */
  restorePanel(panel: vscode.WebviewPanel, tracePath: string | undefined, load: (tracePath: string) => Promise<ViewData>): void {
    const restored = this.adopt(panel, tracePath ? path.dirname(tracePath) : undefined);
    if (!tracePath) {
      restored.post({ type: 'error', message: 'This panel\'s run was not saved; run the script again.' });
      return;
    }
    restored.showsTrace(tracePath);
    load(tracePath).then(
      (data) => {
        restored.post(forTheWire({ type: 'data', data }));
      },
      (error: unknown) => {
        restored.post({ type: 'error', message: `Cannot read ${tracePath}: ${(error as Error).message}` });
      },
    );
  }

  dispose(): void {
    if (this.current && !this.current.over) void this.stop();
    this.current?.client.close();
  }

  private async start(script: vscode.Uri, args: string[]): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const choice = await vscode.window.showErrorMessage(
        'Process View runs your script, so running is disabled in an untrusted workspace. Saved traces still open.',
        'Manage Workspace Trust',
      );
      if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    if (this.running) {
      const choice = await vscode.window.showWarningMessage('A run is still going. Stop it and start again?', 'Stop and Run', 'Cancel');
      if (choice !== 'Stop and Run') return;
      await this.stop();
    }
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === script.toString());
    if (document?.isDirty) await document.save();
    const folder = vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath ?? path.dirname(script.fsPath);
    const interpreter = await interpreterFor(script, folder, this.log);
    if ('problem' in interpreter) {
      this.log.error(interpreter.problem);
      const choice = await vscode.window.showErrorMessage(`${interpreter.problem} Select an interpreter with the Python extension, or set procview.pythonPath.`, 'Open Settings');
      if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'procview.pythonPath');
      return;
    }
    const settings = vscode.workspace.getConfiguration('procview', script);
    const cwd = runFolder(settings.get<string>('cwd', ''), folder);
    const tempDir = mkdtempSync(path.join(os.tmpdir(), 'procview-run-'));
    const tracePath = traceFileFor(folder, script.fsPath, new Date());
    const spec = runSpec({
      extensionPath: this.context.extensionPath,
      nodePath: process.execPath,
      script: script.fsPath,
      args,
      cwd,
      python: interpreter.path,
      hangTimeout: settings.get<number>('hangTimeout', 3),
      onHang: settings.get<OnHangSetting>('onHang', 'report'),
      env: settings.get<Record<string, string>>('env', {}),
      tracePath,
      urlFile: path.join(tempDir, 'url'),
    });
    this.log.info(`running ${script.fsPath} ${joinArguments(args)} with ${interpreter.path} (from ${interpreter.source}); trace: ${tracePath}`);
    this.lastRequest = { script, args };
    const name = path.basename(script.fsPath);
    const terminal = vscode.window.createTerminal({
      name: `Process View: ${name}`,
      shellPath: spec.command,
      shellArgs: spec.args,
      cwd: spec.cwd,
      env: spec.env,
      iconPath: new vscode.ThemeIcon('pulse'),
    });
    terminal.show(true);
    const panel = this.panelFor(script, cwd);
    panel.showsTrace(tracePath);
    const run: Run = {
      script, args, tracePath, cwd, terminal, panel, startedAt: Date.now(), last: null, data: null, shown: new DataLog(), notifiedHang: false, over: false, tempDir,
      client: new LiveClient(spec.args[spec.args.indexOf('--serve') + 1] ?? '', {
        message: (message) => {
          this.onMessage(run, message);
        },
        end: () => {
          this.onEnd(run);
        },
      }),
    };
    this.current = run;
    this.problems.clear();
    void vscode.commands.executeCommand('setContext', 'procview.running', true);
    this.status.text = '$(pulse) Process View: starting';
    this.status.tooltip = `Running ${name} with process view: click to show the panel`;
    this.status.show();
    this.stopItem.show();
    run.client.connect().catch((error: unknown) => {
      this.log.error(`the run's live view: ${(error as Error).message}`);
      void vscode.window.showErrorMessage(`Process View could not follow the run: ${(error as Error).message}. See the terminal.`);
      this.onEnd(run);
    });
  }

  /** The panel for a run of `script`: the last one, or a new one (procview.reusePanel). */
  private panelFor(script: vscode.Uri, cwd: string): RunPanel {
    const title = `Process View: ${path.basename(script.fsPath)}`;
    const reuse = vscode.workspace.getConfiguration('procview').get<boolean>('reusePanel', true);
    const existing = reuse ? this.panels[this.panels.length - 1] : undefined;
    if (existing) {
      existing.panel.title = title;
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    return this.adopt(panel, cwd);
  }

  private adopt(panel: vscode.WebviewPanel, baseFolder: string | undefined): RunPanel {
    const runPanel = new RunPanel(panel, this.assets(), () => void this.stop(), () => this.current?.cwd ?? baseFolder);
    panel.iconPath = vscode.Uri.file(path.join(this.context.extensionPath, 'media', 'pulse.svg'));
    this.panels.push(runPanel);
    panel.onDidDispose(() => {
      this.panels = this.panels.filter((candidate) => candidate !== runPanel);
    });
    return runPanel;
  }

  private onMessage(run: Run, message: WireMessage): void {
    if (this.current !== run) return;
    run.panel.post(message);
    run.shown.add(message);
    if (message.type !== 'data') return;
    const data = message.data;
    const now = Date.now();
    this.status.text = `$(pulse) ${statusLine(data, run.last, now, run.startedAt)}`;
    run.last = { events: data.events, at: now };
    run.data = data;
    const hang = hangMessage(data);
    if (hang && !run.notifiedHang && data.live) {
      run.notifiedHang = true;
      this.showProblems(data, run.cwd);
      void vscode.window.showWarningMessage(hang, 'Show', 'Stop').then((choice) => {
        if (choice === 'Show') {
          run.panel.panel.reveal(undefined, false);
          run.panel.post({ type: 'select', finding: 0 });
        } else if (choice === 'Stop') void this.stop();
      });
    }
  }

  private onEnd(run: Run): void {
    if (run.over) return;
    run.over = true;
    run.client.close();
    rmSync(run.tempDir, { recursive: true, force: true });
    if (this.current === run) {
      this.status.hide();
      this.stopItem.hide();
      void vscode.commands.executeCommand('setContext', 'procview.running', false);
    }
    if (run.data) this.showProblems(run.data, run.cwd);
    this.log.info(`run of ${run.script.fsPath} ended; trace: ${run.tracePath}`);
  }

  private showProblems(data: Pick<ViewData, 'findings'>, cwd: string): void {
    this.problems.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of findingProblems(data.findings)) {
      const file = path.resolve(cwd, problem.file);
      const line = Math.max(0, problem.line - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        problem.message,
        problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'Process View';
      diagnostic.code = problem.kind;
      const list = byFile.get(file) ?? [];
      list.push(diagnostic);
      byFile.set(file, list);
    }
    for (const [file, diagnostics] of byFile) this.problems.set(vscode.Uri.file(file), diagnostics);
  }
}

function activePythonFile(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document && (document.languageId === 'python' || document.fileName.endsWith('.py')) && document.uri.scheme === 'file' ? document.uri : undefined;
}
