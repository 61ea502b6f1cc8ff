// The clock seam (DREAM_TEST_NOW): a test runs "the night after" a corpus snapshot by starting
// Dream's clock at a given instant; time then moves at the normal rate from there, so run ids and
// durations stay distinct and real.
import { DreamError } from './api';

export const TEST_NOW_ENV = 'DREAM_TEST_NOW';

/** a clock starting at `iso` (RFC 3339 or YYYY-MM-DD), or undefined when `iso` is empty */
export function clockFrom(iso: string | undefined, label = TEST_NOW_ENV): (() => Date) | undefined {
  if (iso === undefined || iso.trim() === '') return undefined;
  const v = iso.trim();
  const start = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(start)) throw new DreamError(`${label}="${iso}" is not a date (use YYYY-MM-DD or an RFC 3339 time)`, 'bad-settings');
  const t0 = Date.now();
  return () => new Date(start + (Date.now() - t0));
}

/** the clock from DREAM_TEST_NOW in an environment */
export function clockFromEnv(env: NodeJS.ProcessEnv): (() => Date) | undefined {
  return clockFrom(env[TEST_NOW_ENV]);
}
