// A bedtime run: settings -> lock -> crash recovery -> keep-awake -> loop -> summaries -> release.
import fs from 'node:fs';
import path from 'node:path';
import { DreamError, type BedtimeOptions, type RunOutcome } from '../core/api';
import { recoverFromCrash, recoveryNotes } from '../commit/checkpoint';
import { parseDuration } from '../core/duration';
import { formatDuration } from '../core/format';
import type { DreamEvent } from '../core/events';
import { isRunId, runIdFor } from '../core/runId';
import { readRegularFile } from '../core/fsutil';
import { redactDeep } from '../core/secrets';
import { installIoFault } from '../core/faults';
import { readTonight } from '../stages/ingest';
import { loadRunIterations } from '../commit/iterationStore';
import { startKeepAwake } from '../../host/keepAwake';
import { acquireRunLock } from '../commit/lock';
import { runLoop, type LoopState } from './loop';
import { deriveViews } from '../report/derive';
import { nightEffect } from '../report/night';
import { focusFor, readIndexEntries } from '../report/focus';
import { readRestoreLog } from '../commit/restoreLog';
import { abs, agentsDir, rel } from '../core/paths';
import { blankSummary, compounded, loadReport, renderMarkdown } from '../report/report';
import { summarySchema, type FitnessVector, type Step, type Summary } from '../core/schemas';
import { readWarnOnlyBudget } from './warnOnly';
import { CorpusWriter } from '../commit/writer';
import { round } from './delta';
import { runLanes } from './lanes';
import { ITERATION_STEP } from '../core/status';
import { errorMessage, isNotFound } from '../core/errors';

export function requireCorpus(workspace: string): void {
  const dir = agentsDir(workspace);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    if (!isNotFound(e)) throw new DreamError(`cannot read ${dir}: ${errorMessage(e)}`, 'io');
    throw new DreamError(
      `no .agents/ corpus at ${path.resolve(workspace)}: Dream works on a repository's .agents/ folder (create .agents/learnings/ with markdown notes, or pass --workspace)`,
      'no-corpus',
    );
  }
  if (st.isSymbolicLink()) throw new DreamError(`${dir} is a symlink; Dream never follows or writes through symlinks`, 'no-corpus');
  if (!st.isDirectory()) throw new DreamError(`${dir} is not a folder`, 'no-corpus');
}

export function writeSummary(workspace: string, s: Summary): void {
  const writer = new CorpusWriter(workspace);
  // nothing corpus-derived leaves unredacted: titles, reasons, packets, degraded lines, lane output
  const valid = summarySchema.parse(redactDeep(s));
  // encoded once for both places (a 50k-note night's summary is megabytes)
  const json = Buffer.from(JSON.stringify(valid, null, 2) + '\n', 'utf8');
  const md = Buffer.from(renderMarkdown(valid), 'utf8');
  // each file fsynced before its rename, each of the two folders fsynced once
  writer.writeBatched(rel.summaryJson(s.run_id), json);
  writer.writeBatched(rel.summaryMd(s.run_id), md);
  writer.writeBatched(`${rel.latest}/summary.json`, json);
  writer.writeBatched(`${rel.latest}/summary.md`, md);
  writer.flushDirs();
}

function pruneRuns(workspace: string, keep: number, current: string, degraded: string[]): void {
  const dir = abs(workspace, rel.runs);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(isRunId).sort();
  } catch (e) {
    if (!isNotFound(e)) degraded.push(`cannot list the runs to prune old ones: ${errorMessage(e)}`);
    return;
  }
  const writer = new CorpusWriter(workspace);
  const excess = names.length - keep;
  for (const n of names.slice(0, Math.max(0, excess))) {
    if (n === current) continue;
    try {
      writer.removeTree(`${rel.runs}/${n}`);
    } catch (e) {
      degraded.push(`could not prune old run ${n}: ${errorMessage(e)}`);
    }
  }
}

