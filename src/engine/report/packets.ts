// Morning packets (at most 3): from tonight's queue, rpi/next-work.jsonl and the run's own signals.
import { sha256 } from '../core/fsutil';
import type { IterationRecord, MorningPacket } from '../core/schemas';
import { needsIntegrityReview } from '../core/status';

const SEV_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

interface Candidate extends Omit<MorningPacket, 'rank'> {
  order: number;
}

export interface PacketInput {
  tonight: string[];
  nextWork: Buffer | null;
  iterations: IterationRecord[];
  failureReason: string | null;
  failingStep: string | null;
  runId: string;
  goal: string;
  degraded: string[];
}

function pid(...parts: string[]): string {
  return 'dream-' + sha256(parts.join('|')).slice(0, 16);
}

function openCommand(file: string): string {
  return `code ${JSON.stringify(file)}`;
}

export function buildPackets(input: PacketInput): MorningPacket[] {
  const out: Candidate[] = [];
  if (input.failureReason) {
    out.push({
      order: 0,
      id: pid('failure', input.runId),
      title: `Look at the failed run ${input.runId}${input.failingStep ? ` (step ${input.failingStep})` : ''}`,
      type: 'repair',
      severity: 'critical',
      confidence: 'high',
      why_now: `the run failed: ${input.failureReason}`,
      evidence: [input.failureReason],
      target_files: [`.agents/overnight/runs/${input.runId}/run.log`],
      morning_command: `dream start --resume ${input.runId}`,
      source: 'dream-run',
    });
  }
  const flagged = new Map<string, string>();
  const integrity: string[] = [];
  for (const it of input.iterations) {
    if (needsIntegrityReview(it.status)) integrity.push(`iteration ${it.index}: ${it.error ?? it.status}`);
    if (!it.committed) continue;
    for (const c of it.changes) if (/broken citation/.test(c.reason)) flagged.set(c.moved_to ?? c.path, c.reason);
  }
  if (integrity.length) {
    out.push({
      order: 1,
      id: pid('integrity', input.runId),
      title: 'Review the iterations Dream rolled back or flagged',
      type: 'repair',
      severity: 'high',
      confidence: 'high',
      why_now: integrity[0]!,
      evidence: integrity.slice(0, 5),
      target_files: [],
      morning_command: 'dream report',
      source: 'dream-run',
    });
  }
  input.tonight.forEach((item, i) =>
    out.push({
      order: 10 + i,
      id: pid('tonight', item),
      title: item,
      type: 'priority',
      severity: 'high',
      confidence: 'medium',
      why_now: 'pinned for tonight in the Dream queue file',
      evidence: ['operator-pinned in tonight.md'],
      target_files: [],
      morning_command: openCommand('.agents/dream/tonight.md'),
      source: 'tonight',
    }),
  );
  const items: { item: Record<string, unknown>; line: number }[] = [];
  if (input.nextWork) {
    input.nextWork
      .toString('utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (!line.trim()) return;
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          if (o.consumed === true || o.claim_status === 'done' || o.claim_status === 'consumed') return;
          for (const it of Array.isArray(o.items) ? o.items : [])
            if (it && typeof it === 'object') items.push({ item: it as Record<string, unknown>, line: i });
        } catch {
          /* reported by INGEST */
        }
      });
  }
  items
    .sort((a, b) => (SEV_RANK[String(a.item.severity)] ?? 2) - (SEV_RANK[String(b.item.severity)] ?? 2) || a.line - b.line)
    .forEach(({ item }, i) => {
      const sev = String(item.severity ?? 'medium');
      const targets = Array.isArray(item.target_files)
        ? item.target_files.map(String)
        : typeof item.source_path === 'string'
          ? [item.source_path]
          : [];
      const title = String(item.title ?? item.id ?? 'next-work item');
      out.push({
        order: 20 + (SEV_RANK[sev] ?? 2) * 100 + i,
        id: String(item.id ?? pid('nw', title)),
        title,
        type: String(item.type ?? 'task'),
        severity: sev,
        confidence:
          sev === 'critical' || sev === 'high'
            ? targets.length
              ? 'high'
              : 'medium'
            : sev === 'medium'
              ? targets.length
                ? 'medium'
                : 'low'
              : 'low',
        why_now: String(item.description ?? '') || `queued in rpi/next-work.jsonl (${sev})`,
        evidence: [`rpi/next-work.jsonl: ${String(item.source ?? item.source_epic ?? 'queue')}`],
        target_files: targets,
        morning_command: targets.length ? openCommand(targets[0]!) : openCommand('.agents/rpi/next-work.jsonl'),
        source: 'next-work',
      });
    });
  if (flagged.size) {
    const files = [...flagged.keys()].map((f) => `.agents/${f}`);
    out.push({
      order: 500,
      id: pid('citations', ...files),
      title: `Fix ${flagged.size} learning(s) whose citations point at missing files`,
      type: 'repair',
      severity: 'medium',
      confidence: 'high',
      why_now: 'cited paths no longer exist, so agents get stale pointers',
      evidence: [...flagged.values()].slice(0, 5),
      target_files: files.slice(0, 10),
      morning_command: openCommand(files[0]!),
      source: 'dream-run',
    });
  }
  if (input.goal && out.length < 3) {
    out.push({
      order: 600,
      id: pid('goal', input.goal),
      title: `Advance the goal: ${input.goal}`,
      type: 'task',
      severity: 'medium',
      confidence: 'medium',
      why_now: 'the goal set for this run',
      evidence: [`goal: ${input.goal}`],
      target_files: [],
      morning_command: 'dream report',
      source: 'goal',
    });
  }
  return out
    .sort((a, b) => a.order - b.order)
    .slice(0, 3)
    .map(({ order, ...p }, i) => (void order, { ...p, rank: i + 1 }));
}
