#!/usr/bin/env node
// Dream's real-VS-Code integration test runner.
//
// Default (offline, works on CI): code-server's bundled VS Code server (lib/vscode/out/server-main.js)
// runs the extension under development in its real Node extension host; a headless Debian chromium
// (playwright-core) hosts the workbench. The workbench gets the extension-development payload
// (extensionDevelopmentPath + extensionTestsPath, the @vscode/test-electron contract), forwards the
// extension host's output to us through window.codeAutomationLog and the exit code through
// window.codeAutomationExit. --enable-smoke-test-driver is required, else the payload is ignored.
//
// --electron: the same suite through @vscode/test-electron (desktop VS Code; needs internet to
// download it, and a display or xvfb-run on Linux).
//
// usage: node scripts/run-vscode-tests.mjs [options]
//   --timeout <ms>           overall limit for the suite (env TEST_TIMEOUT_MS, default 600000)
//   --workspace <dir>        folder to copy as the test workspace (default examples/sample-workspace)
//   --ext <dir>              extensionDevelopmentPath (default: the repo)
//   --tests <path>           extensionTestsPath (default <ext>/out/test/vscode/suite/index)
//   --out <dir>              artifacts: log + screenshot (default <repo>/.test-artifacts/vscode)
//   --port <n>               server port (default: a free port)
//   --keep                   keep the temp workspace and server state
//   --verbose                forward the workbench's own log lines too (env HARNESS_VERBOSE=1)
//   --electron               run through @vscode/test-electron instead
// env: CODE_SERVER_ENTRY (code-server's out/node/entry.js), DREAM_CACHE (default ~/.cache/dream-ci),
//      CHROMIUM_PATH (default /usr/bin/chromium)
// The extension host sees DREAM_TEST_WORKSPACE (the temp copy) and DREAM_TEST_WORKSPACE_SOURCE.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath, cli, codeServerEntry, dreamCache, freePort } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { flag, opt } = cli(import.meta.url);

const t0 = Date.now();
const T = {};
const mark = (k) => {
  T[k] = Date.now() - t0;
};
const verbose = flag('--verbose') || !!process.env.HARNESS_VERBOSE;
const timeout = Number(opt('--timeout', process.env.TEST_TIMEOUT_MS || 600000));
const extPath = path.resolve(opt('--ext', repo));
const testsPath = path.resolve(opt('--tests', path.join(extPath, 'out/test/vscode/suite/index')));
const outDir = path.resolve(opt('--out', path.join(repo, '.test-artifacts/vscode')));
const wsSource = path.resolve(opt('--workspace', path.join(repo, 'examples/sample-workspace')));
const cache = dreamCache;
const entry = codeServerEntry;

function die(msg, code = 2) {
  console.error(`run-vscode-tests: ${msg}`);
  console.log('0 passed, 1 failed');
  process.exit(code);
}

// ---- preflight ----------------------------------------------------------------------------
if (!fs.existsSync(testsPath + '.js') && !fs.existsSync(testsPath))
  die(`extensionTestsPath ${testsPath}(.js) not found: build first (node esbuild.mjs)`);
if (!fs.existsSync(path.join(extPath, 'package.json'))) die(`no package.json in extensionDevelopmentPath ${extPath}`);
const main = JSON.parse(fs.readFileSync(path.join(extPath, 'package.json'), 'utf8')).main;
if (main && !fs.existsSync(path.resolve(extPath, main)) && !fs.existsSync(path.resolve(extPath, main + '.js')))
  die(`the extension's main ${main} is not built: run node esbuild.mjs`);
if (!fs.existsSync(wsSource)) die(`workspace to copy not found: ${wsSource} (pass --workspace DIR)`);

// fresh copy of the workspace: the suite runs a bedtime run on it; symlinks are copied as symlinks
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-vscode-tests-'));
const ws = path.join(tmp, path.basename(wsSource));
fs.cpSync(wsSource, ws, { recursive: true, verbatimSymlinks: true });
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const cleanup = () => {
  if (!flag('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
};
const testEnv = { DREAM_TEST_WORKSPACE: ws, DREAM_TEST_WORKSPACE_SOURCE: wsSource };
console.log(`run-vscode-tests: workspace ${ws}${flag('--keep') ? ' (kept)' : ''}`);

if (flag('--electron')) await runElectron();
else await runCodeServer();

// ---- @vscode/test-electron --------------------------------------------------------------
async function runElectron() {
  let runTests;
  try {
    ({ runTests } = await import('@vscode/test-electron'));
  } catch (e) {
    die(`@vscode/test-electron is not installed (npm ci): ${e.message}`);
  }
  Object.assign(process.env, testEnv);
  try {
    const code = await runTests({
      extensionDevelopmentPath: extPath,
      extensionTestsPath: testsPath,
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(tmp, 'ud')],
      extensionTestsEnv: testEnv,
      cachePath: path.join(cache, 'vscode-test'), // the downloaded VS Code, outside the repo
    });
    cleanup();
    process.exit(code);
  } catch (e) {
    const msg = String(e?.message ?? e);
    cleanup();
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|fetch failed|getaddrinfo|Failed to get|download/i.test(msg + (e?.stack ?? ''))) {
      die(
        `--electron could not download desktop VS Code (${msg.split('\n')[0]}).\n` +
          '  @vscode/test-electron needs internet access to update.code.visualstudio.com (and a display / xvfb-run on Linux).\n' +
          '  Offline, run the same suite without --electron (code-server + chromium): node scripts/run-vscode-tests.mjs',
        1,
      );
    }
    die(`--electron: ${msg}`, 1);
  }
}

