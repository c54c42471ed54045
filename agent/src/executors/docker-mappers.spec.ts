import { containerInfoSchema, containerInspectSchema, containerStatsSchema, imageInfoSchema } from '@chatops/protocol';
import { engineTime, fitInspect, inspectPorts, toContainerInfo, toContainerInspect, toContainerStats, toImageInfo } from './docker-mappers';

/** What Docker (and podman's compatible service) answer, trimmed to the fields read. */
const INSPECT = {
  Id: 'a'.repeat(64), Name: '/web', Image: 'sha256:' + 'b'.repeat(64), Created: '2026-05-01T10:00:00.123456789Z',
  Path: 'nginx', Args: ['-g', 'daemon off;'], RestartCount: 2,
  State: {
    Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 4242, ExitCode: 0, Error: '',
    StartedAt: '2026-05-01T10:00:01Z', FinishedAt: '0001-01-01T00:00:00Z', Health: { Status: 'healthy', FailingStreak: 0, Log: [] },
  },
  Config: {
    Hostname: 'web', User: '', WorkingDir: '/', Entrypoint: null, Cmd: ['nginx', '-g', 'daemon off;'], Image: 'nginx:1.27', Tty: false,
    Env: ['DB_PASSWORD=hunter2', 'PATH=/usr/bin', 'EMPTY=', 'NAME_ONLY'], Labels: { tier: 'front' },
  },
  HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, Memory: 0, NanoCpus: 500000000, Privileged: false, NetworkMode: 'bridge' },
  NetworkSettings: {
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null },
    Networks: { bridge: { IPAddress: '172.17.0.2', Gateway: '172.17.0.1', MacAddress: '' } },
  },
  Mounts: [{ Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data', Mode: 'z', RW: true }],
};

describe('Engine API documents → wire shapes', () => {
  it('inspect: env values redacted unless shown, "never" times null, ports, networks, limits; valid for the backend', () => {
    const redacted = toContainerInspect(INSPECT, false);
    expect(redacted.config.env).toEqual(['DB_PASSWORD=***', 'PATH=***', 'EMPTY=***', 'NAME_ONLY']);
    expect(redacted.envRedacted).toBe(true);
    expect(JSON.stringify(redacted)).not.toContain('hunter2');
    expect(redacted).toMatchObject({
      id: 'a'.repeat(64), name: 'web', image: 'nginx:1.27', imageId: INSPECT.Image, createdAt: '2026-05-01T10:00:00.123Z',
      command: ['nginx', '-g', 'daemon off;'], restartCount: 2,
      state: { status: 'running', running: true, pid: 4242, exitCode: null, error: null, startedAt: '2026-05-01T10:00:01.000Z', finishedAt: null, health: { status: 'healthy', failingStreak: 0 } },
      restartPolicy: { name: 'unless-stopped', maximumRetryCount: 0 },
      ports: [{ privatePort: 80, type: 'tcp', publicPort: 8080, ip: '0.0.0.0' }, { privatePort: 443, type: 'tcp' }],
      networks: [{ name: 'bridge', ipAddress: '172.17.0.2', gateway: '172.17.0.1', macAddress: null }],
      mounts: [{ type: 'volume', name: 'data', destination: '/data', rw: true }],
      resources: { memoryLimitBytes: null, nanoCpus: 500000000, privileged: false, networkMode: 'bridge' },
    });
    expect(containerInspectSchema.parse(redacted)).toEqual(redacted);

    const shown = toContainerInspect(INSPECT, true);
    expect(shown.config.env[0]).toBe('DB_PASSWORD=hunter2');
    expect(shown.envRedacted).toBe(false);
  });

  it('inspect: a stopped container has its exit code and no pid; podman\'s empty health is no health', () => {
    const stopped = toContainerInspect({
      ...INSPECT, State: { ...INSPECT.State, Status: 'exited', Running: false, Pid: 0, ExitCode: 137, FinishedAt: '2026-05-01T11:00:00Z', Health: { Status: '', FailingStreak: 0 } },
    }, false);
    expect(stopped.state).toMatchObject({ running: false, pid: null, exitCode: 137, finishedAt: '2026-05-01T11:00:00.000Z', health: null });
    expect(containerInspectSchema.parse(toContainerInspect({ Id: 'x' }, false))).toBeTruthy(); // an engine omitting everything
  });

  it('inspect: an answer too large for one frame keeps what fits of its lists and says so', () => {
    const huge = toContainerInspect({
      ...INSPECT,
      Config: { ...INSPECT.Config, Env: Array.from({ length: 4000 }, (_, i) => `VAR_${i}=${'x'.repeat(500)}`), Labels: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`label.${i}`, 'y'.repeat(300)])) },
    }, true);
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(768 * 1024);
    const fitted = fitInspect(huge);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(768 * 1024);
    expect(fitted).toMatchObject({ truncated: true, command: huge.command, ports: huge.ports, mounts: huge.mounts, networks: huge.networks });
    expect(fitted.config.env.length).toBeGreaterThan(1000);
    expect(fitted.config.env).toEqual(huge.config.env.slice(0, fitted.config.env.length)); // the first ones, whole
    expect(containerInspectSchema.parse(fitted)).toEqual(fitted);
    const small = toContainerInspect(INSPECT, false);
    expect(fitInspect(small)).toBe(small); // within the limit: untouched, no flag
  });

  it('list and images', () => {
    const info = toContainerInfo({
      Id: 'c'.repeat(64), Names: ['/db'], Image: 'postgres:17', State: 'exited', Status: 'Exited (3) 5 minutes ago', Created: 1777629600,
      Ports: [{ PrivatePort: 5432, PublicPort: 15432, Type: 'tcp', IP: '127.0.0.1' }, { PrivatePort: 9, Type: 'udp' }],
    });
    expect(info).toEqual({
      id: 'c'.repeat(64), name: 'db', image: 'postgres:17', state: 'exited', status: 'Exited (3) 5 minutes ago', createdAt: '2026-05-01T10:00:00.000Z',
      ports: [{ privatePort: 5432, publicPort: 15432, type: 'tcp', ip: '127.0.0.1' }, { privatePort: 9, type: 'udp' }],
    });
    expect(containerInfoSchema.parse(info)).toEqual(info);
    const image = toImageInfo({ Id: 'sha256:1', RepoTags: ['<none>:<none>'], Size: 1234, Created: 1777629600 });
    expect(image).toEqual({ id: 'sha256:1', tags: [], sizeBytes: 1234, createdAt: '2026-05-01T10:00:00.000Z' });
    expect(imageInfoSchema.parse(image)).toEqual(image);
    expect(toImageInfo({ Id: 'sha256:2', RepoTags: null, Size: 1, Created: 1 }).tags).toEqual([]);
  });

  it('stats: CPU% over the two readings (100 = one core), memory without inactive cache, network summed', () => {
    const reading = (at: string, total: number) => ({
      read: at, cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: 1, online_cpus: 2 },
      memory_stats: { usage: 100 * 2 ** 20, limit: 512 * 2 ** 20, stats: { inactive_file: 20 * 2 ** 20 } },
      networks: { eth0: { rx_bytes: 1000, tx_bytes: 10 }, eth1: { rx_bytes: 24, tx_bytes: 5 } }, pids_stats: { current: 7 },
    });
    // 250 ms of CPU time over 500 ms: half a core.
    const stats = toContainerStats(reading('2026-05-01T10:00:00.000Z', 1e9), reading('2026-05-01T10:00:00.500Z', 1.25e9));
    expect(stats).toEqual({ cpuPercent: 50, memBytes: 80 * 2 ** 20, memLimitBytes: 512 * 2 ** 20, netRxBytes: 1024, netTxBytes: 15, pids: 7 });
    expect(containerStatsSchema.parse(stats)).toEqual(stats);
    expect(toContainerStats(null, {})).toEqual({ cpuPercent: 0, memBytes: 0, memLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 0 });
  });

  it('engine times and port maps', () => {
    expect(engineTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(engineTime('')).toBeNull();
    expect(engineTime('2026-05-01T10:00:00+02:00')).toBe('2026-05-01T08:00:00.000Z');
    expect(inspectPorts({ '53/udp': [{ HostIp: '', HostPort: '53' }, { HostIp: '::', HostPort: '53' }], bogus: null })).toEqual([
      { privatePort: 53, type: 'udp', publicPort: 53 }, { privatePort: 53, type: 'udp', publicPort: 53, ip: '::' },
    ]);
  });
});
