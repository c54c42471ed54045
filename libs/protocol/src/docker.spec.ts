import {
  agentStreamSchemas, CONTAINER_REF_PATTERN, dispatchDocker, dockerAnswerWithinMs, dockerDataSchemas, DOCKER_SIGNAL_PATTERN,
  isContainerRef, redactEnvEntry, type ContainerInspect, type DockerHandlers, type DockerRequest,
} from './index';

describe('container references', () => {
  it.each([
    'a'.repeat(64), '0123456789ab', 'web', 'my_app-1.blue', 'A1', 'x'.repeat(128),
  ])('accepts %s', (ref) => expect(isContainerRef(ref)).toBe(true));

  it.each([
    '', '/web', '../etc', '..', '.hidden', '-rm', '_x', 'a/b', 'a b', 'a%2Fb', 'x'.repeat(129), 'web\n', 'wéb',
  ])('refuses %j', (ref) => expect(CONTAINER_REF_PATTERN.test(ref)).toBe(false));

  it('refuses non-strings', () => {
    expect(isContainerRef(12)).toBe(false);
    expect(isContainerRef(null)).toBe(false);
  });
});

describe('dockerAnswerWithinMs', () => {
  it('waits the base for reads and quick mutations', () => {
    expect(dockerAnswerWithinMs({ action: 'list' })).toBe(15_000);
    expect(dockerAnswerWithinMs({ action: 'kill' })).toBe(15_000);
    expect(dockerAnswerWithinMs({ action: 'logs' }, 2)).toBe(2_000);
  });

  it('waits a stop or restart its own timeout plus the base (never a fixed 10 s)', () => {
    expect(dockerAnswerWithinMs({ action: 'stop', options: { timeoutSec: 30 } })).toBe(45_000);
    expect(dockerAnswerWithinMs({ action: 'restart', options: { timeoutSec: 0 } })).toBe(15_000);
    expect(dockerAnswerWithinMs({ action: 'stop', options: { timeoutSec: 2 } }, 2)).toBe(4_000);
  });

  it('assumes a long StopTimeout when none is given (the container may have its own)', () => {
    expect(dockerAnswerWithinMs({ action: 'stop' })).toBe(75_000);
  });
});

describe('env redaction', () => {
  it('keeps the key, hides the value, leaves bare names alone', () => {
    expect(redactEnvEntry('PASSWORD=hunter2')).toBe('PASSWORD=***');
    expect(redactEnvEntry('EMPTY=')).toBe('EMPTY=***');
    expect(redactEnvEntry('A=b=c')).toBe('A=***');
    expect(redactEnvEntry('PATH_ONLY')).toBe('PATH_ONLY');
  });
});

describe('signals', () => {
  it.each(['SIGKILL', 'KILL', 'SIGHUP', 'SIGRTMIN+3', '9', '64'])('accepts %s', (s) => expect(DOCKER_SIGNAL_PATTERN.test(s)).toBe(true));
  it.each(['', 'sigkill', '0', '65', 'SIG KILL', 'KILL;rm', '1e3'])('refuses %j', (s) => expect(DOCKER_SIGNAL_PATTERN.test(s)).toBe(false));
});

describe('answer schemas', () => {
  const now = new Date().toISOString();

  it('accept a well-formed list and strip unknown keys', () => {
    const parsed = dockerDataSchemas.list.parse([{
      id: 'a'.repeat(64), name: 'web', image: 'nginx', state: 'running', status: 'Up 1 hour', createdAt: now,
      ports: [{ privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' }, { privatePort: 53, type: 'udp' }], Labels: { x: 'y' },
    }]);
    expect(parsed[0]).not.toHaveProperty('Labels');
    expect(parsed[0].ports).toHaveLength(2);
  });

  it('refuse raw engine answers and unbounded values', () => {
    expect(dockerDataSchemas.list.safeParse([{ Id: 'x', Names: ['/web'] }]).success).toBe(false);
    expect(dockerDataSchemas.logs.safeParse({ lines: [{ stream: 'stdout', text: 'x'.repeat(20_000) }] }).success).toBe(false);
    expect(dockerDataSchemas.stats.safeParse({ cpuPercent: -1, memBytes: 0, memLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 0 }).success).toBe(false);
    expect(dockerDataSchemas.stop.safeParse({ id: '', name: null }).success).toBe(false);
  });

  it('accept an inspect with redacted env and no health check', () => {
    const inspect: ContainerInspect = {
      id: 'b'.repeat(64), name: 'db', image: 'postgres:16', imageId: 'sha256:' + 'c'.repeat(64), createdAt: now,
      state: { status: 'exited', running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: null, exitCode: 3, error: null, startedAt: now, finishedAt: now, health: null },
      restartCount: 0, command: ['docker-entrypoint.sh', 'postgres'],
      config: { hostname: 'db', user: '', workingDir: '/', entrypoint: ['docker-entrypoint.sh'], cmd: ['postgres'], env: ['POSTGRES_PASSWORD=***'], labels: {}, tty: false },
      envRedacted: true, restartPolicy: { name: 'no', maximumRetryCount: 0 }, ports: [], mounts: [], networks: [],
      resources: { memoryLimitBytes: null, nanoCpus: null, privileged: false, networkMode: 'bridge' },
    };
    expect(dockerDataSchemas.inspect.parse(inspect)).toEqual(inspect);
  });

  it('bound follow-log chunks from the agent', () => {
    const line = { stream: 'stderr' as const, text: 'boom' };
    expect(agentStreamSchemas.container_logs.safeParse({ streamId: 's', containerId: 'web', lines: [line] }).success).toBe(true);
    expect(agentStreamSchemas.container_logs.safeParse({ streamId: 's', containerId: 'web', lines: [] }).success).toBe(false);
    expect(agentStreamSchemas.container_logs.safeParse({ streamId: 's', containerId: 'web', lines: Array(501).fill(line) }).success).toBe(false);
    expect(agentStreamSchemas.container_logs_end.safeParse({ streamId: 's', containerId: 'web', reason: 'ended' }).success).toBe(true);
    expect(agentStreamSchemas.container_logs_end.safeParse({ streamId: 's', containerId: 'web', reason: 'bored' }).success).toBe(false);
  });
});

describe('dispatchDocker', () => {
  it('calls the handler of the request\'s action with the request', async () => {
    const calls: string[] = [];
    const mutation = async (req: { action: string; containerId: string }) => { calls.push(`${req.action} ${req.containerId}`); return { id: req.containerId, name: null }; };
    const handlers: DockerHandlers = {
      list: async () => [], images: async () => [],
      inspect: async () => { throw new Error('not here'); },
      logs: async (req) => ({ lines: [{ stream: 'stdout', text: `tail ${req.options?.tail}` }] }),
      stats: async () => ({ cpuPercent: 0, memBytes: 0, memLimitBytes: 0, netRxBytes: 0, netTxBytes: 0, pids: 0 }),
      start: mutation, stop: mutation, restart: mutation, pause: mutation, unpause: mutation, kill: mutation, remove: mutation,
    };
    const req: DockerRequest = { requestId: 'r', action: 'stop', containerId: 'web', options: { timeoutSec: 3 } };
    await expect(dispatchDocker(handlers, req)).resolves.toEqual({ id: 'web', name: null });
    await expect(dispatchDocker(handlers, { requestId: 'r', action: 'logs', containerId: 'web', options: { tail: 5 } }))
      .resolves.toEqual({ lines: [{ stream: 'stdout', text: 'tail 5' }] });
    expect(calls).toEqual(['stop web']);
  });
});
