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
    expect(latest.peek('s')?.processes?.list).toEqual(next);
  });

  it('gives back the sample as sent, and the values the fleet overview shows', () => {
    const latest = new LatestSamples({} as DataSource, { client: null } as SharedRedis);
    expect(latest.peek('s')).toBeUndefined();
    expect(latest.values('s')).toBeUndefined();
    const sent: MetricsSample = {
      ...sample(T, node),
      cpu: { percent: 12.5, perCore: [10, 15], load: [0.5, 0.25, 0.125], cores: 2 },
      disks: [
        { mount: '/data', fs: '/dev/sdb1', type: 'xfs', totalBytes: 2e12, usedBytes: 1e12, percent: 50 },
        { mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 1e11, usedBytes: 3e10, percent: 30 },
      ],
      containers: [
        { id: 'a'.repeat(12), name: 'web', image: 'nginx', state: 'running', status: 'Up 1 hour (unhealthy)' },
        { id: 'b'.repeat(12), name: 'job', image: 'busybox', state: 'exited', status: 'Exited (0)' },
      ],
    };
    latest.offer('s', sent);
    expect(latest.peek('s')).toEqual({ serverId: 's', timestamp: sent.timestamp, sample: sent, processes: { timestamp: sent.timestamp, list: node } });
    expect(latest.values('s')).toEqual({
      timestamp: sent.timestamp, cpuPercent: 12.5, memoryPercent: 100, diskPercent: 30, load1: 0.5,
      containersRunning: 1, containersTotal: 2, containersUnhealthy: 1,
    });
  });

  it('writes a server\'s sample to PostgreSQL when its agent leaves, together with others that left meanwhile', async () => {
    jest.useFakeTimers();
    try {
      const query = jest.fn(async (_sql: string, _params: unknown[]) => []);
      const latest = new LatestSamples({ query } as unknown as DataSource, { client: null } as SharedRedis);
      const sent = { ...sample(T), processes: node };
      latest.offer('a', sent);
      latest.offer('b', sample(T));
      latest.offer('c', sample(T));
      latest.onAgentGone({ serverId: 'a', at: new Date(), reason: 'transport close' });
      latest.onAgentGone({ serverId: 'b', at: new Date(), reason: 'transport close' });
      latest.onAgentGone({ serverId: 'unknown', at: new Date(), reason: 'transport close' });
      expect(query).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1000);
      expect(query).toHaveBeenCalledTimes(1);
      const rows = JSON.parse(query.mock.calls[0][1][0] as string) as { server_id: string; ts: string; sample: MetricsSample }[];
      expect(rows).toEqual([{ server_id: 'a', ts: sent.timestamp, sample: sent }, { server_id: 'b', ts: sample(T).timestamp, sample: sample(T) }]);
      // Saved: the periodic run writes only what is still unsaved.
      await latest.persist();
      expect(JSON.parse(query.mock.calls[1][1][0] as string)).toEqual([{ server_id: 'c', ts: sample(T).timestamp, sample: sample(T) }]);
      await latest.persist();
      expect(query).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
