import { Injectable, signal } from '@angular/core';
import type { SubscribeAck } from '@chatops/protocol';
import { Observable, Subject, filter, map } from 'rxjs';
import type { LiveEventName, LiveEventPayload, LiveStatus } from '../app/core/live/live-socket.service';

/** Stand-in for LiveSocketService in component tests: emit server events with `emit()`. */
@Injectable()
export class FakeLiveSocketService {
  readonly status = signal<LiveStatus>('connected');
  readonly subscribedServers: string[] = [];
  fleetSubscriptions = 0;
  private readonly events$ = new Subject<{ event: string; payload: unknown }>();

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
  emit<E extends LiveEventName>(event: E, payload: LiveEventPayload<E>): void {
    this.events$.next({ event, payload });
  }
}
