// The loop's decisions, as one pure function (contract §4.1 and the warn-only budget §5.4):
// given what an iteration observed, say whether its staged changes are committed or rolled back,
// whether a warn-only rescue is spent, what status the iteration gets, and whether (and why) the
// run halts. No I/O: the iteration runner (iteration.ts) observes, asks, and carries out.
import type { HaltReason, IterationStatus } from '../core/schemas';

export const SAFETY_CAP = 100;
export const MEASURE_FAILURE_CAP = 3;

/** What an iteration saw at one decision point. */
export type Observation =
  /** top of an iteration, before anything is read */
  | { at: 'start'; index: number; aborted: boolean; pastDeadline: boolean; maxIterations: number }
  /** a stop (user or wall-clock budget) cut a stage short */
  | { at: 'stopped'; by: 'cancelled' | 'budget'; message: string }
  /** a stage threw; `reduce` marks a REDUCE failure (nothing was staged) */
  | { at: 'failed'; index: number; stage: string; message: string; reduce: boolean }
  /** the pre-commit metadata check on the staged changes */
  | { at: 'staged'; stripped: { file: string; key: string }[]; deleted: number }
  /** MEASURE threw; `consecutive` counts this failure */
  | { at: 'measure-failed'; index: number; message: string; consecutive: number }
  /** MEASURE succeeded: the commit-or-halt decision */
  | {
      at: 'measured';
      index: number;
      /** files the commit would touch */
      staged: number;
      composite: number;
      /** metrics that breached their regression floor */
      regressions: string[];
      /** the plateau reason when the plateau window fired on this delta, else null */
      plateau: string | null;
      warnOnly: boolean;
      /** rescues left in the warn-only budget (0 when there is no budget) */
      budgetRemaining: number;
      /** live learnings before and after the staged changes */
      liveBefore: number;
      liveAfter: number;
    }
  /** after COMMIT: the post-commit metadata check */
  | { at: 'committed'; rescued: boolean; stripped: number };

/** Patches to the run's state that a decision carries. */
export interface RunNotes {
  plateauReason?: string;
  regressionReason?: string;
  failureReason?: string;
  failingStep?: string;
  budgetExhausted?: true;
  measureFailureHalt?: true;
}

export interface Decision {
  /** what happens to the staged changes: commit them, drop them, or nothing to do here */
  action: 'commit' | 'rollback' | 'none';
  /** the iteration's status (null at the start check, where no iteration exists yet) */
  status: IterationStatus | null;
  /** the run halts after this iteration, for this reason */
  halt: { reason: HaltReason; detail: string } | null;
  /** a warn-only rescue is spent; this is its degraded line */
  rescue: string | null;
  /** degraded lines for the iteration (besides the rescue) */
  degraded: string[];
  /** the iteration's error line */
  error: string | null;
  run: RunNotes;
}

const base = (d: Partial<Decision> & Pick<Decision, 'action'>): Decision => ({
  status: null,
  halt: null,
  rescue: null,
  degraded: [],
  error: null,
  run: {},
  ...d,
});

export function decide(o: Observation): Decision {
  switch (o.at) {
    case 'start':
      return decideStart(o);
    case 'stopped':
      return base({
        action: 'rollback',
        status: o.by === 'cancelled' ? 'cancelled' : 'rolled-back-pre-commit',
        error: `${o.message}; the iteration was rolled back`,
        halt: { reason: o.by, detail: o.message },
        run: o.by === 'budget' ? { budgetExhausted: true } : {},
      });
    case 'failed': {
      const reason = `iteration ${o.index} ${o.stage}: ${o.message}`;
      return base({
        action: 'rollback',
        status: o.reduce ? 'rolled-back-pre-commit' : 'failed',
        error: o.message,
        halt: { reason: 'error', detail: reason },
        run: { failureReason: reason, failingStep: `iteration-${o.index}:${o.stage}` },
      });
    }
    case 'staged':
      return decideStaged(o);
    case 'measure-failed': {
      const d = base({
        action: 'rollback',
        status: 'degraded',
        error: `MEASURE failed: ${o.message}`,
        degraded: [`measure failure ${o.consecutive} of ${MEASURE_FAILURE_CAP}: ${o.message}; iteration rolled back`],
      });
      if (o.consecutive < MEASURE_FAILURE_CAP) return d;
      const reason = `iteration ${o.index}: ${o.consecutive} consecutive MEASURE failures reached cap ${MEASURE_FAILURE_CAP}`;
      return { ...d, halt: { reason: 'measure-failures', detail: reason }, run: { measureFailureHalt: true, failureReason: reason } };
    }
    case 'measured':
      return decideMeasured(o);
    case 'committed':
      if (!o.stripped) return base({ action: 'none', status: o.rescued ? 'degraded' : 'done' });
      // the changes are live; the loop continues and a finding is written
      return base({
        action: 'none',
        status: 'halted-on-regression-post-commit',
        error: `post-commit metadata integrity: ${o.stripped} stripped field(s)`,
      });
  }
}

