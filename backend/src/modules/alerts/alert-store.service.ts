import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AlertResolveReason, AlertSnapshot, AlertSnapshotPoint } from '@chatops/protocol';
import type { CachedRule } from './alert-rules';
import { ALERT_COLUMNS, type AlertRow } from './alert.entity';

/** How often pending states are written (batched: one statement per flush, whatever the number of keys). */
export const PENDING_FLUSH_MS = 500;

export interface PendingRow { ruleId: string; serverId: string; target: string; since: number; value: number; points: AlertSnapshotPoint[] }
export interface OpenKey { id: string; threshold_id: string; server_id: string; target: string; started_at: Date; current_value: number | null }

export interface NewAlert {
  rule: CachedRule;
  serverId: string;
  target: string;
  message: string;
  value: number;
  startedAt: Date;
  silenceId: string | null;
  snapshot: AlertSnapshot;
  /** offline rules: open only if the server is still offline in the database (another instance may have seen it return). */
  requireOffline: boolean;
}

const isFkViolation = (err: unknown) => (err as { code?: string; driverError?: { code?: string } })?.code === '23503'
  || (err as { driverError?: { code?: string } })?.driverError?.code === '23503';

/**
 * The engine's storage: alerts opened and resolved by key (the partial unique index makes "open"
 * idempotent across instances) and pending states, written in batches off the hot path.
 */
