// A seeded knowledge corpus for the knowledge-outcome eval (`npm run eval`): every learning carries
// one fact, and the generator returns the ground truth — which facts exist, where, which notes are
// planted near-duplicates, rotten, old-but-valid, which facts live only in session notes — and a
// labelled query per fact. Deterministic: the same seed and `today` write the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from './synth';

export interface EvalFact {
  id: string;
  /** the sentence that states the fact (what retrieval must surface) */
  sentence: string;
  /** a paraphrased question for it */
  query: string;
  kind: 'note' | 'old-valid' | 'duplicate' | 'rotten' | 'session' | 'anti-pattern';
}

export interface EvalCorpus {
  dir: string;
  today: string;
  facts: EvalFact[];
  /** relpaths (relative to .agents/) of each planted near-duplicate group */
  dupGroups: string[][];
  rotten: string[];
  oldValid: string[];
  /** session lines that must never become learnings (paths, See: lists, complaints, restatements) */
  junk: string[];
  learnings: number;
}

export interface EvalOptions {
  seed: number;
  today: string;
  notes: number;
  dupGroups: number;
  rotten: number;
  oldValid: number;
  sessionFacts: number;
}

export const EVAL_DEFAULTS: EvalOptions = {
  seed: 7,
  today: '2026-11-23',
  notes: 160,
  dupGroups: 8,
  rotten: 6,
  oldValid: 40,
  sessionFacts: 20,
};

const SYL = [
  'zor',
  'quin',
  'vel',
  'tra',
  'mek',
  'dov',
  'sil',
  'bra',
  'nox',
  'fen',
  'gar',
  'hul',
  'pim',
  'rud',
  'sab',
  'tov',
  'wex',
  'yar',
  'kel',
  'mun',
];
const NOUNS = ['cache', 'queue', 'worker', 'gateway', 'scheduler', 'index', 'ledger', 'proxy', 'parser', 'broker', 'replica', 'webhook'];
const VERBS: [string, string][] = [
  ['flush', 'flushes'],
  ['retry', 'retries'],
  ['drain', 'drains'],
  ['rotate', 'rotates'],
  ['compact', 'compacts'],
  ['throttle', 'throttles'],
  ['checkpoint', 'checkpoints'],
  ['rebalance', 'rebalances'],
];
const UNITS = ['seconds', 'minutes', 'requests', 'megabytes', 'connections', 'batches'];
const FILLER = [
  'We found this during an incident review and confirmed it twice in staging.',
  'Measured on the shared cluster with production-like traffic over a week.',
  'The symptom was intermittent, which is why it took several sessions to pin down.',
  'Writing it down because the default configuration silently does the opposite.',
  'Two teams hit the same problem independently before this note existed.',
];

const DAY = 86_400_000;

