import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, Injector, afterNextRender, computed, inject, input, linkedSignal, output, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import type { Server } from '@chatops/protocol';
import type { ChatHistoryEntry, ChatReply, ChatSettings } from '@chatops/protocol/chatops';
import { Subject, catchError, combineLatest, debounceTime, distinctUntilChanged, of, switchMap, tap } from 'rxjs';
import { ChatopsApi } from '../../core/api/chatops-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ServersApi } from '../../core/api/servers-api.service';
import { IconComponent } from '../../shared/ui/icon.component';
import { ChatInputComponent } from './chat-input.component';
import { ChatReplyCardComponent } from './chat-reply-card.component';
import { appendToStreamView, emptyStreamView, type ChatStreamView } from './chat-stream-buffer';

/** One message and its reply (null while it is on its way). */
export interface ChatTurn {
  key: string;
  text: string;
  createdAt: string;
  reply: ChatReply | null;
  /** The request failed (network, 5xx): nothing was stored; the user may send it again. */
  failed?: boolean;
}

/** History page size. */
export const CHAT_PAGE_SIZE = 30;
/** Scrolled this close to the top, the next older page loads. */
const LOAD_OLDER_THRESHOLD_PX = 48;

const turnFromEntry = (e: ChatHistoryEntry): ChatTurn => ({ key: e.id, text: e.text, createdAt: e.createdAt, reply: e.reply });
let localKey = 0;

/**
 * The conversation: history (paged, newest at the bottom, older on scroll-up), search, the
 * server context chip, the "confirm destructive actions" setting, and the message box. Used by
 * the `/chat` page and by the shell's drawer.
 */
