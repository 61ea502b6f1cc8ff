// `dream`: the headless CLI on the same engine as the extension (for OS schedulers and terminals).
import path from 'node:path';
import {
  DreamError,
  formatDuration,
  faultsFromEnv,
  latestDir,
  ReportError,
  fourAnswers,
  loadReport,
  renderMarkdown,
  runBedtime,
  requireCorpus,
  SettingsError,
  readConfigFile,
  readEnv,
  resolveSettings,
  resetWarnOnlyBudget,
  restoreRun,
  WriteGuardError,
  type DreamEvent,
} from '../engine';
import { bedtimeLanes } from '../lanes';
import { UsageError, intFlag, numFlag, parse } from './args';

const HELP = `dream — a private overnight operator for your .agents/ knowledge corpus

Usage:
  dream start  [--goal G] [--max-iterations N] [--run-timeout D] [--warn-only=false]
               [--queue FILE] [--runner R]... [--creative-lane] [--resume RUN]
               [--plateau-epsilon X] [--plateau-window K] [--no-keep-awake] [--json]
  dream report [--from DIR|FILE] [--json]
  dream warn-only reset [--initial N] [--json]
  dream restore RUN [--change PATH]... [--force] [--json]
               put back one change (or, without --change, the whole run) from its before-image
  dream setup | dream curator ...   (lanes not available in this version)

Every command takes --workspace DIR (default: the current folder).
Settings: flags > DREAM_* environment > .agents/dream/config.yaml > defaults.
Exit code 0 on success; non-zero with a one-line reason on failure.`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

const COMMON = { workspace: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(HELP);
    return cmd ? 0 : 2;
  }
  try {
    switch (cmd) {
      case 'start':
      case 'run':
        return await start(rest, io, env);
      case 'report':
        return report(rest, io);
      case 'warn-only':
        return warnOnly(rest, io);
      case 'restore':
        return restore(rest, io, env);
      case 'setup':
      case 'curator':
        throw new UsageError(`"dream ${cmd}" is not available in this version of Dream yet; see the README for what is`);
      default:
        throw new UsageError(`unknown command "${cmd}" (try: dream start, dream report, dream restore, dream warn-only reset)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dream: ${e.message}`);
      return 2;
    }
    if (e instanceof DreamError || e instanceof SettingsError || e instanceof ReportError || e instanceof WriteGuardError) {
      io.err(`dream: ${e.message}`);
      return e instanceof DreamError && e.code === 'already-running' ? 3 : 1;
    }
    io.err(`dream: unexpected error: ${(e as Error).message}`);
    return 1;
  }
}

function workspaceOf(v: Record<string, unknown>): string {
  return path.resolve(typeof v.workspace === 'string' ? v.workspace : process.cwd());
}

