// `dream curator status|diagnose|enqueue|event|compact|promote`: the Tier 1 local curator (contract
// §6) from a terminal, over src/lanes/curator. Exit codes: 0 ok (diagnose: ready), 1 a problem or a
// refused input (one line), 2 a usage mistake.
import { requireCorpus } from '../../engine';
import {
  appendEvent,
  compactLedger,
  CuratorInputError,
  curatorStatus,
  diagnoseLines,
  enqueueJob,
  JOB_KINDS,
  newEvent,
  parseDays,
  PromoteError,
  promoteDraft,
  SEVERITIES,
  statusText,
} from '../../lanes/curator';
import { parseFlags, UsageError, type FlagSpec, type FlagValues } from '../args';
import { cliSettings, COMMON_FLAGS, workspaceOf, type Command, type CommandContext } from '../command';

const SUBS: Record<string, { flags: FlagSpec[]; usage: string }> = {
  status: { flags: [], usage: 'curator status [--json]' },
  diagnose: { flags: [], usage: 'curator diagnose [--json]' },
  enqueue: {
    flags: [
      { name: 'kind', kind: 'enum', choices: JOB_KINDS, help: 'the job kind (must be in dream.localCurator.allowedJobKinds)' },
      {
        name: 'source',
        kind: 'string',
        value: 'PATH',
        help: 'the file an ingest-session job summarises, or the learning lint-wiki starts from',
      },
      { name: 'budget', kind: 'whole', help: 'escalations to the council this job may cause (default 0: none)' },
    ],
    usage: 'curator enqueue --kind ingest-session|lint-wiki|dream-seed [--source PATH] [--budget N] [--json]',
  },
  event: {
    flags: [
      { name: 'source', kind: 'string', value: 'S', help: 'who or what noticed it' },
      { name: 'severity', kind: 'enum', choices: SEVERITIES, help: 'how urgent' },
      { name: 'desired-action', kind: 'string', value: 'A', help: 'what should happen about it' },
      { name: 'budget', kind: 'whole', help: 'escalations to the council it may cause (default 0: recorded for a person only)' },
      { name: 'note', kind: 'string', value: 'T', help: 'free text' },
    ],
    usage: 'curator event --source S --severity info|warn|high|critical --desired-action A [--budget N] [--note T] [--json]',
  },
  compact: {
    flags: [
      { name: 'apply', kind: 'boolean', help: 'do it (default: a dry run that says what it would do)' },
      { name: 'dry-run', kind: 'boolean', help: 'only say what would be done (the default)' },
      { name: 'older-than', kind: 'string', value: 'D', help: 'archive reviewed entries older than this many days (default 30d)' },
    ],
    usage: 'curator compact [--apply] [--older-than 30d] [--json]',
  },
  promote: { flags: [], usage: 'curator promote PATH [--json]' },
};

const ALL_FLAGS: FlagSpec[] = [];
for (const s of Object.values(SUBS)) for (const f of s.flags) if (!ALL_FLAGS.some((g) => g.name === f.name)) ALL_FLAGS.push(f);

export const curatorCommand: Command = {
  name: 'curator',
  summary: 'the local curator (Ollama + Gemma): status, diagnose, enqueue, event, compact, promote',
  usage: Object.values(SUBS).map((s) => `${s.usage} [--workspace DIR]`),
  notes: [
    'Jobs are worked during a bedtime run with dream.localCurator.enabled; drafts land in .agents/knowledge/pending/',
    'and only a person promotes them (dream curator promote). Ollama is probed at dream.localCurator.ollamaUrl, else',
    'http://127.0.0.1:11434 then :11435, for 2 s.',
  ],
  flags: [...ALL_FLAGS, ...COMMON_FLAGS],
  examples: [
    'dream curator diagnose',
    'dream curator status --json',
    'dream curator enqueue --kind ingest-session --source .agents/sessions/2026-11-24.md',
    'dream curator event --source ci --severity high --desired-action "review the auth notes" --budget 1',
    'dream curator compact --older-than 60d --apply',
    'dream curator promote .agents/knowledge/pending/job-20261125T010203Z-ingest-session-ab12cd34-1-close-the-pool.md',
  ],
  run: curator,
};

