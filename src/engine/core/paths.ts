// Where Dream keeps things, relative to <workspace>/.agents/ (use with CorpusWriter) and absolute.
import path from 'node:path';

export const OVERNIGHT = 'overnight';
/** a run's folder; a hand archive (`archive-<stamp>`, §5.7) keeps the same layout under overnight/archives/<stamp> */
export function runDir(runId: string): string {
  const m = /^archive-(\d{8}T\d{6}Z)$/.exec(runId);
  return m ? `overnight/archives/${m[1]}` : `overnight/runs/${runId}`;
}

export const rel = {
  lock: 'overnight/run.lock',
  warnOnly: 'overnight/warn-only-budget.json',
  runs: 'overnight/runs',
  latest: 'overnight/latest',
  staging: (iterId: string) => `overnight/staging/${iterId}`,
  marker: (iterId: string) => `overnight/COMMIT-MARKER.${iterId}`,
  run: runDir,
  iterations: (runId: string) => `${runDir(runId)}/iterations`,
  iteration: (runId: string, n: number) => `${runDir(runId)}/iterations/iter-${n}.json`,
  before: (runId: string, n: number) => `${runDir(runId)}/before/iter-${n}`,
  summaryJson: (runId: string) => `${runDir(runId)}/summary.json`,
  summaryMd: (runId: string) => `${runDir(runId)}/summary.md`,
  runLog: (runId: string) => `${runDir(runId)}/run.log`,
  /** one line per restore of this run's changes (§5.7) */
  restores: (runId: string) => `${runDir(runId)}/restores.jsonl`,
  restoreBefore: (runId: string, n: number) => `${runDir(runId)}/restores/restore-${n}/before`,
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
