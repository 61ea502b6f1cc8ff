// CorpusWriter: the only writer. Writes go inside .agents/ mutable paths only, never through a
// symlink, never with `..` or absolute paths, and always atomically.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CorpusWriter, WriteGuardError } from '../../src/engine/commit/writer';

function put(root: string, relPath: string, data: string | Buffer): void {
  const p = path.join(root, relPath);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

/** every entry under root (lstat): files hashed, symlinks as "-> target", folders as "dir" */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, r: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const cr = r ? `${r}/${e.name}` : e.name;
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) out.set(cr, '-> ' + fs.readlinkSync(p));
      else if (e.isDirectory()) {
        out.set(cr, 'dir');
        walk(p, cr);
      } else out.set(cr, crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root, '');
  return out;
}

const refused = (fn: () => void, msg: string) =>
  assert.throws(
    fn,
    (e: unknown) => {
      assert.ok(e instanceof WriteGuardError, `${msg}: expected WriteGuardError, got ${String(e)}`);
      assert.match((e as Error).message, /refused/);
      return true;
    },
    msg,
  );

describe('CorpusWriter guard', () => {
  let base: string; // holds the workspace and an "outside" folder
  let ws: string;
  let outside: string;
  let w: CorpusWriter;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-writer-'));
    ws = path.join(base, 'ws');
    outside = path.join(base, 'outside');
    put(ws, 'src/a.ts', 'export const a = 1;\n');
    put(ws, '.agents/learnings/a.md', 'a\n');
    put(ws, '.agents/sessions/s.md', 'session\n');
    put(ws, '.agents/research/r.md', 'research\n');
    put(outside, 'keep.md', 'outside\n');
    w = new CorpusWriter(ws);
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('refuses writes outside .agents/', () => {
    const pre = tree(base);
    for (const p of ['../src/a.ts', '../README.md', '../../outside/keep.md', '../x']) refused(() => w.write(p, 'x'), p);
    assert.deepEqual(tree(base), pre);
  });

  it('refuses `..` segments anywhere, even when they would land in a mutable folder', () => {
    const pre = tree(base);
    for (const p of [
      'learnings/../learnings/b.md',
      'learnings/../sessions/s.md',
      'overnight/../../src/a.ts',
      'learnings/..',
      'learnings\\..\\..\\src\\a.ts',
      'dream/../../x',
    ]) {
      refused(() => w.write(p, 'x'), p);
    }
    assert.deepEqual(tree(base), pre);
  });

  it('refuses absolute paths', () => {
    const pre = tree(base);
    for (const p of [
      '/etc/passwd',
      path.join(ws, '.agents', 'learnings', 'b.md'),
      '/learnings/b.md',
      'C:/learnings/b.md',
      'c:\\learnings\\b.md',
      '\\\\server\\share\\x',
    ]) {
      refused(() => w.write(p, 'x'), p);
    }
    assert.deepEqual(tree(base), pre);
  });

  it('refuses empty paths and empty segments', () => {
    for (const p of ['', 'learnings//b.md', 'learnings/']) refused(() => w.write(p, 'x'), JSON.stringify(p));
  });

  it('refuses read-only corpus paths (sessions/, research/, other top-level names)', () => {
    const pre = tree(base);
    for (const p of [
      'sessions/s.md',
      'sessions/new.md',
      'research/r.md',
      'research/new.md',
      'rpi/other.jsonl',
      'rpi/next-work.jsonl.bak',
      'index.jsonl.old',
      'other/x.md',
      'README.md',
      'learningsX/a.md',
    ]) {
      refused(() => w.write(p, 'x'), p);
      refused(() => w.removeFile(p), `remove ${p}`);
    }
    assert.deepEqual(tree(base), pre);
  });

  it('allows the mutable paths, dream/ and overnight/', () => {
    const ok = [
      'learnings/b.md',
      'learnings/deep/er/c.md',
      'findings/f.md',
      'patterns/p.md',
      'knowledge/pending/k.md',
      'rpi/next-work.jsonl',
      'index.jsonl',
      'dream/config.yaml',
      'dream/scheduler/x.timer',
      'overnight/runs/r/summary.json',
    ];
    for (const p of ok) {
      w.write(p, `content of ${p}\n`);
      assert.equal(fs.readFileSync(path.join(ws, '.agents', ...p.split('/')), 'utf8'), `content of ${p}\n`, p);
    }
  });

  it('refuses to write through a symlinked folder (and leaves its target alone)', () => {
    const pre = tree(outside);
    fs.symlinkSync(outside, path.join(ws, '.agents', 'learnings', 'linked'), 'dir');
    refused(() => w.write('learnings/linked/evil.md', 'x'), 'write through symlinked folder');
    refused(() => w.write('learnings/linked/keep.md', 'overwritten'), 'overwrite through symlinked folder');
    refused(() => w.removeFile('learnings/linked/keep.md'), 'remove through symlinked folder');
    refused(() => w.appendLines('learnings/linked/keep.md', ['x']), 'append through symlinked folder');
    assert.deepEqual(tree(outside), pre);
  });

  it('refuses when a whole corpus folder (or .agents itself) is a symlink', () => {
    const ws2 = path.join(base, 'ws2');
    fs.mkdirSync(ws2);
    fs.symlinkSync(outside, path.join(ws2, '.agents'), 'dir');
    const pre = tree(outside);
    refused(() => new CorpusWriter(ws2).write('learnings/x.md', 'x'), '.agents is a symlink');
    refused(() => new CorpusWriter(ws2).write('overnight/run.lock', '1\n'), '.agents is a symlink (overnight)');
    fs.rmSync(path.join(ws, '.agents', 'learnings'), { recursive: true });
    fs.symlinkSync(outside, path.join(ws, '.agents', 'learnings'), 'dir');
    refused(() => w.write('learnings/x.md', 'x'), 'learnings is a symlink');
    assert.deepEqual(tree(outside), pre);
  });

  it('refuses to overwrite a symlinked file', () => {
    fs.symlinkSync(path.join(outside, 'keep.md'), path.join(ws, '.agents', 'learnings', 'link.md'));
    refused(() => w.write('learnings/link.md', 'x'), 'symlinked file');
    refused(() => w.removeFile('learnings/link.md'), 'remove symlinked file');
    assert.equal(fs.readFileSync(path.join(outside, 'keep.md'), 'utf8'), 'outside\n');
    assert.ok(fs.lstatSync(path.join(ws, '.agents', 'learnings', 'link.md')).isSymbolicLink(), 'the link itself is left alone');
  });

  it('refuses a folder swapped for a symlink after the writer has already written into it', () => {
    // the same writer wrote into learnings/ a moment ago; then learnings/ becomes a symlink
    w.write('learnings/first.md', 'first\n');
    const pre = tree(outside);
    fs.rmSync(path.join(ws, '.agents', 'learnings'), { recursive: true });
    fs.symlinkSync(outside, path.join(ws, '.agents', 'learnings'), 'dir');
    refused(() => w.write('learnings/second.md', 'second\n'), 'write through a folder swapped for a symlink');
    assert.deepEqual(tree(outside), pre, 'nothing written outside the workspace');
  });

  it('rename refuses a symlinked destination folder and forbidden ends', () => {
    w.write('overnight/staging/i/files/learnings/x.md', 'x\n');
    refused(() => w.rename('overnight/staging/i/files/learnings/x.md', 'sessions/x.md'), 'rename into sessions/');
    refused(() => w.rename('sessions/s.md', 'learnings/s.md'), 'rename out of sessions/');
    fs.symlinkSync(outside, path.join(ws, '.agents', 'learnings', 'linked'), 'dir');
    refused(() => w.rename('overnight/staging/i/files/learnings/x.md', 'learnings/linked/x.md'), 'rename through symlink');
    assert.equal(fs.existsSync(path.join(outside, 'x.md')), false);
  });

  it('removeTree only removes Dream runtime folders', () => {
    refused(() => w.removeTree('learnings'), 'learnings');
    refused(() => w.removeTree('dream'), 'dream');
    refused(() => w.removeTree('sessions'), 'sessions');
    assert.ok(fs.existsSync(path.join(ws, '.agents', 'learnings', 'a.md')));
    w.write('overnight/staging/x/files/a', 'a');
    w.removeTree('overnight/staging/x');
    assert.equal(fs.existsSync(path.join(ws, '.agents', 'overnight', 'staging', 'x')), false);
  });

  it('removeFile refuses a folder', () => {
    fs.mkdirSync(path.join(ws, '.agents', 'learnings', 'sub'));
    refused(() => w.removeFile('learnings/sub'), 'folder');
    assert.ok(fs.existsSync(path.join(ws, '.agents', 'learnings', 'sub')));
  });

  it('allowed writes are atomic: no temp files remain, content replaced whole', () => {
    for (let i = 0; i < 25; i++) {
      w.write('learnings/a.md', `version ${i}\n`.repeat(100 + i));
      w.writeBatched(`findings/f-${i % 3}.md`, `f ${i}\n`);
      w.appendLines('rpi/next-work.jsonl', [JSON.stringify({ id: `w-${i}` })]);
    }
    w.flushDirs();
    w.createExclusive('overnight/run.lock', `${process.pid}\n`);
    const all = [...tree(ws).keys()];
    assert.deepEqual(
      all.filter((k) => /\.tmp$/.test(k) || /\/\.[^/]+\.\d+\.\d+/.test(k)),
      [],
      'no temp files',
    );
    assert.equal(fs.readFileSync(path.join(ws, '.agents', 'learnings', 'a.md'), 'utf8'), 'version 24\n'.repeat(124));
    const lines = fs
      .readFileSync(path.join(ws, '.agents', 'rpi', 'next-work.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, 25);
    assert.deepEqual(JSON.parse(lines[24]!), { id: 'w-24' });
  });

  it('createExclusive fails when the file exists, and leaves it alone', () => {
    w.createExclusive('overnight/run.lock', 'first\n');
    assert.throws(
      () => w.createExclusive('overnight/run.lock', 'second\n'),
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'EEXIST',
    );
    assert.equal(fs.readFileSync(path.join(ws, '.agents', 'overnight', 'run.lock'), 'utf8'), 'first\n');
    assert.deepEqual(fs.readdirSync(path.join(ws, '.agents', 'overnight')), ['run.lock']);
  });

  it('never leaves a symlink behind and never touches files outside .agents', () => {
    const outsideBefore = tree(outside);
    const srcBefore = fs.readFileSync(path.join(ws, 'src', 'a.ts'));
    w.write('learnings/z.md', 'z');
    w.copyIn(path.join(ws, 'src', 'a.ts'), 'knowledge/pending/a.md');
    assert.equal([...tree(base).values()].filter((v) => v.startsWith('-> ')).length, 0);
    assert.deepEqual(tree(outside), outsideBefore);
    assert.deepEqual(fs.readFileSync(path.join(ws, 'src', 'a.ts')), srcBefore);
  });
});
