// For @vscode/test-cli users (`npx vscode-test`, or the Extension Test Runner): the same
// integration suite that `node scripts/run-vscode-tests.mjs` runs offline in code-server, here in a
// desktop VS Code that test-cli downloads. Like that script, it runs on a fresh copy of the sample
// workspace (the suite starts bedtime runs in it).
import { defineConfig } from '@vscode/test-cli';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const source = path.resolve('examples/sample-workspace');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dream-vscode-test-'));
fs.cpSync(source, workspace, { recursive: true, verbatimSymlinks: true });

export default defineConfig({
  label: 'integration',
  files: 'out/test/vscode/suite/*.test.js',
  workspaceFolder: workspace,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  env: { DREAM_TEST_WORKSPACE: workspace, DREAM_TEST_WORKSPACE_SOURCE: source },
  mocha: { ui: 'bdd', timeout: 120000, color: false },
});
