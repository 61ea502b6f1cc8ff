// INGEST (read-only): scan the corpus, parse frontmatter, mine sessions for learnings, audit
// provenance and citations, read tonight's queue, route findings. Nothing is written.
import { queueNotes, readQueue } from '../corpus/queue';
import fs from 'node:fs';
import path from 'node:path';
import { CorpusView, loadSnapshot, kindOf, type NoteCache, type Snapshot } from '../corpus/corpus';
import { sha256 } from '../core/fsutil';
import {
  CitationChecker,
  ReferenceIndex,
  UsageLog,
  citedPathsOf,
  hasSource,
  isVisible,
  isoDay,
  noteReferenceText,
  referenceIndexFor,
  type ReferenceText,
} from '../corpus/knowledge';
import { KnownStatements } from './knownStatements';
import { noteDate, str, type Note } from '../corpus/note';
import { redactSecrets } from '../core/secrets';
import { readRegularFile } from '../core/fsutil';
import { phase } from '../core/phases';

/** tonight.md is a short list of bullets */
const QUEUE_MAX_BYTES = 1024 * 1024;
import { parseFinding, type Finding } from '../corpus/findings';
export { parseFinding, normaliseSeverity, type Finding } from '../corpus/findings';

export interface SessionCandidate {
  session: string;
  text: string;
  title: string;
  /** provenance hash: a candidate with this hash is promoted once */
  hash: string;
  date: string;
  tags: string[];
  redactions: number;
  /** mined from an anti-pattern section: promoted with `type: anti-pattern` */
  antiPattern: boolean;
}

export interface IngestResult {
  view: CorpusView;
  candidates: SessionCandidate[];
  pendingPromotions: string[];
  drafts: string[];
  findings: Finding[];
  nextWorkIds: Set<string>;
  tonight: string[];
  tonightPath: string | null;
  references: ReferenceIndex;
  /** uses from `.agents/ao/citations.jsonl` (§2.1 usage) */
  uses: UsageLog;
  citations: CitationChecker;
  degraded: string[];
  counters: Record<string, number>;
}

const INACTIVE_SESSION = new Set(['active', 'in-progress', 'in_progress', 'open', 'running']);

