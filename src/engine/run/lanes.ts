// The lane contract: optional work a bedtime run does after the loop (the Dream Council, the local
// curator). Lanes live in src/lanes and are handed to runBedtime by the CLI and the worker; the
// engine never imports them. A lane reports steps and degraded lines into the summary and may fill
// its own summary section; it never changes the corpus except through the write guard, and it
// must honour the signal and the deadline.
import type { DreamSettings } from './settings';
import type { Step, Summary } from '../core/schemas';

export interface LaneContext {
  workspace: string;
  runId: string;
  settings: DreamSettings;
  /** the run's summary so far (the loop has finished); read-only for lanes */
  summary: Readonly<Summary>;
  /** false in an untrusted workspace: lanes that spawn processes or call models must not */
  trusted: boolean;
  signal?: AbortSignal;
  /** epoch ms after which the run's wall-clock budget is spent */
  deadline: number;
  now: () => Date;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
}

export interface LaneResult {
  steps: Step[];
  degraded: string[];
  /** fields of the summary this lane owns (e.g. `council`, `curator`) */
  summary?: Partial<Pick<Summary, 'council' | 'curator'>>;
}

export interface Lane {
  /** the step name in the summary */
  readonly name: string;
  run(ctx: LaneContext): Promise<LaneResult>;
  /** true when these settings turn the lane off: it will only record that it was skipped */
  off?(settings: DreamSettings): boolean;
}

/** Runs lanes one after another (never in parallel); a lane that throws is a failed step, not a failed run. */
export async function runLanes(lanes: readonly Lane[], ctx: LaneContext): Promise<LaneResult> {
  const out: LaneResult = { steps: [], degraded: [], summary: {} };
  for (const lane of lanes) {
    if (ctx.signal?.aborted) {
      out.steps.push({ name: lane.name, status: 'skipped', note: 'the run was stopped' });
      continue;
    }
    try {
      const r = await lane.run(ctx);
      out.steps.push(...r.steps);
      out.degraded.push(...r.degraded);
      Object.assign(out.summary!, r.summary ?? {});
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      out.steps.push({ name: lane.name, status: 'failed', note: msg });
      out.degraded.push(`${lane.name}: ${msg}`);
      ctx.log('error', `${lane.name} lane failed: ${msg}`);
    }
  }
  return out;
}
