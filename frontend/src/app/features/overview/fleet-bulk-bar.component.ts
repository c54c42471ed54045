import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { normalizeTag, tagProblem } from '@chatops/protocol/tags';
import { IconComponent } from '../../shared/ui/icon.component';

/** What can be done with the selected servers today: tag, untag, delete (each through the REST API). */
@Component({
  selector: 'app-fleet-bulk-bar',
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
      <strong class="count" aria-live="polite">{{ count() }} selected</strong>
      <form class="add" (submit)="$event.preventDefault(); submitAdd()">
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>Add tag</mat-label>
          <input matInput data-testid="bulk-tag-input" autocomplete="off" spellcheck="false" [value]="newTag()" (input)="newTag.set(asValue($event))" [disabled]="busy()" />
        </mat-form-field>
        <button mat-stroked-button type="submit" data-testid="bulk-add-tag" [disabled]="busy() || !newTag().trim() || !!addProblem()">Add</button>
      </form>
      @if (addProblem(); as p) { <p class="error" role="alert">{{ p }}</p> }
      @if (tags().length) {
        <mat-form-field subscriptSizing="dynamic" class="remove">
          <mat-label>Remove tag</mat-label>
          <mat-select data-testid="bulk-remove-tag" [disabled]="busy()" [value]="null" (valueChange)="$event && removeTag.emit($event)">
            @for (t of tags(); track t) { <mat-option [value]="t">{{ t }}</mat-option> }
          </mat-select>
        </mat-form-field>
      }
      <span class="spacer"></span>
      <button mat-stroked-button type="button" class="danger" data-testid="bulk-delete" [disabled]="busy()" (click)="remove.emit()"><app-icon name="delete" [size]="18" /> Delete…</button>
      <button mat-button type="button" data-testid="bulk-clear" [disabled]="busy()" (click)="clear.emit()">Clear selection</button>
    </section>
  `,
  styles: `
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 8px 12px; margin-bottom: 12px; border-radius: 12px;
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .add { display: flex; gap: 8px; align-items: center; }
    .add mat-form-field { width: 170px; }
    .remove { width: 170px; }
    .spacer { flex: 1; }
    .error { flex-basis: 100%; margin: 0; color: var(--mat-sys-error); font: var(--mat-sys-label-medium); }
    .danger:not([disabled]) { color: var(--mat-sys-error); border-color: var(--mat-sys-error); }
    @media (max-width: 599px) { .add, .add mat-form-field, .remove { width: 100%; } .add mat-form-field { flex: 1; } .spacer { display: none; } }
  `,
})
export class FleetBulkBarComponent {
  readonly count = input.required<number>();
  /** Tags carried by at least one selected server (what "remove tag" offers). */
  readonly tags = input<string[]>([]);
  readonly busy = input(false);
  readonly addTag = output<string>();
  readonly removeTag = output<string>();
  readonly remove = output<void>();
  readonly clear = output<void>();

  protected readonly newTag = signal('');
  protected readonly addProblem = computed(() => {
    const t = normalizeTag(this.newTag());
    return t ? tagProblem(t) : null;
  });
  protected asValue = (e: Event) => (e.target as HTMLInputElement).value;

  protected submitAdd(): void {
    const t = normalizeTag(this.newTag());
    if (!t || tagProblem(t)) return;
    this.addTag.emit(t);
    this.newTag.set('');
  }
}
