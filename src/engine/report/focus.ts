// Pinned priorities (dream/tonight.md) as a focus section: the live learnings that match each
// priority (BM25 over index.jsonl, the retriever MEASURE uses), and what tonight changed among them.
import { abs, rel } from '../core/paths';
import { indexEntrySchema, type IndexEntry } from '../core/schemas';
import { Retriever } from '../stages/retrieval';
import { readRegularFile } from '../core/fsutil';

export interface FocusMatch {
  /** relative to .agents/ */
  path: string;
  title: string;
  /** what tonight did to this note, if anything */
  changed?: string;
}

export interface FocusItem {
  priority: string;
  matches: FocusMatch[];
}

export function readIndexEntries(workspace: string): IndexEntry[] {
  let text: string;
  try {
    text = (readRegularFile(abs(workspace, rel.index)) ?? '').toString('utf8'); // never through a symlink, never a FIFO
  } catch {
    return [];
  }
  const out: IndexEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const r = indexEntrySchema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      /* reported by MEASURE */
    }
  }
  return out;
}

/** up to `k` matching learnings per priority; `touched` maps a path to tonight's reason */
export function focusFor(priorities: string[], entries: IndexEntry[], touched: Map<string, string>, k = 3): FocusItem[] {
  if (!priorities.length) return [];
  const r = entries.length ? new Retriever(entries) : null;
  return priorities.map((priority) => ({
    priority,
    matches: (r ? r.search(priority, k) : []).map((i) => {
      const e = entries[i]!;
      const changed = touched.get(e.path);
      return { path: e.path, title: e.title, ...(changed ? { changed } : {}) };
    }),
  }));
}
