import type { ContainerSummary, MetricsSample } from '@chatops/protocol';
import { containerSchema } from '@chatops/protocol';
import { join } from 'node:path';
import { apiClient, until as waitUntil } from './support/http';
import { BUSYBOX_IMAGE, Podman, startPodman } from './support/podman';
import { Proc, startAgent, startBackend } from './support/processes';

/**
 * The real agent CLI against a real Docker Engine API (podman's compatible service, private
 * storage, a local busybox image) and the real backend: containers, their states and the running
 * ones' CPU and memory arrive in the stored sample; an absent socket turns Docker off, nothing else.
 */
const MiB = 1024 * 1024;

describe('agent Docker metrics against a real Engine API (podman)', () => {
  let podman: Podman | null = null;
  let backend: (Proc & { baseUrl: string }) | null = null;
  const agents: Proc[] = [];
  let auth: { Authorization: string };
  const ids: Record<'busy' | 'sleeper' | 'exited', string> = { busy: '', sleeper: '', exited: '' };
  let dockerServer = '';
  let noDockerServer = '';

  const api = apiClient(() => backend!.baseUrl, () => auth);
  const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> =>
    waitUntil(fn, ok, timeoutMs, what, () =>
      `${agents.map((a, i) => `agent ${i}:\n${a.output().slice(-1500)}`).join('\n')}\npodman:\n${podman?.output().slice(-1500)}`);
  const latest = async (serverId: string): Promise<MetricsSample> => {
    const r = await api('GET', `/metrics/${serverId}`);
    if (r.status !== 200) throw new Error(`GET /metrics: ${r.status}`);
    return r.body.sample as MetricsSample;
  };
  /** The agent CLI with DOCKER_HOST set as the compose service sets it (startAgent passes our env on). */
  const agentWithDockerHost = (apiKey: string, dockerHost: string): Proc => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = dockerHost;
    try {
      return startAgent(backend!.baseUrl, apiKey);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  };
  const addServer = async (name: string): Promise<{ id: string; key: string }> => {
    const id = (await api('POST', '/servers', { name })).body.id as string;
    return { id, key: (await api('POST', '/api-keys', { serverId: id })).body.key as string };
  };

  beforeAll(async () => {
    // podman first: without it this fails at once with the line saying what to install.
    podman = await startPodman();
    // One container busy at a quarter of a core (cgroup quota) with a memory limit, one asleep,
    // one that exited with code 3. `rm -f -t 0` in stop() kills them (sh as PID 1 ignores SIGTERM).
    const none = ['--network', 'none'];
    ids.busy = await podman.cli(['run', '-d', '--name', 'chatops-busy', ...none, '--cpus', '0.25', '--memory', '64m', BUSYBOX_IMAGE, 'sh', '-c', 'while :; do :; done']);
    ids.sleeper = await podman.cli(['run', '-d', '--name', 'chatops-sleeper', ...none, BUSYBOX_IMAGE, 'sleep', '3600']);
    await podman.cli(['run', '--name', 'chatops-exited', ...none, BUSYBOX_IMAGE, 'sh', '-c', 'exit 3']).catch(() => undefined);
    ids.exited = await podman.cli(['inspect', '--format', '{{.Id}}', 'chatops-exited']);

    backend = await startBackend();
    const reg = await fetch(`${backend.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'docker@example.test', username: 'docker', password: 'password1234' }),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);
    auth = { Authorization: `Bearer ${reg.accessToken}` };
    const withDocker = await addServer('docker-host');
    const withoutDocker = await addServer('no-docker-host');
    dockerServer = withDocker.id;
    noDockerServer = withoutDocker.id;
    agents.push(agentWithDockerHost(withDocker.key, `unix://${podman.socket}`));
    agents.push(agentWithDockerHost(withoutDocker.key, join(podman.dir, 'absent', 'docker.sock')));
  });

  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    await podman?.stop();
  });

  it('reports every container with its state, and CPU and memory for the running ones', async () => {
    const server = await until(() => api('GET', `/servers/${dockerServer}`), (r) => r.body.status === 'online' && !!r.body.agent, 15_000, 'the server online');
    expect(server.body.agent.capabilities.docker).toBe(true);

    // CPU% needs two readings of a container: wait for a sample computed from two ticks.
    const sample = await until(() => latest(dockerServer), (s) => typeof s.containers?.find((c) => c.name === 'chatops-busy')?.cpuPercent === 'number', 20_000, 'container CPU%');
    const byName = new Map((sample.containers ?? []).map((c) => [c.name, c] as const));
    expect([...byName.keys()].sort()).toEqual(['chatops-busy', 'chatops-exited', 'chatops-sleeper']);
    for (const c of sample.containers!) expect(containerSchema.parse(c)).toEqual(c);

    const busy = byName.get('chatops-busy') as ContainerSummary;
    expect(busy).toMatchObject({ id: ids.busy, image: BUSYBOX_IMAGE, state: 'running', memLimitBytes: 64 * MiB });
    expect(busy.status).toMatch(/^Up /);
    // Capped at 0.25 core by its cgroup, so ≈ 25 % (100 % = one core, like `docker stats`).
    expect(busy.cpuPercent).toBeGreaterThan(10);
    expect(busy.cpuPercent).toBeLessThan(32);
    expect(busy.memBytes).toBeGreaterThan(0);
    expect(busy.memBytes).toBeLessThan(64 * MiB);

    const sleeper = byName.get('chatops-sleeper') as ContainerSummary;
    expect(sleeper).toMatchObject({ id: ids.sleeper, image: BUSYBOX_IMAGE, state: 'running' });
    expect(sleeper.status).toMatch(/^Up /);
    expect(sleeper.cpuPercent).toBeLessThan(5);
    expect(sleeper.memBytes).toBeGreaterThan(0);

    const exited = byName.get('chatops-exited') as ContainerSummary;
    expect(exited).toEqual({ id: ids.exited, name: 'chatops-exited', image: BUSYBOX_IMAGE, state: 'exited', status: expect.stringMatching(/^Exited \(3\)/) });
  });

  it('follows a container that stops between ticks', async () => {
    await podman!.cli(['stop', '--time', '0', 'chatops-sleeper']);
    const sample = await until(() => latest(dockerServer), (s) => s.containers?.find((c) => c.name === 'chatops-sleeper')?.state === 'exited', 10_000, 'the stopped container');
    const sleeper = sample.containers!.find((c) => c.name === 'chatops-sleeper')!;
    expect(sleeper.cpuPercent).toBeUndefined();
    expect(sleeper.memBytes).toBeUndefined();
    expect(sample.containers!.find((c) => c.name === 'chatops-busy')!.state).toBe('running');
  });

  it('with a socket that does not exist: docker capability false, no containers, the agent keeps reporting', async () => {
    const server = await until(() => api('GET', `/servers/${noDockerServer}`), (r) => r.body.status === 'online' && !!r.body.agent, 15_000, 'the server online');
    expect(server.body.agent.capabilities.docker).toBe(false);
    const first = await until(() => latest(noDockerServer), (s) => s.seq >= 1, 15_000, 'two samples');
    expect(first.containers).toBeUndefined();
    expect(first.cpu.cores).toBeGreaterThan(0);
    const later = await until(() => latest(noDockerServer), (s) => s.seq >= first.seq + 2, 15_000, 'more samples');
    expect(later.containers).toBeUndefined();
    expect(agents[1].proc.exitCode).toBeNull();
  });
});
