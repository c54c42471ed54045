import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ThresholdMetric, Thresholds, ThresholdsService } from '../../shared/thresholds/thresholds';

const METRICS: { key: ThresholdMetric; label: string }[] = [
  { key: 'cpu', label: 'CPU' },
  { key: 'memory', label: 'Memory' },
  { key: 'disk', label: 'Disk' },
];

function warningBelowCritical(group: AbstractControl): ValidationErrors | null {
  const v = group.value as { warning: number; critical: number };
  return v.warning > v.critical ? { order: true } : null;
}

/** Profile card: the warning and critical levels (percent) the dashboard marks values with, per browser. */
@Component({
  selector: 'app-thresholds-card',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header><mat-card-title>Warning and critical levels</mat-card-title>
        <mat-card-subtitle>Marked on gauges, cards and tables; kept in this browser</mat-card-subtitle></mat-card-header>
      <mat-card-content>
        <form [formGroup]="form" (ngSubmit)="save()" class="form" data-testid="thresholds-form">
          @for (m of metrics; track m.key) {
            <fieldset [formGroupName]="m.key">
              <legend>{{ m.label }}</legend>
              <mat-form-field subscriptSizing="dynamic">
                <mat-label>Warning at (%)</mat-label>
                <input matInput type="number" min="0" max="100" formControlName="warning" [attr.data-testid]="m.key + '-warning'" />
              </mat-form-field>
              <mat-form-field subscriptSizing="dynamic">
                <mat-label>Critical at (%)</mat-label>
                <input matInput type="number" min="0" max="100" formControlName="critical" [attr.data-testid]="m.key + '-critical'" />
              </mat-form-field>
              @if (form.controls[m.key].invalid) {
                <p class="error-text" role="alert">{{ m.label }}: both from 0 to 100, warning at most critical.</p>
              }
            </fieldset>
          }
          <div class="actions">
            <button mat-flat-button type="submit" [disabled]="form.invalid || form.pristine">Save levels</button>
            <button mat-button type="button" (click)="reset()">Restore defaults</button>
            @if (saved()) { <span role="status">Saved</span> }
          </div>
        </form>
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .form { display: grid; gap: 12px; }
    fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start; }
    legend { font: var(--mat-sys-title-small); margin-bottom: 4px; }
    mat-form-field { width: 140px; }
    .error-text { flex-basis: 100%; margin: 0; color: var(--mat-sys-error); font: var(--mat-sys-body-small); }
    .actions { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  `,
})
export class ThresholdsCardComponent {
  private readonly service = inject(ThresholdsService);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly metrics = METRICS;
  protected readonly saved = signal(false);

  private readonly pair = (v: { warning: number; critical: number }) =>
    this.fb.group(
      {
        warning: [v.warning, [Validators.required, Validators.min(0), Validators.max(100)]],
        critical: [v.critical, [Validators.required, Validators.min(0), Validators.max(100)]],
      },
      { validators: warningBelowCritical },
    );
  protected readonly form = this.fb.group({
    cpu: this.pair(this.service.thresholds().cpu),
    memory: this.pair(this.service.thresholds().memory),
    disk: this.pair(this.service.thresholds().disk),
  });

  protected save(): void {
    if (this.form.invalid) return;
    this.service.set(this.form.getRawValue() as Thresholds);
    this.form.markAsPristine();
    this.saved.set(true);
  }

  protected reset(): void {
    this.service.reset();
    this.form.reset(this.service.thresholds());
    this.saved.set(true);
  }
}
