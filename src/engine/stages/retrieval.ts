// A small deterministic lexical retriever over index.jsonl (BM25 over title, tags and summary).
import type { IndexEntry } from '../core/schemas';

const STOP = new Set(
  'a an and are as at be by for from has have how in is it its of on or that the this to was were will with when what why not no do does use using via into'.split(
    ' ',
  ),
);

export function tokenize(s: string): string[] {
  return (s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => t.length > 1 && !STOP.has(t));
}

/**
 * Term ids shared by every Retriever of the process, and each document's term ids by its text
 * (title, tags, summary): an entry that did not change between two MEASUREs is not tokenized
 * again. Both are dropped when they grow past a bound (a long-lived process).
 */
const termIds = new Map<string, number>();
/** bumped when termIds is cleared: memoised documents of an older numbering are worked out again */
let numbering = 0;
/** a document's distinct terms, ascending, with their counts, and its length in tokens */
interface DocTerms {
  numbering: number;
  terms: Int32Array;
  tfs: Int32Array;
  length: number;
}
/** per entry object (buildIndex keeps one per note: an unchanged note's entry is not tokenized again) */
let byEntry = new WeakMap<IndexEntry, DocTerms>();
/** entries worked out under the current numbering (to know when to start a new one) */
let worked = 0;

function termId(t: string): number {
  let id = termIds.get(t);
  if (id === undefined) termIds.set(t, (id = termIds.size));
  return id;
}

/** appends the term ids of tokenize(s) to `out` (a scan of the lower-cased text, no token arrays) */
function pushTerms(s: string, out: number[]): void {
  const low = s.toLowerCase();
  let start = -1;
  for (let i = 0; i <= low.length; i++) {
    const c = i < low.length ? low.charCodeAt(i) : 0;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start > 1) {
        const tok = low.slice(start, i);
        if (!STOP.has(tok)) out.push(termId(tok));
      }
      start = -1;
    }
  }
}

/** the document's terms (its tokens: title twice, tags, summary) */
function docTerms(e: IndexEntry): DocTerms {
  let d = byEntry.get(e);
  if (!d || d.numbering !== numbering) {
    worked++;
    const list: number[] = [];
    pushTerms(e.title, list);
    const titleLen = list.length;
    for (let i = 0; i < titleLen; i++) list.push(list[i]!);
    for (const tag of e.tags) pushTerms(tag, list);
    pushTerms(e.summary, list);
    const ids = Int32Array.from(list).sort();
    let distinct = 0;
    for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[i - 1]) distinct++;
    const terms = new Int32Array(distinct);
    const tfs = new Int32Array(distinct);
    for (let i = 0, k = -1; i < ids.length; i++) {
      if (i === 0 || ids[i] !== ids[i - 1]) terms[++k] = ids[i]!;
      tfs[k]!++;
    }
    d = { numbering, terms, tfs, length: ids.length };
    byEntry.set(e, d);
  }
  return d;
}

/** a query's unique tokens, in order (titles are asked again each MEASURE) */
const queryMemo = new Map<string, string[]>();
function queryTokens(query: string): string[] {
  let toks = queryMemo.get(query);
  if (!toks) {
    if (queryMemo.size >= 200_000) queryMemo.clear();
    queryMemo.set(query, (toks = [...new Set(tokenize(query))]));
  }
  return toks;
}

