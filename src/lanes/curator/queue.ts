// The curator's job queue under .agents/dream/curator/: queue/ → processing/ → done/ | failed/, one
// JSON file a job, every move atomic through the write guard; and the persisted hourly cap
// (state.json), shared by every run and every process in the same hour.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { abs, CorpusWriter, errorMessage, isNotFound, JOB_KINDS } from '../../engine';

export const CURATOR_DIR = 'dream/curator';
export const QUEUE_DIR = `${CURATOR_DIR}/queue`;
export const PROCESSING_DIR = `${CURATOR_DIR}/processing`;
export const DONE_DIR = `${CURATOR_DIR}/done`;
export const FAILED_DIR = `${CURATOR_DIR}/failed`;
export const STATE_FILE = `${CURATOR_DIR}/state.json`;
export type JobKind = (typeof JOB_KINDS)[number];
export { JOB_KINDS };

export function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
export function shortId(): string {
  return crypto.randomBytes(4).toString('hex');
}

export const jobSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/),
    kind: z.string(),
    created_at: z.string(),
    max_retries: z.number().int().min(0).default(1),
    /** a file to read, relative to the workspace (ingest-session; a seed note for lint-wiki) */
    source: z.string().optional(),
    /** how many escalations to the council this job may cause (0: none) */
    budget: z.number().int().min(0).default(0),
    /** model calls started for this job (a job found in processing/ with attempts > max_retries is not tried again) */
    attempts: z.number().int().min(0).default(0),
    started_at: z.string().optional(),
    finished_at: z.string().optional(),
    outcome: z.string().optional(),
    drafts: z.array(z.string()).optional(),
  })
  .passthrough();
export type CuratorJob = z.infer<typeof jobSchema>;

export function newJob(kind: string, now = new Date(), source?: string, budget = 0): CuratorJob {
  return {
    id: `job-${stamp(now)}-${kind}-${shortId()}`,
    kind,
    created_at: now.toISOString(),
    max_retries: 1,
    ...(source ? { source } : {}),
    budget,
    attempts: 0,
  };
}

export class CuratorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CuratorInputError';
  }
}

/** Checks the kind against the allowlist and the source (a readable regular file, no symlink); writes queue/<id>.json. */
export function enqueueJob(
  workspace: string,
  input: { kind: string; source?: string; budget?: number; allowed: readonly string[] },
  now = new Date(),
): { job: CuratorJob; path: string } {
  if (!input.allowed.includes(input.kind)) {
    const why = (JOB_KINDS as readonly string[]).includes(input.kind)
      ? `is not in dream.localCurator.allowedJobKinds (${input.allowed.join(', ') || 'empty'})`
      : `is not a curator job kind (kinds: ${JOB_KINDS.join(', ')})`;
    throw new CuratorInputError(`job kind "${input.kind}" ${why}`);
  }
  let source: string | undefined;
  if (input.source !== undefined) {
    if (!input.source.trim()) throw new CuratorInputError('--source is empty');
    if (input.kind === 'dream-seed')
      throw new CuratorInputError('a dream-seed job takes no --source (it reads tonight’s summary and queue)');
    source = checkSource(workspace, input.source);
  }
  const job = newJob(input.kind, now, source, input.budget ?? 0);
  const rel = `${QUEUE_DIR}/${job.id}.json`;
  new CorpusWriter(workspace).write(rel, JSON.stringify(job, null, 2) + '\n');
  return { job, path: abs(workspace, rel) };
}

/** The source as a workspace-relative path (forward slashes); refuses what is missing, a folder or a symlink. */
export function checkSource(workspace: string, source: string): string {
  const full = path.resolve(workspace, source);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    throw new CuratorInputError(`--source "${source}" does not exist`);
  }
  if (st.isSymbolicLink()) throw new CuratorInputError(`--source "${source}" is a symlink; Dream does not follow symlinks`);
  if (!st.isFile()) throw new CuratorInputError(`--source "${source}" is not a file`);
  const rel = path.relative(path.resolve(workspace), full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new CuratorInputError(`--source "${source}" is outside the workspace`);
  return rel.split(path.sep).join('/');
}

