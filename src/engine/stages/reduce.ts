// REDUCE: the only stage that changes the corpus, and only into the iteration's staging overlay.
// Order: promote candidates -> flag citations -> merge near-duplicates -> temper maturity ->
// archive rot -> route findings to next-work -> rebuild index.jsonl. Never deletes: a merged or
// stale note moves under learnings/.archive/ with a link to what replaced it.
import { queueItems, readQueue } from '../corpus/queue';
import { rfc3339 } from '../core/fsutil';
import path from 'node:path';
import { findNearDuplicates, type SignatureCache } from './dedupe';
import type { IngestResult } from './ingest';
import {
  citationsOf,
  citedPathsOf,
  confidenceOf,
  dedupeItem,
  noteSummary,
  isOld,
  isProtected,
  isRotten,
  isVisible,
  isoDay,
  maturityOf,
  maturityRank,
  noteDateOf,
  noteId,
  cachedTitle,
  slugify,
  type RetentionContext,
} from '../corpus/knowledge';
import { buildNote, isEditable, noteDate, patchFrontmatter, str, strList, type Note } from '../corpus/note';
import type { Change, Proposal } from '../core/schemas';
import type { Staging } from '../commit/checkpoint';
import { NAME_MAX_BYTES, ownBytes, SAFE_PATH_BYTES, sha256, truncateUtf8 } from '../core/fsutil';
import { redactSecrets } from '../core/secrets';
import type { IndexEntry } from '../core/schemas';
import { phase } from '../core/phases';
import { rememberParsedIndex } from './retrieval';

export interface ReduceInput {
  ingest: IngestResult;
  staging: Staging;
  sigCache: SignatureCache;
  now: Date;
  staleDays: number;
  dedupeThreshold: number;
  /** §4.2: `evidence` (default) or upstream's `age` (still capped) */
  retention?: 'evidence' | 'age';
  /** how many live learnings this iteration may still retire tonight (§4.1 retire cap); default: no cap */
  retireBudget?: number;
  workspaceName: string;
  runId: string;
  /** throws when the stage must stop (deadline / user stop) */
  checkpoint: (where: string) => void;
}

export interface ReduceResult {
  counters: Record<string, number>;
  changes: Change[];
  degraded: string[];
  /** retirements over the cap and old-and-unused notes for review (§4.2) */
  proposals: Proposal[];
  /** live learnings before and after this iteration's staged changes */
  live: { before: number; after: number };
}

/** the command a person runs to archive a proposed note after a look */
export function archiveCommand(rel: string): string {
  return `dream archive .agents/${rel}`;
}

