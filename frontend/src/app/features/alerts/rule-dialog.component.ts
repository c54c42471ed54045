import { ChangeDetectionStrategy, Component, computed, inject, signal, type Signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { AlertThreshold, NotificationChannel, Server } from '@chatops/protocol';
import { COMPARISONS, METRIC_TYPES, SEVERITIES } from '@chatops/protocol/enums';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { fieldErrors } from '../../core/api/field-errors';
import { COMPARISON_SYMBOLS, METRIC_LABELS, SEVERITY_META, metricUnit } from './alert-format';
import { RulePreview, canPreview, previewRule } from './rule-preview';
import { RULE_FIELDS, RuleFormValue, emptyRule, isEventMetric, ruleRequest, ruleToForm, takesTarget, validateRule } from './rule-form';

export interface RuleDialogData {
  rule: AlertThreshold | null;
  servers: readonly Server[];
  /** The caller's channels: they may still be loading when the dialog opens, and appear when they arrive. */
  channels: Signal<readonly NotificationChannel[]>;
  /** A new rule for this server (the server page). */
  serverId?: string;
}

const COMPARISON_LABELS = { gt: 'above', gte: 'at or above', lt: 'below', lte: 'at or below', eq: 'equal to' } as const;

/** Create or edit a rule; the backend's 400 `details` are shown beside their fields. Closes with the saved rule. */
@Component({
  selector: 'app-rule-dialog',
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatSlideToggleModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './rule-dialog.component.html',
  styles: `
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 0 12px; }
    .wide { grid-column: 1 / -1; }
    .toggle { margin: 8px 0 16px; }
    .preview { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 8px 0; font: var(--mat-sys-body-medium); }
  `,
})
export class RuleDialogComponent {
  protected readonly data = inject<RuleDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<RuleDialogComponent, AlertThreshold>>(MatDialogRef);
  private readonly api = inject(AlertsApi);
  private readonly metricsApi = inject(MetricsApi);

  protected readonly metrics = METRIC_TYPES.map((m) => ({ value: m, label: METRIC_LABELS[m] }));
  protected readonly comparisons = COMPARISONS.map((c) => ({ value: c, label: `${COMPARISON_SYMBOLS[c]} ${COMPARISON_LABELS[c]}` }));
  protected readonly severities = SEVERITIES.map((s) => ({ value: s, label: SEVERITY_META[s].label }));
  protected readonly form = signal<RuleFormValue>(this.data.rule ? ruleToForm(this.data.rule) : emptyRule(this.data.serverId ?? ''));
  protected readonly touched = signal(false);
  protected readonly saving = signal(false);
  protected readonly serverErrors = signal<Record<string, string>>({});
  protected readonly generalError = signal('');
  protected readonly localErrors = computed(() => validateRule(this.form()));
  protected readonly event = computed(() => isEventMetric(this.form().metricType));
  protected readonly targeted = computed(() => takesTarget(this.form().metricType));
  protected readonly unit = computed(() => metricUnit(this.form().metricType));
  protected readonly previewable = computed(() => canPreview(this.form()));
  protected readonly preview = signal<{ state: 'loading' } | { state: 'ready'; result: RulePreview } | { state: 'error'; message: string } | null>(null);

  /** How often the rule would have fired over the server's last 24 h of history. */
  protected runPreview(): void {
    const f = this.form();
    const errors = this.localErrors();
    if (!canPreview(f) || errors.thresholdValue || errors.clearValue || errors.durationSec) return;
    const body = ruleRequest(f);
    const end = new Date();
    this.preview.set({ state: 'loading' });
    this.metricsApi.history(f.serverId, new Date(end.getTime() - 86_400_000), end, 288).subscribe({
      next: (h) => this.preview.set({
        state: 'ready',
        result: previewRule({ metricType: body.metricType, comparison: body.comparison, thresholdValue: body.thresholdValue, clearValue: body.clearValue ?? null, durationSec: body.durationSec ?? 0 }, h.points, h.resolution),
      }),
      error: (err: unknown) => this.preview.set({ state: 'error', message: describeHttpError(err).message }),
    });
  }

  /** A field's message: the local check once the user tried to save, else what the server said. */
  protected error(field: string): string {
    const local = this.touched() ? (this.localErrors() as Record<string, string | undefined>)[field] : undefined;
    return local ?? this.serverErrors()[field] ?? '';
  }

  protected set<K extends keyof RuleFormValue>(key: K, value: RuleFormValue[K]): void {
    this.form.update((f) => ({ ...f, [key]: value }));
    this.preview.set(null);
    if (this.serverErrors()[key]) this.serverErrors.update((e) => ({ ...e, [key]: '' }));
  }

  protected save(): void {
    this.touched.set(true);
    if (Object.keys(this.localErrors()).length || this.saving()) return;
    this.saving.set(true);
    this.generalError.set('');
    const body = ruleRequest(this.form());
    const call = this.data.rule ? this.api.updateRule(this.data.rule.id, body) : this.api.createRule(body);
    call.subscribe({
      next: (rule) => this.ref.close(rule),
      error: (err: unknown) => {
        const e = fieldErrors(err, RULE_FIELDS);
        this.serverErrors.set(e.fields);
        this.generalError.set(e.general);
        this.saving.set(false);
      },
    });
  }
}
