import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MetricType } from '@chatops/protocol';
import type { CachedRule } from './alert-rules';
import { rowToCachedRule, type ThresholdRow } from './alert-threshold.entity';
import type { CachedSilence } from './alert-silence.entity';

/** How far back each sync looks again: a change committed by a transaction that started earlier is still seen. */
const SYNC_SLACK_MS = 10_000;

export interface ServerInfo { ownerId: string; teamId: string | null; name: string }

/** What changed for a rule, as the engine needs to react. */
export type RuleChange = { rule: CachedRule; previous: CachedRule | undefined } | { removed: string };

/**
 * Rules, silences and server owners in memory, so evaluating a sample costs no query. The rules
 * that apply to a server (its own, plus its owner's all-servers rules if it is a personal server) are listed once and kept
 * until a rule changes. Changes made on this instance apply at once; those of other instances
 * arrive with `sync()` (one indexed query per table per ALERT_SYNC_MS, rows changed since the last).
 */
@Injectable()
export class AlertRuleCache {
  private readonly logger = new Logger(AlertRuleCache.name);
  readonly rules = new Map<string, CachedRule>();
  private readonly byServer = new Map<string, CachedRule[]>();
  private readonly byOwner = new Map<string, CachedRule[]>();
  private readonly applicable = new Map<string, CachedRule[]>();
  private readonly servers = new Map<string, ServerInfo>();
  private readonly lookups = new Map<string, Promise<ServerInfo | null>>();
  private readonly silences = new Map<string, CachedSilence>();
  private syncedAt: Date | null = null;
  private listener: (change: RuleChange) => void = () => undefined;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The engine's hook: called for every rule that changed or went away. */
  onChange(listener: (change: RuleChange) => void): void {
    this.listener = listener;
  }

  /** Everything, once at start. */
  async load(): Promise<void> {
    const [{ now }] = (await this.db.query('SELECT now() AS now')) as { now: Date }[];
    const rules = (await this.db.query(`SELECT * FROM alert_thresholds WHERE deleted_at IS NULL`)) as ThresholdRow[];
    for (const r of rules) this.put(rowToCachedRule(r), false);
    const servers = (await this.db.query('SELECT id, owner_id, team_id, name FROM servers')) as { id: string; owner_id: string; team_id: string | null; name: string }[];
    for (const s of servers) this.servers.set(s.id, { ownerId: s.owner_id, teamId: s.team_id, name: s.name });
    await this.loadSilences(null);
    this.syncedAt = now;
  }

  /** Picks up what other instances changed since the last sync. */
  async sync(): Promise<void> {
    const since = new Date((this.syncedAt ?? new Date()).getTime() - SYNC_SLACK_MS);
    const [{ now }] = (await this.db.query('SELECT now() AS now')) as { now: Date }[];
    const rows = (await this.db.query('SELECT * FROM alert_thresholds WHERE updated_at > $1', [since])) as ThresholdRow[];
    for (const r of rows) {
      if (r.deleted_at) this.remove(r.id);
      else this.put(rowToCachedRule(r));
    }
    await this.loadSilences(since);
    this.syncedAt = now;
  }

  /** Applies a rule as stored (this instance's change, or one seen by sync). */
  put(rule: CachedRule, notify = true): void {
    const previous = this.rules.get(rule.id);
    if (previous && sameRule(previous, rule)) return;
    if (previous) this.unindex(previous);
    this.rules.set(rule.id, rule);
    if (rule.enabled) {
      const index = rule.serverId ? this.byServer : this.byOwner;
      const key = rule.serverId ?? rule.ownerId;
      index.set(key, [...(index.get(key) ?? []), rule]);
    }
    this.applicable.clear();
    if (notify) this.listener({ rule, previous });
  }

  remove(id: string): void {
    const previous = this.rules.get(id);
    if (!previous) return;
    this.unindex(previous);
    this.rules.delete(id);
    this.applicable.clear();
    this.listener({ removed: id });
  }

  /**
   * Enabled rules that apply to the server, or null while its owner is being looked up (a server
   * created after start). O(1) once listed.
   */
  forServer(serverId: string): CachedRule[] | null {
    const hit = this.applicable.get(serverId);
    if (hit) return hit;
    const info = this.servers.get(serverId);
    if (!info) return null;
    // All-servers rules are personal: they cover their owner's personal servers, never a team's
    // (whose members may not include the rule's owner, and whose rules are shared).
    const list = [...(this.byServer.get(serverId) ?? []), ...(info.teamId ? [] : this.byOwner.get(info.ownerId) ?? [])];
    this.applicable.set(serverId, list);
    return list;
  }

  server(serverId: string): ServerInfo | undefined {
    return this.servers.get(serverId);
  }

