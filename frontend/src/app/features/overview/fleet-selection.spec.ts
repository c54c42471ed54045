import { pruneSelection, selectAll, selectRange, selectionState, toggleOne } from './fleet-selection';

describe('fleet selection', () => {
  const order = ['a', 'b', 'c', 'd', 'e'];
  const sorted = (s: Set<string>) => [...s].sort();

  it('toggles one server without touching the set it came from', () => {
    const none = new Set<string>();
    const one = toggleOne(none, 'b');
    expect(sorted(one)).toEqual(['b']);
    expect(none.size).toBe(0);
    expect(sorted(toggleOne(one, 'b'))).toEqual([]);
    expect(sorted(toggleOne(one, 'b', true))).toEqual(['b']);
  });

  it('selects and unselects the range between the anchor and the shift-clicked server, in either direction', () => {
    expect(sorted(selectRange(new Set(['a']), order, 'b', 'd', true))).toEqual(['a', 'b', 'c', 'd']);
    expect(sorted(selectRange(new Set(), order, 'd', 'b', true))).toEqual(['b', 'c', 'd']);
    expect(sorted(selectRange(new Set(order), order, 'b', 'd', false))).toEqual(['a', 'e']);
    // anchor filtered out (or none yet): just that server
    expect(sorted(selectRange(new Set(), order, 'zz', 'c', true))).toEqual(['c']);
    expect(sorted(selectRange(new Set(), order, null, 'c', true))).toEqual(['c']);
  });

  it('selects all shown servers, keeping hidden ones selected, and reports the header state', () => {
    const hiddenSelected = new Set(['x']);
    const all = selectAll(hiddenSelected, ['a', 'b'], true);
    expect(sorted(all)).toEqual(['a', 'b', 'x']);
    expect(selectionState(all, ['a', 'b'])).toBe('all');
    expect(selectionState(new Set(['a']), ['a', 'b'])).toBe('some');
    expect(selectionState(new Set(['x']), ['a', 'b'])).toBe('none');
    expect(sorted(selectAll(all, ['a', 'b'], false))).toEqual(['x']);
  });

  it('forgets servers that are gone', () => {
    expect(sorted(pruneSelection(new Set(['a', 'gone']), (id) => id !== 'gone'))).toEqual(['a']);
  });
});
