// Reading knowledge out of notes: ids, titles, citations, maturity, staleness, references.
import path from 'node:path';
import fs from 'node:fs';
import { toSet, type SigEntry } from './shingles';
import { addReferenceTokens, nearDuplicateShingles } from './textScan';
import { own } from './text';
import { firstHeading, noteDate, str, strList, type Note } from './note';

/**
 * §2.1 maturity ladder: draft < provisional < candidate < accepted = confirmed = validated <
 * established < stable < promoted. Missing or unknown = provisional (the value is kept as written);
 * `anti-pattern` is a kind of knowledge (counted as provisional, never promoted); `archived` is retired.
 */
export const MATURITY_LADDER: Readonly<Record<string, number>> = {
  draft: 0,
  provisional: 1,
  candidate: 2,
  accepted: 3,
  confirmed: 3,
  validated: 3,
  established: 4,
  stable: 5,
  promoted: 6,
};
export const ESTABLISHED_RANK = MATURITY_LADDER.established!;

/** the maturity as written, lower-cased ('' when missing) */
export function maturityOf(n: Note): string {
  const d = derived(n);
  return (d.maturity ??= (str(n.fm.maturity) ?? '').trim().toLowerCase());
}

/** rank on the ladder: archived -1, missing/unknown/anti-pattern = provisional (1) */
export function maturityRank(m: string): number {
  if (m === 'archived') return -1;
  return MATURITY_LADDER[m] ?? MATURITY_LADDER.provisional!;
}

export function isProvisionalOrHigher(m: string): boolean {
  return maturityRank(m) >= MATURITY_LADDER.provisional!;
}

export function isAntiPattern(n: Note): boolean {
  return maturityOf(n) === 'anti-pattern' || (str(n.fm.type) ?? '').trim().toLowerCase() === 'anti-pattern';
}

/** §2.1 date: `date`, `created_at`, `created`, else the file name's YYYY-MM-DD prefix */
export function noteDateOf(n: Note): Date | null {
  const d = derived(n);
  if (d.date === undefined)
    d.date =
      noteDate(n.fm.date) ??
      noteDate(n.fm.created_at) ??
      noteDate(n.fm.created) ??
      noteDate(/^\d{4}-\d{2}-\d{2}/.exec(path.posix.basename(n.rel))?.[0]);
  return d.date;
}

/** §2.1 confidence: a number 0..1 or low/medium/high; null when absent */
export function confidenceOf(n: Note): number | null {
  const v = n.fm.confidence;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.max(0, Math.min(1, v));
  const s = (str(v) ?? '').trim().toLowerCase();
  if (s === 'low') return 0.3;
  if (s === 'medium') return 0.6;
  if (s === 'high') return 0.9;
  const x = Number(s);
  return s !== '' && Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : null;
}

const num = (v: unknown): number => {
  const x = typeof v === 'number' ? v : Number(str(v));
  return Number.isFinite(x) ? x : 0;
};

/**
 * §4.2 usage evidence: helpful_count or reward_count > 0, utility >= 0.55, last_reward_at or
 * last_used within `staleDays`, or a `.agents/ao/citations.jsonl` use within `staleDays`.
 */
export function hasUsageEvidence(n: Note, now: Date, staleDays: number, uses?: UsageLog): boolean {
  if (num(n.fm.helpful_count) > 0 || num(n.fm.reward_count) > 0) return true;
  if (num(n.fm.utility) >= 0.55) return true;
  const window = staleDays * 86_400_000;
  for (const k of ['last_reward_at', 'last_used']) {
    const d = noteDate(n.fm[k]);
    if (d && now.getTime() - d.getTime() <= window) return true;
  }
  return !!uses && uses.usedWithin(n, now, staleDays);
}

