// The messages between a night and its reader thread (corpus/parallelRead.ts <-> readerThread.ts):
// the main thread asks for a list of note files; the thread answers in batches with each note
// read, parsed and worked out (reference tokens, near-duplicate signature), or why it was not.
// zod/mini keeps the thread's bundle small (it starts while the night reads).
import * as z from 'zod/mini';

const int = () => z.number().check(z.int());
const count = () => z.number().check(z.int(), z.minimum(0));

export const readRequestSchema = z.object({
  type: z.literal('read'),
  id: int(),
  agentsDir: z.string(),
  files: z.array(z.object({ rel: z.string(), sig: z.boolean() })),
});
export type ReadRequest = z.infer<typeof readRequestSchema>;

/** where a note's bytes are in the batch's `data` */
const bytesSchema = z.object({ offset: count(), length: count() });
const u32 = z.custom<Uint32Array>((v) => v instanceof Uint32Array, 'a Uint32Array');
const noteSchema = z.object({
  rel: z.string(),
  hash: z.string(),
  utf8: z.boolean(),
  bom: z.boolean(),
  eol: z.enum(['\n', '\r\n']),
  hasFrontmatter: z.boolean(),
  fmError: z.nullable(z.string()),
  lenient: z.boolean(),
  fm: z.record(z.string(), z.unknown()),
  fmText: z.string(),
  bodyOffset: count(),
});

export const readItemSchema = z.union([
  z.object({
    rel: z.string(),
    bytes: bytesSchema,
    id: z.object({ size: z.number(), mtimeMs: z.number(), ctimeMs: z.number(), ino: z.number() }),
    note: noteSchema,
    facts: z.object({
      tokens: z.object({ joined: z.string(), counts: u32 }),
      heading: z.nullable(z.string()),
      summary: z.string(),
      bodyCited: z.array(z.string()),
      sig: z.nullable(u32),
      words: z.nullable(u32),
    }),
  }),
  z.object({ rel: z.string(), error: z.string() }),
  z.object({ rel: z.string(), gone: z.literal(true) }),
]);
export type ReadItem = z.infer<typeof readItemSchema>;

/**
 * A batch as it arrives: the envelope, and each item's path and kind. The full item schema is
 * checked on the first item of every batch (a reader thread from another build is caught there);
 * checking all of them would cost the night a tenth of its read (parseReadReply).
 */
const replyEnvelopeSchema = z.object({
  type: z.literal('notes'),
  id: int(),
  items: z.array(z.looseObject({ rel: z.string() })),
  /** the bytes of the batch's notes, one after the other (transferred, not copied) */
  data: z.instanceof(ArrayBuffer),
  /** the last batch of the request */
  done: z.boolean(),
});

export const readReplySchema = z.object({
  type: z.literal('notes'),
  id: int(),
  items: z.array(readItemSchema),
  data: z.instanceof(ArrayBuffer),
  done: z.boolean(),
});
export type ReadReply = z.infer<typeof readReplySchema>;

/** a batch from the reader thread, or null when it is not one (see replyEnvelopeSchema) */
export function parseReadReply(raw: unknown): ReadReply | null {
  const env = replyEnvelopeSchema.safeParse(raw);
  if (!env.success) return null;
  const first = env.data.items[0];
  if (first !== undefined && !readItemSchema.safeParse(first).success) return null;
  for (const item of env.data.items) if (!('bytes' in item || 'error' in item || 'gone' in item)) return null;
  return env.data as unknown as ReadReply;
}
