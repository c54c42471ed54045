import type { MetricsSample } from '@chatops/protocol';
import type { LiveNamespace } from './live-socket';
import { LiveService } from './live.service';

const SERVER = '00000000-0000-4000-8000-000000000001';
const sample = (seq: number, ts: string) => ({ seq, timestamp: ts }) as unknown as MetricsSample;
const tick = () => new Promise((r) => setImmediate(r));

describe('LiveService', () => {
  function setup(opts: { subscribers?: number; redisUrl?: string } = {}) {
    const sent: { room: string; event: string; payload: any }[] = [];
    const rooms = new Map([[`live:server:${SERVER}`, new Set(Array.from({ length: opts.subscribers ?? 1 }, (_, i) => `socket-${i}`))]]);
    const namespace = {
      to: (room: string) => ({ emit: (event: string, payload: unknown) => sent.push({ room, event, payload }) }),
      adapter: { rooms },
    };
    const live = new LiveService({ redisUrl: opts.redisUrl } as never);
    live.bind(namespace as unknown as LiveNamespace);
    const receive = (s: MetricsSample) => live.onMetrics({ serverId: SERVER, sample: s, receivedAt: new Date() });
    return { live, sent, receive };
  }

  it('broadcasts once per event to the server room, after the current turn (the acks go first)', async () => {
    const { sent, receive } = setup();
    receive(sample(1, '2026-01-01T00:00:01Z'));
    expect(sent).toHaveLength(0);
    await tick();
    expect(sent).toEqual([{ room: `live:server:${SERVER}`, event: 'metrics', payload: { serverId: SERVER, sample: sample(1, '2026-01-01T00:00:01Z') } }]);
  });

  it('collapses a replayed batch into its newest sample and drops samples older than the last forwarded', async () => {
    const { live, sent, receive } = setup();
    receive(sample(5, '2026-01-01T00:00:05Z'));
    await tick();
    for (let i = 1; i <= 4; i++) receive(sample(i, `2026-01-01T00:00:0${i}Z`)); // backlog
    receive(sample(6, '2026-01-01T00:00:07Z'));
    receive(sample(7, '2026-01-01T00:00:06Z'));
    await tick();
    expect(sent.map((s) => s.payload.sample.seq)).toEqual([5, 6]);
    expect(live.stats).toEqual({ forwarded: 2, stale: 4, coalesced: 1 });
  });

  it('does not encode samples for a server nobody watches (single instance), but does with Redis', async () => {
    const alone = setup({ subscribers: 0 });
    alone.receive(sample(1, '2026-01-01T00:00:01Z'));
    await tick();
    expect(alone.sent).toHaveLength(0);
    const clustered = setup({ subscribers: 0, redisUrl: 'redis://127.0.0.1:6379' });
    clustered.receive(sample(1, '2026-01-01T00:00:01Z'));
    await tick();
    expect(clustered.sent).toHaveLength(1);
  });

  it('routes hooks of other modules to the server room', () => {
    const { live, sent } = setup();
    const event = { containerId: 'c1', name: 'web', image: 'nginx', action: 'die' as const, exitCode: 137, health: null, time: '2026-01-01T00:00:00Z' };
    live.emitToServer(SERVER, 'container_event', { serverId: SERVER, event });
    expect(sent).toEqual([{ room: `live:server:${SERVER}`, event: 'container_event', payload: { serverId: SERVER, event } }]);
  });
});
