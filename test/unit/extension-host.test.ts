// More host logic without VS Code: the run worker (dist/worker.js) driven through the typed
// protocol as the extension host drives it, the message schemas, and the manifest (every §10 command, every §9 setting mirrored from the engine's schema).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { JOB_KINDS, SCHEDULERS, defaultSettings, settingsSchema } from '../../src/engine/run/settings';
import { METRIC_NAMES } from '../../src/engine/core/schemas';
import { vscodeSettingKeys } from '../../src/engine/run/settingSources';
import { webviewStateSchema, webviewToHostSchema, hostToWebviewSchema } from '../../src/protocol/webview';
import { workerToHostSchema, type WorkerToHost } from '../../src/protocol/worker';
import { corpusHash, makeWorkspace, rm } from './helpers/fixture';

const repo = process.cwd();
const workerJs = path.join(repo, 'dist', 'worker.js');

function runWorker(
  start: Record<string, unknown>,
  onMessage?: (m: WorkerToHost, w: Worker) => void,
): Promise<{ messages: WorkerToHost[]; exit: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerJs, { name: 'Dream run (test)' });
    const messages: WorkerToHost[] = [];
    w.on('message', (raw) => {
      const p = workerToHostSchema.safeParse(raw);
      if (!p.success) return reject(new Error(`invalid worker message: ${JSON.stringify(raw).slice(0, 200)}`));
      messages.push(p.data);
      onMessage?.(p.data, w);
      if (p.data.type === 'finished' || p.data.type === 'error') void w.terminate();
    });
    w.on('error', reject);
    w.on('exit', (exit) => resolve({ messages, exit }));
    w.postMessage({ type: 'start', userSettings: {}, args: { keepAwake: false }, goal: '', resume: null, ...start });
  });
}

