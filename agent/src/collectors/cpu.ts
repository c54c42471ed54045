/** CPU usage from /proc/stat deltas and load averages from /proc/loadavg. */
import { clampPercent, round2 } from './rates';
import { fieldEnd, fieldNumber, fieldStart, scanFields } from './tokens';

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
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    if (text.startsWith('cpu', pos)) {
      // label user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already in user/nice.
      const n = scanFields(text, pos, end, 9);
      const times: CpuTimes = {
        busy: cpuField(text, 1, n) + cpuField(text, 2, n) + cpuField(text, 3, n) + cpuField(text, 6, n) + cpuField(text, 7, n) + cpuField(text, 8, n),
        idle: cpuField(text, 4, n) + cpuField(text, 5, n),
      };
      if (fieldEnd[0] - fieldStart[0] === 3) total = times; // "cpu", not "cpuN"
      else perCore.push(times);
    } else if (total) {
      break; // cpu lines come first
    }
    pos = end + 1;
  }
  if (!total) throw new Error('no cpu line in /proc/stat');
  return { total, perCore };
}

function cpuField(text: string, k: number, found: number): number {
  return k < found ? fieldNumber(text, k) || 0 : 0;
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
