// The repository-wide warn-only rescue budget: .agents/overnight/warn-only-budget.json
import { isoNow, readRegularFile } from '../core/fsutil';
import { errorMessage } from '../core/errors';
import { abs, rel } from '../core/paths';
import { warnOnlyBudgetSchema, type WarnOnlyBudgetFile } from '../core/schemas';
import { CorpusWriter } from '../commit/writer';

export const DEFAULT_WARN_ONLY_BUDGET = 3;

export interface BudgetRead {
  budget: WarnOnlyBudgetFile;
  /** repair notes (degraded) */
  notes: string[];
}

export function warnOnlyBudgetPath(workspace: string): string {
  return abs(workspace, rel.warnOnly);
}

function fresh(initial: number): WarnOnlyBudgetFile {
  return { version: 1, remaining: initial, initial_budget: initial, last_reset_at: null, last_decrement_at: null };
}

/** Reads the budget with upstream's rescue matrix; repairs are reported, never fatal. */
export function readWarnOnlyBudget(workspace: string, defaultInitial = DEFAULT_WARN_ONLY_BUDGET): BudgetRead {
  const file = warnOnlyBudgetPath(workspace);
  const def = defaultInitial > 0 ? defaultInitial : DEFAULT_WARN_ONLY_BUDGET;
  let text: string;
  try {
    const bytes = readRegularFile(file, 64 * 1024);
    if (!bytes) return { budget: fresh(def), notes: [] };
    text = bytes.toString('utf8');
  } catch (e) {
    return { budget: fresh(def), notes: [`warn-only budget unreadable, using default: ${errorMessage(e)}`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { budget: fresh(def), notes: [`warn-only budget corrupt, using default: ${errorMessage(e)}`] };
  }
  const parsed = warnOnlyBudgetSchema.safeParse(raw);
  if (!parsed.success)
    return { budget: fresh(def), notes: [`warn-only budget corrupt, using default: ${parsed.error.issues[0]?.message ?? 'invalid'}`] };
  const b = { ...parsed.data };
  const notes: string[] = [];
  if (b.version <= 0) b.version = 1;
  if (b.initial_budget <= 0) b.initial_budget = def;
  if (b.remaining < 0) {
    notes.push(`warn-only budget out-of-range (negative ${b.remaining}), clamped to 0`);
    b.remaining = 0;
  } else if (b.remaining > b.initial_budget) {
    notes.push(`warn-only budget out-of-range (${b.remaining} > initial ${b.initial_budget}), clamped`);
    b.remaining = b.initial_budget;
  }
  return { budget: b, notes };
}

export function writeWarnOnlyBudget(workspace: string, b: WarnOnlyBudgetFile): void {
  new CorpusWriter(workspace).write(rel.warnOnly, JSON.stringify(b, null, 2) + '\n');
}

/** Resets the budget to `initial` rescues (0 = none; omitted = the default 3). */
export function resetWarnOnlyBudget(
  workspace: string,
  initial: number = DEFAULT_WARN_ONLY_BUDGET,
  now = new Date(),
): WarnOnlyBudgetFile & { path: string } {
  const n = Math.max(0, Math.floor(initial));
  const prev = readWarnOnlyBudget(workspace).budget;
  const b: WarnOnlyBudgetFile = {
    version: 1,
    remaining: n,
    initial_budget: n,
    last_reset_at: isoNow(now),
    last_decrement_at: prev.last_decrement_at ?? null,
  };
  writeWarnOnlyBudget(workspace, b);
  return { ...b, path: warnOnlyBudgetPath(workspace) };
}

/** Consumes one rescue; returns the new budget (remaining never below 0). */
export function decrementWarnOnlyBudget(
  workspace: string,
  b: WarnOnlyBudgetFile,
  now = new Date(),
): { budget: WarnOnlyBudgetFile; exhausted: boolean } {
  const next: WarnOnlyBudgetFile = { ...b, remaining: Math.max(0, b.remaining - 1), last_decrement_at: isoNow(now) };
  writeWarnOnlyBudget(workspace, next);
  return { budget: next, exhausted: next.remaining <= 0 };
}
