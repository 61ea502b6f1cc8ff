#!/usr/bin/env node
// Dream end-to-end UI test: the PACKAGED extension (dream.vsix) installed into a fresh code-server,
// driven in headless Debian chromium (playwright-core) the way a person would use it.
//
// Scenarios (one code-server, one browser, one window per workspace):
//  1. run     - fresh copy of examples/sample-workspace: F1 "Dream: Start Bedtime Run", type a goal,
//               the status bar shows "Dream ... iteration", the run finishes (summary.json done),
//               F1 "Dream: Open Morning Report" shows the four answers in the report webview;
//               files outside .agents/ stay byte-identical, no symlink appears.
//  2. welcome - a workspace without .agents/: the Dream activity-bar view shows its welcome text.
//  3. agents-only - a workspace holding only the example's .agents/: a bedtime run works there too
//               and the Dream view lists the run.
// Each check prints "ok   <name>" or "FAIL <name> :: <why>"; the last line is "N passed, N failed".
// Screenshots, code-server's log and the browser console go to .test-artifacts/e2e/.
//
// usage: node scripts/e2e.mjs [options]
//   --vsix <file>        use this .vsix instead of packaging (default: npm run package -> dream.vsix)
//   --workspace <dir>    example workspace (default examples/sample-workspace)
//   --out <dir>          artifacts (default .test-artifacts/e2e)
//   --only <a,b>         scenarios to run: run,welcome,agents-only (default all)
//   --run-timeout <ms>   how long a bedtime run may take (default 120000)
//   --timeout <ms>       watchdog for the whole test (default 300000)
//   --goal <text>        goal typed into the input box
//   --port <n>           code-server port (default: a free port)
//   --keep               keep temp workspaces and code-server state
//   --verbose            echo the browser console
// env: CODE_SERVER_ENTRY, DREAM_CACHE (default ~/.cache/dream-ci), CHROMIUM_PATH (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath, cli, codeServerEntry, dreamCache, freePort } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { flag, opt } = cli(import.meta.url);

const t0 = Date.now();
const T = {};
const mark = (k) => {
  T[k] = Date.now() - t0;
  console.log(`[e2e ${(T[k] / 1000).toFixed(1)}s] ${k}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const verbose = flag('--verbose') || !!process.env.HARNESS_VERBOSE;
const outDir = path.resolve(opt('--out', path.join(repo, '.test-artifacts/e2e')));
const wsSource = path.resolve(opt('--workspace', path.join(repo, 'examples/sample-workspace')));
const runTimeout = Number(opt('--run-timeout', 120000));
const watchdogMs = Number(opt('--timeout', 300000));
const goal = opt('--goal', 'Tidy the corpus: merge duplicates and check citations');
const only = new Set(opt('--only', 'run,welcome,agents-only').split(','));
const cache = dreamCache;
const entry = codeServerEntry;

let tmp = null; // temp workspaces + code-server state
let server = null;
let serverExit = null;

// ---- checks ---------------------------------------------------------------------------------
const results = [];
function record(name, ok, why = '') {
  results.push({ name, ok, why });
  console.log(ok ? `ok   ${name}` : `FAIL ${name} :: ${why}`);
  return ok;
}
async function check(name, fn) {
  try {
    const note = await fn();
    return record(name + (note ? ` (${note})` : ''), true);
  } catch (e) {
    return record(
      name,
      false,
      String(e?.message ?? e)
        .split('\n')
        .slice(0, 4)
        .join(' | '),
    );
  }
}
function finish(extra) {
  const failed = results.filter((r) => !r.ok);
  if (extra) console.log(extra);
  console.log(`timings(ms from start): ${JSON.stringify(T)}`);
  if (failed.length) console.log('failed checks:\n' + failed.map((r) => `  - ${r.name}: ${r.why}`).join('\n'));
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length || results.length === 0 ? 1 : 0;
}
function fatal(msg) {
  record('e2e harness', false, msg);
  finish();
  cleanupAll();
  process.exit(1);
}
const watchdog = setTimeout(() => {
  record('e2e finished within --timeout', false, `still running after ${watchdogMs} ms`);
  finish();
  cleanupAll();
  process.exit(1);
}, watchdogMs);
watchdog.unref();

// ---- preflight -----------------------------------------------------------------------------
if (!fs.existsSync(entry))
  fatal(
    `code-server not found at ${entry}: run scripts/install-code-server.sh ${path.join(cache, 'code-server')} (or .ci/run), or set CODE_SERVER_ENTRY`,
  );
if (!fs.existsSync(chromiumPath)) fatal(`chromium not found at ${chromiumPath}: apt-get install -y chromium fonts-liberation (or .ci/run)`);
if (!fs.existsSync(wsSource)) fatal(`example workspace not found: ${wsSource} (pass --workspace DIR)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fatal(`playwright-core is not installed (npm ci): ${e.message}`);
}

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-e2e-'));
function killServer() {
  if (server && serverExit === null) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  }
}
function cleanupAll() {
  killServer();
  if (tmp && !flag('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', killServer);
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    cleanupAll();
    process.exit(130);
  });

