// "What should I do first?" (§5.6): first moves in the contract's order — what needs a person
// because of tonight (a failed run, a regression committed under warn-only, proposals, findings
// routed tonight), then pinned priorities (with the learnings that match them), then open queue
// items (item-level state honoured, newest first). Each points at the exact note or queue line with
// a command that works from any folder (absolute paths). The first three become morning packets.
import path from 'node:path';
import { sha256 } from '../core/fsutil';
import { shQuote } from '../../host/quote';
import type { IterationRecord, MorningPacket, Summary } from '../core/schemas';
import { needsIntegrityReview } from '../core/status';
import { queueItems, readQueue } from '../corpus/queue';
import type { FocusItem } from './focus';
import { metricWords, plural, type NightEffect } from './night';

export interface Move {
  kind: 'failure' | 'regression' | 'proposal' | 'finding' | 'priority' | 'queue' | 'citations' | 'goal';
  title: string;
  why: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  confidence: 'high' | 'medium' | 'low';
  evidence: string[];
  /** absolute paths (a queue line as path:line) */
  targets: string[];
  command: string;
  /** a stable id (a queue item's own id when it has one) */
  id: string;
}

export interface MoveInput {
  summary: Pick<Summary, 'status' | 'run_id' | 'repo_root' | 'failure_reason' | 'failing_step' | 'goal' | 'runtime'>;
  iterations: IterationRecord[];
  effect: NightEffect;
  focus: FocusItem[];
  nextWork: Buffer | null;
  /** the priorities file, absolute, when it exists */
  tonightPath: string | null;
}

