// The in-editor scheduler's logic (pure; the clock and the run are injected, so tests drive it with
// a fake clock). While a window is open it starts the run at scheduleAt, once per night across
// windows and reloads: each window claims the night with an exclusive marker file in
// .agents/overnight/in-editor/ before starting (the run lock guards the rest). A time missed while
// the machine slept or no window was open still runs at the next open if the night is not over
// (the morning, MORNING_HOUR local, ends it).
import { CorpusWriter } from '../../engine';

export const MORNING_HOUR = 7;
/** re-check at least this often: timers drift across sleep and clock changes */
export const MAX_WAIT_MS = 10 * 60_000;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const pad = (n: number) => String(n).padStart(2, '0');
const dayKey = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** the latest scheduled time at or before `now`, the morning that ends its night, and the next one */
export function nightAt(nowMs: number, at: string): { key: string; start: number; end: number; next: number } {
  const [hh, mm] = at.split(':').map(Number) as [number, number];
  const now = new Date(nowMs);
  const s = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hh, mm, 0, 0);
  if (s.getTime() > nowMs) s.setDate(s.getDate() - 1);
  const e = new Date(s.getFullYear(), s.getMonth(), s.getDate(), MORNING_HOUR, 0, 0, 0);
  if (e.getTime() <= s.getTime()) e.setDate(e.getDate() + 1);
  const n = new Date(s.getFullYear(), s.getMonth(), s.getDate() + 1, hh, mm, 0, 0);
  return { key: dayKey(s), start: s.getTime(), end: e.getTime(), next: n.getTime() };
}

/** Claims the night for this window: true once per night and workspace, whatever the windows. */
export function claimNight(workspace: string, key: string, nowMs: number): boolean {
  try {
    new CorpusWriter(workspace).createExclusive(
      `overnight/in-editor/${key}.night`,
      JSON.stringify({ claimed_at: new Date(nowMs).toISOString(), pid: process.pid }),
    );
    return true;
  } catch {
    return false;
  }
}

export interface NightlyOptions {
  workspace: string;
  /** read each time: HH:MM, or '' for no schedule */
  scheduleAt: () => string;
  start: (night: string) => Promise<void> | void;
  clock?: Clock;
  log?: (line: string) => void;
  claim?: (workspace: string, key: string, nowMs: number) => boolean;
}

export class NightlyScheduler {
  private handle: unknown = null;
  private disposed = false;
  private readonly clock: Clock;
  constructor(private readonly o: NightlyOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /** checks now (a missed night still runs), then waits for the next time */
  begin(): void {
    this.tick();
  }

  tick(): void {
    if (this.disposed) return;
    if (this.handle) this.clock.clearTimeout(this.handle);
    this.handle = null;
    const at = this.o.scheduleAt();
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at)) return; // no schedule: nothing to wait for
    const now = this.clock.now();
    const night = nightAt(now, at);
    if (now < night.end && (this.o.claim ?? claimNight)(this.o.workspace, night.key, now)) {
      this.o.log?.(`in-editor schedule: starting the bedtime run of the night of ${night.key} (${at})`);
      void Promise.resolve()
        .then(() => this.o.start(night.key))
        .catch((e: unknown) => this.o.log?.(`in-editor schedule: the run did not start: ${e instanceof Error ? e.message : String(e)}`));
    }
    this.handle = this.clock.setTimeout(() => this.tick(), Math.max(1000, Math.min(MAX_WAIT_MS, night.next - now)));
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }
}
