// The three curator job kinds: what each sends the model (small, relevant, redacted later by
// chatJson), the JSON shape it asks for (a zod schema; Ollama gets its JSON Schema), and the drafts a
// valid reply becomes.
//   ingest-session  a session note (or --source file) → draft learnings
//   lint-wiki       one small batch of live learnings chosen by the index → contradictions,
//                   duplicates trigrams miss, broken structure
//   dream-seed      tonight's summary and queue → next ideas
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  abs,
  metricValue,
  parseIndex,
  parseNote,
  readTonight,
  Retriever,
  scanCorpus,
  signed,
  type DreamSettings,
  type Summary,
} from '../../engine';
import type { DraftSpec } from './drafts';
import { SEVERITIES } from './ledger';
import type { CuratorJob, CuratorState } from './queue';
import { readRegularFile } from '../../engine';

/** how much of one file goes into a prompt */
export const SOURCE_CHARS = 12_000;
const NOTE_CHARS = 1_500;
const LINT_BATCH = 5;

const escalate = z
  .object({ reason: z.string().min(1).max(600), severity: z.enum(SEVERITIES) })
  .nullable()
  .optional()
  .describe('only when a person or the Dream Council must look at something urgent; null otherwise');

export const ingestReplySchema = z.object({
  learnings: z
    .array(
      z.object({
        title: z.string().min(3).max(160),
        statement: z.string().min(10).max(2400),
        type: z.enum(['learning', 'anti-pattern']),
        confidence: z.enum(['low', 'medium', 'high']),
      }),
    )
    .max(5),
  escalate,
});
export const lintReplySchema = z.object({
  findings: z
    .array(
      z.object({
        kind: z.enum(['contradiction', 'duplicate', 'structure']),
        title: z.string().min(3).max(160),
        detail: z.string().min(10).max(2400),
        notes: z.array(z.string()).min(1).max(LINT_BATCH),
        suggestion: z.string().max(1200),
      }),
    )
    .max(5),
  escalate,
});
export const seedReplySchema = z.object({
  ideas: z
    .array(z.object({ title: z.string().min(3).max(160), why: z.string().min(10).max(1600), first_step: z.string().min(3).max(800) }))
    .max(3),
  escalate,
});

export type Escalation = { reason: string; severity: (typeof SEVERITIES)[number] };

export interface JobPlan {
  system: string;
  prompt: string;
  schema: z.ZodType<{ escalate?: Escalation | null }>;
  toDrafts(reply: unknown): DraftSpec[];
  /** what the state remembers once the job's result lands */
  memo: StateMemo;
}

export interface StateMemo {
  ingested?: string;
  lint_cursor?: string;
}
export function applyMemo(s: CuratorState, m: StateMemo): CuratorState {
  return {
    ...s,
    ...(m.ingested ? { ingested: [...s.ingested.filter((x) => x !== m.ingested), m.ingested].slice(-500) } : {}),
    ...(m.lint_cursor ? { lint_cursor: m.lint_cursor } : {}),
  };
}

export type Planned = { plan: JobPlan } | { skip: string } | { fail: string };

export interface PlanContext {
  workspace: string;
  settings: DreamSettings;
  summary: Readonly<Summary> | null;
  state: CuratorState;
  /** jobs still queued after this one (dream-seed reads them) */
  queued: CuratorJob[];
}

const SYSTEM =
  'You are the local curator of a software repository’s knowledge corpus (.agents/). You read notes and write short, ' +
  'specific, reviewable drafts for a person. Never invent file paths, commands or facts that are not in the text. ' +
  'Answer only with JSON that matches the given schema. Leave "escalate" null unless something is urgent for a person.';

export function planJob(job: CuratorJob, ctx: PlanContext): Planned {
  switch (job.kind) {
    case 'ingest-session':
      return planIngest(job, ctx);
    case 'lint-wiki':
      return planLint(job, ctx);
    case 'dream-seed':
      return planSeed(ctx);
    default:
      return { fail: `unknown job kind "${job.kind}"` };
  }
}

