// `dream warn-only reset`: restore the warn-only rescue budget to the configured size (or --initial N).
import { requireCorpus, resetWarnOnlyBudget } from '../../engine';
import { noPositionals, UsageError } from '../args';
import { cliSettings, COMMON_FLAGS, parseCommand, settingArgs, workspaceOf, type Command, type CommandContext } from '../command';

export const warnOnlyCommand: Command = {
  name: 'warn-only',
  summary: 'reset the warn-only rescue budget',
  usage: ['warn-only reset [--initial N] [--workspace DIR] [--json]'],
  notes: ['Without --initial the budget is warnOnlyBudget (DREAM_WARN_ONLY_BUDGET, .agents/dream/config.yaml, default 3).'],
  flags: [{ name: 'initial', kind: 'whole', setting: 'warnOnlyBudget', help: 'rescues in the new budget (0 = none)' }, ...COMMON_FLAGS],
  examples: ['dream warn-only reset', 'dream warn-only reset --initial 5', 'dream warn-only reset --initial 0 --json'],
  run: warnOnly,
};

function warnOnly({ argv, io, env, cwd }: CommandContext): number {
  const { values: v, positionals } = parseCommand(warnOnlyCommand, argv, 'warn-only reset');
  const [sub, ...stray] = positionals;
  if (sub !== 'reset')
    throw new UsageError(
      sub === undefined ? 'dream warn-only: expected "reset"' : `dream warn-only: unknown subcommand "${sub}" (expected "reset")`,
    );
  noPositionals(stray, 'warn-only');
  const workspace = workspaceOf(v, cwd);
  const settings = cliSettings(workspace, env, settingArgs(warnOnlyCommand, v));
  requireCorpus(workspace);
  const b = resetWarnOnlyBudget(workspace, settings.warnOnlyBudget);
  if (v.json) io.out(JSON.stringify({ path: b.path, initial: b.initial_budget, remaining: b.remaining, last_reset_at: b.last_reset_at }));
  else io.out(`warn-only budget reset: remaining=${b.remaining} initial=${b.initial_budget} path=${b.path}`);
  return 0;
}
