// A small deterministic lexical retriever over index.jsonl (BM25 over title, tags and summary).
import type { IndexEntry } from './schemas';

const STOP = new Set('a an and are as at be by for from has have how in is it its of on or that the this to was were will with when what why not no do does use using via into'.split(' '));

export function tokenize(s: string): string[] {
  return (s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => t.length > 1 && !STOP.has(t));
}

export class Retriever {
  private postings = new Map<string, { doc: number; tf: number }[]>();
  private lengths: number[] = [];
  private avgLen = 1;
  constructor(readonly entries: IndexEntry[]) {
    entries.forEach((e, doc) => {
      const toks = [...tokenize(e.title), ...tokenize(e.title), ...e.tags.flatMap(tokenize), ...tokenize(e.summary)];
      this.lengths.push(toks.length);
      const tf = new Map<string, number>();
      for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = []));
        p.push({ doc, tf: n });
      }
    });
    this.avgLen = this.lengths.length ? this.lengths.reduce((a, b) => a + b, 0) / this.lengths.length : 1;
  }

  /** top-k entry indices for a query, ties broken by path */
  search(query: string, k = 3): number[] {
    const N = this.entries.length;
    const scores = new Map<number, number>();
    const terms = [...new Set(tokenize(query))];
    for (const t of terms) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = Math.log(1 + (N - p.length + 0.5) / (p.length + 0.5));
      for (const { doc, tf } of p) {
        const len = this.lengths[doc]!;
        const s = (idf * tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * (len / this.avgLen)));
        scores.set(doc, (scores.get(doc) ?? 0) + s);
      }
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || (this.entries[a[0]]!.path < this.entries[b[0]]!.path ? -1 : 1))
      .slice(0, k)
      .map(([d]) => d);
  }
}

export function parseIndex(raw: Buffer | null): { entries: IndexEntry[]; bad: number } {
  if (!raw) return { entries: [], bad: 0 };
  const entries: IndexEntry[] = [];
  let bad = 0;
  for (const line of raw.toString('utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as IndexEntry;
      if (typeof o.path === 'string' && typeof o.title === 'string') {
        entries.push({ id: String(o.id ?? ''), path: o.path, title: o.title, tags: Array.isArray(o.tags) ? o.tags.map(String) : [], maturity: String(o.maturity ?? ''), hash: String(o.hash ?? ''), summary: String(o.summary ?? '') });
      } else bad++;
    } catch {
      bad++;
    }
  }
  return { entries, bad };
}
