// Undo (§5.7): put back one change or a whole run from the before-images the run kept.
// A restore is one atomic operation through the write guard, under a commit marker exactly like an
// iteration (Staging + COMMIT-MARKER + recoverFromCrash), recorded in the run folder's restores.jsonl
// as part of the same operation. A file that changed since the run is refused unless forced.
import fs from 'node:fs';
import path from 'node:path';
import { DreamError } from '../core/api';
import { readFileOrNull, rfc3339, sha256 } from '../core/fsutil';
import { abs, agentsDir, rel } from '../core/paths';
import { isRestorableId } from '../core/runId';
import { type Change, type IterationRecord, type RestoreRecord } from '../core/schemas';
import { compounded } from '../core/status';
import type { Faults } from '../core/faults';
import { Staging, recoverFromCrash, recoveryNotes } from './checkpoint';
import { loadRunIterations } from './iterationStore';
import { acquireRunLock } from './lock';
import { readRestoreLog } from './restoreLog';
import { readBeforeImage, type Pack } from './beforePack';

export interface RestoreOptions {
  workspace: string;
  runId: string;
  /** paths of changes to restore (relative to .agents/, with or without `.agents/`, or absolute); empty = the whole run */
  changes?: string[];
  /** restore files that changed since the run anyway */
  force?: boolean;
  now?: () => Date;
  faults?: Faults;
}

export interface RestorePlanEntry {
  path: string;
  /** before-image (relative to .agents/) or null when the run created the file */
  before: string | null;
  /** what the run left: sha256, null (it removed the file), or undefined (an older run did not record it) */
  left: string | null | undefined;
  /** why it cannot be restored without --force (changed since the run), if so */
  conflict?: string;
  /** the file already holds its pre-run bytes */
  done?: boolean;
  /** the before-image's bytes (read while planning) */
  bytes?: Buffer;
}

export interface RestoreResult {
  runId: string;
  record: RestoreRecord | null;
  /** paths whose pre-run state was already in place */
  alreadyRestored: string[];
  /** what crash recovery did first, as report lines */
  recovery: string[];
}

