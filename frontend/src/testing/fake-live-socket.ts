import { Injectable, signal } from '@angular/core';
import type { SubscribeAck } from '@chatops/protocol';
import { Observable, Subject, filter, map } from 'rxjs';
import {
  LiveRequestError,
  type LiveAckEvent, type LiveAckRequest, type LiveAckResponse, type LiveEventName, type LiveEventPayload, type LiveSendEvent,
  type LiveSendPayload, type LiveStatus,
} from '../app/core/live/live-socket.service';

/** A request the page made; the test answers it with `ack()` or `fail()`. */
export interface PendingRequest<E extends LiveAckEvent = LiveAckEvent> {
  event: E;
  payload: LiveAckRequest<E>;
  ack: (res: LiveAckResponse<E>) => void;
  fail: (reason: LiveRequestError['reason']) => void;
}

/** Stand-in for LiveSocketService in component tests: emit server events with `emit()`. */
@Injectable()
export class FakeLiveSocketService {
  readonly status = signal<LiveStatus>('connected');
  readonly subscribedServers: string[] = [];
  fleetSubscriptions = 0;
  /** Requests (`terminal_open`...) waiting for the test's answer, oldest first. */
  readonly requests: PendingRequest[] = [];
  /** One-way frames sent (`terminal_input`, `terminal_resize`, `terminal_close`), in order. */
  readonly sent: { event: LiveSendEvent; payload: unknown }[] = [];
  private readonly events$ = new Subject<{ event: string; payload: unknown }>();
  private readonly disconnects$ = new Subject<string>();
  readonly disconnects = this.disconnects$.asObservable();

  on<E extends LiveEventName>(event: E): Observable<LiveEventPayload<E>> {
    return this.events$.pipe(filter((e) => e.event === event), map((e) => e.payload as LiveEventPayload<E>));
  }
  subscribeServer(serverId: string): Observable<SubscribeAck> {
    return new Observable((s) => {
      this.subscribedServers.push(serverId);
      s.next({ ok: true });
      return () => this.subscribedServers.splice(this.subscribedServers.indexOf(serverId), 1);
    });
  }
  subscribeFleet(): Observable<SubscribeAck> {
    return new Observable((s) => {
      this.fleetSubscriptions++;
      s.next({ ok: true });
      return () => this.fleetSubscriptions--;
    });
  }
  request<E extends LiveAckEvent>(event: E, payload: LiveAckRequest<E>): Promise<LiveAckResponse<E>> {
    if (this.status() !== 'connected') return Promise.reject(new LiveRequestError('not_connected'));
    return new Promise((resolve, reject) => {
      const pending: PendingRequest<E> = { event, payload, ack: resolve, fail: (reason) => reject(new LiveRequestError(reason)) };
      this.requests.push(pending as unknown as PendingRequest);
    });
  }
  send<E extends LiveSendEvent>(event: E, payload: LiveSendPayload<E>): boolean {
    if (this.status() !== 'connected') return false;
    this.sent.push({ event, payload });
    return true;
  }
  emit<E extends LiveEventName>(event: E, payload: LiveEventPayload<E>): void {
    this.events$.next({ event, payload });
  }
  /** The connection dropped (status becomes `connecting`, as while socket.io retries). */
  drop(reason = 'transport close'): void {
    this.status.set('connecting');
    this.disconnects$.next(reason);
  }
  /** The oldest pending request of that event; throws when there is none. */
  takeRequest<E extends LiveAckEvent>(event: E): PendingRequest<E> {
    const i = this.requests.findIndex((r) => r.event === event);
    if (i < 0) throw new Error(`No pending ${event} request (pending: ${this.requests.map((r) => r.event).join(', ') || 'none'})`);
    return this.requests.splice(i, 1)[0] as unknown as PendingRequest<E>;
  }
}
