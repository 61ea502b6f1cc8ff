// Reading a summary.json honestly (CLI `dream report`, the extension's tree and report panel): strict zod validation with the
// engine's summarySchema first; when that fails (partial file, newer schema_version, a bad field)
// every field that still parses is kept and the rest is named in `notes`.
import path from 'node:path';
import { blankSummary } from './blank';
import { SUMMARY_SCHEMA_VERSION, summarySchema, type Summary } from '../core/schemas';

export interface ReadSummary {
  summary: Summary;
  /** what could not be read; empty when the file is a valid summary of this schema version */
  notes: string[];
}

/** a plain-language reason a report cannot be read (never a stack trace) */
export class SummaryReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SummaryReadError';
  }
}

type FieldSchema = { safeParse(x: unknown): { success: boolean; data?: unknown } };

/** Parses the text of a summary.json; throws SummaryReadError when nothing useful can be read. */
export function parseSummaryText(text: string, file: string): ReadSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SummaryReadError(
      `the morning report ${file} is corrupt (not valid JSON: ${(e as Error).message}); the run may still be writing it, or summary.md next to it may be readable`,
    );
  }
  return parseSummaryObject(raw, file);
}

export function parseSummaryObject(raw: unknown, file: string): ReadSummary {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new SummaryReadError(`the morning report ${file} is not a Dream summary (expected a JSON object)`);
  const obj = raw as Record<string, unknown>;
  const notes: string[] = [];
  const version = obj.schema_version;
  if (typeof version !== 'number') throw new SummaryReadError(`the morning report ${file} is not a Dream summary (no schema_version)`);
  if (version > SUMMARY_SCHEMA_VERSION)
    notes.push(
      `This report has schema_version ${version}, newer than this version of Dream understands (${SUMMARY_SCHEMA_VERSION}); showing the fields it knows.`,
    );
  const strict = summarySchema.safeParse(obj);
  if (strict.success) return { summary: strict.data, notes };
  const blank = blankSummary(
    String(obj.run_id ?? path.basename(path.dirname(file))),
    String(obj.repo_root ?? ''),
    String(obj.output_dir ?? path.dirname(file)),
  );
  const merged: Record<string, unknown> = { ...blank };
  const unreadable: string[] = [];
  const shape = summarySchema.shape as unknown as Record<string, FieldSchema>;
  for (const [k, v] of Object.entries(obj)) {
    if (!(k in shape) || k === 'schema_version' || k === 'mode') continue;
    const r = shape[k]!.safeParse(v);
    if (r.success) merged[k] = r.data;
    else if (k === 'iterations' && Array.isArray(v)) {
      // keep the iterations that parse
      const its = (v as unknown[])
        .map((it) => (shape.iterations as unknown as { element: FieldSchema }).element.safeParse(it))
        .filter((x) => x.success)
        .map((x) => x.data);
      merged[k] = its;
      unreadable.push(`${(v as unknown[]).length - its.length} of ${(v as unknown[]).length} iterations`);
    } else unreadable.push(k);
  }
  merged.schema_version = SUMMARY_SCHEMA_VERSION;
  merged.mode = 'dream.local-bedtime';
  const optional = new Set(['fitness_baseline', 'failing_step', 'resumed_from']);
  const missing = Object.keys(shape).filter((k) => !(k in obj) && !optional.has(k));
  const final = summarySchema.safeParse(merged);
  if (!final.success) {
    const i = final.error.issues[0];
    throw new SummaryReadError(`the morning report ${file} could not be read: ${i?.path.join('.')} ${i?.message}`);
  }
  if (unreadable.length) notes.push(`Could not read these fields: ${unreadable.join(', ')}.`);
  if (missing.length) notes.push(`This report is partial; missing: ${missing.join(', ')}.`);
  return { summary: final.data, notes };
}