export class Retriever {
  /** per term id: its postings [start, end) in `docs` / `weights` (documents ascending) */
  private start: Int32Array;
  private end: Int32Array;
  private docs: Int32Array;
  private weights: Float64Array;
  /** per document: its terms [docStart[d], docStart[d + 1]) in `docTerm` (ascending) / `docWeight` */
  private docStart: Int32Array;
  private docTerm: Int32Array;
  private docWeight: Float64Array;
  /** per term id: its largest weight (an upper bound of what it adds to any score) */
  private maxWeight: Float64Array;
  private acc: Float64Array;
  private touched: Int32Array;
  private stamp: Int32Array;
  private query = 0;
  constructor(readonly entries: IndexEntry[]) {
    const N = entries.length;
    // the term numbering is started again when it has seen far more documents than indexes hold
    if (worked > 4 * N + 40_000) {
      worked = 0;
      termIds.clear();
      byEntry = new WeakMap();
      numbering++;
    }
    const perDoc = entries.map(docTerms);
    const T = termIds.size;
    const df = new Int32Array(T);
    let pairs = 0;
    let total = 0;
    this.docStart = new Int32Array(N + 1);
    for (let d = 0; d < N; d++) {
      const dt = perDoc[d]!;
      for (let i = 0; i < dt.terms.length; i++) df[dt.terms[i]!]!++;
      pairs += dt.terms.length;
      this.docStart[d + 1] = pairs;
      total += dt.length;
    }
    const avgLen = N ? total / N : 1;
    this.start = new Int32Array(T);
    for (let t = 1; t < T; t++) this.start[t] = this.start[t - 1]! + df[t - 1]!;
    // `end` is each term's fill position until every posting is placed
    this.end = this.start.slice();
    this.docs = new Int32Array(pairs);
    this.weights = new Float64Array(pairs);
    this.docTerm = new Int32Array(pairs);
    this.docWeight = new Float64Array(pairs);
    this.maxWeight = new Float64Array(T);
    for (let d = 0; d < N; d++) {
      const dt = perDoc[d]!;
      const len = dt.length;
      for (let i = 0; i < dt.terms.length; i++) {
        const t = dt.terms[i]!;
        const tf = dt.tfs[i]!;
        const n = df[t]!;
        const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
        const w = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * (len / avgLen)));
        const at = this.end[t]!++;
        this.docs[at] = d;
        this.weights[at] = w;
        const p = this.docStart[d]! + i;
        this.docTerm[p] = t;
        this.docWeight[p] = w;
        if (w > this.maxWeight[t]!) this.maxWeight[t] = w;
      }
    }
    this.acc = new Float64Array(N);
    this.touched = new Int32Array(N);
    this.stamp = new Int32Array(N);
  }

  private df(t: number): number {
    return t < this.end.length ? this.end[t]! - this.start[t]! : 0;
  }

  /** the query's terms as search uses them: unique, known, the rare ones when there are any */
  private queryTerms(query: string): number[] {
    const N = this.entries.length;
    let terms: number[] = [];
    for (const tok of queryTokens(query)) {
      const t = termIds.get(tok);
      if (t !== undefined && this.df(t) > 0) terms.push(t);
    }
    // very common terms carry almost no signal and would make every query scan the whole index
    const common = Math.max(50, Math.floor(N * 0.1));
    const rare = terms.filter((t) => this.df(t) <= common);
    if (rare.length) terms = rare;
    return terms;
  }

  /** what term t adds to doc d's score, or -1 when d does not contain t (a search of d's few terms) */
  private weightIn(t: number, d: number): number {
    let lo = this.docStart[d]!;
    let hi = this.docStart[d + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = this.docTerm[mid]!;
      if (x === t) return this.docWeight[mid]!;
      if (x < t) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** doc d's score for the terms, summed in their order (as search accumulates it); -1 when none is in d */
  private scoreOf(terms: number[], d: number): number {
    let s = 0;
    let any = false;
    for (const t of terms) {
      const w = this.weightIn(t, d);
      if (w >= 0) {
        s += w;
        any = true;
      }
    }
    return any ? s : -1;
  }

  /** top-k entry indices for a query (BM25), ties broken by path */
  search(query: string, k = 3): number[] {
    const acc = this.acc;
    let nTouched = 0;
    for (const t of this.queryTerms(query)) {
      for (let i = this.start[t]!; i < this.end[t]!; i++) {
        const doc = this.docs[i]!;
        const a = acc[doc]!;
        if (a === 0) this.touched[nTouched++] = doc;
        acc[doc] = a + this.weights[i]!;
      }
    }
    // top-k selection without sorting every scored document
    const topDoc: number[] = [];
    const topScore: number[] = [];
    for (let i = 0; i < nTouched; i++) {
      const doc = this.touched[i]!;
      const sc = acc[doc]!;
      acc[doc] = 0;
      if (topDoc.length === k && sc < topScore[k - 1]!) continue;
      let pos = topDoc.length;
      while (
        pos > 0 &&
        (sc > topScore[pos - 1]! || (sc === topScore[pos - 1]! && this.entries[doc]!.path < this.entries[topDoc[pos - 1]!]!.path))
      )
        pos--;
      if (pos >= k) continue;
      topDoc.splice(pos, 0, doc);
      topScore.splice(pos, 0, sc);
      if (topDoc.length > k) {
        topDoc.pop();
        topScore.pop();
      }
    }
    return topDoc;
  }

  /**
   * Is entry `doc` among search(query, k)? The same answer, without scoring every document that
   * shares a term with the query: the documents that could rank before `doc` must hold a term
   * whose weight, added to the largest weights of the terms rarer in weight, reaches doc's score
   * (max-score pruning); only those are scored, in the order search sums them. Entries must have
   * unique paths (search breaks ties by path).
   */
  inTopK(query: string, doc: number, k = 3): boolean {
    const terms = this.queryTerms(query);
    const own = this.scoreOf(terms, doc);
    if (own < 0) return false;
    const path = this.entries[doc]!.path;
    // terms by their largest weight, ascending: a prefix whose bounds sum below own cannot lift a document past doc
    const byBound = [...terms].sort((a, b) => this.maxWeight[a]! - this.maxWeight[b]!);
    let bound = 0;
    let essential = 0;
    while (essential < byBound.length && (bound + this.maxWeight[byBound[essential]!]!) * (1 + 1e-9) < own)
      bound += this.maxWeight[byBound[essential++]!]!;
    const q = ++this.query;
    let before = 0;
    // a document found in term t's postings scores at most its weight for t, plus the largest
    // weights of the other essential terms, plus the bound of the rest: below own, it is not scored
    let essentialMax = 0;
    for (let e = essential; e < byBound.length; e++) essentialMax += this.maxWeight[byBound[e]!]!;
    for (let e = essential; e < byBound.length; e++) {
      const t = byBound[e]!;
      const others = bound + essentialMax - this.maxWeight[t]!;
      for (let i = this.start[t]!; i < this.end[t]!; i++) {
        const d = this.docs[i]!;
        if (d === doc || this.stamp[d] === q) continue;
        this.stamp[d] = q;
        if ((others + this.weights[i]!) * (1 + 1e-9) < own) continue;
        const s = this.scoreOf(terms, d);
        if (s > own || (s === own && this.entries[d]!.path < path)) if (++before >= k) return false;
      }
    }
    return true;
  }
}

let lastIndex: { raw: Buffer; result: { entries: IndexEntry[]; bad: number } } | null = null;

/** the entries `raw` holds, known without parsing it (Dream just wrote it from them) */
export function rememberParsedIndex(raw: Buffer, entries: IndexEntry[]): void {
  lastIndex = { raw, result: { entries, bad: 0 } };
}

export function parseIndex(raw: Buffer | null): { entries: IndexEntry[]; bad: number } {
  if (!raw) return { entries: [], bad: 0 };
  if (lastIndex && (lastIndex.raw === raw || lastIndex.raw.equals(raw))) return lastIndex.result;
  const result = parseIndexUncached(raw);
  lastIndex = { raw, result };
  return result;
}

function parseIndexUncached(raw: Buffer): { entries: IndexEntry[]; bad: number } {
  const entries: IndexEntry[] = [];
  let bad = 0;
  for (const line of raw.toString('utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as IndexEntry;
      if (typeof o.path === 'string' && typeof o.title === 'string') {
        entries.push({
          id: String(o.id ?? ''),
          path: o.path,
          title: o.title,
          tags: Array.isArray(o.tags) ? o.tags.map(String) : [],
          maturity: String(o.maturity ?? ''),
          hash: String(o.hash ?? ''),
          summary: String(o.summary ?? ''),
        });
      } else bad++;
    } catch {
      bad++;
    }
  }
  return { entries, bad };
}
