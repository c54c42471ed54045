import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, afterRenderEffect, computed, effect, inject, input, signal, untracked, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { ContainerLogsEndReason } from '@chatops/protocol';
// The zod-free file, not the package index (which would bring zod into this chunk).
import { DOCKER_LOGS_DEFAULT_TAIL } from '@chatops/protocol/docker-limits';
import { Subscription, filter } from 'rxjs';
import { DockerApi } from '../../core/api/docker-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { LiveRequestError, LiveSocketService } from '../../core/live/live-socket.service';
import { IconComponent } from '../../shared/ui/icon.component';
import { LOG_BUFFER_MAX_LINES, LogBuffer, LogEntry, StreamFilter, filterLines, logText, shortTimestamp } from './log-buffer';
import { LogLineDirective } from './log-line.directive';

export const TAIL_OPTIONS = [100, 500, 1000, 5000] as const;

const END_TEXT: Record<ContainerLogsEndReason | 'disconnected', string> = {
  ended: 'The container stopped: the log ended.',
  error: 'The log stream failed.',
  unsubscribed: 'Stopped following.',
  agent_disconnected: 'The agent disconnected: the log is no longer followed.',
  server_deleted: 'The server was deleted.',
  access_revoked: 'Your access to this server changed: you may no longer read its containers.',
  disconnected: 'The live connection dropped: the log is no longer followed.',
};

const ACK_TEXT: Record<string, string> = {
  not_found: 'No such container (or the server is not yours).',
  agent_offline: "The server's agent is offline.",
  too_many_streams: 'Too many logs are followed at once (5 per browser tab). Close another one.',
  disabled: 'Docker is disabled on the agent.',
  docker_unavailable: "The agent's Docker Engine does not answer.",
  timeout: 'The agent did not answer in time.',
  unavailable: 'The agent did not answer in time.',
};

/**
 * A container's log: the last `tail` lines over REST, or followed live over `/live`
 * (`container_logs_subscribe`); stdout/stderr filter, search with highlight, timestamps, ANSI
 * colours, download. At most LOG_BUFFER_MAX_LINES lines are kept.
 */
