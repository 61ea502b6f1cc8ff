// Where Dream keeps things, relative to <workspace>/.agents/ (use with CorpusWriter) and absolute.
import path from 'node:path';

export const OVERNIGHT = 'overnight';
export const rel = {
  lock: 'overnight/run.lock',
  warnOnly: 'overnight/warn-only-budget.json',
  runs: 'overnight/runs',
  latest: 'overnight/latest',
  staging: (iterId: string) => `overnight/staging/${iterId}`,
  marker: (iterId: string) => `overnight/COMMIT-MARKER.${iterId}`,
  run: (runId: string) => `overnight/runs/${runId}`,
  iterations: (runId: string) => `overnight/runs/${runId}/iterations`,
  iteration: (runId: string, n: number) => `overnight/runs/${runId}/iterations/iter-${n}.json`,
  before: (runId: string, n: number) => `overnight/runs/${runId}/before/iter-${n}`,
  summaryJson: (runId: string) => `overnight/runs/${runId}/summary.json`,
  summaryMd: (runId: string) => `overnight/runs/${runId}/summary.md`,
  runLog: (runId: string) => `overnight/runs/${runId}/run.log`,
  /** one line per restore of this run's changes (§5.7) */
  restores: (runId: string) => `overnight/runs/${runId}/restores.jsonl`,
  restoreBefore: (runId: string, n: number) => `overnight/runs/${runId}/restores/restore-${n}/before`,
  nextWork: 'rpi/next-work.jsonl',
  index: 'index.jsonl',
  archive: 'learnings/.archive',
};

export function agentsDir(workspace: string): string {
  return path.join(path.resolve(workspace), '.agents');
}
export function abs(workspace: string, relPath: string): string {
  return path.join(agentsDir(workspace), ...relPath.split('/'));
}
export function latestDir(workspace: string): string {
  return abs(workspace, rel.latest);
}

/** `p` (relative to `root`, or absolute) resolved inside `root`, or null when it points outside */
export function containedPath(root: string, p: string): string | null {
  if (!p) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, p);
  return full === base || full.startsWith(base + path.sep) ? full : null;
}
