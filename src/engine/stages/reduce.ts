// REDUCE: the only stage that changes the corpus, and only into the iteration's staging overlay.
// Order: promote candidates -> flag citations -> merge near-duplicates -> temper maturity ->
// archive rot -> route findings to next-work -> rebuild index.jsonl. Never deletes: a merged or
// stale note moves under learnings/.archive/ with a link to what replaced it.
import path from 'node:path';
import { findNearDuplicates, type SignatureCache } from './dedupe';
import type { IngestResult } from './ingest';
import {
  MATURITY_ORDER,
  citationsOf,
  dedupeItem,
  noteSummary,
  isStale,
  isVisible,
  isoDay,
  maturityOf,
  maturityRank,
  noteId,
  cachedTitle,
  slugify,
} from '../corpus/knowledge';
import { buildNote, isEditable, noteDate, patchFrontmatter, str, strList, type Note } from '../corpus/note';
import type { Change } from '../core/schemas';
import type { Staging } from '../commit/checkpoint';
import type { IndexEntry } from '../core/schemas';

export interface ReduceInput {
  ingest: IngestResult;
  staging: Staging;
  sigCache: SignatureCache;
  now: Date;
  staleDays: number;
  dedupeThreshold: number;
  workspaceName: string;
  runId: string;
  /** throws when the stage must stop (deadline / user stop) */
  checkpoint: (where: string) => void;
}

export interface ReduceResult {
  counters: Record<string, number>;
  changes: Change[];
  degraded: string[];
}

interface ChangeAcc {
  kind: Change['kind'];
  reasons: string[];
  moved_to?: string;
}

