#!/usr/bin/env node
// Dream's single test command (`npm test`):
//   a. type check        npm run check-types (Node code, then the webview, each with its own tsconfig)
//   a. lint              npm run lint (ESLint import boundaries + prettier --check)
//   b. build             node esbuild.mjs
//   c. unit suite        mocha (.mocharc.json: out/test/unit/**/*.test.js)   -> "N passing / N failing"
//   d. integration suite node scripts/run-vscode-tests.mjs (real VS Code: code-server + chromium)
//                                                                             -> "N passed, N failed"
//   e. UI end-to-end     node scripts/e2e.mjs (packaged .vsix in code-server)  -> "N passed, N failed"
// options:
//   --unit      only a-c
//   --no-ui     skip e (the e2e UI test); d still runs
//   --no-vscode skip d
//   --bail      stop at the first failing phase
//   --no-install  do not install missing chromium / code-server / the real codex and claude CLIs
// d and e need code-server and chromium: when they are missing they are installed first
// (scripts/install-test-deps.sh: apt needs root or sudo); if that fails the phase FAILS (it never
// skips silently) and says how to install them.
// The last line is always "N passed, N failed" (totals); the exit code is non-zero if anything failed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
if (flag('--help') || flag('-h')) {
  const src = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  console.log(
    src
      .filter((l) => l.startsWith('//'))
      .map((l) => l.slice(3))
      .join('\n'),
  );
  process.exit(0);
}
const unitOnly = flag('--unit');
const noUi = flag('--no-ui');
const noVscode = flag('--no-vscode');
const bail = flag('--bail');

const cache = process.env.DREAM_CACHE || path.join(os.homedir(), '.cache/dream-ci');
const entry = process.env.CODE_SERVER_ENTRY || path.join(cache, 'code-server/node_modules/code-server/out/node/entry.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const phases = [];
const tStart = Date.now();

const childEnv = { ...process.env };
delete childEnv.FORCE_COLOR; // plain output to parse (mocha colours only a TTY)
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
let current = null; // the running child: its process group is ended with us
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    if (current) {
      try {
        process.kill(-current.pid, 'SIGTERM');
      } catch {}
    }
    process.exit(130);
  });

// Run a command, streaming its output and keeping a copy to parse.
function exec(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    console.log(`$ ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv, detached: process.platform !== 'win32' });
    current = child;
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`test-all: ${cmd} ${args.join(' ')} did not finish within ${timeoutMs / 1000}s; killing it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = null;
      resolve({ code: timedOut ? 'timeout' : (code ?? signal), out: stripAnsi(out) });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 'spawn-error', out: String(e) });
    });
  });
}
// the last "N passed, N failed" line of an output
function parsePassedFailed(out) {
  const all = [...out.matchAll(/^\s*(\d+) passed, (\d+) failed\s*$/gm)];
  if (!all.length) return null;
  const m = all[all.length - 1];
  return { passed: Number(m[1]), failed: Number(m[2]) };
}
// mocha's spec reporter summary
function parseMocha(out) {
  const p = [...out.matchAll(/^\s*(\d+) passing\b/gm)].pop();
  const f = [...out.matchAll(/^\s*(\d+) failing\b/gm)].pop();
  if (!p && !f) return null;
  return { passed: p ? Number(p[1]) : 0, failed: f ? Number(f[1]) : 0 };
}

async function phase(name, fn) {
  const t = Date.now();
  console.log(`\n=== ${name} ===`);
  let r;
  try {
    r = await fn();
  } catch (e) {
    r = { passed: 0, failed: 1, note: String(e?.message ?? e) };
  }
  const ms = Date.now() - t;
  phases.push({ name, ...r, ms });
  console.log(`=== ${name}: ${r.passed} passed, ${r.failed} failed (${(ms / 1000).toFixed(1)}s)${r.note ? ` — ${r.note}` : ''}`);
  return r.failed === 0;
}
// a command that is one check: passes when it exits 0
const single = (cmd, args, timeoutMs) => async () => {
  const { code } = await exec(cmd, args, timeoutMs);
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: `exit ${code}` };
};
// a command with a summary line: counts from the line; a crash or a non-zero exit without failures counts one failure
const counted = (cmd, args, timeoutMs, parse) => async () => {
  const { code, out } = await exec(cmd, args, timeoutMs);
  const c = parse(out);
  if (!c) return { passed: 0, failed: 1, note: `no test summary in the output (exit ${code})` };
  if (code !== 0 && c.failed === 0) return { ...c, failed: 1, note: `exit ${code} although no test failed` };
  if (code === 0 && c.failed > 0) return { ...c, note: 'exit 0 despite failures' };
  return { ...c, note: code === 0 ? '' : `exit ${code}` };
};

