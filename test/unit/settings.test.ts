// Settings: contract §9 defaults, precedence (args > user/env > config file > defaults), and clear
// errors naming the key and where the bad value came from.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDuration } from '../../src/engine/core/duration';
import { formatDuration } from '../../src/engine/core/format';
import {
  SettingsError,
  configPath,
  defaultSettings,
  envVarFor,
  readConfigFile,
  readEnv,
  resolveSettings,
} from '../../src/engine/run/settings';

function settingsError(fn: () => unknown, ...patterns: RegExp[]): string {
  let msg = '';
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SettingsError, `expected SettingsError, got ${String(e)}`);
    msg = (e as Error).message;
    for (const p of patterns) assert.match(msg, p);
    return true;
  });
  return msg;
}

describe('settings', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-settings-'));
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const writeConfig = (text: string) => {
    fs.mkdirSync(path.dirname(configPath(ws)), { recursive: true });
    fs.writeFileSync(configPath(ws), text);
  };

  it('defaults match the contract (§9, §6)', () => {
    const d = defaultSettings();
    assert.equal(d.runTimeout, '8h');
    assert.equal(d.maxIterations, 0);
    assert.equal(d.plateauEpsilon, 0.01);
    assert.equal(d.plateauWindow, 2);
    assert.equal(d.regressionFloor, 0.05);
    assert.deepEqual(d.regressionFloors, {});
    assert.equal(d.warnOnly, true);
    assert.equal(d.warnOnlyBudget, 3);
    assert.equal(d.keepAwake, true);
    assert.deepEqual(d.runners, []);
    assert.equal(d.creativeLane, false);
    assert.equal(d.councilRunnerTimeout, '90s');
    assert.equal(d.consensusPolicy, 'majority');
    assert.equal(d.scheduler, 'manual');
    assert.equal(d.scheduleAt, '');
    assert.equal(d.queueFile, '.agents/dream/tonight.md');
    assert.equal(d.staleDays, 30);
    assert.equal(d.dedupeThreshold, 0.8);
    assert.equal(d.reportRetention, 30);
    assert.equal(d.localCurator.enabled, false);
    assert.equal(d.localCurator.ollamaUrl, '');
    assert.equal(d.localCurator.model, 'gemma4:e4b');
    assert.equal(d.localCurator.hourlyCap, 20);
    assert.deepEqual(d.localCurator.allowedJobKinds, ['ingest-session', 'lint-wiki', 'dream-seed']);
    assert.deepEqual(resolveSettings({}), d);
  });

  it('the defaults agree with the VS Code settings declared in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    const d = defaultSettings() as unknown as Record<string, unknown>;
    for (const [key, spec] of Object.entries(props)) {
      const parts = key.replace(/^dream\./, '').split('.');
      let v: unknown = d;
      for (const p of parts) v = (v as Record<string, unknown>)[p];
      assert.deepEqual(v, spec.default, key);
    }
  });

  it('precedence: args > user/env > config file > defaults', () => {
    writeConfig('dream:\n  run_timeout: 2h\n  max_iterations: 5\n  stale_days: 10\n  warn_only: false\n');
    const config = readConfigFile(ws);
    const user = { maxIterations: 7, staleDays: 20 };
    const args = { staleDays: 40 };
    const s = resolveSettings({ config, user, args });
    assert.equal(s.staleDays, 40, 'args win');
    assert.equal(s.maxIterations, 7, 'user/env beats config');
    assert.equal(s.runTimeout, '2h', 'config beats defaults');
    assert.equal(s.warnOnly, false, 'config false beats default true');
    assert.equal(s.plateauWindow, 2, 'defaults fill the rest');
    // an undefined argument does not override
    assert.equal(resolveSettings({ config, user, args: { staleDays: undefined } }).staleDays, 20);
  });

  it('localCurator merges across layers', () => {
    const s = resolveSettings({
      config: { localCurator: { model: 'gemma3:4b', enabled: true } },
      user: { localCurator: { hourlyCap: 5 } },
    });
    assert.equal(s.localCurator.model, 'gemma3:4b');
    assert.equal(s.localCurator.enabled, true);
    assert.equal(s.localCurator.hourlyCap, 5);
    assert.equal(s.localCurator.ollamaUrl, '');
  });

  it('snake_case keys in config.yaml work (including nested local_curator)', () => {
    writeConfig(
      [
        'dream:',
        '  run_timeout: 1h30m',
        '  plateau_epsilon: 0.02',
        '  plateau_window: 3',
        '  regression_floor: 0.1',
        '  regression_floors:',
        '    uniqueness: 0.2',
        '  warn_only_budget: 5',
        '  keep_awake: false',
        '  council_runner_timeout: 2m',
        '  queue_file: .agents/dream/q.md',
        '  dedupe_threshold: 0.9',
        '  report_retention: 7',
        '  schedule_at: "01:30"',
        '  local_curator:',
        '    hourly_cap: 4',
        '    allowed_job_kinds: [lint-wiki]',
        '',
      ].join('\n'),
    );
    const s = resolveSettings({ config: readConfigFile(ws) });
    assert.equal(s.runTimeout, '1h30m');
    assert.equal(s.plateauEpsilon, 0.02);
    assert.equal(s.plateauWindow, 3);
    assert.equal(s.regressionFloor, 0.1);
    assert.deepEqual(s.regressionFloors, { uniqueness: 0.2 });
    assert.equal(s.warnOnlyBudget, 5);
    assert.equal(s.keepAwake, false);
    assert.equal(s.councilRunnerTimeout, '2m');
    assert.equal(s.queueFile, '.agents/dream/q.md');
    assert.equal(s.dedupeThreshold, 0.9);
    assert.equal(s.reportRetention, 7);
    assert.equal(s.scheduleAt, '01:30');
    assert.equal(s.localCurator.hourlyCap, 4);
    assert.deepEqual(s.localCurator.allowedJobKinds, ['lint-wiki']);
  });

  it('camelCase keys in config.yaml work too', () => {
    writeConfig('dream:\n  runTimeout: 3h\n  maxIterations: 2\n');
    const s = resolveSettings({ config: readConfigFile(ws) });
    assert.equal(s.runTimeout, '3h');
    assert.equal(s.maxIterations, 2);
  });

  it('a missing config file, an empty one, or one without a dream block is no settings', () => {
    assert.deepEqual(readConfigFile(ws), {});
    writeConfig('');
    assert.deepEqual(readConfigFile(ws), {});
    writeConfig('other_tool:\n  x: 1\n');
    assert.deepEqual(readConfigFile(ws), {});
  });

  it('invalid YAML in config.yaml is a clear SettingsError', () => {
    writeConfig('dream:\n  run_timeout: [8h\n  max_iterations: : 3\n');
    settingsError(() => readConfigFile(ws), /not valid YAML/, /config\.yaml/);
  });

  it('a config.yaml whose dream block is not a mapping is an error', () => {
    writeConfig('dream: 3\n');
    settingsError(() => readConfigFile(ws), /dream/);
    writeConfig('- a\n- b\n');
    settingsError(() => readConfigFile(ws), /dream/);
  });

  it('unknown keys in config.yaml are errors naming the key', () => {
    writeConfig('dream:\n  bogusSetting: 1\n');
    settingsError(() => resolveSettings({ config: readConfigFile(ws) }), /dream\.bogusSetting/, /unknown/, /config\.yaml/);
    writeConfig('dream:\n  bogus_key: 1\n');
    settingsError(() => resolveSettings({ config: readConfigFile(ws) }), /bogus_key|bogusKey/, /config\.yaml/);
    writeConfig('dream:\n  local_curator:\n    mystery: 1\n');
    settingsError(() => resolveSettings({ config: readConfigFile(ws) }), /mystery/);
  });

  it('a bad value is a SettingsError naming the key and its source', () => {
    settingsError(() => resolveSettings({ user: { runTimeout: 'forever' }, userLabel: 'environment' }), /dream\.runTimeout/, /environment/);
    settingsError(() => resolveSettings({ config: { plateauWindow: 1 } }), /dream\.plateauWindow/, /config\.yaml/);
    settingsError(() => resolveSettings({ args: { plateauWindow: 51 } }), /dream\.plateauWindow/, /arguments/);
    settingsError(
      () => resolveSettings({ user: { plateauEpsilon: 0 }, userLabel: 'VS Code settings' }),
      /dream\.plateauEpsilon/,
      /VS Code settings/,
    );
    settingsError(() => resolveSettings({ args: { maxIterations: -1 } }), /dream\.maxIterations/);
    settingsError(() => resolveSettings({ args: { regressionFloor: 0 } }), /dream\.regressionFloor/);
    settingsError(() => resolveSettings({ args: { warnOnly: 'yes' } }), /dream\.warnOnly/);
    settingsError(() => resolveSettings({ args: { scheduler: 'at' } }), /dream\.scheduler/);
    settingsError(() => resolveSettings({ args: { scheduleAt: '25:00' } }), /dream\.scheduleAt/);
    settingsError(() => resolveSettings({ args: { councilRunnerTimeout: '90' } }), /dream\.councilRunnerTimeout/);
    settingsError(() => resolveSettings({ args: { dedupeThreshold: 0.3 } }), /dream\.dedupeThreshold/);
    settingsError(() => resolveSettings({ args: { consensusPolicy: 'unanimous' } }), /dream\.consensusPolicy/);
    settingsError(() => resolveSettings({ args: { regressionFloors: { not_a_metric: 0.1 } } }), /regressionFloors/);
    settingsError(
      () => resolveSettings({ args: { localCurator: { allowedJobKinds: ['rm-rf'] } } }),
      /dream\.localCurator\.allowedJobKinds/,
    );
  });

  it('a bad value in a lower layer is an error even when a higher layer overrides it', () => {
    // never a silent default: the config file is broken and the user should hear about it
    settingsError(
      () => resolveSettings({ config: { runTimeout: 'soon' }, args: { runTimeout: '1h' } }),
      /dream\.runTimeout/,
      /config\.yaml/,
    );
  });

  it('environment: DREAM_MAX_ITERATIONS=3, DREAM_WARN_ONLY=false, DREAM_RUNNERS=codex,claude', () => {
    const env = readEnv({
      DREAM_MAX_ITERATIONS: '3',
      DREAM_WARN_ONLY: 'false',
      DREAM_RUNNERS: 'codex,claude',
      DREAM_RUN_TIMEOUT: '2h',
      DREAM_KEEP_AWAKE: '0',
      PATH: '/usr/bin',
      HOME: '/tmp',
    });
    assert.deepEqual(env, { maxIterations: 3, warnOnly: false, runners: ['codex', 'claude'], runTimeout: '2h', keepAwake: false });
    const s = resolveSettings({ user: env, userLabel: 'environment' });
    assert.equal(s.maxIterations, 3);
    assert.equal(s.warnOnly, false);
    assert.deepEqual(s.runners, ['codex', 'claude']);
    assert.equal(s.runTimeout, '2h');
    assert.equal(s.keepAwake, false);
  });

  it('environment variable names follow DREAM_<SNAKE_CASE>', () => {
    assert.equal(envVarFor('maxIterations'), 'DREAM_MAX_ITERATIONS');
    assert.equal(envVarFor('warnOnly'), 'DREAM_WARN_ONLY');
    assert.equal(envVarFor('runners'), 'DREAM_RUNNERS');
    assert.equal(envVarFor('plateauEpsilon'), 'DREAM_PLATEAU_EPSILON');
  });

  it('bad environment values are errors naming the key and the environment', () => {
    settingsError(
      () => resolveSettings({ user: readEnv({ DREAM_MAX_ITERATIONS: 'lots' }), userLabel: 'environment' }),
      /dream\.maxIterations/,
      /environment/,
    );
    settingsError(
      () => resolveSettings({ user: readEnv({ DREAM_WARN_ONLY: 'maybe' }), userLabel: 'environment' }),
      /dream\.warnOnly/,
      /environment/,
    );
    settingsError(() => resolveSettings({ user: readEnv({ DREAM_PLATEAU_WINDOW: '' }), userLabel: 'environment' }), /dream\.plateauWindow/);
  });

  it('environment overrides the config file, flags override the environment', () => {
    writeConfig('dream:\n  max_iterations: 9\n  runners: [claude]\n');
    const s = resolveSettings({
      config: readConfigFile(ws),
      user: readEnv({ DREAM_MAX_ITERATIONS: '3', DREAM_RUNNERS: 'codex' }),
      args: { maxIterations: 1 },
    });
    assert.equal(s.maxIterations, 1);
    assert.deepEqual(s.runners, ['codex']);
  });
});

describe('durations', () => {
  it('parses the forms users write', () => {
    assert.equal(parseDuration('8h'), 8 * 3600_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('90m'), 90 * 60_000);
    assert.equal(parseDuration('1h30m'), 90 * 60_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5h'), 5400_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration(' 2m '), 120_000);
  });

  it('rejects malformed or zero durations', () => {
    for (const bad of ['', '8', 'h', '8 h', '-1h', '1x', 'forever', '0s', '0h0m', '1h 30m']) {
      assert.throws(() => parseDuration(bad), /invalid duration/, JSON.stringify(bad));
    }
  });

  it('formats durations compactly', () => {
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(8 * 3600_000), '8h');
    assert.equal(formatDuration(3600_000 + 5000), '1h5s');
    assert.equal(formatDuration(parseDuration('1h30m')), '1h30m');
  });
});
