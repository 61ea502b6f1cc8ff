// `dream start`: one bedtime run on the engine, progress on a terminal, the four answers at the end.
import path from 'node:path';
import {
  compounded,
  faultsFromEnv,
  clockFromEnv,
  formatDuration,
  signed,
  fourAnswers,
  iterationWords,
  latestDir,
  requireCorpus,
  runBedtime,
  scheduledGate,
  type DreamEvent,
} from '../../engine';
import { currentShell, localize } from '../localize';
import { bedtimeLanes } from '../../lanes';
import { noPositionals } from '../args';
import { cliSettings, COMMON_FLAGS, parseCommand, settingArgs, workspaceOf, type Command, type CommandContext } from '../command';
import { reportHint } from '../hints';

export const startCommand: Command = {
  name: 'start',
  aliases: ['run'],
  summary: 'run one bedtime loop over .agents/ and print the morning answers',
  usage: [
    'start [--goal G] [--max-iterations N] [--run-timeout D] [--warn-only=false] [--queue FILE]',
    '      [--runner R]... [--creative-lane] [--resume RUN] [--plateau-epsilon X] [--plateau-window K]',
    '      [--no-keep-awake] [--workspace DIR] [--json]',
  ],
  flags: [
    { name: 'goal', kind: 'string', value: 'G', help: 'what tonight is for; carried into the report' },
    { name: 'max-iterations', kind: 'whole', setting: 'maxIterations', help: 'stop after N iterations (0 = off)' },
    { name: 'run-timeout', kind: 'duration', setting: 'runTimeout', help: 'wall-clock budget, e.g. 8h, 90m, 1h30m' },
    { name: 'warn-only', kind: 'boolean', setting: 'warnOnly', help: 'commit a regression or plateau while the rescue budget lasts' },
    { name: 'queue', kind: 'string', value: 'FILE', setting: 'queueFile', help: "tonight's pinned priorities (markdown bullets)" },
    { name: 'runner', kind: 'list', value: 'R', setting: 'runners', help: 'Dream Council runner (codex, claude)' },
    { name: 'models', kind: 'list', value: 'R', help: 'old name of --runner' },
    { name: 'creative-lane', kind: 'boolean', setting: 'creativeLane', help: 'ask the council for a wildcard idea too' },
    { name: 'resume', kind: 'string', value: 'RUN', help: 'continue an interrupted run by its id' },
    { name: 'plateau-epsilon', kind: 'number', setting: 'plateauEpsilon', help: 'plateau: |composite delta| below X counts' },
    { name: 'plateau-window', kind: 'whole', value: 'K', setting: 'plateauWindow', help: 'plateau: K small deltas in a row halt' },
    { name: 'keep-awake', kind: 'boolean', setting: 'keepAwake', help: 'hold off sleep while running (--no-keep-awake: do not)' },
    { name: 'scheduled', kind: 'boolean', help: 'started by a scheduler: end at once when nothing changed since the last run' },
    { name: 'force', kind: 'boolean', help: 'with --scheduled: run even when nothing changed' },
    ...COMMON_FLAGS,
  ],
  examples: [
    'dream start',
    'dream start --max-iterations 3 --goal "tidy auth learnings"',
    'dream start --run-timeout 2h --warn-only=false --json > tonight.json',
    'dream start --resume 20261124T230000Z',
    'dream start --scheduled   # what generated schedules run: ends at once when nothing changed',
  ],
  run: start,
};

async function start({ argv, io, env, cwd }: CommandContext): Promise<number> {
  const { values: v, positionals } = parseCommand(startCommand, argv);
  noPositionals(positionals, 'start');
  const workspace = workspaceOf(v, cwd);
  const args = settingArgs(startCommand, v);
  const runners = [...((v.runner as string[]) ?? []), ...((v.models as string[]) ?? [])];
  if (runners.length) args.runners = [...new Set(runners)].sort();
  const settings = cliSettings(workspace, env, args);
  requireCorpus(workspace);
  const json = !!v.json;
  if (v.scheduled && !v.force) {
    const gate = scheduledGate(workspace);
    if (!gate.changed) {
      if (json) io.out(JSON.stringify({ status: 'skipped', ...gate.skipped }));
      else io.out(`Dream: ${gate.line} (dream start --force runs anyway)`);
      return 0;
    }
  }
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
      const d = compounded(it) ? `  fitness ${signed(it.fitness_delta)}` : '';
      io.err(`  ${iterationWords(it)}${d}  ${formatDuration(it.duration_ms)}  [${formatDuration(Date.now() - t0)} elapsed]`);
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
      now: clockFromEnv(env),
    });
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
  if (json) io.out(JSON.stringify(outcome.summary, null, 2));
  else {
    const a = fourAnswers(outcome.summary);
    const sh = currentShell(env);
    io.out(`Dream run ${outcome.runId}: ${outcome.status}`);
    io.out(`  What state did I wake up to?  ${localize(a.state, sh)}`);
    io.out(`  What ran?                     ${a.ran}`);
    io.out(`  What degraded or failed?      ${a.degraded}`);
    io.out(`  What should I do first?       ${localize(a.first, sh)}`);
    io.out(`Morning report: ${outcome.reportPath}`);
    io.out(`  (also ${path.join(latestDir(workspace), 'summary.md')}; show it with: ${localize(reportHint(workspace, cwd), sh)})`);
  }
  if (outcome.exitCode !== 0 && !json) io.err(`dream: run failed: ${outcome.summary.failure_reason ?? 'see the report'}`);
  return outcome.exitCode;
}
