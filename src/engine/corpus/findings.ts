// Findings (`findings/f-YYYY-MM-DD-NNN.md`): title, severity, resolution, a short description.
import path from 'node:path';
import { noteTitle } from './knowledge';
import { str, type Note } from './note';

export interface Finding {
  id: string;
  rel: string;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  resolved: boolean;
  /** the finding carries a resolution field (resolved, status, superseded_by) */
  tracksResolution: boolean;
  description: string;
}

const FINDING_RE = /^f-\d{4}-\d{2}-\d{2}-\d{3}\.md$/;

/** §2.1: critical, high/significant, medium/moderate, low/informational (plus upstream's minor/major/blocker) */
export function normaliseSeverity(s: string | undefined): Finding['severity'] {
  const v = (s ?? '').toLowerCase().trim();
  if (v === 'minor' || v === 'low' || v === 'informational' || v === 'info') return 'low';
  if (v === 'high' || v === 'major' || v === 'significant') return 'high';
  if (v === 'critical' || v === 'blocker') return 'critical';
  return 'medium';
}

/** §2.1 finding lifecycle: resolved, or status retired|superseded|resolved|closed, or superseded_by */
const FINISHED = new Set(['retired', 'superseded', 'resolved', 'closed']);
export function findingFinished(n: Note): boolean {
  const r = n.fm.resolved;
  if (r === true || str(r)?.toLowerCase() === 'true') return true;
  if (FINISHED.has((str(n.fm.status) ?? '').trim().toLowerCase())) return true;
  const sup = n.fm.superseded_by;
  return sup != null && !(typeof sup === 'string' && sup.trim() === '') && !(Array.isArray(sup) && sup.length === 0);
}

export function parseFinding(n: Note): Finding | null {
  const base = path.posix.basename(n.rel);
  if (!FINDING_RE.test(base)) return null;
  const resolved = findingFinished(n) || /\*\*Resolved:\*\*|<!--\s*RESOLVED\s*-->/.test(n.body);
  let description = '';
  const sum = /^##\s+Summary\s*\r?\n+([\s\S]*?)(\r?\n\s*\r?\n|\r?\n#|$)/im.exec(n.body);
  if (sum) description = sum[1]!.trim();
  if (!description) {
    const para = n.body
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .find((p) => p && !p.startsWith('#'));
    description = para ?? '';
  }
  return {
    id: base.replace(/\.md$/, ''),
    rel: n.rel,
    title: noteTitle(n),
    severity: normaliseSeverity(str(n.fm.severity)),
    resolved,
    tracksResolution: resolved || ['resolved', 'status', 'superseded_by'].some((k) => n.fm[k] != null),
    description: description.replace(/\s+/g, ' ').slice(0, 600),
  };
}
