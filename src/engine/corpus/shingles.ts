// Character-trigram shingles and MinHash signatures of a normalised text (normaliseForDedupe:
// lower-cased, whitespace runs collapsed, trimmed): the primitives of near-duplicate detection
// (stages/dedupe.ts) and of the per-note signatures the corpus keeps (knowledge.ts).
import { normaliseForDedupe } from './text';

export const MINHASH_BINS = 128;
export const DEFAULT_SEED = 0x5eed_d12e;

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** one trigram's hash: exact for characters below U+0400 (30 bits), hashed otherwise */
export function trigram(c0: number, c1: number, c2: number): number {
  return c0 < 1024 && c1 < 1024 && c2 < 1024
    ? ((c0 << 20) | (c1 << 10) | c2) >>> 0
    : fmix32((Math.imul(Math.imul(c0, 0x01000193) ^ c1, 0x01000193) ^ c2) >>> 0) | 0x40000000;
}

/** the character-trigram hashes of an already normalised text, in text order (with repeats) */
export function trigramHashes(text: string, seed = 0): Uint32Array {
  if (text.length < 3) return text.length ? Uint32Array.of(fmix32(fnv1a(text, seed))) : new Uint32Array(0);
  const n = text.length - 2;
  const out = new Uint32Array(n);
  let c0 = text.charCodeAt(0);
  let c1 = text.charCodeAt(1);
  for (let i = 0; i < n; i++) {
    const c2 = text.charCodeAt(i + 2);
    out[i] = seed ? fmix32((Math.imul(Math.imul(c0, 0x01000193) ^ c1, 0x01000193) ^ c2 ^ seed) >>> 0) | 0x40000000 : trigram(c0, c1, c2);
    c0 = c1;
    c1 = c2;
  }
  return out;
}

/** sorted unique copy */
export function toSet(hashes: Uint32Array): Uint32Array {
  const out = Uint32Array.from(hashes).sort();
  let w = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[w++] = out[i]!;
  return out.subarray(0, w);
}

/** the character-trigram set of an already normalised text: sorted, unique */
export function trigramSet(text: string, seed = 0): Uint32Array {
  return toSet(trigramHashes(text, seed));
}

/** the FNV-1a hash of a string's UTF-16 units (`seed` xor'ed into the offset basis) */
export function fnv1a(s: string, seed = 0): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** exact Jaccard of two sorted unique arrays */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (!a.length && !b.length) return 1;
  let i = 0,
    j = 0,
    inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!,
      y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** exact character-trigram Jaccard of two raw texts (normalised first) */
export function trigramJaccard(a: string, b: string): number {
  return jaccard(trigramSet(normaliseForDedupe(a)), trigramSet(normaliseForDedupe(b)));
}

export const EMPTY_BIN = 0xffffffff;
/** One-permutation MinHash with rotation densification. */
export function minhash(shingles: Uint32Array, seed = DEFAULT_SEED, count = shingles.length): Uint32Array {
  const sig = new Uint32Array(MINHASH_BINS).fill(EMPTY_BIN);
  for (let i = 0; i < count; i++) {
    const h = fmix32((shingles[i]! ^ seed) >>> 0);
    const bin = h >>> 25; // top 7 bits -> 128 bins
    const v = h & 0x01ffffff;
    if (v < sig[bin]!) sig[bin] = v;
  }
  return densify(sig);
}

/** a copy of the bins where an empty bin borrows the next non-empty bin's value, offset by the distance */
export function densify(sig: Uint32Array): Uint32Array {
  let anyFilled = false;
  for (let i = 0; i < MINHASH_BINS; i++) if (sig[i] !== EMPTY_BIN) anyFilled = true;
  const out = new Uint32Array(sig);
  if (!anyFilled) return out;
  for (let i = 0; i < MINHASH_BINS; i++) {
    if (sig[i] !== EMPTY_BIN) continue;
    let d = 1;
    while (sig[(i + d) % MINHASH_BINS] === EMPTY_BIN) d++;
    out[i] = (sig[(i + d) % MINHASH_BINS]! + d * 0x02000000) >>> 0;
  }
  return out;
}

export interface SigEntry {
  sig: Uint32Array;
  /** sorted unique trigram set, built (each time it is read) only when a candidate pair needs the exact check */
  readonly shingles: Uint32Array;
}
