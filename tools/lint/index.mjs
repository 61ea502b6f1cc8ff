// The lint toolchain's entry. typescript-eslint (and ts-api-utils, which npm hoists to the root)
// `require('typescript')` for its JavaScript API; the project's TypeScript 7 (native) has none, so
// every such require made while linting resolves to this package's TypeScript 5.9.
import Module, { createRequire } from 'node:module';

const ts5 = createRequire(import.meta.url).resolve('typescript');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === 'typescript' ? ts5 : request, ...rest);
};

const { default: tseslint } = await import('typescript-eslint');
const { ESLint } = await import('eslint');
const { default: dreamPlugin } = await import('./boundaries.mjs');
export { tseslint, ESLint, dreamPlugin };
