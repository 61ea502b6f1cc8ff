// Tier 1 drafts: markdown notes in .agents/knowledge/pending/ marked `status: draft` and
// `needs_review: true`, with who made them (ingested_by, model, job_id, source_kind). Dream never
// promotes one; a person does (promote.ts). Names are fixed by the job id, so a job replayed after
// a crash writes the same files again instead of new ones.
import { buildNote, redactSecrets } from '../../engine';

export const PENDING_DIR = 'knowledge/pending';
export const INGESTED_BY = 'dream-curator';

export interface DraftSpec {
  title: string;
  /** learning | anti-pattern | finding | idea */
  type: string;
  body: string;
  confidence?: string;
  /** the file the draft was made from (workspace-relative) */
  source?: string;
  /** notes the draft is about (lint-wiki) */
  related?: string[];
}

export interface PlannedDraft {
  /** relative to .agents/ */
  rel: string;
  content: string;
}

export function slug(s: string, max = 48): string {
  const out = s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return out || 'draft';
}

export function planDrafts(specs: DraftSpec[], meta: { jobId: string; kind: string; model: string; ingestedAt: string }): PlannedDraft[] {
  return specs.map((d, i) => {
    const title = redactSecrets(d.title.replace(/\s+/g, ' ').trim()).text;
    const fm: Record<string, unknown> = {
      title,
      type: d.type,
      status: 'draft',
      maturity: 'draft',
      needs_review: true,
      ingested_by: INGESTED_BY,
      ingested_at: meta.ingestedAt,
      job_id: meta.jobId,
      source_kind: meta.kind,
      model: meta.model,
    };
    if (d.confidence) fm.confidence = d.confidence;
    if (d.source) fm.source = d.source;
    if (d.related?.length) fm.related = d.related;
    const sources = [d.source, ...(d.related ?? [])].filter((x): x is string => !!x);
    const body =
      `# ${title}\n\n${redactSecrets(d.body.trim()).text}\n` +
      (sources.length ? `\n## Sources\n\n${sources.map((s) => `- ${s}`).join('\n')}\n` : '') +
      `\n_Draft by the local curator (${meta.model}, job ${meta.jobId}); review it, then promote it with \`dream curator promote\` or "Dream: Promote Draft"._\n`;
    return { rel: `${PENDING_DIR}/${meta.jobId}-${i + 1}-${slug(title)}.md`, content: buildNote(fm, body).toString('utf8') };
  });
}
