// Near-duplicate detection in sub-quadratic time, deterministic (seeded):
// character-trigram shingles -> one-permutation MinHash (128 bins, rotation densification)
// -> LSH (21 bands x 6 rows) -> candidate pairs verified with exact trigram Jaccard.
// Upstream's rule is "character-trigram Jaccard of the lower-cased text > 0.80"; the exact check
// below is that rule, so LSH only decides which pairs are worth checking.

export const MINHASH_BINS = 128;
export const LSH_BANDS = 21;
export const LSH_ROWS = 6;
export const DEFAULT_SEED = 0x5eed_d12e;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function normaliseForDedupe(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** the set of character-trigram hashes of an already normalised text */
export function trigramSet(text: string, seed = 0): Set<number> {
  const out = new Set<number>();
  if (text.length < 3) {
    if (text.length) out.add(fmix32(hashChars(text, seed)));
    return out;
  }
  for (let i = 0; i + 3 <= text.length; i++) {
    const h = Math.imul(Math.imul(text.charCodeAt(i), 0x01000193) ^ text.charCodeAt(i + 1), 0x01000193) ^ text.charCodeAt(i + 2);
    out.add(fmix32((h ^ seed) >>> 0));
  }
  return out;
}

function hashChars(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function jaccard(a: Set<number>, b: Set<number>): number {
  if (!a.size && !b.size) return 1;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** exact character-trigram Jaccard of two raw texts (normalised first) */
export function trigramJaccard(a: string, b: string): number {
  return jaccard(trigramSet(normaliseForDedupe(a)), trigramSet(normaliseForDedupe(b)));
}

const EMPTY = 0xffffffff;
/** One-permutation MinHash with rotation densification. */
export function minhash(shingles: Set<number>, seed = DEFAULT_SEED): Uint32Array {
  const sig = new Uint32Array(MINHASH_BINS).fill(EMPTY);
  for (const s of shingles) {
    const h = fmix32((s ^ seed) >>> 0);
    const bin = h >>> 25; // top 7 bits -> 128 bins
    const v = h & 0x01ffffff;
    if (v < sig[bin]!) sig[bin] = v;
  }
  // densify: an empty bin borrows the next non-empty bin's value, offset by the distance
  let anyFilled = false;
  for (let i = 0; i < MINHASH_BINS; i++) if (sig[i] !== EMPTY) anyFilled = true;
  if (!anyFilled) return sig;
  const out = new Uint32Array(sig);
  for (let i = 0; i < MINHASH_BINS; i++) {
    if (sig[i] !== EMPTY) continue;
    let d = 1;
    while (sig[(i + d) % MINHASH_BINS] === EMPTY) d++;
    out[i] = (sig[(i + d) % MINHASH_BINS]! + d * 0x02000000) >>> 0;
  }
  return out;
}

export interface DedupeItem {
  key: string;
  text: string;
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
}

/** Signature cache shared across iterations: normalised text -> shingles + signature. */
export class SignatureCache {
  private map = new Map<string, { shingles: Set<number>; sig: Uint32Array }>();
  constructor(private seed = DEFAULT_SEED) {}
  get(normText: string): { shingles: Set<number>; sig: Uint32Array } {
    let e = this.map.get(normText);
    if (!e) {
      const shingles = trigramSet(normText);
      e = { shingles, sig: minhash(shingles, this.seed) };
      this.map.set(normText, e);
    }
    return e;
  }
  /** keep only entries still in use (bounded memory across iterations) */
  retain(keys: Set<string>): void {
    for (const k of this.map.keys()) if (!keys.has(k)) this.map.delete(k);
  }
}

export function findNearDuplicates(items: DedupeItem[], threshold: number, cache = new SignatureCache()): DedupeResult {
  const sorted = [...items].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const norms = sorted.map((it) => normaliseForDedupe(it.text));
  const entries = norms.map((n) => cache.get(n));
  cache.retain(new Set(norms));
  const seen = new Set<number>();
  const pairs: DuplicatePair[] = [];
  let checked = 0;
  const n = sorted.length;
  for (let band = 0; band < LSH_BANDS; band++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const sig = entries[i]!.sig;
      let key = '';
      for (let r = 0; r < LSH_ROWS; r++) key += sig[band * LSH_ROWS + r]!.toString(36) + ',';
      const b = buckets.get(key);
      if (b) b.push(i);
      else buckets.set(key, [i]);
    }
    for (const members of buckets.values()) {
      if (members.length < 2) continue;
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const i = members[x]!;
          const j = members[y]!;
          const pk = i * n + j;
          if (seen.has(pk)) continue;
          seen.add(pk);
          checked++;
          const sim = jaccard(entries[i]!.shingles, entries[j]!.shingles);
          if (sim > threshold) pairs.push({ a: sorted[i]!.key, b: sorted[j]!.key, similarity: sim });
        }
      }
    }
  }
  pairs.sort((p, q) => (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0));
  return { pairs, groups: groupPairs(pairs), candidatesChecked: checked };
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
