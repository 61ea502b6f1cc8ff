// The run id: the UTC start time, "20251123T221300Z" (the name of the run folder).

export const RUN_ID_RE = /^\d{8}T\d{6}Z$/;

export function isRunId(s: string): boolean {
  return RUN_ID_RE.test(s);
}

/** a run id, or the id of a hand archive (`archive-<run id>`, restorable like a run, §5.7) */
export function isRestorableId(s: string): boolean {
  return isRunId(s) || (s.startsWith('archive-') && isRunId(s.slice('archive-'.length)));
}

export function runIdFor(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** "20251123T221300Z" → a Date (UTC); null when it is not a run id */
export function runIdToDate(runId: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(runId);
  if (!m) return null;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