// ---- 1. package --------------------------------------------------------------------------
function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...opts.env },
    timeout: opts.timeout ?? 180000,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
}
let vsix = opt('--vsix');
if (vsix) vsix = path.resolve(vsix);
else {
  vsix = path.join(repo, 'dream.vsix');
  const ok = await check('package the extension (dream.vsix)', () => {
    fs.rmSync(vsix, { force: true });
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    if (pkg.scripts?.package) run('npm', ['run', '-s', 'package']);
    else {
      console.log('e2e: package.json has no "package" script; packaging with vsce directly');
      run(process.execPath, ['esbuild.mjs', '--production']);
      run(path.join(repo, 'node_modules/.bin/vsce'), [
        'package',
        '--no-dependencies',
        '--allow-missing-repository',
        '--skip-license',
        '--no-rewrite-relative-links',
        '-o',
        'dream.vsix',
      ]);
    }
    if (!fs.existsSync(vsix)) throw new Error('no dream.vsix was written');
    return `${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB`;
  });
  if (!ok) fatal('packaging failed');
}
mark('packaged');

// The .vsix must carry what the extension loads at run time (the worker is a separate file).
let vsixEntries = [];
await check('dream.vsix holds package.json and dist/{extension,worker,webview}.js', () => {
  vsixEntries = zipEntries(fs.readFileSync(vsix));
  const need = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/worker.js', 'extension/dist/webview.js'];
  const missing = need.filter((n) => !vsixEntries.includes(n));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
  const stray = [
    ...new Set(
      vsixEntries
        .map((n) => n.split('/')[1])
        .filter((top) => /^(node_modules|src|test|out|\.test-artifacts|bench|\.ci|scripts)$/.test(top)),
    ),
  ];
  return `${vsixEntries.length} files${stray.length ? `; note: also ships ${stray.join(', ')}/ (add to .vscodeignore?)` : ''}`;
});

// What a user receives: a user README whose images ship with it, the license and the changelog;
// no CLI bundle (the extension never runs it) and no source.
await check('dream.vsix is a user package: README images, LICENSE, CHANGELOG; no dist/cli.js', () => {
  const readme = zipEntry(fs.readFileSync(vsix), 'extension/readme.md')?.toString('utf8');
  if (!readme) throw new Error('no extension/readme.md');
  if (/npm (ci|test)/.test(readme)) throw new Error('the README in the .vsix is the developer README');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  if (!images.length) throw new Error('the README shows no image');
  const broken = images.filter((i) => /^[a-z]+:/i.test(i) || !vsixEntries.includes(`extension/${i.replace(/^\.\//, '')}`));
  if (broken.length) throw new Error(`README images not in the package: ${broken.join(', ')}`);
  const missing = ['extension/LICENSE.txt', 'extension/changelog.md'].filter((n) => !vsixEntries.includes(n));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
  if (vsixEntries.includes('extension/dist/cli.js')) throw new Error('ships dist/cli.js, which the extension does not use');
  return `${images.length} image(s) ship with the README`;
});

