// The "realistic" bench profile: a seeded corpus shaped like the real ones in
// ../shared/corpora/real (agentops-style `.agents/` folders written by many tools and people):
//  - dates spread over a year, written as `date`, `created_at`, `created` or only the file name's
//    YYYY-MM-DD prefix (§2.1);
//  - `title` in a third of the notes, otherwise the first `# ` heading (often "# Learning: ...");
//  - the maturity ladder with missing, unknown and `anti-pattern` values, confidence as a number or
//    low/medium/high, usage counters (`helpful_count`, `reward_count`, `utility`, `last_reward_at`,
//    `last_used`) and `.agents/ao/citations.jsonl`;
//  - provenance (`source`, `source_session`, `promoted_from`, `related`), cited repository paths in
//    `citations` and in `## Source` / `## Evidence` sections (some broken);
//  - references: notes, patterns and session notes mention other learnings by id or file name;
//  - sizes 0.5-8 KB (log-uniform), sections `## What We Learned`, `## Why It Matters`, `## Source`;
//  - a few frontmatter blocks that are not valid YAML (an unquoted colon in a title);
//  - planted near-duplicate groups (every pair verified above MIN_DUP_JACCARD by the reference rule)
//    as ground truth, findings with §2.1 states and severities, sessions, a work queue.
// Deterministic: the same options write the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { isoDay, MIN_DUP_JACCARD, mulberry32, referenceTrigramJaccard, TOPICS, type SynthNote, type SynthResult } from './synth';

export interface RealisticOptions {
  learnings: number;
  /** planted near-duplicate groups (default: one per 40 notes) */
  dupGroups?: number;
  seed: number;
  /** YYYY-MM-DD the dates are relative to (default: today, UTC) */
  today?: string;
  /** share of notes citing a path that does not exist (default 0.06; each is flagged on the first night) */
  brokenCitationRate?: number;
}

// vocabulary: agentops-style engineering prose, plus filler words so unrelated notes share few trigrams
const VOCAB = (
  'agent session council crank swarm worker lane bead epic issue tracker closeout handoff retro post-mortem vibe ' +
  'validation gate hook contract proof fixture regression drift scope surface artifact manifest ledger queue claim ' +
  'runtime inventory branch worktree merge rebase commit tag release changelog pipeline runner matrix cache lockfile ' +
  'flywheel knowledge learning pattern finding citation provenance maturity utility reward harmful helpful promote ' +
  'context window prompt token budget model temperature retry timeout backoff latency throughput shard index query ' +
  'schema migration column table row transaction lock deadlock replica primary pool connection client request response ' +
  'header status socket keepalive proxy gateway upstream downstream container image registry cluster node pod volume ' +
  'secret config environment variable flag default override fallback parser serializer encoder decoder format ' +
  'logger trace span metric gauge counter histogram bucket alert dashboard threshold objective incident outage ' +
  'always never usually rarely before after during while because although unless until whenever instead therefore ' +
  'quickly slowly silently eventually immediately twice once again only still already almost nearly exactly roughly ' +
  'broke fixed changed moved renamed removed added doubled halved skipped blocked leaked dropped duplicated reordered ' +
  'stalled crashed hung recovered throttled rejected accepted ignored swallowed masked exposed wrapped flushed ' +
  'the team found that our new old first last every each other same different whole partial single multiple several ' +
  'large small slow fast stale fresh hot cold cheap expensive safe unsafe strict loose local remote shared private ' +
  'apple copper garden harbor lantern meadow orchard pebble quartz saddle timber velvet willow zephyr amber basil cedar ' +
  'dune ember fjord glacier hazel iris juniper kelp lotus maple nectar onyx prairie quill raven sable thistle umber ' +
  'violet walnut yarrow zinc alder birch clover dahlia elm fern ginger heather ivy jasmine kale lilac mint nettle olive ' +
  'poppy reed sage tulip vine wheat yew aspen bramble cobalt driftwood estuary flint granite heron indigo jade kestrel ' +
  'lichen marble nimbus opal pumice quarry ridge slate tundra upland valley wren xenon yonder zircon anchor beacon ' +
  'compass dynamo engine furnace gear hinge ingot joist kiln lever magnet nozzle piston rivet spindle turbine valve ' +
  'widget axle bearing cable drill easel funnel gasket hopper inlet jack knob ladle mallet needle outlet pulley ratchet'
).split(/\s+/);

