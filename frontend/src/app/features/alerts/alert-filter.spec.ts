import { alert, silence } from '../../../testing/alert-fixtures';
import { DEFAULT_FILTERS, activeSilencesFor, alertMatches, applyAlertEvent } from './alert-filter';

describe('alert list filtering', () => {
  it('matches what GET /alerts would list: open = active or acknowledged, then server, severity, metric', () => {
    const a = alert({ id: 'a', status: 'acknowledged', severity: 'critical', metricType: 'memory' });
    expect(alertMatches(a, DEFAULT_FILTERS)).toBe(true);
    expect(alertMatches(a, { ...DEFAULT_FILTERS, status: 'active' })).toBe(false);
    expect(alertMatches({ ...a, status: 'resolved' }, DEFAULT_FILTERS)).toBe(false);
    expect(alertMatches({ ...a, status: 'resolved' }, { ...DEFAULT_FILTERS, status: 'all' })).toBe(true);
    expect(alertMatches(a, { ...DEFAULT_FILTERS, serverId: 's2' })).toBe(false);
    expect(alertMatches(a, { ...DEFAULT_FILTERS, severity: 'info' })).toBe(false);
    expect(alertMatches(a, { ...DEFAULT_FILTERS, metricType: 'memory', severity: 'critical', serverId: 's1' })).toBe(true);
  });

  it('puts a new alert on top, updates a known one in place, drops one that stops matching', () => {
    const list = [alert({ id: 'b' }), alert({ id: 'c' })];
    const fired = applyAlertEvent(list, { alert: alert({ id: 'a' }), change: 'fired' }, DEFAULT_FILTERS);
    expect(fired.map((a) => a.id)).toEqual(['a', 'b', 'c']);
    const acked = applyAlertEvent(fired, { alert: alert({ id: 'b', status: 'acknowledged' }), change: 'acknowledged' }, DEFAULT_FILTERS);
    expect(acked.map((a) => [a.id, a.status])).toEqual([['a', 'active'], ['b', 'acknowledged'], ['c', 'active']]);
    const activeOnly = { ...DEFAULT_FILTERS, status: 'active' as const };
    expect(applyAlertEvent(fired, { alert: alert({ id: 'b', status: 'acknowledged' }), change: 'acknowledged' }, activeOnly).map((a) => a.id)).toEqual(['a', 'c']);
    // an alert of another server does not enter a server's list
    expect(applyAlertEvent(list, { alert: alert({ id: 'x', serverId: 's2' }), change: 'fired' }, { ...DEFAULT_FILTERS, serverId: 's1' })).toHaveLength(2);
  });

  it('finds the silences in force that cover a server (its own and the all-servers ones)', () => {
    const all = [
      silence({ id: 'mine', serverId: 's1' }), silence({ id: 'every', serverId: null }), silence({ id: 'other', serverId: 's2' }),
      silence({ id: 'ended', serverId: 's1', active: false }), silence({ id: 'past', serverId: 's1', endsAt: '2020-01-01T00:00:00.000Z' }),
    ];
    expect(activeSilencesFor(all, 's1').map((s) => s.id)).toEqual(['mine', 'every']);
    expect(activeSilencesFor(all, '').map((s) => s.id)).toEqual(['mine', 'every', 'other']);
  });
});
