// Near-duplicate detection: MinHash + LSH must find every pair whose exact character-trigram
// Jaccard is above the threshold (upstream's rule), and nothing below it; deterministically.
import assert from 'node:assert/strict';
import {
  SignatureCache,
  findNearDuplicates,
  groupPairs,
  jaccard,
  normaliseForDedupe,
  trigramJaccard,
  trigramSet,
  type DedupeItem,
  type DuplicatePair,
} from '../../src/engine/stages/dedupe';

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    x ^= x >>> 13;
    return (x >>> 0) / 2 ** 32;
  };
}

const VOCAB = (
  'pool token cache retry index schema parser queue worker lock commit branch deploy metric latency budget ' +
  'session learning finding pattern research citation maturity archive stale fresh unique visible inject ' +
  'close open flush drain backoff jitter timeout deadline cancel signal abort resume restart crash recover ' +
  'database connection transaction rollback migration column table row query plan scan join sort merge ' +
  'network socket request response header cookie proxy gateway route handler middleware server client ' +
  'memory heap stack buffer stream chunk byte encode decode compress hash digest sign verify encrypt ' +
  'always never before after during while until unless because therefore however instead otherwise ' +
  'the a of to in on for with by from at as is be was were are it this that these those'
).split(' ');

function paragraph(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(VOCAB[Math.floor(r() * VOCAB.length)]!);
  return out.join(' ') + '.';
}

/** light rewording: replace / insert / delete a few words, change some case and spacing */
function reword(r: () => number, text: string, edits: number): string {
  const w = text.split(' ');
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(r() * w.length);
    const kind = r();
    if (kind < 0.5) w[i] = VOCAB[Math.floor(r() * VOCAB.length)]!;
    else if (kind < 0.75) w.splice(i, 0, VOCAB[Math.floor(r() * VOCAB.length)]!);
    else if (w.length > 5) w.splice(i, 1);
  }
  // case and whitespace differences do not matter after normalisation
  return w.join(r() < 0.5 ? ' ' : '  ').replace(/^./, (c) => c.toUpperCase());
}

function bruteForcePairs(items: DedupeItem[], threshold: number): DuplicatePair[] {
  const sets = items.map((it) => trigramSet(normaliseForDedupe(it.text)));
  const out: DuplicatePair[] = [];
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      const s = jaccard(sets[i]!, sets[j]!);
      if (s > threshold) {
        const [a, b] = items[i]!.key < items[j]!.key ? [items[i]!.key, items[j]!.key] : [items[j]!.key, items[i]!.key];
        out.push({ a, b, similarity: s });
      }
    }
  return out.sort((p, q) => (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0));
}

const pairKey = (p: { a: string; b: string }) => `${p.a}|${p.b}`;

