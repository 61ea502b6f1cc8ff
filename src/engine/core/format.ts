// How Dream prints durations and numbers, everywhere (summary.md, the CLI, the editor).

/** "250ms", "1.5s", "45s", "12m3s", "1h30m" ("—" when there is no duration) */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}

/** a running clock, coarse: "45s", "12m", "1h05m" */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}

/** a delta with its sign: "+0.012", "-0.500", "±0.000" ("n/a" when not a number) */
export function signed(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return 'n/a';
  const r = Number(x.toFixed(digits));
  return (r > 0 ? '+' : r < 0 ? '' : '±') + r.toFixed(digits);
}

/** a metric value in 0..1: "0.875" ("n/a" when it is missing) */
export function metricValue(x: number | null | undefined): string {
  return x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(3);
}
