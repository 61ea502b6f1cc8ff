// Plateau state machine (upstream plateau_test.go, adapted): K consecutive |delta| < epsilon fire once.
import assert from 'node:assert/strict';
import { PlateauState } from '../../src/engine/run/plateau';

function feed(p: PlateauState, deltas: number[]): boolean[] {
  return deltas.map((d) => p.observe(d));
}

describe('PlateauState', () => {
  it('refuses a window K below 2', () => {
    assert.throws(() => new PlateauState(1, 0.01), /K must be an integer >= 2/);
    assert.throws(() => new PlateauState(0, 0.01), /K/);
    assert.throws(() => new PlateauState(-3, 0.01), /K/);
    assert.throws(() => new PlateauState(2.5, 0.01), /K/);
  });

  it('refuses a non-positive epsilon', () => {
    assert.throws(() => new PlateauState(2, 0), /epsilon/);
    assert.throws(() => new PlateauState(2, -0.01), /epsilon/);
  });

  it('K=2 fires on the 2nd consecutive sub-epsilon value', () => {
    const p = new PlateauState(2, 0.01);
    assert.equal(p.observe(0.005), false);
    assert.equal(p.streak, 1);
    assert.equal(p.observe(0.001), true);
    assert.equal(p.hasFired, true);
  });

  it('a noisy sample resets the window (0.005, 0.1, 0.005, 0.005 fires on the 4th)', () => {
    const p = new PlateauState(2, 0.01);
    assert.deepEqual(feed(p, [0.005, 0.1, 0.005, 0.005]), [false, false, false, true]);
  });

  it('K=3 fires on the 3rd consecutive sub-epsilon value', () => {
    const p = new PlateauState(3, 0.01);
    assert.deepEqual(feed(p, [0.001, 0.002, 0.003]), [false, false, true]);
  });

  it('K=3 with noise in between needs 3 fresh values', () => {
    const p = new PlateauState(3, 0.01);
    assert.deepEqual(feed(p, [0.001, 0.002, 0.5, 0.001, 0.002, 0.003]), [false, false, false, false, false, true]);
  });

  it('a delta equal to epsilon is not sub-epsilon (strict <)', () => {
    const p = new PlateauState(2, 0.01);
    assert.deepEqual(feed(p, [0.01, 0.01, 0.01]), [false, false, false]);
    assert.equal(p.hasFired, false);
  });

  it('is one-shot: after firing further calls return false', () => {
    const p = new PlateauState(2, 0.01);
    assert.deepEqual(feed(p, [0, 0]), [false, true]);
    assert.deepEqual(feed(p, [0, 0, 0, 0.5, 0, 0]), [false, false, false, false, false, false]);
    assert.equal(p.hasFired, true);
  });

  it('reason() is empty before firing and names K and epsilon after', () => {
    const p = new PlateauState(2, 0.01);
    assert.equal(p.reason(), '');
    p.observe(0.001);
    assert.equal(p.reason(), '', 'not fired yet');
    p.observe(0.001);
    const r = p.reason();
    assert.notEqual(r, '');
    assert.ok(r.includes('2'), r);
    assert.ok(r.includes('0.01'), r);
    assert.match(r, /plateau/);
  });

  it('uses |delta|: negative sub-epsilon deltas count, large negative ones reset', () => {
    const p = new PlateauState(2, 0.01);
    assert.deepEqual(feed(p, [-0.005, -0.5, -0.009, -0.001]), [false, false, false, true]);
    const q = new PlateauState(2, 0.01);
    assert.deepEqual(feed(q, [-0.02, -0.02, -0.02]), [false, false, false]);
  });

  it('reset() restores fresh behaviour', () => {
    const p = new PlateauState(2, 0.01);
    feed(p, [0, 0]);
    assert.equal(p.hasFired, true);
    p.reset();
    assert.equal(p.hasFired, false);
    assert.equal(p.reason(), '');
    assert.equal(p.streak, 0);
    assert.deepEqual(feed(p, [0.005, 0.1, 0.005, 0.005]), [false, false, false, true]);
  });

  it('reset() mid-window discards the partial streak', () => {
    const p = new PlateauState(2, 0.01);
    p.observe(0.001);
    p.reset();
    assert.equal(p.observe(0.001), false, 'the pre-reset value does not count');
    assert.equal(p.observe(0.001), true);
  });
});
