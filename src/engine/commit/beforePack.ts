// The before-images of one iteration (or restore, or hand archive) in one file, fsynced once:
// what recovery reverses from, what `dream restore` puts back and what the diff view shows. A
// change names its before-image by the path it would have under before/iter-N/ (where Dream 0.1
// wrote one file per image); readBeforeImage() takes the pack's copy, or such a file when it holds
// the bytes the pack recorded (checked by their SHA-256).
//
// Format: the line `DREAM-BEFORE-PACK 1`, one JSON line {entries: [{rel, offset, length, sha256}]},
// then the bytes (offsets from the first byte after the JSON line).
import { z } from 'zod';
import { abs } from '../core/paths';
import { readFileOrNull, sha256 } from '../core/fsutil';

const MAGIC = 'DREAM-BEFORE-PACK 1\n';

const headerSchema = z.object({
  entries: z.array(z.object({ rel: z.string(), offset: z.number().int().min(0), length: z.number().int().min(0), sha256: z.string() })),
});

/** the pack beside a before-image root (`.../before/iter-3` -> `.../before/iter-3.pack`) */
export function packPathFor(beforeRoot: string): string {
  return `${beforeRoot}.pack`;
}

/** the pack a before-image path belongs to (null for a path outside a before-image root) */
export function packOfBeforeImage(beforeRel: string): string | null {
  const m = /^(.*\/(?:before\/iter-\d+|restores\/restore-\d+\/before|archives\/[^/]+\/before))\//.exec(beforeRel);
  return m ? packPathFor(m[1]!) : null;
}

export function encodePack(images: { rel: string; bytes: Buffer }[]): Buffer {
  let offset = 0;
  const entries = images.map((i) => {
    const e = { rel: i.rel, offset, length: i.bytes.length, sha256: sha256(i.bytes) };
    offset += i.bytes.length;
    return e;
  });
  return Buffer.concat([Buffer.from(MAGIC + JSON.stringify({ entries }) + '\n', 'utf8'), ...images.map((i) => i.bytes)]);
}

export type Pack = Map<string, { bytes: Buffer; sha256: string }>;

/** the before-images of a pack, each checked against its hash; null when the pack is missing or unreadable */
export function readPack(workspace: string, packRel: string): Pack | null {
  const raw = readFileOrNull(abs(workspace, packRel));
  if (!raw || raw.subarray(0, MAGIC.length).toString('utf8') !== MAGIC) return null;
  const nl = raw.indexOf(0x0a, MAGIC.length);
  if (nl < 0) return null;
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(JSON.parse(raw.subarray(MAGIC.length, nl).toString('utf8')));
  } catch {
    return null;
  }
  const body = raw.subarray(nl + 1);
  const out: Pack = new Map();
  for (const e of header.entries) {
    const bytes = body.subarray(e.offset, e.offset + e.length);
    if (bytes.length === e.length && sha256(bytes) === e.sha256) out.set(e.rel, { bytes, sha256: e.sha256 });
  }
  return out;
}

/**
 * A before-image's bytes: the mirror file when it holds what the pack recorded (or when there is
 * no pack: runs of older versions), else the pack's copy; null when neither has it. `packs`
 * caches the packs read (pass one map for many images).
 */
export function readBeforeImage(workspace: string, beforeRel: string, packs = new Map<string, Pack | null>()): Buffer | null {
  const file = readFileOrNull(abs(workspace, beforeRel));
  const packRel = packOfBeforeImage(beforeRel);
  let p: Pack | null = null;
  if (packRel) {
    if (!packs.has(packRel)) packs.set(packRel, readPack(workspace, packRel));
    p = packs.get(packRel)!;
  }
  const entry = p?.get(beforeRel);
  if (!entry) return file;
  if (file && file.length === entry.bytes.length && sha256(file) === entry.sha256) return file;
  return entry.bytes;
}
