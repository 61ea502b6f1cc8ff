// Setup: the walkthrough and where each setting comes from (nothing is written).
import os from 'node:os';
import * as vscode from 'vscode';
import { effectiveSettings } from '../settings';
import type { Register, Services } from './shared';

export const WALKTHROUGH_ID = 'dream-dev.dream#dream.gettingStarted';

export function setupCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders } = s;
  return [
    reg('dream.setup', async () => {
      const folder = await folders.pick('Setup');
      void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
      if (!folder) return undefined;
      const eff = effectiveSettings(folder);
      log.info(`setup preview for ${folder} (${os.platform()}; nothing is written):`);
      for (const x of eff.sources) log.info(`  dream.${x.key} = ${JSON.stringify(x.value)}  [${x.source}]`);
      const items: vscode.QuickPickItem[] = [
        { label: 'Where each setting comes from', kind: vscode.QuickPickItemKind.Separator },
        ...eff.sources.map((x) => ({ label: `dream.${x.key}`, description: JSON.stringify(x.value), detail: x.source })),
      ];
      void vscode.window.showQuickPick(items, {
        title: 'Dream: Setup — settings preview (precedence: command arguments > VS Code settings > .agents/dream/config.yaml > defaults)',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      return eff.sources;
    }),
  ];
}
