// Argument compatibility with the REAL council CLIs (pinned @openai/codex 0.169.0 and
// @anthropic-ai/claude-code 2.1.x from the harness cache, scripts/install-runners.sh): the argv
// Dream builds goes through each CLI's own option parser with an empty HOME and a short timeout.
// codex must not reject it (exit 2 / "Usage:"); claude must not say "unknown option" and answers
// "Not logged in", which Dream reports as that soft-fail. A missing cache FAILS with the command.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSettings, type LaneContext, type Summary } from '../../src/engine';
import { blankSummary } from '../../src/engine/report/blank';
import { councilLane, reportJsonSchema } from '../../src/lanes/council';
import { fakeMessagesApi } from './helpers/fakeMessagesApi';
import { pidAlive } from './helpers/fakeRunners';
import { makeWorkspace, rm, tmpDir } from './helpers/fixture';

const CACHE = process.env.DREAM_CACHE || path.join(os.homedir(), '.cache/dream-ci');
const PREFIX = path.join(CACHE, 'runners');
const BIN = path.join(PREFIX, 'node_modules/.bin');
const PINS: Record<string, RegExp> = { '@openai/codex': /^0\.169\.0$/, '@anthropic-ai/claude-code': /^2\.1\.\d+$/ };

function requireRealClis(): void {
  for (const [pkg, pin] of Object.entries(PINS)) {
    const manifest = path.join(PREFIX, 'node_modules', pkg, 'package.json');
    if (!fs.existsSync(manifest))
      throw new Error(`${pkg} is not in the harness cache (${PREFIX}); install it with: bash scripts/install-runners.sh "${PREFIX}"`);
    const v = JSON.parse(fs.readFileSync(manifest, 'utf8')).version as string;
    assert.match(v, pin, `${pkg} ${v} in ${PREFIX} is not the pinned version; reinstall: bash scripts/install-runners.sh "${PREFIX}"`);
  }
}

/** processes still running with this HOME in their environment (the runner and anything it started) */
function survivors(home: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const env = fs.readFileSync(`/proc/${d}/environ`, 'utf8');
      if (env.split('\0').includes(`HOME=${home}`) && pidAlive(Number(d))) out.push(Number(d));
    } catch {
      /* not ours or gone */
    }
  }
  return out;
}

