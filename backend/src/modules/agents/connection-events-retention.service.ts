import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { runExclusive } from '../../database/cluster-lock';

const RUN_EVERY_MS = 3_600_000;
/** The first run, shortly after start (a backend restarted more often than hourly still cleans up). */
const FIRST_RUN_AFTER_MS = 60_000;
const BATCH = 5_000;
/** One run never holds the database longer than this; the next run goes on. */
const MAX_RUN_MS = 10_000;

/**
 * Deletes agent connection events older than CONNECTION_EVENTS_RETENTION_DAYS, hourly, in bounded
 * batches (never one huge DELETE). Every instance runs it; the deletes are idempotent.
 */
@Injectable()
export class ConnectionEventsRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionEventsRetention.name);
  private firstRun: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.firstRun = setTimeout(() => void this.scheduled(), FIRST_RUN_AFTER_MS);
    this.firstRun.unref();
  }

  onApplicationShutdown(): void {
    if (this.firstRun) clearTimeout(this.firstRun);
  }

  @Interval(RUN_EVERY_MS)
  async scheduled(): Promise<void> {
    await this.run().catch((err: Error) => this.logger.warn({ err: err.message }, 'Connection-event retention failed; will retry'));
  }

  /** Deletes what expired before `now` (on one instance at a time); returns how many rows went here. */
  async run(now = new Date()): Promise<number> {
    const done = await runExclusive(this.db, 'connection-events-retention', () => this.deleteExpired(now));
    return done.ran ? done.value : 0;
  }

  private async deleteExpired(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.connectionEventsRetentionDays * 86_400_000);
    const deadline = Date.now() + MAX_RUN_MS;
    let deleted = 0;
    for (;;) {
      const [, n]: [unknown[], number] = await this.db.query(
        `DELETE FROM connection_events WHERE id = ANY (ARRAY(SELECT id FROM connection_events WHERE created_at < $1 LIMIT ${BATCH}))`,
        [cutoff],
      );
      deleted += n ?? 0;
      if ((n ?? 0) < BATCH || Date.now() > deadline) break;
    }
    if (deleted) this.logger.log({ deleted }, 'Expired connection events deleted');
    return deleted;
  }
}
