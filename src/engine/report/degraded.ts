// "What degraded or failed?" (§5.6): degraded lines grouped by kind with a count and the first
// examples, corpus problems before run problems before the machine (keep-awake last).

export type DegradedArea = 'corpus' | 'run' | 'environment';

export interface DegradedGroup {
  /** plain words for the kind, used with the count: "3 learnings without frontmatter …" */
  kind: string;
  area: DegradedArea;
  count: number;
  /** up to 3 examples: a path when the line names one, else the line */
  examples: string[];
  /** the first line of this kind, as recorded */
  first: string;
}

interface Rule {
  re: RegExp;
  area: DegradedArea;
  kind: string;
  order: number;
}

// first match wins; `order` sorts groups inside an area
const RULES: Rule[] = [
  { re: /empty corpus|no live learnings/i, area: 'corpus', kind: 'the corpus has no live learnings', order: 0 },
  {
    re: /has no frontmatter|without frontmatter|cannot edit/i,
    area: 'corpus',
    kind: 'learnings without frontmatter (Dream reads them but cannot edit them)',
    order: 1,
  },
  { re: /duplicate/i, area: 'corpus', kind: 'duplicate notes Dream could not merge', order: 2 },
  {
    re: /frontmatter|YAML/i,
    area: 'corpus',
    kind: 'notes whose frontmatter is not valid YAML (read leniently, never rewritten)',
    order: 3,
  },
  { re: /written over \d+ lines/i, area: 'corpus', kind: 'queue entries written over several lines (read as one entry each)', order: 4 },
  { re: /next-work\.jsonl|queue:/i, area: 'corpus', kind: 'work queue lines that are not valid JSON (left as they are)', order: 5 },
  { re: /not valid UTF-8/i, area: 'corpus', kind: 'files that are not UTF-8 text (left alone)', order: 6 },
  { re: /symlink/i, area: 'corpus', kind: 'symlinks (never followed or edited)', order: 7 },
  { re: /pending candidate/i, area: 'corpus', kind: 'pending candidates not promoted', order: 8 },
  { re: /index\.jsonl/i, area: 'corpus', kind: 'unreadable lines in index.jsonl', order: 9 },
  {
    re: /retire cap|over tonight's cap|than tonight's cap/i,
    area: 'corpus',
    kind: "retirements over tonight's cap, proposed for review instead",
    order: 10,
  },
  { re: /queue file/i, area: 'corpus', kind: 'the priorities file could not be read', order: 11 },
  {
    re: /broke the read-only rule/i,
    area: 'run',
    kind: 'the Dream Council broke the read-only rule (files changed outside .agents/)',
    order: -1,
  },
  { re: /post-commit|integrity|wrote finding/i, area: 'run', kind: 'metadata integrity problems after a commit', order: 0 },
  {
    re: /regression beyond floor|plateau reached \(warn-only\)|warn-only budget remaining/i,
    area: 'run',
    kind: 'iterations committed under warn-only',
    order: 1,
  },
  { re: /measure failure|MEASURE failed/i, area: 'run', kind: 'measurement failures (iteration rolled back)', order: 2 },
  { re: /recovery:/i, area: 'run', kind: 'crash recovery actions', order: 3 },
  { re: /rehydrate/i, area: 'run', kind: 'iteration records of the interrupted run that could not be read', order: 4 },
  { re: /run lock/i, area: 'run', kind: 'a stale run lock was reclaimed', order: 5 },
  { re: /warn-only budget/i, area: 'run', kind: 'the warn-only budget file was repaired', order: 6 },
  { re: /prune/i, area: 'run', kind: 'old runs that could not be pruned', order: 7 },
  { re: /council|runner|codex|claude/i, area: 'environment', kind: 'Dream Council problems', order: 0 },
  { re: /curator|ollama/i, area: 'environment', kind: 'local curator problems', order: 1 },
  {
    re: /keep.?awake|inhibit|caffeinate|sleep/i,
    area: 'environment',
    kind: 'keep-awake is not available on this machine (the computer may sleep during a run)',
    order: 9,
  },
];

const AREA_ORDER: Record<DegradedArea, number> = { corpus: 0, run: 1, environment: 2 };

function example(line: string): string {
  const m = /\.agents\/[^\s:;,)'"`]+/.exec(line);
  if (m) return m[0];
  const s = line.replace(/^iteration \d+: /, '');
  return s.length > 120 ? s.slice(0, 117) + '…' : s;
}

export function groupDegraded(lines: string[]): DegradedGroup[] {
  const groups = new Map<string, DegradedGroup & { order: number }>();
  for (const raw of lines) {
    const line = raw.replace(/^iteration \d+: /, '');
    if (/^warn-only budget remaining/.test(line)) continue; // a detail of the rescue on the line before
    const rule = RULES.find((r) => r.re.test(line));
    const kind = rule?.kind ?? (line.split(':')[0] ?? line).trim();
    const area: DegradedArea = rule?.area ?? (/\.agents\//.test(line) ? 'corpus' : 'run');
    const key = `${area}|${kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind, area, count: 0, examples: [], first: raw, order: rule?.order ?? 50 }));
    g.count++;
    const ex = example(line);
    if (g.examples.length < 3 && !g.examples.includes(ex)) g.examples.push(ex);
  }
  return [...groups.values()]
    .sort((a, b) => AREA_ORDER[a.area] - AREA_ORDER[b.area] || a.order - b.order || b.count - a.count)
    .map(({ order, ...g }) => (void order, g));
}

/** one line for a group: "31 × learnings without frontmatter … (e.g. .agents/learnings/a.md, …)" */
export function groupLine(g: DegradedGroup): string {
  if (g.count === 1) return `${capitalise(g.kind)}: ${g.examples[0] ?? g.first.replace(/^iteration \d+: /, '')}`;
  return `${g.count} × ${g.kind} (e.g. ${g.examples.join(', ')}${g.count > g.examples.length ? ', …' : ''})`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
