import { ChangeDetectionStrategy, Component, DestroyRef, PendingTasks, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import type { Server } from '@chatops/protocol';
import { EMPTY, catchError, filter, from, interval, map, mergeMap, switchMap } from 'rxjs';
import { OpenAlertsService } from '../../core/alerts/open-alerts.service';
import { describeHttpError } from '../../core/api/error-message';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { ServersApi } from '../../core/api/servers-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { FleetBulkActions, type BulkOutcome } from './fleet-bulk.service';
import { FleetBulkBarComponent } from './fleet-bulk-bar.component';
import { DEFAULT_DIR, SORT_LABELS, fleetItems, fleetTags, filterIds, nameOrder, rankIds, type FleetFilter, type SortDir, type SortKey, type StatusFilter } from './fleet-order';
import { pruneSelection, selectAll, selectRange, selectionState, toggleOne } from './fleet-selection';
import { FleetCard, SPARK_POINTS, SPARK_SEED_MS, applyStatus, applySummary, cardFromServer, cardsToSeed, seedTrend } from './fleet-state';
import { FleetTableComponent, type RowToggle } from './fleet-table.component';
import { CARDS_PAGE_SIZE, defaultView, sameIds, storeView, storedView, type FleetView } from './fleet-view';
import { ServerCardComponent } from './server-card.component';

/** A sort by a value that changes with every sample (CPU, last seen...) is redone this often, not on each sample. */
export const RESORT_MS = 10_000;

@Component({
  selector: 'app-overview-page',
  imports: [
    FormsModule, RouterLink, MatButtonModule, MatButtonToggleModule, MatCheckboxModule, MatFormFieldModule, MatInputModule, MatSelectModule,
    EmptyStateComponent, SkeletonListComponent, ServerCardComponent, IconComponent, FleetTableComponent, FleetBulkBarComponent,
  ],
  providers: [FleetBulkActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './overview.page.html',
  styleUrl: './overview.page.scss',
})
export class OverviewPage {
  private readonly api = inject(ServersApi);
  private readonly live = inject(LiveSocketService);
  private readonly metricsApi = inject(MetricsApi);
  private readonly notify = inject(NotifyService);
  private readonly dialog = inject(MatDialog);
  private readonly bulk = inject(FleetBulkActions);
  protected readonly openAlerts = inject(OpenAlertsService);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  /** serverId → card; live events replace entries immutably so OnPush children update. */
  protected readonly cards = signal<Map<string, FleetCard>>(new Map());
  protected readonly query = signal('');
  protected readonly statusFilter = signal<StatusFilter>('all');
  protected readonly tagFilter = signal<string | null>(null);
  protected readonly groupByTag = signal(false);
  protected readonly sort = signal<SortKey>('name');
  protected readonly dir = signal<SortDir>('asc');
  protected readonly now = signal(Date.now());
  protected readonly sortLabels = SORT_LABELS;
  protected readonly sortKeys = Object.keys(SORT_LABELS) as SortKey[];
  protected readonly resortSeconds = RESORT_MS / 1000;

  protected readonly total = computed(() => this.cards().size);
  protected readonly onlineCount = computed(() => {
    let n = 0;
    for (const c of this.cards().values()) if (c.status === 'online') n++;
    return n;
  });
  /** The server list as last loaded (changes on load and bulk edits, not on live samples). */
  private readonly servers = signal<Server[]>([]);
  private readonly byName = computed(() => nameOrder(this.servers()));
  protected readonly tags = computed(() => fleetTags(this.servers()));

  /** The user's choice of view in this browser; until they choose, large fleets open as a table. */
  private readonly viewChoice = signal<FleetView | null>(storedView());
  protected readonly view = computed<FleetView>(() => this.viewChoice() ?? defaultView(this.total()));

  /**
   * Every server in the current sort, as a snapshot taken when the sort changes, when servers come
   * or go, and every RESORT_MS (unless the user is pointing at or focused in the list): live values
   * update rows in place between snapshots, so nothing moves under the user on every sample.
   */
  private readonly order = signal<string[]>([]);
  /** The pointer or the keyboard focus is in the list: the timed re-sort waits ("order paused"). */
  protected readonly watching = signal(false);
  protected readonly liveSort = computed(() => this.sort() !== 'name');
  private readonly filter = computed<FleetFilter>(() => ({ query: this.query(), status: this.statusFilter(), tag: this.tagFilter() }));
  /** The ids the filter shows, in order; the same array while they do not change (so the rows are not rebuilt). */
  protected readonly shownIds = computed(() => {
    const f = this.filter();
    // Live values matter to the filter only through the status; otherwise the server list is enough.
    const cards = f.status === 'all' ? untracked(this.cards) : this.cards();
    return filterIds(this.order(), cards, f);
  }, { equal: sameIds });
  protected readonly items = computed(() => {
    this.servers(); // tags come from the server list
    return fleetItems(this.shownIds(), untracked(this.cards), this.groupByTag());
  });
  /** Cards view: one page of the items at a time. */
  protected readonly page = signal(0);
  protected readonly pageCount = computed(() => Math.max(1, Math.ceil(this.items().length / CARDS_PAGE_SIZE)));
  protected readonly pageItems = computed(() => this.items().slice(this.page() * CARDS_PAGE_SIZE, (this.page() + 1) * CARDS_PAGE_SIZE));

  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  private anchor: string | null = null;
  protected readonly selectAllState = computed(() => selectionState(this.selected(), this.shownIds()));
  protected readonly selectedTags = computed(() => {
    const cards = untracked(this.cards), all = new Set<string>();
    this.servers();
    for (const id of this.selected()) for (const t of cards.get(id)?.server.tags ?? []) all.add(t);
    return [...all].sort();
  });
  protected readonly busy = signal(false);

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
    interval(RESORT_MS).pipe(takeUntilDestroyed()).subscribe(() => {
      if (this.liveSort() && !this.watching()) this.resort();
    });
    // A new sort order or a change in the set of servers: sort now.
    effect(() => {
      this.sort();
      this.dir();
      this.byName();
      untracked(() => this.resort());
    });
    // Another filter: back to the first page of cards.
    effect(() => {
      this.filter();
      this.groupByTag();
      untracked(() => this.page.set(0));
    });
    this.destroyRef.onDestroy(() => {
      if (this.frame != null) cancelAnimationFrame(this.frame);
      this.frameDone?.();
    });
  }

  protected resort(): void {
    this.order.set(rankIds(this.cards().values(), this.sort(), this.dir(), this.byName()));
  }

  /** A column header: the same column again reverses the direction; another starts in its natural one. */
  protected sortBy(key: SortKey): void {
    if (this.sort() === key) this.dir.set(this.dir() === 'asc' ? 'desc' : 'asc');
    else {
      this.sort.set(key);
      this.dir.set(DEFAULT_DIR[key]);
    }
  }

  protected setSort(key: SortKey): void {
    this.sort.set(key);
    this.dir.set(DEFAULT_DIR[key]);
  }

  protected setView(view: FleetView): void {
    this.viewChoice.set(view);
    storeView(view);
  }

  protected load(): void {
    this.loading.set(true);
    this.loadError.set(null);
    // Quiet: the page shows the failure once, inline with a retry (the error interceptor's toast would say it twice).
    this.api.list(undefined, true).pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (servers) => {
        this.setServers(servers);
        this.loading.set(false);
        this.seedTrends();
      },
      error: (err: unknown) => {
        this.loadError.set(describeHttpError(err).message);
        this.loading.set(false);
      },
    });
  }

  /** Replaces the server list, keeping live data (trend, values) already received for servers we know. */
  private setServers(servers: Server[]): void {
    const prev = this.cards();
    this.cards.set(new Map(servers.map((s) => [s.id, prev.has(s.id) ? { ...prev.get(s.id)!, server: s } : cardFromServer(s)])));
    this.servers.set(servers);
    this.resort(); // before the next render: the rows never show unsorted (or empty)
    this.selected.set(pruneSelection(this.selected(), (id) => this.cards().has(id)));
  }

  protected clearFilters(): void {
    this.query.set('');
    this.statusFilter.set('all');
    this.tagFilter.set(null);
  }

  // ---- selection and bulk actions ----------------------------------------------------

  protected onToggle(t: RowToggle): void {
    this.selected.set(t.shift ? selectRange(this.selected(), this.shownIds(), this.anchor, t.id, t.on) : toggleOne(this.selected(), t.id, t.on));
    this.anchor = t.id;
  }

  protected onToggleAll(on: boolean): void {
    this.selected.set(selectAll(this.selected(), this.shownIds(), on));
  }

  protected clearSelection(): void {
    this.selected.set(new Set());
    this.anchor = null;
  }

  private selectedServers(): Server[] {
    const cards = this.cards();
    return [...this.selected()].flatMap((id) => {
      const c = cards.get(id);
      return c ? [c.server] : [];
    });
  }

  protected addTag(tag: string): void {
    this.runBulk(this.bulk.addTag(this.selectedServers(), tag), `Tag "${tag}" added to`, 'tagged');
  }

  protected removeTag(tag: string): void {
    this.runBulk(this.bulk.removeTag(this.selectedServers(), tag), `Tag "${tag}" removed from`, 'untagged');
  }

  protected deleteSelected(): void {
    const servers = this.selectedServers();
    if (!servers.length) return;
    const n = servers.length;
    const names = servers.slice(0, 5).map((s) => s.name).join(', ') + (n > 5 ? ` and ${n - 5} more` : '');
    openConfirm(this.dialog, {
      title: `Delete ${n} server${n === 1 ? '' : 's'}?`,
      message: `${names}: their keys, metrics, alerts and history are removed, and their agents disconnected. This cannot be undone.`,
      confirmText: `Delete ${n} server${n === 1 ? '' : 's'}`,
      requireText: n > 1 ? `delete ${n}` : undefined,
    }).pipe(
      filter((ok) => ok === true),
      switchMap(() => {
        this.busy.set(true);
        return this.bulk.remove(servers.map((s) => s.id));
      }),
      takeUntilDestroyed(this.destroyRef),
    ).subscribe((outcome) => this.finishBulk(outcome, 'Deleted', 'deleted'));
  }

  private runBulk(action: ReturnType<FleetBulkActions['addTag']>, doneText: string, verb: string): void {
    this.busy.set(true);
    action.pipe(takeUntilDestroyed(this.destroyRef)).subscribe((outcome) => this.finishBulk(outcome, doneText, verb));
  }

  /** Applies what the server answered (no reload), then reports once for the whole action. */
  private finishBulk(outcome: BulkOutcome, doneText: string, verb: string): void {
    this.busy.set(false);
    const changed = new Map(outcome.done.map((d) => [d.id, d.server]));
    const servers = this.servers().flatMap((s) => {
      if (!changed.has(s.id)) return [s];
      const next = changed.get(s.id);
      return next ? [next] : []; // no new state: deleted
    });
    this.setServers(servers);
    const n = outcome.done.length;
    if (outcome.failed.length) {
      const first = outcome.failed[0].message;
      this.notify.error(`${n ? `${doneText} ${n} server${n === 1 ? '' : 's'}; ` : ''}${outcome.failed.length} could not be ${verb}: ${first}`);
    } else {
      this.notify.success(`${doneText} ${n} server${n === 1 ? '' : 's'}${outcome.skipped ? ` (${outcome.skipped} unchanged)` : ''}`);
    }
  }

  /** Sparklines start with the last minutes of history instead of blank (a few cards at a time). */
  private seedTrends(): void {
    const end = new Date();
    const start = new Date(end.getTime() - SPARK_SEED_MS);
    if (this.view() !== 'cards') return; // the table has no sparklines
    const cards = this.cards();
    const firstShown = this.shownIds().slice(0, CARDS_PAGE_SIZE).flatMap((id) => cards.get(id) ?? []);
    from(cardsToSeed(firstShown, end.getTime()))
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
