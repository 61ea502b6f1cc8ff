// Talking to Ollama, only through the `ollama` npm client: probes (/api/version, /api/tags), the
// resolution of URL and model (contract §6), and one streamed JSON chat bounded by a timeout and a
// signal. The client does the HTTP; Dream only hands it a fetch that carries the bound and the signal
// (the client's own abort() covers streamed replies only).
import { Ollama } from 'ollama';
import { z } from 'zod';
import { redactSecrets, type DreamSettings } from '../../engine';

export const DEFAULT_OLLAMA_URLS = ['http://127.0.0.1:11434', 'http://127.0.0.1:11435'];
/** the default model and the ones tried after it when it is not installed */
export const DEFAULT_MODEL = 'gemma4:e4b';
export const MODEL_CANDIDATES = [DEFAULT_MODEL, 'gemma4:latest', 'gemma3:4b'];
/** probe bounds: the CLI and the editor wait 2 s per endpoint; setup's host profile less */
export const CLI_PROBE_MS = 2000;
export const SETUP_PROBE_MS = 400;

export interface OllamaProbe {
  url: string;
  reachable: boolean;
  version: string | null;
  models: string[];
  error: string | null;
}

export interface Bound {
  timeoutMs?: number | null;
  signal?: AbortSignal;
}

/** A fetch for the client that gives up after `timeoutMs` (the whole request, body included) or on `signal`. */
function boundedFetch(bound: Bound): typeof fetch {
  const deadline = bound.timeoutMs ? AbortSignal.timeout(bound.timeoutMs) : null;
  return (input, init) => {
    const signals = [init?.signal, bound.signal, deadline].filter((s): s is AbortSignal => !!s);
    return fetch(input, { ...init, signal: signals.length ? AbortSignal.any(signals) : undefined });
  };
}

export function ollamaClient(url: string, bound: Bound = {}): Ollama {
  return new Ollama({ host: url, fetch: boundedFetch(bound) });
}

/** One plain reason for a failed request: "connection refused", "no answer within 2000 ms", … */
export function describeError(e: unknown, timeoutMs?: number | null, signal?: AbortSignal): string {
  const err = e as Error & { cause?: { code?: string; message?: string }; status_code?: number };
  if (signal?.aborted) return 'cancelled';
  if (err?.name === 'TimeoutError' || (err?.name === 'AbortError' && timeoutMs)) return `no answer within ${timeoutMs} ms`;
  if (err?.name === 'AbortError') return 'cancelled';
  const code = err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code) return code;
  if (err?.status_code) return `HTTP ${err.status_code}: ${err.message}`;
  return err?.cause?.message ?? err?.message ?? String(e);
}

const versionSchema = z.object({ version: z.string() });
const tagsSchema = z.object({ models: z.array(z.object({ name: z.string().optional(), model: z.string().optional() })) });

/** GET /api/version then /api/tags through the client; the whole probe is bounded by `timeoutMs` and cancellable. */
export async function probeOllama(url: string, bound: Bound = {}): Promise<OllamaProbe> {
  const timeoutMs = bound.timeoutMs ?? CLI_PROBE_MS;
  const base = url.trim().replace(/\/+$/, '');
  const res: OllamaProbe = { url: base, reachable: false, version: null, models: [], error: null };
  let client: Ollama;
  try {
    client = ollamaClient(base, { timeoutMs, signal: bound.signal });
  } catch (e) {
    res.error = `not a valid URL (${(e as Error).message})`;
    return res;
  }
  try {
    const v = versionSchema.safeParse(await client.version());
    if (!v.success) throw new Error('/api/version did not answer like Ollama');
    res.reachable = true;
    res.version = v.data.version;
  } catch (e) {
    res.error = describeError(e, timeoutMs, bound.signal);
    return res;
  }
  try {
    const t = tagsSchema.safeParse(await client.list());
    if (!t.success) throw new Error('/api/tags did not answer like Ollama');
    res.models = t.data.models.map((m) => m.name ?? m.model ?? '').filter(Boolean);
  } catch (e) {
    res.error = `models: ${describeError(e, timeoutMs, bound.signal)}`;
  }
  return res;
}

export function modelInstalled(models: string[], wanted: string): boolean {
  const w = wanted.includes(':') ? wanted : `${wanted}:latest`;
  return models.some((m) => m === wanted || m === w);
}

