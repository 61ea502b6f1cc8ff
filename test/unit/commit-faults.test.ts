// COMMIT under disk errors: an error after the READY marker is handled like a crash (reversed from
// the before-images, marker removed), never by discarding the marker; a reversal that fails too
// keeps the marker and says "manual review required"; a failed DONE write is reported truthfully.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CommitError, Staging, recoverFromCrash, recoveryNotes, reverseOps } from '../../src/engine/commit/checkpoint';
import { iterationId } from '../../src/engine/commit/iterationStore';
import { installIoFault } from '../../src/engine/core/faults';
import { atomicWriteFileSync, errnoError, fsSeam, type FsStep } from '../../src/engine/core/fsutil';
import { rel } from '../../src/engine/core/paths';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import { corpusHash, makeWorkspace, rm, snapshot, tmpDir, write as put } from './helpers/fixture';

const RUN = '20261123T030000Z';
const ID = iterationId(RUN, 1);
const CODES = ['ENOSPC', 'EIO', 'EACCES', 'EROFS'] as const;

const liveTree = (ws: string) => snapshot(ws, (r) => r === '.agents/overnight');
const at = (ws: string, r: string) => path.join(ws, '.agents', ...r.split('/'));

/** every file and folder of .agents/ outside overnight/, folders included (an empty folder counts) */
function fullTree(ws: string): string[] {
  const out: string[] = [];
  const walk = (d: string, r: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rr = r ? `${r}/${e.name}` : e.name;
      if (rr === 'overnight') continue;
      if (e.isDirectory()) {
        out.push(rr + '/');
        walk(path.join(d, e.name), rr);
      } else out.push(`${rr}:${fs.readFileSync(path.join(d, e.name)).toString('base64')}`);
    }
  };
  walk(path.join(ws, '.agents'), '');
  return out;
}

function tempsLeft(ws: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (/\.tmp$/.test(e.name)) out.push(path.join(d, e.name));
    }
  };
  walk(path.join(ws, '.agents'));
  return out;
}

function seed(ws: string): void {
  put(ws, '.agents/learnings/a.md', '---\ntitle: A\n---\nalpha\n');
  put(ws, '.agents/learnings/b.md', '---\ntitle: B\n---\nbravo\n');
  put(ws, '.agents/learnings/c.md', '---\ntitle: C\n---\ncharlie\n');
  put(ws, '.agents/rpi/next-work.jsonl', '{"id":"x"}\n');
}

function stage(ws: string): Staging {
  const s = new Staging(ws, RUN, 1, ID);
  s.write('learnings/a.md', Buffer.from('---\ntitle: A\nmaturity: accepted\n---\nalpha\n'));
  s.remove('learnings/b.md');
  s.write('learnings/.archive/b.md', Buffer.from('---\ntitle: B\nmaturity: archived\n---\nbravo\n'));
  s.write('learnings/new/deep/d.md', Buffer.from('---\ntitle: D\n---\ndelta\n'));
  s.write('rpi/next-work.jsonl', Buffer.from('{"id":"x"}\n{"id":"y"}\n'));
  return s;
}

/** counts seam calls inside COMMIT (after the READY marker) and fails the nth of the given kinds */
function failAt(nth: number, code: string, kinds: FsStep[], sticky = false): { calls: number } {
  const st = { calls: 0 };
  let armed = false;
  fsSeam.hook = (step, target) => {
    if (step === 'step') {
      if (target.startsWith('commit:op')) armed = true;
      return;
    }
    if (!armed || !kinds.includes(step)) return;
    st.calls++;
    if (st.calls === nth || (sticky && st.calls > nth)) throw errnoError(code, step, target);
  };
  return st;
}