export function reduce(input: ReduceInput): ReduceResult {
  const { ingest, staging, now } = input;
  const view = ingest.view;
  const today = isoDay(now);
  const changes = new Map<string, ChangeAcc>();
  const degraded: string[] = [];
  const counters: Record<string, number> = {
    promoted: 0,
    pending_promoted: 0,
    citations_flagged: 0,
    citations_cleared: 0,
    dedup_merged: 0,
    dedup_groups: 0,
    maturity_tempered: 0,
    archived_stale: 0,
    archived_marked: 0,
    findings_routed: 0,
    index_entries: 0,
    index_rebuilt: 0,
  };

  const record = (rel: string, kind: Change['kind'], reason: string, movedTo?: string) => {
    const c = changes.get(rel);
    if (c) {
      c.reasons.push(reason);
      if (kind === 'archived' || kind === 'superseded') c.kind = kind;
      if (movedTo) c.moved_to = movedTo;
    } else changes.set(rel, { kind, reasons: [reason], moved_to: movedTo });
  };

  const stageBytes = (rel: string, bytes: Buffer) => {
    view.stage(rel, bytes);
    staging.write(rel, bytes);
  };

  const update = (n: Note, patch: Record<string, unknown>, reason: string): Note => {
    const bytes = patchFrontmatter(n, patch);
    if (bytes.equals(n.bytes)) return n;
    stageBytes(n.rel, bytes);
    record(n.rel, changes.get(n.rel)?.kind ?? 'modified', reason);
    return view.note(n.rel)!;
  };

  const archivePath = (rel: string) => {
    const inner = rel.replace(/^learnings\//, '');
    let target = `learnings/.archive/${inner}`;
    for (let i = 2; view.hasAgentsPath(target); i++) target = `learnings/.archive/${inner.replace(/\.md$/, '')}-${i}.md`;
    return target;
  };

  const moveToArchive = (n: Note, patch: Record<string, unknown>, kind: 'archived' | 'superseded', reason: string) => {
    const target = archivePath(n.rel);
    const bytes = patchFrontmatter(n, patch);
    view.stage(target, bytes);
    staging.write(target, bytes);
    view.stage(n.rel, null);
    staging.remove(n.rel);
    record(n.rel, kind, reason, target);
  };

  // 1. promote session candidates and pending candidates (provenance in frontmatter)
  for (const c of ingest.candidates) {
    input.checkpoint('reduce:promote');
    const slug = slugify(c.title);
    let rel = `learnings/${c.date}-${slug}-${c.hash.slice(0, 6)}.md`;
    if (view.hasAgentsPath(rel)) rel = `learnings/${c.date}-${slug}-${c.hash}.md`;
    const fm: Record<string, unknown> = {
      id: `dream-${c.hash.slice(0, 12)}`,
      title: c.title,
      type: 'learning',
      maturity: 'provisional',
      confidence: 0.5,
      utility: 0.5,
      date: c.date,
      source: 'dream-session-mining',
      source_session: `.agents/${c.session}`,
      source_hash: c.hash,
      promoted_by: 'dream',
      promoted_at: today,
      tags: c.tags,
    };
    const body = `# ${c.title}\n\n${c.text}\n\nMined by Dream from \`.agents/${c.session}\` on ${today}.\n`;
    stageBytes(rel, buildNote(fm, body));
    record(rel, 'added', `promoted from session .agents/${c.session}${c.redactions ? ` (${c.redactions} secret(s) redacted)` : ''}`);
    counters.promoted!++;
  }
  for (const rel of ingest.pendingPromotions) {
    const n = view.note(rel);
    if (!n || !isEditable(n)) continue;
    const target = `learnings/${path.posix.basename(rel)}`;
    if (view.hasAgentsPath(target)) {
      degraded.push(`pending candidate .agents/${rel} not promoted: .agents/${target} already exists`);
      continue;
    }
    const bytes = patchFrontmatter(n, {
      maturity: maturityOf(n) || 'provisional',
      status: 'promoted',
      promoted_from: `.agents/${rel}`,
      promoted_by: 'dream',
      promoted_at: today,
    });
    stageBytes(target, bytes);
    view.stage(rel, null);
    staging.remove(rel);
    record(target, 'added', `promoted from .agents/${rel}`);
    record(rel, 'archived', `promoted to .agents/${target}`, target);
    counters.pending_promoted!++;
  }

  // 2. audit citations: flag stale_citation (set false, never drop the key, when fixed)
  for (let n of view.notesOf('learning')) {
    if (!isEditable(n) || !isVisible(n)) continue;
    const cs = citationsOf(n);
    const broken = cs.filter((c) => !ingest.citations.exists(c));
    const flagged = n.fm.stale_citation === true;
    if (broken.length && !flagged) {
      n = update(n, { stale_citation: true }, `broken citation(s): ${broken.join(', ')}`);
      counters.citations_flagged!++;
    } else if (!broken.length && flagged) {
      n = update(n, { stale_citation: false }, 'cited paths exist again');
      counters.citations_cleared!++;
    }
  }

  // 3. merge near-duplicates: survivor keeps best metadata and the union of citations and tags
  input.checkpoint('reduce:dedupe');
  // the same item set MEASURE uses (every visible learning), so an unchanged corpus reuses one result;
  // only notes Dream can edit take part in a merge
  const visible = view.notesOf('learning').filter((n) => isVisible(n));
  const dups = findNearDuplicates(visible.map(dedupeItem), input.dedupeThreshold, input.sigCache);
  for (const group of dups.groups) {
    input.checkpoint('reduce:merge');
    const members = group.map((rel) => view.note(rel)!).filter((n) => n && isEditable(n));
    if (members.length < 2) continue;
    const ranked = [...members].sort((a, b) => compareSurvivor(a, b, ingest.references));
    const survivor = ranked[0]!;
    const others = ranked.slice(1);
    const sid = noteId(survivor);
    const union = (key: string) => {
      const seen = new Set<string>();
      const out: string[] = [];
      for (const m of [survivor, ...others]) for (const v of strList(m.fm[key])) if (!seen.has(v)) (seen.add(v), out.push(v));
      return out;
    };
    const patch: Record<string, unknown> = {};
    const cites = union('citations');
    const tags = union('tags');
    if (cites.length > citationsOf(survivor).length) patch.citations = cites;
    if (tags.length > strList(survivor.fm.tags).length) patch.tags = tags;
    const best = Math.max(...members.map((m) => maturityRank(maturityOf(m))));
    if (best > maturityRank(maturityOf(survivor)) && best >= 0) patch.maturity = MATURITY_ORDER[best];
    for (const k of ['confidence', 'utility']) {
      const vals = members.map((m) => Number(m.fm[k])).filter((x) => Number.isFinite(x));
      if (vals.length && Math.max(...vals) > (Number(survivor.fm[k]) || -Infinity)) patch[k] = Math.max(...vals);
    }
    const dates = members.map((m) => noteDate(m.fm.date)).filter((d): d is Date => !!d);
    const newest = dates.sort((a, b) => b.getTime() - a.getTime())[0];
    const sd = noteDate(survivor.fm.date);
    if (newest && sd && newest.getTime() > sd.getTime()) patch.date = isoDay(newest);
    const mergedFrom = [...strList(survivor.fm.merged_from), ...others.map(noteId)];
    patch.merged_from = [...new Set(mergedFrom)];
    if (patch.citations) {
      const anyBroken = cites.some((c) => !ingest.citations.exists(c));
      if (anyBroken && survivor.fm.stale_citation !== true) patch.stale_citation = true;
      else if (!anyBroken && survivor.fm.stale_citation === true) patch.stale_citation = false;
    }
    update(
      survivor,
      patch,
      `merged near-duplicate(s) ${others.map((o) => `.agents/${o.rel}`).join(', ')} (trigram Jaccard > ${input.dedupeThreshold})`,
    );
    for (const o of others) {
      moveToArchive(
        o,
        { superseded_by: sid, maturity: 'archived', archived_at: today, archived_reason: `near-duplicate of .agents/${survivor.rel}` },
        'superseded',
        `near-duplicate of .agents/${survivor.rel}; superseded by ${sid}`,
      );
      counters.dedup_merged!++;
    }
    counters.dedup_groups!++;
  }

  // 4. temper maturity: cited or referenced notes rise to provisional; notes whose every
  //    citation is broken fall from accepted to provisional (fixed points: no oscillation)
  for (const n of view.notesOf('learning')) {
    if (!isEditable(n) || !isVisible(n)) continue;
    const m = maturityOf(n);
    const cs = citationsOf(n);
    const validCount = cs.filter((c) => ingest.citations.exists(c)).length;
    const referenced = ingest.references.references(n);
    if ((m === 'draft' || m === '') && (validCount > 0 || referenced)) {
      update(
        n,
        { maturity: 'provisional' },
        referenced
          ? 'maturity draft -> provisional: referenced from patterns/research'
          : 'maturity draft -> provisional: cites existing sources',
      );
      counters.maturity_tempered!++;
    } else if (m === 'accepted' && cs.length > 0 && validCount === 0) {
      update(n, { maturity: 'provisional' }, 'maturity accepted -> provisional: every citation is broken');
      counters.maturity_tempered!++;
    }
  }

  // 5. archive rot: stale notes (age from frontmatter date, not referenced, not stable/promoted)
  //    and notes already marked archived/superseded that still sit among live learnings
  for (const n of view.notesOf('learning')) {
    input.checkpoint('reduce:archive');
    if (!isEditable(n)) continue;
    if (!isVisible(n)) {
      moveToArchive(
        n,
        { archived_at: today, maturity: 'archived' },
        maturityOf(n) === 'archived' ? 'archived' : 'superseded',
        'already marked archived or superseded; moved out of the live learnings',
      );
      counters.archived_marked!++;
      continue;
    }
    const referenced = ingest.references.references(n);
    if (isStale(n, now, input.staleDays, referenced)) {
      moveToArchive(
        n,
        {
          maturity: 'archived',
          archived_at: today,
          archived_reason: `stale: dated ${str(n.fm.date)}, older than ${input.staleDays} days and not referenced`,
        },
        'archived',
        `stale: dated ${str(n.fm.date)} (> ${input.staleDays} days), not referenced from patterns or research`,
      );
      counters.archived_stale!++;
    }
  }

  // 6. route unresolved findings to rpi/next-work.jsonl, once
  const fresh = ingest.findings.filter((f) => !f.resolved && !ingest.nextWorkIds.has(f.id));
  if (fresh.length) {
    const line = JSON.stringify({
      source_epic: 'dream-findings-router',
      timestamp: now.toISOString(),
      items: fresh.map((f) => ({
        id: f.id,
        title: f.title,
        type: 'finding',
        severity: f.severity,
        source: 'finding-router',
        description: f.description,
        target_repo: input.workspaceName,
        source_path: `.agents/${f.rel}`,
      })),
      consumed: false,
      claim_status: 'pending',
      claimed_by: null,
      claimed_at: null,
    });
    const prev = view.raw('rpi/next-work.jsonl') ?? Buffer.alloc(0);
    const sep = prev.length && prev[prev.length - 1] !== 0x0a ? '\n' : '';
    const next = Buffer.concat([prev, Buffer.from(sep + line + '\n', 'utf8')]);
    view.stage('rpi/next-work.jsonl', next);
    staging.append('rpi/next-work.jsonl', prev, next);
    record(
      'rpi/next-work.jsonl',
      prev.length ? 'modified' : 'added',
      `routed ${fresh.length} finding(s): ${fresh.map((f) => f.id).join(', ')}`,
    );
    counters.findings_routed = fresh.length;
  }

  // 7. rebuild index.jsonl from the live learnings (after every other change)
  input.checkpoint('reduce:index');
  const liveNotes = view.notesOf('learning').filter((n) => isVisible(n));
  const { bytes: indexBytes, count } = buildIndex(liveNotes, input.sigCache);
  counters.index_entries = count;
  const oldIndex = view.raw('index.jsonl');
  if (!oldIndex || !oldIndex.equals(indexBytes)) {
    stageBytes('index.jsonl', indexBytes);
    record('index.jsonl', oldIndex ? 'modified' : 'added', `rebuilt retrieval index (${count} entries)`);
    counters.index_rebuilt = 1;
  }

  const out: Change[] = [...changes.entries()].map(([p, c]) => ({
    path: p,
    kind: c.kind,
    reason: c.reasons.join('; '),
    before: null,
    ...(c.moved_to ? { moved_to: c.moved_to } : {}),
  }));
  return { counters, changes: out, degraded };
}

/** index.jsonl bytes for the live notes; memoised while the notes are the same objects */
const indexMemo = new WeakMap<object, { notes: Note[]; bytes: Buffer }>();
export function buildIndex(notes: Note[], owner: object): { bytes: Buffer; count: number } {
  const memo = indexMemo.get(owner);
  if (memo && memo.notes.length === notes.length && memo.notes.every((n, i) => n === notes[i]))
    return { bytes: memo.bytes, count: notes.length };
  const entries: IndexEntry[] = notes.map((n) => ({
    id: noteId(n),
    path: n.rel,
    title: cachedTitle(n),
    tags: strList(n.fm.tags),
    maturity: maturityOf(n),
    hash: n.hash,
    summary: noteSummary(n),
  }));
  const bytes = Buffer.from(entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : ''), 'utf8');
  indexMemo.set(owner, { notes, bytes });
  return { bytes, count: entries.length };
}

/** survivor order: a note named from patterns/research first (so their links stay live), then best metadata */
function compareSurvivor(a: Note, b: Note, refs?: { references(n: Note): boolean }): number {
  if (refs) {
    const ra = refs.references(a) ? 1 : 0;
    const rb = refs.references(b) ? 1 : 0;
    if (ra !== rb) return rb - ra;
  }
  const num = (n: Note, k: string) => (Number.isFinite(Number(n.fm[k])) ? Number(n.fm[k]) : -1);
  const d = (n: Note) => noteDate(n.fm.date)?.getTime() ?? 0;
  return (
    maturityRank(maturityOf(b)) - maturityRank(maturityOf(a)) ||
    num(b, 'confidence') - num(a, 'confidence') ||
    num(b, 'utility') - num(a, 'utility') ||
    citationsOf(b).length - citationsOf(a).length ||
    (a.fm.stale_citation === true ? 1 : 0) - (b.fm.stale_citation === true ? 1 : 0) ||
    d(b) - d(a) ||
    (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)
  );
}
