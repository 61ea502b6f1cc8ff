// Test hooks: faults injected into a run to prove recovery and halts. Never set in normal use.
// From the CLI they come from DREAM_TEST_FAULTS (JSON), from the worker in the start message.
import { z } from 'zod';

export const faultsSchema = z
  .object({
    /** SIGKILL this process during COMMIT of iteration N after `afterOps` operations */
    crashInCommit: z.object({ iteration: z.number().int(), afterOps: z.number().int().min(0) }).optional(),
    /** SIGKILL this process while `dream restore` applies its operations, after `afterOps` of them */
    crashInRestore: z.object({ afterOps: z.number().int().min(0) }).optional(),
    /** throw inside INGEST of iteration N */
    ingestError: z.number().int().optional(),
    /** MEASURE throws on these iterations ("all" = every iteration) */
    measureError: z.union([z.literal('all'), z.array(z.number().int())]).optional(),
    /** REDUCE strips a frontmatter key from a kept learning (pre-commit integrity failure) */
    reduceStripKey: z.number().int().optional(),
    /** after COMMIT of iteration N, strip a key from a live learning (post-commit integrity failure) */
    postCommitStripKey: z.number().int().optional(),
    /** slow every stage by this many ms (to test stop and deadlines) */
    stageDelayMs: z.number().int().min(0).optional(),
    /** force the fitness of iteration N to drop on one metric by this amount */
    regressAt: z.object({ iteration: z.number().int(), metric: z.string(), drop: z.number() }).optional(),
  })
  .strict();
export type Faults = z.infer<typeof faultsSchema>;

export function faultsFromEnv(env: NodeJS.ProcessEnv): Faults {
  const raw = env.DREAM_TEST_FAULTS;
  if (!raw) return {};
  return faultsSchema.parse(JSON.parse(raw));
}