@Component({
  selector: 'app-logs-viewer',
  imports: [MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatSlideToggleModule, MatProgressBarModule, IconComponent, LogLineDirective],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="controls">
      <mat-form-field subscriptSizing="dynamic" class="tail">
        <mat-label>Tail</mat-label>
        <mat-select data-testid="logs-tail" [value]="tail()" (selectionChange)="tail.set($event.value)">
          @for (t of tailOptions; track t) { <mat-option [value]="t">{{ t }} lines</mat-option> }
        </mat-select>
      </mat-form-field>
      <mat-slide-toggle data-testid="logs-follow" [checked]="follow()" (change)="follow.set($event.checked)">Follow</mat-slide-toggle>
      <mat-slide-toggle data-testid="logs-timestamps" [checked]="timestamps()" (change)="timestamps.set($event.checked)">Timestamps</mat-slide-toggle>
      <mat-button-toggle-group aria-label="Streams" [value]="stream()" (change)="stream.set($event.value)" data-testid="logs-stream">
        <mat-button-toggle value="all">All</mat-button-toggle>
        <mat-button-toggle value="stdout">stdout</mat-button-toggle>
        <mat-button-toggle value="stderr">stderr</mat-button-toggle>
      </mat-button-toggle-group>
      <mat-form-field subscriptSizing="dynamic" class="search">
        <mat-label>Search</mat-label>
        <input matInput data-testid="logs-search" autocomplete="off" [value]="query()" (input)="query.set($any($event.target).value)" />
      </mat-form-field>
      <button mat-stroked-button type="button" data-testid="logs-download" (click)="download()" [disabled]="!visible().length">
        <app-icon name="download" [size]="16" /> Download
      </button>
      @if (!follow()) { <button mat-button type="button" data-testid="logs-reload" (click)="load()"><app-icon name="replay" [size]="16" /> Reload</button> }
    </div>
    @if (loading()) { <mat-progress-bar mode="indeterminate" aria-label="Loading the log" /> }
    <p class="status muted" aria-live="polite" data-testid="logs-status">
      {{ statusText() }}
      @if (ended() && follow()) { <button mat-button type="button" data-testid="logs-resume" (click)="load()">Follow again</button> }
    </p>
    @if (error()) { <p class="error-text" role="alert" data-testid="logs-error">{{ error() }}</p> }
    <pre class="out ansi" #out tabindex="0" aria-label="Container log" data-testid="logs-output" (scroll)="scrolled()">@for (e of visible(); track e.id) {<div class="line" [class.stderr]="e.stream === 'stderr'" data-testid="log-line">@if (timestamps() && e.timestamp) {<span class="ts">{{ ts(e.timestamp) }} </span>}<span [appLogLine]="e.html" [query]="query()"></span></div>}</pre>
  `,
  styleUrl: './logs-viewer.component.scss',
})
export class LogsViewerComponent {
  private readonly api = inject(DockerApi);
  private readonly live = inject(LiveSocketService);
  private readonly document = inject(DOCUMENT);
  readonly serverId = input.required<string>();
  readonly containerId = input.required<string>();
  readonly containerName = input('');

  protected readonly tailOptions = TAIL_OPTIONS;
  readonly tail = signal<number>(DOCKER_LOGS_DEFAULT_TAIL);
  readonly follow = signal(false);
  readonly timestamps = signal(false);
  readonly stream = signal<StreamFilter>('all');
  readonly query = signal('');
  protected readonly loading = signal(false);
  protected readonly error = signal('');
  protected readonly ended = signal<string>('');
  private readonly entries = signal<LogEntry[]>([]);
  private readonly truncated = signal(false);
  /** A followed stream is open (acknowledged, not ended). */
  protected readonly following = signal(false);
  readonly visible = computed(() => filterLines(this.entries(), this.stream(), this.query()));
  protected readonly statusText = computed(() => {
    const all = this.entries().length, shown = this.visible().length;
    const parts = [`${shown === all ? all : `${shown} of ${all}`} line${all === 1 ? '' : 's'}`];
    if (this.truncated() || this.buffer.dropped) parts.push(`older lines dropped (at most ${LOG_BUFFER_MAX_LINES} kept)`);
    if (this.following()) parts.push('following');
    if (this.ended()) parts.push(this.ended());
    return parts.join(' · ');
  });

  private readonly out = viewChild<ElementRef<HTMLElement>>('out');
  private readonly buffer = new LogBuffer();
  private streamId: string | null = null;
  private streamSub: Subscription | null = null;
  private restSub: Subscription | null = null;
  private generation = 0;
  /** Keep the view at the newest line until the user scrolls up. */
  private stick = true;

  constructor() {
    // Tail, follow or the container changed: read (or follow) again. Timestamps are always asked for; the toggle only shows them.
    effect(() => {
      this.serverId(); this.containerId(); this.tail(); this.follow();
      untracked(() => this.load());
    });
    afterRenderEffect(() => {
      this.visible();
      const el = this.out()?.nativeElement;
      if (el && this.stick) el.scrollTop = el.scrollHeight;
    });
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  load(): void {
    this.stop();
    const gen = ++this.generation;
    this.entries.set(this.buffer.clear());
    this.truncated.set(false);
    this.error.set('');
    this.ended.set('');
    this.loading.set(true);
    this.stick = true;
    const serverId = this.serverId(), containerId = this.containerId();
    if (!this.follow()) {
      this.restSub = this.api.logs(serverId, containerId, { tail: this.tail(), timestamps: true }).subscribe({
        next: (res) => {
          this.loading.set(false);
          this.truncated.set(!!res.truncated);
          this.entries.set(this.buffer.append(res.lines));
        },
        error: (err: unknown) => {
          this.loading.set(false);
          const info = describeHttpError(err);
          this.error.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        },
      });
      return;
    }
    // Listen before asking: the tail may arrive right behind the acknowledgement.
    const sub = new Subscription();
    sub.add(this.live.on('container_logs').pipe(filter((c) => c.streamId === this.streamId)).subscribe((c) => this.entries.set(this.buffer.append(c.lines))));
    sub.add(
      this.live.on('container_logs_end').pipe(filter((c) => c.streamId === this.streamId)).subscribe((c) => {
        this.streamId = null;
        this.following.set(false);
        this.ended.set(c.reason === 'error' && c.message ? `${END_TEXT.error} ${c.message}` : END_TEXT[c.reason] ?? 'The log ended.');
      }),
    );
    sub.add(this.live.disconnects.subscribe(() => {
      if (!this.streamId) return;
      this.streamId = null;
      this.following.set(false);
      this.ended.set(END_TEXT.disconnected);
    }));
    this.streamSub = sub;
    this.live
      .request('container_logs_subscribe', { serverId, containerId, tail: this.tail(), timestamps: true })
      .then((ack) => {
        if (gen !== this.generation) {
          if (ack.ok) this.live.send('container_logs_unsubscribe', { streamId: ack.streamId });
          return;
        }
        this.loading.set(false);
        if (ack.ok) {
          this.streamId = ack.streamId;
          this.following.set(true);
        } else this.error.set(ack.message ? `${ACK_TEXT[ack.error] ?? ack.error}: ${ack.message}` : ACK_TEXT[ack.error] ?? `Could not follow the log (${ack.error}).`);
      })
      .catch((err: unknown) => {
        if (gen !== this.generation) return;
        this.loading.set(false);
        this.error.set(err instanceof LiveRequestError ? err.message : 'Could not follow the log.');
      });
  }

  protected ts(timestamp: string): string {
    return shortTimestamp(timestamp);
  }

  protected scrolled(): void {
    const el = this.out()?.nativeElement;
    if (el) this.stick = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  }

  /** The shown lines (filter and search applied) as plain text. */
  download(): void {
    const blob = new Blob([logText(this.visible(), this.timestamps())], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = this.document.createElement('a');
    a.href = url;
    a.download = `${this.containerName() || this.containerId()}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  private stop(): void {
    this.restSub?.unsubscribe();
    this.restSub = null;
    this.streamSub?.unsubscribe();
    this.streamSub = null;
    if (this.streamId) this.live.send('container_logs_unsubscribe', { streamId: this.streamId });
    this.streamId = null;
    this.following.set(false);
  }
}
