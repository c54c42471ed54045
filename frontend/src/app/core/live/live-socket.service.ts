import { Injectable, InjectionToken, effect, inject, signal, untracked } from '@angular/core';
import type { LiveClientToServerEvents, LiveServerToClientEvents, SubscribeAck } from '@chatops/protocol';
import { Observable, Subject, filter, map } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { AuthService, isRefreshRejection } from '../auth/auth.service';

export type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
export type LiveStatus = 'connected' | 'connecting' | 'disconnected';
export type LiveEventName = Exclude<keyof LiveServerToClientEvents, 'session_expired'>;
export type LiveEventPayload<E extends LiveEventName> = Parameters<LiveServerToClientEvents[E]>[0];

type ClientEvents = LiveClientToServerEvents;
/** Client → server events that take a payload and a required acknowledgement (`terminal_open`, `subscribe`). */
export type LiveAckEvent = {
  [E in keyof ClientEvents]: Parameters<ClientEvents[E]> extends [unknown, (res: never) => void] ? E : never;
}[keyof ClientEvents];
export type LiveAckRequest<E extends LiveAckEvent> = Parameters<ClientEvents[E]>[0];
export type LiveAckResponse<E extends LiveAckEvent> = Parameters<Parameters<ClientEvents[E]>[1]>[0];
/** One-way frames (their ack is optional and not asked for). */
export type LiveSendEvent = 'terminal_input' | 'terminal_resize' | 'terminal_close' | 'container_logs_unsubscribe' | 'chat_stream_stop';
export type LiveSendPayload<E extends LiveSendEvent> = Parameters<ClientEvents[E]>[0];

/** Why `request()` failed before any acknowledgement arrived. */
export class LiveRequestError extends Error {
  constructor(readonly reason: 'not_connected' | 'timeout' | 'disconnected') {
    super(reason === 'timeout' ? 'The server did not answer in time.' : 'Not connected to the live server.');
    this.name = 'LiveRequestError';
  }
}

type AuthCallback = (cb: (data: { token: string | null }) => void) => void;

/** After `session_expired {reason:"revoked"}`, how long to wait for new tokens before refreshing. */
export const REVOKED_GRACE_MS = 2_000;

/** Builds the Socket.IO client (a token so tests can hand in a fake socket). */
export const LIVE_SOCKET_FACTORY = new InjectionToken<(auth: AuthCallback) => LiveSocket>('LIVE_SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (auth) =>
    io('/live', {
      autoConnect: false,
      transports: ['websocket', 'polling'],
      auth,
      reconnection: true,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    }) as LiveSocket,
});

const EVENTS: LiveEventName[] = [
  'metrics', 'server_status', 'alert', 'command_output', 'command_finished', 'container_event', 'fleet_summary', 'terminal_output', 'terminal_exit',
  'container_logs', 'container_logs_end', 'chat_stream', 'chat_stream_end',
];

/**
 * The browser's `/live` connection. It follows the session: connects when there is an access
 * token, reconnects with the fresh token after every refresh (the handshake `auth` callback
 * reads the current token), and disconnects on logout. Subscriptions are reference-counted and
 * re-sent after every reconnect, so components just subscribe to an Observable.
 */
/**
 * A subscription answered `unavailable` (the backend could not check access: its database was busy
 * or down) is sent again after this delay, doubled each time up to SUBSCRIBE_RETRY_MAX_MS, for as
 * long as it is wanted. Without it the page would silently stop receiving that server's updates.
 */
export const SUBSCRIBE_RETRY_MS = 1000;
export const SUBSCRIBE_RETRY_MAX_MS = 30_000;

type AckListener = (ack: SubscribeAck) => void;

@Injectable({ providedIn: 'root' })
export class LiveSocketService {
  private readonly auth = inject(AuthService);
  private readonly createSocket = inject(LIVE_SOCKET_FACTORY);

  private readonly _status = signal<LiveStatus>('disconnected');
  /** connected / connecting / disconnected, for the toolbar indicator (aria-live). */
  readonly status = this._status.asReadonly();