// ---- 2. install into a fresh code-server ---------------------------------------------------
const ud = path.join(tmp, 'ud');
const extDir = path.join(tmp, 'ext');
const env = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
  XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
  XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
};
delete env.ELECTRON_RUN_AS_NODE;
delete env.VSCODE_IPC_HOOK_CLI;
fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
fs.mkdirSync(extDir, { recursive: true });
// a quiet profile: no welcome page, no walkthrough popping up over the editor, no telemetry
fs.writeFileSync(
  path.join(ud, 'User/settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.ignoreRecommendations': true,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'security.workspace.trust.enabled': false,
    },
    null,
    2,
  ),
);
let installedPkg = null;
(await check('code-server --install-extension dream.vsix', () => {
  const r = spawnSync(process.execPath, [entry, '--user-data-dir', ud, '--extensions-dir', extDir, '--install-extension', vsix], {
    env,
    encoding: 'utf8',
    timeout: 120000,
  });
  const out = `${r.stdout}${r.stderr}`.trim();
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}: ${out.slice(-500)}`);
  const dir = fs.readdirSync(extDir).find((d) => fs.existsSync(path.join(extDir, d, 'package.json')));
  if (!dir) throw new Error(`nothing installed in ${extDir}: ${out.slice(-300)}`);
  installedPkg = JSON.parse(fs.readFileSync(path.join(extDir, dir, 'package.json'), 'utf8'));
  return dir;
})) || fatal('the .vsix did not install');
mark('installed');

// ---- 3. code-server ------------------------------------------------------------------------
const port = Number(opt('--port', 0)) || (await freePort());
const base = `http://127.0.0.1:${port}`;
const logPath = path.join(outDir, 'code-server.log');
server = spawn(
  process.execPath,
  [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    ud,
    '--extensions-dir',
    extDir,
    '--ignore-last-opened',
  ],
  { env, stdio: ['ignore', fs.openSync(logPath, 'w'), fs.openSync(logPath, 'a')], detached: true },
);
server.on('exit', (code, sig) => {
  serverExit = sig ?? code;
});
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {}
  if (serverExit !== null || i > 600) fatal(`code-server did not start (exit ${serverExit}); see ${logPath}`);
  await sleep(100);
}
mark('serverUp');

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: CHROMIUM_ARGS,
});
const consoleLog = fs.createWriteStream(path.join(outDir, 'browser-console.log'));

async function openWorkbench(folder, label) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    const line = `[${label}] ${m.type()} ${m.text().slice(0, 1000)}`;
    consoleLog.write(line + '\n');
    if (verbose) console.log(line);
  });
  page.on('pageerror', (e) => consoleLog.write(`[${label}] pageerror ${String(e).slice(0, 1000)}\n`));
  // the first "iteration" state triggers the progress screenshot at once (a run on the example lasts ~1 s)
  await page.exposeFunction('__dreamStatusChanged', (text) => {
    if (!progressShots.has(label) && /dream/i.test(text) && /iteration/i.test(text))
      progressShots.set(label, shot(page, `${label}-progress`));
  });
  await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60000 });
  await page
    .locator('.explorer-folders-view, .explorer-viewlet')
    .first()
    .waitFor({ timeout: 60000 })
    .catch(() => {});
  // record every Dream status-bar state (a run on the small example can be over in a second)
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__dreamStatus = [];
    const bar = document.querySelector('.part.statusbar') ?? document.body;
    const rec = () => {
      for (const el of bar.querySelectorAll('.statusbar-item')) {
        const text =
          `${el.textContent ?? ''} ${el.querySelector('[aria-label]')?.getAttribute('aria-label') ?? el.getAttribute('aria-label') ?? ''}`
            .replace(/\s+/g, ' ')
            .trim();
        if (/dream/i.test(text) && w.__dreamStatus[w.__dreamStatus.length - 1]?.text !== text) {
          w.__dreamStatus.push({ t: Date.now(), text, id: el.id });
          w.__dreamStatusChanged?.(text);
        }
      }
    };
    rec();
    new MutationObserver(rec).observe(bar, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return page;
}
const progressShots = new Map(); // label -> screenshot promise
const shot = (page, name) => page.screenshot({ path: path.join(outDir, `${name}.png`) }).catch(() => {});
const statusHistory = (page) => page.evaluate(() => /** @type {any} */ (window).__dreamStatus ?? []);

