// The morning report: reading a summary.json back honestly (missing, corrupt, newer or partial),
// with the restores recorded beside it; the answers and summary.md live in answers.ts and markdown.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { RestoreRecord, Summary } from '../core/schemas';
import { SummaryReadError as ReportError, parseSummaryText } from './summaryRead';
import { compounded } from '../core/status';
import { readRestoreLog } from '../commit/restoreLog';
export { compounded };
export { fourAnswers, deriveDreamscape, deriveNextAction, deriveRecommended, meanDelta } from './answers';
export { renderMarkdown } from './markdown';
import { readRegularFile } from '../core/fsutil';

export { SummaryReadError as ReportError } from './summaryRead';
export { blankSummary } from './blank';

export interface LoadedReport {
  summary: Summary;
  file: string;
  /** what could not be read (newer schema, partial file) */
  notes: string[];
  /** restores of this run's changes (restores.jsonl beside summary.json) */
  restores: RestoreRecord[];
}

/** Reads summary.json from a folder or a file; throws ReportError with a plain message. */
export function loadReport(target: string): LoadedReport {
  let file = target;
  try {
    if (fs.statSync(target).isDirectory()) file = path.join(target, 'summary.json');
  } catch {
    throw new ReportError(`no morning report at ${target}: run \`dream start\` first (or pass --from <run folder>)`);
  }
  let text: string;
  try {
    const bytes = readRegularFile(file);
    if (!bytes) throw new Error('missing');
    text = bytes.toString('utf8');
  } catch {
    throw new ReportError(`no morning report at ${file}: run \`dream start\` first (or pass --from <run folder>)`);
  }
  const r = parseSummaryText(text, file);
  return { summary: r.summary, file, notes: r.notes, restores: readRestoreLog(path.join(path.dirname(file), 'restores.jsonl')) };
}
