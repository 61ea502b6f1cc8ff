// The loop's decision function as a table: every row of contract §4.1 and the warn-only matrix
// (§5.4). Each row is an observation and what the loop must do with it.
import assert from 'node:assert/strict';
import { decide, MEASURE_FAILURE_CAP, SAFETY_CAP, type Observation } from '../../src/engine/run/decide';
import type { HaltReason, IterationStatus } from '../../src/engine/core/schemas';

interface Expect {
  action: 'commit' | 'rollback' | 'none';
  status: IterationStatus | null;
  halt: HaltReason | null;
  /** a warn-only rescue is spent */
  rescue?: boolean;
  /** the halt detail / run notes mention this */
  says?: RegExp;
}

const start = (o: Partial<Extract<Observation, { at: 'start' }>> = {}): Observation => ({
  at: 'start',
  index: 1,
  aborted: false,
  pastDeadline: false,
  maxIterations: 0,
  ...o,
});
const measured = (o: Partial<Extract<Observation, { at: 'measured' }>> = {}): Observation => ({
  at: 'measured',
  index: 2,
  staged: 3,
  composite: 0.02,
  regressions: [],
  plateau: null,
  warnOnly: false,
  budgetRemaining: 0,
  liveBefore: 10,
  liveAfter: 10,
  ...o,
});
const PLATEAU = 'plateau: 2 consecutive |delta| < 0.01';

const halts: [string, Observation, Expect][] = [
  // wall-clock budget
  ['budget: deadline passed before an iteration', start({ pastDeadline: true }), { action: 'none', status: null, halt: 'budget' }],
  [
    'budget: a stage cut short is rolled back',
    { at: 'stopped', by: 'budget', message: 'wall-clock budget reached during reduce' },
    { action: 'rollback', status: 'rolled-back-pre-commit', halt: 'budget' },
  ],
  // max iterations
  [
    'max iterations: iteration N+1 is not started',
    start({ index: 4, maxIterations: 3 }),
    { action: 'none', status: null, halt: 'max-iterations' },
  ],
  ['max iterations: iteration N runs', start({ index: 3, maxIterations: 3 }), { action: 'none', status: null, halt: null }],
  ['max iterations: 0 is off', start({ index: 50, maxIterations: 0 }), { action: 'none', status: null, halt: null }],
  // safety cap
  ['safety cap: iteration 101 is not started', start({ index: SAFETY_CAP + 1 }), { action: 'none', status: null, halt: 'safety-cap' }],
  ['safety cap: iteration 100 runs', start({ index: SAFETY_CAP }), { action: 'none', status: null, halt: null }],
  // plateau
  [
    'plateau: the window fired (strict)',
    measured({ plateau: PLATEAU }),
    { action: 'rollback', status: 'halted-on-plateau', halt: 'plateau', says: /consecutive/ },
  ],
  [
    'plateau: REDUCE staged nothing (even with a rescue left)',
    measured({ staged: 0, warnOnly: true, budgetRemaining: 3 }),
    { action: 'rollback', status: 'halted-on-plateau', halt: 'plateau', says: /nothing left to change/ },
  ],
  // regression
  [
    'regression: a metric breached its floor (strict)',
    measured({ regressions: ['freshness'] }),
    { action: 'rollback', status: 'halted-on-regression-pre-commit', halt: 'regression', says: /freshness/ },
  ],
  // integrity
  [
    'integrity pre-commit: a kept note lost a key',
    { at: 'staged', stripped: [{ file: 'learnings/a.md', key: 'title' }], deleted: 0 },
    { action: 'rollback', status: 'rolled-back-pre-commit', halt: 'integrity', says: /learnings\/a\.md: title/ },
  ],
  [
    'integrity pre-commit: a note would be deleted',
    { at: 'staged', stripped: [], deleted: 1 },
    { action: 'rollback', status: 'rolled-back-pre-commit', halt: 'integrity', says: /1 note\(s\) would be deleted/ },
  ],
  ['integrity pre-commit: clean', { at: 'staged', stripped: [], deleted: 0 }, { action: 'none', status: null, halt: null }],
  [
    'integrity post-commit: a finding, the loop continues',
    { at: 'committed', rescued: false, stripped: 2 },
    { action: 'none', status: 'halted-on-regression-post-commit', halt: null },
  ],
  // retire cap: REDUCE never stages the excess (stages/reduce), so the loop has nothing to decide
  // emptied corpus
  [
    'emptied corpus: rolled back',
    measured({ liveBefore: 5, liveAfter: 0 }),
    { action: 'rollback', status: 'halted-on-regression-pre-commit', halt: 'regression', says: /no live learning/ },
  ],
  [
    'emptied corpus: warn-only never rescues it',
    measured({ liveBefore: 5, liveAfter: 0, warnOnly: true, budgetRemaining: 3 }),
    { action: 'rollback', status: 'halted-on-regression-pre-commit', halt: 'regression', rescue: false },
  ],
  [
    'an empty corpus that stays empty is not emptied',
    measured({ liveBefore: 0, liveAfter: 0 }),
    { action: 'commit', status: 'done', halt: null },
  ],
  // MEASURE failures
  ...[1, 2].map((n): [string, Observation, Expect] => [
    `MEASURE failure ${n} of ${MEASURE_FAILURE_CAP}: rolled back, the loop continues`,
    { at: 'measure-failed', index: n, message: 'boom', consecutive: n },
    { action: 'rollback', status: 'degraded', halt: null },
  ]),
  [
    `MEASURE failures: ${MEASURE_FAILURE_CAP} in a row halt`,
    { at: 'measure-failed', index: 3, message: 'boom', consecutive: MEASURE_FAILURE_CAP },
    { action: 'rollback', status: 'degraded', halt: 'measure-failures', says: /3 consecutive/ },
  ],
  // user stop
  ['user stop before an iteration', start({ aborted: true }), { action: 'none', status: null, halt: 'cancelled' }],
  [
    'user stop mid-iteration: rolled back',
    { at: 'stopped', by: 'cancelled', message: 'stopped by the user during measure' },
    { action: 'rollback', status: 'cancelled', halt: 'cancelled' },
  ],
  // a stage error
  [
    'a stage throws: failed',
    { at: 'failed', index: 1, stage: 'ingest', message: 'injected INGEST failure', reduce: false },
    { action: 'rollback', status: 'failed', halt: 'error', says: /iteration 1 ingest/ },
  ],
  [
    'REDUCE throws: nothing was staged',
    { at: 'failed', index: 1, stage: 'reduce', message: 'REDUCE failed: x', reduce: true },
    { action: 'rollback', status: 'rolled-back-pre-commit', halt: 'error' },
  ],
  // the ordinary case
  ['an improving iteration commits', measured(), { action: 'commit', status: 'done', halt: null, rescue: false }],
  ['after commit: done', { at: 'committed', rescued: false, stripped: 0 }, { action: 'none', status: 'done', halt: null }],
  [
    'after commit of a rescue: degraded',
    { at: 'committed', rescued: true, stripped: 0 },
    { action: 'none', status: 'degraded', halt: null },
  ],
];

