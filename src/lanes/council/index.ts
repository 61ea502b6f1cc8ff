// Tier 2 Dream Council (contract §7): codex and claude review the night, one after another,
// read-only, through execa. The lane writes only its own folder in the run folder
// (.agents/overnight/runs/<id>/council/) through the write guard; it never changes the corpus and
// only feeds the report (the summary's `council` section, hence the first move).
import path from 'node:path';
import {
  CorpusWriter,
  parseDuration,
  rel,
  type CouncilSummary,
  type Lane,
  type LaneContext,
  type LaneResult,
  type Step,
} from '../../engine';
import { which } from '../../host/which';
import { invokeRunner, seconds } from './invoke';
import { clearRunning, recordRunning } from './leftovers';
import { buildPacket, buildPrompt } from './packet';
import { describeDiff, diffCount, diffManifests, takeManifest, type Manifest } from './readOnlyProof';
import { reportJsonSchema, type CouncilReport } from './reportSchema';
import { isSupportedRunner, normaliseRunners } from './runners';
import type { SpawnFn } from './spawn';
import { synthesize } from './synthesis';

export { findRunners, normaliseRunners, UNSUPPORTED_RUNNERS, type FoundRunner, type RunnersFound } from './runners';
export { SUPPORTED_RUNNERS } from './reportSchema';
export { synthesize, type Synthesis } from './synthesis';
export { codexArgv, claudeArgv } from './invoke';
export { endLeftoverRunner } from './leftovers';
export { buildPacket, buildPrompt, PACKET_MAX_BYTES } from './packet';
export { councilReportSchema, reportJsonSchema, parseClaudeStdout, parseReportText, type CouncilReport } from './reportSchema';

export interface CouncilLaneOptions {
  /** the process starter (tests spy on it); execa by default */
  spawn?: SpawnFn;
  /** environment for PATH lookups and the runners (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL delay when a runner is stopped (ms) */
  graceMs?: number;
}

type Run = NonNullable<CouncilSummary['runs']>[number];

const councilDir = (runId: string) => `${rel.run(runId)}/council`;

export function councilLane(opts: CouncilLaneOptions = {}): Lane {
  return { name: 'council', run: (ctx) => runCouncil(ctx, opts), off: (s) => !normaliseRunners(s.runners).length };
}

