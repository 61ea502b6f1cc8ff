// Text normalisation shared by knowledge reading and near-duplicate detection.
export function normaliseForDedupe(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * A copy of `s` that keeps nothing else alive. V8 cuts a slice of a long string (a heading out of
 * a note's text, a value out of its frontmatter) as a view of the whole text, so one kept heading
 * would keep the whole note's text in memory; a string kept for the night is taken through here.
 * (The concatenation is flattened into a new string of s.length + 1 characters, which the slice
 * then views; below 13 characters V8 copies anyway.)
 */
export function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
