// Golden tests of the four morning answers (§5.6) for the nights the issue names, plus a run on a
// real corpus with finished queue items: plain words, the night's effect first, honest weather.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { blankSummary } from '../../src/engine/report/blank';
import { fourAnswers } from '../../src/engine/report/answers';
import { deriveViews } from '../../src/engine/report/derive';
import { groupDegraded } from '../../src/engine/report/degraded';
import { renderMarkdown } from '../../src/engine/report/markdown';
import { queueItems, readQueue } from '../../src/engine/corpus/queue';
import { runBedtime } from '../../src/engine/run/run';
import { resolveSettings } from '../../src/engine/run/settings';
import type { Change, IterationRecord, Summary } from '../../src/engine/core/schemas';
import { rm, tmpDir } from './helpers/fixture';

const WS = '/home/me/repo';
const RUN = '20261124T230000Z';
const REAL = path.resolve(__dirname, '../../../../shared/corpora/real');

function iteration(o: Partial<IterationRecord> & { index: number; status: IterationRecord['status'] }): IterationRecord {
  return {
    id: `${RUN}-iter-${o.index}`,
    started_at: '2026-11-24T23:00:00.000Z',
    finished_at: '2026-11-24T23:00:01.000Z',
    duration_ms: 1000,
    committed: false,
    ingest: {},
    reduce: {},
    measure: {},
    fitness_before: {},
    fitness_after: {},
    fitness_delta: 0,
    metric_deltas: {},
    regressions: [],
    changes: [],
    degraded: [],
    error: null,
    ...o,
  };
}

function night(o: Partial<Summary>, nextWork: string | null = null): Summary {
  const s: Summary = {
    ...blankSummary(RUN, WS, `${WS}/.agents/overnight/runs/${RUN}`),
    status: 'done',
    duration_ms: 2000,
    finished_at: '2026-11-24T23:00:02.000Z',
    ...o,
  };
  deriveViews(s, { focus: [], nextWork: nextWork === null ? null : Buffer.from(nextWork), tonightPath: null });
  return s;
}

const archived = (i: number): Change => ({
  path: `learnings/n-${i}.md`,
  kind: 'archived',
  reason: 'stale: every cited path broken for more than 30 days and no use',
  before: `overnight/runs/${RUN}/before/iter-1/learnings/n-${i}.md`,
  moved_to: `learnings/.archive/n-${i}.md`,
});