// Open the palette and run a command by its exact title. The palette lists an extension's commands
// only once its extension host registered them, and F1 is ignored until the keybindings are live.
async function runCommand(page, title, attempts = 25) {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 3000 });
      await input.fill('>' + title);
      const row = page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
        .first();
      await row.waitFor({ timeout: 3000 });
      await row.click();
      return attempt;
    } catch (e) {
      if (attempt >= attempts)
        throw new Error(`"${title}" never showed up in the command palette (${attempts} tries): ${e.message.split('\n')[0]}`);
      await sleep(500);
    }
  }
}

// After a command, wait for the next input box (not the palette itself), type, Enter.
async function answerInputBox(page, text, timeout = 20000) {
  const input = page.locator('.quick-input-widget input');
  const deadline = Date.now() + timeout;
  for (;;) {
    const visible = await input.isVisible().catch(() => false);
    const value = visible ? await input.inputValue().catch(() => '>') : '>';
    if (visible && !value.startsWith('>')) break;
    if (Date.now() > deadline) throw new Error('no input box appeared after the command');
    await sleep(100);
  }
  const prompt = (
    await page
      .locator('.quick-input-widget')
      .innerText()
      .catch(() => '')
  )
    .replace(/\s+/g, ' ')
    .trim();
  await input.fill(text);
  await page.keyboard.press('Enter');
  return prompt;
}

// Anything else the command asks (a pick, a confirmation) gets its default: log it so the report shows it.
async function acceptFollowUps(page, ms = 2500) {
  const seen = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const widget = page.locator('.quick-input-widget');
    const value = await page
      .locator('.quick-input-widget input')
      .inputValue()
      .catch(() => '');
    if (value === goal) {
      await sleep(100);
      continue;
    } // the goal box is still closing
    if (await widget.isVisible().catch(() => false)) {
      const txt = (await widget.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      seen.push(txt.slice(0, 200));
      await page.keyboard.press('Enter');
      await sleep(500);
    } else await sleep(200);
  }
  return seen;
}

function readSummary(ws) {
  const p = path.join(ws, '.agents/overnight/latest/summary.json');
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch {
    return null;
  }
}

