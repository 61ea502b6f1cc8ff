// Scanning and reading the corpus. The walk never follows a symlink: a symlinked note or folder is
// reported and left alone. Parsed notes are cached by content hash, so an iteration that changes
// nothing costs one read of each file.
import fs from 'node:fs';
import path from 'node:path';
import { ownBytes, readRegularOrReport, sha256, toPosix } from '../core/fsutil';
import { own } from './text';
import { readNoteFile, type FileIdentity } from './readNote';
export { readNoteFile, type FileIdentity, type NoteRead } from './readNote';
import { fileIdentity, type ReadIdentity } from './manifest';
import { Note, parseEdited, parseNoteText } from './note';
import { inheritBodyFacts, primeBodyFacts } from './knowledge';

export type FileKind = 'learning' | 'archive' | 'pattern' | 'research' | 'finding' | 'pending' | 'session' | 'other';

/** §2.1: files inside learnings/ that are not learnings */
export const NOT_LEARNINGS = new Set(['readme.md', 'schema.md', 'agents.md', 'index.md', 'claude.md']);

export function kindOf(rel: string): FileKind {
  if (rel.startsWith('learnings/.archive/') || rel.startsWith('learnings/archive/')) return 'archive';
  if (rel.startsWith('learnings/')) return NOT_LEARNINGS.has(rel.slice(rel.lastIndexOf('/') + 1).toLowerCase()) ? 'other' : 'learning';
  if (rel.startsWith('patterns/')) return 'pattern';
  if (rel.startsWith('research/')) return 'research';
  if (rel.startsWith('findings/')) return 'finding';
  if (rel.startsWith('knowledge/pending/')) return 'pending';
  if (rel.startsWith('sessions/') || rel.startsWith('ao/sessions/')) return 'session';
  return 'other';
}

export interface ScanResult {
  /** markdown notes, relative to .agents/, sorted */
  notes: string[];
  /** JSONL files (read for references and usage; not Dream's own index.jsonl), sorted */
  jsonl: string[];
  /**
   * every other file, symlink or special file under .agents/ (overnight/ aside, dream/ included):
   * with notes and jsonl, the tree as the scan listed it (the corpus manifest records it)
   */
  others: string[];
  /** symlinks and unreadable entries, reported as degraded */
  degraded: string[];
}

export function scanCorpus(agentsDir: string): ScanResult {
  const notes: string[] = [];
  const jsonl: string[] = [];
  const others: string[] = [];
  const degraded: string[] = [];
  // `corpus` false: a folder Dream does not read (dream/), listed only
  const walk = (dirAbs: string, rel: string, corpus: boolean) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dirAbs, { withFileTypes: true });
    } catch (e) {
      if (corpus) degraded.push(`corpus: cannot read folder .agents/${rel}: ${(e as Error).message}`);
      return;
    }
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && e.name === 'overnight') continue;
      const inCorpus = corpus && !(!rel && e.name === 'dream');
      if (e.isDirectory()) {
        walk(path.join(dirAbs, e.name), childRel, inCorpus);
        continue;
      }
      if (inCorpus && e.isSymbolicLink())
        degraded.push(`corpus: .agents/${childRel} is a symlink; Dream does not follow or edit symlinks and left it alone`);
      else if (inCorpus && e.isFile() && e.name.toLowerCase().endsWith('.md')) {
        notes.push(toPosix(childRel));
        continue;
      } else if (inCorpus && e.isFile() && e.name.toLowerCase().endsWith('.jsonl') && childRel !== 'index.jsonl') {
        jsonl.push(toPosix(childRel));
        continue;
      }
      others.push(toPosix(childRel));
    }
  };
  walk(agentsDir, '', true);
  notes.sort();
  jsonl.sort();
  others.sort();
  return { notes, jsonl, others, degraded };
}

/** every file a scan listed: notes, JSONL files and the rest */
export function* listedFiles(scan: ScanResult): Iterable<string> {
  yield* scan.notes;
  yield* scan.jsonl;
  yield* scan.others;
}

