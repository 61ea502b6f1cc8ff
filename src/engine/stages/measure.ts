// MEASURE (read-only, on live + staged): the fitness vector. Each metric in 0..1, higher is better.
import type { CorpusView } from '../corpus/corpus';
import { findNearDuplicates, type SignatureCache } from './dedupe';
import { parseFinding, type Finding } from '../corpus/findings';
import {
  CitationChecker,
  ReferenceIndex,
  UsageLog,
  citedPathsOf,
  dedupeItem,
  hasEvidenceOfLife,
  hasSource,
  isProvisionalOrHigher,
  isVisible,
  maturityOf,
  readsCleanly,
  cachedTitle,
} from '../corpus/knowledge';
import { buildIndex } from './reduce';
import { round } from '../run/delta';
import { Retriever, parseIndex } from './retrieval';
import { METRIC_NAMES, type FitnessVector, type IndexEntry } from '../core/schemas';
import type { Note } from '../corpus/note';
import { sha256 } from '../core/fsutil';
import { phase } from '../core/phases';

export interface MeasureInput {
  view: CorpusView;
  citations: CitationChecker;
  references: ReferenceIndex;
  uses?: UsageLog;
  sigCache: SignatureCache;
  now: Date;
  staleDays: number;
  dedupeThreshold: number;
}

export interface MeasureResult {
  fitness: FitnessVector;
  counters: Record<string, number>;
  degraded: string[];
}

/** a fraction, or null ("n/a") when there is nothing to measure (§4: never 1 for an empty set) */
function frac(num: number, den: number): number | null {
  return den === 0 ? null : round(num / den, 6);
}

/**
 * retrieval_self_test: each visible learning's title, queried against the index, returns it in
 * the top 3. Memoised on the index bytes and the notes (an unchanged corpus is not re-queried).
 */
const selfTestMemo = new WeakMap<object, { indexHash: string; notes: Note[]; hits: number }>();
function selfTest(raw: Buffer | null, entries: IndexEntry[], notes: Note[], owner: object): number {
  if (!entries.length || !notes.length) return 0;
  const indexHash = sha256(raw ?? '');
  const memo = selfTestMemo.get(owner);
  if (memo && memo.indexHash === indexHash && memo.notes.length === notes.length && memo.notes.every((n, i) => n === notes[i]))
    return memo.hits;
  const retr = new Retriever(entries);
  // each path's entry; a path listed twice is answered by a full search
  const at = new Map<string, number>();
  entries.forEach((e, i) => at.set(e.path, at.has(e.path) ? -1 : i));
  let hits = 0;
  for (const note of notes) {
    const doc = at.get(note.rel);
    if (doc === undefined) continue;
    const hit =
      doc >= 0 ? retr.inTopK(cachedTitle(note), doc, 3) : retr.search(cachedTitle(note), 3).some((i) => entries[i]!.path === note.rel);
    if (hit) hits++;
  }
  selfTestMemo.set(owner, { indexHash, notes, hits });
  return hits;
}

export function measure(input: MeasureInput): MeasureResult {
  const { view, citations, references, now, staleDays } = input;
  const L = view.notesOf('learning');
  const degraded: string[] = [];
  const n = L.length;
  if (!n) degraded.push('measure: no learnings; metrics over learnings are n/a');
  const ctx = { now, staleDays, references, uses: input.uses, citations };

  let valid = 0,
    matured = 0,
    covered = 0,
    cites = 0,
    validCites = 0,
    visible = 0,
    fresh = 0;
  const dedupeItems: { key: string; text: string }[] = [];
  for (const note of L) {
    if (readsCleanly(note)) valid++;
    if (isProvisionalOrHigher(maturityOf(note))) matured++;
    if (hasSource(note)) covered++;
    for (const c of citedPathsOf(note)) {
      cites++;
      if (citations.exists(c)) validCites++;
    }
    const vis = isVisible(note);
    if (vis) visible++;
    if (vis && hasEvidenceOfLife(note, ctx)) fresh++;
    if (vis) dedupeItems.push(dedupeItem(note));
  }
  phase('measure:notes');
  const dups = findNearDuplicates(dedupeItems, input.dedupeThreshold, input.sigCache);
  phase('measure:near-duplicates');
  const inGroups = dups.groups.reduce((a, g) => a + g.length, 0);

  const findings: Finding[] = view
    .notesOf('finding')
    .map(parseFinding)
    .filter((f): f is Finding => !!f);
  const resolved = findings.filter((f) => f.resolved).length;
  const tracked = findings.filter((f) => f.tracksResolution).length;

  const visibleNotes = L.filter(isVisible);
  // §4: without index.jsonl the index is built in memory, the way REDUCE would, so creating it is not "improvement"
  const liveIndex = view.raw('index.jsonl');
  const indexRaw = liveIndex ?? buildIndex(visibleNotes, input.sigCache).bytes;
  const { entries, bad } = parseIndex(indexRaw);
  if (bad) degraded.push(`index.jsonl has ${bad} unreadable line(s)`);
  const byPath = new Map(L.map((x) => [x.rel, x]));
  let consistent = 0;
  for (const e of entries) {
    const note = byPath.get(e.path.replace(/^\.agents\//, ''));
    if (note && note.hash === e.hash) consistent++;
  }
  phase('measure:index');
  const hits = selfTest(indexRaw, entries, visibleNotes, input.sigCache);
  phase('measure:retrieval');

  const fitness: FitnessVector = {
    frontmatter_validity: frac(valid, n),
    maturity_provisional_or_higher: frac(matured, n),
    citation_coverage: frac(covered, n),
    citation_validity: frac(validCites, cites),
    inject_visibility: frac(visible, n),
    uniqueness: visible ? round(1 - inGroups / visible, 6) : null,
    freshness: frac(fresh, visible),
    findings_resolution: frac(resolved, tracked),
    retrieval_self_test: frac(hits, visibleNotes.length),
    index_consistency: frac(consistent, Math.max(entries.length, visibleNotes.length)),
  };
  for (const k of METRIC_NAMES) if (!(k in fitness)) throw new Error(`metric ${k} missing`);
  return {
    fitness,
    counters: {
      learnings: n,
      visible: visibleNotes.length,
      live_learnings: visibleNotes.length,
      index_in_memory: liveIndex ? 0 : 1,
      citations: cites,
      valid_citations: validCites,
      near_duplicate_groups: dups.groups.length,
      near_duplicate_notes: inGroups,
      dedupe_candidates_checked: dups.candidatesChecked,
      findings: findings.length,
      findings_resolved: resolved,
      index_entries: entries.length,
      retrieval_hits: hits,
    },
    degraded,
  };
}