describe('the four answers (golden)', () => {
  it('a night that archived most notes: the state names the count, the weather is not clear', () => {
    const s = night({
      halt_reason: 'plateau',
      fitness_baseline: { uniqueness: 0.414 },
      fitness: { uniqueness: 0.9 },
      iterations: [
        iteration({
          index: 1,
          status: 'done',
          committed: true,
          measure: { visible: 2 },
          fitness_delta: 0.486,
          changes: Array.from({ length: 12 }, (_, i) => archived(i)),
        }),
        iteration({ index: 2, status: 'halted-on-plateau', measure: { visible: 2 } }),
      ],
    });
    const a = fourAnswers(s);
    assert.equal(
      a.state,
      'Live learnings 14 → 2: 12 archived (every citation broken). That is 12 of 14 live learnings gone in one night, more than the nightly cap of 1: look before you keep it. Fitness 0.414 → 0.900 (+0.486).',
    );
    assert.equal(
      a.ran,
      '2 iterations in 2s: iteration 1 committed 12 changes; iteration 2 found nothing more to improve (not committed). It stopped because there was nothing more to improve. Dream Council: not set up; local curator: off.',
    );
    assert.equal(a.degraded, 'Nothing degraded or failed.');
    assert.notEqual(s.dreamscape.weather, 'clear');
    assert.match(renderMarkdown(s), /Overall: cloudy/);
  });

  it('a warn-only rescue: named in the state answer, weather storm front, first move checks it with the undo command', () => {
    const s = night({
      halt_reason: 'plateau',
      fitness_baseline: { citation_coverage: 0.8 },
      fitness: { citation_coverage: 0.62 },
      warn_only_budget_initial: 3,
      warn_only_remaining: 2,
      iterations: [
        iteration({
          index: 1,
          status: 'degraded',
          committed: true,
          measure: { visible: 5 },
          reduce: { maturity_tempered: 2 },
          regressions: [{ name: 'citation_coverage', previous: 0.8, current: 0.62, drop: 0.18, floor: 0.05 }],
          changes: [{ path: 'learnings/a.md', kind: 'modified', reason: 'maturity draft -> provisional', before: 'x' }],
          degraded: ['regression beyond floor (warn-only): 1 metric(s): citation_coverage', 'warn-only budget remaining: 2'],
        }),
      ],
      degraded: [
        'iteration 1: regression beyond floor (warn-only): 1 metric(s): citation_coverage',
        'iteration 1: warn-only budget remaining: 2',
      ],
    });
    const a = fourAnswers(s);
    assert.equal(
      a.state,
      'Live learnings 5 → 5: maturity corrected on 2 notes. Iteration 1 was committed although it made the corpus worse (warn-only): citation coverage 0.80 → 0.62. Fitness 0.800 → 0.620 (-0.180).',
    );
    assert.equal(a.degraded, 'Iterations committed under warn-only: regression beyond floor (warn-only): 1 metric(s): citation_coverage.');
    assert.equal(s.dreamscape.weather, 'storm-front');
    assert.equal(
      a.first,
      `Check iteration 1: it was committed although the corpus got worse (warn-only): \`dream restore ${RUN} --workspace /home/me/repo\`.`,
    );
  });

  it('an empty corpus: no fitness 1.000 → 1.000, says there is nothing to measure', () => {
    const ones = { frontmatter_validity: 1, uniqueness: 1 };
    const s = night({
      halt_reason: 'plateau',
      fitness_baseline: ones,
      fitness: ones,
      iterations: [iteration({ index: 1, status: 'halted-on-plateau', measure: { visible: 0 } })],
      degraded: [
        'iteration 1: corpus: empty corpus (no learnings under .agents/learnings/)',
        'iteration 1: measure: no live learnings; metrics over learnings are vacuous (1)',
      ],
    });
    const a = fourAnswers(s);
    assert.equal(
      a.state,
      'The corpus has no learnings yet (nothing under .agents/learnings/), so there was nothing to improve or measure.',
    );
    assert.doesNotMatch(renderMarkdown(s), /1\.000 → 1\.000/);
    assert.match(a.degraded, /^2 × the corpus has no live learnings/);
    assert.equal(s.dreamscape.weather, 'steady');
  });

  it('a cancelled run: the stopped iteration shows no fitness change and no "0 changes"', () => {
    const s = night({
      halt_reason: 'cancelled',
      fitness_baseline: { uniqueness: 0.5 },
      fitness: { uniqueness: 0.6 },
      iterations: [
        iteration({
          index: 1,
          status: 'done',
          committed: true,
          measure: { visible: 3 },
          fitness_delta: 0.1,
          reduce: { citations_flagged: 1 },
          changes: [{ path: 'learnings/a.md', kind: 'modified', reason: 'broken citation flagged', before: 'x' }],
        }),
        iteration({
          index: 2,
          status: 'cancelled',
          fitness_delta: 0.219,
          error: 'stopped by the user during reduce; the iteration was rolled back',
        }),
      ],
    });
    const a = fourAnswers(s);
    assert.equal(
      a.state,
      'You stopped the run. Live learnings 3 → 3: 1 learning flagged for broken citations. Fitness 0.500 → 0.600 (+0.100).',
    );
    assert.match(a.ran, /iteration 2 was stopped by you and rolled back\. It stopped because you stopped it\./);
    const md = renderMarkdown(s);
    assert.match(md, /\| 2 \| was stopped by you and rolled back \| — \|/);
    assert.doesNotMatch(md, /\+0\.219/);
  });

  it('a failed run: the state says where and why, the first move reads the log and resumes', () => {
    const s = night({
      status: 'failed',
      halt_reason: 'error',
      failure_reason: 'iteration 1 ingest: EACCES: permission denied',
      failing_step: 'iteration-1:ingest',
      runtime: { ...blankSummary(RUN, WS, '').runtime, log_path: `${WS}/.agents/overnight/runs/${RUN}/run.log` },
      iterations: [iteration({ index: 1, status: 'failed', error: 'EACCES: permission denied' })],
    });
    const a = fourAnswers(s);
    assert.equal(
      a.state,
      'The run failed at iteration-1:ingest: iteration 1 ingest: EACCES: permission denied. The corpus is as it was before the run.',
    );
    assert.equal(
      a.first,
      `Read why run ${RUN} failed (at iteration-1:ingest), then resume it: \`dream start --resume ${RUN} --workspace /home/me/repo\`.`,
    );
    assert.equal(s.dreamscape.weather, 'storm');
  });

  it('queue items: finished ones (item-level state) never appear; newest first; each points at its line', () => {
    const q = [
      JSON.stringify({ timestamp: '2026-03-01T00:00:00Z', items: [{ title: 'old open', severity: 'high' }], consumed: false }),
      JSON.stringify({
        timestamp: '2026-11-20T00:00:00Z',
        items: [
          { title: 'done at item level', consumed: true, claim_status: 'consumed' },
          { title: 'new open', severity: 'low' },
        ],
        consumed: false,
      }),
      JSON.stringify({ timestamp: '2026-11-21T00:00:00Z', items: [{ title: 'someone is on it', claim_status: 'in_progress' }] }),
      JSON.stringify({ timestamp: '2026-11-22T00:00:00Z', items: [{ title: 'line consumed' }], consumed: true }),
    ].join('\n');
    const s = night({ iterations: [] }, q);
    const titles = s.morning_packets.map((p) => p.title);
    assert.deepEqual(titles, ['new open', 'old open']);
    assert.equal(s.morning_packets[0]!.morning_command, `code -g ${WS}/.agents/rpi/next-work.jsonl:2`);
  });
});

