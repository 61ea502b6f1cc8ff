// Fitness deltas and regression floors. Equal drop is not a regression (strict >).
import type { Regression } from '../core/schemas';

export const DEFAULT_REGRESSION_FLOOR = 0.05;

export interface DeltaResult {
  composite: number;
  perMetric: Record<string, number>;
  regressions: Regression[];
  regressed: boolean;
}

const EPS = 1e-12;

/**
 * §4: per-metric deltas and the composite over metrics defined (a number, not n/a) on both sides;
 * a metric missing or null on either side is neither improvement nor regression.
 */
export function fitnessDelta(
  prev: Record<string, number | null> | null,
  curr: Record<string, number | null>,
  floors: Record<string, number> = {},
  defaultFloor = DEFAULT_REGRESSION_FLOOR,
): DeltaResult {
  if (!prev) return { composite: 0, perMetric: {}, regressions: [], regressed: false };
  const keys = [...new Set([...Object.keys(prev), ...Object.keys(curr)])].sort();
  const perMetric: Record<string, number> = {};
  const regressions: Regression[] = [];
  let sum = 0;
  let defined = 0;
  for (const k of keys) {
    const p = prev[k];
    const c = curr[k];
    if (typeof p !== 'number' || typeof c !== 'number') continue;
    defined++;
    const d = round(c - p);
    perMetric[k] = d;
    sum += d;
    const floor = floors[k] !== undefined && floors[k]! > 0 ? floors[k]! : defaultFloor > 0 ? defaultFloor : DEFAULT_REGRESSION_FLOOR;
    const drop = -d;
    if (drop > floor + EPS) {
      regressions.push({ name: k, previous: p, current: c, drop: round(drop), floor });
    }
  }
  const composite = defined ? sum / defined : 0;
  return { composite, perMetric, regressions, regressed: regressions.length > 0 };
}

/** rounds away float noise so deltas are deterministic and printable */
export function round(x: number, places = 6): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
