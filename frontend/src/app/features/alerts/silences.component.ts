import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { AlertSilence, MetricType, Server } from '@chatops/protocol';
import { METRIC_TYPES } from '@chatops/protocol/enums';
import { can, deniedReason } from '../../core/access/access';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { fieldErrors } from '../../core/api/field-errors';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { METRIC_LABELS } from './alert-format';

/** Quick choices for how long a silence lasts. */
export const SILENCE_DURATIONS = [
  { label: '1 hour', ms: 3_600_000 }, { label: '4 hours', ms: 4 * 3_600_000 }, { label: '1 day', ms: 86_400_000 }, { label: '1 week', ms: 7 * 86_400_000 },
];
const YEAR_MS = 365 * 86_400_000;

/** `datetime-local` value (local time, minutes) for a time. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Silences (maintenance windows): alerts they cover still fire and are listed, their
 * notifications are muted. Create one for a server or all, a metric or all, until a time; end one now.
 */
@Component({
  selector: 'app-silences',
  imports: [DatePipe, MatButtonModule, MatTooltipModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatProgressBarModule, EmptyStateComponent, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './silences.component.html',
  styles: `
    :host { display: block; }
    h2 { font: var(--mat-sys-title-medium); margin: 16px 0 8px; }
    .form { display: flex; flex-wrap: wrap; gap: 0 12px; align-items: flex-start; }
    .form mat-form-field { width: 200px; }
    .form .reason { flex: 1 1 260px; }
    .spacer { flex: 1; }
    .quick { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin-bottom: 8px; }
    .rows { list-style: none; margin: 0; padding: 0; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; padding: 8px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .main { flex: 1 1 280px; display: grid; gap: 2px; }
    .meta { display: flex; flex-wrap: wrap; gap: 4px 12px; font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); }
    .state { display: inline-flex; align-items: center; gap: 4px; font: var(--mat-sys-label-medium); }
  `,
})
export class SilencesComponent {
  private readonly api = inject(AlertsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  readonly servers = input<readonly Server[]>([]);

  protected readonly metrics = METRIC_TYPES.map((m) => ({ value: m, label: METRIC_LABELS[m] }));
  protected readonly durations = SILENCE_DURATIONS;
  protected readonly silences = signal<AlertSilence[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly serverId = signal('');
  protected readonly metricType = signal<MetricType | ''>('');
  protected readonly endsAt = signal(toLocalInput(Date.now() + 3_600_000));
  protected readonly reason = signal('');
  protected readonly touched = signal(false);
  protected readonly saving = signal(false);
  protected readonly serverErrors = signal<Record<string, string>>({});
  protected readonly generalError = signal('');
  private readonly names = computed(() => new Map(this.servers().map((s) => [s.id, s.name])));
  private readonly byId = computed(() => new Map(this.servers().map((s) => [s.id, s])));
  /** The servers the caller may silence (`alerts.manage`), for the picker. */
  protected readonly silenceable = computed(() => this.servers().filter((s) => can(s, 'alerts.manage')));
  protected readonly localErrors = computed(() => {
    const e: Record<string, string> = {};
    const end = Date.parse(this.endsAt());
    if (!Number.isFinite(end) || end <= Date.now() || end > Date.now() + YEAR_MS) e['endsAt'] = 'A time in the future, at most a year ahead';
    const r = this.reason().trim();
    if (!r) e['reason'] = 'Say why (for the people who see the silence)';
    else if (r.length > 500) e['reason'] = 'At most 500 characters';
    return e;
  });

  constructor() {
    this.load();
  }

  protected error(field: string): string {
    return (this.touched() ? this.localErrors()[field] : undefined) ?? this.serverErrors()[field] ?? '';
  }

  /** Why the silence may not be ended: `alerts.manage` on its server (an all-servers one is the caller's own). */
  protected endDenied(s: AlertSilence): string {
    return s.serverId ? deniedReason(this.byId().get(s.serverId), 'alerts.manage') : '';
  }

  protected serverName(id: string | null): string {
    return id === null ? 'All my servers' : (this.names().get(id) ?? 'One server');
  }
  protected metricLabel(m: MetricType | null): string {
    return m ? METRIC_LABELS[m] : 'every metric';
  }

  protected quick(ms: number): void {
    this.endsAt.set(toLocalInput(Date.now() + ms));
  }

  load(): void {
    this.state.set('loading');
    this.api.silences().subscribe({
      next: (s) => {
        this.silences.set(s);
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
    this.touched.set(true);
    if (Object.keys(this.localErrors()).length || this.saving()) return;
    this.saving.set(true);
    this.generalError.set('');
    this.serverErrors.set({});
    this.api.createSilence({
      serverId: this.serverId() || null, metricType: this.metricType() || null,
      endsAt: new Date(Date.parse(this.endsAt())).toISOString(), reason: this.reason().trim(),
    }).subscribe({
      next: (s) => {
        this.silences.update((list) => [s, ...list]);
        this.reason.set('');
        this.touched.set(false);
        this.saving.set(false);
        void this.notify.success('Silence created: notifications are muted until it ends');
      },
      error: (err: unknown) => {
        const e = fieldErrors(err, ['serverId', 'metricType', 'endsAt', 'reason']);
        this.serverErrors.set(e.fields);
        this.generalError.set(e.general);
        this.saving.set(false);
      },
    });
  }

  protected expire(s: AlertSilence): void {
    if (this.endDenied(s)) return;
    openConfirm(this.dialog, { title: 'End this silence now?', message: `Notifications for ${this.serverName(s.serverId)} resume at once.`, confirmText: 'End silence' })
      .subscribe((ok) => {
        if (!ok) return;
        this.api.deleteSilence(s.id).subscribe({
          next: () => {
            this.silences.update((list) => list.filter((x) => x.id !== s.id));
            void this.notify.success('Silence ended');
          },
        });
      });
  }
}
