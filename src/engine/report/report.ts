// The morning report: derived views (DreamScape, next action, recommended commands), summary.md,
// and reading a summary.json back honestly (missing, corrupt, newer or partial).
import fs from 'node:fs';
import path from 'node:path';
import { formatDuration, metricValue as fmt, signed } from '../core/format';
import { METRIC_NAMES, type Summary } from '../core/schemas';
import { SummaryReadError as ReportError, parseSummaryText } from './summaryRead';
import { councilLines } from './council';

import { compounded, isStormyHalt } from '../core/status';
import { curatorMarkdown } from './curatorSection';
export { compounded };

export function deriveDreamscape(
  s: Pick<Summary, 'status' | 'degraded' | 'iterations' | 'council' | 'next_action' | 'halt_reason' | 'fitness_delta'>,
): Summary['dreamscape'] {
  const composite = meanDelta(s.fitness_delta);
  let weather = 'steady';
  if (s.status === 'failed') weather = 'storm';
  else if (s.status === 'running') weather = 'unsettled';
  else if (isStormyHalt(s.halt_reason)) weather = 'storm-front';
  else if (composite > 0.005) weather = 'clear';
  else if (composite < -0.005) weather = 'fog';
  const visibility = s.status === 'failed' ? 'poor' : s.degraded.length ? 'limited' : 'full';
  let council = 'not-run';
  if (s.council) {
    const done = s.council.completed_runners.length;
    council = done === 0 ? 'silent' : done === 1 ? 'single-voice' : s.council.disagreements.length ? 'mixed' : 'aligned';
  }
  const tension = s.council?.disagreements[0] ?? s.degraded[0];
  return { weather, visibility, council, ...(tension ? { tension } : {}), first_move: s.next_action };
}

export function meanDelta(d: Record<string, number>): number {
  const v = Object.values(d);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
}

export function deriveNextAction(
  s: Pick<Summary, 'status' | 'morning_packets' | 'council' | 'failure_reason' | 'run_id' | 'goal' | 'degraded'>,
): string {
  if (s.status === 'failed')
    return `Read why the run failed (${s.failure_reason ?? 'unknown reason'}), then resume it: \`dream start --resume ${s.run_id}\`.`;
  if (s.status === 'running')
    return `This run is still running or was interrupted; if no Dream process is running, resume it: \`dream start --resume ${s.run_id}\`.`;
  const p = s.morning_packets[0];
  if (p) return `Start with "${p.title}": \`${p.morning_command}\`.`;
  if (s.council?.recommended_first_action) return s.council.recommended_first_action;
  if (s.goal) return `Resume the goal "${s.goal}" with the freshly compounded corpus.`;
  return 'Nothing urgent: skim the changes below and carry on with your day.';
}

export function deriveRecommended(
  s: Pick<Summary, 'morning_packets' | 'run_id' | 'repo_root' | 'status' | 'warn_only' | 'warn_only_remaining' | 'output_dir'>,
): string[] {
  const out: string[] = [];
  for (const p of s.morning_packets) out.push(p.morning_command);
  if (s.status === 'failed' || s.status === 'running')
    out.push(`dream start --resume ${s.run_id} --workspace ${JSON.stringify(s.repo_root)}`);
  out.push(`dream report --workspace ${JSON.stringify(s.repo_root)}`);
  if (s.warn_only && s.warn_only_remaining <= 0) out.push(`dream warn-only reset --workspace ${JSON.stringify(s.repo_root)}`);
  out.push(`cat ${JSON.stringify(path.join(s.output_dir, 'summary.json'))}`);
  return [...new Set(out)];
}

