// Crash recovery on start and the run lock (upstream recovery/lock tests, adapted).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DreamError } from '../../src/engine/core/api';
import { Staging, recoverFromCrash, recoveryNotes, type RecoveryResult } from '../../src/engine/commit/checkpoint';
import { iterationId } from '../../src/engine/commit/iterationStore';
import { LOCK_STALE_MS, acquireRunLock, lockIsStale, processAlive, readLockPid, writeLockPid } from '../../src/engine/commit/lock';
import { rel } from '../../src/engine/core/paths';

import { snapshot as tree, write as put } from './helpers/fixture';

const RUN = '20261123T030000Z';

const liveTree = (ws: string) => tree(ws, (r) => r === '.agents/overnight');
const absRel = (ws: string, r: string) => path.join(ws, '.agents', ...r.split('/'));

/** a pid that certainly belonged to a process that has exited */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(r.status, 0);
  assert.ok(r.pid && r.pid > 0);
  assert.equal(processAlive(r.pid!), false, 'the child has exited');
  return r.pid!;
}

function seed(ws: string): void {
  put(ws, 'src/a.ts', 'export const a = 1;\n');
  put(ws, '.agents/learnings/real.md', '---\ntitle: Real\n---\nthe real note\n');
  put(ws, '.agents/learnings/other.md', '---\ntitle: Other\n---\nanother note\n');
  put(ws, '.agents/learnings/gone.md', '---\ntitle: Gone\n---\nremoved by the iteration\n');
  put(ws, '.agents/findings/f-2026-11-20-001.md', '---\ntitle: F\n---\nbody\n');
}

/** writes a marker file the way COMMIT would (JSON) */
function writeMarker(ws: string, iterId: string, body: unknown): string {
  const p = absRel(ws, rel.marker(iterId));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return p;
}