// ---- code-server's VS Code server + chromium ----------------------------------------------

async function runCodeServer() {
  const serverMain = path.join(path.dirname(entry), '../../lib/vscode/out/server-main.js');
  if (!fs.existsSync(entry) || !fs.existsSync(serverMain))
    die(
      `code-server not found at ${entry}.\n` +
        `  Install it: scripts/install-code-server.sh ${path.join(cache, 'code-server')}  (or run .ci/run), or set CODE_SERVER_ENTRY.`,
    );
  if (!fs.existsSync(chromiumPath))
    die(`chromium not found at ${chromiumPath}: apt-get install -y chromium fonts-liberation (or run .ci/run), or set CHROMIUM_PATH.`);
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    die(`playwright-core is not installed (npm ci): ${e.message}`);
  }

  const port = Number(opt('--port', 0)) || (await freePort());
  const state = path.join(tmp, 'state');
  // the server mkdirs these non-recursively: a missing parent silently leaves it with no extensions at all
  for (const d of ['server-data', 'ud', 'ext', 'xdg-config', 'xdg-data', 'xdg-cache'])
    fs.mkdirSync(path.join(state, d), { recursive: true });
  fs.writeFileSync(path.join(state, 'ext', 'extensions.json'), '[]');
  const env = {
    ...process.env,
    ...testEnv,
    XDG_CONFIG_HOME: path.join(state, 'xdg-config'),
    XDG_DATA_HOME: path.join(state, 'xdg-data'),
    XDG_CACHE_HOME: path.join(state, 'xdg-cache'),
  };
  delete env.ELECTRON_RUN_AS_NODE;
  const logPath = path.join(outDir, 'server.log');
  const log = fs.openSync(logPath, 'w');
  const args = [
    serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--telemetry-level',
    'off',
    '--disable-workspace-trust',
    '--server-data-dir',
    path.join(state, 'server-data'),
    '--user-data-dir',
    path.join(state, 'ud'),
    '--extensions-dir',
    path.join(state, 'ext'),
  ];
  const server = spawn(process.execPath, args, { env, stdio: ['ignore', log, log], detached: true });
  let serverExit = null;
  server.on('exit', (code, sig) => {
    serverExit = sig ?? code;
  });
  const stopServer = async () => {
    if (serverExit !== null) return;
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {}
    for (let i = 0; i < 50 && serverExit === null; i++) await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  };
  process.on('exit', () => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  });
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, async () => {
      await stopServer();
      cleanup();
      process.exit(130);
    });

  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/version`)).ok) break;
    } catch {}
    if (serverExit !== null || i > 600) {
      console.error(fs.readFileSync(logPath, 'utf8').slice(-3000));
      die(`VS Code server did not start (exit ${serverExit}); log: ${logPath}`, 1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  mark('serverUp');

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let finish;
  const exited = new Promise((r) => {
    finish = r;
  });
  const noise =
    /ENOTFOUND|EAI_AGAIN|^\s+at |ChatSessionStore|Creating a socket|connection token|\[Service Worker\]|builtin extensions cache|\[Extension Host\]|Ignoring the error while validating|No search provider registered|Unable to read file .*extensions\.json/i;
  const transcript = fs.createWriteStream(path.join(outDir, 'extension-host.log'));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(Array.isArray(args) ? args : [args]));
    transcript.write(line + '\n');
    if (verbose || !noise.test(line)) console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(code));
  page.on('crash', () => {
    console.error('run-vscode-tests: the workbench page crashed');
    finish('page-crash');
  });
  page.on('pageerror', (e) => {
    if (verbose) console.log('[pageerror]', String(e).slice(0, 300));
  });
  if (verbose) page.on('console', (m) => console.log('[console]', m.type(), m.text().slice(0, 300)));
  const serverWatch = setInterval(() => {
    if (serverExit !== null) finish(`server-exit-${serverExit}`);
  }, 500);

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extPath)],
    ['extensionTestsPath', remote(testsPath)],
  ]);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
  mark('workbenchOpened');
  let timer;
  const code = await Promise.race([
    exited,
    new Promise((r) => {
      timer = setTimeout(() => r('timeout'), timeout);
    }),
  ]);
  clearTimeout(timer);
  clearInterval(serverWatch);
  mark('testsExited');
  await page.screenshot({ path: path.join(outDir, 'final.png') }).catch(() => {});
  await browser.close().catch(() => {});
  transcript.end();
  await stopServer();
  cleanup();
  if (code === 'timeout') {
    console.error(
      `run-vscode-tests: the suite did not finish within ${timeout} ms (--timeout); screenshot ${path.join(outDir, 'final.png')}`,
    );
  } else if (code !== 0) {
    console.error(`run-vscode-tests: extension tests exited with ${code}; logs in ${outDir}`);
  }
  console.log(`run-vscode-tests: exit ${code}, timings(ms) ${JSON.stringify(T)}`);
  process.exit(code === 0 ? 0 : 1);
}
