// A large read (the first night on a corpus, or after many edits) is shared with a reader thread:
// it reads, parses and works out the second half of the notes (readerThread.ts) while this thread
// does the first half, on the machine's other core. The notes, their order and every fact worked
// out of them are what loadSnapshot gives (the same functions run on both sides); a reader thread
// that cannot start or fails is no error: this thread reads what is left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { adoptRead, finishSnapshot, kindOf, planRead, readHere, readSnapshot, scanCorpus, type NoteCache, type Snapshot } from './corpus';
import { adoptFacts, isVisible, noteFacts } from './knowledge';
import { noteOf, type Note } from './note';
import { parseReadReply, type ReadItem, type ReadRequest } from './readerProtocol';

/** below this many files to read, a thread costs more than it saves */
export const PARALLEL_MIN = 1500;

/** where the reader thread's bundle is: beside this bundle (dist/), or dist/ seen from a test bundle (out/test/unit/) */
function readerScript(): string | null {
  for (const p of [path.join(__dirname, 'readerThread.js'), path.join(__dirname, '..', '..', '..', 'dist', 'readerThread.js')])
    if (fs.existsSync(p)) return p;
  return null;
}

let reader: Worker | null | undefined;
let requests = 0;
/** a reader thread for one large read (null when it cannot run here); it ends when the read does */
function readerThread(): Worker | null {
  if (reader !== undefined) return reader;
  const script = process.env.DREAM_READER_THREAD === '0' || os.availableParallelism() < 2 ? null : readerScript();
  if (!script) return (reader = null);
  try {
    // a small heap: the thread keeps one batch alive at a time, and garbage counts in the night's memory
    const w = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 16 } });
    w.unref(); // never keeps a CLI run alive
    w.on('error', () => {
      if (reader === w) reader = null;
    });
    w.on('exit', () => {
      if (reader === w) reader = null;
    });
    return (reader = w);
  } catch {
    return (reader = null);
  }
}

/** a learning the stages will compare (visible): its near-duplicate signature is worked out while it is read */
const wantsSig = (rel: string) => kindOf(rel) === 'learning';

/**
 * loadSnapshot, with the reading shared with a reader thread when there is much to read.
 * `onRead` (tests) sees which thread read each note.
 */
export async function loadSnapshotParallel(
  workspace: string,
  cache: NoteCache,
  onRead?: (rel: string, by: 'main' | 'reader') => void,
): Promise<Snapshot> {
  const agentsDir = path.join(workspace, '.agents');
  const scan = scanCorpus(agentsDir);
  const degraded = [...scan.degraded];
  const plan = planRead(agentsDir, cache, scan, degraded);
  const thread = plan.toRead.length >= PARALLEL_MIN ? readerThread() : null;
  if (!thread) return readSnapshot(workspace, cache, scan, plan, degraded);

  // the reader thread takes the second half (a little more: this thread also takes its answers in)
  const split = Math.floor(plan.toRead.length * 0.45);
  const mine = plan.toRead.slice(0, split);
  const theirs = plan.toRead.slice(split);
  const id = ++requests;
  const answered = new Map<string, ReadItem & { data: ArrayBuffer }>();
  let failed = false;
  const done = new Promise<void>((resolve) => {
    const onMessage = (raw: unknown) => {
      const reply = parseReadReply(raw);
      if (!reply || reply.id !== id) return;
      for (const item of reply.items) answered.set(item.rel, { ...item, data: reply.data });
      if (reply.done) finish();
    };
    const onGone = () => {
      failed = true;
      finish();
    };
    const finish = () => {
      thread.off('message', onMessage);
      thread.off('error', onGone);
      thread.off('exit', onGone);
      resolve();
    };
    thread.on('message', onMessage);
    thread.on('error', onGone);
    thread.on('exit', onGone);
  });
  const request: ReadRequest = { type: 'read', id, agentsDir, files: theirs.map((rel) => ({ rel, sig: wantsSig(rel) })) };
  thread.postMessage(request);

  const read = new Map<string, Note>();
  let bytesRead = 0;
  const readMine = (rel: string) => {
    const r = readHere(agentsDir, cache, rel, degraded);
    if (!r) return;
    bytesRead += r.size;
    noteFacts(r.note, wantsSig(rel) && isVisible(r.note));
    read.set(rel, r.note);
    onRead?.(rel, 'main');
  };
  for (const rel of mine) readMine(rel);
  thread.ref();
  await done;
  // a large read happens once a night or so: the thread's heap (hundreds of MB after thousands of
  // notes) is given back rather than kept for the next one
  reader = undefined;
  void thread.terminate();
  for (const rel of theirs) {
    const item = answered.get(rel);
    if (!item) {
      // the thread stopped before it answered: read it here
      if (failed) readMine(rel);
      continue;
    }
    if ('gone' in item) continue;
    if ('error' in item) {
      degraded.push(`corpus: cannot read .agents/${rel}: ${item.error}`);
      continue;
    }
    const bytes = Buffer.from(item.data, item.bytes.offset, item.bytes.length);
    const n = adoptRead(cache, rel, { bytes, id: item.id }, noteOf({ ...item.note, bytes }));
    adoptFacts(n, item.facts);
    bytesRead += bytes.length;
    read.set(rel, n);
    onRead?.(rel, 'reader');
  }
  return finishSnapshot(workspace, cache, scan, plan.known, read, degraded, bytesRead);
}
