// The curator lane (contract §6): after the loop, inside the run's budget, serial and cancellable,
// it works the queue through Ollama within the hourly cap. Each job moves queue → processing →
// done | failed through the write guard; a valid reply is first written to results/<id>.json, then
// its drafts and escalation land, then the job is done — so a crash at any point either replays the
// same result (same draft names, no model call) or retries the job once, never both and never twice.
import fs from 'node:fs';
import { abs, CorpusWriter, type Lane, type LaneContext, type LaneResult, type Step } from '../../engine';
import { planDrafts, type PlannedDraft } from './drafts';
import { applyMemo, planJob, type Escalation } from './jobs';
import { appendEvent, newEvent, readLedger, type CuratorEvent } from './ledger';
import { chatJson, CLI_PROBE_MS, resolveCurator } from './ollama';
import {
  capState,
  countStart,
  CURATOR_DIR,
  DONE_DIR,
  FAILED_DIR,
  listJobs,
  moveJob,
  PROCESSING_DIR,
  QUEUE_DIR,
  readState,
  settleDuplicates,
  writeState,
  type CuratorJob,
} from './queue';
import { z } from 'zod';

export const RESULTS_DIR = `${CURATOR_DIR}/results`;
/** a model job gets at most this long (and never more than the run has left) */
export const DEFAULT_JOB_TIMEOUT_MS = 300_000;
/** below this much time left in the run, no new job starts */
const MIN_JOB_MS = 5_000;

export interface CuratorLaneOptions {
  jobTimeoutMs?: number;
  probeTimeoutMs?: number;
}

export interface CuratorJobReport {
  id: string;
  kind: string;
  status: 'done' | 'failed' | 'skipped' | 'requeued';
  drafts: string[];
  reason?: string;
  escalation?: string;
}

const resultSchema = z.object({
  job_id: z.string(),
  drafts: z.array(z.object({ rel: z.string(), content: z.string() })),
  event: z.record(z.string(), z.unknown()).nullable(),
  note: z.string(),
  memo: z.object({ ingested: z.string().optional(), lint_cursor: z.string().optional() }),
});
type JobResult = z.infer<typeof resultSchema>;

export function curatorLane(opts: CuratorLaneOptions = {}): Lane {
  return { name: 'curator', run: (ctx) => runCurator(ctx, opts), off: (s) => !s.localCurator.enabled };
}

/** "http://127.0.0.1:11434, :11435" */
function shortUrls(urls: string[]): string {
  return urls.map((u, i) => (i && u.replace(/:\d+$/, '') === urls[0]!.replace(/:\d+$/, '') ? u.slice(u.lastIndexOf(':')) : u)).join(', ');
}

