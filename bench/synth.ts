// Seeded synthetic corpus for the benchmark and for tests: a workspace folder with a few source files
// and an `.agents/` corpus of N learnings spread over ~20 topic folders, with planted work:
//  - near-duplicate groups (2-3 members, each a light word-level perturbation of a base note, every
//    pair verified to have character-trigram Jaccard > MIN_DUP_JACCARD on lower-cased,
//    whitespace-collapsed `title + "\n" + body`),
//  - ~3% stale notes (dated 40-200 days before `today`, draft/provisional, referenced from nowhere),
//  - ~10% broken citations (paths that do not exist), most others citing real files under src/,
//  - a few patterns, a research note, findings, sessions with `## Learnings` bullets, next-work.
// Deterministic: the same options produce the same bytes (mulberry32 PRNG, fixed `today`).
import fs from 'node:fs';
import path from 'node:path';

export interface SynthOptions {
  learnings: number;
  dupGroups: number;
  seed: number;
  /** YYYY-MM-DD the dates are relative to (default: today, UTC) */
  today?: string;
}

export interface SynthNote {
  /** relative to .agents/ */
  rel: string;
  title: string;
  /** the note text after the frontmatter block, exactly as written */
  body: string;
}

export interface SynthResult {
  dir: string;
  /** planted near-duplicate groups, each sorted, relpaths relative to .agents/ */
  groups: string[][];
  learnings: SynthNote[];
  stale: string[];
  brokenCitations: string[];
  /** every file written, relative to dir */
  files: number;
  bytes: number;
}

/** planted pairs are verified above this (the engine's rule is > 0.80) */
export const MIN_DUP_JACCARD = 0.86;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference implementation of the dedupe rule, independent of src/engine (plain string sets). */
export function referenceTrigramJaccard(a: string, b: string): number {
  const sa = trigrams(a);
  const sb = trigrams(b);
  if (!sa.size && !sb.size) return 1;
  let inter = 0;
  for (const t of sa) if (sb.has(t)) inter++;
  return inter / (sa.size + sb.size - inter);
}

function trigrams(text: string): Set<string> {
  const s = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const out = new Set<string>();
  if (s.length < 3) {
    if (s) out.add(s);
    return out;
  }
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return out;
}

export const TOPICS = [
  'auth',
  'db',
  'http',
  'ci',
  'tests',
  'cache',
  'queue',
  'logging',
  'metrics',
  'deploy',
  'config',
  'search',
  'billing',
  'email',
  'storage',
  'frontend',
  'mobile',
  'security',
  'migrations',
  'perf',
];

// ~480 words: technical vocabulary plus ordinary English, so sentences read like engineering notes
// and two unrelated notes share few character trigrams.
const WORDS = (
  'token session cookie refresh expiry signature audience issuer claim scope tenant account user admin role permission ' +
  'pool connection client query transaction index replica primary lock deadlock timeout vacuum schema migration column table row ' +
  'request response header status retry backoff jitter latency throughput socket keepalive proxy gateway upstream downstream ' +
  'pipeline runner artifact workflow matrix cache lockfile dependency version release tag branch merge rebase build bundle ' +
  'fixture mock stub snapshot assertion flaky suite coverage harness seed clock timer promise callback handler middleware ' +
  'queue worker consumer producer message payload offset partition visibility dead letter batch cron schedule job ' +
  'logger trace span metric gauge counter histogram bucket alert dashboard threshold budget objective incident outage pager ' +
  'deploy rollout canary rollback container image registry cluster node pod volume secret manifest helm terraform region zone ' +
  'config environment variable flag default override fallback validation parser serializer encoder decoder format encoding ' +
  'search ranking query tokenizer analyzer synonym stemming shard segment refresh document field mapping invoice payment ' +
  'refund charge currency rounding ledger balance statement receipt email template bounce complaint webhook signature ' +
  'bucket object upload download multipart presigned checksum compression thumbnail browser render hydration bundle chunk ' +
  'stylesheet layout accessibility keyboard focus mobile tablet offline sync conflict device notification permission ' +
  'encryption hashing salt rotation certificate authority vault credential audit review compliance retention purge ' +
  'always never usually rarely before after during while because although unless until whenever instead therefore however ' +
  'quickly slowly silently loudly eventually immediately twice once again only still already almost nearly exactly roughly ' +
  'broke fixed changed moved renamed removed added doubled halved skipped blocked leaked dropped duplicated reordered ' +
  'stalled crashed hung recovered throttled rejected accepted ignored swallowed masked exposed wrapped unwrapped flushed ' +
  'the team found that our new old first last every each other same different whole partial single multiple several ' +
  'large small slow fast stale fresh hot cold cheap expensive safe unsafe strict loose local remote shared private public ' +
  'morning night weekend spike peak traffic customer support ticket report export import nightly hourly weekly monthly ' +
  'because of this we now keep make sure to check measure compare verify document explain prefer avoid replace split ' +
  'production staging preview sandbox laptop runner container instance service library framework plugin adapter driver ' +
  'apple copper garden harbor lantern meadow orchard pebble quartz saddle timber velvet willow zephyr amber basil cedar ' +
  'dune ember fjord glacier hazel iris juniper kelp lotus maple nectar onyx prairie quill raven sable thistle umber ' +
  'violet walnut yarrow zinc alder birch clover dahlia elm fern ginger heather ivy jasmine kale lilac mint nettle olive ' +
  'poppy reed sage tulip vine wheat yew aspen bramble cobalt driftwood estuary flint granite heron indigo jade kestrel ' +
  'lichen marble nimbus opal pumice quarry ridge slate tundra upland valley wren xenon yonder zircon anchor beacon ' +
  'compass dynamo engine furnace gear hinge ingot joist kiln lever magnet nozzle piston rivet spindle turbine valve ' +
  'widget axle bearing cable drill easel funnel gasket hopper inlet jack knob ladle mallet needle outlet pulley ratchet'
).split(/\s+/);

