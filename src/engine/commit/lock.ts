// The run lock: .agents/overnight/run.lock, created exclusively, holding "<pid>\n<started>\n<host>\n<runId>\n".
// A lock is held while its process is alive. A lock whose process is dead (on this host) is
// reclaimed with a degraded note; a lock from another host is only reclaimed once older than 12 h.
import fs from 'node:fs';
import os from 'node:os';
import { DreamError } from '../core/api';
import { abs, rel } from '../core/paths';
import { CorpusWriter } from './writer';

export const LOCK_STALE_MS = 12 * 3600 * 1000;

export function readLockPid(file: string): number {
  try {
    const first = fs.readFileSync(file, 'utf8').trim().split(/\s+/)[0] ?? '';
    if (!/^\d+$/.test(first)) return 0;
    const n = Number(first);
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

interface LockInfo {
  text: string;
  pid: number;
  startedAt: string;
  host: string;
  runId: string;
  mtimeMs: number;
}

export function readLock(file: string): LockInfo | null {
  let text: string;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const [pid = '', startedAt = '', host = '', runId = ''] = text.split('\n');
  const n = /^\d+$/.test(pid.trim()) ? Number(pid.trim()) : 0;
  return {
    text,
    pid: Number.isSafeInteger(n) && n > 0 ? n : 0,
    startedAt: startedAt.trim(),
    host: host.trim(),
    runId: runId.trim(),
    mtimeMs: st.mtimeMs,
  };
}

export function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** upstream's rule: exists AND older than maxAge AND the pid is not alive */
export function lockIsStale(file: string, maxAgeMs = LOCK_STALE_MS, now = Date.now()): boolean {
  const info = readLock(file);
  if (!info) return false;
  return now - info.mtimeMs > maxAgeMs && !processAlive(info.pid);
}

export function writeLockPid(file: string, pid: number): void {
  fs.writeFileSync(file, `${pid}\n`);
}

/**
 * Removes the run lock only if it is the one `pid` took for `runId` (or any run of `pid` when
 * runId is null). The editor uses it after terminating a worker, which cannot release its lock.
 */
export function releaseRunLock(workspace: string, pid: number, runId: string | null): boolean {
  const cur = readLock(abs(workspace, rel.lock));
  if (!cur || cur.pid !== pid || (runId !== null && cur.runId !== runId)) return false;
  new CorpusWriter(workspace).removeFile(rel.lock);
  return true;
}

export interface HeldLock {
  path: string;
  release(): void;
}

/** Acquires the lock or throws DreamError('already running (pid N, since T)'). */
export function acquireRunLock(workspace: string, runId: string, degraded: string[], now = new Date()): HeldLock {
  const writer = new CorpusWriter(workspace);
  const file = abs(workspace, rel.lock);
  const body = `${process.pid}\n${now.toISOString()}\n${os.hostname()}\n${runId}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writer.createExclusive(rel.lock, body);
      return { path: file, release: () => void releaseRunLock(workspace, process.pid, runId) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const info = readLock(file);
    if (!info) continue; // vanished between create and read: try again
    const sameHost = !info.host || info.host === os.hostname();
    const old = now.getTime() - info.mtimeMs > LOCK_STALE_MS;
    const alive = processAlive(info.pid);
    // an unreadable pid in a brand-new file: someone is creating it right now
    const young = now.getTime() - info.mtimeMs < 10_000 && !info.pid;
    const reclaim = !young && (sameHost ? !alive : old && !alive);
    if (!reclaim) {
      throw new DreamError(
        `already running (pid ${info.pid || 'unknown'}, since ${info.startedAt || new Date(info.mtimeMs).toISOString()}${info.runId ? `, run ${info.runId}` : ''}); lock ${file}`,
        'already-running',
      );
    }
    // reclaim by moving the file aside first: if what moved is not the stale lock judged above
    // (another run reclaimed it in between and holds a fresh one), it goes back untouched
    const graveRel = `${rel.lock}.reclaim.${process.pid}.${Date.now()}`;
    try {
      writer.rename(rel.lock, graveRel);
    } catch {
      continue; // somebody else moved it: look again
    }
    const grave = abs(workspace, graveRel);
    const moved = fs.readFileSync(grave, 'utf8');
    if (moved !== info.text) {
      try {
        fs.linkSync(grave, file);
      } catch {
        /* a newer lock took the name; it stands */
      }
      writer.removeFile(graveRel);
      continue;
    }
    writer.removeFile(graveRel);
    degraded.push(
      `reclaimed stale run lock of process ${info.pid || 'unknown'} (started ${info.startedAt || 'unknown'}, no longer running)`,
    );
  }
  throw new DreamError(`could not acquire the run lock ${file}`, 'already-running');
}
