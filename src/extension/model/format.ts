// Text of the status bar item and the tree items (no vscode import).
import { type IterationRecord } from '../../engine';
import type { RunState } from './runs';

export type ControllerState =
  | { kind: 'idle' }
  | { kind: 'starting'; startedAt: number }
  | { kind: 'running'; runId: string; iteration: number; stage: string | null; startedAt: number; stopping: boolean }
  | { kind: 'finished'; runId: string | null; status: string; haltReason: string | null; failureReason: string | null };

/** 45s, 12m, 1h05m */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}

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

export function signed(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return 'n/a';
  const r = Number(x.toFixed(digits));
  return (r > 0 ? '+' : r < 0 ? '' : '±') + r.toFixed(digits);
}

export function formatDurationMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatElapsed(ms);
}

/** codicon id for a run */
export function runIcon(state: RunState): string {
  switch (state) {
    case 'running':
      return 'sync~spin';
    case 'interrupted':
      return 'debug-pause';
    case 'done':
      return 'pass';
    case 'failed':
      return 'error';
    default:
      return 'question';
  }
}

/** codicon id and whether it reads as good/bad for an iteration status */
export function iterationIcon(status: IterationRecord['status'] | string): string {
  switch (status) {
    case 'done':
      return 'pass';
    case 'degraded':
      return 'warning';
    case 'halted-on-plateau':
      return 'debug-step-over';
    case 'rolled-back-pre-commit':
    case 'halted-on-regression-pre-commit':
      return 'discard';
    case 'halted-on-regression-post-commit':
      return 'warning';
    case 'cancelled':
      return 'debug-stop';
    case 'failed':
      return 'error';
    default:
      return 'circle-outline';
  }
}

export function changeIcon(kind: string): string {
  switch (kind) {
    case 'added':
      return 'diff-added';
    case 'modified':
      return 'diff-modified';
    case 'archived':
      return 'archive';
    case 'superseded':
      return 'replace';
    default:
      return 'file';
  }
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
): string {
  return `${signed(it.fitness_delta)} · ${formatDurationMs(it.duration_ms)} · ${it.status}${it.committed ? '' : ' (not live)'} · ${it.changes.length} change${it.changes.length === 1 ? '' : 's'}`;
}
