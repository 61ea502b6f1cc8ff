// Metadata integrity: a note Dream kept must keep every frontmatter key it had.
import type { CorpusView } from '../corpus/corpus';
import { kindOf } from '../corpus/corpus';
import { parseNote } from '../corpus/note';
import { abs } from '../core/paths';
import type { Change } from '../core/schemas';
import { readRegularFile } from '../core/fsutil';

export interface StrippedField {
  file: string;
  key: string;
}

function keysOf(bytes: Buffer | null, rel: string): Set<string> | null {
  if (!bytes) return null;
  const n = parseNote(rel, bytes);
  if (!n.utf8 || n.fmError) return null;
  return new Set(Object.keys(n.fm));
}

/** Pre-commit: every live learning that survives in the staged view (same path or moved) keeps its keys. */
export function verifyStaged(view: CorpusView, changes: Change[]): StrippedField[] {
  const moved = new Map(changes.filter((c) => c.moved_to).map((c) => [c.path, c.moved_to!]));
  const out: StrippedField[] = [];
  // only a staged path (changed, or removed by a move) can differ from its base note
  for (const rel of view.stagedPaths()) {
    const before = view.base.notes.get(rel);
    if (!before) continue;
    const kind = kindOf(rel);
    if (kind !== 'learning' && kind !== 'archive' && kind !== 'pending') continue;
    if (!before.utf8 || before.fmError) continue;
    const now = view.note(moved.get(rel) ?? rel);
    if (!now) continue; // removed without a move: caught elsewhere (Dream never deletes)
    if (now.bytes === before.bytes) continue;
    const after = now.fmError || !now.utf8 ? new Set<string>() : new Set(Object.keys(now.fm));
    for (const k of Object.keys(before.fm)) if (!after.has(k)) out.push({ file: rel, key: k });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.key < b.key ? -1 : 1));
}

/** Dream never deletes a note: every removed note path must have been moved somewhere. */
export function verifyNoSilentDelete(view: CorpusView, changes: Change[]): string[] {
  const moved = new Set(changes.filter((c) => c.moved_to).map((c) => c.path));
  const out: string[] = [];
  for (const rel of view.stagedPaths()) if (view.base.notes.has(rel) && !view.note(rel) && !moved.has(rel)) out.push(rel);
  return out.sort();
}

/**
 * Post-commit: compare each before-image with the live file it became. `known.before` gives the
 * bytes a before-image holds (kept in memory by the commit); `known.staged` the bytes the commit
 * wrote, already checked before COMMIT: a live file holding exactly those needs no second parse.
 */
export function verifyCommitted(
  workspace: string,
  changes: Change[],
  known: { before?: (rel: string) => Buffer | null; staged?: (rel: string) => Buffer | null } = {},
): StrippedField[] {
  const out: StrippedField[] = [];
  for (const c of changes) {
    if (!c.before || !c.path.endsWith('.md')) continue;
    const livePath = c.moved_to ?? c.path;
    const live = readOrNull(abs(workspace, livePath));
    const staged = known.staged?.(livePath);
    if (live && staged && live.equals(staged)) continue;
    const beforeKeys = keysOf(known.before?.(c.path) ?? readOrNull(abs(workspace, c.before)), c.path);
    if (!beforeKeys) continue;
    const liveKeys = keysOf(live, livePath) ?? new Set<string>();
    for (const k of beforeKeys) if (!liveKeys.has(k)) out.push({ file: livePath, key: k });
  }
  return out;
}

function readOrNull(p: string): Buffer | null {
  try {
    return readRegularFile(p);
  } catch {
    return null;
  }
}
