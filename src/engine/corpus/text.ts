// Text normalisation shared by knowledge reading and near-duplicate detection.
export function normaliseForDedupe(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
