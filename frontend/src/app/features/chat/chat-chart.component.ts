import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import type { ChatChartRef } from '@chatops/protocol/chatops';
import type { EChartsCoreOption } from 'echarts/core';
import { NgxEchartsDirective, provideEchartsCore } from 'ngx-echarts';
import { catchError, of, switchMap, tap } from 'rxjs';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { lineData, lineOption } from '../server-detail/chart-options';
import { echarts } from '../server-detail/echarts-setup';
import { RANGES, seriesFromHistory } from '../server-detail/metrics-series';

const CHART_POINTS = 120;

/**
 * A reply's chart reference (`metrics`, `status <server>`) drawn inline: CPU and memory over the
 * range, from `GET /metrics/{serverId}/history`. ECharts is provided here, so it loads with the
 * chat chunk only.
 */
@Component({
  selector: 'app-chat-chart',
  imports: [NgxEchartsDirective],
  providers: [provideEchartsCore({ echarts })],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @switch (state()) {
      @case ('loading') { <p class="note" role="status">Loading chart…</p> }
      @case ('failed') { <p class="note" role="status">The chart could not be loaded.</p> }
      @case ('empty') { <p class="note" role="status">No samples in this range.</p> }
      @default {
        <div class="chart" echarts [options]="options" [merge]="data()" role="img" [attr.aria-label]="label()" data-testid="chat-chart"></div>
      }
    }
  `,
  styles: `
    :host { display: block; margin-top: 8px; }
    .chart { height: 180px; width: 100%; }
    .note { margin: 0; font: var(--mat-sys-body-small); color: var(--mat-sys-on-surface-variant); }
  `,
})
export class ChatChartComponent {
  readonly ref = input.required<ChatChartRef>();

  // No zoom slider in a chat card: a small chart at a glance; the server page has the full one.
  protected readonly options: EChartsCoreOption = {
    ...lineOption(['CPU', 'Memory'], 'percent'),
    dataZoom: [],
    grid: { left: 48, right: 12, top: 32, bottom: 24 },
  };
  protected readonly state = signal<'loading' | 'failed' | 'empty' | 'ready'>('loading');
  protected readonly data = signal<EChartsCoreOption>({});
  protected readonly label = computed(() => `CPU and memory over the last ${RANGES.find((r) => r.key === this.ref().range)?.label ?? this.ref().range}`);

  constructor() {
    const metrics = inject(MetricsApi);
    toObservable(this.ref)
      .pipe(
        tap(() => this.state.set('loading')),
        switchMap((ref) => {
          const ms = RANGES.find((r) => r.key === ref.range)?.ms ?? 3_600_000;
          const end = new Date();
          return metrics.history(ref.serverId, new Date(end.getTime() - ms), end, CHART_POINTS, true).pipe(catchError(() => of(null)));
        }),
        takeUntilDestroyed(),
      )
      .subscribe((h) => {
        if (!h) return this.state.set('failed');
        const s = seriesFromHistory(h.points ?? [], h.resolution);
        // A chat card is narrow: a fixed width for the tick count is enough here.
        const frame = { startMs: Date.parse(h.start), endMs: Date.parse(h.end), widthPx: 480 };
        this.data.set(lineData('percent', frame, [s.cpu, s.memory]));
        this.state.set(s.cpu.length ? 'ready' : 'empty');
      });
  }
}