function readSource(workspace: string, rel: string): { text: string; truncated: boolean } | { error: string } {
  const full = path.resolve(workspace, rel);
  try {
    const st = fs.lstatSync(full);
    if (st.isSymbolicLink()) return { error: `${rel} is a symlink; Dream does not follow symlinks` };
    if (!st.isFile()) return { error: `${rel} is not a file` };
    const text = (readRegularFile(full) ?? Buffer.alloc(0)).toString('utf8');
    return { text: text.slice(0, SOURCE_CHARS), truncated: text.length > SOURCE_CHARS };
  } catch (e) {
    return { error: `cannot read ${rel}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** Session notes (sessions/**, ao/sessions/**) as workspace-relative paths, newest first. */
export function sessionNotes(workspace: string): { rel: string; mtimeMs: number }[] {
  return scanCorpus(abs(workspace, ''))
    .notes.filter((n) => n.startsWith('sessions/') || n.startsWith('ao/sessions/'))
    .map((n) => ({ rel: `.agents/${n}`, mtimeMs: fs.statSync(abs(workspace, n)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.rel < b.rel ? -1 : 1));
}

/** The newest session note not ingested yet, workspace-relative. */
export function nextSession(workspace: string, ingested: readonly string[]): string | null {
  const seen = new Set(ingested);
  return sessionNotes(workspace).find((n) => !seen.has(n.rel))?.rel ?? null;
}

function planIngest(job: CuratorJob, ctx: PlanContext): Planned {
  const source = job.source ?? nextSession(ctx.workspace, ctx.state.ingested);
  if (!source) return { skip: 'no session note to ingest (every note under .agents/sessions/ was ingested already)' };
  const r = readSource(ctx.workspace, source);
  if ('error' in r) return { fail: r.error };
  return {
    plan: {
      system: SYSTEM,
      prompt:
        `Summarise this session note into at most 5 draft learnings: durable, reusable statements (what to do or avoid, ` +
        `and why), not a diary. Mark mistakes to avoid as "anti-pattern". Skip bare links, path lists and complaints.\n\n` +
        `File: ${source}${r.truncated ? ` (first ${SOURCE_CHARS} characters)` : ''}\n-----\n${r.text}\n-----`,
      schema: ingestReplySchema,
      toDrafts: (reply) =>
        (reply as z.infer<typeof ingestReplySchema>).learnings.map((l) => ({
          title: l.title,
          type: l.type,
          body: l.statement,
          confidence: l.confidence,
          source,
        })),
      memo: { ingested: source },
    },
  };
}

function planLint(job: CuratorJob, ctx: PlanContext): Planned {
  let raw: Buffer | null = null;
  try {
    raw = readRegularFile(abs(ctx.workspace, 'index.jsonl'));
    if (!raw) throw new Error('missing');
  } catch {
    return { skip: 'no .agents/index.jsonl yet (a bedtime run builds it); nothing to lint' };
  }
  const live = parseIndex(raw)
    .entries.filter((e) => e.path.startsWith('learnings/') && !/archiv/i.test(e.maturity) && !/\/\.?archive\//.test(e.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (live.length < 2) return { skip: 'fewer than two live learnings in the index; nothing to compare' };
  const wanted = job.source?.replace(/^\.agents\//, '');
  const seed =
    (wanted && live.find((e) => e.path === wanted)) ||
    live.find((e) => ctx.state.lint_cursor !== null && e.path > ctx.state.lint_cursor) ||
    live[0]!;
  const retriever = new Retriever(live);
  const near = retriever.search(`${seed.title} ${seed.tags.join(' ')} ${seed.summary}`, LINT_BATCH + 1).map((i) => live[i]!);
  const batch = [seed, ...near.filter((e) => e.path !== seed.path)].slice(0, LINT_BATCH);
  if (batch.length < 2) return { skip: `no note in the index is close to ${seed.path}; nothing to compare` };
  const texts = batch.map((e) => {
    const r = readSource(ctx.workspace, `.agents/${e.path}`);
    if ('error' in r) return `## ${e.path}\n(unreadable: ${r.error})`;
    const n = parseNote(e.path, Buffer.from(r.text));
    const keys = Object.keys(n.fm).join(', ');
    return `## ${e.path}\nfrontmatter keys: ${keys || '(none)'}\ntitle: ${e.title}\n${n.body.slice(0, NOTE_CHARS)}`;
  });
  const paths = new Set(batch.map((e) => e.path));
  return {
    plan: {
      system: SYSTEM,
      prompt:
        `These ${batch.length} learnings were chosen as related. Report at most 5 problems among them: contradictions ` +
        `(two notes advise opposite things), duplicates (same advice in different words), broken structure (no title, ` +
        `an empty body, a heading that does not match the content). Cite notes by the exact paths given. ` +
        `An empty list is a fine answer.\n\n${texts.join('\n\n')}`,
      schema: lintReplySchema,
      toDrafts: (reply) =>
        (reply as z.infer<typeof lintReplySchema>).findings
          .map((f) => ({ ...f, notes: f.notes.map((p) => p.replace(/^\.agents\//, '')).filter((p) => paths.has(p)) }))
          .filter((f) => f.notes.length > 0)
          .map((f) => ({
            title: f.title,
            type: 'finding',
            body: `**${f.kind}**: ${f.detail}${f.suggestion ? `\n\nSuggestion: ${f.suggestion}` : ''}`,
            related: f.notes.map((p) => `.agents/${p}`),
          })),
      memo: { lint_cursor: seed.path },
    },
  };
}

function planSeed(ctx: PlanContext): Planned {
  const s = ctx.summary;
  const tonight = readTonight(ctx.workspace, ctx.settings.queueFile);
  const lines: string[] = [];
  if (s) {
    if (s.goal) lines.push(`Goal: ${s.goal}`);
    lines.push(`Run status: ${s.status}; halt: ${s.halt_reason ?? 'none'}`);
    const fit = Object.entries(s.fitness).map(([k, v]) => `${k} ${metricValue(v)}`);
    if (fit.length) lines.push(`Fitness: ${fit.join(', ')}`);
    const delta = Object.entries(s.fitness_delta)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .map(([k, v]) => `${k} ${signed(v)}`);
    if (delta.length) lines.push(`Fitness change tonight: ${delta.join(', ')}`);
    for (const p of s.morning_packets) lines.push(`Morning packet: ${p.title} (${p.type}, ${p.severity}) — ${p.why_now}`);
    for (const d of s.degraded.slice(0, 10)) lines.push(`Degraded: ${d}`);
    if (s.next_action) lines.push(`Next action: ${s.next_action}`);
  }
  for (const t of tonight.items.slice(0, 10)) lines.push(`Pinned for tonight: ${t}`);
  for (const j of ctx.queued.slice(0, 10)) lines.push(`Queued curator job: ${j.kind}${j.source ? ` ${j.source}` : ''}`);
  if (!lines.length) return { skip: 'no summary and no queue to seed ideas from' };
  return {
    plan: {
      system: SYSTEM,
      prompt:
        `From tonight's run summary and the queue below, propose at most 3 concrete next ideas for the knowledge corpus ` +
        `(what to research, write down, or clean up next), each with why it matters now and a first step.\n\n${lines.join('\n')}`,
      schema: seedReplySchema,
      toDrafts: (reply) =>
        (reply as z.infer<typeof seedReplySchema>).ideas.map((i) => ({
          title: i.title,
          type: 'idea',
          body: `${i.why}\n\nFirst step: ${i.first_step}`,
        })),
      memo: {},
    },
  };
}
