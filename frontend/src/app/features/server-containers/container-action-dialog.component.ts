import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import type { ContainerMutation } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { ConfirmedOptions, KILL_SIGNALS, actionSpec } from './container-actions';

export interface ContainerActionDialogData {
  action: ContainerMutation;
  /** The containers' names (one for a row, several for a selection). */
  names: string[];
  serverName: string;
  /** At least one of them runs (remove then needs force). */
  anyRunning: boolean;
}

const CONSEQUENCE: Partial<Record<ContainerMutation, string>> = {
  stop: 'Its processes get SIGTERM, then SIGKILL after the stop timeout.',
  restart: 'Its processes are stopped (SIGTERM, then SIGKILL after the stop timeout) and started again.',
  kill: 'The signal is sent to its main process at once, without a grace period.',
  remove: 'The container and its writable layer are deleted. This cannot be undone.',
};

/** Confirms a destructive action on one or more containers; remove and kill take their options here. */
@Component({
  selector: 'app-container-action-dialog',
  imports: [MatDialogModule, MatButtonModule, MatCheckboxModule, MatFormFieldModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ title() }}</h2>
    <mat-dialog-content>
      <p data-testid="confirm-message">{{ subject() }} on {{ data.serverName }}. {{ consequence }}</p>
      @if (data.action === 'remove') {
        <mat-checkbox data-testid="opt-force" [checked]="force()" (change)="force.set($event.checked)">Force: kill it first if it is running</mat-checkbox>
        @if (data.anyRunning && !force()) { <p class="error-text" data-testid="force-needed">A running container is removed only with force; Docker will refuse it.</p> }
        <mat-checkbox data-testid="opt-volumes" [checked]="volumes()" (change)="volumes.set($event.checked)">Also remove its anonymous volumes</mat-checkbox>
      }
      @if (data.action === 'kill') {
        <mat-form-field class="full-width">
          <mat-label>Signal</mat-label>
          <mat-select data-testid="opt-signal" [value]="signal()" (selectionChange)="signal.set($event.value)">
            @for (s of signals; track s) { <mat-option [value]="s">{{ s }}</mat-option> }
          </mat-select>
        </mat-form-field>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="undefined">Cancel</button>
      <button mat-flat-button type="button" class="danger" data-testid="confirm-button" [mat-dialog-close]="options()">{{ spec.label }}</button>
    </mat-dialog-actions>
  `,
  styles: `
    .danger { background: var(--mat-sys-error); color: var(--mat-sys-on-error); }
    mat-checkbox { display: block; }
    .error-text { margin: 0 0 0 40px; font: var(--mat-sys-body-small); }
  `,
})
export class ContainerActionDialogComponent {
  protected readonly data = inject<ContainerActionDialogData>(MAT_DIALOG_DATA);
  protected readonly spec = actionSpec(this.data.action);
  protected readonly consequence = CONSEQUENCE[this.data.action] ?? '';
  protected readonly signals = KILL_SIGNALS;
  protected readonly force = signal(this.data.anyRunning);
  protected readonly volumes = signal(false);
  protected readonly signal = signal<string>('SIGKILL');
  protected readonly title = computed(() => `${this.spec.label} ${this.data.names.length === 1 ? this.data.names[0] : `${this.data.names.length} containers`}?`);
  protected readonly subject = computed(() => {
    const n = this.data.names;
    const what = n.length === 1 ? n[0] : `${n.length} containers (${n.slice(0, 5).join(', ')}${n.length > 5 ? ', …' : ''})`;
    return `${this.spec.label} ${what}`;
  });
  protected readonly options = computed<ConfirmedOptions>(() => {
    if (this.data.action === 'remove') return { ...(this.force() ? { force: true } : {}), ...(this.volumes() ? { volumes: true } : {}) };
    if (this.data.action === 'kill') return this.signal() === 'SIGKILL' ? {} : { signal: this.signal() };
    return {};
  });
}

/** Emits the confirmed options, or undefined when cancelled. */
export function confirmContainerAction(dialog: MatDialog, data: ContainerActionDialogData): Observable<ConfirmedOptions | undefined> {
  return dialog
    .open<ContainerActionDialogComponent, ContainerActionDialogData, ConfirmedOptions>(ContainerActionDialogComponent, { data, width: '460px', maxWidth: '95vw' })
    .afterClosed();
}