/** a path as the user typed it -> relative to .agents/ */
export function agentsRelative(workspace: string, p: string): string {
  const posix = p.split(path.sep).join('/').replace(/\\/g, '/');
  if (path.isAbsolute(p)) {
    const r = path.relative(agentsDir(workspace), p);
    if (!r.startsWith('..') && !path.isAbsolute(r)) return r.split(path.sep).join('/');
  }
  return posix.replace(/^\.\//, '').replace(/^\.agents\//, '');
}

/** the changes of a run that are live (committed iterations), oldest first */
export function liveChanges(iterations: IterationRecord[]): { iteration: number; change: Change }[] {
  return iterations.filter(compounded).flatMap((it) => it.changes.map((change) => ({ iteration: it.index, change })));
}

/** true when `p` (relative to .agents/) names this change: its path or where it moved to */
export function changeTouches(c: Change, p: string): boolean {
  return c.path === p || c.moved_to === p;
}

/** Works out what a restore would do, without writing anything. */
export function planRestore(workspace: string, runId: string, wanted: string[] = []): RestorePlanEntry[] {
  if (!isRestorableId(runId))
    throw new DreamError(
      `"${runId}" is not a Dream run id (YYYYMMDDTHHMMSSZ, as in .agents/overnight/runs/, or archive-YYYYMMDDTHHMMSSZ from dream archive)`,
    );
  if (!fs.existsSync(abs(workspace, rel.run(runId)))) {
    throw new DreamError(`there is no run ${runId} in ${path.dirname(abs(workspace, rel.run(runId)))}`);
  }
  const { iterations } = loadRunIterations(workspace, runId);
  const all = liveChanges(iterations);
  if (!all.length) throw new DreamError(`run ${runId} left no change in the corpus; there is nothing to restore`);
  const want = wanted.map((w) => agentsRelative(workspace, w));
  for (const w of want)
    if (!all.some(({ change }) => changeTouches(change, w))) {
      const names = [...new Set(all.map(({ change }) => change.path))];
      throw new DreamError(
        `run ${runId} made no change to .agents/${w} (its changes: ${names
          .slice(0, 5)
          .map((n) => `.agents/${n}`)
          .join(', ')}${names.length > 5 ? `, … ${names.length - 5} more` : ''})`,
      );
    }
  const chosen = want.length ? all.filter(({ change }) => want.some((w) => changeTouches(change, w))) : all;
  // per path: the earliest before-image (the pre-run bytes) and what the latest change left
  const plan = new Map<string, RestorePlanEntry>();
  const touch = (p: string, before: string | null, left: string | null | undefined) => {
    const e = plan.get(p);
    if (e) e.left = left;
    else plan.set(p, { path: p, before, left });
  };
  for (const { change: c } of chosen) {
    const removed = c.kind === 'archived' || c.kind === 'superseded';
    touch(c.path, c.before, c.after_hash !== undefined ? c.after_hash : removed && c.moved_to ? null : undefined);
    if (c.moved_to) touch(c.moved_to, c.moved_to_before ?? null, c.moved_to_hash);
  }
  const packs = new Map<string, Pack | null>();
  for (const e of plan.values()) {
    const live = readFileOrNull(abs(workspace, e.path));
    const target = e.before ? readBeforeImage(workspace, e.before, packs) : null;
    if (target) e.bytes = target;
    if (e.before && !target)
      throw new DreamError(`the before-image .agents/${e.before} of .agents/${e.path} is missing; run ${runId} cannot be restored`);
    if ((!live && !target) || (live && target && live.equals(target))) {
      e.done = true;
      continue;
    }
    const liveHash = live ? sha256(live) : null;
    if (e.left === undefined)
      e.conflict = `run ${runId} did not record what it left at .agents/${e.path}, so Dream cannot tell whether it changed since`;
    else if (liveHash !== e.left)
      e.conflict =
        e.left === null
          ? `.agents/${e.path} was created again after run ${runId} removed it`
          : live
            ? `.agents/${e.path} changed after run ${runId} (it no longer holds the bytes the run left)`
            : `.agents/${e.path} was deleted after run ${runId}`;
  }
  return [...plan.values()];
}

/** Reads restores.jsonl of a run (lines that do not parse are skipped). */
export function readRestores(workspace: string, runId: string): RestoreRecord[] {
  return readRestoreLog(abs(workspace, rel.restores(runId)));
}

/**
 * Restores one or more changes, or the whole run, in one atomic operation. Throws DreamError with
 * the reason when a file changed since the run (unless `force`), when the run or change does not
 * exist, or when another run holds the lock. Returns record null when everything was already back.
 */
export function restoreRun(o: RestoreOptions): RestoreResult {
  const workspace = path.resolve(o.workspace);
  const now = o.now ?? (() => new Date());
  const degraded: string[] = [];
  const lock = acquireRunLock(workspace, `${o.runId}-restore`, degraded, now());
  try {
    const recovery = [...degraded, ...recoveryNotes(recoverFromCrash(workspace))];
    const plan = planRestore(workspace, o.runId, o.changes ?? []);
    const conflicts = plan.filter((e) => !e.done && e.conflict);
    if (conflicts.length && !o.force) {
      const first = conflicts[0]!.conflict!;
      throw new DreamError(
        `refused to restore: ${first}${conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''}; nothing was restored. Look at the file, then add --force to restore it anyway`,
      );
    }
    const todo = plan.filter((e) => !e.done);
    const alreadyRestored = plan.filter((e) => e.done).map((e) => e.path);
    if (!todo.length) return { runId: o.runId, record: null, alreadyRestored, recovery };
    const previous = readRestores(workspace, o.runId);
    const n = previous.length + 1;
    const record: RestoreRecord = {
      restore_id: `${o.runId}-restore-${n}`,
      run_id: o.runId,
      restored_at: rfc3339(now()),
      scope: o.changes?.length ? 'change' : 'run',
      requested: (o.changes ?? []).map((c) => agentsRelative(workspace, c)),
      paths: todo.map((e) => ({ path: e.path, action: e.before ? 'restored' : 'removed', forced: !!e.conflict })),
    };
    const staging = new Staging(workspace, o.runId, 0, record.restore_id, rel.restoreBefore(o.runId, n));
    for (const e of todo) {
      if (e.before) staging.write(e.path, e.bytes!);
      else staging.remove(e.path);
    }
    // the record is one more operation of the same commit: a crash leaves both or neither
    const logRel = rel.restores(o.runId);
    const base = readFileOrNull(abs(workspace, logRel)) ?? Buffer.alloc(0);
    const sep = base.length && base[base.length - 1] !== 0x0a ? '\n' : '';
    staging.append(logRel, base, Buffer.concat([base, Buffer.from(sep + JSON.stringify(record) + '\n', 'utf8')]));
    const crash = o.faults?.crashInRestore;
    staging.commit(crash ? { crashInCommit: { iteration: 0, afterOps: crash.afterOps } } : {});
    return { runId: o.runId, record, alreadyRestored, recovery };
  } finally {
    lock.release();
  }
}
