import type {
  ContainerInfo, ContainerInspect, ContainerLogs, ContainerStats, DockerLogsStop, DockerRequest, DockerResult, ImageInfo,
} from '@chatops/protocol';
import { waitFor, type TestApp, type TestUser } from './app';
import { connectAgent, makeHello, provisionServer, type TestAgent } from './agent-client';

/** What a simulated agent answers a `docker` request with; null: it never answers. */
export type DockerAnswer = (req: DockerRequest) => DockerResult | null | Promise<DockerResult | null>;

export const CONTAINER_ID = 'f3a1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778';
const CREATED = '2026-01-01T10:00:00.000Z';

export const WEB: ContainerInfo = {
  id: CONTAINER_ID, name: 'web', image: 'nginx:1.27', state: 'running', status: 'Up 2 hours (healthy)', createdAt: CREATED,
  ports: [{ privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' }, { privatePort: 443, type: 'tcp' }],
};
export const DB: ContainerInfo = {
  id: 'b'.repeat(64), name: 'db', image: 'postgres:16', state: 'exited', status: 'Exited (3) 5 minutes ago', createdAt: CREATED, ports: [],
};

export const INSPECT: ContainerInspect = {
  id: CONTAINER_ID, name: 'web', image: 'nginx:1.27', imageId: 'sha256:' + 'c'.repeat(64), createdAt: CREATED,
  state: {
    status: 'running', running: true, paused: false, restarting: false, oomKilled: false, dead: false, pid: 4242, exitCode: 0, error: null,
    startedAt: CREATED, finishedAt: null, health: { status: 'healthy', failingStreak: 0 },
  },
  restartCount: 1,
  command: ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'],
  config: {
    hostname: 'f3a1c2d4e5b6', user: '', workingDir: '/', entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'],
    env: ['DB_PASSWORD=***', 'PATH=***', 'NO_VALUE'], labels: { 'com.docker.compose.service': 'web' }, tty: false,
  },
  envRedacted: true,
  restartPolicy: { name: 'unless-stopped', maximumRetryCount: 0 },
  ports: WEB.ports,
  mounts: [{ type: 'volume', name: 'web-data', source: '/var/lib/docker/volumes/web-data/_data', destination: '/usr/share/nginx/html', mode: 'z', rw: true }],
  networks: [{ name: 'bridge', ipAddress: '172.17.0.2', gateway: '172.17.0.1', macAddress: '02:42:ac:11:00:02' }],
  resources: { memoryLimitBytes: 268435456, nanoCpus: 500000000, privileged: false, networkMode: 'bridge' },
};

export const LOGS: ContainerLogs = {
  lines: [
    { stream: 'stdout', text: 'listening on :80', timestamp: '2026-01-01T10:00:01.123456789Z' },
    { stream: 'stderr', text: 'warn: slow upstream', timestamp: '2026-01-01T10:00:02.000000001Z' },
  ],
};
export const STATS: ContainerStats = { cpuPercent: 12.5, memBytes: 52428800, memLimitBytes: 268435456, netRxBytes: 1024, netTxBytes: 2048, pids: 5 };
export const IMAGES: ImageInfo[] = [
  { id: 'sha256:' + 'c'.repeat(64), tags: ['nginx:1.27', 'nginx:latest'], sizeBytes: 187654321, createdAt: CREATED },
  { id: 'sha256:' + 'd'.repeat(64), tags: [], sizeBytes: 1234, createdAt: CREATED },
];

/** Answers every action as a Docker host with `web` and `db` would (follow-logs: started, nothing yet). */
export const healthyDocker: DockerAnswer = (req) => {
  switch (req.action) {
    case 'list': return { ok: true, data: req.options?.all === false ? [WEB] : [WEB, DB] };
    case 'inspect': return { ok: true, data: INSPECT };
    case 'logs': return { ok: true, data: req.options?.follow ? { lines: [] } : LOGS };
    case 'stats': return { ok: true, data: STATS };
    case 'images': return { ok: true, data: IMAGES };
    default: return { ok: true, data: { id: CONTAINER_ID, name: 'web' } };
  }
};

export interface DockerTestAgent {
  server: { id: string; name: string };
  agent: TestAgent;
  /** Every `docker` request the agent received, in order. */
  received: DockerRequest[];
  /** Every `docker_logs_stop` it received. */
  stops: DockerLogsStop[];
}

/** A server of `user` whose simulated agent has Docker on and answers `docker` requests with `answer`. */
export async function dockerAgent(t: TestApp, user: TestUser, answer: DockerAnswer = healthyDocker): Promise<DockerTestAgent> {
  const { server, key } = await provisionServer(t, user);
  const agent = await connectAgent(t.baseUrl, key.key);
  agent.socket.emit('hello', makeHello({ capabilities: { exec: false, docker: true, terminal: false } }));
  const received: DockerRequest[] = [];
  const stops: DockerLogsStop[] = [];
  agent.socket.on('docker', async (req, ack) => {
    received.push(req);
    const reply = await answer(req);
    if (reply) ack(reply);
  });
  agent.socket.on('docker_logs_stop', (stop) => stops.push(stop));
  await waitFor(() => t.http().get(`/api/v1/servers/${server.id}`).set(user.auth), (r) => r.body.agent?.capabilities?.docker === true, 5000, 'hello recorded');
  return { server, agent, received, stops };
}
