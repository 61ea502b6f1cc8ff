// A bedtime run on the bundled example workspace does what examples/sample-workspace/.agents/EXPECTED.json says.
import assert from 'node:assert/strict';
import { readBeforeImage } from '../../src/engine/commit/beforePack';
import fs from 'node:fs';
import path from 'node:path';
import { parseNote } from '../../src/engine/corpus/note';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import type { RunOutcome } from '../../src/engine/core/api';
import { corpusHash, rm, snapshot, tmpDir } from './helpers/fixture';

const EXAMPLE = path.resolve(__dirname, '../../../examples/sample-workspace');
const expected = JSON.parse(fs.readFileSync(path.join(EXAMPLE, '.agents/EXPECTED.json'), 'utf8'));
const NOW = () => new Date(`${expected.today}T03:00:00Z`);

function fm(ws: string, rel: string): Record<string, unknown> {
  return parseNote(rel, fs.readFileSync(path.join(ws, '.agents', rel))).fm;
}

describe('bedtime run on the example workspace', function () {
  this.timeout(30000);
  let ws: string;
  let outcome: RunOutcome;
  let outsideBefore: Map<string, string>;
  let original: Map<string, Buffer>;
  before(async () => {
    ws = path.join(tmpDir(), 'sample-workspace');
    fs.cpSync(EXAMPLE, ws, { recursive: true });
    outsideBefore = snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/'));
    original = new Map();
    for (const rel of expected.learnings as string[]) original.set(rel, fs.readFileSync(path.join(ws, '.agents', rel)));
    outcome = await runBedtime({
      workspace: ws,
      // §4.2: one night retires at most 10% of the live learnings (3 of 37 here); the five planted
      // duplicates need a cap of at least 5 to collapse in one night
      settings: resolveSettings({ args: { keepAwake: false, maxRetirePerNight: 10 } }),
      now: NOW,
      goal: 'tidy the corpus',
    });
  });
  after(() => rm(path.dirname(ws)));

  it('finishes, compounds in the first iteration and plateaus', () => {
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.summary.iterations[0]!.status, 'done');
    assert.equal(outcome.summary.halt_reason, 'plateau');
    assert.ok(outcome.summary.fitness_delta.uniqueness! > 0);
  });

  it('merges planted near-duplicates: the survivor keeps the union of citations and tags, the others are superseded, not deleted', () => {
    for (const group of expected.near_duplicate_groups as string[][]) {
      const live = group.filter((rel) => fs.existsSync(path.join(ws, '.agents', rel)));
      assert.equal(live.length, 1, `exactly one survivor of ${group.join(', ')}`);
      const survivor = live[0]!;
      const s = fm(ws, survivor);
      const cites = new Set((s.citations as string[]) ?? []);
      const tags = new Set((s.tags as string[]) ?? []);
      for (const rel of group) {
        const orig = parseNote(rel, original.get(rel)!).fm;
        for (const c of (orig.citations as string[]) ?? []) assert.ok(cites.has(c), `${survivor} keeps citation ${c} of ${rel}`);
        for (const t of (orig.tags as string[]) ?? []) assert.ok(tags.has(t), `${survivor} keeps tag ${t} of ${rel}`);
        if (rel === survivor) continue;
        const archived = path.join('learnings/.archive', rel.replace(/^learnings\//, ''));
        assert.ok(fs.existsSync(path.join(ws, '.agents', archived)), `${rel} moved to ${archived}`);
        const a = fm(ws, archived);
        assert.equal(a.superseded_by, s.id ?? path.basename(survivor, '.md'));
        for (const k of Object.keys(orig)) assert.ok(k in a, `${archived} kept key ${k}`);
      }
    }
  });

  // §4.2 changes upstream's pin (stale notes archived by age): age alone never retires a note; old
  // and unused notes are listed for review with the command that archives them
  it('keeps old notes live and proposes the old unused ones for review; referenced and stable old notes are not proposed', () => {
    const proposed = new Map(outcome.summary.proposals.map((p) => [p.path, p]));
    for (const rel of expected.stale as string[]) {
      assert.ok(fs.existsSync(path.join(ws, '.agents', rel)), `${rel} stays live`);
      const p = proposed.get(`.agents/${rel}`);
      assert.ok(p, `${rel} proposed for review`);
      assert.match(p.reason, /not used or validated in 30 days/);
      assert.equal(p.command, `dream archive .agents/${rel}`);
    }
    for (const rel of [...expected.stale_but_referenced, ...expected.stable_old] as string[]) {
      assert.ok(fs.existsSync(path.join(ws, '.agents', rel)), `${rel} kept`);
      assert.ok(!proposed.has(`.agents/${rel}`), `${rel} not proposed`);
    }
    assert.deepEqual(outcome.summary.live_learnings.before, (expected.learnings as string[]).length);
  });

  it('flags broken citations with stale_citation: true', () => {
    for (const rel of expected.broken_citations as string[]) assert.equal(fm(ws, rel).stale_citation, true, rel);
  });

  it('promotes session learnings once, with provenance, secrets redacted', () => {
    const promoted = fs
      .readdirSync(path.join(ws, '.agents/learnings'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `learnings/${f}`)
      .filter((rel) => fm(ws, rel).source === 'dream-session-mining');
    assert.equal(promoted.length, expected.session_bullets);
    for (const rel of promoted) {
      const f = fm(ws, rel);
      assert.match(String(f.source_session), /^\.agents\/sessions\//);
      assert.ok(f.source_hash);
      assert.doesNotMatch(fs.readFileSync(path.join(ws, '.agents', rel), 'utf8'), /sk-test-|sk_live_|sk-live/);
    }
  });

  it('never promotes a Tier 1 draft', () => {
    for (const rel of expected.tier1_drafts as string[]) assert.ok(fs.existsSync(path.join(ws, '.agents', rel)), `${rel} still pending`);
  });

  it('appends unresolved findings to next-work once', () => {
    const lines = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, expected.next_work_lines + 1);
    const routed = JSON.parse(lines[lines.length - 1]!)
      .items.map((i: { id: string }) => `findings/${i.id}.md`)
      .sort();
    assert.deepEqual(routed, [...expected.unresolved_findings].sort());
  });

  it('rebuilds index.jsonl with one entry per live learning', () => {
    const idx = fs
      .readFileSync(path.join(ws, '.agents/index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(outcome.summary.fitness.index_consistency, 1);
    assert.ok(idx.length > 20);
    for (const e of idx) assert.ok(fs.existsSync(path.join(ws, '.agents', e.path)), e.path);
  });

  it('keeps unknown keys, CRLF line endings, and leaves the broken note byte-identical', () => {
    for (const [rel, keys] of Object.entries(expected.unknown_keys as Record<string, string[]>)) {
      const live = fs.existsSync(path.join(ws, '.agents', rel)) ? rel : path.join('learnings/.archive', rel.replace(/^learnings\//, ''));
      const f = fm(ws, live);
      for (const k of keys) assert.ok(k in f, `${live} kept ${k}`);
    }
    for (const rel of expected.crlf as string[]) {
      const text = fs.readFileSync(path.join(ws, '.agents', rel), 'utf8');
      assert.ok(text.includes('\r\n') && !/[^\r]\n/.test(text), `${rel} still CRLF only`);
    }
    for (const rel of expected.broken_frontmatter as string[]) {
      assert.deepEqual(fs.readFileSync(path.join(ws, '.agents', rel)), original.get(rel));
      assert.ok(
        outcome.summary.degraded.some((d) => d.includes(rel)),
        `${rel} reported as degraded`,
      );
    }
  });

  it('leaves every file outside .agents/ byte-identical', () => {
    assert.deepEqual(
      snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/')),
      outsideBefore,
    );
  });

  it('keeps a before-image of every change and lists each with a reason', () => {
    const changes = outcome.summary.iterations[0]!.changes;
    assert.ok(changes.length > 10);
    for (const c of changes) {
      assert.ok(c.reason.length > 5);
      if (c.kind !== 'added') assert.ok(c.before && readBeforeImage(ws, c.before), `before-image of ${c.path}`);
    }
  });

  it('the morning report answers the four questions first', () => {
    const md = fs.readFileSync(outcome.reportPath, 'utf8');
    const first = md.indexOf('## The four answers');
    assert.ok(first > 0 && first < md.indexOf('## Run'));
    for (const q of ['What state did I wake up to?', 'What ran?', 'What degraded or failed?', 'What should I do first?'])
      assert.ok(md.includes(q), q);
    assert.ok(outcome.summary.morning_packets.length > 0 && outcome.summary.morning_packets.length <= 3);
    assert.ok(md.includes('## Iterations') && md.includes('## Fitness') && md.includes('## Changes'));
  });

  it('a second run on the result plateaus without changing anything', async () => {
    const hash = corpusHash(ws);
    const second = await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false, maxRetirePerNight: 10 } }),
      now: NOW,
    });
    assert.equal(second.summary.halt_reason, 'plateau');
    assert.equal(second.summary.iterations.length, 1);
    assert.equal(second.summary.iterations[0]!.changes.length, 0);
    assert.equal(corpusHash(ws), hash);
  });
});
