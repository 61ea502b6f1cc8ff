// The Dream status bar item: idle, running (iteration N · elapsed, live), finished with the result.
import * as vscode from 'vscode';
import { Disposable, toDisposable } from './dispose';
import { statusBarView } from './model/format';
import type { RunController } from './runController';

export const STATUS_BAR_COMMAND = 'dream.statusBarAction';

export class DreamStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly controller: RunController) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('dream.status', vscode.StatusBarAlignment.Left, 0));
    this.item.name = 'Dream';
    this.item.command = STATUS_BAR_COMMAND;
    this._register(controller.onDidChangeState(() => this.update()));
    this._register(toDisposable(() => this.timer && clearInterval(this.timer)));
    this.update();
    this.item.show();
  }

  update(): void {
    const s = this.controller.state;
    const v = statusBarView(s, Date.now());
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor =
      v.background === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : v.background === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    const ticking = s.kind === 'running' || s.kind === 'starting';
    if (ticking && !this.timer) this.timer = setInterval(() => this.update(), 1000);
    else if (!ticking && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** what a click does, by state */
  async click(): Promise<void> {
    const s = this.controller.state;
    if (s.kind === 'running' || s.kind === 'starting') {
      const pick = await vscode.window.showQuickPick(
        [
          {
            label: '$(debug-stop) Stop Run',
            id: 'dream.stop',
            detail: 'Cooperative stop: the current iteration is rolled back, the run ends with halt reason "cancelled".',
          },
          {
            label: '$(book) Open Morning Report',
            id: 'dream.openReport',
            detail: 'The report of this run so far (it refreshes after every iteration).',
          },
          { label: '$(output) Show Log', id: 'dream.showLog' },
        ],
        { title: `Dream: ${this.item.text.replace(/^\$\([^)]*\)\s*/, '')}` },
      );
      if (!pick) return;
      const arg = pick.id === 'dream.openReport' && s.kind === 'running' ? [{ folder: this.controller.folder, runId: s.runId }] : [];
      await vscode.commands.executeCommand(pick.id, ...arg);
      return;
    }
    if (s.kind === 'finished') {
      await vscode.commands.executeCommand(
        'dream.openReport',
        s.runId && this.controller.lastResult ? { folder: this.controller.lastResult.folder, runId: s.runId } : undefined,
      );
      return;
    }
    await vscode.commands.executeCommand('dream.start');
  }
}
