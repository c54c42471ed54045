import { server } from '../../../testing/auth-fixtures';
import { applySummary, cardFromServer, rankCards, visibleCards, type FleetCard } from './fleet-state';

const card = (id: string, name: string, lastSeen: string | null): FleetCard =>
  cardFromServer(server({ id, name, status: 'online', lastSeen }));

describe('fleet order', () => {
  const t = (s: number) => new Date(Date.parse('2026-11-29T10:00:00Z') + s * 1000).toISOString();
  const cards = [card('a', 'alpha', t(1)), card('b', 'bravo', t(3)), card('c', 'charlie', t(2))];
  const names = (list: FleetCard[]) => list.map((c) => c.server.name);

  it('sorts by last seen, newest first', () => {
    expect(names(visibleCards(cards, '', 'all', 'lastSeen'))).toEqual(['bravo', 'charlie', 'alpha']);
  });

  it('keeps the ranked order while live values change, until it is ranked again', () => {
    const rank = rankCards(cards, 'lastSeen');
    // alpha reports: it would jump to the top on every sample without the snapshot.
    const live = cards.map((c) => (c.server.id === 'a' ? applySummary(c, { serverId: 'a', status: 'online', lastSeen: t(9), cpuPercent: 1, memoryPercent: 1, diskPercent: 1, openAlerts: 0, timestamp: t(9) }) : c));
    expect(names(visibleCards(live, '', 'all', 'lastSeen', rank))).toEqual(['bravo', 'charlie', 'alpha']);
    expect(names(visibleCards(live, '', 'all', 'lastSeen', rankCards(live, 'lastSeen')))).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('puts cards the snapshot does not know after the others, and still filters live', () => {
    const rank = rankCards(cards, 'name');
    const more = [...cards, card('d', 'aardvark', null)];
    expect(names(visibleCards(more, '', 'all', 'name', rank))).toEqual(['alpha', 'bravo', 'charlie', 'aardvark']);
    expect(names(visibleCards(more, 'ar', 'all', 'name', rank))).toEqual(['charlie', 'aardvark']);
  });
});
