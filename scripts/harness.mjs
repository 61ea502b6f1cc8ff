// Shared pieces of the real-VS-Code harnesses (run-vscode-tests.mjs, e2e.mjs): command-line
// options, a free loopback port, where code-server and chromium are, chromium's launch flags.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** options of a harness script; --help prints the script's leading // comment block */
export function cli(scriptUrl, argv = process.argv.slice(2)) {
  const flag = (name) => argv.includes(name);
  const opt = (name, def) => {
    const i = argv.indexOf(name);
    if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(name + '='));
    return eq ? eq.slice(name.length + 1) : def;
  };
  if (flag('--help') || flag('-h')) {
    const src = fs.readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
    console.log(
      src
        .filter((l) => l.startsWith('//'))
        .map((l) => l.slice(3))
        .join('\n'),
    );
    process.exit(0);
  }
  return { argv, flag, opt };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const dreamCache = process.env.DREAM_CACHE || path.join(os.homedir(), '.cache/dream-ci');
export const codeServerEntry =
  process.env.CODE_SERVER_ENTRY || path.join(dreamCache, 'code-server/node_modules/code-server/out/node/entry.js');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** headless chromium on a machine without a network: no background traffic, no sandbox (root) */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
