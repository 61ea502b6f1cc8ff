// The corpus manifest (src/engine/corpus/manifest.ts): a quiet night's conclusion is replayed by a
// fresh process only when every input is as that night saw it. Each case compares the night with
// the manifest against the same night on a copy of the workspace without one (the truth).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import { MANIFEST_REL, RACY_MS, identityOf, readManifest, replayable, stageSettingsKey, walkTree } from '../../src/engine/corpus/manifest';
import type { RunOutcome } from '../../src/engine/core/api';
import { generateRealisticCorpus } from '../../bench/realistic';

const DAY = '2026-11-20';
let clock = 0;
/** one night: a fresh runner (fresh caches, as a new process), its clock on DAY unless told */
async function night(ws: string, opts: { day?: string; staleDays?: number } = {}): Promise<RunOutcome> {
  const at = new Date(`${opts.day ?? DAY}T01:00:00Z`).getTime() + ++clock * 1000;
  const settings = resolveSettings({
    args: { maxIterations: 8, keepAwake: false, ...(opts.staleDays ? { staleDays: opts.staleDays } : {}) },
  });
  return runBedtime({ workspace: ws, settings, goal: 'manifest test', now: () => new Date(at) });
}
const replayed = (o: RunOutcome) => typeof o.summary.iterations[0]?.ingest.manifest_files_checked === 'number';
const manifestPath = (ws: string) => path.join(ws, '.agents', ...MANIFEST_REL.split('/'));
/** what a night concluded, without run ids and timings */
function conclusion(o: RunOutcome) {
  const its = o.summary.iterations.map((it) => ({
    status: it.status,
    changes: it.changes.map((c) => `${c.kind} ${c.path}`).sort(),
    fitness: it.fitness_after,
    learnings: it.ingest.learnings,
  }));
  return { its, proposals: o.summary.proposals, status: o.summary.status, halt: o.summary.halt_reason };
}
/** the same night on a copy without the manifest: the truth a replay must equal */
async function truth(ws: string, opts: { day?: string; staleDays?: number } = {}) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-manifest-truth-'));
  try {
    fs.cpSync(ws, copy, { recursive: true });
    fs.rmSync(manifestPath(copy), { force: true });
    return conclusion(await night(copy, opts));
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}
function firstLearning(ws: string): string {
  const dir = path.join(ws, '.agents', 'learnings');
  const f = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.md'))
    .sort()[0]!;
  return path.join(dir, f);
}
/** flips one letter of the body to another, keeping the size */
function sameSizeEdit(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.lastIndexOf('e');
  fs.writeFileSync(file, text.slice(0, at) + 'q' + text.slice(at + 1));
}

