// A fast path for the frontmatter most notes have: flat `key: scalar`, flow lists `[a, b]` and
// block lists of scalars. It returns exactly what the `yaml` library's parse would (YAML 1.2 core
// schema) for that subset, and `undefined` for anything else, so the caller falls back to `yaml`.
// Reading 10k notes spends most of its time in a general YAML parser; this keeps a scan near the
// cost of reading the files. A differential test pins it against `yaml`.

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*?))?[ \t]*$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BAD_START = /^[-?:,\[\]{}#&*!|>'"%@`]/;

const FAIL = Symbol('fail');
type Scalar = string | number | boolean | null;

function scalar(raw: string, inFlow: boolean): Scalar | typeof FAIL {
  const v = raw.trim();
  if (v === '') return FAIL;
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"')) return FAIL;
    const inner = v.slice(1, -1);
    if (/["\\]/.test(inner)) return FAIL;
    return inner;
  }
  if (v.startsWith("'")) {
    if (v.length < 2 || !v.endsWith("'")) return FAIL;
    const inner = v.slice(1, -1);
    if (inner.includes("'")) return FAIL;
    return inner;
  }
  if (BAD_START.test(v) || v.includes(': ') || v.endsWith(':') || v.includes(' #') || v.includes('\t')) return FAIL;
  if (inFlow && /[\[\]{},]/.test(v)) return FAIL;
  if (/^(true|True|TRUE)$/.test(v)) return true;
  if (/^(false|False|FALSE)$/.test(v)) return false;
  if (/^(null|Null|NULL|~)$/.test(v)) return null;
  if (INT.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : FAIL;
  }
  if (FLOAT.test(v)) return Number(v);
  if (/^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(v) || /^0[ox]/.test(v)) return FAIL;
  return v;
}

function flowSeq(v: string): Scalar[] | typeof FAIL {
  if (!v.endsWith(']')) return FAIL;
  const inner = v.slice(1, -1).trim();
  if (inner === '') return [];
  if (/[\[\]{}]/.test(inner)) return FAIL;
  const out: Scalar[] = [];
  const parts = inner.split(',');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!.trim();
    if (p === '') {
      if (i === parts.length - 1 && i > 0) continue; // trailing comma
      return FAIL;
    }
    const s = scalar(p, true);
    if (s === FAIL) return FAIL;
    out.push(s);
  }
  return out;
}

export function fastParseFrontmatter(text: string): Record<string, unknown> | undefined {
  const lines = text.split('\n');
  const out: Record<string, unknown> = {};
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '' || /^#/.test(line)) continue;
    const m = KEY.exec(line);
    if (!m) return undefined;
    const key = m[1]!;
    if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') return undefined;
    const v = m[2];
    if (v === undefined || v === '') {
      // block sequence of scalars, or null
      const items: Scalar[] = [];
      let indent: string | null = null;
      let j = i + 1;
      for (; j < lines.length; j++) {
        let l = lines[j]!;
        if (l.endsWith('\r')) l = l.slice(0, -1);
        const b = /^( {0,4})- (.*)$/.exec(l);
        if (!b) break;
        if (indent === null) indent = b[1]!;
        else if (b[1] !== indent) return undefined;
        const s = scalar(b[2]!, false);
        if (s === FAIL) return undefined;
        items.push(s);
      }
      if (j < lines.length) {
        let next = lines[j]!;
        if (next.endsWith('\r')) next = next.slice(0, -1);
        if (/^\s+\S/.test(next) || /^-/.test(next)) return undefined; // nested structure
      }
      out[key] = items.length ? items : null;
      i = j - 1;
      continue;
    }
    if (v.startsWith('[')) {
      const seq = flowSeq(v);
      if (seq === FAIL) return undefined;
      out[key] = seq;
      continue;
    }
    const s = scalar(v, false);
    if (s === FAIL) return undefined;
    out[key] = s;
  }
  return out;
}