  private socket: LiveSocket | null = null;
  private currentToken: string | null = null;
  private authRetryToken: string | null = null;
  private readonly events$ = new Subject<{ event: LiveEventName; payload: unknown }>();
  private readonly disconnects$ = new Subject<string>();
  /**
   * Emits the reason each time an established connection drops. Whatever the server held for this
   * socket (terminal sessions) ended with it, even when the client reconnects a moment later.
   */
  readonly disconnects: Observable<string> = this.disconnects$.asObservable();
  private readonly serverSubs = new Map<string, Set<AckListener>>();
  private readonly fleetSubs = new Set<AckListener>();

  constructor() {
    effect(() => {
      const token = this.auth.accessToken();
      untracked(() => this.onToken(token));
    });
  }

  /** Typed stream of one server → client event. */
  on<E extends LiveEventName>(event: E): Observable<LiveEventPayload<E>> {
    return this.events$.pipe(
      filter((e) => e.event === event),
      map((e) => e.payload as LiveEventPayload<E>),
    );
  }

  /**
   * Emits a client → server event and resolves with its acknowledgement. Rejects with
   * `LiveRequestError` when the socket is not connected (nothing is queued for later), when it
   * drops before the answer, or after `timeoutMs`.
   */
  request<E extends LiveAckEvent>(event: E, payload: LiveAckRequest<E>, timeoutMs = 15_000): Promise<LiveAckResponse<E>> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new LiveRequestError('not_connected'));
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        sub.unsubscribe();
        fn();
      };
      const timer = setTimeout(() => done(() => reject(new LiveRequestError('timeout'))), timeoutMs);
      const sub = this.disconnects$.subscribe(() => done(() => reject(new LiveRequestError('disconnected'))));
      // Socket.IO's emit signature is a union over every event; this helper's types pin payload and ack to `event`.
      const emit = socket.emit as unknown as (ev: E, req: LiveAckRequest<E>, ack: (res: LiveAckResponse<E>) => void) => void;
      emit.call(socket, event, payload, (res) => done(() => resolve(res)));
    });
  }

  /** Sends a one-way frame; false (nothing sent, nothing queued) when the socket is not connected. */
  send<E extends LiveSendEvent>(event: E, payload: LiveSendPayload<E>): boolean {
    const socket = this.socket;
    if (!socket?.connected) return false;
    const emit = socket.emit as unknown as (ev: E, req: LiveSendPayload<E>) => void;
    emit.call(socket, event, payload);
    return true;
  }

  /** Subscribe to one server's events while the returned Observable is subscribed; emits each ack. */
  subscribeServer(serverId: string): Observable<SubscribeAck> {
    return new Observable<SubscribeAck>((subscriber) => {
      const listener: AckListener = (ack) => subscriber.next(ack);
      let set = this.serverSubs.get(serverId);
      if (!set) this.serverSubs.set(serverId, (set = new Set()));
      set.add(listener);
      if (this.socket?.connected) this.sendServerSub(serverId, [listener]);
      return () => {
        set!.delete(listener);
        if (set!.size === 0) {
          this.serverSubs.delete(serverId);
          if (this.socket?.connected) this.socket.emit('unsubscribe', { serverId });
        }
      };
    });
  }

  /** Subscribe to `fleet_summary` for every server the user can see. */
  subscribeFleet(): Observable<SubscribeAck> {
    return new Observable<SubscribeAck>((subscriber) => {
      const listener: AckListener = (ack) => subscriber.next(ack);
      this.fleetSubs.add(listener);
      if (this.socket?.connected) this.sendFleetSub([listener]);
      return () => {
        this.fleetSubs.delete(listener);
        if (this.fleetSubs.size === 0 && this.socket?.connected) this.socket.emit('unsubscribe_fleet');
      };
    });
  }

  private onToken(token: string | null): void {
    const previous = this.currentToken;
    this.currentToken = token;
    if (!token) {
      this.socket?.disconnect();
      this._status.set('disconnected');
      return;
    }
    if (!this.socket) {
      this.socket = this.createSocket((cb) => cb({ token: this.currentToken }));
      this.wire(this.socket);
      this._status.set('connecting');
      this.socket.connect();
    } else if (previous !== token) {
      // Re-authenticate: the server checks the token at handshake time only.
      this._status.set('connecting');
      this.socket.disconnect();
      this.socket.connect();
    }
  }

  private sendServerSub(serverId: string, listeners: AckListener[]): void {
    this.sendSub((ack) => this.socket?.emit('subscribe', { serverId }, ack), listeners, (l) => !!this.serverSubs.get(serverId)?.has(l));
  }

  private sendFleetSub(listeners: AckListener[]): void {
    this.sendSub((ack) => this.socket?.emit('subscribe_fleet', ack), listeners, (l) => this.fleetSubs.has(l));
  }

  /**
   * Sends a subscription for `listeners` and hands them its answer. After `unavailable` it is sent
   * again once the backoff has passed (SUBSCRIBE_RETRY_MS), for the listeners still wanted, if the
   * same socket is still connected (a reconnect sends every subscription anyway).
   */
  private sendSub(send: (ack: AckListener) => void, listeners: AckListener[], wanted: (l: AckListener) => boolean, attempt = 0): void {
    send((ack) => {
      listeners.filter(wanted).forEach((l) => l(ack));
      if (ack.ok || ack.error !== 'unavailable') return;
      const socket = this.socket;
      setTimeout(() => {
        const still = listeners.filter(wanted);
        if (still.length && socket && this.socket === socket && socket.connected) this.sendSub(send, still, wanted, attempt + 1);
      }, Math.min(SUBSCRIBE_RETRY_MAX_MS, SUBSCRIBE_RETRY_MS * 2 ** attempt));
    });
  }

  private wire(socket: LiveSocket): void {
    for (const event of EVENTS) {
      socket.on(event as 'metrics', (payload: unknown) => this.events$.next({ event, payload }) as never);
    }
    socket.on('connect', () => {
      this._status.set('connected');
      for (const [serverId, listeners] of this.serverSubs) this.sendServerSub(serverId, [...listeners]);
      if (this.fleetSubs.size) this.sendFleetSub([...this.fleetSubs]);
    });
    socket.on('disconnect', (reason) => {
      this.disconnects$.next(reason);
      if (!this.currentToken) {
        this._status.set('disconnected');
      } else if (reason === 'io server disconnect') {
        // The server dropped us (usually an expired token): renew, the token effect reconnects.
        this._status.set('disconnected');
        this.renewAndReconnect();
      } else {
        this._status.set(reason === 'io client disconnect' ? 'disconnected' : 'connecting');
      }
    });
    socket.on('connect_error', (err: Error) => {
      if (err?.message === 'unauthorized') {
        this._status.set('disconnected');
        this.renewAndReconnect();
      } else {
        this._status.set(socket.active ? 'connecting' : 'disconnected');
      }
    });
    socket.on('session_expired', (payload) => {
      if (payload?.reason !== 'revoked') return this.renewAndReconnect();
      // The session was ended. If this tab changed the password, the new tokens are on their way
      // in that response (a refresh with the old refresh token now would be refused and end the
      // session): wait for them; the token effect reconnects. Otherwise refresh after the grace.
      const token = this.currentToken;
      this.authRetryToken = token;
      this._status.set('disconnected');
      setTimeout(() => {
        if (!token || this.currentToken !== token) return;
        this.authRetryToken = null;
        this.renewAndReconnect();
      }, REVOKED_GRACE_MS);
    });
  }

  /** One refresh attempt per token; a fresh token reconnects through the token effect. */
  private renewAndReconnect(): void {
    const token = this.currentToken;
    if (!token || this.authRetryToken === token) return;
    this.authRetryToken = token;
    this.auth.refresh().subscribe({
      next: (res) => {
        // Same token back (unusual): reconnect explicitly.
        if (res.accessToken === token) this.socket?.connect();
      },
      error: (err: unknown) => {
        if (isRefreshRejection(err)) {
          this.auth.expireSession(); // the refresh cookie was refused: the session is over
        } else {
          // Backend unreachable: try again later with whatever token we have then.
          setTimeout(() => {
            this.authRetryToken = null;
            if (this.currentToken) this.socket?.connect();
          }, 5_000);
        }
      },
    });
  }
}