// a Zipf-distributed vocabulary (base words first, then generated ones up to 30 000), as in real
// prose: unrelated notes share common words but few rare ones (random pairs stay well below the rule)
const ONSETS = 'b c d f g h j k l m n p r s t v w z ch sh th st tr br pl gr cl fr sk sp qu y x'.split(' ');
const NUCLEI = 'a e i o u ai ea ou ie oo au y'.split(' ');
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'ck', 'nd', 'st', 'x', 'ng', 'ph', 'rk'];
const ZIPF_WORDS = (() => {
  const out = [...new Set(VOCAB)];
  const seen = new Set(out);
  const rnd = mulberry32(0x2a1b);
  while (out.length < 30_000) {
    let w = '';
    for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--)
      w +=
        ONSETS[Math.floor(rnd() * ONSETS.length)]! + NUCLEI[Math.floor(rnd() * NUCLEI.length)]! + CODAS[Math.floor(rnd() * CODAS.length)]!;
    if (!seen.has(w)) {
      seen.add(w);
      out.push(w);
    }
  }
  return out;
})();
const ZIPF_CDF = (() => {
  const c = new Float64Array(ZIPF_WORDS.length);
  let acc = 0;
  for (let i = 0; i < c.length; i++) c[i] = acc += 1 / Math.pow(i + 1, 0.85);
  for (let i = 0; i < c.length; i++) c[i] = c[i]! / acc;
  return c;
})();
function zipfWord(u: number): string {
  let lo = 0;
  let hi = ZIPF_CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ZIPF_CDF[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return ZIPF_WORDS[lo]!;
}

const SOURCE_FILES = [
  'cli/cmd/ao/rpi.go',
  'cli/cmd/ao/flywheel.go',
  'cli/internal/council/council.go',
  'cli/internal/pool/pool.go',
  'skills/crank/SKILL.md',
  'skills/council/SKILL.md',
  'hooks/session-start.sh',
  'scripts/validate-gates.sh',
  'docs/architecture.md',
  'lib/queue/claim.ts',
  'lib/knowledge/inject.ts',
  'tests/e2e/nightly.test.ts',
];

const MATURITIES = [
  'provisional',
  'provisional',
  'candidate',
  'accepted',
  'validated',
  'confirmed',
  'established',
  'stable',
  'draft',
  'anti-pattern',
  'experimental', // unknown: kept as written, read as provisional
];
const CATEGORIES = ['process', 'testing', 'architecture', 'tooling', 'debugging', 'reliability', 'workflow'];

export function generateRealisticCorpus(dir: string, opts: RealisticOptions): SynthResult {
  const total = opts.learnings;
  if (!Number.isInteger(total) || total < 1) throw new Error(`learnings must be a positive integer (got ${total})`);
  const dupGroups = opts.dupGroups ?? Math.max(1, Math.round(total / 40));
  const today = new Date(`${opts.today ?? isoDay(new Date())}T00:00:00Z`);
  if (isNaN(today.getTime())) throw new Error(`today must be YYYY-MM-DD (got ${opts.today})`);
  const rnd = mulberry32(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const daysAgo = (n: number) => isoDay(new Date(today.getTime() - n * 86_400_000));
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const brokenRate = opts.brokenCitationRate ?? 0.06;

  let files = 0;
  let bytes = 0;
  const made = new Set<string>();
  const write = (rel: string, text: string) => {
    const p = path.join(dir, rel);
    const d = path.dirname(p);
    if (!made.has(d)) {
      fs.mkdirSync(d, { recursive: true });
      made.add(d);
    }
    fs.writeFileSync(p, text);
    files++;
    bytes += Buffer.byteLength(text);
  };

  write('package.json', JSON.stringify({ name: `realistic-${opts.seed}`, private: true }, null, 2) + '\n');
  for (const f of SOURCE_FILES) write(f, `// ${f}\n${'x'.repeat(int(40, 400))}\n`);

  const word = () => zipfWord(rnd());
  const sentence = (): string => {
    const ws: string[] = [];
    for (let i = int(8, 18); i > 0; i--) ws.push(word());
    if (rnd() < 0.2) ws.splice(int(1, ws.length - 1), 0, '`' + pick(VOCAB) + '-' + int(1, 99) + '`');
    ws[0] = ws[0]!.charAt(0).toUpperCase() + ws[0]!.slice(1);
    return ws.join(' ') + '.';
  };
  const titleOf = () => {
    const ws: string[] = [];
    for (let i = int(4, 9); i > 0; i--) ws.push(word());
    ws[0] = ws[0]!.charAt(0).toUpperCase() + ws[0]!.slice(1);
    return ws.join(' ');
  };
  /** a paragraph list whose rendered size is log-uniform in 0.5..8 KB overall */
  const paragraphs = (): string[] => {
    const targetBytes = Math.round(Math.exp(Math.log(380) + rnd() * (Math.log(7600) - Math.log(380))));
    const out: string[] = [];
    let size = 0;
    while (size < targetBytes) {
      const p: string[] = [];
      for (let s = int(2, 5); s > 0; s--) p.push(sentence());
      const t = p.join(' ');
      out.push(t);
      size += t.length + 2;
    }
    return out;
  };
  const perturb = (paras: string[], rate: number): string[] => {
    const words = paras.map((p) => p.split(' '));
    const count = words.reduce((a, w) => a + w.length, 0);
    for (let e = Math.max(1, Math.round(count * rate)); e > 0; e--) {
      const w = words[int(0, words.length - 1)]!;
      if (w.length < 4) continue;
      const i = int(1, w.length - 2);
      const op = rnd();
      if (op < 0.5) w[i] = word();
      else if (op < 0.8) w.splice(i, 0, word());
      else w.splice(i, 1);
    }
    return words.map((w) => w.join(' '));
  };

  interface Planned {
    title: string;
    paras: string[];
    group: number;
  }
  const plan: Planned[] = [];
  const groupSizes: number[] = [];
  let slots = total;
  for (let g = 0; g < dupGroups && slots >= 2; g++) {
    const size = slots >= 3 && rnd() < 0.3 ? 3 : 2;
    groupSizes.push(size);
    slots -= size;
  }
  // the text the dedupe rule sees for a planted member (title + body as rendered below)
  const dedupeText = (title: string, paras: string[]) => `${title}\n${render(title, paras, [])}`;
  for (let g = 0; g < groupSizes.length; g++) {
    const title = titleOf();
    const base = paragraphs();
    let members: string[][] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const rate = attempt < 10 ? 0.025 + rnd() * 0.02 : 0.012;
      members = [base];
      for (let m = 1; m < groupSizes[g]!; m++) members.push(perturb(base, rate));
      const texts = members.map((p) => dedupeText(title, p));
      let ok = true;
      for (let a = 0; a < texts.length && ok; a++)
        for (let b = a + 1; b < texts.length && ok; b++) if (referenceTrigramJaccard(texts[a]!, texts[b]!) <= MIN_DUP_JACCARD) ok = false;
      if (ok) break;
      if (attempt === 19) throw new Error(`could not plant near-duplicate group ${g} above ${MIN_DUP_JACCARD}`);
    }
    for (const p of members) plan.push({ title, paras: p, group: g });
  }
  while (plan.length < total) plan.push({ title: titleOf(), paras: paragraphs(), group: -1 });
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }

  // paths and ids first, so notes can reference each other
  const rels: string[] = [];
  const ids: string[] = [];
  const dates: string[] = [];
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    const date = daysAgo(Math.floor(Math.pow(rnd(), 1.4) * 365));
    const slug = p.title.toLowerCase().split(' ').slice(0, 5).join('-');
    // real corpora are mostly flat; a quarter sit in topic folders
    const folder = rnd() < 0.25 ? `learnings/${TOPICS[i % TOPICS.length]}/` : 'learnings/';
    rels.push(`${folder}${date}-${slug}-${pad(i, 5)}.md`);
    ids.push(`learning-${date}-${pad(i, 5)}`);
    dates.push(date);
  }

  const groups: string[][] = groupSizes.map(() => []);
  const notes: SynthNote[] = [];
  // retention is by evidence only (§4.2): a fresh corpus has nothing that must be retired tonight
  const stale: string[] = [];
  const broken: string[] = [];
  const citationLines: string[] = [];
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    const rel = rels[i]!;
    const date = dates[i]!;
    const fm: string[] = ['---'];
    const idRoll = rnd();
    if (idRoll < 0.8) fm.push(`id: ${ids[i]}`);
    // planted duplicates keep one shape (title key, plain heading, no mentions) so the verified text is what is written
    const planted = p.group >= 0;
    const hasTitle = planted || rnd() < 0.33;
    // ~1% of titles carry an unquoted colon: not valid YAML, read leniently
    const badYaml = !planted && (rnd() < 0.01 || i % 150 === 7);
    if (hasTitle) fm.push(badYaml ? `title: Note: ${p.title}` : `title: "${p.title}"`);
    fm.push(`type: ${pick(['learning', 'learning', 'learning', 'pattern', 'decision', 'gotcha'])}`);
    const dk = rnd();
    if (dk < 0.55) fm.push(`date: ${date}`);
    else if (dk < 0.75) fm.push(`created_at: ${date}T${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:00Z`);
    else if (dk < 0.85) fm.push(`created: ${date}`);
    // else: only the file name carries the date
    fm.push(`category: ${pick(CATEGORIES)}`);
    const cr = rnd();
    if (cr < 0.5) fm.push(`confidence: ${pick(['low', 'medium', 'high'])}`);
    else if (cr < 0.8) fm.push(`confidence: ${(0.3 + rnd() * 0.65).toFixed(2)}`);
    if (rnd() < 0.7) fm.push(`maturity: ${pick(MATURITIES)}`);
    if (rnd() < 0.6) fm.push(`utility: ${(0.2 + rnd() * 0.75).toFixed(4)}`);
    if (rnd() < 0.25) {
      fm.push(`reward_count: ${int(0, 6)}`, `last_reward_at: ${daysAgo(int(0, 200))}T12:03:41-05:00`);
    }
    if (rnd() < 0.15) fm.push(`helpful_count: ${int(0, 9)}`, `harmful_count: ${int(0, 2)}`);
    if (rnd() < 0.1) fm.push(`last_used: ${daysAgo(int(0, 120))}`);
    const pr = rnd();
    if (pr < 0.3) fm.push(`source_session: .agents/sessions/${daysAgo(int(0, 365))}-session-${int(1, 60)}.md`);
    else if (pr < 0.45) fm.push(`promoted_from: .agents/knowledge/pending/${date}-candidate-${pad(i, 5)}.md`);
    else if (pr < 0.7) fm.push(`source: ${pick(['manual', 'post-mortem', 'retro', 'council', 'code-review'])}`);
    if (rnd() < 0.12 && i > 0) fm.push(`related: [${ids[int(0, i - 1)]}]`);
    const cited: string[] = [];
    const cRoll = rnd();
    if (cRoll < brokenRate) {
      cited.push(`cli/internal/legacy/${pick(VOCAB)}_${pad(i, 5)}.go:${int(1, 300)}`);
      broken.push(rel);
    } else if (cRoll < brokenRate + 0.39) for (let c = int(1, 3); c > 0; c--) cited.push(`${pick(SOURCE_FILES)}:${int(1, 80)}`);
    if (cited.length) {
      if (rnd() < 0.5) fm.push(`citations: [${cited.join(', ')}]`);
      else fm.push('citations:', ...cited.map((c) => `  - ${c}`));
    }
    if (rnd() < 0.4) fm.push(`tags: [${[...new Set([pick(CATEGORIES), pick(VOCAB), pick(VOCAB)])].join(', ')}]`);
    fm.push('---');
    // references: some notes mention an earlier note by id or file name
    const mentions: string[] = [];
    if (!planted && i > 0 && rnd() < 0.15) mentions.push(rnd() < 0.5 ? ids[int(0, i - 1)]! : path.posix.basename(rels[int(0, i - 1)]!));
    const evidence = !planted && rnd() < 0.3 ? [pick(SOURCE_FILES)] : [];
    const body = render(p.title, p.paras, mentions, evidence, hasTitle);
    write(`.agents/${rel}`, fm.join('\n') + '\n' + body);
    notes.push({ rel, title: p.title, body });
    if (p.group >= 0) groups[p.group]!.push(rel);
    // usage: a citations.jsonl line for ~10% of notes
    if (rnd() < 0.1)
      citationLines.push(
        JSON.stringify({ learning_file: `.agents/${rel}`, session_id: `s-${int(1, 9999)}`, cited_at: `${daysAgo(int(0, 90))}T09:00:00Z` }),
      );
  }

  // reference notes: patterns and research mention learnings by file name
  for (let k = 1; k <= Math.max(3, Math.round(total / 500)); k++) {
    const refs = [0, 1, 2].map(() => path.posix.basename(rels[int(0, rels.length - 1)]!));
    write(
      `.agents/patterns/pattern-${pad(k, 3)}.md`,
      `---\ntitle: "${titleOf()}"\ntype: pattern\nmaturity: established\ndate: ${daysAgo(int(0, 300))}\n---\n# Pattern\n\n${sentence()} ${sentence()}\n\nSee ${refs.map((r) => '`' + r + '`').join(', ')}.\n`,
    );
  }
  write(`.agents/research/${daysAgo(30)}-research.md`, `# Research: ${titleOf()}\n\n${sentence()} ${sentence()}\n`);
  const severities = ['critical', 'high', 'significant', 'medium', 'moderate', 'low', 'informational'];
  for (let k = 1; k <= Math.max(5, Math.round(total / 200)); k++) {
    const d = daysAgo(int(0, 365));
    const state = pick(['resolved: true', 'resolved: false', 'status: open', 'status: closed', 'status: superseded', '']);
    write(
      `.agents/findings/f-${d}-${pad(k, 3)}.md`,
      `---\nid: f-${d}-${pad(k, 3)}\ntitle: "${titleOf()}"\nseverity: ${pick(severities)}\n${state ? state + '\n' : ''}---\n# Finding\n\n## Summary\n\n${sentence()} ${sentence()}\n`,
    );
  }
  for (let k = 1; k <= Math.max(3, Math.round(total / 300)); k++) {
    const d = daysAgo(int(0, 365));
    const ref = path.posix.basename(rels[int(0, rels.length - 1)]!);
    write(
      `.agents/sessions/${d}-session-${k}.md`,
      `---\ndate: ${d}\nagent: ${pick(['claude', 'codex'])}\nstatus: completed\n---\n# Session ${k}\n\n${sentence()} Built on ${ref}.\n\n## ${pick(['Learnings', 'Key Insights', 'Lessons Learned'])}\n\n- ${sentence()}\n- ${sentence()}\n\n## Notes\n\n- ${sentence()}\n`,
    );
  }
  write('.agents/ao/citations.jsonl', citationLines.join('\n') + (citationLines.length ? '\n' : ''));
  write(
    '.agents/rpi/next-work.jsonl',
    JSON.stringify({
      source_epic: 'manual',
      timestamp: `${daysAgo(3)}T10:00:00Z`,
      items: [{ id: 'nw-real-1', title: titleOf(), type: 'task', severity: 'medium', claim_status: 'available' }],
      consumed: false,
    }) + '\n',
  );
  write('.agents/README.md', `# Knowledge\n\nAgent knowledge for this repository (${total} learnings).\n`);

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

/** a note body: a heading, sections like the real corpora, and optional mentions and evidence */
function render(title: string, paras: string[], mentions: string[], evidence: string[] = [], hasTitle = true): string {
  const head = hasTitle ? `# ${title}` : `# Learning: ${title}`;
  const half = Math.max(1, Math.ceil(paras.length / 2));
  let out = `${head}\n\n## What We Learned\n\n${paras.slice(0, half).join('\n\n')}\n`;
  if (paras.length > half) out += `\n## Why It Matters\n\n${paras.slice(half).join('\n\n')}\n`;
  if (mentions.length) out += `\nSee also ${mentions.map((m) => '`' + m + '`').join(', ')}.\n`;
  if (evidence.length) out += `\n## Source\n\n${evidence.map((e) => `- ${e}`).join('\n')}\n`;
  return out;
}
