// CorpusWriter: the one module that writes, renames or removes anything on disk for Dream.
// It makes the hard rules hold by construction:
//  - only inside <workspace>/.agents/, and only in the mutable corpus paths or Dream's own folders
//  - never through a symlink (every path component is lstat-checked), never creates one
//  - every write is atomic (temp + fsync + rename)
import fs from 'node:fs';
import path from 'node:path';
import {
  LEGACY_TEMP_RE,
  TEMP_NAME_RE,
  atomicWriteFileSync,
  fsyncDir,
  mkdirp,
  readRegularFile,
  renameWithRetry,
  seam,
  tempNameFor,
  type WriteOptions,
} from '../core/fsutil';

export const MUTABLE_PREFIXES = ['learnings/', 'findings/', 'patterns/', 'knowledge/', 'overnight/', 'dream/'];
export const MUTABLE_FILES = ['rpi/next-work.jsonl', 'index.jsonl'];

export class WriteGuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteGuardError';
  }
}

export class CorpusWriter {
  readonly agentsDir: string;
  private pendingDirs = new Set<string>();
  /** inside batch(): folders already lstat-checked by this batch (each is checked once per batch) */
  private checkedDirs: Set<string> | null = null;
  /**
   * `opts.precheck`: a writer that only answers "would this be refused?" ahead of the real write
   * (Staging, while REDUCE stages): it checks each folder once for its whole life. The write
   * itself, later, goes through a writer that checks again.
   */
  constructor(
    readonly workspace: string,
    private readonly opts: { precheck?: boolean } = {},
  ) {
    this.agentsDir = path.join(path.resolve(workspace), '.agents');
    if (opts.precheck) this.checkedDirs = new Set();
  }

  /**
   * Runs `fn` as one batch of writes (a persist, a commit): a folder on the way is lstat-checked
   * once per batch instead of once per file; the file itself is still checked at every write.
   * A folder swapped for a symlink before the batch starts is refused, as outside a batch.
   */
  batch<T>(fn: () => T): T {
    if (this.checkedDirs || this.opts.precheck) return fn();
    this.checkedDirs = new Set();
    try {
      return fn();
    } finally {
      this.checkedDirs = null;
    }
  }

  /** Resolves a path relative to .agents/ and refuses anything the rules forbid. */
  resolve(rel: string): string {
    const norm = rel.split(/[\\/]/).join('/');
    if (!norm || norm.startsWith('/') || /^[a-zA-Z]:/.test(norm) || norm.split('/').some((s) => s === '..' || s === '')) {
      throw new WriteGuardError(`refused to write "${rel}": not a plain path inside .agents/`);
    }
    if (!MUTABLE_PREFIXES.some((p) => norm.startsWith(p)) && !MUTABLE_FILES.includes(norm)) {
      throw new WriteGuardError(
        `refused to write .agents/${norm}: Dream only writes learnings/, findings/, patterns/, knowledge/, rpi/next-work.jsonl, index.jsonl, overnight/ and dream/`,
      );
    }
    const abs = path.join(this.agentsDir, ...norm.split('/'));
    this.assertNoSymlink(abs);
    return abs;
  }

  /**
   * Why a write to `rel` would be refused (a symlink on the way, the target a FIFO, device, socket
   * or folder, a path Dream never writes), or null when it would go ahead.
   */
  refusal(rel: string): string | null {
    let target: string;
    try {
      target = this.resolve(rel);
    } catch (e) {
      return (e as Error).message;
    }
    try {
      const st = fs.lstatSync(target);
      if (!st.isFile())
        return `.agents/${rel} is not a regular file (${st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : 'a special file'})`;
    } catch {
      /* missing: it will be created */
    }
    return null;
  }

  /** lstat every existing component from the workspace down; a symlink anywhere is refused. */
  private assertNoSymlink(abs: string): void {
    const ws = path.resolve(this.workspace);
    const rel = path.relative(ws, abs);
    let cur = ws;
    const parts = rel.split(path.sep);
    // every component, every time (once per batch for folders): a folder swapped for a symlink is
    // caught right before the write
    for (let i = 0; i < parts.length; i++) {
      cur = path.join(cur, parts[i]!);
      const folder = i < parts.length - 1;
      if (folder && this.checkedDirs?.has(cur)) continue;
      const st = fs.lstatSync(cur, { throwIfNoEntry: false });
      if (!st) return; // the rest does not exist yet
      if (st.isSymbolicLink()) throw new WriteGuardError(`refused to write through a symlink: ${path.relative(ws, cur)}`);
      if (folder && st.isDirectory()) this.checkedDirs?.add(cur);
    }
  }

  write(rel: string, data: Buffer | string): void {
    atomicWriteFileSync(this.resolve(rel), data);
  }

  /**
   * Batched durable write: the file is fsynced, its folder is fsynced once by flushDirs().
   * `durable: false` skips the file fsync too (for transient staging files).
   */
  writeBatched(rel: string, data: Buffer | string, durable = true): void {
    const abs = this.resolve(rel);
    const opts: WriteOptions = { fsync: durable, dirSync: false, dirExists: this.checkedDirs?.has(path.dirname(abs)) };
    atomicWriteFileSync(abs, data, opts);
    if (durable) this.pendingDirs.add(path.dirname(abs));
  }

  flushDirs(): void {
    for (const d of this.pendingDirs) fsyncDir(d);
    this.pendingDirs.clear();
  }

