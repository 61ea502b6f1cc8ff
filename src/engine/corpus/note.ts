// A note: bytes on disk, split into an optional YAML frontmatter block and a body that is never
// re-encoded. Unknown frontmatter keys survive any edit; CRLF and a BOM are kept.
import { own } from './text';
import YAML from 'yaml';
import { fastParseFrontmatter } from './fastYaml';
import { ownBytes, sha256 } from '../core/fsutil';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface Note {
  rel: string;
  bytes: Buffer;
  hash: string;
  /** false when the bytes are not valid UTF-8: such a note is never rewritten */
  utf8: boolean;
  bom: boolean;
  eol: '\n' | '\r\n';
  hasFrontmatter: boolean;
  /** YAML parse error, or why the block is not a mapping */
  fmError: string | null;
  /** true when YAML rejected the block and `fm` holds what a line-by-line read found (§2.1) */
  lenient: boolean;
  fm: Record<string, unknown>;
  fmText: string;
  /** text after the frontmatter block (or the whole text) */
  body: string;
  /** byte offset where the body starts */
  bodyOffset: number;
}

/** true when the note can be edited safely */
export function isEditable(n: Note): boolean {
  return n.utf8 && n.hasFrontmatter && n.fmError === null;
}

/**
 * A note keeps its bytes and decodes its body when asked: the body is read once at INGEST (what
 * the stages need of it is worked out then: corpus/knowledge.ts primeBodyFacts) and the corpus is
 * not held twice, as bytes and as text. The getter lives on the class: every note has the same
 * shape and no accessor of its own (an accessor added to each object turned each into a hash table).
 */
// the fields are Note's (declaration merging); the class adds the body getter
interface StoredNote extends Omit<Note, 'body'> {}
class StoredNote implements Note {
  constructor(f: Omit<Note, 'body'>) {
    this.rel = f.rel;
    this.bytes = f.bytes;
    this.hash = f.hash;
    this.utf8 = f.utf8;
    this.bom = f.bom;
    this.eol = f.eol;
    this.hasFrontmatter = f.hasFrontmatter;
    this.fmError = f.fmError;
    this.lenient = f.lenient;
    this.fm = f.fm;
    this.fmText = f.fmText;
    this.bodyOffset = f.bodyOffset;
  }
  get body(): string {
    return bodyOf(this);
  }
}

/** the body as parseNote reads it: the whole text (a BOM at its start dropped) or what follows the frontmatter */
function bodyOf(n: Note): string {
  if (!n.utf8) return '';
  const start = n.bom ? 3 : 0;
  return n.bodyOffset === start ? utf8.decode(n.bytes.subarray(start)) : n.bytes.toString('utf8', n.bodyOffset);
}

/** a note made of parsed fields and bytes (a reader thread's), its body decoded when asked */
export function noteOf(fields: Omit<Note, 'body'>): Note {
  return new StoredNote(fields);
}

/**
 * parseNote for bytes that end with `prior`'s body (a frontmatter edit: patchFrontmatter copies the
 * body verbatim): only the new head is decoded and parsed. null when the bytes are not such an edit.
 */
export function parseEdited(rel: string, bytes: Buffer, prior: Note, hash = sha256(bytes)): Note | null {
  if (!(prior.utf8 && prior.hasFrontmatter && !prior.fmError && prior.bytes.length > prior.bodyOffset)) return null;
  const bodyLen = prior.bytes.length - prior.bodyOffset;
  const headLen = bytes.length - bodyLen;
  if (headLen <= 0 || !bytes.subarray(headLen).equals(prior.bytes.subarray(prior.bodyOffset))) return null;
  const { note: head, body } = parseNoteText(rel, bytes.subarray(0, headLen), hash);
  if (!head.utf8 || !head.hasFrontmatter || head.fmError || head.bodyOffset !== headLen || body !== '') return null;
  head.bytes = bytes;
  return head;
}

export function parseNote(rel: string, bytes: Buffer, hash = sha256(bytes)): Note {
  return parseNoteText(rel, bytes, hash).note;
}

