// One iteration: INGEST -> REDUCE -> MEASURE -> COMMIT. It observes, asks decide() (decide.ts) at
// each decision point, and carries the decision out (roll back, spend a rescue, commit, halt).
import fs from 'node:fs';
import path from 'node:path';
import { Staging } from '../commit/checkpoint';
import { iterationId } from '../commit/iterationStore';
import { CorpusWriter } from '../commit/writer';
import type { EventSink, Stage } from '../core/events';
import { errorMessage } from '../core/errors';
import { abs, agentsDir } from '../core/paths';
import type { FitnessVector, HaltReason, IterationRecord, Proposal, WarnOnlyBudgetFile } from '../core/schemas';
import { compounded } from '../core/status';
import { phase, startPhases, takePhases } from '../core/phases';
import { CitationChecker, isVisible } from '../corpus/knowledge';
import { listedFiles, NoteCache } from '../corpus/corpus';
import { loadSnapshotParallel } from '../corpus/parallelRead';
import { buildManifest, MANIFEST_REL, refreshManifest, replayable, stageSettingsKey, type NightConclusion } from '../corpus/manifest';
import { SignatureCache } from '../stages/dedupe';
import { ingest } from '../stages/ingest';
import { verifyCommitted, verifyNoSilentDelete, verifyStaged } from '../stages/integrity';
import { measure } from '../stages/measure';
import { StageMemo } from '../stages/memo';
import { reduce } from '../stages/reduce';
import { decide, type Decision, type RunNotes } from './decide';
import { fitnessDelta } from './delta';
import type { FaultSeam } from './faultSeam';
import type { PlateauState } from './plateau';
import { retireCap, type DreamSettings } from './settings';
import { decrementWarnOnlyBudget } from './warnOnly';

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

/** what the run carries from one iteration to the next */
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
  /** §5.5 live learnings before the run and after its last committed iteration */
  liveLearnings: { before: number | null; after: number | null };
  /** §5.5 proposals of the last iteration that reached REDUCE (over the cap, or for review) */
  proposals: Proposal[];
}

/** live learnings this run has retired so far (absorbed duplicates, rot, age; committed iterations) */
export function retiredTonight(iterations: IterationRecord[]): number {
  let n = 0;
  for (const it of iterations)
    if (compounded(it))
      n += Number(it.reduce.dedup_merged ?? 0) + Number(it.reduce.archived_rot ?? 0) + Number(it.reduce.archived_age ?? 0);
  return n;
}

export interface IterationEnv {
  workspace: string;
  runId: string;
  settings: DreamSettings;
  emit: EventSink;
  now: () => Date;
  seam: FaultSeam;
  plateau: PlateauState;
  log?: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void;
  /** throws a StopSignal when the user stopped the run or the deadline passed */
  stopCheck: (where: string) => void;
}

export interface IterationOutcome {
  rec: IterationRecord;
  /** the run halts after this iteration */
  halt: { reason: HaltReason; detail: string } | null;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Runs iterations against one run's state, sharing the caches between them. */
export class IterationRunner {
  private readonly cache = new NoteCache();
  private readonly sigCache = new SignatureCache();
  private readonly measureMemo = new StageMemo<ReturnType<typeof measure>>();
  private readonly writer: CorpusWriter;
  private measureFailures = 0;
  private replayTried = false;

  constructor(
    private readonly env: IterationEnv,
    private readonly st: LoopState,
  ) {
    this.writer = new CorpusWriter(env.workspace);
  }

  /** MEASURE on live + staged, memoised on identical inputs */
  private measureView(ing: ReturnType<typeof ingest>) {
    const { settings: s, now } = this.env;
    return this.measureMemo.run(ing.view, ing.citations, `${now().toISOString().slice(0, 10)}|${s.staleDays}|${s.dedupeThreshold}`, () =>
      measure({
        view: ing.view,
        citations: ing.citations,
        references: ing.references,
        uses: ing.uses,
        sigCache: this.sigCache,
        now: now(),
        staleDays: s.staleDays,
        dedupeThreshold: s.dedupeThreshold,
      }),
    );
  }

