import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import type { ContainerActionQuery, ContainerEvent, ContainerMutation } from '@chatops/protocol';
import { Subject, Subscription, debounceTime, filter } from 'rxjs';
import { DockerApi } from '../../core/api/docker-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { NotifyService } from '../../core/notify/notify.service';
import { ServerContext } from '../server-detail/server-context';
import { actionSpec } from './container-actions';
import { ContainerRow, applyEvent, applySample, mergeList } from './container-rows';

/** Recent container events shown (REST first page, then live ones on top). */
export const RECENT_EVENTS_SHOWN = 50;
/** Events that change which containers exist or their Docker status text: the list is read again, this long after the last one. */
export const REFRESH_AFTER_EVENT_MS = 1_000;

export type ListState = 'idle' | 'loading' | 'ready' | 'error';

/** The `code` of an API error body, if any. */
export function errorCode(err: unknown): string | undefined {
  if (!(err instanceof HttpErrorResponse) || typeof err.error !== 'object' || !err.error) return undefined;
  const code = (err.error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The Containers tab's state, provided by its page: the container list (REST), kept live from the
 * server's samples (state, CPU, memory) and `container_event`s; the recent events; the actions in
 * flight. While the agent is offline or has no Docker the list is not asked for.
 */
@Injectable()
export class ContainersStore {
  private readonly api = inject(DockerApi);
  private readonly metrics = inject(MetricsApi);
  private readonly live = inject(LiveSocketService);
  private readonly notify = inject(NotifyService);
  private readonly ctx = inject(ServerContext);

  readonly rows = signal<ContainerRow[]>([]);
  readonly listState = signal<ListState>('idle');
  readonly listError = signal<{ message: string; code?: string } | null>(null);
  readonly events = signal<ContainerEvent[]>([]);
  /** Learnt from a 403 `docker.read_only` (an older agent's hello does not say so). */
  private readonly refusedChanges = signal(false);
  /** Container id → the action in flight. */
  readonly pending = signal<ReadonlyMap<string, ContainerMutation>>(new Map());

  readonly online = computed(() => this.ctx.server()?.status === 'online');
  readonly hasAgent = computed(() => !!this.ctx.server()?.agent);
  readonly dockerCapable = computed(() => this.ctx.server()?.agent?.capabilities.docker === true);
  /** The agent lists but refuses every action (`--docker-read-only`): its hello says so, or a 403 did. */
  readonly readOnly = computed(() => this.ctx.server()?.agent?.capabilities.dockerReadOnly === true || this.refusedChanges());
  /** The list can be asked for: the agent is connected and reports Docker. */
  readonly usable = computed(() => this.online() && this.dockerCapable());

  private readonly refresh$ = new Subject<void>();
  private readonly subs = new Subscription();
  private listSub: Subscription | null = null;
  private loadedFor = '';

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.subs.unsubscribe();
      this.listSub?.unsubscribe();
    });
    const id = () => this.ctx.id();
    this.subs.add(this.refresh$.pipe(debounceTime(REFRESH_AFTER_EVENT_MS)).subscribe(() => this.loadList(false)));
    this.subs.add(
      this.live.on('metrics').pipe(filter((m) => m.serverId === id())).subscribe((m) => {
        if (m.sample.containers && this.listState() === 'ready') this.rows.update((rows) => applySample(rows, m.sample.containers!));
      }),
    );
    this.subs.add(
      this.live.on('container_event').pipe(filter((e) => e.serverId === id())).subscribe(({ event }) => {
        this.events.update((list) => [event, ...list].slice(0, RECENT_EVENTS_SHOWN));
        this.rows.update((rows) => applyEvent(rows, event));
        const known = this.rows().some((r) => r.id === event.containerId || r.name === event.name);
        if (!known || event.action === 'create' || event.action === 'destroy' || event.action === 'die' || event.action === 'start' || event.action === 'health_status') this.refresh$.next();
      }),
    );
    // Events are delivered at most once: after the live connection comes back, read what was missed.
    let wasConnected = this.live.status() === 'connected';
    effect(() => {
      const connected = this.live.status() === 'connected';
      untracked(() => {
        if (connected && !wasConnected && this.loadedFor) {
          this.loadEvents();
          this.loadList(false);
        }
        wasConnected = connected;
      });
    });
    // (Re)load when the tab opens for a server and whenever its agent comes back with Docker.
    effect(() => {
      const serverId = this.ctx.id();
      const usable = this.usable();
      untracked(() => {
        if (serverId && serverId !== this.loadedFor) {
          this.loadedFor = serverId;
          this.rows.set([]);
          this.refusedChanges.set(false);
          this.loadEvents();
          if (usable) this.loadList(true);
        } else if (usable && this.listState() !== 'loading') {
          this.loadList(this.listState() !== 'ready');
        }
      });
    });
  }

  /** Reads the list; `showLoading`: skeleton first (first load, retry), else refreshed in place. */
  loadList(showLoading = true): void {
    const serverId = this.ctx.id();
    if (!serverId || !this.usable()) return;
    if (showLoading) this.listState.set('loading');
    this.listSub?.unsubscribe();
    this.listSub = this.api.containers(serverId).subscribe({
      next: (list) => {
        if (serverId !== this.ctx.id()) return;
        const first = this.listState() !== 'ready';
        this.rows.update((rows) => mergeList(rows, list));
        this.listError.set(null);
        this.listState.set('ready');
        if (first) this.seedFromLatestSample(serverId);
      },
      error: (err: unknown) => {
        if (serverId !== this.ctx.id()) return;
        const info = describeHttpError(err);
        const code = errorCode(err);
        if (code === 'docker.disabled') this.ctx.reload();
        this.listError.set({ message: info.requestId ? `${info.message} (request ${info.requestId})` : info.message, code });
        this.listState.set('error');
      },
    });
  }

  loadEvents(): void {
    const serverId = this.ctx.id();
    this.api.events(serverId, RECENT_EVENTS_SHOWN).subscribe({
      next: (list) => {
        if (serverId !== this.ctx.id()) return;
        // Live events may have arrived while the page was read: keep them on top, once.
        const live = this.events().filter((e) => !list.some((l) => l.time === e.time && l.containerId === e.containerId && l.action === e.action));
        this.events.set([...live, ...list].slice(0, RECENT_EVENTS_SHOWN));
      },
      error: () => undefined, // the list stays empty; the table does not depend on it
    });
  }

  /**
   * Runs an action on each container (one request each, in parallel); one toast for the outcome,
   * Docker's own message for a failure. The list is read again afterwards.
   */
  act(targets: readonly ContainerRow[], action: ContainerMutation, options: ContainerActionQuery = {}): Promise<void> {
    const serverId = this.ctx.id();
    const spec = actionSpec(action);
    const runs = targets.map(
      (row) =>
        new Promise<{ row: ContainerRow; err?: unknown }>((resolve) => {
          this.setPending(row.id, action);
          this.api.act(serverId, row.id, action, options).subscribe({
            next: () => resolve({ row }),
            error: (err: unknown) => resolve({ row, err }),
          });
        }).finally(() => this.setPending(row.id, null)),
    );
    return Promise.all(runs).then((results) => {
      if (serverId !== this.ctx.id()) return;
      const failed = results.filter((r) => r.err !== undefined);
      const ok = results.length - failed.length;
      for (const f of failed) this.failed(f.row, action, f.err);
      if (ok) this.notify.success(results.length === 1 ? `${spec.done} ${targets[0].name}` : `${spec.done} ${ok} of ${results.length} containers`);
      if (action === 'remove' && ok) {
        const removed = new Set(results.filter((r) => r.err === undefined).map((r) => r.row.id));
        this.rows.update((rows) => rows.filter((r) => !removed.has(r.id)));
      }
      this.loadList(false);
    });
  }

  private failed(row: ContainerRow, action: ContainerMutation, err: unknown): void {
    const info = describeHttpError(err);
    const code = errorCode(err);
    if (code === 'docker.read_only') this.refusedChanges.set(true);
    if (code === 'docker.disabled') this.ctx.reload();
    this.notify.error(`Could not ${action} ${row.name}: ${info.message}`, info.requestId);
  }

  private setPending(id: string, action: ContainerMutation | null): void {
    this.pending.update((m) => {
      const next = new Map(m);
      if (action) next.set(id, action);
      else next.delete(id);
      return next;
    });
  }

  /** CPU and memory right away from the newest stored sample, instead of waiting for the next one. */
  private seedFromLatestSample(serverId: string): void {
    this.metrics.latest(serverId).subscribe({
      next: (latest) => {
        if (serverId === this.ctx.id() && latest.sample.containers) this.rows.update((rows) => applySample(rows, latest.sample.containers!));
      },
      error: () => undefined,
    });
  }
}
