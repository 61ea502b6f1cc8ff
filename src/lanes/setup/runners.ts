// Council runners Dream knows (contract §7): which it can run, which it only recognises.
import { which } from '../../host/which';

export const SUPPORTED_RUNNERS = ['claude', 'codex'] as const;
/** detected on PATH and reported, but not executable by the Dream Council */
export const UNSUPPORTED_RUNNERS = ['aider', 'gemini', 'oc-ask', 'openclaw', 'opencode'] as const;

export interface RunnerInfo {
  name: string;
  path: string | null;
  supported: boolean;
  note: string;
}

export function detectRunners(env: NodeJS.ProcessEnv): RunnerInfo[] {
  return [...SUPPORTED_RUNNERS, ...UNSUPPORTED_RUNNERS]
    .map((name) => {
      const p = which(name, env);
      const supported = (SUPPORTED_RUNNERS as readonly string[]).includes(name);
      const note = !p ? 'not installed' : supported ? 'ready for the Dream Council' : 'installed, but the Dream Council cannot run it yet';
      return { name, path: p, supported, note };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The runners setup will configure: the ones asked for (`--runner`), else the configured ones, else
 * every supported runner found. Unknown, missing and unsupported names are dropped with a warning.
 */
export function selectRunners(requested: string[], configured: string[], found: RunnerInfo[]): { runners: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const names = [...new Set((requested.length ? requested : configured).map((r) => r.trim().toLowerCase()).filter(Boolean))].sort();
  if (!requested.length && !configured.length) return { runners: found.filter((r) => r.supported && r.path).map((r) => r.name), warnings };
  const runners: string[] = [];
  for (const n of names) {
    const info = found.find((r) => r.name === n);
    if (!info) warnings.push(`unknown runner "${n}" was ignored (Dream runs ${SUPPORTED_RUNNERS.join(' and ')})`);
    else if (!info.supported)
      warnings.push(`runner "${n}" is ${info.path ? 'installed' : 'known'} but the Dream Council cannot run it yet; ignored`);
    else if (!info.path) warnings.push(`runner "${n}" is not installed on this machine (not on PATH); ignored`);
    else runners.push(n);
  }
  return { runners, warnings };
}