describe('extension host: worker protocol, manifest', function () {
  this.timeout(60000);

  describe('run worker (dist/worker.js)', () => {
    before(() => {
      // a missing build is a failure, never a silent skip
      assert.ok(fs.existsSync(workerJs), `${workerJs} is missing: build first (npm run build)`);
    });

    it('runs a bedtime run and posts events then one finished message', async () => {
      const ws = makeWorkspace();
      try {
        const { messages } = await runWorker({ workspace: ws, args: { keepAwake: false, maxIterations: 2 }, goal: 'tidy' });
        const kinds = messages.map((m) => (m.type === 'event' ? m.event.type : m.type));
        assert.equal(kinds[kinds.length - 1], 'finished');
        assert.ok(kinds.includes('run-started') && kinds.includes('iteration-finished') && kinds.includes('run-finished'));
        const fin = messages[messages.length - 1] as Extract<WorkerToHost, { type: 'finished' }>;
        assert.equal(fin.status, 'done');
        assert.equal(fin.exitCode, 0);
        assert.ok(fin.summaryPath && fs.existsSync(fin.summaryPath));
        assert.equal(JSON.parse(fs.readFileSync(fin.summaryPath!, 'utf8')).goal, 'tidy');
      } finally {
        rm(ws);
      }
    });

    it('cancel rolls back the iteration in progress: halt cancelled, corpus unchanged', async () => {
      const ws = makeWorkspace();
      try {
        const before = corpusHash(ws);
        let sent = false;
        const { messages } = await runWorker({ workspace: ws, faults: { stageDelayMs: 200 } }, (m, w) => {
          if (!sent && m.type === 'event' && m.event.type === 'stage' && m.event.stage === 'reduce') {
            sent = true;
            w.postMessage({ type: 'cancel', reason: 'test stop' });
          }
        });
        const fin = messages[messages.length - 1] as Extract<WorkerToHost, { type: 'finished' }>;
        assert.equal(fin.type, 'finished');
        assert.equal(fin.haltReason, 'cancelled');
        assert.equal(corpusHash(ws), before, 'the cancelled iteration left no change');
        assert.ok(!fs.existsSync(path.join(ws, '.agents/overnight/run.lock')), 'lock released');
      } finally {
        rm(ws);
      }
    });

    it('reports user-facing errors (no corpus, bad settings) as an error message', async () => {
      const empty = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dream-empty-'));
      try {
        const a = await runWorker({ workspace: empty });
        const e = a.messages.find((m) => m.type === 'error') as Extract<WorkerToHost, { type: 'error' }>;
        assert.equal(e.error.code, 'no-corpus');
        assert.match(e.error.message, /no \.agents\/ corpus/);
        fs.mkdirSync(path.join(empty, '.agents'));
        const b = await runWorker({ workspace: empty, userSettings: { runTimeout: 'soon' } });
        const e2 = b.messages.find((m) => m.type === 'error') as Extract<WorkerToHost, { type: 'error' }>;
        assert.match(e2.error.message, /VS Code settings: dream\.runTimeout/);
      } finally {
        rm(empty);
      }
    });
  });

  describe('message schemas', () => {
    it('accept what the host and webview send, reject anything else', () => {
      assert.ok(webviewToHostSchema.safeParse({ type: 'openDiff', iteration: 1, position: 0 }).success);
      assert.ok(webviewToHostSchema.safeParse({ type: 'firstMove' }).success);
      assert.ok(!webviewToHostSchema.safeParse({ type: 'openDiff', iteration: '1' }).success);
      assert.ok(!webviewToHostSchema.safeParse({ type: 'runCommand', command: 'workbench.action.terminal.new' }).success);
      assert.ok(!webviewToHostSchema.safeParse('ready').success);
      assert.ok(hostToWebviewSchema.safeParse({ type: 'error', message: 'x', summaryPath: null }).success);
      assert.ok(webviewStateSchema.safeParse({ summaryPath: '/a/summary.json', runId: 'r' }).success);
      assert.ok(!webviewStateSchema.safeParse({ summaryPath: 3 }).success);
      assert.ok(
        workerToHostSchema.safeParse({ type: 'finished', runId: 'r', status: 'done', summaryPath: null, exitCode: 0 }).success,
        'additive fields are optional',
      );
      assert.ok(!workerToHostSchema.safeParse({ type: 'event', event: { type: 'nope' } }).success);
    });
  });

  describe('manifest (package.json)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const c = pkg.contributes;

    it('contributes every command of §10 with category Dream and the exact titles', () => {
      const want: Record<string, string> = {
        'dream.setup': 'Setup',
        'dream.start': 'Start Bedtime Run',
        'dream.stop': 'Stop Run',
        'dream.resume': 'Resume Run',
        'dream.openReport': 'Open Morning Report',
        'dream.curatorStatus': 'Curator Status',
        'dream.curatorDiagnose': 'Curator Diagnose',
        'dream.curatorEnqueue': 'Curator Enqueue Job',
        'dream.curatorCompact': 'Curator Compact',
        'dream.curatorEvent': 'Curator Record Event',
        'dream.promoteDraft': 'Promote Draft',
        'dream.resetWarnOnly': 'Reset Warn-only Budget',
        'dream.showLog': 'Show Log',
      };
      const byId = new Map<string, { title: string; category: string }>(c.commands.map((x: { command: string }) => [x.command, x]));
      for (const [id, title] of Object.entries(want)) {
        assert.equal(byId.get(id)?.title, title, id);
        assert.equal(byId.get(id)?.category, 'Dream', id);
      }
      const stop = c.menus.commandPalette.find((m: { command: string }) => m.command === 'dream.stop');
      assert.equal(stop.when, 'dream.running');
      assert.match(c.menus.commandPalette.find((m: { command: string }) => m.command === 'dream.start').when, /!dream\.running/);
      assert.deepEqual(pkg.activationEvents.sort(), ['onStartupFinished', 'onWebviewPanel:dream.report', 'workspaceContains:.agents']);
    });

    it('mirrors every setting of the engine schema: type, default, enum', () => {
      const props = c.configuration.properties as Record<
        string,
        { type: string; default: unknown; enum?: string[]; items?: { enum?: string[] } }
      >;
      const defaults = defaultSettings() as unknown as Record<string, unknown>;
      const keys = vscodeSettingKeys();
      assert.deepEqual(
        Object.keys(props)
          .map((k) => k.replace(/^dream\./, ''))
          .sort(),
        [...keys].sort(),
      );
      for (const k of keys) {
        const [a, b] = k.split('.');
        const def = b ? (defaults[a!] as Record<string, unknown>)[b] : defaults[a!];
        const p = props[`dream.${k}`]!;
        assert.deepEqual(p.default, def, `default of dream.${k}`);
        const t = Array.isArray(def)
          ? 'array'
          : typeof def === 'object'
            ? 'object'
            : typeof def === 'number'
              ? Number.isInteger(def) && p.type === 'integer'
                ? 'integer'
                : 'number'
              : typeof def;
        assert.equal(p.type, t, `type of dream.${k}`);
        // every contributed default is valid for the engine
        assert.ok(settingsSchema.partial().safeParse(b ? { [a!]: { [b]: p.default } } : { [a!]: p.default }).success, k);
      }
      assert.deepEqual(props['dream.scheduler']!.enum, [...SCHEDULERS]);
      assert.deepEqual(props['dream.localCurator.allowedJobKinds']!.items!.enum, [...JOB_KINDS]);
      assert.deepEqual(Object.keys((props['dream.regressionFloors'] as unknown as { properties: object }).properties), [...METRIC_NAMES]);
    });

    it('declares limited untrusted support, the activity bar view, welcome views and a walkthrough', () => {
      const ut = pkg.capabilities.untrustedWorkspaces;
      assert.equal(ut.supported, 'limited');
      for (const k of ['dream.runners', 'dream.localCurator.enabled', 'dream.scheduler'])
        assert.ok(ut.restrictedConfigurations.includes(k), k);
      assert.equal(c.viewsContainers.activitybar[0].icon, 'media/dream.svg');
      assert.equal(c.views.dream[0].id, 'dream.runs');
      assert.ok(c.viewsWelcome.some((w: { when: string }) => /!dream\.hasCorpus/.test(w.when)));
      assert.ok(
        c.viewsWelcome.some(
          (w: { contents: string }) => /command:dream\.setup/.test(w.contents) && /command:dream\.start/.test(w.contents),
        ),
      );
      const steps = c.walkthroughs[0].steps as { media: { markdown?: string }; completionEvents: string[] }[];
      assert.ok(steps.length >= 3);
      for (const s of steps) {
        assert.ok(s.completionEvents.length > 0);
        assert.ok(fs.existsSync(path.join(repo, s.media.markdown!)), s.media.markdown);
      }
      for (const f of ['media/dream.svg', 'media/report.css', pkg.icon]) assert.ok(fs.existsSync(path.join(repo, f)), f);
    });
  });
});
