// What live learnings already state, section by section (§4 REDUCE): a session candidate contained
// in a learning's text, or close (trigram Jaccard > 0.8) to one of its bullets or paragraphs, is
// known and not promoted again. Only learnings that contain most of the candidate's three longest
// words are compared. The words of every candidate of the night are looked for at once: one regex
// pass over each learning's lower-cased body, whatever the number of candidates.
import type { Note } from '../corpus/note';
import { jaccard, trigramSet } from '../corpus/shingles';

export const normStatement = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** the words a candidate's near learnings must contain (its three longest), and how many of them */
function wordsOf(c: string): { words: string[]; need: number } {
  const words = [...new Set(c.split(' '))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, 3);
  return { words, need: Math.max(1, words.length - 1) };
}

/** words looked for in one regex (irregexp tries alternatives in turn: long alternations are split) */
const WORDS_PER_PASS = 64;

export class KnownStatements {
  /** answers per normalised candidate: the same live learnings (same note objects) give the same answers */
  private answers = new Map<string, boolean>();
  private static last: KnownStatements | null = null;
  private constructor(private notes: Note[]) {}

  /** the previous instance when the live learnings are the same note objects (a later iteration re-checks the same candidates) */
  static for(notes: Note[]): KnownStatements {
    const last = KnownStatements.last;
    if (last && last.notes.length === notes.length && last.notes.every((n, i) => n === notes[i])) return last;
    return (KnownStatements.last = new KnownStatements(notes));
  }

  /** for each candidate: does a live learning already state it? */
  statesAll(candidates: string[]): boolean[] {
    const keys = candidates.map(normStatement);
    const todo = [...new Set(keys.filter((k) => !this.answers.has(k)))];
    if (todo.length) {
      const near = this.nearNotes(todo);
      for (const c of todo) this.answers.set(c, this.compute(c, near.get(c) ?? []));
    }
    return keys.map((k) => this.answers.get(k)!);
  }

  /** per candidate: the learnings whose lower-cased body contains `need` of its words */
  private nearNotes(candidates: string[]): Map<string, Note[]> {
    const want = new Map<string, { words: string[]; need: number }>();
    const all = new Set<string>();
    for (const c of candidates) {
      if (!c) continue;
      const w = wordsOf(c);
      want.set(c, w);
      for (const x of w.words) all.add(x);
    }
    const out = new Map<string, Note[]>();
    if (!all.size) return out;
    // longest first: at one position the longest word matches; the words inside it count too
    const words = [...all].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    const inside = new Map(words.map((w) => [w, words.filter((x) => x !== w && w.includes(x))]));
    const passes: RegExp[] = [];
    for (let i = 0; i < words.length; i += WORDS_PER_PASS) passes.push(new RegExp(words.slice(i, i + WORDS_PER_PASS).join('|'), 'g'));
    const byWord = new Map<string, string[]>();
    for (const [c, w] of want) for (const x of w.words) byWord.set(x, [...(byWord.get(x) ?? []), c]);
    for (const n of this.notes) {
      const body = n.body.toLowerCase();
      const present = new Set<string>();
      for (const re of passes) {
        re.lastIndex = 0;
        // every start position, so overlapping words are all seen
        for (let m = re.exec(body); m; m = re.exec(body)) {
          present.add(m[0]);
          for (const x of inside.get(m[0])!) present.add(x);
          re.lastIndex = m.index + 1;
        }
      }
      if (!present.size) continue;
      const seen = new Set<string>();
      for (const x of present)
        for (const c of byWord.get(x) ?? []) {
          if (seen.has(c)) continue;
          const w = want.get(c)!;
          let hits = 0;
          for (const y of w.words) if (present.has(y)) hits++;
          if (hits < w.need) continue;
          seen.add(c);
          out.set(c, [...(out.get(c) ?? []), n]);
        }
    }
    return out;
  }

  private compute(c: string, near: Note[]): boolean {
    if (!c) return true;
    if (!near.length) return false;
    if (near.some((n) => normStatement(n.body).includes(c))) return true;
    const cs = trigramSet(c);
    return near.some((n) =>
      statementsOf(n).some((p) => p.length >= cs.length * 0.8 && cs.length >= p.length * 0.8 && jaccard(cs, p) > 0.8),
    );
  }
}

/** per note: its statements (bullets, paragraphs) as trigram sets */
const statementSets = new WeakMap<Note, Uint32Array[]>();
function statementsOf(n: Note): Uint32Array[] {
  let parts = statementSets.get(n);
  if (!parts)
    statementSets.set(
      n,
      (parts = n.body
        .split(/\r?\n\s*\r?\n|\r?\n(?=\s*(?:[-*+]|\d+[.)])\s)|\r?\n(?=#)/)
        .map((p) => normStatement(p.replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/, '')))
        .filter((p) => p.length >= 12)
        .map((p) => trigramSet(p))),
    );
  return parts;
}
