import type { ContainerInfo } from '@chatops/protocol';
import { CONTAINER_SPARK_POINTS, applyEvent, applySample, formatPorts, healthOf, mergeList, uptimeOf } from './container-rows';

const info = (id: string, name: string, state = 'running', status = 'Up 5 minutes'): ContainerInfo => ({ id, name, image: 'img', state, status, createdAt: '2026-11-28T00:00:00.000Z', ports: [] });
const A = '1'.repeat(64);
const B = '2'.repeat(64);

describe('container rows', () => {
  it('keeps live values and trends across list reads, and drops containers the list no longer has', () => {
    let rows = mergeList([], [info(A, 'a'), info(B, 'b')]);
    rows = applySample(rows, [{ id: A, name: 'a', image: 'img', state: 'running', status: 'Up', cpuPercent: 5, memBytes: 50, memLimitBytes: 100 }]);
    rows = mergeList(rows, [info(A, 'a', 'running', 'Up 6 minutes')]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'Up 6 minutes', cpuPercent: 5, cpuTrend: [5], memTrend: [50] });
  });

  it('bounds the trends and adds a container a sample knows first (matched by short id or name)', () => {
    let rows = mergeList([], [info(A, 'a')]);
    for (let i = 0; i < CONTAINER_SPARK_POINTS + 10; i++) rows = applySample(rows, [{ id: A.slice(0, 12), name: 'a', image: 'img', state: 'running', status: 'Up', cpuPercent: i }]);
    expect(rows[0].cpuTrend).toHaveLength(CONTAINER_SPARK_POINTS);
    expect(rows[0].cpuTrend.at(-1)).toBe(CONTAINER_SPARK_POINTS + 9);
    rows = applySample(rows, [{ id: B, name: 'b', image: 'img', state: 'created', status: 'Created' }]);
    expect(rows.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('moves state with events: die with its exit code, pause, health, destroy', () => {
    let rows = mergeList([], [info(A, 'a', 'running', 'Up 2 hours')]);
    rows = applyEvent(rows, { containerId: A, name: 'a', image: 'img', action: 'health_status', exitCode: null, health: 'unhealthy', time: 't' });
    expect(rows[0].status).toBe('Up 2 hours (unhealthy)');
    expect(healthOf(rows[0].status)).toBe('unhealthy');
    rows = applyEvent(rows, { containerId: A, name: 'a', image: 'img', action: 'pause', exitCode: null, health: null, time: 't' });
    expect(rows[0].state).toBe('paused');
    rows = applyEvent(rows, { containerId: A, name: 'a', image: 'img', action: 'die', exitCode: 3, health: null, time: 't' });
    expect(rows[0]).toMatchObject({ state: 'exited', status: 'Exited (3)' });
    rows = applyEvent(rows, { containerId: A, name: 'a', image: 'img', action: 'destroy', exitCode: null, health: null, time: 't' });
    expect(rows).toEqual([]);
  });

  it('computes uptime from a start it saw, else from the status text', () => {
    const now = Date.parse('2026-11-29T04:00:00.000Z');
    const [row] = mergeList([], [info(A, 'a', 'running', 'Up 3 days (healthy)')]);
    expect(uptimeOf(row, now)).toBe('3 days');
    const [started] = applyEvent([row], { containerId: A, name: 'a', image: 'img', action: 'start', exitCode: null, health: null, time: '2026-11-29T02:30:00.000Z' });
    expect(uptimeOf(started, now)).toBe('1 h 30 min');
    expect(uptimeOf({ ...row, state: 'exited' }, now)).toBe('');
  });

  it('formats ports: published with their host port, exposed alone, each once', () => {
    expect(formatPorts([
      { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' }, { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '::' },
      { privatePort: 53, publicPort: 53, type: 'udp', ip: '127.0.0.1' }, { privatePort: 5432, type: 'tcp' },
    ])).toBe('8080→80/tcp, 127.0.0.1:53→53/udp, 5432/tcp');
  });
});