const q = shQuote;
const pid = (...parts: string[]) => 'dream-' + sha256(parts.join('|')).slice(0, 16);
export const openCommand = (file: string, line?: number) => (line ? `code -g ${q(`${file}:${line}`)}` : `code ${q(file)}`);
const SEV: Record<string, Move['severity']> = {
  critical: 'critical',
  high: 'high',
  significant: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  informational: 'low',
};
const SEV_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function firstMoves(i: MoveInput): Move[] {
  const ws = i.summary.repo_root;
  const agents = (p: string) => path.join(ws, '.agents', ...p.split('/'));
  const dream = (args: string) => `dream ${args} --workspace ${q(ws)}`;
  const out: Move[] = [];
  const s = i.summary;
  if (s.status === 'failed') {
    out.push({
      kind: 'failure',
      id: pid('failure', s.run_id),
      title: `Read why run ${s.run_id} failed${s.failing_step ? ` (at ${s.failing_step})` : ''}, then resume it`,
      why: `the run failed: ${s.failure_reason ?? 'no reason recorded'}`,
      severity: 'critical',
      confidence: 'high',
      evidence: [s.failure_reason ?? 'no reason recorded'],
      targets: [s.runtime.log_path || agents(`overnight/runs/${s.run_id}/run.log`)],
      command: dream(`start --resume ${s.run_id}`),
    });
  }
  const integrity = i.iterations.filter((it) => needsIntegrityReview(it.status));
  if (integrity.length)
    out.push({
      kind: 'regression',
      id: pid('integrity', s.run_id),
      title: `Review ${plural(integrity.length, 'iteration')} Dream rolled back or flagged for lost note metadata`,
      why: integrity.map((it) => `iteration ${it.index}: ${it.error ?? it.status}`)[0]!,
      severity: 'high',
      confidence: 'high',
      evidence: integrity.slice(0, 5).map((it) => `iteration ${it.index}: ${it.error ?? it.status}`),
      targets: [agents(`overnight/runs/${s.run_id}/summary.md`)],
      command: openCommand(agents(`overnight/runs/${s.run_id}/summary.md`)),
    });
  for (const r of i.effect.rescues) {
    const what = r.regressions.length
      ? r.regressions.map((g) => `${metricWords(g.name)} ${g.previous.toFixed(2)} → ${g.current.toFixed(2)}`).join(', ')
      : 'no measurable improvement (plateau)';
    out.push({
      kind: 'regression',
      id: pid('rescue', s.run_id, String(r.iteration)),
      title: `Check iteration ${r.iteration}: it was committed although ${r.regressions.length ? 'the corpus got worse' : 'it improved nothing'} (warn-only)`,
      why: `${what}; if it is wrong, undo the whole run`,
      severity: r.regressions.length ? 'high' : 'medium',
      confidence: 'high',
      evidence: [what],
      targets: [agents(`overnight/runs/${s.run_id}/summary.md`)],
      command: dream(`restore ${s.run_id}`),
    });
  }
  const props = i.effect.proposals;
  if (props.length) {
    out.push({
      kind: 'proposal',
      id: pid('proposals', s.run_id, ...props.map((p) => p.path)),
      title: `Look at the ${plural(props.length, 'note')} Dream proposes to archive`,
      why: props[0]!.reason,
      severity: 'medium',
      confidence: 'high',
      evidence: props.slice(0, 5).map((p) => `.agents/${p.path.replace(/^\.agents\//, '')}: ${p.reason}`),
      targets: props.slice(0, 10).map((p) => agents(p.path.replace(/^\.agents\//, ''))),
      // open the first note to look at; each proposal's own archive command is in the report's review list
      command: openCommand(agents(props[0]!.path.replace(/^\.agents\//, ''))),
    });
  }
  const routed = i.effect.routed;
  if (routed.length)
    out.push({
      kind: 'finding',
      id: pid('finding', ...routed.map((f) => f.id)),
      title:
        routed.length === 1
          ? `Triage finding ${routed[0]!.id}, routed to the work queue tonight`
          : `Triage the ${routed.length} findings routed to the work queue tonight (${routed.map((f) => f.id).join(', ')})`,
      why: 'new open findings: Dream added them to rpi/next-work.jsonl, where agents pick up work',
      severity: 'high',
      confidence: 'high',
      evidence: routed.map((f) => `.agents/${f.path}`),
      targets: routed.map((f) => agents(f.path)),
      command: openCommand(agents(routed[0]!.path)),
    });
  for (const f of i.focus) {
    const top = f.matches[0];
    const changed = f.matches.filter((m) => m.changed);
    out.push({
      kind: 'priority',
      id: pid('tonight', f.priority),
      title: `Priority: ${f.priority}`,
      why: top
        ? `pinned in tonight.md; ${plural(f.matches.length, 'learning')} match it (start with "${top.title}")${changed.length ? `; tonight changed ${changed.length} of them` : ''}`
        : 'pinned in tonight.md; no learning matches it yet, so there is nothing to read on it: write down what you learn',
      severity: 'high',
      confidence: top ? 'medium' : 'low',
      evidence: f.matches.map((m) => `.agents/${m.path}${m.changed ? ` (tonight: ${m.changed})` : ''}`),
      targets: f.matches.map((m) => agents(m.path)),
      command: top ? openCommand(agents(top.path)) : openCommand(i.tonightPath ?? agents('dream/tonight.md')),
    });
  }
  const routedIds = new Set(i.effect.routed.map((f) => f.id));
  const queueFile = agents('rpi/next-work.jsonl');
  const open = queueItems(readQueue(i.nextWork))
    .filter((x) => x.open && !routedIds.has(String(x.item.id ?? '')))
    .sort(
      (a, b) =>
        (Number.isNaN(b.time) ? -Infinity : b.time) - (Number.isNaN(a.time) ? -Infinity : a.time) ||
        b.entry.line - a.entry.line ||
        (SEV_RANK[SEV[String(a.item.severity).toLowerCase()] ?? 'medium'] ?? 2) -
          (SEV_RANK[SEV[String(b.item.severity).toLowerCase()] ?? 'medium'] ?? 2),
    );
  for (const x of open.slice(0, 5)) {
    const sev = SEV[String(x.item.severity ?? '').toLowerCase()] ?? 'medium';
    const title = String(x.item.title ?? x.item.id ?? 'work queue item');
    const when = Number.isNaN(x.time) ? '' : `, queued ${new Date(x.time).toISOString().slice(0, 10)}`;
    out.push({
      kind: 'queue',
      id: typeof x.item.id === 'string' ? x.item.id : pid('queue', title, String(x.entry.line)),
      title,
      why: `open in the work queue (${sev}${when}, ${x.state})${x.item.description ? `: ${String(x.item.description).slice(0, 160)}` : ''}`,
      severity: sev,
      confidence: 'medium',
      evidence: [`.agents/rpi/next-work.jsonl line ${x.entry.line}`],
      targets: [`${queueFile}:${x.entry.line}`],
      command: openCommand(queueFile, x.entry.line),
    });
  }
  return out;
}

const TYPE: Record<Move['kind'], string> = {
  failure: 'repair',
  regression: 'review',
  proposal: 'review',
  finding: 'finding',
  priority: 'priority',
  queue: 'task',
  citations: 'repair',
  goal: 'task',
};

export function packetsFrom(moves: Move[]): MorningPacket[] {
  return moves.slice(0, 3).map((m, n) => ({
    id: m.id,
    rank: n + 1,
    title: m.title,
    type: TYPE[m.kind],
    severity: m.severity,
    confidence: m.confidence,
    why_now: m.why,
    evidence: m.evidence,
    target_files: m.targets,
    morning_command: m.command,
    source: m.kind,
  }));
}
