// Per-iteration records (upstream iteration store tests, adapted): iter-<N>.json written atomically,
// loading rejects gaps, foreign run ids and corrupt JSON, and keeps what precedes the first gap.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { iterationId, loadIterations, loadRunIterations, writeIteration } from '../../src/engine/commit/iterationStore';
import { rel } from '../../src/engine/core/paths';
import type { IterationRecord } from '../../src/engine/core/schemas';

const RUN = '20261123T030000Z';

function record(index: number, runId = RUN, over: Partial<IterationRecord> = {}): IterationRecord {
  return {
    id: iterationId(runId, index),
    index,
    started_at: `2026-11-23T03:0${index % 10}:00.000Z`,
    finished_at: `2026-11-23T03:0${index % 10}:30.000Z`,
    duration_ms: 30000 + index,
    status: 'done',
    committed: true,
    ingest: { files_read: 12, learnings: 9 },
    reduce: { merged: 1, archived: 0 },
    measure: { learnings: 9 },
    fitness_before: { uniqueness: 0.8, freshness: 0.9 },
    fitness_after: { uniqueness: 0.9, freshness: 0.9 },
    fitness_delta: 0.05,
    metric_deltas: { uniqueness: 0.1, freshness: 0 },
    regressions: [],
    changes: [],
    degraded: [],
    error: null,
    ...over,
  };
}

function iterDir(ws: string, runId = RUN): string {
  return path.join(ws, '.agents', ...rel.iterations(runId).split('/'));
}

