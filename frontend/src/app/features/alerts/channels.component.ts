import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { NotificationChannel, NotificationDelivery } from '@chatops/protocol';
import { describeHttpError } from '../../core/api/error-message';
import { NotificationsApi } from '../../core/api/notifications-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { CHANNEL_TYPE_LABELS, ChannelDialogComponent, ChannelDialogData } from './channel-dialog.component';
import { DeliveryLogComponent } from './delivery-log.component';

type Log = { state: 'loading' } | { state: 'ready'; items: NotificationDelivery[] } | { state: 'error'; message: string };

/** Notification channels: list, create, edit, delete, send a test, and each one's delivery log. */
@Component({
  selector: 'app-channels',
  imports: [MatButtonModule, MatProgressBarModule, EmptyStateComponent, IconComponent, DeliveryLogComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="head">
      <h2>Notification channels</h2>
      <button mat-flat-button type="button" (click)="create()" data-testid="channel-new"><app-icon name="add" [size]="18" /> New channel</button>
    </div>
    @switch (state()) {
      @case ('loading') { <mat-progress-bar mode="indeterminate" aria-label="Loading channels" /> }
      @case ('error') {
        <app-empty-state icon="warning" title="Could not load the channels" [message]="loadError()">
          <button mat-stroked-button type="button" (click)="load()">Try again</button>
        </app-empty-state>
      }
      @default {
        @if (!channels().length) {
          <app-empty-state icon="send" title="No notification channel yet" message="Add a webhook, a Slack incoming webhook or email addresses, then choose it in your rules." />
        } @else {
          <ul class="rows" data-testid="channel-list">
            @for (c of channels(); track c.id) {
              @let log = logs().get(c.id);
              <li class="row" data-testid="channel-row">
                <div class="line">
                  <div class="main">
                    <strong>{{ c.name }}</strong>
                    <span class="meta">
                      <span>{{ typeLabel(c) }}</span>
                      <span>{{ c.type === 'email' ? c.emailTo?.join(', ') : c.urlPreview }}</span>
                      <span>{{ c.enabled ? 'enabled' : 'disabled' }}</span>
                    </span>
                  </div>
                  <button mat-stroked-button type="button" (click)="test(c)" [disabled]="testing().has(c.id)" data-testid="channel-test">
                    <app-icon name="send" [size]="16" /> {{ testing().has(c.id) ? 'Sending…' : 'Send test' }}
                  </button>
                  <button mat-button type="button" (click)="toggleLog(c)" [attr.aria-expanded]="!!log" data-testid="channel-log">Delivery log</button>
                  <button mat-icon-button type="button" (click)="edit(c)" [attr.aria-label]="'Edit ' + c.name"><app-icon name="edit" /></button>
                  <button mat-icon-button type="button" (click)="remove(c)" [attr.aria-label]="'Delete ' + c.name" data-testid="channel-delete"><app-icon name="delete" /></button>
                </div>
                @if (testResult().get(c.id); as r) { <p [class.error-text]="!r.ok" role="status" data-testid="channel-test-result">{{ r.text }}</p> }
                @if (log) {
                  @switch (log.state) {
                    @case ('loading') { <mat-progress-bar mode="indeterminate" aria-label="Loading the delivery log" /> }
                    @case ('error') { <p class="error-text" role="alert">{{ log.message }}</p> }
                    @case ('ready') { <app-delivery-log [deliveries]="log.items" /> }
                  }
                }
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
    .row { padding: 8px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .line { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; }
    .main { flex: 1 1 260px; display: grid; gap: 2px; min-width: 0; }
    .meta { display: flex; flex-wrap: wrap; gap: 4px 12px; font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); overflow-wrap: anywhere; }
  `,
})
export class ChannelsComponent {
  private readonly api = inject(NotificationsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  protected readonly channels = signal<NotificationChannel[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly testing = signal<ReadonlySet<string>>(new Set());
  protected readonly testResult = signal<ReadonlyMap<string, { ok: boolean; text: string }>>(new Map());
  protected readonly logs = signal<ReadonlyMap<string, Log>>(new Map());

  constructor() {
    this.load();
  }

  protected typeLabel(c: NotificationChannel): string {
    return CHANNEL_TYPE_LABELS[c.type];
  }

  load(): void {
    this.state.set('loading');
    this.api.channels().subscribe({
      next: (c) => {
        this.channels.set(c);
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
    this.open(null);
  }
  protected edit(c: NotificationChannel): void {
    this.open(c);
  }

  protected test(c: NotificationChannel): void {
    this.testing.update((s) => new Set(s).add(c.id));
    const finish = (r: { ok: boolean; text: string } | null) => {
      this.testing.update((s) => { const n = new Set(s); n.delete(c.id); return n; });
      if (r) this.testResult.update((m) => new Map(m).set(c.id, r));
      if (this.logs().get(c.id)) this.fetchLog(c.id); // the test is in the log now
    };
    this.api.test(c.id).subscribe({
      next: (r) => {
        const status = r.statusCode ? ` (HTTP ${r.statusCode})` : '';
        const text = r.ok ? `Test message delivered${status} in ${r.durationMs} ms.` : `Test failed${status}: ${r.error ?? 'unknown error'}`;
        finish({ ok: r.ok, text });
        if (r.ok) void this.notify.success('Test message delivered');
      },
      error: () => finish(null),
    });
  }

  protected toggleLog(c: NotificationChannel): void {
    if (this.logs().has(c.id)) {
      const m = new Map(this.logs());
      m.delete(c.id);
      return this.logs.set(m);
    }
    this.fetchLog(c.id);
  }

  protected remove(c: NotificationChannel): void {
    openConfirm(this.dialog, { title: 'Delete this channel?', message: `Rules that notify “${c.name}” stop naming it.`, confirmText: 'Delete channel' })
      .subscribe((ok) => {
        if (!ok) return;
        this.api.remove(c.id).subscribe({
          next: () => {
            this.channels.update((list) => list.filter((x) => x.id !== c.id));
            void this.notify.success('Channel deleted');
          },
        });
      });
  }

  private fetchLog(id: string): void {
    if (!this.logs().get(id)) this.logs.update((m) => new Map(m).set(id, { state: 'loading' }));
    this.api.deliveries(id).subscribe({
      next: (items) => this.logs.update((m) => (m.has(id) ? new Map(m).set(id, { state: 'ready', items }) : m)),
      error: (err: unknown) => this.logs.update((m) => (m.has(id) ? new Map(m).set(id, { state: 'error', message: describeHttpError(err).message }) : m)),
    });
  }

  private open(channel: NotificationChannel | null): void {
    this.dialog
      .open<ChannelDialogComponent, ChannelDialogData, NotificationChannel>(ChannelDialogComponent, { data: { channel }, width: '520px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((saved) => {
        if (!saved) return;
        void this.notify.success(channel ? 'Channel saved' : 'Channel created');
        this.channels.update((list) => (channel ? list.map((c) => (c.id === saved.id ? saved : c)) : [...list, saved]));
      });
  }
}
