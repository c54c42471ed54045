import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { AlertThreshold, NotificationChannel, Server } from '@chatops/protocol';
import { can, deniedReason } from '../../core/access/access';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { NotificationsApi } from '../../core/api/notifications-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { describeCondition } from './alert-format';
import { RuleDialogComponent, RuleDialogData } from './rule-dialog.component';
import { SeverityBadgeComponent } from './severity-badge.component';

/**
 * The user's alert rules and those on their servers (with `serverId`: those that apply to that
 * server), with create, edit, delete and an enable switch. A rule on a server is the server's
 * (its team's): changing it needs `rules.manage` there, so without it the controls are disabled
 * with the reason (docs/access.md).
 */
@Component({
  selector: 'app-rule-list',
  imports: [MatButtonModule, MatProgressBarModule, MatSlideToggleModule, MatTooltipModule, EmptyStateComponent, IconComponent, SeverityBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="head">
      <h2>{{ serverId() ? 'Rules for this server' : 'Alert rules' }}</h2>
      <button mat-flat-button type="button" (click)="create()" [disabled]="!!createDenied()" [disabledInteractive]="!!createDenied()" [matTooltip]="createDenied()"
        data-testid="rule-new"><app-icon name="add" [size]="18" /> New rule</button>
    </div>
    @switch (state()) {
      @case ('loading') { <mat-progress-bar mode="indeterminate" aria-label="Loading rules" /> }
      @case ('error') {
        <app-empty-state icon="warning" title="Could not load the rules" [message]="loadError()">
          <button mat-stroked-button type="button" (click)="load()">Try again</button>
        </app-empty-state>
      }
      @default {
        @if (!rules().length) {
          <app-empty-state icon="bell" title="No alert rule yet" message="A rule watches a metric (CPU, memory, disk, network, containers, the agent going offline) and opens an alert when it breaches." />
        } @else {
          <ul class="rows" data-testid="rule-list">
            @for (r of rules(); track r.id) {
              <li class="row" data-testid="rule-row" [attr.data-rule-id]="r.id">
                @let denied = editDenied(r);
                <mat-slide-toggle [checked]="r.enabled" (change)="toggle(r, $event.checked)" [disabled]="busy().has(r.id) || !!denied" [matTooltip]="denied"
                  [attr.aria-label]="(r.enabled ? 'Disable ' : 'Enable ') + label(r)" data-testid="rule-enabled" />
                <div class="main">
                  <strong>{{ label(r) }}</strong>
                  <span class="meta">
                    <span>{{ r.serverId ? serverName(r.serverId) : 'All my servers' }}</span>
                    @if (r.createdByUsername) { <span data-testid="rule-creator">by {{ r.createdByUsername }}</span> }
                    @if (r.clearValue !== null) { <span>clears at {{ r.clearValue }}</span> }
                    @if (r.channelIds.length) { <span>{{ r.channelIds.length }} channel{{ r.channelIds.length === 1 ? '' : 's' }}</span> } @else { <span>no notification</span> }
                    @if (!r.enabled) { <span>disabled</span> }
                  </span>
                </div>
                <app-severity-badge [severity]="r.severity" />
                <span class="actions">
                  <button mat-icon-button type="button" (click)="edit(r)" [disabled]="!!denied" [disabledInteractive]="!!denied" [matTooltip]="denied"
                    [attr.aria-label]="'Edit ' + label(r)" data-testid="rule-edit"><app-icon name="edit" /></button>
                  <button mat-icon-button type="button" (click)="remove(r)" [disabled]="!!denied" [disabledInteractive]="!!denied" [matTooltip]="denied"
                    [attr.aria-label]="'Delete ' + label(r)" data-testid="rule-delete"><app-icon name="delete" /></button>
                </span>
              </li>
            }
          </ul>
        }
      }
    }
  `,
  styles: `
    :host { display: block; }
    .head { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin-bottom: 8px; }
    h2 { font: var(--mat-sys-title-medium); margin: 0; }
    .rows { list-style: none; margin: 0; padding: 0; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; padding: 8px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .main { flex: 1 1 280px; display: grid; gap: 2px; min-width: 0; }
    .meta { display: flex; flex-wrap: wrap; gap: 4px 12px; font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); }
  `,
})
export class RuleListComponent {
  private readonly api = inject(AlertsApi);
  private readonly channelsApi = inject(NotificationsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  /** Rules that apply to this server; new rules default to it. */
  readonly serverId = input<string>('');
  readonly servers = input<readonly Server[]>([]);

  protected readonly rules = signal<AlertThreshold[]>([]);
  protected readonly channels = signal<NotificationChannel[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  private readonly names = computed(() => new Map(this.servers().map((s) => [s.id, s.name])));
  private readonly byId = computed(() => new Map(this.servers().map((s) => [s.id, s])));
  /** Why no rule may be created here: on a server page, without `rules.manage` on it; '' otherwise. */
  protected readonly createDenied = computed(() => (this.serverId() ? deniedReason(this.byId().get(this.serverId()), 'rules.manage') : ''));

  constructor() {
    effect(() => {
      this.serverId();
      untracked(() => this.load());
    });
    this.channelsApi.channels().subscribe({ next: (c) => this.channels.set(c), error: () => undefined });
  }

  protected label(r: AlertThreshold): string {
    return r.name || describeCondition(r);
  }
  /** Why the rule may not be changed: `rules.manage` on its server; an all-servers rule is the caller's own. */
  protected editDenied(r: AlertThreshold): string {
    return r.serverId ? deniedReason(this.byId().get(r.serverId), 'rules.manage') : '';
  }

  protected serverName(id: string): string {
    return this.names().get(id) ?? (id === this.serverId() ? 'This server' : 'One server');
  }

  load(): void {
    this.state.set('loading');
    this.api.rules(this.serverId() || undefined).subscribe({
      next: (rules) => {
        this.rules.set(rules);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  protected create(): void {
    if (!this.createDenied()) this.open({ rule: null, serverId: this.serverId() || undefined });
  }
  protected edit(rule: AlertThreshold): void {
    if (!this.editDenied(rule)) this.open({ rule });
  }

  protected toggle(rule: AlertThreshold, enabled: boolean): void {
    this.mark(rule.id, true);
    this.api.updateRule(rule.id, { enabled }, false).subscribe({
      next: (updated) => {
        this.replace(updated);
        this.mark(rule.id, false);
        void this.notify.success(enabled ? 'Rule enabled' : 'Rule disabled: its open alerts are resolved');
      },
      error: () => {
        // the switch already moved: read the rules again so it shows what the server has
        this.mark(rule.id, false);
        this.load();
      },
    });
  }

  protected remove(rule: AlertThreshold): void {
    if (this.editDenied(rule)) return;
    openConfirm(this.dialog, {
      title: 'Delete this rule?',
      message: `“${this.label(rule)}” stops watching. Its open alerts are resolved and stay listed.`,
      confirmText: 'Delete rule',
    }).subscribe((ok) => {
      if (!ok) return;
      this.api.deleteRule(rule.id).subscribe({
        next: () => {
          this.rules.update((rules) => rules.filter((r) => r.id !== rule.id));
          void this.notify.success('Rule deleted');
        },
      });
    });
  }

  private open(data: Omit<RuleDialogData, 'servers' | 'channels'>): void {
    // the server picker offers the servers where the caller may manage rules
    const servers = this.servers().filter((s) => can(s, 'rules.manage'));
    this.dialog
      .open<RuleDialogComponent, RuleDialogData, AlertThreshold>(RuleDialogComponent, {
        data: { ...data, servers, channels: this.channels.asReadonly() }, width: '640px', maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((saved) => {
        if (!saved) return;
        void this.notify.success(data.rule ? 'Rule saved' : 'Rule created');
        if (data.rule) this.replace(saved);
        else this.rules.update((rules) => [...rules, saved]);
      });
  }

  private replace(rule: AlertThreshold): void {
    this.rules.update((rules) => rules.map((r) => (r.id === rule.id ? rule : r)));
  }

  private mark(id: string, on: boolean): void {
    this.busy.update((b) => {
      const n = new Set(b);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  }
}