  async run(index: number): Promise<IterationOutcome> {
    const { env, st } = this;
    const { workspace, runId, emit } = env;
    const s = env.settings;
    const started = env.now();
    const t0 = Date.now();
    emit({ type: 'iteration-started', runId, index, startedAt: started.toISOString() });
    startPhases();
    const rec = newRecord(iterationId(runId, index), index, started, st.lastCommitted ?? st.baseline ?? {});
    const staging = new Staging(workspace, runId, index, rec.id);
    let halt: IterationOutcome['halt'] = null;
    /** carries out the parts of a decision that touch the record, the run state and the staging */
    const settle = (d: Decision): Decision => {
      if (d.action === 'rollback') staging.discard();
      if (d.status) rec.status = d.status;
      if (d.error !== null) rec.error = d.error;
      rec.degraded.push(...d.degraded);
      Object.assign(st, d.run satisfies RunNotes);
      if (d.halt) halt = d.halt;
      return d;
    };

    let stage: Stage = 'ingest';
    let stageT0 = Date.now();
    const timings: Record<string, number> = {};
    const enter = async (next: Stage) => {
      stage = next;
      emit({ type: 'stage', runId, index, stage: next, state: 'started' });
      env.seam.enterStage(index, next);
      await env.seam.delayStage(() => env.stopCheck(next));
      await tick();
      env.stopCheck(next);
      stageT0 = Date.now();
    };
    const leave = () => {
      phase(`${stage}:rest`);
      timings[`${stage}_ms`] = Date.now() - stageT0;
      emit({ type: 'stage', runId, index, stage, state: 'finished' });
    };

    let reduceFailed = false;
    try {
      // INGEST (read-only)
      await enter('ingest');
      env.seam.beforeIngest(index);
      const replay = this.replayQuietNight();
      if (replay) {
        const c = replay.conclusion;
        rec.ingest = { ...c.ingest, manifest_files_checked: replay.checked, manifest_files_rehashed: replay.rehashed };
        rec.degraded.push(...c.degraded.ingest);
        if (!st.baseline) st.baseline = c.fitness;
        const prev = st.lastCommitted ?? st.baseline;
        rec.fitness_before = prev;
        st.liveLearnings.before ??= c.live;
        st.liveLearnings.after ??= c.live;
        leave();
        await enter('reduce');
        rec.reduce = c.reduce;
        rec.degraded.push(...c.degraded.reduce);
        st.proposals = c.proposals;
        leave();
        await enter('measure');
        env.seam.beforeMeasure(index);
        rec.measure = c.measure;
        rec.degraded.push(...c.degraded.measure);
        const after = env.seam.measured(index, prev, c.fitness);
        rec.fitness_after = after;
        const d = fitnessDelta(prev, after, s.regressionFloors, s.regressionFloor);
        rec.fitness_delta = d.composite;
        rec.metric_deltas = d.perMetric;
        rec.regressions = d.regressions;
        leave();
        // nothing staged: the same decision as any iteration that stages nothing
        settle(decide({ ...this.quietObservation(index, d, c.live) }));
        return this.finish(rec, t0, timings, halt);
      }
      const readStartedMs = Date.now();
      const snap = await loadSnapshotParallel(workspace, this.cache);
      const ing = ingest(workspace, this.cache, s.queueFile, env.now(), s.staleDays, snap);
      rec.ingest = ing.counters;
      rec.degraded.push(...ing.degraded);
      if (!st.baseline) st.baseline = this.measureView(ing).fitness;
      const prev = st.lastCommitted ?? st.baseline;
      rec.fitness_before = prev;
      const liveBefore = ing.view.notesOf('learning').filter(isVisible).length;
      st.liveLearnings.before ??= liveBefore;
      st.liveLearnings.after ??= liveBefore;
      // §4.2 retire cap: counted over the night, from the live learnings at the start of the run
      const cap = retireCap(s.maxRetirePerNight, st.liveLearnings.before);
      const retireBudget = Math.max(0, cap - retiredTonight(st.iterations));
      leave();

      // REDUCE (into the overlay)
      await enter('reduce');
      let red;
      try {
        red = reduce({
          ingest: ing,
          staging,
          sigCache: this.sigCache,
          now: env.now(),
          staleDays: s.staleDays,
          dedupeThreshold: s.dedupeThreshold,
          retention: s.retention,
          retireBudget,
          workspaceName: path.basename(workspace),
          runId,
          checkpoint: env.stopCheck,
        });
      } catch (e) {
        if (e instanceof StopSignal) throw e;
        reduceFailed = true;
        throw new Error(`REDUCE failed: ${errorMessage(e)}`);
      }
      rec.reduce = red.counters;
      rec.degraded.push(...red.degraded);
      st.proposals = red.proposals;
      if (red.counters.retire_capped)
        rec.degraded.push(
          `${red.counters.retire_capped} more ${red.counters.retire_capped === 1 ? 'note' : 'notes'} qualified for archiving than tonight's cap of ${cap} allows; they are proposed for review instead`,
        );
      env.seam.afterReduce(index, ing.view, staging, red.changes);
      const integrity = settle(
        decide({
          at: 'staged',
          stripped: verifyStaged(ing.view, red.changes),
          deleted: verifyNoSilentDelete(ing.view, red.changes).length,
        }),
      );
      if (integrity.action === 'rollback') rec.changes = red.changes.map((c) => ({ ...c, before: null }));
      leave();
      if (integrity.halt) return this.finish(rec, t0, timings, halt);

      // MEASURE (read-only, on live + staged)
      await enter('measure');
      let after: FitnessVector;
      let liveAfter: number;
      let measuredDegraded: string[] = [];
      try {
        env.seam.beforeMeasure(index);
        const m = this.measureView(ing);
        after = m.fitness;
        liveAfter = red.live.after;
        rec.measure = m.counters;
        rec.degraded.push(...m.degraded);
        measuredDegraded = m.degraded;
        this.measureFailures = 0;
      } catch (e) {
        if (e instanceof StopSignal) throw e;
        this.measureFailures++;
        settle(decide({ at: 'measure-failed', index, message: errorMessage(e), consecutive: this.measureFailures }));
        leave();
        return this.finish(rec, t0, timings, halt);
      }
      after = env.seam.measured(index, prev, after);
      rec.fitness_after = after;
      const d = fitnessDelta(prev, after, s.regressionFloors, s.regressionFloor);
      rec.fitness_delta = d.composite;
      rec.metric_deltas = d.perMetric;
      rec.regressions = d.regressions;
      leave();

      // decide: commit, rescue and commit, or roll back and halt
      const tp = Date.now();
      phase('measure:rest');
      this.sigCache.forgetExact();
      const plan = staging.persist();
      timings.persist_ms = Date.now() - tp;
      phase('persist');
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
      phase('decide:changes');
      const plateauFired = env.plateau.observe(d.composite);
      const verdict = decide({
        at: 'measured',
        index,
        staged: plan.ops.length,
        composite: d.composite,
        regressions: d.regressions.map((r) => r.name),
        plateau: plateauFired ? env.plateau.reason() : null,
        warnOnly: s.warnOnly,
        budgetRemaining: st.warnOnlyBudget?.remaining ?? 0,
        liveBefore,
        liveAfter,
      });
      if (verdict.action === 'rollback') {
        settle(verdict);
        // a quiet night that no run state shaped (no retirement held back by tonight's cap) can be replayed
        if (!plan.ops.length && verdict.status === 'halted-on-plateau' && !red.counters.retire_capped)
          this.recordQuietNight(readStartedMs, ing, {
            ingest: ing.counters,
            reduce: red.counters,
            measure: rec.measure,
            fitness: after,
            live: liveBefore,
            proposals: red.proposals,
            degraded: { ingest: ing.degraded, reduce: red.degraded, measure: measuredDegraded },
          });
        phase('manifest');
        return this.finish(rec, t0, timings, halt);
      }
      const rescued = this.spendRescue(rec, verdict.rescue);
      rec.degraded.push(...verdict.degraded);
      Object.assign(st, verdict.run);

      // COMMIT
      await enter('commit');
      staging.commit(env.seam.faults);
      rec.committed = true;
      rec.degraded.push(...staging.commitNotes);
      this.rememberCommitted(plan.ops, ing.view, staging);
      st.lastCommitted = after;
      st.liveLearnings.after = liveAfter;
      env.seam.afterCommit(index, workspace, rec);
      const post = verifyCommitted(workspace, rec.changes, {
        before: (p) => staging.beforeBytes(p),
        staged: (p) => staging.writtenBytes(p),
      });
      const committed = settle(decide({ at: 'committed', rescued, stripped: post.length }));
      if (post.length) {
        const f = writePostCommitFinding(this.writer, env.now(), index, runId, post);
        rec.degraded.push(committed.error!, `wrote finding .agents/${f}`);
      }
      leave();
    } catch (e) {
      settle(
        e instanceof StopSignal
          ? decide({ at: 'stopped', by: e.reason, message: e.message })
          : decide({ at: 'failed', index, stage, message: errorMessage(e), reduce: reduceFailed }),
      );
      rec.changes = [];
    }
    return this.finish(rec, t0, timings, halt);
  }

