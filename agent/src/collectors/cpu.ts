/** CPU usage from /proc/stat deltas and load averages from /proc/loadavg. */
import { clampPercent, round2 } from './rates';

export interface CpuTimes {
  /** Jiffies spent busy (user, nice, system, irq, softirq, steal). */
  busy: number;
  /** Jiffies spent idle (idle + iowait). */
  idle: number;
}

export interface ProcStat {
  total: CpuTimes;
  perCore: CpuTimes[];
}

export function parseProcStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  const perCore: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) {
      if (total) break; // cpu lines come first
      continue;
    }
    const parts = line.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already in user/nice.
    const f = parts.slice(1, 9).map((x) => Number(x) || 0);
    const times: CpuTimes = { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], idle: f[3] + f[4] };
    if (parts[0] === 'cpu') total = times;
    else perCore.push(times);
  }
  if (!total) throw new Error('no cpu line in /proc/stat');
  return { total, perCore };
}

/** Busy percent between two readings; 0 for the first reading (no delta yet). */
export function busyPercent(prev: CpuTimes | undefined, cur: CpuTimes): number {
  if (!prev) return 0;
  const busy = cur.busy - prev.busy;
  const total = busy + (cur.idle - prev.idle);
  if (total <= 0 || busy < 0) return 0;
  return clampPercent((busy / total) * 100);
}

export function cpuUsage(prev: ProcStat | undefined, cur: ProcStat): { percent: number; perCore: number[]; cores: number } {
  return {
    percent: busyPercent(prev?.total, cur.total),
    perCore: cur.perCore.map((c, i) => busyPercent(prev?.perCore[i], c)),
    cores: Math.max(1, cur.perCore.length),
  };
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  const ok = (n: number) => (Number.isFinite(n) && n >= 0 ? round2(n) : 0);
  return [ok(a), ok(b), ok(c)];
}
