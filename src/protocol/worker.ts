// The typed protocol between the extension host and the run worker (worker_threads).
// Both directions are validated with zod on receipt.
import { z } from 'zod';
import { dreamEventSchema, HALT_REASONS, RUN_STATUSES } from '../engine';

export const startRequestSchema = z.object({
  type: z.literal('start'),
  workspace: z.string(),
  /** settings layers as plain objects; the worker resolves them with the engine's schema */
  userSettings: z.record(z.string(), z.unknown()),
  args: z.record(z.string(), z.unknown()),
  goal: z.string().default(''),
  resume: z.string().nullable().default(null),
  /** workspace trust as the host sees it: lanes that spawn processes or call models skip when false */
  trusted: z.boolean().default(true),
  /** test hook: injected faults (see engine/faults.ts) */
  faults: z.record(z.string(), z.unknown()).optional(),
});
export type StartRequest = z.infer<typeof startRequestSchema>;

export const hostToWorkerSchema = z.discriminatedUnion('type', [
  startRequestSchema,
  z.object({ type: z.literal('cancel'), reason: z.string().default('user stop') }),
]);
export type HostToWorker = z.infer<typeof hostToWorkerSchema>;

export const serializedErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
  /** DreamError code (no-corpus, already-running, bad-settings, bad-resume, io) when there is one */
  code: z.string().optional(),
});

export const workerToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: dreamEventSchema }),
  z.object({
    type: z.literal('finished'),
    runId: z.string().nullable(),
    status: z.enum(RUN_STATUSES),
    summaryPath: z.string().nullable(),
    exitCode: z.number(),
    haltReason: z.enum(HALT_REASONS).nullable().optional(),
    failureReason: z.string().nullable().optional(),
  }),
  z.object({ type: z.literal('error'), error: serializedErrorSchema }),
]);
export type WorkerToHost = z.infer<typeof workerToHostSchema>;
