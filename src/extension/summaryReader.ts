// Summaries and change lists for the tree and the report, parsed in a worker thread of their own
// (dist/worker.js answering read-summary / read-changes, never the worker running a night): a
// summary of 10k changes is megabytes of JSON, and parsing it on the extension host would stall
// the editor. Only the slim summary (SLIM_CHANGES changes per iteration) crosses back. If the
// worker cannot start or dies, the reads are done on the host, as before.
import { Worker } from 'node:worker_threads';
import { summariesHere, type Change, type SlimSummary, type SummarySource } from '../engine';
import { workerToHostSchema, type HostToWorker } from '../protocol/worker';
import { Disposable, toDisposable } from './dispose';
import type { Log } from './log';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class SummaryReader extends Disposable implements SummarySource {
  private worker: Worker | null = null;
  private broken = false;
  private next = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
  ) {
    super();
    this._register(toDisposable(() => this.stop()));
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      const w = new Worker(this.workerPath, { name: 'Dream reader' });
      w.unref();
      w.on('message', (raw: unknown) => this.onMessage(raw));
      const fail = (why: string) => {
        if (this.worker !== w) return;
        this.log.warn(`the Dream reader worker stopped (${why}); reports are read on the extension host`);
        this.worker = null;
        this.broken = true;
        for (const p of this.pending.values()) p.reject(new Error(why));
        this.pending.clear();
      };
      w.on('error', (e: Error) => fail(e.message));
      w.on('exit', (code) => fail(`exit ${code}`));
      this.worker = w;
    } catch (e) {
      this.broken = true;
      this.log.warn(`could not start the Dream reader worker (${(e as Error).message}); reports are read on the extension host`);
    }
    return this.worker;
  }

  private stop(): void {
    const w = this.worker;
    this.worker = null;
    this.broken = true;
    if (w) void w.terminate();
  }

  private onMessage(raw: unknown): void {
    const parsed = workerToHostSchema.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type !== 'summary' && msg.type !== 'changes') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error !== null) p.reject(new Error(msg.error));
    else p.resolve(msg.type === 'summary' ? msg.read : msg.changes);
    if (!this.pending.size) this.worker?.unref();
  }

  private ask<T>(req: (id: number) => HostToWorker, here: () => Promise<T>): Promise<T> {
    const w = this.start();
    if (!w) return here();
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref(); // a read in flight keeps the worker's answers coming
      w.postMessage(req(id));
    });
  }

  summary(file: string): Promise<SlimSummary> {
    return this.ask<SlimSummary>(
      (id) => ({ type: 'read-summary', id, file }),
      () => summariesHere.summary(file),
    ).then((r) => ({ ...r, changesTotal: Object.fromEntries(Object.entries(r.changesTotal).map(([k, v]) => [Number(k), v])) }));
  }

  changes(workspace: string, runId: string, index: number): Promise<Change[]> {
    return this.ask<Change[]>(
      (id) => ({ type: 'read-changes', id, workspace, runId, index }),
      () => summariesHere.changes(workspace, runId, index),
    );
  }
}
