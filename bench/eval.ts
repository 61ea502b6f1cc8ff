// `npm run eval`: the knowledge-outcome benchmark (deterministic, seeded). One night of Dream on a
// generated corpus with known facts, scored before and after with the eval's own retrieval; the
// same night with upstream's age-based retention for contrast; and the real corpora for one night
// and six weekly nights from their snapshot dates. Prints a table and records it in bench/EVAL.md.
//   node dist/eval.js [--no-write] [--seed N]
import fs from 'node:fs';
import path from 'node:path';
import { EVAL_DEFAULTS } from './evalCorpus';
import { evalReal, evalSynthetic, type RealResult, type SyntheticResult } from './evalRun';
import { realCorpora } from './realCorpora';

const UPSTREAM = { retention: 'age', maxRetirePerNight: '100%' } as const;

const f3 = (x: number) => x.toFixed(3);
const pct = (a: number, b: number) => `${a}/${b}`;
const reasons = (r: Record<string, number>) =>
  Object.entries(r)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function syntheticTable(rows: SyntheticResult[]): string[] {
  const head = ['measure', ...rows.map((r) => r.label)];
  const line = (name: string, f: (r: SyntheticResult) => string) => [name, ...rows.map(f)];
  const body = [
    line('live learnings before → after', (r) => `${r.liveBefore} → ${r.liveAfter}`),
    line('facts lost from the live set', (r) => pct(r.factsLost, r.factsTracked)),
    line('old-but-valid notes still live', (r) => pct(r.oldValidLive, r.oldValid)),
    line('duplicate groups collapsed', (r) => pct(r.dupCollapsed, r.dupGroups)),
    line('rotten notes flagged or retired', (r) => pct(r.rottenHandled, r.rotten)),
    line('fresh session facts promoted', (r) => pct(r.sessionGained, r.sessionFacts)),
    line('anti-patterns promoted as type: anti-pattern', (r) => String(r.antiPatternsTyped)),
    line('junk promoted (paths, See:, complaints, restatements)', (r) => String(r.junkPromoted)),
    line('hit@1 before → after', (r) => `${f3(r.before.hit1)} → ${f3(r.after.hit1)}`),
    line('hit@3 before → after', (r) => `${f3(r.before.hit3)} → ${f3(r.after.hit3)}`),
    line('MRR before → after', (r) => `${f3(r.before.mrr)} → ${f3(r.after.mrr)}`),
    line('retired, by reason', (r) => reasons(r.retiredBy)),
    line('proposed for review', (r) => String(r.proposals)),
  ];
  return mdTable(head, body);
}

export function realTable(rows: RealResult[]): string[] {
  const head = [
    'corpus (snapshot)',
    'settings',
    'live before',
    'after 1 night',
    'after 6 weekly nights',
    'max retired in a night',
    'retired, by reason (6 nights)',
    'proposals (night 6)',
    'packets naming finished work',
  ];
  return mdTable(
    head,
    rows.map((r) => [
      `${r.name} (${r.snapshot})`,
      r.label ?? '',
      String(r.liveBefore),
      String(r.afterOneNight),
      String(r.afterSixNights),
      `${(r.maxRetiredShare * 100).toFixed(0)}%`,
      reasons(r.retiredBy),
      String(r.proposals),
      `${r.packetsFinished}/${r.packets}`,
    ]),
  );
}

function mdTable(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const opts = { ...EVAL_DEFAULTS, ...(seedAt >= 0 ? { seed: Number(args[seedAt + 1]) } : {}) };
  const t0 = Date.now();
  const synthetic = [
    await evalSynthetic('Dream (evidence, cap 10%)', {}, opts),
    await evalSynthetic('upstream (age, no cap)', UPSTREAM, opts),
  ];
  const real: (RealResult & { label: string })[] = [];
  for (const c of realCorpora()) {
    real.push({ ...(await evalReal(c.name, c.dir, c.snapshot)), label: 'Dream' });
    real.push({ ...(await evalReal(c.name, c.dir, c.snapshot, UPSTREAM)), label: 'upstream (age, no cap)' });
  }
  const day = new Date().toISOString().slice(0, 10);
  const out = [
    `## Eval of ${day} (seed ${opts.seed}, corpus day ${opts.today}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    '',
    `Generated corpus: ${opts.notes} notes with one fact each, ${opts.oldValid} old-but-valid notes dated 40-365 days back, ${opts.dupGroups} planted near-duplicate groups, ${opts.rotten} rotten notes (every cited path removed; half flagged 60 days ago), ${opts.sessionFacts} facts only in last night's session notes (one in five under an anti-pattern heading) next to junk lines. One labelled query per fact; retrieval is the eval's own BM25 over each live learning's title and body.`,
    '',
    ...syntheticTable(synthetic),
    '',
    'Real corpora (../shared/corpora/real), nights from the day after each snapshot, one a week:',
    '',
    ...realTable(real),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (!args.includes('--no-write')) {
    const file = path.join(process.cwd(), 'bench', 'EVAL.md');
    const intro =
      '# Knowledge-outcome eval (`npm run eval`)\n\nWhat one night of Dream does to what a corpus knows (contract §4, §4.2). Each run appends its table below.\n\n';
    const prev = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : intro;
    fs.writeFileSync(file, prev.trimEnd() + '\n\n' + out.join('\n'));
    process.stdout.write(`recorded in ${file}\n`);
  }
}

if (require.main === module)
  main().catch((e: unknown) => {
    process.stderr.write(`eval: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
