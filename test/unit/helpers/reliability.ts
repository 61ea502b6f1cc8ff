// The reliability suite: crash injection (SIGKILL at every seam call of COMMIT and recovery, and at
// random moments), fault injection (ENOSPC, EIO, EACCES, EROFS at every write, rename and removal of
// COMMIT and recovery, through the write guard's seam) and a hostile-corpus generator. Bounded in
// `npm test` (test/unit/reliability.test.ts), full in `npm run reliability` (scripts/reliability.mjs),
// which also regenerates RELIABILITY.md. Every failure names its seed.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommitError, Staging, recoverFromCrash } from '../../../src/engine/commit/checkpoint';
import { errnoError, fsSeam, LEGACY_TEMP_RE, TEMP_NAME_RE, type FsStep } from '../../../src/engine/core/fsutil';
import { mulberry32 } from '../../../bench/synth';

export const FAULT_CODES = ['ENOSPC', 'EIO', 'EACCES', 'EROFS'] as const;
/** the repository root (this file runs bundled from out/test/unit or out/test/unit/helpers) */
const REPO = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
})();
const CHILD = path.join(REPO, 'out/test/unit/helpers/crash-child.js');
const CLI = path.join(REPO, 'dist/cli.js');

/** mulberry32: a small seeded PRNG, so every failure can be replayed from its seed */
export const rng = mulberry32;
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)]!;

export function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
function put(root: string, rel: string, data: string | Buffer): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike pool token cache retry index'.split(' ');
function words(r: () => number, n: number): string {
  return Array.from({ length: n }, () => pick(r, WORDS)).join(' ');
}

/** A generated corpus: learnings in nested folders, findings, a queue and an index. */
export function generateCorpus(ws: string, seed: number, notes = 24): void {
  const r = rng(seed);
  put(ws, 'src/app.ts', 'export const app = 1;\n');
  for (let i = 0; i < notes; i++) {
    const dir = pick(r, ['learnings', 'learnings/db', 'learnings/auth/deep', 'knowledge/pending', 'patterns']);
    put(
      ws,
      `.agents/${dir}/n-${seed}-${i}.md`,
      `---\ntitle: "Note ${i} ${words(r, 3)}"\ndate: 2026-11-${String(1 + (i % 28)).padStart(2, '0')}\nmaturity: provisional\n---\n# Note ${i}\n\n${words(r, 40)}\n`,
    );
  }
  put(ws, `.agents/findings/f-2026-11-20-00${seed % 10}.md`, '---\ntitle: "A finding"\nseverity: high\nresolved: false\n---\nbody\n');
  put(ws, '.agents/rpi/next-work.jsonl', '{"id":"x"}\n');
  put(ws, '.agents/index.jsonl', '{"path":"learnings/x.md"}\n');
}

export type PlanOp = { op: 'write' | 'remove'; path: string; data?: string };

function listFiles(agents: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(agents, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (r === 'overnight') continue;
    if (e.isDirectory()) out.push(...listFiles(agents, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** An iteration's worth of changes: edits, archive moves, new files in new folders, queue and index. */
export function generatePlan(ws: string, seed: number, size = 8): PlanOp[] {
  const r = rng(seed * 7919 + 1);
  const files = listFiles(path.join(ws, '.agents'))
    .filter((f) => /^(learnings|knowledge|patterns)\//.test(f))
    .sort();
  const ops = new Map<string, PlanOp>();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  for (let i = 0; i < size; i++) {
    const kind = pick(r, ['edit', 'edit', 'move', 'new']);
    const f = pick(r, files);
    if (kind === 'edit' && !ops.has(f)) ops.set(f, { op: 'write', path: f, data: b64(`---\ntitle: edited ${i}\n---\n${words(r, 20)}\n`) });
    else if (kind === 'move' && f.startsWith('learnings/') && !ops.has(f)) {
      ops.set(f, { op: 'remove', path: f });
      const to = `learnings/.archive/${f.slice('learnings/'.length)}`;
      ops.set(to, { op: 'write', path: to, data: b64(`---\ntitle: archived\nmaturity: archived\n---\n${words(r, 10)}\n`) });
    } else {
      const to = `learnings/new-${seed}/sub-${i % 3}/n-${i}.md`;
      ops.set(to, { op: 'write', path: to, data: b64(`---\ntitle: new ${i}\n---\n${words(r, 15)}\n`) });
    }
  }
  ops.set('rpi/next-work.jsonl', { op: 'write', path: 'rpi/next-work.jsonl', data: b64(`{"id":"x"}\n{"id":"y-${seed}"}\n`) });
  ops.set('index.jsonl', { op: 'write', path: 'index.jsonl', data: b64(`{"path":"learnings/y-${seed}.md"}\n`) });
  return [...ops.values()];
}

/** files (by content hash) and folders of .agents/ outside overnight/ */
export function corpusState(ws: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = path.join(ws, '.agents');
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === 'overnight') continue;
      if (e.isSymbolicLink()) out.set(r, `-> ${fs.readlinkSync(path.join(root, r))}`);
      else if (e.isDirectory()) {
        out.set(r + '/', 'dir');
        walk(r);
      } else
        out.set(
          r,
          crypto
            .createHash('sha256')
            .update(fs.readFileSync(path.join(root, r)))
            .digest('hex'),
        );
    }
  };
  walk('');
  return out;
}

export function expectedAfter(pre: Map<string, string>, plan: PlanOp[]): Map<string, string> {
  const post = new Map(pre);
  for (const op of plan) {
    if (op.op === 'remove') post.delete(op.path);
    else {
      post.set(
        op.path,
        crypto
          .createHash('sha256')
          .update(Buffer.from(op.data ?? '', 'base64'))
          .digest('hex'),
      );
      const parts = op.path.split('/');
      for (let i = 1; i < parts.length; i++) post.set(parts.slice(0, i).join('/') + '/', 'dir');
    }
  }
  return post;
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** markers, staging and temp files left anywhere in .agents/ */
export function leftovers(ws: string): string[] {
  const out: string[] = [];
  const root = path.join(ws, '.agents');
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (r.startsWith('overnight/staging/')) out.push(r + '/');
        walk(r);
      } else if (TEMP_NAME_RE.test(e.name) || LEGACY_TEMP_RE.test(e.name) || e.name.startsWith('COMMIT-MARKER.')) out.push(r);
    }
  };
  walk('');
  return out;
}

