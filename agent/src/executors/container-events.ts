/**
 * Follows the engine's container events (`GET /events?filters={"type":["container"]}`) and hands
 * each one of CONTAINER_EVENT_ACTIONS to `emit` as it happens. When the stream ends or fails (the
 * engine restarted, the socket went away) it reconnects with exponential backoff, asking for the
 * events since the last one it saw so that nothing in between is lost (duplicates are skipped).
 */
import type { Readable } from 'node:stream';
import { CONTAINER_EVENT_ACTIONS, type ContainerEvent, type ContainerEventAction } from '@chatops/protocol/docker';
import { Backoff } from '../connection/backoff';
import type { Logger } from '../log';

/** Opens the engine's event stream (`since`: unix seconds). */
export type OpenEvents = (since: string | undefined) => Promise<Readable>;

export interface ContainerEventsOptions {
  open: OpenEvents;
  emit: (event: ContainerEvent) => void;
  logger: Logger;
  backoff?: Backoff;
}

/** Reconnection delays: 0.5 s doubling up to 10 s (an engine restart takes seconds). */
export const EVENTS_RETRY_MIN_MS = 500;
export const EVENTS_RETRY_MAX_MS = 10_000;
/** A line longer than this is not an event of ours: dropped rather than buffered. */
const MAX_EVENT_LINE = 64 * 1024;

const ACTIONS = new Set<string>(CONTAINER_EVENT_ACTIONS);
type Doc = Record<string, unknown>;
const attr = (attrs: Doc, ...keys: string[]): string | undefined => {
  for (const k of keys) if (typeof attrs[k] === 'string' && attrs[k]) return attrs[k] as string;
  return undefined;
};

