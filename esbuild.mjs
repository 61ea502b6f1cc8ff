// Bundles every entry of Dream with one esbuild call per platform:
//  - node: the extension host entry, the worker, the CLI, the benchmark and the compiled test suites
//  - browser: the morning-report webview script
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

function listTests(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTests(p));
    else if (/\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

const nodeEntries = [
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/worker/main.ts', out: 'worker' },
  { in: 'src/engine/corpus/readerThread.ts', out: 'readerThread' },
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'bench/main.ts', out: 'bench' },
  { in: 'bench/eval.ts', out: 'eval' },
].filter((e) => fs.existsSync(e.in));

// zod re-exports its 40-odd message locales as `z.locales` (357 KB of each Node bundle, parsed at
// every start of the CLI, the worker and the extension); Dream's messages are English and it sets
// no locale, so only zod's English one is bundled.
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
          ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};`,
        resolveDir: path.dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

const common = {
  bundle: true,
  plugins: [zodEnglishOnly()],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  target: 'node20',
};

const builds = [
  {
    ...common,
    entryPoints: nodeEntries,
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    banner: { js: '' },
  },
];
if (fs.existsSync('src/webview/main.ts')) {
  builds.push({
    ...common,
    entryPoints: [{ in: 'src/webview/main.ts', out: 'webview' }],
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}
const tests = [...listTests('test/unit'), ...listTests('test/vscode/suite'), ...listTests('test/vscode/bench')];
if (!production && tests.length) {
  builds.push({
    ...common,
    entryPoints: tests.map((t) => ({ in: t, out: t.replace(/^test\//, '').replace(/\.ts$/, '') })),
    outdir: 'out/test',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'mocha', 'playwright-core', 'dream-lint'],
  });
}

// In watch mode, say when a rebuild starts and ends, and print errors, in the form the
// `$esbuild-watch` problem matcher of .vscode/tasks.json reads (from connor4312.esbuild-problem-matchers):
// "[watch] build started" ... "✘ [ERROR] text" + "    file:line:col:" ... "[watch] build finished".
// The builds run side by side: started when the first begins, finished when the last ends.
function problemMatcherPlugin() {
  let running = 0;
  return {
    name: 'esbuild-problem-matcher',
    setup(build) {
      build.onStart(() => {
        if (running++ === 0) console.log('[watch] build started');
      });
      build.onEnd((result) => {
        for (const { text, location } of result.errors) {
          console.error(`✘ [ERROR] ${text}`);
          if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
        if (--running === 0) console.log('[watch] build finished');
      });
    },
  };
}

if (watch) {
  const plugin = problemMatcherPlugin();
  for (const b of builds) await (await esbuild.context({ ...b, plugins: [...b.plugins, plugin], logLevel: 'silent' })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // the CLI is an executable entry for `npm link` / `npx dream`
  if (fs.existsSync('dist/cli.js')) {
    const cli = fs.readFileSync('dist/cli.js', 'utf8');
    if (!cli.startsWith('#!')) fs.writeFileSync('dist/cli.js', '#!/usr/bin/env node\n' + cli);
    fs.chmodSync('dist/cli.js', 0o755);
  }
}