@Component({
  selector: 'app-chat-panel',
  imports: [MatButtonModule, MatProgressBarModule, MatSlideToggleModule, MatTooltipModule, RouterLink, IconComponent, ChatInputComponent, ChatReplyCardComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-panel.component.html',
  styleUrl: './chat-panel.component.scss',
})
export class ChatPanelComponent {
  /** The server the panel was opened on (a server page): sent with every message until cleared. */
  readonly serverId = input<string | null>(null);
  readonly mode = input<'page' | 'drawer'>('page');
  readonly closed = output<void>();

  private readonly api = inject(ChatopsApi);
  private readonly servers = inject(ServersApi);
  private readonly liveSocket = inject(LiveSocketService);
  private readonly injector = inject(Injector);
  private readonly destroyRef = inject(DestroyRef);
  private readonly log = viewChild<ElementRef<HTMLElement>>('log');
  private readonly input = viewChild(ChatInputComponent);

  protected readonly context = linkedSignal(() => this.serverId());
  /** The conversation's server (a server page's panel), with the caller's access to it. */
  protected readonly contextServer = signal<Server | null>(null);
  protected readonly contextName = computed(() => this.contextServer()?.name ?? null);
  protected readonly turns = signal<ChatTurn[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly loadingOlder = signal(false);
  /** The first page failed (the toast said why): the log offers to try again. */
  protected readonly loadFailed = signal(false);
  private readonly reloads = signal(0);
  protected readonly query = signal('');
  protected readonly settings = signal<ChatSettings | null>(null);
  /** The user's earlier messages, newest first, without one-time confirmations. */
  protected readonly recallSeed = computed(() =>
    this.turns().map((t) => t.text).filter((t) => !/^\/?(confirm|cancel)\s/i.test(t)).reverse(),
  );

  /** Messages sent in this conversation, to show a confirmation already sent as done. */
  protected readonly sentTexts = computed(() => new Set(this.turns().filter((t) => t.reply).map((t) => t.text.trim())));

  /** Output of streamed actions by stream id, as it arrives (possibly before the reply that names it). */
  protected readonly streams = signal<ReadonlyMap<string, ChatStreamView>>(new Map());
  /** Final replies of streams that ended before their turn had its reply. */
  private readonly endedEarly = new Map<string, ChatReply>();

  private readonly search$ = new Subject<string>();
  /** The user is at the newest message: content growing below (a chart drawn, output) keeps it in view. */
  private pinned = true;

  constructor() {
    afterNextRender(() => {
      const el = this.log()?.nativeElement;
      const content = el?.firstElementChild;
      if (!el || !content) return;
      const observer = new ResizeObserver(() => { if (this.pinned) el.scrollTop = el.scrollHeight; });
      observer.observe(content);
      this.destroyRef.onDestroy(() => observer.disconnect());
    });
    const searchTerm = signal('');
    this.search$.pipe(debounceTime(300), distinctUntilChanged(), takeUntilDestroyed()).subscribe((q) => searchTerm.set(q.trim()));

    combineLatest([toObservable(this.context), toObservable(searchTerm), toObservable(this.reloads)])
      .pipe(
        tap(() => {
          this.loading.set(true);
          this.loadFailed.set(false);
        }),
        switchMap(([serverId, q]) =>
          this.api.history({ serverId, q, limit: CHAT_PAGE_SIZE }).pipe(catchError(() => of(null))),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((page) => {
        this.loading.set(false);
        this.loadFailed.set(!page);
        // A message still on its way (sent while this page loaded) stays below the history.
        const pending = this.turns().filter((t) => !t.reply);
        this.turns.set([...(page ? page.items.map(turnFromEntry).reverse() : []), ...pending]);
        this.nextCursor.set(page?.nextCursor ?? null);
        this.scrollToBottom();
      });

    toObservable(this.context)
      .pipe(
        switchMap((id) => (id ? this.servers.get(id, true).pipe(catchError(() => of(null))) : of(null))),
        takeUntilDestroyed(),
      )
      .subscribe((s) => this.contextServer.set(s));

    this.api.settings().pipe(takeUntilDestroyed()).subscribe({ next: (s) => this.settings.set(s), error: () => undefined });

    this.liveSocket.on('chat_stream').pipe(takeUntilDestroyed()).subscribe(({ streamId, stream, chunk }) => {
      this.streams.update((m) => new Map(m).set(streamId, appendToStreamView(m.get(streamId) ?? emptyStreamView(), stream, chunk)));
    });
    this.liveSocket.on('chat_stream_end').pipe(takeUntilDestroyed()).subscribe(({ streamId, reply }) => {
      this.streams.update((m) => {
        const next = new Map(m);
        next.delete(streamId);
        return next;
      });
      const shown = this.turns().some((t) => t.reply?.stream?.id === streamId);
      if (shown) this.turns.update((ts) => ts.map((t) => (t.reply?.stream?.id === streamId ? { ...t, reply } : t)));
      // Its reply is still on its way (a short command): used when it arrives. Another tab's
      // streams never arrive here as replies; keep the map small.
      else if (this.turns().some((t) => !t.reply)) {
        this.endedEarly.set(streamId, reply);
        if (this.endedEarly.size > 20) this.endedEarly.delete(this.endedEarly.keys().next().value!);
      }
    });
  }

  /** Sends a message (typed, a button's command, a confirmation) and appends it with its reply. */
  send(text: string): void {
    const turn: ChatTurn = { key: `local-${localKey++}`, text, createdAt: new Date().toISOString(), reply: null };
    this.turns.update((ts) => [...ts, turn]);
    this.scrollToBottom();
    // Stream long actions only when their output can arrive (the live socket is up).
    this.api.send(text, this.context(), this.liveSocket.status() === 'connected').subscribe({
      next: (res) => {
        const streamId = res.reply.stream?.state === 'running' ? res.reply.stream.id : null;
        const ended = streamId ? this.endedEarly.get(streamId) : undefined;
        if (streamId) this.endedEarly.delete(streamId);
        this.replace(turn.key, { ...turn, key: res.id, reply: ended ?? res.reply });
      },
      // The error interceptor has shown a toast; the turn says it was not sent.
      error: () => this.replace(turn.key, { ...turn, failed: true }),
    });
  }

  /** Stops a followed log (the card's Stop button); its end arrives as `chat_stream_end`. */
  protected stopStream(streamId: string): void {
    this.liveSocket.send('chat_stream_stop', { streamId });
  }

  /** Focuses the message box (the drawer, when it opens). */
  focusInput(): void {
    this.input()?.focus();
  }

  protected reload(): void {
    this.reloads.update((n) => n + 1);
  }

  protected retry(turn: ChatTurn): void {
    this.turns.update((ts) => ts.filter((t) => t.key !== turn.key));
    this.send(turn.text);
  }

  protected clearContext(): void {
    this.context.set(null);
    this.input()?.focus();
  }

  protected onSearch(q: string): void {
    this.query.set(q);
    this.search$.next(q);
  }

  protected onScroll(el: HTMLElement): void {
    this.pinned = el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_OLDER_THRESHOLD_PX;
    if (el.scrollTop < LOAD_OLDER_THRESHOLD_PX) this.loadOlder();
  }

  protected loadOlder(): void {
    const before = this.nextCursor();
    if (!before || this.loadingOlder() || this.loading()) return;
    this.loadingOlder.set(true);
    const el = this.log()?.nativeElement;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    this.api.history({ serverId: this.context(), q: this.query().trim(), before, limit: CHAT_PAGE_SIZE }).subscribe({
      next: (page) => {
        this.turns.update((ts) => [...page.items.map(turnFromEntry).reverse(), ...ts]);
        this.nextCursor.set(page.nextCursor);
        this.loadingOlder.set(false);
        // Keep the messages the user was reading in place.
        afterNextRender(() => { if (el) el.scrollTop = el.scrollHeight - fromBottom; }, { injector: this.injector });
      },
      error: () => this.loadingOlder.set(false),
    });
  }

  protected toggleConfirm(on: boolean): void {
    const before = this.settings();
    this.settings.set({ confirmDestructive: on });
    this.api.updateSettings({ confirmDestructive: on }).subscribe({
      next: (s) => this.settings.set(s),
      error: () => this.settings.set(before),
    });
  }

  private replace(key: string, turn: ChatTurn): void {
    this.turns.update((ts) => ts.map((t) => (t.key === key ? turn : t)));
    this.scrollToBottom();
  }

  private scrollToBottom(): void {
    this.pinned = true;
    afterNextRender(() => {
      const el = this.log()?.nativeElement;
      if (el) el.scrollTop = el.scrollHeight;
    }, { injector: this.injector });
  }
}
