import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Docker Engine API without Docker: `podman system service` on a socket in a private temp
 * dir, with its storage, run state, events and network config there (only runc's /run/runc is
 * shared, per container; nothing is left behind), and a busybox image imported from a local
 * rootfs (no registry). Containers use `--network none`: no CNI bridge is created on the host.
 * See /work/shared/ENVIRONMENT.md, "A real Docker Engine API without Docker: podman".
 */
export const BUSYBOX_IMAGE = 'localhost/chatops-e2e/busybox:1';
const DIR_PREFIX = 'chatops-podman-';
const INSTALL_HINT = 'run "bash scripts/ensure-system-deps.sh" as root (apt-get install -y podman runc busybox-static)';

export interface Podman {
  /** The Docker-compatible API socket. */
  socket: string;
  dir: string;
  /** The podman CLI on the same storage as the service. */
  cli(args: string[]): Promise<string>;
  /** Service log (stderr), for failure messages. */
  output(): string;
  /** Removes every container, stops the service, unmounts and deletes the temp dir. Never throws. */
  stop(): Promise<void>;
}

/** Throws one line naming what to install when podman, runc or a static busybox is missing. */
export function requirePodman(): void {
  const missing: string[] = [];
  if (spawnSync('podman', ['--version']).status !== 0) missing.push('podman');
  if (spawnSync('runc', ['--version']).status !== 0) missing.push('runc');
  // The rootfs holds busybox alone: a dynamically linked one would find no libc in the container.
  if (!isStaticElf('/bin/busybox')) missing.push('busybox-static');
  if (missing.length) throw new Error(`missing ${missing.join(', ')} for the Docker e2e test: ${INSTALL_HINT}`);
}

/** An ELF executable without a PT_INTERP program header (no dynamic loader needed). */
function isStaticElf(path: string): boolean {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch {
    return false;
  }
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return false; // ELF64, little endian
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  for (let i = 0; i < b.readUInt16LE(0x38); i++) if (b.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return false;
  return true;
}

export async function startPodman(): Promise<Podman> {
  requirePodman();
  reapStale();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const socket = join(dir, 'podman.sock');
  // crun cannot run on this hybrid cgroup setup (runc can); the file events logger needs no journald;
  // tmp_dir and network_config_dir default to /run/libpod and /etc/cni/net.d: keep them private too.
  writeFileSync(join(dir, 'containers.conf'), [
    '[containers]',
    'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
    '[network]',
    `network_config_dir = "${dir}/net"`,
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${dir}/events.log"`,
    `tmp_dir = "${dir}/tmp"`,
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'storage.conf'), ['[storage]', 'driver = "vfs"', `runroot = "${dir}/run"`, `graphroot = "${dir}/root"`, ''].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf') };
  delete env.CONTAINER_HOST;
  delete env.DOCKER_HOST;

  const cli = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('podman', args, { env, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`podman ${args.join(' ')}: ${(stderr || err.message).trim()}`));
        else resolve(stdout.trim());
      });
    });

  let service: ChildProcess | null = null;
  let out = '';
  const stop = async (): Promise<void> => {
    // Containers first (SIGKILL at once: busybox sh as PID 1 ignores SIGTERM), then the service.
    await cli(['rm', '--all', '--force', '--time', '0']).catch(() => undefined);
    if (service && service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      const t = setTimeout(() => service!.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    try {
      unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      process.stderr.write(`could not remove ${dir}: ${(err as Error).message}\n`);
    }
  };

  try {
    await importBusybox(dir, cli);
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(dir, 'service.pid'), String(service.pid));
    service.stdout!.on('data', (d) => (out += d));
    service.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!(await ping(socket))) {
      if (Date.now() > deadline || service.exitCode !== null) throw new Error(`podman system service did not answer on ${socket}:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { socket, dir, cli, output: () => out, stop };
}

/**
 * What a killed test run (SIGKILL, no afterAll) left: temp dirs whose owner process is gone, with
 * their containers, podman service and mounts.
 */
function reapStale(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    const pidIn = (f: string) => Number(readFileSync(join(dir, f), 'utf8'));
    try {
      if (isAlive(pidIn('owner.pid'))) continue;
    } catch {
      continue; // being created right now, or not ours
    }
    const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf') };
    spawnSync('podman', ['rm', '--all', '--force', '--time', '0'], { env, timeout: 30_000 });
    try {
      const pid = pidIn('service.pid');
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('podman')) process.kill(pid, 'SIGKILL');
    } catch {
      // no service, or already gone
    }
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A static busybox rootfs as an image: what the ENVIRONMENT recipe does, without any registry. */
async function importBusybox(dir: string, cli: (args: string[]) => Promise<string>): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'sleep', 'echo', 'cat', 'true', 'false', 'kill']) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const tar = join(dir, 'rootfs.tar');
  const r = spawnSync('tar', ['-C', rootfs, '-cf', tar, '.']);
  if (r.status !== 0) throw new Error(`tar of the busybox rootfs failed: ${r.stderr}`);
  await cli(['import', '--change', 'CMD ["/bin/sh"]', tar, BUSYBOX_IMAGE]);
  rmSync(rootfs, { recursive: true, force: true });
  rmSync(tar, { force: true });
}

function ping(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Container shm tmpfs mounts normally go with `podman rm`; lazily unmount whatever did not. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}