/** uses recorded in `.agents/ao/citations.jsonl` (one use per line), keyed by the names they mention */
export class UsageLog {
  /** name -> newest use time (NaN when a use has no readable time: counted as recent) */
  private last = new Map<string, number>();
  constructor(raw: Buffer | null) {
    if (!raw) return;
    for (const line of raw.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        continue;
      }
      if (!obj || typeof obj !== 'object') continue;
      const rec = obj as Record<string, unknown>;
      let when = NaN;
      for (const k of ['timestamp', 'cited_at', 'used_at', 'created_at', 'time', 'ts', 'at', 'date']) {
        const d = noteDate(rec[k]);
        if (d) {
          when = d.getTime();
          break;
        }
      }
      const strings: string[] = [];
      const collect = (v: unknown, depth: number) => {
        if (typeof v === 'string') strings.push(v);
        else if (depth < 3 && v && typeof v === 'object') for (const x of Object.values(v)) collect(x, depth + 1);
      };
      collect(rec, 0);
      for (const t of new Set(strings.flatMap((s) => [...referenceTokens(s).keys()]))) {
        const prev = this.last.get(t);
        if (prev === undefined || Number.isNaN(when) || (!Number.isNaN(prev) && when > prev)) this.last.set(t, when);
      }
    }
  }
  usedWithin(n: Note, now: Date, staleDays: number): boolean {
    for (const k of referenceKeys(n)) {
      const t = this.last.get(k);
      if (t === undefined) continue;
      if (Number.isNaN(t) || now.getTime() - t <= staleDays * 86_400_000) return true;
    }
    return false;
  }
}

export function noteId(n: Note): string {
  return str(n.fm.id)?.trim() || path.posix.basename(n.rel, '.md');
}

export function noteTitle(n: Note): string {
  return str(n.fm.title)?.trim() || bodyHeading(n) || path.posix.basename(n.rel, '.md');
}

/** the body's first `# ` heading, once per note */
function bodyHeading(n: Note): string | undefined {
  const d = derived(n);
  if (d.heading === undefined) d.heading = firstHeading(n.body) ?? null;
  return d.heading ?? undefined;
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

/** §2.1 provenance: source, source_*, promoted_from, source_learnings, related, citations, or cited paths in a source section */
export function hasSource(n: Note): boolean {
  const d = derived(n);
  return (d.source ??= computeHasSource(n));
}
function computeHasSource(n: Note): boolean {
  for (const [k, v] of Object.entries(n.fm)) {
    if (!(k === 'source' || k.startsWith('source_') || k === 'promoted_from' || k === 'related' || k === 'citations')) continue;
    if (v != null && !(typeof v === 'string' && v.trim() === '') && !(Array.isArray(v) && v.length === 0)) return true;
  }
  return citedPathsOf(n).length > 0;
}

const SOURCE_SECTION = /^(#{2,6})[ \t]+(sources?|evidence|references)\b.*$/i;
/** a line that could open a source section, anywhere in a body */
const SOURCE_ANYWHERE = /^#{2,6}[ \t]+(sources?|evidence|references)\b/im;

/**
 * §2.1 cited paths: `citations` plus repository paths named in a `## Source(s)`, `## Evidence` or
 * `## References` section (backticked paths, or bare tokens with a folder and a file name).
 */
export function citedPathsOf(n: Note): string[] {
  const d = derived(n);
  if (d.cited) return d.cited;
  const body = (d.bodyCited ??= bodyCitedPaths(n.body));
  const fm = citationsOf(n);
  return (d.cited = body.length ? [...new Set([...fm, ...body])] : [...new Set(fm)]);
}

/** the repository paths a body names in its source sections, in order */
function bodyCitedPaths(body: string): string[] {
  // most bodies have no source section: one native scan says so
  if (!SOURCE_ANYWHERE.test(body)) return [];
  const out = new Set<string>();
  const lines = body.split(/\r?\n/);
  let level = 0;
  let inFence = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^(#{1,6})[ \t]+/.exec(line);
    if (h) {
      const m = SOURCE_SECTION.exec(line);
      if (m) level = m[1]!.length;
      else if (level && h[1]!.length <= level) level = 0;
      continue;
    }
    if (!level) continue;
    const add = (t: string) => {
      const p = t.replace(/[.,;:)\]]+$/, '');
      if (looksLikePath(p)) out.add(own(p));
    };
    for (const t of line.matchAll(/`([^`\s]+)`/g)) add(t[1]!);
    for (const t of line
      .replace(/`[^`]*`/g, ' ')
      .matchAll(/(?:^|[\s(])((?:\.{1,2}\/)?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+(?::\d+(?:-\d+)?)?)/g))
      add(t[1]!);
  }
  return [...out];
}

