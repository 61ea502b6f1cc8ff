// The Dream Council section of the morning report (summary.md and the webview share these lines):
// who ran and for how long, what they recommend, where they disagree, why a runner failed, and
// whether the read-only proof held.
import { formatDuration } from '../core/format';
import type { CouncilSummary } from '../core/schemas';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function councilLines(c: CouncilSummary): string[] {
  const L: string[] = [];
  if (c.skipped_reason && !c.completed_runners.length) L.push(`Skipped: ${c.skipped_reason}.`);
  L.push(
    `Requested: ${c.requested_runners.join(', ') || 'none'}`,
    `Completed: ${c.completed_runners.join(', ') || 'none'}`,
    `Failed: ${c.failed_runners.join(', ') || 'none'}`,
  );
  for (const r of c.runs ?? []) {
    const took = formatDuration(r.duration_ms);
    if (r.status === 'completed') L.push(`${r.runner}: completed in ${took}`);
    else if (r.status === 'failed')
      L.push(`${r.runner}: failed${r.duration_ms ? ` after ${took}` : ''} — ${r.reason ?? 'no reason given'}`);
    else L.push(`${r.runner}: skipped — ${r.reason ?? 'no reason given'}`);
  }
  for (const rep of c.reports) {
    const runner = str(rep.runner);
    if (!runner) continue;
    L.push(
      `${runner} recommends ${str(rep.recommended_kind) || '?'} (confidence ${str(rep.confidence) || '?'}): ${str(rep.recommended_first_action)}${str(rep.headline) ? ` — “${str(rep.headline)}”` : ''}`,
    );
  }
  if (c.consensus_kind) L.push(`Consensus (${c.consensus_policy}): ${c.consensus_kind}`);
  if (c.recommended_first_action) L.push(`Recommended first action: ${c.recommended_first_action}`);
  for (const d of c.disagreements) L.push(`Disagreement: ${d}`);
  for (const w of c.wildcard_ideas) L.push(`Wildcard: ${w}`);
  if (c.read_only?.broken)
    for (const v of c.read_only.violations) L.push(`READ-ONLY RULE BROKEN: ${v.runner} changed ${v.files.join(', ')}`);
  else if (c.read_only?.checked) L.push('Read-only proof: no file outside .agents/overnight/ changed while the council ran');
  if (c.read_only?.note) L.push(`Read-only proof: ${c.read_only.note}`);
  if (c.note) L.push(c.note);
  return L;
}
