// The fast paths must give exactly what their plain definitions give: the scanners that read a
// note's bytes once (reference tokens, near-duplicate signatures, the index summary) against a
// regex over text.toLowerCase(), MinHash over trigramHashes(normaliseForDedupe(text)) and
// split/join/replace; the retrieval self-test's pruned top-k check against a full search.
// Checked on every note of the real corpora and on generated notes with the characters that make
// byte-level reading hard (BOM, CRLF, multi-byte and astral characters, Unicode spaces, a capital
// sigma, characters whose lower case is ASCII or longer).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNote, type Note } from '../../src/engine/corpus/note';
import {
  bodyWords,
  cachedTitle,
  dedupeItem,
  isVisible,
  noteReferenceText,
  noteReferenceTokens,
  noteTitle,
  ReferenceIndex,
  referenceIndexFor,
  referenceTokens,
  summaryOf,
} from '../../src/engine/corpus/knowledge';
import { jaccard, minhash, normaliseForDedupe, trigramHashes, trigramSet } from '../../src/engine/stages/dedupe';
import { KnownStatements, normStatement } from '../../src/engine/stages/knownStatements';
import { WORD_MIN, mayHoldWord } from '../../src/engine/corpus/textScan';
import { buildIndex } from '../../src/engine/stages/reduce';
import { Retriever, parseIndex } from '../../src/engine/stages/retrieval';
import { REAL } from '../../bench/realCorpora';

/** the plain definition of referenceTokens */
function tokensByRegex(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /(^|[^a-z0-9_.-])([a-z0-9_][a-z0-9_.-]*)/g;
  const lower = text.toLowerCase();
  for (let m = re.exec(lower); m; m = re.exec(lower)) {
    const t = m[2]!.replace(/[.-]+$/, '');
    if (t.length < 4) continue;
    if (!(m[1] === '/' || m[1] === '[' || /[-_.0-9]/.test(t))) continue;
    out.set(t, (out.get(t) ?? 0) + 1);
    if (t.endsWith('.md')) out.set(t.slice(0, -3), (out.get(t.slice(0, -3)) ?? 0) + 1);
  }
  return out;
}