function decideStart(o: Extract<Observation, { at: 'start' }>): Decision {
  const halt = (reason: HaltReason, detail: string, run: RunNotes = {}) => base({ action: 'none', halt: { reason, detail }, run });
  if (o.aborted) return halt('cancelled', 'stopped by the user');
  if (o.pastDeadline) return halt('budget', 'wall-clock budget exhausted', { budgetExhausted: true });
  if (o.maxIterations > 0 && o.index > o.maxIterations) return halt('max-iterations', `reached max iterations (${o.maxIterations})`);
  if (o.index > SAFETY_CAP) return halt('safety-cap', `reached the safety cap of ${SAFETY_CAP} iterations`);
  return base({ action: 'none' });
}

function decideStaged(o: Extract<Observation, { at: 'staged' }>): Decision {
  const { stripped, deleted } = o;
  if (!stripped.length && !deleted) return base({ action: 'none' });
  const named = stripped.length
    ? ` (${stripped
        .slice(0, 5)
        .map((f) => `${f.file}: ${f.key}`)
        .join(', ')})`
    : '';
  const error = `metadata integrity failed: ${stripped.length} stripped field(s)${named}${
    deleted ? `; ${deleted} note(s) would be deleted` : ''
  }`;
  return base({ action: 'rollback', status: 'rolled-back-pre-commit', error, halt: { reason: 'integrity', detail: error } });
}

function decideMeasured(o: Extract<Observation, { at: 'measured' }>): Decision {
  if (!o.staged) {
    const reason = `plateau: nothing left to change (REDUCE staged no changes; composite delta ${o.composite})`;
    return base({
      action: 'rollback',
      status: 'halted-on-plateau',
      halt: { reason: 'plateau', detail: reason },
      run: { plateauReason: reason },
    });
  }
  // warn-only never rescues an emptied corpus
  if (o.liveBefore > 0 && o.liveAfter === 0) {
    const reason = `iteration ${o.index}: would leave no live learning (${o.liveBefore} before)`;
    return base({
      action: 'rollback',
      status: 'halted-on-regression-pre-commit',
      error: reason,
      halt: { reason: 'regression', detail: reason },
      run: { regressionReason: reason },
    });
  }
  const warnEffective = o.warnOnly && o.budgetRemaining > 0;
  const spent = o.warnOnly ? ' (warn-only budget exhausted)' : '';
  const rescued = ' (committed in warn-only mode)';
  const run: RunNotes = {};
  let rescue: string | null = null;
  const degraded: string[] = [];
  if (o.regressions.length) {
    const names = o.regressions;
    const reason = `iteration ${o.index}: ${names.length} metric(s) breached the regression floor: [${names.join(', ')}]`;
    if (!warnEffective) {
      return base({
        action: 'rollback',
        status: 'halted-on-regression-pre-commit',
        error: reason,
        halt: { reason: 'regression', detail: reason + spent },
        run: { regressionReason: reason + spent },
      });
    }
    rescue = `regression beyond floor (warn-only): ${names.length} metric(s): ${names.join(', ')}`;
    run.regressionReason = reason + rescued;
  }
  if (o.plateau !== null) {
    if (!warnEffective) {
      return base({
        action: 'rollback',
        status: 'halted-on-plateau',
        halt: { reason: 'plateau', detail: o.plateau + spent },
        run: { plateauReason: o.plateau + spent },
      });
    }
    // one rescue per iteration: a plateau on an already rescued regression costs nothing more
    if (rescue) degraded.push(`plateau reached (warn-only): ${o.plateau}`);
    else rescue = `plateau reached (warn-only): ${o.plateau}`;
    run.plateauReason = o.plateau + rescued;
  }
  return base({ action: 'commit', status: rescue ? 'degraded' : 'done', rescue, degraded, run });
}
