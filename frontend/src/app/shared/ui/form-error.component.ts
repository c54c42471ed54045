import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { ApiErrorInfo } from '../../core/api/error-message';

/**
 * A failed submit, shown once, inside the form that was submitted (its request is sent without
 * the global error toast: SKIP_ERROR_TOAST). The request id, for an operator, is folded into a
 * "Details" expander rather than read out with the message.
 */
@Component({
  selector: 'app-form-error',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as e) {
      <div class="form-error" role="alert" data-testid="form-error">
        <span data-testid="form-error-message">{{ e.message }}</span>
        @if (e.requestId) {
          <details><summary>Details</summary>Request id <code>{{ e.requestId }}</code></details>
        }
      </div>
    }
  `,
  styles: `
    .form-error { color: var(--mat-sys-on-error-container); background: var(--mat-sys-error-container); padding: 8px 12px;
      border-radius: 8px; margin: 0 0 8px; font: var(--mat-sys-body-medium); }
    details { margin-top: 4px; font: var(--mat-sys-body-small); }
    summary { cursor: pointer; }
    code { user-select: all; }
  `,
})
export class FormErrorComponent {
  readonly error = input<ApiErrorInfo | null>(null);
}
