// Tier 1 local-curator helpers for the editor commands (no vscode import). The curator lane of the
// engine is not built yet; these do only what the contract's commands promise on their own:
// probe Ollama, queue a job, record an event, preview a compaction.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { abs } from '../../engine';

export const QUEUE_DIR = 'dream/curator/queue';
export const EVENTS_FILE = 'dream/curator/events.jsonl';
export const DEFAULT_OLLAMA_URLS = ['http://127.0.0.1:11434', 'http://127.0.0.1:11435'];
export const SEVERITIES = ['info', 'warn', 'high', 'critical'] as const;
export const FALLBACK_MODELS = ['gemma4:latest', 'gemma3:4b'];

function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
function shortId(): string {
  return crypto.randomBytes(4).toString('hex');
}

export interface CuratorJob {
  id: string;
  kind: string;
  created_at: string;
  max_retries: number;
  source?: string;
}

export function newJob(kind: string, now = new Date(), source?: string): CuratorJob {
  return { id: `job-${stamp(now)}-${shortId()}`, kind, created_at: now.toISOString(), max_retries: 1, ...(source ? { source } : {}) };
}

export interface CuratorEvent {
  id: string;
  created_at: string;
  source: string;
  severity: (typeof SEVERITIES)[number];
  desired_action: string;
  escalation_target: string | null;
  budget: number;
  note: string;
  status: 'needs-review';
}

export function newEvent(
  input: { source: string; severity: CuratorEvent['severity']; desiredAction: string; note?: string },
  now = new Date(),
): CuratorEvent {
  return {
    id: `evt-${stamp(now)}-${shortId()}`,
    created_at: now.toISOString(),
    source: input.source,
    severity: input.severity,
    desired_action: input.desiredAction,
    escalation_target: null,
    budget: 0,
    note: input.note ?? 'recorded from VS Code',
    status: 'needs-review',
  };
}

export async function queueDepth(workspace: string): Promise<number> {
  try {
    return (await fs.promises.readdir(abs(workspace, QUEUE_DIR))).filter((n) => n.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

export interface LedgerEntry {
  line: number;
  raw: Record<string, unknown> | null;
}

export async function readLedger(workspace: string): Promise<LedgerEntry[]> {
  let text = '';
  try {
    text = await fs.promises.readFile(abs(workspace, EVENTS_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: LedgerEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (!l.trim()) return;
    try {
      const o = JSON.parse(l) as unknown;
      out.push({ line: i + 1, raw: o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null });
    } catch {
      out.push({ line: i + 1, raw: null });
    }
  });
  return out;
}

export interface CompactPlan {
  total: number;
  pendingReview: number;
  /** reviewed entries older than the cut-off: what --apply would move to the archive */
  wouldArchive: LedgerEntry[];
  unreadable: number;
  olderThanDays: number;
}

export function compactPlan(entries: LedgerEntry[], now = new Date(), olderThanDays = 30): CompactPlan {
  const cutoff = now.getTime() - olderThanDays * 86_400_000;
  let pendingReview = 0;
  let unreadable = 0;
  const wouldArchive: LedgerEntry[] = [];
  for (const e of entries) {
    if (!e.raw) {
      unreadable++;
      continue;
    }
    if (e.raw.status === 'needs-review' || e.raw.status === undefined) {
      pendingReview++;
      continue;
    }
    const t = Date.parse(String(e.raw.created_at ?? ''));
    if (Number.isFinite(t) && t < cutoff) wouldArchive.push(e);
  }
  return { total: entries.length, pendingReview, wouldArchive, unreadable, olderThanDays };
}

export interface OllamaProbe {
  url: string;
  reachable: boolean;
  version: string | null;
  models: string[];
  error: string | null;
}

type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** GET /api/version and /api/tags with a short timeout each. */
export async function probeOllama(
  url: string,
  timeoutMs = 1500,
  fetchImpl: FetchLike = fetch as unknown as FetchLike,
): Promise<OllamaProbe> {
  const base = url.replace(/\/+$/, '');
  const res: OllamaProbe = { url: base, reachable: false, version: null, models: [], error: null };
  try {
    const v = await fetchImpl(`${base}/api/version`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!v.ok) throw new Error(`HTTP ${v.status} from /api/version`);
    const body = (await v.json()) as { version?: unknown };
    res.reachable = true;
    res.version = typeof body?.version === 'string' ? body.version : null;
  } catch (e) {
    res.error = describeFetchError(e, timeoutMs);
    return res;
  }
  try {
    const t = await fetchImpl(`${base}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!t.ok) throw new Error(`HTTP ${t.status} from /api/tags`);
    const body = (await t.json()) as { models?: { name?: unknown; model?: unknown }[] };
    res.models = (Array.isArray(body?.models) ? body.models : []).map((m) => String(m?.name ?? m?.model ?? '')).filter(Boolean);
  } catch (e) {
    res.error = `models: ${describeFetchError(e, timeoutMs)}`;
  }
  return res;
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

export function modelInstalled(models: string[], wanted: string): boolean {
  const w = wanted.includes(':') ? wanted : `${wanted}:latest`;
  return models.some((m) => m === wanted || m === w);
}

export interface Diagnosis {
  problems: { problem: string; fix: string }[];
  lines: string[];
}

export function diagnose(input: {
  enabled: boolean;
  probe: OllamaProbe | null;
  probesTried: OllamaProbe[];
  model: string;
  queueDepth: number;
  pendingEvents: number;
  hourlyCap: number;
}): Diagnosis {
  const problems: Diagnosis['problems'] = [];
  if (!input.enabled)
    problems.push({
      problem: 'the local curator is disabled',
      fix: 'set "dream.localCurator.enabled": true (or `localCurator: {enabled: true}` in .agents/dream/config.yaml)',
    });
  if (!input.probe?.reachable) {
    const where = input.probesTried.map((p) => `${p.url} (${p.error ?? 'unreachable'})`).join(', ');
    problems.push({
      problem: `Ollama not reachable at ${where}`,
      fix: 'install Ollama or set dream.localCurator.ollamaUrl (Ollama: https://ollama.com, started with `ollama serve`)',
    });
  } else if (!modelInstalled(input.probe.models, input.model)) {
    const alt = FALLBACK_MODELS.find((m) => modelInstalled(input.probe!.models, m));
    problems.push({
      problem: `model ${input.model} is not installed in Ollama at ${input.probe.url}`,
      fix: alt
        ? `set dream.localCurator.model to "${alt}" (installed), or run \`ollama pull ${input.model}\``
        : `run \`ollama pull ${input.model}\``,
    });
  }
  if (input.hourlyCap === 0)
    problems.push({
      problem: 'dream.localCurator.hourlyCap is 0: no job would ever run',
      fix: 'set dream.localCurator.hourlyCap to a positive number (default 20)',
    });
  const lines = problems.length ? problems.map((p) => `${p.problem}; ${p.fix}`) : ['ready'];
  return { problems, lines };
}