describe('near-duplicate detection', () => {
  it('trigramJaccard: identical 1, case/whitespace-insensitive, disjoint 0', () => {
    assert.equal(trigramJaccard('The quick brown fox', 'the   QUICK brown\nfox'), 1);
    assert.equal(trigramJaccard('aaaa', 'bbbb'), 0);
    const s = trigramJaccard('close the database pool before the process exits', 'close the database pool before the process quits');
    assert.ok(s > 0.7 && s < 1, String(s));
    // the same trigrams in another arrangement count as the same set
    assert.equal(trigramJaccard('close the db pool before exit', 'close the db pool before the exit'), 1);
  });

  it('finds planted lightly-reworded pairs and not unrelated texts', () => {
    const r = rng(11);
    const items: DedupeItem[] = [];
    const planted: [string, string][] = [];
    for (let i = 0; i < 10; i++) {
      const base = paragraph(r, 70);
      items.push({ key: `orig-${i}`, text: base });
      items.push({ key: `copy-${i}`, text: reword(r, base, 2) });
      planted.push([`copy-${i}`, `orig-${i}`]);
    }
    for (let i = 0; i < 20; i++) items.push({ key: `other-${String(i).padStart(2, '0')}`, text: paragraph(r, 70) });
    for (const [a, b] of planted) {
      const s = trigramJaccard(items.find((x) => x.key === a)!.text, items.find((x) => x.key === b)!.text);
      assert.ok(s > 0.8, `planted pair ${a}/${b} has Jaccard ${s}`);
    }
    const res = findNearDuplicates(items, 0.8);
    assert.deepEqual(res.pairs.map(pairKey).sort(), planted.map(([a, b]) => `${a}|${b}`).sort());
    assert.equal(res.groups.length, 10);
    assert.ok(res.groups.every((g) => g.length === 2));
    assert.ok(res.pairs.every((p) => !p.a.startsWith('other') && !p.b.startsWith('other')));
  });

  it('is deterministic: same result twice, same order, whatever the input order and cache', () => {
    const r = rng(5);
    const items: DedupeItem[] = [];
    for (let i = 0; i < 40; i++) {
      const t = paragraph(r, 50);
      items.push({ key: `n-${String(i).padStart(2, '0')}`, text: t });
      if (i % 4 === 0) items.push({ key: `n-${String(i).padStart(2, '0')}-dup`, text: reword(r, t, 1) });
    }
    const a = findNearDuplicates(items, 0.8);
    const b = findNearDuplicates(items, 0.8, new SignatureCache());
    const shuffled = [...items].reverse();
    const c = findNearDuplicates(shuffled, 0.8, new SignatureCache());
    assert.ok(a.pairs.length >= 10);
    assert.deepEqual(b.pairs, a.pairs);
    assert.deepEqual(c.pairs, a.pairs);
    assert.deepEqual(b.groups, a.groups);
    assert.deepEqual(c.groups, a.groups);
    // pairs sorted by (a, b), each with a < b
    const keys = a.pairs.map(pairKey);
    assert.deepEqual(keys, [...keys].sort());
    assert.ok(a.pairs.every((p) => p.a < p.b));
    // a reused cache returns the same answer
    const cache = new SignatureCache();
    assert.deepEqual(findNearDuplicates(items, 0.8, cache).pairs, a.pairs);
    assert.deepEqual(findNearDuplicates(items, 0.8, cache).pairs, a.pairs);
  });

  it('agrees with exact trigram Jaccard on 300 random texts with 20 planted pairs (recall 1.0, precision 1.0)', function () {
    this.timeout(60000);
    const r = rng(2026);
    const items: DedupeItem[] = [];
    const planted: [string, string][] = [];
    // varied lengths and edit counts so that some planted pairs sit just above 0.8
    for (let i = 0; i < 20; i++) {
      const words = 30 + Math.floor(r() * 90);
      const base = paragraph(r, words);
      const edits = 1 + (i % 5) + Math.floor(words / 40);
      items.push({ key: `p${String(i).padStart(3, '0')}-a`, text: base });
      items.push({ key: `p${String(i).padStart(3, '0')}-b`, text: reword(r, base, edits) });
      planted.push([`p${String(i).padStart(3, '0')}-a`, `p${String(i).padStart(3, '0')}-b`]);
    }
    while (items.length < 300)
      items.push({ key: `r${String(items.length).padStart(3, '0')}`, text: paragraph(r, 20 + Math.floor(r() * 100)) });

    const threshold = 0.8;
    const res = findNearDuplicates(items, threshold);
    const byKey = new Map(items.map((it) => [it.key, it.text]));

    // precision: every pair found is above the threshold by the exact measure, with that similarity
    for (const p of res.pairs) {
      const exact = trigramJaccard(byKey.get(p.a)!, byKey.get(p.b)!);
      assert.ok(exact > threshold, `${p.a}/${p.b} reported at ${p.similarity}, exact ${exact}`);
      assert.ok(Math.abs(exact - p.similarity) < 1e-12, `${p.a}/${p.b}: ${p.similarity} vs exact ${exact}`);
    }
    // recall on the planted pairs
    let plantedAbove = 0;
    const found = new Set(res.pairs.map(pairKey));
    for (const [a, b] of planted) {
      const exact = trigramJaccard(byKey.get(a)!, byKey.get(b)!);
      if (exact > threshold) {
        plantedAbove++;
        assert.ok(found.has(`${a}|${b}`), `planted pair ${a}/${b} with exact Jaccard ${exact.toFixed(4)} was missed`);
      }
    }
    assert.ok(plantedAbove >= 15, `only ${plantedAbove} planted pairs are above the threshold; the test would be too weak`);
    // recall over every pair: the brute-force truth
    const truth = bruteForcePairs(items, threshold);
    assert.deepEqual(res.pairs.map(pairKey), truth.map(pairKey));
    // and it did not compare everything with everything
    assert.ok(res.exactChecks < (300 * 299) / 2 / 10, `exact checks ${res.exactChecks}`);
  });

  it('planted pairs near the threshold (0.80-0.90) are all found', function () {
    this.timeout(60000);
    const r = rng(77);
    const items: DedupeItem[] = [];
    const near: [string, string, number][] = [];
    let n = 0;
    while (near.length < 25 && n < 5000) {
      n++;
      const base = paragraph(r, 60 + Math.floor(r() * 60));
      const copy = reword(r, base, 3 + Math.floor(r() * 8));
      const s = trigramJaccard(base, copy);
      if (s > 0.8 && s < 0.9) {
        const k = `near-${String(near.length).padStart(2, '0')}`;
        items.push({ key: `${k}-a`, text: base }, { key: `${k}-b`, text: copy });
        near.push([`${k}-a`, `${k}-b`, s]);
      }
    }
    assert.ok(near.length >= 15, `only ${near.length} near-threshold pairs generated`);
    for (let i = 0; i < 100; i++) items.push({ key: `z${String(i).padStart(3, '0')}`, text: paragraph(r, 80) });
    const found = new Set(findNearDuplicates(items, 0.8).pairs.map(pairKey));
    const missed = near.filter(([a, b]) => !found.has(`${a}|${b}`));
    assert.deepEqual(
      missed.map(([a, b, s]) => `${a}/${b}@${s.toFixed(3)}`),
      [],
    );
  });

  it('a pair exactly at or below the threshold is not a duplicate (strict >)', () => {
    const items = [
      { key: 'a', text: 'the same text exactly here' },
      { key: 'b', text: 'the same text exactly here' },
    ];
    assert.equal(findNearDuplicates(items, 0.8).pairs.length, 1);
    assert.equal(findNearDuplicates(items, 0.8).pairs[0]!.similarity, 1);
    assert.equal(findNearDuplicates(items, 1).pairs.length, 0, 'identical texts are not > 1.0');
  });

  it('empty input and single items give nothing', () => {
    assert.deepEqual(findNearDuplicates([], 0.8).pairs, []);
    assert.deepEqual(findNearDuplicates([{ key: 'x', text: 'only one' }], 0.8).groups, []);
  });

  it('groupPairs merges transitive pairs into sorted groups', () => {
    const pairs: DuplicatePair[] = [
      { a: 'b', b: 'c', similarity: 0.9 },
      { a: 'x', b: 'y', similarity: 0.85 },
      { a: 'a', b: 'b', similarity: 0.95 },
      { a: 'c', b: 'd', similarity: 0.81 },
      { a: 'm', b: 'y', similarity: 0.9 },
    ];
    assert.deepEqual(groupPairs(pairs), [
      ['a', 'b', 'c', 'd'],
      ['m', 'x', 'y'],
    ]);
    assert.deepEqual(groupPairs([]), []);
    assert.deepEqual(groupPairs([...pairs].reverse()), groupPairs(pairs));
  });

  it('findNearDuplicates groups a chain of near-duplicates together', () => {
    const r = rng(99);
    const t0 = paragraph(r, 80);
    const t1 = reword(r, t0, 2);
    const t2 = reword(r, t1, 2);
    const items = [
      { key: 'c0', text: t0 },
      { key: 'c1', text: t1 },
      { key: 'c2', text: t2 },
      { key: 'u', text: paragraph(r, 80) },
    ];
    const res = findNearDuplicates(items, 0.8);
    assert.deepEqual(res.groups, [['c0', 'c1', 'c2']]);
  });
});
