// Listing runs: the runs → iterations → changes model, read from the run folders on disk
// (.agents/overnight/runs/<runId>/{summary.json, iterations/iter-N.json}). Only asynchronous reads,
// so the editor's tree can use it on the extension host; the CLI and tests use it as well.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive, readLock } from '../commit/lock';
import { abs, containedPath, rel } from '../core/paths';
import { isRunId } from '../core/runId';
import { errorMessage, isNotFound } from '../core/errors';
import { iterationSchema, type Change, type IterationRecord, type Summary } from '../core/schemas';
import type { RunState } from '../core/status';
import { parseSummaryText, type ReadSummary } from './summaryRead';

export interface RunEntry {
  runId: string;
  dir: string;
  summaryPath: string;
  /** the summary; with a slim source (SummarySource), each iteration lists at most SLIM_CHANGES changes */
  summary: Summary | null;
  /** each iteration's number of changes where `summary` lists fewer (a slim read) */
  changesTotal: Record<number, number>;
  notes: string[];
  /** why the summary could not be read at all */
  error: string | null;
  state: RunState;
  mtimeMs: number;
}

export interface LockOwner {
  runId: string;
  pid: number;
  alive: boolean;
  sameHost: boolean;
}

export function readLockOwner(workspace: string): LockOwner | null {
  const info = readLock(abs(workspace, rel.lock));
  if (!info) return null;
  const sameHost = !info.host || info.host === os.hostname();
  return { runId: info.runId, pid: info.pid, alive: sameHost ? processAlive(info.pid) : true, sameHost };
}

export function runStateOf(summary: Summary | null, runId: string, lock: LockOwner | null): RunState {
  if (!summary) return 'unknown';
  if (summary.status === 'failed') return 'failed';
  if (summary.status === 'running') return lock && lock.runId === runId && lock.alive ? 'running' : 'interrupted';
  if (summary.status === 'done') return 'done';
  return 'unknown';
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  read: SlimSummary | null;
  error: string | null;
}

/** changes per iteration a slim summary keeps (the report shows 500 at most; the tree asks for the rest) */
export const SLIM_CHANGES = 500;

/** a read summary whose iterations may list only their first SLIM_CHANGES changes */
export interface SlimSummary extends ReadSummary {
  /** iteration index -> its number of changes, for iterations listed short */
  changesTotal: Record<number, number>;
}

/**
 * Where summaries and change lists are parsed. The default parses in this thread; the editor
 * passes one that parses in a worker thread (a summary of 10k changes is megabytes of JSON: parsing
 * it on the extension host would stall the editor).
 */
export interface SummarySource {
  /** the summary, its iterations' change lists cut to SLIM_CHANGES */
  summary(file: string): Promise<SlimSummary>;
  /** every change of one iteration of a run */
  changes(workspace: string, runId: string, index: number): Promise<Change[]>;
}

/** a summary cut to SLIM_CHANGES changes per iteration, with the totals */
export function slimSummary(read: ReadSummary): SlimSummary {
  const changesTotal: Record<number, number> = {};
  let cut = false;
  const iterations = read.summary.iterations.map((it) => {
    if (it.changes.length <= SLIM_CHANGES) return it;
    cut = true;
    changesTotal[it.index] = it.changes.length;
    return { ...it, changes: it.changes.slice(0, SLIM_CHANGES) };
  });
  return { summary: cut ? { ...read.summary, iterations } : read.summary, notes: read.notes, changesTotal };
}

/** every change of iteration `index` of a run: iterations/iter-N.json, else the summary's list */
export async function readIterationChanges(workspace: string, runId: string, index: number): Promise<Change[]> {
  try {
    const raw = await fs.promises.readFile(abs(workspace, rel.iteration(runId, index)), 'utf8');
    const r = iterationSchema.safeParse(JSON.parse(raw));
    if (r.success && r.data.index === index) return r.data.changes;
  } catch {
    /* the summary has them */
  }
  const text = await fs.promises.readFile(abs(workspace, rel.summaryJson(runId)), 'utf8');
  return parseSummaryText(text, rel.summaryJson(runId)).summary.iterations.find((it) => it.index === index)?.changes ?? [];
}

/** parses in this thread (the CLI, tests) */
export const summariesHere: SummarySource = {
  async summary(file) {
    return slimSummary(parseSummaryText(await fs.promises.readFile(file, 'utf8'), file));
  },
  changes: readIterationChanges,
};

/** how many changes an iteration of this run made (the slim summary may list fewer) */
export function changeCount(run: Pick<RunEntry, 'changesTotal'>, it: Pick<IterationRecord, 'index' | 'changes'>): number {
  return run.changesTotal[it.index] ?? it.changes.length;
}

/** Reads run summaries, re-parsing a file only when its mtime or size changed. */
export class RunsReader {
  private cache = new Map<string, CacheEntry>();

  constructor(
    readonly workspace: string,
    private readonly source: SummarySource = summariesHere,
  ) {}