/** Parsed-note cache shared by the iterations of one run (keyed by content hash, and by file identity). */
export class NoteCache {
  /** cited paths outside .agents/ the run has looked at, and whether each existed (CitationChecker) */
  readonly cited = new Map<string, boolean>();
  private byHash = new Map<string, Note>();
  /** a note was added or remembered since the last prune */
  private changed = false;
  /** rel -> the identity (fileIdentity: size, mtime, ctime, inode) of the file the note was read from */
  private byStat = new Map<string, { note: Note; id: string }>();
  /** a note was read from `rel` before (its identity can be checked) */
  knows(rel: string): boolean {
    return this.byStat.has(rel);
  }
  /**
   * The note for a file whose size, mtime and inode are unchanged since it was last read: like
   * git's index, an unchanged stat means unchanged bytes, so the file is not read again.
   */
  byIdentity(rel: string, st: fs.Stats): Note | undefined {
    const hit = this.byStat.get(rel);
    return hit && hit.id === fileIdentity(st) ? hit.note : undefined;
  }
  remember(rel: string, st: FileIdentity, note: Note): void {
    // kept for the night: flat, not a tree of pieces (corpus/text.ts own)
    this.byStat.set(rel, { note, id: own(fileIdentity(st)) });
    this.changed = true;
  }
  /** a note parsed elsewhere (a reader thread), keyed by its content hash as get() would */
  put(n: Note): Note {
    const hit = this.byHash.get(n.hash);
    if (hit && hit.rel === n.rel) return hit;
    this.byHash.set(n.hash, n);
    this.changed = true;
    return n;
  }
  private rawByStat = new Map<string, { bytes: Buffer; id: string }>();
  rememberRaw(rel: string, st: fs.Stats, bytes: Buffer): void {
    if (bytes.length === st.size) this.rawByStat.set(rel, { bytes, id: own(fileIdentity(st)) });
  }
  /** the identity of the file this cache last read at `rel`, and the SHA-256 of its bytes (for the corpus manifest) */
  readIdentity(rel: string): ReadIdentity | undefined {
    const n = this.byStat.get(rel);
    if (n) return { id: n.id, sha256: () => n.note.hash };
    const r = this.rawByStat.get(rel);
    return r && { id: r.id, sha256: () => sha256(r.bytes) };
  }
  /** a raw file (queue, index) read once per identity */
  readRaw(abs: string, rel: string, degraded: string[]): Buffer | null {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') degraded.push(`corpus: cannot read .agents/${rel}: ${(e as Error).message}`);
      return null;
    }
    if (st.isSymbolicLink()) {
      degraded.push(`corpus: .agents/${rel} is a symlink; left alone`);
      return null;
    }
    const hit = this.rawByStat.get(rel);
    if (hit && hit.id === fileIdentity(st)) return hit.bytes;
    // a regular file only (a FIFO never blocks the run, a device is never read), bounded in size
    const bytes = readRegularOrReport(abs, `corpus: .agents/${rel}`, degraded);
    if (!bytes) return null;
    this.rememberRaw(rel, st, bytes);
    return bytes;
  }
  /**
   * The note of these bytes at `rel`. `prior`: the note these bytes were edited from (a
   * frontmatter edit): its body and what was read out of it are carried over, not recomputed.
   */
  get(rel: string, bytes: Buffer, prior?: Note): Note {
    const hash = sha256(bytes);
    const hit = this.byHash.get(hash);
    if (hit && hit.rel === rel) return hit;
    bytes = ownBytes(bytes);
    const edited = prior ? parseEdited(rel, bytes, prior, hash) : null;
    let n: Note;
    if (edited) {
      n = edited;
      inheritBodyFacts(n, prior!);
    } else {
      const parsed = parseNoteText(rel, bytes, hash);
      n = parsed.note;
      primeBodyFacts(n, parsed.body);
    }
    this.byHash.set(hash, n);
    this.changed = true;
    return n;
  }
  get size(): number {
    return this.byHash.size;
  }
  /** keeps only the notes the cache knows by identity (the corpus as it is): earlier versions go */
  prune(): void {
    if (!this.changed) return; // no note came or went since the last prune: nothing to drop
    const keep = new Map<string, Note>();
    for (const e of this.byStat.values()) keep.set(e.note.hash, e.note);
    this.byHash = keep;
    this.changed = false;
  }
}

