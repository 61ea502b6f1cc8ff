// Acceptance (issue 7): every real corpus in ../shared/corpora/real, copied into a temp folder inside
// the test, survives one night on today's clock and six weekly nights from the day after its
// snapshot: no night retires more than 10% of the live learnings; nothing outside .agents/ changes;
// no note's body is lost; established, helpful or INDEX-referenced notes are never retired; titles
// come from headings; frontmatter_validity is not 0 for want of `title`; a finished finding is never routed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseNote, resolveSettings, runBedtime, type Summary } from '../../src/engine';
import { kindOf } from '../../src/engine/corpus/corpus';
import { firstHeading, str } from '../../src/engine/corpus/note';
import { maturityRank } from '../../src/engine/corpus/knowledge';
import { findingFinished } from '../../src/engine/corpus/findings';
import { retireCap } from '../../src/engine/run/settings';
import { rm, snapshot, tmpDir, write } from './helpers/fixture';
import { REAL, realCorpora } from '../../bench/realCorpora';

interface Before {
  learnings: Map<string, ReturnType<typeof parseNote>>;
  bodies: Map<string, string>;
  protectedRels: string[];
  finished: Set<string>;
}

function readBefore(ws: string): Before {
  const agents = path.join(ws, '.agents');
  const learnings = new Map<string, ReturnType<typeof parseNote>>();
  const bodies = new Map<string, string>();
  const finished = new Set<string>();
  const index = fs.existsSync(path.join(agents, 'INDEX.md')) ? fs.readFileSync(path.join(agents, 'INDEX.md'), 'utf8').toLowerCase() : '';
  for (const f of fs.readdirSync(agents, { recursive: true }) as string[]) {
    const rel = String(f).split(path.sep).join('/');
    if (!rel.endsWith('.md') || rel.startsWith('overnight/')) continue;
    const n = parseNote(rel, fs.readFileSync(path.join(agents, rel)));
    bodies.set(rel, n.body);
    if (kindOf(rel) === 'learning') learnings.set(rel, n);
    if (kindOf(rel) === 'finding' && findingFinished(n)) finished.add(path.posix.basename(rel, '.md'));
  }
  const protectedRels = [...learnings.values()]
    .filter(
      (n) =>
        maturityRank(String(n.fm.maturity ?? '').toLowerCase()) >= maturityRank('established') ||
        Number(n.fm.helpful_count) > 0 ||
        index.includes(path.posix.basename(n.rel, '.md').toLowerCase()),
    )
    .map((n) => n.rel);
  return { learnings, bodies, protectedRels, finished };
}

