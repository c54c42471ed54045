/**
 * Cheap reads of small /proc files: one open + read(s) into a reused buffer + close, instead of
 * readFileSync's fstat + fresh allocations. /proc files report size 0, so we read until EOF.
 */
import { closeSync, openSync, readSync } from 'node:fs';

let buf = Buffer.allocUnsafe(64 * 1024);

export function readProcFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.toString('latin1', 0, len);
  } finally {
    closeSync(fd);
  }
}
