// `dream setup`: look at this machine, then preview (default) or apply a schedule and settings.
// Preview writes nothing; --apply writes .agents/dream/config.yaml and the scheduler files; the OS
// registration runs only with --yes (contract §8).
import { requireCorpus, SCHEDULERS } from '../../engine';
import {
  applySetupPlan,
  buildSetupPlan,
  detectHostProfile,
  renderSetup,
  runRegistration,
  SetupError,
  type SetupPlan,
} from '../../lanes/setup';
import { noPositionals, UsageError } from '../args';
import { cliSettings, COMMON_FLAGS, parseCommand, workspaceOf, type Command, type CommandContext } from '../command';

export const setupCommand: Command = {
  name: 'setup',
  summary: 'look at this machine, then preview or apply a schedule and settings',
  usage: ['setup [--apply [--yes]] [--scheduler S] [--at HH:MM] [--runner R]... [--remove [--yes]] [--workspace DIR] [--json]'],
  notes: [
    'Without --apply nothing is written. --apply writes .agents/dream/config.yaml (your other keys and comments kept)',
    'and the scheduler files under .agents/dream/scheduler/, and prints the command that registers them;',
    'only --yes runs that command. --remove --yes takes the registration out and sets the scheduler to manual.',
  ],
  flags: [
    { name: 'apply', kind: 'boolean', help: 'write the config and the scheduler files' },
    {
      name: 'scheduler',
      kind: 'enum',
      choices: ['auto', ...SCHEDULERS],
      help: 'where the bedtime run comes from (auto: what fits this machine)',
    },
    { name: 'at', kind: 'time', help: 'bedtime, 24-hour local time' },
    { name: 'runner', kind: 'list', value: 'R', help: 'Dream Council runner to configure (codex, claude)' },
    { name: 'keep-awake', kind: 'boolean', help: 'keep the machine awake during runs (--no-keep-awake: do not)' },
    { name: 'yes', kind: 'boolean', help: 'also register with the OS (with --apply) or unregister (with --remove)' },
    { name: 'remove', kind: 'boolean', help: "undo this workspace's registration" },
    ...COMMON_FLAGS,
  ],
  examples: [
    'dream setup',
    'dream setup --apply --scheduler systemd --at 01:30',
    'dream setup --apply --scheduler cron --at 23:45 --yes',
    'dream setup --remove --yes',
  ],
  run: setup,
};

async function setup({ argv, io, env, cwd }: CommandContext): Promise<number> {
  const { values: v, positionals } = parseCommand(setupCommand, argv);
  noPositionals(positionals, 'setup');
  if (v.yes && !v.apply && !v.remove) throw new UsageError('--yes: registers what --apply writes (or confirms --remove); add --apply');
  if (v.apply && v.remove) throw new UsageError('--apply and --remove: use one of them');
  const workspace = workspaceOf(v, cwd);
  const settings = cliSettings(workspace, env, {});
  if (v.apply || v.remove) requireCorpus(workspace);
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  let plan: SetupPlan;
  try {
    const host = await detectHostProfile({
      env,
      signal: ac.signal,
      localCurator: settings.localCurator,
    });
    plan = buildSetupPlan({
      workspace,
      host,
      settings,
      choices: {
        scheduler: v.scheduler as string | undefined,
        at: v.at as string | undefined,
        runners: v.runner as string[] | undefined,
        keepAwake: v['keep-awake'] as boolean | undefined,
      },
      cli: cliProgram(),
      uid,
      remove: !!v.remove,
    });
  } catch (e) {
    if (e instanceof SetupError) throw new UsageError(e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSig);
  }
  const written = v.apply || (v.remove && v.yes) ? applySetupPlan(plan) : [];
  const results = v.yes ? await runRegistration(plan, v.remove ? 'remove' : 'register', { env }) : [];
  const status = v.remove ? (v.yes ? 'removed' : 'preview') : v.apply ? (v.yes ? 'registered' : 'applied') : 'preview';
  if (v.json) io.out(JSON.stringify({ ...plan, status, written, results }, null, 2));
  else io.out(renderSetup(plan, { status, written, results, remove: !!v.remove }));
  const failed = results.find((r) => !r.ok);
  if (failed) {
    io.err(`dream: ${failed.command} failed: ${failed.output}`);
    return 1;
  }
  return 0;
}

/** how a scheduler starts this CLI: the node binary and this script, both absolute */
function cliProgram(): string[] {
  return [process.execPath, require.main?.filename ?? process.argv[1]!];
}
