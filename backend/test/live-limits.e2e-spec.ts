import { io, Socket } from 'socket.io-client';
import type { SubscribeAck } from '@chatops/protocol';
import { AccessService } from '../src/modules/access/access.service';
import { LiveGateway, MAX_SUBSCRIPTIONS } from '../src/modules/live/live.gateway';
import { registerUser, startTestApp, TestApp, TestUser, waitFor } from './support/app';

/** The limits /live promises: at most MAX_SUBSCRIPTIONS server subscriptions per socket, and a flooding socket is closed. */
describe('live channel limits', () => {
  let t: TestApp;
  let alice: TestUser;
  let serverIds: string[];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    alice = await registerUser(t);
    // One more server than a socket may follow, written directly: 501 REST calls would only add time.
    const { rows } = await t.db.query(
      `INSERT INTO servers (owner_id, name) SELECT $1, 'cap-' || g FROM generate_series(1, $2::int) g RETURNING id`,
      [alice.user.id, MAX_SUBSCRIPTIONS + 1],
    );
    serverIds = rows.map((r: { id: string }) => r.id);
  });
  afterEach(() => { for (const s of sockets.splice(0)) s.disconnect(); });
  afterAll(async () => { await t.close(); });

  async function browser(user: TestUser): Promise<Socket> {
    const s = io(`${t.baseUrl}/live`, { auth: { token: user.accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  }
  const subscribe = (s: Socket, serverId: string) => s.timeout(10_000).emitWithAck('subscribe', { serverId }) as Promise<SubscribeAck>;
  const errors = (acks: SubscribeAck[]) => acks.filter((a) => !a.ok).map((a) => (a.ok ? '' : a.error));

  it(`refuses the subscription past ${MAX_SUBSCRIPTIONS} with too_many_subscriptions, and frees a place on unsubscribe`, async () => {
    expect(MAX_SUBSCRIPTIONS).toBe(500);
    const s = await browser(alice);
    const acks: SubscribeAck[] = [];
    for (const id of serverIds.slice(0, MAX_SUBSCRIPTIONS)) acks.push(await subscribe(s, id));
    expect(errors(acks)).toEqual([]);
    const last = serverIds[MAX_SUBSCRIPTIONS];
    expect(await subscribe(s, last)).toEqual({ ok: false, error: 'too_many_subscriptions' });
    // Subscribing again to a server it already follows is not a new subscription.
    expect(await subscribe(s, serverIds[0])).toEqual({ ok: true });
    expect(await s.timeout(10_000).emitWithAck('unsubscribe', { serverId: serverIds[1] })).toEqual({ ok: true });
    expect(await subscribe(s, last)).toEqual({ ok: true });
    expect(await subscribe(s, serverIds[1])).toEqual({ ok: false, error: 'too_many_subscriptions' });
    expect(s.connected).toBe(true);
  });

  it(`holds the cap when ${MAX_SUBSCRIPTIONS + 1} subscribes arrive at once, checked in a few queries rather than one each`, async () => {
    const s = await browser(alice);
    // One query per subscribe made a burst like this outlast the database timeout on a loaded
    // machine (`unavailable`); the checks of subscribes that arrive together are batched.
    const batches = jest.spyOn(t.app.get(AccessService), 'visibleAmong');
    try {
      const acks = await Promise.all(serverIds.map((id) => subscribe(s, id)));
      expect(acks.filter((a) => a.ok)).toHaveLength(MAX_SUBSCRIPTIONS);
      expect(errors(acks)).toEqual(['too_many_subscriptions']);
      expect(batches.mock.calls.length).toBeGreaterThan(0);
      expect(batches.mock.calls.length).toBeLessThan(50);
    } finally {
      batches.mockRestore();
    }
  });

  it('closes a socket that sends more than 1000 events in a second, logs it once, and leaves the user\'s other sockets alone', async () => {
    const logger = (t.app.get(LiveGateway) as unknown as { logger: { warn: (...args: unknown[]) => void } }).logger;
    const warn = jest.spyOn(logger, 'warn');
    try {
      const calm = await browser(alice);
      const flooding = await browser(alice);
      let closedBy: string | null = null;
      flooding.on('disconnect', (reason) => { closedBy = reason; });
      for (let i = 0; i < 3000; i++) flooding.emit('unsubscribe_fleet');
      expect(await waitFor(() => closedBy, Boolean, 10_000, 'the flooding socket to be closed')).toBe('io server disconnect');
      const floodLines = () => warn.mock.calls.filter((c) => String(c[1]).includes('flooding'));
      await waitFor(() => floodLines().length, (n) => n >= 1, 5000, 'the flood log line');
      expect(floodLines()).toHaveLength(1);
      expect(await calm.timeout(5000).emitWithAck('unsubscribe_fleet')).toEqual({ ok: true });
      expect(calm.connected).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});