export function parseNoteText(rel: string, bytes: Buffer, hash = sha256(bytes)): { note: Note; body: string } {
  const bom = bytes.length >= 3 && bytes.subarray(0, 3).equals(BOM);
  const note = new StoredNote({
    rel,
    bytes,
    hash,
    utf8: true,
    bom,
    eol: '\n',
    hasFrontmatter: false,
    fmError: null,
    lenient: false,
    fm: {},
    fmText: '',
    bodyOffset: bom ? 3 : 0,
  });
  let text: string;
  try {
    text = utf8.decode(bom ? bytes.subarray(3) : bytes);
  } catch {
    note.utf8 = false;
    note.fmError = 'not valid UTF-8';
    return { note, body: '' };
  }
  const firstNl = text.indexOf('\n');
  note.eol = firstNl > 0 && text[firstNl - 1] === '\r' ? '\r\n' : '\n';
  const m = /^---[ \t]*\r?\n/.exec(text);
  if (!m) return { note, body: text };
  // find the closing delimiter line
  const close = /^(---|\.\.\.)[ \t]*(\r?\n|$)/gm;
  close.lastIndex = m[0].length;
  let end: RegExpExecArray | null = null;
  // the closing delimiter must start at a line start after the opening
  for (let c = close.exec(text); c; c = close.exec(text)) {
    if (c.index >= m[0].length) {
      end = c;
      break;
    }
  }
  if (!end) {
    note.fmError = 'frontmatter block is not closed';
    note.hasFrontmatter = true;
    return { note, body: text };
  }
  note.hasFrontmatter = true;
  // a copy of its own: the frontmatter's values are cut out of it and kept for the night, and a cut
  // of the whole text would keep the whole text alive (corpus/text.ts own)
  note.fmText = own(text.slice(m[0].length, end.index));
  const bodyText = text.slice(end.index + end[0].length);
  // the decoder drops one BOM of what it is given: after the note's own BOM, a second one (the
  // text then starts 6 bytes into the file, not 3)
  const lead = bom ? (bytes.subarray(3, 6).equals(BOM) ? 6 : 3) : 0;
  note.bodyOffset = lead + Buffer.byteLength(text.slice(0, end.index + end[0].length), 'utf8');
  try {
    const parsed = note.fmText.trim() === '' ? {} : (fastParseFrontmatter(note.fmText) ?? YAML.parse(note.fmText, { uniqueKeys: true }));
    if (parsed === null || parsed === undefined) note.fm = {};
    else if (typeof parsed !== 'object' || Array.isArray(parsed)) note.fmError = 'frontmatter is not a mapping';
    else note.fm = parsed as Record<string, unknown>;
  } catch (e) {
    note.fmError = `frontmatter YAML: ${(e as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`;
  }
  if (note.fmError && note.fmError !== 'frontmatter is not a mapping') {
    // §2.1: read simple `key: value` lines so the note still counts and ranks; never rewritten
    note.fm = lenientFrontmatter(note.fmText);
    note.lenient = Object.keys(note.fm).length > 0;
  }
  return { note, body: bodyText };
}

/**
 * A line-by-line reading of a frontmatter block that YAML rejects (an unquoted colon in a title is
 * the common case): top-level `key: value` lines, quoted or plain scalars, booleans, numbers,
 * `[a, b]` lists and `- item` block lists. Anything else is skipped.
 */
export function lenientFrontmatter(fmText: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lines = fmText.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*?))?[ \t]*$/.exec(lines[i]!);
    if (!m || Object.prototype.hasOwnProperty.call(out, m[1]!) || m[1] === '__proto__') continue;
    const raw = m[2] ?? '';
    if (raw === '') {
      const items: unknown[] = [];
      while (i + 1 < lines.length && /^\s*- /.test(lines[i + 1]!)) items.push(lenientScalar(lines[++i]!.replace(/^\s*- /, '')));
      out[m[1]!] = items.length ? items : null;
      continue;
    }
    if (raw.startsWith('[') && raw.endsWith(']')) {
      out[m[1]!] = raw
        .slice(1, -1)
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map(lenientScalar);
      continue;
    }
    out[m[1]!] = lenientScalar(raw);
  }
  return out;
}

