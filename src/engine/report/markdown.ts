// summary.md: the four answers first, then focus, first moves, iterations, fitness, changes, restores,
// council, curator, what ran, degraded (grouped), in plain words.
import { packOfBeforeImage } from '../commit/beforePack';
import { formatDuration, metricValue as fmt, signed } from '../core/format';
import { shQuote } from '../../host/quote';
import { METRIC_NAMES, type RestoreRecord, type Summary } from '../core/schemas';
import { compounded } from '../core/status';
import { fourAnswers, iterationWords, restoresOf, WEATHER_WORDS } from './answers';
import { groupLine } from './degraded';
import { councilLines } from './council';
import { curatorMarkdown } from './curatorSection';
import type { FocusItem } from './focus';
import { metricWords, proposalsOf, type Proposal } from './night';
import { mdCode as escCode, mdText as escText, plainText } from './escape';

export function focusOf(s: Summary): FocusItem[] {
  const f = (s as Record<string, unknown>).focus;
  return Array.isArray(f) ? (f as FocusItem[]) : [];
}

function keepAwakeWords(r: Summary['runtime']): string {
  if (!r.keep_awake) return 'off';
  // the reason is listed once, under degraded
  if (r.keep_awake_mode === 'error' || r.keep_awake_mode === 'unavailable' || r.keep_awake_mode === 'disabled')
    return 'asked for, but not available on this machine (see what degraded)';
  return `on (${r.keep_awake_mode})`;
}

export interface RenderOptions {
  /** restores of this run's changes (restores.jsonl in its folder) */
  restores?: RestoreRecord[];
  /** for a terminal: corpus text as plain text (no HTML entities or markdown escapes); summary.md keeps them */
  plain?: boolean;
}