function listAll(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('iteration store', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-iterstore-'));
    fs.mkdirSync(path.join(ws, '.agents'), { recursive: true });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('a missing folder loads as empty, without rejections', () => {
    const r = loadIterations(path.join(ws, 'does', 'not', 'exist'), RUN);
    assert.deepEqual(r, { iterations: [], rejected: [] });
    assert.deepEqual(loadRunIterations(ws, RUN), { iterations: [], rejected: [] });
  });

  it('an empty folder loads as empty, without rejections', () => {
    fs.mkdirSync(iterDir(ws), { recursive: true });
    assert.deepEqual(loadIterations(iterDir(ws), RUN), { iterations: [], rejected: [] });
  });

  it('writes three records (creating the nested folders) and loads them in order', () => {
    // written out of order on purpose
    for (const i of [2, 3, 1]) writeIteration(ws, RUN, record(i));
    assert.ok(fs.existsSync(path.join(iterDir(ws), 'iter-1.json')));
    const r = loadRunIterations(ws, RUN);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1, 2, 3],
    );
    assert.deepEqual(
      r.iterations.map((i) => i.id),
      [1, 2, 3].map((i) => `${RUN}-iter-${i}`),
    );
  });

  it('a gap (1, 2, 4) keeps 1-2 and rejects 4 once, mentioning the gap', () => {
    for (const i of [1, 2, 4]) writeIteration(ws, RUN, record(i));
    const r = loadRunIterations(ws, RUN);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1, 2],
    );
    assert.equal(r.rejected.length, 1, r.rejected.join('\n'));
    assert.match(r.rejected[0]!, /gap/);
    assert.match(r.rejected[0]!, /iter-4\.json/);
  });

  it('everything after the first gap is rejected', () => {
    for (const i of [1, 3, 4]) writeIteration(ws, RUN, record(i));
    const r = loadRunIterations(ws, RUN);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1],
    );
    assert.equal(r.rejected.length, 2);
    assert.ok(r.rejected.some((x) => /iter-3\.json/.test(x) && /gap/.test(x)));
    assert.ok(r.rejected.some((x) => /iter-4\.json/.test(x)));
  });

  it('a record of a foreign run id is rejected (runID / id mismatch)', () => {
    writeIteration(ws, RUN, record(1));
    // iter-2.json in this run's folder, but claiming another run's id
    const dir = iterDir(ws);
    fs.writeFileSync(path.join(dir, 'iter-2.json'), JSON.stringify(record(2, '20250101T000000Z'), null, 2));
    const r = loadIterations(dir, RUN);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1],
    );
    assert.equal(r.rejected.length, 1);
    assert.match(r.rejected[0]!, /runID|id mismatch/);
  });

  it('loading with another run id rejects every record', () => {
    writeIteration(ws, RUN, record(1));
    const r = loadIterations(iterDir(ws), 'OTHERRUN');
    assert.deepEqual(r.iterations, []);
    assert.equal(r.rejected.length, 1);
    assert.match(r.rejected[0]!, /runID|id mismatch/);
  });

  it('an index mismatch (filename vs embedded) is rejected', () => {
    writeIteration(ws, RUN, record(1));
    fs.writeFileSync(path.join(iterDir(ws), 'iter-2.json'), JSON.stringify(record(3)));
    const r = loadRunIterations(ws, RUN);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1],
    );
    assert.match(r.rejected.join('\n'), /index mismatch/);
  });

  it('corrupt JSON is rejected with "parse" and loading continues', () => {
    for (const i of [1, 3]) writeIteration(ws, RUN, record(i));
    fs.writeFileSync(path.join(iterDir(ws), 'iter-2.json'), '{"id": "half a record", ');
    const r = loadRunIterations(ws, RUN);
    assert.ok(
      r.rejected.some((x) => /iter-2\.json/.test(x) && /parse/.test(x)),
      r.rejected.join('\n'),
    );
    // iter-1 precedes the hole and is kept; iter-3 was still read (and then rejected as after a gap)
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1],
    );
    assert.ok(
      r.rejected.some((x) => /iter-3\.json/.test(x)),
      'iter-3 was examined after the corrupt file',
    );
  });

  it('a record that does not match the schema is rejected with "parse"', () => {
    writeIteration(ws, RUN, record(1));
    fs.writeFileSync(path.join(iterDir(ws), 'iter-2.json'), JSON.stringify({ id: iterationId(RUN, 2), index: 2 }));
    const r = loadRunIterations(ws, RUN);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1],
    );
    assert.ok(
      r.rejected.some((x) => /iter-2\.json/.test(x) && /parse/.test(x)),
      r.rejected.join('\n'),
    );
  });

  it('temp files and other names in the folder are ignored', () => {
    writeIteration(ws, RUN, record(1));
    const dir = iterDir(ws);
    fs.writeFileSync(path.join(dir, '.iter-2.json.123.tmp'), '{partial');
    fs.writeFileSync(path.join(dir, 'iter-2.json.tmp'), '{partial');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    const r = loadIterations(dir, RUN);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(
      r.iterations.map((i) => i.index),
      [1],
    );
  });

  it('writes leave no temp files behind', () => {
    for (let i = 1; i <= 5; i++) writeIteration(ws, RUN, record(i));
    for (let i = 1; i <= 5; i++) writeIteration(ws, RUN, record(i, RUN, { status: 'degraded', degraded: [`rewrite ${i}`] }));
    const files = listAll(path.join(ws, '.agents'));
    assert.deepEqual(
      files.filter((f) => /\.tmp$|\.iter-/.test(path.basename(f))),
      [],
    );
    assert.deepEqual(fs.readdirSync(iterDir(ws)).sort(), [1, 2, 3, 4, 5].map((i) => `iter-${i}.json`).sort());
  });

  it('refuses to write a record that does not match the schema', () => {
    const bad = { ...record(1), status: 'exploded' } as unknown as IterationRecord;
    assert.throws(() => writeIteration(ws, RUN, bad));
    assert.equal(fs.existsSync(path.join(iterDir(ws), 'iter-1.json')), false);
  });

  it('every field round-trips', () => {
    const full = record(1, RUN, {
      status: 'halted-on-regression-post-commit',
      committed: true,
      ingest: { files_read: 3, note: 'text counter', flag: true },
      fitness_delta: -0.0125,
      metric_deltas: { uniqueness: -0.05, freshness: 0.025 },
      regressions: [{ name: 'uniqueness', previous: 0.9, current: 0.8, drop: 0.1, floor: 0.05 }],
      changes: [
        { path: 'learnings/a.md', kind: 'modified', reason: 'tempered maturity', before: 'overnight/runs/x/before/iter-1/learnings/a.md' },
        { path: 'learnings/b.md', kind: 'superseded', reason: 'merged into a', before: null, moved_to: 'learnings/.archive/b.md' },
        { path: 'learnings/c.md', kind: 'added', reason: 'mined — “unicode” ✓', before: null },
      ],
      degraded: ['post-commit metadata integrity: 1 stripped field(s)'],
      error: 'something went wrong',
    });
    writeIteration(ws, RUN, full);
    const r = loadRunIterations(ws, RUN);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(r.iterations[0], full);
  });

  it('a concurrent reader never sees a partial file over 20 writes', async function () {
    this.timeout(30000);
    writeIteration(ws, RUN, record(1));
    const file = path.join(iterDir(ws), 'iter-1.json');
    const stop = path.join(ws, 'stop');
    // a reader in another thread, reading as fast as it can
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const fs = require('node:fs');
      let reads = 0, bad = 0, missing = 0, firstBad = '';
      parentPort.postMessage({ ready: true });
      while (!fs.existsSync(workerData.stop)) {
        let text;
        try { text = fs.readFileSync(workerData.file, 'utf8'); } catch (e) { missing++; continue; }
        reads++;
        try { JSON.parse(text); } catch (e) { bad++; if (!firstBad) firstBad = text.slice(-80); }
      }
      parentPort.postMessage({ done: true, reads, bad, missing, firstBad });
    `;
    const worker = new Worker(code, { eval: true, workerData: { file, stop } });
    const result = await new Promise<{ reads: number; bad: number; missing: number; firstBad: string }>((resolve, reject) => {
      worker.on('error', reject);
      worker.on(
        'message',
        async (m: { ready?: boolean; done?: boolean; reads: number; bad: number; missing: number; firstBad: string }) => {
          if (m.ready) {
            // big records so that a non-atomic write would be visible half-written
            const big = Array.from({ length: 4000 }, (_, k) => `degraded line ${k} ${'x'.repeat(40)}`);
            for (let n = 0; n < 20; n++) {
              writeIteration(ws, RUN, record(1, RUN, { degraded: big.slice(0, 2000 + n * 100), duration_ms: n }));
              await new Promise((r) => setTimeout(r, 5));
            }
            fs.writeFileSync(stop, '');
          } else if (m.done) resolve(m);
        },
      );
    });
    await worker.terminate();
    assert.ok(result.reads > 20, `the reader read ${result.reads} times`);
    assert.equal(result.missing, 0, 'the file never vanished');
    assert.equal(result.bad, 0, `partial file seen: ...${result.firstBad}`);
    const r = loadRunIterations(ws, RUN);
    assert.equal(r.iterations[0]!.duration_ms, 19);
    assert.deepEqual(fs.readdirSync(iterDir(ws)), ['iter-1.json']);
  });
});
