/**
 * The pure part of alerting: what a rule measures in a sample, how a value compares, what a rule
 * may say. No I/O: the engine calls these on the hot path, the services to validate input.
 */
import {
  ALERT_TARGET_EACH, SAMPLE_METRIC_TYPES, TARGETED_METRIC_TYPES,
  type Comparison, type MetricsSample, type MetricType, type Severity,
} from '@chatops/protocol';

/** A rule as the engine holds it in memory. */
export interface CachedRule {
  id: string;
  ownerId: string;
  serverId: string | null;
  metricType: MetricType;
  comparison: Comparison;
  thresholdValue: number;
  clearValue: number | null;
  durationSec: number;
  severity: Severity;
  target: string | null;
  channelIds: string[];
  enabled: boolean;
  name: string | null;
}

/** One value of one target ('' for host-wide metrics and the network total). */
export interface Observation { target: string; value: number }

const SAMPLE_TYPES = new Set<MetricType>(SAMPLE_METRIC_TYPES);
const TARGETED = new Set<MetricType>(TARGETED_METRIC_TYPES);
export const isSampleMetric = (m: MetricType) => SAMPLE_TYPES.has(m);
export const takesTarget = (m: MetricType) => TARGETED.has(m);

export function compare(value: number, cmp: Comparison, ref: number): boolean {
  switch (cmp) {
    case 'gt': return value > ref;
    case 'gte': return value >= ref;
    case 'lt': return value < ref;
    case 'lte': return value <= ref;
    case 'eq': return value === ref;
  }
}

/**
 * Whether a firing alert still holds: past `clearValue` when the rule has one (hysteresis), else
 * the breach condition itself. For `gt 90, clear 70` it holds while the value is above 70.
 */
export function stillFiring(rule: Pick<CachedRule, 'comparison' | 'thresholdValue' | 'clearValue'>, value: number): boolean {
  return compare(value, rule.comparison, rule.clearValue ?? rule.thresholdValue);
}

/** The interfaces a total leaves out: loopback traffic is the host talking to itself. */
const isLoopback = (iface: string) => iface === 'lo' || iface.startsWith('lo:') || iface === 'lo0';

/**
 * What a sample-based rule measures in a sample: one observation per target it covers.
 * disk: default `/` (the largest mount when there is no `/`); network: default the total of every
 * interface but loopback; container rules: default every container (`*`).
 */
export function observe(rule: Pick<CachedRule, 'metricType' | 'target'>, s: MetricsSample): Observation[] {
  const target = rule.target;
  switch (rule.metricType) {
    case 'cpu': return [{ target: '', value: s.cpu.percent }];
    case 'memory': return [{ target: '', value: s.memory.percent }];
    case 'load1': return [{ target: '', value: s.cpu.load[0] }];
    case 'swap':
      return s.memory.swapTotalBytes > 0 ? [{ target: '', value: (s.memory.swapUsedBytes / s.memory.swapTotalBytes) * 100 }] : [];
    case 'disk': {
      if (target === ALERT_TARGET_EACH) return s.disks.map((d) => ({ target: d.mount, value: d.percent }));
      if (target) {
        const d = s.disks.find((x) => x.mount === target);
        return d ? [{ target: d.mount, value: d.percent }] : [];
      }
      let pick = s.disks.find((x) => x.mount === '/');
      if (!pick) for (const d of s.disks) if (!pick || d.totalBytes > pick.totalBytes) pick = d;
      return pick ? [{ target: pick.mount, value: pick.percent }] : [];
    }
    case 'network_rx':
    case 'network_tx': {
      const k = rule.metricType === 'network_rx' ? 'rxBps' : 'txBps';
      if (target === ALERT_TARGET_EACH) return s.network.filter((n) => !isLoopback(n.iface)).map((n) => ({ target: n.iface, value: n[k] }));
      if (target) {
        const n = s.network.find((x) => x.iface === target);
        return n ? [{ target: n.iface, value: n[k] }] : [];
      }
      let sum = 0;
      let any = false;
      for (const n of s.network) if (!isLoopback(n.iface)) { sum += n[k]; any = true; }
      return any ? [{ target: '', value: sum }] : [];
    }
    case 'container_cpu':
    case 'container_memory': {
      const out: Observation[] = [];
      for (const c of s.containers ?? []) {
        if (target && target !== ALERT_TARGET_EACH && c.name !== target) continue;
        if (rule.metricType === 'container_cpu') {
          if (c.cpuPercent !== undefined) out.push({ target: c.name, value: c.cpuPercent });
        } else if (c.memBytes !== undefined && c.memLimitBytes) {
          out.push({ target: c.name, value: (c.memBytes / c.memLimitBytes) * 100 });
        }
      }
      return out;
    }
    default:
      return [];
  }
}