/** §2.1 lesson sections of a session note; anti-pattern sections keep their polarity */
const LESSON_HEADING = /^(learnings?|lessons?( learned)?|knowledge|key insights?)\b/i;
const ANTI_HEADING = /\banti-?patterns?\b|^(pitfalls|what not to do|don'?ts)\b/i;

export interface MinedLesson {
  text: string;
  antiPattern: boolean;
}

/** bullets of the lesson sections (§2.1), with their polarity */
export function mineSessionLessons(n: Note): MinedLesson[] {
  const lines = n.body.split(/\r?\n/);
  const out: MinedLesson[] = [];
  let inSection = false;
  let anti = false;
  let level = 0;
  let current: string | null = null;
  const flush = () => {
    if (current && current.trim()) out.push({ text: current.trim().replace(/\s+/g, ' '), antiPattern: anti });
    current = null;
  };
  for (const line of lines) {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      if (inSection && h[1]!.length <= level) {
        flush();
        inSection = false;
      }
      const title = h[2]!.trim().replace(/[*_`]/g, '');
      const isAnti = ANTI_HEADING.test(title);
      if (LESSON_HEADING.test(title) || isAnti) {
        flush();
        inSection = true;
        anti = isAnti;
        level = h[1]!.length;
      }
      continue;
    }
    if (!inSection) continue;
    const b = /^\s{0,3}(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (b) {
      flush();
      current = b[1]!;
    } else if (current !== null && /^\s+\S/.test(line)) {
      current += ' ' + line.trim();
    } else if (line.trim() === '') {
      flush();
    }
  }
  flush();
  return out;
}

export function mineSessionLearnings(n: Note): string[] {
  return mineSessionLessons(n).map((l) => l.text);
}

/**
 * §2.1: only statements are mined — never a bare path or link, a "See:" list, a truncated
 * fragment or a complaint.
 */
export function isStatement(text: string): boolean {
  const t = text.trim();
  if (/^see\b\s*(also)?\s*:?/i.test(t)) return false;
  if (/(\.\.\.|…)$/.test(t)) return false;
  if (/^(what was hard|hard:|frustrat|annoying|ugh\b|pain:|complaint)/i.test(t)) return false;
  // drop links, wiki links, backticked and bare paths: what is left must be a sentence
  const rest = t
    .replace(/\[\[[^\]]*\]\]/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, ' ')
    .replace(/`[^`]*`/g, ' x ')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ')
    .replace(/(^|\s)\S*\/\S*/g, ' ')
    .replace(/[*_>#]/g, ' ');
  const words = rest.match(/[A-Za-z][A-Za-z'-]*/g) ?? [];
  return words.length >= 4;
}

function titleFrom(text: string): string {
  const first = text.split(/(?<=[.!?])\s/)[0] ?? text;
  const t = first
    .replace(/\*\*|`/g, '')
    .replace(/(^|\s)[*_]+|[*_]+(?=\s|$|[.,;:!?])/g, '$1')
    .trim();
  return t.length > 90 ? t.slice(0, 87).replace(/\s+\S*$/, '') + '…' : t;
}

export function nextWorkIds(raw: Buffer | null, degraded: string[]): Set<string> {
  const ids = new Set<string>();
  const q = readQueue(raw);
  degraded.push(...queueNotes(q));
  for (const { obj } of q.entries) {
    if (typeof obj.id === 'string') ids.add(obj.id);
    if (Array.isArray(obj.items))
      for (const it of obj.items) if (it && typeof (it as { id?: unknown }).id === 'string') ids.add((it as { id: string }).id);
  }
  return ids;
}

export function readTonight(workspace: string, queueFile: string): { items: string[]; path: string | null; note?: string } {
  const file = path.isAbsolute(queueFile) ? queueFile : path.join(workspace, queueFile);
  let text: string;
  try {
    const st = fs.lstatSync(file);
    if (st.isSymbolicLink()) return { items: [], path: file, note: `queue file ${queueFile} is a symlink; not read` };
    const bytes = readRegularFile(file, QUEUE_MAX_BYTES); // a FIFO or device is refused, never blocks
    if (!bytes) return { items: [], path: null };
    text = bytes.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], path: null };
    return { items: [], path: file, note: `cannot read queue file ${queueFile}: ${(e as Error).message}` };
  }
  const items = text
    .split(/\r?\n/)
    .map((l) => /^\s{0,3}(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(l)?.[1]?.trim())
    .filter((x): x is string => !!x);
  return { items: items.map((i) => redactSecrets(i).text), path: file };
}

export function ingest(
  workspace: string,
  cache: NoteCache,
  queueFile: string,
  now: Date,
  staleDays = 30,
  /** the corpus already read (corpus/parallelRead.ts); else it is read here */
  snapshot?: Snapshot,
): IngestResult {
  const snap = snapshot ?? loadSnapshot(workspace, cache);
  phase('ingest:read');
  const view = new CorpusView(snap, cache);
  const degraded = [...snap.degraded];
  const counters: Record<string, number> = { files_read: snap.notes.size, bytes_read: snap.bytesRead };

  const refTexts: ReferenceText[] = [];
  const candidates: SessionCandidate[] = [];
  const pendingPromotions: string[] = [];
  const drafts: string[] = [];
  const findings: Finding[] = [];
  const knownHashes = new Set<string>();
  let learnings = 0;
  let sessions = 0;
  const lenient: string[] = [];
  const notUtf8: string[] = [];
  const broken: string[] = [];
  const noFrontmatter: string[] = [];

  for (const [rel, n] of snap.notes) {
    const kind = kindOf(rel);
    if ((kind === 'learning' || kind === 'archive') && str(n.fm.source_hash)) knownHashes.add(str(n.fm.source_hash)!);
    if (kind === 'learning') {
      learnings++;
      if (!n.utf8) notUtf8.push(rel);
      else if (n.lenient) lenient.push(rel);
      else if (n.fmError) broken.push(`${rel} (${n.fmError})`);
      else if (!n.hasFrontmatter) noFrontmatter.push(rel);
    } else if (n.lenient && (kind === 'finding' || kind === 'pending' || kind === 'pattern')) lenient.push(rel);
    refTexts.push(noteReferenceText(n));
  }
  for (const [rel, b] of snap.jsonl) refTexts.push({ rel, owner: b, text: () => b.toString('utf8') });
  // one grouped line per kind of corpus problem (§5.6)
  const group = (list: string[], what: string) => {
    if (!list.length) return;
    const shown = list.slice(0, 3).map((r) => `.agents/${r}`);
    degraded.push(`corpus: ${list.length} ${what}: ${shown.join(', ')}${list.length > 3 ? `, +${list.length - 3} more` : ''}`);
  };
  group(lenient, 'note(s) whose frontmatter YAML rejects (read leniently, left untouched)');
  group(notUtf8, 'learning(s) not valid UTF-8 (left untouched)');
  group(broken, 'learning(s) with unreadable frontmatter (left untouched)');
  group(noFrontmatter, 'learning(s) without frontmatter (read, not edited)');

  // session bullets that may become candidates, checked against the live learnings all at once
  const mined: { rel: string; bullet: string; hash: string; day: Date; antiPattern: boolean }[] = [];
  for (const [rel, n] of snap.notes) {
    const kind = kindOf(rel);
    if (kind === 'session') {
      sessions++;
      if (!n.utf8) {
        degraded.push(`sessions: .agents/${rel} is not valid UTF-8; not mined`);
        continue;
      }
      const status = (str(n.fm.status) ?? '').toLowerCase();
      if (INACTIVE_SESSION.has(status)) {
        counters.sessions_skipped_active = (counters.sessions_skipped_active ?? 0) + 1;
        continue;
      }
      const d = noteDate(n.fm.date) ?? noteDate(path.posix.basename(rel).slice(0, 10)) ?? now;
      if (now.getTime() - d.getTime() > staleDays * 86_400_000) {
        // an old session was harvested by its own producer long ago: leave it alone
        counters.sessions_skipped_stale = (counters.sessions_skipped_stale ?? 0) + 1;
        continue;
      }
      for (const lesson of mineSessionLessons(n)) {
        const bullet = lesson.text;
        if (!isStatement(bullet)) {
          counters.session_lines_not_statements = (counters.session_lines_not_statements ?? 0) + 1;
          continue;
        }
        const hash = sha256(`${rel}\n${bullet.toLowerCase()}`).slice(0, 16);
        if (knownHashes.has(hash)) continue;
        knownHashes.add(hash);
        mined.push({ rel, bullet, hash, day: d, antiPattern: lesson.antiPattern });
      }
    } else if (kind === 'pending') {
      const status = (str(n.fm.status) ?? '').toLowerCase();
      const needsReview = n.fm.needs_review === true || str(n.fm.needs_review) === 'true';
      if (status === 'draft' || needsReview || str(n.fm.ingested_by)) drafts.push(rel);
      else if ((status === 'candidate' || status === 'ready') && n.utf8 && !n.fmError) pendingPromotions.push(rel);
    } else if (kind === 'finding') {
      const f = parseFinding(n);
      if (f) findings.push(f);
    }
  }
  const known = mined.length ? KnownStatements.for(view.notesOf('learning').filter(isVisible)).statesAll(mined.map((m) => m.bullet)) : [];
  mined.forEach((m, i) => {
    if (known[i]) {
      counters.session_candidates_known = (counters.session_candidates_known ?? 0) + 1;
      return;
    }
    const red = redactSecrets(m.bullet);
    candidates.push({
      session: m.rel,
      text: red.text,
      title: titleFrom(red.text),
      hash: m.hash,
      date: isoDay(m.day),
      tags: ['session-mined'],
      redactions: red.redactions,
      antiPattern: m.antiPattern,
    });
  });
  phase('ingest:sessions');

  const ids = nextWorkIds(snap.nextWork, degraded);
  const tonight = readTonight(workspace, queueFile);
  if (tonight.note) degraded.push(tonight.note);
  const citations = new CitationChecker(workspace, (r) => view.hasAgentsPath(r), cache.cited);
  let brokenCites = 0;
  let missingSource = 0;
  for (const n of view.notesOf('learning')) {
    if (!hasSource(n)) missingSource++;
    for (const c of citedPathsOf(n)) if (!citations.exists(c)) brokenCites++;
  }
  Object.assign(counters, {
    learnings,
    sessions,
    session_candidates: candidates.length,
    secrets_redacted: candidates.reduce((a, c) => a + c.redactions, 0),
    pending_candidates: pendingPromotions.length,
    tier1_drafts: drafts.length,
    findings: findings.length,
    findings_unrouted: findings.filter((f) => !f.resolved && !ids.has(f.id)).length,
    broken_citations: brokenCites,
    missing_source: missingSource,
    provenance_audited: brokenCites + missingSource,
    frontmatter_lenient: lenient.length,
    tonight_items: tonight.items.length,
  });
  if (learnings === 0) degraded.push('corpus: empty corpus (no learnings under .agents/learnings/)');
  phase('ingest:citations');
  const references = referenceIndexFor(refTexts);
  phase('ingest:references');
  return {
    view,
    candidates,
    pendingPromotions,
    drafts,
    findings,
    nextWorkIds: ids,
    tonight: tonight.items,
    tonightPath: tonight.path,
    references,
    uses: usageLogFor(snap.jsonl.get('ao/citations.jsonl') ?? null),
    citations,
    degraded,
    counters,
  };
}

let lastUsage: { raw: Buffer | null; log: UsageLog } | null = null;
function usageLogFor(raw: Buffer | null): UsageLog {
  if (lastUsage && lastUsage.raw === raw) return lastUsage.log;
  const log = new UsageLog(raw);
  lastUsage = { raw, log };
  return log;
}
