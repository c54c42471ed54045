import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { Subscription } from 'rxjs';
import { LiveSocketService } from '../live/live-socket.service';
import { NotifyService } from '../notify/notify.service';
import { SEVERITY_WORDS } from './severity-words';

/**
 * The fleet's open-alert count for the top bar, and a toast when an alert fires. The count is the
 * sum of `openAlerts` of each server's `fleet_summary` (the server counts active and acknowledged
 * alerts); the fleet stream also brings every `alert` event of the user's servers.
 */
@Injectable({ providedIn: 'root' })
export class OpenAlertsService {
  private readonly live = inject(LiveSocketService);
  private readonly notify = inject(NotifyService);
  private readonly router = inject(Router);
  private readonly perServer = signal<ReadonlyMap<string, number>>(new Map());
  /** Active + acknowledged alerts on every server the user sees. */
  readonly total = computed(() => [...this.perServer().values()].reduce((a, b) => a + b, 0));

  /** Follows the fleet stream until the returned subscription ends (the shell holds it). */
  start(): Subscription {
    const sub = new Subscription();
    sub.add(this.live.subscribeFleet().subscribe());
    sub.add(
      this.live.on('fleet_summary').subscribe((s) => {
        if (typeof s.openAlerts !== 'number' || this.perServer().get(s.serverId) === s.openAlerts) return;
        this.perServer.update((m) => new Map(m).set(s.serverId, s.openAlerts));
      }),
    );
    sub.add(
      this.live.on('alert').subscribe(({ alert, change }) => {
        if (change !== 'fired') return;
        void this.notify.attention(`${SEVERITY_WORDS[alert.severity] ?? 'Alert'}: ${alert.message}`, 'View', () => void this.router.navigate(['/alerts', alert.id]));
      }),
    );
    return sub;
  }
}
