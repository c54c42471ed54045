import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import type { Server } from '@chatops/protocol';
import { Subscription, filter } from 'rxjs';
import { describeHttpError } from '../../core/api/error-message';
import { ServersApi } from '../../core/api/servers-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';

export type ServerLoadState = 'loading' | 'ready' | 'not-found' | 'error';

/**
 * The server a `/servers/:id/...` page shows, shared by the layout and its tabs. Provided by the
 * layout component (so it ends with it): it loads the server, keeps the `/live` subscription to
 * it for as long as any tab is open (the Commands and Terminal tabs depend on it), and follows
 * `server_status`. When the agent comes back online the server is read again, so a tab sees the
 * capabilities the agent was restarted with.
 */
@Injectable()
export class ServerContext {
  private readonly api = inject(ServersApi);
  private readonly live = inject(LiveSocketService);

  private readonly _id = signal('');
  readonly id = this._id.asReadonly();
  readonly state = signal<ServerLoadState>('loading');
  readonly loadError = signal('');
  readonly server = signal<Server | null>(null);

  private liveSub: Subscription | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.liveSub?.unsubscribe());
  }

  load(id: string): void {
    this._id.set(id);
    this.agentReread = false;
    this.liveSub?.unsubscribe();
    this.liveSub = null;
    this.server.set(null);
    this.state.set('loading');
    this.api.get(id, true).subscribe({
      next: (s) => {
        if (this._id() !== id) return;
        this.server.set(s);
        this.state.set('ready');
        this.follow(id);
      },
      error: (err: unknown) => {
        if (this._id() !== id) return;
        if (err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400)) return this.state.set('not-found');
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  /** Reads the server again without a loading state (agent info and capabilities may have changed). */
  reload(): void {
    const id = this._id();
    this.api.get(id, true).subscribe({ next: (s) => this._id() === id && this.server.set(s), error: () => undefined });
  }

  /**
   * The agent was heard from (a live sample): the server is online. Read once more if its agent
   * info is still missing: the server was read between the agent's connection and its `hello`.
   */
  markSeen(timestamp: string): void {
    const missingAgent = this.server()?.agent === null && !this.agentReread;
    this.server.update((s) => (s ? { ...s, status: 'online', lastSeen: timestamp } : s));
    if (missingAgent) {
      this.agentReread = true;
      this.reload();
    }
  }
  private agentReread = false;

  private follow(id: string): void {
    const sub = new Subscription();
    sub.add(this.live.subscribeServer(id).subscribe());
    sub.add(
      this.live
        .on('server_status')
        .pipe(filter((e) => e.serverId === id))
        .subscribe((e) => {
          const wasOnline = this.server()?.status === 'online';
          this.server.update((s) => (s ? { ...s, status: e.status, lastSeen: e.lastSeen ?? s.lastSeen } : s));
          if (e.status === 'online' && !wasOnline) this.reload();
        }),
    );
    this.liveSub = sub;
  }
}
