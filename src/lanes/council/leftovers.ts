// A runner outliving its run: the editor may terminate the run's worker thread (Stop that did not
// finish in time, a closing window) and no code of the lane runs after that. While a runner runs,
// its process group is recorded in the run's council folder; the editor calls endLeftoverRunner()
// after terminating a worker, and the record is removed when the runner ends normally.
import fs from 'node:fs';
import { abs, CorpusWriter, rel } from '../../engine';
import { groupAlive, killTree, procStat } from './spawn';

export const runningRel = (runId: string) => `${rel.run(runId)}/council/running.json`;

interface RunningRecord {
  runner: string;
  pid: number;
  command: string;
  started_at: string;
}

export function recordRunning(writer: CorpusWriter, runId: string, r: RunningRecord): void {
  writer.write(runningRel(runId), JSON.stringify(r) + '\n');
}

export function clearRunning(writer: CorpusWriter, runId: string): void {
  writer.removeFile(runningRel(runId));
}

/**
 * Is the live group `pid` still the runner's? Linux never hands out a pid that is in use as a
 * process group id, so a live group is ours unless its leader is a different, newer program.
 */
function sameProcess(r: RunningRecord): boolean {
  if (process.platform !== 'linux') return true;
  const st = procStat(r.pid);
  if (!st || st.state === 'Z' || st.pgrp !== r.pid) return true; // the leader is gone; its children are left
  try {
    const cmd = fs.readFileSync(`/proc/${r.pid}/cmdline`, 'utf8');
    return cmd.includes(r.runner) || cmd.includes(r.command);
  } catch {
    return true;
  }
}

/**
 * Ends the process group of a council runner that a terminated run left behind (SIGKILL) and
 * removes the record. Returns a line for the log, or null when there was nothing to end.
 */
export function endLeftoverRunner(workspace: string, runId: string): string | null {
  let rec: RunningRecord;
  try {
    rec = JSON.parse(fs.readFileSync(abs(workspace, runningRel(runId)), 'utf8')) as RunningRecord;
  } catch {
    return null;
  }
  let line: string | null = null;
  if (Number.isInteger(rec.pid) && rec.pid > 1 && groupAlive(rec.pid) && sameProcess(rec)) {
    killTree(rec.pid, 'SIGKILL');
    line = `ended the Dream Council runner ${rec.runner} (process group ${rec.pid}) left running by the stopped run ${runId}`;
  }
  try {
    clearRunning(new CorpusWriter(workspace), runId);
  } catch {
    /* the record stays; the next call finds the group gone */
  }
  return line;
}
