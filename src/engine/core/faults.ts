// Test hooks: faults injected into a run to prove recovery and halts. Never set in normal use.
// From the CLI they come from DREAM_TEST_FAULTS (JSON), from the worker in the start message.
import { z } from 'zod';
import { STAGES } from './events';
import { errnoError, fsSeam, type FsStep } from './fsutil';

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
    /** SIGKILL this process as iteration N enters this stage (a crash at a known point, without timing) */
    killAtStage: z.object({ iteration: z.number().int(), stage: z.enum(STAGES) }).optional(),
    /** slow every stage by this many ms (to test stop and deadlines) */
    stageDelayMs: z.number().int().min(0).optional(),
    /**
     * I/O fault through the write guard's seam (src/engine/core/fsutil.ts fsSeam): armed at the first
     * named step starting with `from` (default "commit:marker-ready"), the `nth` write, rename,
     * unlink, mkdir or rmdir after it throws `code` (every later one too when `sticky`), or with
     * `kill` the nth seam call of any kind (named steps included) SIGKILLs the process.
     */
    io: z
      .object({
        from: z.string().optional(),
        nth: z.number().int().min(1),
        code: z.enum(['ENOSPC', 'EIO', 'EACCES', 'EROFS']).optional(),
        sticky: z.boolean().optional(),
        kill: z.boolean().optional(),
      })
      .optional(),
    /** force the fitness of iteration N to drop on one metric by this amount */
    regressAt: z.object({ iteration: z.number().int(), metric: z.string(), drop: z.number() }).optional(),
  })
  .strict();
export type Faults = z.infer<typeof faultsSchema>;

/** Installs faults.io on the fs seam (a no-op without it); returns the uninstall function. */
export function installIoFault(faults: Faults): () => void {
  const io = faults.io;
  if (!io) return () => {};
  const from = io.from ?? 'commit:marker-ready';
  let armed = from === '';
  let n = 0;
  fsSeam.hook = (step: FsStep, target: string) => {
    if (!armed) {
      if (step === 'step' && target.startsWith(from)) armed = true;
      else return;
    }
    if (io.kill) {
      if (++n === io.nth) process.kill(process.pid, 'SIGKILL');
      return;
    }
    if (step === 'step') return;
    n++;
    if (n === io.nth || (io.sticky && n > io.nth)) throw errnoError(io.code ?? 'EIO', step, target);
  };
  return () => {
    fsSeam.hook = null;
  };
}

export function faultsFromEnv(env: NodeJS.ProcessEnv): Faults {
  const raw = env.DREAM_TEST_FAULTS;
  if (!raw) return {};
  return faultsSchema.parse(JSON.parse(raw));
}
