/**
 * Saving a file whole or not at all (Node only; used by `retention capture --save` and by any save the extension
 * makes). The data goes to a temporary file of its own beside the target (`NAME.<pid>-<random>.part`, created
 * exclusively, so two writers never share one), is flushed to disk (fsync), and only then renamed over the target in
 * one atomic step. A reader of the target sees the old file or the whole new one, never a mix; two saves to one path
 * each leave a whole file (the last rename wins). Every failure is a SaveError whose message is a sentence.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';

export class SaveError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string, cause?: unknown) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'SaveError';
    this.code = code;
  }
}

/** The sentence for a file-system failure while saving `target`. */
export function saveFailure(target: string, e: unknown, written = 0): SaveError {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const dir = dirname(resolve(target));
  const after = written > 0 ? ` after ${formatSize(written)}` : '';
  const nothing = 'nothing was saved';
  let why: string;
  switch (code) {
    case 'ENOENT': why = `the folder ${dir} does not exist`; break;
    case 'ENOTDIR': why = `a part of ${dir} is not a folder`; break;
    case 'EACCES':
    case 'EPERM': why = `permission to write in ${dir} is denied`; break;
    case 'EROFS': why = `${dir} is on a read-only file system`; break;
    case 'ENOSPC': why = `the disk is full${after}`; break;
    case 'EDQUOT': why = `the disk quota is used up${after}`; break;
    case 'EISDIR': why = `${target} is a folder`; break;
    case 'ENAMETOOLONG': why = 'the file name is too long'; break;
    case 'EMFILE':
    case 'ENFILE': why = 'too many files are open'; break;
    case 'EIO': why = `the disk reported an input/output error${after}`; break;
    default: why = `${err?.message ?? String(e)}${after}`;
  }
  const advice = code === 'ENOSPC' || code === 'EDQUOT' ? 'Free some space or choose another path, and retry.' : 'Choose another path and retry.';
  return new SaveError(`Cannot save to ${target}: ${why}; ${nothing}. ${advice}`, code, e);
}

export class AtomicFileWriter {
  private fd: number | null;
  private bytes = 0;
  private finished = false;

  private constructor(readonly target: string, readonly temporary: string, fd: number) {
    this.fd = fd;
  }

  /** Creates the temporary file; fails with a sentence before any work is done when the target cannot be written. */
  static open(target: string): AtomicFileWriter {
    for (let attempt = 0; ; attempt++) {
      const temporary = `${target}.${process.pid}-${randomBytes(6).toString('hex')}.part`;
      try {
        // 'wx': created here and now, never an existing file (another writer's, or a link planted in its place).
        return new AtomicFileWriter(target, temporary, openSync(temporary, 'wx', 0o666));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
        throw saveFailure(target, e);
      }
    }
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.bytes;
  }

  /** Appends a chunk (all of it: short writes are continued). */
  write(chunk: string | Uint8Array): void {
    if (this.fd === null) throw new SaveError(`The save to ${this.target} was already ended.`);
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let off = 0;
    try {
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    } catch (e) {
      throw saveFailure(this.target, e, this.bytes + off);
    }
    this.bytes += data.length;
  }

  /** Flushes to disk and renames over the target. Only after this returns is the file saved. */
  commit(): void {
    if (this.fd === null || this.finished) throw new SaveError(`The save to ${this.target} was already ended.`);
    const fd = this.fd;
    try {
      fsyncSync(fd);
      this.fd = null;
      closeSync(fd);
      renameSync(this.temporary, this.target);
    } catch (e) {
      this.abort();
      throw saveFailure(this.target, e, this.bytes);
    }
    this.finished = true;
    // Make the rename itself durable; not every file system lets a folder be opened for this.
    try {
      const dirFd = openSync(dirname(resolve(this.target)), 'r');
      try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
    } catch { /* best effort */ }
  }

  /** Drops the temporary file; the target is left as it was. Safe to call more than once. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.fd !== null) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = null;
    }
    try { unlinkSync(this.temporary); } catch { /* nothing to remove */ }
  }

  /** The temporary file's name without its folder, for messages and tests. */
  get temporaryName(): string {
    return basename(this.temporary);
  }
}

/** Writes a whole file atomically in one call. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const w = AtomicFileWriter.open(target);
  try {
    w.write(data);
  } catch (e) {
    w.abort();
    throw e;
  }
  w.commit();
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
