// Read-only commands: the morning report, a change's diff, the runs view, the log, the status bar.
import fs from 'node:fs';
import * as vscode from 'vscode';
import { RunsReader, type Change } from '../../engine';
import { openChangeDiff } from '../diff';

import { ReportPanel, summaryPathFor } from '../reportPanel';
import { STATUS_BAR_COMMAND } from '../statusBar';
import { asObject, runRef, type Register, type Services } from './shared';

export function reportCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders, controller } = s;
  const openReport = async (arg: unknown): Promise<ReportPanel | undefined> => {
    const ref = runRef(arg);
    let file = ref.summaryPath ?? null;
    if (!file) {
      const folder = ref.folder ?? (await folders.pick('Open Morning Report', controller.folder));
      if (!folder) return undefined;
      file = summaryPathFor(folder, ref.runId);
      if (!ref.runId && !fs.existsSync(file)) {
        // no latest copy yet: the newest run folder, else explain
        const ids = await new RunsReader(folder).listRunIds();
        if (!ids.length) {
          void vscode.window.showInformationMessage(
            'Dream: no morning report yet. Start a bedtime run first ("Dream: Start Bedtime Run").',
          );
          return undefined;
        }
        file = summaryPathFor(folder, ids[0]);
      }
    }
    return ReportPanel.show(s.context.extensionUri, file, controller, log);
  };

  return [
    reg('dream.showLog', () => log.show()),

    reg('dream.openReport', (arg?: unknown) => openReport(arg)),

    reg('dream.openChangeDiff', async (arg?: unknown) => {
      const o = asObject(arg);
      const change = asObject(o?.change) as Change | null;
      if (!o || !change || typeof o.folder !== 'string') return false;
      return openChangeDiff({ folder: o.folder, runId: String(o.runId ?? ''), iteration: Number(o.iteration ?? 0), change });
    }),

    reg('dream.refreshRuns', async () => {
      await folders.refresh();
      s.tree.refresh();
    }),

    reg(STATUS_BAR_COMMAND, () => s.statusBar.click()),
  ];
}
