/** Per-interface byte counters from /proc/net/dev and their rates; the loopback interface is skipped. */
import { counterRate } from './rates';
import { fieldNumber, scanFields } from './tokens';

export interface IfaceCounters { iface: string; rxBytes: number; txBytes: number }
export interface IfaceUsage extends IfaceCounters { rxBps: number; txBps: number }

export function parseNetDev(text: string): IfaceCounters[] {
  const out: IfaceCounters[] = [];
  const len = text.length;
  let pos = 0;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    const colon = text.indexOf(':', pos);
    if (colon >= 0 && colon < end) {
      const iface = text.slice(pos, colon).trim();
      if (iface && iface !== 'lo' && !iface.includes('|') && scanFields(text, colon + 1, end, 9) >= 9) {
        out.push({ iface, rxBytes: fieldNumber(text, 0) || 0, txBytes: fieldNumber(text, 8) || 0 });
      }
    }
    pos = end + 1;
  }
  return out;
}

export function networkUsage(prev: Map<string, IfaceCounters> | undefined, cur: IfaceCounters[], dtSec: number): IfaceUsage[] {
  return cur.map((c) => {
    const p = prev?.get(c.iface);
    return { ...c, rxBps: counterRate(p?.rxBytes, c.rxBytes, dtSec), txBps: counterRate(p?.txBytes, c.txBytes, dtSec) };
  });
}
