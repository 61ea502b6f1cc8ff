// `dream restore <runId> [--change PATH]... [--force]`: put back one change, or a whole run, from the
// before-images the run kept (contract §5.7).
import { abs, faultsFromEnv, rel, requireCorpus, restoreRun } from '../../engine';
import { UsageError } from '../args';
import { COMMON_FLAGS, parseCommand, workspaceOf, type Command, type CommandContext } from '../command';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'put back one change (or, without --change, the whole run) from its before-image',
  usage: ['restore RUN [--change PATH]... [--force] [--workspace DIR] [--json]'],
  notes: [
    'RUN is a folder name in .agents/overnight/runs/, or archive-STAMP as printed by dream archive. A file changed since the run is refused unless --force.',
  ],
  flags: [
    { name: 'change', kind: 'strings', value: 'PATH', help: 'a file the run changed (absolute, or relative to .agents/)' },
    { name: 'force', kind: 'boolean', help: 'restore even a file that changed since the run' },
    ...COMMON_FLAGS,
  ],
  examples: ['dream restore 20261124T230000Z', 'dream restore 20261124T230000Z --change learnings/auth-retry.md'],
  run: restore,
};

function restore({ argv, io, env, cwd }: CommandContext): number {
  const { values: v, positionals } = parseCommand(restoreCommand, argv);
  const [runId, extra] = positionals;
  if (!runId)
    throw new UsageError('usage: dream restore RUN [--change PATH]... [--force] (RUN is a folder name in .agents/overnight/runs/)');
  if (extra) throw new UsageError(`unexpected argument "${extra}" (see: dream restore --help)`);
  const workspace = workspaceOf(v, cwd);
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
      io.out(`Recorded in ${abs(workspace, rel.restores(runId))}.`);
    }
  }
  return 0;
}
