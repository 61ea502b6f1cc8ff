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

export class Retriever {
  /** per term: documents and their precomputed BM25 weights */
  private postings = new Map<string, { docs: Int32Array; weights: Float64Array }>();
  private acc: Float64Array;
  private touched: Int32Array;
  constructor(readonly entries: IndexEntry[]) {
    const raw = new Map<string, number[]>(); // term -> [doc, tf, doc, tf, ...]
    const lengths: number[] = [];
    entries.forEach((e, doc) => {
      const toks = [...tokenize(e.title), ...tokenize(e.title), ...e.tags.flatMap(tokenize), ...tokenize(e.summary)];
      lengths.push(toks.length);
      const tf = new Map<string, number>();
      for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let p = raw.get(t);
        if (!p) raw.set(t, (p = []));
        p.push(doc, n);
      }
    });
    const N = entries.length;
    const avgLen = lengths.length ? lengths.reduce((a, b) => a + b, 0) / lengths.length : 1;
    for (const [t, p] of raw) {
      const df = p.length / 2;
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      const docs = new Int32Array(df);
      const weights = new Float64Array(df);
      for (let i = 0; i < df; i++) {
        const doc = p[2 * i]!;
        const tf = p[2 * i + 1]!;
        docs[i] = doc;
        weights[i] = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * (lengths[doc]! / avgLen)));
      }
      this.postings.set(t, { docs, weights });
    }
    this.acc = new Float64Array(N);
    this.touched = new Int32Array(N);
  }

  /** top-k entry indices for a query (BM25), ties broken by path */
  search(query: string, k = 3): number[] {
    const N = this.entries.length;
    const acc = this.acc;
    let nTouched = 0;
    let terms = [...new Set(tokenize(query))].filter((t) => this.postings.has(t));
    // very common terms carry almost no signal and would make every query scan the whole index
    const common = Math.max(50, Math.floor(N * 0.1));
    const rare = terms.filter((t) => this.postings.get(t)!.docs.length <= common);
    if (rare.length) terms = rare;
    for (const t of terms) {
      const { docs, weights } = this.postings.get(t)!;
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        const a = acc[doc]!;
        if (a === 0) this.touched[nTouched++] = doc;
        acc[doc] = a + weights[i]!;
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
}

let lastIndex: { raw: Buffer; result: { entries: IndexEntry[]; bad: number } } | null = null;

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
