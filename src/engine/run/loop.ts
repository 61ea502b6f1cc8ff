// The loop: one atomic iteration at a time (iteration.ts) until a halt (decide.ts).
import type { EventSink } from '../core/events';
import type { Faults } from '../core/faults';
import { writeIteration } from '../commit/iterationStore';
import { compounded } from '../core/status';
import { errorMessage } from '../core/errors';
import type { FitnessVector, HaltReason, IterationRecord, WarnOnlyBudgetFile } from '../core/schemas';
import { decide, SAFETY_CAP } from './decide';
import { FaultSeam } from './faultSeam';
import { IterationRunner, StopSignal, type LoopState } from './iteration';
import { PlateauState } from './plateau';
import type { DreamSettings } from './settings';

export { SAFETY_CAP, MEASURE_FAILURE_CAP } from './decide';
export { StopSignal, type LoopState } from './iteration';

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
  /** persist the summary after each iteration (`last`: the loop halts after this one) */
  onIteration: (it: IterationRecord, state: LoopState, last: boolean) => void;
}

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
    liveLearnings: { before: null, after: null },
    proposals: [],
  };
  const plateau = new PlateauState(s.plateauWindow, s.plateauEpsilon);
  // rehydrate: last committed fitness and the plateau window from compounded iterations
  const done = o.history.filter(compounded);
  st.lastCommitted = done.length ? done[done.length - 1]!.fitness_after : null;
  for (const it of done.slice(-s.plateauWindow)) plateau.observe(it.fitness_delta);
  if (plateau.hasFired) plateau.reset();

  const halt = (reason: HaltReason, detail: string) => {
    st.haltReason = reason;
    st.haltDetail = detail;
    o.emit({ type: 'halted', runId: o.runId, reason, detail });
    o.log('info', `halt: ${reason}: ${detail}`);
  };
  const runner = new IterationRunner(
    {
      workspace: o.workspace,
      runId: o.runId,
      settings: s,
      emit: o.emit,
      now: o.now,
      seam: new FaultSeam(o.faults),
      log: o.log,
      plateau,
      stopCheck: (where) => {
        if (o.signal?.aborted) throw new StopSignal('cancelled', where);
        if (Date.now() >= o.deadline) throw new StopSignal('budget', where);
      },
    },
    st,
  );

  o.log(
    'info',
    `loop starting (budget until ${new Date(o.deadline).toISOString()}, max_iter=${s.maxIterations}, epsilon=${s.plateauEpsilon}, K=${s.plateauWindow}, warn_only=${s.warnOnly})`,
  );
  for (;;) {
    // halts checked at the top of each iteration
    await tick();
    const index = st.iterations.length + 1;
    const start = decide({
      at: 'start',
      index,
      aborted: !!o.signal?.aborted,
      pastDeadline: Date.now() >= o.deadline,
      maxIterations: s.maxIterations,
    });
    if (start.halt) {
      Object.assign(st, start.run);
      halt(start.halt.reason, start.halt.detail);
      break;
    }

    const { rec, halt: stop } = await runner.run(index);
    if (stop) halt(stop.reason, stop.detail);
    try {
      writeIteration(o.workspace, o.runId, rec);
    } catch (err) {
      rec.degraded.push(`persist iter-${index}: ${errorMessage(err)}`);
    }
    st.iterations.push(rec);
    o.emit({ type: 'iteration-finished', runId: o.runId, iteration: rec });
    o.log(
      'info',
      `iteration ${index} ${rec.status} (delta ${rec.fitness_delta}, ${rec.changes.length} change(s), ${rec.duration_ms} ms)${rec.error ? ': ' + rec.error : ''}`,
    );
    // the next start halts at max_iter (0: no limit) or the safety cap: this one is the last as well
    o.onIteration(rec, st, !!stop || (s.maxIterations > 0 && index >= s.maxIterations) || index >= SAFETY_CAP);
    if (stop) break;
  }
  return st;
}