/** Whether a container-event rule covers a container of that name. */
export const coversContainer = (rule: Pick<CachedRule, 'target'>, name: string) =>
  !rule.target || rule.target === ALERT_TARGET_EACH || rule.target === name;

/** Problems with a rule's semantics (the DTO has checked the types); empty when it is fine. */
export function ruleProblems(r: Pick<CachedRule, 'metricType' | 'comparison' | 'thresholdValue' | 'clearValue' | 'target'>): string[] {
  const out: string[] = [];
  if (r.target !== null && !takesTarget(r.metricType)) {
    out.push(`target: ${r.metricType} is host-wide and takes no target`);
  }
  if (r.target !== null && r.metricType === 'disk' && r.target !== ALERT_TARGET_EACH && !r.target.startsWith('/') && !/^[A-Za-z]:/.test(r.target)) {
    out.push('target: a disk target is a mount point (e.g. "/var") or "*"');
  }
  if (r.clearValue !== null) {
    const c = r.comparison;
    if (c === 'eq') out.push('clearValue: not allowed with comparison "eq"');
    else if ((c === 'gt' || c === 'gte') && r.clearValue > r.thresholdValue) out.push('clearValue: with gt/gte it must be at most thresholdValue');
    else if ((c === 'lt' || c === 'lte') && r.clearValue < r.thresholdValue) out.push('clearValue: with lt/lte it must be at least thresholdValue');
  }
  return out;
}

const LABELS: Record<MetricType, string> = {
  cpu: 'CPU', memory: 'Memory', disk: 'Disk', swap: 'Swap', load1: 'Load (1 min)', network_rx: 'Network in',
  network_tx: 'Network out', offline: 'Agent offline', container_down: 'Container down', container_cpu: 'Container CPU',
  container_memory: 'Container memory', container_unhealthy: 'Container unhealthy',
};
const OPS: Record<Comparison, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' };
export const metricLabel = (m: MetricType) => LABELS[m];

/** A value as people read it: percents with one decimal, rates in B/s, kB/s, MB/s, GB/s. */
export function formatValue(metric: MetricType, v: number): string {
  if (metric === 'network_rx' || metric === 'network_tx') {
    const units = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s'];
    let x = v;
    let i = 0;
    while (Math.abs(x) >= 1000 && i < units.length - 1) { x /= 1000; i++; }
    return `${Math.round(x * 10) / 10} ${units[i]}`;
  }
  if (metric === 'load1') return String(Math.round(v * 100) / 100);
  return `${Math.round(v * 10) / 10}%`;
}

/** The alert's one-line message, e.g. `web-1: CPU 95.2% > 90% for 60 s`. */
export function alertMessage(rule: Pick<CachedRule, 'metricType' | 'comparison' | 'thresholdValue' | 'durationSec' | 'name'>, serverName: string, target: string, value: number): string {
  const m = rule.metricType;
  const lasting = rule.durationSec > 0 ? ` for ${rule.durationSec} s` : '';
  const named = rule.name ? ` [${rule.name}]` : '';
  if (m === 'offline') return `${serverName}: agent offline${lasting}${named}`;
  if (m === 'container_down') return `${serverName}: container ${target} is down${lasting}${named}`;
  if (m === 'container_unhealthy') return `${serverName}: container ${target} is unhealthy${lasting}${named}`;
  const where = target ? ` ${target}` : '';
  return `${serverName}: ${LABELS[m]}${where} ${formatValue(m, value)} ${OPS[rule.comparison]} ${formatValue(m, rule.thresholdValue)}${lasting}${named}`;
}
