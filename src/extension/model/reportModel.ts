// Builds the morning report's view-model from a Summary (no vscode import). The webview only
// renders this model, with textContent, so corpus text never becomes markup.
import {
  compounded,
  councilLines,
  curatorLines,
  focusOf,
  fourAnswers,
  groupLine,
  METRIC_NAMES,
  proposalsOf,
  type RestoreRecord,
  type Summary,
} from '../../engine';
import type { FirstMoveAction, ReportViewModel } from '../../protocol/webview';
import { formatDuration, metricValue as fmt, signed } from '../../engine';

export const MAX_CHANGES_IN_REPORT = 500;
/** notes proposed for review the report lists (summary.md lists them all; "Archive These" takes them all) */
export const MAX_REVIEW_IN_REPORT = 200;

const COMMANDS: [RegExp, string][] = [
  [/^dream\s+report\b/, 'dream.openReport'],
  [/^dream\s+warn-only\s+reset\b/, 'dream.resetWarnOnly'],
  [/^dream\s+setup\b/, 'dream.setup'],
  [/^dream\s+curator\s+status\b/, 'dream.curatorStatus'],
  [/^dream\s+curator\s+diagnose\b/, 'dream.curatorDiagnose'],
  [/^dream\s+curator\s+enqueue\b/, 'dream.curatorEnqueue'],
  [/^dream\s+curator\s+compact\b/, 'dream.curatorCompact'],
  [/^dream\s+curator\s+event\b/, 'dream.curatorEvent'],
  [/^dream\s+start\b/, 'dream.start'],
  [/^dream\s+restore\b/, 'dream.restoreRun'],
];

/** Unquotes a shell-ish argument ("a b" JSON-quoted, 'a b', or bare). */
function unquote(arg: string): string {
  const a = arg.trim();
  if (a.startsWith('"')) {
    try {
      return JSON.parse(a) as string;
    } catch {
      return a.slice(1, a.endsWith('"') ? -1 : undefined);
    }
  }
  if (a.startsWith("'")) return a.slice(1, a.endsWith("'") ? -1 : undefined);
  return a.split(/\s+/)[0] ?? a;
}

