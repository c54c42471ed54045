/** Per-interface byte counters from /proc/net/dev and their rates; the loopback interface is skipped. */
import { counterRate } from './rates';

export interface IfaceCounters { iface: string; rxBytes: number; txBytes: number }
export interface IfaceUsage extends IfaceCounters { rxBps: number; txBps: number }

export function parseNetDev(text: string): IfaceCounters[] {
  const out: IfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    if (!iface || iface === 'lo' || iface.includes('|')) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 9) continue;
    out.push({ iface, rxBytes: Number(f[0]) || 0, txBytes: Number(f[8]) || 0 });
  }
  return out;
}

export function networkUsage(prev: Map<string, IfaceCounters> | undefined, cur: IfaceCounters[], dtSec: number): IfaceUsage[] {
  return cur.map((c) => {
    const p = prev?.get(c.iface);
    return { ...c, rxBps: counterRate(p?.rxBytes, c.rxBytes, dtSec), txBps: counterRate(p?.txBytes, c.txBytes, dtSec) };
  });
}
