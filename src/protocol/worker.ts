// The typed protocol between the extension host and the run worker (worker_threads).
// Both directions are validated with zod on receipt.
import { z } from 'zod';
import { changeSchema, dreamEventSchema, HALT_REASONS, RUN_STATUSES, summarySchema } from '../engine';

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

/**
 * Reads for the editor, answered by a worker of their own (never the one running a night): a
 * summary.json (its change lists cut to SLIM_CHANGES per iteration) or one iteration's changes.
 * Parsing megabytes of JSON there keeps the extension host's event loop free.
 */
export const readSummaryRequestSchema = z.object({ type: z.literal('read-summary'), id: z.number().int(), file: z.string() });
export const readChangesRequestSchema = z.object({
  type: z.literal('read-changes'),
  id: z.number().int(),
  workspace: z.string(),
  runId: z.string(),
  index: z.number().int(),
});

export const hostToWorkerSchema = z.discriminatedUnion('type', [
  startRequestSchema,
  z.object({ type: z.literal('cancel'), reason: z.string().default('user stop') }),
  readSummaryRequestSchema,
  readChangesRequestSchema,
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
  z.object({
    type: z.literal('summary'),
    id: z.number().int(),
    read: z.object({ summary: summarySchema, notes: z.array(z.string()), changesTotal: z.record(z.string(), z.number()) }).nullable(),
    error: z.string().nullable(),
  }),
  z.object({ type: z.literal('changes'), id: z.number().int(), changes: z.array(changeSchema).nullable(), error: z.string().nullable() }),
]);
export type WorkerToHost = z.infer<typeof workerToHostSchema>;