async function start(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    ...COMMON,
    goal: { type: 'string' },
    runner: { type: 'string', multiple: true },
    models: { type: 'string', multiple: true },
    'creative-lane': { type: 'boolean' },
    queue: { type: 'string' },
    'max-iterations': { type: 'string' },
    'warn-only': { type: 'boolean' },
    'run-timeout': { type: 'string' },
    resume: { type: 'string' },
    'plateau-epsilon': { type: 'string' },
    'plateau-window': { type: 'string' },
    'keep-awake': { type: 'boolean' },
  });
  if (v.help) return (io.out(HELP), 0);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const workspace = workspaceOf(v);
  requireCorpus(workspace);
  const runners = [...((v.runner as string[]) ?? []), ...((v.models as string[]) ?? [])]
    .flatMap((r) => r.split(','))
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean);
  const args: Record<string, unknown> = {
    maxIterations: intFlag('max-iterations', v['max-iterations']),
    runTimeout: v['run-timeout'],
    warnOnly: v['warn-only'],
    queueFile: v.queue,
    creativeLane: v['creative-lane'],
    plateauEpsilon: numFlag('plateau-epsilon', v['plateau-epsilon']),
    plateauWindow: intFlag('plateau-window', v['plateau-window']),
    keepAwake: v['keep-awake'],
    runners: runners.length ? [...new Set(runners)].sort() : undefined,
  };
  for (const k of Object.keys(args)) if (args[k] === undefined) delete args[k];
  const settings = resolveSettings({ config: readConfigFile(workspace), user: readEnv(env), userLabel: 'DREAM_* environment', args });
  const json = !!v.json;
  const ac = new AbortController();
  let interrupts = 0;
  const onSig = () => {
    interrupts++;
    if (interrupts === 1) {
      if (!json)
        io.err('\ndream: stopping after rolling back the current iteration (Ctrl-C again to quit at once; the next start recovers)');
      ac.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const t0 = Date.now();
  let halted: string | null = null; // printed after the iteration that halted
  const progress = (e: DreamEvent) => {
    if (json || !io.isTTY) return;
    if (e.type === 'run-started') io.err(`dream: run ${e.runId} in ${e.workspace}${e.resumed ? ' (resumed)' : ''}`);
    else if (e.type === 'iteration-finished') {
      const it = e.iteration;
      const d = (it.fitness_delta >= 0 ? '+' : '') + it.fitness_delta.toFixed(3);
      io.err(
        `  iteration ${it.index}: ${it.status.padEnd(32)} Δ ${d}  ${String(it.changes.length).padStart(3)} change(s)  ${formatDuration(it.duration_ms)}  [${formatDuration(Date.now() - t0)} elapsed]`,
      );
    } else if (e.type === 'halted') halted = `  halted: ${e.reason} — ${e.detail}`;
    if ((e.type === 'iteration-finished' || e.type === 'run-finished') && halted) {
      io.err(halted);
      halted = null;
    }
  };
  let outcome;
  try {
    outcome = await runBedtime({
      workspace,
      settings,
      goal: typeof v.goal === 'string' ? v.goal : '',
      resume: typeof v.resume === 'string' ? v.resume : null,
      signal: ac.signal,
      lanes: bedtimeLanes(settings),
      onEvent: progress,
      faults: faultsFromEnv(env),
    });
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
  if (json) io.out(JSON.stringify(outcome.summary, null, 2));
  else {
    const a = fourAnswers(outcome.summary);
    io.out(`Dream run ${outcome.runId}: ${outcome.status}${outcome.summary.halt_reason ? ` (halt: ${outcome.summary.halt_reason})` : ''}`);
    io.out(`  State:    ${a.state}`);
    io.out(`  Ran:      ${a.ran}`);
    io.out(`  Degraded: ${a.degraded}`);
    io.out(`  First:    ${a.first}`);
    io.out(`Morning report: ${outcome.reportPath}`);
    io.out(
      `  (also ${path.join(latestDir(workspace), 'summary.md')}; show it with: dream report --workspace ${JSON.stringify(workspace)})`,
    );
  }
  if (outcome.exitCode !== 0 && !json) io.err(`dream: run failed: ${outcome.summary.failure_reason ?? 'see the report'}`);
  return outcome.exitCode;
}

function report(argv: string[], io: Io): number {
  const { values: v, positionals } = parse(argv, { ...COMMON, from: { type: 'string' } });
  if (v.help) return (io.out(HELP), 0);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const workspace = workspaceOf(v);
  const target = typeof v.from === 'string' ? path.resolve(workspace, v.from) : latestDir(workspace);
  const r = loadReport(target);
  if (v.json) io.out(JSON.stringify(r.summary, null, 2));
  else io.out(renderMarkdown(r.summary, r.notes));
  return 0;
}

function warnOnly(argv: string[], io: Io): number {
  const [sub, ...rest] = argv;
  if (sub !== 'reset') throw new UsageError('usage: dream warn-only reset [--initial N] [--json]');
  const { values: v } = parse(rest, { ...COMMON, initial: { type: 'string' } });
  const workspace = workspaceOf(v);
  requireCorpus(workspace);
  const b = resetWarnOnlyBudget(workspace, intFlag('initial', v.initial) ?? 0);
  if (v.json) io.out(JSON.stringify({ path: b.path, initial: b.initial_budget, remaining: b.remaining, last_reset_at: b.last_reset_at }));
  else io.out(`warn-only budget reset: remaining=${b.remaining} initial=${b.initial_budget} path=${b.path}`);
  return 0;
}

function restore(argv: string[], io: Io, env: NodeJS.ProcessEnv): number {
  const { values: v, positionals } = parse(argv, { ...COMMON, change: { type: 'string', multiple: true }, force: { type: 'boolean' } });
  if (v.help) return (io.out(HELP), 0);
  const [runId, extra] = positionals;
  if (!runId)
    throw new UsageError('usage: dream restore RUN [--change PATH]... [--force] (RUN is a folder name in .agents/overnight/runs/)');
  if (extra) throw new UsageError(`unexpected argument "${extra}"`);
  const workspace = workspaceOf(v);
  requireCorpus(workspace);
  const changes = (v.change as string[] | undefined) ?? [];
  const r = restoreRun({ workspace, runId, changes, force: !!v.force, faults: faultsFromEnv(env) });
  if (v.json) io.out(JSON.stringify({ run_id: r.runId, record: r.record, already_restored: r.alreadyRestored, recovery: r.recovery }));
  else {
    for (const line of r.recovery) io.err(`dream: ${line}`);
    if (!r.record)
      io.out(`Nothing to restore: ${changes.length ? 'the change is' : `every change of run ${runId} is`} already back as before the run.`);
    else {
      const what = changes.length ? `${r.record.paths.length} file(s)` : `the whole run (${r.record.paths.length} file(s))`;
      io.out(`Restored ${what} of run ${runId} to their state before the run:`);
      for (const p of r.record.paths)
        io.out(
          `  ${p.action === 'removed' ? 'removed (the run created it)' : 'restored'}  .agents/${p.path}${p.forced ? '  (forced: it had changed since the run)' : ''}`,
        );
      io.out(`Recorded in ${path.join(workspace, '.agents', 'overnight', 'runs', runId, 'restores.jsonl')}.`);
    }
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
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
