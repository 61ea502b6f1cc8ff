// Every Dream command. Commands that write (or run anything) are refused in an untrusted workspace;
// Show Log and Open Report (read-only) always work.
import fs from 'node:fs';
import os from 'node:os';
import * as vscode from 'vscode';
import { abs, resetWarnOnlyBudget, CorpusWriter, type Change } from '../engine';
import { openChangeDiff } from './diff';
import type { Folders } from './folders';
import type { Log } from './log';
import {
  compactPlan,
  DEFAULT_OLLAMA_URLS,
  diagnose,
  EVENTS_FILE,
  modelInstalled,
  newEvent,
  newJob,
  probeOllama,
  queueDepth,
  QUEUE_DIR,
  readLedger,
  SEVERITIES,
  type OllamaProbe,
  listDrafts,
  promotedBytes,
  promotionTarget,
} from '../lanes/curator';
import { RunsReader } from './model/runs';
import { ReportPanel, summaryPathFor } from './reportPanel';
import type { RunController, RunResult } from './runController';
import type { RunsTreeProvider } from './runsTree';
import { effectiveSettings, userLayer } from './settings';
import type { DreamStatusBar } from './statusBar';
import { STATUS_BAR_COMMAND } from './statusBar';

export const WALKTHROUGH_ID = 'dream-dev.dream#dream.gettingStarted';

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

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  folders: Folders;
  controller: RunController;
  tree: RunsTreeProvider;
  statusBar: DreamStatusBar;
}

export interface StartArgs {
  folder?: string;
  goal?: string;
  resume?: string | null;
  /** settings as command arguments (highest precedence), e.g. {maxIterations: 2} */
  settings?: Record<string, unknown>;
  /** test hook: faults for the engine (engine/faults.ts) */
  faults?: Record<string, unknown>;
}

