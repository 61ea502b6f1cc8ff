// dream/boundaries: which part of src/ may import which. Imports are resolved to the folder they
// land in (so `./lanes` inside engine/run is engine/run/lanes.ts, not src/lanes), then checked:
//   forbid: 'vscode', 'node' (Node built-ins), or paths under src/ ('extension', 'engine', ...)
//   allow:  paths under src/ that a forbidden one contains but that stay allowed ('engine/core/status')
// The engine has one public face: from outside src/engine only src/engine/index.ts is importable
// (and whatever `allow` names).
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);
const isBuiltin = (s) => s.startsWith('node:') || BUILTINS.has(s.split('/')[0]);

/** `p` relative to src/ without extension, '/'-separated; null when outside src/ */
function underSrc(srcRoot, p) {
  const r = path.relative(srcRoot, p);
  if (r.startsWith('..') || path.isAbsolute(r)) return null;
  return r
    .split(path.sep)
    .join('/')
    .replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
}
const within = (rel, area) => rel === area || rel.startsWith(area + '/');

export const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'import boundaries between the parts of src/' },
    schema: [
      {
        type: 'object',
        properties: {
          forbid: { type: 'array', items: { type: 'string' } },
          allow: { type: 'array', items: { type: 'string' } },
          why: { type: 'string' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden: '{{from}} must not import {{what}} ("{{source}}"){{why}}',
      engineFace: 'outside src/engine, import the engine through src/engine/index.ts ("{{source}}")',
    },
  },
  create(context) {
    const opts = context.options[0] ?? {};
    const forbid = opts.forbid ?? [];
    const allow = opts.allow ?? [];
    const why = opts.why ? `: ${opts.why}` : '';
    const file = context.filename;
    const srcRoot = path.join(context.cwd, 'src');
    const from = underSrc(srcRoot, file);
    if (from === null) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const report = (what) =>
        context.report({ node, messageId: 'forbidden', data: { from: `src/${from.split('/')[0]}`, what, source, why } });
      if (source === 'vscode') {
        if (forbid.includes('vscode')) report('vscode');
        return;
      }
      if (isBuiltin(source)) {
        if (forbid.includes('node')) report('Node built-ins');
        return;
      }
      if (!source.startsWith('.')) return; // a package
      const target = underSrc(srcRoot, path.resolve(path.dirname(file), source));
      if (target === null) return;
      if (allow.some((a) => within(target, a))) return;
      const hit = forbid.find((f) => f !== 'vscode' && f !== 'node' && within(target, f));
      if (hit) return report(`src/${hit}`);
      if (!within(from, 'engine') && within(target, 'engine') && target !== 'engine' && target !== 'engine/index')
        context.report({ node, messageId: 'engineFace', data: { source } });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
      TSImportType: (n) => {
        const lit = n.argument?.type === 'TSLiteralType' ? n.argument.literal : n.source;
        if (lit?.type === 'Literal') check(n, lit.value);
      },
    };
  },
};

export default { rules: { boundaries } };
