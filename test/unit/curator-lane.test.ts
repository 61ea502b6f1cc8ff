// The curator lane against a loopback server speaking the Ollama API: jobs through the queue, drafts
// in knowledge/pending/, bad replies, timeouts, cancellation, the hourly cap, crash recovery,
// escalation only with budget, and no secret in any request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { blankSummary } from '../../src/engine/report/blank';
import { parseNote } from '../../src/engine/corpus/note';
import { defaultSettings, type DreamSettings } from '../../src/engine/run/settings';
import type { LaneContext, LaneResult } from '../../src/engine/run/lanes';
import {
  DONE_DIR,
  enqueueJob,
  EVENTS_FILE,
  FAILED_DIR,
  listJobs,
  moveJob,
  PROCESSING_DIR,
  QUEUE_DIR,
  readLedger,
  readState,
  RESULTS_DIR,
  runCurator,
  STATE_FILE,
  type CuratorLaneOptions,
} from '../../src/lanes/curator';
import { CorpusWriter } from '../../src/engine/commit/writer';
import { closedPort, startFakeOllama, type FakeOllama } from './helpers/fakeOllama';
import { makeWorkspace, rm, write } from './helpers/fixture';

const INGEST_OK = JSON.stringify({
  learnings: [
    {
      title: 'Close the db pool before exit',
      statement: 'Close the database pool before the process exits, or tests hang.',
      type: 'learning',
      confidence: 'high',
    },
    {
      title: 'Never retry 429 in a tight loop',
      statement: 'Retry 429 responses with jitter; a tight loop makes the rate limit worse.',
      type: 'anti-pattern',
      confidence: 'medium',
    },
  ],
  escalate: null,
});

function settingsFor(url: string, patch: Partial<DreamSettings['localCurator']> = {}): DreamSettings {
  const s = defaultSettings();
  s.localCurator = { ...s.localCurator, enabled: true, ollamaUrl: url, ...patch };
  return s;
}

function ctxFor(ws: string, settings: DreamSettings, extra: Partial<LaneContext> = {}): LaneContext {
  const summary = blankSummary('run-test', ws, path.join(ws, '.agents/overnight/runs/run-test'));
  return {
    workspace: ws,
    runId: 'run-test',
    settings,
    summary,
    trusted: true,
    deadline: Date.now() + 60_000,
    now: () => new Date(),
    log: () => {},
    ...extra,
  };
}

const pendingDrafts = (ws: string) =>
  fs.existsSync(path.join(ws, '.agents/knowledge/pending')) ? fs.readdirSync(path.join(ws, '.agents/knowledge/pending')).sort() : [];
const learningsFiles = (ws: string) => fs.readdirSync(path.join(ws, '.agents/learnings')).sort();