interface RunRef {
  folder?: string | null;
  runId?: string | null;
  summaryPath?: string | null;
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** tree nodes, {folder, runId}, {summaryPath}, or a bare run id */
function runRef(arg: unknown): RunRef {
  if (typeof arg === 'string') return { runId: arg };
  const o = asObject(arg);
  if (!o) return {};
  const run = asObject(o.run);
  return {
    folder: typeof o.folder === 'string' ? o.folder : null,
    runId: typeof o.runId === 'string' ? o.runId : run && typeof run.runId === 'string' ? run.runId : null,
    summaryPath: typeof o.summaryPath === 'string' ? o.summaryPath : null,
  };
}

export function registerCommands(s: Services): vscode.Disposable[] {
  const { log, folders, controller } = s;

  const trusted = (id: string): boolean => {
    if (ALWAYS_ALLOWED.has(id) || vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(
      'Dream: this command is disabled in an untrusted workspace (Restricted Mode). Trust the workspace to run Dream, its council, curator or scheduler; Show Log and Open Morning Report still work.',
    );
    log.warn(`${id} refused: the workspace is not trusted`);
    return false;
  };

  const reg = (id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable =>
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

  const startRun = async (a: StartArgs): Promise<RunResult | undefined> => {
    const folder = await folders.pick(a.resume ? 'Resume Run' : 'Start Bedtime Run', a.folder);
    if (!folder) return undefined;
    return controller.start({
      folder,
      goal: a.goal ?? '',
      resume: a.resume ?? null,
      userSettings: userLayer(folder).values,
      args: a.settings ?? {},
      ...(a.faults ? { faults: a.faults } : {}),
    });
  };

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

    // ---- Tier 1 local curator (the lane itself is not built yet; these commands are) ----------
    reg('dream.curatorStatus', async () => curatorReport(s, 'status')),
    reg('dream.curatorDiagnose', async () => curatorReport(s, 'diagnose')),

    reg('dream.curatorEnqueue', async (arg?: unknown) => {
      const folder = await folders.pick('Curator Enqueue Job');
      if (!folder) return undefined;
      const allowed = effectiveSettings(folder).settings.localCurator.allowedJobKinds;
      if (!allowed.length) {
        void vscode.window.showWarningMessage('Dream: dream.localCurator.allowedJobKinds is empty: no job kind may be queued.');
        return undefined;
      }
      const o = asObject(arg) ?? {};
      let kind = typeof o.kind === 'string' ? o.kind : undefined;
      if (kind === undefined)
        kind = await vscode.window.showQuickPick(allowed, {
          title: 'Dream: Curator Enqueue Job',
          placeHolder: 'Job kind (from dream.localCurator.allowedJobKinds)',
        });
      if (!kind) return undefined;
      if (!(allowed as string[]).includes(kind))
        throw new Error(`job kind "${kind}" is not allowed; allowed: ${allowed.join(', ')} (dream.localCurator.allowedJobKinds)`);
      let source = typeof o.source === 'string' ? o.source : undefined;
      if (source === undefined && !('kind' in o)) {
        source = await vscode.window.showInputBox({
          title: 'Dream: Curator Enqueue Job',
          prompt: 'Source path for the job (optional; e.g. .agents/sessions/2025-11-20.md). Enter to skip.',
        });
        if (source === undefined) return undefined;
      }
      const job = newJob(kind, new Date(), source?.trim() || undefined);
      const target = `${QUEUE_DIR}/${job.id}.json`;
      new CorpusWriter(folder).write(target, JSON.stringify(job, null, 2) + '\n'); // atomic: temp + fsync + rename
      log.info(`curator: queued ${job.kind} job ${job.id} in .agents/${target}`);
      void vscode.window.showInformationMessage(
        `Dream: queued a ${job.kind} job (${job.id}). The local curator lane processes the queue during a run once it is available.`,
      );
      return { ...job, path: abs(folder, target) };
    }),

    reg('dream.curatorEvent', async (arg?: unknown) => {
      const folder = await folders.pick('Curator Record Event');
      if (!folder) return undefined;
      const o = asObject(arg) ?? {};
      const source =
        typeof o.source === 'string'
          ? o.source
          : await vscode.window.showInputBox({
              title: 'Dream: Curator Record Event (1/3)',
              prompt: 'Source of the event (who or what noticed it)',
              value: 'vscode',
              validateInput: (v) => (v.trim() ? null : 'a source is required'),
            });
      if (!source) return undefined;
      const severity = (
        typeof o.severity === 'string'
          ? o.severity
          : await vscode.window.showQuickPick([...SEVERITIES], { title: 'Dream: Curator Record Event (2/3)', placeHolder: 'Severity' })
      ) as (typeof SEVERITIES)[number] | undefined;
      if (!severity) return undefined;
      if (!SEVERITIES.includes(severity)) throw new Error(`severity must be one of ${SEVERITIES.join(', ')}`);
      const desiredAction =
        typeof o.desiredAction === 'string'
          ? o.desiredAction
          : await vscode.window.showInputBox({
              title: 'Dream: Curator Record Event (3/3)',
              prompt: 'Desired action (what should happen about it)',
              validateInput: (v) => (v.trim() ? null : 'a desired action is required'),
            });
      if (!desiredAction) return undefined;
      const ev = newEvent({ source: source.trim(), severity, desiredAction: desiredAction.trim() });
      new CorpusWriter(folder).appendLines(EVENTS_FILE, [JSON.stringify(ev)]);
      log.info(`curator: recorded event ${ev.id} (${ev.severity}) in .agents/${EVENTS_FILE}, status needs-review`);
      void vscode.window.showInformationMessage(`Dream: event ${ev.id} recorded for review (no escalation without a budget).`);
      return ev;
    }),

    reg('dream.curatorCompact', async () => {
      const folder = await folders.pick('Curator Compact');
      if (!folder) return undefined;
      const plan = compactPlan(await readLedger(folder));
      const lines = [
        `curator compact (dry run) of .agents/${EVENTS_FILE}: ${plan.total} entr${plan.total === 1 ? 'y' : 'ies'}`,
        `  ${plan.pendingReview} still need review (kept)`,
        `  ${plan.wouldArchive.length} reviewed and older than ${plan.olderThanDays} days would move to the archive`,
        ...(plan.unreadable ? [`  ${plan.unreadable} unreadable line(s) would be kept as they are`] : []),
        '  nothing was changed (applying a compaction is not available from the editor in this version)',
      ];
      for (const l of lines) log.info(l);
      void vscode.window
        .showInformationMessage(
          `Dream (dry run): ${plan.wouldArchive.length} of ${plan.total} ledger entries would be compacted; ${plan.pendingReview} need review. Nothing was changed.`,
          'Show Log',
        )
        .then((c) => c && log.show());
      return plan;
    }),

    // ---- a person promotes a draft; Dream never does ------------------------------------------
    reg('dream.promoteDraft', async (arg?: unknown) => {
      const folder = await folders.pick('Promote Draft');
      if (!folder) return undefined;
      const o = asObject(arg) ?? {};
      const drafts = await listDrafts(folder);
      let draft = typeof o.draft === 'string' ? drafts.find((d) => d.rel === o.draft || d.name === o.draft) : undefined;
      if (typeof o.draft === 'string' && !draft) throw new Error(`no draft ${o.draft} in .agents/knowledge/pending/`);
      if (!draft) {
        if (!drafts.length) {
          void vscode.window.showInformationMessage('Dream: no drafts in .agents/knowledge/pending/ to promote.');
          return undefined;
        }
        const pick = await vscode.window.showQuickPick(
          drafts.map((d) => ({
            label: d.title,
            description: d.name,
            detail: d.problem ? `cannot promote: ${d.problem}` : `status: ${d.status}${d.needsReview ? ' · needs review' : ''}`,
            d,
          })),
          { title: 'Dream: Promote Draft', placeHolder: 'Pick the draft you reviewed; it moves to .agents/learnings/' },
        );
        if (!pick) return undefined;
        draft = pick.d;
      }
      if (!draft.editable) throw new Error(`cannot promote ${draft.rel}: ${draft.problem ?? 'unreadable'}`);
      const target = promotionTarget(folder, draft.name);
      if (o.confirm !== true) {
        const ok = await vscode.window.showWarningMessage(
          `Promote "${draft.title}" to .agents/${target}?`,
          {
            modal: true,
            detail:
              'The note moves out of knowledge/pending/ and gets needs_review: false, promoted_by: human and promoted_at. Promote only what you reviewed.',
          },
          'Promote',
        );
        if (ok !== 'Promote') return undefined;
      }
      const bytes = promotedBytes(draft.rel, await fs.promises.readFile(abs(folder, draft.rel)));
      const writer = new CorpusWriter(folder);
      writer.write(target, bytes);
      writer.removeFile(draft.rel);
      log.info(`promoted .agents/${draft.rel} → .agents/${target} (promoted_by: human)`);
      void vscode.window.showTextDocument(vscode.Uri.file(abs(folder, target)), { preview: false });
      return { from: draft.rel, to: target, path: abs(folder, target) };
    }),
  ];
}

async function curatorReport(s: Services, mode: 'status' | 'diagnose'): Promise<unknown> {
  const folder = await s.folders.pick(mode === 'status' ? 'Curator Status' : 'Curator Diagnose');
  if (!folder) return undefined;
  const lc = effectiveSettings(folder).settings.localCurator;
  const urls = lc.ollamaUrl ? [lc.ollamaUrl] : DEFAULT_OLLAMA_URLS;
  const tried: OllamaProbe[] = [];
  let probe: OllamaProbe | null = null;
  for (const url of urls) {
    const p = await probeOllama(url, 1500);
    tried.push(p);
    if (p.reachable) {
      probe = p;
      break;
    }
  }
  const depth = await queueDepth(folder);
  const pending = (await readLedger(folder)).filter((e) => e.raw?.status === 'needs-review').length;
  const log = s.log;
  if (mode === 'status') {
    log.info(`curator status for ${folder}:`);
    log.info(`  enabled: ${lc.enabled}; model: ${lc.model}; hourly cap: ${lc.hourlyCap}; allowed kinds: ${lc.allowedJobKinds.join(', ')}`);
    for (const p of tried)
      log.info(
        `  ollama ${p.url}: ${p.reachable ? `reachable (version ${p.version ?? 'unknown'}), ${p.models.length} model(s): ${p.models.join(', ') || 'none'}` : `not reachable (${p.error})`}`,
      );
    if (probe) log.info(`  model ${lc.model}: ${modelInstalled(probe.models, lc.model) ? 'installed' : 'not installed'}`);
    log.info(`  queue depth: ${depth}; events pending review: ${pending}`);
    log.info('  note: the curator lane that processes the queue during a run is not available in this version');
    const msg = probe
      ? `Dream curator: Ollama ${probe.version ?? ''} at ${probe.url}, model ${lc.model} ${modelInstalled(probe.models, lc.model) ? 'installed' : 'not installed'}; ${depth} job(s) queued, ${pending} event(s) to review; ${lc.enabled ? 'enabled' : 'disabled'}.`
      : `Dream curator: Ollama not reachable at ${tried.map((t) => t.url).join(', ')}; install Ollama or set dream.localCurator.ollamaUrl. ${depth} job(s) queued, ${pending} event(s) to review.`;
    void (probe ? vscode.window.showInformationMessage(msg, 'Show Log') : vscode.window.showWarningMessage(msg, 'Show Log')).then(
      (c) => c && log.show(),
    );
    return { probes: tried, queueDepth: depth, pendingEvents: pending, enabled: lc.enabled, model: lc.model };
  }
  const d = diagnose({
    enabled: lc.enabled,
    probe,
    probesTried: tried,
    model: lc.model,
    queueDepth: depth,
    pendingEvents: pending,
    hourlyCap: lc.hourlyCap,
  });
  log.info(`curator diagnose for ${folder}:`);
  for (const l of d.lines) log.info(`  ${l}`);
  const first = d.problems[0];
  void (
    first
      ? vscode.window.showWarningMessage(
          `Dream curator: ${first.problem}; ${first.fix}${d.problems.length > 1 ? ` (+${d.problems.length - 1} more in the log)` : ''}`,
          'Show Log',
        )
      : vscode.window.showInformationMessage('Dream curator: ready.', 'Show Log')
  ).then((c) => c && log.show());
  return d;
}
