// `dream`: the headless CLI on the same engine as the extension (for OS schedulers and terminals).
// One file per command in ./commands; the flag layer in ./args. Exit codes: 0 ok, 1 failed or bad
// input (one line), 2 usage error (one line naming the flag or variable as typed), 3 already running.
import { DreamError, ReportError, SettingsError, WriteGuardError } from '../engine';
import { UsageError } from './args';
import { renderHelp, type Command, type Io } from './command';
import { archiveCommand } from './commands/archive';
import { curatorCommand } from './commands/curator';
import { reportCommand } from './commands/report';
import { restoreCommand } from './commands/restore';
import { setupCommand } from './commands/setup';
import { startCommand } from './commands/start';
import { warnOnlyCommand } from './commands/warnOnly';
import { VERSION } from './version';

export const COMMANDS: Command[] = [
  startCommand,
  reportCommand,
  setupCommand,
  warnOnlyCommand,
  curatorCommand,
  restoreCommand,
  archiveCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

export function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'dream — a private overnight operator for your .agents/ knowledge corpus',
    '',
    'Usage: dream <command> [flags]      dream <command> --help      dream --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Every command takes --workspace DIR (default: the current folder).',
    'Settings: flags > DREAM_* environment > .agents/dream/config.yaml > defaults.',
    'Exit codes: 0 ok, 1 failed or bad input, 2 usage error, 3 another run is in progress.',
  ].join('\n');
}

/** true when argv asks for help before any `--` */
function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') return (io.out(`dream ${VERSION}`), 0);
  if (name === undefined) return (io.err(overview()), 2);
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
    io.out(topic ? renderHelp(topic) : overview());
    return 0;
  }
  try {
    const cmd = findCommand(name);
    if (!cmd) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see: dream --help)`);
    if (wantsHelp(rest)) return (io.out(renderHelp(cmd)), 0);
    return await cmd.run({ argv: rest, io, env, cwd });
  } catch (e) {
    return reportError(e, io);
  }
}

/** the one exit-code rule */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return 2;
  if (e instanceof DreamError && e.code === 'already-running') return 3;
  return 1;
}

function reportError(e: unknown, io: Io): number {
  const known =
    e instanceof UsageError ||
    e instanceof DreamError ||
    e instanceof SettingsError ||
    e instanceof ReportError ||
    e instanceof WriteGuardError;
  const msg = e instanceof Error ? e.message : String(e);
  io.err(known ? `dream: ${msg}` : `dream: unexpected error: ${msg.split('\n')[0]}`);
  return exitCodeOf(e);
}

/** Output into a closed pipe (`dream report | head`) ends the process quietly. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** The process entry: real stdout/stderr, the exit code, EPIPE quiet. */
export function cliEntry(): void {
  quietOnEpipe(process.stdout);
  quietOnEpipe(process.stderr);
  main(process.argv.slice(2), {
    out: (s) => void process.stdout.write(s + '\n'),
    err: (s) => void process.stderr.write(s + '\n'),
    isTTY: !!process.stderr.isTTY,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`dream: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) cliEntry();
