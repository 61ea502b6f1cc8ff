// CorpusWriter: the one module that writes, renames or removes anything on disk for Dream.
// It makes the hard rules hold by construction:
//  - only inside <workspace>/.agents/, and only in the mutable corpus paths or Dream's own folders
//  - never through a symlink (every path component is lstat-checked), never creates one
//  - every write is atomic (temp + fsync + rename)
import fs from 'node:fs';
import path from 'node:path';
import { atomicWriteFileSync, fsyncDir, renameWithRetry, type WriteOptions } from '../core/fsutil';

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
  constructor(readonly workspace: string) {
    this.agentsDir = path.join(path.resolve(workspace), '.agents');
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

  /** lstat every existing component from the workspace down; a symlink anywhere is refused. */
  private assertNoSymlink(abs: string): void {
    const ws = path.resolve(this.workspace);
    const rel = path.relative(ws, abs);
    let cur = ws;
    const parts = rel.split(path.sep);
    // every component, every time: a folder swapped for a symlink is caught right before the write
    for (let i = 0; i < parts.length; i++) {
      cur = path.join(cur, parts[i]!);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(cur);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // the rest does not exist yet
        throw e;
      }
      if (st.isSymbolicLink()) throw new WriteGuardError(`refused to write through a symlink: ${path.relative(ws, cur)}`);
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
    const opts: WriteOptions = { fsync: durable, dirSync: false };
    atomicWriteFileSync(abs, data, opts);
    if (durable) this.pendingDirs.add(path.dirname(abs));
  }

  flushDirs(): void {
    for (const d of this.pendingDirs) fsyncDir(d);
    this.pendingDirs.clear();
  }

  /** Appends whole lines (the file is rewritten atomically, so a crash never leaves half a line). */
  appendLines(rel: string, lines: string[]): void {
    if (!lines.length) return;
    const abs = this.resolve(rel);
    let prev = Buffer.alloc(0);
    try {
      prev = fs.readFileSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const needsNl = prev.length > 0 && prev[prev.length - 1] !== 0x0a;
    atomicWriteFileSync(abs, Buffer.concat([prev, Buffer.from((needsNl ? '\n' : '') + lines.join('\n') + '\n', 'utf8')]));
  }

  mkdir(rel: string): string {
    const abs = this.resolve(rel);
    fs.mkdirSync(abs, { recursive: true });
    return abs;
  }

  /** Atomic rename of a file inside .agents/ (both ends checked). */
  rename(fromRel: string, toRel: string): void {
    const from = this.resolve(fromRel);
    const to = this.resolve(toRel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    renameWithRetry(from, to);
    this.pendingDirs.add(path.dirname(to));
  }

  /** Removes one regular file. Callers must have kept its before-image (rule 6). */
  removeFile(rel: string): void {
    const abs = this.resolve(rel);
    try {
      const st = fs.lstatSync(abs);
      if (!st.isFile()) throw new WriteGuardError(`refused to remove .agents/${rel}: not a regular file`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    fs.unlinkSync(abs);
    fsyncDir(path.dirname(abs));
  }

  /** Removes a folder tree; only Dream's own runtime folders may be removed wholesale. */
  removeTree(rel: string): void {
    const norm = rel.split(/[\\/]/).join('/');
    if (!norm.startsWith('overnight/') && !norm.startsWith('dream/curator/')) {
      throw new WriteGuardError(`refused to remove the folder .agents/${norm}: only Dream's runtime folders may be removed`);
    }
    fs.rmSync(this.resolve(norm), { recursive: true, force: true });
  }

  /**
   * Exclusive create with its content in place at once (fails with EEXIST): the bytes are written
   * to a temp file and hard-linked to the name, so nobody ever reads a half-written lock.
   */
  createExclusive(rel: string, data: string): void {
    const abs = this.resolve(rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, abs);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    fsyncDir(path.dirname(abs));
  }

  /** Copies a file (read through lstat-checked source) to a guarded destination, atomically. */
  copyIn(srcAbs: string, toRel: string): void {
    const st = fs.lstatSync(srcAbs);
    if (!st.isFile()) throw new WriteGuardError(`refused to copy ${srcAbs}: not a regular file`);
    this.write(toRel, fs.readFileSync(srcAbs));
  }
}