export async function runBedtime(opts: BedtimeOptions): Promise<RunOutcome> {
  const workspace = path.resolve(opts.workspace);
  const now = opts.now ?? (() => new Date());
  const settings = opts.settings;
  const faults = opts.faults ?? {};
  const emit = (e: DreamEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      /* a listener must never break the run */
    }
  };
  requireCorpus(workspace);
  const timeoutMs = parseDuration(settings.runTimeout);
  const startedAt = now();
  let runId = runIdFor(startedAt);
  let previous: Summary | null = null;
  if (opts.resume) {
    runId = opts.resume;
    if (!isRunId(runId)) throw new DreamError(`cannot resume "${runId}": not a Dream run id (YYYYMMDDTHHMMSSZ)`, 'bad-resume');
    try {
      previous = loadReport(abs(workspace, rel.run(runId))).summary;
    } catch (e) {
      throw new DreamError(`cannot resume run ${runId}: ${errorMessage(e)}`, 'bad-resume');
    }
    if (previous.status === 'done')
      throw new DreamError(`run ${runId} already finished (${previous.halt_reason ?? 'done'}); start a new run instead`, 'bad-resume');
  } else if (fs.existsSync(abs(workspace, rel.run(runId)))) {
    // two starts in the same second: wait for the next second so run ids stay unique
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
    runId = runIdFor(now());
  }
  const degraded: string[] = [];
  const lock = acquireRunLock(workspace, runId, degraded, startedAt); // throws "already running"
  const uninstallIoFault = installIoFault(faults);
  const writer = new CorpusWriter(workspace);
  const runDir = abs(workspace, rel.run(runId));
  const logPath = abs(workspace, rel.runLog(runId));
  let keep: Awaited<ReturnType<typeof startKeepAwake>> | null = null;
  let summary: Summary | null = null;
  const t0 = Date.now();
  const logLines: string[] = [];
  const log = (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => {
    const line = `${new Date().toISOString()} ${level.toUpperCase()} ${msg}`;
    logLines.push(line);
    emit({ type: 'log', level, message: msg });
    try {
      writer.appendLines(rel.runLog(runId), [line], false); // a log line lost to a power cut is acceptable
    } catch {
      /* the log is best effort */
    }
  };
  try {
    writer.mkdir(rel.run(runId));
    const rec = recoverFromCrash(workspace);
    degraded.push(...recoveryNotes(rec));
    const history = opts.resume ? loadRunIterations(workspace, runId) : { iterations: [], rejected: [] };
    degraded.push(...history.rejected);
    const spent = history.iterations.reduce((a, it) => a + it.duration_ms, 0);
    const remaining = Math.max(0, timeoutMs - spent);
    keep = await startKeepAwake(settings.keepAwake, remaining);
    if (keep.note) degraded.push(keep.note);
    // warnOnlyBudget: 0 means warn-only without rescues (every regression or plateau halts)
    const budgetRead = !settings.warnOnly
      ? null
      : settings.warnOnlyBudget === 0
        ? { budget: { version: 1, remaining: 0, initial_budget: 0, last_reset_at: null, last_decrement_at: null }, notes: [] }
        : readWarnOnlyBudget(workspace, settings.warnOnlyBudget);
    if (budgetRead) degraded.push(...budgetRead.notes);
    const s: Summary = {
      ...blankSummary(runId, workspace, runDir),
      goal: opts.goal ?? previous?.goal ?? '',
      status: 'running',
      started_at: previous?.started_at ?? startedAt.toISOString(),
      runtime: {
        keep_awake: settings.keepAwake,
        keep_awake_mode: keep.mode,
        ...(keep.note ? { keep_awake_note: keep.note } : {}),
        requested_timeout: settings.runTimeout,
        effective_timeout: formatDuration(remaining),
        lock_path: lock.path,
        log_path: logPath,
        pid: process.pid,
      },
      steps: [
        {
          name: 'recovery',
          status: 'done',
          note:
            rec.actions.length || rec.manualReview.length
              ? `${rec.actions.length} action(s), ${rec.manualReview.length} need review`
              : 'nothing to recover',
        },
      ],
      iterations: history.iterations,
      warn_only: settings.warnOnly,
      warn_only_budget_initial: budgetRead?.budget.initial_budget ?? 0,
      warn_only_remaining: budgetRead?.budget.remaining ?? 0,
      fitness_baseline: previous?.fitness_baseline ?? {},
      degraded: [...degraded],
      resumed_from: opts.resume ? runId : null,
    };
    summary = s;
    const refresh = (state: LoopState | null) => finalizeDerived(s, state, workspace, settings.queueFile, degraded);
    refresh(null);
    writeSummary(workspace, s);
    emit({ type: 'run-started', runId, workspace, runDir, startedAt: s.started_at, resumed: !!opts.resume, pid: process.pid });
    log(
      'info',
      `run ${runId} started in ${workspace}${opts.resume ? ` (resuming, ${history.iterations.length} iteration(s) rehydrated)` : ''}`,
    );

    const state = await runLoop({
      workspace,
      runId,
      settings,
      deadline: Date.now() + remaining,
      signal: opts.signal,
      emit,
      log,
      history: history.iterations,
      baseline: Object.keys(s.fitness_baseline).length ? s.fitness_baseline : null,
      warnOnlyBudget: budgetRead?.budget ?? null,
      faults,
      now,
      onIteration: (_it, st, last) => {
        // after the last iteration the final summary follows at once, unless lanes run first
        if (last && !opts.lanes?.some((l) => !l.off?.(settings))) return;
        refresh(st);
        writeSummary(workspace, s);
      },
    });
    s.status = state.haltReason === 'error' ? 'failed' : 'done';
    if (opts.lanes?.length) {
      refresh(state);
      const lanes = await runLanes(opts.lanes, {
        workspace,
        runId,
        settings,
        summary: s,
        trusted: opts.trusted ?? true,
        signal: opts.signal,
        deadline: Date.now() + Math.max(0, remaining - (Date.now() - t0)),
        now,
        log,
      });
      s.steps.push(...lanes.steps);
      degraded.push(...lanes.degraded);
      Object.assign(s, lanes.summary);
    }
    s.finished_at = now().toISOString();
    s.duration_ms = spent + (Date.now() - t0);
    pruneRuns(workspace, settings.reportRetention, runId, degraded);
    refresh(state);
    s.steps.push({ name: 'report', status: 'done', note: 'summary.json and summary.md written' });
    writeSummary(workspace, s);
    log('info', `run ${runId} ${s.status}: halt ${s.halt_reason}`);
  } catch (e) {
    const err = e as Error;
    if (!summary) summary = { ...blankSummary(runId, workspace, runDir), started_at: startedAt.toISOString(), degraded: [...degraded] };
    summary.status = 'failed';
    summary.failure_reason = err.message;
    summary.failing_step = summary.failing_step ?? 'run';
    summary.halt_reason = 'error';
    summary.finished_at = now().toISOString();
    summary.duration_ms = Date.now() - t0;
    summary.runtime.log_path = logPath;
    summary.steps.push({ name: 'run', status: 'failed', note: err.message });
    log('error', `run failed: ${err.stack ?? err.message}`);
    try {
      finalizeDerived(summary, null, workspace, settings.queueFile, degraded);
      writeSummary(workspace, summary);
    } catch (e2) {
      log('error', `could not write the failed summary: ${errorMessage(e2)}`);
    }
  } finally {
    uninstallIoFault();
    keep?.stop();
    lock.release();
  }
  emit({
    type: 'run-finished',
    runId,
    status: summary.status,
    summaryPath: abs(workspace, rel.summaryJson(runId)),
    reportPath: abs(workspace, rel.summaryMd(runId)),
  });
  return {
    runId,
    status: summary.status,
    summary,
    summaryPath: abs(workspace, rel.summaryJson(runId)),
    reportPath: abs(workspace, rel.summaryMd(runId)),
    exitCode: summary.status === 'failed' ? 1 : 0,
  };
}