/** the plain definition of the index summary */
function summaryBySplit(body: string): string {
  const text = body
    .split(/\r?\n/)
    .filter((l) => !/^#/.test(l.trim()))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 240 ? text.slice(0, 237) + '...' : text;
}

const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

function realNotes(): Note[] {
  const out: Note[] = [];
  if (!fs.existsSync(REAL)) return out;
  for (const f of fs.readdirSync(REAL, { recursive: true }) as string[]) {
    const p = path.join(REAL, String(f));
    if (!String(f).endsWith('.md') || !fs.statSync(p).isFile()) continue;
    out.push(parseNote(String(f).split(path.sep).join('/'), fs.readFileSync(p)));
  }
  return out;
}

function rand(seed: number) {
  let x = seed;
  return () => (x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

const PIECES = [
  'word',
  'Mixed Case',
  'src/db/Pool.ts:10',
  '[[Wiki-Link]]',
  'learning-2026-01-02.md',
  'x',
  '-lead',
  '.dot',
  'trail.',
  'a_b',
  '—',
  '→',
  '“quoted”',
  'café',
  'ÉCOLE',
  'ΣΟΦΟΣ',
  'σοφός',
  'İstanbul',
  '\u212A' + 'elvin',
  '𐐀𐐁',
  '🚀',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\t',
  '  ',
  '\r\n',
  '\n',
  '\n\n# Heading\n',
  '## Sources\n- `a/b.ts`\n',
  'tokens/with/slash',
  'IDs-42',
];

function generatedNotes(count: number): Note[] {
  const r = rand(11);
  const out: Note[] = [];
  for (let k = 0; k < count; k++) {
    const words = Array.from({ length: 5 + Math.floor(r() * 60) }, () => PIECES[Math.floor(r() * PIECES.length)]!);
    const body = words.join(r() < 0.5 ? ' ' : '');
    const eol = r() < 0.3 ? '\r\n' : '\n';
    const fm = r() < 0.8 ? `---${eol}title: ${r() < 0.5 ? 'Σ Title ' + k : 'Plain ' + k}${eol}id: n-${k}${eol}---${eol}` : '';
    const bom = r() < 0.1 ? '\ufeff' : '';
    out.push(parseNote(`learnings/g-${k}.md`, Buffer.from(bom + fm + body, 'utf8')));
  }
  return out;
}

describe('byte-level scanners agree with their plain definitions', () => {
  const notes = [...realNotes(), ...generatedNotes(400)];

  it('the real corpora are there to check against', () => {
    assert.ok(notes.length > 400, `only ${notes.length} notes`);
  });

  it('referenceTokens(text) equals the regex over text.toLowerCase()', () => {
    for (const n of notes) {
      const text = n.fmText + '\n' + n.body;
      assert.deepEqual(sorted(referenceTokens(text)), sorted(tokensByRegex(text)), n.rel);
    }
  });

  it("a note's tokens read from its bytes equal those of its frontmatter and body text", () => {
    for (const n of notes)
      assert.deepEqual(sorted(noteReferenceTokens(n)), sorted(tokensByRegex(n.utf8 ? n.fmText + '\n' + n.body : '')), n.rel);
  });

  it('signatures and exact trigram sets equal those of normaliseForDedupe(title + body)', () => {
    for (const n of notes) {
      const norm = normaliseForDedupe(`${noteTitle(n)}\n${n.body}`);
      const e = dedupeItem(n).entry;
      assert.deepEqual([...e.sig], [...minhash(trigramHashes(norm))], n.rel);
      assert.deepEqual([...e.shingles], [...trigramSet(norm)], n.rel);
    }
  });

  it('the index summary equals the split/join/replace definition', () => {
    for (const n of notes) assert.equal(summaryOf(n.body), summaryBySplit(n.body), n.rel);
    const r = rand(5);
    for (let k = 0; k < 2000; k++) {
      const body = Array.from({ length: Math.floor(r() * 80) }, () => PIECES[Math.floor(r() * PIECES.length)]!).join(
        r() < 0.5 ? ' ' : '\n',
      );
      assert.equal(summaryOf(body), summaryBySplit(body), JSON.stringify(body));
    }
  });

  it('inTopK answers what search answers, on the real corpora and on titles made to tie', () => {
    const sets: Note[][] = [];
    const byCorpus = new Map<string, Note[]>();
    for (const n of notes) {
      if (!n.rel.includes('/.agents/learnings/') || !isVisible(n)) continue;
      const corpus = n.rel.slice(0, n.rel.indexOf('/.agents/'));
      byCorpus.set(corpus, [...(byCorpus.get(corpus) ?? []), n]);
    }
    sets.push(...byCorpus.values());
    // many notes whose titles share words in different proportions (ties and near-ties)
    const r = rand(3);
    const words = ['pool', 'close', 'socket', 'retry', 'cache', 'index', 'queue', 'lock', 'merge', 'token'];
    const tied: Note[] = [];
    for (let k = 0; k < 300; k++) {
      const title = Array.from({ length: 1 + Math.floor(r() * 4) }, () => words[Math.floor(r() * words.length)]).join(' ');
      const body = `# ${title}\n\n${Array.from({ length: Math.floor(r() * 6) }, () => words[Math.floor(r() * words.length)]).join(' ')}\n`;
      tied.push(parseNote(`learnings/t-${String(k).padStart(3, '0')}.md`, Buffer.from(body)));
    }
    sets.push(tied);
    let checked = 0;
    for (const set of sets) {
      const { entries } = parseIndex(buildIndex(set, {}).bytes);
      const retr = new Retriever(entries);
      entries.forEach((e, doc) => {
        const note = set.find((n) => n.rel === e.path)!;
        for (const query of [cachedTitle(note), e.summary.slice(0, 40), 'pool close']) {
          const full = retr.search(query, 3).includes(doc);
          assert.equal(retr.inTopK(query, doc, 3), full, `${e.path}: "${query}"`);
          checked++;
        }
      });
    }
    assert.ok(checked > 1000, `only ${checked} queries checked`);
  });

  it("the Bloom filter of a body's words holds every word of it (no false negatives)", () => {
    let words = 0;
    for (const n of notes) {
      const bloom = bodyWords(n);
      for (const w of new Set(n.body.toLowerCase().match(/[a-z0-9]+/g) ?? []))
        if (w.length >= WORD_MIN) {
          assert.ok(mayHoldWord(bloom, w), `${n.rel}: ${w}`);
          words++;
        }
    }
    assert.ok(words > 10_000, `only ${words} words checked`);
  });

  it("known statements: the same answers as the plain definition (substring scan, every paragraph's trigram set)", () => {
    const learnings = notes.filter((n) => n.rel.includes('/learnings/') && n.utf8);
    const r = rand(17);
    const candidates: string[] = [];
    for (const n of learnings) {
      const paras = n.body.split(/\r?\n\s*\r?\n/).filter((p) => p.trim().length > 40);
      for (const p of paras.slice(0, 2)) {
        const words = p.split(/\s+/);
        const at = Math.floor(r() * Math.max(1, words.length - 12));
        const cut = words.slice(at, at + 8 + Math.floor(r() * 10)).join(' ');
        candidates.push(cut); // contained
        candidates.push(cut.replace(/\b(\w)(\w*)\b/, '$2$1')); // one word changed: close, or not
        candidates.push(p.trim().slice(0, 200) + ' and a little more'); // a paragraph restated
      }
    }
    candidates.push('a statement no learning of these corpora makes about zebra migration patterns');
    const plain = (c: string) => {
      const key = normStatement(c);
      if (!key) return true;
      const words = [...new Set(key.split(' '))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, 3);
      const need = Math.max(1, words.length - 1);
      const near = learnings.filter((n) => words.filter((w) => n.body.toLowerCase().includes(w)).length >= need);
      if (near.some((n) => normStatement(n.body).includes(key))) return true;
      const cs = trigramSet(key);
      return near.some((n) =>
        n.body
          .split(/\r?\n\s*\r?\n|\r?\n(?=\s*(?:[-*+]|\d+[.)])\s)|\r?\n(?=#)/)
          .map((p) => normStatement(p.replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/, '')))
          .filter((p) => p.length >= 12)
          .map((p) => trigramSet(p))
          .some((p) => p.length >= cs.length * 0.8 && cs.length >= p.length * 0.8 && jaccard(cs, p) > 0.8),
      );
    };
    const fast = KnownStatements.for(learnings).statesAll(candidates);
    let known = 0;
    candidates.forEach((c, i) => {
      assert.equal(fast[i], plain(c), JSON.stringify(c));
      if (fast[i]) known++;
    });
    assert.ok(known > 50 && known < candidates.length, `${known} of ${candidates.length} known`);
  });

  it('known statements after a few learnings left and came: the answers of a fresh check', () => {
    const learnings = notes.filter((n) => n.rel.includes('/learnings/') && n.utf8);
    const candidates: string[] = [];
    for (const n of learnings) {
      const p = n.body.split(/\r?\n\s*\r?\n/).find((x) => x.trim().length > 60);
      if (p) candidates.push(p.trim().split(/\s+/).slice(0, 12).join(' '));
    }
    candidates.push('a statement no learning of these corpora makes about zebra migration patterns');
    const fresh = (set: Note[]) => {
      KnownStatements.for([]);
      return KnownStatements.for(set).statesAll(candidates);
    };
    // night 1 asks everything; night 2 loses every fifth learning (witnesses among them) and gains
    // learnings stating candidates nothing stated; night 3 gains one more
    KnownStatements.for([]);
    const night1 = KnownStatements.for(learnings).statesAll(candidates);
    const came = candidates
      .slice(0, -1)
      .filter((_, i) => !night1[i] || i % 7 === 0)
      .slice(0, 12)
      .map((c, k) => parseNote(`learnings/came-${k}.md`, Buffer.from(`---\ntitle: came ${k}\n---\n${c}\n`, 'utf8')));
    const second = [...learnings.filter((_, i) => i % 5 !== 0), ...came];
    const night2 = KnownStatements.for(second).statesAll(candidates);
    const third = [...second, parseNote('learnings/zebra.md', Buffer.from('---\ntitle: zebra\n---\n' + candidates.at(-1) + '\n', 'utf8'))];
    const night3 = KnownStatements.for(third).statesAll(candidates);
    assert.deepEqual(night2, fresh(second));
    assert.deepEqual(night3, fresh(third));
    assert.equal(night2.at(-1), false);
    assert.equal(night3.at(-1), true, 'a learning that came states what none did');
    assert.ok(night2.filter(Boolean).length > night1.filter((k, i) => k && i % 5 !== 0).length / 2);
  });

  it('the reference index after a few texts left and came answers what one built from scratch answers', () => {
    const learnings = notes.filter((n) => n.utf8);
    // night 1: every note; night 2: a tenth left, and notes that name other notes came
    const first = learnings.map(noteReferenceText);
    const a = referenceIndexFor(first);
    const asked = learnings.filter((_, i) => i % 3 === 0);
    for (const n of asked) a.references(n);
    const named = learnings
      .slice(0, 60)
      .map((n, k) =>
        parseNote(
          `patterns/names-${k}.md`,
          Buffer.from(`---\ntitle: names ${k}\n---\nSee [[${n.rel.split('/').pop()}]] and ${n.rel}.\n`, 'utf8'),
        ),
      );
    const kept = learnings.filter((_, i) => i % 10 !== 0);
    const second = [...kept, ...named].map(noteReferenceText);
    const b = referenceIndexFor(second);
    assert.notEqual(b, a, 'an index of its own for the new texts');
    const fresh = new ReferenceIndex(second);
    let referenced = 0;
    for (const n of kept) {
      assert.equal(b.references(n), fresh.references(n), n.rel);
      if (fresh.references(n)) referenced++;
    }
    assert.ok(referenced >= 30, `${referenced} notes referenced`);
    // the same texts again: the same index
    assert.equal(referenceIndexFor([...kept, ...named].map(noteReferenceText)), b);
    // the superseded index still answers what it was asked; anything else is an error, never a wrong answer
    for (const n of asked) a.references(n);
    const unasked = learnings.find((_, i) => i % 3 !== 0)!;
    assert.throws(() => a.references(unasked), /superseded/);
  });
});
