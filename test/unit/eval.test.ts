// The knowledge-outcome eval's thresholds (issue 7): one night on the seeded corpus loses no fact
// from the live set, keeps every old-but-valid note live, collapses >= 95% of the planted duplicate
// groups, flags or retires every rotten note, promotes >= 90% of the fresh session facts, and
// retrieval (the eval's own BM25, not Dream's index) finds more in the top 3 than before. The same
// night with upstream's age-based retention is scored too, so the eval is seen to catch harm.
import assert from 'node:assert/strict';
import { evalSynthetic, type SyntheticResult } from '../../bench/evalRun';

describe('knowledge-outcome eval (bench/evalRun.ts)', function () {
  this.timeout(60_000);
  let dream: SyntheticResult;
  let upstream: SyntheticResult;
  before(async () => {
    dream = await evalSynthetic('dream');
    upstream = await evalSynthetic('upstream', { retention: 'age', maxRetirePerNight: '100%' });
  });

  it('zero facts lost; every old-but-valid note still live', () => {
    assert.equal(dream.factsLost, 0);
    assert.equal(dream.oldValidLive, dream.oldValid);
    assert.ok(dream.oldValid >= 20);
  });

  it('>= 95% of duplicate groups collapsed; every rotten note flagged or retired', () => {
    assert.ok(dream.dupCollapsed / dream.dupGroups >= 0.95, `${dream.dupCollapsed}/${dream.dupGroups}`);
    assert.equal(dream.rottenHandled, dream.rotten);
    assert.ok((dream.retiredBy.rot ?? 0) > 0, 'due rot is retired');
  });

  it('>= 90% of fresh session facts promoted, anti-patterns typed, no junk promoted', () => {
    assert.ok(dream.sessionGained / dream.sessionFacts >= 0.9, `${dream.sessionGained}/${dream.sessionFacts}`);
    assert.ok(dream.antiPatternsTyped > 0);
    assert.equal(dream.junkPromoted, 0);
  });

  it('hit@3 after > hit@3 before; old notes are proposed for review instead of retired', () => {
    assert.ok(dream.after.hit3 > dream.before.hit3, `${dream.before.hit3} -> ${dream.after.hit3}`);
    assert.ok(dream.proposals >= dream.oldValid);
    assert.equal(dream.retiredBy.age ?? 0, 0);
  });

  it('the eval catches harm: upstream age-based retention loses facts and retrieval falls', () => {
    assert.ok(upstream.factsLost > 0);
    assert.ok(upstream.oldValidLive < upstream.oldValid);
    assert.ok(upstream.after.hit3 < dream.after.hit3);
  });
});
