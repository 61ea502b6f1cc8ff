// The bedtime packet (contract §7): what the council reads about the night. Built from the run's
// summary in the terms of the four answers, every string redacted, bounded in size (it travels as
// one command-line argument: Linux caps one argument at 128 KiB).
import { compounded, fourAnswers, readTonight, redactSecrets, type DreamSettings, type Summary } from '../../engine';
import type { RunnerName } from './reportSchema';

export const PACKET_MAX_BYTES = 32 * 1024;
const MAX_STRING = 400;

export interface BedtimePacket {
  run_id: string;
  goal: string;
  consensus_policy: string;
  creative_lane: boolean;
  night: { state: string; ran: string; degraded: string; first_move: string };
  live_learnings?: unknown;
  top_changes: { path: string; kind: string; reason: string }[];
  changes_total: number;
  /** null = n/a (§4: nothing to measure) */
  fitness: Record<string, number | null>;
  fitness_delta: Record<string, number | null>;
  degraded: string[];
  degraded_total: number;
  tonight_priorities: string[];
  morning_packets: { title: string; why_now: string; command: string }[];
  review_proposals: { path: string; reason: string }[];
  review_proposals_total: number;
  next_action_hint: string;
}

function clip(s: string, max = MAX_STRING): string {
  const t = redactSecrets(s).text;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function round(v: Record<string, number | null>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x === null ? null : Math.round(x * 1000) / 1000;
  return out;
}

/** Builds the packet; lists are halved until the JSON fits PACKET_MAX_BYTES. */
export function buildPacket(
  summary: Readonly<Summary>,
  settings: Pick<DreamSettings, 'consensusPolicy' | 'creativeLane' | 'queueFile'>,
  workspace: string,
): BedtimePacket {
  const a = fourAnswers(summary as Summary);
  const changes = summary.iterations.filter(compounded).flatMap((it) => it.changes);
  const tonight = readTonight(workspace, settings.queueFile).items;
  const extra = summary as Record<string, unknown>;
  const proposals = Array.isArray(extra.proposals) ? (extra.proposals as { path?: unknown; reason?: unknown }[]) : [];
  let cap = 40;
  for (;;) {
    const packet: BedtimePacket = {
      run_id: summary.run_id,
      goal: clip(summary.goal, 1000),
      consensus_policy: settings.consensusPolicy,
      creative_lane: settings.creativeLane,
      night: { state: clip(a.state, 1000), ran: clip(a.ran, 600), degraded: clip(a.degraded, 600), first_move: clip(a.first, 600) },
      ...(extra.live_learnings !== undefined ? { live_learnings: extra.live_learnings } : {}),
      top_changes: changes.slice(0, cap).map((c) => ({ path: clip(c.path, 200), kind: c.kind, reason: clip(c.reason) })),
      changes_total: changes.length,
      fitness: round(summary.fitness),
      fitness_delta: round(summary.fitness_delta),
      degraded: summary.degraded.slice(0, cap).map((d) => clip(d)),
      degraded_total: summary.degraded.length,
      tonight_priorities: tonight.slice(0, cap).map((t) => clip(t)),
      morning_packets: summary.morning_packets.map((p) => ({
        title: clip(p.title),
        why_now: clip(p.why_now),
        command: clip(p.morning_command),
      })),
      review_proposals: proposals
        .slice(0, cap)
        .map((p) => ({ path: clip(String(p.path ?? ''), 200), reason: clip(String(p.reason ?? '')) })),
      review_proposals_total: proposals.length,
      next_action_hint: clip(summary.next_action, 600),
    };
    if (Buffer.byteLength(JSON.stringify(packet)) <= PACKET_MAX_BYTES || cap === 0) return packet;
    cap = Math.floor(cap / 2);
  }
}

/** The prompt a runner gets: its rules, then the packet (upstream's wording, read-only made explicit). */
export function buildPrompt(runner: RunnerName, packet: BedtimePacket): string {
  const lines = [
    `You are the ${runner} Dream Council runner. Analyze the bedtime packet below and return JSON that matches the provided schema.`,
    '',
    'Rules:',
    '- You are read-only: never create, edit, move or delete any file, never run commands that change anything. You may read files of the repository to ground your review.',
    '- Stay grounded in the packet and the repository; do not invent files or results.',
    `- Set "runner" exactly to "${runner}".`,
    '- Choose one recommended_kind from the schema enum.',
    '- recommended_first_action: one concrete, immediately actionable first step for the morning.',
    '- Keep risks and opportunities short.',
    packet.creative_lane
      ? '- Include one bounded wildcard idea in wildcard_idea (creative lane is on); keep it safe and reversible.'
      : '- Return wildcard_idea as an empty string (creative lane is off).',
    '',
    'Bedtime packet:',
    JSON.stringify(packet, null, 2),
  ];
  return redactSecrets(lines.join('\n')).text;
}
