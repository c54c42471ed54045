import type { MetricsSample } from '@chatops/protocol';

/** A schema-valid sample with a given seq/bootId (timestamps one second apart). */
export function fakeSample(seq: number, bootId = '11111111-2222-4333-8444-555555555555'): MetricsSample {
  return {
    seq, bootId, timestamp: new Date(Date.UTC(2026, 10, 27, 6, 0, seq)).toISOString(),
    cpu: { percent: 12.5, perCore: [10, 15], load: [0.5, 0.4, 0.3], cores: 2 },
    memory: { totalBytes: 8e9, usedBytes: 2e9, availableBytes: 6e9, percent: 25, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 5e10, percent: 50 }],
    network: [{ iface: 'eth0', rxBytes: 1000, txBytes: 2000, rxBps: 10, txBps: 20 }],
  };
}
