// The two scans every note's whole text goes through each night, written for speed (one pass,
// no regex per character, no string per character), and pinned to their plain definitions by
// the differential test (test/unit/fast-paths.test.ts):
//  - reference tokens: the name-like tokens of a lower-cased text (knowledge.ts: referenceTokens);
//  - the MinHash signature, or the exact trigram hashes, of a note's near-duplicate text (title,
//    then body: normaliseForDedupe) read straight from the note's UTF-8 bytes.
import { DEFAULT_SEED, EMPTY_BIN, MINHASH_BINS, densify, fmix32, fnv1a, trigram } from './shingles';

/** [a-z0-9_] */
function isTokenStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}
/** [a-z0-9_.-] */
function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 45 && c <= 57 && c !== 47) || c === 95;
}

/**
 * Where a qualifying token can be: a digit or underscore run, a '/' or '[' (a token may follow),
 * or a '.' or '-' followed by a token character. Plain words hold none of these and are skipped
 * by the regex engine, not by JavaScript.
 */
const ANCHOR = /[0-9_]+|[/[]|[.-](?=[a-z0-9_])/g;

/**
 * Adds to `out` the tokens of /(^|[^a-z0-9_.-])([a-z0-9_][a-z0-9_.-]*)/g over a lower-cased text
 * that qualify as names: at least 4 characters once trailing '.' and '-' are stripped, and either
 * right after '/' or '[' or holding one of [-_.0-9]. `foo.md` also counts as `foo`.
 */
export function addReferenceTokens(lower: string, out: Map<string, number>): void {
  const n = lower.length;
  ANCHOR.lastIndex = 0;
  for (let m = ANCHOR.exec(lower); m; m = ANCHOR.exec(lower)) {
    const p = m.index;
    const ch = lower.charCodeAt(p);
    let start: number;
    if (ch === 47 || ch === 91) {
      start = p + 1;
      if (start >= n || !isTokenStart(lower.charCodeAt(start))) continue;
    } else {
      // p is inside a run of token characters: the run holds a token only if it starts with one
      start = p;
      while (start > 0 && isTokenChar(lower.charCodeAt(start - 1))) start--;
      if (!isTokenStart(lower.charCodeAt(start))) {
        let e = p + 1;
        while (e < n && isTokenChar(lower.charCodeAt(e))) e++;
        ANCHOR.lastIndex = e;
        continue;
      }
    }
    let end = start + 1;
    while (end < n && isTokenChar(lower.charCodeAt(end))) end++;
    ANCHOR.lastIndex = end;
    let stop = end;
    while (stop > start && (lower.charCodeAt(stop - 1) === 46 || lower.charCodeAt(stop - 1) === 45)) stop--;
    if (stop - start < 4) continue;
    const before = start > 0 ? lower.charCodeAt(start - 1) : 0;
    let named = before === 47 || before === 91;
    for (let i = start; i < stop && !named; i++) {
      const c = lower.charCodeAt(i);
      if (c < 97) named = true; // [-_.0-9]: the token characters below 'a'
    }
    if (!named) continue;
    const t = lower.slice(start, stop);
    out.set(t, (out.get(t) ?? 0) + 1);
    if (stop - start > 3 && lower.charCodeAt(stop - 3) === 46 && lower.charCodeAt(stop - 2) === 109 && lower.charCodeAt(stop - 1) === 100) {
      const stem = t.slice(0, -3);
      out.set(stem, (out.get(stem) ?? 0) + 1);
    }
  }
}

/** `\s` (and what String.prototype.trim removes), beyond ASCII */
function isWideSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** BMP code unit -> its lower case when that is one unit; 0 = not looked up yet; 0xffff = several units */
const LOWER_BMP = new Uint16Array(65_536);
for (let c = 0; c < 128; c++) LOWER_BMP[c] = c >= 65 && c <= 90 ? c + 32 : c;
LOWER_BMP[0] = 0xffff; // NUL: looked up by the general path (0 marks "not looked up")
function lowerBmp(cp: number): number {
  let l = LOWER_BMP[cp]!;
  if (l === 0) {
    const s = String.fromCharCode(cp).toLowerCase();
    l = s.length === 1 && s.charCodeAt(0) !== 0xffff ? s.charCodeAt(0) : 0xffff;
    LOWER_BMP[cp] = l;
  }
  return l;
}

export interface ShingleRequest {
  bytes: Uint8Array;
  /** the body: bytes[from, end), valid UTF-8 */
  from: number;
  end: number;
  /** the title, put before the body with a line break (as dedupeText does) */
  title: string;
  /** instead of the signature, write the trigram hashes here (at least end - from + title.length + 1 long) */
  hashes?: Uint32Array;
  /** also collect the body's words in a Bloom filter (bodyWordsBloom) */
  words?: boolean;
}

/** a Bloom filter of a body's words: [a-z0-9]+ runs of its lower-cased text, WORD_MIN long or more */
export const BLOOM_WORDS = 128; // 4096 bits (3 per word: about 1 false 'maybe' in 200 for a note of 250 words)
export const WORD_MIN = 4;

/** a word's three bits (of 4096): the low and high 12 bits of fmix32 of its hash, and the high 12 of that times a constant */
function addWord(bloom: Uint32Array, h: number): void {
  const a = fmix32(h >>> 0);
  const b = Math.imul(a, 0x9e3779b1) >>> 20;
  bloom[(a >>> 5) & 127]! |= 1 << (a & 31);
  bloom[a >>> 25]! |= 1 << ((a >>> 20) & 31);
  bloom[b >>> 5]! |= 1 << (b & 31);
}

/** may the body hold this word ([a-z0-9]+, lower case)? false is certain; a word shorter than WORD_MIN is never excluded */
export function mayHoldWord(bloom: Uint32Array, word: string): boolean {
  return wordProbe(word)(bloom);
}

/** mayHoldWord for one word and many filters (its bits computed once) */
export function wordProbe(word: string): (bloom: Uint32Array) => boolean {
  if (word.length < WORD_MIN) return () => true;
  // the FNV-1a hash the scan computes unit by unit
  const a = fmix32(fnv1a(word));
  const b = Math.imul(a, 0x9e3779b1) >>> 20;
  const ia = (a >>> 5) & 127;
  const ma = 1 << (a & 31);
  const ib = a >>> 25;
  const mb = 1 << ((a >>> 20) & 31);
  const ic = b >>> 5;
  const mc = 1 << (b & 31);
  return (bloom) => (bloom[ia]! & ma) !== 0 && (bloom[ib]! & mb) !== 0 && (bloom[ic]! & mc) !== 0;
}

/**
 * The MinHash signature of normaliseForDedupe(title + '\n' + body) — lower-cased, whitespace runs
 * collapsed, trimmed — or, with `hashes`, its trigram hashes (the count is returned in `count`).
 * The body is read from UTF-8 bytes and lower-cased per character, which is what toLowerCase does
 * except for a capital sigma (its lower case depends on what follows): null then, and the caller
 * lower-cases the string.
 */
export function nearDuplicateShingles(r: ShingleRequest): { sig: Uint32Array | null; count: number; words: Uint32Array | null } | null {
  // the title (lower-cased as a string) and the line break, then the body: one buffer, one loop
  const head = Buffer.from(r.title.toLowerCase() + '\n', 'utf8');
  const bytes = Buffer.concat([head, r.bytes.subarray(r.from, r.end)]);
  const end = bytes.length;
  const hashes = r.hashes ?? null;
  const bins = new Uint32Array(MINHASH_BINS).fill(EMPTY_BIN);
  let nHashes = 0;
  // the body's words: a rolling hash of the current [a-z0-9]+ run (from the first body byte on)
  const bloom = r.words ? new Uint32Array(BLOOM_WORDS) : null;
  const bodyAt = bloom ? head.length : end;
  let wHash = 0x811c9dc5;
  let wLen = 0;
  // the last two units of the normalised text, how many there were, a collapsed space pending
  let a0 = -1;
  let a1 = -1;
  let count = 0;
  let pending = false;
  for (let i = 0; i < end;) {
    const inBody = i >= bodyAt;
    let c = bytes[i]!;
    let next = -1; // a second unit of the same character (astral, or a lower case of two units)
    if (c < 0x80) {
      if (c >= 65 && c <= 90) c += 32;
      i++;
    } else {
      let cp: number;
      if (c < 0xe0) {
        cp = ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
        i += 2;
      } else if (c < 0xf0) {
        cp = ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
        i += 3;
      } else {
        cp = ((c & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
        i += 4;
      }
      if (cp === 0x3a3) return null;
      c = cp < 0x10000 ? lowerBmp(cp) : 0xffff;
      if (c === 0xffff) {
        const low = String.fromCodePoint(cp).toLowerCase();
        if (low.length > 2) return null;
        c = low.charCodeAt(0);
        if (low.length === 2) next = low.charCodeAt(1);
      }
    }
    for (;;) {
      if (inBody) {
        if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
          wHash = Math.imul(wHash ^ c, 0x01000193);
          wLen++;
        } else if (wLen) {
          if (wLen >= WORD_MIN) addWord(bloom!, wHash);
          wHash = 0x811c9dc5;
          wLen = 0;
        }
      }
      if (c === 32 || (c >= 9 && c <= 13) || (c >= 0xa0 && isWideSpace(c))) {
        if (count) pending = true;
      } else {
        // a collapsed whitespace run is one space before this unit: up to two shingles to emit
        for (let u = pending ? 32 : c; ; u = c) {
          if (count >= 2) {
            const t = a0 < 1024 && a1 < 1024 && u < 1024 ? ((a0 << 20) | (a1 << 10) | u) >>> 0 : trigram(a0, a1, u);
            if (hashes) hashes[nHashes++] = t;
            else {
              const h = fmix32((t ^ DEFAULT_SEED) >>> 0);
              const bin = h >>> 25;
              const v = h & 0x01ffffff;
              if (v < bins[bin]!) bins[bin] = v;
            }
          }
          a0 = a1;
          a1 = u;
          count++;
          if (!pending) break;
          pending = false;
        }
      }
      if (next < 0) break;
      c = next;
      next = -1;
    }
  }
  if (bloom && wLen >= WORD_MIN) addWord(bloom, wHash);
  if (count > 0 && count < 3) {
    // one or two characters: the whole text is one shingle (as trigramHashes)
    let h = 0x811c9dc5;
    if (count === 2) h = Math.imul(h ^ a0, 0x01000193);
    const one = fmix32(Math.imul(h ^ a1, 0x01000193) >>> 0);
    if (hashes) hashes[nHashes++] = one;
    else {
      const x = fmix32((one ^ DEFAULT_SEED) >>> 0);
      if ((x & 0x01ffffff) < bins[x >>> 25]!) bins[x >>> 25] = x & 0x01ffffff;
    }
  }
  return { sig: hashes ? null : densify(bins), count: nHashes, words: bloom };
}
