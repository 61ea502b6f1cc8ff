// Overlay staging and the two-phase commit (upstream checkpoint tests, adapted to Staging).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Staging, reverseOps, sanitizeIterationId } from '../../src/engine/commit/checkpoint';
import { packPathFor, readBeforeImage } from '../../src/engine/commit/beforePack';
import { iterationId } from '../../src/engine/commit/iterationStore';
import { rel } from '../../src/engine/core/paths';
import { markerSchema } from '../../src/engine/core/schemas';

import { snapshot as tree, write as put } from './helpers/fixture';

const RUN = '20261123T030000Z';

/** the workspace without Dream's runtime folder */
const liveTree = (ws: string) => tree(ws, (r) => r === '.agents/overnight');

function seed(ws: string): void {
  put(ws, 'README.md', '# outside the corpus\n');
  put(ws, 'src/a.ts', 'export const a = 1;\n');
  put(ws, '.agents/learnings/a.md', '---\ntitle: A\n---\nalpha\n');
  put(ws, '.agents/learnings/b.md', '---\ntitle: B\n---\nbravo\n');
  put(ws, '.agents/learnings/sub/c.md', Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0x0a])); // arbitrary bytes
  put(ws, '.agents/findings/f-2026-11-20-001.md', '---\ntitle: F\nseverity: low\n---\nbody\n');
  put(ws, '.agents/rpi/next-work.jsonl', '{"id":"x"}\n');
  put(ws, '.agents/sessions/s.md', '# session\n');
}