  /**
   * The first iteration of a process replays the conclusion of a night that staged nothing when
   * every input is as that night saw it (corpus/manifest.ts): no note is read or parsed.
   */
  private replayQuietNight() {
    if (this.replayTried) return null;
    this.replayTried = true;
    const { workspace } = this.env;
    if (this.env.seam.active) return null;
    const startedMs = Date.now();
    const r = replayable(agentsDir(workspace), this.nightKey(), (p) => new CitationChecker(workspace, () => false).exists(p));
    if (!r.conclusion) {
      this.env.log?.('debug', `corpus manifest: full night (${r.reason})`);
      return null;
    }
    this.env.log?.(
      'info',
      `corpus manifest: nothing changed since the last quiet night (${r.checked} files checked); its conclusion is replayed`,
    );
    // racy entries were just re-hashed: once older than the racy window they need not be again
    try {
      refreshManifest((rel, data) => this.writer.writeBatched(rel, data, false), r.manifest, startedMs);
    } catch (e) {
      this.env.log?.('warn', `corpus manifest not refreshed: ${errorMessage(e)}`);
    }
    return r;
  }

  private nightKey() {
    const { workspace, settings: s, now } = this.env;
    const queue = path.isAbsolute(s.queueFile) ? s.queueFile : path.join(workspace, s.queueFile);
    return { day: now().toISOString().slice(0, 10), settings: stageSettingsKey(s), queueFile: queue };
  }

