// ESLint (flat config). Its job here: keep the parts of src/ in their lanes (tools/lint/boundaries.mjs).
// Parsed by typescript-eslint without type information: the rules are syntactic, and the parser
// runs on TypeScript 5.9 from the nested tools/lint package because TypeScript 7 (native, the
// project's compiler) ships no JavaScript API. Type checking stays with `npm run check-types`.
import { dreamPlugin, tseslint } from 'dream-lint';

const NODE_SIDE = ['extension', 'webview'];
const rule = (forbid, why, allow = []) => ({ 'dream/boundaries': ['error', { forbid, allow, why }] });

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', 'tools/lint/node_modules/**', '.test-artifacts/**', 'bench/results/**', '**/*.d.ts'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module' },
    plugins: { dream: dreamPlugin, '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-debugger': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(only|skip)$/][callee.object.name=/^(it|describe)$/]',
          message: 'no .only/.skip: every test runs',
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: rule(['vscode', 'lanes', 'cli', 'worker', 'protocol', ...NODE_SIDE], 'the engine is pure Node and knows nothing of its callers'),
  },
  { files: ['src/lanes/**/*.ts'], rules: rule(['vscode', 'cli', 'worker', 'protocol', ...NODE_SIDE], 'lanes are pure Node') },
  {
    files: ['src/host/**/*.ts'],
    rules: rule(['vscode', 'engine', 'lanes', 'cli', 'worker', 'protocol', ...NODE_SIDE], 'machine helpers only'),
  },
  { files: ['src/cli/**/*.ts'], rules: rule(['vscode', 'worker', 'protocol', ...NODE_SIDE], 'the CLI never loads the editor') },
  { files: ['src/worker/**/*.ts'], rules: rule(['vscode', 'cli', ...NODE_SIDE], 'the worker runs without vscode') },
  { files: ['src/protocol/worker.ts'], rules: rule(['vscode', 'cli', 'lanes', ...NODE_SIDE], 'a protocol is data only') },
  {
    // the webview bundle: browser code, the protocol and the status vocabulary only
    files: ['src/webview/**/*.ts', 'src/protocol/webview.ts'],
    rules: rule(['vscode', 'node', 'engine', 'lanes', 'host', 'cli', 'worker', 'extension'], 'the webview runs in a browser', [
      'engine/core/status',
      'protocol/webview',
    ]),
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: rule(['cli', 'worker', 'webview'], 'the editor talks to the worker and the webview through src/protocol'),
  },
);
