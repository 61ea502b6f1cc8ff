// The loop's truth table: for every iteration status, the corpus hash (excluding overnight/)
// changes exactly when the status says the corpus was compounded. Each status is produced by the
// real engine, with injected faults where a failure is needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import type { Faults } from '../../src/engine/core/faults';
import type { IterationRecord } from '../../src/engine/core/schemas';
import { compounded } from '../../src/engine/report/report';
import { corpusHash, makeWorkspace, rm } from './helpers/fixture';

const NOW = () => new Date('2026-11-23T03:00:00Z');

async function runWith(ws: string, args: Record<string, unknown>, faults: Faults = {}, signal?: AbortSignal, onIter?: (n: number) => void) {
  const hashes: { before: string; after?: string; it?: IterationRecord }[] = [];
  const outcome = await runBedtime({
    workspace: ws,
    settings: resolveSettings({ args: { keepAwake: false, ...args } }),
    faults,
    signal,
    now: NOW,
    onEvent: (e) => {
      if (e.type === 'iteration-started') {
        hashes.push({ before: corpusHash(ws) });
        onIter?.(e.index);
      }
      if (e.type === 'iteration-finished') {
        const h = hashes[hashes.length - 1]!;
        h.after = corpusHash(ws);
        h.it = e.iteration;
      }
    },
  });
  return { outcome, hashes };
}

function assertInvariant(hashes: { before: string; after?: string; it?: IterationRecord }[]) {
  assert.ok(hashes.length > 0, 'at least one iteration ran');
  for (const h of hashes) {
    assert.ok(h.it && h.after, 'iteration finished');
    const changed = h.before !== h.after;
    assert.equal(
      changed,
      compounded(h.it!),
      `iteration ${h.it!.index} status ${h.it!.status} committed=${h.it!.committed}: hash changed=${changed}`,
    );
  }
}