export interface Snapshot {
  workspace: string;
  agentsDir: string;
  notes: Map<string, Note>;
  /** raw bytes of rpi/next-work.jsonl and index.jsonl (null when missing) */
  nextWork: Buffer | null;
  index: Buffer | null;
  /** every other JSONL file of the corpus (rel -> bytes), for references and usage (§2.1) */
  jsonl: Map<string, Buffer>;
  degraded: string[];
  bytesRead: number;
  /** the files under .agents/ as this snapshot listed them (the corpus manifest records them) */
  scan: ScanResult;
}

/** the notes a snapshot needs: those unchanged since this cache read them, and the paths to read */
export function planRead(
  agentsDir: string,
  cache: NoteCache,
  scan: ScanResult,
  degraded: string[],
): { known: Map<string, Note>; toRead: string[] } {
  const known = new Map<string, Note>();
  const toRead: string[] = [];
  for (const rel of scan.notes) {
    if (cache.knows(rel)) {
      // a file read before: unchanged identity, unchanged bytes (one lstat, no read)
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(path.join(agentsDir, rel), { throwIfNoEntry: false });
      } catch (e) {
        degraded.push(`corpus: cannot read .agents/${rel}: ${(e as Error).message}`);
        continue;
      }
      if (!st) continue;
      const note = cache.byIdentity(rel, st);
      if (note) {
        known.set(rel, note);
        continue;
      }
    }
    toRead.push(rel);
  }
  return { known, toRead };
}

/** takes a read note into the cache (its identity remembered only if it did not change while read) */
export function adoptRead(cache: NoteCache, rel: string, read: { bytes: Buffer; id: FileIdentity }, parsed?: Note): Note {
  const note = parsed ? cache.put(parsed) : cache.get(rel, read.bytes);
  if (read.bytes.length === read.id.size) cache.remember(rel, read.id, note);
  return note;
}

/** reads and adopts one listed note in this thread: the note and its size, or null (gone, or unreadable: said in `degraded`) */
export function readHere(agentsDir: string, cache: NoteCache, rel: string, degraded: string[]): { note: Note; size: number } | null {
  const r = readNoteFile(path.join(agentsDir, rel));
  if (!r) return null;
  if ('error' in r) {
    degraded.push(`corpus: cannot read .agents/${rel}: ${r.error}`);
    return null;
  }
  return { note: adoptRead(cache, rel, r), size: r.bytes.length };
}

export function loadSnapshot(workspace: string, cache: NoteCache): Snapshot {
  const agentsDir = path.join(workspace, '.agents');
  const scan = scanCorpus(agentsDir);
  const degraded = [...scan.degraded];
  return readSnapshot(workspace, cache, scan, planRead(agentsDir, cache, scan, degraded), degraded);
}

/** reads what the plan says is to read, in this thread */
export function readSnapshot(
  workspace: string,
  cache: NoteCache,
  scan: ScanResult,
  plan: { known: Map<string, Note>; toRead: string[] },
  degraded: string[],
): Snapshot {
  const agentsDir = path.join(workspace, '.agents');
  const read = new Map<string, Note>();
  let bytesRead = 0;
  for (const rel of plan.toRead) {
    const r = readHere(agentsDir, cache, rel, degraded);
    if (!r) continue;
    bytesRead += r.size;
    read.set(rel, r.note);
  }
  return finishSnapshot(workspace, cache, scan, plan.known, read, degraded, bytesRead);
}

