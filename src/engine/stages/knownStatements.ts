// What live learnings already state, section by section (§4 REDUCE): a session candidate contained
// in a learning's text, or close (trigram Jaccard > 0.8) to one of its bullets or paragraphs, is
// known and not promoted again. Only learnings whose body has most of the candidate's three longest
// words are compared, told by each learning's Bloom filter of words (worked out with its
// signature when it was read); for a close statement, only those holding 70% of the candidate's
// words (CLOSE_WORDS); a statement is compared without building its trigram set unless its size
// can pass.
import type { Note } from '../corpus/note';
import { bodyWords } from '../corpus/knowledge';
import { trigram, trigramSet } from '../corpus/shingles';
import { WORD_MIN, wordProbe } from '../corpus/textScan';

export const normStatement = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** the share of a candidate's words (of WORD_MIN characters or more) a learning must hold to be read for a close statement */
export const CLOSE_WORDS = 0.7;

/** the words a candidate's near learnings must contain (its three longest), and how many of them */
function wordsOf(c: string): { words: string[]; need: number } {
  const words = [...new Set(c.split(' '))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, 3);
  return { words, need: Math.max(1, words.length - 1) };
}

/** how many of the words (their probes) a body's Bloom filter of words may hold */
function heldBy(bloom: Uint32Array, probes: ((bloom: Uint32Array) => boolean)[]): number {
  let held = 0;
  for (const probe of probes) if (probe(bloom)) held++;
  return held;
}

/** an answer: the learning that states the candidate, `true` (an empty candidate), or null (none does) */
type Answer = Note | true | null;

export class KnownStatements {
  /** answers per normalised candidate: the same live learnings (same note objects) give the same answers */
  private answers = new Map<string, Answer>();
  /**
   * after a commit changed a few learnings: the previous learnings' answers and the learnings that
   * came. An answer stands while the learning that gave it is live (a note never changes); "none"
   * is checked against the learnings that came only.
   */
  private prior: { answers: Map<string, Answer>; came: Note[] } | null = null;
  private live: Set<Note> | null = null;
  private static last: KnownStatements | null = null;
  private constructor(private notes: Note[]) {}

  /** the previous instance when the live learnings are the same note objects (a later iteration re-checks the same candidates) */
  static for(notes: Note[]): KnownStatements {
    const last = KnownStatements.last;
    if (last && last.notes.length === notes.length && last.notes.every((n, i) => n === notes[i])) return last;
    const next = new KnownStatements(notes);
    if (last) {
      const before = new Set(last.notes);
      const came = notes.filter((n) => !before.has(n));
      if (came.length + (last.notes.length - (notes.length - came.length)) < notes.length / 2) {
        next.prior = { answers: last.settled(), came };
        next.live = new Set(notes);
      }
    }
    return (KnownStatements.last = next);
  }

  /** what a next instance starts from: this one's answers, and its prior's learnings that stated a candidate */
  private settled(): Map<string, Answer> {
    if (!this.prior) return this.answers;
    const out = new Map(this.answers);
    // a "none" of the prior was not checked against this instance's new learnings, and a learning
    // that left is not kept alive by an answer: neither is carried
    for (const [k, a] of this.prior.answers) if (!out.has(k) && (a === true || (a && this.live!.has(a)))) out.set(k, a);
    return out;
  }

  /** for each candidate: does a live learning already state it? */
  statesAll(candidates: string[]): boolean[] {
    const keys = candidates.map(normStatement);
    const todo: string[] = [];
    const unstated: string[] = [];
    for (const k of new Set(keys)) {
      if (this.answers.has(k)) continue;
      const before = this.prior?.answers.get(k);
      if (before === undefined || (before !== true && before && !this.live!.has(before))) todo.push(k);
      else if (before === null) unstated.push(k);
      else this.answers.set(k, before);
    }
    if (unstated.length) {
      // stated by none of the previous learnings: only one that came can state it now
      const near = this.nearNotes(unstated, this.prior!.came);
      for (const c of unstated) this.answers.set(c, this.compute(c, near.get(c) ?? []));
    }
    if (todo.length) {
      const near = this.nearNotes(todo, this.notes);
      for (const c of todo) this.answers.set(c, this.compute(c, near.get(c) ?? []));
    }
    return keys.map((k) => this.answers.get(k) !== null);
  }

