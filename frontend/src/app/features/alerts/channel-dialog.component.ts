import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { ChannelType, CreateChannelRequest, NotificationChannel, UpdateChannelRequest } from '@chatops/protocol';
import { fieldErrors } from '../../core/api/field-errors';
import { NotificationsApi } from '../../core/api/notifications-api.service';

export interface ChannelDialogData { channel: NotificationChannel | null }

export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = { webhook: 'Webhook (signed JSON)', slack: 'Slack incoming webhook', email: 'Email' };
const FIELDS = ['name', 'type', 'url', 'secret', 'emailTo', 'enabled'] as const;

export interface ChannelFormValue { name: string; type: ChannelType; enabled: boolean; url: string; secret: string; emailTo: string }

/** The checks the backend makes (docs/api.md "Notifications"); `editing`: url/secret may stay empty (kept). */
export function validateChannel(v: ChannelFormValue, editing: boolean): Record<string, string> {
  const e: Record<string, string> = {};
  const name = v.name.trim();
  if (!name || name.length > 100) e['name'] = 'A name of 1 to 100 characters';
  if (v.type !== 'email') {
    const url = v.url.trim();
    if (!url && !editing) e['url'] = 'The URL to POST to';
    else if (url && (!/^https?:\/\/[^\s]+$/i.test(url) || url.length > 2000)) e['url'] = 'An http(s) URL of at most 2,000 characters';
  }
  if (v.type === 'webhook' && (v.secret || !editing) && (v.secret.length < 16 || v.secret.length > 256)) e['secret'] = 'A signing secret of 16 to 256 characters';
  if (v.type === 'email') {
    const to = emailList(v.emailTo);
    if (!to.length || to.length > 20) e['emailTo'] = '1 to 20 addresses, separated by commas';
    else if (to.some((a) => !/^[^\s@]+@[^\s@]+$/.test(a))) e['emailTo'] = 'Each address like name@example.com';
  }
  return e;
}

export const emailList = (s: string) => s.split(/[,;\s]+/).map((a) => a.trim()).filter(Boolean);

/** The request: only the fields of the type; on edit, an empty url/secret keeps the stored one. */
export function channelRequest(v: ChannelFormValue, editing: boolean): CreateChannelRequest | UpdateChannelRequest {
  const body: CreateChannelRequest = { name: v.name.trim(), type: v.type, enabled: v.enabled };
  if (v.type !== 'email' && v.url.trim()) body.url = v.url.trim();
  if (v.type === 'webhook' && v.secret) body.secret = v.secret;
  if (v.type === 'email') body.emailTo = emailList(v.emailTo);
  if (!editing) return body;
  const { type: _type, ...update } = body;
  return update;
}

