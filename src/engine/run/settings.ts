// Dream settings: one zod schema, four sources. Precedence (highest first):
// explicit arguments (CLI flags / command arguments) > VS Code user settings or DREAM_* environment >
// .agents/dream/config.yaml (`dream:` block) > defaults. A bad value is an error naming the key.
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { errorMessage } from '../core/errors';
import { parseDuration } from '../core/duration';
import { METRIC_NAMES } from '../core/schemas';
import { readRegularFile } from '../core/fsutil';

const duration = z.string().refine((v) => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, 'must be a duration such as 8h, 90s or 1h30m');

export const SCHEDULERS = ['in-editor', 'systemd', 'cron', 'launchd', 'task-scheduler', 'manual'] as const;
export const JOB_KINDS = ['ingest-session', 'lint-wiki', 'dream-seed'] as const;

export const settingsSchema = z
  .object({
    reportRetention: z.number().int().min(1).max(1000).default(30),
    runTimeout: duration.default('8h'),
    maxIterations: z.number().int().min(0).default(0),
    plateauEpsilon: z.number().positive().max(1).default(0.01),
    plateauWindow: z.number().int().min(2).max(50).default(2),
    regressionFloor: z.number().positive().max(1).default(0.05),
    regressionFloors: z.partialRecord(z.enum(METRIC_NAMES), z.number().positive().max(1)).default({}),
    warnOnly: z.boolean().default(true),
    warnOnlyBudget: z.number().int().min(0).max(100).default(3),
    keepAwake: z.boolean().default(true),
    runners: z.array(z.string().min(1)).default([]),
    creativeLane: z.boolean().default(false),
    councilRunnerTimeout: duration.default('90s'),
    /** the council's --model per runner (empty = the runner's own default) */
    councilModels: z
      .object({ codex: z.string().min(1).optional(), claude: z.string().min(1).optional() })
      .strict()
      .default({}),
    consensusPolicy: z.enum(['majority']).default('majority'),
    scheduler: z.enum(SCHEDULERS).default('manual'),
    scheduleAt: z
      .string()
      .regex(/^$|^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM in 24-hour local time, or empty')
      .default(''),
    queueFile: z.string().min(1).default('.agents/dream/tonight.md'),
    staleDays: z.number().int().min(1).max(36500).default(30),
    dedupeThreshold: z.number().min(0.5).max(1).default(0.8),
    /** §4.2: `evidence` retires only with evidence; `age` restores upstream's age-based archiving (still capped) */
    retention: z.enum(['evidence', 'age']).default('evidence'),
    /** §4.2: at most this many live learnings retired per night: a percentage of the live ones (`10%`) or a count */
    maxRetirePerNight: z
      .union([z.number().int().min(0), z.string().regex(/^(\d{1,3}(\.\d+)?%|\d+)$/, 'must be a percentage such as 10% or a count')])
      .default('10%'),
    localCurator: z
      .object({
        enabled: z.boolean().default(false),
        ollamaUrl: z.string().default(''),
        model: z.string().default('gemma4:e4b'),
        hourlyCap: z.number().int().min(0).default(20),
        allowedJobKinds: z.array(z.enum(JOB_KINDS)).default([...JOB_KINDS]),
      })
      .strict()
      .default({ enabled: false, ollamaUrl: '', model: 'gemma4:e4b', hourlyCap: 20, allowedJobKinds: [...JOB_KINDS] }),
  })
  .strict();

export type DreamSettings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export const SETTING_KEYS = Object.keys(settingsSchema.shape) as (keyof DreamSettings)[];

/** snake_case and camelCase both accepted in config.yaml */
function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function normaliseKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const ck = camel(k);
    if (ck === 'localCurator' && v && typeof v === 'object' && !Array.isArray(v)) {
      out[ck] = normaliseKeys(v as Record<string, unknown>);
    } else out[ck] = v;
  }
  return out;
}

export function configPath(workspace: string): string {
  return path.join(workspace, '.agents', 'dream', 'config.yaml');
}

