import type { MetricsSample } from '@chatops/protocol';
import type { DataSource } from 'typeorm';
import type { SharedRedis } from '../../common/shared-redis.service';
import { LatestSamples } from './latest-samples.service';

function sample(at: number, processes?: MetricsSample['processes']): MetricsSample {
  return {
    seq: at, bootId: 'b', timestamp: new Date(at).toISOString(),
    cpu: { percent: 1, perCore: [1], load: [0, 0, 0], cores: 1 },
    memory: { totalBytes: 1, usedBytes: 1, availableBytes: 0, percent: 100, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [], network: [],
    ...(processes ? { processes } : {}),
  };
}

describe('LatestSamples', () => {
  const T = Date.parse('2026-11-29T10:00:00Z');
  const node = [{ pid: 1, name: 'node', user: 'app', cpuPercent: 5, memBytes: 10 }];

  it('keeps the last process list, with its time, while newer samples carry none', () => {
    const latest = new LatestSamples({} as DataSource, { client: null } as SharedRedis); // one instance: no Redis
    latest.offer('s', sample(T));
    expect(latest.peek('s')?.processes).toBeUndefined();
    latest.offer('s', sample(T + 5_000, node));
    latest.offer('s', sample(T + 10_000));
    expect(latest.peek('s')).toMatchObject({ timestamp: new Date(T + 10_000).toISOString(), processes: { timestamp: new Date(T + 5_000).toISOString(), list: node } });
    const next = [{ ...node[0], cpuPercent: 50 }];
    latest.offer('s', sample(T + 35_000, next));
    expect(latest.peek('s')?.processes).toEqual({ timestamp: new Date(T + 35_000).toISOString(), list: next });
    latest.offer('s', sample(T + 1_000, node)); // a replayed older sample does not win
    expect(latest.peek('s')?.processes?.list).toBe(next);
  });
});
