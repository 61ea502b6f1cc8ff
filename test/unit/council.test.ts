// The Dream Council lane against stand-in `codex` and `claude` executables on PATH: exact argv,
// cwd, validation and soft-fail reasons, the process-tree timeout, Stop, the read-only proof,
// secrets, synthesis, and an untrusted workspace.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { resolveSettings, runBedtime, type LaneContext, type LaneResult, type Summary } from '../../src/engine';
import { blankSummary } from '../../src/engine/report/blank';
import { renderMarkdown } from '../../src/engine/report/report';
import { groupDegraded } from '../../src/engine/report/degraded';
import {
  councilLane,
  findRunners,
  reportJsonSchema,
  synthesize,
  parseReportText,
  type CouncilReport,
  PACKET_MAX_BYTES,
} from '../../src/lanes/council';
import type { SpawnFn } from '../../src/lanes/council/spawn';
import { fakeRunners, pidAlive, type FakeMode, type FakeRunners } from './helpers/fakeRunners';
import { makeWorkspace, rm, write } from './helpers/fixture';

const RUN_ID = '20261125T010000Z';

interface LaneRun {
  result: LaneResult;
  logs: string[];
  council: NonNullable<Summary['council']>;
  dir: string;
}

async function runLane(
  ws: string,
  env: NodeJS.ProcessEnv,
  args: Record<string, unknown>,
  over: Partial<LaneContext> & { spawn?: SpawnFn; summary?: Summary } = {},
): Promise<LaneRun> {
  const logs: string[] = [];
  const summary = over.summary ?? {
    ...blankSummary(RUN_ID, ws, path.join(ws, '.agents/overnight/runs', RUN_ID)),
    goal: 'tidy the auth notes',
  };
  const ctx: LaneContext = {
    workspace: ws,
    runId: RUN_ID,
    settings: resolveSettings({ args: { keepAwake: false, ...args } }),
    summary,
    trusted: over.trusted ?? true,
    ...(over.signal ? { signal: over.signal } : {}),
    deadline: over.deadline ?? Date.now() + 120_000,
    now: () => new Date(),
    log: (level, message) => logs.push(`${level} ${message}`),
  };
  const result = await councilLane({ env, graceMs: 300, ...(over.spawn ? { spawn: over.spawn } : {}) }).run(ctx);
  return { result, logs, council: result.summary!.council!, dir: path.join(ws, '.agents/overnight/runs', RUN_ID, 'council') };
}

function reason(r: LaneRun, runner: string): string {
  return r.council.runs!.find((x) => x.runner === runner)?.reason ?? '';
}

