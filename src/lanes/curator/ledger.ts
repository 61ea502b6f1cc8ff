// The curator's event ledger, .agents/dream/curator/events.jsonl (contract §6): one event a line,
// `status: needs-review` until a person reviews it. An escalation to the council is an event with a
// budget > 0; nothing escalates without one. Compaction moves reviewed entries older than N days to
// events.archive.jsonl (the archive first, then the ledger; each write atomic).
import fs from 'node:fs';
import { z } from 'zod';
import { abs, CorpusWriter, processAlive, readLock } from '../../engine';
import { CuratorInputError, shortId, stamp } from './queue';

export const EVENTS_FILE = 'dream/curator/events.jsonl';
export const ARCHIVE_FILE = 'dream/curator/events.archive.jsonl';
export const SEVERITIES = ['info', 'warn', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const DEFAULT_ESCALATION_TARGET = 'dream-council';

export const eventSchema = z
  .object({
    schema_version: z.literal(1).default(1),
    id: z.string(),
    created_at: z.string(),
    source: z.string().min(1),
    severity: z.enum(SEVERITIES),
    desired_action: z.string().min(1),
    escalation_target: z.string().nullable(),
    budget: z.number().int().min(0),
    note: z.string(),
    status: z.string(),
  })
  .passthrough();
export type CuratorEvent = z.infer<typeof eventSchema>;

export interface EventInput {
  source: string;
  severity: string;
  desiredAction: string;
  budget?: number;
  note?: string;
  target?: string | null;
}

/** Validates the input (clear errors naming what was typed) and builds the event; `id` may be fixed (idempotent appends). */
export function newEvent(input: EventInput, now = new Date(), id?: string): CuratorEvent {
  if (!input.source.trim()) throw new CuratorInputError('--source is empty');
  if (!(SEVERITIES as readonly string[]).includes(input.severity))
    throw new CuratorInputError(`severity "${input.severity}" is not one of ${SEVERITIES.join(', ')}`);
  if (!input.desiredAction.trim()) throw new CuratorInputError('--desired-action is empty');
  const budget = input.budget ?? 0;
  if (!Number.isInteger(budget) || budget < 0) throw new CuratorInputError(`--budget must be a whole number >= 0 (got "${budget}")`);
  return {
    schema_version: 1,
    id: id ?? `evt-${stamp(now)}-${shortId()}`,
    created_at: now.toISOString(),
    source: input.source.trim(),
    severity: input.severity as Severity,
    desired_action: input.desiredAction.trim(),
    // no budget, no escalation: the event is recorded for a person only
    escalation_target: budget > 0 ? (input.target ?? DEFAULT_ESCALATION_TARGET) : null,
    budget,
    note: input.note ?? '',
    status: 'needs-review',
  };
}

export function appendEvent(workspace: string, ev: CuratorEvent, w = new CorpusWriter(workspace)): string {
  w.appendLines(EVENTS_FILE, [JSON.stringify(ev)]);
  return abs(workspace, EVENTS_FILE);
}

export interface LedgerEntry {
  line: number;
  /** the line exactly as stored (compaction keeps bytes) */
  text: string;
  raw: Record<string, unknown> | null;
}

export function readLedger(workspace: string, rel = EVENTS_FILE): LedgerEntry[] {
  let text = '';
  try {
    text = fs.readFileSync(abs(workspace, rel), 'utf8');
  } catch {
    return [];
  }
  const out: LedgerEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (!l.trim()) return;
    try {
      const o = JSON.parse(l) as unknown;
      out.push({ line: i + 1, text: l, raw: o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null });
    } catch {
      out.push({ line: i + 1, text: l, raw: null });
    }
  });
  return out;
}

export function pendingEvents(entries: LedgerEntry[]): number {
  return entries.filter((e) => e.raw && (e.raw.status === 'needs-review' || e.raw.status === undefined)).length;
}

