// The work queue rpi/next-work.jsonl as real corpora write it (§2.1): one JSON object a line, an
// `items[]` array per line, item-level state (`consumed`, `claim_status`, ...) authoritative over the
// line's. A JSON object pretty-printed over several lines is read as one entry, not N bad lines.

export interface QueueEntry {
  /** 1-based first and last line of the entry in the file */
  line: number;
  endLine: number;
  obj: Record<string, unknown>;
}

export interface QueueRead {
  entries: QueueEntry[];
  /** lines that are not JSON, as ranges (1-based, inclusive) */
  bad: { from: number; to: number }[];
  /** entries written over more than one line */
  multiline: QueueEntry[];
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const o = JSON.parse(text) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** where a brace-balanced object starting at lines[i] ends (-1 when it never closes within `max` lines) */
function objectEnd(lines: string[], i: number, max = 2000): number {
  let depth = 0;
  let inStr = false;
  let esc = false;
  for (let j = i; j < lines.length && j < i + max; j++) {
    for (const ch of lines[j]!) {
      if (inStr) {
        if (esc) esc = false;
        else if (ch === '\\') esc = true;
        else if (ch === '"') inStr = false;
      } else if (ch === '"') inStr = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) return j;
    }
    if (depth <= 0) return -1;
  }
  return -1;
}

export function readQueue(raw: Buffer | null): QueueRead {
  const out: QueueRead = { entries: [], bad: [], multiline: [] };
  if (!raw) return out;
  const lines = raw.toString('utf8').split(/\r?\n/);
  const badLine = (n: number) => {
    const last = out.bad[out.bad.length - 1];
    if (last && last.to === n - 1) last.to = n;
    else out.bad.push({ from: n, to: n });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const obj = parseObject(line);
    if (obj) {
      out.entries.push({ line: i + 1, endLine: i + 1, obj });
      continue;
    }
    if (line.trimStart().startsWith('{')) {
      const end = objectEnd(lines, i);
      if (end > i) {
        const whole = parseObject(lines.slice(i, end + 1).join('\n'));
        if (whole) {
          const e = { line: i + 1, endLine: end + 1, obj: whole };
          out.entries.push(e);
          out.multiline.push(e);
          i = end;
          continue;
        }
      }
    }
    badLine(i + 1);
  }
  return out;
}

/** degraded lines for a queue that is not one object a line: one line per entry or bad range, never one per line */
export function queueNotes(q: QueueRead, file = 'rpi/next-work.jsonl'): string[] {
  const out: string[] = [];
  for (const e of q.multiline)
    out.push(
      `queue: .agents/${file} lines ${e.line}-${e.endLine} hold one JSON object written over ${e.endLine - e.line + 1} lines; read as one entry`,
    );
  for (const b of q.bad)
    out.push(
      `queue: .agents/${file} ${b.from === b.to ? `line ${b.from} is` : `lines ${b.from}-${b.to} are`} not valid JSON; left as it is`,
    );
  return out;
}

export interface QueueItem {
  item: Record<string, unknown>;
  entry: QueueEntry;
  /** open work: not consumed, not claimed by somebody, not probed stale */
  open: boolean;
  /** the state in the queue's own words (consumed, in_progress, available, ...) */
  state: string;
  /** the entry's time (item, else line timestamp), ms since epoch or NaN */
  time: number;
}

const FINISHED = new Set(['consumed', 'done', 'completed', 'closed', 'resolved', 'in_progress', 'claimed']);

/** Every item of the queue with its state; the item's own state wins over its line's (§2.1). */
export function queueItems(q: QueueRead): QueueItem[] {
  const out: QueueItem[] = [];
  for (const entry of q.entries) {
    const line = entry.obj;
    const items = Array.isArray(line.items) ? line.items : line.title || line.id ? [line] : [];
    for (const raw of items) {
      if (!raw || typeof raw !== 'object') continue;
      const item = raw as Record<string, unknown>;
      const own = 'consumed' in item || 'claim_status' in item;
      const src = own ? item : line;
      const claim = typeof src.claim_status === 'string' ? src.claim_status.toLowerCase() : '';
      const consumed = src.consumed === true;
      const stale = typeof item.probed_stale_at === 'string' && !!item.probed_stale_at;
      const status = typeof item.status === 'string' ? item.status.toLowerCase() : '';
      const state = consumed ? 'consumed' : claim || (stale ? 'stale' : status || 'available');
      const open = !consumed && !FINISHED.has(claim) && !stale && !FINISHED.has(status);
      const t = Date.parse(String(item.created_at ?? item.timestamp ?? line.timestamp ?? ''));
      out.push({ item, entry, open, state, time: t });
    }
  }
  return out;
}