export function renderMarkdown(s: Summary, notes: string[] = [], o: RenderOptions = {}): string {
  const mdText = o.plain ? plainText : escText;
  const mdCode = o.plain ? plainText : escCode;
  const a = fourAnswers(s);
  const L: string[] = [];
  L.push(`# Dream Morning Report — run ${s.run_id}`, '');
  for (const n of notes) L.push(`> ${mdText(n)}`, '');
  L.push('## The four answers', '');
  L.push(`- **What state did I wake up to?** ${mdText(a.state)}`);
  L.push(`- **What ran?** ${mdText(a.ran)}`);
  L.push(`- **What degraded or failed?** ${mdText(a.degraded)}`);
  L.push(`- **What should I do first?** ${mdText(a.first)}`, '');
  L.push(`Overall: ${WEATHER_WORDS[s.dreamscape.weather] ?? s.dreamscape.weather}.`, '');

  const focus = focusOf(s);
  if (focus.length) {
    L.push('## Your priorities for tonight', '');
    for (const f of focus) {
      L.push(`### ${mdText(f.priority)}`, '');
      if (!f.matches.length) L.push('No learning matches this priority yet.', '');
      for (const m of f.matches)
        L.push(`- ${mdText(m.title)} — ${mdCode(`.agents/${m.path}`)}${m.changed ? ` (tonight: ${mdText(m.changed)})` : ''}`);
      if (f.matches.length) L.push('');
    }
  }

  L.push('## First moves', '');
  if (!s.morning_packets.length) L.push('Nothing needs you because of tonight.', '');
  for (const p of s.morning_packets) {
    L.push(`${p.rank}. **${mdText(p.title)}** (${mdText(p.severity)}) — ${mdText(p.why_now)}`, `   ${mdCode(p.morning_command)}`);
    for (const e of p.evidence.slice(0, 5)) L.push(`   - ${mdText(e)}`);
  }
  L.push('');

  const props = proposalsOf(s);
  if (props.length) {
    L.push('## Proposed for review', '');
    for (const p of props) L.push(`- ${mdCode(p.path)} — ${mdText(p.reason)}`);
    L.push(
      '',
      `Archive these after a look (they move to learnings/.archive/; nothing is deleted): ${mdCode(archiveAllCommand(s.repo_root, props))}`,
      '',
    );
  }

  L.push('## Run', '');
  L.push(
    `- Status: ${mdText(s.status)}${s.halt_reason ? ` — stopped because ${(a.ran.match(/stopped because ([^.]*)/) ?? [])[1] ?? s.halt_reason}` : ''}`,
  );
  L.push(`- Workspace: ${mdCode(s.repo_root)}`, `- Run folder: ${mdCode(s.output_dir)}`);
  if (s.goal) L.push(`- Goal: ${mdText(s.goal)}`);
  L.push(`- Started: ${mdText(s.started_at)}`);
  if (s.finished_at) L.push(`- Finished: ${mdText(s.finished_at)} (${formatDuration(s.duration_ms ?? 0)})`);
  if (s.plateau_reason) L.push(`- Why it stopped improving: ${mdText(s.plateau_reason.replace(/^plateau:\s*/i, ''))}`);
  if (s.regression_reason) L.push(`- Regression: ${mdText(s.regression_reason)}`);
  if (s.failure_reason) L.push(`- Failure: ${mdText(s.failure_reason)}${s.failing_step ? ` (at ${mdText(s.failing_step)})` : ''}`);
  L.push(
    s.warn_only
      ? `- Warn-only: on — ${s.warn_only_remaining} of ${s.warn_only_budget_initial} rescues left (a rescue commits an iteration that made the corpus worse or improved nothing, and names it here)`
      : '- Warn-only: off (an iteration that makes the corpus worse is rolled back and the run stops)',
  );
  if (s.measure_failure_halt) L.push('- Measuring the corpus failed three times in a row, so the run stopped');
  L.push(`- Keep-awake: ${keepAwakeWords(s.runtime)}`);
  L.push(`- Time budget: ${s.runtime.effective_timeout || s.runtime.requested_timeout}`, `- Log: ${mdCode(s.runtime.log_path)}`, '');

  L.push('## Iterations', '');
  if (!s.iterations.length) L.push('No iterations ran.', '');
  else {
    L.push('| # | what happened | fitness change | duration |', '|---|---|---|---|');
    for (const it of s.iterations)
      L.push(
        `| ${it.index} | ${iterationWords(it).replace(/^iteration \d+ /, '')} | ${compounded(it) ? signed(it.fitness_delta) : '—'} | ${formatDuration(it.duration_ms)} |`,
      );
    L.push('');
    for (const it of s.iterations)
      for (const r of it.regressions)
        L.push(
          `- iteration ${it.index}: ${metricWords(r.name)} dropped ${r.drop.toFixed(3)} (${fmt(r.previous)} → ${fmt(r.current)}; allowed drop ${r.floor})`,
        );
    L.push('');
  }

  L.push('## Fitness', '');
  const keys = [...new Set([...METRIC_NAMES, ...Object.keys(s.fitness)])];
  L.push('| metric | before the run | now | change |', '|---|---|---|---|');
  for (const k of keys)
    L.push(
      `| ${metricWords(k)} | ${fmt(s.fitness_baseline[k])} | ${fmt(s.fitness[k])} | ${s.fitness_delta[k] === undefined ? 'n/a' : signed(s.fitness_delta[k]!)} |`,
    );
  L.push('');

  L.push('## Changes', '');
  const withChanges = s.iterations.filter((it) => it.changes.length);
  if (!withChanges.length) L.push('No changes.', '');
  for (const it of withChanges) {
    L.push(`### Iteration ${it.index} (${compounded(it) ? 'committed' : 'rolled back — not live'})`, '');
    for (const c of it.changes)
      L.push(
        `- ${c.kind} ${mdCode(`.agents/${c.path}`)}${c.moved_to ? ` → ${mdCode(`.agents/${c.moved_to}`)}` : ''}: ${mdText(c.reason)}${c.before ? ` (before-image in ${mdCode(`.agents/${packOfBeforeImage(c.before) ?? c.before}`)})` : ''}`,
      );
    L.push('');
  }
  if (withChanges.some(compounded))
    L.push(
      `Undo: ${mdCode(`dream restore ${s.run_id} --workspace ${shQuote(s.repo_root)}`)} puts the whole run back; add ${mdCode(`--change PATH`)} for one file.`,
      '',
    );

  const restores = [...(o.restores ?? [])];
  if (restores.length) {
    L.push('## Restored', '');
    for (const r of restores)
      L.push(
        `- ${mdText(r.restored_at)}: ${r.scope === 'run' ? 'the whole run' : r.requested.map((p) => `${mdCode(`.agents/${p}`)}`).join(', ')} (${r.paths.length} file(s)${r.paths.some((p) => p.forced) ? ', some forced' : ''})`,
      );
    L.push('');
  }
  const since = restoresOf(s);
  if (since.length) {
    L.push('## Restored since the previous run', '');
    for (const r of since)
      L.push(`- run ${r.run_id}, ${mdText(r.restored_at)}: ${r.paths.map((p) => `${mdCode(`.agents/${p.path}`)}`).join(', ')}`);
    L.push('');
  }

  L.push('## Dream Council', '');
  if (!s.council) L.push('Not set up (no runners configured).');
  else for (const line of councilLines(s.council)) L.push(`- ${mdText(line)}`);
  L.push('', '## Local Curator', '');
  L.push(...curatorMarkdown(s.curator, s.output_dir, s.repo_root));
  L.push('', '## Steps', '');
  for (const st of s.steps) L.push(`- ${mdText(st.name)}: ${mdText(st.status)}${st.note ? ` (${mdText(st.note)})` : ''}`);
  L.push('', '## Degraded', '');
  if (!a.groups.length) L.push('Nothing degraded.');
  for (const g of a.groups) L.push(`- ${mdText(groupLine(g))}`);
  L.push('', '## Recommended commands', '');
  for (const r of s.recommended) L.push(`- ${mdCode(r)}`);
  L.push('');
  return L.join('\n');
}

/** one command that archives every proposed note (the CLI's `dream archive PATH...`) */
export function archiveAllCommand(workspace: string, props: Proposal[]): string {
  return `dream archive ${props.map((p) => shQuote(p.path)).join(' ')} --workspace ${shQuote(workspace)}`;
}
