// Undo (§5.7): `dream restore` puts back one change or a whole run from its before-images, atomically,
// refuses a file that changed since the run, records itself in restores.jsonl, and survives SIGKILL.
import assert from 'node:assert/strict';
import { readBeforeImage } from '../../src/engine/commit/beforePack';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { recoverFromCrash } from '../../src/engine/commit/checkpoint';
import { readRestores, restoreRun } from '../../src/engine/commit/restore';
import { parseNote } from '../../src/engine/corpus/note';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import { fourAnswers } from '../../src/engine/report/answers';
import type { Summary } from '../../src/engine/core/schemas';
import { rm, snapshot, tmpDir } from './helpers/fixture';

const EXAMPLE = path.resolve(__dirname, '../../../examples/sample-workspace');
const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const expected = JSON.parse(fs.readFileSync(path.join(EXAMPLE, '.agents/EXPECTED.json'), 'utf8'));
const NOW = () => new Date(`${expected.today}T03:00:00Z`);

/** the corpus (everything under .agents/ but Dream's runtime folder), path -> sha256 */
const corpus = (ws: string) => snapshot(path.join(ws, '.agents'), (r) => r === 'overnight' || r.startsWith('overnight/'));

function dream(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DREAM_KEEP_AWAKE: 'false', ...env },
    timeout: 60000,
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

async function nightOn(): Promise<{ ws: string; pre: Map<string, string>; post: Map<string, string>; summary: Summary }> {
  const ws = path.join(tmpDir(), 'sample-workspace');
  fs.cpSync(EXAMPLE, ws, { recursive: true });
  const pre = corpus(ws);
  const out = await runBedtime({ workspace: ws, settings: resolveSettings({ args: { keepAwake: false } }), now: NOW });
  assert.equal(out.status, 'done');
  const post = corpus(ws);
  assert.notDeepEqual(post, pre, 'the night changed the corpus');
  return { ws, pre, post, summary: out.summary };
}

