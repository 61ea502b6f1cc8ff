// The run worker (worker_threads): one bedtime run per worker. The extension host posts `start`
// (and maybe `cancel`); the worker posts progress `event`s, then exactly one `finished` or `error`.
// Never imports vscode. Messages are plain JSON, validated with zod on both ends.
import { parentPort } from 'node:worker_threads';
import { DreamError, clockFromEnv, faultsSchema, loadSettings, runBedtime, summariesHere, type DreamEvent } from '../engine';
import { bedtimeLanes } from '../lanes';
import { hostToWorkerSchema, type StartRequest, type WorkerToHost } from '../protocol/worker';

const port = parentPort;
if (!port) throw new Error('dream worker: must run inside a worker thread');

let controller: AbortController | null = null;
let started = false;

function post(msg: WorkerToHost): void {
  port!.postMessage(msg);
}

function serializeError(e: unknown): Extract<WorkerToHost, { type: 'error' }>['error'] {
  if (e instanceof Error) {
    return {
      name: e.name,
      message: e.message,
      ...(e.stack ? { stack: e.stack } : {}),
      ...(e instanceof DreamError ? { code: e.code } : {}),
    };
  }
  return { name: 'Error', message: String(e) };
}

/** changes listed in a progress event; the host reads the full list from iter-N.json on disk */
const WIRE_CHANGES = 50;
function slim(event: DreamEvent): DreamEvent {
  if (event.type !== 'iteration-finished' || event.iteration.changes.length <= WIRE_CHANGES) return event;
  return {
    ...event,
    iteration: { ...event.iteration, changes: event.iteration.changes.slice(0, WIRE_CHANGES) },
    changesTotal: event.iteration.changes.length,
  };
}

async function start(req: StartRequest): Promise<void> {
  controller = new AbortController();
  const { settings } = loadSettings(req.workspace, { user: req.userSettings, userLabel: 'VS Code settings', args: req.args });
  const faults = req.faults ? faultsSchema.parse(req.faults) : undefined;
  // this fault SIGKILLs the process: inside a worker that is the whole extension host
  if (faults?.crashInCommit || faults?.io?.kill || faults?.killAtStage)
    throw new DreamError(
      'the crashInCommit, killAtStage and io.kill faults are not available in the editor (it would kill the extension host); use the CLI with DREAM_TEST_FAULTS',
      'bad-settings',
    );
  const outcome = await runBedtime({
    workspace: req.workspace,
    settings,
    goal: req.goal || undefined,
    resume: req.resume,
    signal: controller.signal,
    lanes: bedtimeLanes(settings),
    trusted: req.trusted,
    onEvent: (event) => post({ type: 'event', event: slim(event) }),
    ...(faults ? { faults } : {}),
    now: clockFromEnv(process.env),
  });
  post({
    type: 'finished',
    runId: outcome.runId,
    status: outcome.status,
    summaryPath: outcome.summaryPath,
    exitCode: outcome.exitCode,
    haltReason: outcome.summary.halt_reason,
    failureReason: outcome.summary.failure_reason,
  });
}

port.on('message', (raw: unknown) => {
  const parsed = hostToWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    post({
      type: 'event',
      event: {
        type: 'log',
        level: 'warn',
        message: `dream worker: ignored an invalid message: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      },
    });
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    controller?.abort(new Error(msg.reason));
    return;
  }
  if (msg.type === 'read-summary') {
    summariesHere.summary(msg.file).then(
      (read) => post({ type: 'summary', id: msg.id, read, error: null }),
      (e: unknown) => post({ type: 'summary', id: msg.id, read: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  if (msg.type === 'read-changes') {
    summariesHere.changes(msg.workspace, msg.runId, msg.index).then(
      (changes) => post({ type: 'changes', id: msg.id, changes, error: null }),
      (e: unknown) => post({ type: 'changes', id: msg.id, changes: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  if (started) {
    post({ type: 'error', error: { name: 'DreamError', message: 'this worker already runs a bedtime run' } });
    return;
  }
  started = true;
  start(msg).catch((e: unknown) => post({ type: 'error', error: serializeError(e) }));
});
