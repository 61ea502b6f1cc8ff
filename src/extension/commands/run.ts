// Start, stop and resume a bedtime run.
import * as vscode from 'vscode';
import { userLayer } from '../settings';
import type { RunResult, StartOptions } from '../runController';
import { asObject, runRef, type Register, type Services, type StartArgs } from './shared';

/** What a start command (palette, API, schedule) asks the run controller for in `folder`. */
export function startOptions(folder: string, a: StartArgs): StartOptions {
  return {
    folder,
    goal: a.goal ?? '',
    resume: a.resume ?? null,
    userSettings: userLayer(folder).values,
    args: a.settings ?? {},
    ...(a.faults ? { faults: a.faults } : {}),
  };
}

export function runCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { folders, controller } = s;
  const startRun = async (a: StartArgs): Promise<RunResult | undefined> => {
    const folder = await folders.pick(a.resume ? 'Resume Run' : 'Start Bedtime Run', a.folder);
    if (!folder) return undefined;
    return controller.start(startOptions(folder, a));
  };

  return [
    reg('dream.start', async (arg?: unknown) => {
      const o = asObject(arg) ?? {};
      const a: StartArgs = {
        ...(typeof o.folder === 'string' ? { folder: o.folder } : {}),
        ...(asObject(o.settings) ? { settings: asObject(o.settings)! } : {}),
        ...(asObject(o.faults) ? { faults: asObject(o.faults)! } : {}),
      };
      if (typeof arg === 'string') a.goal = arg;
      else if (typeof o.goal === 'string') a.goal = o.goal;
      else {
        if (controller.running) {
          void vscode.window.showInformationMessage(
            'Dream: a run is already in progress in this window. Stop it first ("Dream: Stop Run").',
          );
          return undefined;
        }
        const goal = await vscode.window.showInputBox({
          title: 'Dream: Start Bedtime Run',
          prompt: 'A goal for tonight (optional). Press Enter to start without one, Escape to cancel.',
          placeHolder: 'e.g. tidy the auth learnings before the refactor',
          ignoreFocusOut: true,
        });
        if (goal === undefined) return undefined; // Escape
        a.goal = goal.trim();
      }
      return startRun(a);
    }),

    reg('dream.stop', () => {
      if (!controller.stop()) void vscode.window.showInformationMessage('Dream: no run is in progress in this window.');
      return undefined;
    }),

    reg('dream.resume', async (arg?: unknown) => {
      const ref = runRef(arg);
      let runId = ref.runId ?? null;
      let folder = ref.folder ?? null;
      if (!runId) {
        folder = folder ?? (await folders.pick('Resume Run')) ?? null;
        if (!folder) return undefined;
        const runs = (await s.tree.reader(folder).listRuns()).filter((r) => r.state === 'interrupted' || r.state === 'failed');
        if (!runs.length) {
          void vscode.window.showInformationMessage('Dream: there is no interrupted or failed run to resume.');
          return undefined;
        }
        const pick = await vscode.window.showQuickPick(
          runs.map((r) => ({
            label: r.runId,
            description: r.state,
            detail:
              r.summary?.failure_reason ??
              `${r.summary?.iterations.length ?? 0} iteration(s) so far${r.summary?.goal ? ` · goal: ${r.summary.goal}` : ''}`,
            runId: r.runId,
          })),
          { title: 'Dream: Resume Run', placeHolder: 'The run continues with the same id and its remaining budget' },
        );
        if (!pick) return undefined;
        runId = pick.runId;
      }
      const o = asObject(arg) ?? {};
      return startRun({
        ...(folder ? { folder } : {}),
        resume: runId,
        ...(asObject(o.settings) ? { settings: asObject(o.settings)! } : {}),
        ...(asObject(o.faults) ? { faults: asObject(o.faults)! } : {}),
      });
    }),
  ];
}
