// Reset the repository's warn-only rescue budget.
import * as vscode from 'vscode';
import { resetWarnOnlyBudget } from '../../engine';
import { effectiveSettings } from '../settings';
import { asObject, type Register, type Services } from './shared';

export function warnOnlyCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders, controller } = s;
  return [
    reg('dream.resetWarnOnly', async (arg?: unknown) => {
      const folder = await folders.pick('Reset Warn-only Budget', asObject(arg)?.folder as string | undefined);
      if (!folder) return undefined;
      if (controller.running && controller.folder === folder) {
        void vscode.window.showWarningMessage('Dream: a run is in progress here; reset the warn-only budget after it ends.');
        return undefined;
      }
      const requested = Number(asObject(arg)?.initial ?? 0);
      const initial = requested > 0 ? requested : effectiveSettings(folder).settings.warnOnlyBudget;
      const b = resetWarnOnlyBudget(folder, initial);
      log.info(`warn-only budget reset: ${b.remaining} of ${b.initial_budget} rescues (${b.path})`);
      void vscode.window.showInformationMessage(`Dream: warn-only budget reset to ${b.remaining} rescue${b.remaining === 1 ? '' : 's'}.`);
      return b;
    }),
  ];
}
