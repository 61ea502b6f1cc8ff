// The Tier 1 local curator commands (the lane itself is not built yet; these commands are).
import * as vscode from 'vscode';
import { abs, CorpusWriter } from '../../engine';
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
} from '../../lanes/curator';
import { effectiveSettings } from '../settings';
import { asObject, type Register, type Services } from './shared';

export function curatorCommands(s: Services, reg: Register): vscode.Disposable[] {
  const { log, folders } = s;
  return [
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
