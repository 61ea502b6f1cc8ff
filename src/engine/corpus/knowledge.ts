// Reading knowledge out of notes: ids, titles, citations, maturity, staleness, references.
import path from 'node:path';
import fs from 'node:fs';
import { normaliseForDedupe } from './text';
import { firstHeading, noteDate, str, strList, type Note } from './note';

export const MATURITY_ORDER = ['draft', 'provisional', 'accepted', 'stable', 'promoted'] as const;
export const PROVISIONAL_OR_HIGHER = new Set(['provisional', 'accepted', 'stable', 'promoted']);
/** maturities exempt from age-based archiving */
export const AGE_EXEMPT = new Set(['stable', 'promoted']);
export const REQUIRED_KEYS = ['title', 'date', 'maturity'] as const;

export function maturityOf(n: Note): string {
  const d = derived(n);
  return (d.maturity ??= (str(n.fm.maturity) ?? '').trim().toLowerCase());
}

export function maturityRank(m: string): number {
  const i = (MATURITY_ORDER as readonly string[]).indexOf(m);
  return i < 0 ? -1 : i;
}

export function noteId(n: Note): string {
  return str(n.fm.id)?.trim() || path.posix.basename(n.rel, '.md');
}

export function noteTitle(n: Note): string {
  return str(n.fm.title)?.trim() || firstHeading(n.body) || path.posix.basename(n.rel, '.md');
}

/** citations as written (path or path:line) */
export function citationsOf(n: Note): string[] {
  const d = derived(n);
  return (d.citations ??= strList(n.fm.citations));
}

const citationPaths = new Map<string, string>();
export function citationPath(c: string): string {
  let p = citationPaths.get(c);
  if (p === undefined) {
    // strip ":line", ":line-line" and "#L10" suffixes
    p = c
      .replace(/#L\d+(-L?\d+)?$/, '')
      .replace(/:\d+(-\d+)?$/, '')
      .trim();
    if (citationPaths.size > 100_000) citationPaths.clear();
    citationPaths.set(c, p);
  }
  return p;
}

export function hasSource(n: Note): boolean {
  if (citationsOf(n).length) return true;
  for (const k of ['source', 'source_bead', 'source_session']) {
    const v = n.fm[k];
    if (v != null && !(typeof v === 'string' && v.trim() === '')) return true;
  }
  return false;
}

export function isVisible(n: Note): boolean {
  const d = derived(n);
  return (d.visible ??= computeVisible(n));
}

function computeVisible(n: Note): boolean {
  if (n.fmError || !n.utf8) return false;
  if (maturityOf(n) === 'archived') return false;
  const sup = n.fm.superseded_by;
  return sup == null || (typeof sup === 'string' && sup.trim() === '');
}

export function hasRequiredKeys(n: Note): boolean {
  if (!n.utf8 || !n.hasFrontmatter || n.fmError) return false;
  return REQUIRED_KEYS.every((k) => n.fm[k] != null && String(n.fm[k]).trim() !== '');
}

/** Cited-path existence checks, cached per iteration. Paths are workspace-relative. */
export class CitationChecker {
  private cache = new Map<string, boolean>();
  constructor(
    private workspace: string,
    private agentsExists: (relInAgents: string) => boolean,
  ) {}
  exists(citation: string): boolean {
    const p = citationPath(citation);
    if (!p) return false;
    let hit = this.cache.get(p);
    if (hit === undefined) {
      hit = this.check(p);
      this.cache.set(p, hit);
    }
    return hit;
  }
  private check(p: string): boolean {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return true; // URLs are not checked offline
    const clean = p.replace(/^\.\//, '');
    if (path.isAbsolute(clean) || clean.split('/').includes('..')) return false;
    if (clean.startsWith('.agents/') && this.agentsExists(clean.slice('.agents/'.length))) return true;
    try {
      fs.lstatSync(path.join(this.workspace, clean));
      return true;
    } catch {
      return false;
    }
  }
}

export function isStale(n: Note, now: Date, staleDays: number, referenced: boolean): boolean {
  if (referenced || AGE_EXEMPT.has(maturityOf(n))) return false;
  const dv = derived(n);
  if (dv.date === undefined) dv.date = noteDate(n.fm.date);
  const d = dv.date;
  if (!d) return false;
  return now.getTime() - d.getTime() > staleDays * 86_400_000;
}

/** dedupe text: the title and the body, so metadata differences do not hide a duplicate */
export function dedupeText(n: Note): string {
  return `${noteTitle(n)}\n${n.body}`;
}

/** Per-note derived values, cached on the (immutable, content-addressed) Note object. */
interface Derived {
  norm?: string;
  title?: string;
  summary?: string;
  citations?: string[];
  maturity?: string;
  visible?: boolean;
  date?: Date | null;
}
const derivedCache = new WeakMap<Note, Derived>();
function derived(n: Note): Derived {
  let d = derivedCache.get(n);
  if (!d) derivedCache.set(n, (d = {}));
  return d;
}

export function dedupeItem(n: Note): { key: string; text: string; norm: string } {
  const d = derived(n);
  if (d.norm === undefined) d.norm = normaliseForDedupe(dedupeText(n));
  return { key: n.rel, text: '', norm: d.norm };
}

export function cachedTitle(n: Note): string {
  const d = derived(n);
  return (d.title ??= noteTitle(n));
}

/** the first ~240 characters of prose (headings dropped), for the retrieval index */
export function noteSummary(n: Note): string {
  const d = derived(n);
  if (d.summary === undefined) {
    const text = n.body
      .split(/\r?\n/)
      .filter((l) => !/^#/.test(l.trim()))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    d.summary = text.length > 240 ? text.slice(0, 237) + '...' : text;
  }
  return d.summary;
}

/** Text of patterns/ and research/, lower-cased, for "is this note referenced" checks. */
let lastReferenceIndex: ReferenceIndex | null = null;
/** the same texts give the same index (and its per-note memo) */
export function referenceIndexFor(texts: string[]): ReferenceIndex {
  const joined = texts.join('\n').toLowerCase();
  if (lastReferenceIndex && lastReferenceIndex.source === joined) return lastReferenceIndex;
  return (lastReferenceIndex = new ReferenceIndex(texts));
}

export class ReferenceIndex {
  private text: string;
  private memo = new WeakMap<Note, boolean>();
  constructor(texts: string[]) {
    this.text = texts.join('\n').toLowerCase();
  }
  get source(): string {
    return this.text;
  }
  references(n: Note): boolean {
    let r = this.memo.get(n);
    if (r === undefined) this.memo.set(n, (r = this.lookup(n)));
    return r;
  }
  private lookup(n: Note): boolean {
    const base = path.posix.basename(n.rel).toLowerCase();
    const stem = base.replace(/\.md$/, '');
    if (this.text.includes(base)) return true;
    if (stem.length >= 6 && this.text.includes(stem)) return true;
    const id = str(n.fm.id)?.trim().toLowerCase();
    return !!id && id.length >= 4 && this.text.includes(id);
  }
}

export function slugify(s: string, max = 48): string {
  const slug = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, max).replace(/-+$/, '') || 'note';
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
