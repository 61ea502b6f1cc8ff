// The benchmark's realistic corpus: deterministic, shaped like the real corpora (§2.1 vocabulary,
// dates over a year, sizes 0.5-8 KB), with planted near-duplicates the engine finds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findNearDuplicates } from '../../src/engine/stages/dedupe';
import { parseNote } from '../../src/engine/corpus/note';
import { generateRealisticCorpus } from '../../bench/realistic';
import { pairKey, plantedPairs, referenceTrigramJaccard, MIN_DUP_JACCARD } from '../../bench/synth';

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

describe('bench realistic corpus', () => {
  const opts = { learnings: 400, seed: 777, today: '2026-11-23' };
  const dirs: string[] = [];
  const mk = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-realistic-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('is deterministic and differs by seed', () => {
    const a = mk();
    const b = mk();
    const c = mk();
    generateRealisticCorpus(a, opts);
    generateRealisticCorpus(b, opts);
    generateRealisticCorpus(c, { ...opts, seed: 778 });
    const fa = listFiles(a).map((p) => [path.relative(a, p), fs.readFileSync(p, 'utf8')]);
    const fb = listFiles(b).map((p) => [path.relative(b, p), fs.readFileSync(p, 'utf8')]);
    const fc = listFiles(c).map((p) => [path.relative(c, p), fs.readFileSync(p, 'utf8')]);
    assert.deepEqual(fb, fa);
    assert.notDeepEqual(fc, fa);
  });

  it('uses the §2.1 vocabulary, dates over a year and sizes of 0.5-8 KB', () => {
    const dir = mk();
    const r = generateRealisticCorpus(dir, opts);
    const notes = r.learnings.map((n) => parseNote(n.rel, fs.readFileSync(path.join(dir, '.agents', n.rel))));
    const has = (k: string) => notes.filter((n) => k in n.fm).length;
    for (const k of ['date', 'created_at', 'created', 'title', 'maturity', 'utility', 'reward_count', 'helpful_count', 'citations'])
      assert.ok(has(k) > 0, `some note uses ${k}`);
    assert.ok(has('title') < notes.length * 0.8, 'many notes have no title key (first heading instead)');
    assert.ok(
      notes.some((n) => !('date' in n.fm) && !('created_at' in n.fm) && !('created' in n.fm)),
      'some dates only in the file name',
    );
    assert.ok(
      notes.some((n) => n.fmError),
      'a few frontmatter blocks are not valid YAML',
    );
    const days = r.learnings.map((n) => path.posix.basename(n.rel).slice(0, 10)).sort();
    const span = (Date.parse(days.at(-1)!) - Date.parse(days[0]!)) / 86_400_000;
    assert.ok(span > 300, `dates span ${span} days`);
    const sizes = notes.map((n) => n.bytes.length);
    assert.ok(Math.min(...sizes) >= 400 && Math.max(...sizes) <= 9000, `sizes ${Math.min(...sizes)}..${Math.max(...sizes)}`);
    assert.ok(sizes.filter((s) => s > 4000).length > notes.length / 10, 'a long tail of large notes');
    assert.ok(fs.readFileSync(path.join(dir, '.agents/ao/citations.jsonl'), 'utf8').split('\n').length > 5);
  });

  it('plants near-duplicates above the rule and the engine finds exactly them', () => {
    const dir = mk();
    const r = generateRealisticCorpus(dir, opts);
    const planted = plantedPairs(r.groups);
    assert.ok(planted.size >= 8);
    const byRel = new Map(r.learnings.map((n) => [n.rel, `${n.title}\n${n.body}`]));
    for (const k of planted) {
      const [a, b] = k.split('|');
      assert.ok(referenceTrigramJaccard(byRel.get(a!)!, byRel.get(b!)!) > MIN_DUP_JACCARD, k);
    }
    const found = findNearDuplicates(
      r.learnings.map((n) => ({ key: n.rel, text: `${n.title}\n${n.body}` })),
      0.8,
    );
    assert.deepEqual(new Set(found.pairs.map((p) => pairKey(p.a, p.b))), planted);
  });
});
