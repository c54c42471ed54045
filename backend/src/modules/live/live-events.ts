import { Injectable, Logger } from '@nestjs/common';
import type { LiveClientToServerEvents } from '@chatops/protocol';
import type { Ack } from '../../common/socket-ack';
import type { LiveSocket } from './live-socket';

/** The acknowledgement payload of a browser event, from the protocol map. */
export type LiveAckOf<E extends keyof LiveClientToServerEvents> =
  Parameters<LiveClientToServerEvents[E]> extends [unknown, ((res: infer R) => void)?] ? R : never;

/**
 * A feature module's handler for one browser event. The payload is whatever the browser sent
 * (validate it); `ack` is there when the browser asked for one.
 */
export type LiveEventHandler<E extends keyof LiveClientToServerEvents> =
  (socket: LiveSocket, payload: unknown, ack: Ack<LiveAckOf<E>>) => void | Promise<void>;

type StoredHandler = (socket: LiveSocket, payload: unknown, ack: Ack<unknown>) => void | Promise<void>;

/**
 * How feature modules (terminal, chat, ...) take part in `/live` without editing its gateway:
 * they register handlers for their own client events and hooks for disconnects at module init;
 * the gateway routes to them behind its authentication, flood guard and error handling.
 */
@Injectable()
export class LiveEvents {
  private readonly logger = new Logger(LiveEvents.name);
  private readonly handlers = new Map<string, StoredHandler>();
  private readonly disconnectHooks: Array<(socket: LiveSocket) => void> = [];
  private readonly connectHooks: Array<(socket: LiveSocket) => void | Promise<void>> = [];

  handle<E extends keyof LiveClientToServerEvents>(event: E, handler: LiveEventHandler<E>): void {
    if (this.handlers.has(event)) throw new Error(`A /live handler for "${event}" is already registered`);
    this.handlers.set(event, handler as StoredHandler);
  }

  /** Runs when an authenticated browser socket connected (e.g. to join rooms of things already under way). */
  onConnect(hook: (socket: LiveSocket) => void | Promise<void>): void {
    this.connectHooks.push(hook);
  }

  connected(socket: LiveSocket): void {
    for (const hook of this.connectHooks) {
      Promise.resolve()
        .then(() => hook(socket))
        .catch((err: unknown) => this.logger.error({ err, socketId: socket.id, userId: socket.data.user?.id }, 'A /live connect hook failed'));
    }
  }

  /** Runs when a browser socket disconnects (for any reason: closed tab, expiry, revocation). */
  onDisconnect(hook: (socket: LiveSocket) => void): void {
    this.disconnectHooks.push(hook);
  }

  entries(): Iterable<[string, StoredHandler]> {
    return this.handlers.entries();
  }

  has(event: string): boolean {
    return this.handlers.has(event);
  }

  disconnected(socket: LiveSocket): void {
    for (const hook of this.disconnectHooks) {
      try {
        hook(socket);
      } catch (err) {
        this.logger.error({ err, socketId: socket.id, userId: socket.data.user?.id }, 'A /live disconnect hook failed');
      }
    }
  }
}