describe('corpus manifest: a quiet night replayed from a cold start', function () {
  this.timeout(120_000);
  let ws: string;
  beforeEach(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-manifest-'));
    generateRealisticCorpus(ws, { learnings: 60, seed: 99, today: DAY });
    // a file changed within RACY_MS before a night began, and not read through the note cache,
    // keeps that night from writing a manifest (it cannot know which bytes the night saw)
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    // converge: the run's last iteration stages nothing and writes the manifest
    const o = await night(ws);
    assert.equal(o.summary.iterations.at(-1)!.changes.length, 0);
    assert.ok(fs.existsSync(manifestPath(ws)), 'a quiet night writes the manifest');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('an unchanged corpus is replayed with the conclusion a full night reaches', async () => {
    const expected = await truth(ws);
    const o = await night(ws);
    assert.ok(replayed(o), 'replayed from the manifest');
    assert.deepEqual(conclusion(o), expected);
    assert.equal(o.summary.iterations[0]!.status, 'halted-on-plateau');
    assert.ok(o.summary.proposals.length > 0, 'the review proposals are replayed too');
  });

  it('a note edited with the same size and its mtime set back is seen', async () => {
    const f = firstLearning(ws);
    const st = fs.statSync(f);
    sameSizeEdit(f);
    fs.utimesSync(f, st.atime, st.mtime);
    assert.equal(fs.statSync(f).size, st.size);
    const expected = await truth(ws);
    const o = await night(ws);
    assert.ok(!replayed(o));
    assert.deepEqual(conclusion(o), expected);
  });

  it('same size, same timestamps, different bytes (a coarse file system): the racy hash catches it', () => {
    const agents = path.join(ws, '.agents');
    const m = readManifest(agents).manifest!;
    const f = firstLearning(ws);
    const rel = path.relative(agents, f).split(path.sep).join('/');
    const i = m.paths.indexOf(rel);
    assert.ok(i >= 0);
    const original = fs.readFileSync(f);
    sameSizeEdit(f);
    // the manifest as a file system with 1-second timestamps would have left it: the same identity,
    // the entry racy (written within the window) with the hash of the bytes the night read
    m.ids[i] = identityOf(fs.lstatSync(f));
    m.racy[i] = crypto.createHash('sha256').update(original).digest('hex');
    fs.writeFileSync(manifestPath(ws), JSON.stringify(m));
    const key = { day: m.day, settings: m.settings, queueFile: path.join(ws, '.agents/dream/tonight.md') };
    const r = replayable(agents, key, () => true);
    assert.equal(r.conclusion, null);
    assert.match((r as { reason: string }).reason, /changed \(same size and time\)/);
  });

  it('a note replaced by another file of the same size is seen', async () => {
    const f = firstLearning(ws);
    const size = fs.statSync(f).size;
    const other = path.join(path.dirname(f), 'zz-replacement.tmp');
    const text = fs.readFileSync(f, 'utf8');
    const at = text.lastIndexOf('a');
    fs.writeFileSync(other, text.slice(0, at) + 'o' + text.slice(at + 1));
    assert.equal(fs.statSync(other).size, size);
    fs.renameSync(other, f);
    const expected = await truth(ws);
    const o = await night(ws);
    assert.ok(!replayed(o));
    assert.deepEqual(conclusion(o), expected);
  });

  for (const [name, bytes] of [
    ['a corrupt manifest', '{"kind":"dream.corpus-manifest","version":1,'],
    ['a foreign manifest', JSON.stringify({ kind: 'someone-else', files: {} })],
    ['a manifest that does not match its schema', JSON.stringify({ kind: 'dream.corpus-manifest', version: 1, dream_version: '0.1.0' })],
  ] as const)
    it(`${name} is ignored and rebuilt`, async () => {
      fs.writeFileSync(manifestPath(ws), bytes);
      const expected = await truth(ws);
      const o = await night(ws);
      assert.ok(!replayed(o));
      assert.deepEqual(conclusion(o), expected);
      assert.ok(readManifest(path.join(ws, '.agents')).manifest, 'rebuilt by the quiet night');
      assert.ok(replayed(await night(ws)), 'and used by the next one');
    });

  it('a manifest from an older Dream version is ignored and rebuilt', async () => {
    for (const patch of [{ dream_version: '0.0.9' }, { version: 0 }]) {
      const m = JSON.parse(fs.readFileSync(manifestPath(ws), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(manifestPath(ws), JSON.stringify({ ...m, ...patch }));
      const r = readManifest(path.join(ws, '.agents'));
      assert.equal(r.manifest, null);
      assert.match(r.note!, /another Dream version/);
      const expected = await truth(ws);
      const o = await night(ws);
      assert.ok(!replayed(o));
      assert.deepEqual(conclusion(o), expected);
    }
  });

  it('records the tree as a walk finds it, files Dream does not read included; a change to one means a full night', async () => {
    const agents = path.join(ws, '.agents');
    fs.mkdirSync(path.join(agents, 'dream'), { recursive: true });
    fs.writeFileSync(path.join(agents, 'dream', 'scratch.txt'), 'a file in dream/\n');
    fs.writeFileSync(path.join(agents, 'notes.txt'), 'not a note\n');
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    let o = await night(ws);
    assert.ok(!replayed(o), 'files were added');
    const m = readManifest(agents).manifest!;
    const walked = walkTree(agents);
    assert.deepEqual([...m.paths].sort(), [...walked.keys()].sort());
    for (let i = 0; i < m.paths.length; i++) assert.equal(m.ids[i], walked.get(m.paths[i]!), m.paths[i]);
    assert.ok(m.paths.includes('dream/scratch.txt') && m.paths.includes('notes.txt'));
    o = await night(ws);
    assert.ok(replayed(o));
    fs.appendFileSync(path.join(agents, 'dream', 'scratch.txt'), 'more\n');
    o = await night(ws);
    assert.ok(!replayed(o), 'a file in dream/ changed');
  });

  it('another day, other stage settings, an added file or a cited path that appears each mean a full night', async () => {
    let o = await night(ws, { day: '2026-11-21' });
    assert.ok(!replayed(o), 'another day');
    o = await night(ws, { day: '2026-11-21' });
    assert.ok(replayed(o), 'the same day again');
    o = await night(ws, { day: '2026-11-21', staleDays: 45 });
    assert.ok(!replayed(o), 'staleDays changed');
    assert.notEqual(stageSettingsKey({ staleDays: 30 }), stageSettingsKey({ staleDays: 45 }));
    assert.equal(stageSettingsKey({ staleDays: 30, maxIterations: 1 }), stageSettingsKey({ staleDays: 30, maxIterations: 9 }));
    o = await night(ws, { day: '2026-11-21', staleDays: 45 });
    assert.ok(replayed(o));
    fs.writeFileSync(path.join(ws, '.agents', 'research', 'new-note.md'), '# A new note\n\nSomething new.\n');
    o = await night(ws, { day: '2026-11-21', staleDays: 45 });
    assert.ok(!replayed(o), 'a file was added');
    o = await night(ws, { day: '2026-11-21', staleDays: 45 });
    assert.ok(replayed(o));
    // a cited path that was missing appears
    const m = readManifest(path.join(ws, '.agents')).manifest!;
    const missing = m.cited.find(([, existed]) => !existed);
    assert.ok(missing, 'the corpus cites a missing path');
    fs.mkdirSync(path.dirname(path.join(ws, missing[0].replace(/:\d+$/, ''))), { recursive: true });
    fs.writeFileSync(path.join(ws, missing[0].replace(/:\d+$/, '')), 'now it exists\n');
    const expected = await truth(ws, { day: '2026-11-21', staleDays: 45 });
    o = await night(ws, { day: '2026-11-21', staleDays: 45 });
    assert.ok(!replayed(o), 'a cited path appeared');
    assert.deepEqual(conclusion(o), expected);
  });
});