  /** a night that staged nothing: write the manifest a later night can replay (best effort: it is a cache) */
  private recordQuietNight(readStartedMs: number, ing: ReturnType<typeof ingest>, conclusion: NightConclusion): void {
    if (this.env.seam.active) return;
    const { workspace } = this.env;
    try {
      const built = buildManifest(
        agentsDir(workspace),
        this.nightKey(),
        {
          readStartedMs,
          listed: listedFiles(ing.view.base.scan),
          read: (rel) => this.cache.readIdentity(rel),
          cited: ing.citations.checked(),
        },
        conclusion,
        this.env.now(),
      );
      if (built.manifest) this.writer.writeBatched(MANIFEST_REL, JSON.stringify(built.manifest), false);
      else this.env.log?.('debug', `corpus manifest not written: ${built.reason}`);
    } catch (e) {
      this.env.log?.('warn', `corpus manifest not written: ${errorMessage(e)}`);
    }
  }

  private quietObservation(index: number, d: ReturnType<typeof fitnessDelta>, live: number) {
    const { env, st } = this;
    const plateauFired = env.plateau.observe(d.composite);
    return {
      at: 'measured' as const,
      index,
      staged: 0,
      composite: d.composite,
      regressions: d.regressions.map((r) => r.name),
      plateau: plateauFired ? env.plateau.reason() : null,
      warnOnly: env.settings.warnOnly,
      budgetRemaining: st.warnOnlyBudget?.remaining ?? 0,
      liveBefore: live,
      liveAfter: live,
    };
  }

  /** spends one warn-only rescue when the decision asks for it; false when there is no budget to spend */
  private spendRescue(rec: IterationRecord, why: string | null): boolean {
    if (!why || !this.st.warnOnlyBudget) return false;
    const r = decrementWarnOnlyBudget(this.env.workspace, this.st.warnOnlyBudget, this.env.now());
    this.st.warnOnlyBudget = r.budget;
    rec.degraded.push(why, `warn-only budget remaining: ${r.budget.remaining}`);
    return true;
  }

  /** the next iteration knows the committed files already: remember them by identity, no re-read */
  private rememberCommitted(ops: { op: string; path: string }[], view: ReturnType<typeof ingest>['view'], staging: Staging): void {
    for (const op of ops) {
      if (op.op !== 'write') continue;
      try {
        const stat = fs.statSync(abs(this.env.workspace, op.path));
        const note = view.note(op.path);
        if (note && op.path.endsWith('.md')) this.cache.remember(op.path, stat, note);
        else if (!op.path.endsWith('.md')) this.cache.rememberRaw(op.path, stat, staging.writtenBytes(op.path) ?? Buffer.alloc(0));
      } catch {
        /* it will simply be read again */
      }
    }
  }

  private finish(rec: IterationRecord, t0: number, timings: Record<string, number>, halt: IterationOutcome['halt']): IterationOutcome {
    this.cache.prune();
    rec.measure = { ...rec.measure, ...timings };
    const phases = takePhases();
    if (Object.keys(phases).length) rec.phases = phases;
    rec.finished_at = this.env.now().toISOString();
    rec.duration_ms = Date.now() - t0;
    return { rec, halt };
  }
}

function newRecord(id: string, index: number, started: Date, before: FitnessVector): IterationRecord {
  return {
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
    fitness_before: before,
    fitness_after: {},
    fitness_delta: 0,
    metric_deltas: {},
    regressions: [],
    changes: [],
    degraded: [],
    error: null,
  };
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
