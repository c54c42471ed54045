import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { AdminBulkAction } from '@chatops/protocol/admin';
import type { BulkFailure } from './admin-users-bulk';

/** The selected users: disable, enable or sign out all of them; then what was refused, user by user. */
@Component({
  selector: 'app-admin-users-bulk-bar',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (count()) {
      <section class="bar" role="region" aria-label="Bulk actions on users" data-testid="users-bulk-bar">
        <strong aria-live="polite">{{ count() }} selected</strong>
        <span class="spacer"></span>
        <button mat-stroked-button type="button" class="danger" data-testid="bulk-disable" [disabled]="busy()" (click)="act.emit('disable')">Disable…</button>
        <button mat-stroked-button type="button" data-testid="bulk-enable" [disabled]="busy()" (click)="act.emit('enable')">Enable…</button>
        <button mat-stroked-button type="button" data-testid="bulk-revoke" [disabled]="busy()" (click)="act.emit('revoke_sessions')">Sign out everywhere…</button>
        <button mat-button type="button" data-testid="bulk-clear" [disabled]="busy()" (click)="clear.emit()">Clear selection</button>
      </section>
    }
    @if (failures().length) {
      <section class="failures" role="status" aria-label="Users the last bulk action left unchanged" data-testid="bulk-failures">
        <p><strong>Left unchanged:</strong></p>
        <ul>
          @for (f of failures(); track f.userId) { <li><strong>{{ f.username }}</strong>: {{ f.message }}</li> }
        </ul>
        <button mat-button type="button" (click)="dismiss.emit()">Dismiss</button>
      </section>
    }
  `,
  styles: `
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 8px 12px; margin-bottom: 12px; border-radius: 12px;
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .spacer { flex: 1; }
    .danger:not([disabled]) { color: var(--mat-sys-error); border-color: var(--mat-sys-error); }
    .failures { padding: 8px 12px; margin-bottom: 12px; border-radius: 12px; background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); }
    .failures p, .failures ul { margin: 4px 0; }
    @media (max-width: 599px) { .spacer { display: none; } }
  `,
})
export class AdminUsersBulkBarComponent {
  readonly count = input.required<number>();
  readonly busy = input(false);
  /** Users the last bulk action refused, with the server's reason. */
  readonly failures = input<BulkFailure[]>([]);
  readonly act = output<AdminBulkAction>();
  readonly clear = output<void>();
  readonly dismiss = output<void>();
}
