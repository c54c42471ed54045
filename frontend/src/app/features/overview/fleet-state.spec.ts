import { server } from '../../../testing/auth-fixtures';
import { DEFAULT_THRESHOLDS } from '../../shared/thresholds/thresholds';
import { applySummary, cardFromServer, cardLevels, isStale } from './fleet-state';

describe('fleet card state', () => {
  const summary = { serverId: 'a', status: 'online' as const, lastSeen: '2026-11-29T10:00:00Z', cpuPercent: 96, memoryPercent: 81, diskPercent: 10, openAlerts: 0, timestamp: null };

  it('takes the load from a summary and keeps it when a summary has none (an older backend)', () => {
    const card = applySummary(cardFromServer(server({ id: 'a', name: 'a' })), { ...summary, load1: 1.5 });
    expect(card.load1).toBe(1.5);
    expect(applySummary(card, summary).load1).toBe(1.5);
    expect(applySummary(card, { ...summary, load1: null }).load1).toBeNull();
  });

  it('levels current values against the thresholds, and none for the stale values of an offline server', () => {
    const live = applySummary(cardFromServer(server({ id: 'a', name: 'a' })), summary);
    expect(cardLevels(live, DEFAULT_THRESHOLDS)).toEqual({ cpu: 'critical', memory: 'warning', disk: 'ok' });
    const offline = { ...live, status: 'offline' as const };
    expect(isStale(offline)).toBe(true);
    expect(cardLevels(offline, DEFAULT_THRESHOLDS)).toEqual({ cpu: 'ok', memory: 'ok', disk: 'ok' });
  });
});
