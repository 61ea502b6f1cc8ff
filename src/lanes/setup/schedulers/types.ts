// What every scheduler format produces: files for .agents/dream/scheduler/ and the OS commands that
// register or remove them (argument arrays, never a shell line; shown before anything runs).
import { SCHEDULERS } from '../../../engine';
import { shQuote } from '../../../host/quote';

export type SchedulerMode = (typeof SCHEDULERS)[number];

export interface ScheduleInput {
  /** absolute workspace path */
  workspace: string;
  /** HH:MM, 24-hour local time */
  at: string;
  /** the program and arguments that start a scheduled run, all absolute */
  command: string[];
  /** short stable id of the workspace (dream-<id>) */
  id: string;
  /** PATH for the run: where setup found node and the runners, then a default (the scheduler's own is bare) */
  path?: string;
}

/** the run's PATH: the directories of node and the runners first, then a sane default; no duplicates */
export function schedulePath(programs: string[], platform: NodeJS.Platform = process.platform): string {
  const defaults =
    platform === 'darwin' ? ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin'] : ['/usr/local/bin', '/usr/bin', '/bin'];
  const dirs = programs.filter((p) => p.includes('/')).map((p) => p.slice(0, p.lastIndexOf('/')) || '/');
  return [...new Set([...dirs, ...defaults])].join(':');
}

export interface OsCommand {
  argv: string[];
  /** text piped to the command's stdin (crontab -) */
  stdin?: string;
  /** the command as the user would type it */
  display: string;
}

export interface GeneratedFile {
  /** relative to .agents/ */
  rel: string;
  content: string;
}

export interface SchedulePlan {
  mode: SchedulerMode;
  files: GeneratedFile[];
  /** run in order with --yes; crontab's is built from the current crontab at apply time */
  register: OsCommand[];
  remove: OsCommand[];
  notes: string[];
}

/** an OS command with its display form for a POSIX shell */
export function osCommand(argv: string[], stdin?: string): OsCommand {
  return { argv, stdin, display: argv.map(shQuote).join(' ') };
}