function lenientScalar(raw: string): unknown {
  const v = raw.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  if (/^(true|yes)$/i.test(v)) return true;
  if (/^(false|no)$/i.test(v)) return false;
  if (/^(null|~)$/i.test(v)) return null;
  if (/^[-+]?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v.replace(/\s+#.*$/, '');
}

/**
 * Returns the note's new bytes with `patch` applied to its frontmatter. Keys set to `undefined`
 * are left alone (Dream never drops a key). Comments, order and unknown keys are preserved; the
 * body bytes are copied verbatim.
 */
export function patchFrontmatter(n: Note, patch: Record<string, unknown>): Buffer {
  if (!isEditable(n)) throw new Error(`${n.rel}: refusing to edit a note that is not valid UTF-8 with parseable frontmatter`);
  let fm = patchSimple(n.fmText, patch) ?? patchDocument(n.fmText, patch);
  if (!fm.endsWith('\n')) fm += '\n';
  if (n.eol === '\r\n') fm = fm.replace(/\r?\n/g, '\r\n');
  const head = Buffer.from(`---${n.eol}${fm}---${n.eol}`, 'utf8');
  const body = n.bytes.subarray(n.bodyOffset);
  // the new note's bytes are kept for the night: never a slice of Node's shared pool (ownBytes)
  return ownBytes(Buffer.concat([n.bom ? BOM : Buffer.alloc(0), head, body]));
}

const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

function patchDocument(fmText: string, patch: Record<string, unknown>): string {
  const doc = YAML.parseDocument(fmText);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    doc.set(k, v);
  }
  return doc.toString(STRINGIFY);
}

/**
 * Line-level edit for simple frontmatter (the fast-path subset): only the lines of the patched
 * keys change, every other byte stays. Returns undefined when the block is not simple.
 */
function patchSimple(fmText: string, patch: Record<string, unknown>): string | undefined {
  const orig = fastParseFrontmatter(fmText);
  if (!orig) return undefined;
  const lines = fmText.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const rendered =
      plainLines(k, v) ??
      YAML.stringify({ [k]: v }, STRINGIFY)
        .replace(/\n$/, '')
        .split('\n');
    const at = lines.findIndex(
      (l) => l.startsWith(k + ':') && /^[A-Za-z_][A-Za-z0-9_-]*:(\s|$)/.test(l) && l.slice(0, l.indexOf(':')) === k,
    );
    if (at < 0) {
      lines.push(...rendered);
      continue;
    }
    let end = at + 1;
    while (end < lines.length && /^( {0,4})- /.test(lines[end]!.replace(/\r$/, ''))) end++;
    lines.splice(at, end - at, ...rendered);
  }
  const out = lines.map((l) => l.replace(/\r$/, '')).join('\n') + '\n';
  // the edit must mean exactly "original + patch"; anything else falls back to the full YAML path
  const check = fastParseFrontmatter(out);
  if (!check) return undefined;
  const want: Record<string, unknown> = { ...orig };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) want[k] = v;
  const keys = Object.keys(want);
  if (Object.keys(check).length !== keys.length) return undefined;
  for (const k of keys) if (JSON.stringify(check[k]) !== JSON.stringify(want[k])) return undefined;
  return out;
}

/** characters a value may hold to be written plain (no quotes) by the fast path */
const PLAIN = /^[A-Za-z0-9_./(][A-Za-z0-9_./() -]*$/;

/** a scalar as YAML.stringify writes it, for the values whose form is certain; undefined otherwise */
function plainScalar(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    const t = String(v);
    return Number.isFinite(v) && !Object.is(v, -0) && /^-?\d+(\.\d+)?$/.test(t) ? t : undefined;
  }
  if (typeof v !== 'string' || !PLAIN.test(v) || v.endsWith(' ')) return undefined;
  // the plain form must read back as the same string (not a number, a boolean, null)
  const back = fastParseFrontmatter(`k: ${v}\n`);
  return back && back.k === v ? v : undefined;
}

/**
 * `key: value` lines as YAML.stringify({ [key]: value }) writes them (lineWidth 0), for scalars and
 * lists of scalars whose plain form is certain; undefined for anything else (YAML writes those).
 * Most frontmatter edits set a flag, a date, a number or a short list: this skips a YAML document
 * per edit. A differential test pins it to YAML.stringify.
 */
export function plainLines(key: string, v: unknown): string[] | undefined {
  if (Array.isArray(v)) {
    if (!v.length) return [`${key}: []`];
    const items = v.map(plainScalar);
    return items.every((x) => x !== undefined) ? [`${key}:`, ...items.map((x) => `  - ${x}`)] : undefined;
  }
  const one = plainScalar(v);
  return one === undefined ? undefined : [`${key}: ${one}`];
}

/** Builds a brand-new note. */
export function buildNote(frontmatter: Record<string, unknown>, body: string): Buffer {
  const doc = new YAML.Document(frontmatter);
  return ownBytes(Buffer.from(`---\n${doc.toString(STRINGIFY)}---\n${body}`, 'utf8'));
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return undefined;
}

export function strList(v: unknown): string[] {
  if (v == null) return [];
  if (Array.isArray(v))
    return v
      .map((x) => str(x))
      .filter((x): x is string => !!x && x.trim() !== '')
      .map((x) => x.trim());
  const s = str(v);
  return s && s.trim() ? [s.trim()] : [];
}

/** the first "# " heading of a body */
export function firstHeading(body: string): string | undefined {
  const m = /^#[ \t]+(.+?)[ \t]*#*\r?$/m.exec(body);
  return m ? own(m[1]!.trim()) : undefined;
}

/** A date from frontmatter (YYYY-MM-DD or full ISO; YAML may have parsed it into a Date). */
export function noteDate(v: unknown): Date | null {
  if (v instanceof Date && !isNaN(v.getTime())) return v;
  const s = str(v);
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s.trim());
  if (!m) return null;
  const d = new Date(s.trim().length === 10 ? `${s.trim()}T00:00:00Z` : s.trim());
  return isNaN(d.getTime()) ? null : d;
}
