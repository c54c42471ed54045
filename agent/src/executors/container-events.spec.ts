import { PassThrough, type Readable } from 'node:stream';
import type { ContainerEvent } from '@chatops/protocol';
import { agentStreamSchemas } from '@chatops/protocol';
import { Backoff } from '../connection/backoff';
import { createLogger } from '../log';
import { ContainerEventWatcher, EventPacer, toContainerEvent } from './container-events';

const ID = 'd'.repeat(64);
const engineEvent = (action: string, nano: number, attrs: Record<string, string> = {}) => ({
  status: action, id: ID, from: 'busybox:1', Type: 'container', Action: action,
  Actor: { ID, Attributes: { image: 'busybox:1', name: 'web', ...attrs } }, scope: 'local', time: Math.floor(nano / 1e9), timeNano: nano,
});
const T0 = 1_777_629_600_000_000_000;

describe('container events', () => {
  it('maps Docker\'s and podman\'s events: die with its exit code, health status both ways; others are not forwarded', () => {
    const die = toContainerEvent(engineEvent('die', T0 + 5e8, { exitCode: '137', containerExitCode: '137' }))!;
    expect(die).toEqual({ containerId: ID, name: 'web', image: 'busybox:1', action: 'die', exitCode: 137, health: null, time: '2026-05-01T10:00:00.500Z' });
    expect(agentStreamSchemas.container_event.parse(die)).toEqual(die);
    expect(toContainerEvent(engineEvent('health_status: unhealthy', T0))).toMatchObject({ action: 'health_status', health: 'unhealthy' });
    expect(toContainerEvent(engineEvent('health_status', T0, { health_status: 'healthy' }))).toMatchObject({ action: 'health_status', health: 'healthy' });
    expect(toContainerEvent(engineEvent('oom', T0))).toMatchObject({ action: 'oom', exitCode: null });
    expect(toContainerEvent(engineEvent('exec_create: sh', T0))).toBeNull();
    expect(toContainerEvent(engineEvent('cleanup', T0))).toBeNull();
    expect(toContainerEvent({ ...engineEvent('create', T0), Type: 'image' })).toBeNull();
  });

  it('reconnects when the stream ends, asks for the events since the last one and skips the replayed ones', async () => {
    const opened: (string | undefined)[] = [];
    const streams: PassThrough[] = [];
    let fail = 0;
    const got: ContainerEvent[] = [];
    const watcher = new ContainerEventWatcher({
      open: async (since) => {
        opened.push(since);
        if (fail > 0) {
          fail--;
          throw Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
        }
        const s = new PassThrough();
        streams.push(s);
        return s as Readable;
      },
      emit: (e) => got.push(e),
      logger: createLogger({ level: 'silent' }),
      backoff: new Backoff(10, 20, () => 0),
    });
    watcher.start();
    await new Promise((r) => setTimeout(r, 20));
    const line = (action: string, nano: number) => JSON.stringify(engineEvent(action, nano)) + '\n';
    // One event split across two chunks, one more in the same chunk as the rest of it.
    const both = line('start', T0) + line('die', T0 + 1e9);
    streams[0].write(both.slice(0, 30));
    streams[0].write(both.slice(30));
    await new Promise((r) => setTimeout(r, 10));
    expect(got.map((e) => e.action)).toEqual(['start', 'die']);

    fail = 2; // the engine restarts: two refused connections, then it is back
    streams[0].end();
    await new Promise((r) => setTimeout(r, 150));
    expect(opened).toEqual([undefined, String(T0 / 1e9 + 1), String(T0 / 1e9 + 1), String(T0 / 1e9 + 1)]);
    expect(watcher.connected).toBe(true);
    // The engine replays the last second: the die seen already is skipped, the new start is not.
    streams[1].write(line('die', T0 + 1e9) + line('start', T0 + 2e9));
    await new Promise((r) => setTimeout(r, 10));
    expect(got.map((e) => e.action)).toEqual(['start', 'die', 'start']);
    watcher.stop();
    expect(streams[1].destroyed).toBe(true);
  });

  it('paces bursts: at most perSec events a second, in order, the queue bounded', async () => {
    const sent: number[] = [];
    const pacer = new EventPacer<number>((n) => sent.push(n), 10, 25);
    for (let i = 0; i < 40; i++) pacer.push(i);
    expect(sent).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(pacer.dropped).toBe(5); // 10 sent at once, 25 waiting, 5 over
    await new Promise((r) => setTimeout(r, 1100));
    expect(sent).toEqual(Array.from({ length: 20 }, (_, i) => i));
    pacer.stop();
  });
});
