// MEASURE (read-only, on live + staged): the fitness vector. Each metric in 0..1, higher is better.
import type { CorpusView } from '../corpus/corpus';
import { findNearDuplicates, type SignatureCache } from './dedupe';
import { parseFinding, type Finding } from '../corpus/findings';
import {
  CitationChecker,
  PROVISIONAL_OR_HIGHER,
  ReferenceIndex,
  citationsOf,
  dedupeItem,
  hasRequiredKeys,
  hasSource,
  isStale,
  isVisible,
  maturityOf,
  cachedTitle,
} from '../corpus/knowledge';
import { round } from '../run/delta';
import { Retriever, parseIndex } from './retrieval';
import { METRIC_NAMES, type FitnessVector, type IndexEntry } from '../core/schemas';
import type { Note } from '../corpus/note';
import { sha256 } from '../core/fsutil';

export interface MeasureInput {
  view: CorpusView;
  citations: CitationChecker;
  references: ReferenceIndex;
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

function frac(num: number, den: number, empty = 1): number {
  return den === 0 ? empty : round(num / den, 6);
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
  let hits = 0;
  for (const note of notes) {
    const top = retr.search(cachedTitle(note), 3);
    if (top.some((i) => entries[i]!.path === note.rel)) hits++;
  }
  selfTestMemo.set(owner, { indexHash, notes, hits });
  return hits;
}

export function measure(input: MeasureInput): MeasureResult {
  const { view, citations, references, now, staleDays } = input;
  const L = view.notesOf('learning');
  const degraded: string[] = [];
  const n = L.length;
  if (!n) degraded.push('measure: no live learnings; metrics over learnings are vacuous (1)');

  let valid = 0,
    matured = 0,
    covered = 0,
    cites = 0,
    validCites = 0,
    visible = 0,
    fresh = 0;
  const dedupeItems: { key: string; text: string }[] = [];
  for (const note of L) {
    if (hasRequiredKeys(note)) valid++;
    if (PROVISIONAL_OR_HIGHER.has(maturityOf(note))) matured++;
    if (hasSource(note)) covered++;
    for (const c of citationsOf(note)) {
      cites++;
      if (citations.exists(c)) validCites++;
    }
    const vis = isVisible(note);
    if (vis) visible++;
    if (!isStale(note, now, staleDays, references.references(note))) fresh++;
    if (vis) dedupeItems.push(dedupeItem(note));
  }
  const dups = findNearDuplicates(dedupeItems, input.dedupeThreshold, input.sigCache);
  const inGroups = dups.groups.reduce((a, g) => a + g.length, 0);

  const findings: Finding[] = view
    .notesOf('finding')
    .map(parseFinding)
    .filter((f): f is Finding => !!f);
  const resolved = findings.filter((f) => f.resolved).length;

  const { entries, bad } = parseIndex(view.raw('index.jsonl'));
  if (bad) degraded.push(`index.jsonl has ${bad} unreadable line(s)`);
  const byPath = new Map(L.map((x) => [x.rel, x]));
  let consistent = 0;
  for (const e of entries) {
    const note = byPath.get(e.path.replace(/^\.agents\//, ''));
    if (note && note.hash === e.hash) consistent++;
  }
  const visibleNotes = L.filter(isVisible);
  const hits = selfTest(view.raw('index.jsonl'), entries, visibleNotes, input.sigCache);

  const fitness: FitnessVector = {
    frontmatter_validity: frac(valid, n),
    maturity_provisional_or_higher: frac(matured, n),
    citation_coverage: frac(covered, n),
    citation_validity: frac(validCites, cites),
    inject_visibility: frac(visible, n),
    uniqueness: round(1 - frac(inGroups, visible || 0, 0), 6),
    freshness: frac(fresh, n),
    findings_resolution: frac(resolved, findings.length),
    retrieval_self_test: frac(hits, visibleNotes.length),
    index_consistency: frac(consistent, Math.max(entries.length, visibleNotes.length)),
  };
  for (const k of METRIC_NAMES) if (!(k in fitness)) throw new Error(`metric ${k} missing`);
  return {
    fitness,
    counters: {
      learnings: n,
      visible: visibleNotes.length,
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
