/**
 * Cheap reads of small /proc files: one open + read(s) into a reused buffer + close, instead of
 * readFileSync's fstat + fresh allocations. /proc files report size 0, so we read until EOF.
 *
 * On a real procfs, `ProcFiles` goes further and keeps the descriptors open: a procfs file is
 * regenerated on every read from offset 0, so a tick costs one pread instead of open + read +
 * close (≈ 2–7 µs instead of 8–26 µs per file here). A descriptor of /proc/<pid>/… belongs to
 * that process: once it exits, reads fail with ESRCH even if the pid is reused, so a cached
 * descriptor never returns another process's data; the failure drops it and the path is opened
 * afresh. On anything that is not procfs (test fixtures, files that can be replaced), every read
 * opens the path again.
 */
import { closeSync, openSync, readSync, statfsSync } from 'node:fs';

let buf = Buffer.allocUnsafe(64 * 1024);

function readAll(fd: number, positional: boolean): string {
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    const n = readSync(fd, buf, len, buf.length - len, positional ? len : null);
    if (n === 0) break;
    len += n;
  }
  return buf.toString('latin1', 0, len);
}

export function readProcFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return readAll(fd, false);
  } finally {
    closeSync(fd);
  }
}

/** PROC_SUPER_MAGIC (statfs f_type of procfs). */
export const PROC_SUPER_MAGIC = 0x9fa0;

export function isProcfs(path: string): boolean {
  try {
    return statfsSync(path).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** Reads /proc files through descriptors kept open (procfs only; see the file comment). */
export class ProcFiles {
  private readonly fds = new Map<string, number>();
  private keep: boolean;

  /**
   * @param keepOpen keep descriptors between reads (only correct on procfs)
   * @param maxOpen at most this many kept descriptors; further paths are opened per read
   */
  constructor(keepOpen: boolean, private readonly maxOpen = 1024) {
    this.keep = keepOpen;
  }

  /** Whether descriptors are kept (false off procfs, or after the process ran out of descriptors). */
  get keepOpen(): boolean {
    return this.keep;
  }

  get openCount(): number {
    return this.fds.size;
  }

  read(path: string): string {
    if (!this.keep) return readProcFile(path);
    const cached = this.fds.get(path);
    if (cached !== undefined) {
      try {
        return readAll(cached, true);
      } catch {
        // the process behind it exited (ESRCH), or the file went away: open it afresh below
        this.forget(path);
      }
    }
    if (this.fds.size >= this.maxOpen) return readProcFile(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EMFILE' && code !== 'ENFILE') throw err;
      // Out of descriptors: never hold any more (the socket needs them); read the slow way.
      this.keep = false;
      this.close();
      return readProcFile(path);
    }
    try {
      const text = readAll(fd, true);
      this.fds.set(path, fd);
      return text;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Close the descriptor kept for `path`, if any. */
  forget(path: string): void {
    const fd = this.fds.get(path);
    if (fd === undefined) return;
    this.fds.delete(path);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  /** Close the descriptors whose path is not accepted by `keep` (e.g. processes that are gone). */
  prune(keep: (path: string) => boolean): void {
    for (const path of [...this.fds.keys()]) if (!keep(path)) this.forget(path);
  }

  /** Close every kept descriptor (later reads reopen as needed). */
  close(): void {
    for (const path of [...this.fds.keys()]) this.forget(path);
  }
}
