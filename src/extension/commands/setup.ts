// "Dream: Setup": look at this machine, choose a scheduler and a time, read the preview (a Markdown
// page: what would be written, the OS command that would register it), then Apply (a modal) and,
// separately, Register (a second modal naming the exact command). Refused in untrusted workspaces.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { which } from '../../host/which';
import { applySetupPlan, buildSetupPlan, detectHostProfile, renderSetup, runRegistration, type SetupPlan } from '../../lanes/setup';
import { effectiveSettings } from '../settings';
import { asObject, type Register, type Services } from './shared';

export const WALKTHROUGH_ID = 'dream-dev.dream#dream.gettingStarted';

/** how an OS scheduler starts this extension's CLI: node on PATH and the bundled dist/cli.js */
function cliProgram(extensionPath: string): string[] | null {
  const node = which('node');
  return node ? [node, path.join(extensionPath, 'dist', 'cli.js')] : null;
}

export function setupCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders, context } = s;
  return [
    reg('dream.setup', async (arg?: unknown) => {
      const o = asObject(arg) ?? {};
      const folder = await folders.pick('Setup', typeof o.folder === 'string' ? o.folder : undefined);
      if (!folder) return undefined;
      const eff = effectiveSettings(folder);
      log.info(`setup for ${folder} (${os.platform()}); settings and where they come from:`);
      for (const x of eff.sources) log.info(`  dream.${x.key} = ${JSON.stringify(x.value)}  [${x.source}]`);
      const host = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Dream: looking at this machine…', cancellable: true },
        (_p, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          return detectHostProfile({ localCurator: eff.settings.localCurator, signal: ac.signal });
        },
      );
      let scheduler = typeof o.scheduler === 'string' ? o.scheduler : undefined;
      if (!scheduler) {
        const pick = await vscode.window.showQuickPick(
          host.schedulers
            .filter((x) => x.available)
            .map((x) => ({
              label: x.mode,
              description: [x.recommended ? 'recommended' : '', x.mode === eff.settings.scheduler ? 'current' : '']
                .filter(Boolean)
                .join(', '),
              detail: x.note,
            })),
          { title: 'Dream: Setup — where should the bedtime run come from?', ignoreFocusOut: true },
        );
        if (!pick) return undefined;
        scheduler = pick.label;
      }
      let at = typeof o.at === 'string' ? o.at : undefined;
      if (at === undefined && scheduler !== 'manual') {
        at = await vscode.window.showInputBox({
          title: 'Dream: Setup — bedtime (24-hour local time)',
          value: eff.settings.scheduleAt || '01:30',
          ignoreFocusOut: true,
          validateInput: (v) => (/^([01]\d|2[0-3]):[0-5]\d$/.test(v.trim()) ? null : 'HH:MM in 24-hour local time, such as 01:30'),
        });
        if (at === undefined) return undefined;
        at = at.trim();
      }
      const cli = cliProgram(context.extensionPath);
      if (!cli && !['in-editor', 'manual'].includes(scheduler)) {
        void vscode.window.showErrorMessage(
          `Dream: the ${scheduler} scheduler runs the Dream CLI with Node.js, and node is not on PATH. Install Node.js 20, or choose in-editor.`,
        );
        return undefined;
      }
      let plan: SetupPlan;
      try {
        plan = buildSetupPlan({
          workspace: folder,
          host,
          settings: eff.settings,
          choices: { scheduler, at },
          cli: cli ?? [process.execPath],
          uid: typeof process.getuid === 'function' ? process.getuid() : null,
        });
      } catch (e) {
        void vscode.window.showErrorMessage(`Dream: ${(e as Error).message}`);
        return undefined;
      }
      const preview = renderSetup(plan, {
        status: 'preview',
        written: [],
        results: [],
        remove: false,
        applyHint: 'Choose Apply in the dialog to write it.',
      });
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: preview });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
      void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
      const files = [plan.config_path, ...plan.files.map((f) => path.join(folder, '.agents', f.rel))];
      const apply =
        o.apply === true
          ? 'Apply'
          : await vscode.window.showInformationMessage(
              `Dream: apply this setup (${scheduler}${at ? ` at ${at}` : ''})?`,
              {
                modal: true,
                detail: `Writes:\n${files.join('\n')}\n\nNothing is registered with the OS yet.${plan.warnings.length ? `\n\nWarnings:\n${plan.warnings.join('\n')}` : ''}`,
              },
              'Apply',
            );
      if (apply !== 'Apply') return { plan, status: 'preview' };
      const written = applySetupPlan(plan);
      log.info(`setup applied: ${written.join(', ')}`);
      s.schedule?.refresh();
      if (!plan.register.length) {
        void vscode.window.showInformationMessage(`Dream: setup written (${scheduler}${at ? ` at ${at}` : ''}).`);
        return { plan, status: 'applied', written };
      }
      const register = await vscode.window.showWarningMessage(
        'Dream: register the schedule with the OS now?',
        { modal: true, detail: `This runs:\n${plan.register.map((c) => c.display).join('\n')}` },
        'Register',
      );
      if (register !== 'Register') {
        void vscode.window.showInformationMessage(
          `Dream: written, not registered. To register later: ${plan.register.map((c) => c.display).join(' && ')}`,
        );
        return { plan, status: 'applied', written };
      }
      const results = await runRegistration(plan, 'register');
      for (const r of results) log.info(`${r.ok ? 'ok' : 'FAILED'}: ${r.command}${r.output ? ` — ${r.output}` : ''}`);
      const failed = results.find((r) => !r.ok);
      if (failed)
        void vscode.window.showErrorMessage(`Dream: ${failed.command} failed: ${failed.output}`, 'Show Log').then((c) => c && log.show());
      else void vscode.window.showInformationMessage(`Dream: the ${scheduler} schedule is registered (${at}).`);
      return { plan, status: failed ? 'applied' : 'registered', written, results };
    }),
  ];
}
