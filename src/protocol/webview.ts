// The typed protocol between the extension host and the morning-report webview.
// Both directions are validated with zod on receipt. The webview bundle imports this file too, so
// it must stay free of Node and vscode imports: of the engine it uses the vocabulary only.
import { z } from 'zod';
import { CHANGE_KINDS, HALT_REASONS, ITERATION_STATUSES, RUN_STATUSES, STEP_STATUSES } from '../engine/core/status';

/** What the "do this first" button does. Decided host-side from next_action / the first packet. */
export const firstMoveActionSchema = z.discriminatedUnion('kind', [
  /** open a file of the workspace (path relative to the workspace folder) */
  z.object({ kind: z.literal('open-file'), path: z.string(), line: z.number().int().positive().optional() }),
  /** run a VS Code command of Dream (e.g. dream.resume with a run id) */
  z.object({ kind: z.literal('command'), command: z.string(), args: z.array(z.unknown()).default([]) }),
  z.object({ kind: z.literal('none') }),
]);
export type FirstMoveAction = z.infer<typeof firstMoveActionSchema>;

export const reportIterationSchema = z.object({
  index: z.number(),
  status: z.enum(ITERATION_STATUSES),
  committed: z.boolean(),
  /** composite delta, signed text (e.g. "+0.012") */
  delta: z.string(),
  deltaValue: z.number(),
  changes: z.number(),
  duration: z.string(),
  error: z.string().nullable(),
  regressions: z.array(z.string()),
});

export const reportChangeSchema = z.object({
  iteration: z.number(),
  /** position in that iteration's changes[] (identifies the change for openDiff) */
  position: z.number(),
  kind: z.enum(CHANGE_KINDS),
  path: z.string(),
  movedTo: z.string().nullable(),
  reason: z.string(),
  hasBefore: z.boolean(),
  committed: z.boolean(),
  /** the change was restored (§5.7) */
  restored: z.boolean().default(false),
});

export const fitnessChartSchema = z.object({
  /** x labels: "start" (the corpus before the run) then "1", "2", … */
  points: z.array(z.string()),
  series: z.array(z.object({ metric: z.string(), values: z.array(z.number().nullable()) })),
  rows: z.array(z.object({ metric: z.string(), before: z.string(), now: z.string(), delta: z.string() })),
});

export const reportSectionLinesSchema = z.object({ title: z.string(), lines: z.array(z.string()) }).nullable();

export const reportViewModelSchema = z.object({
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  goal: z.string(),
  workspace: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  duration: z.string(),
  haltReason: z.enum(HALT_REASONS).nullable(),
  /** honest banner for failed / running-or-interrupted runs */
  banner: z.object({ kind: z.enum(['failed', 'running', 'info']), text: z.string() }).nullable(),
  /** what could not be read (newer schema, partial or invalid fields) */
  notes: z.array(z.string()),
  answers: z.array(z.object({ question: z.string(), answer: z.string() })),
  firstMove: z.object({ text: z.string(), label: z.string(), action: firstMoveActionSchema }),
  iterations: z.array(reportIterationSchema),
  fitness: fitnessChartSchema,
  changes: z.array(reportChangeSchema),
  /** total number of changes (the list may be capped) */
  changesTotal: z.number(),
  packets: z.array(z.object({ rank: z.number(), title: z.string(), severity: z.string(), whyNow: z.string(), command: z.string() })),
  council: reportSectionLinesSchema,
  curator: reportSectionLinesSchema,
  steps: z.array(z.object({ name: z.string(), status: z.enum(STEP_STATUSES), note: z.string() })),
  degraded: z.array(z.string()),
  summaryPath: z.string(),
  /** the state answer's counts as figures (live learnings, promoted, merged, archived, ...) */
  figures: z.array(z.object({ label: z.string(), value: z.string(), tone: z.enum(['good', 'bad', 'neutral']) })).default([]),
  /** the last nights, oldest first: live learnings and composite fitness after each run */
  history: z
    .array(z.object({ runId: z.string(), live: z.number().nullable(), fitness: z.number().nullable(), current: z.boolean() }))
    .default([]),
  /** pinned priorities (tonight.md) with the live learnings that match them */
  focus: z
    .array(
      z.object({
        priority: z.string(),
        matches: z.array(z.object({ path: z.string(), title: z.string(), changed: z.string().optional() })),
      }),
    )
    .default([]),
  /** notes proposed for review (retirements over the cap, age-only candidates) */
  review: z.array(z.object({ path: z.string(), reason: z.string() })).default([]),
  /** how many notes were proposed (`review` lists the first MAX_REVIEW_IN_REPORT) */
  reviewTotal: z.number().default(0),
  /** degraded lines grouped by kind, corpus first */
  degradedGroups: z.array(z.object({ area: z.string(), line: z.string() })).default([]),
  /** this run left changes that can be restored */
  restorable: z.boolean().default(false),
  /** restores of this run's changes */
  restores: z.array(z.string()).default([]),
});
export type ReportViewModel = z.infer<typeof reportViewModelSchema>;

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('render'), model: reportViewModelSchema }),
  /** the report could not be read at all */
  z.object({ type: z.literal('error'), message: z.string(), summaryPath: z.string().nullable() }),
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  /** the script is loaded and listening; the host (re)sends the current model */
  z.object({ type: z.literal('ready') }),
  /** the DOM was built from a model (lets tests see what the webview really rendered) */
  z.object({ type: z.literal('rendered'), runId: z.string(), headings: z.array(z.string()), answers: z.number() }),
  z.object({ type: z.literal('openDiff'), iteration: z.number().int(), position: z.number().int() }),
  z.object({ type: z.literal('firstMove') }),
  z.object({ type: z.literal('openFile'), path: z.string() }),
  z.object({ type: z.literal('restoreChange'), iteration: z.number().int(), position: z.number().int() }),
  z.object({ type: z.literal('restoreRun') }),
  z.object({ type: z.literal('archiveReview') }),
  z.object({ type: z.literal('refresh') }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

/** What the webview keeps with vscode.setState (and the serializer gets back after a reload). */
export const webviewStateSchema = z.object({ summaryPath: z.string().nullable(), runId: z.string().nullable().optional() });
export type WebviewState = z.infer<typeof webviewStateSchema>;
