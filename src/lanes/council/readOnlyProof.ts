// Read-only proof (contract §7): a manifest (type, size, mtime, inode) of every entry of the
// workspace outside .agents/overnight/ (Dream's own runtime folder, where the council writes its
// packet and reports), taken before and after each runner. Symlinks are recorded, never followed.
import fs from 'node:fs';
import path from 'node:path';

export interface Manifest {
  entries: Map<string, string>;
  /** true when the walk stopped at MAX_ENTRIES */
  truncated: boolean;
}

export const MAX_ENTRIES = 500_000;
const EXCLUDED = path.join('.agents', 'overnight');

export function takeManifest(workspace: string, max = MAX_ENTRIES): Manifest {
  const root = path.resolve(workspace);
  const entries = new Map<string, string>();
  let truncated = false;
  const walk = (rel: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, rel));
    } catch (e) {
      entries.set(rel || '.', `unreadable:${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      return;
    }
    names.sort();
    for (const name of names) {
      if (entries.size >= max) {
        truncated = true;
        return;
      }
      const r = rel ? path.join(rel, name) : name;
      if (r === EXCLUDED) continue;
      let st: fs.BigIntStats;
      try {
        st = fs.lstatSync(path.join(root, r), { bigint: true });
      } catch {
        continue; // vanished between readdir and lstat: the next manifest says so
      }
      if (st.isSymbolicLink()) {
        let target = '';
        try {
          target = fs.readlinkSync(path.join(root, r));
        } catch {
          /* unreadable link */
        }
        entries.set(r, `link:${target}:${st.ino}`);
      } else if (st.isDirectory()) {
        entries.set(r, 'dir');
        walk(r);
      } else entries.set(r, `file:${st.size}:${st.mtimeNs}:${st.ino}`);
    }
  };
  walk('');
  return { entries, truncated };
}

export interface ManifestDiff {
  added: string[];
  removed: string[];
  modified: string[];
}

export function diffManifests(before: Manifest, after: Manifest): ManifestDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  for (const [p, v] of after.entries) {
    const b = before.entries.get(p);
    if (b === undefined) added.push(p);
    else if (b !== v) modified.push(p);
  }
  for (const p of before.entries.keys()) if (!after.entries.has(p)) removed.push(p);
  return { added: added.sort(), removed: removed.sort(), modified: modified.sort() };
}

export function diffCount(d: ManifestDiff): number {
  return d.added.length + d.removed.length + d.modified.length;
}

/** "src/a.ts (modified), new.txt (added) and 3 more" */
export function describeDiff(d: ManifestDiff, max = 8): string {
  const all = [
    ...d.modified.map((p) => `${p} (modified)`),
    ...d.added.map((p) => `${p} (added)`),
    ...d.removed.map((p) => `${p} (removed)`),
  ];
  const shown = all.slice(0, max).join(', ');
  return all.length > max ? `${shown} and ${all.length - max} more` : shown;
}
