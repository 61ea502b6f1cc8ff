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
  description: string;
}

const FINDING_RE = /^f-\d{4}-\d{2}-\d{2}-\d{3}\.md$/;

export function normaliseSeverity(s: string | undefined): Finding['severity'] {
  const v = (s ?? '').toLowerCase().trim();
  if (v === 'minor' || v === 'low') return 'low';
  if (v === 'high' || v === 'major') return 'high';
  if (v === 'critical' || v === 'blocker') return 'critical';
  return 'medium';
}

export function parseFinding(n: Note): Finding | null {
  const base = path.posix.basename(n.rel);
  if (!FINDING_RE.test(base)) return null;
  const resolvedFm = n.fm.resolved;
  const resolved =
    resolvedFm === true || str(resolvedFm)?.toLowerCase() === 'true' || /\*\*Resolved:\*\*|<!--\s*RESOLVED\s*-->/.test(n.body);
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
    description: description.replace(/\s+/g, ' ').slice(0, 600),
  };
}
