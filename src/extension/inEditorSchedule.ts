// The in-editor scheduler's VS Code glue: one NightlyScheduler (lanes/setup/nightly.ts) per trusted
// folder whose settings say scheduler: in-editor with a scheduleAt. A due night first asks the cheap
// gate, then starts the run through the controller (the run lock refuses a second one).
import * as vscode from 'vscode';
import { scheduledGate } from '../engine';
import { NightlyScheduler } from '../lanes/setup';
import { Disposable, toDisposable } from './dispose';
import type { Folders } from './folders';
import type { Log } from './log';
import type { RunController } from './runController';
import { effectiveSettings, userLayer } from './settings';

export class InEditorSchedule extends Disposable {
  private readonly nightly = new Map<string, NightlyScheduler>();

  constructor(
    private readonly folders: Folders,
    private readonly controller: RunController,
    private readonly log: Log,
  ) {
    super();
    this._register(folders.onDidChange(() => this.refresh()));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('dream') && this.refresh()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()));
    this._register(toDisposable(() => this.stopAll()));
  }

  private scheduleOf(folder: string): string {
    try {
      const s = effectiveSettings(folder).settings;
      return s.scheduler === 'in-editor' ? s.scheduleAt : '';
    } catch {
      return '';
    }
  }

  /** (re)reads every folder's settings: starts, keeps or stops its nightly timer */
  refresh(): void {
    const wanted = new Set(vscode.workspace.isTrusted ? this.folders.withCorpus.filter((f) => this.scheduleOf(f)) : []);
    for (const [folder, n] of this.nightly)
      if (!wanted.has(folder)) {
        n.dispose();
        this.nightly.delete(folder);
      }
    for (const folder of wanted) {
      this.nightly.get(folder)?.dispose();
      const n = new NightlyScheduler({
        workspace: folder,
        scheduleAt: () => this.scheduleOf(folder),
        log: (l) => this.log.info(l),
        start: () => this.startNight(folder),
      });
      this.nightly.set(folder, n);
      n.begin();
      this.log.info(`in-editor schedule: ${folder} at ${this.scheduleOf(folder)} while this window is open`);
    }
  }

  private async startNight(folder: string): Promise<void> {
    if (this.controller.running) throw new Error('a run is already in progress in this window');
    const gate = scheduledGate(folder);
    if (!gate.changed) {
      this.log.info(`in-editor schedule: ${gate.line}`);
      return;
    }
    await this.controller.start({ folder, goal: '', resume: null, userSettings: userLayer(folder).values, args: {} });
  }

  private stopAll(): void {
    for (const n of this.nightly.values()) n.dispose();
    this.nightly.clear();
  }
}
