import { CdkVirtualScrollViewport, ScrollingModule } from '@angular/cdk/scrolling';
import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, Injector, afterNextRender, computed, effect, inject, input, output, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Percent1Pipe, RelativeTimePipe } from '../../shared/format/format.pipes';
import { ThresholdsService } from '../../shared/thresholds/thresholds';
import { IconComponent } from '../../shared/ui/icon.component';
import { StatusChipComponent } from '../../shared/ui/status-chip.component';
import { SORT_LABELS, type FleetItem, type SortDir, type SortKey } from './fleet-order';
import { cardLevels, containerFlags, isStale, type FleetCard } from './fleet-state';

/** Row height in pixels: the virtual scroll's fixed item size (rows never wrap). */
export const ROW_HEIGHT = 44;

export interface RowToggle { id: string; on: boolean; shift: boolean }

/** The columns a user can sort by, in table order (the checkbox column comes first). */
const SORTABLE: SortKey[] = ['name', 'status', 'cpu', 'memory', 'disk', 'load', 'containers', 'lastSeen'];

/**
 * The dense fleet table: one real `<table>` whose body is virtualised (CDK virtual scroll), so only
 * the rows in view (plus a small buffer) exist in the DOM whatever the fleet size, and a live update
 * re-renders only those rows. Keyboard: Tab into a row, then ↑/↓ (Home/End, PageUp/PageDown) move
 * between rows in the same column, scrolling the row into view.
 */
