// Dream benchmark (`npm run bench`): how an iteration's cost compares with simply reading the corpus.
// For each size (default 1k and 10k learnings) it generates a seeded synthetic corpus in a temp folder
// and measures, in this process:
//   1. the read floor: list and read every file under .agents/ once (warm page cache; median of 3)
//   2. the first iteration of a bedtime run on the fresh corpus (maxIterations 1)
//   3. the no-change iteration: fresh single-iteration runs until one stages no change
//   4. peak RSS and heap
//   5. near-duplicate precision/recall of findNearDuplicates(items, 0.8) against the planted groups
// Targets at 10k notes: no-change <= 3x read floor, first <= 6x, precision and recall >= 0.95.
// It always exits 0 (it is a measurement) and prints the verdict; results go to bench/results/latest.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBedtime } from '../src/engine/run/run';
import { resolveSettings } from '../src/engine/run/settings';
import type { RunOutcome } from '../src/engine/core/api';
import { findNearDuplicates } from '../src/engine/stages/dedupe';
import { generateCorpus, pairKey, plantedPairs, type SynthResult } from './synth';

const TARGETS = { size: 10_000, noChangeRatio: 3, firstRatio: 6, precision: 0.95, recall: 0.95 };
const MAX_CONVERGE_RUNS = 6;

