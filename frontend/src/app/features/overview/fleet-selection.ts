/**
 * Bulk selection of servers (pure functions over immutable sets, so a signal holding the set
 * changes identity on every change).
 */

/** One server checked or unchecked. */
export function toggleOne(selected: ReadonlySet<string>, id: string, on = !selected.has(id)): Set<string> {
  const next = new Set(selected);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/**
 * Shift-click: every server between the anchor (the last one clicked) and `id` in the order shown
 * takes the state `on`. Without an anchor still shown, only `id` changes.
 */
export function selectRange(selected: ReadonlySet<string>, order: readonly string[], anchor: string | null, id: string, on: boolean): Set<string> {
  const from = anchor === null ? -1 : order.indexOf(anchor);
  const to = order.indexOf(id);
  if (from < 0 || to < 0) return toggleOne(selected, id, on);
  const next = new Set(selected);
  for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
    if (on) next.add(order[i]);
    else next.delete(order[i]);
  }
  return next;
}

/** All of `ids` (the servers the filter shows) selected, or all of them unselected; others kept. */
export function selectAll(selected: ReadonlySet<string>, ids: readonly string[], on: boolean): Set<string> {
  const next = new Set(selected);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** The header checkbox: none, some or all of the shown servers selected. */
export function selectionState(selected: ReadonlySet<string>, ids: readonly string[]): 'none' | 'some' | 'all' {
  if (!selected.size || !ids.length) return 'none';
  let n = 0;
  for (const id of ids) if (selected.has(id)) n++;
  return n === 0 ? 'none' : n === ids.length ? 'all' : 'some';
}

/** The selection without servers that are gone (deleted here or elsewhere). */
export function pruneSelection(selected: ReadonlySet<string>, exists: (id: string) => boolean): Set<string> {
  return new Set([...selected].filter(exists));
}
