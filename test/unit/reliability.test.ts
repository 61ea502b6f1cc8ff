// The reliability suite, bounded for `npm test` (the full run is `npm run reliability`, which also
// regenerates RELIABILITY.md): ≥ 200 kill points and ≥ 50 injected faults over generated corpora,
// every hostile-corpus kind once. DREAM_RELIABILITY_SEED replays a run; every failure names its seed.
import assert from 'node:assert/strict';
import { HOSTILE_KINDS, crashInjection, faultInjection, randomKills, runHostile, type Failure } from './helpers/reliability';

const SEED = Number(process.env.DREAM_RELIABILITY_SEED ?? 20261125);
const show = (fs: Failure[]) =>
  fs
    .slice(0, 10)
    .map((f) => `seed ${f.seed}: ${f.what}: ${f.detail}`)
    .join('\n');

describe(`reliability (bounded; seed ${SEED})`, function () {
  this.timeout(240000);

  it('crash injection: ≥ 200 kill points (every seam call of COMMIT, of recovery, random moments) leave the corpus exactly before or after', async () => {
    const st = crashInjection({ seed: SEED, plans: 20, maxKills: 200, recoveryEvery: 6 });
    await randomKills({ seed: SEED, kills: 12 }, st);
    assert.deepEqual(st.failures, [], `seed ${SEED}:\n${show(st.failures)}`);
    assert.ok(st.killPoints >= 200, `only ${st.killPoints} kill points`);
    assert.ok(st.recoveryKills > 0 && st.randomKills > 0 && st.commitKills > 0);
    assert.ok(st.before > 0 && st.after > 0, `both outcomes seen (before ${st.before}, after ${st.after})`);
  });

  it('fault injection: ≥ 50 ENOSPC/EIO/EACCES/EROFS at COMMIT and recovery fs operations; the next start leaves the corpus exactly before or after', () => {
    const st = faultInjection({ seed: SEED, plans: 6, maxFaults: 60 });
    assert.deepEqual(st.failures, [], `seed ${SEED}:\n${show(st.failures)}`);
    assert.ok(st.faults >= 50, `only ${st.faults} faults`);
    assert.ok(st.inRecovery > 0, 'faults during recovery too');
    for (const c of ['ENOSPC', 'EIO', 'EACCES', 'EROFS']) assert.ok((st.byCode[c] ?? 0) > 0, `no ${c} injected`);
  });

  for (const kind of HOSTILE_KINDS)
    it(`hostile corpus: ${kind.name}: exit 0 or 1 with a one-line reason, bad files byte-identical, good notes compounded, nothing outside .agents/`, () => {
      const r = runHostile(kind);
      assert.ok(r.ok, `${r.problem} (exit ${r.exit}: ${r.reason})`);
    });
});