/** Create or edit a notification channel. Secrets are never shown again: leave them empty to keep them. */
@Component({
  selector: 'app-channel-dialog',
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatSlideToggleModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.channel ? 'Edit channel' : 'New notification channel' }}</h2>
    <form (submit)="$event.preventDefault(); save()" novalidate>
      <mat-dialog-content>
        @let f = form();
        <mat-form-field class="full-width">
          <mat-label>Name</mat-label>
          <input matInput data-testid="channel-name" [value]="f.name" (input)="set('name', $any($event.target).value)" maxlength="100" />
          @if (error('name')) { <mat-hint class="error-text" data-testid="error-name">{{ error('name') }}</mat-hint> }
        </mat-form-field>
        <mat-form-field class="full-width">
          <mat-label>Type</mat-label>
          <mat-select data-testid="channel-type" [value]="f.type" (valueChange)="set('type', $event)" [disabled]="!!data.channel">
            @for (t of types; track t.value) { <mat-option [value]="t.value">{{ t.label }}</mat-option> }
          </mat-select>
        </mat-form-field>
        @if (f.type !== 'email') {
          <mat-form-field class="full-width">
            <mat-label>URL</mat-label>
            <input matInput type="url" data-testid="channel-url" [value]="f.url" (input)="set('url', $any($event.target).value)" autocomplete="off"
              [placeholder]="data.channel?.urlPreview ?? 'https://'" />
            @if (error('url')) { <mat-hint class="error-text" data-testid="error-url">{{ error('url') }}</mat-hint> }
            @else if (data.channel) { <mat-hint>Stored: {{ data.channel.urlPreview }} — leave empty to keep it</mat-hint> }
          </mat-form-field>
        }
        @if (f.type === 'webhook') {
          <mat-form-field class="full-width">
            <mat-label>Signing secret</mat-label>
            <input matInput type="password" data-testid="channel-secret" [value]="f.secret" (input)="set('secret', $any($event.target).value)" autocomplete="new-password" />
            @if (error('secret')) { <mat-hint class="error-text" data-testid="error-secret">{{ error('secret') }}</mat-hint> }
            @else { <mat-hint>HMAC-SHA256 key, 16–256 characters{{ data.channel?.hasSecret ? '; leave empty to keep the stored one' : '' }}</mat-hint> }
          </mat-form-field>
        }
        @if (f.type === 'email') {
          <mat-form-field class="full-width">
            <mat-label>Send to</mat-label>
            <input matInput data-testid="channel-email" [value]="f.emailTo" (input)="set('emailTo', $any($event.target).value)" />
            @if (error('emailTo')) { <mat-hint class="error-text" data-testid="error-emailTo">{{ error('emailTo') }}</mat-hint> }
            @else { <mat-hint>Addresses separated by commas</mat-hint> }
          </mat-form-field>
        }
        <mat-slide-toggle [checked]="f.enabled" (change)="set('enabled', $event.checked)">Enabled</mat-slide-toggle>
        @if (generalError()) { <p class="error-text" role="alert" data-testid="channel-error">{{ generalError() }}</p> }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="saving()" data-testid="channel-save">{{ saving() ? 'Saving…' : 'Save channel' }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `mat-form-field { margin-bottom: 4px; }`,
})
export class ChannelDialogComponent {
  protected readonly data = inject<ChannelDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ChannelDialogComponent, NotificationChannel>>(MatDialogRef);
  private readonly api = inject(NotificationsApi);
  protected readonly types = (Object.keys(CHANNEL_TYPE_LABELS) as ChannelType[]).map((value) => ({ value, label: CHANNEL_TYPE_LABELS[value] }));
  protected readonly form = signal<ChannelFormValue>({
    name: this.data.channel?.name ?? '', type: this.data.channel?.type ?? 'webhook', enabled: this.data.channel?.enabled ?? true,
    url: '', secret: '', emailTo: this.data.channel?.emailTo?.join(', ') ?? '',
  });
  protected readonly touched = signal(false);
  protected readonly saving = signal(false);
  protected readonly serverErrors = signal<Record<string, string>>({});
  protected readonly generalError = signal('');
  protected readonly localErrors = computed(() => validateChannel(this.form(), !!this.data.channel));

  protected error(field: string): string {
    return (this.touched() ? this.localErrors()[field] : undefined) ?? this.serverErrors()[field] ?? '';
  }

  protected set<K extends keyof ChannelFormValue>(key: K, value: ChannelFormValue[K]): void {
    this.form.update((f) => ({ ...f, [key]: value }));
  }

  protected save(): void {
    this.touched.set(true);
    if (Object.keys(this.localErrors()).length || this.saving()) return;
    this.saving.set(true);
    this.generalError.set('');
    const editing = this.data.channel;
    const body = channelRequest(this.form(), !!editing);
    const call = editing ? this.api.update(editing.id, body) : this.api.create(body as CreateChannelRequest);
    call.subscribe({
      next: (c) => this.ref.close(c),
      error: (err: unknown) => {
        const e = fieldErrors(err, FIELDS);
        this.serverErrors.set(e.fields);
        this.generalError.set(e.general);
        this.saving.set(false);
      },
    });
  }
}
