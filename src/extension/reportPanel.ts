// The morning report webview tab. One panel; it shows one run's summary.json (validated with the
// engine's schema host-side), refreshes while that run is live, and is restored after a window
// reload through the `dream.report` serializer (the webview keeps {summaryPath} with setState).
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  abs,
  errorMessage,
  isNotFound,
  proposalsOf,
  rel,
  readLockOwner,
  readRestores,
  RunsReader,
  summariesHere,
  type Summary,
  type SummarySource,
} from '../engine';
import {
  hostToWebviewSchema,
  webviewStateSchema,
  webviewToHostSchema,
  type HostToWebview,
  type ReportViewModel,
  type WebviewToHost,
} from '../protocol/webview';
import { openChangeDiff } from './diff';
import { Disposable } from './dispose';
import type { Log } from './log';
import { insideFolder } from './model/folders';
import { makeNonce, reportHtml } from './model/html';
import { buildReportViewModel } from './model/reportModel';

import type { RunController } from './runController';

export const REPORT_VIEW_TYPE = 'dream.report';

/** <ws>/.agents/overnight/... → <ws> */
export function folderOfSummary(summaryPath: string): string | null {
  const parts = path.resolve(summaryPath).split(path.sep);
  const i = parts.lastIndexOf('.agents');
  return i > 0 ? parts.slice(0, i).join(path.sep) || path.sep : null;
}

export interface RenderedInfo {
  runId: string;
  headings: string[];
  answers: number;
}

export class ReportPanel extends Disposable {
  static current: ReportPanel | null = null;
  /** where summaries are parsed (the extension sets its reader worker) */
  static source: SummarySource = summariesHere;
  /** the model being prepared while the webview starts (posted at `ready`) */
  private prepared: { file: string | null; msg: Promise<HostToWebview> } | null = null;

