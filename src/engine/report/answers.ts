// The four answers of §5.6 in plain words, and the views derived from the summary (weather,
// first move, recommended commands). Pure functions of a Summary.
import path from 'node:path';
import { formatDuration, metricValue as fmt, signed } from '../core/format';
import { shQuote } from '../../host/quote';
import type { IterationRecord, RestoreRecord, Summary } from '../core/schemas';
import { compounded, isStormyHalt } from '../core/status';
import { groupDegraded, groupLine, type DegradedGroup } from './degraded';
import { effectSentence, metricWords, nightEffect, plural, type NightEffect } from './night';
import type { Move } from './packets';

export const HALT_WORDS: Record<string, string> = {
  budget: 'the time budget ran out',
  'max-iterations': 'it reached the iteration limit',
  'safety-cap': 'it reached the safety cap of 100 iterations',
  plateau: 'there was nothing more to improve',
  regression: 'the next change would have made the corpus worse (it was rolled back)',
  integrity: 'a change would have lost note metadata (it was rolled back)',
  'measure-failures': 'measuring the corpus failed three times in a row',
  cancelled: 'you stopped it',
  error: 'it failed',
};

export function iterationWords(it: Pick<IterationRecord, 'index' | 'status' | 'committed' | 'changes' | 'error'>): string {
  const n = plural(it.changes.length, 'change');
  switch (it.status) {
    case 'done':
      return `iteration ${it.index} committed ${n}`;
    case 'degraded':
      return it.committed
        ? `iteration ${it.index} committed ${n} under warn-only`
        : `iteration ${it.index} could not be measured and was rolled back`;
    case 'halted-on-plateau':
      return `iteration ${it.index} found nothing more to improve (not committed)`;
    case 'halted-on-regression-pre-commit':
      return `iteration ${it.index} would have made the corpus worse and was rolled back`;
    case 'halted-on-regression-post-commit':
      return `iteration ${it.index} committed ${n}, then lost note metadata (a finding was written)`;
    case 'rolled-back-pre-commit':
      return `iteration ${it.index} was rolled back${it.error ? ` (${it.error.replace(/; the iteration was rolled back$/, '')})` : ''}`;
    case 'cancelled':
      return `iteration ${it.index} was stopped by you and rolled back`;
    default:
      return `iteration ${it.index} failed${it.error ? `: ${it.error}` : ''}`;
  }
}

/** §4: the composite is the mean over metrics defined (not n/a) on both sides */
function meanOf(v: Record<string, number | null>, other?: Record<string, number | null>): number | undefined {
  const xs = Object.entries(v)
    .filter(([k, x]) => typeof x === 'number' && Number.isFinite(x) && (!other || typeof other[k] === 'number'))
    .map(([, x]) => x as number);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}
export function meanDelta(d: Record<string, number>): number {
  return meanOf(d) ?? 0;
}

/** restores of earlier runs made since the previous report (stored by the run) */
export function restoresOf(s: Summary): RestoreRecord[] {
  const r = (s as Record<string, unknown>).restores_since_last_run;
  return Array.isArray(r) ? (r as RestoreRecord[]) : [];
}

/** how far the live count may fall in one night before the report calls it out (the default cap, §4.2) */
export function retireCap(before: number): number {
  return Math.max(1, Math.floor(before * 0.1));
}

export function emptyCorpus(e: NightEffect): boolean {
  return e.live.after === 0 && (e.live.before ?? 0) === 0;
}

/** what needs a person because of tonight (weather is `clear` only when this is empty and nothing regressed) */
export function needsReview(e: NightEffect): string[] {
  const out: string[] = [];
  if (e.rescues.length) out.push(`${plural(e.rescues.length, 'iteration')} committed under warn-only`);
  if (e.proposals.length) out.push(`${plural(e.proposals.length, 'note')} proposed for review`);
  if (e.routed.length) out.push(`${plural(e.routed.length, 'finding')} routed tonight`);
  if (e.flagged) out.push(`${plural(e.flagged, 'learning')} with broken citations`);
  const b = e.live.before ?? 0;
  const drop = b - (e.live.after ?? b);
  if (drop > retireCap(b)) out.push(`${drop} of ${b} live learnings left the corpus`);
  return out;
}

