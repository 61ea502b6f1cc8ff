// Overlay staging and the two-phase commit of one iteration.
// Staging holds only the changed files; before-images of every file an iteration touches are kept
// in the run folder (for diffs and for reversal). COMMIT writes COMMIT-MARKER.<iterationId> = READY
// with the list of operations, applies them with atomic renames, then marks DONE and cleans up.
// A crash at any instant is recovered to exactly the pre- or post-iteration bytes.
import fs from 'node:fs';
import path from 'node:path';
import { isoNow, readFileOrNull, sha256 } from '../core/fsutil';
import { abs, rel } from '../core/paths';
import { markerSchema, type CommitMarker } from '../core/schemas';
import { CorpusWriter } from './writer';
import type { Faults } from '../core/faults';

export type StagedOp = { op: 'write'; data: Buffer; appendTo?: Buffer } | { op: 'remove' };

export class Staging {
  readonly ops = new Map<string, StagedOp>();
  private persisted: CommitMarker | null = null;
  private writer: CorpusWriter;
  constructor(
    readonly workspace: string,
    readonly runId: string,
    readonly index: number,
    readonly iterationId: string,
    /** where before-images go (relative to .agents/); a restore keeps its own beside the run's */
    readonly beforeRoot: string = rel.before(runId, index),
  ) {
    this.writer = new CorpusWriter(workspace);
  }

  write(relPath: string, data: Buffer): void {
    this.writer.resolve(relPath); // refuse early what COMMIT would refuse
    this.ops.set(relPath, { op: 'write', data });
  }

  /**
   * An append-only file (rpi/next-work.jsonl): `data` is `base` plus new lines. If the live file
   * grew after INGEST read `base` (an agent appended a line), the new lines go after the live
   * bytes at persist time, so nothing anybody appended is lost.
   */
  append(relPath: string, base: Buffer, data: Buffer): void {
    this.writer.resolve(relPath);
    this.ops.set(relPath, { op: 'write', data, appendTo: base });
  }

  remove(relPath: string): void {
    this.writer.resolve(relPath);
    this.ops.set(relPath, { op: 'remove' });
  }

  get size(): number {
    return this.ops.size;
  }

  /** before-image path (relative to .agents/) for a path this iteration touches */
  beforePath(relPath: string): string {
    return `${this.beforeRoot}/${relPath}`;
  }

  /**
   * Writes staged bytes and before-images to disk and returns the marker plan.
   * Ops whose bytes equal the live file are dropped (they change nothing).
   */
  persist(): CommitMarker {
    if (this.persisted) return this.persisted;
    const ops: CommitMarker['ops'] = [];
    const stagingRoot = rel.staging(this.iterationId);
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
        backup = this.beforePath(p);
        this.writer.writeBatched(backup, live);
      }
      let staged: string | null = null;
      if (op.op === 'write') {
        staged = `${stagingRoot}/files/${p}`;
        // durable: a rename moves these bytes into the live corpus at COMMIT
        this.writer.writeBatched(staged, op.data);
      }
      ops.push({ op: op.op, path: p, staged, backup, after_hash: op.op === 'write' ? sha256(op.data) : null });
    }
    this.writer.flushDirs();
    this.persisted = { state: 'READY', iteration_id: this.iterationId, started_at: isoNow(), ops };
    return this.persisted;
  }

  /** Applies the plan under the commit marker. */
  commit(faults: Faults = {}): CommitMarker {
    const marker = this.persist();
    const markerRel = rel.marker(this.iterationId);
    this.writer.write(markerRel, JSON.stringify(marker, null, 2));
    let done = 0;
    const crash = faults.crashInCommit && faults.crashInCommit.iteration === this.index ? faults.crashInCommit.afterOps : -1;
    for (const op of marker.ops) {
      if (done === crash) process.kill(process.pid, 'SIGKILL');
      if (op.op === 'write') this.writer.rename(op.staged!, op.path);
      else this.writer.removeFile(op.path);
      done++;
    }
    if (crash >= done) process.kill(process.pid, 'SIGKILL');
    this.writer.flushDirs(); // every rename is durable before the marker says DONE
    this.writer.write(markerRel, JSON.stringify({ ...marker, state: 'DONE' }, null, 2));
    cleanupIteration(this.writer, this.iterationId);
    return marker;
  }

  /** the bytes a committed write left at `relPath` */
  writtenBytes(relPath: string): Buffer | null {
    const op = this.ops.get(relPath);
    return op && op.op === 'write' ? op.data : null;
  }

  /** Drops staged work. Nothing live has changed before commit(), so there is nothing to reverse. */
  discard(): void {
    this.ops.clear();
    if (this.persisted) cleanupIteration(this.writer, this.iterationId);
    this.persisted = null;
  }
}

function cleanupIteration(writer: CorpusWriter, iterationId: string): void {
  writer.removeTree(rel.staging(iterationId));
  writer.removeFile(rel.marker(iterationId));
}

/**
 * Reverses a READY marker's operations: every touched path gets its before-image back. A path
 * whose bytes match neither its before-image nor what the iteration wrote was edited by somebody
 * after the crash: it is left alone and named in `conflicts` (never overwrite a person's edit).
 */
export function reverseOps(workspace: string, marker: CommitMarker, conflicts: string[] = []): number {
  const writer = new CorpusWriter(workspace);
  let reversed = 0;
  for (const op of [...marker.ops].reverse()) {
    const live = readFileOrNull(abs(workspace, op.path));
    const before = op.backup ? readFileOrNull(abs(workspace, op.backup)) : null;
    if (op.backup && !before) throw new Error(`before-image ${op.backup} is missing; cannot restore ${op.path}`);
    if (before && live && live.equals(before)) continue; // not applied yet, or already restored
    if (!before && !live) continue;
    const isAfter = op.op === 'write' ? !!live && sha256(live) === op.after_hash : !live;
    if (!isAfter) {
      conflicts.push(op.path);
      continue;
    }
    if (before) writer.write(op.path, before);
    else writer.removeFile(op.path);
    reversed++;
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
  } catch {
    return result;
  }
  const writer = new CorpusWriter(workspace);
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
      const parsed = markerSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
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
      cleanupIteration(writer, id);
      result.actions.push(`cleaned up stale DONE marker ${name}`);
    } else {
      try {
        const conflicts: string[] = [];
        const n = reverseOps(workspace, marker, conflicts);
        cleanupIteration(writer, id);
        result.actions.push(`recovered from crash marker ${name} (state: READY, reversed ${n} of ${marker.ops.length} operations)`);
        for (const c of conflicts)
          result.manualReview.push(
            `left .agents/${c} as it is: it was edited after the crash of ${id} (its before-image is kept in the run folder; manual review required)`,
          );
      } catch (e) {
        result.manualReview.push(`could not reverse ${name}: ${(e as Error).message} (manual review required)`);
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
  } catch {
    /* no staging dir */
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
