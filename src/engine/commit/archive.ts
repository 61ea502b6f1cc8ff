// `dream archive PATH...`: the command a morning proposal names (§4.2, §5.5). A person archives a
// learning after a look: it moves to learnings/.archive/ with archived_reason, archived_at and
// archived_from_maturity (never deleted), in one atomic commit-marker operation under the run lock,
// its before-image kept under overnight/archives/<stamp>/. The archive is recorded like a run of one
// iteration (iterations/iter-1.json with its changes), so `dream restore archive-<stamp>` undoes it
// (§5.7). When the newest night proposed the note as a copy of another, the archive records
// superseded_by (§1 rule 6).
import fs from 'node:fs';
import path from 'node:path';
import { DreamError } from '../core/api';
import { z } from 'zod';
import { abs, agentsDir, rel } from '../core/paths';
import { rfc3339, sha256 } from '../core/fsutil';
import { isRunId } from '../core/runId';
import { iterationSchema, proposalSchema, type Change, type IterationRecord, type Proposal } from '../core/schemas';
import { iterationId } from './iterationStore';
import { kindOf } from '../corpus/corpus';
import { maturityOf } from '../corpus/knowledge';
import { isEditable, parseNote, patchFrontmatter } from '../corpus/note';
import { Staging, recoverFromCrash, recoveryNotes } from './checkpoint';
import { acquireRunLock } from './lock';
import { readRegularFile } from '../core/fsutil';

export interface ArchiveResult {
  /** the id `dream restore` takes to undo this archive */
  id: string;
  moved: { from: string; to: string }[];
  notes: string[];
}

/** what the newest run that proposed `rel` (relative to .agents/) said about it, or null */
function proposalFor(workspace: string, relPath: string): Proposal | null {
  let ids: string[];
  try {
    ids = fs.readdirSync(abs(workspace, rel.runs)).filter(isRunId).sort().reverse().slice(0, 5);
  } catch {
    return null;
  }
  for (const id of ids) {
    try {
      const raw = JSON.parse((readRegularFile(abs(workspace, rel.summaryJson(id))) ?? '').toString()) as { proposals?: unknown };
      const r = z.array(proposalSchema).safeParse(raw.proposals ?? []);
      const hit = r.success ? r.data.find((p) => p.path === `.agents/${relPath}`) : undefined;
      if (hit) return hit;
    } catch {
      // an unreadable summary says nothing about the note
    }
  }
  return null;
}

/** `.agents/learnings/x.md`, `learnings/x.md` or an absolute path -> `learnings/x.md` (relative to .agents/) */
function learningRel(workspace: string, p: string): string {
  const root = agentsDir(workspace);
  const resolved = path.isAbsolute(p) ? p : p.startsWith('.agents/') ? path.join(path.resolve(workspace), p) : path.join(root, p);
  const r = path.relative(root, resolved).split(path.sep).join('/');
  if (r.startsWith('..') || path.isAbsolute(r) || kindOf(r) !== 'learning')
    throw new DreamError(`cannot archive "${p}": not a live learning under .agents/learnings/`);
  return r;
}

const HAND = 'archived by hand after review';

export function archiveLearnings(o: {
  workspace: string;
  paths: string[];
  reason?: string;
  /** the id of the note that replaces these (default: what the newest proposal for the note named) */
  supersededBy?: string;
  now?: () => Date;
}): ArchiveResult {
  const workspace = path.resolve(o.workspace);
  const now = o.now ?? (() => new Date());
  if (!o.paths.length) throw new DreamError('nothing to archive: name at least one learning');
  const rels = [...new Set(o.paths.map((p) => learningRel(workspace, p)))];
  const notes: string[] = [];
  const stamp = now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const id = `archive-${stamp}`;
  const lock = acquireRunLock(workspace, id, notes, now());
  try {
    notes.push(...recoveryNotes(recoverFromCrash(workspace)));
    const started = now();
    const staging = new Staging(workspace, id, 1, iterationId(id, 1), `${rel.run(id)}/before`);
    const changes: Change[] = [];
    const moved: ArchiveResult['moved'] = [];
    const day = now().toISOString().slice(0, 10);
    for (const r of rels) {
      let bytes: Buffer;
      try {
        const read = readRegularFile(abs(workspace, r));
        if (!read) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        bytes = read;
      } catch (e) {
        throw new DreamError(
          `cannot archive ".agents/${r}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        );
      }
      const n = parseNote(r, bytes);
      if (!isEditable(n))
        throw new DreamError(
          `cannot archive ".agents/${r}": its frontmatter cannot be edited safely (${n.fmError ?? 'no frontmatter block'}); move it by hand`,
        );
      const inner = r.replace(/^learnings\//, '');
      let target = `learnings/.archive/${inner}`;
      for (let i = 2; fs.existsSync(abs(workspace, target)); i++) target = `learnings/.archive/${inner.replace(/\.md$/, '')}-${i}.md`;
      const proposal = proposalFor(workspace, r);
      const supersededBy = o.supersededBy ?? proposal?.superseded_by;
      const reason =
        o.reason ?? (proposal ? `${proposal.reason.replace(/ \(over tonight's retire cap\)$/, '')}; archived by hand after review` : HAND);
      const data = patchFrontmatter(n, {
        maturity: 'archived',
        archived_at: day,
        archived_reason: reason,
        archived_from_maturity: maturityOf(n) || 'provisional',
        ...(supersededBy ? { superseded_by: supersededBy } : {}),
      });
      staging.write(target, data);
      staging.remove(r);
      changes.push({
        path: r,
        kind: supersededBy ? 'superseded' : 'archived',
        reason,
        before: staging.beforePath(r),
        after_hash: null,
        moved_to: target,
        moved_to_before: null,
        moved_to_hash: sha256(data),
      });
      moved.push({ from: `.agents/${r}`, to: `.agents/${target}` });
    }
    const record: IterationRecord = {
      id: iterationId(id, 1),
      index: 1,
      started_at: rfc3339(started),
      finished_at: rfc3339(now()),
      duration_ms: 0,
      status: 'done',
      committed: true,
      ingest: {},
      reduce: { archived_by_hand: changes.length },
      measure: {},
      fitness_before: {},
      fitness_after: {},
      fitness_delta: 0,
      metric_deltas: {},
      regressions: [],
      changes,
      degraded: [],
      error: null,
    };
    // the record is one more operation of the same commit: a crash leaves both or neither
    staging.write(rel.iteration(id, 1), Buffer.from(JSON.stringify(iterationSchema.parse(record), null, 2) + '\n'));
    staging.commit({});
    return { id, moved, notes };
  } finally {
    lock.release();
  }
}
