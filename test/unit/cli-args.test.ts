// The CLI's one exit-code rule, as a table: every flag and DREAM_* variable with a bad value gives
// exit 2 and one line naming what the user typed; help, version, stray words, EPIPE.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SETTING_KEYS } from '../../src/engine';
import { envVarOf, SETTING_KINDS } from '../../src/cli/args';
import { COMMANDS, main } from '../../src/cli/main';
import { makeWorkspace, rm, tmpDir } from './helpers/fixture';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    { out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false },
    { DREAM_KEEP_AWAKE: 'false', ...env },
    cwd,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('dream CLI: exit codes and messages', function () {
  this.timeout(30000);
  let ws: string;
  before(() => (ws = makeWorkspace()));
  after(() => rm(ws));

  const flagTable: [string[], RegExp][] = [
    [['start', '--max-iterations', '-1'], /^dream: --max-iterations "-1": expected a whole number, 0 or more$/],
    [['start', '--max-iterations', 'x'], /^dream: --max-iterations "x": expected a whole number$/],
    [['start', '--max-iterations=2.5'], /^dream: --max-iterations "2.5": expected a whole number$/],
    [['start', '--run-timeout', '5x'], /^dream: --run-timeout "5x": expected a duration such as 8h, 90s or 1h30m$/],
    [['start', '--run-timeout', '0s'], /^dream: --run-timeout "0s": expected a duration/],
    [['start', '--warn-only=maybe'], /^dream: --warn-only "maybe": expected true or false$/],
    [['start', '--plateau-epsilon', 'abc'], /^dream: --plateau-epsilon "abc": expected a number$/],
    [['start', '--plateau-epsilon', '0'], /^dream: --plateau-epsilon "0": expected a number greater than 0$/],
    [['start', '--plateau-epsilon', '2'], /^dream: --plateau-epsilon "2": expected a number of at most 1$/],
    [['start', '--plateau-window', '1'], /^dream: --plateau-window "1": expected a whole number of 2 or more$/],
    [['start', '--plateau-window', '51'], /^dream: --plateau-window "51": expected a whole number of at most 50$/],
    [['start', '--queue', ''], /^dream: --queue "": expected a value$/],
    [['start', '--goal'], /^dream: --goal: expected a value/],
    [['start', '--keep-awake=2'], /^dream: --keep-awake "2": expected true or false$/],
    [['start', '--no-keep-awake=x'], /^dream: --no-keep-awake: takes no value$/],
    [['start', '--creative-lane=nope'], /^dream: --creative-lane "nope": expected true or false$/],
    [['start', '--bogus'], /^dream: unknown flag --bogus \(see: dream start --help\)$/],
    [['start', '-x'], /^dream: unknown flag -x/],
    [['start', 'tonight'], /^dream: unexpected argument "tonight" \(see: dream start --help\)$/],
    [['report', 'extra'], /^dream: unexpected argument "extra"/],
    [['report', '--from'], /^dream: --from: expected a value/],
    [['warn-only', 'reset', '--initial', '-2'], /^dream: --initial "-2": expected a whole number, 0 or more$/],
    [['warn-only', 'reset', '--initial', '101'], /^dream: --initial "101": expected a whole number of at most 100$/],
    [['warn-only', 'reset', 'now'], /^dream: unexpected argument "now"/],
    [['warn-only'], /^dream: dream warn-only: expected "reset"$/],
    [['warn-only', 'undo'], /^dream: dream warn-only: unknown subcommand "undo"/],
    [['frobnicate'], /^dream: unknown command "frobnicate"/],
  ];
  for (const [argv, msg] of flagTable) {
    it(`exit 2: dream ${argv.map((a) => JSON.stringify(a)).join(' ')}`, async () => {
      const r = await run([argv[0]!, '--workspace', ws, ...argv.slice(1)]);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.split('\n').length, 1, r.err);
      assert.match(r.err, msg);
      assert.equal(r.out, '');
    });
  }

  const envTable: [string, string, RegExp][] = [
    ['DREAM_MAX_ITERATIONS', 'zz', /^dream: DREAM_MAX_ITERATIONS="zz": expected a whole number$/],
    ['DREAM_MAX_ITERATIONS', '-1', /^dream: DREAM_MAX_ITERATIONS="-1": expected a whole number, 0 or more$/],
    ['DREAM_RUN_TIMEOUT', 'soon', /^dream: DREAM_RUN_TIMEOUT="soon": expected a duration such as 8h, 90s or 1h30m$/],
    ['DREAM_COUNCIL_RUNNER_TIMEOUT', '9', /^dream: DREAM_COUNCIL_RUNNER_TIMEOUT="9": expected a duration/],
    ['DREAM_PLATEAU_EPSILON', 'x', /^dream: DREAM_PLATEAU_EPSILON="x": expected a number$/],
    ['DREAM_PLATEAU_WINDOW', '1', /^dream: DREAM_PLATEAU_WINDOW="1": expected a whole number of 2 or more$/],
    ['DREAM_REGRESSION_FLOOR', '0', /^dream: DREAM_REGRESSION_FLOOR="0": expected a number greater than 0$/],
    ['DREAM_REGRESSION_FLOORS', '{nope', /^dream: DREAM_REGRESSION_FLOORS="\{nope": expected a JSON object$/],
    ['DREAM_REGRESSION_FLOORS', '{"speed":0.1}', /^dream: DREAM_REGRESSION_FLOORS="\{\\"speed\\":0.1\}": /],
    ['DREAM_WARN_ONLY', 'perhaps', /^dream: DREAM_WARN_ONLY="perhaps": expected true or false$/],
    ['DREAM_WARN_ONLY_BUDGET', '-3', /^dream: DREAM_WARN_ONLY_BUDGET="-3": expected a whole number, 0 or more$/],
    ['DREAM_KEEP_AWAKE', 'sometimes', /^dream: DREAM_KEEP_AWAKE="sometimes": expected true or false$/],
    ['DREAM_COUNCIL_MODELS', '{"gemini":"pro"}', /^dream: DREAM_COUNCIL_MODELS="\{\\"gemini\\":\\"pro\\"\}": /],
    ['DREAM_CREATIVE_LANE', '2', /^dream: DREAM_CREATIVE_LANE="2": expected true or false$/],
    ['DREAM_CONSENSUS_POLICY', 'loudest', /^dream: DREAM_CONSENSUS_POLICY="loudest": /],
    ['DREAM_SCHEDULER', 'at', /^dream: DREAM_SCHEDULER="at": /],
    ['DREAM_SCHEDULE_AT', '25:00', /^dream: DREAM_SCHEDULE_AT="25:00": must be HH:MM/],
    ['DREAM_QUEUE_FILE', '', /^dream: DREAM_QUEUE_FILE="": /],
    ['DREAM_STALE_DAYS', '0', /^dream: DREAM_STALE_DAYS="0": expected a whole number of 1 or more$/],
    ['DREAM_DEDUPE_THRESHOLD', '0.1', /^dream: DREAM_DEDUPE_THRESHOLD="0.1": expected a number of 0.5 or more$/],
    ['DREAM_RETENTION', 'forever', /^dream: DREAM_RETENTION="forever": /],
    ['DREAM_MAX_RETIRE_PER_NIGHT', 'lots', /^dream: DREAM_MAX_RETIRE_PER_NIGHT="lots": /],
    ['DREAM_REPORT_RETENTION', 'all', /^dream: DREAM_REPORT_RETENTION="all": expected a whole number$/],
    ['DREAM_RUNNERS', '', /.^/], // an empty list is allowed: see below
    ['DREAM_LOCAL_CURATOR', '{"enabled":"yes"}', /^dream: DREAM_LOCAL_CURATOR="\{\\"enabled\\":\\"yes\\"\}": /],
  ];
  it('the env table names every setting', () => {
    assert.deepEqual(Object.keys(SETTING_KINDS).sort(), [...SETTING_KEYS].sort());
    const named = new Set(envTable.map(([n]) => n));
    for (const k of SETTING_KEYS) assert.ok(named.has(envVarOf(k)), `no row for ${envVarOf(k)}`);
  });
  for (const [name, value, msg] of envTable) {
    if (name === 'DREAM_RUNNERS') continue;
    it(`exit 2: ${name}=${JSON.stringify(value)}`, async () => {
      const r = await run(['start', '--workspace', ws], { [name]: value });
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.split('\n').length, 1, r.err);
      assert.match(r.err, msg);
    });
  }
  it('DREAM_RUNNERS="" is an empty list (no error); a flag beats the environment', async () => {
    const r = await run(['warn-only', 'reset', '--workspace', ws, '--json'], { DREAM_RUNNERS: '', DREAM_WARN_ONLY_BUDGET: '6' });
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).remaining, 6);
    const f = await run(['warn-only', 'reset', '--workspace', ws, '--json', '--initial', '2'], { DREAM_WARN_ONLY_BUDGET: '6' });
    assert.equal(JSON.parse(f.out).remaining, 2);
  });

  it('a bad value in config.yaml is bad input (exit 1) naming the file and key', async () => {
    const w = makeWorkspace({ learnings: 1 });
    fs.writeFileSync(path.join(w, '.agents/dream/config.yaml'), 'dream:\n  warn_only_budget: -1\n', { flag: 'w' });
    const r = await run(['warn-only', 'reset', '--workspace', w]);
    assert.equal(r.code, 1);
    assert.match(r.err, /config\.yaml: dream\.warnOnlyBudget/);
    rm(w);
  });

  it('warn-only reset: the configured budget, --initial 0 means zero', async () => {
    const w = makeWorkspace({ learnings: 1 });
    fs.mkdirSync(path.join(w, '.agents/dream'), { recursive: true });
    fs.writeFileSync(path.join(w, '.agents/dream/config.yaml'), 'dream:\n  warnOnlyBudget: 5\n');
    assert.match((await run(['warn-only', 'reset', '--workspace', w])).out, /remaining=5 initial=5/);
    assert.match((await run(['warn-only', 'reset', '--workspace', w, '--initial', '0'])).out, /remaining=0 initial=0/);
    rm(w);
  });

  it('no .agents/: exit 1, one line', async () => {
    const empty = tmpDir();
    const r = await run(['start', '--workspace', empty]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^dream: no \.agents\/ corpus/);
    rm(empty);
  });

  it('report --from resolves against the current folder; its error names the folder given', async () => {
    const cwd = tmpDir();
    const r = await run(['report', '--from', 'nowhere/run'], {}, cwd);
    assert.equal(r.code, 1);
    assert.equal(r.err, `dream: --from "nowhere/run": no such folder or file (looked at ${path.join(cwd, 'nowhere/run')})`);
    rm(cwd);
  });

  it('every command has --help with its flags and examples; the overview lists curator and setup', async () => {
    for (const c of COMMANDS) {
      const r = await run([c.name, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^dream ${c.name} — `));
      for (const f of c.flags) assert.ok(r.out.includes(`--${f.name}`), `${c.name} --help lacks --${f.name}`);
      assert.match(r.out, /Examples:\n  dream /);
    }
    const o = await run(['--help']);
    assert.match(o.out, /^\s+curator\s/m);
    assert.match(o.out, /^\s+setup\s/m);
    assert.equal((await run([])).code, 2);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
    const r = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), `dream ${pkg.version}`);
  });

  it('the installed command (bin/dream.cjs, what npm link puts on PATH) runs the CLI', () => {
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../../bin/dream.cjs'), 'start', '--max-iterations', '-1'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'dream: --max-iterations "-1": expected a whole number, 0 or more\n');
  });

  it('piping into a closed pipe (head) ends quietly, no EPIPE trace', () => {
    const r = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${CLI}" start --help | head -c 1 >/dev/null; for i in 1 2 3 4 5 6; do "${process.execPath}" "${CLI}" help; done | head -n 1`,
      ],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
  });
});
