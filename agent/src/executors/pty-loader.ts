/**
 * The PTY library (`@lydell/node-pty`: node-pty with prebuilt binaries, no compiler needed), loaded
 * only when the terminal is enabled so other agents never pay for the native module.
 *
 * The Linux binaries are built against glibc. On musl (Alpine, e.g. the default `node:20-alpine`
 * sidecar image) the module loads but spawning a terminal crashes the whole process, which no
 * try/catch can recover from, so the agent refuses to enable the terminal there instead.
 */
import type * as NodePty from '@lydell/node-pty';

export type PtyModule = typeof NodePty;
export type Pty = NodePty.IPty;

export class PtyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtyUnavailableError';
  }
}

/** Why the prebuilt PTY binary cannot be used on this system, or null. */
export function libcProblem(): string | null {
  if (process.platform !== 'linux') return null;
  // The same signal detect-libc uses: Node reports the glibc version it runs with, musl has none.
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  if (report?.header?.glibcVersionRuntime) return null;
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