  /**
   * Per candidate: the learnings whose body has `need` of its three longest words as words, told
   * by each body's Bloom filter of words (corpus/textScan.ts; worked out when the note was read).
   * A filter's rare false "maybe" only adds a learning to compare; what it is compared by is exact.
   */
  private nearNotes(candidates: string[], notes: Note[]): Map<string, Note[]> {
    const want = candidates.filter(Boolean).map((c) => {
      const { words, need } = wordsOf(c);
      return { c, need, probes: words.map(wordProbe) };
    });
    const out = new Map<string, Note[]>();
    if (!want.length) return out;
    for (const n of notes) {
      const bloom = bodyWords(n);
      for (const w of want) {
        if (heldBy(bloom, w.probes) < w.need) continue;
        const list = out.get(w.c);
        if (list) list.push(n);
        else out.set(w.c, [n]);
      }
    }
    return out;
  }

  /** the learning (of `near`) that states c, or null */
  private compute(c: string, near: Note[]): Answer {
    if (!c) return true;
    if (!near.length) return null;
    // contained: every inner word of the candidate is a word of the body (its first and last may be parts of words)
    const inner = c.split(' ').slice(1, -1).map(wordProbe);
    const contains = near.find((n) => inner.every((probe) => probe(bodyWords(n))) && normStatement(n.body).includes(c));
    if (contains) return contains;
    // close: a statement within trigram Jaccard 0.8 of the candidate shares most of its words, so
    // a learning holding fewer than CLOSE_WORDS of them is not read (a candidate of common words
    // is near thousands of learnings by its three longest words alone)
    const words = [...new Set(c.split(' '))].filter((w) => w.length >= WORD_MIN).map(wordProbe);
    const must = words.length >= 3 ? Math.ceil(words.length * CLOSE_WORDS) : 0;
    const close = closeness(trigramSet(c));
    return near.find((n) => (!must || heldBy(bodyWords(n), words) >= must) && close(n)) ?? null;
  }
}

/** the statements of a body (bullets, paragraphs, headings' text), normalised; once per note */
const statementTexts = new WeakMap<Note, string[]>();
function statements(n: Note): string[] {
  let out = statementTexts.get(n);
  if (!out)
    statementTexts.set(
      n,
      (out = n.body
        .split(/\r?\n\s*\r?\n|\r?\n(?=\s*(?:[-*+]|\d+[.)])\s)|\r?\n(?=#)/)
        .map((p) => normStatement(p.replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/, '')))
        .filter((p) => p.length >= 12)),
    );
  return out;
}

/** an open-addressing set of trigram hashes (power-of-two size, -1 = empty) */
function hashSet(size: number): Int32Array {
  return new Int32Array(size).fill(-1);
}
/** adds t; true when it was not there */
function addHash(set: Int32Array, t: number): boolean {
  const mask = set.length - 1;
  for (let h = Math.imul(t, 0x9e3779b1) >>> 0; ; h++) {
    const v = set[h & mask]!;
    if (v === (t | 0)) return false;
    if (v === -1) {
      set[h & mask] = t | 0;
      return true;
    }
  }
}
function hasHash(set: Int32Array, t: number): boolean {
  const mask = set.length - 1;
  for (let h = Math.imul(t, 0x9e3779b1) >>> 0; ; h++) {
    const v = set[h & mask]!;
    if (v === (t | 0)) return true;
    if (v === -1) return false;
  }
}

/**
 * A candidate's closeness test: is one of a note's statements within trigram Jaccard 0.8 of it,
 * with trigram sets within a factor 0.8 of each other in size? A statement's distinct trigrams are
 * counted as it is read, and reading stops once there are too many: a long paragraph is dismissed
 * after its first few hundred characters, without building its set.
 */
function closeness(cs: Uint32Array): (n: Note) => boolean {
  const max = Math.floor(cs.length * 1.25);
  const min = cs.length * 0.8;
  const size = 1 << Math.ceil(Math.log2(Math.max(16, max * 4)));
  const mine = hashSet(1 << Math.ceil(Math.log2(Math.max(16, cs.length * 4))));
  for (const t of cs) addHash(mine, t);
  const seen = hashSet(size);
  return (n) => {
    for (const p of statements(n)) {
      // a set is at most as large as the text has trigrams
      if (p.length - 2 < min) continue;
      seen.fill(-1);
      let distinct = 0;
      let shared = 0;
      let c0 = p.charCodeAt(0);
      let c1 = p.charCodeAt(1);
      for (let i = 2; i < p.length && distinct <= max; i++) {
        const c2 = p.charCodeAt(i);
        const t = trigram(c0, c1, c2);
        c0 = c1;
        c1 = c2;
        if (addHash(seen, t)) {
          distinct++;
          if (hasHash(mine, t)) shared++;
        }
      }
      if (distinct > max || distinct < min) continue;
      if (shared / (cs.length + distinct - shared) > 0.8) return true;
    }
    return false;
  };
}