  private summary: Summary | null = null;
  private loading: Promise<void> | null = null;
  /** the webview posted `ready` (its script listens); until then nothing is posted */
  private ready = false;
  private firstLoad!: { promise: Promise<void>; done: () => void };
  /** summaries read for this panel (one per ready webview, plus one per refresh) */
  loads = 0;
  lastModel: ReportViewModel | null = null;
  lastMessage: HostToWebview | null = null;
  lastRendered: RenderedInfo | null = null;
  private readonly renderedEmitter = this._register(new vscode.EventEmitter<RenderedInfo>());
  readonly onDidRender = this.renderedEmitter.event;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private summaryPath: string | null,
    private readonly controller: RunController,
    private readonly log: Log,
  ) {
    super();
    this.awaitReady();
    // read the summary while the webview starts (it says `ready` a second or so later)
    this.prepared = { file: summaryPath, msg: this.prepare() };
    this.panel.webview.options = ReportPanel.webviewOptions(extensionUri);
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'dream.svg');
    this.panel.webview.html = this.html();
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this._register(this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    // a hidden webview is discarded (no retainContextWhenHidden): shown again, it loads anew and says `ready`
    this._register(
      this.panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible && this.ready) {
          this.ready = false;
          this.awaitReady();
        }
      }),
    );
  }

  private awaitReady(): void {
    let done!: () => void;
    const promise = new Promise<void>((r) => (done = r));
    this.firstLoad = { promise, done };
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  /** Opens (or reveals and retargets) the report tab. */
  static show(extensionUri: vscode.Uri, summaryPath: string, controller: RunController, log: Log): ReportPanel {
    if (ReportPanel.current) {
      ReportPanel.current.summaryPath = summaryPath;
      ReportPanel.current.panel.reveal(vscode.ViewColumn.Active);
      void ReportPanel.current.reload();
      return ReportPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'Dream: Morning Report', vscode.ViewColumn.Active, {
      ...ReportPanel.webviewOptions(extensionUri),
      retainContextWhenHidden: false,
    });
    ReportPanel.current = new ReportPanel(panel, extensionUri, summaryPath, controller, log);
    return ReportPanel.current;
  }

  /** After a window reload: the webview's saved state names the summary it showed. */
  static revive(panel: vscode.WebviewPanel, state: unknown, extensionUri: vscode.Uri, controller: RunController, log: Log): ReportPanel {
    const parsed = webviewStateSchema.safeParse(state);
    const summaryPath = parsed.success ? parsed.data.summaryPath : null;
    ReportPanel.current?.dispose();
    ReportPanel.current = new ReportPanel(panel, extensionUri, summaryPath, controller, log);
    return ReportPanel.current;
  }

  get target(): string | null {
    return this.summaryPath;
  }

  private html(): string {
    const w = this.panel.webview;
    return reportHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'report.css')).toString(),
      title: 'Dream: Morning Report',
    });
  }

  /** Re-reads the summary and posts a fresh model (coalesces concurrent calls). Before the webview
   * is ready this waits for the load its `ready` starts, so the summary is not read twice. */
  reload(): Promise<void> {
    if (!this.ready) return this.firstLoad.promise;
    if (this.loading) return this.loading.then(() => this.load());
    this.loading = this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<void> {
    // a model prepared while the webview started, for the same summary, is posted as it is
    const prepared = this.prepared;
    this.prepared = null;
    const msg = prepared && prepared.file === this.summaryPath ? await prepared.msg : await this.prepare();
    await this.post(msg);
  }

  /** what the webview is sent for the current summary (read in the reader worker, off the host's loop) */
  private async prepare(): Promise<HostToWebview> {
    this.loads++;
    const file = this.summaryPath;
    if (!file)
      return {
        type: 'error',
        message: 'This report tab lost track of its run (no summary path saved). Open it again with "Dream: Open Morning Report".',
        summaryPath: null,
      };
    try {
      await fs.promises.access(file);
    } catch (e) {
      return {
        type: 'error',
        message: isNotFound(e)
          ? `No morning report at ${file}. The run may have been pruned; start one with "Dream: Start Bedtime Run".`
          : `The morning report at ${file} cannot be read: ${errorMessage(e)}`,
        summaryPath: file,
      };
    }
    try {
      const folder = folderOfSummary(file);
      const [{ summary, notes, changesTotal }, history] = await Promise.all([
        ReportPanel.source.summary(file),
        folder ? recentSummaries(folder) : Promise.resolve([]),
      ]);
      this.summary = summary;
      const lock = folder ? readLockOwner(folder) : null;
      const live =
        summary.status === 'running' &&
        (this.controller.runId === summary.run_id || (!!lock && lock.runId === summary.run_id && lock.alive));
      const restores = folder ? readRestores(folder, summary.run_id) : [];
      const model = buildReportViewModel(summary, { summaryPath: file, notes, live, restores, history, changesTotal });
      this.lastModel = model;
      this.panel.title = `Dream: ${summary.status === 'running' ? 'Run in progress' : 'Morning Report'} (${summary.run_id})`;
      return { type: 'render', model };
    } catch (e) {
      this.summary = null;
      this.log.warn(`report: ${errorMessage(e)}`);
      return { type: 'error', message: errorMessage(e), summaryPath: file };
    }
  }

  private async post(msg: HostToWebview): Promise<void> {
    this.lastMessage = hostToWebviewSchema.parse(msg);
    try {
      await this.panel.webview.postMessage(this.lastMessage);
    } catch {
      /* disposed */
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`report: ignored an invalid message from the webview: ${parsed.error.issues[0]?.message}`);
      return;
    }
    const msg: WebviewToHost = parsed.data;
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        const first = this.firstLoad;
        await this.reload();
        first.done();
        return;
      }
      case 'refresh':
        await this.reload();
        return;
      case 'rendered':
        this.lastRendered = { runId: msg.runId, headings: msg.headings, answers: msg.answers };
        this.renderedEmitter.fire(this.lastRendered);
        return;
      case 'openDiff': {
        const s = this.summary;
        const folder = this.summaryPath ? folderOfSummary(this.summaryPath) : null;
        const it = s?.iterations.find((x) => x.index === msg.iteration);
        const change = it?.changes[msg.position];
        if (!s || !folder || !it || !change) {
          void vscode.window.showWarningMessage('Dream: that change is no longer in the report; refresh it.');
          return;
        }
        await openChangeDiff({ folder, runId: s.run_id, iteration: it.index, change });
        return;
      }
      case 'firstMove':
        await this.runFirstMove();
        return;
      case 'restoreChange': {
        const s = this.summary;
        const folder = this.summaryPath ? folderOfSummary(this.summaryPath) : null;
        const change = s?.iterations.find((x) => x.index === msg.iteration)?.changes[msg.position];
        if (!s || !folder || !change) return;
        await vscode.commands.executeCommand('dream.restoreChange', { folder, runId: s.run_id, change });
        await this.reload();
        return;
      }
      case 'restoreRun': {
        const folder = this.summaryPath ? folderOfSummary(this.summaryPath) : null;
        if (!this.summary || !folder) return;
        await vscode.commands.executeCommand('dream.restoreRun', { folder, runId: this.summary.run_id });
        await this.reload();
        return;
      }
      case 'archiveReview': {
        const folder = this.summaryPath ? folderOfSummary(this.summaryPath) : null;
        // every note proposed (the report lists the first MAX_REVIEW_IN_REPORT)
        const paths = this.summary ? proposalsOf(this.summary).map((p) => p.path) : [];
        if (!folder || !paths.length) return;
        await vscode.commands.executeCommand('dream.archiveReview', { folder, paths });
        await this.reload();
        return;
      }
      case 'openFile': {
        const folder = this.summaryPath ? folderOfSummary(this.summaryPath) : null;
        if (folder) await openWorkspaceFile(folder, msg.path);
        return;
      }
    }
  }

  async runFirstMove(): Promise<void> {
    const action = this.lastModel?.firstMove.action;
    const folder = this.summaryPath ? folderOfSummary(this.summaryPath) : null;
    if (!action || action.kind === 'none') {
      void vscode.window.showInformationMessage(`Dream: ${this.lastModel?.firstMove.text ?? 'nothing to do first.'}`);
      return;
    }
    if (action.kind === 'open-file') {
      if (folder) await openWorkspaceFile(folder, action.path, action.line);
      return;
    }
    if (!action.command.startsWith('dream.')) return; // only Dream's own commands
    const args =
      action.command === 'dream.resume' || action.command === 'dream.openReport'
        ? [{ folder, runId: action.args[0] ?? this.summary?.run_id }]
        : action.args;
    await vscode.commands.executeCommand(action.command, ...args);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (ReportPanel.current === this) ReportPanel.current = null;
    super.dispose(); // first: its listeners go, so the panel's own onDidDispose does not come back here
    this.firstLoad.done();
    this.panel.dispose();
  }
}

