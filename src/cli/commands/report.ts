// `dream report`: print the morning report of the latest run, or of the run folder / summary file given.
import fs from 'node:fs';
import path from 'node:path';
import { latestDir, loadReport, readSkippedNight, renderMarkdown, ReportError, skippedLine } from '../../engine';
import { shQuote } from '../../host/quote';
import { noPositionals } from '../args';
import { currentShell, localize } from '../localize';
import { COMMON_FLAGS, parseCommand, workspaceOf, type Command, type CommandContext } from '../command';

export const reportCommand: Command = {
  name: 'report',
  summary: 'print a morning report (Markdown, or --json)',
  usage: ['report [--from DIR|FILE] [--workspace DIR] [--json]'],
  flags: [
    {
      name: 'from',
      kind: 'string',
      value: 'DIR|FILE',
      help: 'a run folder or its summary.json, relative to the current folder (default: the latest run)',
    },
    ...COMMON_FLAGS,
  ],
  examples: ['dream report', 'dream report --json | jq .halt_reason', 'dream report --from .agents/overnight/runs/20261124-230000-ab12'],
  run: report,
};

function report({ argv, io, cwd, env }: CommandContext): number {
  const { values: v, positionals } = parseCommand(reportCommand, argv);
  noPositionals(positionals, 'report');
  let target: string;
  const workspace = workspaceOf(v, cwd);
  if (typeof v.from === 'string') {
    target = path.resolve(cwd, v.from);
    if (!fs.existsSync(target)) throw new ReportError(`--from ${JSON.stringify(v.from)}: no such folder or file (looked at ${target})`);
  } else target = latestDir(workspace);
  const r = loadReport(target);
  // a night the cheap gate skipped: its report is one line
  const skipped = typeof v.from === 'string' ? null : readSkippedNight(workspace, r.summary.finished_at ?? null);
  if (skipped) {
    if (v.json) io.out(JSON.stringify({ status: 'skipped', ...skipped }, null, 2));
    else
      io.out(`${skippedLine(skipped)} Last run's report: dream report --from ${shQuote(path.relative(cwd, r.summary.output_dir) || '.')}`);
    return 0;
  }
  if (v.json) io.out(JSON.stringify(r.summary, null, 2));
  else io.out(localize(renderMarkdown(r.summary, r.notes, { restores: r.restores, plain: true }), currentShell(env)));
  return 0;
}
