// Reading a run's restores.jsonl (written by restore.ts): lines that do not parse are skipped.
import { readFileOrNull } from '../core/fsutil';
import { restoreRecordSchema, type RestoreRecord } from '../core/schemas';

export function readRestoreLog(file: string): RestoreRecord[] {
  let buf: Buffer | null;
  try {
    buf = readFileOrNull(file);
  } catch {
    return [];
  }
  if (!buf) return [];
  const out: RestoreRecord[] = [];
  for (const line of buf.toString('utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const r = restoreRecordSchema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      /* not ours */
    }
  }
  return out;
}
