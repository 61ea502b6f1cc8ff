// Text of the status bar item and the tree items (no vscode import).
import {
  compounded,
  formatDuration,
  formatElapsed,
  signed,
  type ChangeKind,
  type HaltReason,
  type IterationRecord,
  type RunStatus,
  type IterationStatus,
  type RunState,
} from '../../engine';

export type ControllerState =
  | { kind: 'idle' }
  | { kind: 'starting'; startedAt: number }
  | { kind: 'running'; runId: string; iteration: number; stage: string | null; startedAt: number; stopping: boolean }
  | { kind: 'finished'; runId: string | null; status: RunStatus; haltReason: HaltReason | null; failureReason: string | null };

export interface StatusBarView {
  text: string;
  tooltip: string;
  /** 'error' → statusBarItem.errorBackground */
  background: 'none' | 'error' | 'warning';
}

export function statusBarView(state: ControllerState, now: number): StatusBarView {
  switch (state.kind) {
    case 'idle':
      return { text: '$(moon) Dream', tooltip: 'Dream: no run in progress. Click to start a bedtime run.', background: 'none' };
    case 'starting':
      return { text: '$(sync~spin) Dream: starting', tooltip: 'Dream: starting a bedtime run…', background: 'none' };
    case 'running': {
      const elapsed = formatElapsed(now - state.startedAt);
      const it = state.iteration > 0 ? `iteration ${state.iteration}` : 'preparing';
      const stopping = state.stopping ? ' · stopping' : '';
      return {
        text: `$(sync~spin) Dream: ${it} · ${elapsed}${stopping}`,
        tooltip: `Dream run ${state.runId}: ${it}${state.stage ? ` (${state.stage.toUpperCase()})` : ''}, running for ${elapsed}${state.stopping ? '; stopping (the current iteration is rolled back)' : ''}. Click to stop or open the report.`,
        background: 'none',
      };
    }
    case 'finished': {
      if (state.status === 'failed') {
        return {
          text: '$(error) Dream: failed',
          tooltip: `Dream run ${state.runId ?? ''} failed: ${state.failureReason ?? 'unknown reason'}. Click to open the report.`,
          background: 'error',
        };
      }
      const halt = state.haltReason ?? state.status;
      const icon = halt === 'cancelled' ? '$(debug-stop)' : '$(check)';
      return {
        text: `${icon} Dream: done · ${halt}`,
        tooltip: `Dream run ${state.runId ?? ''} finished (${halt}). Click to open the morning report.`,
        background: 'none',
      };
    }
  }
}

/** codicon id for a run */
const RUN_ICONS: Record<RunState, string> = {
  running: 'sync~spin',
  interrupted: 'debug-pause',
  done: 'pass',
  failed: 'error',
  unknown: 'question',
};
export function runIcon(state: RunState): string {
  return RUN_ICONS[state];
}

/** codicon id for an iteration status */
const ITERATION_ICONS: Record<IterationStatus, string> = {
  done: 'pass',
  degraded: 'warning',
  'halted-on-plateau': 'debug-step-over',
  'rolled-back-pre-commit': 'discard',
  'halted-on-regression-pre-commit': 'discard',
  'halted-on-regression-post-commit': 'warning',
  cancelled: 'debug-stop',
  failed: 'error',
};
export function iterationIcon(status: IterationStatus): string {
  return ITERATION_ICONS[status];
}

const CHANGE_ICONS: Record<ChangeKind, string> = {
  added: 'diff-added',
  modified: 'diff-modified',
  archived: 'archive',
  superseded: 'replace',
};
export function changeIcon(kind: ChangeKind): string {
  return CHANGE_ICONS[kind];
}

/** "Nov 23, 22:13" in local time, from a run id */
export function runLabel(date: Date | null, runId: string, locale?: string): string {
  if (!date) return runId;
  try {
    return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(
      date,
    );
  } catch {
    return date.toISOString().slice(0, 16).replace('T', ' ');
  }
}

export function runDescription(state: RunState, haltReason: string | null, iterations: number, live: boolean): string {
  const parts: string[] = [];
  if (state === 'running') parts.push(live ? 'running' : 'running (another process)');
  else if (state === 'interrupted') parts.push('interrupted — resumable');
  else if (state === 'failed') parts.push('failed');
  else if (state === 'done') parts.push(haltReason ?? 'done');
  else parts.push('unreadable');
  parts.push(`${iterations} iteration${iterations === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

export function iterationDescription(
  it: Pick<IterationRecord, 'status' | 'fitness_delta' | 'duration_ms' | 'committed' | 'changes'>,
  /** the iteration's number of changes when its record lists fewer (a slim summary) */
  count = it.changes.length,
): string {
  // an iteration that did not commit changed nothing: no delta, no change count (a cancelled one is not "+0.219, 0 changes")
  if (!compounded(it)) return `— · ${formatDuration(it.duration_ms)} · ${it.status} (not live)`;
  return `${signed(it.fitness_delta)} · ${formatDuration(it.duration_ms)} · ${it.status} · ${count} change${count === 1 ? '' : 's'}`;
}