/** a repository path: a folder path with a file extension or a trailing slash (a bare file name could live anywhere) */
function looksLikePath(p: string): boolean {
  if (!p || /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('/') || p.startsWith('-') || /[<>*{}$|]/.test(p)) return false;
  if (!/[A-Za-z]/.test(p) || /^\d+\/\d+/.test(p)) return false;
  const file = /\/?[^/]+\.[A-Za-z][A-Za-z0-9]{0,5}(:\d+(-\d+)?)?$/.test(p);
  return p.includes('/') && (file || p.endsWith('/'));
}

/** live: not archived and not superseded (a note whose YAML was read leniently still counts) */
export function isVisible(n: Note): boolean {
  const d = derived(n);
  return (d.visible ??= computeVisible(n));
}

function computeVisible(n: Note): boolean {
  if (maturityOf(n) === 'archived') return false;
  const sup = n.fm.superseded_by;
  return sup == null || (typeof sup === 'string' && sup.trim() === '') || (Array.isArray(sup) && sup.length === 0);
}

/**
 * §4 frontmatter_validity: the metadata reads cleanly (YAML accepts it, or there is none) with a
 * title (`title` or a `# ` heading) and a date (§2.1). `title` is not a required key.
 */
export function readsCleanly(n: Note): boolean {
  if (!n.utf8 || n.fmError) return false;
  const hasTitle = !!str(n.fm.title)?.trim() || !!bodyHeading(n);
  return hasTitle && noteDateOf(n) !== null;
}

/** Cited-path existence checks, cached per iteration. Paths are workspace-relative. */
export class CitationChecker {
  private cache = new Map<string, boolean>();
  /**
   * `seen`: what earlier checks of this run found for paths outside .agents/ (a run's iterations
   * share it: a repository file is looked at once a night; the next night looks again).
   */
  constructor(
    private workspace: string,
    private agentsExists: (relInAgents: string) => boolean,
    private seen?: Map<string, boolean>,
  ) {}
  /** every cited path checked so far, and whether it existed (the corpus manifest records them) */
  checked(): IterableIterator<[string, boolean]> {
    return this.cache.entries();
  }
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
    const inCorpus = clean.startsWith('.agents/');
    if (inCorpus && this.agentsExists(clean.slice('.agents/'.length))) return true;
    const known = inCorpus ? undefined : this.seen?.get(clean);
    if (known !== undefined) return known;
    let found: boolean;
    try {
      found = fs.lstatSync(path.join(this.workspace, clean), { throwIfNoEntry: false }) !== undefined;
    } catch {
      found = false;
    }
    if (!inCorpus) this.seen?.set(clean, found);
    return found;
  }
}

export interface RetentionContext {
  now: Date;
  staleDays: number;
  references: ReferenceIndex;
  uses?: UsageLog;
  citations: CitationChecker;
}

/** protected from rule 2 of §4.2: usage evidence, established or above, or referenced */
export function isProtected(n: Note, c: RetentionContext): boolean {
  return maturityRank(maturityOf(n)) >= ESTABLISHED_RANK || hasUsageEvidence(n, c.now, c.staleDays, c.uses) || c.references.references(n);
}

/** §4.2 rule 2: every cited path broken for more than staleDays (stale_citation_since), and not protected */
export function isRotten(n: Note, c: RetentionContext): boolean {
  const cited = citedPathsOf(n);
  if (!cited.length || n.fm.stale_citation !== true) return false;
  const since = noteDate(n.fm.stale_citation_since);
  if (!since || c.now.getTime() - since.getTime() <= c.staleDays * 86_400_000) return false;
  if (cited.some((p) => c.citations.exists(p))) return false;
  return !isProtected(n, c);
}

/** older than staleDays by its §2.1 date (undated notes are not old) */
export function isOld(n: Note, now: Date, staleDays: number): boolean {
  const d = noteDateOf(n);
  return !!d && now.getTime() - d.getTime() > staleDays * 86_400_000;
}

/**
 * §4 freshness: evidence of life — a recent date, usage, a reference, or a cited path that exists.
 */
export function hasEvidenceOfLife(n: Note, c: RetentionContext): boolean {
  if (!isOld(n, c.now, c.staleDays) && noteDateOf(n)) return true;
  if (hasUsageEvidence(n, c.now, c.staleDays, c.uses) || c.references.references(n)) return true;
  return citedPathsOf(n).some((p) => c.citations.exists(p));
}

