import type { MetricsSample } from '@chatops/protocol';

/** The columns that are charted and alerted on, extracted once per sample. */
export function narrowRow(s: MetricsSample) {
  const rootDisk = s.disks.find((d) => d.mount === '/') ?? s.disks.reduce<MetricsSample['disks'][number] | undefined>((m, d) => (!m || d.totalBytes > m.totalBytes ? d : m), undefined);
  const swap = s.memory.swapTotalBytes > 0 ? (s.memory.swapUsedBytes / s.memory.swapTotalBytes) * 100 : null;
  const sum = (k: 'rxBps' | 'txBps') => (s.network.length ? s.network.reduce((a, n) => a + n[k], 0) : null);
  return {
    ts: s.timestamp,
    cpu: s.cpu.percent,
    mem: s.memory.percent,
    swap,
    disk: rootDisk ? rootDisk.percent : null,
    load1: s.cpu.load[0],
    netRx: sum('rxBps'),
    netTx: sum('txBps'),
  };
}
