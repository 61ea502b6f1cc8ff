// `dream setup` as data (contract §8): from the host profile and the user's choices, what apply
// would write (config keys, scheduler files) and which OS commands would register the schedule.
// Building a plan writes nothing; applying it writes only through the CorpusWriter.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { configPath, CorpusWriter, SCHEDULERS, type DreamSettings } from '../../engine';
import { mergeConfigText, type ConfigValues } from './configFile';
import type { HostProfile } from './hostProfile';
import { selectRunners } from './runners';
import { schedulePath, schedulePlan, type GeneratedFile, type OsCommand, type SchedulerMode } from './schedulers';

export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export interface SetupChoices {
  /** a mode, or 'auto' / undefined for the configured one, else the host's recommendation */
  scheduler?: string;
  at?: string;
  runners?: string[];
  keepAwake?: boolean;
}

export interface SetupPlan {
  schema_version: 1;
  mode: 'dream.setup';
  workspace: string;
  /** the workspace's id in scheduler names (dream-<id>) */
  id: string;
  config_path: string;
  host: HostProfile;
  config: ConfigValues;
  /** the whole config.yaml after apply */
  config_text: string;
  files: GeneratedFile[];
  register: OsCommand[];
  remove: OsCommand[];
  notes: string[];
  warnings: string[];
}

export function workspaceId(workspace: string): string {
  return crypto.createHash('sha256').update(path.resolve(workspace)).digest('hex').slice(0, 10);
}

export function buildSetupPlan(o: {
  workspace: string;
  host: HostProfile;
  settings: DreamSettings;
  choices: SetupChoices;
  /** the program and script that run the CLI, absolute (e.g. [node, .../dist/cli.js]) */
  cli: string[];
  uid?: number | null;
  /** undo: the removal commands of the configured scheduler; the config says manual */
  remove?: boolean;
}): SetupPlan {
  const workspace = path.resolve(o.workspace);
  const { host, settings, choices } = o;
  const warnings: string[] = [];
  const requested = o.remove ? 'manual' : choices.scheduler && choices.scheduler !== 'auto' ? choices.scheduler : undefined;
  if (requested && !(SCHEDULERS as readonly string[]).includes(requested))
    throw new SetupError(`--scheduler ${JSON.stringify(requested)}: expected one of auto, ${SCHEDULERS.join(', ')}`);
  const mode = (requested ??
    (settings.scheduler !== 'manual' ? settings.scheduler : host.schedulers.find((s) => s.recommended)?.mode) ??
    'manual') as SchedulerMode;
  const option = host.schedulers.find((s) => s.mode === mode);
  if (option && !option.available) {
    if (requested) throw new SetupError(`--scheduler ${JSON.stringify(requested)}: not available on this machine (${option.note})`);
    warnings.push(`the configured scheduler ${mode} is not available on this machine (${option.note})`);
  }
  if (choices.at !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(choices.at))
    throw new SetupError(`--at ${JSON.stringify(choices.at)}: expected HH:MM in 24-hour local time, such as 01:30`);
  const at = choices.at ?? settings.scheduleAt;
  const { runners, warnings: runnerWarnings } = selectRunners(choices.runners ?? [], settings.runners, host.runners);
  warnings.push(...runnerWarnings);
  let keepAwake = choices.keepAwake ?? settings.keepAwake;
  if (keepAwake && !host.keep_awake.supported) {
    warnings.push(`keep-awake is off: ${host.keep_awake.note}`);
    keepAwake = false;
  }
  if (host.has_battery && mode !== 'manual')
    warnings.push('this machine runs on a battery: a sleeping laptop does not run at bedtime; leave it plugged in and awake');
  const config: ConfigValues = o.remove ? { scheduler: 'manual' } : { scheduler: mode, scheduleAt: at, runners, keepAwake };
  const id = workspaceId(workspace);
  const agentsDir = path.join(workspace, '.agents');
  let files: GeneratedFile[] = [];
  let register: OsCommand[] = [];
  let remove: OsCommand[] = [];
  const notes: string[] = [];
  const command = [...o.cli, 'start', '--workspace', workspace, '--scheduled'];
  const found = host.runners.filter((r) => runners.includes(r.name) && r.path).map((r) => r.path!);
  const runPath = host.os === 'win32' ? undefined : schedulePath([o.cli[0]!, ...found], host.os);
  const p = schedulePlan(mode, { workspace, at: at || '00:00', id, command, path: runPath }, agentsDir, o.uid ?? null);
  remove = o.remove ? removalCommands(settings.scheduler, workspace, o.cli, o.uid ?? null) : p.remove;
  if (o.remove)
    notes.push(`undo: ${settings.scheduler === 'manual' ? 'no scheduler is configured' : `the ${settings.scheduler} registration`}`);
  else if (mode !== 'manual' && !at)
    warnings.push(`the scheduler ${mode} is saved, but no time was given: pass --at HH:MM to schedule a run`);
  else {
    ({ files, register } = p);
    notes.push(...p.notes);
  }
  const file = configPath(workspace);
  let current: string | null = null;
  try {
    current = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SetupError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let config_text: string;
  try {
    config_text = mergeConfigText(current, config);
  } catch (e) {
    throw new SetupError((e as Error).message);
  }
  return {
    schema_version: 1,
    mode: 'dream.setup',
    workspace,
    id,
    config_path: file,
    host,
    config,
    config_text,
    files,
    register,
    remove,
    notes,
    warnings,
  };
}

/** The commands that undo the registration of `mode` for this workspace. */
export function removalCommands(mode: SchedulerMode, workspace: string, cli: string[], uid: number | null): OsCommand[] {
  const ws = path.resolve(workspace);
  const command = [...cli, 'start', '--workspace', ws, '--scheduled'];
  return schedulePlan(mode, { workspace: ws, at: '00:00', id: workspaceId(ws), command }, path.join(ws, '.agents'), uid).remove;
}

/** Writes config.yaml and the scheduler files (atomic, through the write guard); returns the paths. */
export function applySetupPlan(plan: SetupPlan): string[] {
  const w = new CorpusWriter(plan.workspace);
  const written: string[] = [];
  w.write('dream/config.yaml', plan.config_text);
  written.push(plan.config_path);
  for (const f of plan.files) {
    w.write(f.rel, f.content);
    written.push(path.join(w.agentsDir, f.rel));
  }
  return written;
}
