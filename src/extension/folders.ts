// Multi-root: Dream works on the workspace folder that holds `.agents/`; several → a quick pick;
// none → an explanation. Also keeps the `dream.hasCorpus` context key current.
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { corpusFolders } from './model/folders';

export class Folders extends Disposable {
  private corpus: string[] = [];
  private lastPick: string | null = null;
  private readonly emitter = this._register(new vscode.EventEmitter<string[]>());
  readonly onDidChange = this.emitter.event;

  constructor() {
    super();
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()));
    // .agents appearing or disappearing at a folder's root
    const w = this._register(vscode.workspace.createFileSystemWatcher('**/.agents'));
    this._register(w.onDidCreate(() => void this.refresh()));
    this._register(w.onDidDelete(() => void this.refresh()));
  }

  get all(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** folders that hold .agents/ (as of the last refresh) */
  get withCorpus(): string[] {
    return this.corpus;
  }

  async refresh(): Promise<string[]> {
    const next = await corpusFolders(this.all);
    const changed = next.join('\n') !== this.corpus.join('\n');
    this.corpus = next;
    // not awaited: a context key round-trips to the workbench, nothing here depends on it
    void vscode.commands.executeCommand('setContext', 'dream.hasCorpus', next.length > 0);
    void vscode.commands.executeCommand('setContext', 'dream.multiCorpus', next.length > 1);
    if (changed) this.emitter.fire(next);
    return next;
  }

  /** The folder to work on, asking when several qualify; undefined (after telling the user why) when none. */
  async pick(purpose: string, preferred?: string | null): Promise<string | undefined> {
    const folders = await this.refresh();
    if (preferred && folders.includes(preferred)) return preferred;
    if (folders.length === 1) return folders[0];
    if (folders.length === 0) {
      const msg = this.all.length
        ? "Dream: no workspace folder has an .agents/ folder. Dream works on a repository's agent knowledge corpus: create .agents/learnings/ with a few markdown notes (YAML frontmatter with a title), then try again."
        : 'Dream: open a folder first. Dream works on the .agents/ folder of a repository.';
      const choice = await vscode.window.showWarningMessage(msg, 'Open Walkthrough');
      if (choice === 'Open Walkthrough')
        await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'dream-dev.dream#dream.gettingStarted', false);
      return undefined;
    }
    const items = folders.map((f) => ({
      label: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(f))?.name ?? f,
      description: f,
      folder: f,
      picked: f === this.lastPick,
    }));
    const chosen = await vscode.window.showQuickPick(items, {
      title: `Dream: ${purpose}`,
      placeHolder: 'Several folders have an .agents/ corpus: which one?',
    });
    if (chosen) this.lastPick = chosen.folder;
    return chosen?.folder;
  }
}
