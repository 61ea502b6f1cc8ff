// Quoting for POSIX shells (sh, bash, zsh): one single-quoted word that the shell takes literally,
// whatever the text holds (spaces, quotes, $, backticks, newlines, non-Latin characters).
export function shQuote(s: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