// Start a bedtime run through the UI and wait until it is over; returns what the status bar showed.
async function bedtimeRun(page, ws, label) {
  let prompt = '';
  (await check(`[${label}] palette: "Dream: Start Bedtime Run"`, async () => {
    const attempts = await runCommand(page, 'Dream: Start Bedtime Run');
    await shot(page, `${label}-palette`);
    return `palette attempt ${attempts}`;
  })) ||
    (() => {
      throw new Error('stop');
    })();
  (await check(`[${label}] goal input box accepts a goal`, async () => {
    prompt = await answerInputBox(page, goal);
    const extra = await acceptFollowUps(page);
    return `prompt "${prompt.slice(0, 80)}"${extra.length ? `; then answered with Enter: ${extra.map((s) => `"${s.slice(0, 80)}"`).join(', ')}` : ''}`;
  })) ||
    (() => {
      throw new Error('stop');
    })();

  const started = Date.now();
  let endedBy = '';
  const deadline = started + runTimeout;
  while (Date.now() < deadline) {
    const hist = await statusHistory(page);
    const last = hist[hist.length - 1]?.text ?? '';
    const summary = readSummary(ws);
    const toast = await page
      .locator('.notification-toast')
      .filter({ hasText: 'Open Report' })
      .count()
      .catch(() => 0);
    if (summary && (summary.status === 'done' || summary.status === 'failed') && Date.parse(summary.finished_at ?? 0) >= started - 5000)
      endedBy = `summary.json status ${summary.status}`;
    else if (
      /dream/i.test(last) &&
      /\b(done|failed|finished|complete|halted|idle)\b/i.test(last) &&
      hist.some((h) => /iteration/i.test(h.text))
    )
      endedBy = `status bar "${last}"`;
    else if (toast) endedBy = 'notification "Open Report"';
    if (endedBy) break;
    await sleep(250);
  }
  const hist = await statusHistory(page);
  await progressShots.get(label);
  await sleep(1500); // let the final status bar text and the notification land
  await shot(page, `${label}-finished`);
  const finalHist = await statusHistory(page);
  const texts = finalHist.map((h) => h.text);
  console.log(`[${label}] Dream status bar states: ${JSON.stringify(texts)}`);
  const notes = await page
    .locator('.notification-toast')
    .allInnerTexts()
    .catch(() => []);
  if (notes.length) console.log(`[${label}] notifications: ${JSON.stringify(notes.map((n) => n.replace(/\s+/g, ' ').slice(0, 200)))}`);
  await check(`[${label}] status bar showed progress ("Dream" + "iteration")`, () => {
    const hit = texts.find((t) => /dream/i.test(t) && /iteration/i.test(t));
    if (!hit) throw new Error(`status bar Dream states were ${JSON.stringify(texts)}`);
    return `"${hit}"`;
  });
  await check(`[${label}] the run finished within ${runTimeout / 1000}s`, () => {
    if (!endedBy)
      throw new Error(
        `no end seen: status ${JSON.stringify(hist.slice(-3).map((h) => h.text))}, summary.json ${JSON.stringify(readSummary(ws)?.status)}`,
      );
    return `${((Date.now() - started) / 1000).toFixed(1)}s, by ${endedBy}`;
  });
  await check(`[${label}] summary.json status is done`, async () => {
    let s = readSummary(ws);
    for (let i = 0; i < 40 && s?.status !== 'done'; i++) {
      await sleep(250);
      s = readSummary(ws);
    }
    if (!s) throw new Error('.agents/overnight/latest/summary.json missing or unreadable');
    if (s.status !== 'done') throw new Error(`status ${s.status}, halt_reason ${s.halt_reason}, failure ${s.failure_reason ?? ''}`);
    if (s.goal !== undefined && s.goal !== goal)
      throw new Error(`goal in summary is ${JSON.stringify(s.goal)}, typed ${JSON.stringify(goal)}`);
    return `halt_reason ${s.halt_reason}, ${s.iterations?.length ?? '?'} iterations`;
  });
  await check(`[${label}] status bar shows the last result`, () => {
    const last = texts[texts.length - 1] ?? '';
    if (/iteration/i.test(last) && !/done|failed|finished|complete|halted/i.test(last)) throw new Error(`still shows "${last}"`);
    return `"${last}"`;
  });
}

// ---- workspace helpers ----------------------------------------------------------------------
function snapshot(dir, skipAgents) {
  const files = new Map();
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skipAgents && r === '.agents') continue;
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) files.set(r, `symlink:${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) walk(p, r);
      else files.set(r, crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir, '');
  return files;
}
function symlinks(dir) {
  return [...snapshot(dir, false)]
    .filter(([, v]) => v.startsWith('symlink:'))
    .map(([k]) => k)
    .sort();
}
function diffSnap(a, b) {
  const out = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(b.has(k) ? `changed ${k}` : `deleted ${k}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`added ${k}`);
  return out;
}
async function findInFrames(page, needles, timeout) {
  const deadline = Date.now() + timeout;
  let best = { frame: null, text: '', found: [] };
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const text = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      const found = needles.filter((n) => text.includes(n));
      if (found.length > best.found.length) best = { frame: f, text, found };
    }
    if (best.found.length === needles.length) break;
    await sleep(300);
  }
  return best;
}
async function openDreamView(page) {
  const item = page.locator('.part.activitybar .action-item .action-label[aria-label^="Dream"]').first();
  await item.waitFor({ timeout: 30000 });
  const container = page.locator('.part.sidebar .composite.title h2, .part.sidebar .title-label h2').first();
  // clicking an already-open container closes the sidebar: click only when Dream is not the visible one
  const visible = await page
    .locator('.part.sidebar')
    .isVisible()
    .catch(() => false);
  const title = visible ? await container.innerText().catch(() => '') : '';
  if (!/dream/i.test(title)) await item.click();
  await page.mouse.move(700, 450); // no hover tooltip over the view in the screenshots
  await page.locator('.part.sidebar .title-label h2', { hasText: /dream/i }).first().waitFor({ timeout: 15000 });
}