describe('loop invariants (corpus hash vs iteration status)', function () {
  this.timeout(30000);
  let ws: string;
  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => rm(ws));

  it('done then halted-on-plateau: a normal run compounds, then stops when nothing is left', async () => {
    const { outcome, hashes } = await runWith(ws, {});
    assertInvariant(hashes);
    const statuses = outcome.summary.iterations.map((i) => i.status);
    assert.equal(statuses[0], 'done');
    assert.equal(statuses[statuses.length - 1], 'halted-on-plateau');
    assert.equal(outcome.summary.halt_reason, 'plateau');
    assert.equal(outcome.status, 'done');
    assert.ok(outcome.summary.iterations[0]!.changes.length > 0);
  });

  it('with no iteration limit (max_iterations 0) and no lanes, the summary holds each iteration as the next one starts', async () => {
    const seen: number[] = [];
    const { outcome } = await runWith(ws, { maxIterations: 0 }, {}, undefined, (n) => {
      if (n < 2) return;
      const latest = JSON.parse(fs.readFileSync(path.join(ws, '.agents/overnight/latest/summary.json'), 'utf8')) as {
        iterations: unknown[];
      };
      seen.push(latest.iterations.length);
    });
    assert.ok(outcome.summary.iterations.length >= 2, 'the run had a second iteration');
    assert.deepEqual(
      seen,
      seen.map((_, i) => i + 1),
      'iteration n-1 was in the summary when iteration n started',
    );
  });

  it('halted-on-regression-pre-commit in strict mode rolls back', async () => {
    const { outcome, hashes } = await runWith(
      ws,
      { warnOnly: false },
      { regressAt: { iteration: 1, metric: 'citation_validity', drop: 0.5 } },
    );
    assertInvariant(hashes);
    assert.equal(outcome.summary.iterations[0]!.status, 'halted-on-regression-pre-commit');
    assert.equal(outcome.summary.halt_reason, 'regression');
    assert.match(outcome.summary.regression_reason ?? '', /citation_validity/);
    assert.equal(outcome.summary.iterations[0]!.regressions[0]!.name, 'citation_validity');
  });

  it('degraded: warn-only commits a regression and spends one rescue', async () => {
    const { outcome, hashes } = await runWith(ws, { warnOnly: true }, { regressAt: { iteration: 1, metric: 'freshness', drop: 0.5 } });
    assertInvariant(hashes);
    const first = outcome.summary.iterations[0]!;
    assert.equal(first.status, 'degraded');
    assert.equal(first.committed, true);
    assert.equal(outcome.summary.warn_only_remaining, 2);
    const budget = JSON.parse(fs.readFileSync(path.join(ws, '.agents/overnight/warn-only-budget.json'), 'utf8'));
    assert.equal(budget.remaining, 2);
    assert.ok(first.degraded.some((d) => /regression beyond floor \(warn-only\)/.test(d)));
  });

  it('warn-only with a spent budget halts strictly', async () => {
    fs.mkdirSync(path.join(ws, '.agents/overnight'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, '.agents/overnight/warn-only-budget.json'),
      JSON.stringify({ version: 1, remaining: 0, initial_budget: 3 }),
    );
    const { outcome, hashes } = await runWith(ws, { warnOnly: true }, { regressAt: { iteration: 1, metric: 'freshness', drop: 0.5 } });
    assertInvariant(hashes);
    assert.equal(outcome.summary.iterations[0]!.status, 'halted-on-regression-pre-commit');
    assert.match(outcome.summary.regression_reason ?? '', /warn-only budget exhausted/);
  });

  it('halted-on-regression-post-commit: writes a finding and the loop continues', async () => {
    const { outcome, hashes } = await runWith(ws, {}, { postCommitStripKey: 1 });
    assertInvariant(hashes);
    const first = outcome.summary.iterations[0]!;
    assert.equal(first.status, 'halted-on-regression-post-commit');
    assert.ok(outcome.summary.iterations.length >= 2, 'loop continued');
    const findings = fs.readdirSync(path.join(ws, '.agents/findings'));
    assert.ok(
      findings.some((f) => /postcommit/.test(f)),
      'post-commit finding written',
    );
  });

  it('rolled-back-pre-commit: a stripped key fails the pre-commit integrity check', async () => {
    const before = corpusHash(ws);
    const { outcome, hashes } = await runWith(ws, {}, { reduceStripKey: 1 });
    assertInvariant(hashes);
    assert.equal(outcome.summary.iterations[0]!.status, 'rolled-back-pre-commit');
    assert.equal(outcome.summary.halt_reason, 'integrity');
    assert.match(outcome.summary.iterations[0]!.error ?? '', /metadata integrity failed/);
    assert.equal(corpusHash(ws), before);
  });

  it('failed: an INGEST error fails the run, writes both summaries with status failed', async () => {
    const { outcome, hashes } = await runWith(ws, {}, { ingestError: 1 });
    assertInvariant(hashes);
    assert.equal(outcome.summary.iterations[0]!.status, 'failed');
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.exitCode, 1);
    const s = JSON.parse(fs.readFileSync(outcome.summaryPath, 'utf8'));
    assert.equal(s.status, 'failed');
    assert.match(s.failure_reason, /injected INGEST failure/);
    assert.ok(fs.readFileSync(outcome.reportPath, 'utf8').includes('failed'));
    assert.ok(s.runtime.log_path.endsWith('run.log'));
  });

  it('degraded without commit: MEASURE failures roll back and halt after 3', async () => {
    const { outcome, hashes } = await runWith(ws, {}, { measureError: 'all' });
    assertInvariant(hashes);
    assert.deepEqual(
      outcome.summary.iterations.map((i) => i.status),
      ['degraded', 'degraded', 'degraded'],
    );
    assert.ok(outcome.summary.iterations.every((i) => !i.committed));
    assert.equal(outcome.summary.halt_reason, 'measure-failures');
    assert.equal(outcome.summary.measure_failure_halt, true);
    assert.match(outcome.summary.failure_reason ?? '', /MEASURE/);
  });

  it('cancelled: a user stop mid-iteration rolls back the iteration', async () => {
    const ac = new AbortController();
    const before = corpusHash(ws);
    const { outcome, hashes } = await runWith(ws, {}, { stageDelayMs: 150 }, ac.signal, () => setTimeout(() => ac.abort(), 250));
    assertInvariant(hashes);
    assert.equal(outcome.summary.iterations[0]!.status, 'cancelled');
    assert.equal(outcome.summary.halt_reason, 'cancelled');
    assert.equal(corpusHash(ws), before);
  });

  it('budget: a deadline inside a stage is a clean stop, the run is done', async () => {
    const before = corpusHash(ws);
    const { outcome, hashes } = await runWith(ws, { runTimeout: '300ms' }, { stageDelayMs: 200 });
    assertInvariant(hashes);
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.summary.halt_reason, 'budget');
    assert.equal(outcome.summary.budget_exhausted, true);
    assert.equal(corpusHash(ws), before);
  });

  it('max-iterations stops after N iterations', async () => {
    const { outcome } = await runWith(ws, { maxIterations: 1 });
    assert.equal(outcome.summary.iterations.length, 1);
    assert.equal(outcome.summary.halt_reason, 'max-iterations');
  });

  it('a line an agent appends to next-work.jsonl during an iteration is kept', async () => {
    const nw = path.join(ws, '.agents/rpi/next-work.jsonl');
    fs.mkdirSync(path.dirname(nw), { recursive: true });
    fs.writeFileSync(nw, '{"id":"existing","items":[]}\n');
    const agentLine = '{"id":"appended-by-an-agent","items":[]}';
    await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false, maxIterations: 1 } }),
      now: NOW,
      onEvent: (e) => {
        if (e.type === 'stage' && e.stage === 'measure' && e.state === 'started') fs.appendFileSync(nw, agentLine + '\n');
      },
    });
    const lines = fs.readFileSync(nw, 'utf8').trim().split('\n');
    assert.equal(lines[0], '{"id":"existing","items":[]}');
    assert.equal(lines[1], agentLine);
    assert.match(lines[2]!, /dream-findings-router/);
    assert.equal(lines.length, 3);
  });
});
