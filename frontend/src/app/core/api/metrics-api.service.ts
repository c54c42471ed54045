import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { HistorySeriesKind, LatestMetrics, MetricsHistory } from '@chatops/protocol';
import { Observable } from 'rxjs';
import { API, SKIP_ERROR_TOAST } from './api-config';
import { queryParams } from './query-params';

@Injectable({ providedIn: 'root' })
export class MetricsApi {
  private readonly http = inject(HttpClient);

  /** 404 means "no sample yet": the page shows a waiting state, so no snackbar. */
  latest(serverId: string): Observable<LatestMetrics> {
    return this.http.get<LatestMetrics>(`${API}/metrics/${encodeURIComponent(serverId)}`, {
      context: new HttpContext().set(SKIP_ERROR_TOAST, true),
    });
  }

  /** `quiet`: no toast on failure (a secondary chart). `series`: per-interface, per-mount and disk I/O columns too. */
  history(serverId: string, start: Date, end: Date, points = 300, quiet = false, series: readonly HistorySeriesKind[] = []): Observable<MetricsHistory> {
    let params = queryParams()
      .set('start', start.toISOString())
      .set('end', end.toISOString())
      .set('points', points);
    if (series.length) params = params.set('series', series.join(','));
    return this.http.get<MetricsHistory>(`${API}/metrics/${encodeURIComponent(serverId)}/history`, {
      params,
      context: new HttpContext().set(SKIP_ERROR_TOAST, quiet),
    });
  }

  /** A short history for a sparkline's first points: a failure only leaves it to fill live, so no snackbar. */
  trend(serverId: string, start: Date, end: Date, points: number): Observable<MetricsHistory> {
    const params = queryParams().set('start', start.toISOString()).set('end', end.toISOString()).set('points', points);
    return this.http.get<MetricsHistory>(`${API}/metrics/${encodeURIComponent(serverId)}/history`, {
      params,
      context: new HttpContext().set(SKIP_ERROR_TOAST, true),
    });
  }
}
