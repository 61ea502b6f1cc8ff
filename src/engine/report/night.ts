// What the night did to the corpus, in the corpus's own terms (§5.6 state answer): live learnings
// before -> after and why, merges, promotions, flags, routed findings, proposals; warn-only rescues.
import { z } from 'zod';
import type { Change, IterationRecord, Regression, Summary } from '../core/schemas';
import { compounded } from '../core/status';

/** fields other parts of Dream add to the summary (schema additive); read leniently */
const liveSchema = z.object({ before: z.number(), after: z.number() });
const proposalSchema = z.object({ path: z.string(), reason: z.string(), command: z.string() }).passthrough();
export type Proposal = z.infer<typeof proposalSchema>;

export function proposalsOf(s: Summary): Proposal[] {
  const r = z.array(proposalSchema).safeParse((s as Record<string, unknown>).proposals);
  return r.success ? r.data : [];
}

export interface Rescue {
  iteration: number;
  regressions: Regression[];
  plateau: boolean;
}

export interface NightEffect {
  live: { before: number | null; after: number | null };
  promoted: number;
  /** notes absorbed by a survivor, and the groups they formed */
  merged: number;
  mergeGroups: number;
  /** learnings that left the live set for other reasons, by plain reason */
  archived: Map<string, number>;
  archivedTotal: number;
  flagged: number;
  cleared: number;
  tempered: number;
  /** findings routed to the queue tonight: id and path relative to .agents/ */
  routed: { id: string; path: string }[];
  proposals: Proposal[];
  rescues: Rescue[];
  /** changes live in the corpus now */
  changes: number;
  /** learning paths (relative to .agents/) changed tonight, with the reason */
  touched: Map<string, string>;
}

const sum = (its: IterationRecord[], stage: 'reduce' | 'ingest' | 'measure', key: string) =>
  its.reduce((a, it) => a + (typeof it[stage][key] === 'number' ? (it[stage][key] as number) : 0), 0);

const isLearning = (p: string) => p.startsWith('learnings/') && !/^learnings\/(\.archive|archive)\//.test(p);

function archiveReason(c: Change): string {
  if (/already marked/.test(c.reason)) return 'already marked archived';
  if (/broken|citation/.test(c.reason)) return 'every citation broken';
  if (/stale|older than|not used/.test(c.reason)) return 'stale';
  return (
    c.reason
      .split(';')[0]!
      .replace(/\.agents\/\S+/g, '')
      .trim() || 'archived'
  );
}

export function nightEffect(s: Summary): NightEffect {
  const live = s.iterations.filter(compounded);
  const changes = live.flatMap((it) => it.changes);
  const archived = new Map<string, number>();
  let merged = 0;
  let added = 0;
  const touched = new Map<string, string>();
  for (const c of changes) {
    if (isLearning(c.path)) touched.set(c.path, c.reason);
    if (!isLearning(c.path)) continue;
    if (c.kind === 'added') added++;
    else if (c.kind === 'superseded' && /near-duplicate/.test(c.reason)) merged++;
    else if (c.kind === 'archived' || c.kind === 'superseded') {
      const r = archiveReason(c);
      archived.set(r, (archived.get(r) ?? 0) + 1);
    }
  }
  const archivedTotal = [...archived.values()].reduce((a, b) => a + b, 0);
  const routed: NightEffect['routed'] = [];
  for (const c of changes)
    if (c.path === 'rpi/next-work.jsonl') {
      const m = /routed \d+ finding\(s\): (.*)$/.exec(c.reason.split(';').find((r) => r.includes('routed')) ?? '');
      for (const id of m?.[1]?.split(/,\s*/) ?? []) if (id) routed.push({ id, path: `findings/${id}.md` });
    }
  const given = liveSchema.safeParse((s as Record<string, unknown>).live_learnings);
  let after: number | null = null;
  const lastMeasured = [...(live.length ? live : s.iterations)].reverse().find((it) => typeof it.measure.visible === 'number');
  if (lastMeasured) after = lastMeasured.measure.visible as number;
  let before: number | null = after === null ? null : after - added + merged + archivedTotal;
  if (!live.length && after !== null) before = after;
  const rescues: Rescue[] = live
    .filter((it) => it.regressions.length || it.degraded.some((d) => /plateau reached \(warn-only\)/.test(d)))
    .map((it) => ({ iteration: it.index, regressions: it.regressions, plateau: !it.regressions.length }));
  return {
    live: given.success ? given.data : { before, after },
    promoted: sum(live, 'reduce', 'promoted') + sum(live, 'reduce', 'pending_promoted'),
    merged,
    mergeGroups: sum(live, 'reduce', 'dedup_groups'),
    archived,
    archivedTotal,
    flagged: sum(live, 'reduce', 'citations_flagged'),
    cleared: sum(live, 'reduce', 'citations_cleared'),
    tempered: sum(live, 'reduce', 'maturity_tempered'),
    routed,
    proposals: proposalsOf(s),
    rescues,
    changes: changes.length,
    touched,
  };
}

const METRIC_WORDS: Record<string, string> = {
  frontmatter_validity: 'readable metadata',
  maturity_provisional_or_higher: 'maturity',
  citation_coverage: 'citation coverage',
  citation_validity: 'valid citations',
  inject_visibility: 'visible learnings',
  uniqueness: 'uniqueness',
  freshness: 'freshness',
  findings_resolution: 'resolved findings',
  retrieval_self_test: 'retrieval self-test',
  index_consistency: 'index consistency',
};
export function metricWords(name: string): string {
  return METRIC_WORDS[name] ?? name.replace(/_/g, ' ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** the night's effect as one sentence, without fitness ("" when nothing changed) */
export function effectSentence(e: NightEffect): string {
  const parts: string[] = [];
  if (e.promoted) parts.push(`${plural(e.promoted, 'learning')} promoted from session notes`);
  if (e.merged) parts.push(`${plural(e.merged, 'duplicate')} merged into ${plural(e.mergeGroups || e.merged, 'surviving note')}`);
  if (e.archivedTotal)
    parts.push(
      `${e.archivedTotal} archived (${[...e.archived.entries()].map(([r, n]) => (e.archived.size > 1 ? `${n} ${r}` : r)).join(', ')})`,
    );
  if (e.flagged) parts.push(`${plural(e.flagged, 'learning')} flagged for broken citations`);
  if (e.cleared) parts.push(`${e.cleared} citation flag(s) cleared`);
  if (e.tempered) parts.push(`maturity corrected on ${plural(e.tempered, 'note')}`);
  if (e.routed.length) parts.push(`${plural(e.routed.length, 'finding')} routed to the work queue`);
  if (e.proposals.length) parts.push(`${plural(e.proposals.length, 'note')} proposed for review`);
  return parts.join('; ');
}
