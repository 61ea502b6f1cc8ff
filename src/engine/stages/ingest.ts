// INGEST (read-only): scan the corpus, parse frontmatter, mine sessions for learnings, audit
// provenance and citations, read tonight's queue, route findings. Nothing is written.
import fs from 'node:fs';
import path from 'node:path';
import { CorpusView, loadSnapshot, kindOf, type NoteCache } from '../corpus/corpus';
import { sha256 } from '../core/fsutil';
import { CitationChecker, ReferenceIndex, citationsOf, isoDay, referenceIndexFor } from '../corpus/knowledge';
import { noteDate, str, type Note } from '../corpus/note';
import { redactSecrets } from '../core/secrets';
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
  citations: CitationChecker;
  degraded: string[];
  counters: Record<string, number>;
}

const INACTIVE_SESSION = new Set(['active', 'in-progress', 'in_progress', 'open', 'running']);

export function mineSessionLearnings(n: Note): string[] {
  const lines = n.body.split(/\r?\n/);
  const out: string[] = [];
  let inSection = false;
  let level = 0;
  let current: string | null = null;
  const flush = () => {
    if (current && current.trim()) out.push(current.trim().replace(/\s+/g, ' '));
    current = null;
  };
  for (const line of lines) {
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      if (inSection && h[1]!.length <= level) {
        flush();
        inSection = false;
      }
      if (/^learnings?\b/i.test(h[2]!.trim())) {
        flush();
        inSection = true;
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
  if (!raw) return ids;
  const lines = raw.toString('utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      if (typeof obj.id === 'string') ids.add(obj.id);
      if (Array.isArray(obj.items))
        for (const it of obj.items) if (it && typeof (it as { id?: unknown }).id === 'string') ids.add((it as { id: string }).id);
    } catch {
      degraded.push(`rpi/next-work.jsonl line ${i + 1} is not valid JSON; left as it is`);
    }
  });
  return ids;
}

export function readTonight(workspace: string, queueFile: string): { items: string[]; path: string | null; note?: string } {
  const file = path.isAbsolute(queueFile) ? queueFile : path.join(workspace, queueFile);
  let text: string;
  try {
    const st = fs.lstatSync(file);
    if (st.isSymbolicLink()) return { items: [], path: file, note: `queue file ${queueFile} is a symlink; not read` };
    text = fs.readFileSync(file, 'utf8');
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

export function ingest(workspace: string, cache: NoteCache, queueFile: string, now: Date, staleDays = 30): IngestResult {
  const snap = loadSnapshot(workspace, cache);
  const view = new CorpusView(snap, cache);
  const degraded = [...snap.degraded];
  const counters: Record<string, number> = { files_read: snap.notes.size, bytes_read: snap.bytesRead };

  const refTexts: string[] = [];
  const candidates: SessionCandidate[] = [];
  const pendingPromotions: string[] = [];
  const drafts: string[] = [];
  const findings: Finding[] = [];
  const knownHashes = new Set<string>();
  let learnings = 0;
  let sessions = 0;

  for (const [rel, n] of snap.notes) {
    const kind = kindOf(rel);
    if ((kind === 'learning' || kind === 'archive') && str(n.fm.source_hash)) knownHashes.add(str(n.fm.source_hash)!);
    if (kind === 'learning') {
      learnings++;
      if (!n.utf8) degraded.push(`learnings: .agents/${rel} is not valid UTF-8; left untouched`);
      else if (n.fmError) degraded.push(`learnings: .agents/${rel}: ${n.fmError}; left untouched`);
      else if (!n.hasFrontmatter) degraded.push(`learnings: .agents/${rel} has no frontmatter; left untouched`);
    }
    if (kind === 'pattern' || kind === 'research') refTexts.push(n.utf8 ? n.body + '\n' + n.fmText : '');
  }

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
        // its learnings would be stale on arrival: leave old sessions alone
        counters.sessions_skipped_stale = (counters.sessions_skipped_stale ?? 0) + 1;
        continue;
      }
      for (const bullet of mineSessionLearnings(n)) {
        const red = redactSecrets(bullet);
        const hash = sha256(`${rel}\n${bullet.toLowerCase()}`).slice(0, 16);
        if (knownHashes.has(hash)) continue;
        knownHashes.add(hash);
        candidates.push({
          session: rel,
          text: red.text,
          title: titleFrom(red.text),
          hash,
          date: isoDay(d),
          tags: ['session-mined'],
          redactions: red.redactions,
        });
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

  const ids = nextWorkIds(snap.nextWork, degraded);
  const tonight = readTonight(workspace, queueFile);
  if (tonight.note) degraded.push(tonight.note);
  const citations = new CitationChecker(workspace, (r) => view.hasAgentsPath(r));
  let broken = 0;
  let missingSource = 0;
  for (const n of view.notesOf('learning')) {
    const cs = citationsOf(n);
    if (!cs.length && !n.fm.source && !n.fm.source_session && !n.fm.source_bead) missingSource++;
    for (const c of cs) if (!citations.exists(c)) broken++;
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
    broken_citations: broken,
    missing_source: missingSource,
    provenance_audited: broken + missingSource,
    tonight_items: tonight.items.length,
  });
  if (learnings === 0) degraded.push('corpus: empty corpus (no learnings under .agents/learnings/)');
  return {
    view,
    candidates,
    pendingPromotions,
    drafts,
    findings,
    nextWorkIds: ids,
    tonight: tonight.items,
    tonightPath: tonight.path,
    references: referenceIndexFor(refTexts),
    citations,
    degraded,
    counters,
  };
}
