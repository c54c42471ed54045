import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, output, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import type { CommandRecord, CommandStatus } from '@chatops/protocol';
import { Subject, Subscription, debounceTime, distinctUntilChanged, filter } from 'rxjs';
import { CommandsApi } from '../../core/api/commands-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { RelativeTimePipe } from '../../shared/format/format.pipes';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { CommandOutputComponent } from './command-output.component';
import { CommandView, recordView } from './command-run';
import { CommandStatusComponent } from './command-status-badge.component';
import { formatDuration } from './format-duration';

export const HISTORY_PAGE_SIZE = 50;

/** The status filter's choices (a Record, so a new CommandStatus fails to compile until it is listed). */
const STATUS_LABELS: Record<Exclude<CommandStatus, 'running'>, string> = {
  completed: 'Completed', failed: 'Failed', timeout: 'Timed out', refused: 'Refused', unreachable: 'Agent offline',
};

type Expanded = { state: 'loading' } | { state: 'ready'; view: CommandView } | { state: 'error'; message: string };

/**
 * The server's command history: newest first, filters (status, text), "Load more" paging, each
 * row expandable to its output (`GET /commands/item/{id}`), and re-run. Commands that finish
 * while it is open are added at the top (when no filter is set: the server decides what a filter
 * matches).
 */
@Component({
  selector: 'app-command-history',
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatProgressBarModule, EmptyStateComponent, IconComponent, CommandOutputComponent, CommandStatusComponent, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './command-history.component.html',
  styleUrl: './command-history.component.scss',
})
export class CommandHistoryComponent {
  private readonly api = inject(CommandsApi);
  private readonly live = inject(LiveSocketService);
  readonly serverId = input.required<string>();
  /** The signed-in user's id: their rows say "you". */
  readonly userId = input<string | null>(null);
  /** Re-run this command (the page applies the dangerous-command check). */
  readonly rerun = output<string>();
  /** The first unfiltered page, once: the page seeds ↑/↓ recall from it. */
  readonly firstPage = output<CommandRecord[]>();

  protected readonly statuses = Object.entries(STATUS_LABELS).map(([value, label]) => ({ value: value as CommandStatus, label }));
  protected readonly items = signal<CommandRecord[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly loadingMore = signal(false);
  protected readonly hasMore = signal(false);
  protected readonly status = signal<CommandStatus | ''>('');
  protected readonly q = signal('');
  protected readonly filtered = computed(() => this.status() !== '' || this.q().trim() !== '');
  protected readonly expanded = signal<ReadonlyMap<string, Expanded>>(new Map());
  protected readonly now = signal(Date.now());
  protected readonly formatDuration = formatDuration;

  private readonly text$ = new Subject<string>();
  private pageSub: Subscription | null = null;
  private seeded = false;

  constructor() {
    effect(() => {
      const id = this.serverId();
      untracked(() => this.reload(id));
    });
    this.text$.pipe(debounceTime(300), distinctUntilChanged(), takeUntilDestroyed()).subscribe((q) => {
      this.q.set(q);
      this.reload(this.serverId());
    });
    this.live
      .on('command_finished')
      .pipe(filter((e) => e.serverId === this.serverId()), takeUntilDestroyed())
      .subscribe((e) => this.onFinished(e.command));
    inject(DestroyRef).onDestroy(() => this.pageSub?.unsubscribe());
  }

  protected setStatus(status: CommandStatus | ''): void {
    this.status.set(status);
    this.reload(this.serverId());
  }

  protected typed(value: string): void {
    this.text$.next(value);
  }

  protected retry(): void {
    this.reload(this.serverId());
  }

  protected loadMore(): void {
    const last = this.items().at(-1);
    if (!last || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.pageSub = this.api.history(this.serverId(), this.query(last.commandId)).subscribe({
      next: (page) => {
        const known = new Set(this.items().map((r) => r.commandId));
        this.items.update((items) => [...items, ...page.filter((r) => !known.has(r.commandId))]);
        this.hasMore.set(page.length >= HISTORY_PAGE_SIZE);
        this.loadingMore.set(false);
      },
      error: () => this.loadingMore.set(false), // the error toast says why; the button stays for another try
    });
  }

  protected toggle(r: CommandRecord): void {
    const map = new Map(this.expanded());
    if (map.has(r.commandId)) {
      map.delete(r.commandId);
      return this.expanded.set(map);
    }
    map.set(r.commandId, { state: 'loading' });
    this.expanded.set(map);
    this.api.item(r.commandId).subscribe({
      next: (full) => this.setExpanded(r.commandId, { state: 'ready', view: recordView(full) }),
      error: (err: unknown) => this.setExpanded(r.commandId, { state: 'error', message: describeHttpError(err).message }),
    });
  }

  protected duration(r: CommandRecord): string {
    return formatDuration(r.durationMs);
  }

  private setExpanded(id: string, value: Expanded): void {
    if (!this.expanded().has(id)) return; // collapsed meanwhile
    this.expanded.set(new Map(this.expanded()).set(id, value));
  }

  private query(before?: string) {
    return { limit: HISTORY_PAGE_SIZE, before, status: this.status(), q: this.q() };
  }

  private reload(serverId: string): void {
    this.pageSub?.unsubscribe();
    this.state.set('loading');
    this.loadingMore.set(false);
    this.now.set(Date.now());
    const unfiltered = !this.filtered();
    this.pageSub = this.api.history(serverId, this.query()).subscribe({
      next: (page) => {
        this.items.set(page);
        this.hasMore.set(page.length >= HISTORY_PAGE_SIZE);
        this.state.set('ready');
        if (unfiltered && !this.seeded) {
          this.seeded = true;
          this.firstPage.emit(page);
        }
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  private onFinished(record: CommandRecord): void {
    if (this.filtered() || this.state() !== 'ready') return;
    this.now.set(Date.now());
    this.items.update((items) => [record, ...items.filter((r) => r.commandId !== record.commandId)]);
  }
}
