// extensionTestsPath module for the real-VS-Code integration suite (same contract as
// @vscode/test-electron): the extension host loads this file (compiled to
// out/test/vscode/suite/index.js) and awaits run(). Every *.test.js beside it is a suite.
// Used by scripts/run-vscode-tests.mjs (code-server + chromium, offline) and by its --electron mode.
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120000, color: false });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  if (files.length === 0) {
    console.log(`no *.test.js files in ${__dirname} (did \`node esbuild.mjs\` run?)`);
    console.log('0 passed, 1 failed');
    return Promise.reject(new Error(`no *.test.js files in ${__dirname}`));
  }
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise<void>((resolve, reject) => {
    let passed = 0;
    try {
      const runner = mocha.run((failures) => {
        console.log(`${passed} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} test${failures === 1 ? '' : 's'} failed`));
        else resolve();
      });
      runner.on('pass', () => {
        passed++;
      });
    } catch (err) {
      // a suite file that throws while loading lands here
      console.error(err);
      console.log(`${passed} passed, 1 failed`);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
