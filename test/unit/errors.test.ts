// A failure to read is reported, never taken for "nothing there". Permission errors cannot be
// provoked as root, so a file stands where a folder should be (ENOTDIR): the same kind of
// "exists but cannot be read" failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { errnoCode, errorMessage, isNotFound } from '../../src/engine/core/errors';
import { recoverFromCrash } from '../../src/engine/commit/checkpoint';
import { RunsReader } from '../../src/engine/report/runs';
import { listJobs, QUEUE_DIR, queueDepth } from '../../src/lanes/curator/queue';
import { makeWorkspace, rm, write } from './helpers/fixture';

/** replaces .agents/<rel> (a folder) with a regular file */
function fileInsteadOfFolder(ws: string, rel: string): void {
  const p = path.join(ws, '.agents', rel);
  fs.rmSync(p, { recursive: true, force: true });
  write(ws, path.join('.agents', rel), 'not a folder\n');
}

describe('errors: helpers', () => {
  it('errorMessage, errnoCode, isNotFound read any caught value', () => {
    const enoent = Object.assign(new Error('gone'), { code: 'ENOENT' });
    assert.equal(errorMessage(enoent), 'gone');
    assert.equal(errorMessage('plain text'), 'plain text');
    assert.equal(errorMessage(42), '42');
    assert.equal(errnoCode(enoent), 'ENOENT');
    assert.equal(errnoCode({ code: 7 }), undefined);
    assert.equal(errnoCode(null), undefined);
    assert.equal(isNotFound(enoent), true);
    assert.equal(isNotFound(Object.assign(new Error('no'), { code: 'EACCES' })), false);
    assert.equal(isNotFound(new Error('no code')), false);
  });
});

describe('errors: a read failure is not "nothing there"', () => {
  let ws: string;
  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => rm(ws));

  it('crash recovery: a missing overnight/ is nothing to do; an unreadable one needs review', () => {
    fs.rmSync(path.join(ws, '.agents', 'overnight'), { recursive: true, force: true });
    assert.deepEqual(recoverFromCrash(ws), { actions: [], manualReview: [] });
    fileInsteadOfFolder(ws, 'overnight');
    const r = recoverFromCrash(ws);
    assert.equal(r.manualReview.length, 1);
    assert.match(r.manualReview[0]!, /cannot look for unfinished commits in \.agents\/overnight: .*ENOTDIR.*manual review required/);
  });

  it('run listing: no runs folder is no runs; an unreadable one is an error naming it', async () => {
    assert.deepEqual(await new RunsReader(ws).listRunIds(), []);
    fileInsteadOfFolder(ws, 'overnight/runs');
    await assert.rejects(new RunsReader(ws).listRunIds(), /cannot list the runs in \.agents\/overnight\/runs: .*ENOTDIR/);
  });

  it('curator queue depth: no queue is 0; an unreadable queue is an error naming it', () => {
    assert.equal(queueDepth(ws), 0);
    assert.deepEqual(listJobs(ws, QUEUE_DIR), []);
    fileInsteadOfFolder(ws, QUEUE_DIR);
    assert.throws(() => queueDepth(ws), new RegExp(`cannot read the curator folder \\.agents/${QUEUE_DIR}: .*ENOTDIR`));
  });
});
