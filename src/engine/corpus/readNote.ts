// Reading one note file as a night does, on either thread (corpus.ts, readerThread.ts): the bytes
// and the identity of the file read, never through a symlink and never blocking on a FIFO.
import { readListedFile } from '../core/fsutil';

/** the identity fields of a file's stat (what NoteCache keys on); a worker thread sends these */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** one note file read: its bytes and identity, or why it was not read (null: it is gone) */
export type NoteRead = { bytes: Buffer; id: FileIdentity } | { error: string } | null;

/** reads one listed note file (refusing a FIFO or symlink swapped in since the walk, never blocking) */
export function readNoteFile(abs: string): NoteRead {
  try {
    const r = readListedFile(abs);
    if (!r) return null;
    return { bytes: r.bytes, id: { size: r.stat.size, mtimeMs: r.stat.mtimeMs, ctimeMs: r.stat.ctimeMs, ino: r.stat.ino } };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { error: (e as Error).message };
  }
}
