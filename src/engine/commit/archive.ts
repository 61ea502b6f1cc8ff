// `dream archive PATH...`: the command a morning proposal names (§4.2, §5.5). A person archives a
// learning after a look: it moves to learnings/.archive/ with archived_reason, archived_at and
// archived_from_maturity (never deleted), in one atomic commit-marker operation under the run lock,
// its before-image kept under overnight/archives/.
import fs from 'node:fs';
import path from 'node:path';
import { DreamError } from '../core/api';
import { abs, agentsDir } from '../core/paths';
import { kindOf } from '../corpus/corpus';
import { maturityOf } from '../corpus/knowledge';
import { isEditable, parseNote, patchFrontmatter } from '../corpus/note';
import { Staging, recoverFromCrash, recoveryNotes } from './checkpoint';
import { acquireRunLock } from './lock';
import { readRegularFile } from '../core/fsutil';

export interface ArchiveResult {
  moved: { from: string; to: string }[];
  notes: string[];
}

/** `.agents/learnings/x.md`, `learnings/x.md` or an absolute path -> `learnings/x.md` (relative to .agents/) */
function learningRel(workspace: string, p: string): string {
  const root = agentsDir(workspace);
  const resolved = path.isAbsolute(p) ? p : p.startsWith('.agents/') ? path.join(path.resolve(workspace), p) : path.join(root, p);
  const r = path.relative(root, resolved).split(path.sep).join('/');
  if (r.startsWith('..') || path.isAbsolute(r) || kindOf(r) !== 'learning')
    throw new DreamError(`cannot archive "${p}": not a live learning under .agents/learnings/`);
  return r;
}

export function archiveLearnings(o: { workspace: string; paths: string[]; reason?: string; now?: () => Date }): ArchiveResult {
  const workspace = path.resolve(o.workspace);
  const now = o.now ?? (() => new Date());
  if (!o.paths.length) throw new DreamError('nothing to archive: name at least one learning');
  const rels = [...new Set(o.paths.map((p) => learningRel(workspace, p)))];
  const notes: string[] = [];
  const stamp = now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const lock = acquireRunLock(workspace, `archive-${stamp}`, notes, now());
  try {
    notes.push(...recoveryNotes(recoverFromCrash(workspace)));
    const id = `archive-${stamp}`;
    const staging = new Staging(workspace, id, 0, id, `overnight/archives/${stamp}/before`);
    const moved: ArchiveResult['moved'] = [];
    const day = now().toISOString().slice(0, 10);
    for (const r of rels) {
      let bytes: Buffer;
      try {
        const read = readRegularFile(abs(workspace, r));
        if (!read) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        bytes = read;
      } catch (e) {
        throw new DreamError(
          `cannot archive ".agents/${r}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        );
      }
      const n = parseNote(r, bytes);
      if (!isEditable(n))
        throw new DreamError(
          `cannot archive ".agents/${r}": its frontmatter cannot be edited safely (${n.fmError ?? 'no frontmatter block'}); move it by hand`,
        );
      const inner = r.replace(/^learnings\//, '');
      let target = `learnings/.archive/${inner}`;
      for (let i = 2; fs.existsSync(abs(workspace, target)); i++) target = `learnings/.archive/${inner.replace(/\.md$/, '')}-${i}.md`;
      staging.write(
        target,
        patchFrontmatter(n, {
          maturity: 'archived',
          archived_at: day,
          archived_reason: o.reason ?? 'archived by hand after review',
          archived_from_maturity: maturityOf(n) || 'provisional',
        }),
      );
      staging.remove(r);
      moved.push({ from: `.agents/${r}`, to: `.agents/${target}` });
    }
    staging.commit({});
    return { moved, notes };
  } finally {
    lock.release();
  }
}