@Component({
  selector: 'app-fleet-table',
  imports: [ScrollingModule, RouterLink, StatusChipComponent, IconComponent, Percent1Pipe, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <cdk-virtual-scroll-viewport [style.height.px]="height()" [itemSize]="rowHeight" [minBufferPx]="rowHeight * 5" [maxBufferPx]="rowHeight * 10" class="viewport" data-testid="fleet-table">
      <table #table [attr.aria-rowcount]="rowCount() + 1" aria-label="Servers" (keydown)="onKey($event)">
        <thead>
          <tr aria-rowindex="1">
            <th scope="col" class="sel">
              <input type="checkbox" data-testid="select-all" [checked]="selectAllState() === 'all'" [indeterminate]="selectAllState() === 'some'"
                [attr.aria-label]="selectAllState() === 'all' ? 'Unselect all servers shown' : 'Select all servers shown'" (change)="toggleAll.emit(asChecked($event))" />
            </th>
            @for (key of sortable; track key) {
              <th scope="col" [class]="'col-' + key" [attr.aria-sort]="sort() === key ? (sortDir() === 'asc' ? 'ascending' : 'descending') : null">
                <button type="button" class="sort" [attr.data-testid]="'sort-' + key" (click)="sortBy.emit(key)">
                  {{ labels[key] }}<span class="arrow" aria-hidden="true">{{ sort() === key ? (sortDir() === 'asc' ? '▲' : '▼') : '' }}</span>
                </button>
              </th>
              @if (key === 'status') { <th scope="col" class="col-tags">Tags</th> }
            }
          </tr>
        </thead>
        <tbody>
          <tr *cdkVirtualFor="let item of items(); trackBy: trackKey; let i = index" [attr.aria-rowindex]="i + 2" [attr.data-index]="i"
            [class.group]="item.kind === 'group'" [class.selected]="item.kind === 'server' && selected().has(item.id)">
            @if (item.kind === 'group') {
              <th scope="colgroup" colspan="10" class="group-head" data-testid="group-row">
                {{ item.tag === null ? 'Untagged' : '#' + item.tag }} <span class="muted">· {{ item.count }} server{{ item.count === 1 ? '' : 's' }}</span>
              </th>
            } @else {
              @let c = cards().get(item.id);
              @if (c) {
                @let lv = levelsOf(c);
                @let stale = staleOf(c);
                <td class="sel"><input type="checkbox" data-col="sel" [checked]="selected().has(c.server.id)" [attr.aria-label]="'Select ' + c.server.name"
                  (click)="onToggle($event, c.server.id)" /></td>
                <th scope="row" class="col-name"><a data-col="name" data-testid="row-name" [routerLink]="['/servers', c.server.id]" [title]="c.server.host || ''">{{ c.server.name }}</a></th>
                <td class="col-status"><app-status-chip [status]="c.status" /></td>
                <td class="col-tags" data-testid="row-tags">@for (t of c.server.tags.slice(0, 3); track t) {<span class="tag">{{ t }}</span>}@if (c.server.tags.length > 3) {<span class="more">+{{ c.server.tags.length - 3 }}</span>}</td>
                <td class="col-cpu num" data-testid="row-cpu" [class]="'level-' + lv.cpu" [class.stale]="stale">{{ c.cpuPercent | percent1 }}@if (lv.cpu !== 'ok') { <app-icon [name]="lv.cpu === 'critical' ? 'critical' : 'warning'" [size]="14" /><span class="lvl" aria-hidden="true">{{ lv.cpu === 'critical' ? 'crit' : 'warn' }}</span><span class="visually-hidden">{{ lv.cpu }}</span> }</td>
                <td class="col-memory num" [class]="'level-' + lv.memory" [class.stale]="stale">{{ c.memoryPercent | percent1 }}@if (lv.memory !== 'ok') { <app-icon [name]="lv.memory === 'critical' ? 'critical' : 'warning'" [size]="14" /><span class="lvl" aria-hidden="true">{{ lv.memory === 'critical' ? 'crit' : 'warn' }}</span><span class="visually-hidden">{{ lv.memory }}</span> }</td>
                <td class="col-disk num" [class]="'level-' + lv.disk" [class.stale]="stale">{{ c.diskPercent | percent1 }}@if (lv.disk !== 'ok') { <app-icon [name]="lv.disk === 'critical' ? 'critical' : 'warning'" [size]="14" /><span class="lvl" aria-hidden="true">{{ lv.disk === 'critical' ? 'crit' : 'warn' }}</span><span class="visually-hidden">{{ lv.disk }}</span> }</td>
                <td class="col-load num" [class.stale]="stale">{{ c.load1 == null ? '—' : c.load1.toFixed(2) }}</td>
                <td class="col-containers num">
                  @if (c.containersTotal == null) { <span class="muted">—</span> } @else {
                    @let f = flags(c);
                    {{ c.containersRunning }}/{{ c.containersTotal }}@if (f.notRunning || f.unhealthy) { <app-icon name="warning" [size]="14" /><span class="lvl">{{ f.notRunning ? f.notRunning + ' down' : '' }}{{ f.notRunning && f.unhealthy ? ', ' : '' }}{{ f.unhealthy ? f.unhealthy + ' unhealthy' : '' }}</span> }
                  }
                </td>
                <td class="col-lastSeen"><time [attr.datetime]="c.lastSeen">{{ c.lastSeen | relativeTime: now() }}</time></td>
              }
            }
          </tr>
        </tbody>
      </table>
    </cdk-virtual-scroll-viewport>
  `,
  styles: `
    :host { display: block; }
    .viewport { max-height: max(320px, calc(100dvh - 290px)); border-radius: 12px; background: var(--mat-sys-surface-container-low); overflow-x: auto; }
    table { width: 100%; min-width: 960px; border-collapse: separate; border-spacing: 0; table-layout: fixed; font: var(--mat-sys-body-medium); }
    thead th { position: sticky; z-index: 2; top: var(--header-top, 0px); background: var(--mat-sys-surface-container-high); height: ${ROW_HEIGHT}px; text-align: left; font: var(--mat-sys-label-large); }
    tr { height: ${ROW_HEIGHT}px; }
    td, th { padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-bottom: 1px solid var(--mat-sys-outline-variant); box-sizing: border-box; }
    tbody th { font-weight: 500; text-align: left; }
    /* The checkbox and the name stay in view when the table scrolls sideways (phones). */
    .sel, .col-name { position: sticky; z-index: 1; background: var(--mat-sys-surface-container-low); }
    .sel { left: 0; width: 44px; text-align: center; }
    .col-name { left: 44px; }
    thead th.sel, thead th.col-name { z-index: 3; background: var(--mat-sys-surface-container-high); }
    tr.selected > * { background: color-mix(in srgb, var(--mat-sys-primary) 14%, var(--mat-sys-surface-container-low)); }
    .sel input { width: 18px; height: 18px; accent-color: var(--mat-sys-primary); cursor: pointer; }
    .col-name { width: 142px; } .col-status { width: 112px; } .col-tags { width: 132px; } .col-cpu, .col-memory, .col-disk { width: 98px; }
    .col-load { width: 68px; } .col-containers { width: 118px; } .col-lastSeen { width: 104px; }
    .num { font-variant-numeric: tabular-nums; }
    .sort { all: unset; cursor: pointer; display: inline-flex; gap: 4px; align-items: center; padding: 4px 2px; border-radius: 4px; }
    .sort:focus-visible, a:focus-visible, input:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: 2px; }
    .arrow { font-size: 10px; min-width: 10px; }
    a { color: inherit; }
    .tag { display: inline-block; margin-right: 4px; padding: 0 6px; border-radius: 999px; font: var(--mat-sys-label-small); background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .more { font: var(--mat-sys-label-small); color: var(--mat-sys-on-surface-variant); }
    .lvl { margin-left: 2px; font: var(--mat-sys-label-small); }
    app-icon { vertical-align: middle; margin-left: 4px; }
    .level-warning { color: light-dark(#8a5300, #ffc870); }
    .level-critical { color: var(--mat-sys-error); font-weight: 600; }
    .stale { color: var(--mat-sys-on-surface-variant); opacity: 0.7; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    tr.group th { position: static; background: var(--mat-sys-surface-container); font: var(--mat-sys-title-small); }
  `,
})
export class FleetTableComponent {
  readonly items = input.required<FleetItem[]>();
  readonly cards = input.required<ReadonlyMap<string, FleetCard>>();
  readonly sort = input.required<SortKey>();
  readonly sortDir = input.required<SortDir>();
  readonly selected = input.required<ReadonlySet<string>>();
  readonly selectAllState = input<'none' | 'some' | 'all'>('none');
  readonly now = input(Date.now());
  readonly sortBy = output<SortKey>();
  readonly toggle = output<RowToggle>();
  readonly toggleAll = output<boolean>();

  protected readonly rowHeight = ROW_HEIGHT;
  protected readonly sortable = SORTABLE;
  protected readonly labels = SORT_LABELS;
  private readonly thresholds = inject(ThresholdsService).thresholds;
  private readonly viewport = viewChild.required(CdkVirtualScrollViewport);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);
  private readonly table = viewChild.required<ElementRef<HTMLTableElement>>('table');
  protected readonly rowCount = () => this.items().length;
  /** Rows + header; beyond 60 rows (taller than any screen) the CSS max-height applies anyway. */
  protected readonly height = computed(() => (Math.min(this.items().length, 60) + 1) * ROW_HEIGHT + 2);

  constructor() {
    // The header stays at the top of the viewport although the virtual scroll translates the rows'
    // wrapper (and the table in it): offset it back, in the same task the CDK moves the wrapper.
    const destroyRef = inject(DestroyRef);
    // The viewport is as tall as its rows, up to the screen (CSS max-height): the CDK measures it
    // again only when that height changes, i.e. for short lists, never per sample or per sort.
    effect(() => {
      this.height();
      afterNextRender(() => this.viewport().checkViewportSize(), { injector: this.injector });
    });
    afterNextRender(() => {
      const sub = this.viewport().renderedContentOffset.subscribe((offset) => this.table().nativeElement.style.setProperty('--header-top', `${-offset}px`));
      destroyRef.onDestroy(() => sub.unsubscribe());
    });
  }

  protected trackKey = (_: number, item: FleetItem) => item.key;
  protected levelsOf = (c: FleetCard) => cardLevels(c, this.thresholds());
  protected staleOf = isStale;
  protected flags = containerFlags;
  protected asChecked = (e: Event) => (e.target as HTMLInputElement).checked;

  protected onToggle(e: MouseEvent, id: string): void {
    this.toggle.emit({ id, on: (e.target as HTMLInputElement).checked, shift: e.shiftKey });
  }

  /** Moves the focus to the same column of another row (rendering it first when it is out of view). */
  protected onKey(e: KeyboardEvent): void {
    const from = e.target as HTMLElement;
    const col = from.dataset['col'];
    const row = from.closest('tr');
    if (!col || !row?.dataset['index']) return;
    const index = Number(row.dataset['index']);
    const page = Math.max(1, Math.floor(this.viewport().getViewportSize() / ROW_HEIGHT) - 1);
    const last = this.items().length - 1;
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (!(e.key in step)) return;
    e.preventDefault();
    let target = Math.min(last, Math.max(0, index + step[e.key]));
    // Group headings have nothing to focus: go on past them in the direction of travel.
    const dirn = step[e.key] > 0 ? 1 : -1;
    while (this.items()[target]?.kind === 'group' && target + dirn >= 0 && target + dirn <= last) target += dirn;
    if (this.items()[target]?.kind === 'group') return;
    this.focusRow(target, col);
  }

  private focusRow(index: number, col: string): void {
    const find = () => this.host.nativeElement.querySelector<HTMLElement>(`tr[data-index="${index}"] [data-col="${col}"]`);
    const el = find();
    if (el) {
      el.focus();
      return;
    }
    this.viewport().scrollToIndex(index);
    // The row renders on the viewport's next change detection.
    afterNextRender(() => find()?.focus(), { injector: this.injector });
  }
}
