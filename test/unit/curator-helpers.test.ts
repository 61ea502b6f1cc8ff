// The curator's vscode-free pieces (src/lanes/curator): probes and resolution through the `ollama`
// client against a loopback server, status and diagnose, jobs, ledger events, compaction, and a
// person promoting a draft.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNote } from '../../src/engine/corpus/note';
import { defaultSettings, type DreamSettings } from '../../src/engine/run/settings';
import {
  appendEvent,
  compactLedger,
  compactPlan,
  curatorStatus,
  diagnoseLines,
  enqueueJob,
  EVENTS_FILE,
  ARCHIVE_FILE,
  listDrafts,
  modelInstalled,
  newEvent,
  newJob,
  nextSession,
  parseDays,
  probeOllama,
  promoteDraft,
  promotedBytes,
  promotionTarget,
  readLedger,
  resolveCurator,
  sessionNotes,
} from '../../src/lanes/curator';
import { closedPort, startFakeOllama, type FakeOllama } from './helpers/fakeOllama';
import { makeWorkspace, rm, tmpDir, write } from './helpers/fixture';

const lcWith = (patch: Partial<DreamSettings['localCurator']>): DreamSettings['localCurator'] => ({
  ...defaultSettings().localCurator,
  ...patch,
});

describe('curator helpers', function () {
  this.timeout(20000);

  describe('probes and resolution (through the ollama client)', () => {
    let fake: FakeOllama;
    beforeEach(async () => (fake = await startFakeOllama({ models: ['gemma3:4b', 'llama3:latest'] })));
    afterEach(() => fake.close());

    it('probes /api/version and /api/tags', async () => {
      const p = await probeOllama(fake.url + '/');
      assert.deepEqual([p.reachable, p.version, p.models, p.error], [true, '0.12.3', ['gemma3:4b', 'llama3:latest'], null]);
      assert.deepEqual(
        fake.log.map((l) => `${l.method} ${l.path}`),
        ['GET /api/version', 'GET /api/tags'],
      );
      assert.ok(modelInstalled(p.models, 'llama3'));
      assert.ok(!modelInstalled(p.models, 'gemma4:e4b'));
    });

    it('says "connection refused" quickly when nothing listens', async () => {
      const port = await closedPort();
      const t0 = Date.now();
      const p = await probeOllama(`http://127.0.0.1:${port}`, { timeoutMs: 1500 });
      assert.ok(Date.now() - t0 < 1500);
      assert.deepEqual([p.reachable, p.error], [false, 'connection refused']);
    });

    it('is bounded (a server that does not answer) and cancellable', async () => {
      fake.probeDelayMs = 5000;
      let t0 = Date.now();
      const p = await probeOllama(fake.url, { timeoutMs: 300 });
      assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
      assert.deepEqual([p.reachable, p.error], [false, 'no answer within 300 ms']);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      t0 = Date.now();
      const q = await probeOllama(fake.url, { timeoutMs: 5000, signal: ac.signal });
      assert.ok(Date.now() - t0 < 1500);
      assert.deepEqual([q.reachable, q.error], [false, 'cancelled']);
    });

    it('resolves the model: the setting when it is not the default, else the first installed candidate', async () => {
      let r = await resolveCurator(lcWith({ ollamaUrl: fake.url }), { timeoutMs: 1000 });
      assert.deepEqual([r.url, r.model, r.modelInstalled], [fake.url, 'gemma3:4b', true]);
      r = await resolveCurator(lcWith({ ollamaUrl: fake.url, model: 'llama3' }), { timeoutMs: 1000 });
      assert.deepEqual([r.model, r.modelInstalled, r.modelFromSettings], ['llama3', true, true]);
      fake.models = [];
      r = await resolveCurator(lcWith({ ollamaUrl: fake.url }), { timeoutMs: 1000 });
      assert.deepEqual([r.model, r.modelInstalled], ['gemma4:e4b', false]);
    });
  });

  describe('status and diagnose', () => {
    let ws: string;
    beforeEach(() => (ws = makeWorkspace()));
    afterEach(() => rm(ws));

    it('without Ollama on PATH and nothing listening: says exactly what to install and run', async () => {
      const port = await closedPort();
      const s = defaultSettings();
      s.localCurator = lcWith({ enabled: true, ollamaUrl: `http://127.0.0.1:${port}` });
      const st = await curatorStatus(ws, s, { env: { PATH: tmpDir() } });
      assert.equal(st.available, false);
      assert.equal(st.runners.ollama!.available, false);
      assert.deepEqual(diagnoseLines(st.diagnostics), [
        `Ollama is not installed (no \`ollama\` on PATH) and nothing answers at http://127.0.0.1:${port}: install it from https://ollama.com/download, then run \`ollama serve\` and \`ollama pull gemma4:e4b\``,
      ]);
    });

    it('with ollama on PATH but not running: start it with `ollama serve`; model missing: pull it; ready', async () => {
      const bin = tmpDir();
      write(bin, 'ollama', '#!/bin/sh\nexit 0\n');
      fs.chmodSync(path.join(bin, 'ollama'), 0o755);
      const port = await closedPort();
      const s = defaultSettings();
      s.localCurator = lcWith({ enabled: true, ollamaUrl: `http://127.0.0.1:${port}` });
      let st = await curatorStatus(ws, s, { env: { PATH: bin } });
      assert.deepEqual(diagnoseLines(st.diagnostics), [
        `Ollama is not reachable at http://127.0.0.1:${port}: start it with \`ollama serve\``,
      ]);
      const fake = await startFakeOllama({ models: ['llama3:latest'] });
      try {
        s.localCurator.ollamaUrl = fake.url;
        st = await curatorStatus(ws, s, { env: { PATH: bin } });
        assert.deepEqual(diagnoseLines(st.diagnostics), ['model gemma4:e4b is not installed: `ollama pull gemma4:e4b`']);
        assert.equal(st.diagnostics[0]!.command, 'ollama pull gemma4:e4b');
        fake.models.push('gemma4:e4b');
        enqueueJob(ws, { kind: 'dream-seed', allowed: ['dream-seed'] });
        appendEvent(ws, newEvent({ source: 'me', severity: 'warn', desiredAction: 'look' }));
        st = await curatorStatus(ws, s, { env: { PATH: bin } });
        assert.deepEqual(diagnoseLines(st.diagnostics), ['ready']);
        assert.equal(st.available, true);
        assert.deepEqual([st.queue.queued, st.pending_events, st.ollama.version, st.cap.remaining], [1, 1, '0.12.3', 20]);
      } finally {
        await fake.close();
        rm(bin);
      }
    });
  });

  describe('jobs, events, compaction', () => {
    let ws: string;
    beforeEach(() => (ws = makeWorkspace()));
    afterEach(() => rm(ws));

    it('enqueue checks the kind against the allowlist and the source', () => {
      const now = new Date('2026-11-23T03:00:00Z');
      const job = newJob('lint-wiki', now);
      assert.match(job.id, /^job-20261123T030000Z-lint-wiki-[0-9a-f]{8}$/);
      const all = ['ingest-session', 'lint-wiki', 'dream-seed'];
      const { job: j, path: p } = enqueueJob(ws, { kind: 'ingest-session', source: '.agents/sessions/2026-11-21-s.md', allowed: all });
      assert.equal(JSON.parse(fs.readFileSync(p, 'utf8')).source, '.agents/sessions/2026-11-21-s.md');
      assert.equal(j.max_retries, 1);
      assert.throws(() => enqueueJob(ws, { kind: 'bake-bread', allowed: all }), /job kind "bake-bread" is not a curator job kind/);
      assert.throws(
        () => enqueueJob(ws, { kind: 'lint-wiki', allowed: ['dream-seed'] }),
        /"lint-wiki" is not in dream\.localCurator\.allowedJobKinds/,
      );
      assert.throws(() => enqueueJob(ws, { kind: 'ingest-session', source: 'nope.md', allowed: all }), /--source "nope.md" does not exist/);
      assert.throws(() => enqueueJob(ws, { kind: 'ingest-session', source: '.agents', allowed: all }), /is not a file/);
    });

    it('session notes newest first; the next one to ingest skips what was ingested', () => {
      write(ws, '.agents/sessions/older.md', '# older\n');
      write(ws, '.agents/ao/sessions/newest.md', '# newest\n');
      const t = Date.now() / 1000;
      fs.utimesSync(path.join(ws, '.agents/sessions/older.md'), t - 7200, t - 7200);
      fs.utimesSync(path.join(ws, '.agents/sessions/2026-11-21-s.md'), t - 3600, t - 3600);
      assert.deepEqual(
        sessionNotes(ws).map((n) => n.rel),
        ['.agents/ao/sessions/newest.md', '.agents/sessions/2026-11-21-s.md', '.agents/sessions/older.md'],
      );
      assert.equal(nextSession(ws, ['.agents/ao/sessions/newest.md']), '.agents/sessions/2026-11-21-s.md');
    });

    it('events: validated; no escalation target without budget', () => {
      const now = new Date('2026-11-23T03:00:00Z');
      const ev = newEvent({ source: 'vscode', severity: 'warn', desiredAction: 'review' }, now);
      assert.deepEqual([ev.status, ev.budget, ev.escalation_target], ['needs-review', 0, null]);
      const esc = newEvent({ source: 'ci', severity: 'high', desiredAction: 'ask the council', budget: 2 }, now);
      assert.deepEqual([esc.budget, esc.escalation_target], [2, 'dream-council']);
      assert.throws(
        () => newEvent({ source: 'x', severity: 'urgent', desiredAction: 'y' }),
        /severity "urgent" is not one of info, warn, high, critical/,
      );
      assert.throws(() => newEvent({ source: 'x', severity: 'info', desiredAction: ' ' }), /--desired-action is empty/);
      assert.throws(() => newEvent({ source: 'x', severity: 'info', desiredAction: 'y', budget: -1 }), /--budget/);
    });

    it('compaction: a dry run changes nothing; apply archives reviewed old entries atomically and says so', () => {
      const now = new Date('2026-11-23T03:00:00Z');
      const old = '2026-09-01T00:00:00.000Z';
      const lines = [
        { id: 'a', status: 'needs-review', created_at: old },
        { id: 'b', status: 'reviewed', created_at: old },
        { id: 'c', status: 'reviewed', created_at: '2026-11-22T00:00:00.000Z' },
      ].map((o) => JSON.stringify(o));
      write(ws, `.agents/${EVENTS_FILE}`, [...lines, '{broken'].join('\n') + '\n');
      const before = fs.readFileSync(path.join(ws, '.agents', EVENTS_FILE), 'utf8');
      const plan = compactPlan(readLedger(ws), now);
      assert.deepEqual([plan.total, plan.pendingReview, plan.wouldArchive.length, plan.unreadable], [4, 1, 1, 1]);
      const dry = compactLedger(ws, { apply: false, olderThanDays: 30, now });
      assert.match(dry.message, /^dry run: would move 1 reviewed entry older than 30 days/);
      assert.equal(fs.readFileSync(path.join(ws, '.agents', EVENTS_FILE), 'utf8'), before);
      const done = compactLedger(ws, { apply: true, olderThanDays: 30, now });
      assert.match(done.message, /^moved 1 reviewed entry older than 30 days .* 3 kept \(1 awaiting review, 1 unreadable/);
      assert.equal(fs.readFileSync(path.join(ws, '.agents', ARCHIVE_FILE), 'utf8'), lines[1] + '\n');
      assert.equal(fs.readFileSync(path.join(ws, '.agents', EVENTS_FILE), 'utf8'), [lines[0], lines[2], '{broken'].join('\n') + '\n');
      // never under a live run (it may be appending an escalation)
      write(ws, '.agents/overnight/run.lock', `${process.ppid}\n2026-11-23T02:00:00Z\nhost\nrun-x\n`);
      const ledgerNow = fs.readFileSync(path.join(ws, '.agents', EVENTS_FILE), 'utf8');
      assert.throws(() => compactLedger(ws, { apply: true, olderThanDays: 0, now }), /a bedtime run is in progress \(pid \d+\)/);
      assert.equal(fs.readFileSync(path.join(ws, '.agents', EVENTS_FILE), 'utf8'), ledgerNow);
      fs.rmSync(path.join(ws, '.agents/overnight/run.lock'));
      const again = compactLedger(ws, { apply: true, olderThanDays: 30, now });
      assert.equal(again.applied, false);
      assert.match(again.message, /^nothing to compact/);
      assert.equal(parseDays('30d'), 30);
      assert.equal(parseDays('2w'), 14);
      assert.throws(() => parseDays('soon'), /--older-than "soon"/);
    });
  });

  describe('promote draft', () => {
    const draft =
      '---\ntitle: "Draft about pools"\nstatus: draft\nneeds_review: true\ningested_by: gemma\njob_id: job-1\ncustom_key: keep me\n---\n# Draft about pools\n\nBody stays.\n';

    it('adds needs_review false, promoted_by human, promoted_at and keeps everything else', async () => {
      const ws = makeWorkspace();
      try {
        write(ws, '.agents/knowledge/pending/pools.md', draft);
        write(ws, '.agents/knowledge/pending/broken.md', 'no frontmatter here\n');
        const drafts = await listDrafts(ws);
        const d = drafts.find((x) => x.name === 'pools.md')!;
        assert.deepEqual([d.title, d.status, d.needsReview, d.editable], ['Draft about pools', 'draft', true, true]);
        assert.equal(drafts.find((x) => x.name === 'broken.md')!.editable, false);
        const out = promotedBytes(d.rel, Buffer.from(draft), new Date('2026-11-23T08:00:00Z'));
        const n = parseNote('learnings/pools.md', out);
        assert.deepEqual(
          [n.fm.needs_review, n.fm.promoted_by, n.fm.promoted_at, n.fm.custom_key, n.fm.job_id],
          [false, 'human', '2026-11-23T08:00:00.000Z', 'keep me', 'job-1'],
        );
        assert.ok(n.body.endsWith('Body stays.\n'));
        assert.throws(() => promotedBytes('knowledge/pending/broken.md', Buffer.from('no frontmatter here\n')), /cannot promote/);
        write(ws, '.agents/learnings/pools.md', 'taken');
        assert.equal(promotionTarget(ws, 'pools.md'), 'learnings/pools-2.md');
      } finally {
        rm(ws);
      }
    });

    it('moves exactly one file with provenance; refused in an untrusted workspace and for anything not a draft', () => {
      const ws = makeWorkspace();
      try {
        write(ws, '.agents/knowledge/pending/pools.md', draft);
        write(ws, '.agents/knowledge/pending/other.md', draft);
        const list = (d: string) => fs.readdirSync(path.join(ws, '.agents', d)).sort();
        const pendingBefore = list('knowledge/pending');
        const learnBefore = list('learnings');
        assert.throws(() => promoteDraft(ws, 'pools.md', { trusted: false }), /disabled in an untrusted workspace/);
        assert.deepEqual(list('knowledge/pending'), pendingBefore);
        assert.throws(() => promoteDraft(ws, '.agents/learnings/l-1.md', { trusted: true }), /is not a draft/);
        assert.throws(() => promoteDraft(ws, 'missing.md', { trusted: true }), /no draft at \.agents\/knowledge\/pending\/missing\.md/);
        const p = promoteDraft(ws, '.agents/knowledge/pending/pools.md', { trusted: true, now: new Date('2026-11-23T08:00:00Z') });
        assert.deepEqual([p.from, p.to, p.title], ['knowledge/pending/pools.md', 'learnings/pools.md', 'Draft about pools']);
        assert.deepEqual(list('knowledge/pending'), ['other.md']);
        assert.deepEqual(list('learnings'), [...learnBefore, 'pools.md'].sort());
        const n = parseNote('learnings/pools.md', fs.readFileSync(path.join(ws, '.agents/learnings/pools.md')));
        assert.deepEqual(
          [n.fm.promoted_by, n.fm.promoted_from, n.fm.needs_review, n.fm.job_id],
          ['human', '.agents/knowledge/pending/pools.md', false, 'job-1'],
        );
      } finally {
        rm(ws);
      }
    });
  });
});