/** the snapshot of the scanned notes (in scan order), with the queue, the index and the JSONL files */
export function finishSnapshot(
  workspace: string,
  cache: NoteCache,
  scan: ScanResult,
  known: Map<string, Note>,
  read: Map<string, Note>,
  degraded: string[],
  bytesRead: number,
): Snapshot {
  const agentsDir = path.join(workspace, '.agents');
  const notes = new Map<string, Note>();
  for (const rel of scan.notes) {
    const n = known.get(rel) ?? read.get(rel);
    if (n) notes.set(rel, n);
  }
  const nextWork = cache.readRaw(path.join(agentsDir, 'rpi', 'next-work.jsonl'), 'rpi/next-work.jsonl', degraded);
  const index = cache.readRaw(path.join(agentsDir, 'index.jsonl'), 'index.jsonl', degraded);
  bytesRead += (nextWork?.length ?? 0) + (index?.length ?? 0);
  const jsonl = new Map<string, Buffer>();
  for (const rel of scan.jsonl) {
    if (rel === 'rpi/next-work.jsonl' && nextWork) {
      jsonl.set(rel, nextWork);
      continue;
    }
    const b = cache.readRaw(path.join(agentsDir, rel), rel, degraded);
    if (b) jsonl.set(rel, b);
  }
  return { workspace, agentsDir, notes, nextWork, index, jsonl, degraded, bytesRead, scan };
}

const NO_NOTES = Object.freeze([]) as unknown as Note[];

/**
 * The corpus as it would be after the staged changes: the live snapshot plus an overlay of
 * changed files (`null` = removed). MEASURE and the integrity check read through it.
 */
export class CorpusView {
  private overlayNotes = new Map<string, Note | null>();
  private overlayRaw = new Map<string, Buffer | null>();
  constructor(
    readonly base: Snapshot,
    private cache: NoteCache,
  ) {}

  private pathsCache: string[] | null = null;
  private kindCache = new Map<FileKind, Note[]>();

  /** stages new bytes at `rel` (null: removed); `prior`: the note they were edited from */
  stage(rel: string, bytes: Buffer | null, prior?: Note): void {
    this.pathsCache = null;
    this.kindCache.clear();
    if (rel === 'rpi/next-work.jsonl' || rel === 'index.jsonl') this.overlayRaw.set(rel, bytes);
    else this.overlayNotes.set(rel, bytes ? this.cache.get(rel, bytes, prior) : null);
  }

  note(rel: string): Note | undefined {
    if (this.overlayNotes.has(rel)) return this.overlayNotes.get(rel) ?? undefined;
    return this.base.notes.get(rel);
  }

  raw(rel: 'rpi/next-work.jsonl' | 'index.jsonl'): Buffer | null {
    if (this.overlayRaw.has(rel)) return this.overlayRaw.get(rel) ?? null;
    return rel === 'index.jsonl' ? this.base.index : this.base.nextWork;
  }

  /** the note paths staged in this view (changed, added or removed): the only ones that differ from the base */
  stagedPaths(): IterableIterator<string> {
    return this.overlayNotes.keys();
  }

  /** every note path in the view, sorted */
  paths(): string[] {
    if (this.pathsCache) return this.pathsCache;
    if (!this.overlayNotes.size) {
      // nothing staged: the snapshot's paths, in the scan's (sorted) order
      const keys = [...this.base.notes.keys()];
      let sorted = true;
      for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
      return (this.pathsCache = sorted ? keys : keys.sort());
    }
    const all = new Set(this.base.notes.keys());
    for (const [rel, n] of this.overlayNotes) {
      if (n) all.add(rel);
      else all.delete(rel);
    }
    return (this.pathsCache = [...all].sort());
  }

  /** the notes of one kind, sorted by path (do not mutate the array) */
  notesOf(kind: FileKind): Note[] {
    if (!this.kindCache.size) {
      // one pass sorts every note into its kind (the stages ask for several)
      for (const rel of this.paths()) {
        const k = kindOf(rel);
        let list = this.kindCache.get(k);
        if (!list) this.kindCache.set(k, (list = []));
        list.push(this.note(rel)!);
      }
    }
    return this.kindCache.get(kind) ?? NO_NOTES;
  }

  /** does `.agents/<rel>` exist in this view (for files Dream knows) */
  hasAgentsPath(rel: string): boolean {
    if (this.overlayNotes.has(rel)) return this.overlayNotes.get(rel) != null;
    if (this.base.notes.has(rel)) return true;
    return false;
  }
}
