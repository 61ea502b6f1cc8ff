// `dream archive PATH...`: archive learnings after a look (the command the morning report's
// proposals name, contract §4.2): each moves to .agents/learnings/.archive/, never deleted.
import { archiveLearnings, requireCorpus } from '../../engine';
import { UsageError } from '../args';
import { COMMON_FLAGS, parseCommand, workspaceOf, type Command, type CommandContext } from '../command';

export const archiveCommand: Command = {
  name: 'archive',
  summary: 'archive learnings after review (moves them to .agents/learnings/.archive/, never deletes)',
  usage: ['archive PATH... [--reason TEXT] [--workspace DIR] [--json]'],
  notes: ['PATH is a live learning: .agents/learnings/x.md (relative to the workspace), learnings/x.md, or absolute.'],
  flags: [
    {
      name: 'reason',
      kind: 'string',
      value: 'TEXT',
      help: "archived_reason to record (default: the morning proposal's reason, or: archived by hand after review)",
    },
    {
      name: 'superseded-by',
      kind: 'string',
      value: 'ID',
      help: 'the id of the note that replaces these (default: what the morning proposal named)',
    },
    ...COMMON_FLAGS,
  ],
  examples: [
    'dream archive .agents/learnings/2025-01-10-old-deploy-window.md',
    'dream archive learnings/a.md learnings/b.md --reason "superseded by the runbook"',
  ],
  run: archive,
};

function archive({ argv, io, cwd }: CommandContext): number {
  const { values: v, positionals } = parseCommand(archiveCommand, argv);
  if (!positionals.length) throw new UsageError('usage: dream archive PATH... (a learning under .agents/learnings/)');
  const workspace = workspaceOf(v, cwd);
  requireCorpus(workspace);
  const r = archiveLearnings({
    workspace,
    paths: positionals.map((p) => (p.startsWith('/') ? p : p.startsWith('.agents/') ? `${workspace}/${p}` : p)),
    ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
    ...(typeof v['superseded-by'] === 'string' ? { supersededBy: v['superseded-by'] } : {}),
  });
  const undo = `dream restore ${r.id}`;
  if (v.json) io.out(JSON.stringify({ id: r.id, moved: r.moved, notes: r.notes, undo }));
  else {
    for (const line of r.notes) io.err(`dream: ${line}`);
    for (const m of r.moved) io.out(`archived ${m.from} -> ${m.to}`);
    io.out(`To undo: ${undo}`);
  }
  return 0;
}
