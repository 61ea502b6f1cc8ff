// Runs the engine in a worker_threads worker (dist/worker.js) and turns its messages into state,
// events and one result per run. The extension host never runs the loop itself.
//  - stop: `cancel` message (the engine rolls back the current iteration, halt_reason cancelled),
//    then worker.terminate() after a grace period
//  - a worker crash (error event / exit without `finished`) becomes a failed result with its reason
//  - dispose (window closing): terminate at once without cancelling, so the run stays `running` on
//    disk and "Dream: Resume Run" can continue it
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { releaseRunLock, abs, errorMessage, rel, signed, type DreamEvent, type HaltReason, type RunStatus } from '../engine';
import { endLeftoverRunner } from '../lanes/council/leftovers';
import { hostToWorkerSchema, workerToHostSchema, type HostToWorker, type StartRequest } from '../protocol/worker';
import { Disposable } from './dispose';
import type { Log } from './log';
import type { ControllerState } from './model/format';

export interface StartOptions {
  folder: string;
  goal?: string;
  resume?: string | null;
  /** VS Code settings the user set (see engine/run/settingSources) */
  userSettings?: Record<string, unknown>;
  /** command arguments: highest precedence */
  args?: Record<string, unknown>;
  /** test hook, see engine/faults.ts */
  faults?: Record<string, unknown>;
  /** workspace trust (runs are refused in untrusted workspaces before they get here) */
  trusted?: boolean;
}

export interface RunResult {
  folder: string;
  runId: string | null;
  /** done | failed | running (never: only after a forced stop the summary on disk may say so) */
  status: RunStatus;
  haltReason: HaltReason | null;
  failureReason: string | null;
  summaryPath: string | null;
  /** a user-facing error before or instead of a run (DreamError, settings, crash) */
  error: { message: string; code?: string } | null;
  /** the worker was terminated (stop grace period expired, crash, or dispose) */
  forced: boolean;
}

export class RunController extends Disposable {
  static readonly STOP_GRACE_MS = 10_000;

