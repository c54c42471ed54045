/**
 * The PTY library (`@lydell/node-pty`: node-pty with prebuilt binaries, no compiler needed), loaded
 * only when the terminal is enabled so other agents never pay for the native module.
 *
 * The Linux binaries are built against glibc. On musl (Alpine, e.g. the default `node:20-alpine`
 * sidecar image) the module loads but spawning a terminal crashes the whole process, which no
 * try/catch can recover from, so the agent refuses to enable the terminal there instead.
 */
import { readFileSync } from 'node:fs';
import type * as NodePty from '@lydell/node-pty';

export type PtyModule = typeof NodePty;
export type Pty = NodePty.IPty;

export class PtyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtyUnavailableError';
  }
}

/** Which C library this Node process runs on, from the libraries it has mapped. */
export function runtimeLibc(maps?: string): 'glibc' | 'musl' | 'unknown' {
  let text = maps;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/maps', 'latin1');
    } catch {
      text = '';
    }
  }
  if (/\/ld-musl-|\/libc\.musl-/.test(text)) return 'musl';
  if (/\/libc\.so\.6\b|\/libc-2\.\d+\.so\b/.test(text)) return 'glibc';
  // No /proc: ask Node's diagnostic report (costs ~1.5 MB of heap once), as detect-libc does.
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'unknown';
}

/** Why the prebuilt PTY binary cannot be used on this system, or null. */
export function libcProblem(libc = runtimeLibc()): string | null {
  if (process.platform !== 'linux' || libc === 'glibc') return null;
  return 'the prebuilt PTY binary (@lydell/node-pty) needs glibc and this system has another C library (musl/Alpine?); '
    + 'run the agent on a glibc system (for the sidecar image: --build-arg NODE_IMAGE=node:20-bookworm-slim)';
}

export function loadPty(): PtyModule {
  const problem = libcProblem();
  if (problem) throw new PtyUnavailableError(problem);
  try {
    return require('@lydell/node-pty') as PtyModule;
  } catch (err) {
    throw new PtyUnavailableError(`cannot load @lydell/node-pty: ${(err as Error).message.split('\n')[0]}`);
  }
}