/** the Dream Council changing files outside .agents/ is named in the state answer */
function councilBroke(s: Summary): string {
  return s.council?.read_only?.broken
    ? ` The Dream Council broke the read-only rule: ${s.council.read_only.violations.map((v) => `${v.runner} changed ${v.files.length} file(s) outside .agents/`).join('; ')} (see Degraded).`
    : '';
}

function stateAnswer(s: Summary, e: NightEffect): string {
  return stateOfCorpus(s, e) + councilBroke(s);
}

function stateOfCorpus(s: Summary, e: NightEffect): string {
  const live = s.iterations.filter(compounded);
  const eff = effectSentence(e);
  const count =
    e.live.before !== null && e.live.after !== null ? `Live learnings ${e.live.before} → ${e.live.after}` : 'The corpus changed';
  const restored = restoresOf(s);
  const restoredText = restored.length
    ? ` Since the previous run you restored ${plural(
        restored.reduce((a, r) => a + r.paths.length, 0),
        'file',
      )} (${[...new Set(restored.map((r) => `run ${r.run_id}`))].join(', ')}).`
    : '';
  if (s.status === 'failed')
    return `The run failed${s.failing_step ? ` at ${s.failing_step}` : ''}: ${s.failure_reason ?? 'no reason recorded'}. ${
      /manual review required/.test(s.failure_reason ?? '')
        ? 'An iteration could not be reversed: its READY marker is kept for the next start (manual review required).'
        : live.length && eff
          ? `Before that it committed: ${eff}.`
          : 'The corpus is as it was before the run.'
    }${restoredText}`;
  if (s.status === 'running')
    return `This run has not finished (it is still running, or it was interrupted). So far: ${eff || 'no change to the corpus'}.${restoredText}`;
  if (emptyCorpus(e))
    return `The corpus has no learnings yet (nothing under .agents/learnings/), so there was nothing to improve or measure.${restoredText}`;
  const parts: string[] = [];
  if (s.halt_reason === 'cancelled') parts.push('You stopped the run.');
  parts.push(
    eff
      ? `${count}: ${eff}.`
      : `Nothing changed in the corpus${e.live.after !== null ? ` (${e.live.after} live ${e.live.after === 1 ? 'learning' : 'learnings'})` : ''}.`,
  );
  const b = e.live.before ?? 0;
  const drop = b - (e.live.after ?? b);
  if (drop > retireCap(b))
    parts.push(
      `That is ${drop} of ${b} live learnings gone in one night, more than the nightly cap of ${retireCap(b)}: look before you keep it.`,
    );
  for (const r of e.rescues)
    parts.push(
      r.regressions.length
        ? `Iteration ${r.iteration} was committed although it made the corpus worse (warn-only): ${r.regressions
            .map((g) => `${metricWords(g.name)} ${g.previous.toFixed(2)} → ${g.current.toFixed(2)}`)
            .join(', ')}.`
        : `Iteration ${r.iteration} was committed under warn-only although it improved nothing measurable.`,
    );
  const base = meanOf(s.fitness_baseline, s.fitness);
  const now = meanOf(s.fitness, s.fitness_baseline);
  if (base !== undefined && now !== undefined)
    parts.push(live.length ? `Fitness ${fmt(base)} → ${fmt(now)} (${signed(now - base)}).` : `Fitness ${fmt(base)}, unchanged.`);
  return parts.join(' ') + restoredText;
}

function ranAnswer(s: Summary): string {
  const its = s.iterations;
  const lanes = `Dream Council: ${
    s.council ? `${s.council.completed_runners.length} of ${s.council.requested_runners.length} runners answered` : 'not set up'
  }; local curator: ${s.curator ? s.curator.status : 'off'}.`;
  if (!its.length) return `No iteration ran${s.halt_reason ? ` (${HALT_WORDS[s.halt_reason] ?? s.halt_reason})` : ''}. ${lanes}`;
  let body: string;
  if (its.length <= 4) body = its.map(iterationWords).join('; ');
  else {
    const byWords = new Map<string, number>();
    for (const it of its) {
      const w = iterationWords({ ...it, index: 0, changes: [] })
        .replace(/^iteration 0 /, '')
        .replace(/ 0 changes/, ' changes');
      byWords.set(w, (byWords.get(w) ?? 0) + 1);
    }
    body = [...byWords.entries()].map(([w, n]) => `${n} ${w}`).join('; ');
  }
  const why = s.halt_reason ? ` It stopped because ${HALT_WORDS[s.halt_reason] ?? s.halt_reason}.` : '';
  return `${plural(its.length, 'iteration')} in ${formatDuration(s.duration_ms ?? 0)}: ${body}.${why} ${lanes}`;
}