describe('COMMIT under injected disk errors', () => {
  let ws: string;
  beforeEach(() => {
    ws = tmpDir('dream-commit-fault-');
    seed(ws);
  });
  afterEach(() => {
    fsSeam.hook = null;
    rm(ws);
  });

  for (const code of CODES)
    for (const nth of [1, 2, 3, 4, 5]) {
      it(`${code} on COMMIT rename/unlink ${nth}: reversed to the exact pre-iteration tree, marker and staging gone`, () => {
        const pre = fullTree(ws);
        const s = stage(ws);
        failAt(nth, code, ['rename', 'unlink']);
        assert.throws(
          () => s.commit(),
          (e: unknown) =>
            e instanceof CommitError && e.reversed && /reversed from its before-image/.test(e.message) && e.message.includes(code),
        );
        fsSeam.hook = null;
        s.discard(); // the loop's error path: must not matter any more
        assert.deepEqual(fullTree(ws), pre);
        assert.equal(fs.existsSync(at(ws, rel.marker(ID))), false, 'marker removed after the reversal');
        assert.equal(fs.existsSync(at(ws, rel.staging(ID))), false, 'staging removed');
        assert.deepEqual(tempsLeft(ws), []);
        assert.deepEqual(recoverFromCrash(ws), { actions: [], manualReview: [] });
      });
    }

  it('a persistent fault (the disk stays full): the reversal fails too, the READY marker stays, "manual review required" with the paths; the next start reverses', () => {
    const pre = fullTree(ws);
    const s = stage(ws);
    // the first operation lands (its write and rename), the disk is full from the second on
    failAt(3, 'ENOSPC', ['rename', 'unlink', 'write'], true);
    let err: CommitError | null = null;
    try {
      s.commit();
    } catch (e) {
      err = e as CommitError;
    }
    assert.ok(err instanceof CommitError, String(err));
    assert.equal(err.reversed, false);
    assert.match(err.message, /manual review required: .*\.agents\/learnings\/a\.md/);
    s.discard();
    assert.ok(fs.existsSync(at(ws, rel.marker(ID))), 'the READY marker is kept for the next start');
    fsSeam.hook = null;
    const r = recoverFromCrash(ws);
    assert.deepEqual(r.manualReview, []);
    assert.ok(r.actions.some((a) => /recovered from crash marker .*READY/.test(a)));
    assert.deepEqual(fullTree(ws), pre);
    assert.deepEqual(tempsLeft(ws), []);
  });

  for (const code of CODES)
    it(`${code} on the DONE write: the corpus is committed and reported so; the next start does not roll it back`, () => {
      const s = stage(ws);
      let armed = false;
      fsSeam.hook = (step, target) => {
        if (step === 'step' && target.startsWith('commit:marker-done')) armed = true;
        else if (armed && step === 'write') throw errnoError(code, step, target);
      };
      s.commit();
      fsSeam.hook = null;
      const post = fullTree(ws);
      assert.match(s.commitNotes.join('\n'), /could not mark .* DONE .*the corpus is committed and its marker was removed/);
      assert.equal(fs.readFileSync(at(ws, 'learnings/a.md'), 'utf8'), '---\ntitle: A\nmaturity: accepted\n---\nalpha\n');
      recoverFromCrash(ws);
      assert.deepEqual(fullTree(ws), post, 'recovery leaves the committed iteration live');
    });

  it('DONE write and the marker removal both fail: committed, and the note says the next start rolls it back', () => {
    const s = stage(ws);
    let armed = false;
    fsSeam.hook = (step, target) => {
      if (step === 'step' && target.startsWith('commit:marker-done')) armed = true;
      else if (armed && (step === 'write' || step === 'unlink')) throw errnoError('EIO', step, target);
    };
    s.commit();
    fsSeam.hook = null;
    assert.match(
      s.commitNotes.join('\n'),
      /the corpus is committed, but the next start will roll iteration 1 back \(manual review required/,
    );
  });

  it('an error before the READY marker changes nothing live; discard cleans the staging and never throws', () => {
    const pre = liveTree(ws);
    const s = stage(ws);
    fsSeam.hook = (step, target) => {
      if (step === 'write' && target.includes('COMMIT-MARKER')) throw errnoError('ENOSPC', step, target);
    };
    assert.throws(() => s.commit(), /ENOSPC/);
    fsSeam.hook = () => {
      throw errnoError('EIO', 'rmtree', 'x');
    };
    s.discard(); // a failing cleanup is left for the next start
    fsSeam.hook = null;
    s.discard();
    assert.deepEqual(liveTree(ws), pre);
    assert.equal(fs.existsSync(at(ws, rel.staging(ID))), false);
    assert.deepEqual(tempsLeft(ws), []);
  });
});

describe('a bedtime run with a disk error in COMMIT', function () {
  this.timeout(60000);
  let ws: string;
  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => rm(ws));

  for (const code of CODES)
    it(`${code} on the 2nd operation of COMMIT: the run fails, the corpus is exactly as before, the report says so truthfully`, async () => {
      const pre = corpusHash(ws);
      const out = await runBedtime({
        workspace: ws,
        settings: resolveSettings({ args: { keepAwake: false, maxIterations: 1 } }),
        faults: { io: { from: 'commit:op', nth: 2, code } },
      });
      assert.equal(out.status, 'failed');
      assert.equal(corpusHash(ws), pre, 'no half-applied iteration is live');
      assert.match(out.summary.failure_reason ?? '', new RegExp(`${code}.*reversed from its before-image`));
      const md = fs.readFileSync(out.reportPath, 'utf8');
      assert.match(md, /The corpus is as it was before the run/);
      const markers = fs.readdirSync(path.join(ws, '.agents/overnight')).filter((n) => n.startsWith('COMMIT-MARKER.'));
      assert.deepEqual(markers, []);
    });

  it('a sticky ENOSPC after the first COMMIT operation: marker kept, report says manual review required; the next start restores the corpus', async () => {
    const pre = corpusHash(ws);
    const out = await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false, maxIterations: 1 } }),
      // the first operation lands (its write and rename), the disk is full from the second on
      faults: { io: { from: 'commit:op', nth: 3, code: 'ENOSPC', sticky: true } },
    });
    assert.equal(out.status, 'failed');
    // the disk stays full: the summary cannot be written either, but the iteration says what happened
    assert.match(out.summary.iterations[0]?.error ?? '', /could not be reversed.*manual review required: .*\.agents\//);
    assert.equal(out.summary.iterations[0]?.committed, false);
    const r = recoverFromCrash(ws);
    assert.ok(recoveryNotes(r).some((l) => /recovered from crash marker/.test(l)));
    assert.equal(corpusHash(ws), pre);
  });

  it('ENOSPC on the DONE write: the iteration is reported committed with a degraded line', async () => {
    const pre = corpusHash(ws);
    const out = await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false, maxIterations: 1 } }),
      faults: { io: { from: 'commit:marker-done', nth: 1, code: 'ENOSPC' } },
    });
    const it1 = out.summary.iterations[0]!;
    assert.equal(it1.committed, true);
    assert.notEqual(corpusHash(ws), pre);
    assert.ok(it1.degraded.some((d) => /could not mark .* DONE .*the corpus is committed/.test(d)));
    const after = corpusHash(ws);
    recoverFromCrash(ws);
    assert.equal(corpusHash(ws), after);
  });
});

