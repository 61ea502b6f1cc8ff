// `dream curator status` and `diagnose` (contract §6): what the curator sees — Ollama, the model, the
// queue, the ledger, the cap, the runners on PATH — and one line per problem with its fix.
import { which } from '../../host/which';
import type { DreamSettings } from '../../engine';
import { listDrafts } from './promote';
import { EVENTS_FILE, pendingEvents, readLedger } from './ledger';
import { CLI_PROBE_MS, resolveCurator, type OllamaProbe } from './ollama';
import { capState, DONE_DIR, FAILED_DIR, listJobs, PROCESSING_DIR, QUEUE_DIR, readState, type CapState } from './queue';

export const RUNNERS = ['ollama', 'codex', 'claude'] as const;

export interface CuratorStatus {
  enabled: boolean;
  /** reachable, model installed, enabled and a non-zero cap */
  available: boolean;
  ollama_url: string;
  model: string;
  model_installed: boolean;
  hourly_cap: number;
  allowed_job_kinds: string[];
  ollama: { reachable: boolean; version: string | null; models: string[]; error: string | null; tried: OllamaProbe[] };
  queue: { queued: number; processing: number; done: number; failed: number; unreadable: number };
  pending_events: number;
  events_path: string;
  cap: CapState;
  drafts_pending: number;
  runners: Record<string, { available: boolean; command: string | null }>;
  diagnostics: Problem[];
}

export interface Problem {
  problem: string;
  fix: string;
  /** a command that fixes it, run in a terminal */
  command?: string;
}

export async function curatorStatus(
  workspace: string,
  settings: DreamSettings,
  opts: { timeoutMs?: number; signal?: AbortSignal; now?: Date; env?: NodeJS.ProcessEnv } = {},
): Promise<CuratorStatus> {
  const lc = settings.localCurator;
  const res = await resolveCurator(lc, { timeoutMs: opts.timeoutMs ?? CLI_PROBE_MS, signal: opts.signal });
  const dirs = [QUEUE_DIR, PROCESSING_DIR, DONE_DIR, FAILED_DIR].map((d) => listJobs(workspace, d));
  const runners = Object.fromEntries(
    RUNNERS.map((r) => {
      const p = which(r, opts.env ?? process.env);
      return [r, { available: !!p, command: p }];
    }),
  );
  const st: CuratorStatus = {
    enabled: lc.enabled,
    available: false,
    ollama_url: res.url,
    model: res.model,
    model_installed: res.modelInstalled,
    hourly_cap: lc.hourlyCap,
    allowed_job_kinds: [...lc.allowedJobKinds],
    ollama: {
      reachable: !!res.probe?.reachable,
      version: res.probe?.version ?? null,
      models: res.probe?.models ?? [],
      error: res.probe?.error ?? null,
      tried: res.tried,
    },
    queue: {
      queued: dirs[0]!.length,
      processing: dirs[1]!.length,
      done: dirs[2]!.length,
      failed: dirs[3]!.length,
      unreadable: dirs.flat().filter((s) => !s.job).length,
    },
    pending_events: pendingEvents(readLedger(workspace)),
    events_path: `.agents/${EVENTS_FILE}`,
    cap: capState(readState(workspace), lc.hourlyCap, opts.now ?? new Date()),
    drafts_pending: (await listDrafts(workspace)).filter((d) => d.needsReview).length,
    runners,
    diagnostics: [],
  };
  st.diagnostics = diagnose(st);
  st.available = st.enabled && st.ollama.reachable && st.model_installed && st.hourly_cap > 0;
  return st;
}

/** One problem a line, each with its fix; none means ready. */
export function diagnose(st: CuratorStatus): Problem[] {
  const out: Problem[] = [];
  const ollamaOnPath = st.runners.ollama?.available ?? false;
  if (!st.ollama.reachable) {
    const where = st.ollama.tried.length ? st.ollama.tried.map((p) => p.url).join(' or ') : st.ollama_url;
    if (!ollamaOnPath)
      out.push({
        problem: `Ollama is not installed (no \`ollama\` on PATH) and nothing answers at ${where}`,
        fix: `install it from https://ollama.com/download, then run \`ollama serve\` and \`ollama pull ${st.model}\``,
        command: 'ollama serve',
      });
    else
      out.push({
        problem: `Ollama is not reachable at ${st.ollama_url}`,
        fix: 'start it with `ollama serve`',
        command: 'ollama serve',
      });
  } else if (!st.model_installed) {
    out.push({ problem: `model ${st.model} is not installed`, fix: `\`ollama pull ${st.model}\``, command: `ollama pull ${st.model}` });
  }
  if (!st.enabled)
    out.push({
      problem: 'the local curator is disabled',
      fix: 'set "dream.localCurator.enabled": true in VS Code settings, or `localCurator: {enabled: true}` under `dream:` in .agents/dream/config.yaml',
    });
  if (st.hourly_cap === 0)
    out.push({
      problem: 'dream.localCurator.hourlyCap is 0: no job would ever run',
      fix: 'set dream.localCurator.hourlyCap to a positive number (default 20)',
    });
  if (!st.allowed_job_kinds.length)
    out.push({
      problem: 'dream.localCurator.allowedJobKinds is empty: no job may be queued',
      fix: 'allow ingest-session, lint-wiki or dream-seed',
    });
  if (st.queue.unreadable)
    out.push({
      problem: `${st.queue.unreadable} job file(s) under .agents/dream/curator/ are not readable jobs`,
      fix: 'look at them and remove or fix them (Dream leaves them alone)',
    });
  return out;
}

/** "Ollama is not reachable at …: start it with `ollama serve`" — or "ready". */
export function diagnoseLines(problems: Problem[]): string[] {
  return problems.length ? problems.map((p) => `${p.problem}: ${p.fix}`) : ['ready'];
}