/** Maps a morning command (`code "file"`, `dream start --resume R`, `dream report`, …) to an action. */
export function actionForCommand(command: string): FirstMoveAction {
  const c = command.trim().replace(/^`|`$/g, '');
  const open = /^(?:code|open|cat|less|vi|vim|nano)\s+(?:-g\s+|\+\d+\s+)?(.+)$/.exec(c);
  if (open) {
    const p = unquote(open[1]!);
    const at = /^(.*):(\d+)$/.exec(p);
    if (at && /\s-g\s/.test(` ${c} `)) return { kind: 'open-file', path: at[1]!, line: Number(at[2]) };
    return p ? { kind: 'open-file', path: p } : { kind: 'none' };
  }
  const resume = /^dream\s+start\b.*--resume[ =]+("?)([0-9TZ]+)\1/.exec(c);
  if (resume) return { kind: 'command', command: 'dream.resume', args: [resume[2]!] };
  for (const [re, id] of COMMANDS) if (re.test(c)) return { kind: 'command', command: id, args: [] };
  return { kind: 'none' };
}

/** The first `inline code` of a sentence (next_action quotes its command that way). */
export function commandInText(text: string): string | null {
  const m = /`([^`]+)`/.exec(text);
  return m ? m[1]! : null;
}

export function firstMove(s: Summary, live: boolean): ReportViewModel['firstMove'] {
  const text = s.next_action || s.dreamscape.first_move || 'Nothing urgent.';
  if (live)
    return {
      text: 'The run is still going; the report updates after every iteration.',
      label: 'Stop Run',
      action: { kind: 'command', command: 'dream.stop', args: [] },
    };
  const candidates: string[] = [];
  const inline = commandInText(text);
  const packet = s.morning_packets[0];
  // next_action names the command of the first packet, or resume for failed/interrupted runs
  if (inline) candidates.push(inline);
  if (packet) candidates.push(packet.morning_command);
  for (const c of candidates) {
    const action = actionForCommand(c);
    if (action.kind === 'none') continue;
    const label = action.kind === 'open-file' ? `Open ${action.path}` : labelFor(action.command);
    return { text, label, action };
  }
  if (packet?.target_files[0])
    return { text, label: `Open ${packet.target_files[0]}`, action: { kind: 'open-file', path: packet.target_files[0] } };
  return { text, label: 'Nothing to run', action: { kind: 'none' } };
}

function labelFor(command: string): string {
  const labels: Record<string, string> = {
    'dream.resume': 'Resume Run',
    'dream.openReport': 'Open Morning Report',
    'dream.resetWarnOnly': 'Reset Warn-only Budget',
    'dream.setup': 'Setup',
    'dream.start': 'Start Bedtime Run',
    'dream.stop': 'Stop Run',
    'dream.curatorStatus': 'Curator Status',
    'dream.curatorDiagnose': 'Curator Diagnose',
    'dream.curatorEnqueue': 'Curator Enqueue Job',
    'dream.curatorCompact': 'Curator Compact',
    'dream.curatorEvent': 'Curator Record Event',
  };
  return labels[command] ?? command;
}

function banner(s: Summary, live: boolean): ReportViewModel['banner'] {
  if (s.status === 'failed')
    return { kind: 'failed', text: `This run failed at step ${s.failing_step ?? 'unknown'}: ${s.failure_reason ?? 'no reason recorded'}` };
  if (s.status === 'running')
    return {
      kind: 'running',
      text: live
        ? 'This run is still running; this report shows the iterations finished so far and refreshes as it goes.'
        : 'This run is still running or was interrupted (no Dream process holds it now). Resume it to continue with the remaining budget.',
    };
  if (s.status === 'planned' || s.status === 'dry-run') return { kind: 'info', text: `This run is ${s.status}; nothing was changed.` };
  return null;
}

export interface BuildOptions {
  summaryPath: string;
  notes?: string[];
  /** true when a Dream process is running this run right now */
  live?: boolean;
  /** restores of this run's changes (restores.jsonl) */
  restores?: RestoreRecord[];
  /** the last nights' summaries, oldest first (for the chart of live learnings and fitness) */
  history?: Summary[];
  /** iteration index -> its number of changes, for iterations the summary lists short (a slim read) */
  changesTotal?: Record<number, number>;
}

/** composite fitness: the mean over the metrics measured (n/a left out) */
function composite(v: Record<string, number | null>): number | null {
  const xs = Object.values(v).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** the state answer's counts as figures */
function figures(a: ReturnType<typeof fourAnswers>): ReportViewModel['figures'] {
  const e = a.effect;
  const out: ReportViewModel['figures'] = [];
  if (e.live.before !== null && e.live.after !== null)
    out.push({
      label: 'live learnings',
      value: `${e.live.before} → ${e.live.after}`,
      tone: e.live.after < e.live.before ? 'bad' : e.live.after > e.live.before ? 'good' : 'neutral',
    });
  const add = (label: string, n: number, tone: 'good' | 'bad' | 'neutral' = 'neutral') => {
    if (n) out.push({ label, value: String(n), tone });
  };
  add('promoted', e.promoted, 'good');
  add('merged', e.merged, 'good');
  add('archived', e.archivedTotal);
  add('flagged citations', e.flagged, 'bad');
  add('findings routed', e.routed.length, 'bad');
  add('proposed for review', e.proposals.length, 'bad');
  add('warn-only rescues', e.rescues.length, 'bad');
  return out;
}

export function buildReportViewModel(s: Summary, o: BuildOptions): ReportViewModel {
  const live = !!o.live && s.status === 'running';
  const a = fourAnswers(s);
  const its = [...s.iterations].sort((x, y) => x.index - y.index);
  const proposals = proposalsOf(s);
  const countOf = (it: { index: number; changes: unknown[] }) => o.changesTotal?.[it.index] ?? it.changes.length;
  // fitness chart: the corpus before the run, then each iteration's measured vector
  const metrics = [
    ...new Set<string>([
      ...METRIC_NAMES.filter((m) => m in s.fitness || m in s.fitness_baseline || its.some((it) => m in it.fitness_after)),
      ...Object.keys(s.fitness),
    ]),
  ];
  const points = ['start', ...its.map((it) => String(it.index))];
  const clamp = (v: number | null | undefined) =>
    v === undefined || v === null || !Number.isFinite(v) ? null : Math.min(1, Math.max(0, v));
  const series = metrics.map((metric) => ({
    metric,
    values: [clamp(s.fitness_baseline[metric] ?? its[0]?.fitness_before[metric]), ...its.map((it) => clamp(it.fitness_after[metric]))],
  }));
  const rows = metrics.map((metric) => ({
    metric,
    before: fmt(s.fitness_baseline[metric]),
    now: fmt(s.fitness[metric]),
    delta: s.fitness_delta[metric] === undefined ? 'n/a' : signed(s.fitness_delta[metric]!),
  }));
  const restored = new Set((o.restores ?? []).flatMap((r) => r.paths.map((p) => p.path)));
  const changes: ReportViewModel['changes'] = [];
  let changesTotal = 0;
  for (const it of its) {
    changesTotal += countOf(it);
    it.changes.forEach((c, position) => {
      if (changes.length >= MAX_CHANGES_IN_REPORT) return;
      changes.push({
        iteration: it.index,
        position,
        kind: c.kind,
        path: c.path,
        movedTo: c.moved_to ?? null,
        reason: c.reason,
        hasBefore: c.before !== null,
        committed: it.committed,
        restored: restored.has(c.path) || (!!c.moved_to && restored.has(c.moved_to)),
      });
    });
  }
  const council: ReportViewModel['council'] = s.council
    ? {
        title: 'Dream Council',
        lines: councilLines(s.council),
      }
    : null;
  const curator: ReportViewModel['curator'] = s.curator
    ? {
        title: 'Local Curator',
        lines: [`Enabled: ${s.curator.enabled ? 'yes' : 'no'}`, ...curatorLines(s.curator)],
      }
    : null;
  return {
    runId: s.run_id,
    status: s.status,
    goal: s.goal,
    workspace: s.repo_root,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
    duration: formatDuration(s.duration_ms),
    haltReason: s.halt_reason,
    banner: banner(s, live),
    notes: o.notes ?? [],
    answers: [
      { question: 'What state did I wake up to?', answer: a.state },
      { question: 'What ran?', answer: a.ran },
      { question: 'What degraded or failed?', answer: a.degraded },
      { question: 'What should I do first?', answer: a.first || s.next_action || 'Nothing urgent.' },
    ],
    firstMove: firstMove(s, live),
    iterations: its.map((it) => ({
      index: it.index,
      status: it.status,
      committed: it.committed,
      delta: compounded(it) ? signed(it.fitness_delta) : '—',
      deltaValue: it.fitness_delta,
      changes: countOf(it),
      duration: formatDuration(it.duration_ms),
      error: it.error,
      regressions: it.regressions.map((r) => `${r.name} dropped ${fmt(r.drop)} (${fmt(r.previous)} → ${fmt(r.current)}, floor ${r.floor})`),
    })),
    fitness: { points, series, rows },
    changes,
    changesTotal,
    packets: s.morning_packets.map((p) => ({
      rank: p.rank,
      title: p.title,
      severity: p.severity,
      whyNow: p.why_now,
      command: p.morning_command,
    })),
    council,
    curator,
    steps: s.steps.map((st) => ({ name: st.name, status: st.status, note: st.note ?? '' })),
    degraded: s.degraded,
    summaryPath: o.summaryPath,
    figures: figures(a),
    history: [...(o.history ?? []).filter((h) => h.run_id !== s.run_id), s]
      .sort((x, y) => (x.run_id < y.run_id ? -1 : 1))
      .slice(-14)
      .map((h) => {
        const e = fourAnswers(h).effect;
        return { runId: h.run_id, live: e.live.after, fitness: composite(h.fitness), current: h.run_id === s.run_id };
      }),
    review: proposals.slice(0, MAX_REVIEW_IN_REPORT).map((p) => ({ path: p.path, reason: p.reason })),
    reviewTotal: proposals.length,
    focus: focusOf(s).map((f) => ({ priority: f.priority, matches: f.matches.map((m) => ({ ...m, path: `.agents/${m.path}` })) })),
    degradedGroups: a.groups.map((g) => ({ area: g.area, line: groupLine(g) })),
    restorable: s.iterations.some((it) => compounded(it) && countOf(it) > 0),
    restores: (o.restores ?? []).map(
      (r) =>
        `${r.restored_at}: ${r.scope === 'run' ? 'the whole run' : r.requested.map((p) => `.agents/${p}`).join(', ')} (${r.paths.length} file${r.paths.length === 1 ? '' : 's'})`,
    ),
  };
}
