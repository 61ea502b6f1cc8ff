// Overlay staging and the two-phase commit of one iteration.
// Staging holds only the changed files, in memory. persist() writes the before-images of every
// file the iteration touches into one pack in the run folder, fsynced once (for diffs, restores
// and reversal: commit/beforePack.ts). COMMIT writes COMMIT-MARKER.<iterationId> = READY with the
// list of operations, writes each changed file atomically and durably (temp + fsync + rename, the
// folders fsynced once), then marks DONE. A crash at any instant is recovered to exactly the pre-
// or post-iteration bytes: a READY marker is reversed from the pack.
import fs from 'node:fs';
import path from 'node:path';
import { SAFE_PATH_BYTES, isoNow, readFileOrNull, seam, sha256 } from '../core/fsutil';
export { SAFE_PATH_BYTES };
import { abs, rel } from '../core/paths';
import { errorMessage, isNotFound } from '../core/errors';
import { markerSchema, type CommitMarker } from '../core/schemas';
import { CorpusWriter } from './writer';
import type { Faults } from '../core/faults';
import { cleanStaleTemps, staleTempsIn } from './housekeeping';
import { encodePack, packPathFor, readBeforeImage, readPack, type Pack } from './beforePack';

export type StagedOp = { op: 'write'; data: Buffer; appendTo?: Buffer } | { op: 'remove' };

export class Staging {
  readonly ops = new Map<string, StagedOp>();
  private persisted: CommitMarker | null = null;
  /** the before-images this staging persisted, by live path */
  private before = new Map<string, Buffer>();
  private writer: CorpusWriter;
  /** answers "would COMMIT refuse this path?" while REDUCE stages (each folder checked once) */
  private precheck: CorpusWriter;
  constructor(
    readonly workspace: string,
    readonly runId: string,
    readonly index: number,
    readonly iterationId: string,
    /** where before-images go (relative to .agents/); a restore keeps its own beside the run's */
    readonly beforeRoot: string = rel.before(runId, index),
  ) {
    this.writer = new CorpusWriter(workspace);
    this.precheck = new CorpusWriter(workspace, { precheck: true });
  }

  write(relPath: string, data: Buffer): void {
    this.precheck.resolve(relPath); // refuse early what COMMIT would refuse
    this.ops.set(relPath, { op: 'write', data });
  }

  /**
   * An append-only file (rpi/next-work.jsonl): `data` is `base` plus new lines. If the live file
   * grew after INGEST read `base` (an agent appended a line), the new lines go after the live
   * bytes at persist time, so nothing anybody appended is lost.
   */
  append(relPath: string, base: Buffer, data: Buffer): void {
    this.precheck.resolve(relPath);
    this.ops.set(relPath, { op: 'write', data, appendTo: base });
  }

  /** why COMMIT would refuse to write `relPath` (a symlink on the way, a special file), or null */
  refusal(relPath: string): string | null {
    return this.writer.refusal(relPath);
  }

  remove(relPath: string): void {
    this.precheck.resolve(relPath);
    this.ops.set(relPath, { op: 'remove' });
  }

  get size(): number {
    return this.ops.size;
  }

  /** before-image path (relative to .agents/) for a path this iteration touches */
  beforePath(relPath: string): string {
    const mirror = `${this.beforeRoot}/${relPath}`;
    if (Buffer.byteLength(abs(this.workspace, mirror)) <= SAFE_PATH_BYTES) return mirror;
    // a mirrored path that would pass PATH_MAX: a short name keyed by the live path
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(relPath)?.[0] ?? '';
    return `${this.beforeRoot}/_long/${sha256(relPath).slice(0, 24)}${ext}`;
  }

  /**
   * Writes the before-images to disk (one fsynced pack) and returns the marker plan. Ops whose
   * bytes equal the live file are dropped (they change nothing).
   */
  persist(): CommitMarker {
    if (this.persisted) return this.persisted;
    return (this.persisted = this.writer.batch(() => this.persistOps()));
  }

