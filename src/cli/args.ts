// The CLI's one argument layer: flags declared once per command (used for parsing, validation and
// --help), values checked by kind and then by the engine's own settings schema, and one error type
// for every usage mistake (exit code 2, one line naming the flag or variable exactly as typed).
import { parseDuration, settingsSchema, type DreamSettings } from '../engine';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagKind = 'string' | 'strings' | 'boolean' | 'list' | 'whole' | 'number' | 'duration' | 'time' | 'enum';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  /** the placeholder shown in help (`--goal G`) */
  value?: string;
  /** the setting this flag overrides; its range is checked by the engine's schema */
  setting?: keyof DreamSettings;
  choices?: readonly string[];
  short?: string;
}

export type FlagValues = Record<string, unknown>;

const EXPECTED: Record<FlagKind, string> = {
  string: 'expected a value',
  strings: 'expected a value',
  boolean: 'expected true or false',
  list: 'expected a name or a comma-separated list',
  whole: 'expected a whole number',
  number: 'expected a number',
  duration: 'expected a duration such as 8h, 90s or 1h30m',
  time: 'expected HH:MM in 24-hour local time, such as 01:30',
  enum: 'expected one of',
};

/** `--max-iterations "-1"` or `DREAM_MAX_ITERATIONS="zz"`: how an error names what the user typed */
export function labelOf(source: string, raw: string): string {
  return `${source}=${JSON.stringify(raw)}`.replace(/^(--[^=]+)=/, '$1 ');
}

function fail(label: string, what: string): never {
  throw new UsageError(`${label}: ${what}`);
}

/** Converts one raw string to the flag's kind; throws a UsageError naming `label`. */
export function convert(kind: FlagKind, raw: string, label: string, choices?: readonly string[]): unknown {
  const t = raw.trim();
  switch (kind) {
    case 'string':
      if (t === '') fail(label, EXPECTED.string);
      return raw;
    case 'strings':
      if (t === '') fail(label, EXPECTED.strings);
      return [raw];
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(t)) return true;
      if (/^(0|false|no|off)$/i.test(t)) return false;
      return fail(label, EXPECTED.boolean);
    case 'list': {
      const items = t
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      return items;
    }
    case 'whole':
      if (/^-\d+$/.test(t)) fail(label, `${EXPECTED.whole}, 0 or more`);
      if (!/^\d+$/.test(t)) fail(label, EXPECTED.whole);
      return Number(t);
    case 'number':
      if (t === '' || !Number.isFinite(Number(t))) fail(label, EXPECTED.number);
      return Number(t);
    case 'duration':
      try {
        parseDuration(t);
      } catch {
        fail(label, EXPECTED.duration);
      }
      return t;
    case 'time':
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(t)) fail(label, EXPECTED.time);
      return t;
    case 'enum':
      if (!choices?.includes(t)) fail(label, `${EXPECTED.enum} ${choices?.join(', ')}`);
      return t;
  }
}

/** The engine's schema decides the range; the message keeps the user's words. */
export function checkSetting(key: keyof DreamSettings, value: unknown, label: string, kind: FlagKind): void {
  const r = settingsSchema.shape[key].safeParse(value);
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const base = kind === 'whole' ? 'expected a whole number' : kind === 'number' ? 'expected a number' : 'invalid value';
  if (issue.code === 'too_small')
    fail(label, `${base} ${issue.inclusive ? `of ${issue.minimum} or more` : `greater than ${issue.minimum}`}`);
  if (issue.code === 'too_big') fail(label, `${base} ${issue.inclusive ? `of at most ${issue.maximum}` : `below ${issue.maximum}`}`);
  fail(label, issue.message);
}

/**
 * Parses argv against the specs. Accepts `--flag value`, `--flag=value`, booleans as `--flag`,
 * `--flag=false` and `--no-flag`; `--` ends the flags. A value flag takes the next word whatever it
 * looks like (`--max-iterations -1` is a negative number, not a missing value). Repeated list flags
 * add up; other repeated flags keep the last value.
 */
