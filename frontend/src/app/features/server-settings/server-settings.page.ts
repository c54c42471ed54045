import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import type { Server, UpdateServerRequest } from '@chatops/protocol';
import { ApiErrorInfo, describeHttpError } from '../../core/api/error-message';
import { ServersApi } from '../../core/api/servers-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { FormErrorComponent } from '../../shared/ui/form-error.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { NotFoundComponent } from '../../shared/ui/not-found.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { ApiKeysPanelComponent } from './api-keys-panel.component';
import { CommandPolicyCardComponent } from './command-policy-card.component';
import { ServerOwnerCardComponent } from './server-owner-card.component';
import { can, deniedReason } from '../../core/access/access';
import { parseTags, tagsValidator } from './tags.validator';
import { jsonObjectValidator } from './json-object.validator';

@Component({
  selector: 'app-server-settings-page',
  imports: [ReactiveFormsModule, RouterLink, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule, NotFoundComponent, EmptyStateComponent, SkeletonListComponent, IconComponent, ApiKeysPanelComponent, CommandPolicyCardComponent, ServerOwnerCardComponent, FormErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './server-settings.page.html',
  styleUrl: './server-settings.page.scss',
})
export class ServerSettingsPage {
  private readonly api = inject(ServersApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  private readonly router = inject(Router);
  /** Route parameter :id (withComponentInputBinding). */
  readonly id = input.required<string>();

  protected readonly server = signal<Server | null>(null);
  protected readonly state = signal<'loading' | 'ready' | 'not-found' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly saving = signal(false);
  protected readonly can = can;
  protected readonly deniedReason = deniedReason;
  /** Why the last save failed, shown in the form (no toast). */
  protected readonly saveError = signal<ApiErrorInfo | null>(null);

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(255)]],
    host: ['', Validators.maxLength(255)],
    port: ['', [Validators.pattern(/^\d*$/), Validators.min(1), Validators.max(65535)]],
    metadata: ['{}', jsonObjectValidator],
    tags: ['', tagsValidator],
  });

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id));
    });
  }

  private load(id: string): void {
    this.state.set('loading');
    this.api.get(id, true).subscribe({
      next: (s) => {
        this.server.set(s);
        this.resetForm(s);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        if (err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400)) return this.state.set('not-found');
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  private resetForm(s: Server): void {
    this.form.reset({
      name: s.name,
      host: s.host ?? '',
      port: s.port == null ? '' : String(s.port),
      metadata: JSON.stringify(s.metadata ?? {}, null, 2),
      tags: (s.tags ?? []).join(', '),
    });
  }

  /** After a move: the new access (the page may now allow less, or more). */
  protected moved(s: Server): void {
    this.server.set(s);
    this.resetForm(s);
  }

  protected retry(): void {
    this.load(this.id());
  }

  protected save(): void {
    if (this.form.invalid) return this.form.markAllAsTouched();
    const v = this.form.getRawValue();
    const body: UpdateServerRequest = {
      name: v.name.trim(),
      host: v.host.trim() || null,
      port: v.port ? Number(v.port) : null,
      metadata: v.metadata.trim() ? (JSON.parse(v.metadata) as Record<string, unknown>) : {},
      tags: parseTags(v.tags),
    };
    this.saving.set(true);
    this.saveError.set(null);
    this.api.update(this.id(), body).subscribe({
      next: (s) => {
        this.saving.set(false);
        this.server.set(s);
        this.resetForm(s);
        this.notify.success('Server saved');
      },
      error: (err: unknown) => {
        this.saveError.set(describeHttpError(err));
        this.saving.set(false);
      },
    });
  }

  protected deleteServer(): void {
    const s = this.server();
    if (!s) return;
    openConfirm(this.dialog, {
      title: `Delete ${s.name}?`,
      message: 'This removes the server, its API keys, metrics, alerts and history. The agent is disconnected. This cannot be undone.',
      confirmText: 'Delete server',
      requireText: s.name,
    }).subscribe((ok) => {
      if (!ok) return;
      // To the overview first: a toast stays on the page it was raised on.
      this.api.remove(s.id).subscribe(() => void this.router.navigateByUrl('/').then(() => this.notify.success(`${s.name} deleted`)));
    });
  }
}
