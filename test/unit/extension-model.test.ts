// Host logic of the VS Code extension that needs no VS Code: the runs tree model read from real run
// folders, summary reading (partial / newer), the report view-model, status bar text, the first
// move, HTML shell escaping and settings-layer extraction.
import assert from 'node:assert/strict';
import { readBeforeImage } from '../../src/engine/commit/beforePack';
import fs from 'node:fs';
import path from 'node:path';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import type { Summary } from '../../src/engine/core/schemas';
import { escapeHtml, reportCsp, reportHtml } from '../../src/extension/model/html';
import { iterationDescription, runDescription, statusBarView } from '../../src/extension/model/format';
import { formatElapsed, signed } from '../../src/engine/core/format';
import {
  actionForCommand,
  buildReportViewModel,
  commandInText,
  firstMove,
  MAX_REVIEW_IN_REPORT,
} from '../../src/extension/model/reportModel';
import { changeCount, diffSides, RunsReader, runStateOf, safeAgentsPath, SLIM_CHANGES, slimSummary } from '../../src/engine/report/runs';
import { runIdToDate } from '../../src/engine/core/runId';
import { describeSources, extractUserSettings, vscodeSettingKeys } from '../../src/engine/run/settingSources';
import { parseSummaryObject, parseSummaryText, SummaryReadError } from '../../src/engine/report/summaryRead';
import { corpusFolders, insideFolder } from '../../src/extension/model/folders';
import { reportViewModelSchema } from '../../src/protocol/webview';
import { makeWorkspace, rm, write } from './helpers/fixture';

const NOW = () => new Date('2026-11-23T03:00:00Z');