/** One engine event → ContainerEvent, or null for events not forwarded (exec_*, cleanup, other types). */
export function toContainerEvent(ev: Doc): ContainerEvent | null {
  const type = ev.Type ?? ev.type;
  if (type !== undefined && type !== 'container') return null;
  const raw = String(ev.Action ?? ev.status ?? '');
  const actor = (ev.Actor && typeof ev.Actor === 'object' ? ev.Actor : {}) as Doc;
  const attrs = (actor.Attributes && typeof actor.Attributes === 'object' ? actor.Attributes : {}) as Doc;
  // Docker: "health_status: healthy"; podman: "health_status" with the state in an attribute.
  const isHealth = raw.startsWith('health_status');
  const action = (isHealth ? 'health_status' : raw) as ContainerEventAction;
  if (!ACTIONS.has(action)) return null;
  const containerId = String(actor.ID ?? ev.id ?? '').slice(0, 128);
  if (!containerId) return null;
  const health = isHealth ? (raw.includes(':') ? raw.slice(raw.indexOf(':') + 1).trim() : attr(attrs, 'health_status', 'healthStatus') ?? null) : null;
  const code = action === 'die' ? Number(attr(attrs, 'exitCode', 'containerExitCode')) : NaN;
  const nano = typeof ev.timeNano === 'number' ? ev.timeNano : null;
  const ms = nano !== null ? Math.floor(nano / 1e6) : typeof ev.time === 'number' ? ev.time * 1000 : Date.now();
  return {
    containerId,
    name: (attr(attrs, 'name') ?? '').replace(/^\//, '').slice(0, 255),
    image: (attr(attrs, 'image') ?? (typeof ev.from === 'string' ? ev.from : undefined))?.slice(0, 512) ?? null,
    action,
    exitCode: Number.isInteger(code) ? Math.max(-1, Math.min(code, 1_000_000)) : null,
    health: health ? health.slice(0, 32) : null,
    time: new Date(ms).toISOString(),
  };
}

export class ContainerEventWatcher {
  private stream: Readable | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** The newest event seen: its time in ns, and the events at that very time (skipped on replay). */
  private lastNano = 0;
  private atLast = new Set<string>();
  private failures = 0;
  private readonly backoff: Backoff;

  constructor(private readonly o: ContainerEventsOptions) {
    this.backoff = o.backoff ?? new Backoff(EVENTS_RETRY_MIN_MS, EVENTS_RETRY_MAX_MS);
  }

  get connected(): boolean {
    return this.stream !== null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stream?.destroy();
    this.stream = null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    // Whole seconds (every engine takes them): the events of that second seen already are skipped.
    const since = this.lastNano ? String(Math.floor(this.lastNano / 1e9)) : undefined;
    let stream: Readable;
    try {
      stream = await this.o.open(since);
    } catch (err) {
      return this.retry((err as Error).message);
    }
    if (this.stopped) {
      stream.destroy();
      return;
    }
    this.stream = stream;
    if (this.failures) this.o.logger.info('container events resumed', { after: this.failures });
    this.failures = 0;
    this.backoff.reset();
    let partial = '';
    stream.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > MAX_EVENT_LINE) partial = '';
      for (const line of lines) if (line.trim()) this.onLine(line);
    });
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = null;
      stream.destroy();
      this.retry(why);
    };
    stream.on('end', () => end('the engine closed the event stream'));
    stream.on('close', () => end('the event stream closed'));
    stream.on('error', (err) => end(err.message));
  }

  private onLine(line: string): void {
    let doc: Doc;
    try {
      doc = JSON.parse(line) as Doc;
    } catch {
      return;
    }
    const event = toContainerEvent(doc);
    const nano = typeof doc.timeNano === 'number' ? doc.timeNano : typeof doc.time === 'number' ? doc.time * 1e9 : 0;
    const key = `${String(doc.id ?? '')}:${String(doc.Action ?? doc.status ?? '')}`;
    if (nano && nano < this.lastNano) return; // replayed after a reconnect
    if (nano && nano === this.lastNano && this.atLast.has(key)) return;
    if (nano > this.lastNano) {
      this.lastNano = nano;
      this.atLast.clear();
    }
    this.atLast.add(key);
    if (event) this.o.emit(event);
  }

  private retry(why: string): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff.next();
    this.failures++;
    // The first failure is worth a warning (the engine went away); the retries that follow are not.
    const log = this.failures === 1 ? this.o.logger.warn : this.o.logger.debug;
    log.call(this.o.logger, 'container events stream lost, reconnecting', { reason: why.slice(0, 200), retryInMs: delay });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}

/** Container events sent per second at most: a burst (`docker rm -f` of 100 containers) is spread out. */
export const EVENTS_PER_SEC = 30;
/** Events waiting at most; beyond that the newest are dropped (and counted in the log). */
export const EVENTS_QUEUED_MAX = 1000;

/**
 * Paces container events: the backend disconnects an agent sending over 200 frames in a second,
 * and an engine emits several events per container at once (kill, die, stop, destroy). Up to
 * `perSec` go out in each second at once; the rest wait in order for the next second, at most
 * `maxQueued` of them.
 */
export class EventPacer<T> {
  private queue: T[] = [];
  private windowStart = -Infinity;
  private sentInWindow = 0;
  private timer: NodeJS.Timeout | null = null;
  private droppedCount = 0;

  constructor(
    private readonly send: (item: T) => void,
    private readonly perSec = EVENTS_PER_SEC,
    private readonly maxQueued = EVENTS_QUEUED_MAX,
  ) {}

  /** Events dropped because the queue was full (since the start). */
  get dropped(): number {
    return this.droppedCount;
  }

  push(item: T): void {
    if (this.queue.length >= this.maxQueued) {
      this.droppedCount++;
      return;
    }
    this.queue.push(item);
    this.drain();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private drain(): void {
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    while (this.queue.length && this.sentInWindow < this.perSec) {
      this.sentInWindow++;
      this.send(this.queue.shift()!);
    }
    if (this.queue.length && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.drain();
      }, Math.max(0, this.windowStart + 1000 - now));
    }
  }
}
