// Child process of the reliability suite: commits a plan (or recovers) and SIGKILLs itself at the
// n-th call of the write guard's fault seam (every write, rename, unlink, mkdir, rmdir, rmtree and
// named COMMIT/recovery step). argv[2] is JSON: { ws, mode, killAt, plan? }. Prints the seam count
// on success, so the parent knows how many kill points a plan has.
import { Staging, recoverFromCrash } from '../../../src/engine/commit/checkpoint';
import { fsSeam } from '../../../src/engine/core/fsutil';

interface Args {
  ws: string;
  mode: 'commit' | 'recover';
  /** 0 = never */
  killAt: number;
  runId?: string;
  index?: number;
  plan?: { op: 'write' | 'remove'; path: string; data?: string }[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
let n = 0;
fsSeam.hook = () => {
  n++;
  if (n === args.killAt) process.kill(process.pid, 'SIGKILL');
};
if (args.mode === 'commit') {
  const runId = args.runId ?? '20261125T000000Z';
  const index = args.index ?? 1;
  const s = new Staging(args.ws, runId, index, `${runId}-iter-${index}`);
  for (const op of args.plan ?? []) {
    if (op.op === 'write') s.write(op.path, Buffer.from(op.data ?? '', 'base64'));
    else s.remove(op.path);
  }
  s.commit();
} else {
  recoverFromCrash(args.ws);
}
process.stdout.write(String(n));