export function generateEvalCorpus(dir: string, o: EvalOptions = EVAL_DEFAULTS): EvalCorpus {
  const rnd = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const today = new Date(`${o.today}T00:00:00Z`).getTime();
  const day = (ago: number) => new Date(today - ago * DAY).toISOString().slice(0, 10);
  const names = new Set<string>();
  while (names.size < 90) names.add(pick(SYL) + pick(SYL) + (rnd() < 0.5 ? pick(SYL) : ''));
  const pool = [...names];
  const usedSubjects = new Set<string>();
  const facts: EvalFact[] = [];
  const newFact = (kind: EvalFact['kind']): EvalFact => {
    let a: string, noun: string;
    do {
      a = pick(pool);
      noun = pick(NOUNS);
    } while (usedSubjects.has(a + noun));
    usedSubjects.add(a + noun);
    const b = pick(pool.filter((x) => x !== a));
    const noun2 = pick(NOUNS.filter((x) => x !== noun));
    const [verb, verbs] = pick(VERBS);
    const n = 2 + Math.floor(rnd() * 300);
    const unit = pick(UNITS);
    const id = `fact-${String(facts.length + 1).padStart(3, '0')}`;
    const sentence =
      kind === 'anti-pattern'
        ? `Never let the ${a} ${noun} ${verb} more than ${n} ${unit} while the ${b} ${noun2} is starting.`
        : `The ${a} ${noun} ${verbs} every ${n} ${unit} so the ${b} ${noun2} stays healthy.`;
    const query = `how often should ${a} ${noun} ${verb} for the ${b} ${noun2}`;
    const f = { id, sentence, query, kind };
    facts.push(f);
    return f;
  };
  const files = new Map<string, string>();
  const put = (rel: string, text: string) => files.set(rel, text);
  // workspace source files the valid notes cite
  const sources = Array.from({ length: 20 }, (_, i) => `src/${pick(NOUNS)}/${pick(pool)}-${i}.ts`);
  for (const s of sources) files.set(`../${s}`, `export const x = ${JSON.stringify(s)};\n`);
  const titleOf = (f: EvalFact) => f.sentence.replace(/^(The|Never let the) /, '').replace(/ (so|while) the .*$/, '');
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  const learningText = (
    f: EvalFact,
    o2: { date: string; fm?: string[]; cites?: string[]; noTitleKey?: boolean; filler: string; id?: string },
  ) => {
    const fm = [`id: ${o2.id ?? f.id}`, `date: ${o2.date}`, ...(o2.fm ?? [])];
    if (!o2.noTitleKey) fm.push(`title: "${cap(titleOf(f))}"`);
    const src = o2.cites?.length ? `\n## Source\n\n${o2.cites.map((c) => `- \`${c}\``).join('\n')}\n` : '';
    return `---\n${fm.join('\n')}\n---\n\n# ${cap(titleOf(f))}\n\n## What We Learned\n\n${f.sentence} ${o2.filler}\n${src}`;
  };
  const slug = (f: EvalFact) =>
    titleOf(f)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 40)
      .replace(/-+$/, '');
  const maturities = ['provisional', 'candidate', 'established', 'validated', 'draft'];
  // 1. ordinary notes: recent, some used, various vocabulary
  for (let i = 0; i < o.notes; i++) {
    const f = newFact('note');
    const ago = Math.floor(rnd() * 25);
    const fm = [`maturity: ${pick(maturities)}`, `confidence: ${pick(['high', 'medium', 'low', '0.7'])}`];
    if (rnd() < 0.4) fm.push(`helpful_count: ${1 + Math.floor(rnd() * 9)}`, `utility: ${(0.4 + rnd() * 0.5).toFixed(2)}`);
    put(
      `learnings/${day(ago)}-${slug(f)}.md`,
      learningText(f, { date: day(ago), fm, cites: rnd() < 0.6 ? [pick(sources)] : [], noTitleKey: rnd() < 0.6, filler: pick(FILLER) }),
    );
  }
  // 2. old but valid: dated over the past year, unused, still true (valid or no citations)
  const oldValid: string[] = [];
  for (let i = 0; i < o.oldValid; i++) {
    const f = newFact('old-valid');
    const ago = 40 + Math.floor((i * 325) / Math.max(1, o.oldValid - 1));
    const rel = `learnings/${day(ago)}-${slug(f)}.md`;
    put(rel, learningText(f, { date: day(ago), fm: ['maturity: provisional'], cites: i % 2 ? [pick(sources)] : [], filler: pick(FILLER) }));
    oldValid.push(rel);
  }
  // 3. near-duplicate groups: one fact, two or three notes with light edits
  const dupGroups: string[][] = [];
  for (let g = 0; g < o.dupGroups; g++) {
    const f = newFact('duplicate');
    const members: string[] = [];
    const size = g % 3 === 2 ? 3 : 2;
    const filler = pick(FILLER);
    for (let m = 0; m < size; m++) {
      const ago = 2 + m * 3 + Math.floor(rnd() * 10);
      const rel = `learnings/${day(ago)}-${slug(f)}${m ? `-v${m + 1}` : ''}.md`;
      const text = learningText(f, {
        date: day(ago),
        id: m ? `${f.id}-v${m + 1}` : f.id,
        fm: [`maturity: ${m ? 'provisional' : 'candidate'}`],
        cites: [sources[g % sources.length]!],
        // a light edit: one word of the filler differs
        filler: m ? filler.replace(/\b(the|this|it|a)\b/, m === 1 ? 'that' : 'one') : filler,
      });
      put(rel, text);
      members.push(rel);
    }
    dupGroups.push(members.sort());
  }
  // 4. rotten: every cited path removed; half flagged two months ago (due), half not yet flagged
  const rotten: string[] = [];
  for (let i = 0; i < o.rotten; i++) {
    const f = newFact('rotten');
    const rel = `learnings/${day(60 + i)}-${slug(f)}.md`;
    const flagged = i % 2 === 0 ? ['stale_citation: true', `stale_citation_since: ${day(60)}`] : [];
    put(
      rel,
      learningText(f, {
        date: day(60 + i),
        fm: ['maturity: provisional', ...flagged],
        cites: [`src/removed/${pick(pool)}-${i}.ts`],
        filler: pick(FILLER),
      }),
    );
    rotten.push(rel);
  }
  // 5. sessions from last night: fresh facts under lesson sections, one anti-pattern section, and junk
  const junk: string[] = [];
  const existing = facts.filter((f) => f.kind === 'note');
  const sessionFacts: EvalFact[] = [];
  for (let i = 0; i < o.sessionFacts; i++) sessionFacts.push(newFact(i % 5 === 4 ? 'anti-pattern' : 'session'));
  for (let s = 0; s * 4 < sessionFacts.length; s++) {
    const mine = sessionFacts.slice(s * 4, s * 4 + 4);
    const restated = existing[(s * 7) % existing.length]!;
    const lines = [
      '---',
      `date: ${day(1)}`,
      'status: completed',
      '---',
      `# Working notes ${s + 1}`,
      '',
      '## What was hard',
      '- The build kept failing for no clear reason and it was frustrating.',
      '',
      `## ${s % 2 ? 'Key Insights' : 'Learnings'}`,
      ...mine.filter((f) => f.kind !== 'anti-pattern').map((f) => `- ${f.sentence}`),
      `- See: ${pick(sources)}, ${pick(sources)}`,
      `- \`${pick(sources)}\``,
      `- ${restated.sentence}`,
      '',
    ];
    junk.push(lines[lines.length - 3]!.slice(2), lines[lines.length - 2]!.slice(2), restated.sentence);
    const anti = mine.filter((f) => f.kind === 'anti-pattern');
    if (anti.length) lines.push('## Anti-patterns', ...anti.map((f) => `- ${f.sentence}`), '');
    put(`sessions/${day(1)}-working-notes-${s + 1}.md`, lines.join('\n'));
  }
  fs.mkdirSync(path.join(dir, '.agents', 'learnings'), { recursive: true });
  for (const [rel, text] of [...files.entries()].sort()) {
    const abs = rel.startsWith('../') ? path.join(dir, rel.slice(3)) : path.join(dir, '.agents', rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  const learnings = [...files.keys()].filter((r) => r.startsWith('learnings/')).length;
  return { dir, today: o.today, facts, dupGroups, rotten, oldValid, junk, learnings };
}