describe('extension host model (no VS Code)', function () {
  this.timeout(60000);
  let ws: string;
  let summary: Summary;
  let runId: string;

  before(async () => {
    ws = makeWorkspace();
    // a learning whose title is markup: it must stay text everywhere
    write(
      ws,
      '.agents/learnings/xss.md',
      '---\ntitle: "<img src=x onerror=alert(1)>"\nmaturity: provisional\ndate: 2026-11-20\n---\n# <img src=x onerror=alert(1)>\n\nbody text about script tags.\n',
    );
    const out = await runBedtime({ workspace: ws, settings: resolveSettings({ args: { keepAwake: false, maxIterations: 3 } }), now: NOW });
    summary = out.summary;
    runId = out.runId;
  });
  after(() => rm(ws));

  describe('runs tree model', () => {
    it('lists runs newest first with their state, iterations and changes', async () => {
      const reader = new RunsReader(ws);
      // a second, older, interrupted run (status running, no lock)
      const older = '20200101T000000Z';
      const interrupted = { ...summary, run_id: older, status: 'running', finished_at: null, iterations: summary.iterations.slice(0, 1) };
      write(ws, `.agents/overnight/runs/${older}/summary.json`, JSON.stringify(interrupted));
      const runs = await reader.listRuns();
      assert.deepEqual(
        runs.map((r) => r.runId),
        [runId, older],
      );
      assert.equal(runs[0]!.state, 'done');
      assert.equal(runs[1]!.state, 'interrupted');
      const its = await reader.iterations(runs[0]!);
      assert.equal(its.length, summary.iterations.length);
      assert.ok(
        its.some((it) => it.changes.length > 0),
        'the sample run changed something',
      );
      rm(path.join(ws, `.agents/overnight/runs/${older}`));
    });

    it('merges iteration files the summary does not list yet (interrupted between the two writes)', async () => {
      const reader = new RunsReader(ws);
      const run = (await reader.listRuns())[0]!;
      const trimmed = { ...run, summary: { ...run.summary!, iterations: run.summary!.iterations.slice(0, 1) } };
      const its = await reader.iterations(trimmed);
      assert.equal(its.length, summary.iterations.length, 'iter-N.json files fill the gap');
      assert.deepEqual(
        its.map((i) => i.index),
        summary.iterations.map((i) => i.index),
      );
    });

    it('reads a big night slim (500 changes an iteration) and lists every change of an iteration when asked', async () => {
      const big = '20200202T000000Z';
      const base = summary.iterations.find((it) => it.changes.length > 0)!;
      const many = Array.from({ length: 1234 }, (_, i) => ({ ...base.changes[0]!, path: `learnings/n-${i}.md` }));
      const its = [{ ...base, index: 1, committed: true, changes: many }];
      write(ws, `.agents/overnight/runs/${big}/summary.json`, JSON.stringify({ ...summary, run_id: big, iterations: its }));
      try {
        const reader = new RunsReader(ws);
        const run = (await reader.listRuns()).find((r) => r.runId === big)!;
        const it = run.summary!.iterations[0]!;
        assert.equal(it.changes.length, SLIM_CHANGES, 'the slim summary keeps the first changes only');
        assert.equal(changeCount(run, it), 1234);
        assert.match(iterationDescription(it, changeCount(run, it)), /1234 changes/);
        const all = await reader.changesOf(run, it);
        assert.deepEqual(
          all.map((c) => c.path),
          many.map((c) => c.path),
          'every change, in order, from the summary (no iter-1.json)',
        );
        // the iteration file, when there is one, is the source
        write(ws, `.agents/overnight/runs/${big}/iterations/iter-1.json`, JSON.stringify({ ...its[0], changes: many.slice(0, 700) }));
        assert.equal((await reader.changesOf(run, it)).length, 700);
        const model = buildReportViewModel(run.summary!, { summaryPath: run.summaryPath, changesTotal: run.changesTotal });
        assert.equal(model.changesTotal, 1234, 'the report counts every change');
        assert.equal(model.iterations[0]!.changes, 1234);
        assert.equal(model.changes.length, SLIM_CHANGES);
        // a small summary is not cut
        assert.deepEqual(slimSummary({ summary, notes: [] }).changesTotal, {});
        // thousands of notes proposed for review: the report lists the first ones and counts them all
        const proposals = Array.from({ length: 1500 }, (_, i) => ({ path: `learnings/p-${i}.md`, reason: 'age only', command: 'x' }));
        const withProps = buildReportViewModel({ ...summary, proposals } as Summary, { summaryPath: run.summaryPath });
        assert.equal(withProps.review.length, MAX_REVIEW_IN_REPORT);
        assert.equal(withProps.reviewTotal, 1500);
        assert.equal(withProps.review[0]!.path, 'learnings/p-0.md');
        reportViewModelSchema.parse(withProps);
      } finally {
        rm(path.join(ws, `.agents/overnight/runs/${big}`));
      }
    });

    it('derives running / interrupted / failed / done', () => {
      assert.equal(
        runStateOf({ ...summary, status: 'running' }, runId, { runId, pid: process.pid, alive: true, sameHost: true }),
        'running',
      );
      assert.equal(
        runStateOf({ ...summary, status: 'running' }, runId, { runId, pid: 999999, alive: false, sameHost: true }),
        'interrupted',
      );
      assert.equal(runStateOf({ ...summary, status: 'running' }, runId, null), 'interrupted');
      assert.equal(runStateOf({ ...summary, status: 'failed' }, runId, null), 'failed');
      assert.equal(runStateOf(summary, runId, null), 'done');
      assert.equal(runStateOf(null, runId, null), 'unknown');
    });

    it('maps a change to its diff sides (before-image ↔ current, moved_to for archived notes)', () => {
      const archived = summary.iterations
        .flatMap((i) => i.changes)
        .find((c) => (c.kind === 'archived' || c.kind === 'superseded') && c.moved_to);
      assert.ok(archived, 'the sample run archives or supersedes a note');
      const sides = diffSides(ws, archived)!;
      assert.equal(sides.current, path.join(ws, '.agents', ...archived.moved_to!.split('/')));
      assert.ok(sides.before && readBeforeImage(ws, archived.before!), 'the before-image is kept (in its pack)');
      const added = diffSides(ws, { path: 'learnings/new.md', kind: 'added', before: null });
      assert.equal(added!.before, null);
      assert.equal(diffSides(ws, { path: '../../etc/passwd', kind: 'modified', before: null }), null, 'no path outside .agents/');
      assert.equal(diffSides(ws, { path: 'learnings/a.md', kind: 'modified', before: '../../x' }), null);
      assert.equal(safeAgentsPath(ws, '/etc/passwd'), null);
    });

    it('reads run ids as dates', () => {
      assert.equal(runIdToDate('20261123T030000Z')!.toISOString(), '2026-11-23T03:00:00.000Z');
      assert.equal(runIdToDate('nope'), null);
    });
  });

  describe('summary reading', () => {
    it('accepts a valid summary with no notes', () => {
      const r = parseSummaryText(JSON.stringify(summary), 'x/summary.json');
      assert.deepEqual(r.notes, []);
      assert.equal(r.summary.run_id, runId);
    });
    it('renders what it can of a partial summary and says what it could not', () => {
      const partial: Record<string, unknown> = { ...summary, dreamscape: 'garbage' };
      delete partial.degraded;
      const r = parseSummaryObject(partial, 'x/summary.json');
      assert.equal(r.summary.run_id, runId);
      assert.equal(r.summary.iterations.length, summary.iterations.length);
      assert.match(r.notes.join(' '), /dreamscape/);
      assert.match(r.notes.join(' '), /missing: degraded/);
    });
    it('names a newer schema_version', () => {
      const r = parseSummaryObject({ ...summary, schema_version: 3, future_field: 1 }, 'x/summary.json');
      assert.match(r.notes[0]!, /schema_version 3, newer/);
      assert.equal(r.summary.status, summary.status);
    });
    it('keeps the iterations that parse', () => {
      const bad = { ...summary, iterations: [...summary.iterations, { index: 'x' }] };
      const r = parseSummaryObject(bad, 'x/summary.json');
      assert.equal(r.summary.iterations.length, summary.iterations.length);
      assert.match(r.notes.join(' '), /1 of \d+ iterations/);
    });
    it('refuses what is not a summary', () => {
      assert.throws(() => parseSummaryText('{not json', 'f'), SummaryReadError);
      assert.throws(() => parseSummaryObject([], 'f'), /not a Dream summary/);
      assert.throws(() => parseSummaryObject({ run_id: 'x' }, 'f'), /no schema_version/);
    });
  });

  describe('report view-model', () => {
    it('puts the four answers first and validates against the protocol schema', () => {
      const vm = buildReportViewModel(summary, { summaryPath: '/x/summary.json' });
      assert.ok(reportViewModelSchema.safeParse(vm).success);
      assert.deepEqual(
        vm.answers.map((a) => a.question),
        ['What state did I wake up to?', 'What ran?', 'What degraded or failed?', 'What should I do first?'],
      );
      assert.ok(vm.answers.every((a) => a.answer.length > 0));
      assert.equal(vm.banner, null);
      assert.equal(vm.iterations.length, summary.iterations.length);
      assert.equal(vm.fitness.points.length, summary.iterations.length + 1);
      for (const s of vm.fitness.series) {
        assert.equal(s.values.length, vm.fitness.points.length);
        assert.ok(s.values.every((v) => v === null || (v >= 0 && v <= 1)));
      }
      assert.equal(vm.fitness.rows.length, vm.fitness.series.length);
      assert.equal(vm.council, null, 'council: not run');
      assert.equal(vm.curator, null);
      assert.equal(
        vm.changesTotal,
        summary.iterations.reduce((a, it) => a + it.changes.length, 0),
      );
    });

    it('keeps corpus markup as plain strings (the webview renders them with textContent)', () => {
      const evil = '<img src=x onerror=alert(1)>';
      const s: Summary = {
        ...summary,
        goal: evil,
        degraded: [evil],
        iterations: summary.iterations.map((it, i) =>
          i === 0 ? { ...it, changes: [{ path: 'learnings/xss.md', kind: 'modified', reason: evil, before: null }] } : it,
        ),
      };
      const vm = buildReportViewModel(s, { summaryPath: '/x' });
      assert.equal(vm.goal, evil);
      assert.equal(vm.changes[0]!.reason, evil);
      assert.equal(vm.degraded[0], evil);
    });

    it('shows failed and running runs honestly', () => {
      const failed = buildReportViewModel(
        { ...summary, status: 'failed', failing_step: 'reduce', failure_reason: 'disk full' },
        { summaryPath: '/x' },
      );
      assert.deepEqual(failed.banner, { kind: 'failed', text: 'This run failed at step reduce: disk full' });
      const running = buildReportViewModel({ ...summary, status: 'running' }, { summaryPath: '/x' });
      assert.equal(running.banner?.kind, 'running');
      assert.match(running.banner!.text, /still running or was interrupted/);
      const live = buildReportViewModel({ ...summary, status: 'running' }, { summaryPath: '/x', live: true });
      assert.match(live.banner!.text, /still running/);
      assert.deepEqual(live.firstMove.action, { kind: 'command', command: 'dream.stop', args: [] });
    });

    it('turns the first move into an action', () => {
      assert.deepEqual(actionForCommand('code ".agents/dream/tonight.md"'), { kind: 'open-file', path: '.agents/dream/tonight.md' });
      assert.deepEqual(actionForCommand('dream start --resume 20261123T030000Z'), {
        kind: 'command',
        command: 'dream.resume',
        args: ['20261123T030000Z'],
      });
      assert.deepEqual(actionForCommand('dream report'), { kind: 'command', command: 'dream.openReport', args: [] });
      assert.deepEqual(actionForCommand('dream warn-only reset --workspace "/a b"'), {
        kind: 'command',
        command: 'dream.resetWarnOnly',
        args: [],
      });
      assert.deepEqual(actionForCommand('rm -rf /'), { kind: 'none' });
      assert.equal(commandInText('Read why, then resume it: `dream start --resume X`.'), 'dream start --resume X');
      const failed = firstMove(
        {
          ...summary,
          status: 'failed',
          next_action: 'Read why the run failed (x), then resume it: `dream start --resume 20261123T030000Z`.',
        },
        false,
      );
      assert.equal(failed.label, 'Resume Run');
      const fm = firstMove(summary, false);
      assert.notEqual(fm.action.kind, 'none', `first move of the sample run: ${summary.next_action}`);
    });
  });

  describe('status bar and tree text', () => {
    it('formats idle, running, finished and failed', () => {
      assert.equal(statusBarView({ kind: 'idle' }, 0).text, '$(moon) Dream');
      const t0 = Date.parse('2026-11-23T01:00:00Z');
      assert.equal(
        statusBarView(
          { kind: 'running', runId: 'r', iteration: 3, stage: 'reduce', startedAt: t0, stopping: false },
          t0 + 12 * 60_000 + 5000,
        ).text,
        '$(sync~spin) Dream: iteration 3 · 12m',
      );
      assert.match(
        statusBarView({ kind: 'running', runId: 'r', iteration: 3, stage: null, startedAt: t0, stopping: true }, t0).text,
        /stopping$/,
      );
      assert.equal(
        statusBarView({ kind: 'finished', runId: 'r', status: 'done', haltReason: 'plateau', failureReason: null }, 0).text,
        '$(check) Dream: done · plateau',
      );
      const failed = statusBarView({ kind: 'finished', runId: 'r', status: 'failed', haltReason: 'error', failureReason: 'boom' }, 0);
      assert.equal(failed.text, '$(error) Dream: failed');
      assert.equal(failed.background, 'error');
      assert.match(failed.tooltip, /boom/);
    });
    it('formats elapsed time, deltas and descriptions', () => {
      assert.equal(formatElapsed(45_000), '45s');
      assert.equal(formatElapsed(12 * 60_000), '12m');
      assert.equal(formatElapsed(65 * 60_000), '1h05m');
      assert.equal(signed(0.0123), '+0.012');
      assert.equal(signed(-0.5), '-0.500');
      assert.equal(signed(0), '±0.000');
      assert.equal(runDescription('done', 'plateau', 2, false), 'plateau · 2 iterations');
      assert.equal(runDescription('interrupted', null, 1, false), 'interrupted — resumable · 1 iteration');
      assert.match(
        iterationDescription({ status: 'done', fitness_delta: 0.02, duration_ms: 1500, committed: true, changes: [] }),
        /^\+0\.020 · 1\.5s · done · 0 changes$/,
      );
      assert.equal(
        iterationDescription({ status: 'cancelled', fitness_delta: 0.219, duration_ms: 1500, committed: false, changes: [] }),
        '— · 1.5s · cancelled (not live)',
      );
    });
  });

  describe('report HTML shell', () => {
    it('escapes everything it interpolates and sets a strict nonce CSP', () => {
      assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&`), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
      const csp = reportCsp('https://csp.example', 'abc');
      assert.equal(
        csp,
        "default-src 'none'; style-src https://csp.example 'nonce-abc'; script-src 'nonce-abc'; img-src https://csp.example data:; font-src https://csp.example",
      );
      const html = reportHtml({
        cspSource: 'vscode-resource:',
        nonce: 'N1',
        scriptUri: 'vscode-resource:/dist/webview.js',
        styleUri: 'vscode-resource:/media/report.css',
        title: '<b>x</b>',
      });
      assert.match(html, /<script nonce="N1" src="vscode-resource:\/dist\/webview.js"><\/script>/);
      assert.ok(!html.includes('<b>x</b>'));
      assert.ok(!/<script(?![^>]*nonce)/.test(html), 'every script carries the nonce');
      assert.ok(!/https?:\/\//.test(html), 'no remote content');
    });
    it('the webview script never writes data as markup', () => {
      const src = fs.readFileSync(path.join(process.cwd(), 'src/webview/main.ts'), 'utf8');
      assert.ok(!/\.innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(src));
    });
  });

  describe('settings layer', () => {
    it('takes only values the user set, folder > workspace > user', () => {
      const layer = extractUserSettings((key) => {
        if (key === 'runTimeout') return { defaultValue: '8h', globalValue: '2h', workspaceValue: '3h' };
        if (key === 'maxIterations') return { defaultValue: 0, globalValue: 5, workspaceFolderValue: 2 };
        if (key === 'warnOnly') return { defaultValue: true };
        if (key === 'localCurator.enabled') return { defaultValue: false, globalValue: true };
        return { defaultValue: undefined };
      });
      assert.deepEqual(layer.values, { runTimeout: '3h', maxIterations: 2, localCurator: { enabled: true } });
      assert.deepEqual(layer.origins, { runTimeout: 'workspace', maxIterations: 'workspaceFolder', 'localCurator.enabled': 'user' });
      // config.yaml still applies to keys the user left alone; args win over everything
      const s = resolveSettings({
        config: { warnOnly: false, runTimeout: '1h', localCurator: { model: 'gemma3:4b' } },
        user: layer.values,
        userLabel: 'VS Code settings',
        args: { maxIterations: 7 },
      });
      assert.equal(s.warnOnly, false);
      assert.equal(s.runTimeout, '3h');
      assert.equal(s.maxIterations, 7);
      assert.deepEqual([s.localCurator.enabled, s.localCurator.model], [true, 'gemma3:4b']);
      const src = describeSources({ args: { maxIterations: 7 }, user: layer, config: { warnOnly: false } }, s);
      const by = Object.fromEntries(src.map((x) => [x.key, x.source]));
      assert.equal(by.maxIterations, 'command arguments');
      assert.equal(by.runTimeout, 'VS Code settings (workspace)');
      assert.equal(by.warnOnly, '.agents/dream/config.yaml');
      assert.equal(by.staleDays, 'default');
      assert.equal(by['localCurator.enabled'], 'VS Code settings (user)');
    });
    it('a bad VS Code value is an error naming the key and the source', () => {
      assert.throws(
        () => resolveSettings({ user: { runTimeout: 'soon' }, userLabel: 'VS Code settings' }),
        /VS Code settings: dream\.runTimeout/,
      );
    });
    it('covers every setting key (localCurator as dotted sub-keys)', () => {
      const keys = vscodeSettingKeys();
      assert.ok(keys.includes('localCurator.allowedJobKinds'));
      assert.ok(!keys.includes('localCurator'));
    });
  });

  describe('folders', () => {
    it('finds the folders that hold .agents/ and keeps paths inside the folder', async () => {
      const other = path.join(ws, 'src');
      assert.deepEqual(await corpusFolders([other, ws]), [ws]);
      assert.equal(insideFolder(ws, '.agents/dream/tonight.md'), path.join(ws, '.agents/dream/tonight.md'));
      assert.equal(insideFolder(ws, '../elsewhere'), null);
      assert.equal(insideFolder(ws, '/etc/passwd'), null);
    });
  });
});
