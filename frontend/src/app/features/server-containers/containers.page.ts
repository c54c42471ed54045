import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { ContainerMutation } from '@chatops/protocol';
import { interval } from 'rxjs';
import { BytesPipe, Percent1Pipe } from '../../shared/format/format.pipes';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { SparklineComponent } from '../../shared/ui/sparkline.component';
import { can, deniedReason } from '../../core/access/access';
import { ServerContext } from '../server-detail/server-context';
import { confirmContainerAction } from './container-action-dialog.component';
import { ACTIONS, actionSpec, actionsFor } from './container-actions';
import { ContainerDrawerComponent, DrawerTab } from './container-drawer.component';
import { ContainerEventsComponent } from './container-events.component';
import { ContainerRow, formatPorts, uptimeOf } from './container-rows';
import { ContainerStateComponent } from './container-state.component';
import { ContainersStore } from './containers-store';

export type ContainersView = 'no-agent' | 'offline' | 'no-docker' | 'loading' | 'error' | 'empty' | 'table';

/**
 * `/servers/:id/containers`: the server's Docker containers, live (state, CPU, memory from each
 * sample; state changes from `container_event`), with actions per row and for a selection
 * (destructive ones confirmed), a drawer per container (logs, inspect, trends and events) and the
 * server's recent container events.
 */
@Component({
  selector: 'app-containers-page',
  imports: [
    MatButtonModule, MatCheckboxModule, MatMenuModule, MatProgressSpinnerModule, MatSidenavModule, MatTooltipModule,
    IconComponent, EmptyStateComponent, SkeletonListComponent, SparklineComponent, CopyBlockComponent,
    ContainerStateComponent, ContainerEventsComponent, ContainerDrawerComponent, BytesPipe, Percent1Pipe,
  ],
  providers: [ContainersStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './containers.page.html',
  styleUrl: './containers.page.scss',
})
export class ContainersPage {
  protected readonly ctx = inject(ServerContext);
  protected readonly store = inject(ContainersStore);
  private readonly dialog = inject(MatDialog);

  protected readonly actions = ACTIONS;
  /** Whether the caller's role allows Docker actions here (docs/access.md); the reason when not. */
  protected readonly mayAct = computed(() => can(this.ctx.server(), 'docker.action'));
  protected readonly deniedReason = computed(() => deniedReason(this.ctx.server(), 'docker.action'));
  /** No action controls: the agent is read-only, or the role does not allow actions. */
  protected readonly locked = computed(() => this.store.readOnly() || !this.mayAct());
  protected readonly now = signal(Date.now());
  /** Selected container ids (kept only while the container is listed). */
  private readonly selectedIds = signal<ReadonlySet<string>>(new Set());
  protected readonly selected = computed(() => this.store.rows().filter((r) => this.selectedIds().has(r.id)));
  protected readonly allSelected = computed(() => this.store.rows().length > 0 && this.selected().length === this.store.rows().length);
  /** The container open in the drawer (by id: the row object changes with every sample). */
  private readonly drawerId = signal<string | null>(null);
  protected readonly drawerTab = signal<DrawerTab>('logs');
  protected readonly drawerRow = computed(() => this.store.rows().find((r) => r.id === this.drawerId()) ?? null);

  protected readonly view = computed<ContainersView>(() => {
    const s = this.store;
    if (!s.hasAgent()) return 'no-agent';
    if (!s.online()) return 'offline';
    if (!s.dockerCapable()) return 'no-docker';
    const state = s.listState();
    if (state === 'error') return 'error';
    if (state !== 'ready') return 'loading';
    return s.rows().length ? 'table' : 'empty';
  });
  protected readonly counts = computed(() => {
    const rows = this.store.rows();
    return { total: rows.length, running: rows.filter((r) => r.state === 'running').length };
  });

  constructor() {
    interval(10_000).pipe(takeUntilDestroyed()).subscribe(() => this.now.set(Date.now()));
  }

  protected actionsOf(row: ContainerRow): ContainerMutation[] {
    return actionsFor(row.state);
  }
  /** The one action shown as a button on the row: start a stopped container, stop a running one. */
  protected primaryOf(row: ContainerRow): ContainerMutation | null {
    const a = actionsFor(row.state);
    return a.includes('start') ? 'start' : a.includes('unpause') ? 'unpause' : a.includes('stop') ? 'stop' : null;
  }
  protected secondaryOf(row: ContainerRow): ContainerMutation[] {
    const primary = this.primaryOf(row);
    return actionsFor(row.state).filter((a) => a !== primary);
  }
  protected spec = actionSpec;
  protected uptime(row: ContainerRow): string {
    return uptimeOf(row, this.now());
  }
  protected ports(row: ContainerRow): string {
    return formatPorts(row.ports);
  }
  protected selectableFor(action: ContainerMutation): ContainerRow[] {
    return this.selected().filter((r) => actionsFor(r.state).includes(action) && !this.store.pending().has(r.id));
  }

  protected toggle(row: ContainerRow, on: boolean): void {
    this.selectedIds.update((s) => {
      const next = new Set(s);
      if (on) next.add(row.id);
      else next.delete(row.id);
      return next;
    });
  }
  protected toggleAll(on: boolean): void {
    this.selectedIds.set(on ? new Set(this.store.rows().map((r) => r.id)) : new Set());
  }

  protected open(row: ContainerRow, tab: DrawerTab): void {
    this.drawerTab.set(tab);
    this.drawerId.set(row.id);
  }
  protected closeDrawer(): void {
    this.drawerId.set(null);
  }

  /** One row or the selection: destructive actions are confirmed first (remove and kill take their options there). */
  run(action: ContainerMutation, targets: readonly ContainerRow[]): void {
    if (!targets.length) return;
    if (!actionSpec(action).destructive) {
      void this.store.act(targets, action);
      return;
    }
    confirmContainerAction(this.dialog, {
      action,
      names: targets.map((t) => t.name),
      serverName: this.ctx.server()?.name ?? 'the server',
      anyRunning: targets.some((t) => t.state === 'running' || t.state === 'paused' || t.state === 'restarting'),
    }).subscribe((options) => {
      if (options === undefined) return;
      void this.store.act(targets, action, options).then(() => {
        if (targets.length > 1) this.selectedIds.set(new Set());
      });
    });
  }
}
