/**
 * Tests that read the real /proc. Linux is the agent's only target, so there they always run: a
 * /proc that is not procfs makes them fail, never skip. On any other platform they are skipped,
 * with the reason in their title, and `npm test` lists every skipped test by name (scripts/test.js).
 */
export const ON_LINUX = process.platform === 'linux';
export const PROCFS_REASON = `needs Linux procfs; skipped on ${process.platform}`;

export const describeProcfs = (title: string, fn: () => void) =>
  ON_LINUX ? describe(title, fn) : describe.skip(`${title} (${PROCFS_REASON})`, fn);

export const itProcfs = (title: string, fn: jest.ProvidesCallback) =>
  ON_LINUX ? it(title, fn) : it.skip(`${title} (${PROCFS_REASON})`, fn);
