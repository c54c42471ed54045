import type { HistoryPoint } from '@chatops/protocol';
import { canPreview, previewRule, resolutionSec } from './rule-preview';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
/** One 5-minute bucket per value (null = no data); the maximum is 5 points above the average. */
const points = (values: (number | null)[]): HistoryPoint[] => values.map((v, i) => ({
  timestamp: new Date(T0 + i * 300_000).toISOString(), cpuPercent: v, memoryPercent: v, diskPercent: v, swapPercent: v, load1: v,
  netRxBps: v, netTxBps: v, cpuPercentMax: v == null ? null : v + 5, memoryPercentMax: null, load1Max: null, netRxBpsMax: null, netTxBpsMax: null,
}));
const base = { metricType: 'memory' as const, comparison: 'gt' as const, thresholdValue: 80, clearValue: null, durationSec: 0 };

describe('rule preview over history', () => {
  it('counts each breach once while it lasts, and a new one after the value cleared', () => {
    const r = previewRule(base, points([50, 85, 90, 70, 85, 60]), '5m');
    expect(r).toEqual({ fires: 2, firingBuckets: 3, buckets: 6, resolution: '5m' });
  });

  it('needs the condition to hold durationSec, bucket by bucket; a gap keeps the state', () => {
    const rule = { ...base, durationSec: 600 }; // two 5-minute buckets
    expect(previewRule(rule, points([85, 50, 85, 50]), '5m').fires).toBe(0);
    expect(previewRule(rule, points([85, null, 85, 50]), '5m').fires).toBe(1);
  });

  it('with hysteresis stays firing until the value is past clearValue (no flapping)', () => {
    expect(previewRule(base, points([85, 78, 85, 78, 85]), '5m').fires).toBe(3);
    expect(previewRule({ ...base, clearValue: 70 }, points([85, 78, 85, 78, 85]), '5m').fires).toBe(1);
  });

  it('reads bucket maxima for "greater than" rules where history keeps them', () => {
    expect(previewRule({ ...base, metricType: 'cpu' }, points([77]), '5m').fires).toBe(1); // max 82 > 80
    expect(previewRule({ ...base, metricType: 'cpu', comparison: 'lt', thresholdValue: 78 }, points([77]), '5m').fires).toBe(1); // the average
  });

  it('previews one server\'s host metrics with the default target only', () => {
    expect(canPreview({ serverId: 's1', metricType: 'cpu', target: '' })).toBe(true);
    expect(canPreview({ serverId: 's1', metricType: 'disk', target: '/' })).toBe(true);
    expect(canPreview({ serverId: 's1', metricType: 'disk', target: '/data' })).toBe(false);
    expect(canPreview({ serverId: '', metricType: 'cpu', target: '' })).toBe(false);
    expect(canPreview({ serverId: 's1', metricType: 'offline', target: '' })).toBe(false);
    expect(canPreview({ serverId: 's1', metricType: 'container_cpu', target: '' })).toBe(false);
    expect(resolutionSec('12s')).toBe(12);
    expect(resolutionSec('1h')).toBe(3600);
  });
});
