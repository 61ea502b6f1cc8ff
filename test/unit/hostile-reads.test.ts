// Special files and symlinks where Dream reads runtime files, and long names: a night is never
// hung or failed by them; each is reported as a degraded line and left byte-identical.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readRegularFile, UnsafeReadError } from '../../src/engine/core/fsutil';
import { makeWorkspace, rm, snapshot, tmpDir, write } from './helpers/fixture';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function dream(ws: string, extra: string[] = []) {
  const r = spawnSync(process.execPath, [CLI, 'start', '--workspace', ws, '--max-iterations', '1', ...extra], {
    encoding: 'utf8',
    env: { ...process.env, DREAM_KEEP_AWAKE: 'false' },
    timeout: 30000,
    killSignal: 'SIGKILL',
  });
  const summary = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ws, '.agents/overnight/latest/summary.json'), 'utf8'));
    } catch {
      return null;
    }
  })();
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, summary };
}

function mkfifo(p: string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  const r = spawnSync('mkfifo', [p]);
  assert.equal(r.status, 0, `mkfifo ${p}: ${r.stderr}`);
}

describe('hostile runtime files', function () {
  this.timeout(60000);
  let ws: string;
  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => rm(ws));

  it('readRegularFile refuses a FIFO at once (never blocks), a symlink and a file over the limit', () => {
    const d = tmpDir('dream-rrf-');
    try {
      mkfifo(path.join(d, 'fifo'));
      fs.writeFileSync(path.join(d, 'big'), Buffer.alloc(2048));
      fs.symlinkSync(path.join(d, 'big'), path.join(d, 'link'));
      assert.throws(
        () => readRegularFile(path.join(d, 'fifo')),
        (e: unknown) => e instanceof UnsafeReadError && /FIFO/.test(String(e)),
      );
      assert.throws(
        () => readRegularFile(path.join(d, 'link')),
        (e: unknown) => e instanceof UnsafeReadError && /symlink/.test(String(e)),
      );
      assert.throws(() => readRegularFile(path.join(d, 'big'), 1024), /over the 1024-byte limit/);
      assert.equal(readRegularFile(path.join(d, 'big'))!.length, 2048);
      assert.equal(readRegularFile(path.join(d, 'missing')), null);
    } finally {
      rm(d);
    }
  });

  for (const rel of ['dream/tonight.md', 'rpi/next-work.jsonl', 'index.jsonl'])
    it(`a FIFO at .agents/${rel} never hangs the run; it is reported and left in place`, () => {
      mkfifo(path.join(ws, '.agents', rel));
      const r = dream(ws);
      assert.equal(r.signal, null, `the run hung (killed by the timeout): ${r.err}`);
      assert.ok(r.code === 0 || r.code === 1, r.err);
      assert.ok(fs.lstatSync(path.join(ws, '.agents', rel)).isFIFO(), 'the FIFO is left alone');
      const lines: string[] = r.summary.degraded;
      if (rel !== 'dream/tonight.md')
        assert.ok(
          lines.some((l) => l.includes(rel)),
          lines.join('\n'),
        );
      assert.equal(r.summary.status, 'done', r.summary.failure_reason);
    });

  for (const rel of ['rpi/next-work.jsonl', 'index.jsonl', 'learnings/.archive'])
    it(`a symlinked .agents/${rel} is reported and skipped, not a failed night`, () => {
      const outside = path.join(ws, 'outside-target');
      if (rel.endsWith('.archive')) fs.mkdirSync(outside, { recursive: true });
      else fs.writeFileSync(outside, '{"id":"outside"}\n');
      fs.mkdirSync(path.dirname(path.join(ws, '.agents', rel)), { recursive: true });
      fs.rmSync(path.join(ws, '.agents', rel), { recursive: true, force: true });
      fs.symlinkSync(outside, path.join(ws, '.agents', rel));
      const isDir = rel.endsWith('.archive');
      const before = isDir ? snapshot(outside) : null;
      const beforeFile = isDir ? null : fs.readFileSync(outside);
      const r = dream(ws);
      assert.equal(r.code, 0, r.err + r.out);
      assert.equal(r.summary.status, 'done', r.summary.failure_reason);
      assert.ok(fs.lstatSync(path.join(ws, '.agents', rel)).isSymbolicLink(), 'the symlink is left alone');
      if (beforeFile) assert.deepEqual(fs.readFileSync(outside), beforeFile, 'nothing written through the link');
      else assert.deepEqual(snapshot(outside), before);
      assert.ok(
        (r.summary.degraded as string[]).some((l) => l.includes(rel)),
        r.summary.degraded.join('\n'),
      );
    });

  it('the morning packets never read a symlinked next-work.jsonl through the link', () => {
    const outside = path.join(ws, 'outside-queue.jsonl');
    fs.writeFileSync(outside, JSON.stringify({ id: 'leak', title: 'OUTSIDE-THE-CORPUS', severity: 'high' }) + '\n');
    fs.mkdirSync(path.join(ws, '.agents/rpi'), { recursive: true });
    fs.symlinkSync(outside, path.join(ws, '.agents/rpi/next-work.jsonl'));
    const r = dream(ws);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(JSON.stringify(r.summary.morning_packets), /OUTSIDE-THE-CORPUS/);
  });

  it('long legal names: a 250-byte note is compounded; archiving a 255-byte name beside a collision stays within 255 bytes', () => {
    const long = 'l'.repeat(247) + '.md'; // 250 bytes
    write(
      ws,
      `.agents/learnings/${long}`,
      '---\ntitle: Long one\nmaturity: archived\ndate: 2026-11-20\n---\n# Long\n\nbody of the long note\n',
    );
    const max = 'm'.repeat(252) + '.md'; // 255 bytes, already archived once
    write(
      ws,
      `.agents/learnings/${max}`,
      '---\ntitle: Max one\nmaturity: archived\ndate: 2026-11-20\n---\n# Max\n\nbody of the max note\n',
    );
    write(ws, `.agents/learnings/.archive/${max}`, '---\ntitle: Max one (older)\n---\nolder\n');
    const r = dream(ws);
    assert.equal(r.code, 0, r.err + r.out);
    assert.equal(r.summary.status, 'done', r.summary.failure_reason);
    const archived = fs.readdirSync(path.join(ws, '.agents/learnings/.archive'));
    assert.ok(archived.includes(long), archived.join('\n'));
    const maxes = archived.filter((n) => n.startsWith('mmm'));
    assert.equal(maxes.length, 2, 'the older archived copy and the newly archived note, side by side');
    for (const n of archived) assert.ok(Buffer.byteLength(n) <= 255, n);
    assert.equal(fs.existsSync(path.join(ws, '.agents/learnings', max)), false, 'the 255-byte note moved to the archive');
  });
});
