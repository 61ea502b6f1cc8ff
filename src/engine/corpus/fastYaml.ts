// A fast path for the frontmatter most notes have: flat `key: scalar`, flow lists `[a, b]` and
// block lists of scalars. It returns exactly what the `yaml` library's parse would (YAML 1.2 core
// schema) for that subset, and `undefined` for anything else, so the caller falls back to `yaml`.
// Reading 10k notes spends most of its time in a general YAML parser; this keeps a scan near the
// cost of reading the files. A differential test pins it against `yaml`.

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BAD_START = /^[-?:,\[\]{}#&*!|>'"%@`]/;

const FAIL = Symbol('fail');
type Scalar = string | number | boolean | null;

function scalar(raw: string, inFlow: boolean): Scalar | typeof FAIL {
  const v = raw.trim();
  if (v === '') return FAIL;
  const c = v.charCodeAt(0);
  if (c === 34) {
    if (v.length < 2 || !v.endsWith('"')) return FAIL;
    const inner = v.slice(1, -1);
    if (/["\\]/.test(inner)) return FAIL;
    return inner;
  }
  if (c === 39) {
    if (v.length < 2 || !v.endsWith("'")) return FAIL;
    const inner = v.slice(1, -1);
    if (inner.includes("'")) return FAIL;
    return inner;
  }
  if (BAD_START.test(v) || v.includes(': ') || v.endsWith(':') || v.includes(' #') || v.includes('\t')) return FAIL;
  if (inFlow && /[\[\]{},]/.test(v)) return FAIL;
  if (v.length <= 5) {
    if (v === 'true' || v === 'True' || v === 'TRUE') return true;
    if (v === 'false' || v === 'False' || v === 'FALSE') return false;
    if (v === 'null' || v === 'Null' || v === 'NULL' || v === '~') return null;
  }
  // numbers (and the forms the fast path leaves to yaml) start with a digit, a sign or a dot
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT.test(v)) {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : FAIL;
    }
    if (FLOAT.test(v)) return Number(v);
    if (/^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(v) || /^0[ox]/.test(v)) return FAIL;
  }
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

/** `[A-Za-z_]` */
function isKeyStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
/** `[A-Za-z0-9_-]` */
function isKeyChar(c: number): boolean {
  return isKeyStart(c) || (c >= 48 && c <= 57) || c === 45;
}
/** characters `.` does not match (a line never holds \n here) */
function breaksDot(c: number): boolean {
  return c === 13 || c === 0x2028 || c === 0x2029;
}

/**
 * `key: value` of one line, as /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*?))?[ \t]*$/ reads it:
 * null when the line is not one; value '' when nothing follows the colon.
 */
function keyLine(line: string): { key: string; value: string } | null {
  const n = line.length;
  if (!n || !isKeyStart(line.charCodeAt(0))) return null;
  let i = 1;
  while (i < n && isKeyChar(line.charCodeAt(i))) i++;
  if (i >= n || line.charCodeAt(i) !== 58) return null;
  const key = line.slice(0, i);
  i++;
  if (i === n) return { key, value: '' };
  const after = line.charCodeAt(i);
  if (after !== 32 && after !== 9) return null;
  let end = n;
  while (end > i && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  while (i < end && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  for (let k = i; k < end; k++) if (breaksDot(line.charCodeAt(k))) return null;
  return { key, value: line.slice(i, end) };
}

/** the item of a block-sequence line /^( {0,4})- (.*)$/: its indent and text, or null */
function seqItem(line: string): { indent: number; text: string } | null {
  let i = 0;
  while (i < line.length && i < 5 && line.charCodeAt(i) === 32) i++;
  if (i > 4 || line.charCodeAt(i) !== 45 || line.charCodeAt(i + 1) !== 32) return null;
  for (let k = i + 2; k < line.length; k++) if (breaksDot(line.charCodeAt(k))) return null;
  return { indent: i, text: line.slice(i + 2) };
}

export function fastParseFrontmatter(text: string): Record<string, unknown> | undefined {
  const lines = text.split('\n');
  const out: Record<string, unknown> = {};
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.charCodeAt(0) === 35 || line.trim() === '') continue;
    const m = keyLine(line);
    if (!m) return undefined;
    const key = m.key;
    if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') return undefined;
    const v = m.value;
    if (v === '') {
      // block sequence of scalars, or null
      const items: Scalar[] = [];
      let indent = -1;
      let j = i + 1;
      for (; j < lines.length; j++) {
        let l = lines[j]!;
        if (l.endsWith('\r')) l = l.slice(0, -1);
        const b = seqItem(l);
        if (!b) break;
        if (indent < 0) indent = b.indent;
        else if (b.indent !== indent) return undefined;
        const s = scalar(b.text, false);
        if (s === FAIL) return undefined;
        items.push(s);
      }
      if (j < lines.length) {
        let next = lines[j]!;
        if (next.endsWith('\r')) next = next.slice(0, -1);
        if (/^\s+\S/.test(next) || next.charCodeAt(0) === 45) return undefined; // nested structure
      }
      out[key] = items.length ? items : null;
      i = j - 1;
      continue;
    }
    if (v.charCodeAt(0) === 91) {
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