describe('crash recovery', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-recovery-'));
    seed(ws);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('no overnight folder: no actions', () => {
    const r = recoverFromCrash(ws);
    assert.deepEqual(r, { actions: [], manualReview: [] });
    assert.deepEqual(recoveryNotes(r), []);
  });

  it('an overnight folder without markers: no actions', () => {
    put(ws, '.agents/overnight/warn-only-budget.json', '{}');
    put(ws, '.agents/overnight/runs/x/summary.json', '{}');
    const pre = tree(ws);
    const r = recoverFromCrash(ws);
    assert.deepEqual(r, { actions: [], manualReview: [] });
    assert.deepEqual(tree(ws), pre);
  });

  it('a workspace without .agents at all: no actions', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-recovery-empty-'));
    try {
      assert.deepEqual(recoverFromCrash(empty), { actions: [], manualReview: [] });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a DONE marker is cleaned up (marker and staging removed), live untouched', () => {
    const id = iterationId(RUN, 1);
    writeMarker(ws, id, { state: 'DONE', iteration_id: id, started_at: new Date().toISOString(), ops: [] });
    put(ws, `.agents/${rel.staging(id)}/files/learnings/real.md`, 'stale staged bytes');
    const pre = liveTree(ws);
    const r = recoverFromCrash(ws);
    assert.deepEqual(r.manualReview, []);
    assert.equal(r.actions.length, 1);
    assert.match(r.actions[0]!, /cleaned up stale DONE marker COMMIT-MARKER\./);
    assert.equal(fs.existsSync(absRel(ws, rel.marker(id))), false);
    assert.equal(fs.existsSync(absRel(ws, rel.staging(id))), false);
    assert.deepEqual(liveTree(ws), pre);
    assert.match(recoveryNotes(r)[0]!, /^recovery: cleaned up stale DONE marker/);
  });

  for (const applied of [0, 1, 2, 3]) {
    it(`a READY marker with ${applied} of 3 operations applied is reversed to the pre-iteration bytes`, () => {
      const pre = liveTree(ws);
      const id = iterationId(RUN, 1);
      const s = new Staging(ws, RUN, 1, id);
      s.write('learnings/real.md', Buffer.from('---\ntitle: Real\nmaturity: accepted\n---\nthe real note, edited\n'));
      s.remove('learnings/gone.md');
      s.write('learnings/zz-added.md', Buffer.from('---\ntitle: Added\n---\nnew\n'));
      const plan = s.persist();
      assert.equal(plan.ops.length, 3);
      writeMarker(ws, id, { ...plan, state: 'READY' });
      // simulate a crash mid-commit: apply only some operations by hand
      for (const op of plan.ops.slice(0, applied)) {
        const live = absRel(ws, op.path);
        if (op.op === 'write') {
          fs.mkdirSync(path.dirname(live), { recursive: true });
          fs.writeFileSync(live, s.writtenBytes(op.path)!);
        } else fs.unlinkSync(live);
      }
      if (applied > 0) assert.notDeepEqual(liveTree(ws), pre);

      const r = recoverFromCrash(ws);
      assert.deepEqual(r.manualReview, []);
      assert.ok(
        r.actions.some((a) => /recovered from crash marker COMMIT-MARKER\./.test(a) && /READY/.test(a)),
        r.actions.join('\n'),
      );
      assert.deepEqual(liveTree(ws), pre, 'live equals the pre-iteration bytes');
      assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/real.md'), 'utf8'), '---\ntitle: Real\n---\nthe real note\n');
      assert.equal(fs.existsSync(absRel(ws, rel.marker(id))), false, 'marker removed');
      assert.equal(fs.existsSync(absRel(ws, rel.staging(id))), false, 'staging removed');
      // a second recovery has nothing left to do
      const again = recoverFromCrash(ws);
      assert.deepEqual(again, { actions: [], manualReview: [] });
    });
  }

  it('READY recovery does not overwrite a file edited by the user after the crash (bytes match neither before nor after)', () => {
    const id = iterationId(RUN, 1);
    const s = new Staging(ws, RUN, 1, id);
    s.write('learnings/real.md', Buffer.from('---\ntitle: Real\nmaturity: accepted\n---\nthe real note, edited by Dream\n'));
    s.write('learnings/other.md', Buffer.from('---\ntitle: Other\nmaturity: accepted\n---\nanother note, edited by Dream\n'));
    const plan = s.persist();
    writeMarker(ws, id, plan);
    // the crash happened after both writes...
    for (const op of plan.ops) fs.writeFileSync(absRel(ws, op.path), s.writtenBytes(op.path)!);
    // ...and in the morning the user edited one of the notes before the next start
    const userBytes = '---\ntitle: Real\nmaturity: accepted\n---\nthe user rewrote this paragraph this morning\n';
    fs.writeFileSync(path.join(ws, '.agents/learnings/real.md'), userBytes);

    const r = recoverFromCrash(ws);
    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/real.md'), 'utf8'), userBytes, 'the user edit survives recovery');
    assert.ok(
      [...r.actions, ...r.manualReview].some((l) => l.includes('learnings/real.md')),
      `recovery says what it left alone: ${JSON.stringify(r)}`,
    );
  });

  it('a malformed marker is reported as "manual review required"; live untouched; marker left in place', () => {
    const id = iterationId(RUN, 1);
    const markerPath = writeMarker(ws, id, '{"state": "READY", "ops": [ this is not json');
    const pre = liveTree(ws);
    const r = recoverFromCrash(ws);
    assert.equal(r.manualReview.length, 1, JSON.stringify(r));
    assert.match(r.manualReview[0]!, /manual review required/);
    assert.match(r.manualReview[0]!, /COMMIT-MARKER\./);
    assert.deepEqual(liveTree(ws), pre);
    assert.ok(fs.existsSync(markerPath), 'the marker is left for a person');
    assert.ok(recoveryNotes(r).some((l) => /manual review required/.test(l)));
  });

  it('a marker with valid JSON but an unknown state is left alone for manual review', () => {
    const id = iterationId(RUN, 1);
    const markerPath = writeMarker(ws, id, { state: 'HALF', iteration_id: id, started_at: 'x', ops: [] });
    const pre = liveTree(ws);
    const r = recoverFromCrash(ws);
    assert.equal(r.manualReview.length, 1);
    assert.match(r.manualReview[0]!, /manual review required/);
    assert.deepEqual(liveTree(ws), pre);
    assert.ok(fs.existsSync(markerPath));
  });

  it('a marker with an unsafe id is skipped for manual review', () => {
    put(ws, '.agents/overnight/COMMIT-MARKER.bad id', JSON.stringify({ state: 'DONE', iteration_id: 'bad id', started_at: 'x', ops: [] }));
    const r = recoverFromCrash(ws);
    assert.equal(r.manualReview.length, 1);
    assert.match(r.manualReview[0]!, /malformed marker/);
    assert.ok(fs.existsSync(path.join(ws, '.agents/overnight/COMMIT-MARKER.bad id')));
  });

  it('a READY marker whose operations point outside the mutable corpus is left for manual review', () => {
    const id = iterationId(RUN, 1);
    put(ws, '.agents/sessions/s.md', 'a session note\n');
    const pre = tree(ws, (r) => r === '.agents/overnight');
    writeMarker(ws, id, {
      state: 'READY',
      iteration_id: id,
      started_at: 'x',
      ops: [
        { op: 'write', path: 'sessions/s.md', staged: null, backup: null, after_hash: null },
        { op: 'write', path: '../src/a.ts', staged: null, backup: null, after_hash: null },
      ],
    });
    const r = recoverFromCrash(ws);
    assert.ok(r.manualReview.length >= 1, JSON.stringify(r));
    assert.ok(
      r.manualReview.every((m) => /manual review required/.test(m)),
      JSON.stringify(r),
    );
    assert.deepEqual(
      tree(ws, (r2) => r2 === '.agents/overnight'),
      pre,
      'nothing outside the mutable corpus was touched',
    );
  });

  it('marker temp files (*.tmp) are ignored', () => {
    put(ws, '.agents/overnight/COMMIT-MARKER.x-iter-1.tmp', 'garbage');
    const r = recoverFromCrash(ws);
    assert.deepEqual(r, { actions: [], manualReview: [] });
  });

  it('multiple markers are processed independently, in lexicographic order', () => {
    // created in a scrambled order; a READY one among DONE ones, and one broken
    const ids = ['r-iter-3', 'a-iter-1', 'm-iter-2', 'c-iter-9', 'b-iter-10'];
    for (const id of ids) writeMarker(ws, id, { state: 'DONE', iteration_id: id, started_at: 'x', ops: [] });
    writeMarker(ws, 'k-broken', 'not json');
    const s = new Staging(ws, RUN, 1, 'f-iter-1');
    s.write('learnings/real.md', Buffer.from('changed\n'));
    const plan = s.persist();
    writeMarker(ws, 'f-iter-1', plan);
    fs.writeFileSync(path.join(ws, '.agents/learnings/real.md'), s.writtenBytes(plan.ops[0]!.path)!);

    const r = recoverFromCrash(ws);
    const order = r.actions.map((a) => /COMMIT-MARKER\.(\S+?)(?:\s|$)/.exec(a)?.[1]).filter(Boolean);
    assert.deepEqual(order, ['a-iter-1', 'b-iter-10', 'c-iter-9', 'f-iter-1', 'm-iter-2', 'r-iter-3']);
    assert.match(r.actions[3]!, /recovered from crash marker/);
    assert.equal(r.manualReview.length, 1);
    assert.match(r.manualReview[0]!, /k-broken/);
    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/real.md'), 'utf8'), '---\ntitle: Real\n---\nthe real note\n');
    const left = fs.readdirSync(path.join(ws, '.agents/overnight')).filter((n) => n.startsWith('COMMIT-MARKER.'));
    assert.deepEqual(left, ['COMMIT-MARKER.k-broken']);
  });

  it('leftover staging without a marker is removed', () => {
    put(ws, '.agents/overnight/staging/x-iter-4/files/learnings/real.md', 'leftover');
    const pre = liveTree(ws);
    const r = recoverFromCrash(ws);
    assert.ok(r.actions.some((a) => /leftover staging/.test(a)));
    assert.equal(fs.existsSync(path.join(ws, '.agents/overnight/staging/x-iter-4')), false);
    assert.deepEqual(liveTree(ws), pre);
  });

  it('recoveryNotes batches more than 20 actions into one line; 20 stay separate', () => {
    const many: RecoveryResult = {
      actions: Array.from({ length: 25 }, (_, i) => `cleaned up stale DONE marker COMMIT-MARKER.x-iter-${i}`),
      manualReview: [],
    };
    const notes = recoveryNotes(many);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /25/);
    assert.match(notes[0]!, /^recovery: /);

    const twenty: RecoveryResult = { actions: Array.from({ length: 20 }, (_, i) => `action ${i}`), manualReview: [] };
    const n20 = recoveryNotes(twenty);
    assert.equal(n20.length, 20);
    assert.ok(n20.every((l, i) => l === `recovery: action ${i}`));

    const withReview: RecoveryResult = {
      actions: Array.from({ length: 30 }, (_, i) => `a${i}`),
      manualReview: ['m1 (manual review required)', 'm2 (manual review required)'],
    };
    const nr = recoveryNotes(withReview);
    assert.equal(nr.length, 3, 'batched actions plus every manual-review line');
    assert.ok(nr.slice(1).every((l) => /manual review required/.test(l)));
  });

  it('25 real DONE markers produce one batched note', () => {
    for (let i = 0; i < 25; i++) {
      const id = iterationId(RUN, i + 1);
      writeMarker(ws, id, { state: 'DONE', iteration_id: id, started_at: 'x', ops: [] });
    }
    const r = recoverFromCrash(ws);
    assert.equal(r.actions.length, 25);
    const notes = recoveryNotes(r);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /25/);
  });
});