// ---- scenario 1: bedtime run on the full example, then the morning report ------------------------
const scenarios = [];
if (only.has('run'))
  scenarios.push([
    'run',
    async () => {
      const ws = path.join(tmp, 'ws-run', path.basename(wsSource));
      fs.mkdirSync(path.dirname(ws), { recursive: true });
      fs.cpSync(wsSource, ws, { recursive: true, verbatimSymlinks: true });
      const before = snapshot(ws, true);
      const linksBefore = symlinks(ws);
      const page = await openWorkbench(ws, 'run');
      mark('run: workbench loaded');
      await bedtimeRun(page, ws, 'run');
      mark('run: bedtime run over');
      await check('[run] files outside .agents/ are byte-identical', () => {
        const d = diffSnap(before, snapshot(ws, true));
        if (d.length) throw new Error(d.slice(0, 10).join(', '));
        return `${before.size} files`;
      });
      await check('[run] no new symlink anywhere in the workspace', () => {
        const now = symlinks(ws).filter((l) => !linksBefore.includes(l));
        if (now.length) throw new Error(now.join(', '));
      });
      await check(
        '[run] palette: "Dream: Open Morning Report"',
        async () => `palette attempt ${await runCommand(page, 'Dream: Open Morning Report')}`,
      );
      const answers = ['What state did I wake up to', 'What ran', 'What degraded or failed', 'What should I do first'];
      const best = await findInFrames(page, answers, 45000);
      await shot(page, 'run-report');
      if (best.text) fs.writeFileSync(path.join(outDir, 'run-report.txt'), best.text);
      for (const a of answers) {
        await check(`[run] morning report webview shows "${a}"`, () => {
          if (!best.found.includes(a))
            throw new Error(
              best.text
                ? `not in the report text (saved to run-report.txt): ${best.text.slice(0, 200).replace(/\s+/g, ' ')}`
                : 'no webview frame with report text found',
            );
        });
      }
      await check('[run] the report names the goal or the run status', () => {
        if (!best.text) throw new Error('no report text');
        if (!best.text.includes(goal) && !/\bdone\b/i.test(best.text)) throw new Error('neither the goal nor "done" is in the report');
      });
      await page.close();
    },
  ]);

