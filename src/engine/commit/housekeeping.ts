// Housekeeping at start (under the run lock, after crash recovery): temp files that killed atomic
// writes left behind, and empty staging folders. Only Dream's own temp names are touched, only in
// the folders Dream writes, only when the process that made them is gone.
import fs from 'node:fs';
import path from 'node:path';
import { LEGACY_TEMP_RE, TEMP_NAME_RE } from '../core/fsutil';
import { abs, agentsDir } from '../core/paths';
import { processAlive } from './lock';
import { CorpusWriter, MUTABLE_PREFIXES } from './writer';

/** pid of the process that made a Dream temp file, or null when the name is not one */
export function tempOwner(name: string): number | null {
  const m = TEMP_NAME_RE.exec(name);
  if (m) return parseInt(m[1]!, 36);
  const l = LEGACY_TEMP_RE.exec(name);
  return l ? Number(l[1]) : null;
}

function isStaleTemp(name: string): boolean {
  const pid = tempOwner(name);
  return pid !== null && pid !== process.pid && (pid === 0 || !processAlive(pid));
}

/**
 * rel paths of the stale Dream temp files directly in one folder, or [] when the folder holds
 * anything else (or is missing): only a folder nothing but killed writes left in may be emptied.
 */
export function staleTempsIn(workspace: string, relDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(abs(workspace, relDir), { withFileTypes: true });
  } catch {
    return [];
  }
  if (!entries.every((e) => e.isFile() && isStaleTemp(e.name))) return [];
  return entries.map((e) => `${relDir}/${e.name}`);
}

/** rel paths (to .agents/) of stale Dream temp files: the root and rpi/ flat, Dream's folders deep */
export function findStaleTemps(workspace: string): string[] {
  const root = agentsDir(workspace);
  const out: string[] = [];
  const visit = (relDir: string, deep: boolean) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(relDir ? path.join(root, ...relDir.split('/')) : root, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isFile()) {
        if (isStaleTemp(e.name)) out.push(r);
      } else if (deep && e.isDirectory()) visit(r, true); // Dirent of a symlink is never a directory: not followed
    }
  };
  visit('', false);
  visit('rpi', false);
  for (const p of MUTABLE_PREFIXES) visit(p.replace(/\/$/, ''), true);
  return out;
}

/** Removes stale temps and empty staging folders; returns one action line per kind cleaned. */
export function cleanStaleTemps(workspace: string): string[] {
  const writer = new CorpusWriter(workspace);
  const actions: string[] = [];
  const temps = findStaleTemps(workspace);
  const removed: string[] = [];
  const failed: string[] = [];
  for (const t of temps) {
    try {
      writer.removeStaleTemp(t);
      removed.push(t);
    } catch (e) {
      failed.push(`.agents/${t} (${(e as Error).message})`);
    }
  }
  if (removed.length)
    actions.push(
      `removed ${removed.length} stale temp file(s) left by an interrupted write (${removed
        .slice(0, 3)
        .map((r) => `.agents/${r}`)
        .join(', ')}${removed.length > 3 ? ', …' : ''})`,
    );
  if (failed.length) actions.push(`could not remove ${failed.length} stale temp file(s): ${failed.slice(0, 3).join(', ')}`);
  // empty folders under overnight/staging
  let emptied = 0;
  const staging = abs(workspace, 'overnight/staging');
  try {
    for (const e of fs.readdirSync(staging, { withFileTypes: true }))
      if (e.isDirectory() && writer.removeEmptyDir(`overnight/staging/${e.name}`)) emptied++;
  } catch {
    /* no staging folder */
  }
  if (emptied) actions.push(`removed ${emptied} empty staging folder(s)`);
  return actions;
}