export interface CompactPlan {
  total: number;
  pendingReview: number;
  /** reviewed entries older than the cut-off: what --apply moves to the archive */
  wouldArchive: LedgerEntry[];
  keep: LedgerEntry[];
  unreadable: number;
  olderThanDays: number;
}

export function compactPlan(entries: LedgerEntry[], now = new Date(), olderThanDays = 30): CompactPlan {
  const cutoff = now.getTime() - olderThanDays * 86_400_000;
  let pendingReview = 0;
  let unreadable = 0;
  const wouldArchive: LedgerEntry[] = [];
  const keep: LedgerEntry[] = [];
  for (const e of entries) {
    if (!e.raw) {
      unreadable++; // kept as it is: a person may want to read it
      keep.push(e);
      continue;
    }
    if (e.raw.status === 'needs-review' || e.raw.status === undefined) {
      pendingReview++;
      keep.push(e);
      continue;
    }
    const t = Date.parse(String(e.raw.created_at ?? ''));
    if (Number.isFinite(t) && t < cutoff) wouldArchive.push(e);
    else keep.push(e);
  }
  return { total: entries.length, pendingReview, wouldArchive, keep, unreadable, olderThanDays };
}

/** "30d", "2w", "30" → days */
export function parseDays(v: string): number {
  const m = /^\s*(\d+)\s*(d|days?|w|weeks?)?\s*$/i.exec(v);
  if (!m) throw new CuratorInputError(`--older-than "${v}" is not a number of days (e.g. 30d or 2w)`);
  const n = Number(m[1]) * (m[2] && /^w/i.test(m[2]) ? 7 : 1);
  return n;
}

export interface CompactResult extends CompactPlan {
  applied: boolean;
  archivePath: string;
  message: string;
}

/** Dry run unless `apply`; with apply, the archive is appended first, then the ledger rewritten without those lines. */
export function compactLedger(workspace: string, opts: { apply: boolean; olderThanDays: number; now?: Date }): CompactResult {
  const plan = compactPlan(readLedger(workspace), opts.now ?? new Date(), opts.olderThanDays);
  const n = plan.wouldArchive.length;
  const what = `${n} reviewed entr${n === 1 ? 'y' : 'ies'} older than ${opts.olderThanDays} days`;
  const kept = `${plan.keep.length} kept (${plan.pendingReview} awaiting review${plan.unreadable ? `, ${plan.unreadable} unreadable line(s) left as they are` : ''})`;
  let message: string;
  if (!opts.apply)
    message = `dry run: would move ${what} from .agents/${EVENTS_FILE} to .agents/${ARCHIVE_FILE}; ${kept}. Run with --apply to do it.`;
  else if (!n) message = `nothing to compact: no ${what.replace(/^0 /, '')}; ${kept}.`;
  else {
    // a run may append an escalation while we rewrite the ledger: never compact under a live run
    const lock = readLock(abs(workspace, 'overnight/run.lock'));
    if (lock && lock.pid !== process.pid && processAlive(lock.pid))
      throw new CuratorInputError(`a bedtime run is in progress (pid ${lock.pid}); compact after it ends so no event it records is lost`);
    const w = new CorpusWriter(workspace);
    // a crash between the two writes leaves lines in both files: the next apply does not archive them twice
    const archived = new Set(readLedger(workspace, ARCHIVE_FILE).map((e) => e.text));
    w.appendLines(
      ARCHIVE_FILE,
      plan.wouldArchive.map((e) => e.text).filter((t) => !archived.has(t)),
    );
    w.write(EVENTS_FILE, plan.keep.map((e) => e.text + '\n').join(''));
    message = `moved ${what} from .agents/${EVENTS_FILE} to .agents/${ARCHIVE_FILE}; ${kept}.`;
  }
  return { ...plan, applied: opts.apply && n > 0, archivePath: abs(workspace, ARCHIVE_FILE), message };
}