// ---- scenario 2: a workspace without .agents/ shows the welcome view ----------------------------
if (only.has('welcome'))
  scenarios.push([
    'welcome',
    async () => {
      const ws = path.join(tmp, 'ws-no-agents');
      fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
      fs.writeFileSync(path.join(ws, 'README.md'), '# A project without an agent corpus\n');
      fs.writeFileSync(path.join(ws, 'src/index.ts'), 'export const x = 1;\n');
      const page = await openWorkbench(ws, 'welcome');
      mark('welcome: workbench loaded');
      await check('[welcome] the Dream activity-bar container opens', () => openDreamView(page));
      const contributed = (installedPkg?.contributes?.viewsWelcome ?? []).map((w) => ({
        view: w.view,
        when: w.when,
        lines: String(w.contents)
          .split('\n')
          .map((l) =>
            l
              .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
              .replace(/[*_`]/g, '')
              .trim(),
          )
          .filter(Boolean),
      }));
      let text = '';
      await check('[welcome] a welcome view is visible in the Dream container', async () => {
        const wv = page.locator('.part.sidebar .welcome-view-content').first();
        await wv.waitFor({ state: 'visible', timeout: 20000 });
        await sleep(500);
        text = (await page.locator('.part.sidebar .welcome-view-content').allInnerTexts())
          .join('\n')
          .replace(/[ \t]+/g, ' ')
          .trim();
        if (!text) throw new Error('the welcome view is empty');
        return `"${text.replace(/\s+/g, ' ').slice(0, 120)}"`;
      });
      await shot(page, 'welcome-no-agents');
      await check('[welcome] its text is a contributed viewsWelcome entry and mentions .agents', () => {
        if (!contributed.length) throw new Error('package.json contributes no viewsWelcome');
        const flat = text.replace(/\s+/g, ' ');
        const hit = contributed.find((c) => c.lines.some((l) => flat.includes(l.replace(/\s+/g, ' ')) && l.length > 10));
        if (!hit) throw new Error(`visible "${flat.slice(0, 200)}" matches none of ${contributed.length} contributed entries`);
        if (!flat.includes('.agents')) throw new Error(`the welcome text does not mention .agents: "${flat.slice(0, 200)}"`);
        return `view ${hit.view}${hit.when ? ` when ${hit.when}` : ''}`;
      });
      await page.close();
    },
  ]);

// ---- scenario 3: a workspace holding only .agents/ ------------------------------------------
if (only.has('agents-only'))
  scenarios.push([
    'agents-only',
    async () => {
      const ws = path.join(tmp, 'ws-agents-only');
      const agents = path.join(wsSource, '.agents');
      if (!fs.existsSync(agents)) throw new Error(`${agents} missing`);
      fs.mkdirSync(ws, { recursive: true });
      fs.cpSync(agents, path.join(ws, '.agents'), { recursive: true, verbatimSymlinks: true });
      // a leftover run from the example (if any) must not count as this run's result
      fs.rmSync(path.join(ws, '.agents/overnight'), { recursive: true, force: true });
      const page = await openWorkbench(ws, 'agents-only');
      mark('agents-only: workbench loaded');
      await bedtimeRun(page, ws, 'agents-only');
      mark('agents-only: bedtime run over');
      await check('[agents-only] the Dream view lists the run (not the welcome view)', async () => {
        await openDreamView(page);
        const rows = page.locator('.part.sidebar .monaco-list-row');
        for (let i = 0; i < 60 && (await rows.count()) === 0; i++) await sleep(250);
        const n = await rows.count();
        await shot(page, 'agents-only-view');
        if (!n) throw new Error('no rows in the Dream view');
        return `${n} rows: ${JSON.stringify((await rows.allInnerTexts()).slice(0, 3).map((t) => t.replace(/\s+/g, ' ')))}`;
      });
      await page.close();
    },
  ]);

for (const [name, fn] of scenarios) {
  try {
    await fn();
  } catch (e) {
    if (e?.message !== 'stop')
      record(
        `[${name}] scenario`,
        false,
        String(e?.stack ?? e)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      );
    else console.log(`[${name}] stopped after a failed step`);
    for (const p of browser.contexts().flatMap((c) => c.pages())) {
      await shot(p, `${name}-error`);
      await p.close().catch(() => {});
    }
  }
  mark(`${name} done`);
}

await browser.close().catch(() => {});
consoleLog.end();
try {
  process.kill(-server.pid, 'SIGTERM');
} catch {}
for (let i = 0; i < 30 && serverExit === null; i++) await sleep(100);
cleanupAll();
clearTimeout(watchdog);
finish(`artifacts: ${outDir}`);

// ---- a minimal zip central-directory reader (list the .vsix without unzip) ---------------------
// the central directory of a zip: name, compression method, compressed size, local header offset
function zipDirectory(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      method: buf.readUInt16LE(p + 10),
      size: buf.readUInt32LE(p + 20),
      offset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
function zipEntries(buf) {
  return zipDirectory(buf).map((e) => e.name);
}
/** the bytes of one file of a zip (stored or deflated), or undefined */
function zipEntry(buf, name) {
  const e = zipDirectory(buf).find((x) => x.name === name);
  if (!e) return undefined;
  if (buf.readUInt32LE(e.offset) !== 0x04034b50) throw new Error('corrupt zip local header');
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.size);
  return e.method === 8 ? zlib.inflateRawSync(data) : data;
}
