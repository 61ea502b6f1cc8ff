// Council synthesis, policy `majority` (contract §7): the most common recommended_kind wins, ties go
// to the alphabetically first kind; the action is the first report's (in runner order) with that
// kind; every report whose kind or action differs is a disagreement; wildcards only with the
// creative lane on.
import type { CouncilReport } from './reportSchema';

export interface Synthesis {
  consensus_kind?: string;
  recommended_first_action?: string;
  disagreements: string[];
  wildcard_ideas: string[];
}

export function synthesize(reports: readonly CouncilReport[], creativeLane: boolean): Synthesis {
  if (!reports.length) return { disagreements: [], wildcard_ideas: [] };
  const counts = new Map<string, number>();
  for (const r of reports) counts.set(r.recommended_kind, (counts.get(r.recommended_kind) ?? 0) + 1);
  const [kind] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]!;
  const action = reports.find((r) => r.recommended_kind === kind)!.recommended_first_action;
  const disagreements = reports
    .filter((r) => r.recommended_kind !== kind || r.recommended_first_action !== action)
    .map((r) => `${r.runner} prefers ${r.recommended_kind}: ${r.recommended_first_action}`)
    .sort();
  const wildcard_ideas = creativeLane
    ? reports
        .filter((r) => r.wildcard_idea.trim())
        .map((r) => `${r.runner}: ${r.wildcard_idea.trim()}`)
        .sort()
    : [];
  return { consensus_kind: kind, recommended_first_action: action, disagreements, wildcard_ideas };
}
