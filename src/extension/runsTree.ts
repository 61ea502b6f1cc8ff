// The `dream.runs` tree: runs (newest first) → iterations → changes. Read from the run folders on
// disk, refreshed (debounced) by a file watcher on summaries and iteration files, so runs started
// by the CLI show up too.
import path from 'node:path';
import * as vscode from 'vscode';
import {
  changeCount,
  errorMessage,
  packOfBeforeImage,
  summariesHere,
  type SummarySource,
  readRestores,
  RunsReader,
  runIdToDate,
  statusTone,
  type Change,
  type IterationRecord,
  type RunEntry,
} from '../engine';
import { Disposable, toDisposable } from './dispose';
import type { Folders } from './folders';
import { changeIcon, iterationDescription, iterationIcon, runDescription, runIcon, runLabel } from './model/format';

import type { RunController } from './runController';
import { listDrafts, type Draft } from '../lanes/curator';

export type DreamNode =
  | { kind: 'folder'; folder: string }
  | { kind: 'run'; folder: string; run: RunEntry }
  | { kind: 'iteration'; folder: string; run: RunEntry; iteration: IterationRecord }
  | {
      kind: 'change';
      folder: string;
      runId: string;
      iteration: number;
      position: number;
      committed: boolean;
      change: Change;
      /** when the change was restored (§5.7), else null */
      restoredAt: string | null;
    }
  | { kind: 'info'; folder: string; text: string; tooltip?: string }
  | { kind: 'drafts'; folder: string; drafts: Draft[] }
  | { kind: 'draft'; folder: string; draft: string; item: Draft };

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<DreamNode> {
  private readonly emitter = this._register(new vscode.EventEmitter<DreamNode | undefined | void>());
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly readers = new Map<string, RunsReader>();
  private timer: NodeJS.Timeout | null = null;
  private readonly refreshedEmitter = this._register(new vscode.EventEmitter<void>());
  /** fires after a (debounced) refresh was requested and handed to the view */
  readonly onDidRefresh = this.refreshedEmitter.event;
  readonly view: vscode.TreeView<DreamNode>;

  constructor(
    private readonly folders: Folders,
    private readonly controller: RunController,
    /** where summaries are parsed (the reader worker: not on the extension host) */
    private readonly source: SummarySource = summariesHere,
  ) {
    super();
    this._register(toDisposable(() => this.timer && clearTimeout(this.timer)));
    this.view = vscode.window.createTreeView('dream.runs', { treeDataProvider: this, showCollapseAll: true });
    const w = vscode.workspace.createFileSystemWatcher('**/.agents/overnight/runs/**/{summary.json,restores.jsonl,iterations/*.json}');
    const dirs = vscode.workspace.createFileSystemWatcher('**/.agents/overnight/runs/*');
    const drafts = vscode.workspace.createFileSystemWatcher('**/.agents/knowledge/pending/*.md');
    const poke = () => this.scheduleRefresh();
    this._disposables.push(
      this.view,
      w,
      dirs,
      w.onDidCreate(poke),
      w.onDidChange(poke),
      w.onDidDelete(poke),
      dirs.onDidCreate(poke),
      dirs.onDidDelete(poke),
      drafts,
      drafts.onDidCreate(poke),
      drafts.onDidDelete(poke),
      folders.onDidChange(poke),
      controller.onDidChangeState(poke),
      controller.onDidEvent(({ event }) => {
        if (event.type === 'iteration-finished' || event.type === 'run-started' || event.type === 'run-finished') poke();
      }),
    );
  }

  reader(folder: string): RunsReader {
    let r = this.readers.get(folder);
    if (!r) this.readers.set(folder, (r = new RunsReader(folder, this.source)));
    return r;
  }

  /** debounced: bursts of file events become one refresh */
  scheduleRefresh(delayMs = 250): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, delayMs);
  }

  refresh(): void {
    this.emitter.fire();
    this.refreshedEmitter.fire();
  }

  async getChildren(node?: DreamNode): Promise<DreamNode[]> {
    if (!node) {
      const folders = this.folders.withCorpus;
      if (folders.length === 0) return []; // the welcome view explains what to do
      if (folders.length > 1) return folders.map((folder) => ({ kind: 'folder', folder }));
      return this.runsOf(folders[0]!);
    }
    switch (node.kind) {
      case 'folder':
        return this.runsOf(node.folder);
      case 'drafts':
        return node.drafts.map((d) => ({ kind: 'draft', folder: node.folder, draft: d.rel, item: d }));
      case 'run': {
        let its: IterationRecord[];
        try {
          its = await this.reader(node.folder).iterations(node.run);
        } catch (e) {
          return [{ kind: 'info', folder: node.folder, text: 'iterations could not be listed', tooltip: errorMessage(e) }];
        }
        const out: DreamNode[] = [...its]
          .reverse()
          .map((iteration) => ({ kind: 'iteration', folder: node.folder, run: node.run, iteration }));
        if (node.run.error) out.unshift({ kind: 'info', folder: node.folder, text: 'summary could not be read', tooltip: node.run.error });
        for (const n of node.run.notes) out.unshift({ kind: 'info', folder: node.folder, text: n, tooltip: n });
        if (!out.length)
          out.push({
            kind: 'info',
            folder: node.folder,
            text: node.run.state === 'running' ? 'first iteration in progress…' : 'no iterations ran',
          });
        return out;
      }
      case 'iteration': {
        const it = node.iteration;
        const restored = restoredPaths(node.folder, node.run.runId);
        let all: Change[];
        try {
          all = await this.reader(node.folder).changesOf(node.run, it);
        } catch (e) {
          return [{ kind: 'info', folder: node.folder, text: 'changes could not be listed', tooltip: errorMessage(e) }];
        }
        const out: DreamNode[] = all.map((change, position) => ({
          kind: 'change',
          folder: node.folder,
          runId: node.run.runId,
          iteration: it.index,
          position,
          committed: it.committed,
          change,
          restoredAt: restored.get(change.path) ?? (change.moved_to ? restored.get(change.moved_to) : undefined) ?? null,
        }));
        if (it.error) out.unshift({ kind: 'info', folder: node.folder, text: it.error, tooltip: it.error });
        if (!out.length) out.push({ kind: 'info', folder: node.folder, text: 'no changes' });
        return out;
      }
      default:
        return [];
    }
  }

  private async runsOf(folder: string): Promise<DreamNode[]> {
    let runs: RunEntry[];
    try {
      runs = await this.reader(folder).listRuns();
    } catch (e) {
      return [{ kind: 'info', folder, text: 'runs could not be listed', tooltip: errorMessage(e) }];
    }
    const out: DreamNode[] = runs.map((run) => ({ kind: 'run', folder, run }));
    // Tier 1 drafts waiting for a person (Dream never promotes them)
    const drafts = await listDrafts(folder);
    if (drafts.length) out.push({ kind: 'drafts', folder, drafts });
    return out;
  }

  /** Tooltips of runs, iterations and changes are built when hovered, not for every row shown. */
  resolveTreeItem(item: vscode.TreeItem, node: DreamNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run': {
        const { run } = node;
        const s = run.summary;
        const live = this.controller.runId === run.runId && this.controller.folder === node.folder;
        const state = live ? 'running' : run.state;
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**Dream run** \`${run.runId}\`\n\n`);
        md.appendText(`status: ${s?.status ?? 'unknown'}${s?.halt_reason ? ` · halt: ${s.halt_reason}` : ''}\n`);
        if (s?.goal) md.appendText(`goal: ${s.goal}\n`);
        if (s?.failure_reason) md.appendText(`failure: ${s.failure_reason}\n`);
        if (run.error) md.appendText(`${run.error}\n`);
        if (state === 'interrupted') md.appendText('No Dream process holds this run: resume it to continue.\n');
        item.tooltip = md;
        break;
      }
      case 'iteration': {
        const it = node.iteration;
        item.tooltip = `${it.status}${it.committed ? ' (live)' : ' (not live: rolled back or not committed)'}\ncomposite delta ${it.fitness_delta}\n${changeCount(node.run, it)} change(s) in ${it.duration_ms} ms${it.error ? `\n${it.error}` : ''}${it.regressions.length ? `\nregressions: ${it.regressions.map((r) => r.name).join(', ')}` : ''}`;
        break;
      }
      case 'change': {
        const c = node.change;
        item.tooltip = `${c.kind}: .agents/${c.path}${c.moved_to ? ` → .agents/${c.moved_to}` : ''}\n${c.reason}${c.before ? `\nbefore-image in .agents/${packOfBeforeImage(c.before) ?? c.before}` : ''}${node.committed ? '' : '\n(this iteration was not committed: the change is not live)'}${node.restoredAt ? `\nrestored ${node.restoredAt}` : ''}`;
        break;
      }
    }
    return item;
  }

  getTreeItem(node: DreamNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(path.basename(node.folder), vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.folder;
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = 'dream:folder';
        return item;
      }
      case 'run': {
        const run = node.run;
        const s = run.summary;
        const live = this.controller.runId === run.runId && this.controller.folder === node.folder;
        const state = live ? 'running' : run.state;
        const item = new vscode.TreeItem(
          runLabel(runIdToDate(run.runId), run.runId),
          state === 'running' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = `run:${node.folder}:${run.runId}`;
        const restores = readRestores(node.folder, run.runId);
        item.description =
          runDescription(state, s?.halt_reason ?? null, s?.iterations.length ?? 0, live) +
          (restores.length ? ` · ${restores.some((r) => r.scope === 'run') ? 'restored' : 'changes restored'}` : '');
        item.iconPath = new vscode.ThemeIcon(
          runIcon(state),
          state === 'failed'
            ? new vscode.ThemeColor('testing.iconFailed')
            : state === 'done'
              ? new vscode.ThemeColor('testing.iconPassed')
              : undefined,
        );
        item.contextValue = `dream:run:${state}`;
        item.command = {
          command: 'dream.openReport',
          title: 'Open Morning Report',
          arguments: [{ folder: node.folder, runId: run.runId }],
        };
        return item;
      }
      case 'iteration': {
        const it = node.iteration;
        const item = new vscode.TreeItem(
          `Iteration ${it.index}`,
          changeCount(node.run, it) || it.error ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `iter:${node.folder}:${node.run.runId}:${it.index}`;
        item.description = iterationDescription(it, changeCount(node.run, it));
        const bad = statusTone(it.status) === 'bad';
        item.iconPath = new vscode.ThemeIcon(
          iterationIcon(it.status),
          bad
            ? new vscode.ThemeColor('testing.iconFailed')
            : it.status === 'done'
              ? new vscode.ThemeColor('testing.iconPassed')
              : undefined,
        );
        item.contextValue = `dream:iteration:${it.committed ? 'committed' : 'not-live'}`;
        return item;
      }
      case 'change': {
        const c = node.change;
        const shown = c.moved_to ?? c.path;
        const item = new vscode.TreeItem(path.posix.basename(c.path), vscode.TreeItemCollapsibleState.None);
        item.id = `change:${node.folder}:${node.runId}:${node.iteration}:${node.position}`;
        item.description = `${node.restoredAt ? 'restored · ' : ''}${c.kind} · ${c.reason}`;
        item.iconPath = new vscode.ThemeIcon(node.restoredAt ? 'discard' : changeIcon(c.kind));
        item.resourceUri = vscode.Uri.file(path.join(node.folder, '.agents', ...shown.split('/')));
        item.contextValue = node.restoredAt ? 'dream:change:restored' : node.committed ? 'dream:change' : 'dream:change:not-live';
        item.command = {
          command: 'dream.openChangeDiff',
          title: 'Open Diff',
          arguments: [{ folder: node.folder, runId: node.runId, iteration: node.iteration, change: c }],
        };
        return item;
      }
      case 'drafts': {
        const item = new vscode.TreeItem('Drafts', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${node.drafts.length} to review in knowledge/pending/`;
        item.iconPath = new vscode.ThemeIcon('inbox');
        item.tooltip = 'Local curator drafts: review one, then promote it (Dream never promotes a draft).';
        item.contextValue = 'dream:drafts';
        return item;
      }
      case 'draft': {
        const d = node.item;
        const item = new vscode.TreeItem(d.title, vscode.TreeItemCollapsibleState.None);
        item.description = d.problem ? `cannot promote: ${d.problem}` : d.name;
        item.iconPath = new vscode.ThemeIcon(d.editable ? 'note' : 'warning');
        item.tooltip = `.agents/${d.rel}\nstatus: ${d.status}${d.needsReview ? ' · needs review' : ''}`;
        item.resourceUri = vscode.Uri.file(path.join(node.folder, '.agents', d.rel));
        item.command = { command: 'vscode.open', title: 'Open Draft', arguments: [item.resourceUri] };
        item.contextValue = d.editable ? 'dream:draft' : 'dream:draft:broken';
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        if (node.tooltip) item.tooltip = node.tooltip;
        item.contextValue = 'dream:info';
        return item;
      }
    }
  }
}

/** path (relative to .agents/) -> when it was restored, for one run */
function restoredPaths(folder: string, runId: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of readRestores(folder, runId)) for (const p of r.paths) out.set(p.path, r.restored_at);
  return out;
}
