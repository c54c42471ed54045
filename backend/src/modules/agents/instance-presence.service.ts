import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { PRESENCE_LOCK_CLASS } from '../../database/instance-liveness';

export { PRESENCE_LOCK_CLASS };
const RETRY_MS = 1000;

/**
 * This backend instance's presence in the shared database: a random id, and a session-level
 * advisory lock on it held by a connection of its own for the life of the process. Agents record
 * the id of the instance that holds them (servers.agent_instance); an instance whose lock is gone
 * has died (PostgreSQL releases it as soon as the process's connection closes, also on SIGKILL),
 * and the others mark its servers offline at once instead of waiting for their last_seen to age.
 * A lost connection is re-established and the lock taken again (`onRegained`).
 */
@Injectable()
export class InstancePresence implements OnModuleInit {
  private readonly logger = new Logger(InstancePresence.name);
  readonly id = randomInt(1, 2 ** 31 - 1);
  private client: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly regainedHooks: Array<() => void> = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.hold();
  }

  /** Runs after a lost presence lock was taken again (others may have marked our servers offline meanwhile). */
  onRegained(hook: () => void): void {
    this.regainedHooks.push(hook);
  }

  private async hold(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'chatops-presence', keepAlive: true, connectionTimeoutMillis: 5000 });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1, $2)', [PRESENCE_LOCK_CLASS, this.id]);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client || this.stopping) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.logger.warn({ err: err?.message }, 'Lost the presence lock: other instances may mark this instance\'s agents offline; taking it again');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopping || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.hold().then(
        () => {
          this.logger.log('Presence lock held again');
          for (const hook of this.regainedHooks) hook();
        },
        () => this.scheduleRetry(),
      );
    }, RETRY_MS);
    this.retry.unref();
  }

  /** Lets go of the lock: called by AgentManager once its own agents were marked offline at shutdown. */
  async release(): Promise<void> {
    this.stopping = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