describe('restore (undo a change or a whole run)', function () {
  this.timeout(60000);
  let ws: string;
  let pre: Map<string, string>;
  let post: Map<string, string>;
  let summary: Summary;
  beforeEach(async () => ({ ws, pre, post, summary } = await nightOn()));
  afterEach(() => rm(path.dirname(ws)));

  const changesOf = () => summary.iterations.flatMap((it) => (it.committed ? it.changes : []));

  it('a whole run: every file of the corpus gets its pre-run bytes back, and the restore is recorded', () => {
    const r = restoreRun({ workspace: ws, runId: summary.run_id, now: NOW });
    assert.ok(r.record && r.record.paths.length > 5);
    assert.deepEqual(corpus(ws), pre);
    const log = readRestores(ws, summary.run_id);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.scope, 'run');
    assert.match(log[0]!.restored_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // a second restore finds nothing to do and records nothing
    const again = restoreRun({ workspace: ws, runId: summary.run_id, now: NOW });
    assert.equal(again.record, null);
    assert.equal(readRestores(ws, summary.run_id).length, 1);
  });

  it('one archived change: the note returns to its place with its previous maturity; nothing else moves', () => {
    const c = changesOf().find((x) => x.kind === 'superseded' || x.kind === 'archived');
    assert.ok(c && c.moved_to, 'the night archived a note');
    const before = parseNote(c.path, readBeforeImage(ws, c.before!)!).fm;
    restoreRun({ workspace: ws, runId: summary.run_id, changes: [`.agents/${c.moved_to}`], now: NOW });
    const now = corpus(ws);
    assert.equal(now.get(c.path), pre.get(c.path), 'pre-run bytes (hash) back at the original path');
    assert.equal(now.has(c.moved_to!), false, 'the archived copy is gone');
    const back = parseNote(c.path, fs.readFileSync(path.join(ws, '.agents', c.path))).fm;
    assert.equal(back.maturity, before.maturity);
    for (const [p, h] of post) if (p !== c.path && p !== c.moved_to) assert.equal(now.get(p), h, `${p} untouched`);
  });

  it('one modified change through the CLI: the pre-run bytes are back; an absolute path works too', () => {
    const c = changesOf().find((x) => x.kind === 'modified' && x.path.startsWith('learnings/'));
    assert.ok(c);
    const r = dream(['restore', summary.run_id, '--change', path.join(ws, '.agents', c.path), '--workspace', ws]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Restored 1 file/);
    assert.equal(corpus(ws).get(c.path), pre.get(c.path));
  });

  it('a file edited since the run is refused with the reason and nothing is restored; --force restores it', () => {
    const c = changesOf().find((x) => x.kind === 'modified' && x.path.startsWith('learnings/'));
    assert.ok(c);
    const file = path.join(ws, '.agents', c.path);
    fs.appendFileSync(file, '\nmy own edit\n');
    const edited = corpus(ws);
    const r = dream(['restore', summary.run_id, '--workspace', ws]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`refused to restore: \\.agents/${c.path.replace(/[.]/g, '\\.')} changed after run`));
    assert.match(r.err, /--force/);
    assert.equal(r.err.trim().split('\n').length, 1, 'one line');
    assert.deepEqual(corpus(ws), edited, 'nothing was restored');
    assert.equal(readRestores(ws, summary.run_id).length, 0);
    const forced = dream(['restore', summary.run_id, '--workspace', ws, '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.deepEqual(corpus(ws), pre);
    assert.ok(readRestores(ws, summary.run_id)[0]!.paths.find((p) => p.path === c.path)!.forced);
  });

  it('an unknown run or a path the run did not change is a one-line error naming it', () => {
    const a = dream(['restore', '20990101T000000Z', '--workspace', ws]);
    assert.equal(a.code, 1);
    assert.match(a.err, /no run 20990101T000000Z/);
    const b = dream(['restore', summary.run_id, '--change', 'learnings/nope.md', '--workspace', ws]);
    assert.equal(b.code, 1);
    assert.match(b.err, /made no change to \.agents\/learnings\/nope\.md/);
    const c = dream(['restore', 'yesterday', '--workspace', ws]);
    assert.match(c.err, /"yesterday" is not a Dream run id/);
  });

  for (const afterOps of [0, 3, 1000]) {
    it(`SIGKILL during a whole-run restore (after ${afterOps} op(s)) recovers like a commit`, () => {
      const r = dream(['restore', summary.run_id, '--workspace', ws], {
        DREAM_TEST_FAULTS: JSON.stringify({ crashInRestore: { afterOps } }),
      });
      assert.equal(r.signal, 'SIGKILL', `expected a SIGKILL crash, got code ${r.code} ${r.err}`);
      const markers = fs.readdirSync(path.join(ws, '.agents/overnight')).filter((n) => n.startsWith('COMMIT-MARKER.'));
      assert.equal(markers.length, 1, 'a READY marker was left by the crash');
      const rec = recoverFromCrash(ws);
      assert.equal(rec.manualReview.length, 0, rec.manualReview.join('\n'));
      assert.deepEqual(corpus(ws), post, 'back to the state before the restore');
      assert.equal(readRestores(ws, summary.run_id).length, 0, 'no record of a restore that did not happen');
      // and the restore then runs normally (the stale lock of the dead process is reclaimed)
      const again = dream(['restore', summary.run_id, '--workspace', ws]);
      assert.equal(again.code, 0, again.err);
      assert.deepEqual(corpus(ws), pre);
    });
  }

  it('the next report names the restore, and `dream report` on the run lists it', async () => {
    const c = changesOf().find((x) => x.kind === 'modified' && x.path.startsWith('learnings/'));
    assert.ok(c);
    restoreRun({ workspace: ws, runId: summary.run_id, changes: [c.path], now: () => new Date(`${expected.today}T04:00:00Z`) });
    const next = await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false } }),
      now: () => new Date(`${expected.today}T05:00:00Z`),
    });
    assert.match(
      next.summary.next_action + fourAnswers(next.summary).state,
      /Since the previous run you restored 1 file \(run \d{8}T\d{6}Z\)/,
    );
    const r = dream(['report', '--from', path.join(ws, '.agents/overnight/runs', summary.run_id), '--workspace', ws]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`## Restored[\\s\\S]*\\.agents/${c.path.replace(/[.]/g, '\\.')}`));
  });

  it('a restore while a run holds the lock is refused', () => {
    fs.writeFileSync(path.join(ws, '.agents/overnight/run.lock'), `${process.pid}\n${new Date().toISOString()}\n\n20990101T000000Z\n`);
    const r = dream(['restore', summary.run_id, '--workspace', ws]);
    assert.equal(r.code, 3);
    assert.match(r.err, /already running/);
    assert.deepEqual(corpus(ws), post);
  });
});
