// One vocabulary: the statuses of a run, an iteration and a step, the halt reasons, what each
// status means (did it change the corpus, how it reads), defined once. A leaf module with no
// imports: the engine's schemas, the worker and webview protocols and the webview itself use it.

export const ITERATION_STATUSES = [
  'done',
  'degraded',
  'rolled-back-pre-commit',
  'halted-on-plateau',
  'halted-on-regression-pre-commit',
  'halted-on-regression-post-commit',
  'cancelled',
  'failed',
] as const;
export type IterationStatus = (typeof ITERATION_STATUSES)[number];

export const HALT_REASONS = [
  'budget',
  'max-iterations',
  'safety-cap',
  'plateau',
  'regression',
  'integrity',
  'measure-failures',
  'cancelled',
  'error',
] as const;
export type HaltReason = (typeof HALT_REASONS)[number];

/** what a change did to a file (iter-N.json `changes[].kind`) */
export const CHANGE_KINDS = ['added', 'modified', 'archived', 'superseded'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** summary.json `status` */
export const RUN_STATUSES = ['planned', 'dry-run', 'running', 'done', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'done', 'soft-fail', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** a run as a listing sees it: its summary status, checked against the lock (a `running` run nobody holds is `interrupted`) */
export const RUN_STATES = ['running', 'interrupted', 'done', 'failed', 'unknown'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** statuses whose changes stay live when the iteration committed (contract §4.1) */
const COMPOUNDING: ReadonlySet<IterationStatus> = new Set(['done', 'degraded', 'halted-on-regression-post-commit']);
/** true when the iteration's changes are live in the corpus (contract §4.1) */
export function compounded(it: { status: IterationStatus; committed: boolean }): boolean {
  return it.committed && COMPOUNDING.has(it.status);
}

/** iterations a person should look at: rolled back by, or flagged after, the integrity check */
export function needsIntegrityReview(status: IterationStatus): boolean {
  return status === 'halted-on-regression-post-commit' || status === 'rolled-back-pre-commit';
}

/** halts that read as a storm front in the DreamScape */
export function isStormyHalt(reason: HaltReason | null): boolean {
  return reason === 'regression' || reason === 'integrity' || reason === 'measure-failures';
}

/** how an iteration reads as a step of the run (summary.json `steps[]`) */
export const ITERATION_STEP: Readonly<Record<IterationStatus, StepStatus>> = {
  done: 'done',
  'halted-on-plateau': 'done',
  degraded: 'soft-fail',
  'rolled-back-pre-commit': 'soft-fail',
  'halted-on-regression-pre-commit': 'soft-fail',
  'halted-on-regression-post-commit': 'soft-fail',
  cancelled: 'skipped',
  failed: 'failed',
};

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';
const TONES: Readonly<Record<IterationStatus | RunStatus | StepStatus, Tone>> = {
  done: 'good',
  'halted-on-plateau': 'good',
  degraded: 'warn',
  cancelled: 'warn',
  running: 'warn',
  failed: 'bad',
  'rolled-back-pre-commit': 'bad',
  'halted-on-regression-pre-commit': 'bad',
  'halted-on-regression-post-commit': 'bad',
  planned: 'neutral',
  'dry-run': 'neutral',
  pending: 'neutral',
  'soft-fail': 'neutral',
  skipped: 'neutral',
};
/** how a run, iteration or step status reads (colour in the tree and the report) */
export function statusTone(status: IterationStatus | RunStatus | StepStatus): Tone {
  return TONES[status];
}
