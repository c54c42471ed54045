import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authResponse } from '../../../testing/auth-fixtures';
import { AuthService } from '../auth/auth.service';
import { LIVE_SOCKET_FACTORY, LiveRequestError, LiveSocketService, REVOKED_GRACE_MS, SUBSCRIBE_RETRY_MAX_MS, SUBSCRIBE_RETRY_MS } from './live-socket.service';

/** Minimal socket.io-client stand-in: records emits, lets the test fire server events. */
class FakeSocket {
  connected = false;
  active = false;
  connects = 0;
  handshakes: unknown[] = [];
  emitted: { event: string; args: unknown[] }[] = [];
  /** When false, acks are kept in `pendingAcks` for the test to answer (or never). */
  autoAck = true;
  pendingAcks: ((r: unknown) => void)[] = [];
  private handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  constructor(private readonly auth: (cb: (d: unknown) => void) => void) {}
  on(event: string, fn: (...a: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    this.emitted.push({ event, args });
    const ack = args.find((a) => typeof a === 'function') as ((r: unknown) => void) | undefined;
    if (ack && this.autoAck) ack({ ok: true });
    else if (ack) this.pendingAcks.push(ack);
    return this;
  }
  connect() {
    this.connects++;
    this.active = true;
    this.auth((d) => this.handshakes.push(d));
    return this;
  }
  disconnect() {
    this.active = false;
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }
  /** Test helper: the server accepted the handshake. */
  accept() {
    this.connected = true;
    this.fire('connect');
  }
  fire(event: string, ...args: unknown[]) {
    (this.handlers.get(event) ?? []).forEach((fn) => fn(...args));
  }
}

describe('LiveSocketService', () => {
  let socket: FakeSocket;
  let auth: AuthService;
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: LIVE_SOCKET_FACTORY, useValue: (a: (cb: (d: unknown) => void) => void) => (socket = new FakeSocket(a)) },
      ],
    });
    auth = TestBed.inject(AuthService);
    http = TestBed.inject(HttpTestingController);
    const router = TestBed.inject(Router);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    jest.spyOn(router, 'navigate').mockResolvedValue(true);
  });

  function signIn(n = 1): void {
    auth.login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(n));
    TestBed.tick();
  }

  it('connects with the access token, reports status and re-subscribes after a reconnect', () => {
    const live = TestBed.inject(LiveSocketService);
    TestBed.tick();
    expect(live.status()).toBe('disconnected');
    signIn();
    expect(socket.handshakes).toEqual([{ token: 'access-1' }]);
    expect(live.status()).toBe('connecting');

    const acks: unknown[] = [];
    const sub = live.subscribeServer('s1').subscribe((a) => acks.push(a));
    socket.accept();
    expect(live.status()).toBe('connected');
    expect(socket.emitted.map((e) => [e.event, e.args[0]])).toContainEqual(['subscribe', { serverId: 's1' }]);
    expect(acks).toEqual([{ ok: true }]);

    // Transport drop, then socket.io reconnects: the subscription is sent again.
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    expect(live.status()).toBe('connecting');
    socket.accept();
    expect(socket.emitted.filter((e) => e.event === 'subscribe')).toHaveLength(2);

    sub.unsubscribe();
    expect(socket.emitted.at(-1)).toEqual({ event: 'unsubscribe', args: [{ serverId: 's1' }] });
  });

  it('sends a subscription answered "unavailable" again with a growing delay while it is wanted, and not after', () => {
    jest.useFakeTimers();
    try {
      const live = TestBed.inject(LiveSocketService);
      TestBed.tick();
      signIn();
      socket.autoAck = false;
      socket.accept();
      const acks: unknown[] = [];
      const sub = live.subscribeServer('s1').subscribe((a) => acks.push(a));
      const fleetAcks: unknown[] = [];
      const fleet = live.subscribeFleet().subscribe((a) => fleetAcks.push(a));
      const sent = (event: string) => socket.emitted.filter((e) => e.event === event).length;
      expect([sent('subscribe'), sent('subscribe_fleet')]).toEqual([1, 1]);

      // the database check failed: both are asked again after SUBSCRIBE_RETRY_MS, then after twice that
      socket.pendingAcks.splice(0).forEach((ack) => ack({ ok: false, error: 'unavailable' }));
      expect(acks).toEqual([{ ok: false, error: 'unavailable' }]);
      jest.advanceTimersByTime(SUBSCRIBE_RETRY_MS - 1);
      expect([sent('subscribe'), sent('subscribe_fleet')]).toEqual([1, 1]);
      jest.advanceTimersByTime(1);
      expect([sent('subscribe'), sent('subscribe_fleet')]).toEqual([2, 2]);
      socket.pendingAcks.splice(0).forEach((ack) => ack({ ok: false, error: 'unavailable' }));
      jest.advanceTimersByTime(SUBSCRIBE_RETRY_MS);
      expect(sent('subscribe')).toBe(2);
      jest.advanceTimersByTime(SUBSCRIBE_RETRY_MS);
      expect([sent('subscribe'), sent('subscribe_fleet')]).toEqual([3, 3]);

      // the server answers this time; other refusals are final
      const [serverAck, fleetAck] = socket.pendingAcks.splice(0);
      serverAck({ ok: true });
      fleetAck({ ok: false, error: 'not_found' });
      expect(acks.at(-1)).toEqual({ ok: true });
      expect(fleetAcks.at(-1)).toEqual({ ok: false, error: 'not_found' });
      jest.advanceTimersByTime(SUBSCRIBE_RETRY_MAX_MS);
      expect([sent('subscribe'), sent('subscribe_fleet')]).toEqual([3, 3]);

      // no longer wanted: an "unavailable" answer is not followed up
      const other = live.subscribeServer('s2').subscribe();
      socket.pendingAcks.splice(0).forEach((ack) => ack({ ok: false, error: 'unavailable' }));
      other.unsubscribe();
      jest.advanceTimersByTime(SUBSCRIBE_RETRY_MAX_MS);
      expect(socket.emitted.filter((e) => e.event === 'subscribe' && (e.args[0] as { serverId: string }).serverId === 's2')).toHaveLength(1);
      sub.unsubscribe();
      fleet.unsubscribe();
    } finally {
      jest.useRealTimers();
    }
  });

  it('delivers typed events to subscribers', () => {
    const live = TestBed.inject(LiveSocketService);
    signIn();
    const got: unknown[] = [];
    live.on('fleet_summary').subscribe((s) => got.push(s.serverId));
    socket.fire('fleet_summary', { serverId: 'a' });
    socket.fire('server_status', { serverId: 'b' });
    expect(got).toEqual(['a']);
  });

  it('re-authenticates with the fresh token after a refresh and disconnects on logout', async () => {
    const live = TestBed.inject(LiveSocketService);
    signIn();
    socket.accept();
    auth.refresh().subscribe();
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    TestBed.tick();
    expect(socket.handshakes).toEqual([{ token: 'access-1' }, { token: 'access-2' }]);

    const out = auth.logout();
    http.expectOne('/api/v1/auth/logout').flush(null, { status: 204, statusText: 'No Content' });
    await out;
    TestBed.tick();
    expect(socket.active).toBe(false);
    expect(live.status()).toBe('disconnected');
  });

  it('refreshes the token when the server refuses it ("unauthorized") and reconnects', () => {
    TestBed.inject(LiveSocketService);
    signIn();
    socket.fire('connect_error', new Error('unauthorized'));
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(3));
    TestBed.tick();
    expect(socket.handshakes.at(-1)).toEqual({ token: 'access-3' });
  });
  it('keeps the session when that refresh cannot reach the server, and reconnects later with the token it has', () => {
    jest.useFakeTimers();
    try {
      TestBed.inject(LiveSocketService);
      signIn();
      socket.fire('connect_error', new Error('unauthorized'));
      http.expectOne('/api/v1/auth/refresh').flush(null, { status: 0, statusText: 'Unknown Error' });
      TestBed.tick();
      expect(auth.isAuthenticated()).toBe(true);
      const connects = socket.connects;
      jest.advanceTimersByTime(5_000);
      expect(socket.connects).toBe(connects + 1);
      expect(socket.handshakes.at(-1)).toEqual({ token: 'access-1' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('refreshes at once when the token expired', () => {
    TestBed.inject(LiveSocketService);
    signIn();
    socket.accept();
    socket.fire('session_expired', { reason: 'expired' });
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(4));
    TestBed.tick();
    expect(socket.handshakes.at(-1)).toEqual({ token: 'access-4' });
  });

  it('after a revocation waits for the tokens of a password change instead of refreshing with the old ones', () => {
    jest.useFakeTimers();
    try {
      const live = TestBed.inject(LiveSocketService);
      signIn();
      socket.accept();
      // The server ends the old session before the change-password response arrives.
      auth.changePassword({ currentPassword: 'pw', newPassword: 'a new passphrase' }).subscribe();
      socket.fire('session_expired', { reason: 'revoked' });
      socket.connected = false;
      socket.fire('disconnect', 'io server disconnect');
      http.expectNone('/api/v1/auth/refresh');
      expect(live.status()).toBe('disconnected');
      http.expectOne('/api/v1/auth/change-password').flush(authResponse(5));
      TestBed.tick();
      expect(socket.handshakes.at(-1)).toEqual({ token: 'access-5' });
      jest.advanceTimersByTime(REVOKED_GRACE_MS + 100);
      http.expectNone('/api/v1/auth/refresh');
      expect(auth.isAuthenticated()).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('after a revocation elsewhere refreshes once the grace is over (another tab may hold new tokens)', () => {
    jest.useFakeTimers();
    try {
      TestBed.inject(LiveSocketService);
      signIn();
      socket.accept();
      socket.fire('session_expired', { reason: 'revoked' });
      http.expectNone('/api/v1/auth/refresh');
      jest.advanceTimersByTime(REVOKED_GRACE_MS + 100);
      http.expectOne('/api/v1/auth/refresh').flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
      TestBed.tick();
      expect(auth.isAuthenticated()).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('request() and send() (terminal frames)', () => {
    it('resolves with the acknowledgement of that request', async () => {
      const live = TestBed.inject(LiveSocketService);
      signIn();
      socket.accept();
      socket.autoAck = false;
      const opened = live.request('terminal_open', { serverId: 's1', cols: 80, rows: 24 });
      expect(socket.emitted.at(-1)?.event).toBe('terminal_open');
      expect(socket.emitted.at(-1)?.args[0]).toEqual({ serverId: 's1', cols: 80, rows: 24 });
      socket.pendingAcks[0]({ ok: true, sessionId: 't1' });
      await expect(opened).resolves.toEqual({ ok: true, sessionId: 't1' });
    });

    it('fails at once when not connected, and queues nothing for later', async () => {
      const live = TestBed.inject(LiveSocketService);
      signIn(); // connecting, not connected yet
      await expect(live.request('terminal_open', { serverId: 's1', cols: 80, rows: 24 })).rejects.toEqual(new LiveRequestError('not_connected'));
      expect(live.send('terminal_input', { sessionId: 't1', data: 'ls\r' })).toBe(false);
      expect(socket.emitted.filter((e) => e.event.startsWith('terminal_'))).toEqual([]);
    });

    it('rejects when the connection drops before the answer, and tells the disconnects stream', async () => {
      const live = TestBed.inject(LiveSocketService);
      signIn();
      socket.accept();
      socket.autoAck = false;
      const drops: string[] = [];
      live.disconnects.subscribe((r) => drops.push(r));
      const opened = live.request('terminal_open', { serverId: 's1', cols: 80, rows: 24 });
      socket.connected = false;
      socket.fire('disconnect', 'transport close');
      await expect(opened).rejects.toMatchObject({ reason: 'disconnected' });
      expect(drops).toEqual(['transport close']);
    });

    it('rejects after the timeout when no acknowledgement comes', async () => {
      jest.useFakeTimers();
      try {
        const live = TestBed.inject(LiveSocketService);
        signIn();
        socket.accept();
        socket.autoAck = false;
        const opened = live.request('terminal_open', { serverId: 's1', cols: 80, rows: 24 }, 5_000);
        jest.advanceTimersByTime(5_001);
        await expect(opened).rejects.toMatchObject({ reason: 'timeout' });
      } finally {
        jest.useRealTimers();
      }
    });

    it('sends one-way frames while connected', () => {
      const live = TestBed.inject(LiveSocketService);
      signIn();
      socket.accept();
      expect(live.send('terminal_resize', { sessionId: 't1', cols: 100, rows: 30 })).toBe(true);
      expect(socket.emitted.at(-1)).toEqual({ event: 'terminal_resize', args: [{ sessionId: 't1', cols: 100, rows: 30 }] });
    });
  });
});
