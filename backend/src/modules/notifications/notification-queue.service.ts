import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PgBoss, type Job } from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../../config/config';

/** pg-boss's own schema in the application's database (created and migrated by pg-boss at start). */
export const PGBOSS_SCHEMA = 'pgboss';
export const DELIVER_QUEUE = 'notify-deliver';
export const GROUP_QUEUE = 'notify-group';

export interface DeliverJob { deliveryId: string }
export interface GroupJob { groupKey: string }

type Handler<T> = (job: Job<T>) => Promise<void>;

/**
 * The durable job queue for notifications: pg-boss in PostgreSQL. Jobs survive restarts, each is
 * taken by one worker across every instance (SKIP LOCKED), failed deliveries are retried with
 * exponential backoff (NOTIFY_RETRY_LIMIT, NOTIFY_RETRY_DELAY_SEC), and pg-boss's maintenance runs
 * on one instance at a time. Started after the application's migrations, stopped at shutdown.
 */
@Injectable()
export class NotificationQueue implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationQueue.name);
  private boss: PgBoss | null = null;
  private readonly handlers = new Map<string, Handler<never>>();
  private readonly workers = new Map<string, string>();
  private stopping = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Registers the worker of a queue (before start). */
  handle<T>(queue: string, handler: Handler<T>): void {
    this.handlers.set(queue, handler as Handler<never>);
  }

  async onApplicationBootstrap(): Promise<void> {
    const n = this.config.notify;
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: PGBOSS_SCHEMA,
      application_name: 'chatops-notify',
      max: 4,
    });
    // At shutdown the database may go first (the embedded one stops on the same signal): not worth a warning.
    boss.on('error', (err: Error) => { if (!this.stopping) this.logger.warn({ err: err.message }, 'Notification queue error'); });
    await boss.start();
    this.boss = boss;
    await boss.createQueue(DELIVER_QUEUE, {
      retryLimit: n.retryLimit, retryDelay: n.retryDelaySec, retryBackoff: true, retryDelayMax: 3600,
      expireInSeconds: Math.ceil(n.timeoutSec * 3 + 30), deleteAfterSeconds: 7 * 86_400,
    });
    // `short`: at most one queued flush per group; more alerts of that group wait in the outbox.
    await boss.createQueue(GROUP_QUEUE, { policy: 'short', retryLimit: 5, retryDelay: 1, retryBackoff: true, deleteAfterSeconds: 86_400 });
    for (const [queue, handler] of this.handlers) {
      const id = await boss.work<object>(queue, { batchSize: 1, pollingIntervalSeconds: n.pollSec, localConcurrency: queue === DELIVER_QUEUE ? 4 : 1 },
        async ([job]) => handler(job as never));
      this.workers.set(queue, id);
    }
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async onApplicationShutdown(): Promise<void> {
    const boss = this.boss;
    this.boss = null;
    await boss?.stop({ graceful: true, timeout: 5000, close: true }).catch((err: Error) => this.logger.warn({ err: err.message }, 'Could not stop the notification queue'));
  }

  /** Queues a delivery and wakes this instance's worker (no polling delay). */
  async deliver(deliveryId: string): Promise<void> {
    const boss = this.running();
    await boss.send(DELIVER_QUEUE, { deliveryId } satisfies DeliverJob);
    this.wake(DELIVER_QUEUE);
  }

  /** Flushes a group's outbox once its window closes (one queued flush per group). */
  async flushGroupAt(groupKey: string, at: Date): Promise<void> {
    const boss = this.running();
    await boss.send(GROUP_QUEUE, { groupKey } satisfies GroupJob, { singletonKey: groupKey, startAfter: at });
  }

  private wake(queue: string): void {
    const id = this.workers.get(queue);
    if (id) this.boss?.notifyWorker(id);
  }

  private running(): PgBoss {
    if (!this.boss) throw new Error('the notification queue is not running');
    return this.boss;
  }
}
