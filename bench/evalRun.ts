// The knowledge-outcome eval: what one night of Dream does to what a corpus knows. It scores the
// live set before and after with a retrieval of its own (BM25 over each live learning's title and
// body, not Dream's index.jsonl), against the ground truth of a seeded corpus (evalCorpus.ts), and
// it runs the real corpora of ../shared/corpora/real for one night and six weekly nights.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseNote, resolveSettings, runBedtime, type DreamSettings, type Summary } from '../src/engine';
import { kindOf } from '../src/engine/corpus/corpus';
import { findingFinished } from '../src/engine/corpus/findings';
import { isVisible } from '../src/engine/corpus/knowledge';
import { generateEvalCorpus, EVAL_DEFAULTS, type EvalCorpus, type EvalOptions } from './evalCorpus';

const DAY = 86_400_000;

interface LiveNote {
  rel: string;
  text: string;
  fm: Record<string, unknown>;
}

/** the live learnings on disk: learnings/**.md that are learnings, not archived or superseded */
export function liveNotes(ws: string): LiveNote[] {
  const root = path.join(ws, '.agents');
  const out: LiveNote[] = [];
  const dir = path.join(root, 'learnings');
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const rel = `learnings/${String(f).split(path.sep).join('/')}`;
    if (!rel.endsWith('.md') || kindOf(rel) !== 'learning') continue;
    const n = parseNote(rel, fs.readFileSync(path.join(root, rel)));
    if (!isVisible(n)) continue;
    out.push({ rel, text: n.body, fm: n.fm });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

const STOP = new Set('the a an of to for and or is are be so it its in on at by with should how often every more than while'.split(' '));
const tokens = (s: string) => (s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOP.has(t));

/** BM25 (k1 1.2, b 0.75) over title + body; returns the ranked note indices */
export class Bm25 {
  private docs: Map<string, number>[];
  private len: number[];
  private df = new Map<string, number>();
  private avg: number;
  constructor(texts: string[]) {
    this.docs = texts.map((t) => {
      const m = new Map<string, number>();
      for (const w of tokens(t)) m.set(w, (m.get(w) ?? 0) + 1);
      return m;
    });
    this.len = texts.map((t) => tokens(t).length);
    this.avg = this.len.reduce((a, b) => a + b, 0) / Math.max(1, this.len.length);
    for (const d of this.docs) for (const w of d.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
  }
  rank(query: string, k = 10): number[] {
    const N = this.docs.length;
    const q = [...new Set(tokens(query))];
    const scores = this.docs.map((d, i) => {
      let s = 0;
      for (const w of q) {
        const tf = d.get(w);
        if (!tf) continue;
        const df = this.df.get(w)!;
        const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
        s += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * this.len[i]!) / this.avg));
      }
      return s;
    });
    return scores
      .map((s, i) => [s, i] as const)
      .filter(([s]) => s > 0)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, k)
      .map(([, i]) => i);
  }
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');

export interface RetrievalScore {
  hit1: number;
  hit3: number;
  mrr: number;
  queries: number;
}

export function scoreRetrieval(live: LiveNote[], facts: { sentence: string; query: string }[]): RetrievalScore {
  const bm = new Bm25(live.map((n) => n.text));
  let h1 = 0,
    h3 = 0,
    rr = 0;
  for (const f of facts) {
    const want = norm(f.sentence);
    const ranked = bm.rank(f.query, 10);
    const pos = ranked.findIndex((i) => norm(live[i]!.text).includes(want));
    if (pos === 0) h1++;
    if (pos >= 0 && pos < 3) h3++;
    if (pos >= 0) rr += 1 / (pos + 1);
  }
  const q = facts.length || 1;
  return { hit1: h1 / q, hit3: h3 / q, mrr: rr / q, queries: facts.length };
}

export interface NightOutcome {
  summary: Summary;
  retiredBy: Record<string, number>;
}

function reasonOf(kind: string, reason: string): string {
  if (kind === 'superseded') return /exact copy/.test(reason) ? 'exact copy' : /near-duplicate/.test(reason) ? 'duplicate' : 'superseded';
  if (/(^|; )rot:/.test(reason)) return 'rot';
  if (/(^|; )age:/.test(reason)) return 'age';
  if (/already marked/.test(reason)) return 'already archived';
  if (/promoted to/.test(reason)) return 'promoted';
  return 'other';
}

/** one night at `at` (a clock that starts there and runs) */
export async function runNight(ws: string, at: Date, args: Partial<DreamSettings> = {}): Promise<NightOutcome> {
  const t0 = Date.now();
  const out = await runBedtime({
    workspace: ws,
    settings: resolveSettings({ args: { keepAwake: false, ...args } }),
    now: () => new Date(at.getTime() + (Date.now() - t0)),
  });
  const retiredBy: Record<string, number> = {};
  for (const it of out.summary.iterations)
    if (it.committed)
      for (const c of it.changes)
        if ((c.kind === 'archived' || c.kind === 'superseded') && c.path.startsWith('learnings/')) {
          const r = reasonOf(c.kind, c.reason);
          retiredBy[r] = (retiredBy[r] ?? 0) + 1;
        }
  return { summary: out.summary, retiredBy };
}

export interface SyntheticResult {
  label: string;
  liveBefore: number;
  liveAfter: number;
  factsLost: number;
  factsTracked: number;
  oldValidLive: number;
  oldValid: number;
  dupCollapsed: number;
  dupGroups: number;
  rottenHandled: number;
  rotten: number;
  sessionGained: number;
  sessionFacts: number;
  antiPatternsTyped: number;
  junkPromoted: number;
  before: RetrievalScore;
  after: RetrievalScore;
  retiredBy: Record<string, number>;
  proposals: number;
}

