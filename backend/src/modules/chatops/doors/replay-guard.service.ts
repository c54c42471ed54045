import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SLACK_MAX_SKEW_SEC } from './request-auth';

/**
 * Remembers the signed requests of the last minutes so that a captured request replayed within
 * Slack's five-minute window is refused (after it, the timestamp check refuses it). Kept in
 * PostgreSQL rather than in memory: every instance behind the load balancer must see the same set,
 * and Redis is optional in this product while PostgreSQL is always there. One INSERT per request;
 * the primary key makes "seen twice" a conflict, so two instances racing on the same request
 * cannot both accept it.
 */
@Injectable()
export class ReplayGuard {
  private readonly logger = new Logger(ReplayGuard.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** True the first time this (timestamp, signature) is seen within the window, false after. */
  async firstSeen(timestamp: string, signature: string): Promise<boolean> {
    const digest = createHash('sha256').update(`${timestamp}:${signature}`).digest('hex');
    const rows = (await this.db.query(
      `INSERT INTO chat_request_nonces (digest, expires_at) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT (digest) DO NOTHING RETURNING digest`,
      [digest, 2 * SLACK_MAX_SKEW_SEC],
    )) as unknown[];
    return rows.length === 1;
  }

  @Interval(60_000)
  async prune(): Promise<void> {
    try {
      await this.db.query('DELETE FROM chat_request_nonces WHERE expires_at < now()');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not prune chat request nonces');
    }
  }
}
