import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AlertResolveReason, AlertSnapshotPoint, ContainerEventAction } from '@chatops/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { LatestSamples } from '../metrics/latest-samples.service';
import { AlertPublisher } from './alert-publisher.service';
import { AlertRuleCache, resetsState, type RuleChange } from './alert-rule-cache.service';
import { alertMessage, compare, coversContainer, isSampleMetric, observe, stillFiring, type CachedRule } from './alert-rules';
import { buildSnapshot, WINDOW_MAX_POINTS } from './alert-snapshot';
import { AlertStore, type PendingRow } from './alert-store.service';

/** The condition of one (rule, server, target): `pending` until it lasted durationSec, then `firing`. ok = no state. */
interface KeyState {
  key: string;
  ruleId: string;
  serverId: string;
  target: string;
  phase: 'pending' | 'firing';
  /** When the condition started to hold (epoch ms, this backend's clock). */
  since: number;
  value: number;
  /** The window's values, for the snapshot. */
  points: AlertSnapshotPoint[];
  /** The last value seen breached the threshold. */
  breaching: boolean;
  alertId: string | null;
}

const keyOf = (ruleId: string, serverId: string, target: string) => `${ruleId}|${serverId}|${target}`;
const DOWN: ReadonlySet<ContainerEventAction> = new Set(['die', 'stop', 'oom']);
const UP: ReadonlySet<ContainerEventAction> = new Set(['start', 'restart', 'unpause', 'destroy']);
/** Silences that ended are dropped from memory every this many ticks. */
const PRUNE_EVERY_TICKS = 60;

/**
 * Evaluates rules as data arrives: samples (`metrics.received`, on the ingest hot path: a map
 * lookup and O(rules of the server) comparisons, no query), server status and container events;
 * a tick fires event-based rules whose duration elapsed. States live in memory; pending ones are
 * persisted in batches and open alerts are rows, so both survive a restart; opening an alert is an
 * INSERT guarded by a partial unique index, so several instances open it once.
 */
