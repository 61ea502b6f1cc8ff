// `dream curator …` as a person types it: every subcommand's output and exit code, bad input, and a
// new user with no Ollama (diagnose says what to install and run; a run says it in one line).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { closedPort, startFakeOllama } from './helpers/fakeOllama';
import { makeWorkspace, rm, tmpDir, write } from './helpers/fixture';

async function dream(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false }, { DREAM_KEEP_AWAKE: 'false', ...env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('dream curator (CLI)', function () {
  this.timeout(60000);
  let ws: string;
  let emptyBin: string;
  beforeEach(() => {
    ws = makeWorkspace();
    emptyBin = tmpDir('nobin-');
  });
  afterEach(() => {
    rm(ws);
    rm(emptyBin);
  });

  it('a new user with no Ollama: diagnose says exactly what to install and run (exit 1); status says where it looked (exit 0)', async () => {
    const port = await closedPort();
    const env = { PATH: emptyBin, DREAM_LOCAL_CURATOR: JSON.stringify({ enabled: true, ollamaUrl: `http://127.0.0.1:${port}` }) };
    const d = await dream(['curator', 'diagnose', '--workspace', ws], env);
    assert.equal(d.code, 1);
    assert.equal(
      d.out,
      `Ollama is not installed (no \`ollama\` on PATH) and nothing answers at http://127.0.0.1:${port}: install it from https://ollama.com/download, then run \`ollama serve\` and \`ollama pull gemma4:e4b\``,
    );
    const s = await dream(['curator', 'status', '--workspace', ws], env);
    assert.equal(s.code, 0);
    assert.match(s.out, new RegExp(`^Ollama: +not reachable at http://127\\.0\\.0\\.1:${port} \\(connection refused\\)`, 'm'));
    assert.match(s.out, /^Runners: +ollama missing, codex missing, claude missing$/m);
    const j = await dream(['curator', 'status', '--json', '--workspace', ws], env);
    const st = JSON.parse(j.out);
    assert.deepEqual([st.available, st.ollama.reachable, st.model, st.queue.queued], [false, false, 'gemma4:e4b', 0]);
  });

  it('a bedtime run with the curator enabled and no Ollama finishes with one plain degraded line', async () => {
    const port = await closedPort();
    const env = { PATH: emptyBin, DREAM_LOCAL_CURATOR: JSON.stringify({ enabled: true, ollamaUrl: `http://127.0.0.1:${port}` }) };
    assert.equal((await dream(['curator', 'enqueue', '--kind', 'dream-seed', '--workspace', ws], env)).code, 0);
    const r = await dream(['start', '--max-iterations', '1', '--json', '--workspace', ws], env);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    const lines = (summary.degraded as string[]).filter((l) => /curator/i.test(l));
    assert.deepEqual(lines, [`local curator: Ollama not reachable at http://127.0.0.1:${port} (connection refused); 1 job stays queued`]);
    assert.equal(summary.curator.status, 'unavailable');
    const md = fs.readFileSync(path.join(summary.output_dir, 'summary.md'), 'utf8');
    assert.match(md, /## Local Curator\n\n- Status: unavailable — Ollama not reachable; 1 job left queued/);
    const degradedSection = md.split('## Degraded')[1]!.split('\n## ')[0]!;
    assert.equal(degradedSection.split('\n').filter((l) => /curator/i.test(l)).length, 1, degradedSection);
    assert.doesNotMatch(degradedSection, /2 × local curator/);
  });

  it('diagnose with a running Ollama and the model: "ready", exit 0; a run drafts and links them in summary.md', async () => {
    const fake = await startFakeOllama();
    try {
      fake.replies.push(
        JSON.stringify({ ideas: [{ title: 'Merge the auth notes', why: 'They disagree on rotation.', first_step: 'Read both.' }] }),
      );
      const env = { PATH: emptyBin, DREAM_LOCAL_CURATOR: JSON.stringify({ enabled: true, ollamaUrl: fake.url }) };
      const d = await dream(['curator', 'diagnose', '--workspace', ws], env);
      assert.deepEqual([d.code, d.out], [0, 'ready']);
      await dream(['curator', 'enqueue', '--kind', 'dream-seed', '--workspace', ws], env);
      const r = await dream(['start', '--max-iterations', '1', '--json', '--workspace', ws], env);
      const summary = JSON.parse(r.out);
      assert.equal(summary.curator.status, 'done');
      assert.equal(summary.curator.drafts.length, 1);
      const md = fs.readFileSync(path.join(summary.output_dir, 'summary.md'), 'utf8');
      const link = /- Draft \(needs review\): \[`\.agents\/(knowledge\/pending\/[^`]+)`\]\(([^)]+)\)/.exec(md);
      assert.ok(link, md);
      assert.ok(fs.existsSync(path.resolve(summary.output_dir, decodeURI(link[2]!))), 'the link resolves from the run folder');
      assert.match(md, /Hourly cap: 1\/20 used in the last hour, 19 left/);
      const p = await dream(['curator', 'promote', `.agents/${link[1]}`, '--workspace', ws]);
      assert.equal(p.code, 0, p.err);
      assert.match(
        p.out,
        /^promoted "Merge the auth notes": \.agents\/knowledge\/pending\/.* → \.agents\/learnings\/.*\(promoted_by: human\)$/,
      );
      const again = await dream(['curator', 'promote', `.agents/${link[1]}`, '--workspace', ws]);
      assert.equal(again.code, 1);
      assert.match(again.err, /^dream curator promote: no draft at \.agents\/knowledge\/pending\//);
    } finally {
      await fake.close();
    }
  });

  it('a run killed (SIGKILL) while the model streams: the next run retries the job once; drafts are never duplicated', async () => {
    const fake = await startFakeOllama();
    try {
      const env = { PATH: emptyBin, DREAM_LOCAL_CURATOR: JSON.stringify({ enabled: true, ollamaUrl: fake.url }) };
      const reply = JSON.stringify({
        learnings: [
          { title: 'Close the pool', statement: 'Close the db pool before exit or tests hang.', type: 'learning', confidence: 'high' },
        ],
      });
      fake.replies.push({ text: reply, stall: true });
      await dream(
        ['curator', 'enqueue', '--kind', 'ingest-session', '--source', '.agents/sessions/2026-11-21-s.md', '--workspace', ws],
        env,
      );
      const cli = path.resolve(__dirname, '../../../dist/cli.js');
      const child = spawn(process.execPath, [cli, 'start', '--max-iterations', '1', '--workspace', ws], {
        env: { ...process.env, DREAM_KEEP_AWAKE: 'false', ...env },
        stdio: 'ignore',
      });
      const t0 = Date.now();
      while (!fake.chats.length && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 20));
      assert.equal(fake.chats.length, 1, 'the model was asked');
      await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const processing = fs.readdirSync(path.join(ws, '.agents/dream/curator/processing'));
      assert.equal(processing.length, 1, 'the killed job was left in processing/');
      const pending = path.join(ws, '.agents/knowledge/pending');
      const before = fs.existsSync(pending) ? fs.readdirSync(pending) : [];
      fake.replies.push(reply);
      const r = await dream(['start', '--max-iterations', '1', '--json', '--workspace', ws], env);
      assert.equal(r.code, 0, r.err);
      assert.equal(fake.chats.length, 2, 'retried once');
      const s = JSON.parse(r.out);
      assert.equal(s.curator.drafts.length, 1);
      const after = fs.readdirSync(pending);
      assert.equal(after.length, before.length + 1);
      await dream(['start', '--max-iterations', '1', '--json', '--workspace', ws], env);
      assert.equal(fake.chats.length, 2, 'a done job never runs again');
      assert.deepEqual(fs.readdirSync(pending), after);
      assert.equal(fs.readdirSync(path.join(ws, '.agents/dream/curator/processing')).length, 0);
    } finally {
      await fake.close();
    }
  });

  it('enqueue: writes a job; bad kinds and sources are one-line errors', async () => {
    const ok = await dream([
      'curator',
      'enqueue',
      '--kind',
      'ingest-session',
      '--source',
      '.agents/sessions/2026-11-21-s.md',
      '--workspace',
      ws,
    ]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(
      ok.out,
      /^queued ingest-session job job-\d{8}T\d{6}Z-ingest-session-[0-9a-f]{8}: .*\.agents\/dream\/curator\/queue\/.*\.json/,
    );
    assert.match(ok.out, /the local curator is disabled/);
    const j = await dream(['curator', 'enqueue', '--kind', 'lint-wiki', '--json', '--workspace', ws]);
    const o = JSON.parse(j.out);
    assert.ok(fs.existsSync(o.enqueued));
    assert.equal(o.job.kind, 'lint-wiki');
    const bad = await dream(['curator', 'enqueue', '--kind', 'bake', '--workspace', ws]);
    assert.deepEqual([bad.code, bad.err], [2, 'dream: --kind "bake": expected one of ingest-session, lint-wiki, dream-seed']);
    const missing = await dream(['curator', 'enqueue', '--workspace', ws]);
    assert.deepEqual([missing.code, missing.err], [2, 'dream: dream curator enqueue: --kind is required (see: dream curator --help)']);
    const src = await dream(['curator', 'enqueue', '--kind', 'ingest-session', '--source', 'nope.md', '--workspace', ws]);
    assert.deepEqual([src.code, src.err], [1, 'dream curator enqueue: --source "nope.md" does not exist']);
    const notAllowed = await dream(['curator', 'enqueue', '--kind', 'lint-wiki', '--workspace', ws], {
      DREAM_LOCAL_CURATOR: JSON.stringify({ allowedJobKinds: ['dream-seed'] }),
    });
    assert.equal(notAllowed.code, 1);
    assert.match(notAllowed.err, /job kind "lint-wiki" is not in dream\.localCurator\.allowedJobKinds \(dream-seed\)/);
    const seedSrc = await dream(['curator', 'enqueue', '--kind', 'dream-seed', '--source', 'README.md', '--workspace', ws]);
    assert.equal(seedSrc.code, 1);
    const noCorpus = tmpDir();
    const nc = await dream(['curator', 'enqueue', '--kind', 'dream-seed', '--workspace', noCorpus]);
    assert.equal(nc.code, 1);
    assert.match(nc.err, /^dream: no \.agents\/ corpus at /);
    assert.ok(!fs.existsSync(path.join(noCorpus, '.agents')), 'nothing created');
    rm(noCorpus);
  });

  it('event: appends to the ledger; escalation only with a budget; bad input named', async () => {
    const r = await dream(['curator', 'event', '--source', 'ci', '--severity', 'warn', '--desired-action', 'look', '--workspace', ws]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^recorded event evt-\S+ \(warn\) in .*events\.jsonl: needs review; no escalation \(budget 0\)$/);
    const j = await dream([
      'curator',
      'event',
      '--source',
      'ci',
      '--severity',
      'high',
      '--desired-action',
      'ask the council',
      '--budget',
      '2',
      '--note',
      'flaky auth',
      '--json',
      '--workspace',
      ws,
    ]);
    const o = JSON.parse(j.out);
    assert.deepEqual(
      [o.event.escalation_target, o.event.budget, o.event.note, o.event.status],
      ['dream-council', 2, 'flaky auth', 'needs-review'],
    );
    const lines = fs.readFileSync(o.event_path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    const sev = await dream(['curator', 'event', '--source', 'x', '--severity', 'urgent', '--desired-action', 'y', '--workspace', ws]);
    assert.deepEqual([sev.code, sev.err], [2, 'dream: --severity "urgent": expected one of info, warn, high, critical']);
    const miss = await dream(['curator', 'event', '--source', 'x', '--severity', 'info', '--workspace', ws]);
    assert.deepEqual([miss.code, miss.err], [2, 'dream: dream curator event: --desired-action is required (see: dream curator --help)']);
    const neg = await dream([
      'curator',
      'event',
      '--source',
      'x',
      '--severity',
      'info',
      '--desired-action',
      'y',
      '--budget',
      '-1',
      '--workspace',
      ws,
    ]);
    assert.equal(neg.code, 2);
    assert.match(neg.err, /--budget "-1": expected a whole number, 0 or more/);
    assert.equal(fs.readFileSync(o.event_path, 'utf8').trim().split('\n').length, 2, 'refused input wrote nothing');
  });

  it('compact: dry run by default; --apply archives and says what it did; bad --older-than named', async () => {
    const old = { status: 'reviewed', created_at: '2020-01-01T00:00:00Z', id: 'old' };
    const fresh = { status: 'needs-review', created_at: new Date().toISOString(), id: 'new' };
    write(ws, '.agents/dream/curator/events.jsonl', JSON.stringify(old) + '\n' + JSON.stringify(fresh) + '\n');
    const dry = await dream(['curator', 'compact', '--workspace', ws]);
    assert.equal(dry.code, 0);
    assert.match(dry.out, /^dry run: would move 1 reviewed entry older than 30 days .*Run with --apply to do it\.$/);
    assert.equal(fs.existsSync(path.join(ws, '.agents/dream/curator/events.archive.jsonl')), false);
    const ap = await dream(['curator', 'compact', '--apply', '--older-than', '60d', '--workspace', ws]);
    assert.equal(ap.code, 0);
    assert.match(
      ap.out,
      /^moved 1 reviewed entry older than 60 days from \.agents\/dream\/curator\/events\.jsonl to \.agents\/dream\/curator\/events\.archive\.jsonl; 1 kept/,
    );
    assert.equal(fs.readFileSync(path.join(ws, '.agents/dream/curator/events.jsonl'), 'utf8'), JSON.stringify(fresh) + '\n');
    const j = JSON.parse((await dream(['curator', 'compact', '--apply', '--json', '--workspace', ws])).out);
    assert.deepEqual([j.applied, j.archived, j.kept], [false, 0, 1]);
    const bad = await dream(['curator', 'compact', '--older-than', 'soon', '--workspace', ws]);
    assert.deepEqual(
      [bad.code, bad.err],
      [2, 'dream: dream curator compact: --older-than "soon" is not a number of days (e.g. 30d or 2w)'],
    );
    const both = await dream(['curator', 'compact', '--apply', '--dry-run', '--workspace', ws]);
    assert.equal(both.code, 2);
  });

  it('promote: refuses what is not a draft; subcommand and flag mistakes are usage errors', async () => {
    const notDraft = await dream(['curator', 'promote', '.agents/learnings/l-1.md', '--workspace', ws]);
    assert.equal(notDraft.code, 1);
    assert.match(notDraft.err, /is not a draft: drafts are \.md files directly in \.agents\/knowledge\/pending\//);
    const none = await dream(['curator', 'promote', '--workspace', ws]);
    assert.equal(none.code, 2);
    const sub = await dream(['curator', 'bake', '--workspace', ws]);
    assert.deepEqual(
      [sub.code, sub.err],
      [2, 'dream: dream curator: unknown subcommand "bake" (expected status, diagnose, enqueue, event, compact, promote)'],
    );
    const nosub = await dream(['curator']);
    assert.equal(nosub.code, 2);
    const flag = await dream(['curator', 'status', '--kind', 'lint-wiki', '--workspace', ws]);
    assert.equal(flag.code, 2);
    assert.match(flag.err, /unknown flag --kind \(see: dream curator status --help\)/);
    const help = await dream(['curator', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /dream curator compact \[--apply\] \[--older-than 30d\]/);
  });
});
