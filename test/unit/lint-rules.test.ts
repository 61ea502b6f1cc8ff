// The import boundaries are enforced by `npm run lint` (eslint.config.mjs, tools/lint/boundaries.mjs):
// each fixture in test/fixtures/lint is linted through the ESLint Node API as if it sat at the path
// on its first line, and must fail (or pass) for the stated reason.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ESLint } from 'dream-lint';

const repo = process.cwd();
const FIXTURES = path.join(repo, 'test/fixtures/lint');

type Messages = Awaited<ReturnType<InstanceType<typeof ESLint>['lintText']>>[number]['messages'];
let eslint: InstanceType<typeof ESLint>;
async function lintFixture(name: string): Promise<{ as: string; messages: Messages }> {
  const code = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  const as = /^\/\/ as: (\S+)/.exec(code)?.[1];
  assert.ok(as, `${name} names the path it stands for on its first line`);
  const [r] = await eslint.lintText(code, { filePath: path.join(repo, as) });
  assert.ok(r, 'ESLint linted the text');
  assert.deepEqual(
    r.messages.filter((m) => m.fatal),
    [],
    'the fixture parses',
  );
  return { as, messages: r.messages };
}

describe('lint: import boundaries', function () {
  this.timeout(60000);
  before(async () => {
    // tools/lint is an ES module (with its own TypeScript 5.9 for the parser)
    const mod = await import('dream-lint');
    eslint = new mod.ESLint({ cwd: repo });
  });

  const bad: [string, RegExp][] = [
    ['engine-imports-vscode.ts.txt', /src\/engine must not import vscode/],
    ['lane-imports-vscode-type.ts.txt', /src\/lanes must not import vscode/],
    ['webview-imports-fs.ts.txt', /src\/webview must not import Node built-ins/],
    ['webview-imports-engine.ts.txt', /src\/webview must not import src\/engine/],
    ['cli-imports-extension.ts.txt', /src\/cli must not import src\/extension/],
    ['engine-imports-lanes.ts.txt', /src\/engine must not import src\/lanes/],
    ['worker-imports-engine-internals.ts.txt', /import the engine through src\/engine\/index\.ts/],
  ];
  for (const [name, why] of bad)
    it(`fails: ${name.replace(/\.ts\.txt$/, '').replace(/-/g, ' ')}`, async () => {
      const { messages } = await lintFixture(name);
      assert.equal(messages.length, 1, messages.map((m) => m.message).join('\n'));
      assert.equal(messages[0]!.ruleId, 'dream/boundaries');
      assert.match(messages[0]!.message, why);
    });

  for (const name of ['fine.ts.txt', 'webview-fine.ts.txt'])
    it(`passes: ${name.replace(/\.ts\.txt$/, '')}`, async () => {
      const { messages } = await lintFixture(name);
      assert.deepEqual(
        messages.map((m) => m.message),
        [],
      );
    });
});
