import { Injectable } from '@nestjs/common';
import type { ChatMetricRange, ChatReply, HistoryPoint } from '@chatops/protocol';
import type { ServerBrief } from '../servers/servers.service';
import { AlertsService } from '../alerts/alerts.service';
import { LatestSamples } from '../metrics/latest-samples.service';
import { MetricsHistoryService } from '../metrics/metrics-history.service';
import { ChatErrorCode, ChatException } from './chatops.errors';
import type { ChatContext } from './chat-executor.service';
import { ago, bytes, duration, fullestDisk, num, pct, table } from './chat-format';
import { ChatTargets, ServerRef, tagsOf } from './chat-targets.service';

const RANGE_MS: Record<ChatMetricRange, number> = {
  '15m': 15 * 60_000, '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000,
};
const STATUS_RANK: Record<string, number> = { offline: 0, unknown: 1, online: 2 };

/**
 * `status`, `top` and `metrics`: read from what the backend already holds (the servers list, the
 * newest samples in memory, one query for open alerts, the history service), so `status` over a
 * thousand servers is three queries and a sort.
 */
@Injectable()
export class FleetReplies {
  constructor(
    private readonly targets: ChatTargets,
    private readonly latest: LatestSamples,
    private readonly history: MetricsHistoryService,
    private readonly alerts: AlertsService,
  ) {}

  async status(target: string | null, ctx: ChatContext): Promise<ChatReply> {
    const all = await this.targets.list(ctx.user);
    if (target === null && ctx.contextServerId) target = ctx.contextServerId;
    if (target === null) return this.fleet('Fleet status', all, ctx);
    const tag = target.toLowerCase();
    const tagged = all.filter((s) => tagsOf(s).includes(tag));
    const named = all.filter((s) => s.name.toLowerCase() === tag || s.id === tag);
    if (!named.length && tagged.length) return this.fleet(`Servers tagged ${tag}`, tagged, ctx);
    const knownTags = [...new Set(all.flatMap(tagsOf))];
    // Not among the user's servers by name: an id goes through the ownership check (the REST 404).
    const server = /^[0-9a-f-]{36}$/i.test(target) && !named.length
      ? await this.targets.server(ctx.user, target, null, '')
      : this.targets.byName(target, all, knownTags);
    ctx.subject = server.id;
    return this.one(server, ctx);
  }

  private async fleet(title: string, servers: ServerBrief[], ctx: ChatContext): Promise<ChatReply> {
    const ids = servers.map((s) => s.id);
    const [, open] = await Promise.all([this.latest.preload(ids), this.openAlerts(ctx, null)]);
    const rows = servers.map((s) => {
      const sample = this.latest.peek(s.id)?.sample;
      return { s, sample, alerts: open.get(s.id) ?? 0 };
    });
    // Problems first: not online, then open alerts, then the busiest; ties keep the list's name
    // order (the sort is stable: no localeCompare per comparison, which cost ~10 ms over 1,000 servers).
    rows.sort((a, b) => (STATUS_RANK[a.s.status] ?? 1) - (STATUS_RANK[b.s.status] ?? 1) || b.alerts - a.alerts
      || (b.sample?.cpu.percent ?? -1) - (a.sample?.cpu.percent ?? -1));
    const count = (status: string) => servers.filter((s) => s.status === status).length;
    const openTotal = rows.reduce((n, r) => n + r.alerts, 0);
    return {
      title,
      fields: [
        { label: 'Servers', value: String(servers.length), short: true },
        { label: 'Online', value: String(count('online')), short: true },
        { label: 'Offline', value: String(count('offline')), short: true },
        { label: 'Unknown', value: String(count('unknown')), short: true },
        { label: 'Open alerts', value: String(openTotal), short: true },
      ],
      ...(servers.length ? {
        table: table(['Server', 'Status', 'CPU', 'Memory', 'Disk', 'Load', 'Alerts'], rows.map(({ s, sample, alerts }) => [
          s.name, s.status, pct(sample?.cpu.percent), pct(sample?.memory.percent), pct(sample ? fullestDisk(sample)?.percent : null),
          num(sample?.cpu.load[0]), String(alerts),
        ])),
      } : { text: 'No servers yet: add one in the dashboard (Servers → Add).' }),
      ...(openTotal ? { actions: [{ label: 'Open alerts', command: 'alerts', style: 'primary' as const }] } : {}),
    };
  }