describe('curator lane (loopback Ollama)', function () {
  this.timeout(30000);
  let ws: string;
  let fake: FakeOllama;
  const run = (settings: DreamSettings, opts: CuratorLaneOptions = {}, extra: Partial<LaneContext> = {}): Promise<LaneResult> =>
    runCurator(ctxFor(ws, settings, extra), { probeTimeoutMs: 1000, ...opts });
  const enqueue = (kind: string, source?: string, budget?: number) =>
    enqueueJob(ws, { kind, source, budget, allowed: ['ingest-session', 'lint-wiki', 'dream-seed'] }).job;

  beforeEach(async () => {
    ws = makeWorkspace();
    fake = await startFakeOllama();
  });
  afterEach(async () => {
    await fake.close();
    rm(ws);
  });

  it('ingest-session: streams a JSON reply shaped by the schema into drafts marked for review; never promotes', async () => {
    fake.replies.push(INGEST_OK);
    const job = enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const before = learningsFiles(ws);
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 1);
    const call = fake.chats[0]!;
    assert.equal(call.stream, true);
    assert.equal(call.model, 'gemma4:e4b');
    const format = call.format as { type: string; properties: Record<string, unknown> };
    assert.equal(format.type, 'object');
    assert.ok(format.properties.learnings, 'format carries the JSON schema of the reply');
    assert.match(call.messages[1]!.content, /Close the db pool before the process exits/);
    const drafts = pendingDrafts(ws);
    assert.equal(drafts.length, 2);
    for (const d of drafts) {
      assert.ok(d.startsWith(job.id));
      const n = parseNote(`knowledge/pending/${d}`, fs.readFileSync(path.join(ws, '.agents/knowledge/pending', d)));
      assert.equal(n.fm.status, 'draft');
      assert.equal(n.fm.needs_review, true);
      assert.equal(n.fm.ingested_by, 'dream-curator');
      assert.equal(n.fm.job_id, job.id);
      assert.equal(n.fm.source_kind, 'ingest-session');
      assert.equal(n.fm.model, 'gemma4:e4b');
      assert.equal(n.fm.source, '.agents/sessions/2026-11-21-s.md');
    }
    assert.deepEqual(learningsFiles(ws), before, 'a run never promotes a draft');
    assert.equal(listJobs(ws, QUEUE_DIR).length, 0);
    const done = listJobs(ws, DONE_DIR);
    assert.equal(done.length, 1);
    assert.equal(done[0]!.job!.drafts!.length, 2);
    const c = r.summary!.curator!;
    assert.equal(c.status, 'done');
    assert.equal(c.jobs_processed, 1);
    assert.equal(c.drafts!.length, 2);
    assert.deepEqual(c.cap, { hourly_cap: 20, used_this_hour: 1, remaining: 19 });
    assert.deepEqual(r.degraded, []);
    assert.equal(r.steps[0]!.status, 'done');
    assert.deepEqual(readState(ws).ingested, ['.agents/sessions/2026-11-21-s.md']);
  });

  it('unreachable Ollama: leaves the queue alone with one plain degraded line', async () => {
    const port = await closedPort();
    enqueue('dream-seed');
    const r = await run(settingsFor(`http://127.0.0.1:${port}`));
    assert.equal(r.degraded.length, 1);
    assert.match(
      r.degraded[0]!,
      new RegExp(`^local curator: Ollama not reachable at http://127\\.0\\.0\\.1:${port} \\(connection refused\\); 1 job stays queued$`),
    );
    assert.equal(r.steps[0]!.status, 'skipped');
    assert.equal(r.summary!.curator!.status, 'unavailable');
    assert.equal(listJobs(ws, QUEUE_DIR).length, 1);
  });

  it('model missing: says which and how to pull it, runs nothing', async () => {
    fake.models = ['llama3:latest'];
    enqueue('dream-seed');
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 0);
    assert.equal(r.degraded.length, 1);
    assert.equal(r.degraded[0], 'local curator: model gemma4:e4b is not installed (`ollama pull gemma4:e4b`); 1 job stays queued');
    assert.equal(listJobs(ws, QUEUE_DIR).length, 1);
  });

  it('falls back to the first installed of gemma4:latest, gemma3:4b', async () => {
    fake.models = ['gemma3:4b', 'llama3:latest'];
    fake.replies.push('{"ideas":[]}');
    enqueue('dream-seed');
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats[0]!.model, 'gemma3:4b');
    assert.equal(r.summary!.curator!.model, 'gemma3:4b');
  });

  it('slow reply: the job fails with a timeout reason after the per-job limit', async () => {
    fake.replies.push({ text: INGEST_OK, delayMs: 3000 });
    enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const t0 = Date.now();
    const r = await run(settingsFor(fake.url), { jobTimeoutMs: 600 });
    assert.ok(Date.now() - t0 < 2500, `gave up in ${Date.now() - t0} ms`);
    assert.equal(listJobs(ws, FAILED_DIR).length, 1);
    assert.match(r.summary!.curator!.failures![0]!.reason, /no complete reply within/);
    assert.match(r.degraded.join('\n'), /^local curator: ingest-session job failed: no complete reply within 600 ms$/m);
    assert.deepEqual(pendingDrafts(ws), []);
  });

  it('malformed JSON: asked once more, then failed with the reason', async () => {
    fake.replies.push('this is not json', '{"learnings": [oops');
    enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 2);
    assert.match(r.summary!.curator!.failures![0]!.reason, /not JSON.*twice/);
    assert.equal(r.steps[0]!.status, 'soft-fail');
  });

  it('schema-mismatched JSON: retried once; a good second reply is used', async () => {
    fake.replies.push('{"learnings":[{"title":"x"}]}', INGEST_OK);
    enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 2);
    assert.equal(r.summary!.curator!.status, 'done');
    assert.equal(pendingDrafts(ws).length, 2);
  });

  it('schema-mismatched JSON twice: failed with the field that did not match', async () => {
    fake.replies.push('{"learnings":"many"}', '{"learnings":[{"title":"x"}]}');
    enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 2);
    assert.match(r.summary!.curator!.failures![0]!.reason, /did not match the schema \(learnings.*twice/);
    assert.equal(listJobs(ws, FAILED_DIR).length, 1);
    assert.deepEqual(pendingDrafts(ws), []);
  });

  it('cancellation mid-stream: the reply is abandoned, the job goes back to the queue, nothing written', async () => {
    fake.replies.push({ text: INGEST_OK, stall: true });
    enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const ac = new AbortController();
    const t = setInterval(() => {
      if (fake.chats.length) {
        clearInterval(t);
        setTimeout(() => ac.abort(), 100);
      }
    }, 10);
    const t0 = Date.now();
    const r = await run(settingsFor(fake.url), { jobTimeoutMs: 20000 }, { signal: ac.signal });
    clearInterval(t);
    assert.ok(Date.now() - t0 < 5000);
    const q = listJobs(ws, QUEUE_DIR);
    assert.equal(q.length, 1);
    assert.equal(q[0]!.job!.attempts, 0, 'a stopped run does not use up the retry');
    assert.deepEqual(pendingDrafts(ws), []);
    assert.equal(r.summary!.curator!.jobs![0]!.status, 'requeued');
  });

  it('hourly cap: persisted across runs; the jobs over it stay queued', async () => {
    for (let i = 0; i < 3; i++) enqueue('dream-seed');
    fake.fallback = () => '{"ideas":[]}';
    const s = settingsFor(fake.url, { hourlyCap: 2 });
    const r1 = await run(s);
    assert.equal(fake.chats.length, 2);
    assert.equal(listJobs(ws, QUEUE_DIR).length, 1);
    assert.match(r1.summary!.curator!.note!, /hourly cap reached \(2\/2 jobs in the last hour\); 1 job stay/);
    assert.deepEqual(r1.summary!.curator!.cap, { hourly_cap: 2, used_this_hour: 2, remaining: 0 });
    // a second run in the same hour shares the cap
    const r2 = await run(s);
    assert.equal(fake.chats.length, 2);
    assert.equal(r2.summary!.curator!.jobs_processed, 0);
    assert.equal(listJobs(ws, QUEUE_DIR).length, 1);
    // an hour later the cap has room again
    const later = new Date(Date.now() + 3_700_000);
    await run(s, {}, { now: () => later });
    assert.equal(fake.chats.length, 3);
    assert.equal(listJobs(ws, QUEUE_DIR).length, 0);
    assert.ok(fs.existsSync(path.join(ws, '.agents', STATE_FILE)));
  });

  it('a crash between processing and done: retried once at the next run, never duplicated as drafts', async () => {
    const job = enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    const w = new CorpusWriter(ws);
    // as a run leaves it when killed while waiting for the model
    moveJob(w, `${QUEUE_DIR}/${job.id}.json`, PROCESSING_DIR, { ...job, attempts: 1, started_at: new Date().toISOString() });
    fake.replies.push(INGEST_OK);
    await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 1, 'retried once');
    assert.equal(pendingDrafts(ws).length, 2);
    assert.equal(listJobs(ws, DONE_DIR).length, 1);
    assert.equal(listJobs(ws, PROCESSING_DIR).length, 0);
    await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 1, 'a done job is never run again');
    assert.equal(pendingDrafts(ws).length, 2);
  });

  it('a job interrupted twice is failed, not retried forever', async () => {
    const job = enqueue('dream-seed');
    moveJob(new CorpusWriter(ws), `${QUEUE_DIR}/${job.id}.json`, PROCESSING_DIR, { ...job, attempts: 2 });
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 0);
    assert.equal(listJobs(ws, FAILED_DIR).length, 1);
    assert.match(r.degraded.join('\n'), /interrupted 2 times while processing; not tried again/);
  });

  it('a crash after the reply was recorded: the same drafts land without asking the model again', async () => {
    fake.replies.push(INGEST_OK);
    const job = enqueue('ingest-session', '.agents/sessions/2026-11-21-s.md');
    await run(settingsFor(fake.url));
    const names = pendingDrafts(ws);
    const bytes = names.map((n) => fs.readFileSync(path.join(ws, '.agents/knowledge/pending', n), 'utf8'));
    // rebuild the state a crash right after the write-ahead result leaves: result present, job in processing, one draft landed
    const done = listJobs(ws, DONE_DIR)[0]!;
    const w = new CorpusWriter(ws);
    w.write(
      `${RESULTS_DIR}/${job.id}.json`,
      JSON.stringify({
        job_id: job.id,
        drafts: names.map((n, i) => ({ rel: `knowledge/pending/${n}`, content: bytes[i] })),
        event: null,
        note: '',
        memo: { ingested: '.agents/sessions/2026-11-21-s.md' },
      }),
    );
    moveJob(w, done.rel, PROCESSING_DIR, { ...done.job!, outcome: undefined });
    w.removeFile(`knowledge/pending/${names[1]}`);
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 1, 'no second model call');
    assert.deepEqual(pendingDrafts(ws), names);
    assert.equal(fs.readFileSync(path.join(ws, '.agents/knowledge/pending', names[1]!), 'utf8'), bytes[1]);
    assert.equal(r.summary!.curator!.jobs![0]!.reason, 'landed after an interruption');
    assert.ok(!fs.existsSync(path.join(ws, '.agents', RESULTS_DIR, `${job.id}.json`)));
    // a result left behind by a crash after the job reached done/ is dropped, not landed again
    write(ws, `.agents/${RESULTS_DIR}/${job.id}.json`, '{}');
    await run(settingsFor(fake.url));
    assert.ok(!fs.existsSync(path.join(ws, '.agents', RESULTS_DIR, `${job.id}.json`)));
    assert.deepEqual(pendingDrafts(ws), names);
  });

  it('a curator reply asking for escalation without budget does nothing; with budget it is recorded once, with one less', async () => {
    const wish = JSON.stringify({ ideas: [], escalate: { reason: 'auth notes contradict each other', severity: 'high' } });
    fake.replies.push(wish);
    enqueue('dream-seed');
    const r1 = await run(settingsFor(fake.url));
    assert.deepEqual(readLedger(ws), [], 'no ledger entry without budget');
    assert.match(r1.summary!.curator!.jobs![0]!.escalation!, /no escalation budget: nothing escalated/);
    assert.equal(fake.chats.length, 1, 'no further model call');
    fake.replies.push(wish);
    const job = enqueue('dream-seed', undefined, 2);
    await run(settingsFor(fake.url));
    const ledger = readLedger(ws);
    assert.equal(ledger.length, 1);
    assert.deepEqual(
      [ledger[0]!.raw!.source, ledger[0]!.raw!.severity, ledger[0]!.raw!.escalation_target, ledger[0]!.raw!.budget, ledger[0]!.raw!.status],
      [`curator:${job.id}`, 'high', 'dream-council', 1, 'needs-review'],
    );
    assert.equal(fake.chats.length, 2, 'the escalation is a record, not another model call');
    assert.ok(fs.existsSync(path.join(ws, '.agents', EVENTS_FILE)));
  });

  it('lint-wiki: sends a small batch chosen by the index (not the corpus) and records findings as drafts', async () => {
    // a few related learnings and an index over them
    const notes = [
      ['learnings/auth-a.md', 'Rotate auth tokens daily', 'auth token rotation daily schedule'],
      ['learnings/auth-b.md', 'Rotate auth tokens weekly', 'auth token rotation weekly schedule'],
      ['learnings/db.md', 'Close the db pool', 'database pool shutdown'],
    ];
    for (const [p, t, sum] of notes) write(ws, `.agents/${p}`, `---\ntitle: ${t}\n---\n# ${t}\n\n${sum}.\n`);
    const index = [
      ...notes,
      ...Array.from({ length: 30 }, (_, i) => [`learnings/filler-${i}.md`, `Filler ${i} about cooking pasta`, 'pasta water salt']),
    ]
      .map(([p, t, sum]) => JSON.stringify({ id: p, path: p, title: t, tags: [], maturity: 'provisional', hash: 'h', summary: sum }))
      .join('\n');
    write(ws, '.agents/index.jsonl', index + '\n');
    fake.replies.push(
      JSON.stringify({
        findings: [
          {
            kind: 'contradiction',
            title: 'Token rotation: daily or weekly?',
            detail: 'auth-a says daily, auth-b says weekly.',
            notes: ['learnings/auth-a.md', '.agents/learnings/auth-b.md', 'learnings/invented.md'],
            suggestion: 'Pick one.',
          },
          {
            kind: 'duplicate',
            title: 'About a note that was not sent',
            detail: 'This cites nothing from the batch.',
            notes: ['learnings/nowhere.md'],
            suggestion: '',
          },
        ],
      }),
    );
    const job = enqueueJob(ws, { kind: 'lint-wiki', source: '.agents/learnings/auth-a.md', allowed: ['lint-wiki'] }).job;
    const r = await run(settingsFor(fake.url));
    const prompt = fake.chats[0]!.messages[1]!.content;
    assert.match(prompt, /## learnings\/auth-a\.md/);
    assert.match(prompt, /## learnings\/auth-b\.md/);
    assert.ok((prompt.match(/^## learnings\//gm) ?? []).length <= 5, 'a small batch');
    assert.doesNotMatch(prompt, /pasta/, 'unrelated notes are not sent');
    const drafts = pendingDrafts(ws);
    assert.equal(drafts.length, 1, 'a finding citing nothing from the batch is dropped');
    const n = parseNote('x', fs.readFileSync(path.join(ws, '.agents/knowledge/pending', drafts[0]!)));
    assert.equal(n.fm.type, 'finding');
    assert.equal(n.fm.source_kind, 'lint-wiki');
    assert.equal(n.fm.job_id, job.id);
    assert.deepEqual(n.fm.related, ['.agents/learnings/auth-a.md', '.agents/learnings/auth-b.md']);
    assert.equal(readState(ws).lint_cursor, 'learnings/auth-a.md');
    assert.equal(r.summary!.curator!.status, 'done');
  });

  it('dream-seed: reads tonight’s summary and queue', async () => {
    fake.replies.push(
      JSON.stringify({ ideas: [{ title: 'Merge the auth notes', why: 'Two notes disagree about rotation.', first_step: 'Read both.' }] }),
    );
    enqueue('dream-seed');
    await run(settingsFor(fake.url));
    assert.match(fake.chats[0]!.messages[1]!.content, /Pinned for tonight: Consolidate the auth notes/);
    const d = pendingDrafts(ws);
    assert.equal(d.length, 1);
    assert.match(fs.readFileSync(path.join(ws, '.agents/knowledge/pending', d[0]!), 'utf8'), /type: idea[\s\S]*First step: Read both\./);
  });

  it('secrets planted in a session note never reach the server', async () => {
    const secrets = {
      aws: 'AKIAIOSFODNN7EXAMPLE',
      awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      github: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      openai: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
      anthropic: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789',
      key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
    };
    write(
      ws,
      '.agents/sessions/leaky.md',
      `# Leaky session\n\n## Learnings\n- The deploy used AWS key ${secrets.aws} with aws_secret_access_key = ${secrets.awsSecret}\n` +
        `- GitHub token ${secrets.github} and OpenAI ${secrets.openai}\n- Anthropic: ${secrets.anthropic}\n\n` +
        `-----BEGIN RSA PRIVATE KEY-----\n${secrets.key}\n-----END RSA PRIVATE KEY-----\n`,
    );
    fake.replies.push(INGEST_OK);
    enqueue('ingest-session', '.agents/sessions/leaky.md');
    await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 1);
    const sent = fake.log.map((l) => l.body).join('\n');
    assert.match(sent, /Leaky session/, 'the note itself was sent');
    for (const [k, v] of Object.entries(secrets)) assert.ok(!sent.includes(v), `${k} leaked`);
    assert.ok(!sent.includes('BEGIN RSA PRIVATE KEY'));
  });

  it('disabled, untrusted, or a job kind no longer allowed: nothing runs', async () => {
    enqueue('dream-seed');
    const off = await run({ ...settingsFor(fake.url), localCurator: { ...settingsFor(fake.url).localCurator, enabled: false } });
    assert.equal(off.steps[0]!.status, 'skipped');
    const untrusted = await run(settingsFor(fake.url), {}, { trusted: false });
    assert.equal(untrusted.summary!.curator!.status, 'skipped');
    const notAllowed = await run(settingsFor(fake.url, { allowedJobKinds: ['lint-wiki'] }));
    assert.match(notAllowed.summary!.curator!.note!, /not allowed by dream\.localCurator\.allowedJobKinds, left queued: dream-seed/);
    assert.equal(fake.chats.length, 0);
    assert.equal(listJobs(ws, QUEUE_DIR).length, 1);
  });

  it('an ingest-session job without --source takes the newest session not ingested yet', async () => {
    fake.fallback = () => INGEST_OK;
    enqueue('ingest-session');
    enqueue('ingest-session');
    enqueue('ingest-session');
    const r = await run(settingsFor(fake.url));
    assert.equal(fake.chats.length, 1, 'one session note in the fixture');
    assert.match(r.summary!.curator!.jobs![1]!.reason!, /no session note to ingest/);
  });
});