  private _state: ControllerState = { kind: 'idle' };
  private worker: Worker | null = null;
  private current: {
    folder: string;
    runId: string | null;
    settle: (r: RunResult) => void;
    settled: boolean;
    crash: Error | null;
    stopTimer: NodeJS.Timeout | null;
  } | null = null;
  private readonly stateEmitter = this._register(new vscode.EventEmitter<ControllerState>());
  private readonly eventEmitter = this._register(new vscode.EventEmitter<{ folder: string; event: DreamEvent }>());
  private readonly finishEmitter = this._register(new vscode.EventEmitter<RunResult>());
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidEvent = this.eventEmitter.event;
  readonly onDidFinish = this.finishEmitter.event;
  lastResult: RunResult | null = null;
  stopGraceMs = RunController.STOP_GRACE_MS;

  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
  ) {
    super();
  }

  get state(): ControllerState {
    return this._state;
  }
  get running(): boolean {
    return this.current !== null;
  }
  get folder(): string | null {
    return this.current?.folder ?? null;
  }
  get runId(): string | null {
    return this.current?.runId ?? null;
  }

  private setState(s: ControllerState): void {
    this._state = s;
    this.stateEmitter.fire(s);
  }

  /** Starts a run; the promise settles when the run has ended (any way). */
  start(o: StartOptions): Promise<RunResult> {
    if (this.current) {
      return Promise.resolve(
        this.errorResult(
          o.folder,
          `a Dream run is already in progress in this window (run ${this.current.runId ?? 'starting'}); stop it first`,
          'already-running',
        ),
      );
    }
    const request: StartRequest = {
      type: 'start',
      workspace: o.folder,
      userSettings: o.userSettings ?? {},
      args: o.args ?? {},
      goal: o.goal ?? '',
      resume: o.resume ?? null,
      trusted: o.trusted ?? true,
      ...(o.faults ? { faults: o.faults } : {}),
    };
    // validate what we send, too: a bad request is a bug here, not in the worker
    const checked = hostToWorkerSchema.parse(request);
    this.setState({ kind: 'starting', startedAt: Date.now() });
    this.log.info(
      `starting a bedtime run in ${o.folder}${o.resume ? ` (resuming ${o.resume})` : ''}${o.goal ? ` with goal "${o.goal}"` : ''}`,
    );
    let worker: Worker;
    try {
      worker = new Worker(this.workerPath, { name: 'Dream run' });
    } catch (e) {
      const r = this.errorResult(o.folder, `could not start the Dream worker (${this.workerPath}): ${errorMessage(e)}`);
      this.setState({ kind: 'idle' });
      return Promise.resolve(r);
    }
    this.worker = worker;
    return new Promise<RunResult>((resolve) => {
      const cur = {
        folder: o.folder,
        runId: null as string | null,
        settled: false,
        crash: null as Error | null,
        stopTimer: null as NodeJS.Timeout | null,
        settle: (r: RunResult) => {
          if (cur.settled) return;
          cur.settled = true;
          if (cur.stopTimer) clearTimeout(cur.stopTimer);
          if (this.current === cur) this.current = null;
          if (this.worker === worker) this.worker = null;
          worker.removeAllListeners();
          worker.on('error', () => undefined);
          void worker.terminate().then(() => {
            if (r.forced) this.releaseOwnLock(r.folder, r.runId);
          });
          this.lastResult = r;
          if (r.runId) {
            this.setState({
              kind: 'finished',
              runId: r.runId,
              status: r.status,
              haltReason: r.haltReason,
              failureReason: r.failureReason ?? r.error?.message ?? null,
            });
          } else this.setState({ kind: 'idle' });
          this.finishEmitter.fire(r);
          resolve(r);
        },
      };
      this.current = cur;
      worker.on('message', (raw: unknown) => this.onMessage(cur, raw));
      worker.on('error', (err: Error) => {
        cur.crash = err;
        this.log.error(`the Dream worker crashed: ${err.stack ?? err.message}`);
      });
      worker.on('exit', (code: number) => {
        if (cur.settled) return;
        const reason = cur.crash
          ? `the Dream worker crashed: ${cur.crash.message}`
          : `the Dream worker exited (code ${code}) before the run finished`;
        this.log.error(reason);
        cur.settle({
          folder: cur.folder,
          runId: cur.runId,
          status: 'failed',
          haltReason: 'error',
          failureReason: reason,
          summaryPath: cur.runId ? abs(cur.folder, rel.summaryJson(cur.runId)) : null,
          error: { message: reason },
          forced: true,
        });
      });
      worker.postMessage(checked satisfies HostToWorker);
    });
  }

  private onMessage(cur: NonNullable<RunController['current']>, raw: unknown): void {
    const parsed = workerToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(
        `ignored an invalid message from the Dream worker: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'event') {
      this.onEvent(cur, msg.event);
      return;
    }
    if (msg.type === 'finished') {
      this.log.info(
        `run ${msg.runId} ${msg.status}${msg.haltReason ? ` (halt: ${msg.haltReason})` : ''}${msg.failureReason ? `: ${msg.failureReason}` : ''}`,
      );
      cur.settle({
        folder: cur.folder,
        runId: msg.runId,
        status: msg.status,
        haltReason: msg.haltReason ?? null,
        failureReason: msg.failureReason ?? null,
        summaryPath: msg.summaryPath,
        error: null,
        forced: false,
      });
      return;
    }
    if (msg.type === 'summary' || msg.type === 'changes') return; // answers of a reader worker, not of a run
    // error: before the run existed (DreamError, settings) or an unexpected throw
    this.log.error(
      `${msg.error.name}: ${msg.error.message}${msg.error.stack && msg.error.name !== 'DreamError' && msg.error.name !== 'SettingsError' ? `\n${msg.error.stack}` : ''}`,
    );
    cur.settle({
      folder: cur.folder,
      runId: cur.runId,
      status: 'failed',
      haltReason: cur.runId ? 'error' : null,
      failureReason: msg.error.message,
      summaryPath: cur.runId ? abs(cur.folder, rel.summaryJson(cur.runId)) : null,
      error: { message: msg.error.message, ...(msg.error.code ? { code: msg.error.code } : {}) },
      forced: false,
    });
  }

  private onEvent(cur: NonNullable<RunController['current']>, e: DreamEvent): void {
    const s = this._state;
    switch (e.type) {
      case 'run-started':
        cur.runId = e.runId;
        this.setState({
          kind: 'running',
          runId: e.runId,
          iteration: 0,
          stage: null,
          startedAt: Date.now(),
          stopping: s.kind === 'running' && s.stopping,
        });
        break;
      case 'iteration-started':
        if (s.kind === 'running') this.setState({ ...s, iteration: e.index, stage: null });
        this.log.info(`iteration ${e.index} started`);
        break;
      case 'stage':
        if (s.kind === 'running' && e.state === 'started') this.setState({ ...s, iteration: e.index, stage: e.stage });
        this.log.debug(`iteration ${e.index}: ${e.stage} ${e.state}`);
        break;
      case 'iteration-finished': {
        const it = e.iteration;
        this.log.info(
          `iteration ${it.index} ${it.status}: composite delta ${signed(it.fitness_delta, 4)}, ${e.changesTotal ?? it.changes.length} change(s), ${it.duration_ms} ms${it.error ? ` — ${it.error}` : ''}`,
        );
        break;
      }
      case 'halted':
        this.log.info(`halt: ${e.reason} (${e.detail})`);
        break;
      case 'step':
        this.log.debug(`step ${e.step.name}: ${e.step.status}${e.step.note ? ` (${e.step.note})` : ''}`);
        break;
      case 'run-finished':
        this.log.info(`run ${e.runId} finished: ${e.status}; report ${e.reportPath}`);
        break;
      case 'log':
        if (e.level === 'error') this.log.error(e.message);
        else if (e.level === 'warn') this.log.warn(e.message);
        else if (e.level === 'debug') this.log.debug(e.message);
        else if (e.level === 'trace') this.log.trace(e.message);
        else this.log.info(e.message);
        break;
    }
    this.eventEmitter.fire({ folder: cur.folder, event: e });
  }

  /** Cooperative stop; terminates the worker when it has not finished after the grace period. */
  stop(): boolean {
    const cur = this.current;
    if (!cur || !this.worker) return false;
    const s = this._state;
    if (s.kind === 'running') {
      if (s.stopping) return true;
      this.setState({ ...s, stopping: true });
    }
    this.log.info(`stopping run ${cur.runId ?? '(starting)'}: the current iteration is rolled back`);
    this.worker.postMessage({ type: 'cancel', reason: 'stopped by the user' } satisfies HostToWorker);
    const worker = this.worker;
    cur.stopTimer = setTimeout(() => {
      if (cur.settled) return;
      const reason = `the run did not stop within ${Math.round(this.stopGraceMs / 1000)} s, so its worker was terminated; the interrupted iteration is recovered at the next start, and the run can be resumed`;
      this.log.warn(reason);
      void worker.terminate();
      cur.settle({
        folder: cur.folder,
        runId: cur.runId,
        status: 'failed',
        haltReason: 'cancelled',
        failureReason: reason,
        summaryPath: cur.runId ? abs(cur.folder, rel.summaryJson(cur.runId)) : null,
        error: { message: reason },
        forced: true,
      });
    }, this.stopGraceMs);
    return true;
  }

  /**
   * A terminated worker cannot release the run lock, and the lock holds this (still alive) process's
   * pid; remove it when it is ours and names the run we ran.
   */
  private releaseOwnLock(folder: string, runId: string | null): void {
    // a council runner started by the terminated worker is not its child thread's to end any more
    const leftover = runId ? endLeftoverRunner(folder, runId) : null;
    if (leftover) this.log.warn(leftover);
    try {
      if (releaseRunLock(folder, process.pid, runId)) this.log.info(`released the run lock of the terminated run ${runId ?? ''}`);
    } catch (e) {
      this.log.warn(`could not release the run lock: ${errorMessage(e)}`);
    }
  }

  private errorResult(folder: string, message: string, code?: string): RunResult {
    return {
      folder,
      runId: null,
      status: 'failed',
      haltReason: null,
      failureReason: message,
      summaryPath: null,
      error: { message, ...(code ? { code } : {}) },
      forced: false,
    };
  }

  /** Window closing: leave the run resumable (no cancel), end the thread, release our lock. */
  async shutdown(): Promise<void> {
    const cur = this.current;
    const worker = this.worker;
    if (!cur || !worker) return;
    this.log.info(`window closing: run ${cur.runId ?? ''} is left resumable`);
    cur.settled = true;
    this.current = null;
    this.worker = null;
    if (cur.stopTimer) clearTimeout(cur.stopTimer);
    worker.removeAllListeners();
    worker.on('error', () => undefined);
    try {
      await worker.terminate();
    } catch {
      /* already gone */
    }
    this.releaseOwnLock(cur.folder, cur.runId);
  }

  override dispose(): void {
    void this.shutdown();
    super.dispose();
  }
}

export function workerPathFor(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'worker.js');
}
