// Promote Draft (no vscode import): a person moves a Tier 1 draft from knowledge/pending/ into
// learnings/, recording that a human promoted it. Dream itself never promotes.
import fs from 'node:fs';
import path from 'node:path';
import { abs, CorpusWriter, isEditable, parseNote, str, patchFrontmatter } from '../../engine';
import { PENDING_DIR } from './drafts';
import { readRegularFile } from '../../engine';

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

export class PromoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromoteError';
  }
}

/** "knowledge/pending/x.md", ".agents/knowledge/pending/x.md", an absolute path or a bare name → the draft's path relative to .agents/ */
export function draftRel(workspace: string, input: string): string {
  const agents = abs(workspace, '');
  const full = path.isAbsolute(input) ? input : fs.existsSync(path.resolve(workspace, input)) ? path.resolve(workspace, input) : null;
  let rel: string;
  if (full) rel = path.relative(agents, full).split(path.sep).join('/');
  else rel = input.replace(/\\/g, '/').replace(/^\.agents\//, '');
  if (!rel.includes('/')) rel = `${PENDING_DIR}/${rel}`;
  if (!rel.startsWith(`${PENDING_DIR}/`) || rel.slice(PENDING_DIR.length + 1).includes('/') || !rel.endsWith('.md'))
    throw new PromoteError(`"${input}" is not a draft: drafts are .md files directly in .agents/${PENDING_DIR}/`);
  return rel;
}

export interface Promotion {
  from: string;
  to: string;
  title: string;
}

/**
 * A person promotes one draft: the note moves from knowledge/pending/ to learnings/ (a free name)
 * with needs_review: false, promoted_by: human, promoted_at and promoted_from; the draft is gone
 * from pending/ only once the learning is written. Refused in an untrusted workspace.
 */
export function promoteDraft(workspace: string, input: string, opts: { trusted: boolean; now?: Date }): Promotion {
  if (!opts.trusted) throw new PromoteError('promoting a draft is disabled in an untrusted workspace; trust the workspace first');
  const rel = draftRel(workspace, input);
  const full = abs(workspace, rel);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    throw new PromoteError(`no draft at .agents/${rel}`);
  }
  if (st.isSymbolicLink() || !st.isFile()) throw new PromoteError(`.agents/${rel} is not a regular file (Dream does not follow symlinks)`);
  const bytes = readRegularFile(full) ?? Buffer.alloc(0);
  const note = parseNote(rel, bytes);
  let out: Buffer;
  try {
    out = promotedBytes(rel, bytes, opts.now);
  } catch (e) {
    throw new PromoteError((e as Error).message);
  }
  const target = promotionTarget(workspace, path.basename(rel));
  out = patchFrontmatter(parseNote(target, out), { promoted_from: `.agents/${rel}` });
  const w = new CorpusWriter(workspace);
  w.write(target, out);
  w.removeFile(rel);
  return { from: rel, to: target, title: str(note.fm.title) ?? path.basename(rel, '.md') };
}
