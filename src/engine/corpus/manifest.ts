// The corpus manifest (`.agents/overnight/manifest.json`): the identity (type, size, mtime, ctime,
// inode) of every file under `.agents/` (Dream's own `overnight/` excepted) as a night that staged
// no change saw it, with what that night concluded. A later night whose inputs are identical —
// same files with the same identities, same cited paths present or absent, same queue file, same
// day, same stage settings, same Dream version — has nothing to do, and replays the conclusion
// without reading a note (a fresh process pays a walk and a stat per file, not a parse of the corpus).
//
// Safety (why a replay is never wrong):
//  - every file is compared by size, mtime, ctime and inode (ctime cannot be set back by a user);
//  - "racy" entries, whose mtime or ctime fall within RACY_MS of the moment the night began reading
//    (an edit in the same timestamp granule would not show in the stat, as in git's racy-clean
//    rule), carry the SHA-256 of the bytes the night read and are re-hashed before a replay;
//  - a file the night did not read through its own caches and that changed recently prevents the
//    manifest from being written at all;
//  - an unreadable, corrupt, foreign or older-version manifest is ignored and rebuilt.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { version as DREAM_VERSION } from '../../../package.json';
import { proposalSchema } from '../core/schemas';
import { readRegularFile } from '../core/fsutil';

export const MANIFEST_REL = 'overnight/manifest.json';
export const MANIFEST_KIND = 'dream.corpus-manifest';
/** bump when the shape or the meaning of an entry changes */
export const MANIFEST_VERSION = 1;
/** timestamps within this of the night's first read are not trusted alone (coarse file systems: 2 s) */
export const RACY_MS = 2000;

/** the identity of one file: `f|l:size:mtimeMs:ctimeMs:ino` */
export function identityOf(st: fs.Stats): string {
  return `${st.isSymbolicLink() ? 'l' : 'f'}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** identityOf for a regular file known by its stat's fields (a file a reader thread read) */
export function fileIdentity(st: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): string {
  return `f:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** every file and symlink under .agents/ except overnight/, by relative path, with its identity (identityOf) */
export function walkTree(agentsDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dirAbs: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dirAbs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!rel && e.name === 'overnight') continue;
      // relative paths are built with '/' on every platform
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const p = dirAbs + path.sep + e.name;
      if (e.isDirectory()) walk(p, childRel);
      else {
        const st = fs.lstatSync(p, { throwIfNoEntry: false });
        if (st) out.set(childRel, identityOf(st)); // vanished while walking: it is simply not in the tree
      }
    }
  };
  walk(path.resolve(agentsDir), '');
  return out;
}

const counters = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));
const conclusionSchema = z.object({
  ingest: counters,
  reduce: counters,
  measure: counters,
  fitness: z.record(z.string(), z.number().nullable()),
  /** live (visible) learnings */
  live: z.number(),
  /** §5.5 proposals REDUCE made (for review) */
  proposals: z.array(proposalSchema),
  degraded: z.object({ ingest: z.array(z.string()), reduce: z.array(z.string()), measure: z.array(z.string()) }),
});
export type NightConclusion = z.infer<typeof conclusionSchema>;

const manifestSchema = z
  .object({
    kind: z.literal(MANIFEST_KIND),
    version: z.literal(MANIFEST_VERSION),
    dream_version: z.string(),
    written_at: z.string(),
    day: z.string(),
    settings: z.string(),
    /** parallel columns: relative path, identity, SHA-256 of a racy entry (else "") */
    paths: z.array(z.string()),
    ids: z.array(z.string()),
    racy: z.array(z.string()),
    /** the queue file when it lives outside .agents/ (identity or "missing") */
    queue: z.object({ path: z.string(), id: z.string() }).nullable(),
    /** cited paths outside .agents/ the night checked, and whether each existed */
    cited: z.array(z.tuple([z.string(), z.boolean()])),
    conclusion: conclusionSchema,
  })
  .strict()
  .refine((m) => m.paths.length === m.ids.length && m.ids.length === m.racy.length, 'columns of different lengths');
export type Manifest = z.infer<typeof manifestSchema>;

export type ManifestRead = { manifest: Manifest; note: null } | { manifest: null; note: string | null };

