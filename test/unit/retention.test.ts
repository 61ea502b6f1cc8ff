// Contract §2.1 (vocabulary), §4.1 (retire cap, emptied corpus), §4.2 (retention by evidence): what
// may leave the live set, what protects a note, and what a person is asked to review instead.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNote, resolveSettings, runBedtime, type DreamSettings } from '../../src/engine';
import { main } from '../../src/cli/main';
import { prose, rm, tmpDir, write } from './helpers/fixture';

const NOW = new Date('2026-11-23T03:00:00Z');
const clock = () => {
  const t0 = Date.now();
  return () => new Date(NOW.getTime() + (Date.now() - t0));
};

function note(fm: Record<string, string | number | boolean | string[]>, body: string): string {
  const lines = ['---'];
  for (const [k, v] of Object.entries(fm)) lines.push(`${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
  lines.push('---', body, '');
  return lines.join('\n');
}

const TOPICS = [
  'Pin the node version in continuous integration so builds stay reproducible across runners',
  'Release database connections in a finally block or the pool starves under load',
  'Retry idempotent HTTP calls only, with exponential backoff and full jitter',
  'Quarantine flaky tests behind a tag instead of deleting them from the suite',
  'Rotate signing keys with an overlap window so old tokens still verify',
  'Histogram buckets must cover the tail latency or percentiles lie',
  'Feature flags default to off and are removed within two releases',
  'Compose healthchecks gate dependent services during local startup',
  'GraphQL resolvers batch lookups with a dataloader to avoid N plus one queries',
  'Log lines redact bearer tokens before they reach the aggregator',
  'Queue consumers extend the visibility timeout for long jobs',
  'Session store entries carry a TTL shorter than the refresh token lifetime',
];

function oldNote(i: number, extra: Record<string, string | number | boolean | string[]> = {}): string {
  const t = TOPICS[i % TOPICS.length]!;
  return note({ date: `2025-0${1 + (i % 9)}-1${i % 10}`, maturity: 'provisional', ...extra }, `# ${t} (${i})\n\n${t}. ${prose(i + 1, 40)}`);
}

async function night(ws: string, args: Partial<DreamSettings> = {}) {
  return runBedtime({ workspace: ws, settings: resolveSettings({ args: { keepAwake: false, ...args } }), now: clock() });
}

describe('retention by evidence (§4.2)', function () {
  this.timeout(30_000);
  let root: string;
  let ws: string;
  beforeEach(() => {
    root = tmpDir('dream-retention-');
    ws = path.join(root, 'ws');
    fs.mkdirSync(path.join(ws, '.agents', 'learnings'), { recursive: true });
  });
  afterEach(() => rm(root));

  it('a corpus of only old, valid, unused notes: nothing retired, every note listed for review with the archive command', async () => {
    for (let i = 0; i < 12; i++) write(ws, `.agents/learnings/old-${i}.md`, oldNote(i));
    const out = await night(ws);
    assert.equal(out.status, 'done');
    for (let i = 0; i < 12; i++) assert.ok(fs.existsSync(path.join(ws, '.agents/learnings', `old-${i}.md`)), `old-${i} stays live`);
    assert.deepEqual(out.summary.live_learnings, { before: 12, after: 12 });
    const proposed = out.summary.proposals.map((p) => p.path).sort();
    assert.deepEqual(proposed, Array.from({ length: 12 }, (_, i) => `.agents/learnings/old-${i}.md`).sort());
    for (const p of out.summary.proposals) {
      assert.match(p.reason, /not used or validated in 30 days/);
      assert.equal(p.command, `dream archive ${p.path}`);
    }
    // the command works: the note moves to the archive with its previous maturity, never deleted
    const before = fs.readFileSync(path.join(ws, '.agents/learnings/old-3.md'));
    const lines: string[] = [];
    const code = await main(['archive', '.agents/learnings/old-3.md', '--workspace', ws], {
      out: (s) => lines.push(s),
      err: (s) => lines.push(s),
      isTTY: false,
    });
    assert.equal(code, 0, lines.join('\n'));
    assert.ok(!fs.existsSync(path.join(ws, '.agents/learnings/old-3.md')));
    const a = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/.archive/old-3.md')));
    assert.equal(a.fm.maturity, 'archived');
    assert.equal(a.fm.archived_from_maturity, 'provisional');
    assert.equal(a.body, parseNote('x', before).body);
  });

  it('usage, maturity >= established and references protect; recent use in ao/citations.jsonl protects too', async () => {
    const stale = { citations: ['src/gone.ts'], stale_citation: true, stale_citation_since: '2026-09-01' };
    write(ws, '.agents/learnings/rot.md', oldNote(0, stale));
    write(ws, '.agents/learnings/helpful.md', oldNote(1, { ...stale, helpful_count: 2 }));
    write(ws, '.agents/learnings/established.md', oldNote(2, { ...stale, maturity: 'established' }));
    write(ws, '.agents/learnings/useful.md', oldNote(3, { ...stale, utility: 0.81 }));
    write(ws, '.agents/learnings/indexed.md', oldNote(4, stale));
    write(ws, '.agents/learnings/cited-use.md', oldNote(5, stale));
    for (let i = 6; i < 12; i++) write(ws, `.agents/learnings/filler-${i}.md`, oldNote(i, { helpful_count: 1 }));
    write(ws, '.agents/INDEX.md', '# Index\n\n- [[learnings/indexed]] — a note\n');
    write(
      ws,
      '.agents/ao/citations.jsonl',
      JSON.stringify({ artifact_path: '.agents/learnings/cited-use.md', timestamp: '2026-11-20T10:00:00Z' }) + '\n',
    );
    const out = await night(ws);
    assert.equal(out.status, 'done');
    assert.ok(!fs.existsSync(path.join(ws, '.agents/learnings/rot.md')), 'rot.md retired');
    const a = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/.archive/rot.md')));
    assert.equal(a.fm.archived_from_maturity, 'provisional');
    assert.match(String(a.fm.archived_reason), /^rot: every cited path broken since 2026-09-01/);
    for (const k of ['helpful', 'established', 'useful', 'indexed', 'cited-use'])
      assert.ok(fs.existsSync(path.join(ws, `.agents/learnings/${k}.md`)), `${k}.md is protected`);
    assert.deepEqual(out.summary.live_learnings, { before: 12, after: 11 });
  });

  it('a broken citation is first flagged with stale_citation_since; age of the flag, not of the note, decides', async () => {
    for (let i = 0; i < 10; i++)
      write(ws, `.agents/learnings/n-${i}.md`, oldNote(i, i === 0 ? { citations: ['src/gone.ts'] } : { helpful_count: 1 }));
    await night(ws);
    const n = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/n-0.md')));
    assert.equal(n.fm.stale_citation, true);
    assert.equal(String(n.fm.stale_citation_since), '2026-11-23');
  });

  it('retire cap: at most 10% of the live learnings per night (at least 1); the excess becomes proposals', async () => {
    const stale = { citations: ['src/gone.ts'], stale_citation: true, stale_citation_since: '2026-01-01' };
    for (let i = 0; i < 20; i++) write(ws, `.agents/learnings/rot-${i}.md`, oldNote(i, stale));
    const out = await night(ws);
    const left = fs.readdirSync(path.join(ws, '.agents/learnings')).filter((f) => f.endsWith('.md'));
    assert.equal(left.length, 18, 'two of twenty retired');
    const capped = out.summary.proposals.filter((p) => /over tonight's retire cap/.test(p.reason));
    assert.equal(capped.length, 18);
    assert.ok(out.summary.degraded.some((d) => /than tonight's cap of \d+ allows/.test(d)));
    // a count works too
    const out2 = await night(ws, { maxRetirePerNight: 5 });
    assert.equal(fs.readdirSync(path.join(ws, '.agents/learnings')).filter((f) => f.endsWith('.md')).length, 13);
    assert.equal(out2.summary.live_learnings.after, 13);
  });

  it('a night that would leave no live learning halts (halted-on-regression-pre-commit) and warn-only never rescues it', async () => {
    write(
      ws,
      '.agents/learnings/only.md',
      oldNote(0, { citations: ['src/gone.ts'], stale_citation: true, stale_citation_since: '2026-01-01' }),
    );
    const before = fs.readFileSync(path.join(ws, '.agents/learnings/only.md'));
    const out = await night(ws, { warnOnly: true, warnOnlyBudget: 3 });
    const it = out.summary.iterations[0]!;
    assert.equal(it.status, 'halted-on-regression-pre-commit');
    assert.equal(it.committed, false);
    assert.equal(out.summary.halt_reason, 'regression');
    assert.deepEqual(fs.readFileSync(path.join(ws, '.agents/learnings/only.md')), before);
  });

  it('retention: age restores upstream age-based archiving, still capped', async () => {
    for (let i = 0; i < 12; i++) write(ws, `.agents/learnings/old-${i}.md`, oldNote(i));
    const out = await night(ws, { retention: 'age' });
    const left = fs.readdirSync(path.join(ws, '.agents/learnings')).filter((f) => f.endsWith('.md'));
    assert.equal(left.length, 11, 'one of twelve (10%, at least 1)');
    assert.equal(out.summary.proposals.length, 11);
  });
});

describe('§2.1 vocabulary in a night', function () {
  this.timeout(30_000);
  let root: string;
  let ws: string;
  beforeEach(() => {
    root = tmpDir('dream-vocab-');
    ws = path.join(root, 'ws');
    fs.mkdirSync(path.join(ws, '.agents', 'learnings'), { recursive: true });
    for (let i = 0; i < 10; i++) write(ws, `.agents/learnings/2026-11-1${i}-n${i}.md`, oldNote(i, { date: `2026-11-1${i}` }));
  });
  afterEach(() => rm(root));

  it('a finding with an unquoted colon in its title and resolved: true is resolved with its real title, byte-identical, reported once', async () => {
    const text =
      '---\ntitle: Retry storm: the gateway amplifies 429s\nseverity: significant\nresolved: true\n---\n# Retry storm\n\nDone.\n';
    write(ws, '.agents/findings/f-2026-11-20-001.md', text);
    write(ws, '.agents/findings/f-2026-11-20-002.md', '---\ntitle: "Open one"\nstatus: active\nseverity: moderate\n---\nbody\n');
    write(
      ws,
      '.agents/findings/f-2026-11-20-003.md',
      '---\ntitle: "Retired one"\nstatus: retired\nsuperseded_by: f-2026-11-20-002\n---\nbody\n',
    );
    const n = parseNote('findings/f-2026-11-20-001.md', Buffer.from(text));
    assert.equal(n.lenient, true);
    assert.equal(n.fm.title, 'Retry storm: the gateway amplifies 429s');
    assert.equal(n.fm.resolved, true);
    const out = await runBedtime({ workspace: ws, settings: resolveSettings({ args: { keepAwake: false } }), now: clock() });
    assert.equal(fs.readFileSync(path.join(ws, '.agents/findings/f-2026-11-20-001.md'), 'utf8'), text);
    const queue = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8').trim().split('\n');
    const items = queue.flatMap((l) => (JSON.parse(l) as { items: { id: string; severity: string }[] }).items);
    assert.deepEqual(
      items.map((i) => [i.id, i.severity]),
      [['f-2026-11-20-002', 'medium']],
    );
    assert.equal(out.summary.degraded.filter((d) => d.includes('f-2026-11-20-001')).length, 1, out.summary.degraded.join('\n'));
  });

  it('files in learnings/ that are not learnings and learnings/archive/ are not live; titles and dates come from headings and file names', async () => {
    write(ws, '.agents/learnings/README.md', '# About these learnings\n\nHow we write them.\n');
    write(ws, '.agents/learnings/SCHEMA.md', '# Schema\n');
    write(ws, '.agents/learnings/archive/2025-01-01-gone.md', oldNote(3));
    const out = await runBedtime({ workspace: ws, settings: resolveSettings({ args: { keepAwake: false } }), now: clock() });
    assert.equal(out.summary.live_learnings.before, 10);
    const idx = fs
      .readFileSync(path.join(ws, '.agents/index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; title: string });
    assert.equal(idx.length, 10);
    assert.ok(!idx.some((e) => /README|SCHEMA|archive/.test(e.path)));
    assert.equal(idx.find((e) => e.path === 'learnings/2026-11-10-n0.md')!.title, `${TOPICS[0]} (0)`);
    assert.equal(out.summary.fitness.frontmatter_validity, 1, 'no title key needed');
  });
});

describe('safer merges and session mining (§4 REDUCE, §2.1 sessions)', function () {
  this.timeout(30_000);
  let root: string;
  let ws: string;
  beforeEach(() => {
    root = tmpDir('dream-merge-');
    ws = path.join(root, 'ws');
    for (let i = 0; i < 10; i++)
      write(ws, `.agents/learnings/2026-11-1${i}-n${i}.md`, oldNote(i, { date: `2026-11-1${i}`, helpful_count: 1 }));
  });
  afterEach(() => rm(root));

  const daily = (day: string) =>
    note(
      { date: day, maturity: 'provisional' },
      `# Nightly log\n\nThe nightly job ran the full suite, rebuilt the search index, rotated the logs and posted the summary to the channel. ${prose(99, 30)}`,
    );

  it('dated logs of different dates never merge; near-duplicates merge with merged_from on the survivor', async () => {
    write(ws, '.agents/learnings/nightly-2026-11-20.md', daily('2026-11-20'));
    write(ws, '.agents/learnings/nightly-2026-11-21.md', daily('2026-11-21'));
    const body = `# Close the pool in teardown\n\nTests hang when the database pool stays open after the suite. ${prose(5, 40)}`;
    write(ws, '.agents/learnings/pool-a.md', note({ id: 'pool-a', date: '2026-11-20', maturity: 'candidate', tags: ['db'] }, body));
    write(
      ws,
      '.agents/learnings/pool-b.md',
      note({ id: 'pool-b', date: '2026-11-21', tags: ['tests'] }, body.replace('Tests hang', 'Suites hang')),
    );
    const out = await night(ws);
    assert.ok(fs.existsSync(path.join(ws, '.agents/learnings/nightly-2026-11-20.md')));
    assert.ok(fs.existsSync(path.join(ws, '.agents/learnings/nightly-2026-11-21.md')));
    const survivor = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/pool-a.md')));
    assert.deepEqual(survivor.fm.merged_from, ['pool-b']);
    assert.deepEqual(survivor.fm.tags, ['db', 'tests']);
    const gone = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/.archive/pool-b.md')));
    assert.equal(gone.fm.superseded_by, 'pool-a');
    assert.equal(gone.fm.archived_from_maturity, 'provisional');
    assert.ok(Number(out.summary.iterations[0]!.reduce.dedup_kept_apart) >= 1);
  });

  it('an exact copy of a note without frontmatter: the untouchable original stays, the editable copy is archived as superseded by it', async () => {
    const body = `# Use idempotency keys on payment retries\n\nA retried charge without an idempotency key bills twice. ${prose(7, 40)}\n`;
    write(ws, '.agents/learnings/payments-original.md', body);
    write(ws, '.agents/learnings/payments-copy.md', `---\nid: payments-copy\ndate: 2026-11-20\n---\n${body}`);
    const before = fs.readFileSync(path.join(ws, '.agents/learnings/payments-original.md'));
    await night(ws);
    assert.deepEqual(fs.readFileSync(path.join(ws, '.agents/learnings/payments-original.md')), before);
    assert.ok(!fs.existsSync(path.join(ws, '.agents/learnings/payments-copy.md')));
    const a = parseNote('x', fs.readFileSync(path.join(ws, '.agents/learnings/.archive/payments-copy.md')));
    assert.equal(a.fm.superseded_by, 'payments-original');
  });

  it('sessions under sessions/ and ao/sessions/: statements only, anti-patterns keep polarity, known lessons are not promoted again', async () => {
    const known = TOPICS[2]!;
    write(
      ws,
      '.agents/ao/sessions/2026-11-22-s1.md',
      [
        '---',
        'date: 2026-11-22',
        '---',
        '# Session',
        '## What was hard',
        '- Everything was slow and the tooling kept getting in the way all day.',
        '## Lessons Learned',
        '- Warm the connection pool before the first request to avoid a cold-start spike.',
        '- See: src/a.ts, src/b.ts',
        '- `cli/cmd/ao/main.go`',
        '- [the runbook](docs/runbook.md)',
        '- tilization stays below 40%. Past that, instruction-following degrades...',
        `- ${known}.`,
        '## Anti-patterns',
        '- Never share one retry budget across unrelated downstream services.',
        '',
      ].join('\n'),
    );
    const out = await night(ws);
    const promoted = fs
      .readdirSync(path.join(ws, '.agents/learnings'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => parseNote(f, fs.readFileSync(path.join(ws, '.agents/learnings', f))))
      .filter((n) => n.fm.source === 'dream-session-mining');
    assert.deepEqual(promoted.map((n) => [n.fm.type, String(n.fm.title)]).sort(), [
      ['anti-pattern', 'Never share one retry budget across unrelated downstream services.'],
      ['learning', 'Warm the connection pool before the first request to avoid a cold-start spike.'],
    ]);
    assert.equal(out.summary.iterations[0]!.ingest.session_candidates_known, 1);
    assert.ok(Number(out.summary.iterations[0]!.ingest.session_lines_not_statements) >= 4);
  });
});

describe('clock seam (DREAM_TEST_NOW)', function () {
  this.timeout(30_000);
  it('the CLI runs "the night after" a snapshot: the run id and dates come from the seam; a bad value is one line', async () => {
    const root = tmpDir('dream-clock-');
    try {
      const ws = path.join(root, 'ws');
      write(ws, '.agents/learnings/a.md', oldNote(1, { date: '2026-04-01', helpful_count: 1 }));
      const lines: string[] = [];
      const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s), isTTY: false };
      const code = await main(['start', '--workspace', ws, '--no-keep-awake', '--json'], io, { DREAM_TEST_NOW: '2026-05-04T02:00:00Z' });
      assert.equal(code, 0, lines.join('\n'));
      const runs = fs.readdirSync(path.join(ws, '.agents/overnight/runs'));
      assert.equal(runs.length, 1);
      assert.match(runs[0]!, /^20260504T0200\d\dZ$/);
      const bad: string[] = [];
      const code2 = await main(
        ['start', '--workspace', ws, '--no-keep-awake'],
        { out: (s) => bad.push(s), err: (s) => bad.push(s), isTTY: false },
        {
          DREAM_TEST_NOW: 'tomorrow',
        },
      );
      assert.notEqual(code2, 0);
      assert.equal(bad.length, 1);
      assert.match(bad[0]!, /DREAM_TEST_NOW="tomorrow" is not a date/);
    } finally {
      rm(root);
    }
  });
});
