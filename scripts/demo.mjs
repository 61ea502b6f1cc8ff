// The README's first command: a bedtime run on a fresh copy of the bundled example workspace.
// Copies examples/sample-workspace to .demo-workspace/ (replacing an older copy), runs
// `dream start` on it with the CLI built in dist/, and says where the morning report is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'examples', 'sample-workspace');
const ws = path.join(root, '.demo-workspace');
if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}
fs.rmSync(ws, { recursive: true, force: true });
fs.cpSync(src, ws, { recursive: true });
console.log(`Copied the example workspace to ${ws}`);
const r = spawnSync(
  process.execPath,
  [path.join(root, 'dist', 'cli.js'), 'start', '--workspace', ws, '--goal', 'tidy the example corpus', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (r.status === 0) console.log(`\nRead it again any time with:  node dist/cli.js report --workspace ${JSON.stringify(ws)}`);
process.exit(r.status ?? 1);
