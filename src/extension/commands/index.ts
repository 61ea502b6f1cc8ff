// Every Dream command, registered by feature (one file each). Commands that write (or run anything)
// are refused in an untrusted workspace; Show Log and Open Report (read-only) always work.
import * as vscode from 'vscode';
import { STATUS_BAR_COMMAND } from '../statusBar';
import { curatorCommands } from './curator';
import { promoteCommands } from './promote';
import { reportCommands } from './report';
import { restoreCommands } from './restore';
import { runCommands } from './run';
import { setupCommands } from './setup';
import type { Register, Services } from './shared';
import { warnOnlyCommands } from './warnOnly';

export { WALKTHROUGH_ID } from './setup';
export type { Services, StartArgs } from './shared';

/** The 13 commands of contract §10 (contributed to the palette with category "Dream"). */
export const PUBLIC_COMMANDS = [
  'dream.setup',
  'dream.start',
  'dream.stop',
  'dream.resume',
  'dream.openReport',
  'dream.curatorStatus',
  'dream.curatorDiagnose',
  'dream.curatorEnqueue',
  'dream.curatorCompact',
  'dream.curatorEvent',
  'dream.promoteDraft',
  'dream.resetWarnOnly',
  'dream.showLog',
] as const;

/** These never need a trusted workspace (they only read). */
const ALWAYS_ALLOWED = new Set(['dream.showLog', 'dream.openReport', 'dream.openChangeDiff', 'dream.refreshRuns', STATUS_BAR_COMMAND]);

export function registerCommands(s: Services): vscode.Disposable[] {
  const { log } = s;

  const trusted = (id: string): boolean => {
    if (ALWAYS_ALLOWED.has(id) || vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(
      'Dream: this command is disabled in an untrusted workspace (Restricted Mode). Trust the workspace to run Dream, its council, curator or scheduler; Show Log and Open Morning Report still work.',
    );
    log.warn(`${id} refused: the workspace is not trusted`);
    return false;
  };

  const reg: Register = (id, fn) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      if (!trusted(id)) return undefined;
      try {
        return await fn(...args);
      } catch (e) {
        const err = e as Error;
        log.error(`${id}: ${err.stack ?? err.message}`);
        void vscode.window.showErrorMessage(`Dream: ${err.message}`);
        return undefined;
      }
    });

  return [
    ...reportCommands(s, reg),
    ...runCommands(s, reg),
    ...setupCommands(s, reg),
    ...warnOnlyCommands(s, reg),
    ...curatorCommands(s, reg),
    ...promoteCommands(s, reg),
    ...restoreCommands(s, reg),
  ];
}
