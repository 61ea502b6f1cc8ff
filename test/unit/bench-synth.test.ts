// The benchmark's synthetic corpus: deterministic, planted near-duplicates above the dedupe rule,
// unrelated notes well below it, and the engine's detector agreeing with the planted groups.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findNearDuplicates, trigramJaccard } from '../../src/engine/stages/dedupe';
import { mineSessionLearnings, parseFinding } from '../../src/engine/stages/ingest';
import { parseNote } from '../../src/engine/corpus/note';
import { generateCorpus, mulberry32, pairKey, plantedPairs, referenceTrigramJaccard, type SynthResult } from '../../bench/synth';

function treeHash(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, r);
      else out.set(r, crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root, '');
  return out;
}

describe('bench synthetic corpus', () => {
  const opts = { learnings: 200, dupGroups: 10, seed: 4242, today: '2026-11-23' };
  let dirA: string;
  let dirB: string;
  let a: SynthResult;

  before(() => {
    dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-synth-a-'));
    dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-synth-b-'));
    a = generateCorpus(dirA, opts);
  });
  after(() => {
    fs.rmSync(dirA, { recursive: true, force: true });
    fs.rmSync(dirB, { recursive: true, force: true });
  });

  it('is deterministic: the same seed writes identical bytes', () => {
    const b = generateCorpus(dirB, opts);
    assert.deepEqual(b.groups, a.groups);
    const ha = treeHash(dirA);
    const hb = treeHash(dirB);
    assert.ok(ha.size > 200);
    assert.deepEqual([...hb.entries()].sort(), [...ha.entries()].sort());
  });

  it('a different seed gives a different corpus', () => {
    const dirC = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-synth-c-'));
    try {
      const c = generateCorpus(dirC, { ...opts, seed: 4243 });
      assert.notDeepEqual(
        c.learnings.map((n) => n.body),
        a.learnings.map((n) => n.body),
      );
    } finally {
      fs.rmSync(dirC, { recursive: true, force: true });
    }
  });

  it('writes the requested number of learnings over many folders, each a parseable note', () => {
    assert.equal(a.learnings.length, 200);
    const folders = new Set(a.learnings.map((n) => path.posix.dirname(n.rel)));
    assert.ok(folders.size >= 15, `only ${folders.size} folders`);
    for (const n of a.learnings) {
      const note = parseNote(n.rel, fs.readFileSync(path.join(dirA, '.agents', n.rel)));
      assert.equal(note.fmError, null, n.rel);
      assert.equal(note.fm.title, n.title);
      assert.equal(note.body, n.body);
      const words = n.body
        .replace(/^# .*\n/, '')
        .split(/\s+/)
        .filter(Boolean).length;
      assert.ok(words >= 60 && words <= 140, `${n.rel}: ${words} words`);
    }
    assert.ok(a.brokenCitations.length > 0 && a.brokenCitations.length < 50);
  });

  it('plants 10 groups of 2-3 notes whose every pair has trigram Jaccard > 0.85', () => {
    assert.equal(a.groups.length, 10);
    const byRel = new Map(a.learnings.map((n) => [n.rel, n]));
    for (const g of a.groups) {
      assert.ok(g.length === 2 || g.length === 3, `group of ${g.length}`);
      for (let i = 0; i < g.length; i++)
        for (let j = i + 1; j < g.length; j++) {
          const x = byRel.get(g[i]!)!;
          const y = byRel.get(g[j]!)!;
          const s = trigramJaccard(`${x.title}\n${x.body}`, `${y.title}\n${y.body}`);
          assert.ok(s > 0.85, `${x.rel} ~ ${y.rel}: ${s}`);
          assert.ok(Math.abs(s - referenceTrigramJaccard(`${x.title}\n${x.body}`, `${y.title}\n${y.body}`)) < 1e-9);
          assert.notEqual(x.body, y.body, 'members are perturbed, not copies');
        }
    }
  });

  it('random unrelated pairs are well below 0.5', () => {
    const planted = plantedPairs(a.groups);
    const rnd = mulberry32(99);
    let max = 0;
    for (let k = 0; k < 400; k++) {
      const x = a.learnings[Math.floor(rnd() * a.learnings.length)]!;
      const y = a.learnings[Math.floor(rnd() * a.learnings.length)]!;
      if (x.rel === y.rel || planted.has(pairKey(x.rel, y.rel))) continue;
      max = Math.max(max, trigramJaccard(`${x.title}\n${x.body}`, `${y.title}\n${y.body}`));
    }
    assert.ok(max < 0.5, `max unrelated similarity ${max}`);
  });

  it('the engine detector finds exactly the planted pairs at 0.8', () => {
    const dd = findNearDuplicates(
      a.learnings.map((n) => ({ key: n.rel, text: `${n.title}\n${n.body}` })),
      0.8,
    );
    assert.deepEqual(new Set(dd.pairs.map((p) => pairKey(p.a, p.b))), plantedPairs(a.groups));
  });
});

// The bundled example workspace: what EXPECTED.json says is planted really is planted.
describe('example workspace plants (examples/sample-workspace/.agents/EXPECTED.json)', () => {
  const ws = path.resolve(__dirname, '..', '..', '..', 'examples', 'sample-workspace');
  const agents = path.join(ws, '.agents');
  const exp = JSON.parse(fs.readFileSync(path.join(agents, 'EXPECTED.json'), 'utf8')) as {
    today: string;
    learnings: string[];
    near_duplicate_groups: string[][];
    stale: string[];
    stale_but_referenced: string[];
    stable_old: string[];
    broken_citations: string[];
    drafts_citing_existing: string[];
    unknown_keys: Record<string, string[]>;
    crlf: string[];
    broken_frontmatter: string[];
    session_bullets: number;
    unresolved_findings: string[];
    tier1_drafts: string[];
  };
  const read = (rel: string) => parseNote(rel, fs.readFileSync(path.join(agents, rel)));
  const listMd = (dir: string, rel: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? listMd(path.join(dir, e.name), `${rel}/${e.name}`) : e.name.endsWith('.md') ? [`${rel}/${e.name}`] : [],
      );
  const learnings = listMd(path.join(agents, 'learnings'), 'learnings').sort();
  const notes = learnings.map(read);
  const parsed = notes.filter((n) => n.fmError === null);
  const refText = ['patterns', 'research']
    .flatMap((d) => listMd(path.join(agents, d), d))
    .map((r) => fs.readFileSync(path.join(agents, r), 'utf8').toLowerCase())
    .join('\n');
  const ageDays = (n: ReturnType<typeof read>) =>
    (Date.parse(`${exp.today}T00:00:00Z`) - Date.parse(`${String(n.fm.date)}T00:00:00Z`)) / 86_400_000;
  const cites = (n: ReturnType<typeof read>) => (Array.isArray(n.fm.citations) ? (n.fm.citations as string[]) : []);
  const exists = (c: string) => fs.existsSync(path.join(ws, c.replace(/:\d+$/, '')));

  it('lists every learning, about 36 of them', () => {
    assert.deepEqual(learnings, [...exp.learnings].sort());
    assert.ok(learnings.length >= 30 && learnings.length <= 40);
  });

  it('near-duplicate groups are > 0.85 inside and every other pair is < 0.5', () => {
    const planted = plantedPairs(exp.near_duplicate_groups);
    const text = (n: ReturnType<typeof read>) => `${String(n.fm.title)}\n${n.body}`;
    for (let i = 0; i < parsed.length; i++)
      for (let j = i + 1; j < parsed.length; j++) {
        const s = trigramJaccard(text(parsed[i]!), text(parsed[j]!));
        if (planted.has(pairKey(parsed[i]!.rel, parsed[j]!.rel))) assert.ok(s > 0.85, `${parsed[i]!.rel} ~ ${parsed[j]!.rel}: ${s}`);
        else assert.ok(s < 0.5, `${parsed[i]!.rel} ~ ${parsed[j]!.rel}: ${s}`);
      }
    const dd = findNearDuplicates(
      parsed.map((n) => ({ key: n.rel, text: text(n) })),
      0.8,
    );
    assert.deepEqual(dd.groups, exp.near_duplicate_groups);
  });

  it('stale, referenced-old and stable-old notes are what they claim', () => {
    const old = parsed
      .filter((n) => ageDays(n) > 30)
      .map((n) => n.rel)
      .sort();
    assert.deepEqual(old, [...exp.stale, ...exp.stale_but_referenced, ...exp.stable_old].sort());
    for (const rel of exp.stale) {
      const n = read(rel);
      assert.ok(['draft', 'provisional'].includes(String(n.fm.maturity)), rel);
      assert.ok(
        !refText.includes(path.posix.basename(rel).toLowerCase()) && !refText.includes(String(n.fm.id).toLowerCase()),
        `${rel} is referenced`,
      );
    }
    for (const rel of exp.stale_but_referenced) assert.ok(refText.includes(path.posix.basename(rel).toLowerCase()), rel);
    for (const rel of exp.stable_old) assert.equal(read(rel).fm.maturity, 'stable');
  });

  it('broken citations, drafts, unknown keys, CRLF and broken frontmatter', () => {
    assert.deepEqual(
      parsed.filter((n) => cites(n).some((c) => !exists(c))).map((n) => n.rel),
      exp.broken_citations,
    );
    for (const rel of exp.drafts_citing_existing) {
      const n = read(rel);
      assert.equal(n.fm.maturity, 'draft', rel);
      assert.ok(cites(n).length && cites(n).every(exists), rel);
    }
    for (const [rel, keys] of Object.entries(exp.unknown_keys)) for (const k of keys) assert.ok(k in read(rel).fm, `${rel}: ${k}`);
    assert.deepEqual(
      notes.filter((n) => n.eol === '\r\n').map((n) => n.rel),
      exp.crlf,
    );
    assert.deepEqual(
      notes.filter((n) => n.fmError !== null).map((n) => n.rel),
      exp.broken_frontmatter,
    );
  });

  it('sessions, findings and the Tier 1 draft', () => {
    const sessions = listMd(path.join(agents, 'sessions'), 'sessions').map(read);
    assert.equal(sessions.flatMap(mineSessionLearnings).length, exp.session_bullets);
    assert.ok(
      sessions.flatMap(mineSessionLearnings).some((b) => /sk-test-/.test(b)),
      'a bullet carries a fake key',
    );
    const findings = listMd(path.join(agents, 'findings'), 'findings').map(read).map(parseFinding);
    assert.deepEqual(
      findings
        .filter((f) => f && !f.resolved)
        .map((f) => f!.rel)
        .sort(),
      exp.unresolved_findings,
    );
    for (const rel of exp.tier1_drafts) assert.equal(read(rel).fm.needs_review, true);
  });
});
