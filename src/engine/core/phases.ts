// Where an iteration's time goes, phase by phase (the read of INGEST, its references, REDUCE's
// merges, MEASURE's self-test, ...): the iteration record keeps it (`phases`, milliseconds) and
// `npm run bench` prints it. A phase is the time since the previous mark; one clock read each.
let current: Map<string, number> | null = null;
let last = 0;

/** starts collecting (an iteration begins) */
export function startPhases(): void {
  current = new Map();
  last = performance.now();
}

/** the time since the previous mark is phase `name`'s (added up when a phase repeats) */
export function phase(name: string): void {
  if (!current) return;
  const t = performance.now();
  current.set(name, (current.get(name) ?? 0) + (t - last));
  last = t;
}

/** the phases so far, rounded to whole milliseconds, and stops collecting */
export function takePhases(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of current ?? []) out[k] = Math.round(v);
  current = null;
  return out;
}
