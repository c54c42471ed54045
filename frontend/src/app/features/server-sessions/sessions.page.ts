import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, ComponentRef, DestroyRef, ViewContainerRef, effect, inject, signal, untracked, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { TerminalSession } from '@chatops/protocol';
import { Subscription } from 'rxjs';
import { describeHttpError } from '../../core/api/error-message';
import { TerminalApi, downloadErrorMessage } from '../../core/api/terminal-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { BytesPipe, RelativeTimePipe } from '../../shared/format/format.pipes';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { ServerContext } from '../server-detail/server-context';
import { formatDuration } from '../server-commands/format-duration';
import type { RecordingPlayerComponent } from './recording-player.component';

export const SESSIONS_PAGE_SIZE = 25;

/** `/servers/:id/sessions`: recorded terminal sessions, played in the page or downloaded (.cast). */
@Component({
  selector: 'app-sessions-page',
  imports: [MatButtonModule, MatProgressBarModule, EmptyStateComponent, IconComponent, BytesPipe, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './sessions.page.html',
  styleUrl: './sessions.page.scss',
})
export class SessionsPage {
  private readonly ctx = inject(ServerContext);
  private readonly api = inject(TerminalApi);
  private readonly notify = inject(NotifyService);
  private readonly doc = inject(DOCUMENT);

  protected readonly items = signal<TerminalSession[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly hasMore = signal(false);
  protected readonly loadingMore = signal(false);
  protected readonly playingId = signal<string | null>(null);
  protected readonly playerLoading = signal(false);
  protected readonly downloading = signal<ReadonlySet<string>>(new Set());
  protected readonly now = signal(Date.now());
  private sub: Subscription | null = null;
  private readonly playerSlot = viewChild.required('playerSlot', { read: ViewContainerRef });
  private player: ComponentRef<RecordingPlayerComponent> | null = null;

  constructor() {
    effect(() => {
      const id = this.ctx.id();
      untracked(() => this.reload(id));
    });
    inject(DestroyRef).onDestroy(() => {
      this.sub?.unsubscribe();
      this.player?.destroy();
    });
  }

  protected duration(s: TerminalSession): string {
    if (!s.endedAt) return 'open';
    return formatDuration(Date.parse(s.endedAt) - Date.parse(s.startedAt));
  }

  protected ending(s: TerminalSession): string {
    if (!s.endedAt) return '—';
    const code = s.exitCode === null ? '' : ` (exit ${s.exitCode})`;
    const reason: Record<string, string> = { exit: 'exited', closed: 'closed', agent_disconnected: 'agent disconnected', idle: 'idle timeout', error: 'error', instance_died: 'backend instance stopped', access_revoked: 'access revoked' };
    return `${reason[s.endReason ?? ''] ?? 'ended'}${code}`;
  }

  protected retry(): void {
    this.reload(this.ctx.id());
  }

  /**
   * Shows the player for this session. The player component (with asciinema-player) is imported
   * on the first Play and created in #playerSlot; `@defer` would do the same but puts Angular's
   * defer runtime (~6 kB) into the initial bundle.
   */
  protected async play(s: TerminalSession): Promise<void> {
    this.playingId.set(s.id);
    if (this.player) return this.player.setInput('session', s);
    if (this.playerLoading()) return;
    this.playerLoading.set(true);
    try {
      const { RecordingPlayerComponent } = await import('./recording-player.component');
      const session = this.items().find((x) => x.id === this.playingId());
      if (!session) return;
      const ref = this.playerSlot().createComponent(RecordingPlayerComponent);
      ref.setInput('session', session);
      ref.instance.closed.subscribe(() => this.closePlayer());
      this.player = ref;
    } catch {
      void this.notify.error('The player could not be loaded. Reload the page and try again.');
      this.playingId.set(null);
    } finally {
      this.playerLoading.set(false);
    }
  }

  protected closePlayer(): void {
    this.player?.destroy();
    this.player = null;
    this.playingId.set(null);
  }

  protected loadMore(): void {
    const last = this.items().at(-1);
    if (!last || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.sub = this.api.sessions(this.ctx.id(), { limit: SESSIONS_PAGE_SIZE, before: last.id }).subscribe({
      next: (page) => {
        const known = new Set(this.items().map((s) => s.id));
        this.items.update((items) => [...items, ...page.filter((s) => !known.has(s.id))]);
        this.hasMore.set(page.length >= SESSIONS_PAGE_SIZE);
        this.loadingMore.set(false);
      },
      error: () => this.loadingMore.set(false),
    });
  }

  /** The API needs the Bearer token, so the file is fetched and saved from a blob URL. */
  protected download(s: TerminalSession): void {
    if (this.downloading().has(s.id)) return;
    this.downloading.set(new Set([...this.downloading(), s.id]));
    const done = () => this.downloading.set(new Set([...this.downloading()].filter((id) => id !== s.id)));
    this.api.download(s.id).subscribe({
      next: ({ blob, filename }) => {
        const url = URL.createObjectURL(blob);
        const a = this.doc.createElement('a');
        a.href = url;
        a.download = filename;
        a.rel = 'noopener';
        this.doc.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 0);
        done();
      },
      error: (err: unknown) => {
        done();
        void downloadErrorMessage(err).then((message) => this.notify.error(`The recording could not be downloaded: ${message}`));
      },
    });
  }

  private reload(serverId: string): void {
    this.sub?.unsubscribe();
    this.state.set('loading');
    this.now.set(Date.now());
    this.sub = this.api.sessions(serverId, { limit: SESSIONS_PAGE_SIZE }).subscribe({
      next: (page) => {
        this.items.set(page);
        this.hasMore.set(page.length >= SESSIONS_PAGE_SIZE);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }
}
