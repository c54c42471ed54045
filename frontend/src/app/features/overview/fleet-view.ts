/** Which overview a user sees: cards, or the dense table. */
export type FleetView = 'cards' | 'table';

/** Above this many servers the overview opens as a table unless the user chose otherwise. */
export const TABLE_BY_DEFAULT_ABOVE = 50;
export const VIEW_KEY = 'chatops.overview.view';
/** Cards per page in the cards view (the table virtualises instead). */
export const CARDS_PAGE_SIZE = 48;

/** The view the user picked in this browser, or null (then the fleet size decides). */
export function storedView(): FleetView | null {
  try {
    const v = localStorage.getItem(VIEW_KEY);
    return v === 'cards' || v === 'table' ? v : null;
  } catch {
    return null;
  }
}

export function storeView(view: FleetView): void {
  try {
    localStorage.setItem(VIEW_KEY, view);
  } catch {
    /* storage full or blocked: kept for this visit */
  }
}

export function defaultView(total: number): FleetView {
  return total > TABLE_BY_DEFAULT_ABOVE ? 'table' : 'cards';
}

/** Equal arrays of ids, element by element (lets a computed keep its old array when nothing moved). */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