async function realRun(ws: string, home: string, args: Record<string, unknown>, extraEnv: NodeJS.ProcessEnv = {}, goal = 'check the argv') {
  const logs: string[] = [];
  const env: NodeJS.ProcessEnv = {
    PATH: [BIN, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    ...extraEnv,
  };
  const ctx: LaneContext = {
    workspace: ws,
    runId: '20261125T020000Z',
    settings: resolveSettings({ args: { keepAwake: false, ...args } }),
    summary: { ...blankSummary('20261125T020000Z', ws, ws), goal } as Summary,
    trusted: true,
    deadline: Date.now() + 60_000,
    now: () => new Date(),
    log: (level, m) => logs.push(`${level} ${m}`),
  };
  const r = await councilLane({ env, graceMs: 1000 }).run(ctx);
  return { council: r.summary!.council!, logs: logs.join('\n'), degraded: r.degraded };
}

describe('council against the real CLIs (argument compatibility)', function () {
  this.timeout(60000);
  let ws: string;
  let home: string;
  before(requireRealClis);
  beforeEach(() => {
    ws = makeWorkspace({ learnings: 2 });
    home = tmpDir('dream-empty-home-');
  });
  afterEach(() => {
    rm(ws);
    rm(home);
  });

  for (const model of [undefined, 'gpt-5-codex']) {
    it(`codex 0.169 accepts Dream's argv${model ? ` with -m ${model}` : ''} (no exit 2, no "Usage:"); the timeout ends it and its children`, async () => {
      const r = await realRun(ws, home, {
        runners: ['codex'],
        councilRunnerTimeout: '3s',
        ...(model ? { councilModels: { codex: model } } : {}),
      });
      const run = r.council.runs![0]!;
      assert.doesNotMatch(r.logs, /Usage:|unexpected argument|error: unrecognized/, r.logs.slice(0, 2000));
      assert.doesNotMatch(run.reason ?? '', /exited with code 2\b/);
      // offline it keeps reconnecting until the timeout; online and logged out it fails on its own
      assert.equal(run.status, 'failed');
      assert.match(run.reason!, /^codex (timed out after 3 s|exited with code [013-9])/);
      assert.equal(r.council.read_only!.broken, false, r.degraded.join('\n'));
      assert.deepEqual(survivors(home), [], 'codex (or a child) survived the council');
    });
  }

  for (const model of [undefined, 'sonnet']) {
    it(`claude 2.1 accepts Dream's argv${model ? ` with --model ${model}` : ''} and its "Not logged in" envelope is that soft-fail`, async () => {
      const r = await realRun(ws, home, {
        runners: ['claude'],
        councilRunnerTimeout: '30s',
        ...(model ? { councilModels: { claude: model } } : {}),
      });
      assert.doesNotMatch(r.logs, /unknown option|error: option/i, r.logs.slice(0, 2000));
      const run = r.council.runs![0]!;
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, 'claude is not logged in: Not logged in · Please run /login');
      assert.equal(r.council.read_only!.broken, false, r.degraded.join('\n'));
      assert.deepEqual(survivors(home), []);
    });
  }

  it('real claude end to end against a loopback Messages API: read-only tools, plan mode, the schema as StructuredOutput, a validated report', async () => {
    const canned = {
      runner: 'claude',
      headline: 'The night merged two duplicates',
      recommended_kind: 'promote',
      recommended_first_action: 'Promote the session learning about pool shutdown',
      risks: ['one broken citation left'],
      opportunities: ['retire old-note.md'],
      confidence: 'high',
      wildcard_idea: '',
    };
    const api = await fakeMessagesApi(canned);
    try {
      const secret = 'sk-ant-api03-E2EplantedSECRETvalue0987654321';
      const r = await realRun(
        ws,
        home,
        { runners: ['claude'], councilRunnerTimeout: '45s' },
        {
          ANTHROPIC_BASE_URL: api.url,
          ANTHROPIC_API_KEY: 'sk-ant-test-loopback-key-000000000000',
          DISABLE_TELEMETRY: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        },
        `tidy up, key ${secret}`,
      );
      const run = r.council.runs![0]!;
      assert.equal(run.status, 'completed', `${run.reason ?? ''}\n${r.logs.slice(-3000)}`);
      assert.deepEqual(r.council.completed_runners, ['claude']);
      assert.equal(r.council.consensus_kind, 'promote');
      assert.equal(r.council.recommended_first_action, canned.recommended_first_action);
      const file = path.join(ws, '.agents/overnight/runs/20261125T020000Z/council/claude.json');
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), canned);
      assert.ok(api.requests.length >= 1);
      const first = api.requests[0]!.body as { tools: { name: string; input_schema?: unknown }[]; messages: unknown[] };
      const names = first.tools.map((t) => t.name);
      for (const t of ['Read', 'Grep', 'Glob', 'StructuredOutput']) assert.ok(names.includes(t), `${t} offered: ${names}`);
      for (const t of ['Write', 'Edit', 'Bash', 'NotebookEdit', 'MultiEdit'])
        assert.ok(!names.includes(t), `${t} must not be offered: ${names}`);
      assert.deepEqual(first.tools.find((t) => t.name === 'StructuredOutput')!.input_schema, reportJsonSchema());
      assert.match(api.requests[0]!.raw, /Plan mode is active/);
      assert.match(api.requests[0]!.raw, /Bedtime packet:/);
      for (const q of api.requests) assert.equal(q.raw.includes(secret), false, 'a planted secret reached the model API');
      assert.equal(r.council.read_only!.broken, false, r.degraded.join('\n'));
      assert.deepEqual(survivors(home), []);
    } finally {
      await api.close();
    }
  });
});
