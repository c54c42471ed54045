import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { Alert, Severity } from '@chatops/protocol';
import { Subscription } from 'rxjs';
import { AlertsApi } from '../api/alerts-api.service';
import { LiveSocketService } from '../live/live-socket.service';
import { NotifyService } from '../notify/notify.service';
import { SEVERITY_WORDS } from './severity-words';

export type SeverityCounts = Record<Severity, number>;
/** Pages of open alerts read for the severity breakdown (200 each). */
export const OPEN_ALERT_PAGES = 5;

/**
 * The fleet's open alerts for the top bar and the overview cards, and a toast when an alert fires.
 * The count is the sum of `openAlerts` of each server's `fleet_summary` (the server counts active
 * and acknowledged alerts). The fleet stream carries counts only, so the per-severity breakdown
 * comes from `GET /alerts?status=open`, kept current by the `alert` events the same stream brings
 * (and read again after the connection dropped: events are delivered at most once).
 */
@Injectable({ providedIn: 'root' })
export class OpenAlertsService {
  private readonly live = inject(LiveSocketService);
  private readonly api = inject(AlertsApi);
  private readonly notify = inject(NotifyService);
  private readonly router = inject(Router);
  private readonly perServer = signal<ReadonlyMap<string, number>>(new Map());
  private readonly open = signal<ReadonlyMap<string, Pick<Alert, 'serverId' | 'severity'>>>(new Map());
  /** Active + acknowledged alerts on every server the user sees. */
  readonly total = computed(() => [...this.perServer().values()].reduce((a, b) => a + b, 0));
  /** Open alerts per server and severity. */
  readonly bySeverity = computed(() => {
    const out = new Map<string, SeverityCounts>();
    for (const a of this.open().values()) {
      const c = out.get(a.serverId) ?? { info: 0, warning: 0, critical: 0 };
      c[a.severity]++;
      out.set(a.serverId, c);
    }
    return out;
  });
  private stale = false;
  private retryAt = 0;
  private loadSub: Subscription | null = null;

  /** Follows the fleet stream until the returned subscription ends (the shell holds it). */
  start(): Subscription {
    // a new session (another user after a sign-out) starts from nothing
    this.perServer.set(new Map());
    this.open.set(new Map());
    this.retryAt = 0;
    const sub = new Subscription();
    sub.add(this.live.subscribeFleet().subscribe());
    sub.add(
      this.live.on('fleet_summary').subscribe((s) => {
        if (this.stale) this.loadOpen();
        if (typeof s.openAlerts !== 'number' || this.perServer().get(s.serverId) === s.openAlerts) return;
        this.perServer.update((m) => new Map(m).set(s.serverId, s.openAlerts));
      }),
    );
    sub.add(this.live.disconnects.subscribe(() => (this.stale = true)));
    sub.add(
      this.live.on('alert').subscribe(({ alert, change }) => {
        this.open.update((m) => {
          const next = new Map(m);
          if (alert.status === 'resolved') next.delete(alert.id);
          else next.set(alert.id, { serverId: alert.serverId, severity: alert.severity });
          return next;
        });
        if (change !== 'fired') return;
        void this.notify.attention(`${SEVERITY_WORDS[alert.severity] ?? 'Alert'}: ${alert.message}`, 'View', () => void this.router.navigate(['/alerts', alert.id]));
      }),
    );
    this.loadOpen();
    sub.add(() => this.loadSub?.unsubscribe());
    return sub;
  }

  private loadOpen(): void {
    if (Date.now() < this.retryAt) return;
    this.stale = false;
    this.loadSub?.unsubscribe();
    const found = new Map<string, Pick<Alert, 'serverId' | 'severity'>>();
    // page by page (no rxjs operators: they would be reached through the rxjs index from this chunk)
    const read = (before: string | undefined, pagesLeft: number): void => {
      this.loadSub = this.api.list({ status: 'open', limit: 200, before }, true).subscribe({
        next: (p) => {
          p.items.forEach((a) => found.set(a.id, { serverId: a.serverId, severity: a.severity }));
          if (p.nextCursor && pagesLeft > 1) read(p.nextCursor, pagesLeft - 1);
          else this.open.set(found);
        },
        error: () => {
          this.stale = true; // read again with a later summary
          this.retryAt = Date.now() + 30_000;
        },
      });
    };
    read(undefined, OPEN_ALERT_PAGES);
  }
}