/** reads and validates the manifest; anything unusable is a reason (to log), never an error */
export function readManifest(agentsDir: string): ManifestRead {
  let raw: string;
  try {
    const file = path.join(agentsDir, ...MANIFEST_REL.split('/'));
    if (fs.lstatSync(file).isSymbolicLink()) return { manifest: null, note: 'manifest is a symlink; ignored' };
    raw = (readRegularFile(file) ?? Buffer.alloc(0)).toString('utf8');
  } catch (e) {
    return { manifest: null, note: (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : `manifest unreadable: ${(e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { manifest: null, note: 'manifest is not valid JSON; rebuilt' };
  }
  const head = json as { kind?: unknown; version?: unknown; dream_version?: unknown } | null;
  if (!head || head.kind !== MANIFEST_KIND) return { manifest: null, note: 'manifest is not a Dream corpus manifest; rebuilt' };
  if (head.version !== MANIFEST_VERSION || head.dream_version !== DREAM_VERSION)
    return {
      manifest: null,
      note: `manifest from another Dream version (${String(head.dream_version)}, format ${String(head.version)}); rebuilt`,
    };
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) return { manifest: null, note: 'manifest does not match its schema; rebuilt' };
  return { manifest: parsed.data, note: null };
}

export interface NightKey {
  /** UTC day of the night (YYYY-MM-DD) */
  day: string;
  /** the settings that change what the stages conclude (see stageSettingsKey) */
  settings: string;
  /** the queue file, absolute */
  queueFile: string;
}

/** identity of the queue file when it is outside .agents/ (inside, the tree covers it) */
function queueIdentity(agentsDir: string, queueFile: string): { path: string; id: string } | null {
  const relToAgents = path.relative(agentsDir, queueFile);
  if (!relToAgents.startsWith('..') && !path.isAbsolute(relToAgents)) return null;
  try {
    return { path: queueFile, id: identityOf(fs.lstatSync(queueFile)) };
  } catch {
    return { path: queueFile, id: 'missing' };
  }
}

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * The recorded conclusion when every input is as the manifest saw it, else null with the reason.
 * `citedExists` re-checks one cited path the way the night did.
 */
export function replayable(
  agentsDir: string,
  key: NightKey,
  citedExists: (p: string) => boolean,
): { conclusion: NightConclusion; manifest: Manifest; checked: number; rehashed: number } | { conclusion: null; reason: string } {
  const read = readManifest(agentsDir);
  if (!read.manifest) return { conclusion: null, reason: read.note ?? 'no manifest yet' };
  const m = read.manifest;
  if (m.day !== key.day) return { conclusion: null, reason: `manifest is from ${m.day}` };
  if (m.settings !== key.settings) return { conclusion: null, reason: 'settings changed' };
  const q = queueIdentity(agentsDir, key.queueFile);
  if (JSON.stringify(q) !== JSON.stringify(m.queue)) return { conclusion: null, reason: 'queue file changed' };
  const tree = treeUnchanged(agentsDir, m);
  if ('reason' in tree) return { conclusion: null, reason: tree.reason };
  for (const [p, existed] of m.cited) if (citedExists(p) !== existed) return { conclusion: null, reason: `cited path ${p} changed` };
  return { conclusion: m.conclusion, manifest: m, ...tree };
}

/**
 * Is every file under .agents/ (overnight/ aside) as the manifest recorded it? Identities first
 * (a stat each), then the racy entries re-hashed. Used by the replay and by the cheap gate of a
 * scheduled start (run/gate.ts).
 */
export function treeUnchanged(agentsDir: string, m: Manifest): { checked: number; rehashed: number } | { reason: string } {
  const tree = walkTree(agentsDir);
  if (tree.size !== m.paths.length) {
    const known = new Set(m.paths);
    const added = [...tree.keys()].find((p) => !known.has(p));
    if (added) return { reason: `.agents/${added} added` };
    const removed = m.paths.find((p) => !tree.has(p));
    return { reason: `.agents/${removed} removed` };
  }
  let rehashed = 0;
  for (let i = 0; i < m.paths.length; i++) {
    const id = tree.get(m.paths[i]!);
    if (id === undefined) return { reason: `.agents/${m.paths[i]} removed` };
    if (id !== m.ids[i]) return { reason: `.agents/${m.paths[i]} changed` };
  }
  for (let i = 0; i < m.paths.length; i++) {
    if (!m.racy[i]) continue;
    let bytes: Buffer;
    try {
      const read = readRegularFile(path.join(agentsDir, m.paths[i]!));
      if (!read) throw new Error('missing');
      bytes = read;
    } catch {
      return { reason: `.agents/${m.paths[i]} unreadable` };
    }
    rehashed++;
    if (sha(bytes) !== m.racy[i]) return { reason: `.agents/${m.paths[i]} changed (same size and time)` };
  }
  return { checked: m.paths.length, rehashed };
}

/** a file as the night read it: its identity (identityOf) and the SHA-256 of the bytes read (asked only of racy entries) */
export interface ReadIdentity {
  id: string;
  sha256: () => string;
}

/** what a night that staged nothing read, in the identities its own caches recorded */
export interface NightInputs {
  /** Date.now() when the night began reading the corpus */
  readStartedMs: number;
  /**
   * every file under .agents/ (overnight/ aside) as the night listed it when it began reading. A
   * file added after the listing is not in the manifest (and so shows as added to the next night),
   * a file removed after it shows as removed.
   */
  listed: Iterable<string>;
  /** the file at `rel` as the night read it (undefined: not read, it is stat'ed now) */
  read: (rel: string) => ReadIdentity | undefined;
  /** cited paths checked, and whether each existed (paths inside .agents/ are ignored: the tree covers them) */
  cited: Iterable<[string, boolean]>;
}

/** the identity now of a file the night did not read (null: it vanished) */
function statNow(agentsDir: string, rel: string): string | null {
  const st = fs.lstatSync(path.join(agentsDir, ...rel.split('/')), { throwIfNoEntry: false });
  return st ? identityOf(st) : null;
}

/**
 * Builds the manifest for a night that staged nothing: each listed file with the identity the
 * night read it under (a file it did not read is stat'ed now), or null (with the reason) when a
 * file it did not read changed within the racy window, in which case no manifest is better than a
 * wrong one.
 */
export function buildManifest(
  agentsDir: string,
  key: NightKey,
  inputs: NightInputs,
  conclusion: NightConclusion,
  now = new Date(),
): { manifest: Manifest; reason: null } | { manifest: null; reason: string } {
  const paths: string[] = [];
  const ids: string[] = [];
  const racy: string[] = [];
  const racySince = inputs.readStartedMs - RACY_MS;
  for (const rel of inputs.listed) {
    const seen = inputs.read(rel);
    const id = seen?.id ?? statNow(agentsDir, rel);
    if (id === null) continue; // removed since the listing: the next night sees it gone
    // f|l : size : mtimeMs : ctimeMs : ino
    const a = id.indexOf(':', 2);
    const b = id.indexOf(':', a + 1);
    const c = id.indexOf(':', b + 1);
    const recent = Math.max(Number(id.slice(a + 1, b)), Number(id.slice(b + 1, c))) >= racySince;
    if (recent && !seen) return { manifest: null, reason: `.agents/${rel} changed during the night` };
    paths.push(rel);
    ids.push(id);
    racy.push(recent ? seen!.sha256() : '');
  }
  const cited = [...inputs.cited].filter(([p]) => !p.replace(/^\.\//, '').startsWith('.agents/')).sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    manifest: {
      kind: MANIFEST_KIND,
      version: MANIFEST_VERSION,
      dream_version: DREAM_VERSION,
      written_at: now.toISOString(),
      day: key.day,
      settings: key.settings,
      paths,
      ids,
      racy,
      queue: queueIdentity(agentsDir, key.queueFile),
      cited,
      conclusion,
    },
    reason: null,
  };
}

/** the settings that change what INGEST, REDUCE and MEASURE conclude (run control is left out) */
export function stageSettingsKey(settings: object): string {
  const RUN_CONTROL = new Set([
    'reportRetention',
    'runTimeout',
    'maxIterations',
    'plateauEpsilon',
    'plateauWindow',
    'regressionFloor',
    'regressionFloors',
    'warnOnly',
    'warnOnlyBudget',
    'keepAwake',
    'runners',
    'creativeLane',
    'councilRunnerTimeout',
    'consensusPolicy',
    'scheduler',
    'scheduleAt',
    'localCurator',
  ]);
  const kept = Object.entries(settings)
    .filter(([k]) => !RUN_CONTROL.has(k))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(kept);
}

/**
 * After a replay re-hashed the racy entries, those whose timestamps are now older than the racy
 * window are plain entries: a later edit would show in the stat. Writes the manifest back if so.
 */
export function refreshManifest(write: (rel: string, data: string) => void, m: Manifest, readStartedMs: number): void {
  let cleared = 0;
  for (let i = 0; i < m.racy.length; i++) {
    if (!m.racy[i]) continue;
    const [, , mtime, ctime] = m.ids[i]!.split(':');
    if (Math.max(Number(mtime), Number(ctime)) < readStartedMs - RACY_MS) {
      m.racy[i] = '';
      cleared++;
    }
  }
  if (cleared) write(MANIFEST_REL, JSON.stringify(m));
}
