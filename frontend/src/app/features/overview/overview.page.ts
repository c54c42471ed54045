import { ChangeDetectionStrategy, Component, DestroyRef, PendingTasks, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { EMPTY, catchError, from, interval, map, mergeMap } from 'rxjs';
import { OpenAlertsService } from '../../core/alerts/open-alerts.service';
import { describeHttpError } from '../../core/api/error-message';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { ServersApi } from '../../core/api/servers-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { FleetCard, SPARK_POINTS, SPARK_SEED_MS, SortKey, StatusFilter, applyStatus, applySummary, cardFromServer, cardsToSeed, rankCards, seedTrend, visibleCards } from './fleet-state';
import { ServerCardComponent } from './server-card.component';

/** A sort by a value that changes with every sample (last seen) is redone this often, not on each sample. */
const RESORT_MS = 10_000;

@Component({
  selector: 'app-overview-page',
  imports: [FormsModule, RouterLink, MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatSelectModule, EmptyStateComponent, SkeletonListComponent, ServerCardComponent, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './overview.page.html',
  styleUrl: './overview.page.scss',
})
export class OverviewPage {
  private readonly api = inject(ServersApi);
  private readonly live = inject(LiveSocketService);
  private readonly metricsApi = inject(MetricsApi);
  protected readonly openAlerts = inject(OpenAlertsService);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  /** serverId → card; live events replace entries immutably so OnPush children update. */
  protected readonly cards = signal<Map<string, FleetCard>>(new Map());
  protected readonly query = signal('');
  protected readonly statusFilter = signal<StatusFilter>('all');
  protected readonly sort = signal<SortKey>('name');
  protected readonly now = signal(Date.now());

  protected readonly total = computed(() => this.cards().size);
  protected readonly onlineCount = computed(() => [...this.cards().values()].filter((c) => c.status === 'online').length);
  /**
   * Each card's place in the current sort, taken when the sort, search or filter changes, when
   * servers come or go, and every RESORT_MS: live values update the cards in place between those.
   */
  private readonly rank = signal<Map<string, number> | undefined>(undefined);
  protected readonly visible = computed(() => visibleCards([...this.cards().values()], this.query(), this.statusFilter(), this.sort(), this.rank()));
  private readonly pendingTasks = inject(PendingTasks);
  /** Live changes waiting for the next animation frame, applied together (one new Map per frame, not per event). */
  private pending: [string, (c: FleetCard) => FleetCard][] = [];
  private frame: number | null = null;
  private frameDone: (() => void) | null = null;

  constructor() {
    this.load();
    this.live.subscribeFleet().pipe(takeUntilDestroyed()).subscribe();
    this.live.on('fleet_summary').pipe(takeUntilDestroyed()).subscribe((s) => this.patch(s.serverId, (c) => applySummary(c, s)));
    this.live.on('server_status').pipe(takeUntilDestroyed()).subscribe((e) => this.patch(e.serverId, (c) => applyStatus(c, e)));
    interval(30_000).pipe(takeUntilDestroyed()).subscribe(() => this.now.set(Date.now()));
    interval(RESORT_MS).pipe(takeUntilDestroyed()).subscribe(() => this.resort());
    // A new sort order, search or filter, or a change in the set of servers: sort now.
    effect(() => {
      this.sort();
      this.query();
      this.statusFilter();
      this.total();
      untracked(() => this.resort());
    });
    this.destroyRef.onDestroy(() => {
      if (this.frame != null) cancelAnimationFrame(this.frame);
      this.frameDone?.();
    });
  }

  private resort(): void {
    this.rank.set(rankCards([...this.cards().values()], this.sort()));
  }

  protected load(): void {
    this.loading.set(true);
    this.loadError.set(null);
    this.api.list().pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (servers) => {
        const prev = this.cards();
        // Keep live data (trend) already received for servers we know.
        this.cards.set(new Map(servers.map((s) => [s.id, prev.has(s.id) ? { ...prev.get(s.id)!, server: s } : cardFromServer(s)])));
        this.loading.set(false);
        this.seedTrends();
      },
      error: (err: unknown) => {
        this.loadError.set(describeHttpError(err).message);
        this.loading.set(false);
      },
    });
  }

  protected clearFilters(): void {
    this.query.set('');
    this.statusFilter.set('all');
  }

  /** Sparklines start with the last minutes of history instead of blank (a few cards at a time). */
  private seedTrends(): void {
    const end = new Date();
    const start = new Date(end.getTime() - SPARK_SEED_MS);
    from(cardsToSeed(this.visible(), end.getTime()))
      .pipe(
        mergeMap((c) => this.metricsApi.trend(c.server.id, start, end, SPARK_POINTS).pipe(
          map((h) => [c.server.id, h.points.map((p) => p.cpuPercent)] as const),
          catchError(() => EMPTY),
        ), 4),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(([id, values]) => this.patch(id, (c) => seedTrend(c, values)));
  }

  /** Queues a change to a card; the changes of one animation frame are applied at once. */
  private patch(serverId: string, fn: (c: FleetCard) => FleetCard): void {
    this.pending.push([serverId, fn]);
    if (this.frame != null) return;
    this.frameDone = this.pendingTasks.add(); // whenStable (tests, SSR) waits for the frame
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const changes = this.pending;
      this.pending = [];
      const next = new Map(this.cards());
      for (const [id, change] of changes) {
        const card = next.get(id);
        if (card) next.set(id, change(card)); // unknown: a server not listed yet (created elsewhere); next load shows it
      }
      this.cards.set(next);
      this.frameDone?.();
      this.frameDone = null;
    });
  }
}
