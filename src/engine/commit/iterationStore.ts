// Per-iteration records: iter-<N>.json, written atomically; loading rejects gaps, foreign run ids,
// index mismatches and corrupt JSON, and keeps what precedes the first gap.
import fs from 'node:fs';
import path from 'node:path';
import { abs, rel } from '../core/paths';
import { iterationSchema, type IterationRecord } from '../core/schemas';
import { CorpusWriter } from './writer';
import { readRegularFile } from '../core/fsutil';
import { redactDeep } from '../core/secrets';

export function iterationId(runId: string, index: number): string {
  return `${runId}-iter-${index}`;
}

export function writeIteration(workspace: string, runId: string, rec: IterationRecord): void {
  const data = JSON.stringify(iterationSchema.parse(redactDeep(rec)), null, 2) + '\n';
  new CorpusWriter(workspace).write(rel.iteration(runId, rec.index), data);
}

export interface LoadedIterations {
  iterations: IterationRecord[];
  rejected: string[];
}

export function loadIterations(dir: string, runId: string): LoadedIterations {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { iterations: [], rejected: [] };
    return { iterations: [], rejected: [`rehydrate rejected: cannot read ${dir}: ${(e as Error).message}`] };
  }
  const found = new Map<number, IterationRecord>();
  const rejected: string[] = [];
  for (const name of names) {
    const m = /^iter-(\d+)\.json$/.exec(name);
    if (!m) continue;
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n < 1) {
      rejected.push(`rehydrate rejected: ${name}: invalid index`);
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse((readRegularFile(path.join(dir, name)) ?? '').toString());
    } catch (e) {
      rejected.push(`rehydrate rejected: ${name}: parse error: ${(e as Error).message}`);
      continue;
    }
    const r = iterationSchema.safeParse(raw);
    if (!r.success) {
      rejected.push(`rehydrate rejected: ${name}: parse error: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
      continue;
    }
    if (r.data.index !== n) {
      rejected.push(`rehydrate rejected: ${name}: index mismatch (file says ${r.data.index})`);
      continue;
    }
    if (r.data.id !== iterationId(runId, n)) {
      rejected.push(`rehydrate rejected: ${name}: runID/id mismatch (${r.data.id} is not ${iterationId(runId, n)})`);
      continue;
    }
    found.set(n, r.data);
  }
  const iterations: IterationRecord[] = [];
  const indices = [...found.keys()].sort((a, b) => a - b);
  let expected = 1;
  for (const i of indices) {
    if (i !== expected) {
      rejected.push(`rehydrate rejected: iter-${i}.json: gap in indices (expected ${expected})`);
      for (const later of indices.filter((x) => x > i)) rejected.push(`rehydrate rejected: iter-${later}.json: after a gap`);
      break;
    }
    iterations.push(found.get(i)!);
    expected++;
  }
  return { iterations, rejected };
}

export function loadRunIterations(workspace: string, runId: string): LoadedIterations {
  return loadIterations(abs(workspace, rel.iterations(runId)), runId);
}
