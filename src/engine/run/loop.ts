// The loop: INGEST -> REDUCE -> MEASURE -> COMMIT, one atomic iteration at a time, until a halt.
import path from 'node:path';
import { Staging } from '../commit/checkpoint';
import { NoteCache } from '../corpus/corpus';
import { SignatureCache } from '../stages/dedupe';
import { fitnessDelta } from './delta';
import type { EventSink, Stage } from '../core/events';
import type { Faults } from '../core/faults';
import { ingest } from '../stages/ingest';
import { verifyCommitted, verifyNoSilentDelete, verifyStaged } from '../stages/integrity';
import { iterationId, writeIteration } from '../commit/iterationStore';
import { measure } from '../stages/measure';
import { StageMemo } from '../stages/memo';
import { PlateauState } from './plateau';
import { reduce } from '../stages/reduce';
import { compounded } from '../core/status';
import type { FitnessVector, HaltReason, IterationRecord } from '../core/schemas';
import type { DreamSettings } from './settings';
import { decrementWarnOnlyBudget } from './warnOnly';
import type { WarnOnlyBudgetFile } from '../core/schemas';
import { CorpusWriter } from '../commit/writer';
import { parseNote } from '../corpus/note';
import { abs } from '../core/paths';
import fs from 'node:fs';

export const SAFETY_CAP = 100;
export const MEASURE_FAILURE_CAP = 3;

/** thrown inside a stage when the run must stop now */
export class StopSignal extends Error {
  constructor(
    readonly reason: 'budget' | 'cancelled',
    where: string,
  ) {
    super(reason === 'budget' ? `wall-clock budget reached during ${where}` : `stopped by the user during ${where}`);
    this.name = 'StopSignal';
  }
}

export interface LoopOptions {
  workspace: string;
  runId: string;
  settings: DreamSettings;
  deadline: number;
  signal?: AbortSignal;
  emit: EventSink;
  log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void;
  history: IterationRecord[];
  baseline: FitnessVector | null;
  warnOnlyBudget: WarnOnlyBudgetFile | null;
  faults: Faults;
  now: () => Date;
  /** persist the summary after each iteration */
  onIteration: (it: IterationRecord, state: LoopState) => void;
}

