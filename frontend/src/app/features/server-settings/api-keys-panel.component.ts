import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { ApiKey, CreatedApiKey } from '@chatops/protocol';
import { ApiKeysApi } from '../../core/api/api-keys-api.service';
import { ApiErrorInfo, describeHttpError } from '../../core/api/error-message';
import { NotifyService } from '../../core/notify/notify.service';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';
import { FormErrorComponent } from '../../shared/ui/form-error.component';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { IconComponent } from '../../shared/ui/icon.component';

@Component({
  selector: 'app-api-keys-panel',
  imports: [FormsModule, DatePipe, MatButtonModule, MatFormFieldModule, MatInputModule, CopyBlockComponent, FormErrorComponent, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="create" (ngSubmit)="create()">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>New key name</mat-label>
        <input matInput name="keyName" [ngModel]="newName()" (ngModelChange)="newName.set($event)" maxlength="100" />
      </mat-form-field>
      <button mat-stroked-button type="submit" [disabled]="busy()"><app-icon name="add" [size]="16" /> Create key</button>
    </form>
    <app-form-error [error]="createError()" />
    @if (created(); as k) {
      <div class="once" role="alert">
        <p><app-icon name="warning" [size]="16" /> <strong>Copy the new key now:</strong> it is shown only once.</p>
        <app-copy-block title="New API key" [text]="k.key" [headingLevel]="2" />
        <button mat-button type="button" (click)="created.set(null)">I saved it</button>
      </div>
    }
    @if (keys().length === 0) {
      <p class="muted">No API keys. Create one to connect an agent.</p>
    } @else {
      <ul class="keys" aria-label="API keys">
        @for (k of keys(); track k.id) {
          <li data-testid="api-key-row">
            <div>
              <strong>{{ k.name || 'unnamed' }}</strong>
              <code class="prefix" data-testid="api-key-prefix" title="The key's first characters">{{ k.keyPrefix }}…</code>
              <span class="badge" [class.inactive]="!k.isActive">{{ k.isActive ? 'Active' : 'Inactive' }}</span>
              <div class="muted small">
                created {{ k.createdAt | date: 'medium' }}
                · last used {{ k.lastUsedAt ? (k.lastUsedAt | date: 'medium') : 'never' }}
                @if (k.expiresAt) { · expires {{ k.expiresAt | date: 'medium' }} }
              </div>
            </div>
            <div class="actions">
              @if (k.isActive) {
                <button mat-button type="button" (click)="deactivate(k)" [attr.aria-label]="'Deactivate key ' + label(k)">Deactivate</button>
              }
              <button mat-button type="button" class="danger" (click)="remove(k)" [attr.aria-label]="'Delete key ' + label(k)">Delete</button>
            </div>
          </li>
        }
      </ul>
    }
  `,
  styles: `
    .create { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 12px; }
    .once { padding: 12px; border-radius: 8px; background: var(--mat-sys-surface-container-high); margin-bottom: 12px; }
    .once p { margin: 0; }
    .keys { list-style: none; padding: 0; margin: 0; }
    .keys li { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 8px; padding: 10px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .small { font: var(--mat-sys-body-small); }
    .prefix { margin-left: 8px; font: var(--mat-sys-body-small); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--mat-sys-on-surface-variant); }
    .badge { margin-left: 8px; font: var(--mat-sys-label-small); padding: 2px 8px; border-radius: 999px; border: 1px solid currentColor; }
    .badge.inactive { color: var(--mat-sys-on-surface-variant); }
    .danger { color: var(--mat-sys-error); }
  `,
})
export class ApiKeysPanelComponent {
  private readonly api = inject(ApiKeysApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  readonly serverId = input.required<string>();

  protected readonly keys = signal<ApiKey[]>([]);
  protected readonly created = signal<CreatedApiKey | null>(null);
  protected readonly newName = signal('');
  protected readonly busy = signal(false);
  /** Why the last "Create key" failed, shown under the form (no toast). */
  protected readonly createError = signal<ApiErrorInfo | null>(null);

  constructor() {
    effect(() => {
      const id = this.serverId();
      untracked(() => this.load(id));
    });
  }

  private load(id: string): void {
    this.api.listForServer(id).subscribe((keys) => this.keys.set(keys));
  }

  protected create(): void {
    this.busy.set(true);
    this.createError.set(null);
    this.api.create({ serverId: this.serverId(), name: this.newName().trim() || 'default' }).subscribe({
      next: (key) => {
        this.busy.set(false);
        this.newName.set('');
        this.created.set(key);
        const { key: _secret, ...stored } = key;
        this.keys.update((list) => [stored, ...list]);
      },
      error: (err: unknown) => {
        this.createError.set(describeHttpError(err));
        this.busy.set(false);
      },
    });
  }

  /** Names can repeat ("default"): the prefix tells keys apart in labels and confirmations. */
  protected label(k: ApiKey): string {
    return `"${k.name || 'unnamed'}" (${k.keyPrefix}…)`;
  }

  protected deactivate(k: ApiKey): void {
    openConfirm(this.dialog, {
      title: 'Deactivate API key?',
      message: `The key ${this.label(k)} stops working immediately and an agent using it is disconnected. A deactivated key cannot be turned back on.`,
      confirmText: 'Deactivate key',
    }).subscribe((ok) => {
      if (!ok) return;
      this.api.deactivate(k.id).subscribe(() => {
        this.keys.update((list) => list.map((x) => (x.id === k.id ? { ...x, isActive: false } : x)));
        this.notify.success('Key deactivated; an agent using it was disconnected');
      });
    });
  }

  protected remove(k: ApiKey): void {
    openConfirm(this.dialog, {
      title: 'Delete API key?',
      message: `The key ${this.label(k)} stops working immediately and an agent using it is disconnected.`,
      confirmText: 'Delete key',
    }).subscribe((ok) => {
      if (!ok) return;
      this.api.remove(k.id).subscribe(() => {
        this.keys.update((list) => list.filter((x) => x.id !== k.id));
        this.notify.success('Key deleted');
      });
    });
  }
}
