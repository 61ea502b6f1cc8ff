// The CLI as users and schedulers run it: hard rules, crash recovery, locking, report errors.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { recoverFromCrash } from '../../src/engine/commit/checkpoint';
import { corpusHash, countSymlinks, makeWorkspace, rm, snapshot, tmpDir, write } from './helpers/fixture';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function dream(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DREAM_KEEP_AWAKE: 'false', ...env },
    cwd,
    timeout: 60000,
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

function dreamAsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DREAM_KEEP_AWAKE: 'false', ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('dream CLI: hard rules', function () {
  this.timeout(60000);
  let ws: string;
  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => rm(ws));

  it('never runs git, never touches files outside .agents/, creates no symlink', () => {
    const bin = tmpDir('fakebin-');
    const calls = path.join(bin, 'calls.log');
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "git $*" >> ${JSON.stringify(calls)}\nexit 0\n`, { mode: 0o755 });
    const outside = snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/'));
    const links = countSymlinks(ws);
    const r = dream(['start', '--workspace', ws], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    assert.equal(r.code, 0, r.err);
    assert.equal(fs.existsSync(calls), false, 'fake git was called: ' + (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : ''));
    assert.deepEqual(
      snapshot(ws, (r2) => r2 === '.agents' || r2.startsWith('.agents/')),
      outside,
    );
    assert.equal(countSymlinks(ws), links);
    rm(bin);
  });

  it('reports a symlinked note and a symlinked folder and leaves both alone', () => {
    const ext = tmpDir('outside-');
    write(ext, 'secret.md', '---\ntitle: outside\nmaturity: draft\ndate: 2020-01-01\n---\n# outside\n\nnot ours\n');
    write(ext, 'dir/inner.md', '---\ntitle: inner\nmaturity: draft\ndate: 2020-01-01\n---\n# inner\n\nnot ours either\n');
    fs.symlinkSync(path.join(ext, 'secret.md'), path.join(ws, '.agents/learnings/linked.md'));
    fs.symlinkSync(path.join(ext, 'dir'), path.join(ws, '.agents/learnings/linked-dir'));
    const extBefore = snapshot(ext);
    const r = dream(['start', '--workspace', ws, '--json']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.ok(
      s.degraded.some((d: string) => /linked\.md is a symlink/.test(d)),
      'symlinked note reported',
    );
    assert.ok(
      s.degraded.some((d: string) => /linked-dir is a symlink/.test(d)),
      'symlinked folder reported',
    );
    assert.ok(fs.lstatSync(path.join(ws, '.agents/learnings/linked.md')).isSymbolicLink());
    assert.ok(fs.lstatSync(path.join(ws, '.agents/learnings/linked-dir')).isSymbolicLink());
    assert.deepEqual(snapshot(ext), extBefore);
    rm(ext);
  });

  it('a symlinked .agents/overnight is refused with a plain error and nothing is written through it', () => {
    const target = tmpDir('overnight-target-');
    fs.symlinkSync(target, path.join(ws, '.agents/overnight'));
    const r = dream(['start', '--workspace', ws]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^dream: refused to write through a symlink: \.agents\/overnight$/m);
    assert.deepEqual(fs.readdirSync(target), []);
    rm(target);
  });

  it('--json prints only JSON; exit code 0; the report is where it says', () => {
    const r = dream(['start', '--workspace', ws, '--json', '--max-iterations', '1']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.schema_version, 2);
    assert.equal(s.halt_reason, 'max-iterations');
    const rep = dream(['report', '--workspace', ws]);
    assert.equal(rep.code, 0);
    assert.match(rep.out, /# Dream Morning Report/);
    assert.match(rep.out, /What state did I wake up to\?/);
    assert.match(rep.out, new RegExp(s.run_id));
  });

  it('a second run plateaus and routes no finding twice', () => {
    assert.equal(dream(['start', '--workspace', ws]).code, 0);
    const nw1 = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8');
    assert.equal((nw1.match(/"id":"f-2026-11-20-001"/g) ?? []).length, 1);
    assert.doesNotMatch(nw1, /f-2026-11-20-002/, 'resolved finding not routed');
    const hash = corpusHash(ws);
    const r = dream(['start', '--workspace', ws, '--json']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.halt_reason, 'plateau');
    assert.equal(s.iterations.length, 1);
    assert.equal(s.iterations[0].status, 'halted-on-plateau');
    assert.equal(fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8'), nw1);
    assert.equal(corpusHash(ws), hash);
  });

  it('bad settings: a clear error naming the key, exit non-zero, nothing written', () => {
    const r = dream(['start', '--workspace', ws, '--run-timeout', 'forever']);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'dream: --run-timeout "forever": expected a duration such as 8h, 90s or 1h30m\n');
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    assert.equal(fs.existsSync(path.join(ws, '.agents/overnight')), false);
    write(ws, '.agents/dream/config.yaml', 'dream:\n  plateau_window: 1\n');
    const r2 = dream(['start', '--workspace', ws]);
    assert.notEqual(r2.code, 0);
    assert.match(r2.err, /config\.yaml.*dream\.plateauWindow/);
  });

  it('no .agents/: a plain one-line error', () => {
    const empty = tmpDir();
    const r = dream(['start', '--workspace', empty]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no \.agents\/ corpus/);
    assert.equal(r.err.trim().split('\n').length, 1);
    rm(empty);
  });
});

describe('dream CLI: crash, lock, report', function () {
  this.timeout(90000);
  let ws: string;
  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => rm(ws));

  for (const afterOps of [0, 2, 5, 1000]) {
    it(`SIGKILL in the middle of a commit (after ${afterOps} op(s)) recovers to the exact pre-iteration bytes`, () => {
      const before = snapshot(path.join(ws, '.agents'), (r) => r.startsWith('overnight'));
      const r = dream(['start', '--workspace', ws], { DREAM_TEST_FAULTS: JSON.stringify({ crashInCommit: { iteration: 1, afterOps } }) });
      assert.equal(r.signal, 'SIGKILL', `expected a SIGKILL crash, got code ${r.code} ${r.err}`);
      const markers = fs.readdirSync(path.join(ws, '.agents/overnight')).filter((n) => n.startsWith('COMMIT-MARKER.'));
      assert.equal(markers.length, 1, 'a READY marker was left by the crash');
      const rec = recoverFromCrash(ws);
      assert.equal(rec.manualReview.length, 0);
      assert.deepEqual(
        snapshot(path.join(ws, '.agents'), (x) => x.startsWith('overnight')),
        before,
      );
      // and a new start runs normally (the stale lock of the dead process is reclaimed)
      const again = dream(['start', '--workspace', ws, '--json']);
      assert.equal(again.code, 0, again.err);
      const s = JSON.parse(again.out);
      assert.ok(s.degraded.some((d: string) => /reclaimed stale run lock/.test(d)));
      assert.equal(s.iterations[0].status, 'done');
    });
  }

  it('a crash recovered by the next start is reported as degraded', () => {
    const before = corpusHash(ws);
    const r = dream(['start', '--workspace', ws], { DREAM_TEST_FAULTS: JSON.stringify({ crashInCommit: { iteration: 1, afterOps: 3 } }) });
    assert.equal(r.signal, 'SIGKILL');
    assert.notEqual(corpusHash(ws), before, 'the crash left a half-committed corpus');
    const again = dream(['start', '--workspace', ws, '--json', '--max-iterations', '1', '--warn-only=false']);
    const s = JSON.parse(again.out);
    assert.ok(
      s.degraded.some((d: string) => /recovery: recovered from crash marker/.test(d)),
      JSON.stringify(s.degraded),
    );
  });

  it('two concurrent starts: exactly one runs, the other exits non-zero with "already running"', async () => {
    const slow = { DREAM_TEST_FAULTS: JSON.stringify({ stageDelayMs: 400 }) };
    const [a, b] = await Promise.all([dreamAsync(['start', '--workspace', ws], slow), dreamAsync(['start', '--workspace', ws], slow)]);
    const codes = [a.code, b.code].sort();
    assert.equal(codes[0], 0, a.err + b.err);
    assert.notEqual(codes[1], 0);
    const loser = a.code === 0 ? b : a;
    assert.match(loser.err, /already running \(pid \d+, since /);
  });

  it('dream report: missing, corrupt and newer-schema summaries give clear messages, no stack trace', () => {
    const missing = dream(['report', '--workspace', ws]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no morning report/);
    assert.doesNotMatch(missing.err, /\n\s+at /);
    write(ws, '.agents/overnight/latest/summary.json', '{"schema_version": 2, "run_id": ');
    const corrupt = dream(['report', '--workspace', ws]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.err, /corrupt/);
    assert.doesNotMatch(corrupt.err, /\n\s+at /);
    assert.equal(dream(['start', '--workspace', ws, '--max-iterations', '1']).code, 0);
    const file = path.join(ws, '.agents/overnight/latest/summary.json');
    const s = JSON.parse(fs.readFileSync(file, 'utf8'));
    s.schema_version = 3;
    s.brand_new_field = { x: 1 };
    s.dreamscape = 'a string now';
    fs.writeFileSync(file, JSON.stringify(s));
    const newer = dream(['report', '--workspace', ws]);
    assert.equal(newer.code, 0, newer.err);
    assert.match(newer.out, /schema_version 3, newer than this/);
    assert.match(newer.out, /Could not read these fields: dreamscape/);
    assert.match(newer.out, new RegExp(s.run_id));
  });

  it('warn-only reset restores the budget (default 3, --initial 7)', () => {
    const r = dream(['warn-only', 'reset', '--workspace', ws, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).remaining, 3);
    const r7 = dream(['warn-only', 'reset', '--workspace', ws, '--initial', '7']);
    assert.match(r7.out, /remaining=7 initial=7/);
  });

  it('resume continues an interrupted run with the same run id and its rehydrated iterations', async () => {
    // the process dies as iteration 2 enters REDUCE (iteration 1 is persisted by then): no timing involved
    const p = spawn(process.execPath, [CLI, 'start', '--workspace', ws], {
      env: {
        ...process.env,
        DREAM_KEEP_AWAKE: 'false',
        DREAM_TEST_FAULTS: JSON.stringify({ killAtStage: { iteration: 2, stage: 'reduce' } }),
      },
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => p.on('exit', (c, sg) => r([c, sg])));
    assert.equal(signal, 'SIGKILL', `killed in iteration 2 (exit ${code})`);
    assert.ok(
      fs
        .readdirSync(path.join(ws, '.agents/overnight/runs'))
        .some((r) => fs.existsSync(path.join(ws, '.agents/overnight/runs', r, 'iterations/iter-1.json'))),
      'iteration 1 was persisted',
    );
    const latest = JSON.parse(fs.readFileSync(path.join(ws, '.agents/overnight/latest/summary.json'), 'utf8'));
    assert.equal(latest.status, 'running');
    assert.equal(latest.iterations.length, 1);
    const again = dream(['start', '--workspace', ws, '--resume', latest.run_id, '--json']);
    assert.equal(again.code, 0, again.err);
    const s = JSON.parse(again.out);
    assert.equal(s.run_id, latest.run_id);
    assert.equal(s.resumed_from, latest.run_id);
    assert.equal(s.status, 'done');
    assert.deepEqual(s.iterations[0], latest.iterations[0], 'iteration 1 rehydrated from disk');
    assert.equal(s.iterations[1].index, 2);
    assert.equal(s.started_at, latest.started_at);
    const done = dream(['start', '--workspace', ws, '--resume', latest.run_id]);
    assert.notEqual(done.code, 0);
    assert.match(done.err, /already finished/);
  });
});