@Injectable()
export class AlertStore implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertStore.name);
  /** key → row to upsert, or null to delete. */
  private readonly dirty = new Map<string, PendingRow | null>();
  private flushing: Promise<void> | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Opens the alert; null when one is already open for the key (or the rule or server is gone). */
  async open(a: NewAlert): Promise<AlertRow | null> {
    try {
      const rows = (await this.db.query(
        `INSERT INTO alerts (id, server_id, threshold_id, owner_id, target, metric_type, severity, comparison, status, message,
                             threshold_value, current_value, started_at, silenced, silence_id, snapshot)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $12, $13, $14, $15
          WHERE EXISTS (SELECT 1 FROM alert_thresholds t WHERE t.id = $3 AND t.enabled AND t.deleted_at IS NULL)
            AND (NOT $16::boolean OR EXISTS (SELECT 1 FROM servers s WHERE s.id = $2 AND s.status = 'offline'))
         ON CONFLICT (threshold_id, server_id, target) WHERE status <> 'resolved' DO NOTHING
         RETURNING ${ALERT_COLUMNS}`,
        [randomUUID(), a.serverId, a.rule.id, a.rule.ownerId, a.target, a.rule.metricType, a.rule.severity, a.rule.comparison, a.message,
          a.rule.thresholdValue, a.value, a.startedAt, a.silenceId !== null, a.silenceId, JSON.stringify(a.snapshot), a.requireOffline],
      )) as AlertRow[];
      return rows[0] ?? null;
    } catch (err) {
      if (isFkViolation(err)) return null; // the server was deleted meanwhile
      throw err;
    }
  }

  /** The open alert of a key (opened by another instance), if any. */
  async openId(ruleId: string, serverId: string, target: string): Promise<string | null> {
    const rows = (await this.db.query(
      `SELECT id FROM alerts WHERE threshold_id = $1 AND server_id = $2 AND target = $3 AND status <> 'resolved'`,
      [ruleId, serverId, target],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /** Resolves the key's open alert, whoever opened it; `value` is the value that resolved it. */
  async resolveKey(ruleId: string, serverId: string, target: string, reason: AlertResolveReason, value: number | null): Promise<AlertRow | null> {
    const rows = (await this.db.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), updated_at = now(), resolve_reason = $4,
              current_value = COALESCE($5, current_value)
        WHERE threshold_id = $1 AND server_id = $2 AND target = $3 AND status <> 'resolved'
        RETURNING ${ALERT_COLUMNS}`,
      [ruleId, serverId, target, reason, value],
    )) as [AlertRow[], number];
    return rows[0][0] ?? null;
  }

  /** Resolves every open alert of a rule (disabled, deleted or changed) and forgets its pending states. */
  async resolveRule(ruleId: string, reason: AlertResolveReason): Promise<AlertRow[]> {
    await this.db.query('DELETE FROM alert_pending WHERE threshold_id = $1', [ruleId]);
    const rows = (await this.db.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), updated_at = now(), resolve_reason = $2
        WHERE threshold_id = $1 AND status <> 'resolved'
        RETURNING ${ALERT_COLUMNS}`,
      [ruleId, reason],
    )) as [AlertRow[], number];
    return rows[0];
  }

  /**
   * Resolves the open alerts of all-servers rules on one server (which has joined a team, where
   * they no longer apply) and forgets their pending states.
   */
  async resolveOwnerWideOn(serverId: string, reason: AlertResolveReason): Promise<AlertRow[]> {
    const ownerWide = 'SELECT id FROM alert_thresholds WHERE server_id IS NULL';
    await this.db.query(`DELETE FROM alert_pending WHERE server_id = $1 AND threshold_id IN (${ownerWide})`, [serverId]);
    const rows = (await this.db.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), updated_at = now(), resolve_reason = $2
        WHERE server_id = $1 AND status <> 'resolved' AND threshold_id IN (${ownerWide})
        RETURNING ${ALERT_COLUMNS}`,
      [serverId, reason],
    )) as [AlertRow[], number];
    return rows[0];
  }

  now(): Promise<{ now: Date }[]> {
    return this.db.query('SELECT now() AS now') as Promise<{ now: Date }[]>;
  }

  /** Open alerts per server, for the fleet overview. */
  async openCounts(serverIds: string[] | null): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT server_id, count(*)::int AS n FROM alerts
        WHERE status <> 'resolved' ${serverIds ? 'AND server_id = ANY($1::uuid[])' : ''} GROUP BY server_id`,
      serverIds ? [serverIds] : [],
    )) as { server_id: string; n: number }[];
    const out = new Map<string, number>(serverIds?.map((id) => [id, 0]) ?? []);
    for (const r of rows) out.set(r.server_id, r.n);
    return out;
  }

  /** Servers whose alerts changed since `since` (another instance's fires, acknowledgements, resolutions). */
  async changedServers(since: Date): Promise<string[]> {
    const rows = (await this.db.query('SELECT DISTINCT server_id FROM alerts WHERE updated_at > $1', [since])) as { server_id: string }[];
    return rows.map((r) => r.server_id);
  }

  /** What the engine rebuilds its states from at start: open alerts and pending conditions. */
  async loadStates(): Promise<{ open: OpenKey[]; pending: PendingRow[] }> {
    const open = (await this.db.query(
      `SELECT id, threshold_id, server_id, target, started_at, current_value FROM alerts WHERE status <> 'resolved'`,
    )) as OpenKey[];
    const pending = (await this.db.query(
      'SELECT threshold_id, server_id, target, since, value, points FROM alert_pending',
    )) as { threshold_id: string; server_id: string; target: string; since: Date; value: number | null; points: AlertSnapshotPoint[] }[];
    return {
      open,
      pending: pending.map((p) => ({ ruleId: p.threshold_id, serverId: p.server_id, target: p.target, since: p.since.getTime(), value: p.value ?? 0, points: p.points ?? [] })),
    };
  }

  savePending(key: string, row: PendingRow): void {
    this.dirty.set(key, row);
  }

  dropPending(key: string): void {
    this.dirty.set(key, null);
  }

  @Interval(PENDING_FLUSH_MS)
  async flushPending(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!this.dirty.size) return;
    const batch = [...this.dirty];
    this.dirty.clear();
    this.flushing = this.writePending(batch).catch((err: Error) => {
      // keep what was not written, unless a newer state replaced it meanwhile
      for (const [k, v] of batch) if (!this.dirty.has(k)) this.dirty.set(k, v);
      this.logger.warn({ err: err.message }, 'Could not persist pending alert states; will retry');
    }).finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
    await this.flushPending();
  }

  private async writePending(batch: [string, PendingRow | null][]): Promise<void> {
    const upserts = batch.filter((b): b is [string, PendingRow] => b[1] !== null).map(([, r]) => r);
    const deletes = batch.filter(([, r]) => r === null).map(([k]) => k.split('|'));
    if (deletes.length) {
      await this.db.query(
        `DELETE FROM alert_pending p USING unnest($1::uuid[], $2::uuid[], $3::text[]) AS d(threshold_id, server_id, target)
          WHERE p.threshold_id = d.threshold_id AND p.server_id = d.server_id AND p.target = d.target`,
        [deletes.map((d) => d[0]), deletes.map((d) => d[1]), deletes.map((d) => d.slice(2).join('|'))],
      );
    }
    if (upserts.length) {
      await this.db.query(
        `INSERT INTO alert_pending (threshold_id, server_id, target, since, value, points, updated_at)
         SELECT u.threshold_id, u.server_id, u.target, u.since, u.value, u.points, now()
           FROM jsonb_to_recordset($1::jsonb) AS u(threshold_id uuid, server_id uuid, target text, since timestamptz, value float8, points jsonb)
          WHERE EXISTS (SELECT 1 FROM alert_thresholds t WHERE t.id = u.threshold_id AND t.deleted_at IS NULL)
            AND EXISTS (SELECT 1 FROM servers s WHERE s.id = u.server_id)
         ON CONFLICT (threshold_id, server_id, target) DO UPDATE
           SET since = EXCLUDED.since, value = EXCLUDED.value, points = EXCLUDED.points, updated_at = now()`,
        [JSON.stringify(upserts.map((r) => ({ threshold_id: r.ruleId, server_id: r.serverId, target: r.target, since: new Date(r.since).toISOString(), value: r.value, points: r.points })))],
      );
    }
  }
}
