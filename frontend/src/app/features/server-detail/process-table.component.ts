import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import type { ProcessSummary } from '@chatops/protocol';
import { BytesPipe, Percent1Pipe, RelativeTimePipe } from '../../shared/format/format.pipes';
import { Level, ThresholdPair, levelOf } from '../../shared/thresholds/thresholds';

export type ProcessSortKey = 'name' | 'pid' | 'user' | 'cpuPercent' | 'memBytes';
interface Column { key: ProcessSortKey; label: string; numeric: boolean }

const COLUMNS: Column[] = [
  { key: 'name', label: 'Process', numeric: false },
  { key: 'pid', label: 'PID', numeric: true },
  { key: 'user', label: 'User', numeric: false },
  { key: 'cpuPercent', label: 'CPU', numeric: true },
  { key: 'memBytes', label: 'Memory', numeric: true },
];

/** Sorted copy: numbers and text each in their natural order, ties by PID so rows do not jump. */
export function sortProcesses(list: readonly ProcessSummary[], key: ProcessSortKey, dir: 'asc' | 'desc'): ProcessSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...list].sort((a, b) => {
    const x = a[key], y = b[key];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : a.pid - b.pid;
  });
}

/**
 * The agent's top processes (it sends them every sixth sample): the last list received stays, with
 * its age; columns sort on click (again: the other way); the command line shows on hover and focus.
 * A process over the CPU thresholds is marked with a word as well as a colour.
 */
@Component({
  selector: 'app-process-table',
  imports: [BytesPipe, Percent1Pipe, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="age" data-testid="processes-age">As of {{ at() | relativeTime: now() }}</p>
    <div class="table-wrap">
      <table class="proc" data-testid="processes">
        <thead>
          <tr>
            @for (c of columns; track c.key) {
              <th scope="col" [class.num]="c.numeric" [attr.aria-sort]="sortKey() === c.key ? (sortDir() === 'asc' ? 'ascending' : 'descending') : null">
                <button type="button" class="sort" (click)="sortBy(c.key)">
                  {{ c.label }}<span class="arrow" aria-hidden="true">{{ sortKey() === c.key ? (sortDir() === 'asc' ? '▲' : '▼') : '' }}</span>
                </button>
              </th>
            }
          </tr>
        </thead>
        <tbody>
          @for (p of rows(); track p.pid) {
            @let level = cpuLevel(p.cpuPercent);
            <tr>
              <td class="name" [attr.title]="p.command || p.name" tabindex="0" [attr.aria-label]="p.name + (p.command ? ': ' + p.command : '')">{{ p.name }}</td>
              <td class="num">{{ p.pid }}</td>
              <td>{{ p.user }}</td>
              <td class="num" [class]="'num level-' + level">{{ p.cpuPercent | percent1 }}@if (level !== 'ok') {&ngsp;<span class="tag">{{ level }}</span> }</td>
              <td class="num">{{ p.memBytes | bytes }}</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    .age { margin: 4px 0 0; font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); }
    .table-wrap { overflow-x: auto; }
    .proc { width: 100%; border-collapse: collapse; font: var(--mat-sys-body-small); margin-top: 8px; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--mat-sys-outline-variant); white-space: nowrap; }
    .num { text-align: right; }
    .name { max-width: 16ch; overflow: hidden; text-overflow: ellipsis; cursor: help; }
    .sort { all: unset; cursor: pointer; font-weight: 600; }
    .sort:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: 2px; }
    .arrow { display: inline-block; width: 1.2em; text-align: center; }
    .tag { margin-left: 4px; padding: 0 4px; border-radius: 4px; font: var(--mat-sys-label-small); border: 1px solid currentColor; }
    .level-warning { color: var(--chatops-warning, light-dark(#8a5300, #ffc870)); }
    .level-critical { color: var(--mat-sys-error); font-weight: 600; }
  `,
})
export class ProcessTableComponent {
  readonly processes = input.required<readonly ProcessSummary[]>();
  /** When the agent sent this list. */
  readonly at = input.required<string>();
  /** A clock tick, so the age stays current. */
  readonly now = input.required<number>();
  readonly cpuThresholds = input<ThresholdPair>({ warning: 80, critical: 95 });

  protected readonly columns = COLUMNS;
  protected readonly sortKey = signal<ProcessSortKey>('cpuPercent');
  protected readonly sortDir = signal<'asc' | 'desc'>('desc');
  protected readonly rows = computed(() => sortProcesses(this.processes(), this.sortKey(), this.sortDir()));

  protected sortBy(key: ProcessSortKey): void {
    if (this.sortKey() === key) this.sortDir.update((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      this.sortKey.set(key);
      this.sortDir.set(COLUMNS.find((c) => c.key === key)!.numeric ? 'desc' : 'asc');
    }
  }

  protected cpuLevel(v: number): Level {
    return levelOf(v, this.cpuThresholds());
  }
}