/** §2.1 a dated log: a daily/nightly note, a retro or session log of one date */
function logDay(n: Note): string | null {
  const name = `${path.posix.basename(n.rel)} ${cachedTitle(n)}`.toLowerCase();
  if (!/(daily|nightly|retro|standup|journal|\blog\b|-log\b|session|post-?mortem|weekly|summary)/.test(name)) return null;
  const d = noteDateOf(n);
  return d ? isoDay(d) : null;
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
    archived_rot: 0,
    archived_age: 0,
    archived_marked: 0,
    retire_capped: 0,
    proposed_review: 0,
    findings_routed: 0,
    index_entries: 0,
    index_rebuilt: 0,
  };

  const proposals: Proposal[] = [];
  const liveBefore = view.notesOf('learning').filter(isVisible).length;
  let retireBudget = input.retireBudget ?? Infinity;
  const retention: RetentionContext = {
    now,
    staleDays: input.staleDays,
    references: ingest.references,
    uses: ingest.uses,
    citations: ingest.citations,
  };
  const record = (rel: string, kind: Change['kind'], reason: string, movedTo?: string) => {
    const c = changes.get(rel);
    if (c) {
      c.reasons.push(reason);
      if (kind === 'archived' || kind === 'superseded') c.kind = kind;
      if (movedTo) c.moved_to = movedTo;
    } else changes.set(rel, { kind, reasons: [reason], moved_to: movedTo });
  };

  const stageBytes = (rel: string, bytes: Buffer, prior?: Note) => {
    view.stage(rel, bytes, prior);
    staging.write(rel, bytes);
  };

  const update = (n: Note, patch: Record<string, unknown>, reason: string): Note => {
    const bytes = patchFrontmatter(n, patch);
    if (bytes.equals(n.bytes)) return n;
    stageBytes(n.rel, bytes, n);
    record(n.rel, changes.get(n.rel)?.kind ?? 'modified', reason);
    return view.note(n.rel)!;
  };

  const archivePath = (rel: string) => {
    const inner = rel.replace(/^learnings\//, '');
    const dir = inner.includes('/') ? inner.slice(0, inner.lastIndexOf('/') + 1) : '';
    const stem = inner.slice(dir.length).replace(/\.md$/, '');
    // a collision suffix never pushes the name past NAME_MAX; a path past PATH_MAX goes flat
    const named = (suffix: string) => {
      const t = `learnings/.archive/${dir}${truncateUtf8(stem, NAME_MAX_BYTES - Buffer.byteLength(suffix + '.md'))}${suffix}.md`;
      return Buffer.byteLength(path.join(view.base.agentsDir, t)) <= SAFE_PATH_BYTES
        ? t
        : `learnings/.archive/${truncateUtf8(stem, 100)}-${sha256(rel).slice(0, 12)}${suffix}.md`;
    };
    let target = named('');
    for (let i = 2; view.hasAgentsPath(target); i++) target = named(`-${i}`);
    return target;
  };
  // a symlinked or special learnings/.archive, next-work.jsonl or index.jsonl is reported and skipped
  const blocked = (rel: string, what: string): boolean => {
    const why = staging.refusal(rel);
    if (why) degraded.push(`${what} skipped: ${why}`);
    return !!why;
  };
  const archiveBlocked = blocked('learnings/.archive/x.md', 'merging and archiving');

  const moveToArchive = (n: Note, patch: Record<string, unknown>, kind: 'archived' | 'superseded', reason: string) => {
    const target = archivePath(n.rel);
    const bytes = patchFrontmatter(n, patch);
    view.stage(target, bytes, n);
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
      type: c.antiPattern ? 'anti-pattern' : 'learning',
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

  phase('reduce:promote');
  // 2. audit cited paths (§2.1): flag stale_citation with stale_citation_since; clear the flag
  //    (set false, never drop the key) when they exist again
  for (let n of view.notesOf('learning')) {
    if (!isEditable(n) || !isVisible(n)) continue;
    const cs = citedPathsOf(n);
    const broken = cs.filter((c) => !ingest.citations.exists(c));
    const flagged = n.fm.stale_citation === true;
    if (broken.length && !flagged) {
      n = update(n, { stale_citation: true, stale_citation_since: today }, `broken cited path(s): ${broken.join(', ')}`);
      counters.citations_flagged!++;
    } else if (broken.length && flagged && n.fm.stale_citation_since == null) {
      n = update(n, { stale_citation_since: today }, 'broken cited path(s): start of the stale period recorded');
    } else if (!broken.length && flagged) {
      n = update(n, { stale_citation: false }, 'cited paths exist again');
      counters.citations_cleared!++;
    }
  }

  phase('reduce:citations');
  // 3. merge near-duplicates: survivor keeps best metadata and the union of citations and tags
  input.checkpoint('reduce:dedupe');
  // the same item set MEASURE uses (every visible learning), so an unchanged corpus reuses one result;
  // only notes Dream can edit take part in a merge
  const visible = view.notesOf('learning').filter((n) => isVisible(n));
  const dups = findNearDuplicates(visible.map(dedupeItem), input.dedupeThreshold, input.sigCache);
  const subgroups: Note[][] = [];
  for (const group of dups.groups) {
    const notes = group.map((rel) => view.note(rel)).filter((n): n is Note => !!n);
    // dated logs of different dates never merge (§4 REDUCE)
    const byDay = new Map<string, Note[]>();
    for (const n of notes) {
      const k = logDay(n) ?? '';
      byDay.set(k, [...(byDay.get(k) ?? []), n]);
    }
    if (byDay.size > 1 && [...byDay.keys()].some((k) => k !== '')) {
      counters.dedup_kept_apart = (counters.dedup_kept_apart ?? 0) + 1;
      for (const [k, ns] of byDay) if (k !== '' || byDay.size === 1) subgroups.push(ns);
    } else subgroups.push(notes);
  }
  const retire = (n: Note, patch: Record<string, unknown>, kind: 'archived' | 'superseded', reason: string, proposal: string): boolean => {
    if (retireBudget <= 0) {
      proposals.push({
        path: `.agents/${n.rel}`,
        reason: `${proposal} (over tonight's retire cap)`,
        command: archiveCommand(n.rel),
        ...(typeof patch.superseded_by === 'string' ? { superseded_by: patch.superseded_by } : {}),
      });
      counters.retire_capped!++;
      return false;
    }
    retireBudget--;
    moveToArchive(n, { ...patch, archived_from_maturity: maturityOf(n) || 'provisional' }, kind, reason);
    return true;
  };
  for (const group of archiveBlocked ? [] : subgroups) {
    input.checkpoint('reduce:merge');
    // an untouchable note (no frontmatter) survives when an editable copy is an exact duplicate of it
    const fixed = group.filter((n) => !isEditable(n) && n.utf8);
    let editable = group.filter((n) => isEditable(n));
    if (fixed.length) {
      const keep = fixed[0]!;
      const flat = (n: Note) => n.body.trim().replace(/\s+/g, ' ');
      const copies = editable.filter((n) => flat(n) === flat(keep));
      editable = editable.filter((n) => flat(n) !== flat(keep));
      for (const o of copies) {
        if (
          retire(
            o,
            { superseded_by: noteId(keep), maturity: 'archived', archived_at: today, archived_reason: `exact copy of .agents/${keep.rel}` },
            'superseded',
            `exact copy of .agents/${keep.rel} (kept: it has no frontmatter Dream could edit); superseded by ${noteId(keep)}`,
            `exact copy of .agents/${keep.rel}`,
          )
        )
          counters.dedup_merged!++;
      }
    }
    const members = editable;
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
    const best = [...members].sort((a, b) => maturityRank(maturityOf(b)) - maturityRank(maturityOf(a)))[0]!;
    if (maturityRank(maturityOf(best)) > maturityRank(maturityOf(survivor)) && maturityOf(best)) patch.maturity = str(best.fm.maturity);
    for (const k of ['confidence', 'utility']) {
      const vals = members.map((m) => Number(m.fm[k])).filter((x) => Number.isFinite(x));
      if (vals.length && Math.max(...vals) > (Number(survivor.fm[k]) || -Infinity)) patch[k] = Math.max(...vals);
    }
    const dates = members.map((m) => noteDate(m.fm.date)).filter((d): d is Date => !!d);
    const newest = dates.sort((a, b) => b.getTime() - a.getTime())[0];
    const sd = noteDate(survivor.fm.date);
    if (newest && sd && newest.getTime() > sd.getTime()) patch.date = isoDay(newest);
    const absorbed: Note[] = [];
    for (const o of others) {
      const ok = retire(
        o,
        { superseded_by: sid, maturity: 'archived', archived_at: today, archived_reason: `near-duplicate of .agents/${survivor.rel}` },
        'superseded',
        `near-duplicate of .agents/${survivor.rel}; superseded by ${sid}`,
        `near-duplicate of .agents/${survivor.rel}`,
      );
      if (ok) {
        absorbed.push(o);
        counters.dedup_merged!++;
      }
    }
    if (!absorbed.length) continue;
    patch.merged_from = [...new Set([...strList(survivor.fm.merged_from), ...absorbed.map(noteId)])];
    if (patch.citations) {
      const anyBroken = cites.some((c) => !ingest.citations.exists(c));
      if (anyBroken && survivor.fm.stale_citation !== true) {
        patch.stale_citation = true;
        if (survivor.fm.stale_citation_since == null) patch.stale_citation_since = today;
      } else if (!anyBroken && survivor.fm.stale_citation === true) patch.stale_citation = false;
    }
    update(
      survivor,
      patch,
      `merged near-duplicate(s) ${absorbed.map((o) => `.agents/${o.rel}`).join(', ')} (trigram Jaccard > ${input.dedupeThreshold})`,
    );
    counters.dedup_groups!++;
  }

  phase('reduce:merge');
  // 4. temper maturity: cited or referenced notes rise to provisional; notes whose every
  //    citation is broken fall from accepted to provisional (fixed points: no oscillation)
  for (const n of view.notesOf('learning')) {
    if (!isEditable(n) || !isVisible(n)) continue;
    const m = maturityOf(n);
    const cs = citationsOf(n);
    const validCount = cs.filter((c) => ingest.citations.exists(c)).length;
    const referenced = ingest.references.references(n);
    // a note with no maturity key is provisional already (§2.1): only an explicit draft rises
    if (m === 'draft' && (validCount > 0 || referenced)) {
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

  phase('reduce:maturity');
  // 5. retention (§4.2): notes already marked archived/superseded leave the live folder; rot with
  //    evidence is retired (capped); old-and-unused notes are proposed for review, never retired by age
  //    (`retention: age` restores upstream's age rule, capped)
  for (const n of archiveBlocked ? [] : view.notesOf('learning')) {
    input.checkpoint('reduce:archive');
    if (!isEditable(n)) continue;
    if (!isVisible(n)) {
      moveToArchive(
        n,
        {
          archived_at: today,
          maturity: 'archived',
          ...(maturityOf(n) !== 'archived' ? { archived_from_maturity: maturityOf(n) || 'provisional' } : {}),
        },
        maturityOf(n) === 'archived' ? 'archived' : 'superseded',
        'already marked archived or superseded; moved out of the live learnings',
      );
      counters.archived_marked!++;
      continue;
    }
    if (input.retention === 'age') {
      const exempt = maturityRank(maturityOf(n)) >= maturityRank('stable') || ingest.references.references(n);
      if (!exempt && isOld(n, now, input.staleDays)) {
        const dated = isoDay(noteDateOf(n)!);
        if (
          retire(
            n,
            {
              maturity: 'archived',
              archived_at: today,
              archived_reason: `age: dated ${dated}, older than ${input.staleDays} days (retention: age)`,
            },
            'archived',
            `age: dated ${dated} (> ${input.staleDays} days), not referenced (retention: age)`,
            `age: dated ${dated}, older than ${input.staleDays} days`,
          )
        )
          counters.archived_age!++;
      }
      continue;
    }
    if (isRotten(n, retention)) {
      const since = str(n.fm.stale_citation_since);
      if (
        retire(
          n,
          {
            maturity: 'archived',
            archived_at: today,
            archived_reason: `rot: every cited path broken since ${since} (> ${input.staleDays} days), no usage or reference`,
          },
          'archived',
          `rot: every cited path broken since ${since} (> ${input.staleDays} days); no usage evidence, not referenced`,
          `rot: every cited path broken since ${since}`,
        )
      )
        counters.archived_rot!++;
      continue;
    }
    if (isOld(n, now, input.staleDays) && !isProtected(n, retention)) {
      proposals.push({
        path: `.agents/${n.rel}`,
        reason: `not used or validated in ${input.staleDays} days`,
        command: archiveCommand(n.rel),
      });
      counters.proposed_review!++;
    }
  }
  counters.archived_stale = counters.archived_rot! + counters.archived_age!;

  phase('reduce:retention');
  // 6. route unresolved findings to rpi/next-work.jsonl, once
  const fresh = ingest.findings.filter((f) => !f.resolved && !ingest.nextWorkIds.has(f.id));
  if (fresh.length && !blocked('rpi/next-work.jsonl', 'routing findings to rpi/next-work.jsonl')) {
    const prev = view.raw('rpi/next-work.jsonl') ?? Buffer.alloc(0);
    // the real queue format (§2.1): item-level claim_status, RFC 3339 without milliseconds, the
    // queue's own name for this repository in target_repo (omitted when the queue names none)
    const repo = queueRepoName(prev);
    const line = JSON.stringify({
      source_epic: 'dream-findings-router',
      timestamp: rfc3339(now),
      items: fresh.map((f) => ({
        id: f.id,
        title: redactSecrets(f.title).text,
        type: 'finding',
        severity: f.severity,
        source: 'finding-router',
        description: redactSecrets(f.description).text,
        ...(repo ? { target_repo: repo } : {}),
        source_path: `.agents/${f.rel}`,
        claim_status: 'available',
      })),
      consumed: false,
      claim_status: 'available',
      claimed_by: null,
      claimed_at: null,
    });
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

  phase('reduce:findings');
  // 7. rebuild index.jsonl from the live learnings (after every other change)
  input.checkpoint('reduce:index');
  const liveNotes = view.notesOf('learning').filter((n) => isVisible(n));
  const { bytes: indexBytes, count } = buildIndex(liveNotes, input.sigCache);
  counters.index_entries = count;
  const oldIndex = view.raw('index.jsonl');
  if ((!oldIndex || !oldIndex.equals(indexBytes)) && !blocked('index.jsonl', 'rebuilding index.jsonl')) {
    stageBytes('index.jsonl', indexBytes);
    record('index.jsonl', oldIndex ? 'modified' : 'added', `rebuilt retrieval index (${count} entries)`);
    counters.index_rebuilt = 1;
  }

  phase('reduce:index');
  const out: Change[] = [...changes.entries()].map(([p, c]) => ({
    path: p,
    kind: c.kind,
    reason: c.reasons.join('; '),
    before: null,
    ...(c.moved_to ? { moved_to: c.moved_to } : {}),
  }));
  const liveAfter = view.notesOf('learning').filter(isVisible).length;
  counters.live_before = liveBefore;
  counters.live_after = liveAfter;
  return { counters, changes: out, degraded, proposals, live: { before: liveBefore, after: liveAfter } };
}

/** index.jsonl bytes for the live notes, and where each note's line ends in them (memo per owner) */
const indexMemo = new WeakMap<object, { notes: Note[]; bytes: Buffer; ends: Uint32Array }>();
/** each note's index entry (a note is immutable: its entry never changes) */
const entryMemo = new WeakMap<Note, IndexEntry>();
function indexEntry(n: Note): IndexEntry {
  let e = entryMemo.get(n);
  if (!e)
    entryMemo.set(
      n,
      (e = {
        id: noteId(n),
        path: n.rel,
        title: cachedTitle(n),
        tags: strList(n.fm.tags),
        maturity: maturityOf(n),
        hash: n.hash,
        summary: noteSummary(n),
      }),
    );
  return e;
}
/**
 * The index.jsonl bytes of `notes`. A note that was in the previous build keeps its line, copied
 * from the previous bytes (runs of them in one piece); only the other notes' lines are written
 * (a line is not kept as a string: 50k of them would be ~25 MB for the night).
 */
export function buildIndex(notes: Note[], owner: object): { bytes: Buffer; count: number } {
  const memo = indexMemo.get(owner);
  if (memo && memo.notes.length === notes.length && memo.notes.every((n, i) => n === notes[i]))
    return { bytes: memo.bytes, count: notes.length };
  const before = new Map<Note, number>();
  if (memo) memo.notes.forEach((n, i) => before.set(n, i));
  const entries: IndexEntry[] = [];
  const parts: Buffer[] = [];
  const ends = new Uint32Array(notes.length);
  let size = 0;
  // a run of lines copied from the previous bytes: [from, to)
  let runFrom = -1;
  let runTo = -1;
  const flush = () => {
    if (runFrom >= 0) parts.push(memo!.bytes.subarray(runFrom, runTo));
    runFrom = runTo = -1;
  };
  notes.forEach((n, i) => {
    const e = indexEntry(n);
    entries.push(e);
    const j = before.get(n);
    if (j !== undefined) {
      const from = j ? memo!.ends[j - 1]! : 0;
      const to = memo!.ends[j]!;
      if (from !== runTo) (flush(), (runFrom = from));
      runTo = to;
      size += to - from;
    } else {
      flush();
      const line = Buffer.from(JSON.stringify(e) + '\n', 'utf8');
      parts.push(line);
      size += line.length;
    }
    ends[i] = size;
  });
  flush();
  const bytes = ownBytes(Buffer.concat(parts, size));
  // MEASURE reads these bytes back as these entries (what parsing them gives): no second parse
  rememberParsedIndex(bytes, entries);
  indexMemo.set(owner, { notes, bytes, ends });
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
  const d = (n: Note) => noteDateOf(n)?.getTime() ?? 0;
  return (
    maturityRank(maturityOf(b)) - maturityRank(maturityOf(a)) ||
    (confidenceOf(b) ?? -1) - (confidenceOf(a) ?? -1) ||
    num(b, 'utility') - num(a, 'utility') ||
    citationsOf(b).length - citationsOf(a).length ||
    (a.fm.stale_citation === true ? 1 : 0) - (b.fm.stale_citation === true ? 1 : 0) ||
    d(b) - d(a) ||
    (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)
  );
}

/** the repository name the queue's items use in target_repo (the most common one other than "*"), or null */
export function queueRepoName(queue: Buffer): string | null {
  const counts = new Map<string, number>();
  for (const { item } of queueItems(readQueue(queue))) {
    const r = item.target_repo;
    if (typeof r === 'string' && r && r !== '*') counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [r, n] of counts) if (!best || n > counts.get(best)! || (n === counts.get(best)! && r < best)) best = r;
  return best;
}