/** One-line answers to the four morning questions. */
export function fourAnswers(s: Summary): { state: string; ran: string; degraded: string; first: string } {
  const its = s.iterations;
  const live = its.filter(compounded);
  const changes = live.reduce((a, it) => a + it.changes.length, 0);
  const comp = meanDelta(s.fitness_delta);
  // §4: the composite is the mean over metrics defined (not n/a) on both sides
  const base = meanOf(s.fitness_baseline, s.fitness);
  const now = meanOf(s.fitness, s.fitness_baseline);
  let state: string;
  if (s.status === 'failed')
    state = `The run failed${s.failing_step ? ` at ${s.failing_step}` : ''}: ${s.failure_reason ?? 'unknown reason'}. ${
      /manual review required/.test(s.failure_reason ?? '')
        ? 'An iteration could not be reversed: its READY marker is kept for the next start (manual review required).'
        : live.length
          ? `${changes} change(s) from ${live.length} committed iteration(s) are live; nothing else changed.`
          : 'The corpus is as it was before the run.'
    }`;
  else if (s.status === 'running')
    state = `This run has not finished (still running or interrupted). ${live.length} iteration(s) committed so far.`;
  else
    state = `Run finished (${s.halt_reason ?? 'done'}${s.halt_reason === 'plateau' ? ': nothing more to improve' : ''}). Corpus fitness ${fmt(base)} → ${fmt(now)} (${signed(comp)}); ${changes} change(s) live from ${live.length} committed iteration(s).`;
  if (s.council?.read_only?.broken)
    state += ` The Dream Council broke the read-only rule: ${s.council.read_only.violations.map((v) => `${v.runner} changed ${v.files.length} file(s) outside .agents/`).join('; ')} (see Degraded).`;
  const byStatus = new Map<string, number>();
  for (const it of its) byStatus.set(it.status, (byStatus.get(it.status) ?? 0) + 1);
  const statusText = [...byStatus.entries()].map(([k, v]) => `${v} ${k}`).join(', ');
  const lanes = [
    s.council ? `council: ${s.council.completed_runners.length}/${s.council.requested_runners.length} runners` : 'council: not configured',
    s.curator ? `curator: ${s.curator.status}` : 'curator: off',
  ];
  const ran = `${its.length} iteration(s)${statusText ? ` (${statusText})` : ''} in ${formatDuration(s.duration_ms ?? 0)}; ${lanes.join('; ')}.`;
  const failedSteps = s.steps.filter((st) => st.status === 'failed' || st.status === 'soft-fail');
  const degraded =
    s.degraded.length || failedSteps.length
      ? `${s.degraded.length} degraded note(s)${failedSteps.length ? `, ${failedSteps.length} step(s) failed or soft-failed (${failedSteps.map((f) => f.name).join(', ')})` : ''}; first: ${s.degraded[0] ?? failedSteps[0]?.note ?? ''}`
      : 'Nothing degraded or failed.';
  return { state, ran, degraded, first: s.next_action };
}