/** generates the seeded corpus, scores it, runs one night, scores again */
export async function evalSynthetic(
  label: string,
  args: Partial<DreamSettings> = {},
  o: EvalOptions = EVAL_DEFAULTS,
): Promise<SyntheticResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-eval-'));
  try {
    const ws = path.join(root, 'ws');
    const c: EvalCorpus = generateEvalCorpus(ws, o);
    const before = liveNotes(ws);
    const kept = c.facts.filter((f) => f.kind !== 'rotten');
    const tracked = c.facts.filter((f) => f.kind === 'note' || f.kind === 'old-valid' || f.kind === 'duplicate');
    const session = c.facts.filter((f) => f.kind === 'session' || f.kind === 'anti-pattern');
    const has = (live: LiveNote[], sentence: string) => live.some((n) => norm(n.text).includes(norm(sentence)));
    const sBefore = scoreRetrieval(before, kept);
    const night = await runNight(ws, new Date(new Date(`${c.today}T03:00:00Z`).getTime()), args);
    const after = liveNotes(ws);
    const beforeRels = new Set(before.map((n) => n.rel));
    const added = after.filter((n) => !beforeRels.has(n.rel));
    const live = (rel: string) => after.some((n) => n.rel === rel);
    const rottenHandled = c.rotten.filter((rel) => {
      if (!live(rel)) return true;
      return after.find((n) => n.rel === rel)!.fm.stale_citation === true;
    }).length;
    return {
      label,
      liveBefore: before.length,
      liveAfter: after.length,
      factsLost: tracked.filter((f) => has(before, f.sentence) && !has(after, f.sentence)).length,
      factsTracked: tracked.length,
      oldValidLive: c.oldValid.filter(live).length,
      oldValid: c.oldValid.length,
      dupCollapsed: c.dupGroups.filter((g) => g.filter(live).length === 1).length,
      dupGroups: c.dupGroups.length,
      rottenHandled,
      rotten: c.rotten.length,
      sessionGained: session.filter((f) => !has(before, f.sentence) && has(after, f.sentence)).length,
      sessionFacts: session.length,
      antiPatternsTyped: added.filter((n) => n.fm.type === 'anti-pattern').length,
      junkPromoted: added.filter((n) => c.junk.some((j) => norm(n.text).includes(norm(j)))).length,
      before: sBefore,
      after: scoreRetrieval(after, kept),
      retiredBy: night.retiredBy,
      proposals: night.summary.proposals.length,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export interface RealResult {
  label?: string;
  name: string;
  snapshot: string;
  liveBefore: number;
  afterOneNight: number;
  afterSixNights: number;
  retiredBy: Record<string, number>;
  proposals: number;
  packets: number;
  packetsFinished: number;
  maxRetiredShare: number;
}

/** finding ids that are finished (§2.1) and queue items consumed at item level */
function finishedIds(ws: string): Set<string> {
  const out = new Set<string>();
  const agents = path.join(ws, '.agents');
  const fdir = path.join(agents, 'findings');
  if (fs.existsSync(fdir))
    for (const f of fs.readdirSync(fdir))
      if (f.endsWith('.md') && findingFinished(parseNote(`findings/${f}`, fs.readFileSync(path.join(fdir, f)))))
        out.add(f.replace(/\.md$/, ''));
  const q = path.join(agents, 'rpi/next-work.jsonl');
  if (fs.existsSync(q))
    for (const line of fs.readFileSync(q, 'utf8').split('\n')) {
      try {
        const o = JSON.parse(line) as { items?: Record<string, unknown>[] } & Record<string, unknown>;
        for (const it of o.items ?? [])
          if (
            typeof it.id === 'string' &&
            (it.consumed === true || it.claim_status === 'consumed' || /^(done|completed|closed)$/.test(String(it.status ?? '')))
          )
            out.add(it.id);
      } catch {
        /* not JSON */
      }
    }
  return out;
}

function packetsNamingFinished(s: Summary, finished: Set<string>): number {
  return s.morning_packets.filter((p) => [...finished].some((id) => JSON.stringify(p).includes(id))).length;
}

export async function evalReal(name: string, dir: string, snapshot: string, args: Partial<DreamSettings> = {}): Promise<RealResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-eval-real-'));
  try {
    const ws = path.join(root, 'ws');
    fs.cpSync(dir, ws, { recursive: true });
    const liveBefore = liveNotes(ws).length;
    const first = new Date(`${snapshot}T03:00:00Z`).getTime() + DAY;
    const retiredBy: Record<string, number> = {};
    let afterOne = 0;
    let packets = 0;
    let packetsFinished = 0;
    let proposals = 0;
    let maxShare = 0;
    for (let w = 0; w < 6; w++) {
      const liveStart = liveNotes(ws).length;
      const finished = finishedIds(ws);
      const n = await runNight(ws, new Date(first + w * 7 * DAY), args);
      for (const [k, v] of Object.entries(n.retiredBy)) if (k !== 'promoted') retiredBy[k] = (retiredBy[k] ?? 0) + v;
      const retired = Object.entries(n.retiredBy)
        .filter(([k]) => k !== 'promoted' && k !== 'already archived')
        .reduce((a, [, v]) => a + v, 0);
      if (liveStart) maxShare = Math.max(maxShare, retired / liveStart);
      packets += n.summary.morning_packets.length;
      packetsFinished += packetsNamingFinished(n.summary, finished);
      proposals = n.summary.proposals.length;
      if (w === 0) afterOne = liveNotes(ws).length;
    }
    return {
      name,
      snapshot,
      liveBefore,
      afterOneNight: afterOne,
      afterSixNights: liveNotes(ws).length,
      retiredBy,
      proposals,
      packets,
      packetsFinished,
      maxRetiredShare: maxShare,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
