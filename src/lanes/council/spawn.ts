// One runner process, through execa with an argument array (never a shell). The process starts in
// its own process group (detached) so a timeout, a Stop or a runner that leaves children behind is
// ended as a whole tree: SIGTERM to the group, SIGKILL after a grace period. Output is buffered
// (bounded) for validation; the caller logs a bounded tail.
import fs from 'node:fs';
import { execa } from 'execa';

export type SpawnFn = typeof execa;

export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** the process could not be started (ENOENT, EACCES ...) or its output overflowed */
  error?: string;
  pid?: number;
}

export interface RunProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** SIGTERM → SIGKILL delay (ms) */
  graceMs?: number;
  maxBuffer?: number;
  spawn?: SpawnFn;
  /** called with the pid (= process group id) as soon as the process exists */
  onSpawn?: (pid: number) => void;
}

/** Is any process of group `pgid` still running? (On Linux zombies waiting for a reaper do not count.) */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return true;
  }
  for (const p of pids) {
    const st = procStat(Number(p));
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') return true;
  }
  return false;
}

/** state and process group of a pid from /proc (Linux), or null */
export function procStat(pid: number): { state: string; pgrp: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

/** Signals the whole process tree of `pid`; quietly does nothing when it is gone. */
export function killTree(pid: number, signal: NodeJS.Signals, spawn: SpawnFn = execa): void {
  if (process.platform === 'win32') {
    // no process groups on Windows: taskkill walks the tree (argument array, no shell)
    void spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { reject: false, windowsHide: true, stdin: 'ignore' });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

// a Dream that exits while a runner is alive takes the runner's group with it
const live = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  live.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of live) killTree(p, 'SIGKILL');
    });
  }
}

export async function runProcess(file: string, args: readonly string[], o: RunProcessOptions): Promise<ProcessOutcome> {
  const spawn = o.spawn ?? execa;
  const t0 = Date.now();
  const grace = o.graceMs ?? 2000;
  let timedOut = false;
  let cancelled = false;
  if (o.signal?.aborted) return { exitCode: null, signal: null, stdout: '', stderr: '', timedOut, cancelled: true, durationMs: 0 };
  const child = spawn(file, [...args], {
    cwd: o.cwd,
    env: o.env,
    extendEnv: false,
    stdin: 'ignore',
    detached: process.platform !== 'win32',
    cleanup: true,
    reject: false,
    maxBuffer: o.maxBuffer ?? 8 * 1024 * 1024,
    stripFinalNewline: false,
    windowsHide: true,
  });
  const pid = child.pid;
  if (pid !== undefined) {
    track(pid);
    o.onSpawn?.(pid);
  }
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'cancel') => {
    if (timedOut || cancelled) return;
    if (why === 'timeout') timedOut = true;
    else cancelled = true;
    if (pid === undefined) return;
    killTree(pid, 'SIGTERM', spawn);
    killTimer = setTimeout(() => killTree(pid, 'SIGKILL', spawn), grace);
  };
  const timer = setTimeout(() => stop('timeout'), Math.max(1, o.timeoutMs));
  const onAbort = () => stop('cancel');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    const failedToStart = r.failed && r.exitCode === undefined && !r.signal && !r.isTerminated;
    return {
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      timedOut,
      cancelled,
      durationMs: Date.now() - t0,
      ...(failedToStart || r.isMaxBuffer ? { error: r.shortMessage ?? r.message } : {}),
      ...(pid !== undefined ? { pid } : {}),
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined && process.platform !== 'win32') {
      // the runner is gone; anything left in its group (a grandchild) is ended now
      if (groupAlive(pid)) {
        killTree(pid, 'SIGTERM', spawn);
        const until = Date.now() + grace;
        while (groupAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        if (groupAlive(pid)) killTree(pid, 'SIGKILL', spawn);
      }
    }
    if (killTimer) clearTimeout(killTimer);
    if (pid !== undefined) live.delete(pid);
  }
}
