// Argument parsing for the `dream` CLI (node:util parseArgs, with --flag=false support).
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** booleans written as --x=false / --x=true / --no-x become real booleans */
function normaliseBooleans(argv: string[], booleans: Set<string>): { argv: string[]; explicit: Map<string, boolean> } {
  const out: string[] = [];
  const explicit = new Map<string, boolean>();
  for (const a of argv) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(a);
    if (m && booleans.has(m[1]!) && m[2] !== undefined) {
      const v = m[2].toLowerCase();
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(v)) throw new UsageError(`--${m[1]} takes true or false (got "${m[2]}")`);
      explicit.set(m[1]!, ['true', '1', 'yes'].includes(v));
      continue;
    }
    if (m && m[1]!.startsWith('no-') && booleans.has(m[1]!.slice(3)) && m[2] === undefined) {
      explicit.set(m[1]!.slice(3), false);
      continue;
    }
    out.push(a);
  }
  return { argv: out, explicit };
}

export function parse(argv: string[], options: Record<string, OptSpec>): { values: Record<string, unknown>; positionals: string[] } {
  const booleans = new Set(
    Object.entries(options)
      .filter(([, o]) => o.type === 'boolean')
      .map(([k]) => k),
  );
  const { argv: rest, explicit } = normaliseBooleans(argv, booleans);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const values: Record<string, unknown> = { ...parsed.values };
  for (const [k, v] of explicit) values[k] = v;
  return { values, positionals: parsed.positionals };
}

export function intFlag(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number >= 0 (got "${String(v)}")`);
  return n;
}

export function numFlag(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${String(v)}")`);
  return n;
}
