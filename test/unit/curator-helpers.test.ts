// The curator's vscode-free helpers (src/lanes/curator): Ollama probe, diagnose, jobs, ledger
// events, the compaction plan, and promoting a draft by a person.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseNote } from '../../src/engine/corpus/note';
import {
  compactPlan,
  diagnose,
  modelInstalled,
  newEvent,
  newJob,
  probeOllama,
  listDrafts,
  promotedBytes,
  promotionTarget,
} from '../../src/lanes/curator';
import { makeWorkspace, rm, write } from './helpers/fixture';

describe('curator helpers', () => {
  let server: http.Server;
  let url: string;
  before(async () => {
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/version') res.end(JSON.stringify({ version: '0.9.1' }));
      else if (req.url === '/api/tags') res.end(JSON.stringify({ models: [{ name: 'gemma3:4b' }, { name: 'llama3:latest' }] }));
      else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('probes /api/version and /api/tags', async () => {
    const p = await probeOllama(url + '/');
    assert.deepEqual([p.reachable, p.version, p.models], [true, '0.9.1', ['gemma3:4b', 'llama3:latest']]);
    assert.ok(modelInstalled(p.models, 'llama3'));
    assert.ok(!modelInstalled(p.models, 'gemma4:e4b'));
    const d = diagnose({
      enabled: true,
      probe: p,
      probesTried: [p],
      model: 'gemma4:e4b',
      queueDepth: 0,
      pendingEvents: 0,
      hourlyCap: 20,
    });
    assert.equal(d.problems.length, 1);
    assert.match(d.lines[0]!, /gemma4:e4b is not installed.*gemma3:4b/);
  });

  it('says Ollama is not reachable, quickly', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const t0 = Date.now();
    const p = await probeOllama(`http://127.0.0.1:${port}`, 1500);
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(p.reachable, false);
    assert.ok(p.error);
    const d = diagnose({
      enabled: false,
      probe: null,
      probesTried: [p],
      model: 'gemma4:e4b',
      queueDepth: 0,
      pendingEvents: 0,
      hourlyCap: 20,
    });
    assert.match(d.lines.join('\n'), /disabled/);
    assert.match(
      d.lines.join('\n'),
      /Ollama not reachable at http:\/\/127\.0\.0\.1:\d+.*install Ollama or set dream\.localCurator\.ollamaUrl/,
    );
  });

  it('builds jobs and ledger events, and plans a compaction without writing', () => {
    const now = new Date('2026-11-23T03:00:00Z');
    const job = newJob('lint-wiki', now);
    assert.match(job.id, /^job-20261123T030000Z-[0-9a-f]{8}$/);
    assert.deepEqual({ ...job, id: '' }, { id: '', kind: 'lint-wiki', created_at: '2026-11-23T03:00:00.000Z', max_retries: 1 });
    const ev = newEvent({ source: 'vscode', severity: 'warn', desiredAction: 'review' }, now);
    assert.equal(ev.status, 'needs-review');
    assert.equal(ev.budget, 0);
    const old = '2026-09-01T00:00:00Z';
    const plan = compactPlan(
      [
        { line: 1, raw: { status: 'needs-review', created_at: old } },
        { line: 2, raw: { status: 'reviewed', created_at: old } },
        { line: 3, raw: { status: 'reviewed', created_at: '2026-11-22T00:00:00Z' } },
        { line: 4, raw: null },
      ],
      now,
    );
    assert.deepEqual([plan.total, plan.pendingReview, plan.wouldArchive.length, plan.unreadable], [4, 1, 1, 1]);
  });
});

describe('promote draft', () => {
  it('adds needs_review false, promoted_by human, promoted_at and keeps everything else', async () => {
    const ws = makeWorkspace();
    try {
      const draft =
        '---\ntitle: "Draft about pools"\nstatus: draft\nneeds_review: true\ningested_by: gemma\njob_id: job-1\ncustom_key: keep me\n---\n# Draft about pools\n\nBody stays.\n';
      write(ws, '.agents/knowledge/pending/pools.md', draft);
      write(ws, '.agents/knowledge/pending/broken.md', 'no frontmatter here\n');
      const drafts = await listDrafts(ws);
      const d = drafts.find((x) => x.name === 'pools.md')!;
      assert.deepEqual([d.title, d.status, d.needsReview, d.editable], ['Draft about pools', 'draft', true, true]);
      assert.equal(drafts.find((x) => x.name === 'broken.md')!.editable, false);
      const out = promotedBytes(d.rel, Buffer.from(draft), new Date('2026-11-23T08:00:00Z'));
      const n = parseNote('learnings/pools.md', out);
      assert.equal(n.fm.needs_review, false);
      assert.equal(n.fm.promoted_by, 'human');
      assert.equal(n.fm.promoted_at, '2026-11-23T08:00:00.000Z');
      assert.equal(n.fm.custom_key, 'keep me');
      assert.equal(n.fm.job_id, 'job-1');
      assert.ok(n.body.endsWith('Body stays.\n'));
      assert.throws(() => promotedBytes('knowledge/pending/broken.md', Buffer.from('no frontmatter here\n')), /cannot promote/);
      write(ws, '.agents/learnings/pools.md', 'taken');
      assert.equal(promotionTarget(ws, 'pools.md'), 'learnings/pools-2.md');
    } finally {
      rm(ws);
    }
  });
});
