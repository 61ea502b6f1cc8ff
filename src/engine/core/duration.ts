// Durations as users write them: "8h", "90s", "1h30m", "250ms".
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) {
    throw new Error(`invalid duration "${text}": use a number with a unit, e.g. 8h, 90s, 1h30m`);
  }
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (total <= 0) throw new Error(`invalid duration "${text}": must be greater than zero`);
  return Math.round(total);
}