  /** Appends whole lines (the file is rewritten atomically, so a crash never leaves half a line). */
  appendLines(rel: string, lines: string[], durable = true): void {
    if (!lines.length) return;
    const abs = this.resolve(rel);
    const prev = readRegularFile(abs) ?? Buffer.alloc(0);
    const needsNl = prev.length > 0 && prev[prev.length - 1] !== 0x0a;
    const data = Buffer.concat([prev, Buffer.from((needsNl ? '\n' : '') + lines.join('\n') + '\n', 'utf8')]);
    // not durable (a log): still atomic (temp + rename), without the two fsyncs per call
    atomicWriteFileSync(abs, data, durable ? {} : { fsync: false, dirSync: false });
  }

  mkdir(rel: string): string {
    const abs = this.resolve(rel);
    mkdirp(abs);
    return abs;
  }

  /** Atomic rename of a file inside .agents/ (both ends checked). */
  rename(fromRel: string, toRel: string): void {
    const from = this.resolve(fromRel);
    const to = this.resolve(toRel);
    if (!this.checkedDirs?.has(path.dirname(to))) mkdirp(path.dirname(to));
    renameWithRetry(from, to);
    this.pendingDirs.add(path.dirname(to));
  }

  /**
   * Removes one regular file. Callers must have kept its before-image (rule 6). `syncNow: false`
   * leaves the folder's fsync to flushDirs() (a batch of removals).
   */
  removeFile(rel: string, syncNow = true): void {
    const abs = this.resolve(rel);
    try {
      const st = fs.lstatSync(abs);
      if (!st.isFile()) throw new WriteGuardError(`refused to remove .agents/${rel}: not a regular file`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    seam('unlink', abs);
    fs.unlinkSync(abs);
    if (syncNow) fsyncDir(path.dirname(abs));
    else this.pendingDirs.add(path.dirname(abs));
  }

  /** Removes a folder if it is empty (a folder with anything in it, or a missing one, is left as it is). */
  removeEmptyDir(rel: string): boolean {
    const norm = rel.split(/[\\/]/).join('/');
    // a folder is removable where its files are writable (rpi/ holds next-work.jsonl)
    const abs = this.resolve(norm === 'rpi' ? 'rpi/next-work.jsonl' : norm.replace(/\/?$/, '/x')).replace(/[\\/][^\\/]+$/, '');
    try {
      if (!fs.lstatSync(abs).isDirectory()) return false;
      seam('rmdir', abs);
      fs.rmdirSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw e;
    }
    fsyncDir(path.dirname(abs));
    return true;
  }

  /**
   * Removes a temp file a killed atomic write left behind: only a Dream temp name, only in a
   * folder Dream writes (the .agents/ root holds index.jsonl's temp twin, rpi/ next-work's).
   */
  removeStaleTemp(rel: string): void {
    const norm = rel.split(/[\\/]/).join('/');
    const base = norm.slice(norm.lastIndexOf('/') + 1);
    const dir = norm.includes('/') ? norm.slice(0, norm.lastIndexOf('/')) : '';
    const okDir = dir === '' || dir === 'rpi' || MUTABLE_PREFIXES.some((p) => (dir + '/').startsWith(p));
    if (!okDir || !(TEMP_NAME_RE.test(base) || LEGACY_TEMP_RE.test(base)) || norm.split('/').some((s) => s === '..' || s === '')) {
      throw new WriteGuardError(`refused to remove .agents/${norm}: not a Dream temp file in a folder Dream writes`);
    }
    const abs = path.join(this.agentsDir, ...norm.split('/'));
    this.assertNoSymlink(abs);
    if (!fs.lstatSync(abs).isFile()) throw new WriteGuardError(`refused to remove .agents/${norm}: not a regular file`);
    seam('unlink', abs);
    fs.unlinkSync(abs);
  }

  /** Removes a folder tree; only Dream's own runtime folders may be removed wholesale. */
  removeTree(rel: string): void {
    const norm = rel.split(/[\\/]/).join('/');
    if (!norm.startsWith('overnight/') && !norm.startsWith('dream/curator/')) {
      throw new WriteGuardError(`refused to remove the folder .agents/${norm}: only Dream's runtime folders may be removed`);
    }
    const abs = this.resolve(norm);
    seam('rmtree', abs);
    fs.rmSync(abs, { recursive: true, force: true });
  }

  /**
   * Exclusive create with its content in place at once (fails with EEXIST): the bytes are written
   * to a temp file and hard-linked to the name, so nobody ever reads a half-written lock.
   */
  createExclusive(rel: string, data: string): void {
    const abs = this.resolve(rel);
    mkdirp(path.dirname(abs));
    const tmp = tempNameFor(abs);
    seam('write', abs);
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      seam('link', abs);
      fs.linkSync(tmp, abs);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    fsyncDir(path.dirname(abs));
  }

  /** Copies a file (read through lstat-checked source) to a guarded destination, atomically. */
  copyIn(srcAbs: string, toRel: string): void {
    let bytes: Buffer | null;
    try {
      bytes = readRegularFile(srcAbs);
    } catch (e) {
      throw new WriteGuardError(`refused to copy ${srcAbs}: ${(e as Error).message}`);
    }
    if (!bytes) throw Object.assign(new Error(`ENOENT: no such file, copy '${srcAbs}'`), { code: 'ENOENT' });
    this.write(toRel, bytes);
  }
}