interface Args {
  sizes: number[];
  seed: number;
  keep: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    sizes: [1000, 10_000],
    seed: 20261123,
    keep: false,
    out: path.resolve(__dirname, '..', 'bench', 'results', 'latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const val = () => {
      const eq = k.indexOf('=');
      if (eq > 0) return k.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--quick') a.sizes = [1000];
    else if (k.startsWith('--sizes')) {
      a.sizes = val()
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)
        .map((s) => Math.round(Number(s.replace(/k$/, '')) * (s.endsWith('k') ? 1000 : 1)));
      if (!a.sizes.length || a.sizes.some((n) => !Number.isInteger(n) || n < 10))
        throw new Error(`--sizes must be a comma-separated list of integers >= 10 (got ${k})`);
    } else if (k.startsWith('--seed')) a.seed = Number(val()) >>> 0;
    else if (k === '--keep') a.keep = true;
    else if (k.startsWith('--out')) a.out = path.resolve(val());
    else if (k === '--help' || k === '-h') {
      console.log('usage: node dist/bench.js [--sizes 1000,10000 | --quick] [--seed N] [--keep] [--out FILE]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** list (no symlinks followed) and read every file under dir */
function readAll(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += fs.readFileSync(p).length;
        files++;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

interface IterationSample {
  run: number;
  duration_ms: number;
  wall_ms: number;
  status: string;
  changes: number;
  run_status: string;
  halt_reason: string | null;
  /** the engine's own per-stage timings (iteration.measure.*_ms), when it records them */
  stage_ms: Record<string, number>;
}

interface SizeResult {
  size: number;
  seed: number;
  corpus: {
    files: number;
    bytes: number;
    learnings: number;
    planted_groups: number;
    planted_pairs: number;
    generate_ms: number;
    dir: string | null;
  };
  read_floor_ms: number;
  read_floor_samples_ms: number[];
  first: IterationSample | null;
  first_merged: { superseded: number; expected: number; archived: number; expected_stale: number } | null;
  no_change: (IterationSample & { runs_to_converge: number }) | null;
  runs: IterationSample[];
  first_ratio: number | null;
  no_change_ratio: number | null;
  /** the no-change iteration as the first iteration of a fresh run (cold caches) */
  no_change_cold_start: IterationSample | null;
  no_change_cold_ratio: number | null;
  dedupe: {
    ms: number;
    found_pairs: number;
    correct_pairs: number;
    planted_pairs: number;
    precision: number;
    recall: number;
    candidates_checked: number;
    exact_checks: number;
    false_positives: string[];
    missed: string[];
  };
  memory: { max_rss_mb: number; heap_used_mb: number; heap_peak_sampled_mb: number };
  errors: string[];
}

function sampleOf(it: RunOutcome['summary']['iterations'][number], runIndex: number, outcome: RunOutcome): IterationSample {
  return {
    run: runIndex,
    duration_ms: it.duration_ms,
    wall_ms: it.duration_ms,
    status: it.status,
    changes: it.changes.length,
    run_status: outcome.status,
    halt_reason: outcome.summary.halt_reason ?? null,
    stage_ms: Object.fromEntries(
      Object.entries(it.measure).filter((e): e is [string, number] => e[0].endsWith('_ms') && typeof e[1] === 'number'),
    ),
  };
}

async function singleIteration(workspace: string, runIndex: number): Promise<{ sample: IterationSample; outcome: RunOutcome }> {
  const settings = resolveSettings({ args: { maxIterations: 1, keepAwake: false, warnOnly: true } });
  const t0 = process.hrtime.bigint();
  const outcome = await runBedtime({ workspace, settings, goal: 'benchmark' });
  const wall = ms(t0);
  const it = outcome.summary.iterations[outcome.summary.iterations.length - 1];
  if (!it)
    throw new Error(
      `run ${runIndex} finished without an iteration (status ${outcome.status}, ${outcome.summary.failure_reason ?? outcome.summary.halt_reason ?? 'no reason'})`,
    );
  return {
    outcome,
    sample: {
      run: runIndex,
      duration_ms: it.duration_ms,
      wall_ms: Math.round(wall),
      status: it.status,
      changes: it.changes.length,
      run_status: outcome.status,
      halt_reason: outcome.summary.halt_reason ?? null,
      stage_ms: Object.fromEntries(
        Object.entries(it.measure).filter((e): e is [string, number] => e[0].endsWith('_ms') && typeof e[1] === 'number'),
      ),
    },
  };
}

async function benchSize(size: number, args: Args, heapSamples: number[]): Promise<SizeResult> {
  const sampleHeap = () => heapSamples.push(process.memoryUsage().heapUsed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dream-bench-${size}-`));
  const errors: string[] = [];
  const dupGroups = Math.max(1, Math.round(size / 40));
  let t0 = process.hrtime.bigint();
  const corpus: SynthResult = generateCorpus(dir, { learnings: size, dupGroups, seed: args.seed + size });
  const generateMs = ms(t0);
  const planted = plantedPairs(corpus.groups);
  const agents = path.join(dir, '.agents');

  // 1. read floor (warm page cache)
  readAll(agents);
  const floorSamples: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = process.hrtime.bigint();
    readAll(agents);
    floorSamples.push(ms(t0));
  }
  const readFloor = median(floorSamples);

  // 5. dedupe precision / recall (on the fresh corpus, before Dream merges anything)
  gc();
  const items = corpus.learnings.map((n) => ({ key: n.rel, text: `${n.title}\n${n.body}` }));
  t0 = process.hrtime.bigint();
  const dd = findNearDuplicates(items, 0.8);
  const dedupeMs = ms(t0);
  sampleHeap();
  const found = new Set(dd.pairs.map((p) => pairKey(p.a, p.b)));
  const correct = [...found].filter((k) => planted.has(k)).length;
  const dedupe = {
    ms: round(dedupeMs),
    found_pairs: found.size,
    correct_pairs: correct,
    planted_pairs: planted.size,
    precision: found.size ? round(correct / found.size, 4) : planted.size ? 0 : 1,
    recall: planted.size ? round(correct / planted.size, 4) : 1,
    candidates_checked: dd.candidatesChecked,
    exact_checks: dd.exactChecks,
    false_positives: [...found].filter((k) => !planted.has(k)).slice(0, 10),
    missed: [...planted].filter((k) => !found.has(k)).slice(0, 10),
  };

  // 2. first iteration, 3. no-change iteration
  const runs: IterationSample[] = [];
  let first: IterationSample | null = null;
  let firstMerged: SizeResult['first_merged'] = null;
  let noChange: SizeResult['no_change'] = null;
  let noChangeCold: IterationSample | null = null;
  try {
    // one run on the fresh corpus: iteration 1 is the first iteration (cold: parse, dedupe,
    // retrieval, every change written durably); the run's last iteration, which has nothing left
    // to change, is the no-change iteration (inside the run, with the run's caches warm)
    gc();
    const full = await runBedtime({
      workspace: dir,
      settings: resolveSettings({ args: { keepAwake: false, warnOnly: true, maxIterations: MAX_CONVERGE_RUNS } }),
      goal: 'benchmark',
    });
    sampleHeap();
    full.summary.iterations.forEach((it) => runs.push(sampleOf(it, 1, full)));
    const it = full.summary.iterations[0];
    if (!it) throw new Error(`run finished without an iteration (${full.summary.failure_reason ?? full.summary.halt_reason})`);
    first = sampleOf(it, 1, full);
    firstMerged = {
      superseded: it.changes.filter((c) => c.kind === 'superseded').length,
      expected: corpus.groups.reduce((a, g) => a + g.length - 1, 0),
      archived: it.changes.filter((c) => c.kind === 'archived').length,
      expected_stale: corpus.stale.length,
    };
    const last = full.summary.iterations.at(-1)!;
    if (full.summary.iterations.length > 1 && last.changes.length === 0)
      noChange = { ...sampleOf(last, 1, full), runs_to_converge: full.summary.iterations.length };
    else errors.push(`the run did not reach an iteration without changes within ${MAX_CONVERGE_RUNS} iterations`);
    // informative: the same no-change iteration as the first of a fresh run (cold caches, baseline measure)
    gc();
    const cold = await singleIteration(dir, 2);
    runs.push(cold.sample);
    noChangeCold = cold.sample;
  } catch (e) {
    errors.push(`bedtime run failed: ${(e as Error).stack ?? (e as Error).message}`);
  }
  for (const r of runs) if (r.run_status === 'failed') errors.push(`run ${r.run} failed (iteration status ${r.status})`);

  const ru = process.resourceUsage();
  const mem = process.memoryUsage();
  if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  return {
    size,
    seed: args.seed + size,
    corpus: {
      files: corpus.files,
      bytes: corpus.bytes,
      learnings: corpus.learnings.length,
      planted_groups: corpus.groups.length,
      planted_pairs: planted.size,
      generate_ms: Math.round(generateMs),
      dir: args.keep ? dir : null,
    },
    read_floor_ms: round(readFloor),
    read_floor_samples_ms: floorSamples.map((x) => round(x)),
    first,
    first_merged: firstMerged,
    no_change: noChange,
    no_change_cold_start: noChangeCold,
    no_change_cold_ratio: noChangeCold && readFloor > 0 ? round(noChangeCold.duration_ms / readFloor, 2) : null,
    runs,
    first_ratio: first && readFloor > 0 ? round(first.duration_ms / readFloor, 2) : null,
    no_change_ratio: noChange && readFloor > 0 ? round(noChange.duration_ms / readFloor, 2) : null,
    dedupe,
    memory: {
      max_rss_mb: round(ru.maxRSS / 1024, 1), // maxRSS is in KiB; process-wide peak so far
      heap_used_mb: round(mem.heapUsed / 2 ** 20, 1),
      heap_peak_sampled_mb: round(Math.max(mem.heapUsed, ...heapSamples) / 2 ** 20, 1),
    },
    errors,
  };
}

function round(x: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map(
      (r, i) =>
        r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join('  ') +
        (i === 0 ? '\n' + w.map((x) => '-'.repeat(x)).join('  ') : ''),
    )
    .join('\n');
}

interface Verdict {
  name: string;
  target: string;
  actual: string;
  pass: boolean | null;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const hasGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  console.log(
    `Dream benchmark: sizes ${args.sizes.join(', ')}, seed ${args.seed}, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}${hasGc ? '' : ' (run with --expose-gc for steadier heap numbers)'}`,
  );
  const results: SizeResult[] = [];
  const heapSamples: number[] = [];
  for (const size of args.sizes) {
    process.stdout.write(`\n[${size}] generating, measuring ...`);
    const t0 = process.hrtime.bigint();
    const r = await benchSize(size, args, heapSamples);
    results.push(r);
    process.stdout.write(` done in ${(ms(t0) / 1000).toFixed(1)} s\n`);
    for (const e of r.errors) console.log(`  ERROR: ${e}`);
  }

  const f = (x: number | null | undefined, d = 1) => (x == null ? '-' : x.toFixed(d));
  const rows = [
    [
      'notes',
      'files',
      'MB',
      'read floor ms',
      'first iter ms',
      'first wall ms',
      'no-change ms',
      'runs',
      'first/floor',
      'no-change/floor',
      'dedupe ms',
      'precision',
      'recall',
      'max RSS MB',
      'heap MB',
    ],
    ...results.map((r) => [
      String(r.size),
      String(r.corpus.files),
      (r.corpus.bytes / 2 ** 20).toFixed(1),
      f(r.read_floor_ms),
      f(r.first?.duration_ms, 0),
      f(r.first?.wall_ms, 0),
      f(r.no_change?.duration_ms, 0),
      r.no_change ? String(r.no_change.runs_to_converge) : '-',
      f(r.first_ratio, 2) + 'x',
      f(r.no_change_ratio, 2) + 'x',
      f(r.dedupe.ms),
      f(r.dedupe.precision, 3),
      f(r.dedupe.recall, 3),
      f(r.memory.max_rss_mb),
      f(r.memory.heap_peak_sampled_mb),
    ]),
  ];
  console.log('\n' + table(rows));
  for (const r of results) {
    console.log(
      `\n[${r.size}] runs:\n    ${r.runs
        .map(
          (x) =>
            `#${x.run} ${x.status} ${x.changes} change(s) ${x.duration_ms} ms${
              Object.keys(x.stage_ms).length
                ? ` (${Object.entries(x.stage_ms)
                    .map(([k, v]) => `${k.replace(/_ms$/, '')} ${v}`)
                    .join(', ')})`
                : ''
            }`,
        )
        .join('\n    ')}` +
        (r.first_merged
          ? `\n[${r.size}] first iteration superseded ${r.first_merged.superseded} note(s) (planted ${r.first_merged.expected}), archived ${r.first_merged.archived} (planted stale ${r.first_merged.expected_stale})`
          : '') +
        `\n[${r.size}] dedupe: ${r.dedupe.found_pairs} pair(s) found, ${r.dedupe.correct_pairs}/${r.dedupe.planted_pairs} planted, ${r.dedupe.candidates_checked} candidates, ${r.dedupe.exact_checks} exact checks` +
        (r.dedupe.false_positives.length ? `\n    false positives (first 10): ${r.dedupe.false_positives.join(', ')}` : '') +
        (r.dedupe.missed.length ? `\n    missed (first 10): ${r.dedupe.missed.join(', ')}` : ''),
    );
  }

  const at = results.find((r) => r.size === TARGETS.size);
  const verdicts: Verdict[] = [];
  const check = (name: string, target: string, actual: number | null | undefined, ok: (x: number) => boolean, d = 2) =>
    verdicts.push({
      name,
      target,
      actual: actual == null ? 'not measured' : actual.toFixed(d),
      pass: actual == null ? (at ? false : null) : ok(actual),
    });
  check('no-change iteration / read floor', `<= ${TARGETS.noChangeRatio}x`, at?.no_change_ratio, (x) => x <= TARGETS.noChangeRatio);
  check('first iteration / read floor', `<= ${TARGETS.firstRatio}x`, at?.first_ratio, (x) => x <= TARGETS.firstRatio);
  check('dedupe precision', `>= ${TARGETS.precision}`, at?.dedupe.precision, (x) => x >= TARGETS.precision, 3);
  check('dedupe recall', `>= ${TARGETS.recall}`, at?.dedupe.recall, (x) => x >= TARGETS.recall, 3);
  console.log(`\nTargets at ${TARGETS.size} notes:`);
  if (!at) console.log(`  (no ${TARGETS.size}-note corpus in this run: targets not evaluated; run with --sizes ${TARGETS.size})`);
  for (const v of verdicts)
    console.log(
      `  ${v.pass === null ? 'SKIP' : v.pass ? 'PASS' : 'FAIL'}  ${v.name.padEnd(34)} target ${v.target.padEnd(8)} actual ${v.actual}`,
    );
  const failed = verdicts.filter((v) => v.pass === false).length;
  const overall = !at ? 'NOT EVALUATED' : failed || at.errors.length ? 'FAIL' : 'PASS';
  console.log(
    `\nVERDICT: ${overall}${failed ? ` (${failed} target(s) missed)` : ''}${at?.errors.length ? ` (${at.errors.length} error(s))` : ''}`,
  );

  const out = {
    schema: 'dream.bench/1',
    generated_at: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? null,
    expose_gc: hasGc,
    seed: args.seed,
    targets: TARGETS,
    verdict: overall,
    verdicts,
    results,
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(out, null, 2) + '\n');
  console.log(`Results written to ${args.out}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench: ${(e as Error).message}`);
    process.exit(1);
  },
);
