// Progress events of a bedtime run. Plain JSON so a worker thread can post them as they are.
import { z } from 'zod';
import { HALT_REASONS, RUN_STATUSES, iterationSchema, stepSchema } from './schemas';

export const STAGES = ['ingest', 'reduce', 'measure', 'commit'] as const;
export type Stage = (typeof STAGES)[number];

export const dreamEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-started'),
    runId: z.string(),
    workspace: z.string(),
    runDir: z.string(),
    startedAt: z.string(),
    resumed: z.boolean(),
    pid: z.number(),
  }),
  z.object({ type: z.literal('iteration-started'), runId: z.string(), index: z.number(), startedAt: z.string() }),
  z.object({
    type: z.literal('stage'),
    runId: z.string(),
    index: z.number(),
    stage: z.enum(STAGES),
    state: z.enum(['started', 'finished']),
  }),
  z.object({
    type: z.literal('iteration-finished'),
    runId: z.string(),
    iteration: iterationSchema,
    /** set when `iteration.changes` was shortened for the wire (the full list is in iter-N.json) */
    changesTotal: z.number().int().optional(),
  }),
  z.object({ type: z.literal('step'), runId: z.string(), step: stepSchema }),
  z.object({ type: z.literal('halted'), runId: z.string(), reason: z.enum(HALT_REASONS), detail: z.string() }),
  z.object({
    type: z.literal('run-finished'),
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    summaryPath: z.string(),
    reportPath: z.string(),
  }),
  z.object({ type: z.literal('log'), level: z.enum(['trace', 'debug', 'info', 'warn', 'error']), message: z.string() }),
]);
export type DreamEvent = z.infer<typeof dreamEventSchema>;
export type EventSink = (e: DreamEvent) => void;
