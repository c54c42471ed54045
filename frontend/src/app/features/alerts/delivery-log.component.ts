import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { DeliveryStatus, NotificationDelivery } from '@chatops/protocol';
import { IconComponent } from '../../shared/ui/icon.component';

const STATUS: Record<DeliveryStatus, { icon: string; label: string }> = {
  pending: { icon: 'unknown', label: 'Pending' }, sent: { icon: 'check', label: 'Sent' },
  failed: { icon: 'warning', label: 'Failed' }, suppressed: { icon: 'mute', label: 'Suppressed' },
};

/** Notification deliveries (a channel's or an alert's): status as icon + text, attempts, why. */
@Component({
  selector: 'app-delivery-log',
  imports: [DatePipe, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (!deliveries().length) {
      <p class="muted" role="status">No message sent yet.</p>
    } @else {
      <table class="log" data-testid="delivery-log">
        <thead><tr><th scope="col">When</th><th scope="col">What</th>@if (showChannel()) { <th scope="col">Channel</th> }<th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Detail</th></tr></thead>
        <tbody>
          @for (d of deliveries(); track d.id) {
            <tr data-testid="delivery-row">
              <td><time [attr.datetime]="d.createdAt">{{ d.createdAt | date: 'short' }}</time></td>
              <td>{{ d.kind }}{{ d.alertIds.length > 1 ? ' (' + d.alertIds.length + ' alerts)' : '' }}</td>
              @if (showChannel()) { <td>{{ d.channelName ?? 'deleted channel' }}</td> }
              <td><span class="st" [class]="'st st-' + d.status"><app-icon [name]="status[d.status].icon" [size]="14" /> {{ status[d.status].label }}</span></td>
              <td>{{ d.attempts.length }}{{ d.attempts.at(-1)?.statusCode ? ' · HTTP ' + d.attempts.at(-1)?.statusCode : '' }}</td>
              <td class="detail">{{ d.detail ?? '' }}</td>
            </tr>
          }
        </tbody>
      </table>
    }
  `,
  styles: `
    .log { width: 100%; border-collapse: collapse; font: var(--mat-sys-body-small); }
    th { text-align: left; color: var(--mat-sys-on-surface-variant); font-weight: 500; }
    th, td { padding: 4px 8px; border-bottom: 1px solid var(--mat-sys-outline-variant); vertical-align: top; }
    .st { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
    .st-failed { color: var(--mat-sys-error); }
    .detail { overflow-wrap: anywhere; }
  `,
})
export class DeliveryLogComponent {
  readonly deliveries = input.required<readonly NotificationDelivery[]>();
  readonly showChannel = input(false);
  protected readonly status = STATUS;
}
