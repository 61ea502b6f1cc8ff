// Which council runners this machine has (contract §7, §8.1): PATH lookups only, nothing is run.
import { which } from '../../host/which';
import { SUPPORTED_RUNNERS, type RunnerName } from './reportSchema';

/** Agent CLIs Dream recognises but cannot drive as council runners (upstream's list). */
export const UNSUPPORTED_RUNNERS = ['gemini', 'oc-ask', 'openclaw', 'opencode'] as const;

export interface FoundRunner {
  name: string;
  path: string;
  supported: boolean;
  note?: string;
}

export interface RunnersFound {
  /** codex / claude found on PATH, sorted by name */
  supported: FoundRunner[];
  /** other agent CLIs found on PATH (reported, never run) */
  unsupported: FoundRunner[];
}

export function findRunners(env: NodeJS.ProcessEnv = process.env): RunnersFound {
  const supported: FoundRunner[] = [];
  const unsupported: FoundRunner[] = [];
  for (const name of [...SUPPORTED_RUNNERS].sort()) {
    const p = which(name, env);
    if (p) supported.push({ name, path: p, supported: true });
  }
  for (const name of [...UNSUPPORTED_RUNNERS].sort()) {
    const p = which(name, env);
    if (p) unsupported.push({ name, path: p, supported: false, note: `${name} is detected but not executable by the Dream Council` });
  }
  return { supported, unsupported };
}

export function isSupportedRunner(name: string): name is RunnerName {
  return (SUPPORTED_RUNNERS as readonly string[]).includes(name);
}

/** Settings or flags to runner names: lower-cased, comma-split, de-duplicated, sorted. */
export function normaliseRunners(names: readonly string[]): string[] {
  return [
    ...new Set(
      names
        .flatMap((n) => n.split(','))
        .map((n) => n.trim().toLowerCase())
        .filter(Boolean),
    ),
  ].sort();
}
