// Fitness deltas and regression floors (upstream fitness Delta tests, adapted to fitnessDelta()).
import assert from 'node:assert/strict';
import { DEFAULT_REGRESSION_FLOOR, fitnessDelta } from '../../src/engine/run/delta';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, msg ?? `${a} != ${b}`);

describe('fitnessDelta', () => {
  it('the default floor is 0.05', () => {
    assert.equal(DEFAULT_REGRESSION_FLOOR, 0.05);
  });

  it('all metrics improved: composite is the mean of the deltas, no regressions', () => {
    const r = fitnessDelta({ a: 0.5, b: 0.4, c: 0.1 }, { a: 0.6, b: 0.7, c: 0.2 });
    close(r.composite, (0.1 + 0.3 + 0.1) / 3);
    close(r.perMetric.a!, 0.1);
    close(r.perMetric.b!, 0.3);
    close(r.perMetric.c!, 0.1);
    assert.deepEqual(r.regressions, []);
    assert.equal(r.regressed, false);
  });

  it('0.70 -> 0.60 with floor 0.05 flags `a` with drop 0.10; composite (-0.10 + 0.02) / 2', () => {
    const r = fitnessDelta({ a: 0.7, b: 0.5 }, { a: 0.6, b: 0.52 }, {}, 0.05);
    assert.equal(r.regressed, true);
    assert.equal(r.regressions.length, 1);
    const reg = r.regressions[0]!;
    assert.equal(reg.name, 'a');
    close(reg.drop, 0.1);
    assert.equal(reg.previous, 0.7);
    assert.equal(reg.current, 0.6);
    assert.equal(reg.floor, 0.05);
    close(r.composite, (-0.1 + 0.02) / 2);
  });

  it('0.50 -> 0.47 is not a regression; composite -0.03', () => {
    const r = fitnessDelta({ a: 0.5 }, { a: 0.47 });
    assert.equal(r.regressed, false);
    assert.deepEqual(r.regressions, []);
    close(r.composite, -0.03);
  });

  it('mixed case flags only the dropping metric', () => {
    const r = fitnessDelta({ up: 0.4, down: 0.9, flat: 0.6, small: 0.5 }, { up: 0.8, down: 0.7, flat: 0.6, small: 0.48 });
    assert.deepEqual(
      r.regressions.map((x) => x.name),
      ['down'],
    );
    close(r.regressions[0]!.drop, 0.2);
    close(r.composite, (0.4 - 0.2 + 0 - 0.02) / 4);
  });

  it('no previous snapshot: composite 0, no regressions', () => {
    const r = fitnessDelta(null, { a: 0.1, b: 0.9 });
    assert.equal(r.composite, 0);
    assert.deepEqual(r.regressions, []);
    assert.equal(r.regressed, false);
  });

  // Contract §4 changes upstream's pin ("a missing metric is a full drop with current 0"): a metric
  // with nothing to measure is null (n/a), and the composite is the mean over metrics defined on both sides.
  it('a metric missing or n/a on either side is neither a regression nor part of the composite (§4)', () => {
    const r = fitnessDelta({ a: 0.5, b: 0.5, c: 0.9 }, { b: 0.7, c: null });
    assert.equal(r.regressed, false);
    assert.deepEqual(Object.keys(r.perMetric), ['b']);
    close(r.composite, 0.2);
    const back = fitnessDelta({ a: null, b: 0.5 }, { a: 1, b: 0.5 });
    assert.equal(back.composite, 0, 'a metric that becomes measurable is not improvement');
  });

  it('a metric new in the current vector is not a regression', () => {
    const r = fitnessDelta({ a: 0.5 }, { a: 0.5, b: 0.0 });
    assert.equal(r.regressed, false);
  });

  it('a per-metric floor override of 0.01 flags only `tight`', () => {
    const r = fitnessDelta({ tight: 0.5, loose: 0.5 }, { tight: 0.48, loose: 0.48 }, { tight: 0.01 });
    assert.deepEqual(
      r.regressions.map((x) => x.name),
      ['tight'],
    );
    assert.equal(r.regressions[0]!.floor, 0.01);
    close(r.regressions[0]!.drop, 0.02);
  });

  it('a per-metric floor can also be looser than the default', () => {
    const r = fitnessDelta({ a: 0.9, b: 0.9 }, { a: 0.8, b: 0.8 }, { a: 0.2 });
    assert.deepEqual(
      r.regressions.map((x) => x.name),
      ['b'],
    );
  });

  it('regressions come out in a deterministic sorted order, whatever the key order', () => {
    const prev1 = { zeta: 0.9, alpha: 0.9, mid: 0.9, ok: 0.5 };
    const curr1 = { mid: 0.1, ok: 0.5, zeta: 0.2, alpha: 0.3 };
    const prev2 = { ok: 0.5, mid: 0.9, alpha: 0.9, zeta: 0.9 };
    const curr2 = { alpha: 0.3, zeta: 0.2, ok: 0.5, mid: 0.1 };
    const r1 = fitnessDelta(prev1, curr1);
    const r2 = fitnessDelta(prev2, curr2);
    assert.deepEqual(
      r1.regressions.map((x) => x.name),
      ['alpha', 'mid', 'zeta'],
    );
    assert.deepEqual(r1, r2);
  });

  it('a drop exactly equal to the floor is NOT a regression (float-noise values)', () => {
    const cases: [number, number][] = [
      [0.55, 0.5],
      [0.3, 0.25],
      [0.15, 0.1],
      [0.85, 0.8],
      [0.7, 0.65],
      [1, 0.95],
      [0.05, 0],
      [0.35, 0.3],
      [0.45, 0.4],
      [0.95, 0.9],
    ];
    for (const [p, c] of cases) {
      const r = fitnessDelta({ m: p }, { m: c }, {}, 0.05);
      assert.equal(r.regressed, false, `${p} -> ${c} (raw drop ${p - c}) must not be a regression at floor 0.05`);
    }
  });

  it('a drop exactly equal to a per-metric floor is not a regression either', () => {
    for (const [p, c, f] of [
      [0.3, 0.2, 0.1],
      [0.7, 0.6, 0.1],
      [0.33, 0.3, 0.03],
      [0.5, 0.48, 0.02],
    ] as [number, number, number][]) {
      const r = fitnessDelta({ m: p }, { m: c }, { m: f });
      assert.equal(r.regressed, false, `${p} -> ${c} at floor ${f}`);
    }
  });

  it('a drop just above the floor is a regression', () => {
    const r = fitnessDelta({ m: 0.55 }, { m: 0.4999 }, {}, 0.05);
    assert.equal(r.regressed, true);
    const q = fitnessDelta({ m: 0.3 }, { m: 0.2499 }, {}, 0.05);
    assert.equal(q.regressed, true);
  });

  it('the default floor argument applies to every metric without an override', () => {
    const r = fitnessDelta({ a: 0.5, b: 0.5 }, { a: 0.45, b: 0.45 }, {}, 0.04);
    assert.deepEqual(
      r.regressions.map((x) => x.name),
      ['a', 'b'],
    );
    assert.ok(r.regressions.every((x) => x.floor === 0.04));
  });

  it('is deterministic on the same input', () => {
    const prev = { a: 0.123456789, b: 0.987654321, c: 0.5 };
    const curr = { a: 0.2, b: 0.8, c: 0.5 };
    assert.deepEqual(fitnessDelta(prev, curr), fitnessDelta({ ...prev }, { ...curr }));
  });
});
