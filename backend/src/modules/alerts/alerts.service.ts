import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AlertDetail, AlertPage, NotificationDelivery } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { AccessService, callerServersSql, seesAllServers } from '../access/access.service';
import { DeliveryLog } from '../notifications/delivery-log.service';
import { AlertPublisher } from './alert-publisher.service';
import { ALERT_COLUMNS, toAlert, toAlertDetail, type AlertRow } from './alert.entity';
import { AlertErrorCode, AlertException } from './alerts.errors';
import { AlertQueryDto } from './dto/alert.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `before`: the id of the last alert of the previous page (its `nextCursor`), compared in SQL on
 * (created_at, id) at the database's microsecond precision; or an ISO-8601 time.
 */
function parseCursor(before: string): { id: string } | { at: Date } {
  if (UUID.test(before)) return { id: before };
  const at = new Date(before);
  if (!/^\d{4}-\d{2}-\d{2}/.test(before) || Number.isNaN(at.getTime())) {
    throw new AlertException(AlertErrorCode.BadCursor, 'before must be a nextCursor value or an ISO-8601 time');
  }
  return { at };
}

/** Alerts as people see and handle them: list, detail with snapshot, acknowledge, resolve. */
const alertNotFound = () => new AlertException(AlertErrorCode.NotFound, 'Alert not found');

@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: AlertPublisher,
    private readonly deliveries: DeliveryLog,
    private readonly access: AccessService,
  ) {}

  /** Newest first; alerts of the servers the user can see (admins: all). */
  async list(user: AuthUser, q: AlertQueryDto): Promise<AlertPage> {
    const limit = q.limit ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (!seesAllServers(user)) where.push(`server_id IN (SELECT s.id FROM servers s WHERE ${callerServersSql(user, 's', p(user.id))})`);
    const status = q.status ?? 'all';
    if (status === 'open') where.push(`status <> 'resolved'`);
    else if (status !== 'all') where.push(`status = ${p(status)}`);
    if (q.serverId) where.push(`server_id = ${p(q.serverId)}`);
    if (q.thresholdId) where.push(`threshold_id = ${p(q.thresholdId)}`);
    if (q.severity) where.push(`severity = ${p(q.severity)}`);
    if (q.metricType) where.push(`metric_type = ${p(q.metricType)}`);
    if (q.before) {
      const c = parseCursor(q.before);
      if ('id' in c) {
        const [cursor] = (await this.db.query('SELECT 1 FROM alerts WHERE id = $1', [c.id])) as unknown[];
        if (!cursor) throw new AlertException(AlertErrorCode.BadCursor, 'before names no alert');
        where.push(`(created_at, id) < (SELECT created_at, id FROM alerts WHERE id = ${p(c.id)})`);
      } else {
        where.push(`created_at < ${p(c.at)}`);
      }
    }
    const rows = (await this.db.query(
      `SELECT ${ALERT_COLUMNS} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${p(limit + 1)}`,
      params,
    )) as AlertRow[];
    const page = rows.slice(0, limit);
    return { items: page.map(toAlert), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  async get(user: AuthUser, id: string): Promise<AlertDetail> {
    return toAlertDetail(await this.accessible(user, id, true));
  }

  async acknowledge(user: AuthUser, id: string, note: string | undefined, meta: RequestMeta): Promise<AlertDetail> {
    const current = await this.accessible(user, id, false);
    await this.access.require(user, current.server_id, 'alerts.manage', meta, alertNotFound);
    const [rows] = (await this.db.query(
      `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, acknowledge_note = $3, updated_at = now()
        WHERE id = $1 AND status = 'active' RETURNING ${ALERT_COLUMNS}, snapshot`,
      [id, user.username, note || null],
    )) as [AlertRow[], number];
    if (!rows[0]) {
      throw current.status === 'resolved'
        ? new AlertException(AlertErrorCode.AlreadyResolved, 'The alert is already resolved')
        : new AlertException(AlertErrorCode.AlreadyAcknowledged, 'The alert is already acknowledged');
    }
    await this.publisher.publish(rows[0], 'acknowledged', { user, meta });
    return toAlertDetail(rows[0]);
  }

  /**
   * Closes the alert. While its condition still holds it does not fire again: a new alert needs
   * the value to clear and breach again.
   */
  async resolve(user: AuthUser, id: string, note: string | undefined, meta: RequestMeta): Promise<AlertDetail> {
    const current = await this.accessible(user, id, false);
    await this.access.require(user, current.server_id, 'alerts.manage', meta, alertNotFound);
    const [rows] = (await this.db.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolve_note = $3, resolve_reason = 'user', updated_at = now()
        WHERE id = $1 AND status <> 'resolved' RETURNING ${ALERT_COLUMNS}, snapshot`,
      [id, user.username, note || null],
    )) as [AlertRow[], number];
    if (!rows[0]) throw new AlertException(AlertErrorCode.AlreadyResolved, 'The alert is already resolved');
    await this.publisher.publish(rows[0], 'resolved', { user, meta });
    return toAlertDetail(rows[0]);
  }

  async listDeliveries(user: AuthUser, id: string): Promise<NotificationDelivery[]> {
    await this.accessible(user, id, false);
    return this.deliveries.forAlert(id);
  }

  /** The alert if the user may see its server (owner, team member or admin); 404 otherwise, as for a missing one. */
  private async accessible(user: AuthUser, id: string, withSnapshot: boolean): Promise<AlertRow> {
    const visible = callerServersSql(user, 's', '$2');
    const rows = (await this.db.query(
      `SELECT ${ALERT_COLUMNS}${withSnapshot ? ', snapshot' : ''} FROM alerts a
        WHERE id = $1 ${visible ? `AND EXISTS (SELECT 1 FROM servers s WHERE s.id = a.server_id AND ${visible})` : ''}`,
      visible ? [id, user.id] : [id],
    )) as AlertRow[];
    if (!rows[0]) throw alertNotFound();
    return rows[0];
  }
}
