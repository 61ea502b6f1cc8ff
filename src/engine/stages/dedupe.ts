// Near-duplicate detection in sub-quadratic time, deterministic (seeded):
// character-trigram shingles -> one-permutation MinHash (128 bins, rotation densification)
// -> LSH (18 bands x 7 rows: a pair at 0.8 is a candidate with p = 0.986, at 0.85 with 0.999; an
// unrelated pair at 0.27 with 0.002) -> candidate pairs verified with exact trigram Jaccard.
// Upstream's rule is "character-trigram Jaccard of the lower-cased text > 0.80"; the exact check
// below is that rule, so LSH only decides which pairs are worth checking.

import { normaliseForDedupe } from '../corpus/text';
import { DEFAULT_SEED, fmix32, jaccard, MINHASH_BINS, minhash, trigramHashes, trigramSet, type SigEntry } from '../corpus/shingles';
export { normaliseForDedupe };
export * from '../corpus/shingles';

export const LSH_BANDS = 18;
export const LSH_ROWS = 7;

export interface DedupeItem {
  key: string;
  text: string;
  /** the text already normalised (normaliseForDedupe), when the caller has it cached */
  norm?: string;
  /** the text's signature entry, when the caller keeps one (corpus/knowledge.ts dedupeItem) */
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
  /**
   * exact trigram sets of candidates, kept for the iteration's later calls (the baseline MEASURE,
   * REDUCE and MEASURE see mostly the same candidates); forgetExact() drops them before COMMIT
   */
  private exact = new Map<SigEntry, Uint32Array>();
  exactSet(e: SigEntry): Uint32Array {
    let s = this.exact.get(e);
    if (!s) this.exact.set(e, (s = e.shingles));
    return s;
  }
  /** the iteration has measured: its exact sets (~11 KB a candidate) are not kept through COMMIT */
  forgetExact(): void {
    this.exact.clear();
  }
  /** the last result, reused when the items are the same objects (REDUCE and MEASURE often ask twice) */
  last: { keys: string[]; entries: object[]; threshold: number; result: DedupeResult } | null = null;
  constructor(private seed = DEFAULT_SEED) {}
  get(normText: string): SigEntry {
    let e = this.map.get(normText);
    if (!e) {
      const sig = minhash(trigramHashes(normText), this.seed);
      e = {
        sig,
        get shingles() {
          return trigramSet(normText);
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
  const seen = new Set<string>();
  const pairs: DuplicatePair[] = [];
  let checked = 0;
  let verified = 0;
  const n = sorted.length;
  const floor = threshold - ESTIMATE_MARGIN;
  // a pair whose first 32 bins agree in PRE_CUT or fewer is far below the floor: at a true
  // similarity of 0.8 that happens with a probability under 1e-8 (32 draws at p = 0.8)
  const PRE_CUT = 12;
  // every signature in one array: a candidate check reads two rows of it
  const flat = new Uint32Array(n * MINHASH_BINS);
  for (let i = 0; i < n; i++) flat.set(entries[i]!.sig, i * MINHASH_BINS);
  const check = (i: number, j: number) => {
    checked++;
    // cheap MinHash estimate first: the exact check only runs for pairs that could pass
    // (the estimate's standard error at 128 bins is <= 0.045; the margin is > 4 of them)
    const a = i * MINHASH_BINS;
    const b = j * MINHASH_BINS;
    let eq = 0;
    for (let k = 0; k < 32; k++) if (flat[a + k] === flat[b + k]) eq++;
    if (eq <= PRE_CUT) return;
    for (let k = 32; k < MINHASH_BINS; k++) if (flat[a + k] === flat[b + k]) eq++;
    if (eq / MINHASH_BINS < floor) return;
    if (i > j) [i, j] = [j, i];
    const pk = `${i}:${j}`;
    if (seen.has(pk)) return;
    seen.add(pk);
    verified++;
    const sim = jaccard(cache.exactSet(entries[i]!), cache.exactSet(entries[j]!));
    if (sim > threshold) pairs.push({ a: sorted[i]!.key, b: sorted[j]!.key, similarity: sim });
  };
  // per band: the items hashed by band key into an open-addressing table; each bucket a linked
  // list in ascending position (typed arrays, nothing allocated per item)
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const slotKey = new Uint32Array(cap);
  const slotHead = new Int32Array(cap);
  const slotSize = new Int32Array(cap);
  const next = new Int32Array(n);
  const used: number[] = [];
  const members: number[] = [];
  for (let band = 0; band < LSH_BANDS; band++) {
    const o = band * LSH_ROWS;
    slotHead.fill(-1);
    used.length = 0;
    for (let i = n - 1; i >= 0; i--) {
      const at = i * MINHASH_BINS + o;
      let key = band;
      for (let r = 0; r < LSH_ROWS; r++) key = Math.imul(key ^ flat[at + r]!, 0x9e3779b1) + r;
      key = fmix32(key >>> 0);
      let slot = Math.imul(key, 0x9e3779b1) >>> 0;
      for (;;) {
        slot &= cap - 1;
        if (slotHead[slot] === -1) {
          slotKey[slot] = key;
          slotHead[slot] = i;
          slotSize[slot] = 1;
          next[i] = -1;
          used.push(slot);
          break;
        }
        if (slotKey[slot] === key) {
          next[i] = slotHead[slot]!;
          slotHead[slot] = i;
          slotSize[slot]!++;
          break;
        }
        slot++;
      }
    }
    for (const slot of used) {
      if (slotSize[slot]! < 2) continue;
      members.length = 0;
      for (let i = slotHead[slot]!; i !== -1; i = next[i]!) members.push(i);
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