/** dedupe text: the title and the body, so metadata differences do not hide a duplicate */
export function dedupeText(n: Note): string {
  return `${noteTitle(n)}\n${n.body}`;
}

/** Per-note derived values, cached on the (immutable, content-addressed) Note object. */
interface Derived {
  sig?: SigEntry;
  /** Bloom filter of the body's words */
  words?: Uint32Array;
  title?: string;
  /** the body's first `# ` heading (null: none) */
  heading?: string | null;
  summary?: string;
  citations?: string[];
  maturity?: string;
  cited?: string[];
  /** the cited paths of the body's source sections */
  bodyCited?: string[];
  visible?: boolean;
  /** §2.1 provenance (hasSource) */
  source?: boolean;
  /** the note as a reference text (noteReferenceText) */
  refText?: ReferenceText;
  /** the note as a near-duplicate item (dedupeItem) */
  dedupe?: { key: string; text: string; entry: SigEntry };
  date?: Date | null;
  /** the note this one was edited from (same body): its tokens are the base of this one's */
  editedFrom?: Note;
  /** the names other texts may point at it by (referenceKeys) */
  keys?: string[];
}

/**
 * What the stages need of a note's body, worked out while its text is at hand (the note itself
 * decodes its body again only when asked): heading, index summary, cited paths, reference tokens.
 */
export function primeBodyFacts(n: Note, body: string): void {
  const d = derived(n);
  d.heading ??= firstHeading(body) ?? null;
  d.summary ??= summaryOf(body);
  d.bodyCited ??= bodyCitedPaths(body);
  if (!tokenMemo.has(n)) tokenMemo.set(n, compact(noteTokenCounts(n, body)));
}

/**
 * `next` was edited from `prior` (the same body, another frontmatter): what was read out of the
 * body is carried over — heading, summary, cited paths, reference tokens, and the near-duplicate
 * signature when the title is the same — so an edit costs the frontmatter, not the whole note.
 */
export function inheritBodyFacts(next: Note, prior: Note): void {
  const p = derivedCache.get(prior);
  if (!p) return;
  const d = derived(next);
  if (p.heading !== undefined) d.heading = p.heading;
  if (p.summary !== undefined) d.summary = p.summary;
  if (p.bodyCited) d.bodyCited = p.bodyCited;
  if (p.sig && next.rel === prior.rel && cachedTitle(next) === cachedTitle(prior)) d.sig = p.sig;
  if (p.words) d.words = p.words;
  if (tokenMemo.has(prior)) d.editedFrom = prior;
}
const derivedCache = new WeakMap<Note, Derived>();
function derived(n: Note): Derived {
  let d = derivedCache.get(n);
  if (!d) derivedCache.set(n, (d = {}));
  return d;
}

/** what a reader thread works out of a note: its reference tokens and, when asked, its signature */
export interface NoteFacts {
  tokens: { joined: string; counts: Uint32Array };
  /** the body's first heading (null: none), index summary and cited paths (primeBodyFacts) */
  heading: string | null;
  summary: string;
  bodyCited: string[];
  sig: Uint32Array | null;
  /** the Bloom filter of the body's words (with the signature) */
  words: Uint32Array | null;
}

/** computes (and keeps) a note's facts in this thread */
export function noteFacts(n: Note, withSig: boolean): NoteFacts {
  const tokens = tokensOf(noteReferenceText(n));
  const d = derived(n);
  return {
    tokens: { joined: tokens.joined, counts: tokens.counts },
    heading: bodyHeading(n) ?? null,
    summary: noteSummary(n),
    bodyCited: (d.bodyCited ??= bodyCitedPaths(n.body)),
    sig: withSig ? signatureOf(n).sig : null,
    words: withSig ? bodyWords(n) : null,
  };
}

/** takes facts another thread computed for a note (the same values noteFacts would give here) */
export function adoptFacts(n: Note, f: NoteFacts): void {
  if (!tokenMemo.has(n)) tokenMemo.set(n, { joined: f.tokens.joined, counts: f.tokens.counts });
  const d = derived(n);
  d.heading ??= f.heading;
  d.summary ??= f.summary;
  d.bodyCited ??= f.bodyCited;
  if (f.sig && !d.sig) d.sig = sigEntry(n, f.sig);
  if (f.words && !d.words) d.words = f.words;
}