@Injectable()
export class AlertEngine implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertEngine.name);
  private readonly states = new Map<string, Map<string, KeyState>>();
  /** Pending states of event-based rules: the tick fires them when their duration elapsed. */
  private readonly timed = new Set<KeyState>();
  private readonly lastTs = new Map<string, number>();
  /** Database work per key runs in order (a fire, then its resolve). */
  private readonly chains = new Map<string, Promise<void>>();
  private ready = false;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private ticks = 0;
  private syncing = false;
  private countsSyncedAt: Date | null = null;
  readonly stats = { fired: 0, resolved: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: AlertRuleCache,
    private readonly store: AlertStore,
    private readonly publisher: AlertPublisher,
    private readonly latest: LatestSamples,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.cache.onChange((change) => this.onRuleChange(change));
    await this.cache.load();
    const { open, pending } = await this.store.loadStates();
    for (const o of open) {
      if (!this.cache.rules.has(o.threshold_id)) continue;
      this.put({ key: keyOf(o.threshold_id, o.server_id, o.target), ruleId: o.threshold_id, serverId: o.server_id, target: o.target, phase: 'firing',
        since: o.started_at.getTime(), value: o.current_value ?? 0, points: [], breaching: true, alertId: o.id });
    }
    for (const p of pending) {
      const rule = this.cache.rules.get(p.ruleId);
      if (!rule?.enabled) continue;
      const st = this.put({ key: keyOf(p.ruleId, p.serverId, p.target), ruleId: p.ruleId, serverId: p.serverId, target: p.target, phase: 'pending',
        since: p.since, value: p.value, points: p.points, breaching: true, alertId: null });
      if (!isSampleMetric(rule.metricType)) this.timed.add(st);
    }
    const [{ now }] = (await this.store.now());
    this.countsSyncedAt = now;
    await this.publisher.refreshCounts(null);
    this.ready = true;
    this.timers.push(setInterval(() => this.tick(), this.config.alerts.tickMs));
    this.timers.push(setInterval(() => void this.sync(), this.config.alerts.syncMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Agents are disconnected at shutdown: that is not their servers going offline.
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.chains.values()]);
  }

  // ---- inputs ------------------------------------------------------------------------------

  @OnChatopsEvent('metrics.received')
  onMetrics({ serverId, sample }: ChatopsEvents['metrics.received']): void {
    if (!this.ready || this.stopping) return;
    const ts = Date.parse(sample.timestamp);
    // A replayed backlog (an agent back from offline) is history, not the present.
    if (ts <= (this.lastTs.get(serverId) ?? Number.NEGATIVE_INFINITY)) return;
    this.lastTs.set(serverId, ts);
    const rules = this.cache.forServer(serverId);
    if (rules) this.evaluateSample(serverId, rules, sample);
    else void this.cache.lookupServer(serverId).then(() => this.evaluateSample(serverId, this.cache.forServer(serverId) ?? [], sample));
  }

  @OnChatopsEvent('server.status')
  onStatus({ serverId, status }: ChatopsEvents['server.status']): void {
    if (!this.ready || this.stopping || (status !== 'offline' && status !== 'online')) return;
    const value = status === 'offline' ? 1 : 0;
    this.withRules(serverId, (rules) => {
      const now = Date.now();
      for (const rule of rules) if (rule.metricType === 'offline') this.observe(rule, serverId, '', value, now, new Date(now).toISOString());
    });
  }

  /** Samples stopped: a sample-based condition that was only pending can no longer be shown to last. */
  @OnChatopsEvent('agent.disconnected')
  onDisconnected({ serverId }: ChatopsEvents['agent.disconnected']): void {
    if (this.stopping) return;
    for (const st of this.states.get(serverId)?.values() ?? []) {
      const rule = this.cache.rules.get(st.ruleId);
      if (st.phase === 'pending' && (!rule || isSampleMetric(rule.metricType))) {
        this.forget(st);
        this.store.dropPending(st.key);
      }
    }
    this.lastTs.delete(serverId);
  }

  @OnChatopsEvent('agent.container_event')
  onContainerEvent({ serverId, name, action, health, time }: ChatopsEvents['agent.container_event']): void {
    if (!this.ready || this.stopping) return;
    const container = name.replace(/^\//, '');
    const down = DOWN.has(action) ? 1 : UP.has(action) ? 0 : null;
    const unhealthy = action === 'health_status' ? (health === 'unhealthy' ? 1 : health === 'healthy' ? 0 : null)
      : action === 'destroy' || action === 'start' ? 0 : null;
    if (down === null && unhealthy === null) return;
    this.withRules(serverId, (rules) => {
      const now = Date.now();
      for (const rule of rules) {
        if (!coversContainer(rule, container)) continue;
        if (rule.metricType === 'container_down' && down !== null) this.observe(rule, serverId, container, down, now, time);
        if (rule.metricType === 'container_unhealthy' && unhealthy !== null) this.observe(rule, serverId, container, unhealthy, now, time);
      }
    });
  }

  @OnChatopsEvent('server.deleted')
  onServerDeleted({ serverId }: ChatopsEvents['server.deleted']): void {
    for (const st of this.states.get(serverId)?.values() ?? []) this.timed.delete(st);
    this.states.delete(serverId);
    this.lastTs.delete(serverId);
    this.cache.forgetServer(serverId);
  }

  /**
   * A server joined a team: all-servers rules (personal) no longer apply to it, so their states
   * there are dropped and their open alerts resolved (`rule_changed`: what the rule covers changed).
   */
  @OnChatopsEvent('server.owner_changed')
  async onOwnerChanged({ serverId, teamId, relayed }: ChatopsEvents['server.owner_changed']): Promise<void> {
    if (!teamId) return;
    // The states live where the server's samples are evaluated (any instance: relayed there).
    for (const st of [...(this.states.get(serverId)?.values() ?? [])]) {
      const rule = this.cache.rules.get(st.ruleId);
      if (!rule || rule.serverId === null) this.forget(st);
    }
    // The alerts are in PostgreSQL: the instance that made the change resolves them.
    if (relayed) return;
    try {
      for (const alert of await this.store.resolveOwnerWideOn(serverId, 'rule_changed')) await this.publisher.publish(alert, 'resolved');
    } catch (err) {
      this.logger.error({ err: (err as Error).message, serverId }, 'Could not resolve the all-servers alerts of a server that joined a team');
    }
  }

  // ---- evaluation --------------------------------------------------------------------------

  private evaluateSample(serverId: string, rules: CachedRule[], sample: ChatopsEvents['metrics.received']['sample']): void {
    if (!rules.length) return;
    const now = Date.now();
    const held = this.states.get(serverId);
    for (const rule of rules) {
      if (isSampleMetric(rule.metricType)) {
        for (const o of observe(rule, sample)) this.observe(rule, serverId, o.target, o.value, now, sample.timestamp);
      } else if (rule.metricType === 'container_down' && held && sample.containers) {
        // A container seen running is not down, even if its start event was missed.
        for (const c of sample.containers) {
          if (c.state === 'running' && held.has(keyOf(rule.id, serverId, c.name))) this.observe(rule, serverId, c.name, 0, now, sample.timestamp);
        }
      }
    }
  }

  /** One value of one (rule, server, target): the state machine. */
  private observe(rule: CachedRule, serverId: string, target: string, value: number, now: number, timestamp: string): void {
    const breach = compare(value, rule.comparison, rule.thresholdValue);
    const sampleBased = isSampleMetric(rule.metricType);
    const held = this.states.get(serverId);
    // The common case on the hot path: nothing held for the server, nothing breached. No key built.
    if (!held && !breach && sampleBased) return;
    const key = keyOf(rule.id, serverId, target);
    const st = held?.get(key);
    if (!st) {
      if (!breach) {
        // Events are rare and may have been seen by another instance: clear whatever is open.
        if (!sampleBased) this.resolve(rule.id, serverId, target, value, 'recovered');
        return;
      }
      const fresh = this.put({ key, ruleId: rule.id, serverId, target, phase: 'pending', since: now, value, points: [{ timestamp, value }], breaching: true, alertId: null });
      if (rule.durationSec === 0) return this.fire(rule, fresh);
      this.store.savePending(key, pendingRow(fresh));
      if (!sampleBased) this.timed.add(fresh);
      return;
    }
    st.value = value;
    st.breaching = breach;
    if (st.phase === 'pending') {
      if (!breach) {
        this.forget(st);
        this.store.dropPending(key);
        return;
      }
      st.points.push({ timestamp, value });
      if (st.points.length > WINDOW_MAX_POINTS) st.points.shift();
      if (sampleBased && now - st.since >= rule.durationSec * 1000) this.fire(rule, st);
      return;
    }
    if (!stillFiring(rule, value)) {
      this.forget(st);
      this.resolve(rule.id, serverId, target, value, 'recovered');
    }
  }

  private fire(rule: CachedRule, st: KeyState): void {
    st.phase = 'firing';
    this.timed.delete(st);
    if (rule.durationSec > 0) this.store.dropPending(st.key);
    const serverName = this.cache.server(st.serverId)?.name ?? st.serverId;
    const silence = this.cache.activeSilence(rule.ownerId, st.serverId, rule.metricType);
    const latest = this.latest.peek(st.serverId);
    const snapshot = buildSnapshot(st.points, latest?.sample, latest?.processes?.list);
    const message = alertMessage(rule, serverName, st.target, st.value);
    this.chain(st.key, async () => {
      const row = await this.store.open({
        rule, serverId: st.serverId, target: st.target, message, value: st.value, startedAt: new Date(st.since),
        silenceId: silence?.id ?? null, snapshot, requireOffline: rule.metricType === 'offline',
      });
      if (!row) {
        // Already open (another instance was first), or the rule or the server's state moved on.
        const id = await this.store.openId(rule.id, st.serverId, st.target);
        if (id) st.alertId = id;
        else if (this.states.get(st.serverId)?.get(st.key) === st) this.forget(st);
        return;
      }
      st.alertId = row.id;
      this.stats.fired++;
      await this.publisher.publish(row, 'fired');
    });
  }

  private resolve(ruleId: string, serverId: string, target: string, value: number, reason: AlertResolveReason): void {
    this.chain(keyOf(ruleId, serverId, target), async () => {
      const row = await this.store.resolveKey(ruleId, serverId, target, reason, value);
      if (!row) return;
      this.stats.resolved++;
      await this.publisher.publish(row, 'resolved');
    });
  }

  /** Fires event-based rules whose duration elapsed. */
  private tick(): void {
    if (this.stopping) return;
    const now = Date.now();
    for (const st of this.timed) {
      const rule = this.cache.rules.get(st.ruleId);
      if (!rule) {
        this.forget(st);
        continue;
      }
      if (st.breaching && now - st.since >= rule.durationSec * 1000) this.fire(rule, st);
    }
    if (++this.ticks % PRUNE_EVERY_TICKS === 0) this.cache.pruneSilences(now);
  }

  /** Other instances' changes: rules and silences (cache), and open-alert counts for the fleet stream. */
  private async sync(): Promise<void> {
    if (this.syncing || this.stopping) return;
    this.syncing = true;
    try {
      await this.cache.sync();
      const since = new Date((this.countsSyncedAt?.getTime() ?? Date.now()) - 10_000);
      const [{ now }] = await this.store.now();
      const changed = await this.store.changedServers(since);
      this.countsSyncedAt = now;
      if (changed.length) await this.publisher.refreshCounts(changed);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not sync alert rules');
    } finally {
      this.syncing = false;
    }
  }

  /** A rule changed (here or on another instance): states that no longer mean the same are dropped. */
  private onRuleChange(change: RuleChange): void {
    const ruleId = 'removed' in change ? change.removed : change.rule.id;
    if (!('removed' in change) && (!change.previous || !resetsState(change.previous, change.rule))) return;
    for (const map of this.states.values()) {
      for (const st of map.values()) if (st.ruleId === ruleId) this.forget(st);
    }
  }

  // ---- bookkeeping -------------------------------------------------------------------------

  private withRules(serverId: string, fn: (rules: CachedRule[]) => void): void {
    const rules = this.cache.forServer(serverId);
    if (rules) fn(rules);
    else void this.cache.lookupServer(serverId).then(() => fn(this.cache.forServer(serverId) ?? []));
  }

  private put(st: KeyState): KeyState {
    let map = this.states.get(st.serverId);
    if (!map) this.states.set(st.serverId, (map = new Map()));
    map.set(st.key, st);
    return st;
  }

  private forget(st: KeyState): void {
    this.timed.delete(st);
    const map = this.states.get(st.serverId);
    if (map?.get(st.key) !== st) return;
    map.delete(st.key);
    if (!map.size) this.states.delete(st.serverId);
  }

  private chain(key: string, fn: () => Promise<void>): void {
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(fn)
      .catch((err: Error) => this.logger.error({ err: err.message, key }, 'Alert state change failed'));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Open and pending states held, for tests and operators. */
  counts(): { pending: number; firing: number } {
    let pending = 0;
    let firing = 0;
    for (const map of this.states.values()) for (const st of map.values()) st.phase === 'pending' ? pending++ : firing++;
    return { pending, firing };
  }
}

function pendingRow(st: KeyState): PendingRow {
  return { ruleId: st.ruleId, serverId: st.serverId, target: st.target, since: st.since, value: st.value, points: st.points };
}
