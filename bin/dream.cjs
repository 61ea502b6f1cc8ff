#!/usr/bin/env node
// The `dream` command (package.json "bin"; `npm link` puts it on PATH). It runs the bundled CLI in
// dist/cli.js, building it first when a fresh clone has not been built yet.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('dream: first use: building the CLI (node esbuild.mjs)...\n');
  const r = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !fs.existsSync(cli)) {
    process.stderr.write('dream: could not build the CLI; run `npm install` and `npm run build` in ' + root + '\n');
    process.exit(1);
  }
}
require(cli).cliEntry();
