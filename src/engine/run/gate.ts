// The cheap gate of a scheduled start (issue 9): when no file under .agents/ (overnight/ aside)
// changed since the last quiet night recorded its corpus manifest (corpus/manifest.ts), the night
// ends at once with one line, recorded in overnight/skipped.json so that the morning report says
// so instead of repeating an older report.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CorpusWriter } from '../commit/writer';
import { readManifest, treeUnchanged } from '../corpus/manifest';
import { rel } from '../core/paths';

export const SKIPPED_REL = 'overnight/skipped.json';

export const skippedNightSchema = z
  .object({ version: z.literal(1), checked_at: z.string(), since_run: z.string().nullable(), since_at: z.string(), files: z.number() })
  .loose();
export type SkippedNight = z.infer<typeof skippedNightSchema>;

export interface GateOutcome {
  changed: boolean;
  /** why the night runs, or "nothing changed" */
  reason: string;
  /** one line for the user */
  line: string;
  skipped: SkippedNight | null;
}

/** the run id of the latest summary, when it is readable */
function latestRunId(workspace: string): string | null {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(workspace, '.agents', rel.latest, 'summary.json'), 'utf8')) as { run_id?: unknown };
    return typeof s.run_id === 'string' ? s.run_id : null;
  } catch {
    return null;
  }
}

/** Checks the gate; when nothing changed, records the skipped night (through the write guard). */
export function scheduledGate(workspace: string, now = new Date()): GateOutcome {
  const writer = new CorpusWriter(workspace);
  const read = readManifest(writer.agentsDir);
  if (!read.manifest) {
    const reason = read.note ?? 'no quiet night recorded yet';
    return { changed: true, reason, line: `running: ${reason}`, skipped: null };
  }
  const tree = treeUnchanged(writer.agentsDir, read.manifest);
  if ('reason' in tree) return { changed: true, reason: tree.reason, line: `running: ${tree.reason}`, skipped: null };
  const skipped: SkippedNight = {
    version: 1,
    checked_at: now.toISOString(),
    since_run: latestRunId(workspace),
    since_at: read.manifest.written_at,
    files: tree.checked,
  };
  writer.write(SKIPPED_REL, JSON.stringify(skipped));
  return { changed: false, reason: 'nothing changed', line: skippedLine(skipped), skipped };
}

const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function skippedLine(s: SkippedNight): string {
  return `${minute(s.checked_at)}: nothing changed since ${s.since_run ? `run ${s.since_run}` : 'the last run'} (${minute(s.since_at)}, ${s.files} files checked); no run tonight.`;
}

/** The skipped-night record when it is newer than the latest run's end, else null. */
export function readSkippedNight(workspace: string, latestFinishedAt: string | null): SkippedNight | null {
  try {
    const r = skippedNightSchema.safeParse(JSON.parse(fs.readFileSync(path.join(workspace, '.agents', SKIPPED_REL), 'utf8')));
    if (!r.success) return null;
    return !latestFinishedAt || r.data.checked_at > latestFinishedAt ? r.data : null;
  } catch {
    return null;
  }
}
