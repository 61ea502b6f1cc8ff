// Promote Draft (no vscode import): a person moves a Tier 1 draft from knowledge/pending/ into
// learnings/, recording that a human promoted it. Dream itself never promotes.
import fs from 'node:fs';
import path from 'node:path';
import { abs, isEditable, parseNote, str, patchFrontmatter } from '../../engine';

export const PENDING_DIR = 'knowledge/pending';

export interface Draft {
  /** path relative to .agents/ */
  rel: string;
  name: string;
  title: string;
  status: string;
  needsReview: boolean;
  editable: boolean;
  problem: string | null;
}

export async function listDrafts(workspace: string): Promise<Draft[]> {
  const dir = abs(workspace, PENDING_DIR);
  let names: string[];
  try {
    names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.md')).sort();
  } catch {
    return [];
  }
  const out: Draft[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    try {
      const st = await fs.promises.lstat(full);
      if (!st.isFile()) continue; // never follow symlinks
      const note = parseNote(`${PENDING_DIR}/${name}`, await fs.promises.readFile(full));
      out.push({
        rel: `${PENDING_DIR}/${name}`,
        name,
        title: str(note.fm.title) ?? name.replace(/\.md$/, ''),
        status: str(note.fm.status) ?? 'unknown',
        needsReview: note.fm.needs_review === true,
        editable: isEditable(note),
        problem: isEditable(note) ? null : (note.fmError ?? 'no frontmatter block'),
      });
    } catch (e) {
      out.push({
        rel: `${PENDING_DIR}/${name}`,
        name,
        title: name,
        status: 'unreadable',
        needsReview: false,
        editable: false,
        problem: (e as Error).message,
      });
    }
  }
  return out;
}

/** The promoted note's bytes: needs_review false, promoted_by human, promoted_at now. */
export function promotedBytes(rel: string, bytes: Buffer, now = new Date()): Buffer {
  const note = parseNote(rel, bytes);
  if (!isEditable(note))
    throw new Error(`${rel}: cannot promote a draft without a readable frontmatter block (${note.fmError ?? 'no frontmatter'})`);
  return patchFrontmatter(note, { needs_review: false, promoted_by: 'human', promoted_at: now.toISOString() });
}

/** learnings/<name>, or learnings/<stem>-2.md … when the name is taken */
export function promotionTarget(workspace: string, name: string, exists: (p: string) => boolean = (p) => fs.existsSync(p)): string {
  const stem = name.replace(/\.md$/, '');
  for (let i = 1; i < 1000; i++) {
    const rel = `learnings/${i === 1 ? stem : `${stem}-${i}`}.md`;
    if (!exists(abs(workspace, rel))) return rel;
  }
  throw new Error(`no free name for ${name} in learnings/`);
}