export async function openWorkspaceFile(folder: string, p: string, line?: number): Promise<void> {
  const full = insideFolder(folder, p);
  if (!full) {
    void vscode.window.showWarningMessage(`Dream: not opening ${p}: it is outside the workspace folder.`);
    return;
  }
  try {
    await fs.promises.access(full);
  } catch {
    void vscode.window.showWarningMessage(`Dream: ${p} does not exist (any more).`);
    return;
  }
  const at = line ? new vscode.Range(line - 1, 0, line - 1, 0) : undefined;
  await vscode.window.showTextDocument(vscode.Uri.file(full), { preview: false, ...(at ? { selection: at } : {}) });
}

/** .agents/overnight/runs/<runId>/summary.json, or latest/summary.json when no run is named */
export function summaryPathFor(folder: string, runId?: string | null): string {
  return runId ? abs(folder, rel.summaryJson(runId)) : abs(folder, `${rel.latest}/summary.json`);
}

/** the last nights' summaries (for the history chart); unreadable ones are left out */
async function recentSummaries(folder: string, n = 14): Promise<Summary[]> {
  try {
    const runs = await new RunsReader(folder, ReportPanel.source).listRuns(n);
    return runs
      .map((r) => r.summary)
      .filter((x): x is Summary => !!x)
      .slice(0, n);
  } catch {
    return [];
  }
}