/** Recomputes everything the summary derives from the loop state. */
function finalizeDerived(s: Summary, st: LoopState | null, workspace: string, queueFile: string, runDegraded: string[]): void {
  if (st) {
    s.iterations = st.iterations;
    if (st.baseline) s.fitness_baseline = st.baseline;
    s.halt_reason = st.haltReason;
    s.plateau_reason = st.plateauReason;
    s.regression_reason = st.regressionReason;
    s.budget_exhausted = st.budgetExhausted;
    s.measure_failure_halt = st.measureFailureHalt;
    if (st.failureReason) s.failure_reason = st.failureReason;
    if (st.failingStep) s.failing_step = st.failingStep;
    if (st.warnOnlyBudget) s.warn_only_remaining = st.warnOnlyBudget.remaining;
    if (st.liveLearnings.before !== null) s.live_learnings = { ...st.liveLearnings };
    s.proposals = st.proposals;
  }
  const live = s.iterations.filter(compounded);
  const last: FitnessVector = live.length ? live[live.length - 1]!.fitness_after : s.fitness_baseline;
  s.fitness = last;
  const delta: Record<string, number> = {};
  for (const k of Object.keys(last)) {
    const a = last[k];
    const b = s.fitness_baseline[k];
    if (typeof a === 'number' && typeof b === 'number') delta[k] = round(a - b);
  }
  s.fitness_delta = delta;
  const steps: Step[] = s.steps.filter((x) => !/^iteration-\d+$/.test(x.name));
  const iterSteps: Step[] = s.iterations.map((it) => ({
    name: `iteration-${it.index}`,
    status: ITERATION_STEP[it.status],
    note: `${it.status}${it.error ? `: ${it.error}` : ''}`,
  }));
  const [first, ...rest] = steps;
  s.steps = [...(first ? [first] : []), ...iterSteps, ...rest];
  // a corpus-level note repeats every iteration: list it once, under the first iteration that saw it
  const seenText = new Set<string>();
  const iterDegraded: string[] = [];
  for (const it of s.iterations)
    for (const d of it.degraded) {
      if (seenText.has(d)) continue;
      seenText.add(d);
      iterDegraded.push(`iteration ${it.index}: ${d}`);
    }
  s.degraded = [...new Set([...runDegraded, ...iterDegraded])];
  const tonight = readTonight(workspace, queueFile);
  // lstat-checked, never through a symlink, never blocking on a FIFO (INGEST reported what it skipped)
  let nextWork: Buffer | null = null;
  try {
    nextWork = readRegularFile(abs(workspace, rel.nextWork));
  } catch {
    /* a symlink, special or unreadable file: no queue packets */
  }
  s.restores_since_last_run = restoresSincePreviousRun(workspace, s.run_id);
  deriveViews(s, {
    // the index is read only when there are priorities to match against it
    focus: tonight.items.length ? focusFor(tonight.items, readIndexEntries(workspace), nightEffect(s).touched) : [],
    nextWork,
    tonightPath: tonight.path,
  });
}

/** restores recorded in other runs' folders since the run before this one started */
function restoresSincePreviousRun(workspace: string, runId: string): Summary['restores_since_last_run'] {
  let names: string[];
  try {
    names = fs
      .readdirSync(abs(workspace, rel.runs))
      .filter((n) => isRunId(n) && n < runId)
      .sort();
  } catch {
    return [];
  }
  const prev = names[names.length - 1];
  if (!prev) return [];
  const since = `${prev.slice(0, 4)}-${prev.slice(4, 6)}-${prev.slice(6, 8)}T${prev.slice(9, 11)}:${prev.slice(11, 13)}:${prev.slice(13, 15)}Z`;
  return names.flatMap((n) => readRestoreLog(abs(workspace, rel.restores(n))).filter((r) => r.restored_at >= since));
}