function meanOf(v: Record<string, number | null>, other?: Record<string, number | null>): number | undefined {
  const xs = Object.entries(v)
    .filter(([k, x]) => typeof x === 'number' && (!other || typeof other[k] === 'number'))
    .map(([, x]) => x as number);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

export function renderMarkdown(s: Summary, notes: string[] = []): string {
  const a = fourAnswers(s);
  const L: string[] = [];
  L.push('# Dream Morning Report', '');
  for (const n of notes) L.push(`> ${n}`, '');
  L.push('## The four answers', '');
  L.push(`- **What state did I wake up to?** ${a.state}`);
  L.push(`- **What ran?** ${a.ran}`);
  L.push(`- **What degraded or failed?** ${a.degraded}`);
  L.push(`- **What should I do first?** ${a.first}`, '');
  L.push('## Run', '');
  L.push(`- Status: \`${s.status}\``, `- Run ID: \`${s.run_id}\``, `- Repo: \`${s.repo_root}\``, `- Output: \`${s.output_dir}\``);
  if (s.goal) L.push(`- Goal: ${s.goal}`);
  L.push(`- Started: \`${s.started_at}\``);
  if (s.finished_at) L.push(`- Finished: \`${s.finished_at}\``, `- Duration: \`${formatDuration(s.duration_ms ?? 0)}\``);
  L.push(`- Halt reason: \`${s.halt_reason ?? 'none'}\`${s.budget_exhausted ? ' (wall-clock budget exhausted)' : ''}`);
  if (s.plateau_reason) L.push(`- Plateau: ${s.plateau_reason}`);
  if (s.regression_reason) L.push(`- Regression: ${s.regression_reason}`);
  if (s.failure_reason) L.push(`- Failure: ${s.failure_reason}${s.failing_step ? ` (step \`${s.failing_step}\`)` : ''}`);
  L.push(`- Warn-only: \`${s.warn_only}\` (rescues left ${s.warn_only_remaining} of ${s.warn_only_budget_initial})`);
  if (s.measure_failure_halt) L.push('- MEASURE failures halted the run');
  L.push(
    `- Keep awake: \`${s.runtime.keep_awake}\` via \`${s.runtime.keep_awake_mode}\`${s.runtime.keep_awake_note ? ` — ${s.runtime.keep_awake_note}` : ''}`,
  );
  L.push(`- Timeout: \`${s.runtime.effective_timeout}\``, `- Log: \`${s.runtime.log_path}\``, '');
  L.push('## DreamScape', '');
  L.push(
    `- Weather: \`${s.dreamscape.weather}\``,
    `- Visibility: \`${s.dreamscape.visibility}\``,
    `- Council: \`${s.dreamscape.council}\``,
  );
  if (s.dreamscape.tension) L.push(`- Tension: ${s.dreamscape.tension}`);
  L.push(`- First move: ${s.dreamscape.first_move}`, '');
  L.push('## Iterations', '');
  if (!s.iterations.length) L.push('No iterations ran.', '');
  else {
    L.push('| # | status | committed | composite delta | changes | duration |', '|---|---|---|---|---|---|');
    for (const it of s.iterations)
      L.push(
        `| ${it.index} | \`${it.status}\` | ${it.committed ? 'yes' : 'no'} | ${signed(it.fitness_delta)} | ${it.changes.length} | ${formatDuration(it.duration_ms)} |`,
      );
    L.push('');
    for (const it of s.iterations) {
      if (it.error) L.push(`- iteration ${it.index}: ${it.error}`);
      for (const r of it.regressions)
        L.push(`- iteration ${it.index}: \`${r.name}\` dropped ${fmt(r.drop)} (${fmt(r.previous)} → ${fmt(r.current)}, floor ${r.floor})`);
    }
    L.push('');
  }
  L.push('## Fitness', '');
  const keys = [...new Set([...METRIC_NAMES, ...Object.keys(s.fitness)])];
  L.push('| metric | before run | now | delta |', '|---|---|---|---|');
  for (const k of keys)
    L.push(
      `| ${k} | ${fmt(s.fitness_baseline[k])} | ${fmt(s.fitness[k])} | ${s.fitness_delta[k] === undefined ? 'n/a' : signed(s.fitness_delta[k]!)} |`,
    );
  L.push('');
  L.push('## Changes', '');
  const live = s.iterations.filter((it) => it.changes.length);
  if (!live.length) L.push('No changes.');
  for (const it of live) {
    L.push(`### Iteration ${it.index} (${it.committed ? 'committed' : 'rolled back — not live'})`, '');
    for (const c of it.changes)
      L.push(
        `- \`${c.kind}\` \`.agents/${c.path}\`${c.moved_to ? ` → \`.agents/${c.moved_to}\`` : ''}: ${c.reason}${c.before ? ` (before: \`.agents/${c.before}\`)` : ''}`,
      );
    L.push('');
  }
  L.push('', '## Morning Packets', '');
  if (!s.morning_packets.length) L.push('No packets.');
  for (const p of s.morning_packets) {
    L.push(
      `### ${p.rank}. ${p.title}`,
      '',
      `- Severity: \`${p.severity}\` · Confidence: \`${p.confidence}\` · Type: \`${p.type}\``,
      `- Why now: ${p.why_now}`,
      `- Command: \`${p.morning_command}\``,
    );
    for (const e of p.evidence) L.push(`- Evidence: ${e}`);
    for (const t of p.target_files) L.push(`- Target file: \`${t}\``);
    L.push('');
  }
  L.push('', '## Dream Council', '');
  if (!s.council) L.push('Not run (no runners configured).');
  else for (const line of councilLines(s.council)) L.push(`- ${line}`);
  L.push('', '## Local Curator', '');
  L.push(...curatorMarkdown(s.curator, s.output_dir, s.repo_root));
  L.push('', '## What Ran', '');
  for (const st of s.steps) L.push(`- \`${st.name}\`: \`${st.status}\`${st.note ? ` (${st.note})` : ''}`);
  L.push('', '## Degraded', '');
  if (!s.degraded.length) L.push('Nothing degraded.');
  for (const d of s.degraded) L.push(`- ${d}`);
  L.push('', '## First Move', '', s.next_action, '', '## Recommended', '');
  for (const r of s.recommended) L.push(`- \`${r}\``);
  L.push('');
  return L.join('\n');
}

export { SummaryReadError as ReportError } from './summaryRead';
export { blankSummary } from './blank';

export interface LoadedReport {
  summary: Summary;
  file: string;
  /** what could not be read (newer schema, partial file) */
  notes: string[];
}

/** Reads summary.json from a folder or a file; throws ReportError with a plain message. */
export function loadReport(target: string): LoadedReport {
  let file = target;
  try {
    if (fs.statSync(target).isDirectory()) file = path.join(target, 'summary.json');
  } catch {
    throw new ReportError(`no morning report at ${target}: run \`dream start\` first (or pass --from <run folder>)`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ReportError(`no morning report at ${file}: run \`dream start\` first (or pass --from <run folder>)`);
  }
  const r = parseSummaryText(text, file);
  return { summary: r.summary, file, notes: r.notes };
}