export interface Verdict {
  ok: boolean;
  state: 'before' | 'after' | 'neither';
  problem?: string;
}

/** the corpus equals exactly the state before or after, nothing is left behind, recovery says the truth */
function judge(
  ws: string,
  pre: Map<string, string>,
  post: Map<string, string>,
  expect: 'before' | 'after' | 'either',
  said?: string[],
): Verdict {
  const now = corpusState(ws);
  const state = same(now, pre) ? 'before' : same(now, post) ? 'after' : 'neither';
  const left = leftovers(ws);
  if (state === 'neither') {
    const diff = [...new Set([...now.keys(), ...pre.keys()])].filter((k) => now.get(k) !== pre.get(k) && now.get(k) !== post.get(k));
    return { ok: false, state, problem: `half-applied: ${diff.slice(0, 5).join(', ')}` };
  }
  if (expect !== 'either' && state !== expect) return { ok: false, state, problem: `expected the state ${expect}, found ${state}` };
  if (left.length) return { ok: false, state, problem: `left behind: ${left.slice(0, 5).join(', ')}` };
  if (said) {
    const reversed = said.some((l) => /recovered from crash marker/.test(l));
    // a READY marker reversed means "before"; "after" with a reversal would be a lie
    if (reversed && state !== 'before' && !same(pre, post))
      return { ok: false, state, problem: `recovery says it reversed, corpus is ${state}` };
  }
  return { ok: true, state };
}

function child(args: object): { code: number | null; signal: NodeJS.Signals | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CHILD, JSON.stringify(args)], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

export interface Failure {
  what: string;
  seed: number;
  detail: string;
}

export interface CrashStats {
  killPoints: number;
  commitKills: number;
  recoveryKills: number;
  randomKills: number;
  before: number;
  after: number;
  failures: Failure[];
}

/**
 * SIGKILL at every seam call of COMMIT (persist, marker, each rename/unlink, flush, DONE, cleanup)
 * for `plans` generated plans, and for every `recoveryEvery`-th commit kill also at every seam call of
 * the recovery that follows (then recovery runs again to the end). Stops at `maxKills`.
 */
