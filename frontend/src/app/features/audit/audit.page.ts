import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import type { AuditEntry, Server } from '@chatops/protocol';
import { Subject, Subscription, debounceTime, distinctUntilChanged } from 'rxjs';
import { AuditApi } from '../../core/api/audit-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { ServersApi } from '../../core/api/servers-api.service';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';

export const AUDIT_PAGE_SIZE = 50;
/** An exact action name, as the API accepts it. */
const ACTION_RE = /^[a-z_.-]{1,64}$/;

/** `/audit`: who did what (logins, servers, commands, Docker, alerts...), newest first, filtered by server and action, paged. */
@Component({
  selector: 'app-audit-page',
  imports: [DatePipe, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatProgressBarModule, EmptyStateComponent, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <header class="page-header">
        <h1>Audit log</h1>
        <div class="filters">
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>Server</mat-label>
            <mat-select [value]="serverId()" (valueChange)="setServer($event)" data-testid="audit-server">
              <mat-option value="">Any</mat-option>
              @for (s of servers(); track s.id) { <mat-option [value]="s.id">{{ s.name }}</mat-option> }
            </mat-select>
          </mat-form-field>
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>Action</mat-label>
            <input matInput #actionBox type="search" autocomplete="off" spellcheck="false" placeholder="alert.acknowledge" (input)="typed(actionBox.value)" data-testid="audit-action" />
            @if (actionError()) { <mat-hint class="error-text">{{ actionError() }}</mat-hint> }
          </mat-form-field>
        </div>
      </header>
      @switch (state()) {
        @case ('loading') { <mat-progress-bar mode="indeterminate" aria-label="Loading the audit log" /> }
        @case ('error') {
          <app-empty-state icon="warning" title="Could not load the audit log" [message]="loadError()">
            <button mat-stroked-button type="button" (click)="reload()">Try again</button>
          </app-empty-state>
        }
        @default {
          @if (!items().length) {
            <app-empty-state icon="list" [title]="serverId() || action() ? 'No entry matches' : 'Nothing recorded yet'"
              [message]="serverId() || action() ? 'Change or clear the filters.' : 'Sign-ins, changes to servers, commands, Docker actions and alerts are recorded here.'" />
          } @else {
            <table class="table" data-testid="audit-table">
              <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Result</th><th scope="col">What happened</th><th scope="col">Server</th><th scope="col">From</th></tr></thead>
              <tbody>
                @for (e of items(); track e.id) {
                  <tr data-testid="audit-row" [attr.data-action]="e.action">
                    <td class="nowrap"><time [attr.datetime]="e.createdAt">{{ e.createdAt | date: 'medium' }}</time></td>
                    <td><code>{{ e.action }}</code></td>
                    <td class="nowrap">@if (e.success) { <app-icon name="check" [size]="16" /> OK } @else { <span class="error-text"><app-icon name="warning" [size]="16" /> Failed</span> }</td>
                    <td class="desc">{{ e.description }}@if (e.actingAsAdmin) { <span class="flag">admin</span> }</td>
                    <td>@if (e.serverId) { <a [routerLink]="['/servers', e.serverId]">{{ serverName(e.serverId) }}</a> }</td>
                    <td class="muted">{{ e.userId ? (e.ip ?? '') : 'system' }}</td>
                  </tr>
                }
              </tbody>
            </table>
            @if (nextCursor()) {
              <div class="more"><button mat-stroked-button type="button" (click)="loadMore()" [disabled]="loadingMore()" data-testid="audit-more">{{ loadingMore() ? 'Loading…' : 'Load more' }}</button></div>
            }
          }
        }
      }
    </div>
  `,
  styles: `
    .filters { display: flex; flex-wrap: wrap; gap: 8px; }
    .table { width: 100%; border-collapse: collapse; font: var(--mat-sys-body-small); }
    th { text-align: left; font-weight: 500; color: var(--mat-sys-on-surface-variant); }
    th, td { padding: 6px 8px; border-bottom: 1px solid var(--mat-sys-outline-variant); vertical-align: top; }
    td app-icon { vertical-align: text-bottom; }
    .nowrap { white-space: nowrap; }
    .desc { overflow-wrap: anywhere; }
    .flag { margin-left: 6px; padding: 0 6px; border: 1px dashed currentColor; border-radius: 999px; }
    .more { display: flex; justify-content: center; margin: 12px 0; }
  `,
})
export class AuditPage {
  private readonly api = inject(AuditApi);
  protected readonly servers = signal<Server[]>([]);
  protected readonly items = signal<AuditEntry[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loadingMore = signal(false);
  protected readonly serverId = signal('');
  protected readonly action = signal('');
  protected readonly actionError = signal('');
  private readonly text$ = new Subject<string>();
  private pageSub: Subscription | null = null;

  constructor() {
    inject(ServersApi).list().subscribe({ next: (s) => this.servers.set(s), error: () => undefined });
    this.text$.pipe(debounceTime(300), distinctUntilChanged(), takeUntilDestroyed()).subscribe((v) => {
      const a = v.trim();
      this.actionError.set(a && !ACTION_RE.test(a) ? 'Lower-case letters, dots, dashes and underscores' : '');
      if (this.actionError()) return;
      this.action.set(a);
      this.reload();
    });
    inject(DestroyRef).onDestroy(() => this.pageSub?.unsubscribe());
    this.reload();
  }

  protected serverName(id: string): string {
    return this.servers().find((s) => s.id === id)?.name ?? 'deleted server';
  }
  protected setServer(id: string): void {
    this.serverId.set(id);
    this.reload();
  }
  protected typed(v: string): void {
    this.text$.next(v);
  }

  reload(): void {
    this.pageSub?.unsubscribe();
    this.state.set('loading');
    this.pageSub = this.api.list({ serverId: this.serverId(), action: this.action(), limit: AUDIT_PAGE_SIZE }).subscribe({
      next: (page) => {
        this.items.set(page.items);
        this.nextCursor.set(page.nextCursor);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  protected loadMore(): void {
    const before = this.nextCursor();
    if (!before || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.pageSub = this.api.list({ serverId: this.serverId(), action: this.action(), limit: AUDIT_PAGE_SIZE, before }).subscribe({
      next: (page) => {
        this.items.update((items) => [...items, ...page.items]);
        this.nextCursor.set(page.nextCursor);
        this.loadingMore.set(false);
      },
      error: () => this.loadingMore.set(false),
    });
  }
}