export interface Resolution {
  /** the URL Dream will use (the first tried when none answered) */
  url: string;
  model: string;
  /** the model came from the settings (not the default) */
  modelFromSettings: boolean;
  modelInstalled: boolean;
  /** the probe of `url` (null when nothing was probed: cancelled before) */
  probe: OllamaProbe | null;
  tried: OllamaProbe[];
}

/**
 * URL: the setting, else :11434 then :11435, preferring the one that has the model. Model: the
 * setting when it is not the default, else the first installed of gemma4:e4b, gemma4:latest,
 * gemma3:4b (gemma4:e4b when none is).
 */
export async function resolveCurator(lc: DreamSettings['localCurator'], bound: Bound = {}): Promise<Resolution> {
  const urls = lc.ollamaUrl.trim() ? [lc.ollamaUrl.trim()] : DEFAULT_OLLAMA_URLS;
  const modelFromSettings = !!lc.model && lc.model !== DEFAULT_MODEL;
  const wanted = modelFromSettings ? [lc.model] : MODEL_CANDIDATES;
  const pick = (p: OllamaProbe) => wanted.find((m) => modelInstalled(p.models, m)) ?? null;
  const tried: OllamaProbe[] = [];
  for (const url of urls) {
    if (bound.signal?.aborted) break;
    const p = await probeOllama(url, bound);
    tried.push(p);
    if (p.reachable && pick(p)) break;
  }
  const best = tried.find((p) => p.reachable && pick(p)) ?? tried.find((p) => p.reachable) ?? tried[0] ?? null;
  const found = best?.reachable ? pick(best) : null;
  return {
    url: best?.url ?? urls[0]!.replace(/\/+$/, ''),
    model: found ?? wanted[0]!,
    modelFromSettings,
    modelInstalled: !!found,
    probe: best,
    tried,
  };
}

function span(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

export type ChatOutcome<T> =
  | { ok: true; value: T; attempts: number; redactions: number }
  | { ok: false; reason: string; attempts: number; redactions: number; cancelled: boolean };

export interface ChatRequest<T> {
  url: string;
  model: string;
  system: string;
  prompt: string;
  schema: z.ZodType<T>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Asks for JSON shaped by `schema` (Ollama's `format` gets the schema's JSON Schema), streams the
 * reply within `timeoutMs`, validates it with zod, and asks once more when the reply is not valid.
 * Secrets are redacted from everything sent.
 */
export async function chatJson<T>(req: ChatRequest<T>): Promise<ChatOutcome<T>> {
  const system = redactSecrets(req.system);
  const prompt = redactSecrets(req.prompt);
  const redactions = system.redactions + prompt.redactions;
  const format = z.toJSONSchema(req.schema) as Record<string, unknown>;
  const deadline = Date.now() + req.timeoutMs;
  let reason = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0)
      return {
        ok: false,
        reason: `no complete reply within ${span(req.timeoutMs)}`,
        attempts: attempt - 1,
        redactions,
        cancelled: false,
      };
    const client = ollamaClient(req.url, { timeoutMs: left, signal: req.signal });
    const onAbort = () => client.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    let text = '';
    try {
      const stream = await client.chat({
        model: req.model,
        stream: true,
        format,
        options: { temperature: 0 },
        messages: [
          { role: 'system', content: system.text },
          { role: 'user', content: prompt.text },
        ],
      });
      for await (const part of stream) text += part.message?.content ?? '';
    } catch (e) {
      const cancelled = !!req.signal?.aborted;
      const why = cancelled ? 'cancelled' : describeError(e, null);
      const timedOut = !cancelled && ((e as Error)?.name === 'TimeoutError' || Date.now() >= deadline - 50);
      return {
        ok: false,
        reason: timedOut ? `no complete reply within ${span(req.timeoutMs)}` : why,
        attempts: attempt,
        redactions,
        cancelled,
      };
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      reason = `the reply was not JSON (${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? '…' : ''})`;
      continue;
    }
    const parsed = req.schema.safeParse(json);
    if (parsed.success) return { ok: true, value: parsed.data, attempts: attempt, redactions };
    const issue = parsed.error.issues[0];
    reason = `the reply did not match the schema (${issue ? `${issue.path.join('.') || 'reply'}: ${issue.message}` : 'invalid'})`;
  }
  return { ok: false, reason: `${reason}, twice`, attempts: 2, redactions, cancelled: false };
}