describe('council lane: invocation', function () {
  this.timeout(30000);
  let ws: string;
  let fake: FakeRunners;
  beforeEach(() => {
    ws = makeWorkspace();
    fake = fakeRunners();
  });
  afterEach(() => {
    rm(ws);
    fake.cleanup();
  });

  it('starts codex and claude with the exact §7 argument arrays, in the workspace, one after another', async () => {
    const r = await runLane(ws, fake.env({ codex: 'valid', claude: 'valid' }), { runners: ['codex', 'claude'] });
    assert.deepEqual(r.council.completed_runners, ['claude', 'codex']);
    assert.deepEqual(r.council.failed_runners, []);
    const schemaFile = path.join(r.dir, 'report-schema.json');
    const codex = fake.record('codex')!;
    assert.deepEqual(codex.argv.slice(0, 11), [
      'exec',
      '--skip-git-repo-check',
      '-C',
      ws,
      '-s',
      'read-only',
      '--ephemeral',
      '--output-schema',
      schemaFile,
      '-o',
      path.join(r.dir, 'codex.last-message.tmp'),
    ]);
    assert.equal(codex.argv.length, 12);
    assert.match(codex.argv[11]!, /^You are the codex Dream Council runner\./);
    const claude = fake.record('claude')!;
    assert.deepEqual(claude.argv.slice(0, 11), [
      '-p',
      '--output-format',
      'json',
      '--json-schema',
      JSON.stringify(reportJsonSchema()),
      '--tools',
      'Read,Grep,Glob',
      '--permission-mode',
      'plan',
      '--no-session-persistence',
      claude.argv[10]!,
    ]);
    assert.equal(claude.argv.length, 11);
    assert.match(claude.argv[10]!, /^You are the claude Dream Council runner\./);
    for (const rec of [codex, claude]) {
      assert.equal(fs.realpathSync(rec.cwd), fs.realpathSync(ws));
      assert.equal(rec.stdin, '', 'the runner gets nothing on stdin');
    }
    // the schema file is the zod schema's JSON schema; only validated reports reach their final path
    assert.deepEqual(JSON.parse(fs.readFileSync(schemaFile, 'utf8')), reportJsonSchema());
    assert.equal(JSON.parse(fs.readFileSync(path.join(r.dir, 'codex.json'), 'utf8')).runner, 'codex');
    assert.equal(JSON.parse(fs.readFileSync(path.join(r.dir, 'claude.json'), 'utf8')).runner, 'claude');
    assert.equal(fs.existsSync(path.join(r.dir, 'codex.last-message.tmp')), false);
    const packet = JSON.parse(fs.readFileSync(path.join(r.dir, 'packet.json'), 'utf8'));
    assert.equal(packet.goal, 'tidy the auth notes');
    assert.deepEqual(packet.tonight_priorities, ['Consolidate the auth notes']);
    assert.equal(r.council.consensus_kind, 'validate');
    assert.equal(r.council.recommended_first_action, 'Run the test suite against the merged notes');
    assert.equal(r.council.read_only!.broken, false);
    assert.equal(r.council.read_only!.checked, true);
    assert.ok(r.council.runs!.every((x) => x.status === 'completed' && x.duration_ms > 0));
    assert.deepEqual(
      r.result.steps.map((s) => `${s.name}:${s.status}`),
      ['council:claude:done', 'council:codex:done', 'council:done'],
    );
    assert.ok(fs.existsSync(path.join(r.dir, 'synthesis.json')));
    assert.ok(r.logs.some((l) => l.includes('council: codex stdout:') && l.includes('codex: done')));
  });

  it('passes the configured models as --model / -m', async () => {
    await runLane(ws, fake.env({}), { runners: ['claude', 'codex'], councilModels: { claude: 'sonnet', codex: 'gpt-5-codex' } });
    const codex = fake.record('codex')!.argv;
    const claude = fake.record('claude')!.argv;
    assert.deepEqual(codex.slice(11, 13), ['-m', 'gpt-5-codex']);
    assert.deepEqual(claude.slice(10, 12), ['--model', 'sonnet']);
  });

  const table: [string, 'codex' | 'claude', FakeMode, RegExp][] = [
    ['invalid JSON', 'codex', 'invalid-json', /^codex output is not valid JSON/],
    ['invalid JSON', 'claude', 'invalid-json', /^claude output is not valid JSON/],
    ['a schema mismatch', 'codex', 'mismatch', /^codex report does not match the schema \(.*recommended_kind/],
    ['a schema mismatch', 'claude', 'mismatch', /^claude report does not match the schema/],
    ['the wrong runner name', 'codex', 'wrong-runner', /^wrong runner: the codex reply says it is from "gemini"/],
    ['the wrong runner name', 'claude', 'wrong-runner', /^wrong runner: the claude reply says it is from "gemini"/],
    ['empty output', 'codex', 'empty', /^codex output was empty/],
    ['empty output', 'claude', 'empty', /^claude output was empty/],
    ['is_error "Not logged in"', 'claude', 'not-logged-in', /^claude is not logged in: Not logged in · Please run \/login$/],
    ['a failing exit code', 'codex', 'exit-error', /^codex exited with code 3: fatal: no credentials$/],
    ['a failing exit code', 'claude', 'exit-error', /^claude exited with code 3: fatal: no credentials$/],
  ];
  for (const [what, runner, mode, re] of table) {
    it(`${runner}: ${what} is a soft-fail with a plain reason and no report file`, async () => {
      const r = await runLane(ws, fake.env({ [runner]: mode }), { runners: [runner] });
      assert.match(reason(r, runner), re);
      assert.deepEqual(r.council.completed_runners, []);
      assert.deepEqual(r.council.failed_runners, [runner]);
      assert.equal(fs.existsSync(path.join(r.dir, `${runner}.json`)), false);
      assert.deepEqual(
        r.result.steps.map((s) => `${s.name}:${s.status}`),
        [`council:${runner}:soft-fail`, 'council:soft-fail'],
      );
      assert.equal(r.result.steps[1]!.note, 'no Dream Council runner completed');
      assert.ok(r.result.degraded.some((d) => d.startsWith(`${runner} council run failed: `)));
      assert.equal(r.council.consensus_kind, undefined);
      assert.equal(r.council.recommended_first_action, undefined);
    });
  }

  it('a slow runner times out and its whole process tree is killed (no orphan)', async () => {
    const t0 = Date.now();
    const r = await runLane(ws, fake.env({ codex: 'slow' }), { runners: ['codex'], councilRunnerTimeout: '1s' });
    assert.equal(reason(r, 'codex'), 'codex timed out after 1 s');
    assert.ok(Date.now() - t0 < 8000);
    const gc = fake.grandchildPid('codex');
    assert.ok(gc, 'the stand-in started a grandchild');
    assert.equal(pidAlive(gc!), false, `grandchild ${gc} survived the timeout`);
    assert.equal(pidAlive(fake.record('codex')!.pid), false);
  });

  it('a runner that ignores SIGTERM is killed after the grace period, with its grandchild', async () => {
    const r = await runLane(ws, fake.env({ claude: 'slow-stubborn' }), { runners: ['claude'], councilRunnerTimeout: '1s' });
    assert.equal(reason(r, 'claude'), 'claude timed out after 1 s');
    assert.equal(pidAlive(fake.grandchildPid('claude')!), false);
    assert.equal(pidAlive(fake.record('claude')!.pid), false);
  });

  it('a child left behind by a runner that answered is ended too', async () => {
    const r = await runLane(ws, fake.env({ codex: 'leave-child' }), { runners: ['codex'] });
    assert.deepEqual(r.council.completed_runners, ['codex']);
    assert.equal(pidAlive(fake.grandchildPid('codex')!), false);
  });

  it('the per-runner timeout is clamped to the remaining budget', async () => {
    const r = await runLane(
      ws,
      fake.env({ codex: 'slow' }),
      { runners: ['codex'], councilRunnerTimeout: '90s' },
      { deadline: Date.now() + 2500 },
    );
    assert.match(reason(r, 'codex'), /^codex timed out after (1\.[5-9]|2(\.[0-5])?) s$/);
    const spent = await runLane(ws, fake.env({ claude: 'valid' }), { runners: ['claude'] }, { deadline: Date.now() + 200 });
    assert.equal(reason(spent, 'claude'), "claude was not started: the run's time budget is spent");
  });

  it('Stop cancels the running runner (tree killed) and skips the rest', async () => {
    const ac = new AbortController();
    const started = path.join(fake.records, 'claude.started');
    const poll = setInterval(() => {
      if (fs.existsSync(started)) {
        clearInterval(poll);
        ac.abort();
      }
    }, 20);
    const r = await runLane(ws, fake.env({ claude: 'slow', codex: 'valid' }), { runners: ['claude', 'codex'] }, { signal: ac.signal });
    clearInterval(poll);
    assert.equal(reason(r, 'claude'), 'claude was cancelled (the run was stopped)');
    assert.equal(reason(r, 'codex'), 'codex was cancelled (the run was stopped)');
    assert.deepEqual(
      r.council.runs!.map((x) => x.status),
      ['skipped', 'skipped'],
    );
    assert.equal(fake.record('codex'), null, 'codex was never started after Stop');
    assert.equal(pidAlive(fake.grandchildPid('claude')!), false);
    assert.equal(r.council.skipped_reason, 'the run was stopped during the council');
  });

  it('the read-only proof catches a runner that writes in the workspace, names the files and the runner', async () => {
    const r = await runLane(ws, fake.env({ codex: 'write', claude: 'valid' }), { runners: ['codex', 'claude'] });
    const critical = r.result.degraded.find((d) => d.startsWith('critical:'));
    assert.ok(critical, r.result.degraded.join('\n'));
    assert.match(critical!, /council runner codex broke the read-only rule: README\.md \(modified\), pwned\.txt \(added\)/);
    assert.equal(r.council.read_only!.broken, true);
    assert.deepEqual(r.council.read_only!.violations, [{ runner: 'codex', files: ['README.md', 'pwned.txt'] }]);
    assert.match(r.council.note!, /^The council broke the read-only rule: codex changed 2 file\(s\)/);
    assert.deepEqual(r.council.completed_runners, ['claude'], 'claude (before codex, unchanged workspace) still counts');
    assert.deepEqual(r.council.failed_runners, ['codex']);
    assert.equal(fs.existsSync(path.join(r.dir, 'codex.json')), false);
    const md = renderMarkdown({ ...blankSummary(RUN_ID, ws, r.dir), council: r.council, degraded: r.result.degraded });
    assert.match(md, /broke the read-only rule/);
    assert.equal(
      groupDegraded(['.agents/learnings/a.md: has no frontmatter', 'keep-awake unavailable', ...r.result.degraded])[1]!.kind,
      'the Dream Council broke the read-only rule (files changed outside .agents/)',
    );
    assert.match(
      md,
      /\*\*What state did I wake up to\?\*\* .*The Dream Council broke the read-only rule: codex changed 2 file\(s\) outside \.agents\//,
    );
  });

  it('unsupported and missing runners are soft-fails with their reason; nothing else runs', async () => {
    const empty = fakeRunners([]);
    try {
      const r = await runLane(ws, { ...empty.env({}), PATH: empty.bin }, { runners: ['Gemini', 'codex'] });
      assert.equal(reason(r, 'gemini'), 'gemini is not a supported council runner (supported: claude, codex)');
      assert.equal(reason(r, 'codex'), 'codex is not installed (not found on PATH)');
    } finally {
      empty.cleanup();
    }
  });

  it('untrusted workspace: no process is spawned and the report says why', async () => {
    let calls = 0;
    const spy = ((...a: Parameters<SpawnFn>) => {
      calls++;
      return (execa as (...x: unknown[]) => unknown)(...a);
    }) as unknown as SpawnFn;
    const r = await runLane(ws, fake.env({}), { runners: ['codex', 'claude'] }, { trusted: false, spawn: spy });
    assert.equal(calls, 0);
    assert.equal(fake.record('codex'), null);
    assert.equal(fake.record('claude'), null);
    assert.equal(r.council.skipped_reason, 'the workspace is not trusted, so no council runner was started');
    assert.deepEqual(
      r.result.steps.map((s) => `${s.name}:${s.status}`),
      ['council:skipped'],
    );
    assert.equal(fs.existsSync(r.dir), false, 'nothing written for a skipped council');
    const md = renderMarkdown({ ...blankSummary(RUN_ID, ws, r.dir), council: r.council });
    assert.match(md, /not trusted/);
    // the same spy is called when trusted (the spy is real)
    await runLane(ws, fake.env({}), { runners: ['codex'] }, { spawn: spy });
    assert.equal(calls, 1);
  });

  it('findRunners lists supported and unsupported runners on PATH', () => {
    const more = fakeRunners(['codex', 'gemini', 'opencode']);
    try {
      const found = findRunners({ PATH: more.bin });
      assert.deepEqual(
        found.supported.map((f) => f.name),
        ['codex'],
      );
      assert.equal(found.supported[0]!.path, path.join(more.bin, 'codex'));
      assert.deepEqual(
        found.unsupported.map((f) => f.name),
        ['gemini', 'opencode'],
      );
    } finally {
      more.cleanup();
    }
  });
});

describe('council lane: secrets and the packet', function () {
  this.timeout(60000);
  const SECRETS = ['sk-ant-api03-PLANTEDsecretKEYvalue1234567890', 'ghp_PLANTEDtokenVALUE1234567890abcdEF', 'AKIAPLANTED123456789'];

  it('secrets planted in the corpus, the queue and the goal never reach argv, stdin or the packet file', async () => {
    const ws = makeWorkspace();
    const fake = fakeRunners();
    try {
      write(
        ws,
        '.agents/learnings/leaky.md',
        `---\ntitle: "Leaky ${SECRETS[0]}"\nmaturity: draft\ndate: 2026-11-20\ncitations: ["src/gone-${SECRETS[2]}.ts"]\n---\n# Leaky\n\napi_key = ${SECRETS[1]}\n`,
      );
      write(ws, '.agents/dream/tonight.md', `# Tonight\n\n- rotate ${SECRETS[1]} today\n- Consolidate the auth notes\n`);
      const settings = resolveSettings({ args: { keepAwake: false, maxIterations: 1, runners: ['codex', 'claude'] } });
      const out = await runBedtime({
        workspace: ws,
        settings,
        goal: `clean up, token ${SECRETS[0]}`,
        lanes: [councilLane({ env: fake.env({}) })],
      });
      assert.deepEqual(out.summary.council!.completed_runners, ['claude', 'codex']);
      const packetText = fs.readFileSync(path.join(ws, '.agents/overnight/runs', out.runId, 'council/packet.json'), 'utf8');
      const packet = JSON.parse(packetText);
      assert.ok(packet.tonight_priorities.length >= 2);
      assert.ok(Buffer.byteLength(packetText) <= PACKET_MAX_BYTES + 200);
      for (const runner of ['codex', 'claude'] as const) {
        const rec = fake.record(runner)!;
        const seen = rec.argv.join('\n') + rec.stdin;
        for (const s of SECRETS) {
          assert.equal(seen.includes(s), false, `${s} reached ${runner}'s argv/stdin`);
          assert.equal(packetText.includes(s), false, `${s} is in packet.json`);
        }
        assert.ok(rec.argv.join('\n').includes('[REDACTED]'), 'the redaction marker shows what was removed');
      }
      // the summary's council section reaches summary.md and the first move
      const md = fs.readFileSync(out.reportPath, 'utf8');
      assert.match(md, /## Dream Council/);
      assert.match(md, /codex: completed in \d/);
      assert.match(md, /claude: completed in \d/);
    } finally {
      rm(ws);
      fake.cleanup();
    }
  });

  it('a huge night is bounded: the packet stays under its cap', async () => {
    const ws = makeWorkspace();
    const fake = fakeRunners();
    try {
      const summary: Summary = {
        ...blankSummary(RUN_ID, ws, ws),
        degraded: Array.from({ length: 5000 }, (_, i) => `degraded line ${i} `.repeat(20)),
        proposals: Array.from({ length: 300 }, (_, i) => ({
          path: `learnings/old-${i}.md`,
          reason: 'age only: 400 days, never referenced',
          command: `dream restore x --change learnings/old-${i}.md`,
        })),
      };
      await runLane(ws, fake.env({}), { runners: ['claude'] }, { summary });
      const text = fs.readFileSync(path.join(ws, '.agents/overnight/runs', RUN_ID, 'council/packet.json'), 'utf8');
      assert.ok(Buffer.byteLength(text) <= PACKET_MAX_BYTES + 200, `${Buffer.byteLength(text)} bytes`);
      const packet = JSON.parse(text);
      assert.equal(packet.degraded_total, 5000);
      assert.equal(packet.review_proposals_total, 300);
      assert.ok(packet.review_proposals.length > 0 && packet.review_proposals.length < 300);
      assert.deepEqual(packet.review_proposals[0], { path: 'learnings/old-0.md', reason: 'age only: 400 days, never referenced' });
      assert.ok(fake.record('claude')!.argv.at(-1)!.length < 64 * 1024);
    } finally {
      rm(ws);
      fake.cleanup();
    }
  });
});

function rep(runner: string, kind: CouncilReport['recommended_kind'], action: string, wildcard = ''): CouncilReport {
  return {
    runner,
    headline: 'h',
    recommended_kind: kind,
    recommended_first_action: action,
    risks: [],
    opportunities: [],
    confidence: 'medium',
    wildcard_idea: wildcard,
  };
}

describe('council synthesis (majority)', () => {
  it('no runner completed: no consensus, no action', () => {
    assert.deepEqual(synthesize([], true), { disagreements: [], wildcard_ideas: [] });
  });
  it('one runner: its kind and action, nothing to disagree with', () => {
    const s = synthesize([rep('codex', 'repair', 'Fix the broken citation in l-5.md')], false);
    assert.equal(s.consensus_kind, 'repair');
    assert.equal(s.recommended_first_action, 'Fix the broken citation in l-5.md');
    assert.deepEqual(s.disagreements, []);
  });
  it('a tie goes to the alphabetically first kind; the other runner is a disagreement', () => {
    const s = synthesize([rep('codex', 'validate', 'Run the tests'), rep('claude', 'promote', 'Promote l-1.md')], false);
    assert.equal(s.consensus_kind, 'promote');
    assert.equal(s.recommended_first_action, 'Promote l-1.md');
    assert.deepEqual(s.disagreements, ['codex prefers validate: Run the tests']);
  });
  it('the majority kind wins; same kind with another action is a disagreement; first report gives the action', () => {
    const s = synthesize(
      [
        rep('a', 'research', 'Read A'),
        rep('b', 'document', 'Write docs'),
        rep('c', 'research', 'Read C'),
        rep('d', 'document', 'Write docs'),
      ].concat([rep('e', 'research', 'Read A')]),
      false,
    );
    assert.equal(s.consensus_kind, 'research');
    assert.equal(s.recommended_first_action, 'Read A');
    assert.deepEqual(s.disagreements, ['b prefers document: Write docs', 'c prefers research: Read C', 'd prefers document: Write docs']);
  });
  it('wildcards are listed only with the creative lane on', () => {
    const reports = [rep('codex', 'validate', 'x', 'Try a weekly digest'), rep('claude', 'validate', 'x', '  ')];
    assert.deepEqual(synthesize(reports, true).wildcard_ideas, ['codex: Try a weekly digest']);
    assert.deepEqual(synthesize(reports, false).wildcard_ideas, []);
  });
  it('the schema sent to the runners stays in the strict structured-output subset', () => {
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      for (const k of [
        'minLength',
        'maxLength',
        'pattern',
        'format',
        'minimum',
        'maximum',
        'minItems',
        'maxItems',
        '$schema',
        '$ref',
        'oneOf',
        'allOf',
      ])
        assert.equal(k in o, false, `${at} uses ${k}`);
      if (o.type === 'object') {
        assert.equal(o.additionalProperties, false, `${at}: additionalProperties`);
        assert.deepEqual([...(o.required as string[])].sort(), Object.keys(o.properties as object).sort(), `${at}: every key required`);
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`);
    };
    walk(reportJsonSchema(), 'schema');
  });
  it('a blank headline or action is a schema mismatch even though the wire schema allows any string', () => {
    const blank = { ...rep('codex', 'repair', '   '), headline: 'h' };
    assert.throws(
      () => parseReportText(JSON.stringify(blank), 'codex'),
      /does not match the schema \(recommended_first_action: must not be empty\)/,
    );
  });
  it('validation accepts "<runner>-dream-council" and a fenced reply, rewriting the runner name', () => {
    const r = parseReportText('```json\n' + JSON.stringify(rep('Codex-Dream-Council', 'validate', 'x')) + '\n```', 'codex');
    assert.equal(r.runner, 'codex');
  });
});

describe('council on the CLI: dream start --runner --creative-lane, Ctrl-C', function () {
  this.timeout(60000);
  const CLI = path.resolve(__dirname, '../../../dist/cli.js');
  let ws: string;
  let fake: FakeRunners;
  beforeEach(() => {
    ws = makeWorkspace();
    fake = fakeRunners();
  });
  afterEach(() => {
    rm(ws);
    fake.cleanup();
  });

  it('--runner codex --runner claude --creative-lane: both review, wildcards listed, the council feeds the report', async () => {
    const wild = (runner: string, kind: string, idea: string) =>
      JSON.stringify({
        runner,
        headline: `${runner} headline`,
        recommended_kind: kind,
        recommended_first_action: `${runner} action`,
        risks: [],
        opportunities: [],
        confidence: 'high',
        wildcard_idea: idea,
      });
    const r = await execa(
      process.execPath,
      [CLI, 'start', '--workspace', ws, '--runner', 'codex', '--runner', 'claude', '--creative-lane', '--max-iterations', '1', '--json'],
      {
        env: fake.env(
          {},
          {
            DREAM_KEEP_AWAKE: 'false',
            FAKE_CODEX_REPORT: wild('codex', 'repair', 'Ask a haiku'),
            FAKE_CLAUDE_REPORT: wild('claude', 'document', 'Draw a map'),
          },
        ),
        reject: false,
      },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Summary;
    assert.deepEqual(s.council!.completed_runners, ['claude', 'codex']);
    assert.equal(s.council!.consensus_kind, 'document', 'a 1-1 tie goes to the alphabetically first kind');
    assert.equal(s.council!.recommended_first_action, 'claude action');
    assert.deepEqual(s.council!.disagreements, ['codex prefers repair: codex action']);
    assert.deepEqual(s.council!.wildcard_ideas, ['claude: Draw a map', 'codex: Ask a haiku']);
    assert.match(fake.record('codex')!.argv.at(-1)!, /Include one bounded wildcard idea/);
    assert.equal(s.dreamscape.council, 'mixed');
    const md = fs.readFileSync(path.join(ws, '.agents/overnight/runs', s.run_id, 'summary.md'), 'utf8');
    assert.match(md, /- claude recommends document \(confidence high\): claude action/);
    assert.match(md, /- Disagreement: codex prefers repair: codex action/);
    assert.match(md, /- Wildcard: codex: Ask a haiku/);
  });

  it('Ctrl-C during the council cancels the runner and kills its tree; the run still writes its report', async () => {
    const child = execa(process.execPath, [CLI, 'start', '--workspace', ws, '--runner', 'codex', '--max-iterations', '1', '--json'], {
      env: fake.env({ codex: 'slow' }, { DREAM_KEEP_AWAKE: 'false' }),
      reject: false,
    });
    const started = path.join(fake.records, 'codex.started');
    const t0 = Date.now();
    while (!fs.existsSync(started) && Date.now() - t0 < 30000) await new Promise((res) => setTimeout(res, 50));
    assert.ok(fs.existsSync(started), 'the stand-in codex started');
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Summary;
    assert.equal(s.council!.runs![0]!.reason, 'codex was cancelled (the run was stopped)');
    assert.equal(pidAlive(fake.grandchildPid('codex')!), false);
    assert.equal(pidAlive(fake.record('codex')!.pid), false);
  });
});
