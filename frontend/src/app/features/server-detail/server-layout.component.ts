import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { interval } from 'rxjs';
import { RelativeTimePipe } from '../../shared/format/format.pipes';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { NotFoundComponent } from '../../shared/ui/not-found.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { StatusChipComponent } from '../../shared/ui/status-chip.component';
import { ServerContext } from './server-context';
import { SERVER_TABS } from './server-tabs';
import { deniedReason } from '../../core/access/access';

/** `/servers/:id`: the server's name and status, the tab bar (router links, shareable URLs) and the open tab. */
@Component({
  selector: 'app-server-layout',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatTabsModule, MatButtonModule, StatusChipComponent, EmptyStateComponent, NotFoundComponent, SkeletonListComponent, IconComponent, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [ServerContext],
  template: `
    @switch (ctx.state()) {
      @case ('loading') { <div class="page"><app-skeleton-list [count]="3" /></div> }
      @case ('not-found') { <app-not-found message="This server does not exist, or it is not yours." /> }
      @case ('error') {
        <div class="page">
          <app-empty-state icon="warning" title="Could not load the server" [message]="ctx.loadError()">
            <button mat-flat-button type="button" (click)="retry()">Try again</button>
          </app-empty-state>
        </div>
      }
      @default {
        @let s = ctx.server()!;
        <div class="page">
          <header class="page-header">
            <div class="title">
              <h1>{{ s.name }}</h1>
              <app-status-chip [status]="s.status" />
              <span class="muted">{{ s.host || 'no host set' }} · last seen {{ s.lastSeen | relativeTime: now() }}</span>
            </div>
            <a mat-stroked-button [routerLink]="['/servers', s.id, 'settings']"><app-icon name="settings" [size]="16" /> Settings</a>
          </header>
          <nav mat-tab-nav-bar [tabPanel]="panel" aria-label="Server sections" class="tabs">
            @for (tab of tabs(); track tab.path) {
              <a mat-tab-link [routerLink]="tab.link" routerLinkActive #rla="routerLinkActive" [routerLinkActiveOptions]="{ exact: tab.path === '' }"
                [active]="rla.isActive" [attr.data-testid]="'tab-' + (tab.path || 'overview')"
                [disabled]="!!tab.denied" [attr.title]="tab.denied || null">{{ tab.label }}</a>
            }
          </nav>
          <mat-tab-nav-panel #panel><router-outlet /></mat-tab-nav-panel>
        </div>
      }
    }
  `,
  styles: `
    .title { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
    .tabs { margin-bottom: 16px; }
  `,
})
export class ServerLayoutComponent {
  protected readonly ctx = inject(ServerContext);
  /** Route parameter :id (withComponentInputBinding). */
  readonly id = input.required<string>();
  protected readonly now = signal(Date.now());
  protected readonly tabs = computed(() => SERVER_TABS.map((t) => ({
    ...t,
    link: ['/servers', this.ctx.id(), ...(t.path ? [t.path] : [])],
    denied: t.capability ? deniedReason(this.ctx.server(), t.capability) : '',
  })));

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.ctx.load(id));
    });
    interval(30_000).pipe(takeUntilDestroyed()).subscribe(() => this.now.set(Date.now()));
  }

  protected retry(): void {
    this.ctx.load(this.id());
  }
}