// warn-only matrix: mode x budget x what MEASURE saw
const warnOnly: [string, Observation, Expect][] = [];
for (const mode of [false, true]) {
  for (const budget of [0, 1, 3]) {
    const warn = mode && budget > 0;
    const tag = `warn-only ${mode ? 'on' : 'off'}, ${budget} rescue(s) left`;
    const exhausted = mode ? /warn-only budget exhausted/ : /^(?!.*warn-only)/;
    warnOnly.push(
      [
        `${tag}: regression`,
        measured({ regressions: ['uniqueness'], warnOnly: mode, budgetRemaining: budget }),
        warn
          ? { action: 'commit', status: 'degraded', halt: null, rescue: true, says: /committed in warn-only mode/ }
          : { action: 'rollback', status: 'halted-on-regression-pre-commit', halt: 'regression', rescue: false, says: exhausted },
      ],
      [
        `${tag}: plateau`,
        measured({ plateau: PLATEAU, warnOnly: mode, budgetRemaining: budget }),
        warn
          ? { action: 'commit', status: 'degraded', halt: null, rescue: true, says: /committed in warn-only mode/ }
          : { action: 'rollback', status: 'halted-on-plateau', halt: 'plateau', rescue: false, says: exhausted },
      ],
      [
        `${tag}: regression and plateau together`,
        measured({ regressions: ['uniqueness'], plateau: PLATEAU, warnOnly: mode, budgetRemaining: budget }),
        warn
          ? { action: 'commit', status: 'degraded', halt: null, rescue: true }
          : { action: 'rollback', status: 'halted-on-regression-pre-commit', halt: 'regression', rescue: false },
      ],
      [
        `${tag}: neither`,
        measured({ warnOnly: mode, budgetRemaining: budget }),
        { action: 'commit', status: 'done', halt: null, rescue: false },
      ],
    );
  }
}

function check(obs: Observation, e: Expect): void {
  const d = decide(obs);
  assert.equal(d.action, e.action, 'action');
  assert.equal(d.status, e.status, 'status');
  assert.equal(d.halt?.reason ?? null, e.halt, 'halt');
  if (e.rescue !== undefined) assert.equal(d.rescue !== null, e.rescue, 'rescue');
  if (e.says) {
    const text = [d.halt?.detail, d.run.plateauReason, d.run.regressionReason, d.run.failureReason, d.error].filter(Boolean).join(' | ');
    assert.match(text, e.says);
  }
  // a rollback never spends a rescue; a halt never commits
  if (d.action === 'rollback') assert.equal(d.rescue, null);
  if (d.halt) assert.notEqual(d.action, 'commit');
}

describe('decide: contract §4.1 halts', () => {
  for (const [name, obs, e] of halts) it(name, () => check(obs, e));
});

describe('decide: warn-only matrix', () => {
  for (const [name, obs, e] of warnOnly) it(name, () => check(obs, e));

  it('one rescue per iteration: a plateau on a rescued regression is a note, not a second rescue', () => {
    const d = decide(measured({ regressions: ['uniqueness'], plateau: PLATEAU, warnOnly: true, budgetRemaining: 1 }));
    assert.match(d.rescue!, /^regression beyond floor \(warn-only\)/);
    assert.deepEqual(d.degraded, [`plateau reached (warn-only): ${PLATEAU}`]);
    assert.match(d.run.plateauReason!, /committed in warn-only mode/);
    assert.match(d.run.regressionReason!, /committed in warn-only mode/);
  });

  it('the budget-exhausted note names why a warn-only run halted strictly', () => {
    const d = decide(measured({ regressions: ['freshness'], warnOnly: true, budgetRemaining: 0 }));
    assert.match(d.halt!.detail, /\(warn-only budget exhausted\)$/);
    assert.doesNotMatch(d.error!, /warn-only/, 'the iteration error names the breach only');
  });
});
