// Every file format Dream reads or writes, as zod schemas. Additive changes only.
import { z } from 'zod';
import { CHANGE_KINDS, HALT_REASONS, ITERATION_STATUSES, RUN_STATUSES, STEP_STATUSES } from './status';

export {
  CHANGE_KINDS,
  HALT_REASONS,
  ITERATION_STATUSES,
  RUN_STATUSES,
  STEP_STATUSES,
  type HaltReason,
  type IterationStatus,
  type RunStatus,
  type StepStatus,
} from './status';

export const METRIC_NAMES = [
  'frontmatter_validity',
  'maturity_provisional_or_higher',
  'citation_coverage',
  'citation_validity',
  'inject_visibility',
  'uniqueness',
  'freshness',
  'findings_resolution',
  'retrieval_self_test',
  'index_consistency',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
/** §4: a metric with nothing to measure is null ("n/a"), never 1 */
export type FitnessVector = Record<string, number | null>;
const fitnessSchema = z.record(z.string(), z.number().nullable());

export const changeSchema = z.object({
  path: z.string(),
  kind: z.enum(CHANGE_KINDS),
  reason: z.string(),
  before: z.string().nullable(),
  /** for archived/superseded notes: where the note lives now */
  moved_to: z.string().optional(),
  /** sha256 of the bytes this iteration left at `path` (null: it removed the file); absent in older runs */
  after_hash: z.string().nullable().optional(),
  /** before-image of `moved_to` (null: it did not exist) and the hash of what was left there */
  moved_to_before: z.string().nullable().optional(),
  moved_to_hash: z.string().nullable().optional(),
});
export type Change = z.infer<typeof changeSchema>;

export const regressionSchema = z.object({
  name: z.string(),
  previous: z.number(),
  current: z.number(),
  drop: z.number(),
  floor: z.number(),
});
export type Regression = z.infer<typeof regressionSchema>;

const counters = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

export const iterationSchema = z.object({
  id: z.string(),
  index: z.number().int().positive(),
  started_at: z.string(),
  finished_at: z.string(),
  duration_ms: z.number(),
  status: z.enum(ITERATION_STATUSES),
  /** true when this iteration's changes are live in the corpus */
  committed: z.boolean(),
  ingest: counters,
  reduce: counters,
  measure: counters,
  fitness_before: fitnessSchema,
  fitness_after: fitnessSchema,
  fitness_delta: z.number(),
  metric_deltas: z.record(z.string(), z.number()).default({}),
  regressions: z.array(regressionSchema),
  changes: z.array(changeSchema),
  degraded: z.array(z.string()),
  error: z.string().nullable(),
  /** where the iteration's time went, phase by phase (core/phases.ts), in milliseconds */
  phases: z.record(z.string(), z.number()).optional(),
});
export type IterationRecord = z.infer<typeof iterationSchema>;

export const stepSchema = z.object({
  name: z.string(),
  status: z.enum(STEP_STATUSES),
  note: z.string().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const packetSchema = z.object({
  id: z.string(),
  rank: z.number().int(),
  title: z.string(),
  type: z.string(),
  severity: z.string(),
  confidence: z.string(),
  why_now: z.string(),
  evidence: z.array(z.string()),
  target_files: z.array(z.string()),
  morning_command: z.string(),
  source: z.string().optional(),
});
export type MorningPacket = z.infer<typeof packetSchema>;

export const councilSchema = z
  .object({
    requested_runners: z.array(z.string()),
    completed_runners: z.array(z.string()),
    failed_runners: z.array(z.string()),
    consensus_policy: z.string(),
    consensus_kind: z.string().optional(),
    recommended_first_action: z.string().optional(),
    reports: z.array(z.record(z.string(), z.unknown())),
    disagreements: z.array(z.string()),
    wildcard_ideas: z.array(z.string()),
    note: z.string().optional(),
    /** one line per requested runner: who ran, for how long, why it failed or was skipped */
    runs: z
      .array(
        z.object({
          runner: z.string(),
          status: z.enum(['completed', 'failed', 'skipped']),
          duration_ms: z.number(),
          reason: z.string().optional(),
          /** the validated report, relative to .agents/ */
          report_path: z.string().optional(),
        }),
      )
      .optional(),
    /** read-only proof: the workspace outside .agents/overnight/ before and after each runner */
    read_only: z
      .object({
        checked: z.boolean(),
        broken: z.boolean(),
        violations: z.array(z.object({ runner: z.string(), files: z.array(z.string()) })),
        note: z.string().optional(),
      })
      .optional(),
    /** why no runner was started at all (untrusted workspace, stopped before the council) */
    skipped_reason: z.string().optional(),
  })
  .passthrough();
export type CouncilSummary = z.infer<typeof councilSchema>;

export const curatorSummarySchema = z
  .object({
    enabled: z.boolean(),
    status: z.string(),
    jobs_processed: z.number().optional(),
    /** draft paths relative to .agents/ */
    drafts: z.array(z.string()).optional(),
    note: z.string().optional(),
    ollama_url: z.string().optional(),
    model: z.string().optional(),
    jobs: z
      .array(
        z
          .object({
            id: z.string(),
            kind: z.string(),
            status: z.string(),
            drafts: z.array(z.string()),
            reason: z.string().optional(),
            escalation: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
    failures: z.array(z.object({ id: z.string(), kind: z.string(), reason: z.string() }).passthrough()).optional(),
    cap: z.object({ hourly_cap: z.number(), used_this_hour: z.number(), remaining: z.number() }).passthrough().optional(),
    queue_left: z.number().optional(),
  })
  .passthrough();
export type CuratorSummary = z.infer<typeof curatorSummarySchema>;

export const dreamscapeSchema = z.object({
  weather: z.string(),
  visibility: z.string(),
  council: z.string(),
  tension: z.string().optional(),
  first_move: z.string(),
});

/** §5.5 a retirement over the cap, or an old-and-unused note listed for review */
export const proposalSchema = z.object({
  path: z.string(),
  reason: z.string(),
  command: z.string(),
  /** the id of the note that replaces this one (a copy held back by the retire cap, §1 rule 6) */
  superseded_by: z.string().optional(),
});
export type Proposal = z.infer<typeof proposalSchema>;

export const SUMMARY_SCHEMA_VERSION = 2;
export const summarySchema = z
  .object({
    schema_version: z.literal(SUMMARY_SCHEMA_VERSION),
    mode: z.literal('dream.local-bedtime'),
    run_id: z.string(),
    goal: z.string(),
    repo_root: z.string(),
    output_dir: z.string(),
    status: z.enum(RUN_STATUSES),
    dry_run: z.boolean(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    duration_ms: z.number().nullable(),
    halt_reason: z.enum(HALT_REASONS).nullable(),
    budget_exhausted: z.boolean(),
    runtime: z.object({
      keep_awake: z.boolean(),
      keep_awake_mode: z.string(),
      keep_awake_note: z.string().optional(),
      requested_timeout: z.string(),
      effective_timeout: z.string(),
      lock_path: z.string(),
      log_path: z.string(),
      pid: z.number().optional(),
    }),
    steps: z.array(stepSchema),
    iterations: z.array(iterationSchema),
    fitness: fitnessSchema,
    fitness_baseline: fitnessSchema.default({}),
    fitness_delta: z.record(z.string(), z.number()),
    plateau_reason: z.string().nullable(),
    regression_reason: z.string().nullable(),
    warn_only: z.boolean(),
    warn_only_budget_initial: z.number(),
    warn_only_remaining: z.number(),
    measure_failure_halt: z.boolean(),
    failure_reason: z.string().nullable(),
    failing_step: z.string().nullable().default(null),
    council: councilSchema.nullable(),
    curator: curatorSummarySchema.nullable(),
    dreamscape: dreamscapeSchema,
    /** pinned priorities (tonight.md) with the live learnings that match them (§5.6) */
    focus: z
      .array(
        z.object({
          priority: z.string(),
          matches: z.array(z.object({ path: z.string(), title: z.string(), changed: z.string().optional() })),
        }),
      )
      .optional(),
    /** restores of earlier runs' changes made since the previous run (§5.7) */
    restores_since_last_run: z.array(z.lazy(() => restoreRecordSchema)).optional(),
    morning_packets: z.array(packetSchema).max(3),
    degraded: z.array(z.string()),
    recommended: z.array(z.string()),
    next_action: z.string(),
    resumed_from: z.string().nullable().default(null),
    /** §5.5 live learnings before the run and after its last committed iteration (additive) */
    live_learnings: z.object({ before: z.number().nullable(), after: z.number().nullable() }).default({ before: null, after: null }),
    /** §5.5 retirements over the cap and age-only review candidates (additive) */
    proposals: z.array(proposalSchema).default([]),
  })
  .passthrough();
export type Summary = z.infer<typeof summarySchema>;

export const markerSchema = z.object({
  state: z.enum(['READY', 'DONE']),
  iteration_id: z.string(),
  started_at: z.string(),
  ops: z.array(
    z.object({
      op: z.enum(['write', 'remove']),
      /** path relative to .agents/ */
      path: z.string(),
      /** staged bytes (relative to .agents/) for writes */
      staged: z.string().nullable(),
      /** before-image (relative to .agents/) or null when the file did not exist */
      backup: z.string().nullable(),
      /** sha256 of the bytes the op leaves behind (null for remove) */
      after_hash: z.string().nullable(),
    }),
  ),
  /** folders (relative to .agents/) the commit creates; reversal removes them again when empty */
  created_dirs: z.array(z.string()).optional(),
  /** the durable pack of the before-images (commit/beforePack.ts); absent in markers of older versions */
  pack: z.string().optional(),
});
export type CommitMarker = z.infer<typeof markerSchema>;

export const warnOnlyBudgetSchema = z.object({
  version: z.number().int(),
  remaining: z.number().int(),
  initial_budget: z.number().int(),
  last_reset_at: z.string().nullable().optional(),
  last_decrement_at: z.string().nullable().optional(),
});
export type WarnOnlyBudgetFile = z.infer<typeof warnOnlyBudgetSchema>;

export const indexEntrySchema = z.object({
  id: z.string(),
  path: z.string(),
  title: z.string(),
  tags: z.array(z.string()),
  maturity: z.string(),
  hash: z.string(),
  summary: z.string(),
});
export type IndexEntry = z.infer<typeof indexEntrySchema>;

/** one line of overnight/runs/<runId>/restores.jsonl: a restore of that run's changes (§5.7) */
export const restoreRecordSchema = z.object({
  restore_id: z.string(),
  run_id: z.string(),
  restored_at: z.string(),
  /** one or more changes (`--change`), or the whole run */
  scope: z.enum(['change', 'run']),
  /** what was asked for (paths relative to .agents/); empty for a whole run */
  requested: z.array(z.string()),
  paths: z.array(
    z.object({
      path: z.string(),
      /** restored: the pre-run bytes are back; removed: the run created it, so it is gone again */
      action: z.enum(['restored', 'removed']),
      /** true when the file had changed since the run and --force overrode the refusal */
      forced: z.boolean(),
    }),
  ),
});
export type RestoreRecord = z.infer<typeof restoreRecordSchema>;
