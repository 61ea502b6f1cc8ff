// Small decisions the contract leaves open, pinned so they do not drift.
import assert from 'node:assert/strict';
import { PlateauState } from '../../src/engine/run/plateau';
import { runBedtime } from '../../src/engine/run/run';
import { redactSecrets } from '../../src/engine/core/secrets';
import { resolveSettings } from '../../src/engine/run/settings';
import { makeWorkspace, rm } from './helpers/fixture';

describe('decisions', function () {
  this.timeout(20000);
  it('a secret is counted once even when two patterns cover it', () => {
    const r = redactSecrets('OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz123456');
    assert.equal(r.redactions, 1);
    assert.doesNotMatch(r.text, /sk-abc/);
  });

  it('a NaN composite delta never counts toward a plateau', () => {
    const p = new PlateauState(2, 0.01);
    assert.equal(p.observe(0.001), false);
    assert.equal(p.observe(Number.NaN), false);
    assert.equal(p.observe(0.001), false, 'the NaN reset the window');
    assert.equal(p.observe(0.001), true);
  });

  it('warnOnlyBudget 0 means no rescues: a regression halts and the budget file is untouched', async () => {
    const ws = makeWorkspace();
    try {
      const out = await runBedtime({
        workspace: ws,
        settings: resolveSettings({ args: { keepAwake: false, warnOnly: true, warnOnlyBudget: 0 } }),
        faults: { regressAt: { iteration: 1, metric: 'freshness', drop: 0.5 } },
      });
      assert.equal(out.summary.iterations[0]!.status, 'halted-on-regression-pre-commit');
      assert.equal(out.summary.warn_only_budget_initial, 0);
    } finally {
      rm(ws);
    }
  });
});