function staysQueued(n: number): string {
  return n === 0 ? 'nothing queued' : n === 1 ? '1 job stays queued' : `${n} jobs stay queued`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export async function runCurator(ctx: LaneContext, opts: CuratorLaneOptions = {}): Promise<LaneResult> {
  const lc = ctx.settings.localCurator;
  const step = (status: Step['status'], note: string): Step[] => [{ name: 'curator', status, note }];
  if (!lc.enabled) return { steps: step('skipped', 'local curator disabled'), degraded: [] };
  if (!ctx.trusted)
    return {
      steps: step('skipped', 'not run in an untrusted workspace'),
      degraded: [],
      summary: { curator: { enabled: true, status: 'skipped', note: 'not run in an untrusted workspace' } },
    };
  const ws = ctx.workspace;
  const w = new CorpusWriter(ws);
  const jobs: CuratorJobReport[] = [];
  const degraded: string[] = [];
  const notes: string[] = [];

  // 1. recovery: a crash mid-move, a result written but not landed, a job interrupted in processing/
  settleDuplicates(ws, w);
  for (const s of listJobs(ws, PROCESSING_DIR)) {
    if (!s.job) continue;
    const result = readResult(ws, s.job.id);
    if (result) {
      jobs.push(land(ws, w, s.rel, s.job, result, ctx.now(), 'landed after an interruption'));
      continue;
    }
    if (s.job.attempts > s.job.max_retries) {
      const reason = `interrupted ${plural(s.job.attempts, 'time')} while processing; not tried again`;
      moveJob(w, s.rel, FAILED_DIR, { ...s.job, outcome: reason, finished_at: ctx.now().toISOString() });
      jobs.push({ id: s.job.id, kind: s.job.kind, status: 'failed', drafts: [], reason });
      degraded.push(`local curator: ${s.job.kind} job failed: ${reason}`);
    }
  }
  // a result left behind by a crash after its job reached done/: nothing to land any more
  const inProcessing = new Set(listJobs(ws, PROCESSING_DIR).map((s) => s.job?.id));
  for (const name of safeList(abs(ws, RESULTS_DIR)))
    if (name.endsWith('.json') && !inProcessing.has(name.slice(0, -5))) w.removeFile(`${RESULTS_DIR}/${name}`);
  for (const s of [...listJobs(ws, QUEUE_DIR), ...listJobs(ws, PROCESSING_DIR)])
    if (!s.job) degraded.push(`local curator: .agents/${s.rel} is not a readable job (${s.error}); left as it is`);

  const pending = () =>
    [...listJobs(ws, PROCESSING_DIR), ...listJobs(ws, QUEUE_DIR)]
      .filter((s): s is typeof s & { job: CuratorJob } => !!s.job)
      .sort((a, b) => (a.job.created_at < b.job.created_at ? -1 : a.job.created_at > b.job.created_at ? 1 : 0));

  // 2. where is Ollama, which model
  const res = await resolveCurator(lc, { timeoutMs: opts.probeTimeoutMs ?? CLI_PROBE_MS, signal: ctx.signal });
  const base = { enabled: true, ollama_url: res.url, model: res.model };
  // unavailable: the step is "skipped" and the one degraded line says why (the report counts soft-failed steps as problems too)
  const finish = (status: string, stepStatus: Step['status'], note: string): LaneResult => {
    const cap = capState(readState(ws), lc.hourlyCap, ctx.now());
    const drafts = jobs.flatMap((j) => j.drafts);
    const failures = jobs.filter((j) => j.status === 'failed').map((j) => ({ id: j.id, kind: j.kind, reason: j.reason ?? '' }));
    return {
      steps: step(stepStatus, note),
      degraded,
      summary: {
        curator: {
          ...base,
          status,
          jobs_processed: jobs.filter((j) => j.status === 'done' || j.status === 'failed').length,
          drafts,
          note,
          jobs: jobs.map((j) => ({ ...j })),
          failures,
          cap: { ...cap },
          queue_left: pending().length,
        },
      },
    };
  };
  if (!res.probe?.reachable) {
    if (ctx.signal?.aborted) return finish('skipped', 'skipped', 'the run was stopped');
    const left = pending().length;
    const why = res.tried.map((p) => p.error).find(Boolean) ?? 'unreachable';
    degraded.push(`local curator: Ollama not reachable at ${shortUrls(res.tried.map((p) => p.url))} (${why}); ${staysQueued(left)}`);
    return finish('unavailable', 'skipped', `Ollama not reachable; ${plural(left, 'job')} left queued`);
  }
  if (!res.modelInstalled) {
    const left = pending().length;
    degraded.push(`local curator: model ${res.model} is not installed (\`ollama pull ${res.model}\`); ${staysQueued(left)}`);
    return finish('unavailable', 'skipped', `model ${res.model} not installed; ${plural(left, 'job')} left queued`);
  }

  // 3. the queue, oldest first, one job at a time
  let stopReason = '';
  for (;;) {
    const queue = pending().filter((s) => !jobs.some((j) => j.id === s.job.id));
    const next = queue.find((s) => lc.allowedJobKinds.includes(s.job.kind as never));
    const blocked = queue.filter((s) => !lc.allowedJobKinds.includes(s.job.kind as never));
    if (blocked.length && !notes.some((n) => n.startsWith('not allowed')))
      notes.push(
        `not allowed by dream.localCurator.allowedJobKinds, left queued: ${[...new Set(blocked.map((b) => b.job.kind))].join(', ')}`,
      );
    if (!next) break;
    if (ctx.signal?.aborted) {
      stopReason = 'the run was stopped';
      break;
    }
    const left = ctx.deadline - Date.now();
    if (left < MIN_JOB_MS) {
      stopReason = "the run's time budget is spent";
      break;
    }
    const state = readState(ws);
    const cap = capState(state, lc.hourlyCap, ctx.now());
    if (cap.remaining <= 0) {
      stopReason = `hourly cap reached (${cap.used_this_hour}/${cap.hourly_cap} jobs in the last hour)`;
      break;
    }
    jobs.push(await runJob(ctx, w, next.rel, next.job, res, Math.min(opts.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, left - 1000), queue));
    if (ctx.signal?.aborted) {
      stopReason = 'the run was stopped';
      break;
    }
  }
  const left = pending().length;
  if (stopReason) notes.push(`${stopReason}; ${plural(left, 'job')} stay queued`);
  for (const j of jobs.filter((x) => x.status === 'failed' && !/^interrupted /.test(x.reason ?? '')))
    degraded.push(`local curator: ${j.kind} job failed: ${j.reason}`);
  const done = jobs.filter((j) => j.status === 'done').length;
  const failed = jobs.filter((j) => j.status === 'failed').length;
  const drafts = jobs.reduce((n, j) => n + j.drafts.length, 0);
  const note = [
    `${plural(done, 'job')} done, ${failed} failed, ${plural(drafts, 'draft')} in knowledge/pending/ (${res.model})`,
    ...notes,
  ].join('; ');
  const status = failed || stopReason ? 'partial' : jobs.length ? 'done' : 'idle';
  return finish(status, failed ? 'soft-fail' : 'done', note);
}

async function runJob(
  ctx: LaneContext,
  w: CorpusWriter,
  rel: string,
  job0: CuratorJob,
  res: { url: string; model: string },
  timeoutMs: number,
  queue: { job: CuratorJob }[],
): Promise<CuratorJobReport> {
  const ws = ctx.workspace;
  const now = ctx.now();
  const job: CuratorJob = { ...job0, attempts: job0.attempts + 1, started_at: now.toISOString() };
  const procRel = moveJob(w, rel, PROCESSING_DIR, job);
  const state = readState(ws);
  writeState(w, countStart(state, now));
  const planned = planJob(job, {
    workspace: ws,
    settings: ctx.settings,
    summary: ctx.summary,
    state,
    queued: queue.map((q) => q.job).filter((q) => q.id !== job.id),
  });
  const fail = (reason: string): CuratorJobReport => {
    moveJob(w, procRel, FAILED_DIR, { ...job, outcome: reason, finished_at: ctx.now().toISOString() });
    ctx.log('warn', `curator: job ${job.id} (${job.kind}) failed: ${reason}`);
    return { id: job.id, kind: job.kind, status: 'failed', drafts: [], reason };
  };
  if ('fail' in planned) return fail(planned.fail);
  if ('skip' in planned) {
    moveJob(w, procRel, DONE_DIR, { ...job, outcome: planned.skip, drafts: [], finished_at: ctx.now().toISOString() });
    return { id: job.id, kind: job.kind, status: 'skipped', drafts: [], reason: planned.skip };
  }
  const { plan } = planned;
  ctx.log('info', `curator: job ${job.id} (${job.kind}) → ${res.model} at ${res.url}`);
  const out = await chatJson({
    url: res.url,
    model: res.model,
    system: plan.system,
    prompt: plan.prompt,
    schema: plan.schema,
    timeoutMs,
    signal: ctx.signal,
  });
  if (!out.ok && out.cancelled) {
    // the run was stopped: the job goes back to the queue, this attempt not held against it
    moveJob(w, procRel, QUEUE_DIR, { ...job, attempts: job0.attempts, started_at: undefined });
    return { id: job.id, kind: job.kind, status: 'requeued', drafts: [], reason: 'the run was stopped mid-reply' };
  }
  if (!out.ok) return fail(out.reason);
  const ingestedAt = ctx.now().toISOString();
  const drafts = planDrafts(plan.toDrafts(out.value), { jobId: job.id, kind: job.kind, model: res.model, ingestedAt });
  const { event, note } = escalation(job, out.value.escalate ?? null, res.model, ctx.now());
  const result: JobResult = { job_id: job.id, drafts, event, note, memo: plan.memo };
  // write-ahead: from here on, a crash lands exactly this result at the next start
  w.write(`${RESULTS_DIR}/${job.id}.json`, JSON.stringify(result) + '\n');
  return land(ws, w, procRel, job, result, ctx.now());
}

/** A model's wish to escalate becomes a ledger event only with budget; the event carries one less. Never a model call. */
export function escalation(
  job: CuratorJob,
  wish: Escalation | null,
  model: string,
  now: Date,
): { event: CuratorEvent | null; note: string } {
  if (!wish) return { event: null, note: '' };
  if (job.budget <= 0)
    return { event: null, note: `the model asked to escalate (${wish.severity}), but the job has no escalation budget: nothing escalated` };
  const event = newEvent(
    {
      source: `curator:${job.id}`,
      severity: wish.severity,
      desiredAction: wish.reason,
      budget: job.budget - 1,
      target: 'dream-council',
      note: `asked by ${model} in ${job.kind} job ${job.id}; recorded for review, never sent from model to model`,
    },
    now,
    `evt-${job.id}-escalation`,
  );
  // the escalation target stays set even at budget 0 now left: this event is the recorded escalation
  return { event: { ...event, escalation_target: 'dream-council' }, note: `escalated to the Dream Council (event ${event.id})` };
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readResult(ws: string, jobId: string): JobResult | null {
  try {
    const p = resultSchema.safeParse(JSON.parse(fs.readFileSync(abs(ws, `${RESULTS_DIR}/${jobId}.json`), 'utf8')));
    return p.success ? p.data : null;
  } catch {
    return null;
  }
}

/** Idempotent: the drafts (same names, same bytes), the event (once, by id), the job to done/, the result removed. */
function land(ws: string, w: CorpusWriter, procRel: string, job: CuratorJob, r: JobResult, now: Date, why?: string): CuratorJobReport {
  for (const d of r.drafts as PlannedDraft[]) w.write(d.rel, d.content);
  if (r.event && !readLedger(ws).some((e) => e.raw?.id === r.event!.id)) appendEvent(ws, r.event as CuratorEvent, w);
  writeState(w, applyMemo(readState(ws), r.memo));
  const outcome = [`${plural(r.drafts.length, 'draft')}`, r.note, why].filter(Boolean).join('; ');
  moveJob(w, procRel, DONE_DIR, { ...job, outcome, drafts: r.drafts.map((d) => d.rel), finished_at: now.toISOString() });
  w.removeFile(`${RESULTS_DIR}/${job.id}.json`);
  return {
    id: job.id,
    kind: job.kind,
    status: 'done',
    drafts: r.drafts.map((d) => d.rel),
    ...(r.note ? { escalation: r.note } : {}),
    ...(why ? { reason: why } : {}),
  };
}
