import type { ContainerEvent, ContainerMutation, DockerResult, LiveContainerLogsSubscribeAck } from '@chatops/protocol';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';
import { makeHello, makeSample, provisionServer, sendMetrics, TestAgent } from './support/agent-client';
import {
  CONTAINER_ID, DB, dockerAgent, DockerAnswer, DockerTestAgent, healthyDocker, IMAGES, INSPECT, LOGS, STATS, WEB,
} from './support/docker-agent';
import { collect, connectLive, LiveClient } from './support/live-client';
import { PRUNE_AFTER } from '../src/modules/docker/container-events.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** DOCKER_REQUEST_TIMEOUT_SEC for this file: short, so waits and timeouts are observable quickly. */
const BASE_SEC = 2;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Docker through the backend with simulated agents answering per the wire (docs/docker.md): the
 * exact request each REST call and `/live` subscription sends, every error mapping, audit,
 * container events and follow-logs. (The agent's executor against a real engine has its own e2e.)
 */
describe('docker', () => {
  let t: TestApp;
  let alice: TestUser;
  let mallory: TestUser;
  const agents: TestAgent[] = [];
  const lives: LiveClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ DOCKER_REQUEST_TIMEOUT_SEC: String(BASE_SEC) });
    await registerUser(t); // the admin
    alice = await registerUser(t);
    mallory = await registerUser(t);
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
    for (const l of lives.splice(0)) l.close();
  });
  afterAll(async () => { await t.close(); });

  async function withAgent(answer: DockerAnswer = healthyDocker, user = alice): Promise<DockerTestAgent> {
    const d = await dockerAgent(t, user, answer);
    agents.push(d.agent);
    return d;
  }
  async function browser(user = alice): Promise<LiveClient> {
    const live = await connectLive(t.baseUrl, user.accessToken);
    lives.push(live);
    return live;
  }
  const get = (path: string, user = alice) => t.http().get(`/api/v1/docker/${path}`).set(user.auth);
  const post = (path: string, user = alice) => t.http().post(`/api/v1/docker/${path}`).set(user.auth);
  const fail = (error: string, message?: string): DockerAnswer => () => ({ ok: false, error, ...(message ? { message } : {}) });
  const auditFor = async (serverId: string) =>
    (await t.db.query(`SELECT action, description, success FROM audit_logs WHERE server_id = $1 AND action LIKE 'docker.%' ORDER BY created_at, id`, [serverId])).rows;

  // ---- REST: what each call asks the agent, and what it answers ----------------------------

  it('lists containers (stopped ones too by default) with the exact request the agent receives', async () => {
    const { server, received } = await withAgent();
    expect((await get(`${server.id}/containers`).expect(200)).body).toEqual([WEB, DB]);
    expect((await get(`${server.id}/containers?all=false`).expect(200)).body).toEqual([WEB]);
    expect(received).toEqual([
      { requestId: expect.stringMatching(UUID), action: 'list', options: { all: true }, answerWithinMs: BASE_SEC * 1000 },
      { requestId: expect.stringMatching(UUID), action: 'list', options: { all: false }, answerWithinMs: BASE_SEC * 1000 },
    ]);
    expect(received[0].requestId).not.toBe(received[1].requestId);
  });

  it('passes on only the fields of the wire: keys an agent adds are dropped', async () => {
    const withExtras = [{ ...WEB, Labels: { secret: 'x' }, HostConfig: {} }];
    const { server } = await withAgent(() => ({ ok: true, data: withExtras }));
    expect((await get(`${server.id}/containers`).expect(200)).body).toEqual([WEB]);
  });

  it('inspects a container by name or id, with env values redacted', async () => {
    const { server, received } = await withAgent();
    expect((await get(`${server.id}/containers/web`).expect(200)).body).toEqual(INSPECT);
    await get(`${server.id}/containers/${CONTAINER_ID.slice(0, 12)}`).expect(200);
    expect(received).toEqual([
      { requestId: expect.stringMatching(UUID), action: 'inspect', containerId: 'web', answerWithinMs: BASE_SEC * 1000 },
      { requestId: expect.stringMatching(UUID), action: 'inspect', containerId: CONTAINER_ID.slice(0, 12), answerWithinMs: BASE_SEC * 1000 },
    ]);
  });

  it('holds an agent to its envRedacted: a value that slipped through is redacted by the backend', async () => {
    const leaky = { ...INSPECT, config: { ...INSPECT.config, env: ['DB_PASSWORD=hunter2', 'PATH=***', 'NO_VALUE'] } };
    const { server } = await withAgent(() => ({ ok: true, data: leaky }));
    expect((await get(`${server.id}/containers/web`).expect(200)).body.config.env).toEqual(['DB_PASSWORD=***', 'PATH=***', 'NO_VALUE']);
  });

  it.each<[ContainerMutation, string, object, number]>([
    ['start', '', {}, BASE_SEC],
    ['stop', '?timeout=5', { timeoutSec: 5 }, 5 + BASE_SEC],
    ['restart', '', {}, 60 + BASE_SEC],
    ['pause', '', {}, BASE_SEC],
    ['unpause', '', {}, BASE_SEC],
    ['kill', '?signal=SIGTERM', { signal: 'SIGTERM' }, BASE_SEC],
    ['remove', '?force=true&volumes=1', { force: true, volumes: true }, BASE_SEC],
  ])('%s%s: asks the agent, answers {ok, action, containerId, name} and audits it', async (action, query, options, waitSec) => {
    const { server, received } = await withAgent();
    const res = await post(`${server.id}/containers/web/${action}${query}`).expect(200);
    expect(res.body).toEqual({ ok: true, action, containerId: 'web', name: 'web' });
    expect(received).toEqual([{ requestId: expect.stringMatching(UUID), action, containerId: 'web', options, answerWithinMs: waitSec * 1000 }]);
    expect(await auditFor(server.id)).toEqual([
      { action: `docker.${action}`, description: expect.stringMatching(new RegExp(`^Container "web" on server ${server.name}: ${action}.* succeeded`)), success: true },
    ]);
  });

  it('remove without flags sends force and volumes false', async () => {
    const { server, received } = await withAgent();
    await post(`${server.id}/containers/web/remove`).expect(200);
    expect(received[0]).toMatchObject({ action: 'remove', options: { force: false, volumes: false } });
  });

  it('waits for a stop past its own timeout: ?timeout=30 waits 30 s plus the base, and a slow stop still succeeds', async () => {
    // The wait the backend computes travels with the request: 30 s + the base, not a fixed timeout.
    const quick = await withAgent();
    await post(`${quick.server.id}/containers/web/stop?timeout=30`).expect(200);
    expect(quick.received[0]).toMatchObject({ action: 'stop', options: { timeoutSec: 30 }, answerWithinMs: (30 + BASE_SEC) * 1000 });

    // A stop answered after 1.5 × the base (what a fixed base timeout would have called a failure) is a 200...
    const slowMs = BASE_SEC * 1500;
    const slow = await withAgent(async (req) => { await delay(slowMs); return healthyDocker(req); });
    const started = Date.now();
    await post(`${slow.server.id}/containers/web/stop?timeout=${BASE_SEC}`).expect(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(slowMs - 50);
    // ...while a list that slow is not: the base applies to everything else.
    const res = await get(`${slow.server.id}/containers`).expect(504);
    expect(res.body.code).toBe('agent.timeout');
  });

  it('reads logs with tail, since, until and timestamps (ISO or unix seconds), default tail 100', async () => {
    const { server, received } = await withAgent();
    expect((await get(`${server.id}/containers/web/logs?tail=50&since=2026-01-01T00:00:00Z&until=1767261600.5&timestamps=true`).expect(200)).body).toEqual(LOGS);
    await get(`${server.id}/containers/web/logs`).expect(200);
    expect(received).toEqual([
      { requestId: expect.stringMatching(UUID), action: 'logs', containerId: 'web', options: { tail: 50, since: 1767225600, until: 1767261600.5, timestamps: true }, answerWithinMs: BASE_SEC * 1000 },
      { requestId: expect.stringMatching(UUID), action: 'logs', containerId: 'web', options: { tail: 100, timestamps: false }, answerWithinMs: BASE_SEC * 1000 },
    ]);
  });

  it('refuses unbounded or malformed log queries before asking the agent', async () => {
    const { server, received } = await withAgent();
    for (const q of ['tail=10001', 'tail=-1', 'tail=abc', 'since=yesterday', 'until=2026-01-01', 'timestamps=maybe', 'since=1767261600&until=1767225600', 'follow=true']) {
      const res = await get(`${server.id}/containers/web/logs?${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
    expect(received).toEqual([]);
  });

  it('reads stats and images', async () => {
    const { server, received } = await withAgent();
    expect((await get(`${server.id}/containers/web/stats`).expect(200)).body).toEqual(STATS);
    expect((await get(`${server.id}/images`).expect(200)).body).toEqual(IMAGES);
    expect(received).toEqual([
      { requestId: expect.stringMatching(UUID), action: 'stats', containerId: 'web', answerWithinMs: BASE_SEC * 1000 },
      { requestId: expect.stringMatching(UUID), action: 'images', answerWithinMs: BASE_SEC * 1000 },
    ]);
  });

  // ---- errors ---------------------------------------------------------------------------------

  const CONFLICT = 'You cannot remove a running container f3a1c2d4e5b6. Stop the container before attempting removal or force remove';
  it.each([
    ['not_found', undefined, 404, 'docker.container_not_found', /No such container on this server: web/],
    ['conflict', CONFLICT, 409, 'docker.conflict', new RegExp(`^${CONFLICT}$`)],
    ['read_only', undefined, 403, 'docker.read_only', /--docker-read-only/],
    ['disabled', undefined, 403, 'docker.disabled', /--docker-socket/],
    ['docker_unavailable', 'connect ENOENT /var/run/docker.sock', 503, 'docker.docker_unavailable', /Docker Engine .* does not answer \(connect ENOENT/],
    ['bad_request', 'invalid signal: SIGFOO', 400, 'docker.bad_request', /invalid signal/],
    ['timeout', undefined, 504, 'docker.timeout', /did not answer in time/],
    ['too_many_streams', undefined, 429, 'docker.too_many_streams', /close one/],
    ['not_implemented', undefined, 502, 'docker.bad_answer', /upgrade/],
    ['exploded', 'boom', 502, 'docker.bad_answer', /exploded \(boom\)/],
  ] as const)('maps the agent error %s (message %s) to %i %s with a clear message, and audits the failure', async (error, message, status, code, text) => {
    const { server } = await withAgent(fail(error, message));
    const res = await post(`${server.id}/containers/web/remove`);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, code, message: expect.stringMatching(text), requestId: expect.any(String) });
    expect(await auditFor(server.id)).toEqual([{ action: 'docker.remove', description: expect.stringContaining(`failed: ${res.body.message}`), success: false }]);
  });

  it('answers 502 for an answer that is not what the action returns (never a 500)', async () => {
    const { server } = await withAgent(() => ({ ok: true, data: [{ Id: 'x', Names: ['/web'] }] }) as unknown as DockerResult);
    expect((await get(`${server.id}/containers`).expect(502)).body).toMatchObject({ code: 'docker.bad_answer', message: expect.stringContaining('list') });
    const garbage = await withAgent(() => 'ok' as unknown as DockerResult);
    expect((await get(`${garbage.server.id}/containers/web/stats`).expect(502)).body.code).toBe('docker.bad_answer');
  });

  it('503 without an agent (audited), 504 from a silent one, 503 when it disconnects mid-request', async () => {
    const { server } = await provisionServer(t, alice);
    expect((await post(`${server.id}/containers/web/start`).expect(503)).body.code).toBe('agent.not_connected');
    expect(await auditFor(server.id)).toEqual([{ action: 'docker.start', description: expect.stringContaining('not connected'), success: false }]);

    const silent = await withAgent(() => null);
    const started = Date.now();
    expect((await get(`${silent.server.id}/containers`).expect(504)).body.code).toBe('agent.timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(BASE_SEC * 1000 - 50);

    const leaving: DockerTestAgent = await withAgent(() => { setImmediate(() => leaving.agent.close()); return null; });
    expect((await post(`${leaving.server.id}/containers/web/stop?timeout=600`).expect(503)).body.code).toBe('agent.lost');
  });

  it('refuses a bad containerId, a bad action and options that do not apply with 400, without asking the agent', async () => {
    const { server, received } = await withAgent();
    for (const ref of ['..', '.x', '-rm', '_x', 'a%20b', 'a%2Fb', 'x'.repeat(129), 'w%C3%A9b']) {
      for (const res of [await get(`${server.id}/containers/${ref}`), await post(`${server.id}/containers/${ref}/stop`), await get(`${server.id}/containers/${ref}/logs`)]) {
        expect({ ref, status: res.status, code: res.body.code }).toEqual({ ref, status: 400, code: 'docker.invalid_container_id' });
      }
    }
    expect((await post(`${server.id}/containers/web/explode`).expect(400)).body).toMatchObject({ code: 'docker.invalid_action', message: expect.stringContaining('start, stop, restart') });
    for (const q of ['stop?signal=KILL', 'start?timeout=5', 'kill?force=true', 'pause?volumes=true', 'stop?timeout=-1', 'stop?timeout=601', 'stop?timeout=1.5',
      'kill?signal=SIGFOO%20BAR', 'kill?signal=0', 'remove?force=maybe', 'stop?foo=1']) {
      const res = await post(`${server.id}/containers/web/${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
    expect((await post(`${server.id}/containers/web/stop?signal=KILL`)).body.message).toMatch(/signal does not apply to stop \(it takes timeout\)/);
    await get('not-a-uuid/containers').expect(400);
    expect(received).toEqual([]);
    expect(await auditFor(server.id)).toEqual([]);
  });

  it('names the container in the audit from the newest sample when the agent does not say it', async () => {
    const { server, agent } = await withAgent((req) => (req.action === 'stop' ? { ok: true, data: { id: CONTAINER_ID, name: null } } : fail('conflict', 'is already paused')(req)));
    const bootId = makeHello().bootId;
    expect(await sendMetrics(agent.socket, makeSample(0, bootId, { containers: [{ id: CONTAINER_ID, name: 'web', image: 'nginx', state: 'running', status: 'Up' }] })))
      .toMatchObject({ ok: true });
    const short = CONTAINER_ID.slice(0, 12);
    expect((await post(`${server.id}/containers/${short}/stop`).expect(200)).body).toEqual({ ok: true, action: 'stop', containerId: short, name: 'web' });
    await post(`${server.id}/containers/${short}/pause`).expect(409);
    expect(await auditFor(server.id)).toEqual([
      { action: 'docker.stop', description: `Container "web" (${short}) on server ${server.name}: stop succeeded`, success: true },
      { action: 'docker.pause', description: `Container "web" (${short}) on server ${server.name}: pause failed: is already paused`, success: false },
    ]);
  });

  it('another user\'s server is a 404 on every route and nothing reaches its agent', async () => {
    const { server, received } = await withAgent();
    for (const res of [
      await get(`${server.id}/containers`, mallory), await get(`${server.id}/containers/web`, mallory),
      await get(`${server.id}/containers/web/logs`, mallory), await get(`${server.id}/containers/web/stats`, mallory),
      await get(`${server.id}/images`, mallory), await get(`${server.id}/events`, mallory),
      ...await Promise.all(['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove'].map((a) => post(`${server.id}/containers/web/${a}`, mallory))),
    ]) {
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'server.not_found' });
    }
    const live = await browser(mallory);
    expect(await live.timeout(5000).emitWithAck('container_logs_subscribe', { serverId: server.id, containerId: 'web' })).toEqual({ ok: false, error: 'not_found' });
    // A request of the owner after all of them: once it arrived, any of the intruder's would have.
    await get(`${server.id}/images`).expect(200);
    expect(received.map((r) => r.action)).toEqual(['images']);
    expect(await auditFor(server.id)).toEqual([]);
  });

  // ---- container events ---------------------------------------------------------------------

  const event = (over: Partial<ContainerEvent> = {}): ContainerEvent => ({
    containerId: CONTAINER_ID, name: 'web', image: 'nginx:1.27', action: 'die', exitCode: 137, health: null, time: new Date().toISOString(), ...over,
  });

  it('relays container events to the server\'s /live subscribers, stores them and lists them newest first', async () => {
    const { server, agent } = await withAgent();
    const live = await browser();
    expect(await live.timeout(5000).emitWithAck('subscribe', { serverId: server.id })).toEqual({ ok: true });
    const relayed = collect(live, 'container_event');
    const intruder = await browser(mallory);
    expect(await intruder.timeout(5000).emitWithAck('subscribe', { serverId: server.id })).toMatchObject({ ok: false });
    const theirs = collect(intruder, 'container_event');

    const t0 = Date.now();
    const events = [
      event({ action: 'start', exitCode: null, time: new Date(t0 - 3000).toISOString() }),
      event({ action: 'health_status', exitCode: null, health: 'unhealthy', time: new Date(t0 - 2000).toISOString() }),
      event({ containerId: DB.id, name: 'db', image: null, action: 'die', exitCode: 3, time: new Date(t0 - 1000).toISOString() }),
    ];
    for (const e of events) agent.socket.emit('container_event', e);
    await waitFor(() => relayed, (r) => r.length === 3, 5000, 'relayed events');
    expect(relayed).toEqual(events.map((e) => ({ serverId: server.id, event: e })));

    expect((await get(`${server.id}/events`).expect(200)).body).toEqual([...events].reverse());
    expect((await get(`${server.id}/events?limit=1`).expect(200)).body).toEqual([events[2]]);
    expect((await get(`${server.id}/events?containerId=web`).expect(200)).body).toEqual([events[1], events[0]]);
    expect((await get(`${server.id}/events?containerId=${DB.id.slice(0, 12)}`).expect(200)).body).toEqual([events[2]]);
    await get(`${server.id}/events?limit=501`).expect(400);
    await get(`${server.id}/events?containerId=../x`).expect(400);
    expect(theirs).toEqual([]);
  });

  it('keeps the newest 500 events per server, pruning in batches', async () => {
    const { server, agent } = await withAgent();
    const other = await withAgent();
    // 520 old rows already stored, and some of another server that must not be touched.
    await t.db.query(
      `INSERT INTO container_events (server_id, container_id, name, action, time)
       SELECT $1, 'old', 'old', 'start', now() - make_interval(hours => 1, secs => g) FROM generate_series(1, 520) g`, [server.id]);
    await t.db.query(`INSERT INTO container_events (server_id, container_id, name, action, time) SELECT $1, 'x', 'x', 'stop', now() FROM generate_series(1, 600)`, [other.server.id]);
    const count = async (id: string) => Number((await t.db.query('SELECT count(*) FROM container_events WHERE server_id = $1', [id])).rows[0].count);

    // Fewer new events than a prune batch: nothing is pruned yet.
    for (let i = 0; i < PRUNE_AFTER - 1; i++) agent.socket.emit('container_event', event({ action: 'start', exitCode: null, name: `new-${i}` }));
    await waitFor(() => count(server.id), (n) => n === 520 + PRUNE_AFTER - 1, 5000, 'events stored');
    // The batch's last event prunes the server down to the newest 500, all the new ones among them.
    agent.socket.emit('container_event', event({ action: 'start', exitCode: null, name: 'new-last' }));
    await waitFor(() => count(server.id), (n) => n === 500, 5000, 'pruned to 500');
    const newest = (await get(`${server.id}/events?limit=500`).expect(200)).body as ContainerEvent[];
    expect(newest.filter((e) => e.name.startsWith('new-'))).toHaveLength(PRUNE_AFTER);
    expect(await count(other.server.id)).toBe(600);
  });

  // ---- follow-logs over /live --------------------------------------------------------------

  const follow = (live: LiveClient, serverId: string, extra: object = {}): Promise<LiveContainerLogsSubscribeAck> =>
    live.timeout(5000).emitWithAck('container_logs_subscribe', { serverId, containerId: 'web', ...extra });
  const streamIdOf = (ack: LiveContainerLogsSubscribeAck): string => {
    if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
    return ack.streamId;
  };

  it('follows a log: subscribe → agent request with a streamId → chunks to this browser → unsubscribe → docker_logs_stop', async () => {
    const { server, agent, received, stops } = await withAgent();
    const live = await browser();
    const lines = collect(live, 'container_logs');
    const ends = collect(live, 'container_logs_end');
    const other = await browser();
    const notMine = collect(other, 'container_logs');

    const streamId = streamIdOf(await follow(live, server.id, { tail: 10, since: '2026-01-01T00:00:00Z', timestamps: true }));
    expect(streamId).toMatch(UUID);
    expect(received).toEqual([{
      requestId: expect.stringMatching(UUID), action: 'logs', containerId: 'web',
      options: { follow: true, streamId, tail: 10, since: 1767225600, timestamps: true }, answerWithinMs: BASE_SEC * 1000,
    }]);

    agent.socket.emit('container_logs', { streamId, containerId: 'web', lines: LOGS.lines });
    agent.socket.emit('container_logs', { streamId, containerId: 'web', lines: [{ stream: 'stdout', text: 'GET / 200' }] });
    await waitFor(() => lines, (l) => l.length === 2, 5000, 'chunks at the browser');
    expect(lines).toEqual([
      { serverId: server.id, streamId, containerId: 'web', lines: LOGS.lines },
      { serverId: server.id, streamId, containerId: 'web', lines: [{ stream: 'stdout', text: 'GET / 200' }] },
    ]);

    expect(await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId })).toEqual({ ok: true });
    await waitFor(() => stops, (s) => s.length === 1, 5000, 'docker_logs_stop at the agent');
    expect(stops).toEqual([{ streamId }]);
    expect(ends).toEqual([{ serverId: server.id, streamId, containerId: 'web', reason: 'unsubscribed' }]);
    // A chunk the agent had in flight goes nowhere: a marker on another stream, sent after it, arrives alone.
    const marker = streamIdOf(await follow(live, server.id));
    agent.socket.emit('container_logs', { streamId, containerId: 'web', lines: [{ stream: 'stdout', text: 'late' }] });
    agent.socket.emit('container_logs', { streamId: marker, containerId: 'web', lines: [{ stream: 'stdout', text: 'marker' }] });
    await waitFor(() => lines, (l) => l.length === 3, 5000, 'the marker chunk');
    expect(lines[2]).toMatchObject({ streamId: marker, lines: [{ text: 'marker' }] });
    expect(await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId })).toEqual({ ok: false, error: 'not_found' });
    expect(notMine).toEqual([]);
  });

  it('defaults tail to 100 and timestamps to false, and refuses malformed subscriptions', async () => {
    const { server, received } = await withAgent();
    const live = await browser();
    streamIdOf(await follow(live, server.id));
    expect(received[0].options).toEqual({ follow: true, streamId: expect.stringMatching(UUID), tail: 100, timestamps: false });
    for (const bad of [{}, { serverId: 'x', containerId: 'web' }, { serverId: server.id }, { serverId: server.id, containerId: '../etc' },
      { serverId: server.id, containerId: 'web', tail: 10_001 }, { serverId: server.id, containerId: 'web', tail: 1.5 },
      { serverId: server.id, containerId: 'web', since: 'yesterday' }, { serverId: server.id, containerId: 'web', timestamps: 'yes' }]) {
      expect(await live.timeout(5000).emitWithAck('container_logs_subscribe', bad as never)).toMatchObject({ ok: false, error: 'invalid' });
    }
    expect(await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId: 'nope' })).toEqual({ ok: false, error: 'invalid' });
    expect(received).toHaveLength(1);
  });

  it('stops the agent\'s stream when the browser disconnects', async () => {
    const { server, stops } = await withAgent();
    const live = await browser();
    const streamId = streamIdOf(await follow(live, server.id));
    live.close();
    await waitFor(() => stops, (s) => s.length === 1, 5000, 'docker_logs_stop at the agent');
    expect(stops).toEqual([{ streamId }]);
  });

  it('ends the stream with container_logs_end when the agent disconnects, or when the agent ends it', async () => {
    const gone = await withAgent();
    const live = await browser();
    const ends = collect(live, 'container_logs_end');
    const first = streamIdOf(await follow(live, gone.server.id));
    gone.agent.close();
    await waitFor(() => ends, (e) => e.length === 1, 5000, 'end after agent disconnect');
    expect(ends[0]).toEqual({ serverId: gone.server.id, streamId: first, containerId: 'web', reason: 'agent_disconnected' });

    const { server, agent, stops } = await withAgent();
    const second = streamIdOf(await follow(live, server.id));
    agent.socket.emit('container_logs_end', { streamId: second, containerId: 'web', reason: 'ended' });
    await waitFor(() => ends, (e) => e.length === 2, 5000, 'end from the agent');
    expect(ends[1]).toEqual({ serverId: server.id, streamId: second, containerId: 'web', reason: 'ended' });
    expect(stops).toEqual([]);
    expect(await live.timeout(5000).emitWithAck('container_logs_unsubscribe', { streamId: second })).toEqual({ ok: false, error: 'not_found' });
  });

  it('delivers a stopped container\'s tail and end in order, after the subscription\'s ack', async () => {
    // The agent acknowledges, sends the tail and ends at once (the engine closes a stopped container's log).
    let agentRef: TestAgent | null = null;
    const { server, agent } = await withAgent((req) => {
      if (req.action === 'logs' && req.options?.follow && req.options.streamId) {
        const streamId = req.options.streamId;
        setImmediate(() => {
          agentRef?.socket.emit('container_logs', { streamId, containerId: 'db', lines: [{ stream: 'stderr', text: 'fatal: exit 3' }] });
          agentRef?.socket.emit('container_logs_end', { streamId, containerId: 'db', reason: 'ended' });
        });
        return { ok: true, data: { lines: [] } };
      }
      return healthyDocker(req);
    });
    agentRef = agent;
    const live = await browser();
    const order: string[] = [];
    live.on('container_logs', (c) => order.push(`lines ${c.streamId} ${c.lines.map((l) => l.text).join()}`));
    live.on('container_logs_end', (e) => order.push(`end ${e.streamId} ${e.reason}`));
    // The ack callback runs as its packet is read (an awaited promise would settle a tick later).
    const acked = new Promise<LiveContainerLogsSubscribeAck>((resolve) => live.emit('container_logs_subscribe', { serverId: server.id, containerId: 'db' }, (ack) => {
      order.push('ack');
      resolve(ack);
    }));
    const streamId = streamIdOf(await acked);
    await waitFor(() => order, (o) => o.length === 3, 5000, 'tail and end');
    expect(order).toEqual(['ack', `lines ${streamId} fatal: exit 3`, `end ${streamId} ended`]);
  });

  it('passes the agent\'s refusals on, says agent_offline without one, and caps streams per connection', async () => {
    const live = await browser();
    const off = await withAgent(fail('disabled'));
    expect(await follow(live, off.server.id)).toMatchObject({ ok: false, error: 'disabled', message: expect.stringContaining('--docker-socket') });
    const missing = await withAgent(fail('not_found'));
    expect(await follow(live, missing.server.id)).toMatchObject({ ok: false, error: 'not_found', message: expect.stringContaining('web') });
    const engineDown = await withAgent(fail('docker_unavailable'));
    expect(await follow(live, engineDown.server.id)).toMatchObject({ ok: false, error: 'docker_unavailable' });
    const { server: noAgent } = await provisionServer(t, alice);
    expect(await follow(live, noAgent.id)).toMatchObject({ ok: false, error: 'agent_offline' });

    const { server } = await withAgent();
    for (let i = 0; i < 5; i++) streamIdOf(await follow(live, server.id));
    expect(await follow(live, server.id)).toMatchObject({ ok: false, error: 'too_many_streams' });
  });

  it('drops chunks an agent sends for a stream of another server', async () => {
    const victim = await withAgent();
    const live = await browser();
    const lines = collect(live, 'container_logs');
    const ends = collect(live, 'container_logs_end');
    const streamId = streamIdOf(await follow(live, victim.server.id));
    const rogue = await withAgent(healthyDocker, mallory);
    rogue.agent.socket.emit('container_logs', { streamId, containerId: 'web', lines: [{ stream: 'stdout', text: 'FAKE' }] });
    rogue.agent.socket.emit('container_logs_end', { streamId, containerId: 'web', reason: 'ended' });
    // The rogue's frames were handled once its next acknowledged frame is.
    expect(await sendMetrics(rogue.agent.socket, makeSample(0, makeHello().bootId))).toMatchObject({ ok: true });
    victim.agent.socket.emit('container_logs', { streamId, containerId: 'web', lines: [{ stream: 'stdout', text: 'real' }] });
    await waitFor(() => lines, (l) => l.length >= 1, 5000, 'the real chunk');
    expect(lines.map((c) => c.lines[0].text)).toEqual(['real']);
    expect(ends).toEqual([]);
  });

  // ---- fleet overview --------------------------------------------------------------------------

  it('counts containers in the fleet summary: running, total, unhealthy (null without Docker)', async () => {
    const { server, agent } = await withAgent();
    const live = await browser();
    const summaries = collect(live, 'fleet_summary');
    expect(await live.timeout(5000).emitWithAck('subscribe_fleet')).toEqual({ ok: true });
    const before = summaries.find((s) => s.serverId === server.id);
    expect(before).toMatchObject({ containersRunning: null, containersTotal: null, containersUnhealthy: null });
    const containers = [
      { id: WEB.id, name: 'web', image: 'nginx', state: 'running', status: 'Up 2 hours (unhealthy)' },
      { id: DB.id, name: 'db', image: 'postgres', state: 'exited', status: 'Exited (3) 5 minutes ago' },
      { id: 'e'.repeat(64), name: 'cache', image: 'redis', state: 'running', status: 'Up 1 hour' },
    ];
    expect(await sendMetrics(agent.socket, makeSample(0, makeHello().bootId, { containers }))).toMatchObject({ ok: true });
    const after = await waitFor(() => summaries.filter((s) => s.serverId === server.id && s.containersTotal !== null), (s) => s.length > 0, 5000, 'summary with containers');
    expect(after[0]).toMatchObject({ containersRunning: 2, containersTotal: 3, containersUnhealthy: 1 });
  });
});
