// Small filesystem helpers: hashing, atomic writes (temp + fsync + rename + dir fsync), safe reads.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The fault seam: every write, rename and removal Dream makes passes here first (tests inject
 * ENOSPC/EIO/EACCES/EROFS or a SIGKILL at the n-th step; named commit and recovery steps pass
 * here too). Never set in normal use.
 */
export type FsStep = 'write' | 'rename' | 'unlink' | 'mkdir' | 'rmdir' | 'rmtree' | 'link' | 'step';
export const fsSeam: { hook: ((step: FsStep, target: string) => void) | null } = { hook: null };
export function seam(step: FsStep, target: string): void {
  if (fsSeam.hook) fsSeam.hook(step, target);
}

/** an Error with an errno-style code, as fs would throw it */
export function errnoError(code: string, syscall: string, target: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected fault, ${syscall} '${target}'`), { code, syscall, path: target });
}

let tmpCounter = 0;
/**
 * A short temp name in the target's own folder (`.dream-<pid>-<n>.tmp`, under 32 bytes), so a
 * legal long name never passes NAME_MAX through its temp twin; housekeeping recognises it.
 */
export function tempNameFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.dream-${process.pid.toString(36)}-${(tmpCounter++).toString(36)}${crypto.randomBytes(2).toString('hex')}.tmp`,
  );
}
export const TEMP_NAME_RE = /^\.dream-([0-9a-z]+)-[0-9a-z]+\.tmp$/;
/** temp names of older Dream versions: `.<name>.<pid>.<ms>.<n>.tmp` and `<name>.<pid>.<ms>.tmp` */
export const LEGACY_TEMP_RE = /^\.?.+\.(\d+)\.\d{12,}(?:\.\d+)?\.tmp$/;

/** Writes bytes to `file` so that readers see either the old or the new content, never a mix. */
export interface WriteOptions {
  /** fsync the file before the rename (default true) */
  fsync?: boolean;
  /** fsync the folder after the rename (default true); batch writers fsync each folder once */
  dirSync?: boolean;
  /** the folder is known to exist (a batch writer checked it): no mkdirp */
  dirExists?: boolean;
}

export function atomicWriteFileSync(file: string, data: Buffer | string, opts: WriteOptions = {}): void {
  const dir = path.dirname(file);
  if (!opts.dirExists) mkdirp(dir);
  const tmp = tempNameFor(file);
  seam('write', file);
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      if (opts.fsync !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    renameWithRetry(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.dirSync !== false) fsyncDir(dir);
}

export function mkdirp(dir: string): void {
  try {
    if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  } catch {
    /* unreadable: mkdir says why */
  }
  seam('mkdir', dir);
  fs.mkdirSync(dir, { recursive: true });
}

export function renameWithRetry(from: string, to: string): void {
  seam('rename', to);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Windows: antivirus/indexers briefly hold handles
      if (process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') && attempt < 20) {
        const until = Date.now() + 50 * (attempt + 1);
        while (Date.now() < until) {
          /* short bounded wait */
        }
        continue;
      }
      throw e;
    }
  }
}

export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** a regular file's bytes, or null when missing (symlinks, FIFOs and devices are refused) */
export function readFileOrNull(file: string): Buffer | null {
  return readRegularFile(file);
}

/** Largest file Dream reads from the corpus or its runtime folder (a bigger one is skipped, reported). */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

export class UnsafeReadError extends Error {
  constructor(
    message: string,
    readonly kind: 'symlink' | 'special' | 'directory' | 'too-large',
  ) {
    super(message);
    this.name = 'UnsafeReadError';
  }
}

function describeSpecial(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/**
 * Reads a regular file and nothing else: lstat first (a symlink, FIFO, socket, device or folder is
 * refused with UnsafeReadError), then open with O_NOFOLLOW|O_NONBLOCK (a FIFO swapped in between
 * never blocks, a symlink never is followed), fstat the open file again, and read at most
 * `maxBytes`. Returns null when the file does not exist.
 */
export function readRegularFile(file: string, maxBytes = MAX_READ_BYTES): Buffer | null {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st) return null;
  refuseUnsafe(st, maxBytes);
  return readListedFile(file, maxBytes)?.bytes ?? null;
}

const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** throws UnsafeReadError unless `s` is a regular file of at most maxBytes */
function refuseUnsafe(s: fs.Stats, maxBytes: number): void {
  if (!s.isFile())
    throw new UnsafeReadError(
      `${describeSpecial(s)}, not read`,
      s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'directory' : 'special',
    );
  if (s.size > maxBytes) throw new UnsafeReadError(`${s.size} bytes, over the ${maxBytes}-byte limit; not read`, 'too-large');
}

/**
 * `b`, or a copy of it in a backing store of its own when it was cut from Node's shared 8 KB
 * pool (Buffer.concat, Buffer.from of a short string): bytes kept for the night (a note's) would
 * keep the whole slab alive, with whatever else was cut from it.
 */
export function ownBytes(b: Buffer): Buffer {
  if (b.buffer.byteLength !== Buffer.poolSize || b.length === b.buffer.byteLength) return b;
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}

/**
 * readRegularFile for a path the caller has just seen as a regular file (a directory walk's entry
 * type): no lstat first, the open (O_NOFOLLOW|O_NONBLOCK) and fstat of the open file refuse a
 * symlink, FIFO or device swapped in since. Returns the bytes with the open file's stat (its
 * identity), or null when the file is gone.
 */
export function readListedFile(file: string, maxBytes = MAX_READ_BYTES): { bytes: Buffer; stat: fs.Stats } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new UnsafeReadError('a symlink, not read', 'symlink');
    throw e;
  }
  try {
    const fst = fs.fstatSync(fd);
    refuseUnsafe(fst, maxBytes);
    // a backing store of its own: a small read cut from Node's shared pool would keep the pool's
    // whole slab alive for as long as the night keeps these bytes (ownBytes)
    const buf = Buffer.allocUnsafeSlow(Math.min(fst.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) throw new UnsafeReadError(`grew past the ${maxBytes}-byte limit while read; not read`, 'too-large');
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    return { bytes: buf.subarray(0, n), stat: fst };
  } finally {
    fs.closeSync(fd);
  }
}

/** readRegularFile for callers that keep going: a skipped or unreadable file is a degraded line. */
export function readRegularOrReport(file: string, label: string, degraded: string[], maxBytes = MAX_READ_BYTES): Buffer | null {
  try {
    return readRegularFile(file, maxBytes);
  } catch (e) {
    degraded.push(e instanceof UnsafeReadError ? `${label} is ${e.message}` : `${label} could not be read: ${(e as Error).message}`);
    return null;
  }
}

/** the longest prefix of `s` that fits in `maxBytes` of UTF-8 without splitting a character */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (n + b > maxBytes) break;
    out += ch;
    n += b;
  }
  return out;
}

/** the longest absolute path Dream creates (PATH_MAX is 4096 on Linux, with its NUL; less elsewhere) */
export const SAFE_PATH_BYTES = process.platform === 'win32' ? 32000 : 4000;

/** NAME_MAX: the longest file name (in bytes) Dream creates */
export const NAME_MAX_BYTES = 255;

export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

export function isoNow(d = new Date()): string {
  return d.toISOString();
}

/** RFC 3339 in UTC without milliseconds (the timestamp form real queues and records use) */
export function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
