// The test seam of an iteration: the faults a test injects (core/faults.ts), applied at named points.
// With no faults every hook does nothing, so the iteration runner reads as the production path.
import fs from 'node:fs';
import type { Stage } from '../core/events';
import type { Faults } from '../core/faults';
import type { FitnessVector, IterationRecord } from '../core/schemas';
import { abs } from '../core/paths';
import type { CorpusView } from '../corpus/corpus';
import { parseNote } from '../corpus/note';
import type { Staging } from '../commit/checkpoint';
import { CorpusWriter } from '../commit/writer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultSeam {
  constructor(readonly faults: Faults) {}

  /** true when a test injects any fault (caches that skip stages are then off) */
  get active(): boolean {
    return Object.values(this.faults).some((v) => v !== undefined);
  }

  /** a crash as iteration `index` enters `stage` */
  enterStage(index: number, stage: Stage): void {
    const k = this.faults.killAtStage;
    if (k && k.iteration === index && k.stage === stage) process.kill(process.pid, 'SIGKILL');
  }

  /** slows a stage down, still honouring stops and the deadline */
  async delayStage(stopCheck: () => void): Promise<void> {
    if (!this.faults.stageDelayMs) return;
    const until = Date.now() + this.faults.stageDelayMs;
    while (Date.now() < until) {
      stopCheck();
      await sleep(Math.min(50, until - Date.now()));
    }
  }

  beforeIngest(index: number): void {
    if (this.faults.ingestError === index) throw new Error('injected INGEST failure');
  }

  /** drops one frontmatter key from a kept learning inside the overlay (pre-commit integrity failure) */
  afterReduce(index: number, view: CorpusView, staging: Staging, changes: IterationRecord['changes']): void {
    if (this.faults.reduceStripKey !== index) return;
    const moved = new Set(changes.filter((c) => c.moved_to).map((c) => c.path));
    for (const n of view.notesOf('learning')) {
      if (moved.has(n.rel) || n.fmError || !n.utf8) continue;
      const base = view.base.notes.get(n.rel);
      const key = base && Object.keys(base.fm)[0];
      if (!key) continue;
      const bytes = Buffer.from(dropKey(n.bytes.toString('utf8'), key), 'utf8');
      view.stage(n.rel, bytes);
      staging.write(n.rel, bytes);
      return;
    }
  }

  beforeMeasure(index: number): void {
    const m = this.faults.measureError;
    if (m === 'all' || (Array.isArray(m) && m.includes(index))) throw new Error('injected MEASURE failure');
  }

  /** forces one metric of iteration N down */
  measured(index: number, prev: FitnessVector, after: FitnessVector): FitnessVector {
    const r = this.faults.regressAt;
    if (!r || r.iteration !== index) return after;
    return { ...after, [r.metric]: Math.max(0, (prev[r.metric] ?? 1) - r.drop) };
  }

  /** after COMMIT, strips a key from a committed live learning (post-commit integrity failure) */
  afterCommit(index: number, workspace: string, rec: IterationRecord): void {
    if (this.faults.postCommitStripKey !== index) return;
    const c = rec.changes.find((x) => x.before && x.path.endsWith('.md') && x.kind === 'modified');
    if (!c) return;
    const n = parseNote(c.path, fs.readFileSync(abs(workspace, c.path)));
    const key = Object.keys(n.fm)[0];
    if (!key) return;
    new CorpusWriter(workspace).write(c.path, dropKey(n.bytes.toString('utf8'), key));
  }
}

function dropKey(text: string, key: string): string {
  return text.replace(new RegExp(`^${key}:.*\\r?\\n`, 'm'), '');
}
