// A large read is shared with a reader thread (corpus/parallelRead.ts): the snapshot it gives must
// be exactly the one loadSnapshot gives, note for note, with the same facts worked out of each
// (reference tokens, near-duplicate signatures), the same corpus problems reported, and the thread
// must really have read its share.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NoteCache, loadSnapshot } from '../../src/engine/corpus/corpus';
import { PARALLEL_MIN, loadSnapshotParallel } from '../../src/engine/corpus/parallelRead';
import { parseReadReply } from '../../src/engine/corpus/readerProtocol';
import { dedupeItem, noteReferenceTokens } from '../../src/engine/corpus/knowledge';
import { generateRealisticCorpus } from '../../bench/realistic';
import { rm, tmpDir } from './helpers/fixture';

describe('parallel read', function () {
  this.timeout(120_000);
  let ws: string;
  before(() => {
    ws = tmpDir('dream-parallel-');
    generateRealisticCorpus(ws, { learnings: PARALLEL_MIN + 300, seed: 42, today: '2026-11-20' });
    // a note the reader thread will find unreadable, and one that is not UTF-8
    const learnings = path.join(ws, '.agents', 'learnings');
    const names = fs
      .readdirSync(learnings)
      .filter((f) => f.endsWith('.md'))
      .sort();
    fs.writeFileSync(path.join(learnings, names[names.length - 2]!), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0x0a]));
    if (process.getuid?.() !== 0) fs.chmodSync(path.join(learnings, names[names.length - 1]!), 0o000);
  });
  after(() => rm(ws));

  it('gives exactly the snapshot loadSnapshot gives, and the reader thread read its share', async () => {
    const by = { main: 0, reader: 0 };
    const par = await loadSnapshotParallel(ws, new NoteCache(), (_rel, who) => by[who]++);
    const seq = loadSnapshot(ws, new NoteCache());
    assert.ok(by.reader > PARALLEL_MIN / 3, `the reader thread read ${by.reader} notes (main ${by.main})`);
    assert.deepEqual([...par.notes.keys()], [...seq.notes.keys()]);
    assert.deepEqual(par.degraded, seq.degraded);
    assert.equal(par.bytesRead, seq.bytesRead);
    for (const [rel, a] of par.notes) {
      const b = seq.notes.get(rel)!;
      const { bytes: ab, ...ar } = a;
      const { bytes: bb, ...br } = b;
      assert.ok(ab.equals(bb), rel);
      assert.deepEqual(ar, br, rel);
      // the body is a getter of the note's class (not an own field the spread above copies)
      assert.equal(a.body, b.body, rel);
      assert.deepEqual(noteReferenceTokens(a), noteReferenceTokens(b), rel);
      if (rel.startsWith('learnings/')) assert.deepEqual([...dedupeItem(a).entry.sig], [...dedupeItem(b).entry.sig], rel);
    }
  });

  it('a second read of an unchanged corpus reads nothing again', async () => {
    const cache = new NoteCache();
    await loadSnapshotParallel(ws, cache);
    const by = { main: 0, reader: 0 };
    const again = await loadSnapshotParallel(ws, cache, (_rel, who) => by[who]++);
    assert.equal(by.main + by.reader, 0);
    assert.equal(again.bytesRead < 100_000, true, `read ${again.bytesRead} bytes again`);
  });

  it('a batch that is not what this build sends is refused (its notes are then read by the night itself)', () => {
    const good = {
      type: 'notes',
      id: 1,
      data: new ArrayBuffer(0),
      done: true,
      items: [{ rel: 'learnings/a.md', gone: true }],
    };
    assert.ok(parseReadReply(good));
    assert.equal(parseReadReply({ ...good, items: [{ rel: 'learnings/a.md', bytes: { offset: 0, length: 3 } }] }), null);
    assert.equal(parseReadReply({ ...good, items: [...good.items, { rel: 'x', what: 1 }] }), null);
    assert.equal(parseReadReply({ ...good, data: 'not bytes' }), null);
  });
});