describe('temp files and long names', () => {
  let ws: string;
  beforeEach(() => (ws = tmpDir('dream-names-')));
  afterEach(() => rm(ws));

  it('an atomic write of a 255-byte name succeeds (the temp twin stays short, in the same folder)', () => {
    const name = 'n'.repeat(252) + '.md';
    const file = path.join(ws, name);
    atomicWriteFileSync(file, 'x');
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
    assert.deepEqual(fs.readdirSync(ws), [name]);
  });

  it('a note whose staging and before-image twins would pass PATH_MAX commits and reverses', () => {
    // a folder chain that brings the live path close to PATH_MAX
    let relDir = 'learnings';
    while (Buffer.byteLength(path.join(ws, '.agents', relDir)) < 3850) relDir += '/' + 'd'.repeat(100);
    fs.mkdirSync(path.join(ws, '.agents', relDir), { recursive: true });
    const p = `${relDir}/${'n'.repeat(4036 - Buffer.byteLength(path.join(ws, '.agents', relDir)))}.md`;
    assert.ok(Buffer.byteLength(path.join(ws, '.agents', p)) > 4030);
    fs.writeFileSync(path.join(ws, '.agents', p), 'old\n');
    const pre = fullTree(ws);
    const s = new Staging(ws, RUN, 1, ID);
    s.write(p, Buffer.from('new\n'));
    const marker = s.commit();
    assert.equal(fs.readFileSync(path.join(ws, '.agents', p), 'utf8'), 'new\n');
    assert.match(marker.ops[0]!.backup!, /\/_long\//);
    put(ws, `.agents/${rel.marker(ID)}`, JSON.stringify({ ...marker, state: 'READY' }));
    recoverFromCrash(ws);
    assert.deepEqual(fullTree(ws), pre);
  });

  it('stale temp files of dead writers are cleaned at the next start with a degraded line; live ones and look-alikes stay', () => {
    put(ws, '.agents/learnings/a.md', 'a');
    const dead = 999999; // beyond the default pid_max of small machines; checked below
    assert.throws(() => process.kill(dead, 0));
    put(ws, `.agents/learnings/.dream-${dead.toString(36)}-1a2b.tmp`, 'half');
    put(ws, `.agents/overnight/runs/x/.summary.json.${dead}.1764000000000.3.tmp`, 'half');
    put(ws, `.agents/.dream-${dead.toString(36)}-7.tmp`, 'index temp');
    put(ws, `.agents/learnings/.dream-${process.ppid.toString(36)}-1.tmp`, 'a live writer');
    put(ws, '.agents/learnings/.notes.tmp', 'not ours');
    put(ws, `.agents/sessions/.dream-${dead.toString(36)}-1.tmp`, 'read-only folder');
    const r = recoverFromCrash(ws);
    const notes = recoveryNotes(r);
    assert.ok(
      notes.some((n) => /removed 3 stale temp file\(s\)/.test(n)),
      notes.join('\n'),
    );
    assert.deepEqual(fs.readdirSync(path.join(ws, '.agents/learnings')).sort(), [
      `.dream-${process.ppid.toString(36)}-1.tmp`,
      '.notes.tmp',
      'a.md',
    ]);
    assert.equal(fs.existsSync(path.join(ws, `.agents/.dream-${dead.toString(36)}-7.tmp`)), false);
    assert.ok(fs.existsSync(path.join(ws, `.agents/sessions/.dream-${dead.toString(36)}-1.tmp`)), 'sessions/ is never written');
    assert.deepEqual(recoverFromCrash(ws), { actions: [], manualReview: [] }, 'nothing the second time');
  });

  it("a reversal removes a killed write's temp file from a folder the commit created, and the folder with it", () => {
    const dead = 999999;
    assert.throws(() => process.kill(dead, 0));
    put(ws, '.agents/learnings/a.md', 'a');
    const pre = fullTree(ws);
    const s = new Staging(ws, RUN, 1, ID);
    s.write('learnings/fresh/deep/n.md', Buffer.from('new\n'));
    const marker = s.commit();
    assert.ok(marker.created_dirs?.includes('learnings/fresh'), JSON.stringify(marker.created_dirs));
    // the temp cleanup at start could not remove it (a read-only moment): the reversal must
    put(ws, `.agents/learnings/fresh/deep/.dream-${dead.toString(36)}-9.tmp`, 'half');
    reverseOps(ws, { ...marker, state: 'READY' });
    assert.deepEqual(fullTree(ws), pre);
    // somebody's own file in such a folder keeps it
    const s2 = new Staging(ws, RUN, 2, iterationId(RUN, 2));
    s2.write('learnings/fresh/n.md', Buffer.from('new\n'));
    const m2 = s2.commit();
    put(ws, '.agents/learnings/fresh/mine.md', 'mine');
    reverseOps(ws, { ...m2, state: 'READY' });
    assert.deepEqual(fs.readdirSync(at(ws, 'learnings/fresh')), ['mine.md']);
  });

  it('empty staging folders are removed at the next start with a degraded line', () => {
    fs.mkdirSync(path.join(ws, '.agents/overnight/staging/r-iter-1'), { recursive: true });
    const notes = recoveryNotes(recoverFromCrash(ws));
    assert.ok(
      notes.some((n) => /staging/.test(n)),
      notes.join('\n'),
    );
    assert.equal(fs.existsSync(path.join(ws, '.agents/overnight/staging/r-iter-1')), false);
  });

  it('the io fault seam is armed by its named step and uninstalls cleanly', () => {
    const off = installIoFault({ io: { from: 'x', nth: 1, code: 'EROFS' } });
    assert.ok(fsSeam.hook);
    fsSeam.hook!('write', 'a'); // not armed yet
    fsSeam.hook!('step', 'x now');
    assert.throws(() => fsSeam.hook!('rename', 'b'), /EROFS/);
    off();
    assert.equal(fsSeam.hook, null);
  });
});
