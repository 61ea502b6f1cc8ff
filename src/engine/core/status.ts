// One vocabulary: which iteration statuses change the corpus.
import type { IterationRecord } from './schemas';

const COMPOUNDING = new Set(['done', 'degraded', 'halted-on-regression-post-commit']);
/** true when the iteration's changes are live in the corpus (contract §4.1) */
export function compounded(it: Pick<IterationRecord, 'status' | 'committed'>): boolean {
  return it.committed && COMPOUNDING.has(it.status);
}
