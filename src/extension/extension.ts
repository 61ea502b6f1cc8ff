// Dream's extension host entry: wires the run controller (worker), the runs tree, the status bar,
// the morning report webview, the log and the commands. The loop itself runs in dist/worker.js.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { registerCommands, type StartArgs } from './commands';
import { startOptions } from './commands/run';
import { InEditorSchedule } from './inEditorSchedule';
import { BEFORE_SCHEME, BeforeImageProvider, EMPTY_SCHEME, EmptyDocumentProvider } from './diff';
import { Folders } from './folders';
import { Log } from './log';
import { REPORT_VIEW_TYPE, ReportPanel, summaryPathFor } from './reportPanel';
import { RunController, workerPathFor, type RunResult } from './runController';
import { SummaryReader } from './summaryReader';
import { RunsTreeProvider } from './runsTree';
import { DreamStatusBar } from './statusBar';

/** What activate() returns: used by the integration tests (and other extensions, if they like). */
export interface DreamApi {
  runController: RunController;
  runsTree: RunsTreeProvider;
  folders: Folders;
  statusBar: DreamStatusBar;
  log: Log;
  /** start a run without any UI (no input box); resolves when the run has ended */
  startRun(a: StartArgs): Promise<RunResult>;
  /** the open report tab, if any (its lastModel / lastRendered show what it rendered) */
  reportPanel(): ReportPanel | null;
  /** what VS Code calls to restore the report tab after a window reload */
  reportSerializer: vscode.WebviewPanelSerializer;
  activationMs: number;
}

let controllerRef: RunController | null = null;

export async function activate(context: vscode.ExtensionContext): Promise<DreamApi> {
  const t0 = performance.now();
  const log = new Log();
  context.subscriptions.push(log);

  const folders = new Folders();
  const controller = new RunController(workerPathFor(context.extensionPath), log);
  controllerRef = controller;
  // summaries are parsed in a reader worker: megabytes of JSON never stall the extension host
  const summaries = new SummaryReader(workerPathFor(context.extensionPath), log);
  context.subscriptions.push(summaries);
  ReportPanel.source = summaries;
  const tree = new RunsTreeProvider(folders, controller, summaries);
  const statusBar = new DreamStatusBar(controller);
  context.subscriptions.push(folders, controller, tree, statusBar);
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(EMPTY_SCHEME, new EmptyDocumentProvider()));
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(BEFORE_SCHEME, new BeforeImageProvider()));

  const reportSerializer: vscode.WebviewPanelSerializer = {
    deserializeWebviewPanel: async (panel, state) => {
      ReportPanel.revive(panel, state, context.extensionUri, controller, log);
    },
  };
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, reportSerializer));

  const schedule = new InEditorSchedule(folders, controller, log);
  context.subscriptions.push(schedule);
  context.subscriptions.push(...registerCommands({ context, log, folders, controller, tree, statusBar, schedule }));

  // context keys for menus and the welcome view
  const setRunning = () => void vscode.commands.executeCommand('setContext', 'dream.running', controller.running);
  context.subscriptions.push(controller.onDidChangeState(setRunning));
  setRunning();

  // keep an open report in step with the run it shows
  context.subscriptions.push(
    tree.onDidRefresh(() => {
      const p = ReportPanel.current;
      if (p?.panel.visible) void p.reload();
    }),
  );

  // one notification when a run ends, with the way to the report
  context.subscriptions.push(
    controller.onDidFinish((r) => {
      if (!r.runId) {
        if (r.error) void vscode.window.showErrorMessage(`Dream: ${r.error.message}`, 'Show Log').then((c) => c && log.show());
        return;
      }
      const openArgs = { folder: r.folder, runId: r.runId };
      const pick = (c: string | undefined) => {
        if (c === 'Open Report') void vscode.commands.executeCommand('dream.openReport', openArgs);
        else if (c === 'Show Log') log.show();
        else if (c === 'Resume Run') void vscode.commands.executeCommand('dream.resume', openArgs);
      };
      if (r.status === 'failed') {
        const extra = r.forced ? ['Resume Run'] : [];
        void vscode.window
          .showErrorMessage(`Dream: the run ${r.runId} failed: ${r.failureReason ?? 'unknown reason'}`, 'Open Report', 'Show Log', ...extra)
          .then(pick);
      } else {
        void vscode.window
          .showInformationMessage(
            `Dream: the run ${r.runId} finished (${r.haltReason ?? r.status}). Your morning report is ready.`,
            'Open Report',
          )
          .then(pick);
      }
    }),
  );

  // trust can be granted while running; re-evaluate menus
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void folders.refresh()));

  await folders.refresh();
  schedule.refresh();

  const activationMs = Math.round((performance.now() - t0) * 10) / 10;
  log.info(
    `Dream activated in ${activationMs} ms (${folders.withCorpus.length} folder(s) with .agents/; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: commands that write are disabled'})`,
  );
  if (log.channel.logLevel > vscode.LogLevel.Info) log.warn('tip: run "Developer: Set Log Level…" → Dream to see every run event');

  return {
    runController: controller,
    runsTree: tree,
    folders,
    statusBar,
    log,
    startRun: async (a: StartArgs) => {
      const folder = a.folder ?? folders.withCorpus[0];
      if (!folder) throw new Error('no workspace folder has an .agents/ folder');
      return controller.start(startOptions(folder, a));
    },
    reportPanel: () => ReportPanel.current,
    reportSerializer,
    activationMs,
  };
}

/** Window closing: end the worker without cancelling so the run stays resumable. */
export async function deactivate(): Promise<void> {
  await controllerRef?.shutdown();
  controllerRef = null;
}

export { summaryPathFor };