  private persistOps(): CommitMarker {
    const ops: CommitMarker['ops'] = [];
    const createdDirs = new Set<string>();
    const images: { rel: string; bytes: Buffer }[] = [];
    for (const [p, op] of [...this.ops.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const live = readFileOrNull(abs(this.workspace, p));
      if (op.op === 'write' && op.appendTo && live && !live.equals(op.appendTo)) {
        const added = op.data.subarray(op.appendTo.length);
        const sep = live.length && live[live.length - 1] !== 0x0a ? Buffer.from('\n') : Buffer.alloc(0);
        op.data = Buffer.concat([live, sep, added]);
      }
      if (op.op === 'write' && live && live.equals(op.data)) continue;
      if (op.op === 'remove' && !live) continue;
      let backup: string | null = null;
      if (live) {
        images.push({ rel: (backup = this.beforePath(p)), bytes: live });
        this.before.set(p, live);
      }
      if (op.op === 'write') for (const d of missingDirs(this.workspace, p, createdDirs)) createdDirs.add(d);
      ops.push({ op: op.op, path: p, staged: null, backup, after_hash: op.op === 'write' ? sha256(op.data) : null });
    }
    // the before-images: one durable pack, what recovery reverses from and what restores and diffs read
    let pack: string | undefined;
    if (images.length) this.writer.writeBatched((pack = packPathFor(this.beforeRoot)), encodePack(images));
    this.writer.flushDirs();
    const marker: CommitMarker = { state: 'READY', iteration_id: this.iterationId, started_at: isoNow(), ops };
    if (createdDirs.size) marker.created_dirs = [...createdDirs].sort();
    if (pack) marker.pack = pack;
    return marker;
  }

  /** set once the READY marker is durable: from then on discard() must never remove it */
  private markerWritten = false;

  /** what the last commit() has to say beyond success (a DONE marker or cleanup that failed) */
  commitNotes: string[] = [];

  /**
   * Applies the plan under the commit marker. An error before the READY marker is durable changes
   * nothing live (the caller discards the staging). Any error after it is handled like a crash:
   * the applied operations are reversed from their before-images, then the marker is removed
   * (CommitError, reversed). If the reversal fails too, the marker stays for the next start and
   * the error says "manual review required" with the paths. A failure after every operation is
   * durable (the DONE write, the cleanup) leaves the corpus committed and says so in commitNotes.
   */
  commit(faults: Faults = {}): CommitMarker {
    const marker = this.persist();
    const markerRel = rel.marker(this.iterationId);
    this.commitNotes = [];
    commitStep('commit:marker-ready', markerRel);
    this.writer.write(markerRel, JSON.stringify(marker, null, 2));
    this.markerWritten = true;
    // from here on the READY marker is durable: an error is a crash, never a discard
    let done = 0;
    const crash = faults.crashInCommit && faults.crashInCommit.iteration === this.index ? faults.crashInCommit.afterOps : -1;
    try {
      this.writer.batch(() => {
        for (const op of marker.ops) {
          if (done === crash) process.kill(process.pid, 'SIGKILL');
          commitStep('commit:op', op.path);
          // atomic and durable (temp + fsync + rename); the folders are fsynced once, below
          if (op.op === 'write') this.writer.writeBatched(op.path, this.writtenBytes(op.path)!);
          else this.writer.removeFile(op.path, false);
          done++;
        }
      });
      if (crash >= done) process.kill(process.pid, 'SIGKILL');
      commitStep('commit:flush', markerRel);
      this.writer.flushDirs(); // every write is durable before the marker says DONE
    } catch (e) {
      throw this.rollBackAfterFault(marker, e as Error, done);
    }
    // every operation is live and durable: the iteration is committed, whatever happens next
    try {
      commitStep('commit:marker-done', markerRel);
      this.writer.write(markerRel, JSON.stringify({ ...marker, state: 'DONE' }, null, 2));
    } catch (e) {
      // a READY marker left behind would roll a committed iteration back at the next start:
      // removing it is the commit point now (unlink needs no free space)
      try {
        this.writer.removeFile(markerRel);
        this.commitNotes.push(
          `commit: could not mark ${this.iterationId} DONE (${(e as Error).message}); the corpus is committed and its marker was removed`,
        );
      } catch (e2) {
        this.commitNotes.push(
          `commit: could not mark ${this.iterationId} DONE (${(e as Error).message}) nor remove its READY marker (${(e2 as Error).message}): the corpus is committed, but the next start will roll iteration ${this.index} back (manual review required: .agents/${markerRel})`,
        );
        return marker;
      }
    }
    try {
      commitStep('commit:cleanup', rel.staging(this.iterationId));
      cleanupIteration(this.writer, this.iterationId);
    } catch (e) {
      this.commitNotes.push(
        `commit: cleanup after ${this.iterationId} failed (${(e as Error).message}); the corpus is committed and the next start removes the leftovers`,
      );
    }
    return marker;
  }

  /** an error after the READY marker: reverse like crash recovery would, then remove the marker */
  private rollBackAfterFault(marker: CommitMarker, cause: Error, applied: number): CommitError {
    const markerRel = rel.marker(this.iterationId);
    const conflicts: string[] = [];
    const what = `COMMIT of ${this.iterationId} failed after ${applied} of ${marker.ops.length} operation(s) (${cause.message})`;
    try {
      commitStep('commit:reverse', markerRel);
      reverseOps(this.workspace, marker, conflicts);
    } catch (e) {
      return new CommitError(
        `${what} and could not be reversed (${(e as Error).message}); the READY marker .agents/${markerRel} is kept so the next start reverses it (manual review required: ${opPaths(marker)})`,
        false,
        marker.ops.map((o) => o.path),
      );
    }
    if (conflicts.length)
      return new CommitError(
        `${what}; reversal left ${conflicts.length} file(s) that changed meanwhile; the READY marker .agents/${markerRel} is kept (manual review required: ${conflicts.map((c) => `.agents/${c}`).join(', ')})`,
        false,
        conflicts,
      );
    try {
      cleanupIteration(this.writer, this.iterationId);
    } catch (e) {
      return new CommitError(
        `${what}; every operation was reversed from its before-image (the corpus is as it was before the iteration), but the marker could not be removed (${(e as Error).message}); the next start removes it`,
        true,
        [],
      );
    }
    return new CommitError(
      `${what}; every operation was reversed from its before-image: the corpus is as it was before the iteration`,
      true,
      [],
    );
  }

  /** the bytes `relPath` held when the staging was persisted (its before-image), or null */
  beforeBytes(relPath: string): Buffer | null {
    return this.before.get(relPath) ?? null;
  }

  /** the bytes a committed write left at `relPath` */
  writtenBytes(relPath: string): Buffer | null {
    const op = this.ops.get(relPath);
    return op && op.op === 'write' ? op.data : null;
  }

  /** Drops staged work. Nothing live has changed before commit(), so there is nothing to reverse. */
  discard(): void {
    // after the READY marker, commit() itself reversed (or kept the marker for the next start)
    if (this.markerWritten) return;
    this.ops.clear();
    if (this.persisted) {
      try {
        cleanupIteration(this.writer, this.iterationId);
      } catch {
        return; // the next start removes leftover staging (and says so)
      }
    }
    this.persisted = null;
  }
}

/** COMMIT failed after its READY marker was durable; `reversed` says whether the corpus is back as before */
export class CommitError extends Error {
  constructor(
    message: string,
    readonly reversed: boolean,
    readonly paths: string[],
  ) {
    super(message);
    this.name = 'CommitError';
  }
}

function opPaths(marker: CommitMarker): string {
  const paths = marker.ops.map((o) => `.agents/${o.path}`);
  return paths.length > 10 ? `${paths.slice(0, 10).join(', ')} and ${paths.length - 10} more` : paths.join(', ');
}

/** named steps of COMMIT and recovery pass through the fault seam (kill points in tests) */
function commitStep(name: string, target: string): void {
  seam('step', `${name} ${target}`);
}

/** the folders of `relPath` (relative to .agents/) that do not exist yet, shallowest first (`known`: already found missing) */
function missingDirs(workspace: string, relPath: string, known: Set<string> = new Set()): string[] {
  const parts = relPath.split('/').slice(0, -1);
  const out: string[] = [];
  for (let i = parts.length; i >= 1; i--) {
    const d = parts.slice(0, i).join('/');
    if (known.has(d)) continue;
    // a folder that exists has every parent
    if (fs.existsSync(abs(workspace, d))) break;
    out.unshift(d);
  }
  return out;
}

function cleanupIteration(writer: CorpusWriter, iterationId: string): void {
  writer.removeTree(rel.staging(iterationId));
  writer.removeFile(rel.marker(iterationId));
}

/**
 * Reverses a READY marker's operations: every touched path gets its before-image back. A path
 * whose bytes match neither its before-image nor what the iteration wrote was edited by somebody
 * after the crash: it is left alone and named in `conflicts` (never overwrite a person's edit).
 * Idempotent: a path already back to its before-image is skipped, so a reversal killed half-way
 * is finished by the next one. Folders the commit created are removed again when empty.
 */
export function reverseOps(workspace: string, marker: CommitMarker, conflicts: string[] = []): number {
  const writer = new CorpusWriter(workspace);
  const packs = new Map<string, Pack | null>();
  if (marker.pack) packs.set(marker.pack, readPack(workspace, marker.pack));
  let reversed = 0;
  for (const op of [...marker.ops].reverse()) {
    const live = readFileOrNull(abs(workspace, op.path));
    const before = op.backup ? readBeforeImage(workspace, op.backup, packs) : null;
    if (op.backup && !before) throw new Error(`before-image ${op.backup} is missing; cannot restore ${op.path}`);
    if (before && live && live.equals(before)) continue; // not applied yet, or already restored
    if (!before && !live) continue;
    const isAfter = op.op === 'write' ? !!live && sha256(live) === op.after_hash : !live;
    if (!isAfter) {
      conflicts.push(op.path);
      continue;
    }
    commitStep('recovery:op', op.path);
    if (before) writer.write(op.path, before);
    else writer.removeFile(op.path);
    reversed++;
  }
  for (const d of [...(marker.created_dirs ?? [])].reverse()) {
    commitStep('recovery:rmdir', d);
    if (writer.removeEmptyDir(d)) continue;
    // a write killed inside a folder the commit created leaves its temp file there: it goes
    // (a failure throws, so the marker stays for the next start) and the folder with it
    const temps = staleTempsIn(workspace, d);
    if (!temps.length) continue; // missing, or it holds somebody's file: left as it is
    for (const t of temps) writer.removeStaleTemp(t);
    writer.removeEmptyDir(d);
  }
  return reversed;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export function sanitizeIterationId(id: string): string {
  if (!id || id.includes('..') || !ID_RE.test(id)) throw new Error(`invalid iteration id "${id}"`);
  return id;
}

export interface RecoveryResult {
  actions: string[];
  /** markers that need a person to look at them */
  manualReview: string[];
}

/** Crash recovery at start: DONE -> clean up; READY -> reverse; unreadable -> leave alone, report. */
export function recoverFromCrash(workspace: string): RecoveryResult {
  const dir = abs(workspace, 'overnight');
  const result: RecoveryResult = { actions: [], manualReview: [] };
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    // no overnight/ yet: nothing to recover; anything else means unfinished commits may be hidden
    if (!isNotFound(e))
      result.manualReview.push(`cannot look for unfinished commits in .agents/overnight: ${errorMessage(e)} (manual review required)`);
    return result;
  }
  const writer = new CorpusWriter(workspace);
  // first the temp files killed writes left: a commit killed mid-write leaves one in a folder it
  // created, which the reversal then removes again (it must be empty)
  result.actions.push(...cleanStaleTemps(workspace));
  for (const name of names.filter((n) => n.startsWith('COMMIT-MARKER.') && !n.endsWith('.tmp')).sort()) {
    const id = name.slice('COMMIT-MARKER.'.length);
    try {
      sanitizeIterationId(id);
    } catch (e) {
      result.manualReview.push(`skipped malformed marker ${name}: ${(e as Error).message} (manual review required)`);
      continue;
    }
    let marker: CommitMarker;
    try {
      const parsed = markerSchema.safeParse(JSON.parse((readFileOrNull(path.join(dir, name)) ?? Buffer.alloc(0)).toString('utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid marker');
      marker = parsed.data;
    } catch (e) {
      result.manualReview.push(
        `skipped unreadable marker ${name}: ${(e as Error).message} (manual review required; the corpus was left as it is)`,
      );
      continue;
    }
    try {
      for (const op of marker.ops) {
        writer.resolve(op.path);
        if (op.backup) writer.resolve(op.backup);
        if (op.staged) writer.resolve(op.staged);
      }
    } catch (e) {
      result.manualReview.push(
        `skipped marker ${name}: it names a path Dream never writes (${(e as Error).message}); the corpus was left as it is (manual review required)`,
      );
      continue;
    }
    if (marker.state === 'DONE') {
      try {
        commitStep('recovery:cleanup', name);
        cleanupIteration(writer, id);
        result.actions.push(`cleaned up stale DONE marker ${name}`);
      } catch (e) {
        result.manualReview.push(
          `could not clean up DONE marker ${name}: ${(e as Error).message} (the corpus is committed; it is retried at the next start)`,
        );
      }
    } else {
      try {
        const conflicts: string[] = [];
        const n = reverseOps(workspace, marker, conflicts);
        commitStep('recovery:cleanup', name);
        cleanupIteration(writer, id);
        result.actions.push(`recovered from crash marker ${name} (state: READY, reversed ${n} of ${marker.ops.length} operations)`);
        for (const c of conflicts)
          result.manualReview.push(
            `left .agents/${c} as it is: it was edited after the crash of ${id} (its before-image is kept in the run folder; manual review required)`,
          );
      } catch (e) {
        result.manualReview.push(
          `could not reverse ${name}: ${(e as Error).message}; the marker is kept and the next start tries again (manual review required: ${opPaths(marker)})`,
        );
      }
    }
  }
  // stray staging folders without a marker are leftovers of a rolled-back or crashed pre-commit
  const stagingDir = path.join(dir, 'staging');
  try {
    for (const s of fs.readdirSync(stagingDir)) {
      if (names.includes(`COMMIT-MARKER.${s}`) && result.manualReview.some((m) => m.includes(s))) continue;
      writer.removeTree(`overnight/staging/${s}`);
      result.actions.push(`removed leftover staging for ${s}`);
    }
  } catch (e) {
    if (!isNotFound(e)) result.actions.push(`leftover staging not cleaned: ${errorMessage(e)}`);
  }
  return result;
}

/** Recovery lines as degraded notes, batched above 20. */
export function recoveryNotes(r: RecoveryResult): string[] {
  const lines =
    r.actions.length > 20
      ? [`recovery: cleaned up ${r.actions.length} stale items (first: ${r.actions[0]})`]
      : r.actions.map((a) => `recovery: ${a}`);
  return [...lines, ...r.manualReview.map((m) => `recovery: ${m}`)];
}
