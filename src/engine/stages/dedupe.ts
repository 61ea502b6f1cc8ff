// Near-duplicate detection in sub-quadratic time, deterministic (seeded):
// character-trigram shingles -> one-permutation MinHash (128 bins, rotation densification)
// -> LSH (21 bands x 6 rows) -> candidate pairs verified with exact trigram Jaccard.
// Upstream's rule is "character-trigram Jaccard of the lower-cased text > 0.80"; the exact check
// below is that rule, so LSH only decides which pairs are worth checking.

import { normaliseForDedupe } from '../corpus/text';
import { DEFAULT_SEED, fmix32, jaccard, MINHASH_BINS, minhash, trigramHashes, trigramSet, type SigEntry } from '../corpus/shingles';
export { normaliseForDedupe };
export * from '../corpus/shingles';

export const LSH_BANDS = 21;
export const LSH_ROWS = 6;

export interface DedupeItem {
  key: string;
  text: string;
  /** the text already normalised (normaliseForDedupe), when the caller has it cached */
  norm?: string;
  /** the text's signature entry, when the caller keeps one (signatureEntry) */
  entry?: SigEntry;
}

export interface DuplicatePair {
  a: string;
  b: string;
  similarity: number;
}

export interface DedupeResult {
  pairs: DuplicatePair[];
  /** connected groups (each sorted, groups sorted by first key) */
  groups: string[][];
  candidatesChecked: number;
  /** candidate pairs whose exact Jaccard was computed */
  exactChecks: number;
}

/** Signature cache shared across iterations: normalised text -> shingles + signature. */
export class SignatureCache {
  private map = new Map<string, SigEntry>();
  /** the last result, reused when the items are the same objects (REDUCE and MEASURE often ask twice) */
  last: { keys: string[]; entries: object[]; threshold: number; result: DedupeResult } | null = null;
  constructor(private seed = DEFAULT_SEED) {}
  get(normText: string): SigEntry {
    let e = this.map.get(normText);
    if (!e) {
      const sig = minhash(trigramHashes(normText), this.seed);
      let set: Uint32Array | null = null;
      e = {
        sig,
        get shingles() {
          return (set ??= trigramSet(normText));
        },
      };
      this.map.set(normText, e);
    }
    return e;
  }
  /** keep only entries still in use (bounded memory across iterations) */
  retain(keys: Set<string>): void {
    for (const k of this.map.keys()) if (!keys.has(k)) this.map.delete(k);
  }
}

export const ESTIMATE_MARGIN = 0.2;

/** fraction of equal MinHash bins: an unbiased estimate of the Jaccard similarity */
export function estimate(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < MINHASH_BINS; i++) if (a[i] === b[i]) eq++;
  return eq / MINHASH_BINS;
}

/** buckets larger than this are compared against their first member only (linear, not quadratic) */
export const MAX_BUCKET_PAIRWISE = 24;

export function findNearDuplicates(items: DedupeItem[], threshold: number, cache = new SignatureCache()): DedupeResult {
  let inOrder = true;
  for (let i = 1; i < items.length && inOrder; i++) if (!(items[i - 1]!.key < items[i]!.key)) inOrder = false;
  const sorted = inOrder ? items : [...items].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const norms: string[] = [];
  const entries = sorted.map((it) => {
    if (it.entry) return it.entry;
    const norm = it.norm ?? normaliseForDedupe(it.text);
    norms.push(norm);
    return cache.get(norm);
  });
  const keys = sorted.map((it) => it.key);
  const last = cache.last;
  if (
    last &&
    last.threshold === threshold &&
    last.keys.length === keys.length &&
    last.keys.every((k, i) => k === keys[i] && last.entries[i] === entries[i])
  )
    return last.result;
  cache.retain(new Set(norms));
  const seen = new Set<number>();
  const pairs: DuplicatePair[] = [];
  let checked = 0;
  let verified = 0;
  const n = sorted.length;
  const check = (i: number, j: number) => {
    checked++;
    // cheap MinHash estimate first: the exact check only runs for pairs that could pass
    // (the estimate's standard error at 128 bins is <= 0.045; the margin is > 4 of them)
    if (estimate(entries[i]!.sig, entries[j]!.sig) < threshold - ESTIMATE_MARGIN) return;
    if (i > j) [i, j] = [j, i];
    const pk = i * n + j;
    if (seen.has(pk)) return;
    seen.add(pk);
    verified++;
    const sim = jaccard(entries[i]!.shingles, entries[j]!.shingles);
    if (sim > threshold) pairs.push({ a: sorted[i]!.key, b: sorted[j]!.key, similarity: sim });
  };
  for (let band = 0; band < LSH_BANDS; band++) {
    const buckets = new Map<number, number[]>();
    const o = band * LSH_ROWS;
    for (let i = 0; i < n; i++) {
      const sig = entries[i]!.sig;
      let key = band;
      for (let r = 0; r < LSH_ROWS; r++) key = Math.imul(key ^ sig[o + r]!, 0x9e3779b1) + r;
      key = fmix32(key >>> 0);
      const b = buckets.get(key);
      if (b) b.push(i);
      else buckets.set(key, [i]);
    }
    for (const members of buckets.values()) {
      if (members.length < 2) continue;
      if (members.length > MAX_BUCKET_PAIRWISE) {
        for (let y = 1; y < members.length; y++) check(members[0]!, members[y]!);
        continue;
      }
      for (let x = 0; x < members.length; x++) for (let y = x + 1; y < members.length; y++) check(members[x]!, members[y]!);
    }
  }
  pairs.sort((p, q) => (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0));
  const result = { pairs, groups: groupPairs(pairs), candidatesChecked: checked, exactChecks: verified };
  cache.last = { keys, entries, threshold, result };
  return result;
}

export function groupPairs(pairs: DuplicatePair[]): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (parent.get(c) !== r) {
      const nx = parent.get(c)!;
      parent.set(c, r);
      c = nx;
    }
    return r;
  };
  for (const p of pairs) {
    if (!parent.has(p.a)) parent.set(p.a, p.a);
    if (!parent.has(p.b)) parent.set(p.b, p.b);
    const ra = find(p.a);
    const rb = find(p.b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = new Map<string, string[]>();
  for (const k of parent.keys()) {
    const r = find(k);
    const g = groups.get(r);
    if (g) g.push(k);
    else groups.set(r, [k]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}