  private async one(ref: ServerRef, ctx: ChatContext): Promise<ChatReply> {
    const [server, latest, open] = await Promise.all([this.targets.detail(ctx.user, ref.id), this.latest.get(ref.id), this.openAlerts(ctx, ref.id)]);
    const sample = latest?.sample;
    const disk = sample ? fullestDisk(sample) : null;
    return {
      title: `${server.name}: ${server.status}`,
      fields: [
        { label: 'Status', value: server.status, short: true },
        { label: 'Last seen', value: ago(server.lastSeen), short: true },
        { label: 'CPU', value: pct(sample?.cpu.percent), short: true },
        { label: 'Memory', value: sample ? `${pct(sample.memory.percent)} of ${bytes(sample.memory.totalBytes)}` : '—', short: true },
        { label: 'Disk', value: disk ? `${pct(disk.percent)} (${disk.mount})` : '—', short: true },
        { label: 'Load', value: sample ? sample.cpu.load.map((l) => num(l)).join(' ') : '—', short: true },
        { label: 'Uptime', value: duration(sample?.uptimeSec), short: true },
        { label: 'Containers', value: sample?.containers ? `${sample.containers.filter((c) => c.state === 'running').length} running of ${sample.containers.length}` : '—', short: true },
        { label: 'Open alerts', value: String(open.get(server.id) ?? 0), short: true },
        ...(server.agent ? [{ label: 'Agent', value: `${server.agent.version} on ${server.agent.hostname}`, short: true }] : []),
      ],
      chart: { serverId: server.id, range: '1h' },
      actions: [
        { label: 'Top', command: `top ${server.name}`, style: 'default' },
        { label: 'Metrics 24h', command: `metrics ${server.name} 24h`, style: 'default' },
        { label: 'Containers', command: `containers ${server.name}`, style: 'default', serverId: server.id, capability: 'containers.read' },
        { label: 'History', command: `history ${server.name}`, style: 'default', serverId: server.id, capability: 'commands.run' },
      ],
    };
  }

  async top(server: ServerRef): Promise<ChatReply> {
    const latest = await this.latest.get(server.id);
    if (!latest) throw new ChatException(ChatErrorCode.NoMetrics, `No metrics from ${server.name} yet: its agent has not sent a sample`);
    const s = latest.sample;
    const procs = [...(s.processes ?? [])].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, 10);
    return {
      title: `top ${server.name} (${ago(latest.timestamp)})`,
      fields: [
        { label: 'CPU', value: `${pct(s.cpu.percent)} of ${s.cpu.cores} cores`, short: true },
        { label: 'Load', value: s.cpu.load.map((l) => num(l)).join(' '), short: true },
        { label: 'Memory', value: `${bytes(s.memory.usedBytes)} / ${bytes(s.memory.totalBytes)} (${pct(s.memory.percent)})`, short: true },
        { label: 'Swap', value: `${bytes(s.memory.swapUsedBytes)} / ${bytes(s.memory.swapTotalBytes)}`, short: true },
      ],
      ...(procs.length
        ? { table: table(['PID', 'Process', 'User', 'CPU', 'Memory'], procs.map((p) => [String(p.pid), p.name, p.user, pct(p.cpuPercent), bytes(p.memBytes)])) }
        : { text: 'The agent sends no process list (it is collected every few samples, or turned off).' }),
      actions: [{ label: 'Metrics 1h', command: `metrics ${server.name} 1h`, style: 'default' }],
    };
  }

  async metrics(server: ServerRef, range: ChatMetricRange): Promise<ChatReply> {
    const end = new Date();
    const h = await this.history.history(server.id, { start: new Date(end.getTime() - RANGE_MS[range]).toISOString(), end: end.toISOString(), points: 120 });
    const avg = (k: keyof HistoryPoint) => mean(h.points.map((p) => p[k] as number | null));
    const max = (k: keyof HistoryPoint) => peak(h.points.map((p) => p[k] as number | null));
    const any = h.points.some((p) => p.cpuPercent !== null);
    return {
      title: `${server.name}: last ${range}`,
      ...(any ? {} : { text: 'No samples in this range.' }),
      fields: [
        { label: 'CPU avg / max', value: `${pct(avg('cpuPercent'))} / ${pct(max('cpuPercentMax'))}`, short: true },
        { label: 'Memory avg / max', value: `${pct(avg('memoryPercent'))} / ${pct(max('memoryPercentMax'))}`, short: true },
        { label: 'Disk avg', value: pct(avg('diskPercent')), short: true },
        { label: 'Load avg / max', value: `${num(avg('load1'))} / ${num(max('load1Max'))}`, short: true },
        { label: 'Network in / out', value: `${bytes(avg('netRxBps'))}/s / ${bytes(avg('netTxBps'))}/s`, short: true },
        { label: 'Resolution', value: `${h.resolution} (${h.source})`, short: true },
      ],
      chart: { serverId: server.id, range },
    };
  }

  /** Open alerts per server (of one server, or all), one query (the alerts service's own visibility rule). */
  private async openAlerts(ctx: ChatContext, serverId: string | null): Promise<Map<string, number>> {
    const page = await this.alerts.list(ctx.user, { status: 'open', limit: 200, ...(serverId ? { serverId } : {}) });
    const counts = new Map<string, number>();
    for (const a of page.items) counts.set(a.serverId, (counts.get(a.serverId) ?? 0) + 1);
    return counts;
  }
}

function mean(values: (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function peak(values: (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length ? Math.max(...xs) : null;
}
