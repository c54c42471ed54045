import type { ContainerSummary, FleetSummary, MetricsSample } from '@chatops/protocol';
import type { DataSource } from 'typeorm';
import type { SharedRedis } from '../../common/shared-redis.service';
import { countContainers, LatestSamples } from '../metrics/latest-samples.service';
import type { ServersService } from '../servers/servers.service';
import { FleetStream } from './fleet-stream.service';
import type { LiveNamespace } from './live-socket';

const SERVER = '00000000-0000-4000-8000-000000000001';
const OWNER = '00000000-0000-4000-8000-0000000000aa';

/** `watched`: the rooms with a socket on this instance (all of them unless a test says otherwise). */
function setup({ redisUrl, watched }: { redisUrl?: string; watched?: string[] } = {}) {
  const sent: { room: string; payload: FleetSummary }[] = [];
  const rooms = { get: (room: string) => (!watched || watched.includes(room) ? new Set(['a-socket']) : undefined) };
  const namespace = { adapter: { rooms }, to: (room: string) => ({ emit: (_ev: string, payload: FleetSummary) => sent.push({ room, payload }) }) };
  const latest = new LatestSamples({} as DataSource, { client: null } as SharedRedis); // one instance: no Redis
  let resolveOwner!: () => void;
  const ownerLoaded = new Promise<void>((r) => (resolveOwner = r));
  const servers = {
    findById: jest.fn(async () => {
      await ownerLoaded;
      return { id: SERVER, ownerId: OWNER, status: 'online', lastSeen: null };
    }),
  };
  const fleet = new FleetStream(servers as unknown as ServersService, latest, { redisUrl });
  fleet.bind(namespace as unknown as LiveNamespace);
  const offer = (cpu: number, ts: string, containers?: ContainerSummary[]) => {
    const sample = { timestamp: ts, cpu: { percent: cpu, load: [cpu / 10, 0, 0] }, memory: { percent: 40, swapTotalBytes: 0, swapUsedBytes: 0 }, disks: [], network: [], containers } as unknown as MetricsSample;
    latest.offer(SERVER, sample);
    fleet.onMetrics({ serverId: SERVER, sample, receivedAt: new Date(ts) });
  };
  return { fleet, sent, servers, offer, resolveOwner: async () => { resolveOwner(); await new Promise((r) => setImmediate(r)); } };
}

describe('FleetStream', () => {
  it('holds a server back until its owner is known, then sends one summary per flush to owner and admins (one broadcast per room)', async () => {
    const { fleet, sent, servers, offer, resolveOwner } = setup();
    offer(10, '2026-01-01T00:00:01.000Z');
    offer(20, '2026-01-01T00:00:02.000Z');
    fleet.flush();
    expect(sent).toHaveLength(0); // owner lookup in flight
    await resolveOwner();
    offer(30, '2026-01-01T00:00:03.000Z');
    fleet.flush();
    expect(servers.findById).toHaveBeenCalledTimes(1);
    const payload = { serverId: SERVER, status: 'online', lastSeen: '2026-01-01T00:00:03.000Z', cpuPercent: 30, memoryPercent: 40, diskPercent: null, load1: 3, openAlerts: 0, timestamp: '2026-01-01T00:00:03.000Z',
      containersRunning: null, containersTotal: null, containersUnhealthy: null };
    expect(sent).toEqual([{ room: `live:fleet:owner:${OWNER}`, payload }, { room: 'live:fleet:admin', payload }]);
    fleet.flush();
    expect(sent).toHaveLength(2); // nothing changed: nothing sent
  });

  it('feeds status events and the open-alerts hook, and forgets deleted servers', async () => {
    const { fleet, sent, resolveOwner } = setup();
    fleet.onStatus({ serverId: SERVER, status: 'offline', lastSeen: new Date('2026-01-01T00:00:05.000Z') });
    fleet.setOpenAlerts(SERVER, 3);
    await resolveOwner();
    fleet.flush();
    expect(sent[0].payload).toMatchObject({ status: 'offline', openAlerts: 3, lastSeen: '2026-01-01T00:00:05.000Z' });
    fleet.setOpenAlerts(SERVER, 3);
    fleet.flush();
    expect(sent).toHaveLength(2);
    fleet.onDeleted({ serverId: SERVER });
    fleet.flush();
    expect(sent).toHaveLength(2);
  });

  it('routes to the new room after a move (also one relayed from another instance), even when the move lands while the owner lookup runs', async () => {
    const TEAM = '00000000-0000-4000-8000-0000000000bb';
    const { fleet, sent, offer, resolveOwner } = setup();
    offer(10, '2026-01-01T00:00:01.000Z');
    // The move arrives before the (older) row the lookup read: the move wins.
    fleet.onOwnerChanged({ serverId: SERVER, ownerId: OWNER, teamId: TEAM, previousTeamId: null, relayed: true });
    await resolveOwner();
    fleet.flush();
    expect(sent.map((s) => s.room)).toEqual([`live:fleet:team:${TEAM}`, 'live:fleet:admin']);
    fleet.onOwnerChanged({ serverId: SERVER, ownerId: OWNER, teamId: null, previousTeamId: TEAM });
    offer(20, '2026-01-01T00:00:02.000Z');
    fleet.flush();
    expect(sent.map((s) => s.room)).toEqual([`live:fleet:team:${TEAM}`, 'live:fleet:admin', `live:fleet:owner:${OWNER}`, 'live:fleet:admin']);
  });

  it('skips a room nobody watches on a single instance, and sends to it with Redis (watchers may be on another instance)', async () => {
    const alone = setup({ watched: ['live:fleet:admin'] });
    alone.offer(10, '2026-01-01T00:00:01.000Z');
    await alone.resolveOwner();
    alone.fleet.flush();
    expect(alone.sent.map((s) => s.room)).toEqual(['live:fleet:admin']);

    const shared = setup({ watched: [], redisUrl: 'redis://127.0.0.1:6379' });
    shared.offer(10, '2026-01-01T00:00:01.000Z');
    await shared.resolveOwner();
    shared.fleet.flush();
    expect(shared.sent.map((s) => s.room)).toEqual([`live:fleet:owner:${OWNER}`, 'live:fleet:admin']);
  });

  it('counts the newest sample\'s containers: running, all, unhealthy', async () => {
    const { fleet, sent, offer, resolveOwner } = setup();
    const c = (name: string, state: string, status: string): ContainerSummary => ({ id: name.repeat(12).slice(0, 12), name, image: 'x', state, status });
    offer(10, '2026-01-01T00:00:01.000Z', [
      c('a', 'running', 'Up 2 hours (healthy)'), c('b', 'running', 'Up 5 minutes (unhealthy)'), c('c', 'exited', 'Exited (3) 1 hour ago'), c('d', 'paused', 'Up 1 hour (Paused)'),
    ]);
    await resolveOwner();
    fleet.flush();
    expect(sent[0].payload).toMatchObject({ containersRunning: 2, containersTotal: 4, containersUnhealthy: 1 });
  });
});

describe('countContainers', () => {
  it('is null without a container list and zero for an empty one', () => {
    expect(countContainers(undefined)).toEqual({ containersRunning: null, containersTotal: null, containersUnhealthy: null });
    expect(countContainers([])).toEqual({ containersRunning: 0, containersTotal: 0, containersUnhealthy: 0 });
  });
});