export function degradedGroups(s: Summary): DegradedGroup[] {
  const steps = s.steps.filter((st) => (st.status === 'failed' || st.status === 'soft-fail') && !/^iteration-\d+$/.test(st.name));
  return groupDegraded([...s.degraded, ...steps.map((st) => `${st.name}: ${st.note ?? st.status}`)]);
}

function degradedAnswer(groups: DegradedGroup[]): string {
  if (!groups.length) return 'Nothing degraded or failed.';
  const [g, ...rest] = groups;
  return `${groupLine(g!)}${rest.length ? `. Also: ${rest.map((r) => (r.count > 1 ? `${r.count} × ${r.kind}` : r.kind)).join('; ')}` : ''}.`;
}

export interface FourAnswers {
  state: string;
  ran: string;
  degraded: string;
  first: string;
  effect: NightEffect;
  groups: DegradedGroup[];
}

/** One-paragraph answers to the four morning questions. */
export function fourAnswers(s: Summary): FourAnswers {
  const effect = nightEffect(s);
  const groups = degradedGroups(s);
  return { state: stateAnswer(s, effect), ran: ranAnswer(s), degraded: degradedAnswer(groups), first: s.next_action, effect, groups };
}

export function deriveDreamscape(s: Summary): Summary['dreamscape'] {
  const e = nightEffect(s);
  const groups = degradedGroups(s);
  const regressed = s.iterations.some((it) => it.regressions.length) || isStormyHalt(s.halt_reason);
  let weather = 'clear';
  if (s.status === 'failed') weather = 'storm';
  else if (s.status === 'running') weather = 'unsettled';
  else if (regressed) weather = 'storm-front';
  else if (needsReview(e).length) weather = 'cloudy';
  else if (!e.changes) weather = 'steady';
  const visibility =
    s.status === 'failed' ? 'poor' : groups.some((g) => g.area === 'corpus') ? 'limited' : groups.length ? 'partial' : 'full';
  let council = 'not-run';
  if (s.council) {
    const done = s.council.completed_runners.length;
    council = done === 0 ? 'silent' : done === 1 ? 'single-voice' : s.council.disagreements.length ? 'mixed' : 'aligned';
  }
  const tension = s.council?.disagreements[0] ?? (groups[0] ? groupLine(groups[0]) : undefined);
  return { weather, visibility, council, ...(tension ? { tension } : {}), first_move: s.next_action };
}

export const WEATHER_WORDS: Record<string, string> = {
  clear: 'clear: the night improved the corpus, nothing regressed and nothing needs your review',
  steady: 'steady: nothing changed and nothing needs you',
  cloudy: 'cloudy: the night changed things a person should look at',
  'storm-front': 'storm front: something got worse or was stopped before it could',
  storm: 'storm: the run failed',
  unsettled: 'unsettled: the run has not finished',
};

export function deriveNextAction(s: Summary, moves: Move[]): string {
  if (s.status === 'running')
    return `This run is still running or was interrupted; if no Dream process is running, resume it: \`dream start --resume ${s.run_id} --workspace ${shQuote(s.repo_root)}\`.`;
  const m = moves[0];
  if (m) return `${m.title}: \`${m.command}\`.`;
  if (s.council?.recommended_first_action) return s.council.recommended_first_action;
  if (s.goal) return `Nothing needs you because of tonight; carry on with "${s.goal}".`;
  return 'Nothing needs you because of tonight: no finding routed, nothing proposed, nothing regressed, no open queue item.';
}

export function deriveRecommended(s: Summary, moves: Move[]): string[] {
  const ws = shQuote(s.repo_root);
  const out: string[] = moves.slice(0, 3).map((m) => m.command);
  if (s.status === 'failed' || s.status === 'running') out.push(`dream start --resume ${s.run_id} --workspace ${ws}`);
  out.push(`dream report --workspace ${ws}`);
  if (s.iterations.some(compounded)) out.push(`dream restore ${s.run_id} --workspace ${ws}`);
  if (s.warn_only && s.warn_only_remaining <= 0) out.push(`dream warn-only reset --workspace ${ws}`);
  out.push(`cat ${shQuote(path.join(s.output_dir, 'summary.json'))}`);
  return [...new Set(out)];
}
