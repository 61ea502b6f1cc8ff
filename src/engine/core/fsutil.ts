// Small filesystem helpers: hashing, atomic writes (temp + fsync + rename + dir fsync), safe reads.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

let tmpCounter = 0;
/** Writes bytes to `file` so that readers see either the old or the new content, never a mix. */
export interface WriteOptions {
  /** fsync the file before the rename (default true) */
  fsync?: boolean;
  /** fsync the folder after the rename (default true); batch writers fsync each folder once */
  dirSync?: boolean;
}

export function atomicWriteFileSync(file: string, data: Buffer | string, opts: WriteOptions = {}): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.${tmpCounter++}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (opts.fsync !== false) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    renameWithRetry(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.dirSync !== false) fsyncDir(dir);
}

export function renameWithRetry(from: string, to: string): void {
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

export function readFileOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function isoNow(d = new Date()): string {
  return d.toISOString();
}

/** RFC 3339 in UTC without milliseconds (the timestamp form real queues and records use) */
export function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function runIdFor(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
