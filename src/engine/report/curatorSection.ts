// The morning report's "Local Curator" section, for summary.md and the webview: jobs run, drafts
// written, failures with their reasons, the hourly cap. The curator lane fills `summary.curator`.
import path from 'node:path';
import type { CuratorSummary } from '../core/schemas';

/** Plain lines (the webview); `link` turns a draft path (relative to .agents/) into what to show. */
export function curatorLines(c: CuratorSummary | null, link: (draft: string) => string = (d) => `.agents/${d}`): string[] {
  if (!c) return ['Off.'];
  const L: string[] = [`Status: ${c.status}${c.note ? ` — ${c.note}` : ''}`];
  if (c.model) L.push(`Model: ${c.model}${c.ollama_url ? ` at ${c.ollama_url}` : ''}`);
  if (c.jobs_processed !== undefined) L.push(`Jobs run: ${c.jobs_processed}`);
  for (const j of c.jobs ?? [])
    L.push(
      `Job ${j.id} (${j.kind}): ${j.status}${j.drafts.length ? `, ${j.drafts.length} draft(s)` : ''}${j.reason ? ` — ${j.reason}` : ''}${j.escalation ? `; ${j.escalation}` : ''}`,
    );
  for (const d of c.drafts ?? []) L.push(`Draft (needs review): ${link(d)}`);
  for (const f of c.failures ?? []) L.push(`Failed: ${f.id} (${f.kind}): ${f.reason}`);
  if (c.cap) L.push(`Hourly cap: ${c.cap.used_this_hour}/${c.cap.hourly_cap} used in the last hour, ${c.cap.remaining} left`);
  if (c.queue_left !== undefined) L.push(`Still queued: ${c.queue_left}`);
  return L;
}

/** Markdown lines for summary.md: drafts are links relative to the run folder. */
export function curatorMarkdown(c: CuratorSummary | null, outputDir?: string, repoRoot?: string): string[] {
  const link = (d: string) => {
    const target = repoRoot ? path.join(repoRoot, '.agents', d) : null;
    const href = target && outputDir ? path.relative(outputDir, target).split(path.sep).join('/') : `.agents/${d}`;
    return `[\`.agents/${d}\`](${encodeURI(href)})`;
  };
  return curatorLines(c, link).map((l) => (c ? `- ${l}` : l));
}
