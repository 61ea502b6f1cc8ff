// The council's report format (contract §7) as one zod schema: the JSON schema handed to the
// runners is generated from it, and every reply is validated against it.
import { z } from 'zod';

export const SUPPORTED_RUNNERS = ['claude', 'codex'] as const;
export type RunnerName = (typeof SUPPORTED_RUNNERS)[number];

export const RECOMMENDED_KINDS = ['research', 'implement', 'validate', 'repair', 'promote', 'document'] as const;

/**
 * What the runners are asked for: only keywords every structured-output API accepts in strict mode
 * (every key required, no extra keys, enums; no length constraints), so it goes out as it is.
 */
export const councilReportWireSchema = z
  .object({
    runner: z.string(),
    headline: z.string(),
    recommended_kind: z.enum(RECOMMENDED_KINDS),
    recommended_first_action: z.string(),
    risks: z.array(z.string()),
    opportunities: z.array(z.string()),
    confidence: z.enum(['low', 'medium', 'high']),
    wildcard_idea: z.string(),
  })
  .strict();

const nonEmpty = z.string().refine((v) => v.trim().length > 0, 'must not be empty');
/** What Dream accepts: the wire schema, with the texts that matter not empty. */
export const councilReportSchema = councilReportWireSchema.extend({
  runner: nonEmpty,
  headline: nonEmpty,
  recommended_first_action: nonEmpty,
});
export type CouncilReport = z.infer<typeof councilReportSchema>;

/** The JSON schema the runners get (no `$schema` key: codex passes it to a strict structured-output API). */
export function reportJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(councilReportWireSchema) as Record<string, unknown>;
  return schema;
}

/** claude -p --output-format json: one result envelope (extra keys are ignored). */
export const claudeEnvelopeSchema = z
  .object({
    type: z.literal('result'),
    is_error: z.boolean(),
    result: z.string().optional(),
    structured_output: z.unknown().optional(),
    subtype: z.string().optional(),
  })
  .passthrough();

/** Plain-words reason a reply was refused. */
export class RunnerReplyError extends Error {}

function describeZod(err: z.ZodError): string {
  return err.issues
    .slice(0, 4)
    .map((i) => `${i.path.length ? i.path.join('.') : 'report'}: ${i.message}`)
    .join('; ');
}

/** The runner names a reply may carry for `runner`: "codex", "Codex", "codex-dream-council" (rewritten to "codex"). */
function sameRunner(claimed: string, runner: RunnerName): boolean {
  const n = claimed.trim().toLowerCase().replace(/_/g, '-');
  return n === runner || n === `${runner}-dream-council`;
}

/** Parses the JSON text of a report (fenced or bare) and validates it; throws RunnerReplyError. */
export function parseReportText(text: string, runner: RunnerName): CouncilReport {
  const t = text.trim();
  if (!t) throw new RunnerReplyError(`${runner} output was empty`);
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n```$/.exec(t);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : t);
  } catch {
    throw new RunnerReplyError(`${runner} output is not valid JSON (${t.length} characters starting "${t.slice(0, 60)}")`);
  }
  return validateReport(value, runner);
}

export function validateReport(value: unknown, runner: RunnerName): CouncilReport {
  if (value === null || value === undefined || value === '') throw new RunnerReplyError(`${runner} output was empty`);
  const r = councilReportSchema.safeParse(value);
  if (!r.success) throw new RunnerReplyError(`${runner} report does not match the schema (${describeZod(r.error)})`);
  if (!sameRunner(r.data.runner, runner))
    throw new RunnerReplyError(`wrong runner: the ${runner} reply says it is from "${r.data.runner.slice(0, 40)}"`);
  return { ...r.data, runner };
}

/** claude's stdout: the envelope, then the structured output (or the result text as JSON). */
export function parseClaudeStdout(stdout: string): CouncilReport {
  const t = stdout.trim();
  if (!t) throw new RunnerReplyError('claude output was empty');
  let raw: unknown;
  try {
    raw = JSON.parse(t);
  } catch {
    throw new RunnerReplyError(`claude output is not valid JSON (${t.length} characters starting "${t.slice(0, 60)}")`);
  }
  const env = claudeEnvelopeSchema.safeParse(raw);
  if (!env.success) throw new RunnerReplyError(`claude output is not a result envelope (${describeZod(env.error)})`);
  const e = env.data;
  if (e.is_error) {
    const why = (e.result ?? e.subtype ?? 'unknown error').trim();
    throw new RunnerReplyError(/not logged in/i.test(why) ? `claude is not logged in: ${why}` : `claude answered with an error: ${why}`);
  }
  if (e.structured_output !== undefined && e.structured_output !== null) return validateReport(e.structured_output, 'claude');
  return parseReportText(e.result ?? '', 'claude');
}