/** the Bloom filter of the body's words (textScan.ts mayHoldWord), worked out with the signature */
export function bodyWords(n: Note): Uint32Array {
  const d = derived(n);
  if (!d.words) {
    const r = noteShingles(n, false, true);
    d.sig ??= sigEntry(n, r.sig!);
    d.words = r.words!;
  }
  return d.words;
}

/** the note as a near-duplicate item: its signature is computed once per note (content-addressed) */
export function dedupeItem(n: Note): { key: string; text: string; entry: SigEntry } {
  const d = derived(n);
  return (d.dedupe ??= { key: n.rel, text: '', entry: signatureOf(n) });
}

let hashScratch = new Uint32Array(1 << 14);
/**
 * The near-duplicate shingles of dedupeText(n): the signature, or the exact trigram hashes into
 * hashScratch. Read from the note's bytes, or from its lower-cased body where the bytes are not
 * enough (a capital sigma).
 */
function noteShingles(n: Note, exact: boolean, words = false): { sig: Uint32Array | null; count: number; words: Uint32Array | null } {
  const title = noteTitle(n);
  if (exact && hashScratch.length < n.bytes.length * 2 + title.length + 8)
    hashScratch = new Uint32Array(n.bytes.length * 2 + title.length + 8);
  const hashes = exact ? hashScratch : undefined;
  const fast = n.utf8 ? nearDuplicateShingles({ bytes: n.bytes, from: n.bodyOffset, end: n.bytes.length, title, hashes, words }) : null;
  if (fast) return fast;
  const lower = Buffer.from(n.utf8 ? n.body.toLowerCase() : '', 'utf8');
  return nearDuplicateShingles({ bytes: lower, from: 0, end: lower.length, title, hashes, words })!;
}

/** the note's near-duplicate signature, computed once per note (content-addressed) */
function signatureOf(n: Note): SigEntry {
  const d = derived(n);
  if (!d.sig) {
    // the words come with the same pass
    const r = noteShingles(n, false, !d.words);
    d.sig = sigEntry(n, r.sig!);
    d.words ??= r.words!;
  }
  return d.sig;
}

/**
 * a signature entry: the exact trigram set is computed only when a candidate pair needs it, and
 * not kept with the note (the SignatureCache keeps it while the iteration measures)
 */
function sigEntry(n: Note, sig: Uint32Array): SigEntry {
  return {
    sig,
    get shingles() {
      const { count } = noteShingles(n, true); // may grow hashScratch
      return toSet(hashScratch.subarray(0, count));
    },
  };
}

export function cachedTitle(n: Note): string {
  const d = derived(n);
  return (d.title ??= noteTitle(n));
}

/** the first ~240 characters of prose (headings dropped), for the retrieval index */
export function noteSummary(n: Note): string {
  const d = derived(n);
  return (d.summary ??= summaryOf(n.body));
}

/**
 * The body's lines that are not headings, joined with spaces, whitespace collapsed, trimmed, cut
 * at 240 characters. Only as many lines are read as the first 241 characters need: the first 237
 * characters of a collapsed prefix longer than 240 are those of the whole text.
 */