/** Reads `.agents/dream/config.yaml`; a missing file is no settings, a broken one is an error. */
export function readConfigFile(workspace: string): Record<string, unknown> {
  const file = configPath(workspace);
  let text: string;
  try {
    const bytes = readRegularFile(file, 1024 * 1024);
    if (!bytes) return {};
    text = bytes.toString('utf8');
  } catch (e) {
    throw new SettingsError(`cannot read ${file}: ${errorMessage(e)}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new SettingsError(`${file} is not valid YAML: ${errorMessage(e).split('\n')[0]}`);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new SettingsError(`${file}: expected a "dream:" block`);
  const block = (doc as Record<string, unknown>).dream;
  if (block == null) return {};
  if (typeof block !== 'object' || Array.isArray(block)) throw new SettingsError(`${file}: "dream" must be a mapping`);
  return normaliseKeys(block as Record<string, unknown>);
}

const ENV_PREFIX = 'DREAM_';
function envName(key: string): string {
  return ENV_PREFIX + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** the environment variable of a setting: maxIterations -> DREAM_MAX_ITERATIONS */
export function envVarFor(key: string): string {
  return envName(key);
}

function coerceEnv(key: keyof DreamSettings, raw: string): unknown {
  const probe = settingsSchema.shape[key].safeParse(undefined);
  const sample = probe.success ? probe.data : undefined;
  if (typeof sample === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return raw;
  }
  if (typeof sample === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (Array.isArray(sample))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (sample && typeof sample === 'object') {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** DREAM_RUN_TIMEOUT=2h, DREAM_MAX_ITERATIONS=3, DREAM_WARN_ONLY=false, DREAM_RUNNERS=codex,claude ... */
export function readEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const raw = env[envName(key)];
    if (raw !== undefined) out[key] = coerceEnv(key, raw);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const key = issue.path.length ? `dream.${issue.path.join('.')}` : 'dream';
  if (issue.code === 'unrecognized_keys')
    return `${source}: unknown setting ${issue.keys.map((k) => `dream.${[...issue.path, k].join('.')}`).join(', ')}`;
  return `${source}: ${key} ${issue.message}`;
}

export interface SettingsLayers {
  /** lowest: .agents/dream/config.yaml */
  config?: Record<string, unknown>;
  /** DREAM_* environment (CLI) or VS Code user settings (extension) */
  user?: Record<string, unknown>;
  userLabel?: string;
  /** highest: flags / command arguments */
  args?: Record<string, unknown>;
}

/** Validates each layer on its own (so the error names where the bad value came from), then merges. */
export function resolveSettings(layers: SettingsLayers): DreamSettings {
  const partial = settingsSchema.partial();
  const checked: Record<string, unknown>[] = [];
  const named: [Record<string, unknown> | undefined, string][] = [
    [layers.config, '.agents/dream/config.yaml'],
    [layers.user, layers.userLabel ?? 'environment'],
    [layers.args, 'arguments'],
  ];
  for (const [layer, label] of named) {
    if (!layer) continue;
    const r = partial.safeParse(layer);
    if (!r.success) throw new SettingsError(r.error.issues.map((i) => describeIssue(i, label)).join('; '));
    checked.push(layer);
  }
  const merged: Record<string, unknown> = {};
  for (const layer of checked) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (k === 'localCurator' && typeof v === 'object' && v) {
        merged[k] = { ...((merged[k] as object) ?? {}), ...(v as object) };
      } else merged[k] = v;
    }
  }
  const r = settingsSchema.safeParse(merged);
  if (!r.success) throw new SettingsError(r.error.issues.map((i) => describeIssue(i, 'settings')).join('; '));
  return r.data;
}

/** §4.2: the night's retire cap for `live` learnings: a percentage (at least 1) or a count */
export function retireCap(setting: DreamSettings['maxRetirePerNight'], live: number): number {
  if (typeof setting === 'number') return setting;
  if (setting.endsWith('%')) return Math.max(1, Math.floor((live * Number(setting.slice(0, -1))) / 100));
  return Number(setting);
}

/** The settings of a workspace, the one way the CLI, the worker and the editor load them:
 * `args` (flags, command arguments) > `user` (DREAM_* environment or VS Code settings) >
 * .agents/dream/config.yaml > defaults. Also returns the config layer it read. */
export function loadSettings(
  workspace: string,
  layers: { user?: Record<string, unknown>; userLabel: string; args?: Record<string, unknown> },
): { settings: DreamSettings; config: Record<string, unknown> } {
  const config = readConfigFile(workspace);
  return { settings: resolveSettings({ config, ...layers }), config };
}

export function defaultSettings(): DreamSettings {
  return settingsSchema.parse({});
}