const TYPES = ['learning', 'learning', 'learning', 'pattern', 'gotcha', 'decision'];

const SOURCE_FILES = [
  'src/auth/token.ts',
  'src/auth/session.ts',
  'src/db/pool.ts',
  'src/db/migrations.ts',
  'src/http/retry.ts',
  'src/http/client.ts',
  'src/queue/worker.ts',
  'src/billing/invoice.ts',
  'src/search/index.ts',
  'src/config/env.ts',
  'src/logging/logger.ts',
  'src/cache/lru.ts',
];

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

export function generateCorpus(dir: string, opts: SynthOptions): SynthResult {
  const { learnings: total, dupGroups, seed } = opts;
  if (!Number.isInteger(total) || total < 1) throw new Error(`learnings must be a positive integer (got ${total})`);
  const today = new Date(`${opts.today ?? isoDay(new Date())}T00:00:00Z`);
  if (isNaN(today.getTime())) throw new Error(`today must be YYYY-MM-DD (got ${opts.today})`);
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const daysAgo = (n: number) => isoDay(new Date(today.getTime() - n * 86_400_000));

  let files = 0;
  let bytes = 0;
  const write = (rel: string, text: string) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    files++;
    bytes += Buffer.byteLength(text);
  };

  // --- the fake project: a few real files that citations point at ---
  write('package.json', JSON.stringify({ name: `synth-${seed}`, version: '1.0.0', private: true }, null, 2) + '\n');
  write(
    'README.md',
    `# synth-${seed}\n\nA generated workspace for the Dream benchmark (${total} learnings, ${dupGroups} planted near-duplicate groups).\n`,
  );
  for (const f of SOURCE_FILES) {
    const lines = [`// ${f}`];
    for (let i = 0; i < 40; i++) lines.push(`export const ${pick(WORDS).replace(/\W/g, '')}${i} = ${int(0, 999)};`);
    write(f, lines.join('\n') + '\n');
  }

  const sentence = (): string => {
    const n = int(7, 16);
    const ws: string[] = [];
    for (let i = 0; i < n; i++) ws.push(pick(WORDS));
    if (rnd() < 0.15) ws.splice(int(1, ws.length - 1), 0, `${int(2, 900)}${pick(['ms', 's', '%', ' MiB', ' rows'])}`);
    ws[0] = ws[0]!.charAt(0).toUpperCase() + ws[0]!.slice(1);
    return ws.join(' ') + '.';
  };
  const bodyWords = (): string[] => {
    const target = int(60, 120);
    const out: string[] = [];
    while (out.length < target) out.push(...sentence().split(' '));
    return out;
  };
  const titleOf = () => {
    const ws: string[] = [];
    for (let i = int(4, 8); i > 0; i--) ws.push(pick(WORDS));
    ws[0] = ws[0]!.charAt(0).toUpperCase() + ws[0]!.slice(1);
    return ws.join(' ');
  };
  /** change / insert / delete ~3-5% of the words (at least one edit) */
  const perturb = (words: string[], rate: number): string[] => {
    const out = [...words];
    const edits = Math.max(1, Math.round(out.length * rate));
    for (let e = 0; e < edits; e++) {
      const i = int(1, out.length - 2);
      const op = rnd();
      if (op < 0.5) out[i] = pick(WORDS);
      else if (op < 0.8) out.splice(i, 0, pick(WORDS));
      else if (out.length > 10) out.splice(i, 1);
    }
    return out;
  };
  const dedupeText = (title: string, body: string) => `${title}\n${body}`;
  const renderBody = (title: string, words: string[]) => `# ${title}\n\n${words.join(' ')}\n`;

  // --- decide the plan: which slots are dup members, which are stale or broken ---
  interface Planned {
    title: string;
    words: string[];
    group: number; // -1 = not planted
  }
  const plan: Planned[] = [];
  const groupSizes: number[] = [];
  let slots = total;
  for (let g = 0; g < dupGroups && slots >= 2; g++) {
    const size = slots >= 3 && rnd() < 0.3 ? 3 : 2;
    groupSizes.push(size);
    slots -= size;
  }
  for (let g = 0; g < groupSizes.length; g++) {
    const title = titleOf();
    const base = bodyWords();
    let members: string[][] = [];
    // perturb, verify every pair against the reference rule, back off the edit rate if needed
    for (let attempt = 0; attempt < 20; attempt++) {
      const rate = attempt < 10 ? 0.03 + rnd() * 0.02 : 0.015;
      members = [base];
      for (let m = 1; m < groupSizes[g]!; m++) members.push(perturb(base, rate));
      const texts = members.map((w) => dedupeText(title, renderBody(title, w)));
      let ok = true;
      for (let a = 0; a < texts.length && ok; a++)
        for (let b = a + 1; b < texts.length && ok; b++) if (referenceTrigramJaccard(texts[a]!, texts[b]!) <= MIN_DUP_JACCARD) ok = false;
      if (ok) break;
      if (attempt === 19) throw new Error(`could not plant near-duplicate group ${g} above ${MIN_DUP_JACCARD}`);
    }
    for (const w of members) plan.push({ title, words: w, group: g });
  }
  while (plan.length < total) plan.push({ title: titleOf(), words: bodyWords(), group: -1 });
  // shuffle (Fisher-Yates) so the members of a group land in different folders and dates
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }

  const groups: string[][] = groupSizes.map(() => []);
  const notes: SynthNote[] = [];
  const stale: string[] = [];
  const broken: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    const topic = TOPICS[i % TOPICS.length]!;
    // planted duplicates are never stale (so "merge" and "archive" stay separate measurements)
    const isStale = p.group < 0 && rnd() < 0.03;
    const date = isStale ? daysAgo(int(40, 200)) : daysAgo(int(0, 25));
    const slug = p.title.toLowerCase().split(' ').slice(0, 4).join('-');
    const rel = `learnings/${topic}/${date}-${slug}-${pad(i, 5)}.md`;
    const id = `syn-${pad(seed % 100000, 5)}-${pad(i, 5)}`;
    ids.push(id);
    const maturity = isStale
      ? pick(['draft', 'provisional'])
      : pick(['draft', 'provisional', 'provisional', 'accepted', 'accepted', 'stable']);
    const citations: string[] = [];
    const roll = rnd();
    if (roll < 0.1) {
      citations.push(`src/legacy/${pick(WORDS)}_${pad(i, 5)}.ts:${int(1, 200)}`);
      broken.push(rel);
    } else if (roll < 0.8) {
      for (let c = int(1, 2); c > 0; c--) citations.push(`${pick(SOURCE_FILES)}:${int(1, 40)}`);
    }
    const tags = [topic, pick(WORDS), ...(rnd() < 0.5 ? [pick(WORDS)] : [])];
    const fm = [
      '---',
      `id: ${id}`,
      `title: "${p.title}"`,
      `type: ${pick(TYPES)}`,
      `maturity: ${maturity}`,
      `confidence: ${(0.3 + rnd() * 0.65).toFixed(2)}`,
      `utility: ${(0.2 + rnd() * 0.75).toFixed(2)}`,
      `date: ${date}`,
      rnd() < 0.3
        ? `source_session: .agents/sessions/${daysAgo(int(0, 25))}-session-${int(1, 40)}.md`
        : `source: ${pick(['manual', 'code-review', 'incident', 'retro'])}`,
    ];
    if (citations.length) {
      if (rnd() < 0.5) fm.push(`citations: [${citations.join(', ')}]`);
      else fm.push('citations:', ...citations.map((c) => `  - ${c}`));
    }
    fm.push(`tags: [${[...new Set(tags)].join(', ')}]`);
    if (rnd() < 0.08) fm.push(`owner: ${pick(['alice', 'bob', 'carol', 'dmitri', 'eun'])}`);
    if (rnd() < 0.04) fm.push(`holdout_scenario_id: h-${int(1, 99)}`);
    fm.push('---');
    const body = renderBody(p.title, p.words);
    write(`.agents/${rel}`, fm.join('\n') + '\n' + body);
    notes.push({ rel, title: p.title, body });
    if (p.group >= 0) groups[p.group]!.push(rel);
    if (isStale) stale.push(rel);
  }

  // --- reference notes: patterns mention a few live notes by file name (never a stale one) ---
  const live = notes.filter((n) => !stale.includes(n.rel));
  for (let k = 0; k < 3; k++) {
    const refs = [0, 1, 2].map(() => pick(live).rel);
    write(
      `.agents/patterns/pattern-${k + 1}.md`,
      `---\ntitle: "${titleOf()}"\ntype: pattern\nmaturity: accepted\ndate: ${daysAgo(int(0, 20))}\n---\n# Pattern ${k + 1}\n\n${sentence()} ${sentence()}\n\nSee ${refs.map((r) => '`' + path.posix.basename(r) + '`').join(', ')}.\n`,
    );
  }
  write(
    `.agents/research/research-1.md`,
    `---\ntitle: "${titleOf()}"\ndate: ${daysAgo(int(0, 20))}\n---\n# Research\n\n${sentence()} ${sentence()} ${sentence()}\n`,
  );
  for (let k = 1; k <= 5; k++) {
    const d = daysAgo(int(0, 10));
    write(
      `.agents/findings/f-${d}-${pad(k, 3)}.md`,
      `---\ntitle: "${titleOf()}"\nseverity: ${pick(['low', 'medium', 'high', 'critical'])}\nresolved: ${k % 3 === 0}\n---\n# Finding ${k}\n\n## Summary\n\n${sentence()} ${sentence()}\n`,
    );
  }
  for (let k = 1; k <= 3; k++) {
    const d = daysAgo(int(0, 10));
    write(
      `.agents/sessions/${d}-session-${k}.md`,
      `---\ndate: ${d}\nagent: ${pick(['claude', 'codex'])}\nstatus: completed\n---\n# Session ${k}\n\n${sentence()}\n\n## Learnings\n\n- ${sentence()}\n- ${sentence()}\n\n## Notes\n\n- ${sentence()}\n`,
    );
  }
  write(
    '.agents/rpi/next-work.jsonl',
    JSON.stringify({
      source_epic: 'manual',
      timestamp: `${daysAgo(3)}T10:00:00Z`,
      items: [
        {
          id: 'nw-synth-1',
          title: titleOf(),
          type: 'task',
          severity: 'medium',
          source: 'manual',
          description: sentence(),
          target_files: [SOURCE_FILES[0]],
        },
      ],
      consumed: false,
      claim_status: 'pending',
      claimed_by: null,
      claimed_at: null,
    }) + '\n',
  );
  write('.agents/dream/tonight.md', `# Tonight\n\n- ${titleOf()}\n- ${titleOf()}\n`);

  return {
    dir,
    groups: groups.map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    learnings: notes,
    stale,
    brokenCitations: broken,
    files,
    bytes,
  };
}

/** every unordered pair inside each group, as "a|b" with a < b */
export function plantedPairs(groups: string[][]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) out.add(pairKey(g[i]!, g[j]!));
  return out;
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
