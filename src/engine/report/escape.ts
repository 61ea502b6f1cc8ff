// Escaping corpus-derived text for summary.md, so any markdown renderer (with raw HTML on or off)
// shows it as text: no live <script>, <img onerror>, javascript: links, headings or tables
// smuggled in through a title, a path, a reason, a packet, a degraded line or runner output.

/**
 * Punctuation that makes links, images or emphasis inline. Backslash first, so an escape in the
 * text can never cancel ours. Parentheses, `!` and `:` are harmless once `[` and `]` are escaped;
 * backticks only make code spans, whose content renderers never parse as HTML.
 */
const MD_SPECIAL = /[\\[\]*]/g;

/** Inline text for a terminal: line breaks become spaces, nothing else changes. */
export function plainText(value: unknown): string {
  return String(value ?? '').replace(/\r\n?|\n|\u2028|\u2029/g, ' ');
}

/**
 * Inline text: HTML metacharacters become entities, markdown punctuation is backslash-escaped,
 * line breaks become spaces (one line never starts a new block).
 */
export function mdText(value: unknown): string {
  return String(value ?? '')
    .replace(/\r\n?|\n|\u2028|\u2029/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MD_SPECIAL, (ch) => `\\${ch}`)
    .replace(/^(\s*)([#=+-]|\d+[.)])/, '$1\\$2'); // never a heading, list or rule at a line start
}

/**
 * A code span that holds any text literally: the fence is longer than the longest run of
 * backticks inside, line breaks become spaces; text with HTML metacharacters is escaped text instead.
 */
export function mdCode(value: unknown): string {
  const s = String(value ?? '').replace(/\r\n?|\n|\u2028|\u2029/g, ' ');
  // HTML metacharacters: escaped text instead (a renderer that ignores code spans still shows text)
  if (/[<>&]/.test(s)) return mdText(s);
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim()) ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}