async function curator(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.argv;
  if (sub === undefined || sub.startsWith('-'))
    throw new UsageError(`dream curator: expected a subcommand (${Object.keys(SUBS).join(', ')})`);
  const spec = SUBS[sub];
  if (!spec) throw new UsageError(`dream curator: unknown subcommand "${sub}" (expected ${Object.keys(SUBS).join(', ')})`);
  const { values: v, positionals } = parseFlags(rest, [...spec.flags, ...COMMON_FLAGS], `curator ${sub}`);
  const expected = sub === 'promote' ? 1 : 0;
  if (positionals.length > expected) throw new UsageError(`unexpected argument "${positionals[expected]}" (see: dream curator --help)`);
  try {
    switch (sub) {
      case 'status':
      case 'diagnose':
        return await report(sub, v, ctx);
      case 'enqueue':
        return enqueue(v, ctx);
      case 'event':
        return event(v, ctx);
      case 'compact':
        return compact(v, ctx);
      default:
        return promote(positionals[0], v, ctx);
    }
  } catch (e) {
    // refused input: one line naming what was typed, exit 1
    if (e instanceof CuratorInputError || e instanceof PromoteError) {
      ctx.io.err(`dream curator ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function need(v: FlagValues, name: string, sub: string): string {
  if (typeof v[name] !== 'string') throw new UsageError(`dream curator ${sub}: --${name} is required (see: dream curator --help)`);
  return v[name] as string;
}

async function report(sub: 'status' | 'diagnose', v: FlagValues, { io, env, cwd }: CommandContext): Promise<number> {
  const workspace = workspaceOf(v, cwd);
  const settings = cliSettings(workspace, env, {});
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  let st;
  try {
    st = await curatorStatus(workspace, settings, { signal: ac.signal, env });
  } finally {
    process.off('SIGINT', onSig);
  }
  if (ac.signal.aborted) {
    io.err('dream curator: stopped');
    return 130;
  }
  if (v.json) io.out(JSON.stringify(st, null, 2));
  else if (sub === 'status') for (const l of statusText(st)) io.out(l);
  else for (const l of diagnoseLines(st.diagnostics)) io.out(l);
  return sub === 'diagnose' && st.diagnostics.length ? 1 : 0;
}

function enqueue(v: FlagValues, { io, env, cwd }: CommandContext): number {
  const kind = need(v, 'kind', 'enqueue');
  const workspace = workspaceOf(v, cwd);
  const settings = cliSettings(workspace, env, {});
  requireCorpus(workspace);
  const { job, path } = enqueueJob(workspace, {
    kind,
    source: v.source as string | undefined,
    budget: v.budget as number | undefined,
    allowed: settings.localCurator.allowedJobKinds,
  });
  if (v.json) io.out(JSON.stringify({ enqueued: path, job }));
  else {
    io.out(`queued ${job.kind} job ${job.id}: ${path}`);
    if (!settings.localCurator.enabled)
      io.out('note: the local curator is disabled; enable dream.localCurator.enabled for a bedtime run to work the queue');
  }
  return 0;
}

function event(v: FlagValues, { io, cwd }: CommandContext): number {
  const input = {
    source: need(v, 'source', 'event'),
    severity: need(v, 'severity', 'event'),
    desiredAction: need(v, 'desired-action', 'event'),
    budget: (v.budget as number | undefined) ?? 0,
    note: v.note as string | undefined,
  };
  const workspace = workspaceOf(v, cwd);
  requireCorpus(workspace);
  const ev = newEvent(input);
  const path = appendEvent(workspace, ev);
  if (v.json) io.out(JSON.stringify({ event_path: path, event: ev }));
  else
    io.out(
      `recorded event ${ev.id} (${ev.severity}) in ${path}: needs review; ${ev.budget > 0 ? `escalation to ${ev.escalation_target} with budget ${ev.budget}` : 'no escalation (budget 0)'}`,
    );
  return 0;
}

function compact(v: FlagValues, { io, cwd }: CommandContext): number {
  if (v.apply === true && v['dry-run'] === true) throw new UsageError('dream curator compact: --apply and --dry-run exclude each other');
  let olderThanDays = 30;
  try {
    if (typeof v['older-than'] === 'string') olderThanDays = parseDays(v['older-than']);
  } catch (e) {
    throw new UsageError(`dream curator compact: ${(e as Error).message}`);
  }
  const workspace = workspaceOf(v, cwd);
  requireCorpus(workspace);
  const r = compactLedger(workspace, { apply: v.apply === true, olderThanDays });
  if (v.json)
    io.out(
      JSON.stringify({
        applied: r.applied,
        dry_run: v.apply !== true,
        total: r.total,
        archived: r.wouldArchive.length,
        kept: r.keep.length,
        pending_review: r.pendingReview,
        unreadable: r.unreadable,
        older_than_days: olderThanDays,
        archive_path: r.archivePath,
        message: r.message,
      }),
    );
  else io.out(r.message);
  return 0;
}

function promote(target: string | undefined, v: FlagValues, { io, cwd }: CommandContext): number {
  if (!target) throw new UsageError('dream curator promote: expected the draft to promote (a file in .agents/knowledge/pending/)');
  const workspace = workspaceOf(v, cwd);
  requireCorpus(workspace);
  // a person at the terminal is promoting: the CLI runs only where the user runs it
  const p = promoteDraft(workspace, target, { trusted: true });
  if (v.json) io.out(JSON.stringify(p));
  else io.out(`promoted "${p.title}": .agents/${p.from} → .agents/${p.to} (promoted_by: human)`);
  return 0;
}
