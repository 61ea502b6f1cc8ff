// Dream benchmark (`npm run bench`): what a night costs against what the machine must pay anyway.
// For each size (--sizes, default 1k,10k,50k) a child process (so peak RSS is per size) generates a
// seeded corpus (profile `realistic` by default, `classic` = the older uniform one) and measures, in
// that one process:
//  - the read floor: list + read every file under .agents/ once, page cache warm (median of 3);
//  - one bedtime run on the fresh corpus: its first iteration (stage timings) and its last,
//    no-change iteration (warm process);
//  - the durable-write floor of the first iteration's changed files, same sizes, same disk:
//    temp + fsync + rename per file, and a batched form (one fsynced pack, then plain renames);
//  - a no-change night in a fresh process: `node dist/cli.js start` from spawn to exit (summary
//    written), median of 3, next to a bare `node -e 0`;
//  - a commit of 100 changed files through the engine's Staging (persist + commit);
//  - near-duplicate precision/recall against the planted groups.
// The parent adds the exact pairwise character-trigram Jaccard baseline at 2k (extrapolated by n²)
// and the editor numbers from `npm run bench:editor` when bench/results/editor.json exists.
// Prints a table and PASS/FAIL per target (ratios inside one run), writes bench/results/latest.json
// (or --out), prints JSON only with --json, and always exits 0 (it is a measurement).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBedtime } from '../src/engine/run/run';
import { resolveSettings } from '../src/engine/run/settings';
import type { IterationRecord } from '../src/engine/core/schemas';
import { findNearDuplicates, jaccard, normaliseForDedupe, trigramSet } from '../src/engine/stages/dedupe';
import { Staging } from '../src/engine/commit/checkpoint';
import { generateCorpus, pairKey, plantedPairs, type SynthResult } from './synth';
import { generateRealisticCorpus } from './realistic';

type Profile = 'realistic' | 'classic';
interface Args {
  sizes: number[];
  seed: number;
  profile: Profile;
  keep: boolean;
  json: boolean;
  out: string;
  child: number | null;
  /** generate the corpus of this size into --dir (and measure dedupe accuracy on it) */
  generate: number | null;
  dir: string | null;
  coldRuns: number;
  pairwiseAt: number;
}

const DEFAULT_SIZES = [1000, 10_000, 50_000];

