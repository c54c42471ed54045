import type { AlertSnapshot, AlertSnapshotPoint, MetricsSample, ProcessSummary } from '@chatops/protocol';

export const SNAPSHOT_MAX_PROCESSES = 10;
export const SNAPSHOT_MAX_CONTAINERS = 50;
/** Points kept of a pending window (the newest; a 5 s agent fills it in 20 minutes). */
export const WINDOW_MAX_POINTS = 240;

/**
 * What the server looked like when the alert fired: the values of the rule's window, the latest
 * sample's host figures, top processes (from the latest sample that carried them: agents send them
 * every few ticks) and containers.
 */
export function buildSnapshot(points: AlertSnapshotPoint[], latest: MetricsSample | undefined, processes: ProcessSummary[] | undefined): AlertSnapshot {
  return {
    takenAt: new Date().toISOString(),
    samples: points.slice(-WINDOW_MAX_POINTS),
    host: latest
      ? {
          timestamp: latest.timestamp,
          cpuPercent: latest.cpu.percent,
          memoryPercent: latest.memory.percent,
          load: latest.cpu.load,
          disks: latest.disks.map((d) => ({ mount: d.mount, percent: d.percent })),
          network: latest.network.map((n) => ({ iface: n.iface, rxBps: n.rxBps, txBps: n.txBps })),
        }
      : null,
    processes: processes ? [...processes].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, SNAPSHOT_MAX_PROCESSES) : null,
    containers: latest?.containers
      ? [...latest.containers].sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0)).slice(0, SNAPSHOT_MAX_CONTAINERS)
      : null,
  };
}