  async listRunIds(): Promise<string[]> {
    try {
      const names = await fs.promises.readdir(abs(this.workspace, rel.runs));
      return names.filter(isRunId).sort().reverse();
    } catch (e) {
      if (isNotFound(e)) return []; // no run yet
      throw new Error(`cannot list the runs in .agents/${rel.runs}: ${errorMessage(e)}`);
    }
  }

  /** All runs (or the `limit` newest), newest first. */
  async listRuns(limit = Infinity): Promise<RunEntry[]> {
    const ids = (await this.listRunIds()).slice(0, limit);
    const lock = readLockOwner(this.workspace);
    const out = await Promise.all(ids.map((id) => this.readRun(id, lock)));
    const keep = new Set(ids);
    for (const k of [...this.cache.keys()]) if (!keep.has(k)) this.cache.delete(k);
    return out;
  }

  async readRun(runId: string, lock: LockOwner | null = readLockOwner(this.workspace)): Promise<RunEntry> {
    const dir = abs(this.workspace, rel.run(runId));
    const summaryPath = abs(this.workspace, rel.summaryJson(runId));
    let st: fs.Stats | null = null;
    let statError: string | null = null;
    try {
      st = await fs.promises.stat(summaryPath);
    } catch (e) {
      statError = isNotFound(e) ? 'summary.json is missing' : `summary.json cannot be read: ${errorMessage(e)}`;
    }
    let entry = this.cache.get(runId);
    if (!st) entry = { mtimeMs: 0, size: 0, read: null, error: statError };
    else if (!entry || entry.mtimeMs !== st.mtimeMs || entry.size !== st.size) {
      try {
        entry = { mtimeMs: st.mtimeMs, size: st.size, read: await this.source.summary(summaryPath), error: null };
      } catch (e) {
        entry = { mtimeMs: st.mtimeMs, size: st.size, read: null, error: errorMessage(e) };
      }
      this.cache.set(runId, entry);
    }
    const summary = entry.read?.summary ?? null;
    return {
      runId,
      dir,
      summaryPath,
      summary,
      changesTotal: entry.read?.changesTotal ?? {},
      notes: entry.read?.notes ?? [],
      error: entry.error,
      state: runStateOf(summary, runId, lock),
      mtimeMs: entry.mtimeMs,
    };
  }

  /**
   * A run's iterations: the summary's list merged with iterations/iter-N.json (the iteration files
   * are written before the summary, so a run interrupted in between still shows its last iteration).
   */
  async iterations(run: RunEntry): Promise<IterationRecord[]> {
    const byIndex = new Map<number, IterationRecord>();
    for (const it of run.summary?.iterations ?? []) byIndex.set(it.index, it);
    const dir = abs(this.workspace, rel.iterations(run.runId));
    let names: string[] = [];
    try {
      names = await fs.promises.readdir(dir);
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`cannot list the iterations of run ${run.runId}: ${errorMessage(e)}`);
    }
    for (const n of names) {
      const m = /^iter-(\d+)\.json$/.exec(n);
      if (!m) continue;
      const index = Number(m[1]);
      if (byIndex.has(index)) continue;
      try {
        const r = iterationSchema.safeParse(JSON.parse(await fs.promises.readFile(path.join(dir, n), 'utf8')));
        if (r.success && r.data.index === index) byIndex.set(index, r.data);
      } catch {
        /* unreadable iteration files are reported by the engine when it loads them */
      }
    }
    return [...byIndex.values()].sort((a, b) => a.index - b.index);
  }

  /** every change of one iteration (a slim summary lists only the first SLIM_CHANGES) */
  async changesOf(run: RunEntry, it: IterationRecord): Promise<Change[]> {
    return it.changes.length >= changeCount(run, it) ? it.changes : this.source.changes(this.workspace, run.runId, it.index);
  }
}

// ---- paths of a change's diff ----------------------------------------------------------------

export interface DiffSides {
  /** absolute path of the before-image, or null for an added file (empty left side) */
  before: string | null;
  /** absolute path of the file as it is now (moved_to for archived/superseded notes) */
  current: string;
  /** the workspace-relative display path */
  label: string;
}

/** Refuses paths that escape .agents/ (a hostile summary must not open files elsewhere). */
export function safeAgentsPath(workspace: string, relToAgents: string): string | null {
  if (!relToAgents || path.isAbsolute(relToAgents) || /^[a-zA-Z]:/.test(relToAgents)) return null;
  const parts = relToAgents.split(/[\\/]+/);
  if (parts.some((p) => p === '..')) return null;
  return containedPath(abs(workspace, '.'), parts.join(path.sep));
}

export function diffSides(workspace: string, change: Pick<Change, 'path' | 'kind' | 'before' | 'moved_to'>): DiffSides | null {
  const currentRel = (change.kind === 'archived' || change.kind === 'superseded') && change.moved_to ? change.moved_to : change.path;
  const current = safeAgentsPath(workspace, currentRel);
  if (!current) return null;
  const before = change.before ? safeAgentsPath(workspace, change.before) : null;
  if (change.before && !before) return null;
  return { before, current, label: `.agents/${currentRel}` };
}