function parseSize(s: string): number {
  const t = s.trim().toLowerCase();
  const n = Math.round(Number(t.replace(/k$/, '')) * (t.endsWith('k') ? 1000 : 1));
  if (!Number.isInteger(n) || n < 10) throw new Error(`a size must be an integer >= 10 or like 10k (got "${s}")`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    sizes: DEFAULT_SIZES,
    seed: 20261123,
    profile: 'realistic',
    keep: false,
    json: false,
    out: path.resolve(__dirname, '..', 'bench', 'results', 'latest.json'),
    child: null,
    generate: null,
    dir: null,
    coldRuns: 3,
    pairwiseAt: 2000,
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
    const name = k.split('=')[0];
    if (name === '--quick') a.sizes = [1000];
    else if (name === '--sizes') a.sizes = val().split(',').filter(Boolean).map(parseSize);
    else if (name === '--seed') a.seed = Number(val()) >>> 0;
    else if (name === '--profile') {
      const p = val();
      if (p !== 'realistic' && p !== 'classic') throw new Error(`--profile must be realistic or classic (got "${p}")`);
      a.profile = p;
    } else if (name === '--keep') a.keep = true;
    else if (name === '--json') a.json = true;
    else if (name === '--out') a.out = path.resolve(val());
    else if (name === '--child') a.child = parseSize(val());
    else if (name === '--generate') a.generate = parseSize(val());
    else if (name === '--dir') a.dir = path.resolve(val());
    else if (name === '--cold-runs') a.coldRuns = Math.max(1, Number(val()) | 0);
    else if (name === '--pairwise-at') a.pairwiseAt = parseSize(val());
    else if (name === '--help' || name === '-h') {
      console.log(
        'usage: node --expose-gc dist/bench.js [--sizes 1k,10k,50k | --quick] [--profile realistic|classic] [--seed N] [--json] [--keep] [--out FILE]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  if (!a.sizes.length) throw new Error('--sizes needs at least one size');
  return a;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

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

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The durable-write floor for `sizes` files (one per changed file) on the corpus's disk.
 * perFile: temp + write + fsync + rename each, then fsync the folder.
 * batched: every file's bytes in one pack (written + fsynced once: the durable record a recovery
 * can replay), then temp + rename each without fsync, and the folder fsynced once.
 */
function durableWriteFloor(scratch: string, sizes: number[]): { per_file_ms: number; batched_ms: number } {
  const payloads = sizes.map((n, i) => Buffer.alloc(n, 97 + (i % 26)));
  const run = (form: 'per-file' | 'batched') => {
    const dir = path.join(scratch, form);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fsyncPath(dir);
    const t0 = process.hrtime.bigint();
    if (form === 'batched') {
      const pack = path.join(dir, 'pack.bin');
      const fd = fs.openSync(pack, 'w');
      for (const p of payloads) fs.writeSync(fd, p);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    payloads.forEach((p, i) => {
      const tmp = path.join(dir, `.f${i}.tmp`);
      const fd = fs.openSync(tmp, 'w');
      fs.writeSync(fd, p);
      if (form === 'per-file') fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, path.join(dir, `f${i}.md`));
    });
    fsyncPath(dir);
    return ms(t0);
  };
  const perFile = run('per-file');
  const batched = run('batched');
  fs.rmSync(scratch, { recursive: true, force: true });
  return { per_file_ms: round(perFile), batched_ms: round(batched) };
}

const stageMs = (it: IterationRecord | undefined, k: string) => {
  const v = it?.measure?.[`${k}_ms`];
  return typeof v === 'number' ? v : 0;
};

interface ChildResult {
  size: number;
  profile: Profile;
  seed: number;
  corpus: { files: number; mb: number; learnings: number; planted_pairs: number; generate_ms: number; dir: string | null };
  read_floor_ms: number;
  first: {
    ms: number;
    changes: number;
    status: string;
    stages: Record<string, number>;
    irm_ms: number;
    persist_commit_ms: number;
    superseded: number;
    planted_merges: number;
    /** where the first iteration's time went (iteration record `phases`) */
    phases: Record<string, number>;
  } | null;
  warm_no_change: { ms: number; changes: number; iterations: number; phases: Record<string, number> } | null;
  durable_floor: { files: number; per_file_ms: number; batched_ms: number } | null;
  cold_night: { wall_ms: number; samples_ms: number[]; changes: number; node_startup_ms: number; status: string } | null;
  commit100_ms: number | null;
  dedupe: { ms: number; precision: number; recall: number; found: number; planted: number; missed: string[]; false_positives: string[] };
  max_rss_mb: number;
  errors: string[];
}

interface GenResult {
  corpus: ChildResult['corpus'];
  dedupe: ChildResult['dedupe'];
  planted_merges: number;
}

/**
 * Generates the corpus of `size` notes into args.dir and measures the engine's near-duplicate
 * detector on it against the planted groups. A process of its own: the generator's texts are not
 * counted in the peak memory of the process that measures Dream.
 */
function generateMain(size: number, args: Args): GenResult {
  const dir = args.dir!;
  const t0 = process.hrtime.bigint();
  const seed = args.seed + size;
  const corpus: SynthResult =
    args.profile === 'realistic'
      ? generateRealisticCorpus(dir, { learnings: size, seed })
      : generateCorpus(dir, { learnings: size, dupGroups: Math.max(1, Math.round(size / 40)), seed });
  const generateMs = ms(t0);
  const planted = plantedPairs(corpus.groups);
  // near-duplicates on the fresh corpus (the engine's detector, the engine's dedupe text)
  gc();
  const items = corpus.learnings.map((n) => ({ key: n.rel, text: `${n.title}\n${n.body}` }));
  const t1 = process.hrtime.bigint();
  const dd = findNearDuplicates(items, 0.8);
  const dedupeMs = ms(t1);
  const found = new Set(dd.pairs.map((p) => pairKey(p.a, p.b)));
  const correct = [...found].filter((k) => planted.has(k)).length;
  return {
    corpus: {
      files: corpus.files,
      mb: round(corpus.bytes / 2 ** 20, 1),
      learnings: corpus.learnings.length,
      planted_pairs: planted.size,
      generate_ms: Math.round(generateMs),
      dir: args.keep ? dir : null,
    },
    dedupe: {
      ms: round(dedupeMs),
      precision: found.size ? round(correct / found.size, 4) : planted.size ? 0 : 1,
      recall: planted.size ? round(correct / planted.size, 4) : 1,
      found: found.size,
      planted: planted.size,
      missed: [...planted].filter((k) => !found.has(k)).slice(0, 5),
      false_positives: [...found].filter((k) => !planted.has(k)).slice(0, 5),
    },
    planted_merges: corpus.groups.reduce((a, g) => a + g.length - 1, 0),
  };
}

/** Measures Dream on the corpus in args.dir (generated by generateMain); its peak RSS is Dream's. */
async function childMain(size: number, args: Args): Promise<ChildResult> {
  const errors: string[] = [];
  const dir = args.dir!;
  let t0 = process.hrtime.bigint();
  const seed = args.seed + size;
  const agents = path.join(dir, '.agents');

  readAll(agents);
  const floorSamples: number[] = [];
  for (let i = 0; i < 3; i++) {
    t0 = process.hrtime.bigint();
    readAll(agents);
    floorSamples.push(ms(t0));
  }
  const readFloor = median(floorSamples);

  let first: ChildResult['first'] = null;
  let warm: ChildResult['warm_no_change'] = null;
  let floor: ChildResult['durable_floor'] = null;
  let cold: ChildResult['cold_night'] = null;
  let commit100: number | null = null;
  try {
    gc();
    const full = await runBedtime({
      workspace: dir,
      settings: resolveSettings({ args: { keepAwake: false, warnOnly: true, maxIterations: 6 } }),
      goal: 'benchmark',
    });
    const its = full.summary.iterations;
    const it = its[0];
    if (!it) throw new Error(`run finished without an iteration (${full.summary.failure_reason ?? full.summary.halt_reason})`);
    const stages = Object.fromEntries(['ingest', 'reduce', 'measure', 'persist', 'commit'].map((k) => [k, stageMs(it, k)]));
    first = {
      ms: it.duration_ms,
      changes: it.changes.length,
      status: it.status,
      stages,
      irm_ms: stages.ingest! + stages.reduce! + stages.measure!,
      persist_commit_ms: stages.persist! + stages.commit!,
      superseded: it.changes.filter((c) => c.kind === 'superseded').length,
      planted_merges: 0,
      phases: it.phases ?? {},
    };
    const last = its.at(-1)!;
    if (its.length > 1 && last.changes.length === 0)
      warm = { ms: last.duration_ms, changes: 0, iterations: its.length, phases: last.phases ?? {} };
    else errors.push(`the run did not reach an iteration without changes within 6 iterations`);

    // the durable-write floor of the first iteration's own changed files (their current sizes)
    const sizes = it.changes.map((c) => {
      try {
        return fs.statSync(path.join(agents, c.path)).size;
      } catch {
        return 0;
      }
    });
    if (sizes.length) floor = { files: sizes.length, ...durableWriteFloor(path.join(dir, '.bench-scratch'), sizes) };

    // a no-change night in a fresh process: CLI cold start to summary written
    const cli = path.join(__dirname, 'cli.js');
    const spawnMs = (argv: string[]) => {
      const s = process.hrtime.bigint();
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
      return { ms: ms(s), r };
    };
    const nodeStart = median([0, 1, 2].map(() => spawnMs(['-e', '0']).ms));
    const samples: number[] = [];
    let coldChanges = -1;
    let coldStatus = 'unknown';
    for (let i = 0; i < args.coldRuns; i++) {
      // a run id is the start second: start in a fresh second, as a scheduled night does (two starts
      // in one second make the second one wait for the next)
      const until = Date.now() + 1005 - (Date.now() % 1000);
      while (Date.now() < until) await new Promise((res) => setTimeout(res, until - Date.now()));
      const { ms: wall, r } = spawnMs([cli, 'start', '--workspace', dir, '--max-iterations', '1', '--no-keep-awake', '--json']);
      if (r.status !== 0) {
        errors.push(`cold night exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
        break;
      }
      samples.push(wall);
      try {
        const sum = JSON.parse(r.stdout) as { status: string; iterations: IterationRecord[] };
        coldStatus = sum.status;
        coldChanges = sum.iterations?.reduce((a, x) => a + x.changes.length, 0) ?? -1;
      } catch {
        /* the summary on disk is what counts; stdout shape is informative */
      }
    }
    if (samples.length)
      cold = {
        wall_ms: round(median(samples)),
        samples_ms: samples.map((x) => round(x)),
        changes: coldChanges,
        node_startup_ms: round(nodeStart),
        status: coldStatus,
      };

    // commit of 100 changed files (persist + commit through the engine's Staging)
    const learnings = fs
      .readdirSync(path.join(agents, 'learnings'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `learnings/${f}`);
    const pickN = learnings.slice(0, 100);
    const staging = new Staging(dir, '20990101T000000Z', 1, '20990101T000000Z-iter-1');
    for (const r of pickN) staging.write(r, Buffer.concat([fs.readFileSync(path.join(agents, r)), Buffer.from('\nbench edit\n')]));
    t0 = process.hrtime.bigint();
    staging.persist();
    staging.commit();
    commit100 = round(ms(t0));
  } catch (e) {
    errors.push(`bedtime run failed: ${(e as Error).stack ?? (e as Error).message}`);
  }

  const rss = process.resourceUsage().maxRSS / 1024;
  return {
    size,
    profile: args.profile,
    seed,
    corpus: { files: 0, mb: 0, learnings: 0, planted_pairs: 0, generate_ms: 0, dir: null },
    read_floor_ms: round(readFloor),
    first,
    warm_no_change: warm,
    durable_floor: floor,
    cold_night: cold,
    commit100_ms: commit100,
    dedupe: { ms: 0, precision: 0, recall: 0, found: 0, planted: 0, missed: [], false_positives: [] },
    max_rss_mb: round(rss),
    errors,
  };
}

/** exact pairwise trigram Jaccard over n notes vs the engine's detector on the same notes */
function pairwiseBaseline(n: number, seed: number, profile: Profile) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dream-bench-pairwise-`));
  try {
    const corpus =
      profile === 'realistic'
        ? generateRealisticCorpus(dir, { learnings: n, seed })
        : generateCorpus(dir, { learnings: n, dupGroups: Math.round(n / 40), seed });
    const items = corpus.learnings.map((x) => ({ key: x.rel, text: `${x.title}\n${x.body}` }));
    gc();
    let t0 = process.hrtime.bigint();
    const sets = items.map((it) => trigramSet(normaliseForDedupe(it.text)));
    const truth = new Set<string>();
    for (let i = 0; i < sets.length; i++)
      for (let j = i + 1; j < sets.length; j++) if (jaccard(sets[i]!, sets[j]!) > 0.8) truth.add(pairKey(items[i]!.key, items[j]!.key));
    const pairwiseMs = ms(t0);
    gc();
    t0 = process.hrtime.bigint();
    const dd = findNearDuplicates(items, 0.8);
    const lshMs = ms(t0);
    const found = new Set(dd.pairs.map((p) => pairKey(p.a, p.b)));
    const correct = [...found].filter((k) => truth.has(k)).length;
    return {
      n,
      pairwise_ms: round(pairwiseMs),
      lsh_ms: round(lshMs),
      true_pairs: truth.size,
      precision: found.size ? round(correct / found.size, 4) : truth.size ? 0 : 1,
      recall: truth.size ? round(correct / truth.size, 4) : 1,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map(
      (r, i) =>
        r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join('  ') +
        (i === 0 ? '\n' + w.map((x) => '-'.repeat(x)).join('  ') : ''),
    )
    .join('\n');
}

interface Verdict {
  target: string;
  limit: string;
  actual: string;
  pass: boolean | null;
}

interface EditorResult {
  activation_ms?: number;
  event_loop_p99_ms?: number;
  event_loop_max_ms?: number;
  notes?: number;
  tree_ms?: number;
  report_open_ms?: number;
  /** when the report's webview said `ready`: VS Code's start of a webview, whatever it shows */
  report_webview_ready_ms?: number | null;
  changes?: number;
  measured_at?: string;
}

const phaseLine = (phases: Record<string, number>) =>
  Object.entries(phases)
    .filter(([, v]) => v >= 1)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

async function parentMain(args: Args): Promise<void> {
  const log = (s: string) => {
    if (!args.json) process.stdout.write(s);
  };
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'cpu'} x${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${process.platform}-${process.arch}, node ${process.version}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`;
  log(`Dream benchmark: profile ${args.profile}, sizes ${args.sizes.join(', ')}, seed ${args.seed}\nmachine: ${machine}\n`);
  const results: ChildResult[] = [];
  for (const size of args.sizes) {
    log(`[${size}] generating ...`);
    const t0 = process.hrtime.bigint();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dream-bench-${size}-`));
    const common = ['--seed', String(args.seed), '--profile', args.profile, '--dir', dir, ...(args.keep ? ['--keep'] : [])];
    const lastJson = <T>(r: ReturnType<typeof spawnSync>): T | null => {
      try {
        return JSON.parse(String(r.stdout).trim().split('\n').at(-1) ?? '') as T;
      } catch {
        log(` failed (exit ${r.status})\n${String(r.stderr).split('\n').slice(-8).join('\n')}\n`);
        return null;
      }
    };
    const gen = lastJson<GenResult>(
      spawnSync(process.execPath, ['--expose-gc', __filename, '--generate', String(size), ...common], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      }),
    );
    if (gen) {
      log(` measuring ...`);
      const r = lastJson<ChildResult>(
        spawnSync(process.execPath, ['--expose-gc', __filename, '--child', String(size), '--cold-runs', String(args.coldRuns), ...common], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        }),
      );
      if (r) {
        r.corpus = gen.corpus;
        r.dedupe = gen.dedupe;
        if (r.first) r.first.planted_merges = gen.planted_merges;
        results.push(r);
        log(` done in ${(ms(t0) / 1000).toFixed(1)} s\n`);
      }
    }
    if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
    for (const e of results.at(-1)?.errors ?? []) log(`  ERROR: ${e}\n`);
  }
  log(`[pairwise] exact trigram Jaccard over ${args.pairwiseAt} notes ...`);
  const pw = pairwiseBaseline(args.pairwiseAt, args.seed + 7, args.profile);
  log(` ${pw.pairwise_ms} ms (engine ${pw.lsh_ms} ms)\n`);
  let editor: EditorResult | null = null;
  try {
    editor = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'bench', 'results', 'editor.json'), 'utf8')) as EditorResult;
  } catch {
    editor = null;
  }

  const f = (x: number | null | undefined, d = 1) => (x == null || !isFinite(x) ? '-' : x.toFixed(d));
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || !b ? null : a / b);
  const rows: string[][] = [
    [
      'notes',
      'MB',
      'read floor',
      'first (changes)',
      'I+R+M',
      '/floor',
      'persist+commit',
      'dur. floor per-file|batched',
      '/floor',
      'warm no-change',
      '/floor',
      'cold night (node)',
      '/floor',
      'commit 100',
      'dedupe P/R',
      'peak RSS MB',
    ],
  ];
  for (const r of results) {
    rows.push([
      String(r.size),
      f(r.corpus.mb),
      `${f(r.read_floor_ms)} ms`,
      r.first ? `${r.first.ms} ms (${r.first.changes})` : '-',
      r.first ? `${r.first.irm_ms} ms` : '-',
      f(ratio(r.first?.irm_ms, r.read_floor_ms), 1) + '×',
      r.first ? `${r.first.persist_commit_ms} ms` : '-',
      r.durable_floor ? `${f(r.durable_floor.per_file_ms, 0)}|${f(r.durable_floor.batched_ms, 0)} ms` : '-',
      f(ratio(r.first?.persist_commit_ms, r.durable_floor?.per_file_ms), 2) + '×',
      r.warm_no_change ? `${r.warm_no_change.ms} ms` : '-',
      f(ratio(r.warm_no_change?.ms, r.read_floor_ms), 1) + '×',
      r.cold_night ? `${f(r.cold_night.wall_ms, 0)} (${f(r.cold_night.node_startup_ms, 0)}) ms` : '-',
      f(ratio(r.cold_night?.wall_ms, r.read_floor_ms), 1) + '×',
      r.commit100_ms != null ? `${f(r.commit100_ms, 0)} ms` : '-',
      `${f(r.dedupe.precision, 3)}/${f(r.dedupe.recall, 3)}`,
      f(r.max_rss_mb, 0),
    ]);
  }

  const verdicts: Verdict[] = [];
  const check = (target: string, limit: string, actual: number | null | undefined, ok: (x: number) => boolean, d = 2, unit = '') =>
    verdicts.push({
      target,
      limit,
      actual: actual == null || !isFinite(actual) ? 'not measured' : actual.toFixed(d) + unit,
      pass: actual == null || !isFinite(actual) ? null : ok(actual),
    });
  const at = (n: number) => results.find((r) => r.size === n);
  for (const n of [10_000, 50_000]) {
    const r = at(n);
    const k = `${n / 1000}k`;
    check(
      `${k}: no-change night, fresh process / read floor`,
      '≤ 3×',
      ratio(r?.cold_night?.wall_ms, r?.read_floor_ms),
      (x) => x <= 3,
      2,
      '×',
    );
    check(`${k}: no-change iteration, warm / read floor`, '≤ 2×', ratio(r?.warm_no_change?.ms, r?.read_floor_ms), (x) => x <= 2, 2, '×');
    check(
      `${k}: first iteration ingest+reduce+measure / read floor`,
      '≤ 6×',
      ratio(r?.first?.irm_ms, r?.read_floor_ms),
      (x) => x <= 6,
      2,
      '×',
    );
    check(
      `${k}: first iteration persist+commit / durable-write floor`,
      '≤ 2×',
      ratio(r?.first?.persist_commit_ms, r?.durable_floor?.per_file_ms),
      (x) => x <= 2,
      2,
      '×',
    );
  }
  const pw10 = at(10_000);
  const speedup10 = pw10 ? (pw.pairwise_ms * (10_000 / pw.n) ** 2) / pw10.dedupe.ms : null;
  check('10k: dedupe speed-up over exact pairwise (n² from 2k)', '≥ 300×', speedup10, (x) => x >= 300, 0, '×');
  const minP = Math.min(pw.precision, ...results.map((r) => r.dedupe.precision));
  const minR = Math.min(pw.recall, ...results.map((r) => r.dedupe.recall));
  check('dedupe precision (planted, and pairwise truth at 2k)', '≥ 0.95', minP, (x) => x >= 0.95, 3);
  check('dedupe recall (planted, and pairwise truth at 2k)', '≥ 0.95', minR, (x) => x >= 0.95, 3);
  check('50k: peak RSS', '≤ 1024 MB', at(50_000)?.max_rss_mb, (x) => x <= 1024, 0, ' MB');
  // linearity: per-note cost of each step against the previous size
  const sorted = [...results].sort((a, b) => a.size - b.size);
  const linear = (name: string, get: (r: ChildResult) => number | null | undefined) => {
    let worst: number | null = null;
    for (let i = 1; i < sorted.length; i++) {
      const a = get(sorted[i - 1]!);
      const b = get(sorted[i]!);
      if (a == null || b == null || !a) continue;
      const step = b / a / (sorted[i]!.size / sorted[i - 1]!.size);
      worst = worst == null ? step : Math.max(worst, step);
    }
    // named for the sizes measured (the default 1k, 10k, 50k: "1k→50k")
    const k = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
    const span = sorted.length ? `${k(sorted[0]!.size)}→${k(sorted.at(-1)!.size)}` : '1k→50k';
    check(`linear ${span}: ${name} (worst step / linear)`, '≤ 1.3×', worst, (x) => x <= 1.3, 2, '×');
  };
  linear('first iteration I+R+M', (r) => r.first?.irm_ms);
  linear('cold no-change night minus node start', (r) => (r.cold_night ? r.cold_night.wall_ms - r.cold_night.node_startup_ms : null));
  check('commit of 100 files: 50k / 1k', '≤ 2×', ratio(at(50_000)?.commit100_ms, at(1000)?.commit100_ms), (x) => x <= 2, 2, '×');
  check('editor: host event loop p99 during a run', '< 20 ms', editor?.event_loop_p99_ms, (x) => x < 20, 1, ' ms');
  check('editor: host event loop max during a run', '< 100 ms', editor?.event_loop_max_ms, (x) => x < 100, 1, ' ms');
  check('editor: report opens after a night with 10k changes', '< 1000 ms', editor?.report_open_ms, (x) => x < 1000, 0, ' ms');
  // the same, less VS Code's start of the webview (an empty report's webview takes as long here)
  const dreamPart =
    editor?.report_open_ms != null && editor.report_webview_ready_ms != null
      ? editor.report_open_ms - editor.report_webview_ready_ms
      : null;
  check("editor: report, Dream's part (after its webview is ready)", '< 1000 ms', dreamPart, (x) => x < 1000, 0, ' ms');

  const out = {
    schema: 'dream.bench/2',
    generated_at: new Date().toISOString(),
    machine,
    profile: args.profile,
    seed: args.seed,
    results,
    pairwise: {
      ...pw,
      extrapolated_10k_ms: round(pw.pairwise_ms * (10_000 / pw.n) ** 2),
      extrapolated_50k_ms: round(pw.pairwise_ms * (50_000 / pw.n) ** 2),
    },
    editor,
    verdicts,
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(out, null, 2) + '\n');
  if (args.json) {
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  console.log('\n' + table(rows));
  console.log(
    `\ndedupe: exact pairwise over ${pw.n} notes ${pw.pairwise_ms} ms (${pw.true_pairs} true pairs) → n² extrapolation ${f(out.pairwise.extrapolated_10k_ms / 1000, 1)} s at 10k, ${f(out.pairwise.extrapolated_50k_ms / 1000, 0)} s at 50k; engine at ${pw.n}: ${pw.lsh_ms} ms, precision ${pw.precision} recall ${pw.recall} against the exact pairs` +
      results.map((r) => `\n  ${r.size}: engine ${r.dedupe.ms} ms, ${r.dedupe.found} pair(s), planted ${r.dedupe.planted}`).join(''),
  );
  for (const r of results)
    if (r.first)
      console.log(
        `[${r.size}] first iteration ${r.first.status}: ${Object.entries(r.first.stages)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} ms; superseded ${r.first.superseded} (planted merges ${r.first.planted_merges})` +
          (r.cold_night
            ? `; cold nights ${r.cold_night.samples_ms.join(', ')} ms (${r.cold_night.changes} change(s), ${r.cold_night.status})`
            : '') +
          `\n    phases (ms): ${phaseLine(r.first.phases)}` +
          (r.warm_no_change ? `\n    warm no-change iteration phases (ms): ${phaseLine(r.warm_no_change.phases)}` : ''),
      );
  if (editor) console.log(`editor (bench/results/editor.json, ${editor.measured_at ?? 'undated'}): ${JSON.stringify(editor)}`);
  console.log('\nTargets (ratios within this run):');
  for (const v of verdicts)
    console.log(`  ${v.pass === null ? 'N/A ' : v.pass ? 'PASS' : 'FAIL'}  ${v.target.padEnd(62)} ${v.limit.padEnd(10)} ${v.actual}`);
  const failed = verdicts.filter((v) => v.pass === false).length;
  console.log(
    `\n${verdicts.filter((v) => v.pass).length} pass, ${failed} fail, ${verdicts.filter((v) => v.pass === null).length} not measured`,
  );
  console.log(`Results written to ${args.out}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.generate != null) {
    if (!args.dir) throw new Error('--generate needs --dir');
    process.stdout.write('\n' + JSON.stringify(generateMain(args.generate, args)) + '\n');
    return;
  }
  if (args.child != null) {
    if (!args.dir) throw new Error('--child needs --dir');
    const r = await childMain(args.child, args);
    process.stdout.write('\n' + JSON.stringify(r) + '\n');
    return;
  }
  await parentMain(args);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench: ${(e as Error).message}`);
    process.exit(1);
  },
);