describe('a pretty-printed JSON object in the queue', () => {
  it('is read as one entry and reported as one line, not one per line', () => {
    const obj = JSON.stringify({ source_epic: 'x', items: [{ title: 'pretty item' }], consumed: false }, null, 2);
    const q = readQueue(Buffer.from(`${obj}\n${JSON.stringify({ items: [{ title: 'flat' }] })}\nnot json\n`));
    assert.equal(q.entries.length, 2);
    assert.equal(q.multiline.length, 1);
    assert.deepEqual(q.bad, [{ from: obj.split('\n').length + 2, to: obj.split('\n').length + 2 }]);
    assert.deepEqual(
      queueItems(q).map((i) => i.item.title),
      ['pretty item', 'flat'],
    );
  });
});

describe('the four answers on a real corpus with finished queue items', function () {
  this.timeout(120000);
  let ws: string;
  let s: Summary;
  const corpus = 'lguzzon-scratchbook__agentops';
  before(async function () {
    if (!fs.existsSync(path.join(REAL, corpus))) throw new Error(`the real corpora are missing at ${REAL}`);
    ws = path.join(tmpDir(), corpus);
    fs.cpSync(path.join(REAL, corpus), ws, { recursive: true });
    const out = await runBedtime({
      workspace: ws,
      settings: resolveSettings({ args: { keepAwake: false } }),
      now: () => new Date('2026-05-04T03:00:00Z'),
    });
    s = out.summary;
  });
  after(() => rm(path.dirname(ws)));

  it('no packet names a finished item; the first move names tonight’s routed finding or proposal', () => {
    const queue = queueItems(readQueue(fs.readFileSync(path.join(REAL, corpus, '.agents/rpi/next-work.jsonl'))));
    const finished = queue.filter((i) => !i.open).map((i) => String(i.item.title));
    assert.ok(finished.length > 10, 'the corpus has finished items');
    for (const p of s.morning_packets) assert.ok(!finished.includes(p.title), `packet names a finished item: ${p.title}`);
    assert.match(s.morning_packets[0]!.source ?? '', /^(finding|proposal)$/);
    assert.match(s.next_action, /f-2026-04-30-003|propos/);
    assert.ok(path.isAbsolute(s.morning_packets[0]!.target_files[0]!));
  });

  it('appended queue items fit the real queue format', () => {
    const lines = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!);
    assert.equal(last.source_epic, 'dream-findings-router');
    assert.match(last.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const it of last.items) {
      assert.equal(it.claim_status, 'available');
      assert.ok(['critical', 'high', 'medium', 'low'].includes(it.severity));
      assert.equal(it.target_repo, 'agentops', 'the name the queue uses for this repository');
    }
  });

  it('degraded: corpus problems first, keep-awake last, one line per kind', () => {
    const groups = groupDegraded([...s.degraded, 'keep-awake: systemd-inhibit could not start; the computer may sleep', ...s.degraded]);
    const kinds = groups.map((g) => `${g.area}|${g.kind}`);
    assert.equal(new Set(kinds).size, kinds.length);
    const areas = groups.map((g) => g.area);
    assert.deepEqual(
      areas,
      [...areas].sort((a, b) => ['corpus', 'run', 'environment'].indexOf(a) - ['corpus', 'run', 'environment'].indexOf(b)),
    );
    assert.match(groups[groups.length - 1]!.kind, /keep-awake/);
    const md = renderMarkdown(s);
    const section = md.slice(md.indexOf('## Degraded'), md.indexOf('## Recommended'));
    assert.equal(section.split('\n').filter((l) => l.startsWith('- ')).length, fourAnswers(s).groups.length);
  });
});