export function parseFlags(argv: string[], specs: FlagSpec[], command: string): { values: FlagValues; positionals: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values: FlagValues = {};
  const positionals: string[] = [];
  const hint = ` (see: dream ${command} --help)`;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    let negated = false;
    let typed = a;
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (long) {
      typed = `--${long[1]}`;
      inline = long[2];
      spec = byName.get(long[1]!);
      if (!spec && long[1]!.startsWith('no-')) {
        const base = byName.get(long[1]!.slice(3));
        if (base?.kind === 'boolean') {
          if (inline !== undefined) fail(typed, 'takes no value');
          spec = base;
          negated = true;
        }
      }
      if (!spec) throw new UsageError(`unknown flag ${typed}${hint}`);
    } else if (/^-[A-Za-z]$/.test(a)) {
      spec = byShort.get(a.slice(1));
      if (!spec) throw new UsageError(`unknown flag ${a}${hint}`);
    } else {
      positionals.push(a);
      continue;
    }
    let value: unknown;
    if (spec.kind === 'boolean') {
      value = negated ? false : inline === undefined ? true : convert('boolean', inline, labelOf(typed, inline));
    } else {
      let raw = inline;
      if (raw === undefined) {
        if (i + 1 >= argv.length) fail(typed, `expected a value${spec.value ? ` (${typed} ${spec.value})` : ''}`);
        raw = argv[++i]!;
      }
      const label = labelOf(typed, raw);
      value = convert(spec.kind, raw, label, spec.choices);
      if (spec.setting) checkSetting(spec.setting, value, label, spec.kind);
    }
    if (spec.kind === 'list' || spec.kind === 'strings')
      values[spec.name] = [...((values[spec.name] as string[]) ?? []), ...(value as string[])];
    else values[spec.name] = value;
  }
  return { values, positionals };
}

/** Refuses stray words after a command that takes none. */
export function noPositionals(positionals: string[], command: string): void {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (see: dream ${command} --help)`);
}

/** The kind of every setting as the environment spells it (DREAM_<KEY>). */
export const SETTING_KINDS: Record<keyof DreamSettings, FlagKind | 'json'> = {
  reportRetention: 'whole',
  runTimeout: 'duration',
  maxIterations: 'whole',
  plateauEpsilon: 'number',
  plateauWindow: 'whole',
  regressionFloor: 'number',
  regressionFloors: 'json',
  warnOnly: 'boolean',
  warnOnlyBudget: 'whole',
  keepAwake: 'boolean',
  runners: 'list',
  creativeLane: 'boolean',
  councilRunnerTimeout: 'duration',
  councilModels: 'json',
  consensusPolicy: 'string',
  scheduler: 'string',
  scheduleAt: 'string',
  queueFile: 'string',
  staleDays: 'whole',
  dedupeThreshold: 'number',
  retention: 'string',
  maxRetirePerNight: 'string',
  localCurator: 'json',
};

export function envVarOf(key: string): string {
  return 'DREAM_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** DREAM_* variables → a settings layer; a bad value names the variable as set. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<DreamSettings> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTING_KINDS) as (keyof DreamSettings)[]) {
    const name = envVarOf(key);
    const raw = env[name];
    if (raw === undefined) continue;
    const kind = SETTING_KINDS[key];
    const label = labelOf(name, raw);
    let value: unknown;
    if (kind === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        fail(label, 'expected a JSON object');
      }
    } else value = kind === 'string' ? raw : convert(kind, raw, label);
    const r = settingsSchema.shape[key].safeParse(value);
    if (!r.success) {
      if (kind === 'string' || kind === 'json') fail(label, r.error.issues[0]!.message);
      checkSetting(key, value, label, kind);
    }
    out[key] = value;
  }
  return out as Partial<DreamSettings>;
}