describe('run lock', () => {
  let ws: string;
  let lockFile: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-lock-'));
    fs.mkdirSync(path.join(ws, '.agents', 'overnight'), { recursive: true });
    lockFile = absRel(ws, rel.lock);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('the lock lives at .agents/overnight/run.lock', () => {
    assert.equal(lockFile, path.join(ws, '.agents', 'overnight', 'run.lock'));
  });

  it('readLockPid: missing or malformed -> 0; "12345\\n" -> 12345', () => {
    assert.equal(readLockPid(lockFile), 0);
    for (const bad of ['', 'abc', '-5', '0', '12.5', '\n\n', 'pid=12']) {
      fs.writeFileSync(lockFile, bad);
      assert.equal(readLockPid(lockFile), 0, JSON.stringify(bad));
    }
    fs.writeFileSync(lockFile, '12345\n');
    assert.equal(readLockPid(lockFile), 12345);
    fs.writeFileSync(lockFile, '  777 extra tokens\nsecond line\n');
    assert.equal(readLockPid(lockFile), 777);
  });

  it('readLockPid reads only plain decimal digits (hex, exponent, binary, octal notations are malformed -> 0)', () => {
    for (const bad of ['0x10\n', '1e3\n', '0b11\n', '0o7\n', 'Infinity\n']) {
      fs.writeFileSync(lockFile, bad);
      assert.equal(readLockPid(lockFile), 0, JSON.stringify(bad));
    }
  });

  it('writeLockPid truncates what was there', () => {
    fs.writeFileSync(lockFile, '99999999\nsome very long previous content\n'.repeat(10));
    writeLockPid(lockFile, 42);
    assert.equal(fs.readFileSync(lockFile, 'utf8'), '42\n');
    assert.equal(readLockPid(lockFile), 42);
  });

  it('lockIsStale: missing -> false', () => {
    assert.equal(lockIsStale(lockFile), false);
  });

  it('lockIsStale: fresh -> false (even with a dead pid)', () => {
    writeLockPid(lockFile, deadPid());
    assert.equal(lockIsStale(lockFile), false);
  });

  it('lockIsStale: old + live pid -> false', () => {
    writeLockPid(lockFile, process.pid);
    const old = (Date.now() - LOCK_STALE_MS - 3600_000) / 1000;
    fs.utimesSync(lockFile, old, old);
    assert.equal(lockIsStale(lockFile), false);
  });

  it('lockIsStale: old + dead pid -> true', () => {
    writeLockPid(lockFile, deadPid());
    const old = (Date.now() - LOCK_STALE_MS - 3600_000) / 1000;
    fs.utimesSync(lockFile, old, old);
    assert.equal(lockIsStale(lockFile), true);
  });

  it('lockIsStale: old + unreadable pid -> true', () => {
    fs.writeFileSync(lockFile, 'garbage\n');
    const old = (Date.now() - LOCK_STALE_MS - 60_000) / 1000;
    fs.utimesSync(lockFile, old, old);
    assert.equal(lockIsStale(lockFile), true);
  });

  it('lockIsStale honours a custom max age', () => {
    writeLockPid(lockFile, deadPid());
    const t = (Date.now() - 10_000) / 1000;
    fs.utimesSync(lockFile, t, t);
    assert.equal(lockIsStale(lockFile, 5_000), true);
    assert.equal(lockIsStale(lockFile, 60_000), false);
  });

  it('processAlive: this process yes, pid 0 no, an exited child no', () => {
    assert.equal(processAlive(process.pid), true);
    assert.equal(processAlive(0), false);
    assert.equal(processAlive(deadPid()), false);
  });

  it('acquireRunLock twice in one process: the second throws DreamError "already running"', () => {
    const degraded: string[] = [];
    const held = acquireRunLock(ws, RUN, degraded);
    try {
      assert.equal(held.path, lockFile);
      assert.equal(readLockPid(lockFile), process.pid);
      assert.throws(
        () => acquireRunLock(ws, 'OTHERRUN', degraded),
        (e: unknown) => {
          assert.ok(e instanceof DreamError, `a DreamError, got ${String(e)}`);
          assert.match((e as Error).message, /already running/);
          assert.match((e as Error).message, new RegExp(`pid ${process.pid}`));
          assert.equal((e as DreamError).code, 'already-running');
          return true;
        },
      );
      assert.deepEqual(degraded, []);
      // the lock still belongs to the first holder
      assert.match(fs.readFileSync(lockFile, 'utf8'), new RegExp(RUN));
    } finally {
      held.release();
    }
    assert.equal(fs.existsSync(lockFile), false, 'release removes the lock');
    // and it can be taken again
    acquireRunLock(ws, RUN, []).release();
  });

  it('a lock file holding a dead pid is reclaimed with a degraded note', () => {
    const pid = deadPid();
    fs.writeFileSync(lockFile, `${pid}\n2026-11-22T03:00:00.000Z\n${os.hostname()}\nOLDRUN\n`);
    const degraded: string[] = [];
    const held = acquireRunLock(ws, RUN, degraded);
    try {
      assert.equal(degraded.length, 1);
      assert.match(degraded[0]!, /reclaimed/);
      assert.match(degraded[0]!, new RegExp(String(pid)));
      assert.equal(readLockPid(lockFile), process.pid);
    } finally {
      held.release();
    }
  });

  it('an old lock (older than 12 h) holding a dead pid, pid only, is reclaimed with a degraded note', () => {
    writeLockPid(lockFile, deadPid());
    const old = (Date.now() - LOCK_STALE_MS - 3600_000) / 1000;
    fs.utimesSync(lockFile, old, old);
    const degraded: string[] = [];
    const held = acquireRunLock(ws, RUN, degraded);
    try {
      assert.equal(degraded.length, 1);
      assert.match(degraded[0]!, /stale run lock/);
      assert.equal(readLockPid(lockFile), process.pid);
    } finally {
      held.release();
    }
  });

  it('reclaiming a stale lock never removes a lock another run took in the meantime', () => {
    // Run B finds a dead run's lock and decides to reclaim it. Just after B read it, run A (alive)
    // reclaimed it first and now holds a fresh lock. B must not delete A's lock: never two runs.
    const dead = deadPid();
    fs.writeFileSync(lockFile, `${dead}\n2026-11-22T03:00:00.000Z\n${os.hostname()}\nDEADRUN\n`);
    const aLock = `${process.ppid}\n2026-11-23T03:00:00.000Z\n${os.hostname()}\nRUN-A\n`;
    const realRead = fs.readFileSync;
    let raced = false;
    (fs as { readFileSync: unknown }).readFileSync = function (this: unknown, ...args: unknown[]) {
      const out = (realRead as (...a: unknown[]) => unknown).apply(this, args);
      if (!raced && typeof args[0] === 'string' && path.resolve(args[0]) === path.resolve(lockFile)) {
        raced = true;
        // run A: removes the dead lock and creates its own, between B's read and B's removal
        fs.unlinkSync(lockFile);
        fs.writeFileSync(lockFile, aLock);
      }
      return out;
    };
    let held: { release(): void } | null = null;
    try {
      held = acquireRunLock(ws, RUN, []);
    } catch (e) {
      assert.ok(e instanceof DreamError, String(e));
      assert.match((e as Error).message, /already running/);
    } finally {
      (fs as { readFileSync: unknown }).readFileSync = realRead;
    }
    assert.ok(raced, 'the race was simulated');
    const now = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, 'utf8') : '(no lock file)';
    held?.release();
    assert.equal(held, null, 'B acquired the lock although live run A holds it');
    assert.equal(now, aLock, "A's lock is intact");
  });

  it('a lock held by a live process is not reclaimed even when old', () => {
    fs.writeFileSync(lockFile, `${process.pid}\n2026-11-22T03:00:00.000Z\n${os.hostname()}\nOLDRUN\n`);
    const old = (Date.now() - LOCK_STALE_MS - 3600_000) / 1000;
    fs.utimesSync(lockFile, old, old);
    const degraded: string[] = [];
    assert.throws(() => acquireRunLock(ws, RUN, degraded), /already running/);
    assert.deepEqual(degraded, []);
    assert.match(fs.readFileSync(lockFile, 'utf8'), /OLDRUN/);
  });

  it('release() does not remove a lock that another run owns', () => {
    const held = acquireRunLock(ws, RUN, []);
    fs.writeFileSync(lockFile, `${process.pid}\n2026-11-22T03:00:00.000Z\n${os.hostname()}\nSOMEONE-ELSE\n`);
    held.release();
    assert.ok(fs.existsSync(lockFile));
  });
});