export function summaryOf(body: string): string {
  const parts: string[] = [];
  let raw = 0;
  let text = '';
  for (let at = 0; at <= body.length;) {
    let nl = body.indexOf('\n', at);
    if (nl < 0) nl = body.length;
    let line = body.slice(at, nl);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    at = nl + 1;
    if (/^#/.test(line.trim())) continue;
    parts.push(line);
    raw += line.length + 1;
    if (raw > 240) {
      text = parts.join(' ').replace(/\s+/g, ' ').trim();
      if (text.length > 240) return own(text.slice(0, 237) + '...');
    }
  }
  text = parts.join(' ').replace(/\s+/g, ' ').trim();
  return own(text.length > 240 ? text.slice(0, 237) + '...' : text);
}

/**
 * The names a text mentions, for §2.1 references: lower-cased name-like tokens (file names, stems,
 * ids: a token with a digit, `-`, `_` or `.`, or any word right after `/` or `[`, as in a path or a
 * wiki link), each with its count. `foo.md` also counts as `foo`. Plain prose words are skipped, so
 * the memo stays small.
 */
export function referenceTokens(text: string): Map<string, number> {
  const out = new Map<string, number>();
  addReferenceTokens(text.toLowerCase(), out);
  return out;
}

/**
 * A text's tokens memoised compactly (one flat string `\ntok\ntok\n` and a count per token) on its
 * owner: a Map per note would hold ~25 KB per note (over 1 GB at 50k notes), this holds ~3 KB.
 */
interface CompactTokens {
  joined: string;
  counts: Uint32Array;
}
const tokenMemo = new WeakMap<object, CompactTokens>();
function compact(m: Map<string, number>): CompactTokens {
  // join copies the characters: the memo keeps no slice of the source text alive
  const joined = '\n' + [...m.keys()].join('\n') + '\n';
  return { joined, counts: Uint32Array.from(m.values()) };
}
/** the tokens of compact tokens, in the order of their counts ([] when there are none) */
function tokenList(c: CompactTokens): string[] {
  return c.joined.length > 2 ? c.joined.slice(1, -1).split('\n') : [];
}
/** adds the reference tokens of a note's frontmatter to `m` */
function frontmatterTokens(n: Note, m = new Map<string, number>()): Map<string, number> {
  if (n.utf8) addReferenceTokens(n.fmText.toLowerCase(), m);
  return m;
}
/**
 * A note's reference tokens: its frontmatter's, then its body's (`body`: the text when the note has
 * not decoded it yet; the frontmatter ends with a line break, so no token spans the two).
 */
function noteTokenCounts(n: Note, body?: string): Map<string, number> {
  const m = frontmatterTokens(n);
  if (n.utf8) addReferenceTokens((body ?? n.body).toLowerCase(), m);
  return m;
}
/** how many times `token` occurs in the compact tokens (0 when absent) */
function countIn(c: CompactTokens, token: string): number {
  const at = c.joined.indexOf('\n' + token + '\n');
  if (at < 0) return 0;
  let index = 0;
  for (let i = 0; i < at; i++) if (c.joined.charCodeAt(i) === 10) index++;
  return c.counts[index]!;
}

/** the names by which other text may point at a note: file name, stem (>= 6 chars), id (>= 4 chars) */
export function referenceKeys(n: Note): string[] {
  const d = derived(n);
  return (d.keys ??= keysOf(n));
}
function keysOf(n: Note): string[] {
  const base = path.posix.basename(n.rel).toLowerCase();
  const stem = base.replace(/\.md$/, '');
  const keys = new Set<string>([base]);
  if (stem.length >= 6) keys.add(stem);
  const id = str(n.fm.id)?.trim().toLowerCase();
  if (id && id.length >= 4) keys.add(id);
  return [...keys];
}

/** a text of the corpus, for references: its tokens are memoised on `owner` (a Note or a Buffer) */
export interface ReferenceText {
  rel: string;
  owner: object;
  text: () => string;
  /** the note, when the text is a note's (its tokens come from its bytes) */
  note?: Note;
}

function tokensOf(t: ReferenceText): CompactTokens {
  let c = tokenMemo.get(t.owner);
  const prior = t.note && derivedCache.get(t.note)?.editedFrom;
  if (!c && prior && tokenMemo.has(prior)) {
    // the body's tokens are the prior note's minus its frontmatter's; this note's frontmatter's are added
    const base = tokenMemo.get(prior)!;
    const m = new Map(tokenList(base).map((tok, i) => [tok, base.counts[i]!]));
    for (const [tok, k] of frontmatterTokens(prior)) {
      const v = (m.get(tok) ?? 0) - k;
      if (v > 0) m.set(tok, v);
      else m.delete(tok);
    }
    tokenMemo.set(t.owner, (c = compact(frontmatterTokens(t.note!, m))));
  }
  if (!c) tokenMemo.set(t.owner, (c = compact(t.note ? noteTokenCounts(t.note) : referenceTokens(t.text()))));
  return c;
}

/** a note's reference tokens as they are counted (read from its bytes) */
export function noteReferenceTokens(n: Note): Map<string, number> {
  const c = tokensOf(noteReferenceText(n));
  return new Map(tokenList(c).map((t, i) => [t, c.counts[i]!]));
}

/** a note as a reference text (its frontmatter and body) */
export function noteReferenceText(n: Note): ReferenceText {
  const d = derived(n);
  return (d.refText ??= { rel: n.rel, owner: n, note: n, text: () => (n.utf8 ? n.fmText + '\n' + n.body : '') });
}

let lastReferenceIndex: { owners: object[]; texts: ReferenceText[]; index: ReferenceIndex } | null = null;
/**
 * The same texts give the same index (and its per-note memo). When a few texts changed (an
 * iteration committed some notes), the totals are the previous ones minus the texts that left plus
 * the ones that came, instead of a recount of the whole corpus.
 */
export function referenceIndexFor(texts: ReferenceText[]): ReferenceIndex {
  const owners = texts.map((t) => t.owner);
  const last = lastReferenceIndex;
  if (last && last.owners.length === owners.length && last.owners.every((o, i) => o === owners[i])) return last.index;
  let index: ReferenceIndex | null = null;
  if (last) {
    const before = new Set(last.owners);
    const now = new Set(owners);
    // owners are unique per text (a note object, a buffer); anything else is recounted in full
    if (before.size === last.owners.length && now.size === owners.length) {
      const removed = last.texts.filter((t) => !now.has(t.owner));
      const added = texts.filter((t) => !before.has(t.owner));
      // the same texts: the same totals (an index is never changed once built)
      if (!removed.length && !added.length) index = last.index;
      else if (removed.length + added.length < owners.length / 2) {
        // the new index takes the totals over: should it fail half-way, nothing is built on them again
        lastReferenceIndex = null;
        index = new ReferenceIndex(added, last.index, removed);
      }
    }
  }
  index ??= new ReferenceIndex(texts);
  lastReferenceIndex = { owners, texts, index };
  return index;
}

function addTokens(total: Map<string, number>, t: ReferenceText, sign: 1 | -1, changed: Set<string> | null = null): void {
  const c = tokensOf(t);
  const toks = tokenList(c);
  for (let i = 0; i < toks.length; i++) {
    changed?.add(toks[i]!);
    const v = (total.get(toks[i]!) ?? 0) + sign * c.counts[i]!;
    if (v) total.set(toks[i]!, v);
    else total.delete(toks[i]!);
  }
}

/**
 * §2.1 references: a learning's path, file name or id mentioned in any other `.agents/` text
 * (markdown and JSONL, not Dream's own overnight/ and index.jsonl). Self-mentions do not count.
 */
export class ReferenceIndex {
  /** null once a later index took the totals over (this one then answers from its memo only) */
  private total: Map<string, number> | null;
  private memo = new WeakMap<Note, boolean>();
  /** built from `base`: the answers it gave, and the tokens whose totals changed since */
  private baseMemo: WeakMap<Note, boolean> | null = null;
  private changed: Set<string> | null = null;
  /** the totals of `texts`, or of `base` plus `texts` minus `removed` */
  constructor(texts: ReferenceText[], base?: ReferenceIndex, removed: ReferenceText[] = []) {
    // the totals of the index this one follows are taken over, not copied (50k notes: hundreds of
    // thousands of names); referenceIndexFor never hands that index out again
    const total = base ? base.total : new Map<string, number>();
    if (!total) throw new Error('reference index: built on an index whose totals were taken over');
    if (base) base.total = null;
    this.total = total;
    const changed = base ? new Set<string>() : null;
    for (const t of removed) addTokens(total, t, -1, changed);
    for (const t of texts) addTokens(total, t, 1, changed);
    if (base) {
      this.baseMemo = base.memo;
      this.changed = changed;
    }
  }
  references(n: Note): boolean {
    let r = this.memo.get(n);
    if (r === undefined) {
      // the answer the index this one came from gave, when no token of the note's names changed
      const before = this.baseMemo?.get(n);
      r = before !== undefined && !referenceKeys(n).some((k) => this.changed!.has(k)) ? before : this.lookup(n);
      this.memo.set(n, r);
    }
    return r;
  }
  private lookup(n: Note): boolean {
    const total = this.total;
    if (!total) throw new Error(`reference index superseded: asked about .agents/${n.rel} after a later night's index took its totals`);
    const own = tokensOf(noteReferenceText(n));
    return referenceKeys(n).some((k) => (total.get(k) ?? 0) > countIn(own, k));
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
