import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerSchema } from '@chatops/protocol';
import { ContainerCollector, createDockerClient } from './containers';

/**
 * A Docker-Engine-shaped HTTP API on a real unix socket (the wire path dockerode and the docker CLI
 * use): /_ping, /containers/json, /containers/{id}/stats without precpu (one-shot), like podman.
 */
describe('ContainerCollector over a Docker Engine API unix socket', () => {
  let dir: string;
  let sock: string;
  let server: Server;
  let cpuTotal = 1_000_000_000;
  let systemTotal = 100_000_000_000;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-docker-'));
    sock = join(dir, 'docker.sock');
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/_ping') return res.end('OK');
      if (req.url === '/containers/json?all=1') {
        return res.end(JSON.stringify([
          { Id: 'a'.repeat(64), Names: ['/web'], Image: 'nginx:1.27', State: 'running', Status: 'Up 3 hours' },
          { Id: 'b'.repeat(64), Names: ['/batch'], Image: 'busybox:1', State: 'exited', Status: 'Exited (0) 2 minutes ago' },
        ]));
      }
      if (req.url?.startsWith(`/containers/${'a'.repeat(64)}/stats?stream=false`)) {
        return res.end(JSON.stringify({
          cpu_stats: { cpu_usage: { total_usage: cpuTotal }, system_cpu_usage: systemTotal, online_cpus: 2 },
          precpu_stats: { cpu_usage: {} },
          memory_stats: { usage: 50_000_000, limit: 1_000_000_000, stats: { inactive_file: 10_000_000 } },
        }));
      }
      res.statusCode = 404;
      res.end('{"message":"not found"}');
    });
    await new Promise<void>((r) => server.listen(sock, r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reachable, lists every container with state, adds cpu% (from our previous reading) and memory for running ones', async () => {
    const c = new ContainerCollector(createDockerClient({ kind: 'socket', socketPath: sock }));
    expect(await c.reachable()).toBe(true);
    const first = await c.collect();
    expect(first).toEqual([
      { id: 'a'.repeat(64), name: 'web', image: 'nginx:1.27', state: 'running', status: 'Up 3 hours', memBytes: 40_000_000, memLimitBytes: 1_000_000_000 },
      { id: 'b'.repeat(64), name: 'batch', image: 'busybox:1', state: 'exited', status: 'Exited (0) 2 minutes ago' },
    ]);
    cpuTotal += 500_000_000; // 0.5 s of CPU while the 2-CPU system advanced 10 s in total
    systemTotal += 10_000_000_000;
    const second = await c.collect();
    expect(second[0].cpuPercent).toBe(10);
    for (const x of second) expect(containerSchema.parse(x)).toEqual(x);
    expect(requests.filter((u) => u.includes('b'.repeat(64)))).toEqual([]); // no stats call for stopped containers
    c.close();
  });

  it('an absent socket is reported unreachable (Docker features off)', async () => {
    const c = new ContainerCollector(createDockerClient({ kind: 'socket', socketPath: join(dir, 'missing.sock') }));
    expect(await c.reachable()).toBe(false);
  });
});