async function runCouncil(ctx: LaneContext, opts: CouncilLaneOptions): Promise<LaneResult> {
  const { settings } = ctx;
  const requested = normaliseRunners(settings.runners);
  if (!requested.length) return { steps: [{ name: 'council', status: 'skipped', note: 'no runners configured' }], degraded: [] };
  const base: CouncilSummary = {
    requested_runners: requested,
    completed_runners: [],
    failed_runners: [],
    consensus_policy: settings.consensusPolicy,
    reports: [],
    disagreements: [],
    wildcard_ideas: [],
    runs: [],
  };
  const skipAll = (why: string, note: string): LaneResult => ({
    steps: [{ name: 'council', status: 'skipped', note: why }],
    degraded: [],
    summary: {
      council: {
        ...base,
        runs: requested.map((runner) => ({ runner, status: 'skipped', duration_ms: 0, reason: why })),
        skipped_reason: why,
        note,
      },
    },
  });
  if (!ctx.trusted)
    return skipAll(
      'the workspace is not trusted, so no council runner was started',
      'Council skipped: the workspace is not trusted, so no runner was started.',
    );
  if (ctx.signal?.aborted) return skipAll('the run was stopped before the council', 'Council skipped: the run was stopped before it.');

  const env = opts.env ?? process.env;
  const writer = new CorpusWriter(ctx.workspace);
  const dir = councilDir(ctx.runId);
  const packet = buildPacket(ctx.summary, settings, ctx.workspace);
  const schema = reportJsonSchema();
  const schemaJson = JSON.stringify(schema);
  writer.write(`${dir}/packet.json`, JSON.stringify(packet, null, 2) + '\n');
  writer.write(`${dir}/report-schema.json`, JSON.stringify(schema, null, 2) + '\n');
  const schemaFile = writer.resolve(`${dir}/report-schema.json`);
  const perRunner = parseDuration(settings.councilRunnerTimeout);

  const steps: Step[] = [];
  const degraded: string[] = [];
  const runs: Run[] = [];
  const reports: CouncilReport[] = [];
  const violations: { runner: string; files: string[] }[] = [];
  let manifest: Manifest | null = null;
  let manifestTruncated = false;
  const failRunner = (runner: string, reason: string, duration = 0, status: Run['status'] = 'failed') => {
    runs.push({ runner, status, duration_ms: duration, reason });
    steps.push({ name: `council:${runner}`, status: status === 'skipped' ? 'skipped' : 'soft-fail', note: reason });
    if (status === 'failed') degraded.push(`${runner} council run failed: ${reason}`);
  };

  for (const runner of requested) {
    if (!isSupportedRunner(runner)) {
      failRunner(runner, `${runner} is not a supported council runner (supported: claude, codex)`);
      continue;
    }
    const command = which(runner, env);
    if (!command) {
      failRunner(runner, `${runner} is not installed (not found on PATH)`);
      continue;
    }
    if (ctx.signal?.aborted) {
      failRunner(runner, `${runner} was cancelled (the run was stopped)`, 0, 'skipped');
      continue;
    }
    const remaining = ctx.deadline - Date.now();
    if (remaining < 1000) {
      failRunner(runner, `${runner} was not started: the run's time budget is spent`);
      continue;
    }
    const timeoutMs = Math.min(perRunner, remaining);
    const outRel = `${dir}/${runner}.last-message.tmp`;
    writer.removeFile(outRel);
    manifest ??= takeManifest(ctx.workspace);
    const r = await invokeRunner({
      runner,
      command,
      workspace: path.resolve(ctx.workspace),
      prompt: buildPrompt(runner, packet),
      schemaFile,
      schemaJson,
      codexOutFile: writer.resolve(outRel),
      ...(settings.councilModels[runner] ? { model: settings.councilModels[runner] } : {}),
      timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      env,
      ...(opts.spawn ? { spawn: opts.spawn } : {}),
      ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
      log: ctx.log,
      onSpawn: (pid) => recordRunning(writer, ctx.runId, { runner, pid, command, started_at: new Date().toISOString() }),
    });
    clearRunning(writer, ctx.runId);
    writer.removeFile(outRel);
    const after = takeManifest(ctx.workspace);
    manifestTruncated ||= after.truncated;
    const diff = diffManifests(manifest, after);
    manifest = after;
    const duration = r.outcome.durationMs;
    if (diffCount(diff)) {
      const files = [...diff.modified, ...diff.added, ...diff.removed];
      violations.push({ runner, files: files.slice(0, 50) });
      degraded.unshift(
        `critical: council runner ${runner} broke the read-only rule: ${describeDiff(diff)} changed outside .agents/overnight/ while it ran; review them (Dream did not undo them)`,
      );
      ctx.log('error', `council: ${runner} changed the workspace: ${describeDiff(diff, 50)}`);
      failRunner(runner, `${runner} changed files in the workspace (read-only rule broken): ${describeDiff(diff, 3)}`, duration);
      continue;
    }
    if (!r.report) {
      const cancelled = r.outcome.cancelled;
      failRunner(runner, r.reason ?? `${runner} gave no report`, duration, cancelled ? 'skipped' : 'failed');
      continue;
    }
    const reportRel = `${dir}/${runner}.json`;
    writer.write(reportRel, JSON.stringify(r.report, null, 2) + '\n');
    reports.push(r.report);
    runs.push({ runner, status: 'completed', duration_ms: duration, report_path: reportRel });
    steps.push({ name: `council:${runner}`, status: 'done', note: `${r.report.recommended_kind} in ${seconds(duration)}` });
  }

  const syn = synthesize(reports, settings.creativeLane);
  const broken = violations.length > 0;
  const council: CouncilSummary = {
    ...base,
    completed_runners: reports.map((r) => r.runner),
    failed_runners: runs.filter((r) => r.status !== 'completed').map((r) => r.runner),
    reports: reports.map((r) => ({ ...r })),
    ...syn,
    runs,
    read_only: {
      checked: manifest !== null,
      broken,
      violations,
      ...(manifestTruncated ? { note: 'the workspace is very large: the proof covered the first 500000 entries' } : {}),
    },
  };
  if (broken)
    council.note = `The council broke the read-only rule: ${violations.map((v) => `${v.runner} changed ${v.files.length} file(s)`).join('; ')}. A runner that changed files does not count: its report was discarded.`;
  else if (!reports.length) council.note = 'No council runner completed; the report has no council recommendation.';
  if (ctx.signal?.aborted && runs.some((r) => r.status === 'skipped')) council.skipped_reason = 'the run was stopped during the council';
  writer.write(`${dir}/synthesis.json`, JSON.stringify(council, null, 2) + '\n');
  steps.push(
    reports.length
      ? {
          name: 'council',
          status: 'done',
          note: `${reports.length}/${requested.length} runner(s) completed; consensus ${syn.consensus_kind}`,
        }
      : { name: 'council', status: 'soft-fail', note: 'no Dream Council runner completed' },
  );
  return { steps, degraded, summary: { council } };
}