describe('the degraded answer on every real corpus', function () {
  this.timeout(180000);
  const corpora = fs.existsSync(REAL) ? fs.readdirSync(REAL).filter((n) => fs.existsSync(path.join(REAL, n, '.agents'))) : [];
  it('finds the real corpora', () => assert.ok(corpora.length >= 4, `corpora at ${REAL}: ${corpora.join(', ')}`));
  for (const corpus of corpora)
    it(`${corpus}: corpus problems first (never keep-awake before them), one line per kind`, async () => {
      const ws = path.join(tmpDir(), corpus);
      try {
        fs.cpSync(path.join(REAL, corpus), ws, { recursive: true });
        const out = await runBedtime({
          workspace: ws,
          settings: resolveSettings({ args: { keepAwake: false, maxIterations: 2 } }),
          now: () => new Date('2026-05-04T03:00:00Z'),
        });
        // the machine's keep-awake note, as a laptop without a helper records it
        const s = { ...out.summary, degraded: ['keep-awake helper systemd-inhibit exited at once (code 1)', ...out.summary.degraded] };
        const a = fourAnswers(s);
        const kinds = a.groups.map((g) => `${g.area}|${g.kind}`);
        assert.equal(new Set(kinds).size, kinds.length, 'one line per kind');
        if (a.groups.some((g) => g.area === 'corpus')) {
          assert.equal(a.groups[0]!.area, 'corpus', a.degraded);
          assert.doesNotMatch(a.degraded.split('. Also:')[0]!, /keep-awake/);
        }
        assert.match(a.groups[a.groups.length - 1]!.kind, /keep-awake/);
        const md = renderMarkdown(s);
        const section = md.slice(md.indexOf('## Degraded'), md.indexOf('## Recommended'));
        assert.equal(section.split('\n').filter((l) => l.startsWith('- ')).length, a.groups.length);
      } finally {
        rm(path.dirname(ws));
      }
    });

  it('the retire-cap line is plain words and still groups as a corpus problem', () => {
    const line = "iteration 1: 2 more notes qualified for archiving than tonight's cap of 3 allows; they are proposed for review instead";
    const [g] = groupDegraded([line]);
    assert.equal(g!.area, 'corpus');
    assert.match(g!.kind, /over tonight's cap/);
  });
});