export interface StoredJob {
  /** relative to .agents/ */
  rel: string;
  job: CuratorJob | null;
  error: string | null;
}

export function listJobs(workspace: string, dir: string): StoredJob[] {
  let names: string[];
  try {
    names = fs.readdirSync(abs(workspace, dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (e) {
    if (isNotFound(e)) return []; // nothing queued yet
    throw new Error(`cannot read the curator folder .agents/${dir}: ${errorMessage(e)}`);
  }
  return names.sort().map((n) => {
    const rel = `${dir}/${n}`;
    try {
      const full = abs(workspace, rel);
      if (!fs.lstatSync(full).isFile()) return { rel, job: null, error: 'not a regular file' };
      const p = jobSchema.safeParse(JSON.parse(fs.readFileSync(full, 'utf8')));
      return p.success ? { rel, job: p.data, error: null } : { rel, job: null, error: p.error.issues[0]?.message ?? 'invalid job' };
    } catch (e) {
      return { rel, job: null, error: errorMessage(e) };
    }
  });
}

export function queueDepth(workspace: string): number {
  return listJobs(workspace, QUEUE_DIR).length;
}

/**
 * Moves a job to `toDir` with its new content: the new file is written first (atomic), then the
 * old one removed, so a crash leaves the job in one place or both (never none); `settleDuplicates`
 * resolves "both" at the next start.
 */
export function moveJob(w: CorpusWriter, fromRel: string, toDir: string, job: CuratorJob): string {
  const to = `${toDir}/${job.id}.json`;
  w.write(to, JSON.stringify(job, null, 2) + '\n');
  if (to !== fromRel) w.removeFile(fromRel);
  return to;
}

/** A job present in a later stage and an earlier one (a crash mid-move): the earlier copy goes. */
export function settleDuplicates(workspace: string, w: CorpusWriter): void {
  const order = [QUEUE_DIR, PROCESSING_DIR, DONE_DIR, FAILED_DIR];
  const latest = new Map<string, number>();
  const all = order.map((d, i) => listJobs(workspace, d).map((s) => ({ ...s, stage: i })));
  for (const s of all.flat()) if (s.job) latest.set(s.job.id, Math.max(latest.get(s.job.id) ?? -1, s.stage));
  for (const s of all.flat()) if (s.job && latest.get(s.job.id)! > s.stage) w.removeFile(s.rel);
}

// ---- the hourly cap, persisted ------------------------------------------------------------------
const stateSchema = z
  .object({
    schema_version: z.literal(1).default(1),
    /** when each model job started, the last hour only */
    started: z.array(z.string()).default([]),
    /** sources already ingested (so an ingest-session job without --source picks a new note) */
    ingested: z.array(z.string()).default([]),
    /** the last seed note of lint-wiki (the next job starts after it) */
    lint_cursor: z.string().nullable().default(null),
  })
  .passthrough();
export type CuratorState = z.infer<typeof stateSchema>;

export function readState(workspace: string): CuratorState {
  try {
    const p = stateSchema.safeParse(JSON.parse(fs.readFileSync(abs(workspace, STATE_FILE), 'utf8')));
    if (p.success) return p.data;
  } catch {
    /* missing or unreadable: a fresh state */
  }
  return stateSchema.parse({});
}

export function writeState(w: CorpusWriter, s: CuratorState): void {
  w.write(STATE_FILE, JSON.stringify(s, null, 2) + '\n');
}

const HOUR = 3_600_000;
export interface CapState {
  hourly_cap: number;
  used_this_hour: number;
  remaining: number;
}
export function capState(s: CuratorState, cap: number, now: Date): CapState {
  const used = s.started.filter((t) => now.getTime() - Date.parse(t) < HOUR && Date.parse(t) <= now.getTime()).length;
  return { hourly_cap: cap, used_this_hour: used, remaining: Math.max(0, cap - used) };
}
/** Records one job start against the cap (and forgets starts older than an hour). */
export function countStart(s: CuratorState, now: Date): CuratorState {
  return { ...s, started: [...s.started.filter((t) => now.getTime() - Date.parse(t) < HOUR), now.toISOString()] };
}
