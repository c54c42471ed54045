import type { MetricsSample } from '@chatops/protocol';
import { alertMessage, compare, observe, ruleProblems, stillFiring } from './alert-rules';

const sample = (over: Partial<MetricsSample> = {}): MetricsSample => ({
  seq: 1, bootId: 'b', timestamp: new Date().toISOString(),
  cpu: { percent: 50, perCore: [50], load: [1.5, 1, 1], cores: 1 },
  memory: { totalBytes: 100, usedBytes: 50, availableBytes: 50, percent: 50, swapTotalBytes: 200, swapUsedBytes: 50 },
  disks: [{ mount: '/boot', fs: 'a', type: 'ext4', totalBytes: 10, usedBytes: 9, percent: 90 }, { mount: '/data', fs: 'b', type: 'ext4', totalBytes: 1000, usedBytes: 100, percent: 10 }],
  network: [{ iface: 'lo', rxBytes: 0, txBytes: 0, rxBps: 1e9, txBps: 1e9 }, { iface: 'eth0', rxBytes: 0, txBytes: 0, rxBps: 100, txBps: 200 }, { iface: 'eth1', rxBytes: 0, txBytes: 0, rxBps: 50, txBps: 25 }],
  ...over,
});

describe('alert rules', () => {
  it('compares', () => {
    expect([compare(5, 'gt', 5), compare(5, 'gte', 5), compare(4, 'lt', 5), compare(5, 'lte', 5), compare(5, 'eq', 5)]).toEqual([false, true, true, true, true]);
  });

  it('hysteresis holds while the value is past clearValue', () => {
    const rule = { comparison: 'gt' as const, thresholdValue: 90, clearValue: 70 };
    expect([stillFiring(rule, 85), stillFiring(rule, 70.1), stillFiring(rule, 70)]).toEqual([true, true, false]);
    expect(stillFiring({ comparison: 'lt', thresholdValue: 10, clearValue: 20 }, 15)).toBe(true);
    expect(stillFiring({ comparison: 'gt', thresholdValue: 90, clearValue: null }, 85)).toBe(false);
  });

  it('observes targets: disk default is / or the largest mount, network default sums all but loopback', () => {
    const s = sample();
    expect(observe({ metricType: 'disk', target: null }, s)).toEqual([{ target: '/data', value: 10 }]);
    expect(observe({ metricType: 'disk', target: '*' }, s)).toHaveLength(2);
    expect(observe({ metricType: 'disk', target: '/nope' }, s)).toEqual([]);
    expect(observe({ metricType: 'network_rx', target: null }, s)).toEqual([{ target: '', value: 150 }]);
    expect(observe({ metricType: 'network_tx', target: '*' }, s)).toEqual([{ target: 'eth0', value: 200 }, { target: 'eth1', value: 25 }]);
    expect(observe({ metricType: 'swap', target: null }, s)).toEqual([{ target: '', value: 25 }]);
    expect(observe({ metricType: 'load1', target: null }, s)).toEqual([{ target: '', value: 1.5 }]);
    expect(observe({ metricType: 'offline', target: null }, s)).toEqual([]);
  });

  it('refuses rules that make no sense', () => {
    const base = { metricType: 'cpu' as const, comparison: 'gt' as const, thresholdValue: 80, clearValue: null, target: null };
    expect(ruleProblems(base)).toEqual([]);
    expect(ruleProblems({ ...base, target: 'eth0' })[0]).toMatch(/^target:/);
    expect(ruleProblems({ ...base, clearValue: 85 })[0]).toMatch(/^clearValue:/);
    expect(ruleProblems({ ...base, comparison: 'lt', clearValue: 70 })[0]).toMatch(/^clearValue:/);
    expect(ruleProblems({ ...base, comparison: 'eq', clearValue: 80 })[0]).toMatch(/^clearValue:/);
    expect(ruleProblems({ ...base, metricType: 'disk', target: 'sda' })[0]).toMatch(/mount point/);
  });

  it('writes messages people can read', () => {
    const rule = { metricType: 'network_rx' as const, comparison: 'gte' as const, thresholdValue: 1.5e6, durationSec: 60, name: 'uplink' };
    expect(alertMessage(rule, 'web-1', 'eth0', 2_345_678)).toBe('web-1: Network in eth0 2.3 MB/s ≥ 1.5 MB/s for 60 s [uplink]');
  });
});