function uiPrereqs() {
  const missing = [];
  if (!fs.existsSync(entry))
    missing.push(
      `code-server (expected ${entry}; install: scripts/install-code-server.sh ${path.join(cache, 'code-server')}, or set CODE_SERVER_ENTRY)`,
    );
  if (!fs.existsSync(chromiumPath))
    missing.push(`chromium (expected ${chromiumPath}; install: apt-get install -y chromium fonts-liberation, or set CHROMIUM_PATH)`);
  if (!fs.existsSync(path.join(repo, 'node_modules/playwright-core'))) missing.push('playwright-core (npm ci)');
  return missing;
}
const prereqFailure = (missing) => async () => {
  console.error(
    `test-all: MISSING ${missing.join('; ')}.\n  Run .ci/run (installs everything, then runs npm test) or install them as said; use --unit to run only the unit tests.`,
  );
  return { passed: 0, failed: 1, note: `missing ${missing.map((m) => m.split(' ')[0]).join(', ')}` };
};

const go = (ok) => ok || !bail;
let ok = await phase('a. type check', single(npm, ['run', '-s', 'check-types'], 10 * 60_000));
if (go(ok)) ok = (await phase('a. lint (eslint + prettier --check)', single(npm, ['run', '-s', 'lint'], 10 * 60_000))) && ok;
let built = false;
if (go(ok)) {
  built = await phase('b. build', single(process.execPath, ['esbuild.mjs'], 10 * 60_000));
  ok = ok && built;
}
// the council's argument tests run the real codex and claude CLIs from the harness cache
if (built && !flag('--no-install') && !['codex', 'claude'].every((b) => fs.existsSync(path.join(cache, 'runners/node_modules/.bin', b))))
  spawnSync('bash', [path.join(repo, 'scripts/install-runners.sh'), path.join(cache, 'runners')], { stdio: 'inherit', cwd: repo });
if (built && go(ok))
  ok =
    (await phase(
      'c. unit tests (mocha)',
      counted(process.execPath, [path.join(repo, 'node_modules/mocha/bin/mocha.js')], 30 * 60_000, parseMocha),
    )) && ok;
if (!unitOnly) {
  let missing = uiPrereqs();
  // a fresh machine: install chromium and code-server (idempotent), unless told not to
  if (missing.length && !flag('--no-install') && (!noVscode || !noUi)) {
    console.log(
      `test-all: missing ${missing.map((m) => m.split(' ')[0]).join(', ')}; installing with scripts/install-test-deps.sh (use --no-install to skip)`,
    );
    spawnSync('bash', [path.join(repo, 'scripts/install-test-deps.sh')], { stdio: 'inherit', cwd: repo });
    missing = uiPrereqs();
  }
  if (!noVscode && built && go(ok))
    ok =
      (await phase(
        'd. integration tests in VS Code (code-server + chromium)',
        missing.length
          ? prereqFailure(missing)
          : counted(process.execPath, ['scripts/run-vscode-tests.mjs'], 20 * 60_000, parsePassedFailed),
      )) && ok;
  if (!noUi && built && go(ok))
    ok =
      (await phase(
        'e. UI end-to-end (packaged .vsix)',
        missing.length ? prereqFailure(missing) : counted(process.execPath, ['scripts/e2e.mjs'], 15 * 60_000, parsePassedFailed),
      )) && ok;
}

const passed = phases.reduce((s, p) => s + p.passed, 0);
const failed = phases.reduce((s, p) => s + p.failed, 0);
console.log('\n=== summary ===');
for (const p of phases)
  console.log(
    `${p.failed ? 'FAIL' : 'ok  '} ${p.name.padEnd(58)} ${String(p.passed).padStart(4)} passed ${String(p.failed).padStart(3)} failed ${(p.ms / 1000).toFixed(1).padStart(7)}s${p.note ? `  ${p.note}` : ''}`,
  );
const skipped = [
  unitOnly && 'd, e (--unit)',
  !unitOnly && noVscode && 'd (--no-vscode)',
  !unitOnly && noUi && 'e (--no-ui)',
  !built && 'c, d, e (build failed)',
].filter(Boolean);
if (skipped.length) console.log(`not run: ${skipped.join('; ')}`);
console.log(`total ${((Date.now() - tStart) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || phases.length === 0 ? 1 : 0);