export function crashInjection(o: { seed: number; plans: number; maxKills: number; recoveryEvery: number; every?: boolean }): CrashStats {
  const st: CrashStats = { killPoints: 0, commitKills: 0, recoveryKills: 0, randomKills: 0, before: 0, after: 0, failures: [] };
  for (let p = 0; p < o.plans && st.killPoints < o.maxKills; p++) {
    const seed = o.seed + p;
    const base = tmp('dream-rel-base-');
    try {
      generateCorpus(base, seed);
      const plan = generatePlan(base, seed);
      const pre = corpusState(base);
      const post = expectedAfter(pre, plan);
      // how many seam calls an uninterrupted commit makes
      const full = tmp('dream-rel-full-');
      fs.cpSync(base, full, { recursive: true });
      const clean = child({ ws: full, mode: 'commit', killAt: 0, plan });
      const total = Number(clean.out);
      const v0 = judge(full, pre, post, 'after');
      fs.rmSync(full, { recursive: true, force: true });
      if (clean.code !== 0 || !v0.ok) {
        st.failures.push({ what: 'uninterrupted commit', seed, detail: clean.err || v0.problem || '' });
        continue;
      }
      // bounded runs spread their kill points over the whole commit of every plan; full runs take every one
      const stride = o.every ? 1 : Math.max(1, Math.floor(total / Math.max(1, Math.ceil(o.maxKills / o.plans / 1.3))));
      for (let k = 1 + (p % stride); k <= total && st.killPoints < o.maxKills; k += stride) {
        const ws = tmp('dream-rel-kill-');
        try {
          fs.cpSync(base, ws, { recursive: true });
          const c = child({ ws, mode: 'commit', killAt: k, plan });
          st.killPoints++;
          st.commitKills++;
          if (c.signal !== 'SIGKILL') {
            st.failures.push({ what: `kill at seam call ${k} of ${total}`, seed, detail: `child did not die: ${c.code} ${c.err}` });
            continue;
          }
          let said: string[] = [];
          if (k % o.recoveryEvery === 0) {
            // kill the recovery too, at every one of its seam calls, each on a fresh copy of this crash
            const crashed = tmp('dream-rel-crashed-');
            fs.cpSync(ws, crashed, { recursive: true });
            const probe = tmp('dream-rel-probe-');
            fs.cpSync(crashed, probe, { recursive: true });
            const rtotal = Number(child({ ws: probe, mode: 'recover', killAt: 0 }).out);
            fs.rmSync(probe, { recursive: true, force: true });
            for (let j = 1; j <= rtotal && st.killPoints < o.maxKills; j++) {
              const rw = tmp('dream-rel-rkill-');
              try {
                fs.cpSync(crashed, rw, { recursive: true });
                const rc = child({ ws: rw, mode: 'recover', killAt: j });
                st.killPoints++;
                st.recoveryKills++;
                if (rc.signal !== 'SIGKILL') throw new Error(`recovery did not die at ${j}: ${rc.err}`);
                const r = recoverFromCrash(rw);
                const v = judge(rw, pre, post, 'either', [...r.actions, ...r.manualReview]);
                const again = recoverFromCrash(rw);
                if (!v.ok || again.actions.length || again.manualReview.length)
                  st.failures.push({
                    what: `commit killed at ${k}/${total}, recovery killed at ${j}/${rtotal}`,
                    seed,
                    detail: v.problem ?? `second recovery not idle: ${JSON.stringify(again)}`,
                  });
                else st[v.state === 'before' ? 'before' : 'after']++;
              } catch (e) {
                st.failures.push({ what: `recovery kill ${j} after commit kill ${k}`, seed, detail: (e as Error).message });
              } finally {
                fs.rmSync(rw, { recursive: true, force: true });
              }
            }
            fs.rmSync(crashed, { recursive: true, force: true });
          }
          const r = recoverFromCrash(ws);
          said = [...r.actions, ...r.manualReview];
          const v = judge(ws, pre, post, 'either', said);
          if (!v.ok) st.failures.push({ what: `commit killed at seam call ${k} of ${total}`, seed, detail: v.problem! });
          else st[v.state === 'before' ? 'before' : 'after']++;
        } finally {
          fs.rmSync(ws, { recursive: true, force: true });
        }
      }
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }
  return st;
}

/** SIGKILL from outside at random moments while a child commits a large plan. */
export async function randomKills(o: { seed: number; kills: number }, st: CrashStats): Promise<void> {
  const r = rng(o.seed ^ 0x5eed);
  const base = tmp('dream-rel-rbase-');
  try {
    generateCorpus(base, o.seed, 120);
    const plan = generatePlan(base, o.seed, 90);
    const pre = corpusState(base);
    const post = expectedAfter(pre, plan);
    const t0 = Date.now();
    const full = tmp('dream-rel-rfull-');
    fs.cpSync(base, full, { recursive: true });
    child({ ws: full, mode: 'commit', killAt: 0, plan });
    const span = Math.max(50, Date.now() - t0);
    fs.rmSync(full, { recursive: true, force: true });
    for (let i = 0; i < o.kills; i++) {
      const ws = tmp('dream-rel-rkill-');
      try {
        fs.cpSync(base, ws, { recursive: true });
        const delay = Math.floor(r() * span);
        await new Promise<void>((resolve) => {
          const p = spawn(process.execPath, [CHILD, JSON.stringify({ ws, mode: 'commit', killAt: 0, plan })], { stdio: 'ignore' });
          const t = setTimeout(() => p.kill('SIGKILL'), delay);
          p.on('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
        st.killPoints++;
        st.randomKills++;
        const rec = recoverFromCrash(ws);
        const v = judge(ws, pre, post, 'either', [...rec.actions, ...rec.manualReview]);
        if (!v.ok) st.failures.push({ what: `random kill after ${delay} ms`, seed: o.seed, detail: v.problem! });
        else st[v.state === 'before' ? 'before' : 'after']++;
      } finally {
        fs.rmSync(ws, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

export interface FaultStats {
  faults: number;
  inCommit: number;
  inRecovery: number;
  sticky: number;
  reversed: number;
  committed: number;
  manualReview: number;
  byCode: Record<string, number>;
  failures: Failure[];
}

const FS_OPS: FsStep[] = ['write', 'rename', 'unlink', 'mkdir', 'rmdir', 'rmtree', 'link'];

/** fails the nth fs operation (all later ones too when sticky), counting from now */
function injectAt(nth: number, code: string, sticky: boolean): { count: () => number } {
  let n = 0;
  fsSeam.hook = (step, target) => {
    if (!FS_OPS.includes(step)) return;
    n++;
    if (n === nth || (sticky && n > nth)) throw errnoError(code, step, target);
  };
  return { count: () => n };
}

/**
 * Fault injection at every fs operation of COMMIT (persist included) and of recovery, with every
 * code; a sticky variant keeps failing (a disk that stays full). After the fault the "next start"
 * runs recovery without faults; the corpus must be exactly before (an error) or after (success).
 */
export function faultInjection(o: { seed: number; plans: number; maxFaults: number; every?: boolean }): FaultStats {
  const st: FaultStats = {
    faults: 0,
    inCommit: 0,
    inRecovery: 0,
    sticky: 0,
    reversed: 0,
    committed: 0,
    manualReview: 0,
    byCode: {},
    failures: [],
  };
  const runId = '20261125T000000Z';
  for (let p = 0; p < o.plans && st.faults < o.maxFaults; p++) {
    const seed = o.seed + 1000 + p;
    const base = tmp('dream-rel-fbase-');
    try {
      generateCorpus(base, seed, 12);
      const plan = generatePlan(base, seed, 5);
      const pre = corpusState(base);
      const post = expectedAfter(pre, plan);
      const stage = (ws: string) => {
        const s = new Staging(ws, runId, 1, `${runId}-iter-1`);
        for (const op of plan) op.op === 'write' ? s.write(op.path, Buffer.from(op.data ?? '', 'base64')) : s.remove(op.path);
        return s;
      };
      // how many fs operations COMMIT makes, and how many the reversal of a half-applied commit makes
      const probe = tmp('dream-rel-fprobe-');
      fs.cpSync(base, probe, { recursive: true });
      const counter = injectAt(Infinity, 'EIO', false);
      stage(probe).commit();
      const total = counter.count();
      fsSeam.hook = null;
      fs.rmSync(probe, { recursive: true, force: true });
      const fstride = o.every ? 1 : Math.max(1, Math.ceil((2 * total * o.plans) / (o.maxFaults * 0.6)));
      for (const sticky of [false, true])
        for (let k = 1 + (p % fstride); k <= total && st.inCommit < o.maxFaults * 0.7; k += fstride) {
          const code = FAULT_CODES[(k + p + (sticky ? 1 : 0)) % FAULT_CODES.length]!;
          const ws = tmp('dream-rel-fault-');
          try {
            fs.cpSync(base, ws, { recursive: true });
            const s = stage(ws);
            injectAt(k, code, sticky);
            let threw: Error | null = null;
            try {
              s.commit();
            } catch (e) {
              threw = e as Error;
            }
            s.discard(); // what the iteration runner does on any error
            fsSeam.hook = null;
            st.faults++;
            st.inCommit++;
            if (sticky) st.sticky++;
            st.byCode[code] = (st.byCode[code] ?? 0) + 1;
            if (threw instanceof CommitError && !threw.reversed) st.manualReview++;
            // a DONE marker that could be neither written nor removed is rolled back by the next start, and says so
            const rollsBack = s.commitNotes.some((n) => /the next start will roll iteration \d+ back/.test(n));
            const expect = threw || rollsBack ? 'before' : 'after';
            if (threw && !threw.message.includes(code)) throw new Error(`the error does not name the fault: ${threw.message}`);
            const rec = recoverFromCrash(ws); // the next start
            const v = judge(ws, pre, post, expect, [...rec.actions, ...rec.manualReview]);
            if (!v.ok)
              st.failures.push({ what: `${code}${sticky ? ' (sticky)' : ''} at COMMIT fs op ${k}/${total}`, seed, detail: v.problem! });
            else if (v.state === 'before') st.reversed++;
            else st.committed++;
          } catch (e) {
            fsSeam.hook = null;
            st.failures.push({ what: `${code} at COMMIT fs op ${k}`, seed, detail: (e as Error).message });
          } finally {
            fs.rmSync(ws, { recursive: true, force: true });
          }
        }
      // recovery under faults: a commit killed half-way (READY marker, some ops applied), then a
      // recovery that hits the fault, then a clean next start
      const half = tmp('dream-rel-half-');
      fs.cpSync(base, half, { recursive: true });
      const killed = child({ ws: half, mode: 'commit', killAt: Math.max(3, Math.floor(total * 0.8)), plan });
      const hasMarker = fs.readdirSync(path.join(half, '.agents/overnight')).some((n) => n.startsWith('COMMIT-MARKER.'));
      if (killed.signal === 'SIGKILL' && hasMarker) {
        const rprobe = tmp('dream-rel-rprobe-');
        fs.cpSync(half, rprobe, { recursive: true });
        const rc = injectAt(Infinity, 'EIO', false);
        recoverFromCrash(rprobe);
        const rtotal = rc.count();
        fsSeam.hook = null;
        fs.rmSync(rprobe, { recursive: true, force: true });
        for (const sticky of [false, true])
          for (let k = 1; k <= rtotal && st.faults < o.maxFaults; k++) {
            const code = FAULT_CODES[(k + p) % FAULT_CODES.length]!;
            const ws = tmp('dream-rel-rfault-');
            try {
              fs.cpSync(half, ws, { recursive: true });
              injectAt(k, code, sticky);
              const first = recoverFromCrash(ws);
              fsSeam.hook = null;
              st.faults++;
              st.inRecovery++;
              if (sticky) st.sticky++;
              st.byCode[code] = (st.byCode[code] ?? 0) + 1;
              const rec = recoverFromCrash(ws);
              const v = judge(ws, pre, post, 'before', [...first.actions, ...rec.actions]);
              if (!v.ok)
                st.failures.push({
                  what: `${code}${sticky ? ' (sticky)' : ''} at recovery fs op ${k}/${rtotal}`,
                  seed,
                  detail: v.problem!,
                });
              else st.reversed++;
            } catch (e) {
              fsSeam.hook = null;
              st.failures.push({ what: `${code} at recovery fs op ${k}`, seed, detail: (e as Error).message });
            } finally {
              fs.rmSync(ws, { recursive: true, force: true });
            }
          }
      }
      fs.rmSync(half, { recursive: true, force: true });
    } finally {
      fsSeam.hook = null;
      fs.rmSync(base, { recursive: true, force: true });
    }
  }
  return st;
}

// ---------------------------------------------------------------------------------------------
// Hostile corpus: one kind at a time planted in a small good corpus; the CLI runs one night.

export interface HostileKind {
  name: string;
  /** plants the bad input; returns the paths (relative to the workspace) that must stay byte-identical */
  plant: (ws: string) => string[];
  /** run the CLI as an unprivileged user (unreadable files mean nothing to root) */
  unprivileged?: boolean;
  /** the run cannot compound anything (no corpus at all) */
  noCorpus?: boolean;
}

const GOOD = ['alpha', 'bravo', 'charlie'];
function goodCorpus(ws: string): void {
  put(ws, 'src/app.ts', 'export const app = 1;\n');
  put(ws, 'README.md', '# outside .agents\n');
  for (const [i, g] of GOOD.entries())
    put(
      ws,
      `.agents/learnings/good-${g}.md`,
      `---\ntitle: "Good ${g} note about ${words(rng(i), 4)}"\ndate: 2026-11-2${i}\nmaturity: draft\ncitations: ["src/app.ts"]\n---\n# Good ${g}\n\nCites src/app.ts. ${words(rng(i + 10), 30)}\n`,
    );
  put(ws, '.agents/findings/f-2026-11-20-001.md', '---\ntitle: "Open finding"\nseverity: high\nresolved: false\n---\nbody\n');
}

function mk(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args).status === 0;
}

export const HOSTILE_KINDS: HostileKind[] = [
  {
    name: 'malformed YAML frontmatter',
    plant: (ws) => (
      put(ws, '.agents/learnings/bad-yaml.md', '---\ntitle: [unclosed\n  : : :\n---\nbody\n'),
      ['.agents/learnings/bad-yaml.md']
    ),
  },
  {
    name: 'duplicate-key YAML',
    plant: (ws) => (
      put(ws, '.agents/learnings/dup-key.md', '---\ntitle: one\ntitle: two\ndate: 2026-11-01\ndate: 2026-11-02\n---\nbody\n'),
      ['.agents/learnings/dup-key.md']
    ),
  },
  {
    name: 'YAML alias bomb',
    plant: (ws) => {
      const lines = ['---', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 0; i < 9; i++)
        lines.push(
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill('*' + String.fromCharCode(97 + i))
            .join(',')}]`,
        );
      lines.push('title: bomb', '---', 'body');
      put(ws, '.agents/learnings/alias-bomb.md', lines.join('\n') + '\n');
      return ['.agents/learnings/alias-bomb.md'];
    },
  },
  {
    name: '20 MB note',
    plant: (ws) => (
      put(ws, '.agents/learnings/huge.md', '---\ntitle: huge\n---\n' + 'word '.repeat(4 * 1024 * 1024)),
      ['.agents/learnings/huge.md']
    ),
  },
  {
    name: 'binary note with NUL bytes',
    plant: (ws) => (put(ws, '.agents/learnings/binary.md', crypto.randomBytes(4096)), ['.agents/learnings/binary.md']),
  },
  {
    name: 'invalid UTF-8',
    plant: (ws) => (
      put(
        ws,
        '.agents/learnings/bad-utf8.md',
        Buffer.concat([Buffer.from('---\ntitle: caf'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('\n---\nbody \xff\n', 'latin1')]),
      ),
      ['.agents/learnings/bad-utf8.md']
    ),
  },
  {
    name: 'CRLF and BOM',
    plant: (ws) => (
      put(ws, '.agents/learnings/crlf-bom.md', '\ufeff---\r\ntitle: crlf\r\ndate: 2026-11-01\r\n---\r\n# CRLF\r\n\r\nbody\r\n'),
      []
    ),
  },
  {
    name: 'deep folder nesting',
    plant: (ws) => {
      const rel = `.agents/learnings/${Array(60).fill('d').join('/')}/deep.md`;
      put(ws, rel, '---\ntitle: deep\n---\nbody\n');
      return [];
    },
  },
  {
    name: 'deeply nested YAML',
    plant: (ws) => (
      put(ws, '.agents/learnings/nested-yaml.md', `---\ntitle: nested\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n---\nbody\n`),
      ['.agents/learnings/nested-yaml.md']
    ),
  },
  {
    name: 'odd names (spaces, quotes, newline, leading dash, shell characters)',
    plant: (ws) => {
      for (const n of ['with space.md', `quote'"s.md`, 'new\nline.md', '-leading-dash.md', '$(rm -rf x);`id`.md', '.hidden.md'])
        put(ws, `.agents/learnings/${n}`, `---\ntitle: odd ${n.length}\n---\nbody of an oddly named note\n`);
      return [];
    },
  },
  {
    name: 'non-Latin names',
    plant: (ws) => {
      for (const n of ['日本語のメモ.md', 'заметка.md', 'ملاحظة.md', '🦄-emoji.md'])
        put(ws, `.agents/learnings/${n}`, `---\ntitle: ${n}\n---\n${n} body text\n`);
      return [];
    },
  },
  {
    name: 'long names (250 bytes; a path near PATH_MAX)',
    plant: (ws) => {
      put(ws, `.agents/learnings/${'x'.repeat(247)}.md`, '---\ntitle: long\nmaturity: archived\n---\nbody\n');
      let dir = '.agents/learnings';
      while (Buffer.byteLength(path.join(ws, dir)) < 3800) dir += '/' + 'p'.repeat(120);
      put(
        ws,
        `${dir}/${'n'.repeat(Math.max(1, 4000 - Buffer.byteLength(path.join(ws, dir)) - 4))}.md`,
        '---\ntitle: near PATH_MAX\n---\nbody\n',
      );
      return [];
    },
  },
  {
    name: 'symlinks everywhere (note, folder, loop, .archive, index, queue, tonight, outside targets)',
    plant: (ws) => {
      const out = path.join(ws, 'outside');
      put(ws, 'outside/target.md', '---\ntitle: outside\n---\nnot in the corpus\n');
      put(ws, 'outside/queue.jsonl', '{"id":"outside"}\n');
      fs.mkdirSync(path.join(ws, '.agents/rpi'), { recursive: true });
      fs.mkdirSync(path.join(ws, '.agents/dream'), { recursive: true });
      fs.symlinkSync(path.join(out, 'target.md'), path.join(ws, '.agents/learnings/link.md'));
      fs.symlinkSync(out, path.join(ws, '.agents/learnings/linked-dir'));
      fs.symlinkSync('loop-b', path.join(ws, '.agents/learnings/loop-a'));
      fs.symlinkSync('loop-a', path.join(ws, '.agents/learnings/loop-b'));
      fs.symlinkSync(out, path.join(ws, '.agents/learnings/.archive'));
      fs.symlinkSync(path.join(out, 'queue.jsonl'), path.join(ws, '.agents/rpi/next-work.jsonl'));
      fs.symlinkSync(path.join(out, 'queue.jsonl'), path.join(ws, '.agents/index.jsonl'));
      fs.symlinkSync('/etc/hostname', path.join(ws, '.agents/dream/tonight.md'));
      return ['outside/target.md', 'outside/queue.jsonl'];
    },
  },
  {
    name: 'FIFOs (tonight.md, next-work.jsonl, index.jsonl, a note)',
    plant: (ws) => {
      for (const r of ['dream/tonight.md', 'rpi/next-work.jsonl', 'index.jsonl', 'learnings/fifo.md']) {
        fs.mkdirSync(path.dirname(path.join(ws, '.agents', r)), { recursive: true });
        if (!mk('mkfifo', [path.join(ws, '.agents', r)])) throw new Error('mkfifo failed');
      }
      return [];
    },
  },
  {
    name: 'device node and socket in the corpus',
    plant: (ws) => {
      // a device needs root (mknod); without it, a socket alone
      mk('mknod', [path.join(ws, '.agents/learnings/dev-null.md'), 'c', '1', '3']);
      mk('python3', [
        '-c',
        `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path.join(ws, '.agents/index.jsonl'))})`,
      ]);
      return [];
    },
  },
  {
    name: 'unreadable note and folder (as an unprivileged user)',
    unprivileged: true,
    plant: (ws) => {
      put(ws, '.agents/learnings/secret.md', '---\ntitle: unreadable\n---\nbody\n');
      fs.chmodSync(path.join(ws, '.agents/learnings/secret.md'), 0o000);
      put(ws, '.agents/learnings/closed/inside.md', '---\ntitle: inside\n---\nbody\n');
      fs.chmodSync(path.join(ws, '.agents/learnings/closed'), 0o000);
      return [];
    },
  },
  {
    name: 'stale note in a read-only folder (as an unprivileged user)',
    unprivileged: true,
    plant: (ws) => {
      put(ws, '.agents/learnings/ro/old.md', '---\ntitle: Old\nmaturity: archived\nsuperseded_by: x\n---\nold\n');
      fs.chmodSync(path.join(ws, '.agents/learnings/ro'), 0o555);
      return ['.agents/learnings/ro/old.md'];
    },
  },
  {
    name: '.agents is a file',
    noCorpus: true,
    plant: (ws) => {
      fs.rmSync(path.join(ws, '.agents'), { recursive: true, force: true });
      put(ws, '.agents', 'not a folder\n');
      return ['.agents'];
    },
  },
  {
    name: 'citations outside the workspace',
    plant: (ws) => {
      put(
        ws,
        '.agents/learnings/cites-out.md',
        '---\ntitle: cites out\ncitations: ["../../../../etc/passwd", "/etc/shadow", "~/.ssh/id_rsa", "src/app.ts"]\n---\nSee /etc/passwd and ../../secret.\n',
      );
      return [];
    },
  },
  {
    name: 'corrupt runtime files (lock, marker, budget, iteration, manifest, index, queue)',
    plant: (ws) => {
      put(ws, '.agents/overnight/run.lock', 'garbage\u0000\n');
      const old = new Date(Date.now() - 13 * 3600 * 1000);
      fs.utimesSync(path.join(ws, '.agents/overnight/run.lock'), old, old); // a stale, corrupt lock
      put(ws, '.agents/overnight/COMMIT-MARKER.bad-iter-1', '{not json');
      put(ws, '.agents/overnight/warn-only-budget.json', '{"remaining": "lots"}');
      put(ws, '.agents/overnight/manifest.json', '\u0000\u0001garbage');
      put(ws, '.agents/overnight/runs/20261101T000000Z/iterations/iter-1.json', '{"truncated":');
      put(ws, '.agents/index.jsonl', '{"path": 1}\nnot json\n\u0000\n');
      put(ws, '.agents/rpi/next-work.jsonl', 'not json\n{"id": 5}\n');
      return ['.agents/overnight/COMMIT-MARKER.bad-iter-1'];
    },
  },
  {
    name: 'secrets in findings and notes',
    plant: (ws) => {
      put(
        ws,
        '.agents/findings/f-2026-11-21-002.md',
        `---\ntitle: "Leaked AKIA${'ABCDEFGHIJKLMNOP'} in CI"\nseverity: high\nresolved: false\n---\nkey sk-proj-${'x'.repeat(40)} and sk_live_${'a'.repeat(24)}\n`,
      );
      return ['.agents/findings/f-2026-11-21-002.md'];
    },
  },
  {
    name: 'markup in titles (script, img onerror, javascript: links)',
    plant: (ws) => {
      put(
        ws,
        '.agents/findings/f-2026-11-21-003.md',
        '---\ntitle: "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))"\nseverity: high\nresolved: false\n---\nbody\n',
      );
      return [];
    },
  },
  {
    name: 'empty and frontmatter-only files',
    plant: (ws) => (
      put(ws, '.agents/learnings/empty.md', ''),
      put(ws, '.agents/learnings/fm-only.md', '---\n---\n'),
      ['.agents/learnings/empty.md']
    ),
  },
];

export interface HostileResult {
  kind: string;
  ok: boolean;
  exit: number | null;
  reason: string;
  problem?: string;
  ms: number;
}

function treeOutsideAgents(ws: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(ws, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === '.agents') continue;
      if (e.isSymbolicLink()) out.set(r, 'link');
      else if (e.isDirectory()) walk(r);
      else
        out.set(
          r,
          crypto
            .createHash('sha256')
            .update(fs.readFileSync(path.join(ws, r)))
            .digest('hex'),
        );
    }
  };
  walk('');
  return out;
}

function bytesOf(ws: string, rel: string): string {
  try {
    return crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(ws, rel)))
      .digest('hex');
  } catch (e) {
    return `unreadable:${(e as NodeJS.ErrnoException).code}`;
  }
}

/** can this machine run the CLI as nobody (setpriv), so unreadable files mean something? */
export function unprivilegedRunner(): string[] | null {
  if (process.getuid?.() !== 0) return []; // already unprivileged
  const r = spawnSync('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    process.execPath,
    '-e',
    'process.exit(process.getuid()===65534?0:1)',
  ]);
  return r.status === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : null;
}

/** one night over a good corpus with one hostile kind planted */
export function runHostile(kind: HostileKind): HostileResult {
  const t0 = Date.now();
  const ws = tmp('dream-hostile-');
  fs.chmodSync(ws, 0o755);
  const res: HostileResult = { kind: kind.name, ok: false, exit: null, reason: '', ms: 0 };
  try {
    goodCorpus(ws);
    const keep = kind.plant(ws);
    const pinned = new Map(keep.map((k) => [k, bytesOf(ws, k)]));
    const outside = treeOutsideAgents(ws);
    let prefix: string[] = [];
    if (kind.unprivileged) {
      const u = unprivilegedRunner();
      if (u === null) {
        res.ok = true;
        res.reason = 'skipped: cannot drop privileges on this machine';
        return res;
      }
      prefix = u;
      if (u.length) spawnSync('chown', ['-R', '65534:65534', ws]);
    }
    const cmd = prefix.length ? prefix[0]! : process.execPath;
    const args = [
      ...prefix.slice(1),
      ...(prefix.length ? [process.execPath] : []),
      CLI,
      'start',
      '--workspace',
      ws,
      '--max-iterations',
      '1',
    ];
    const r = spawnSync(cmd, args, {
      encoding: 'utf8',
      env: { ...process.env, DREAM_KEEP_AWAKE: 'false', HOME: ws },
      timeout: 90000,
      killSignal: 'SIGKILL',
    });
    res.exit = r.status;
    const errLines = (r.stderr ?? '').trim().split('\n').filter(Boolean);
    res.reason = errLines[errLines.length - 1] ?? (r.stdout ?? '').trim().split('\n').slice(-1)[0] ?? '';
    const problems: string[] = [];
    if (r.signal) problems.push(`killed by ${r.signal} (hung or crashed)`);
    if (r.status !== 0 && r.status !== 1) problems.push(`exit ${r.status}`);
    if (r.status === 1 && (errLines.length !== 1 || /\n\s+at /.test(r.stderr)))
      problems.push(`not a one-line reason: ${r.stderr.slice(0, 300)}`);
    for (const [k, h] of pinned) if (bytesOf(ws, k) !== h) problems.push(`${k} changed`);
    const after = treeOutsideAgents(ws);
    for (const [k, h] of outside) if (after.get(k) !== h) problems.push(`outside .agents/ changed: ${k}`);
    for (const k of after.keys()) if (!outside.has(k)) problems.push(`written outside .agents/: ${k}`);
    if (!kind.noCorpus) {
      let summary: { status?: string; iterations?: { committed: boolean }[]; failure_reason?: string } = {};
      try {
        summary = JSON.parse(fs.readFileSync(path.join(ws, '.agents/overnight/latest/summary.json'), 'utf8'));
      } catch {
        problems.push('no summary.json');
      }
      const index = (() => {
        try {
          if (!fs.lstatSync(path.join(ws, '.agents/index.jsonl')).isFile()) return '';
          return fs.readFileSync(path.join(ws, '.agents/index.jsonl'), 'utf8');
        } catch {
          return '';
        }
      })();
      const compoundedGood =
        summary.iterations?.some((i) => i.committed) &&
        GOOD.every(
          (g) => index.includes(`good-${g}.md`) || !fs.lstatSync(path.join(ws, '.agents/index.jsonl'), { throwIfNoEntry: false })?.isFile(),
        );
      if (!compoundedGood && !(kind.name.startsWith('stale note in a read-only') && r.status === 1))
        problems.push(`good notes not compounded (status ${summary.status}: ${summary.failure_reason ?? ''})`);
      const json = JSON.stringify(summary);
      if (/AKIAABCDEFGHIJKLMNOP|sk-proj-x{20}|sk_live_a{20}/.test(json)) problems.push('a secret reached summary.json');
      let md = '';
      try {
        md = fs.readFileSync(path.join(ws, '.agents/overnight/latest/summary.md'), 'utf8');
      } catch {
        /* reported above */
      }
      if (/<script|<img|\]\(javascript:/i.test(md.replace(/(`+)[^`]*?\1/g, ''))) problems.push('live markup in summary.md');
      if (/AKIAABCDEFGHIJKLMNOP|sk-proj-x{20}|sk_live_a{20}/.test(md)) problems.push('a secret reached summary.md');
      let queue = '';
      try {
        const st = fs.lstatSync(path.join(ws, '.agents/rpi/next-work.jsonl'));
        if (st.isFile()) queue = fs.readFileSync(path.join(ws, '.agents/rpi/next-work.jsonl'), 'utf8');
      } catch {
        /* none */
      }
      if (/AKIAABCDEFGHIJKLMNOP|sk-proj-x{20}|sk_live_a{20}/.test(queue)) problems.push('a secret reached next-work.jsonl');
    }
    res.ok = problems.length === 0;
    if (!res.ok) res.problem = problems.join('; ');
    return res;
  } catch (e) {
    res.problem = (e as Error).message;
    return res;
  } finally {
    res.ms = Date.now() - t0;
    spawnSync('chmod', ['-R', 'u+rwx', ws]);
    fs.rmSync(ws, { recursive: true, force: true });
  }
}