  /** Looks up a server this instance has not met yet (one query, shared by concurrent callers). */
  lookupServer(serverId: string): Promise<ServerInfo | null> {
    const known = this.servers.get(serverId);
    if (known) return Promise.resolve(known);
    let p = this.lookups.get(serverId);
    if (!p) {
      p = this.db.query('SELECT owner_id, team_id, name FROM servers WHERE id = $1', [serverId])
        .then((rows: { owner_id: string; team_id: string | null; name: string }[]) => {
          if (!rows[0]) return null;
          const info = { ownerId: rows[0].owner_id, teamId: rows[0].team_id, name: rows[0].name };
          this.servers.set(serverId, info);
          return info;
        })
        .catch((err: Error) => {
          this.logger.warn({ err: err.message, serverId }, 'Could not look up a server for alerting');
          return null;
        })
        .finally(() => this.lookups.delete(serverId));
      this.lookups.set(serverId, p);
    }
    return p;
  }

  /** A server moved between a user and a team: its fan-out room and owner-wide rules follow. */
  @OnChatopsEvent('server.owner_changed')
  onOwnerChanged({ serverId, ownerId, teamId }: ChatopsEvents['server.owner_changed']): void {
    const known = this.servers.get(serverId);
    if (!known) return;
    this.servers.set(serverId, { ...known, ownerId, teamId });
    this.applicable.delete(serverId);
  }

  forgetServer(serverId: string): void {
    this.servers.delete(serverId);
    this.applicable.delete(serverId);
    const own = this.byServer.get(serverId) ?? [];
    for (const r of own) this.rules.delete(r.id);
    this.byServer.delete(serverId);
  }

  putSilence(s: CachedSilence | { removed: string }): void {
    if ('removed' in s) this.silences.delete(s.removed);
    else this.silences.set(s.id, s);
  }

  /**
   * The silence covering a rule of `ownerId` on (server, metric) now, if any. On a team server only
   * silences of that server count, whoever set them (the team's); on a personal server, the rule
   * owner's silences of that server or of all their servers. Silences are few: a scan is fine.
   */
  activeSilence(ownerId: string, serverId: string, metricType: MetricType, now = Date.now()): CachedSilence | null {
    const team = this.servers.get(serverId)?.teamId ?? null;
    for (const s of this.silences.values()) {
      if (s.startsAt > now || s.endsAt <= now) continue;
      if (team ? s.serverId !== serverId : s.ownerId !== ownerId || (s.serverId && s.serverId !== serverId)) continue;
      if (s.metricType && s.metricType !== metricType) continue;
      return s;
    }
    return null;
  }

  /** Drops silences that ended (called by the engine's tick now and then). */
  pruneSilences(now = Date.now()): void {
    for (const [id, s] of this.silences) if (s.endsAt <= now) this.silences.delete(id);
  }

  private async loadSilences(since: Date | null): Promise<void> {
    const rows = (await this.db.query(
      `SELECT id, owner_id, server_id, metric_type, starts_at, ends_at, deleted_at FROM alert_silences
        WHERE ${since ? 'updated_at > $1' : 'deleted_at IS NULL AND ends_at > now()'}`,
      since ? [since] : [],
    )) as { id: string; owner_id: string; server_id: string | null; metric_type: MetricType | null; starts_at: Date; ends_at: Date; deleted_at: Date | null }[];
    for (const r of rows) {
      if (r.deleted_at) this.silences.delete(r.id);
      else this.silences.set(r.id, { id: r.id, ownerId: r.owner_id, serverId: r.server_id, metricType: r.metric_type, startsAt: r.starts_at.getTime(), endsAt: r.ends_at.getTime() });
    }
  }

  private unindex(rule: CachedRule): void {
    const index = rule.serverId ? this.byServer : this.byOwner;
    const key = rule.serverId ?? rule.ownerId;
    const list = index.get(key)?.filter((r) => r.id !== rule.id);
    if (list?.length) index.set(key, list);
    else index.delete(key);
  }
}

function sameRule(a: CachedRule, b: CachedRule): boolean {
  return a.serverId === b.serverId && a.metricType === b.metricType && a.comparison === b.comparison && a.thresholdValue === b.thresholdValue
    && a.clearValue === b.clearValue && a.durationSec === b.durationSec && a.severity === b.severity && a.target === b.target
    && a.enabled === b.enabled && a.name === b.name && a.channelIds.join() === b.channelIds.join();
}

/** A change after which the rule's states (pending and firing) no longer mean the same thing. */
export function resetsState(previous: CachedRule, rule: CachedRule): boolean {
  return !rule.enabled || previous.serverId !== rule.serverId || previous.metricType !== rule.metricType
    || previous.comparison !== rule.comparison || previous.target !== rule.target;
}