describe('checkpoint: Staging', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-ckpt-'));
    seed(ws);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const newStaging = (index = 1) => new Staging(ws, RUN, index, iterationId(RUN, index));

  it('commit lands the staged edits, keeps before-images and cleans up marker and staging', () => {
    const beforeA = fs.readFileSync(path.join(ws, '.agents/learnings/a.md'));
    const beforeB = fs.readFileSync(path.join(ws, '.agents/learnings/b.md'));
    const beforeNW = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'));
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('---\ntitle: A\nmaturity: accepted\n---\nalpha\n'));
    s.remove('learnings/b.md');
    s.write('learnings/new/d.md', Buffer.from('---\ntitle: D\n---\ndelta\n'));
    s.write('rpi/next-work.jsonl', Buffer.from('{"id":"x"}\n{"id":"y"}\n'));
    s.write('index.jsonl', Buffer.from('{"path":"learnings/a.md","title":"A"}\n'));
    assert.equal(s.size, 5);
    const marker = s.commit();

    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/a.md'), 'utf8'), '---\ntitle: A\nmaturity: accepted\n---\nalpha\n');
    assert.equal(fs.existsSync(path.join(ws, '.agents/learnings/b.md')), false);
    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/new/d.md'), 'utf8'), '---\ntitle: D\n---\ndelta\n');
    assert.equal(fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8'), '{"id":"x"}\n{"id":"y"}\n');
    assert.ok(fs.existsSync(path.join(ws, '.agents/index.jsonl')));

    // before-images in one pack beside overnight/runs/<run>/before/iter-1, no staging left
    const before = rel.before(RUN, 1);
    assert.equal(marker.pack, `overnight/runs/${RUN}/before/iter-1.pack`);
    assert.ok(fs.existsSync(path.join(ws, '.agents', ...marker.pack!.split('/'))));
    assert.deepEqual(readBeforeImage(ws, `${before}/learnings/a.md`), beforeA);
    assert.deepEqual(readBeforeImage(ws, `${before}/learnings/b.md`), beforeB);
    assert.deepEqual(readBeforeImage(ws, `${before}/rpi/next-work.jsonl`), beforeNW);
    assert.equal(readBeforeImage(ws, `${before}/learnings/new/d.md`), null, 'an added file has no before-image');
    assert.equal(fs.existsSync(path.join(ws, '.agents', ...rel.staging(iterationId(RUN, 1)).split('/'))), false);

    // the marker plan: sorted ops, with backups only for files that existed
    assert.equal(markerSchema.safeParse(marker).success, true);
    assert.equal(marker.iteration_id, iterationId(RUN, 1));
    assert.deepEqual(
      marker.ops.map((o) => [o.op, o.path]),
      [
        ['write', 'index.jsonl'],
        ['write', 'learnings/a.md'],
        ['remove', 'learnings/b.md'],
        ['write', 'learnings/new/d.md'],
        ['write', 'rpi/next-work.jsonl'],
      ],
    );
    assert.equal(marker.ops.find((o) => o.path === 'learnings/new/d.md')!.backup, null);
    assert.equal(marker.ops.find((o) => o.path === 'learnings/b.md')!.after_hash, null);

    // marker and staging are gone
    assert.equal(fs.existsSync(path.join(ws, '.agents', ...rel.marker(iterationId(RUN, 1)).split('/'))), false);
    assert.equal(fs.existsSync(path.join(ws, '.agents', ...rel.staging(iterationId(RUN, 1)).split('/'))), false);
    const overnight = fs.readdirSync(path.join(ws, '.agents/overnight'));
    assert.deepEqual(
      overnight.filter((n) => n.startsWith('COMMIT-MARKER')),
      [],
    );
    // no temp file anywhere
    assert.deepEqual(
      [...tree(ws).keys()].filter((k) => k.endsWith('.tmp')),
      [],
    );
  });

  it('commit leaves everything outside the touched paths byte-identical', () => {
    const pre = liveTree(ws);
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('changed\n'));
    s.commit();
    const post = liveTree(ws);
    for (const [k, h] of pre) if (k !== '.agents/learnings/a.md') assert.equal(post.get(k), h, k);
    assert.notEqual(post.get('.agents/learnings/a.md'), pre.get('.agents/learnings/a.md'));
  });

  it('persist drops no-op writes and removals of missing files', () => {
    const s = newStaging(1);
    s.write('learnings/a.md', fs.readFileSync(path.join(ws, '.agents/learnings/a.md')));
    s.remove('learnings/never-existed.md');
    s.write('learnings/b.md', Buffer.from('different\n'));
    const marker = s.persist();
    assert.deepEqual(
      marker.ops.map((o) => o.path),
      ['learnings/b.md'],
    );
    assert.equal(marker.state, 'READY');
    // persist is idempotent
    assert.equal(s.persist(), marker);
    s.discard();
  });

  it('a commit of only no-op writes changes nothing live', () => {
    const pre = liveTree(ws);
    const s = newStaging(1);
    s.write('learnings/a.md', fs.readFileSync(path.join(ws, '.agents/learnings/a.md')));
    const m = s.commit();
    assert.deepEqual(m.ops, []);
    assert.deepEqual(liveTree(ws), pre);
  });

  it('discard() after persist leaves the live tree byte-identical and no staging', () => {
    const pre = liveTree(ws);
    const s = newStaging(2);
    s.write('learnings/a.md', Buffer.from('would change\n'));
    s.remove('learnings/b.md');
    s.write('learnings/e.md', Buffer.from('would add\n'));
    const plan = s.persist();
    assert.ok(fs.existsSync(path.join(ws, '.agents', ...plan.pack!.split('/'))), 'persist wrote the before-image pack');
    assert.deepEqual(liveTree(ws), pre, 'persist changes nothing live');
    s.discard();
    assert.deepEqual(liveTree(ws), pre);
    assert.equal(fs.existsSync(path.join(ws, '.agents', ...rel.staging(iterationId(RUN, 2)).split('/'))), false);
    assert.equal(s.size, 0);
  });

  it('discard() without persist touches nothing at all', () => {
    const pre = tree(ws);
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('x'));
    s.discard();
    assert.deepEqual(tree(ws), pre);
  });

  it('reverseOps of a READY marker restores a byte-identical tree (added file removed, removed file back)', () => {
    const pre = liveTree(ws);
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('modified a\n'));
    s.remove('learnings/b.md');
    s.remove('learnings/sub/c.md');
    s.write('learnings/added.md', Buffer.from('added by the iteration\n'));
    s.write('findings/f-2026-11-20-001.md', Buffer.from('---\ntitle: F\nseverity: low\nresolved: true\n---\nbody\n'));
    const marker = s.commit();
    assert.equal(marker.state, 'READY');
    assert.notDeepEqual(liveTree(ws), pre);
    assert.ok(fs.existsSync(path.join(ws, '.agents/learnings/added.md')));

    const n = reverseOps(ws, marker);
    assert.equal(n, 5);
    const post = liveTree(ws);
    assert.deepEqual(post, pre);
    assert.equal(fs.existsSync(path.join(ws, '.agents/learnings/added.md')), false);
    assert.ok(fs.existsSync(path.join(ws, '.agents/learnings/b.md')));
    // reversal is idempotent
    assert.equal(reverseOps(ws, marker), 0);
    assert.deepEqual(liveTree(ws), pre);
  });

  it('reverseOps leaves alone (and names) files a person changed after the commit', () => {
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('modified a\n'));
    s.remove('learnings/b.md');
    s.write('learnings/added.md', Buffer.from('added by the iteration\n'));
    s.write('findings/f-2026-11-20-001.md', Buffer.from('changed finding\n'));
    const marker = s.commit();
    // after the commit: a person edits a.md, re-creates b.md and edits the added note
    put(ws, '.agents/learnings/a.md', 'the user edit of a\n');
    put(ws, '.agents/learnings/b.md', 'the user re-created b\n');
    put(ws, '.agents/learnings/added.md', 'the user kept and edited the added note\n');
    const conflicts: string[] = [];
    const n = reverseOps(ws, marker, conflicts);
    assert.equal(n, 1, 'only the untouched finding is reversed');
    assert.deepEqual([...conflicts].sort(), ['learnings/a.md', 'learnings/added.md', 'learnings/b.md']);
    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/a.md'), 'utf8'), 'the user edit of a\n');
    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/b.md'), 'utf8'), 'the user re-created b\n');
    assert.equal(fs.readFileSync(path.join(ws, '.agents/learnings/added.md'), 'utf8'), 'the user kept and edited the added note\n');
    assert.equal(
      fs.readFileSync(path.join(ws, '.agents/findings/f-2026-11-20-001.md'), 'utf8'),
      '---\ntitle: F\nseverity: low\n---\nbody\n',
    );
  });

  it('append(): lines appended to the live file after INGEST read it are kept', () => {
    const base = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'));
    const s = newStaging(1);
    s.append('rpi/next-work.jsonl', base, Buffer.concat([base, Buffer.from('{"id":"dream-1"}\n')]));
    // an agent appends a line (without a trailing newline) while the iteration runs
    fs.appendFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), '{"id":"agent-1"}');
    s.commit();
    assert.equal(fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8'), '{"id":"x"}\n{"id":"agent-1"}\n{"id":"dream-1"}\n');
  });

  it('append(): without concurrent appends the staged bytes land as they are', () => {
    const base = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'));
    const s = newStaging(1);
    s.append('rpi/next-work.jsonl', base, Buffer.concat([base, Buffer.from('{"id":"dream-1"}\n')]));
    s.commit();
    assert.equal(fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8'), '{"id":"x"}\n{"id":"dream-1"}\n');
  });

  it('reverseOps refuses when a before-image is missing (its pack is gone)', () => {
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('modified a\n'));
    const marker = s.commit();
    fs.rmSync(path.join(ws, '.agents', ...packPathFor(rel.before(RUN, 1)).split('/')));
    assert.throws(() => reverseOps(ws, marker), /before-image/);
  });

  it('a before-image file beside the pack is used only when it holds what the pack recorded', () => {
    const pre = liveTree(ws);
    const aBefore = fs.readFileSync(path.join(ws, '.agents/learnings/a.md'));
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('modified a\n'));
    s.remove('learnings/b.md');
    s.write('learnings/sub/c.md', Buffer.from('modified c\n'));
    const marker = s.commit();
    assert.equal(marker.pack, packPathFor(rel.before(RUN, 1)));
    const mirror = (r: string) => path.join(ws, '.agents', ...rel.before(RUN, 1).split('/'), ...r.split('/'));
    // files an older Dream wrote next to its pack, torn by a power cut
    fs.mkdirSync(path.dirname(mirror('learnings/a.md')), { recursive: true });
    fs.writeFileSync(mirror('learnings/a.md'), '');
    fs.writeFileSync(mirror('learnings/b.md'), 'not what b held');
    assert.equal(reverseOps(ws, marker), 3);
    assert.deepEqual(liveTree(ws), pre);
    assert.deepEqual(readBeforeImage(ws, `${rel.before(RUN, 1)}/learnings/a.md`), aBefore);
  });

  it('a corrupt pack entry is not trusted: an intact before-image file beside it is used', () => {
    const pre = liveTree(ws);
    const aBefore = fs.readFileSync(path.join(ws, '.agents/learnings/a.md'));
    const s = newStaging(1);
    s.write('learnings/a.md', Buffer.from('modified a\n'));
    const marker = s.commit();
    const packFile = path.join(ws, '.agents', ...marker.pack!.split('/'));
    const bytes = fs.readFileSync(packFile);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff; // the stored image no longer matches its hash
    fs.writeFileSync(packFile, bytes);
    assert.throws(() => reverseOps(ws, marker), /before-image/, 'a damaged pack alone is not used');
    const mirror = path.join(ws, '.agents', ...rel.before(RUN, 1).split('/'), 'learnings', 'a.md');
    fs.mkdirSync(path.dirname(mirror), { recursive: true });
    fs.writeFileSync(mirror, aBefore);
    assert.equal(reverseOps(ws, marker), 1);
    assert.deepEqual(liveTree(ws), pre);
  });

  it('Staging.write/remove refuse path traversal and non-mutable paths', () => {
    const s = newStaging(1);
    const bad = [
      '../x',
      '../../etc/passwd',
      'learnings/../../x',
      'learnings/../sessions/a.md',
      '/etc/passwd',
      'C:/Windows/x',
      'sessions/a.md',
      'research/r.md',
      'src/a.ts',
      '',
      'learnings//a.md',
      'rpi/other.jsonl',
    ];
    for (const p of bad) {
      assert.throws(() => s.write(p, Buffer.from('x')), /refused/, `write ${JSON.stringify(p)}`);
      assert.throws(() => s.remove(p), /refused/, `remove ${JSON.stringify(p)}`);
    }
    assert.equal(s.size, 0);
    // a path outside the workspace was not created
    assert.equal(fs.existsSync(path.join(path.dirname(ws), 'x')), false);
  });

  it('Staging accepts every mutable corpus path', () => {
    const s = newStaging(1);
    for (const p of ['learnings/x.md', 'findings/f.md', 'patterns/p.md', 'knowledge/pending/k.md', 'rpi/next-work.jsonl', 'index.jsonl']) {
      assert.doesNotThrow(() => s.write(p, Buffer.from('x')), p);
    }
    assert.equal(s.size, 6);
    s.discard();
  });

  it('sanitizeIterationId rejects unsafe ids and accepts normal ones', () => {
    for (const id of ['../etc/passwd', 'a/b', 'a\\b', '..', 'iter with space', '\x00bad', '', 'tab\tid', 'new\nline', '.hidden', 'a..b']) {
      assert.throws(() => sanitizeIterationId(id), /invalid iteration id/, JSON.stringify(id));
    }
    for (const id of [iterationId(RUN, 1), 'iter-1', 'a.b_c-d']) assert.equal(sanitizeIterationId(id), id);
  });
});