export interface LoopState {
  iterations: IterationRecord[];
  baseline: FitnessVector | null;
  lastCommitted: FitnessVector | null;
  haltReason: HaltReason | null;
  haltDetail: string;
  plateauReason: string | null;
  regressionReason: string | null;
  budgetExhausted: boolean;
  measureFailureHalt: boolean;
  failureReason: string | null;
  failingStep: string | null;
  warnOnlyBudget: WarnOnlyBudgetFile | null;
  degraded: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise<void>((r) => setImmediate(r));

export async function runLoop(o: LoopOptions): Promise<LoopState> {
  const s = o.settings;
  const st: LoopState = {
    iterations: [...o.history],
    baseline: o.baseline,
    lastCommitted: null,
    haltReason: null,
    haltDetail: '',
    plateauReason: null,
    regressionReason: null,
    budgetExhausted: false,
    measureFailureHalt: false,
    failureReason: null,
    failingStep: null,
    warnOnlyBudget: o.warnOnlyBudget,
    degraded: [],
  };
  const plateau = new PlateauState(s.plateauWindow, s.plateauEpsilon);
  // rehydrate: last committed fitness and the plateau window from compounded iterations
  const done = o.history.filter(compounded);
  st.lastCommitted = done.length ? done[done.length - 1]!.fitness_after : null;
  for (const it of done.slice(-s.plateauWindow)) plateau.observe(it.fitness_delta);
  if (plateau.hasFired) plateau.reset();
  const cache = new NoteCache();
  const sigCache = new SignatureCache();
  const measureMemo = new StageMemo<ReturnType<typeof measure>>();
  /** MEASURE on live + staged, memoised on identical inputs */
  const measureView = (ing: ReturnType<typeof ingest>) =>
    measureMemo.run(ing.view, ing.citations, `${o.now().toISOString().slice(0, 10)}|${s.staleDays}|${s.dedupeThreshold}`, () =>
      measure({
        view: ing.view,
        citations: ing.citations,
        references: ing.references,
        sigCache,
        now: o.now(),
        staleDays: s.staleDays,
        dedupeThreshold: s.dedupeThreshold,
      }),
    );
  const writer = new CorpusWriter(o.workspace);
  let measureFailures = 0;
  const halt = (reason: HaltReason, detail: string) => {
    st.haltReason = reason;
    st.haltDetail = detail;
    o.emit({ type: 'halted', runId: o.runId, reason, detail });
    o.log('info', `halt: ${reason}: ${detail}`);
  };
  const stopCheck = (where: string) => {
    if (o.signal?.aborted) throw new StopSignal('cancelled', where);
    if (Date.now() >= o.deadline) throw new StopSignal('budget', where);
  };

  o.log(
    'info',
    `loop starting (budget until ${new Date(o.deadline).toISOString()}, max_iter=${s.maxIterations}, epsilon=${s.plateauEpsilon}, K=${s.plateauWindow}, warn_only=${s.warnOnly})`,
  );
  for (;;) {
    // halts checked at the top of each iteration
    await tick();
    const index = st.iterations.length + 1;
    if (o.signal?.aborted) {
      halt('cancelled', 'stopped by the user');
      break;
    }
    if (Date.now() >= o.deadline) {
      st.budgetExhausted = true;
      halt('budget', 'wall-clock budget exhausted');
      break;
    }
    if (s.maxIterations > 0 && index > s.maxIterations) {
      halt('max-iterations', `reached max iterations (${s.maxIterations})`);
      break;
    }
    if (index > SAFETY_CAP) {
      halt('safety-cap', `reached the safety cap of ${SAFETY_CAP} iterations`);
      break;
    }

    const id = iterationId(o.runId, index);
    const started = o.now();
    const t0 = Date.now();
    o.emit({ type: 'iteration-started', runId: o.runId, index, startedAt: started.toISOString() });
    const rec: IterationRecord = {
      id,
      index,
      started_at: started.toISOString(),
      finished_at: '',
      duration_ms: 0,
      status: 'failed',
      committed: false,
      ingest: {},
      reduce: {},
      measure: {},
      fitness_before: st.lastCommitted ?? st.baseline ?? {},
      fitness_after: {},
      fitness_delta: 0,
      metric_deltas: {},
      regressions: [],
      changes: [],
      degraded: [],
      error: null,
    };
    const staging = new Staging(o.workspace, o.runId, index, id);
    let stage: Stage = 'ingest';
    let stageT0 = Date.now();
    const timings: Record<string, number> = {};
    const enter = async (next: Stage) => {
      stage = next;
      o.emit({ type: 'stage', runId: o.runId, index, stage: next, state: 'started' });
      if (o.faults.stageDelayMs) {
        const until = Date.now() + o.faults.stageDelayMs;
        while (Date.now() < until) {
          stopCheck(next);
          await sleep(Math.min(50, until - Date.now()));
        }
      }
      await tick();
      stopCheck(next);
      stageT0 = Date.now();
    };
    const leave = () => {
      timings[`${stage}_ms`] = Date.now() - stageT0;
      o.emit({ type: 'stage', runId: o.runId, index, stage, state: 'finished' });
    };
    let stop = false;
    const iterate = async (): Promise<void> => {
      try {
        // INGEST
        await enter('ingest');
        if (o.faults.ingestError === index) throw new Error('injected INGEST failure');
        const ing = ingest(o.workspace, cache, s.queueFile, o.now(), s.staleDays);
        rec.ingest = ing.counters;
        rec.degraded.push(...ing.degraded);
        if (!st.baseline) {
          st.baseline = measureView(ing).fitness;
        }
        const prev = st.lastCommitted ?? st.baseline;
        rec.fitness_before = prev;
        leave();

        // REDUCE (into the overlay)
        await enter('reduce');
        let red;
        try {
          red = reduce({
            ingest: ing,
            staging,
            sigCache,
            now: o.now(),
            staleDays: s.staleDays,
            dedupeThreshold: s.dedupeThreshold,
            workspaceName: path.basename(o.workspace),
            runId: o.runId,
            checkpoint: stopCheck,
          });
        } catch (e) {
          if (e instanceof StopSignal) throw e;
          rec.status = 'rolled-back-pre-commit';
          throw Object.assign(new Error(`REDUCE failed: ${(e as Error).message}`), { stage: 'reduce' });
        }
        rec.reduce = red.counters;
        rec.degraded.push(...red.degraded);
        if (o.faults.reduceStripKey === index) stripKeyInView(ing.view, staging, red.changes);
        const stripped = verifyStaged(ing.view, red.changes);
        const deleted = verifyNoSilentDelete(ing.view, red.changes);
        if (stripped.length || deleted.length) {
          staging.discard();
          rec.status = 'rolled-back-pre-commit';
          rec.error = `metadata integrity failed: ${stripped.length} stripped field(s)${
            stripped.length
              ? ` (${stripped
                  .slice(0, 5)
                  .map((f) => `${f.file}: ${f.key}`)
                  .join(', ')})`
              : ''
          }${deleted.length ? `; ${deleted.length} note(s) would be deleted` : ''}`;
          rec.changes = red.changes.map((c) => ({ ...c, before: null }));
          leave();
          halt('integrity', rec.error);
          stop = true;
          return;
        }
        leave();

        // MEASURE (read-only, on live + staged)
        await enter('measure');
        let after: FitnessVector;
        try {
          const me = o.faults.measureError === 'all' || (Array.isArray(o.faults.measureError) && o.faults.measureError.includes(index));
          if (me) throw new Error('injected MEASURE failure');
          const m = measureView(ing);
          after = m.fitness;
          rec.measure = m.counters;
          rec.degraded.push(...m.degraded);
          measureFailures = 0;
        } catch (e) {
          if (e instanceof StopSignal) throw e;
          measureFailures++;
          staging.discard();
          rec.status = 'degraded';
          rec.error = `MEASURE failed: ${(e as Error).message}`;
          rec.degraded.push(`measure failure ${measureFailures} of ${MEASURE_FAILURE_CAP}: ${(e as Error).message}; iteration rolled back`);
          leave();
          if (measureFailures >= MEASURE_FAILURE_CAP) {
            st.measureFailureHalt = true;
            st.failureReason = `iteration ${index}: ${measureFailures} consecutive MEASURE failures reached cap ${MEASURE_FAILURE_CAP}`;
            halt('measure-failures', st.failureReason);
            stop = true;
          }
          return;
        }
        if (o.faults.regressAt && o.faults.regressAt.iteration === index) {
          const k = o.faults.regressAt.metric;
          after = { ...after, [k]: Math.max(0, (prev[k] ?? 1) - o.faults.regressAt.drop) };
        }
        rec.fitness_after = after;
        const d = fitnessDelta(prev, after, s.regressionFloors, s.regressionFloor);
        rec.fitness_delta = d.composite;
        rec.metric_deltas = d.perMetric;
        rec.regressions = d.regressions;
        leave();

        // decide: halt, rescue, or commit
        const tp = Date.now();
        const plan = staging.persist();
        timings.persist_ms = Date.now() - tp;
        const changed = new Set(plan.ops.map((op) => op.path));
        const backups = new Map(plan.ops.map((op) => [op.path, op.backup]));
        const hashes = new Map(plan.ops.map((op) => [op.path, op.after_hash]));
        // what each change left behind, so a later restore can tell whether the file changed since (§5.7)
        rec.changes = red.changes
          .filter((c) => changed.has(c.path) || (c.moved_to && changed.has(c.moved_to)))
          .map((c) => ({
            ...c,
            before: backups.get(c.path) ?? null,
            ...(changed.has(c.path) ? { after_hash: hashes.get(c.path) ?? null } : {}),
            ...(c.moved_to && changed.has(c.moved_to)
              ? { moved_to_before: backups.get(c.moved_to) ?? null, moved_to_hash: hashes.get(c.moved_to) ?? null }
              : {}),
          }));
        const budgetLeft = () => (st.warnOnlyBudget ? st.warnOnlyBudget.remaining : 0);
        const warnEffective = s.warnOnly && budgetLeft() > 0;
        let rescued = false;
        const rescue = (why: string) => {
          if (!st.warnOnlyBudget) return;
          const r = decrementWarnOnlyBudget(o.workspace, st.warnOnlyBudget, o.now());
          st.warnOnlyBudget = r.budget;
          rec.degraded.push(why, `warn-only budget remaining: ${r.budget.remaining}`);
          rescued = true;
        };
        if (!plan.ops.length) {
          staging.discard();
          rec.status = 'halted-on-plateau';
          st.plateauReason = `plateau: nothing left to change (REDUCE staged no changes; composite delta ${d.composite})`;
          halt('plateau', st.plateauReason);
          stop = true;
          return;
        }
        if (d.regressed) {
          const names = d.regressions.map((r) => r.name);
          const reason = `iteration ${index}: ${names.length} metric(s) breached the regression floor: [${names.join(', ')}]`;
          if (!warnEffective) {
            staging.discard();
            rec.status = 'halted-on-regression-pre-commit';
            rec.error = reason;
            st.regressionReason = reason + (s.warnOnly ? ' (warn-only budget exhausted)' : '');
            halt('regression', st.regressionReason);
            stop = true;
            return;
          }
          rescue(`regression beyond floor (warn-only): ${names.length} metric(s): ${names.join(', ')}`);
          st.regressionReason = reason + ' (committed in warn-only mode)';
        }
        if ((!d.regressed || warnEffective) && plateau.observe(d.composite)) {
          const reason = plateau.reason();
          if (rescued || (s.warnOnly && budgetLeft() > 0)) {
            if (!rescued) rescue(`plateau reached (warn-only): ${reason}`);
            else rec.degraded.push(`plateau reached (warn-only): ${reason}`);
            st.plateauReason = reason + ' (committed in warn-only mode)';
          } else {
            staging.discard();
            rec.status = 'halted-on-plateau';
            st.plateauReason = reason + (s.warnOnly ? ' (warn-only budget exhausted)' : '');
            halt('plateau', st.plateauReason);
            stop = true;
            return;
          }
        }

        // COMMIT
        await enter('commit');
        staging.commit(o.faults);
        rec.committed = true;
        // the next iteration knows these files already: remember them by identity, no re-read
        for (const op of plan.ops) {
          if (op.op !== 'write') continue;
          try {
            const st = fs.statSync(abs(o.workspace, op.path));
            const note = ing.view.note(op.path);
            if (note && op.path.endsWith('.md')) cache.remember(op.path, st, note);
            else if (!op.path.endsWith('.md')) cache.rememberRaw(op.path, st, staging.writtenBytes(op.path) ?? Buffer.alloc(0));
          } catch {
            /* it will simply be read again */
          }
        }
        rec.status = rescued ? 'degraded' : 'done';
        st.lastCommitted = after;
        if (o.faults.postCommitStripKey === index) stripKeyLive(o.workspace, rec);
        const post = verifyCommitted(o.workspace, rec.changes);
        if (post.length) {
          rec.status = 'halted-on-regression-post-commit';
          rec.error = `post-commit metadata integrity: ${post.length} stripped field(s)`;
          rec.degraded.push(rec.error);
          const f = writePostCommitFinding(writer, o.now(), index, o.runId, post);
          rec.degraded.push(`wrote finding .agents/${f}`);
        }
        leave();
      } catch (e) {
        staging.discard();
        if (e instanceof StopSignal) {
          rec.status = e.reason === 'cancelled' ? 'cancelled' : 'rolled-back-pre-commit';
          rec.error = `${e.message}; the iteration was rolled back`;
          rec.changes = [];
          if (e.reason === 'budget') st.budgetExhausted = true;
          halt(e.reason, e.message);
          stop = true;
        } else {
          if (rec.status !== 'rolled-back-pre-commit') rec.status = 'failed';
          rec.error = (e as Error).message;
          rec.changes = [];
          st.failureReason = `iteration ${index} ${stage}: ${(e as Error).message}`;
          st.failingStep = `iteration-${index}:${stage}`;
          halt('error', st.failureReason);
          stop = true;
        }
      }
    };
    await iterate();
    finish();

    function finish(): void {
      const fin = o.now();
      rec.measure = { ...rec.measure, ...timings };
      rec.finished_at = fin.toISOString();
      rec.duration_ms = Date.now() - t0;
      try {
        writeIteration(o.workspace, o.runId, rec);
      } catch (err) {
        rec.degraded.push(`persist iter-${index}: ${(err as Error).message}`);
      }
      st.iterations.push(rec);
      o.emit({ type: 'iteration-finished', runId: o.runId, iteration: rec });
      o.log(
        'info',
        `iteration ${index} ${rec.status} (delta ${rec.fitness_delta}, ${rec.changes.length} change(s), ${rec.duration_ms} ms)${rec.error ? ': ' + rec.error : ''}`,
      );
      o.onIteration(rec, st);
    }
    if (stop) break;
  }
  return st;
}

/** fault: drop one frontmatter key from a kept learning inside the overlay */
function stripKeyInView(view: import('../corpus/corpus').CorpusView, staging: Staging, changes: IterationRecord['changes']): void {
  const moved = new Set(changes.filter((c) => c.moved_to).map((c) => c.path));
  for (const n of view.notesOf('learning')) {
    if (moved.has(n.rel) || n.fmError || !n.utf8) continue;
    const base = view.base.notes.get(n.rel);
    const key = base && Object.keys(base.fm)[0];
    if (!key) continue;
    const text = n.bytes.toString('utf8').replace(new RegExp(`^${key}:.*\\r?\\n`, 'm'), '');
    const bytes = Buffer.from(text, 'utf8');
    view.stage(n.rel, bytes);
    staging.write(n.rel, bytes);
    return;
  }
}

/** fault: after commit, strip a key from a committed live learning */
function stripKeyLive(workspace: string, rec: IterationRecord): void {
  const c = rec.changes.find((x) => x.before && x.path.endsWith('.md') && x.kind === 'modified');
  if (!c) return;
  const file = abs(workspace, c.path);
  const n = parseNote(c.path, fs.readFileSync(file));
  const key = Object.keys(n.fm)[0];
  if (!key) return;
  const text = n.bytes.toString('utf8').replace(new RegExp(`^${key}:.*\\r?\\n`, 'm'), '');
  new CorpusWriter(workspace).write(c.path, text);
}

function writePostCommitFinding(
  writer: CorpusWriter,
  now: Date,
  index: number,
  runId: string,
  stripped: { file: string; key: string }[],
): string {
  const day = now.toISOString().slice(0, 10);
  const rel = `findings/f-${day}-postcommit-${runId}-iter-${index}.md`;
  const body = [
    '---',
    `title: "Dream post-commit integrity failure in iteration ${index}"`,
    'type: finding',
    'severity: high',
    `date: ${day}`,
    'resolved: false',
    '---',
    '',
    `# Dream post-commit integrity failure (run ${runId}, iteration ${index})`,
    '',
    '## Summary',
    '',
    `After committing iteration ${index}, ${stripped.length} frontmatter key(s) were missing from live learnings. The before-images are kept in the run folder.`,
    '',
    ...stripped.map((f) => `- \`${f.file}\`: key \`${f.key}\``),
    '',
  ].join('\n');
  writer.write(rel, body);
  return rel;
}
