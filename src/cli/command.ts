// What every `dream` command is: its flags (parsing, validation and --help from one list), its
// examples and its run function. Shared flags and the settings layers of the CLI live here too.
import path from 'node:path';
import { loadSettings, type DreamSettings } from '../engine';
import { parseFlags, settingsFromEnv, type FlagSpec, type FlagValues } from './args';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

export interface CommandContext {
  argv: string[];
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /** usage lines after `dream ` */
  usage: string[];
  flags: FlagSpec[];
  examples: string[];
  /** extra help text (subcommands, notes) */
  notes?: string[];
  run(ctx: CommandContext): Promise<number> | number;
}

export const WORKSPACE_FLAG: FlagSpec = {
  name: 'workspace',
  kind: 'string',
  value: 'DIR',
  help: 'the repository holding .agents/ (default: the current folder)',
};
export const JSON_FLAG: FlagSpec = { name: 'json', kind: 'boolean', help: 'print JSON only' };
export const HELP_FLAG: FlagSpec = { name: 'help', kind: 'boolean', short: 'h', help: 'show this help' };
export const COMMON_FLAGS = [WORKSPACE_FLAG, JSON_FLAG, HELP_FLAG];

export function parseCommand(cmd: Command, argv: string[], label = cmd.name) {
  return parseFlags(argv, cmd.flags, label);
}

export function workspaceOf(v: FlagValues, cwd: string): string {
  return path.resolve(cwd, typeof v.workspace === 'string' ? v.workspace : '.');
}

/** flags > DREAM_* environment > .agents/dream/config.yaml > defaults (values already checked by the flag layer) */
export function cliSettings(workspace: string, env: NodeJS.ProcessEnv, args: Partial<DreamSettings>): DreamSettings {
  const clean = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  return loadSettings(workspace, { user: settingsFromEnv(env), userLabel: 'DREAM_* environment', args: clean }).settings;
}

/** Flag values of the flags that map to a setting, keyed by the setting. */
export function settingArgs(cmd: Command, v: FlagValues): Partial<DreamSettings> {
  const out: Record<string, unknown> = {};
  for (const f of cmd.flags) if (f.setting && v[f.name] !== undefined) out[f.setting] = v[f.name];
  return out as Partial<DreamSettings>;
}

export function renderHelp(cmd: Command): string {
  const lines = [`dream ${cmd.name} — ${cmd.summary}`, '', 'Usage:', ...cmd.usage.map((u) => `  dream ${u}`)];
  if (cmd.notes?.length) lines.push('', ...cmd.notes);
  if (cmd.flags.length) {
    lines.push('', 'Flags:');
    const cells = cmd.flags.map((f) => {
      const name = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.kind === 'boolean' ? '' : ` ${f.value ?? valueOf(f)}`}`;
      return [name, f.help + (f.kind === 'list' ? ' (repeatable, or a comma list)' : f.kind === 'strings' ? ' (repeatable)' : '')] as const;
    });
    const w = Math.max(...cells.map(([n]) => n.length));
    for (const [n, h] of cells) lines.push(`  ${n.padEnd(w)}  ${h}`);
  }
  if (cmd.examples.length) lines.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

function valueOf(f: FlagSpec): string {
  switch (f.kind) {
    case 'whole':
      return 'N';
    case 'number':
      return 'X';
    case 'duration':
      return 'D';
    case 'time':
      return 'HH:MM';
    case 'enum':
      return f.choices?.join('|') ?? 'V';
    default:
      return 'V';
  }
}