function checkNight(ws: string, before: Before, s: Summary, label: string): void {
  const agents = path.join(ws, '.agents');
  assert.equal(s.status, 'done', `${label}: ${s.failure_reason ?? ''}`);
  // at most 10% of the live learnings retired (at least 1)
  const live = s.live_learnings.before ?? 0;
  const retired = s.iterations
    .filter((it) => it.committed)
    .reduce(
      (a, it) => a + Number(it.reduce.dedup_merged ?? 0) + Number(it.reduce.archived_rot ?? 0) + Number(it.reduce.archived_age ?? 0),
      0,
    );
  assert.ok(retired <= retireCap('10%', live), `${label}: retired ${retired} of ${live}`);
  const gone = [...before.learnings.keys()].filter((rel) => !fs.existsSync(path.join(agents, rel)));
  assert.ok(gone.length <= retireCap('10%', live), `${label}: ${gone.length} learnings left learnings/: ${gone.join(', ')}`);
  // no body lost: every note is where it was, or moved (archive) with the same body
  const moved = new Map<string, string>();
  for (const it of s.iterations) for (const c of it.changes) if (it.committed && c.moved_to) moved.set(c.path, c.moved_to);
  for (const [rel, body] of before.bodies) {
    const at = fs.existsSync(path.join(agents, rel)) ? rel : moved.get(rel);
    assert.ok(at, `${label}: ${rel} vanished`);
    assert.equal(parseNote(at, fs.readFileSync(path.join(agents, at))).body, body, `${label}: body of ${rel}`);
  }
  // established, helpful or INDEX-referenced notes are never retired
  for (const rel of before.protectedRels) assert.ok(fs.existsSync(path.join(agents, rel)), `${label}: protected ${rel} retired`);
  // titles come from headings (index.jsonl)
  const idx = path.join(agents, 'index.jsonl');
  if (before.learnings.size && fs.existsSync(idx)) {
    for (const line of fs.readFileSync(idx, 'utf8').split('\n').filter(Boolean)) {
      const e = JSON.parse(line) as { path: string; title: string };
      const n = before.learnings.get(e.path);
      if (!n || str(n.fm.title)) continue;
      const h = firstHeading(n.body);
      if (h) assert.equal(e.title, h, `${label}: title of ${e.path}`);
    }
  }
  // frontmatter_validity is not 0 for want of a `title` key
  const withHeading = [...before.learnings.values()].filter((n) => !n.fmError && firstHeading(n.body) && !str(n.fm.title)).length;
  if (withHeading) assert.ok((s.fitness.frontmatter_validity ?? 0) > 0, `${label}: frontmatter_validity ${s.fitness.frontmatter_validity}`);
  // a retired, superseded or resolved finding is never routed
  const queue = path.join(agents, 'rpi/next-work.jsonl');
  if (fs.existsSync(queue))
    for (const line of fs.readFileSync(queue, 'utf8').split('\n').filter(Boolean)) {
      let o: { source_epic?: string; items?: { id?: string }[] };
      try {
        o = JSON.parse(line);
      } catch {
        continue;
      }
      if (o.source_epic !== 'dream-findings-router') continue;
      for (const it of o.items ?? []) assert.ok(!before.finished.has(String(it.id)), `${label}: finished finding ${it.id} routed`);
    }
}

async function night(ws: string, day: Date | null) {
  const t0 = Date.now();
  return runBedtime({
    workspace: ws,
    settings: resolveSettings({ args: { keepAwake: false, maxIterations: 4 } }),
    ...(day ? { now: () => new Date(day.getTime() + (Date.now() - t0)) } : {}),
  });
}

const OUTSIDE = 'src/app/main.ts';

describe('real corpora (../shared/corpora/real): one night and six weekly nights', function () {
  this.timeout(120_000);
  const corpora = realCorpora();
  it('the real corpora are present', () => assert.ok(corpora.length >= 4, `found ${corpora.length} corpora in ${REAL}`));
  for (const c of corpora) {
    it(`${c.name}: one night on today's clock`, async () => {
      const root = tmpDir('dream-real-');
      try {
        const ws = path.join(root, 'ws');
        fs.cpSync(c.dir, ws, { recursive: true });
        write(ws, OUTSIDE, 'export const untouched = 1;\n');
        const outside = snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/'));
        const before = readBefore(ws);
        const out = await night(ws, null);
        checkNight(ws, before, out.summary, `${c.name} today`);
        assert.deepEqual(
          snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/')),
          outside,
          'nothing outside .agents/ changes',
        );
      } finally {
        rm(root);
      }
    });
    it(`${c.name}: six weekly nights from the day after its snapshot (${c.snapshot})`, async () => {
      const root = tmpDir('dream-real-');
      try {
        const ws = path.join(root, 'ws');
        fs.cpSync(c.dir, ws, { recursive: true });
        write(ws, OUTSIDE, 'export const untouched = 1;\n');
        const outside = snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/'));
        const first = new Date(`${c.snapshot}T03:00:00Z`).getTime() + 86_400_000;
        for (let week = 0; week < 6; week++) {
          const before = readBefore(ws);
          const out = await night(ws, new Date(first + week * 7 * 86_400_000));
          checkNight(ws, before, out.summary, `${c.name} night ${week + 1}`);
        }
        assert.deepEqual(
          snapshot(ws, (r) => r === '.agents' || r.startsWith('.agents/')),
          outside,
          'nothing outside .agents/ changes',
        );
      } finally {
        rm(root);
      }
    });
  }
});
